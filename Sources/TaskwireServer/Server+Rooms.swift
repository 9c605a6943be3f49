import TaskwireProtocol
import TaskwireStore

extension Server {
    static let roomMethods: [Method] = [
        Method("project.join", params: ["projectId", "since"]) { request in
            let host = request.server
            let projectID = try request.params.identifier("projectId")
            let since = try request.params.optionalInteger("since", in: 0...Int64.max)
            guard !host.rooms.isInRoom(projectID) else {
                throw ResponseError.invalidParams(field: "projectId", reason: "already joined")
            }
            let joined = try host.store.join(actor: host.actor(request), projectID: projectID, since: since)
            host.rooms.added(projectID: projectID, joined: joined, since: since)
            request.context.afterReply.append { host.rooms.activate(projectID) }
            let presence = joined.presence.map(\.json)
            return ["projectId": .string(projectID), "seq": .int(joined.seq), "presence": .array(presence)]
        },
        Method("project.leave", params: ["projectId"]) { request in
            let host = request.server
            let projectID = try request.params.identifier("projectId")
            guard host.rooms.isInRoom(projectID) else {
                throw ResponseError.invalidParams(field: "projectId", reason: "not joined")
            }
            host.rooms.removed(projectID: projectID)
            if let change = try host.store.leave(
                sessionID: host.actor(request).sessionID,
                projectID: projectID,
                reason: .left
            ) {
                host.rooms.published([change])
            }
            return [:]
        },
    ]
}
