import GRDB
import TaskwireProtocol
import Testing

@testable import TaskwireStore

/// How a group runs its calls: once, without a savepoint per call, unless a call fails after it wrote; then once
/// more, each call in a savepoint of its own, and only that run counts.
@Suite struct GroupRunTests {
    fileprivate enum Outcome: Equatable {
        case version(Int64)
        case failed(StoreError.Kind)
    }

    @Test func callsThatFailWithoutWritingAreAnsweredAloneInOneRun() throws {
        let world = try StoreWorld()
        let task = try world.create("first")
        let events = try world.eventCount()
        var runs: [[Outcome]] = []
        let result = world.store.runGrouped {
            var outcomes: [Outcome] = []
            outcomes.append(world.retitle(task.id, 1, "second"))
            outcomes.append(world.retitle(task.id, 1, "stale"))  // a conflict
            outcomes.append(world.retitle("tsk_missing", 1, "nowhere"))
            // A statement that fails is undone by SQLite: the call changed no row.
            do throws(StoreError) {
                _ = try world.store.write { db in
                    try db.execute(sql: "INSERT INTO projects SELECT * FROM projects")
                }
                outcomes.append(.version(0))
            } catch {
                outcomes.append(.failed(error.kind))
            }
            outcomes.append(world.retitle(task.id, 2, "third"))
            runs.append(outcomes)
        }
        guard case .committed = result else {
            Issue.record("the group did not commit: \(result)")
            return
        }
        #expect(runs == [[.version(2), .failed(.conflict), .failed(.notFound), .failed(.failure), .version(3)]])
        #expect(try world.stored(task.id)! == ("third", 3))
        #expect(try world.eventCount() == events + 2)
    }

    @Test func aCallThatFailsAfterItWroteIsUndoneAloneInASecondRun() throws {
        let world = try StoreWorld()
        let task = try world.create("first")
        let other = try world.create("other")
        let events = try world.eventCount()
        var runs: [[Outcome]] = []
        var created: [String] = []
        let result = world.store.runGrouped {
            var outcomes: [Outcome] = []
            outcomes.append(world.retitle(task.id, 1, "second"))
            do throws(StoreError) {
                _ = try world.store.write { db in
                    try db.execute(sql: "UPDATE tasks SET title = 'ghost' WHERE id = ?", arguments: [other.id])
                    throw StoreError.invalid("title", "refused after the write")
                }
                outcomes.append(.version(0))
            } catch {
                outcomes.append(.failed(error.kind))
            }
            outcomes.append(world.retitle(task.id, 2, "third"))
            do throws(StoreError) {
                created.append(try world.create("made in the group").id)
                outcomes.append(.version(1))
            } catch {
                outcomes.append(.failed(error.kind))
            }
            runs.append(outcomes)
        }
        guard case .committed = result else {
            Issue.record("the group did not commit: \(result)")
            return
        }
        #expect(
            runs == [
                // The first run stops short after the failure: its calls fail at once, and none of it is kept.
                [.version(2), .failed(.invalid), .failed(.busy), .failed(.busy)],
                [.version(2), .failed(.invalid), .version(3), .version(1)],
            ]
        )
        #expect(try world.stored(task.id)! == ("third", 3))
        #expect(try world.stored(other.id)! == ("other", 1))
        #expect(created.count == 1)
        #expect(try world.stored(created[0])?.title == "made in the group")
        #expect(try world.eventCount() == events + 3)
    }
}

extension StoreWorld {
    fileprivate func create(_ title: String) throws(StoreError) -> TaskItem {
        try store.createTask(actor: alice, NewTask(projectID: projectID, title: title)).entity
    }

    /// The outcome of a retitle by alice: the new version, or the kind of error.
    fileprivate func retitle(_ id: String, _ version: Int64, _ title: String) -> GroupRunTests.Outcome {
        var patch = TaskPatch()
        patch.title = title
        do {
            let updated = try store.updateTask(actor: alice, id: id, expectedVersion: version, patch: patch)
            return .version(updated.entity.version)
        } catch {
            return .failed(error.kind)
        }
    }

    fileprivate func stored(_ id: String) throws -> (title: String, version: Int64)? {
        try store.pool.read { db in
            try Row.fetchOne(db, sql: "SELECT title, version FROM tasks WHERE id = ?", arguments: [id])
                .map { ($0[0], $0[1]) }
        }
    }
}
