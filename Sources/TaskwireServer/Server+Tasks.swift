import TaskwireProtocol
import TaskwireStore

extension Server {
    private static let statuses = TaskStatus.allCases.map(\.rawValue)
    private static let priorities = TaskPriority.allCases.map(\.rawValue)
    private static let versions: ClosedRange<Int64> = 1...Int64.max

    static let taskMethods: [Method] = [
        Method(
            "task.create",
            params: ["projectId", "title", "description", "status", "priority", "assigneeId", "dueDate", "labels"]
        ) { request in
            let params = request.params
            var task = NewTask(projectID: try params.identifier("projectId"), title: try params.string("title"))
            task.description = try params.optionalString("description")
            task.status = try params.optionalChoice("status", statuses)
            task.priority = try params.optionalChoice("priority", priorities)
            if case .value(let id) = try params.nullableString("assigneeId") { task.assigneeID = id }
            if case .value(let date) = try params.nullableString("dueDate") { task.dueDate = date }
            task.labels = try params.optionalStringArray("labels")
            return request.server.announce(
                try request.server.store.createTask(actor: request.server.actor(request), task)
            )
        },
        Method("task.get", params: ["id"]) { request in
            try request.server.store.getTask(user: request.user!, id: try request.params.identifier("id"))
        },
        Method("task.list", params: ["projectId", "status", "assigneeId", "limit", "cursor"]) { request in
            let params = request.params
            var filter = TaskFilter()
            filter.status = try params.optionalChoice("status", statuses)
            filter.assigneeID = try params.nullableString("assigneeId")
            return try request.server.store.listTasks(
                user: request.user!,
                projectID: try params.identifier("projectId"),
                filter: filter,
                limit: try params.optionalInteger("limit", in: Limits.taskPageRange) ?? Limits.pageSize,
                cursor: try params.optionalString("cursor")
            )
        },
        Method(
            "task.update",
            params: ["id", "expectedVersion", "title", "description", "priority", "assigneeId", "dueDate", "labels"]
        ) { request in
            let params = request.params
            let id = try params.identifier("id")
            let expectedVersion = try params.integer("expectedVersion", in: versions)
            var edit = TaskEdit()
            edit.title = try params.optionalString("title")
            edit.description = try params.optionalString("description")
            edit.priority = try params.optionalChoice("priority", priorities)
            edit.assigneeID = try params.nullableString("assigneeId")
            edit.dueDate = try params.nullableString("dueDate")
            edit.labels = try params.optionalStringArray("labels")
            guard !edit.isEmpty else { throw ResponseError.invalidParams("no field to change") }
            return request.server.announce(
                try request.server.store.updateTask(
                    actor: request.server.actor(request),
                    id: id,
                    expectedVersion: expectedVersion,
                    edit: edit
                )
            )
        },
        Method("task.setStatus", params: ["id", "expectedVersion", "status"]) { request in
            let params = request.params
            let id = try params.identifier("id")
            let expectedVersion = try params.integer("expectedVersion", in: versions)
            let status = try params.choice("status", statuses)
            return request.server.announce(
                try request.server.store.setTaskStatus(
                    actor: request.server.actor(request),
                    id: id,
                    expectedVersion: expectedVersion,
                    status: status
                )
            )
        },
        Method("task.delete", params: ["id", "expectedVersion"]) { request in
            let id = try request.params.identifier("id")
            let expectedVersion = try request.params.integer("expectedVersion", in: versions)
            return request.server.announce(
                try request.server.store.deleteTask(
                    actor: request.server.actor(request),
                    id: id,
                    expectedVersion: expectedVersion
                )
            )
        },
    ]

    /// Hands a committed change's event to the rooms and the relay, and returns the method's result.
    func announce(_ change: Change) -> JSON {
        rooms.committed(change.event)
        return change.result
    }
}
