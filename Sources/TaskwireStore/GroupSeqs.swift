/// The `seq`s a group has given its projects' events, kept in memory while the group's transaction is open and
/// written to `projects.last_seq` once, before the commit (``SQLiteStore/runGrouped(_:)``).
///
/// Outside a group every event takes its project's next `seq` by an `UPDATE` of the project's row and a `SELECT`
/// of it: 9.4k of the 69.5k instructions per update of `update_floor.c` (callgrind, 4,000 updates in groups of 64).
/// A group holds the write lock from its first call to its commit, so no other connection can take a `seq`
/// meanwhile: the row is read at the project's first event of the group, each event takes the next number here, and
/// the last one given is written back once. The log stays gap-free because what undoes a call's events undoes the
/// numbers it took: a call that fails gives them back (``beginCall()``, ``undoCall()``), and a run that starts over
/// starts from the stored values again (``reset()``).
///
/// It lives in the group's ``GroupStatements`` memo, used only by the thread that runs the group.
final class GroupSeqs {
    private struct Entry {
        /// `projects.last_seq` as the group read it.
        let stored: Int64
        /// The last `seq` given in this group (`stored` when none is).
        var last: Int64
        /// `last` when the call numbered `call` began; that call is the last one to have changed it.
        var atCallStart: Int64
        var call: Int
    }

    private var entries: [String: Entry] = [:]
    private var call = 0

    /// Before each call of the group.
    func beginCall() { call &+= 1 }

    /// After a call failed: the numbers it took are free again (its events are undone).
    func undoCall() {
        var index = entries.startIndex
        while index != entries.endIndex {
            if entries.values[index].call == call { entries.values[index].last = entries.values[index].atCallStart }
            entries.formIndex(after: &index)
        }
    }

    /// Before a run starts over from the run's savepoint: every row is as stored again.
    func reset() { entries.removeAll() }

    /// The project's last `seq` as this group sees it, or nil when the group has not read it.
    func last(of project: String) -> Int64? { entries[project]?.last }

    /// The project's next `seq`; `stored` reads `projects.last_seq` the first time the group needs it.
    func next(of project: String, stored: () throws -> Int64) rethrows -> Int64 {
        if let index = entries.index(forKey: project) { return take(&entries.values[index]) }
        let value = try stored()
        var entry = Entry(stored: value, last: value, atCallStart: value, call: call)
        let seq = take(&entry)
        entries[project] = entry
        return seq
    }

    private func take(_ entry: inout Entry) -> Int64 {
        if entry.call != call {
            entry.atCallStart = entry.last
            entry.call = call
        }
        entry.last += 1
        return entry.last
    }

    /// The projects whose `last_seq` the group moved on, with the value to store.
    var moved: [(project: String, last: Int64)] {
        entries.compactMap { project, entry in entry.last > entry.stored ? (project, entry.last) : nil }
    }
}
