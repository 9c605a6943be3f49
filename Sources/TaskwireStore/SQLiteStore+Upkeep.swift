import CSQLite
import GRDB
import TaskwireSync

/// The writes a store committed since it last brought the full-text index up to date.
struct SearchBacklog {
    var writes = 0
    /// When the first of them committed (``MonotonicClock`` nanoseconds).
    var since: UInt64 = 0
    /// ``SQLiteStore/upkeepMaxAgeNanoseconds``, unless a test sets another.
    var maxAgeNanoseconds = SQLiteStore.upkeepMaxAgeNanoseconds
    /// Not before then: the last upkeep found the write lock taken.
    var retryAt: UInt64 = 0
}

extension SQLiteStore {
    /// How long the index's upkeep waits for a quiet input: a host that is still being written to puts it off, so
    /// that it is not on the path of the next reply.
    static let upkeepQuietMilliseconds: Int32 = 5
    /// Past this many writes (calls that wrote, a group's each), or this age of the oldest, the upkeep runs without
    /// waiting for a quiet input: a client that never pauses still has its changes indexed, in batches small
    /// enough (at most this many tasks, a few milliseconds) that neither the upkeep nor the next search holds the
    /// write lock for long.
    static let upkeepMaxWrites = 256
    static let upkeepMaxAgeNanoseconds: UInt64 = 100_000_000
    /// How long an upkeep that found the write lock taken waits before it tries again.
    static let upkeepRetryNanoseconds: UInt64 = 100_000_000

    func noteWrite() {
        searchBacklog.withLock { backlog in
            if backlog.writes == 0 { backlog.since = MonotonicClock.now() }
            backlog.writes += 1
        }
    }

    /// The full-text index is not brought up to date by the transaction that changes a task's text: the triggers
    /// note the task in `search_pending`, and its index row is rewritten later, by a search that finds tasks
    /// pending (in its own transaction, before it reads) or by this upkeep, which a host runs when its input is
    /// quiet. FTS5 writes every transaction's index changes as a new segment of the index, and merges segments as
    /// they accumulate: about 50 µs of a `task.update` sent alone, which now no longer waits for it, and one segment
    /// per upkeep instead of one per write.
    ///
    /// nil when this store committed nothing since its last upkeep; zero when the upkeep is due now.
    public func upkeepDelayMilliseconds() -> Int32? {
        searchBacklog.withLock { backlog in
            guard backlog.writes > 0 else { return nil }
            let now = MonotonicClock.now()
            if now < backlog.retryAt { return Int32((backlog.retryAt - now) / 1_000_000) + 1 }
            let age = now &- backlog.since
            if backlog.writes >= Self.upkeepMaxWrites || age >= backlog.maxAgeNanoseconds { return 0 }
            let left = Int32(min((backlog.maxAgeNanoseconds - age) / 1_000_000, UInt64(Int32.max - 1))) + 1
            return min(Self.upkeepQuietMilliseconds, left)
        }
    }

    /// Brings the full-text index up to date (with tasks noted by any host or program, not only this store's), when
    /// anything is pending. A failure leaves the tasks noted for the next search or upkeep: nothing is lost.
    ///
    /// It never waits for the write lock: the host's reading thread runs it, and a client's next request must not
    /// wait behind another host's long transaction for work nobody asked for. When the lock is taken it throws
    /// ``StoreError/busy`` at once and stays due, to be tried again at a quiet moment 100 ms later.
    public func runUpkeep() throws(StoreError) {
        searchBacklog.withLock { $0.writes = 0 }
        guard try !read({ db in try Self.searchIndexIsCurrent(db) }) else { return }
        do {
            try Self.mapErrors {
                try pool.writeWithoutTransaction { db in
                    sqlite3_busy_timeout(db.sqliteConnection, 0)
                    defer { sqlite3_busy_timeout(db.sqliteConnection, Int32(Self.busyTimeout * 1000)) }
                    try Self.inTransaction(db) { try Self.updateSearchIndex(db) }
                }
            }
        } catch {
            if error.kind == .busy {
                searchBacklog.withLock { backlog in
                    backlog.writes = max(backlog.writes, 1)
                    backlog.since = MonotonicClock.now()
                    backlog.retryAt = backlog.since + Self.upkeepRetryNanoseconds
                }
            }
            throw error
        }
    }
}
