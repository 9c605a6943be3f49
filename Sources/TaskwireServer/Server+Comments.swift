import TaskwireProtocol
import TaskwireStore

extension Server {
    static let commentMethods: [Method] = [
        Method("comment.create", params: ["taskId", "body"], groupable: true) { request in
            let taskID = try request.params.identifier("taskId")
            let body = try request.params.string("body")
            let server = request.server
            return changed(
                server.announce(
                    try server.store.createComment(actor: server.actor(request), taskID: taskID, body: body)
                )
            )
        },
        Method("comment.list", params: ["taskId", "limit", "cursor"], groupable: true) { request in
            let page = try request.server.store.listComments(
                user: request.user!,
                taskID: try request.params.identifier("taskId"),
                limit: try request.params.optionalInteger("limit", in: Limits.taskPageRange) ?? Limits.pageSize,
                cursor: try request.params.optionalString("cursor")
            )
            return ["comments": .array(page.items.map(\.json)), "nextCursor": .string(page.nextCursor)]
        },
        Method("comment.update", params: ["id", "expectedVersion", "body"], groupable: true) { request in
            let id = try request.params.identifier("id")
            let expectedVersion = try request.params.integer("expectedVersion", in: 1...Int64.max)
            let body = try request.params.string("body")
            let server = request.server
            return changed(
                server.announce(
                    try server.store.updateComment(
                        actor: server.actor(request),
                        id: id,
                        expectedVersion: expectedVersion,
                        body: body
                    )
                )
            )
        },
        Method("comment.delete", params: ["id"], groupable: true) { request in
            let id = try request.params.identifier("id")
            let server = request.server
            let change = server.announce(try server.store.deleteComment(actor: server.actor(request), id: id))
            return ["id": .string(change.entity.id), "seq": .int(change.seq)]
        },
    ]

    static let eventMethods: [Method] = [
        Method("events.list", params: ["projectId", "after", "limit"], groupable: true) { request in
            let page = try request.server.store.listEvents(
                user: request.user!,
                projectID: try request.params.identifier("projectId"),
                after: try request.params.optionalInteger("after", in: 0...Int64.max) ?? 0,
                limit: try request.params.optionalInteger("limit", in: Limits.eventPageRange) ?? Limits.pageSize
            )
            // Payloads are stored as the compact JSON of the event, and go out as written.
            let events = page.events.map { (try? JSONParser.parse($0.payload)) ?? .null }
            return ["events": .array(events), "nextAfter": .int(page.nextAfter)]
        }
    ]

    /// The result of a comment change: the comment as stored now and the change's `seq`.
    private static func changed(_ change: ChangeResult<Comment>) -> JSON {
        ["comment": change.entity.json, "seq": .int(change.seq)]
    }
}
