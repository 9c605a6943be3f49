import TaskwireProtocol
import TaskwireStore

extension Server {
    private static let statuses = TaskStatus.allCases.map(\.rawValue)
    private static let priorities = TaskPriority.allCases.map(\.rawValue)
    private static let orders = TaskOrder.allCases.map(\.rawValue)
    private static let versions: ClosedRange<Int64> = 1...Int64.max

    static let taskMethods: [Method] = [
        Method(
            "task.create",
            params: ["projectId", "title", "description", "status", "priority", "assigneeId", "dueDate", "labels"],
            groupable: true
        ) { request in
            let params = request.params
            var task = NewTask(projectID: try params.identifier("projectId"), title: try params.string("title"))
            task.description = try params.optionalString("description")
            task.status = try params.optionalChoice("status", statuses).flatMap(TaskStatus.init(rawValue:))
            task.priority = try params.optionalChoice("priority", priorities).flatMap(TaskPriority.init(rawValue:))
            if case .value(let id) = try params.nullableString("assigneeId") { task.assigneeID = id }
            if case .value(let date) = try params.nullableString("dueDate") { task.dueDate = date }
            task.labels = try params.optionalStringArray("labels")
            let server = request.server
            return changed(server.announce(try server.store.createTask(actor: server.actor(request), task)))
        },
        Method("task.get", params: ["id"], groupable: true) { request in
            ["task": try request.server.store.task(user: request.user!, id: try request.params.identifier("id")).json]
        },
        Method(
            "task.list",
            params: ["projectId", "status", "assigneeId", "order", "limit", "cursor"],
            groupable: true
        ) { request in
            let params = request.params
            var filter = TaskFilter()
            filter.order = try params.optionalChoice("order", orders).flatMap(TaskOrder.init(rawValue:)) ?? .created
            filter.status = try params.optionalChoice("status", statuses).flatMap(TaskStatus.init(rawValue:))
            filter.assigneeID = try params.nullableString("assigneeId")
            let page = try request.server.store.listTasks(
                user: request.user!,
                projectID: try params.identifier("projectId"),
                filter: filter,
                limit: try params.optionalInteger("limit", in: Limits.taskPageRange) ?? Limits.pageSize,
                cursor: try params.optionalString("cursor")
            )
            return ["tasks": .array(page.items.map(\.json)), "nextCursor": .string(page.nextCursor)]
        },
        Method(
            "task.update",
            params: ["id", "expectedVersion", "title", "description", "priority", "assigneeId", "dueDate", "labels"],
            groupable: true
        ) { request in
            let params = request.params
            let id = try params.identifier("id")
            let expectedVersion = try params.integer("expectedVersion", in: versions)
            var patch = TaskPatch()
            patch.title = try params.optionalString("title")
            patch.description = try params.optionalString("description")
            patch.priority = try params.optionalChoice("priority", priorities).flatMap(TaskPriority.init(rawValue:))
            patch.assigneeID = try params.nullableString("assigneeId")
            patch.dueDate = try params.nullableString("dueDate")
            patch.labels = try params.optionalStringArray("labels")
            guard !patch.isEmpty else { throw ResponseError.invalidParams("no field to change") }
            let server = request.server
            return changed(
                server.announce(
                    try server.store.updateTask(
                        actor: server.actor(request),
                        id: id,
                        expectedVersion: expectedVersion,
                        patch: patch
                    )
                )
            )
        },
        Method("task.setStatus", params: ["id", "expectedVersion", "status"], groupable: true) { request in
            let params = request.params
            let id = try params.identifier("id")
            let expectedVersion = try params.integer("expectedVersion", in: versions)
            let status = TaskStatus(rawValue: try params.choice("status", statuses))!
            let server = request.server
            return changed(
                server.announce(
                    try server.store.setTaskStatus(
                        actor: server.actor(request),
                        id: id,
                        expectedVersion: expectedVersion,
                        status: status
                    )
                )
            )
        },
        Method("task.move", params: ["id", "expectedVersion", "status", "afterId", "beforeId"], groupable: true) {
            request in
            let params = request.params
            let id = try params.identifier("id")
            let expectedVersion = try params.integer("expectedVersion", in: versions)
            var move = TaskMove()
            move.status = try params.optionalChoice("status", statuses).flatMap(TaskStatus.init(rawValue:))
            move.afterID = try params.optionalIdentifier("afterId")
            move.beforeID = try params.optionalIdentifier("beforeId")
            let server = request.server
            return changed(
                server.announce(
                    try server.store.moveTask(
                        actor: server.actor(request),
                        id: id,
                        expectedVersion: expectedVersion,
                        move: move
                    )
                )
            )
        },
        Method("task.delete", params: ["id", "expectedVersion"], groupable: true) { request in
            let id = try request.params.identifier("id")
            let expectedVersion = try request.params.integer("expectedVersion", in: versions)
            let server = request.server
            let change = server.announce(
                try server.store.deleteTask(actor: server.actor(request), id: id, expectedVersion: expectedVersion)
            )
            return ["id": .string(change.entity.id), "seq": .int(change.seq)]
        },
    ]

    /// The result of a task change: the task as stored now, in the text its event carries (written once, for
    /// both), and the change's `seq`.
    private static func changed(_ change: ChangeResult<TaskItem>) -> JSON {
        let task = change.encodedEntity.map(JSON.encoded) ?? change.entity.json
        return .object(JSONObject(members: [.init("task", task), .init("seq", .int(change.seq))]))
    }

    /// Hands a committed change's event to the rooms and the relay, and returns the change. In a group, the event
    /// waits for the group's commit.
    func announce<Entity>(_ change: ChangeResult<Entity>) -> ChangeResult<Entity> {
        let held: Bool = session.withLock { state in
            guard state.grouping else { return false }
            // Appended one by one: `events` would build two arrays for every change.
            state.heldEvents.append(contentsOf: change.precedingEvents)
            state.heldEvents.append(change.event)
            return true
        }
        if !held { for event in change.events { rooms.committed(event) } }
        return change
    }
}
