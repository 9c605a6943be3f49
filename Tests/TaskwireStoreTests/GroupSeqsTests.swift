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

    @Test func aCallThatFailsWithoutAChangeGivesBackTheSeqItTook() throws {
        let world = try StoreWorld()
        let task = try world.store.createTask(actor: world.alice, NewTask(projectID: world.projectID, title: "a"))
        try world.store.pool.write { db in
            try db.execute(
                sql: """
                    CREATE TRIGGER refuse_marked BEFORE INSERT ON events WHEN NEW.payload LIKE '%refuse me%'
                    BEGIN SELECT RAISE(ABORT, 'refused'); END
                    """
            )
        }
        let start = task.event.seq
        var seqs: [Int64] = []
        let result = world.store.runGrouped {
            seqs.append(world.retitled(task.entity.id, 1, "first"))
            // The event's insert fails and SQLite undoes it: the call changed no row, and the run goes on.
            seqs.append(world.appendedEvent(note: "refuse me"))
            seqs.append(world.retitled(task.entity.id, 2, "second"))
        }
        guard case .committed = result else {
            Issue.record("the group did not commit: \(result)")
            return
        }
        #expect(seqs == [start + 1, -1, start + 2])
        #expect(try world.log(world.projectID) == Array(1...start + 2))
        #expect(try world.lastSeq(world.projectID) == start + 2)
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

    /// The seq of an event appended by a write of its own, or -1 when the write failed (and always after the
    /// event when `thenFail`).
    fileprivate func appendedEvent(note: String, thenFail: Bool = false) -> Int64 {
        do throws(StoreError) {
            return try store.write { db in
                let event = try SQLiteStore.appendEvent(
                    db,
                    projectID: projectID,
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
