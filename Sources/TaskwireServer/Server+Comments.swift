import TaskwireProtocol
import TaskwireStore

extension Server {
    static let commentMethods: [Method] = [
        Method("comment.create", params: ["taskId", "body"]) { request in
            let taskID = try request.params.identifier("taskId")
            let body = try request.params.string("body")
            return request.server.announce(
                try request.server.store.createComment(actor: request.server.actor(request), taskID: taskID, body: body)
            )
        },
        Method("comment.list", params: ["taskId", "limit", "cursor"]) { request in
            try request.server.store.listComments(
                user: request.user!,
                taskID: try request.params.identifier("taskId"),
                limit: try request.params.optionalInteger("limit", in: Limits.taskPageRange) ?? Limits.pageSize,
                cursor: try request.params.optionalString("cursor")
            )
        },
        Method("comment.update", params: ["id", "expectedVersion", "body"]) { request in
            let id = try request.params.identifier("id")
            let expectedVersion = try request.params.integer("expectedVersion", in: 1...Int64.max)
            let body = try request.params.string("body")
            return request.server.announce(
                try request.server.store.updateComment(
                    actor: request.server.actor(request),
                    id: id,
                    expectedVersion: expectedVersion,
                    body: body
                )
            )
        },
        Method("comment.delete", params: ["id"]) { request in
            let id = try request.params.identifier("id")
            return request.server.announce(
                try request.server.store.deleteComment(actor: request.server.actor(request), id: id)
            )
        },
    ]

    static let eventMethods: [Method] = [
        Method("events.list", params: ["projectId", "after", "limit"]) { request in
            try request.server.store.listEvents(
                user: request.user!,
                projectID: try request.params.identifier("projectId"),
                after: try request.params.optionalInteger("after", in: 0...Int64.max) ?? 0,
                limit: try request.params.optionalInteger("limit", in: Limits.eventPageRange) ?? Limits.pageSize
            )
        }
    ]
}
