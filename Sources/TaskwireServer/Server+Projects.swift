import TaskwireProtocol
import TaskwireStore

extension Server {
    static let projectMethods: [Method] = [
        Method("project.list", params: [], groupable: true) { request in
            ["projects": .array(try request.server.store.listProjects(user: request.user!).map(\.json))]
        },
        Method("project.create", params: ["organizationId", "name"]) { request in
            let project = try request.server.store.createProject(
                user: request.user!,
                organizationID: try request.params.identifier("organizationId"),
                name: try request.params.string("name")
            )
            return ["project": project.json]
        },
        Method("member.add", params: ["organizationId", "userId", "role"]) { request in
            let organizationID = try request.params.identifier("organizationId")
            let userID = try request.params.identifier("userId")
            let role = Role(rawValue: try request.params.choice("role", Role.allCases.map(\.rawValue)))!
            _ = try request.server.store.addMember(
                actor: request.server.actor(request),
                organizationID: organizationID,
                userID: userID,
                role: role
            )
            return [:]
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
