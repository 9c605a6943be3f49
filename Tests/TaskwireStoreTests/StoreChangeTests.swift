import GRDB
import TaskwireProtocol
import Testing

@testable import TaskwireStore

/// Expects `body` to fail with a storage error of `kind`, and returns it.
@discardableResult
private func expectError(
    _ kind: StoreError.Kind,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> Void
) -> StoreError? {
    do {
        try body()
        Issue.record("accepted", sourceLocation: sourceLocation)
    } catch let error as StoreError {
        #expect(error.kind == kind, "got \(error)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected a StoreError, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

@Suite struct StoreChangeTests {
    @Test func aCreatedTaskIsTheEventsTaskAndTakesTheNextSeq() throws {
        let world = try StoreWorld()
        var new = NewTask(projectID: world.projectID, title: "Ship it")
        new.labels = ["a", "é"]
        new.priority = .high
        let created = try world.store.createTask(actor: world.alice, new)
        let task = created.entity
        #expect(task.status == .todo)
        #expect(task.priority == .high)
        #expect(task.labels == ["a", "é"])
        #expect(task.version == 1)
        #expect(task.createdBy == world.alice.user.id)
        #expect(created.seq == 1)
        #expect(created.event.type == "task.created")
        let payload = try JSONParser.parse(created.event.payload)
        #expect(payload["data"] == ["task": task.json])
        #expect(payload["origin"] == ["sessionId": "ses_alice"])
        #expect(try world.store.task(user: world.bob.user, id: task.id) == task)
        expectError(.notFound) { _ = try world.store.task(user: world.carol.user, id: task.id) }
    }

    @Test func aStaleUpdateIsAConflictWithTheStoredTaskAndWritesNothing() throws {
        let world = try StoreWorld()
        let task = try world.store.createTask(actor: world.alice, NewTask(projectID: world.projectID, title: "T"))
            .entity
        var patch = TaskPatch()
        patch.title = "Second"
        let updated = try world.store.updateTask(actor: world.bob, id: task.id, expectedVersion: 1, patch: patch)
        #expect(updated.entity.version == 2)
        #expect(updated.entity.title == "Second")
        let events = try world.eventCount()

        patch.title = "Third"
        let conflict = expectError(.conflict) {
            _ = try world.store.updateTask(actor: world.alice, id: task.id, expectedVersion: 1, patch: patch)
        }
        #expect(conflict?.currentVersion == 2)
        #expect(conflict?.current == .task(updated.entity))
        // A stale version is reported before an assignee outside the organization.
        patch.assigneeID = .value(world.carol.user.id)
        expectError(.conflict) {
            _ = try world.store.updateTask(actor: world.alice, id: task.id, expectedVersion: 1, patch: patch)
        }
        let invalid = expectError(.invalid) {
            _ = try world.store.updateTask(actor: world.alice, id: task.id, expectedVersion: 2, patch: patch)
        }
        #expect(invalid?.field == "assigneeId")
        patch.assigneeID = .value("usr_nobody")
        expectError(.conflict) {
            _ = try world.store.updateTask(actor: world.alice, id: task.id, expectedVersion: 1, patch: patch)
        }
        expectError(.invalid) {
            _ = try world.store.updateTask(actor: world.alice, id: task.id, expectedVersion: 2, patch: patch)
        }
        #expect(try world.store.task(user: world.alice.user, id: task.id) == updated.entity, "rolled back")
        #expect(try world.eventCount() == events)
        expectError(.notFound) {
            _ = try world.store.updateTask(actor: world.alice, id: "tsk_missing", expectedVersion: 1, patch: patch)
        }
    }

    @Test func aStatusChangeRecordsWhereItCameFrom() throws {
        let world = try StoreWorld()
        let task = try world.store.createTask(actor: world.alice, NewTask(projectID: world.projectID, title: "T"))
            .entity
        let changed = try world.store.setTaskStatus(actor: world.bob, id: task.id, expectedVersion: 1, status: .done)
        #expect(changed.entity.status == .done)
        #expect(changed.entity.version == 2)
        let data = try JSONParser.parse(changed.event.payload)["data"]
        #expect(data == ["task": changed.entity.json, "from": "todo", "to": "done"])
        let conflict = expectError(.conflict) {
            _ = try world.store.setTaskStatus(actor: world.bob, id: task.id, expectedVersion: 1, status: .todo)
        }
        #expect(conflict?.current == .task(changed.entity))
    }

    @Test func aDeletionReturnsTheTaskAsItWas() throws {
        let world = try StoreWorld()
        let task = try world.store.createTask(actor: world.alice, NewTask(projectID: world.projectID, title: "T"))
            .entity
        _ = try world.store.createComment(actor: world.bob, taskID: task.id, body: "note")
        expectError(.conflict) { _ = try world.store.deleteTask(actor: world.alice, id: task.id, expectedVersion: 2) }
        let deleted = try world.store.deleteTask(actor: world.alice, id: task.id, expectedVersion: 1)
        #expect(deleted.entity == task)
        #expect(deleted.seq == 3)
        #expect(try JSONParser.parse(deleted.event.payload)["data"] == ["taskId": .string(task.id)])
        expectError(.notFound) { _ = try world.store.task(user: world.alice.user, id: task.id) }
        expectError(.notFound) { _ = try world.store.deleteTask(actor: world.alice, id: task.id, expectedVersion: 1) }
    }

    @Test func commentsAreEditedByTheirAuthorAndDeletedByTheAuthorOrAManager() throws {
        let world = try StoreWorld()
        let task = try world.store.createTask(actor: world.alice, NewTask(projectID: world.projectID, title: "T"))
            .entity
        let comment = try world.store.createComment(actor: world.bob, taskID: task.id, body: "v1").entity
        #expect(comment.projectID == world.projectID)
        #expect(comment.authorID == world.bob.user.id)
        expectError(.forbidden) {
            _ = try world.store.updateComment(actor: world.alice, id: comment.id, expectedVersion: 1, body: "x")
        }
        let updated = try world.store.updateComment(actor: world.bob, id: comment.id, expectedVersion: 1, body: "v2")
        #expect(updated.entity.body == "v2")
        #expect(updated.entity.version == 2)
        let conflict = expectError(.conflict) {
            _ = try world.store.updateComment(actor: world.bob, id: comment.id, expectedVersion: 1, body: "v3")
        }
        #expect(conflict?.current == .comment(updated.entity))
        expectError(.notFound) { _ = try world.store.deleteComment(actor: world.carol, id: comment.id) }
        let deleted = try world.store.deleteComment(actor: world.alice, id: comment.id)
        #expect(deleted.entity == updated.entity)
        let data = try JSONParser.parse(deleted.event.payload)["data"]
        #expect(data == ["commentId": .string(comment.id), "taskId": .string(task.id)])
    }

    @Test func pagesFollowTheirCursorToTheEnd() throws {
        let world = try StoreWorld()
        var created: [String] = []
        for index in 0..<5 {
            let task = NewTask(projectID: world.projectID, title: "T\(index)")
            created.append(try world.store.createTask(actor: world.alice, task).entity.id)
        }
        var seen: [String] = []
        var cursor: String?
        repeat {
            let page = try world.store.listTasks(
                user: world.bob.user,
                projectID: world.projectID,
                filter: TaskFilter(),
                limit: 2,
                cursor: cursor
            )
            seen += page.items.map(\.id)
            cursor = page.nextCursor
        } while cursor != nil
        #expect(Set(seen) == Set(created))
        #expect(seen.count == 5)
        expectError(.invalid) {
            _ = try world.store.listTasks(
                user: world.bob.user,
                projectID: world.projectID,
                filter: TaskFilter(),
                limit: 2,
                cursor: "nope"
            )
        }
        let events = try world.store.listEvents(user: world.bob.user, projectID: world.projectID, after: 3, limit: 10)
        #expect(events.events.map(\.seq) == [4, 5])
        #expect(events.nextAfter == 5)
    }
}
