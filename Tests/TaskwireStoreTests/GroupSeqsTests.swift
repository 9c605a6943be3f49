import GRDB
import TaskwireProtocol
import Testing

@testable import TaskwireStore

/// A group counts its projects' `seq`s in memory and writes the last one back before its commit: the log stays
/// gap-free, the project's row ends at its last event, and what undoes a call gives back the numbers it took.
@Suite struct GroupSeqsTests {
    @Test func aGroupsEventsTakeTheNextSeqsOfEachProjectAndItsRowsEndAtTheLast() throws {
        let world = try StoreWorld()
        let api = try world.store.addProject(organization: "Acme", name: "Api").id
        let web = try world.store.createTask(actor: world.alice, NewTask(projectID: world.projectID, title: "a"))
        let other = try world.store.createTask(actor: world.alice, NewTask(projectID: api, title: "b"))
        let start = (web: web.event.seq, api: other.event.seq)
        var seqs: [Int64] = []
        var joinedAt: Int64?
        let result = world.store.runGrouped {
            for version in Int64(1)...3 {
                seqs.append(world.retitled(web.entity.id, version, "web \(version)"))
                seqs.append(world.retitled(other.entity.id, version, "api \(version)"))
            }
            // A read of the project's seq in the group sees the group's own events.
            joinedAt = try? world.store.join(actor: world.alice, projectID: world.projectID, since: nil).seq
        }
        guard case .committed = result else {
            Issue.record("the group did not commit: \(result)")
            return
        }
        let expected = (1...3).flatMap { step in [start.web + Int64(step), start.api + Int64(step)] }
        #expect(seqs == expected)
        #expect(joinedAt == start.web + 3)
        #expect(try world.log(world.projectID) == Array(1...start.web + 3))
        #expect(try world.log(api) == Array(1...start.api + 3))
        #expect(try world.lastSeq(world.projectID) == start.web + 3)
        #expect(try world.lastSeq(api) == start.api + 3)
        // A write outside any group goes on from the stored row.
        #expect(world.retitled(web.entity.id, 4, "after") == start.web + 4)
    }

    @Test func aCallThatFailsWithoutAChangeGivesBackTheSeqsItTookAndNoOthers() throws {
        let world = try StoreWorld()
        let api = try world.store.addProject(organization: "Acme", name: "Api").id
        let web = try world.store.createTask(actor: world.alice, NewTask(projectID: world.projectID, title: "a"))
        let other = try world.store.createTask(actor: world.alice, NewTask(projectID: api, title: "b"))
        try world.refuseEvents(noting: "refuse me")
        let start = (web: web.event.seq, api: other.event.seq)
        var seqs: [Int64] = []
        let result = world.store.runGrouped {
            seqs.append(world.retitled(web.entity.id, 1, "first"))
            // The event's insert fails and SQLite undoes it: the call changed no row, and the run goes on. It is
            // the first event of the group in its project: its seq is given back, the other project's stays taken.
            seqs.append(world.appendedEvent(note: "refuse me", in: api))
            seqs.append(world.retitled(web.entity.id, 2, "second"))
            seqs.append(world.retitled(other.entity.id, 1, "third"))
        }
        guard case .committed = result else {
            Issue.record("the group did not commit: \(result)")
            return
        }
        #expect(seqs == [start.web + 1, -1, start.web + 2, start.api + 1])
        #expect(try world.log(world.projectID) == Array(1...start.web + 2))
        #expect(try world.log(api) == Array(1...start.api + 1))
        #expect(try world.lastSeq(world.projectID) == start.web + 2)
        #expect(try world.lastSeq(api) == start.api + 1)
    }

    @Test func aGroupWhoseSeqsCannotBeWrittenBackKeepsNothing() throws {
        let world = try StoreWorld()
        let task = try world.store.createTask(actor: world.alice, NewTask(projectID: world.projectID, title: "a"))
        try world.addTrigger(
            """
            CREATE TRIGGER keep_last_seq BEFORE UPDATE OF last_seq ON projects
            BEGIN SELECT RAISE(ABORT, 'refused'); END
            """
        )
        let start = task.event.seq
        var seqs: [Int64] = []
        let result = world.store.runGrouped {
            seqs.append(world.retitled(task.entity.id, 1, "first"))
        }
        guard case .failed = result else {
            Issue.record("the group committed without its seqs: \(result)")
            return
        }
        #expect(seqs == [start + 1])
        #expect(try world.log(world.projectID) == Array(1...start))
        #expect(try world.lastSeq(world.projectID) == start)
        #expect(try world.title(task.entity.id) == "a")
    }

    @Test func aTransactionThatSQLiteEndedWritesNoSeqBack() throws {
        let world = try StoreWorld()
        let task = try world.store.createTask(actor: world.alice, NewTask(projectID: world.projectID, title: "a"))
        // As SQLite does itself on a full disk: the whole transaction rolled back by a statement that fails.
        try world.addTrigger(
            """
            CREATE TRIGGER end_the_transaction BEFORE INSERT ON events WHEN NEW.payload LIKE '%end it%'
            BEGIN SELECT RAISE(ROLLBACK, 'ended'); END
            """
        )
        let start = task.event.seq
        var runs: [[Int64]] = []
        let result = world.store.runGrouped {
            var seqs: [Int64] = []
            seqs.append(world.retitled(task.entity.id, 1, "first"))
            // Fails after its event: the run starts over with a savepoint per call, where the next call ends the
            // transaction after the first took a seq.
            seqs.append(world.appendedEvent(note: "undone", thenFail: true))
            seqs.append(world.appendedEvent(note: "end it"))
            runs.append(seqs)
        }
        guard case .failed = result else {
            Issue.record("the group committed: \(result)")
            return
        }
        #expect(runs.count == 2)
        #expect(runs.last == [start + 1, -1, -1])
        #expect(try world.log(world.projectID) == Array(1...start))
        #expect(try world.lastSeq(world.projectID) == start)
        #expect(try world.title(task.entity.id) == "a")
    }

    @Test func aCallUndoneAfterItsEventGivesBackTheSeqInTheRunThatStartedOver() throws {
        let world = try StoreWorld()
        let task = try world.store.createTask(actor: world.alice, NewTask(projectID: world.projectID, title: "a"))
        let start = task.event.seq
        var runs: [[Int64]] = []
        let result = world.store.runGrouped {
            var seqs: [Int64] = []
            seqs.append(world.retitled(task.entity.id, 1, "first"))
            // Fails after its event: the run starts over, each call in a savepoint, and this one is undone alone.
            seqs.append(world.appendedEvent(note: "undone", thenFail: true))
            seqs.append(world.retitled(task.entity.id, 2, "second"))
            runs.append(seqs)
        }
        guard case .committed = result else {
            Issue.record("the group did not commit: \(result)")
            return
        }
        #expect(runs.last == [start + 1, -1, start + 2])
        #expect(runs.count == 2)
        #expect(try world.log(world.projectID) == Array(1...start + 2))
        #expect(try world.lastSeq(world.projectID) == start + 2)
    }
}

extension StoreWorld {
    /// The seq of the event of a retitle by alice, or -1 when it failed.
    fileprivate func retitled(_ id: String, _ version: Int64, _ title: String) -> Int64 {
        var patch = TaskPatch()
        patch.title = title
        return (try? store.updateTask(actor: alice, id: id, expectedVersion: version, patch: patch).event.seq) ?? -1
    }

    /// The seq of an event appended by a write of its own (in this world's project unless told), or -1 when the
    /// write failed (and always after the event when `thenFail`).
    fileprivate func appendedEvent(note: String, in project: String? = nil, thenFail: Bool = false) -> Int64 {
        do throws(StoreError) {
            return try store.write { db in
                let event = try SQLiteStore.appendEvent(
                    db,
                    projectID: project ?? projectID,
                    type: .taskUpdated,
                    actor: alice,
                    data: ["note": .string(note)]
                )
                if thenFail { throw StoreError.invalid("note", "refused after the event") }
                return event.seq
            }
        } catch {
            return -1
        }
    }

    /// Makes the insert of an event whose payload holds `note` fail, as a statement SQLite undoes.
    fileprivate func refuseEvents(noting note: String) throws {
        try addTrigger(
            """
            CREATE TRIGGER refuse_marked BEFORE INSERT ON events
            WHEN instr(NEW.payload, '\(note.replacingOccurrences(of: "'", with: "''"))') > 0
            BEGIN SELECT RAISE(ABORT, 'refused'); END
            """
        )
    }

    /// Creates a trigger that makes some write fail (a DDL statement takes no bound parameters).
    fileprivate func addTrigger(_ sql: String) throws {
        try store.pool.write { db in try db.execute(sql: sql) }
    }

    fileprivate func title(_ id: String) throws -> String? {
        try store.pool.read { db in
            try String.fetchOne(db, sql: "SELECT title FROM tasks WHERE id = ?", arguments: [id])
        }
    }

    fileprivate func log(_ project: String) throws -> [Int64] {
        try store.pool.read { db in
            try Int64.fetchAll(
                db,
                sql: "SELECT seq FROM events WHERE project_id = ? ORDER BY seq",
                arguments: [project]
            )
        }
    }

    fileprivate func lastSeq(_ project: String) throws -> Int64? {
        try store.pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT last_seq FROM projects WHERE id = ?", arguments: [project])
        }
    }
}
