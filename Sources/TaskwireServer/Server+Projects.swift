import TaskwireProtocol
import TaskwireStore

extension Server {
    static let projectMethods: [Method] = [
        Method("project.list", params: []) { request in try request.server.store.listProjects(user: request.user!) },
        Method("project.create", params: ["organizationId", "name"]) { request in
            try request.server.store.createProject(
                user: request.user!,
                organizationID: try request.params.identifier("organizationId"),
                name: try request.params.string("name")
            )
        },
        Method("member.add", params: ["organizationId", "userId", "role"]) { request in
            let organizationID = try request.params.identifier("organizationId")
            let userID = try request.params.identifier("userId")
            let role = Role(rawValue: try request.params.choice("role", Role.allCases.map(\.rawValue)))!
            return try request.server.store.addMember(
                actor: request.server.actor(request),
                organizationID: organizationID,
                userID: userID,
                role: role
            )
        },
        Method("member.remove", params: ["organizationId", "userId"]) { request in
            let changes = try request.server.store.removeMember(
                actor: request.server.actor(request),
                organizationID: try request.params.identifier("organizationId"),
                userID: try request.params.identifier("userId")
            )
            request.server.rooms.published(changes)
            return [:]
        },
    ]
}
