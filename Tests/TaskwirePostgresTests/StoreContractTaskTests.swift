import TaskwireProtocol
import TaskwireStore
import Testing

/// Tasks and comments: the same calls give the same results, events and errors on every backend.
@Suite struct StoreContractTaskTests {
    @Test(arguments: Backend.allCases)
    func aCreatedTaskIsTheEventsTaskAndTakesTheNextSeq(_ backend: Backend) throws {
        let world = try StoreWorld(backend)
        var new = NewTask(projectID: world.projectID, title: "Ship it")
        new.labels = ["a", "é", "quote\"and\\"]
        new.priority = .high
        new.description = "line\nbreak"
        new.dueDate = "2028-02-29"
        new.assigneeID = world.bob.user.id
        let created = try world.store.createTask(actor: world.alice, new)
        let task = created.entity
        #expect(task.status == .todo)
        #expect(task.priority == .high)
        #expect(task.labels == ["a", "é", "quote\"and\\"])
        #expect(task.description == "line\nbreak")
        #expect(task.dueDate == "2028-02-29")
        #expect(task.assigneeID == world.bob.user.id)
        #expect(task.version == 1)
        #expect(task.createdBy == world.alice.user.id)
        #expect(task.createdAt == task.updatedAt)
        #expect(task.id.hasPrefix("tsk_"))
        #expect(created.seq == 1)
        #expect(created.event.type == "task.created")
        let payload = try JSONParser.parse(created.event.payload)
        #expect(payload["data"] == ["task": task.json])
        #expect(payload["origin"] == ["sessionId": "ses_alice"])
        #expect(payload["actor"] == world.alice.user.json)
        #expect(payload["seq"] == 1)
        #expect(payload["projectId"] == .string(world.projectID))
        #expect(try world.store.task(user: world.bob.user, id: task.id) == task)
        #expect(try world.events().map(\.payload) == [created.event.payload], "the log holds the same bytes")
        expectError(.notFound) { _ = try world.store.task(user: world.carol.user, id: task.id) }
        expectError(.notFound) { _ = try world.store.task(user: world.alice.user, id: "tsk_missing") }
    }

    /// Each change of a task writes the task's text once: its event carries exactly the text the change returns
    /// for the response, and the event's `at` is the task's `updatedAt`.
    @Test(arguments: Backend.allCases)
    func aChangedTaskIsItsEventsTaskAndItsTime(_ backend: Backend) throws {
        let world = try StoreWorld(backend)
        var new = NewTask(projectID: world.projectID, title: "quote \" and\nline")
        new.labels = ["x"]
        let created = try world.store.createTask(actor: world.alice, new)
        var patch = TaskPatch()
        patch.description = "tab\there"
        let updated = try world.store.updateTask(
            actor: world.bob,
            id: created.entity.id,
            expectedVersion: 1,
            patch: patch
        )
        let moved = try world.store.setTaskStatus(
            actor: world.bob,
            id: created.entity.id,
            expectedVersion: 2,
            status: .inReview
        )
        let placed = try world.store.moveTask(
            actor: world.alice,
            id: created.entity.id,
            expectedVersion: 3,
            move: TaskMove(status: .done)
        )
        for change in [created, updated, moved, placed] {
            let text = try #require(change.encodedEntity)
            #expect(text.bytes == change.entity.json.bytes)
            let payload = String(decoding: change.event.payload, as: UTF8.self)
            #expect(payload.contains(#""task":"# + String(decoding: text.bytes, as: UTF8.self)), "\(change.event.type)")
            let event = try JSONParser.parse(change.event.payload)
            #expect(event["data"]?["task"] == change.entity.json)
            #expect(event["at"]?.stringValue == change.entity.updatedAt, "\(change.event.type)")
        }
    }

    @Test(arguments: Backend.allCases)
    func aTaskIsCheckedBeforeAnythingIsWritten(_ backend: Backend) throws {
        let world = try StoreWorld(backend)
        func create(_ change: (inout NewTask) -> Void) throws {
            var new = NewTask(projectID: world.projectID, title: "T")
            change(&new)
            _ = try world.store.createTask(actor: world.alice, new)
        }
        #expect(expectError(.invalid) { try create { $0.title = "  " } }?.field == "title")
        #expect(
            expectError(.invalid) { try create { $0.title = String(repeating: "x", count: 501) } }?.field == "title"
        )
        #expect(expectError(.invalid) { try create { $0.labels = [""] } }?.field == "labels")
        #expect(expectError(.invalid) { try create { $0.dueDate = "2027-02-29" } }?.field == "dueDate")
        #expect(expectError(.invalid) { try create { $0.assigneeID = world.carol.user.id } }?.field == "assigneeId")
        #expect(expectError(.invalid) { try create { $0.assigneeID = "usr_nobody" } }?.field == "assigneeId")
        #expect(expectError(.notFound) { try create { $0.projectID = "prj_missing" } }?.entity == "Project")
        expectError(.notFound) {
            _ = try world.store.createTask(actor: world.carol, NewTask(projectID: world.projectID, title: "T"))
        }
        #expect(try world.events().isEmpty)
    }

    @Test(arguments: Backend.allCases)
    func aStaleUpdateIsAConflictWithTheStoredTaskAndWritesNothing(_ backend: Backend) throws {
        let world = try StoreWorld(backend)
        let task = try world.createTask()
        var patch = TaskPatch()
        patch.title = "Second"
        patch.dueDate = .value("2030-01-02")
        patch.labels = ["x"]
        patch.priority = .urgent
        patch.description = "d"
        let updated = try world.store.updateTask(actor: world.bob, id: task.id, expectedVersion: 1, patch: patch)
        #expect(updated.entity.version == 2)
        #expect(updated.entity.title == "Second")
        #expect(updated.entity.dueDate == "2030-01-02")
        #expect(updated.entity.labels == ["x"])
        #expect(updated.entity.priority == .urgent)
        #expect(updated.entity.description == "d")
        #expect(updated.event.type == "task.updated")
        #expect(try JSONParser.parse(updated.event.payload)["data"] == ["task": updated.entity.json])
        let events = try world.events().count

        patch = TaskPatch()
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
        #expect(try world.events().count == events)
        expectError(.notFound) {
            _ = try world.store.updateTask(actor: world.alice, id: "tsk_missing", expectedVersion: 1, patch: patch)
        }
        expectError(.notFound) {
            _ = try world.store.updateTask(actor: world.carol, id: task.id, expectedVersion: 2, patch: TaskPatch())
        }

        // Clearing fields, assigning a member.
        patch = TaskPatch()
        patch.assigneeID = .value(world.bob.user.id)
        patch.dueDate = .null
        let assigned = try world.store.updateTask(actor: world.alice, id: task.id, expectedVersion: 2, patch: patch)
        #expect(assigned.entity.assigneeID == world.bob.user.id)
        #expect(assigned.entity.dueDate == nil)
        patch = TaskPatch()
        patch.assigneeID = .null
        let cleared = try world.store.updateTask(actor: world.alice, id: task.id, expectedVersion: 3, patch: patch)
        #expect(cleared.entity.assigneeID == nil)
        #expect(cleared.seq == 4)
    }

    @Test(arguments: Backend.allCases)
    func aStatusChangeRecordsWhereItCameFrom(_ backend: Backend) throws {
        let world = try StoreWorld(backend)
        let task = try world.createTask()
        let changed = try world.store.setTaskStatus(actor: world.bob, id: task.id, expectedVersion: 1, status: .done)
        #expect(changed.entity.status == .done)
        #expect(changed.entity.version == 2)
        #expect(changed.event.type == "task.statusChanged")
        let data = try JSONParser.parse(changed.event.payload)["data"]
        #expect(data == ["task": changed.entity.json, "from": "todo", "to": "done"])
        let conflict = expectError(.conflict) {
            _ = try world.store.setTaskStatus(actor: world.bob, id: task.id, expectedVersion: 1, status: .todo)
        }
        #expect(conflict?.current == .task(changed.entity))
        expectError(.notFound) {
            _ = try world.store.setTaskStatus(actor: world.carol, id: task.id, expectedVersion: 2, status: .todo)
        }
        expectError(.notFound) {
            _ = try world.store.setTaskStatus(actor: world.bob, id: "tsk_missing", expectedVersion: 1, status: .todo)
        }
    }

    @Test(arguments: Backend.allCases)
    func aDeletionReturnsTheTaskAsItWasAndTakesItsComments(_ backend: Backend) throws {
        let world = try StoreWorld(backend)
        let task = try world.createTask()
        let comment = try world.store.createComment(actor: world.bob, taskID: task.id, body: "note").entity
        expectError(.conflict) { _ = try world.store.deleteTask(actor: world.alice, id: task.id, expectedVersion: 2) }
        expectError(.notFound) { _ = try world.store.deleteTask(actor: world.carol, id: task.id, expectedVersion: 1) }
        let deleted = try world.store.deleteTask(actor: world.alice, id: task.id, expectedVersion: 1)
        #expect(deleted.entity == task)
        #expect(deleted.seq == 3)
        #expect(deleted.event.type == "task.deleted")
        #expect(try JSONParser.parse(deleted.event.payload)["data"] == ["taskId": .string(task.id)])
        expectError(.notFound) { _ = try world.store.task(user: world.alice.user, id: task.id) }
        expectError(.notFound) { _ = try world.store.deleteTask(actor: world.alice, id: task.id, expectedVersion: 1) }
        expectError(.notFound) { _ = try world.store.deleteComment(actor: world.bob, id: comment.id) }
        expectError(.notFound) {
            _ = try world.store.listComments(user: world.bob.user, taskID: task.id, limit: 5, cursor: nil)
        }
    }

    @Test(arguments: Backend.allCases)
    func commentsAreEditedByTheirAuthorAndDeletedByTheAuthorOrAManager(_ backend: Backend) throws {
        let world = try StoreWorld(backend)
        let task = try world.createTask()
        let created = try world.store.createComment(actor: world.bob, taskID: task.id, body: "v1")
        let comment = created.entity
        #expect(comment.projectID == world.projectID)
        #expect(comment.taskID == task.id)
        #expect(comment.authorID == world.bob.user.id)
        #expect(comment.id.hasPrefix("cmt_"))
        #expect(try JSONParser.parse(created.event.payload)["data"] == ["comment": comment.json])
        expectError(.invalid) { _ = try world.store.createComment(actor: world.bob, taskID: task.id, body: " \n") }
        expectError(.notFound) { _ = try world.store.createComment(actor: world.carol, taskID: task.id, body: "x") }
        expectError(.notFound) { _ = try world.store.createComment(actor: world.bob, taskID: "tsk_missing", body: "x") }
        expectError(.forbidden) {
            _ = try world.store.updateComment(actor: world.alice, id: comment.id, expectedVersion: 1, body: "x")
        }
        expectError(.notFound) {
            _ = try world.store.updateComment(actor: world.carol, id: comment.id, expectedVersion: 1, body: "x")
        }
        expectError(.invalid) {
            _ = try world.store.updateComment(actor: world.bob, id: comment.id, expectedVersion: 1, body: "")
        }
        let updated = try world.store.updateComment(actor: world.bob, id: comment.id, expectedVersion: 1, body: "v2")
        #expect(updated.entity.body == "v2")
        #expect(updated.entity.version == 2)
        #expect(updated.event.type == "comment.updated")
        let conflict = expectError(.conflict) {
            _ = try world.store.updateComment(actor: world.bob, id: comment.id, expectedVersion: 1, body: "v3")
        }
        #expect(conflict?.current == .comment(updated.entity))
        expectError(.notFound) { _ = try world.store.deleteComment(actor: world.carol, id: comment.id) }
        // A member who is not the author may not delete; a manager may.
        let own = try world.store.createComment(actor: world.alice, taskID: task.id, body: "alice's").entity
        expectError(.forbidden) { _ = try world.store.deleteComment(actor: world.bob, id: own.id) }
        let deleted = try world.store.deleteComment(actor: world.alice, id: comment.id)
        #expect(deleted.entity == updated.entity)
        #expect(deleted.event.type == "comment.deleted")
        let data = try JSONParser.parse(deleted.event.payload)["data"]
        #expect(data == ["commentId": .string(comment.id), "taskId": .string(task.id)])
        expectError(.notFound) { _ = try world.store.deleteComment(actor: world.alice, id: comment.id) }
        expectError(.notFound) {
            _ = try world.store.updateComment(actor: world.bob, id: comment.id, expectedVersion: 2, body: "x")
        }
        #expect(try world.events().map(\.seq) == Array(1...5))
    }
}
