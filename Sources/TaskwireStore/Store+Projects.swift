import GRDB
public import TaskwireProtocol

extension Store {
    /// `project.list`: the projects of every organization the user belongs to.
    public func listProjects(user: UserRef) throws(StoreError) -> JSON {
        try read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT p.id, p.organization_id, p.name, m.role FROM projects p
                    JOIN memberships m ON m.organization_id = p.organization_id AND m.user_id = ?
                    ORDER BY p.name, p.id
                    """,
                arguments: [user.id]
            )
            let projects: [JSON] = rows.map { row in
                [
                    "id": .string(row["id"] as String),
                    "organizationId": .string(row["organization_id"] as String),
                    "name": .string(row["name"] as String),
                    "role": .string(row["role"] as String),
                ]
            }
            return ["projects": .array(projects)]
        }
    }

    /// `project.create` (owner or admin).
    public func createProject(user: UserRef, organizationID: String, name: String) throws(StoreError) -> JSON {
        let name = try Validation.name(name, field: "name")
        return try write { db in
            let role = try Self.organizationRole(db, organizationID: organizationID, userID: user.id)
            guard role.canManage else { throw StoreError.forbidden("only an owner or admin can create projects") }
            return ["project": try Self.insertProject(db, organizationID: organizationID, name: name)]
        }
    }

    /// `member.add`: adds a member or changes their role.
    public func addMember(
        actor: ActingSession,
        organizationID: String,
        userID: String,
        role: Role
    ) throws(StoreError) -> JSON {
        try write { db in
            let actorRole = try Self.organizationRole(db, organizationID: organizationID, userID: actor.user.id)
            guard actorRole.canManage else { throw StoreError.forbidden("only an owner or admin can manage members") }
            guard try String.fetchOne(db, sql: "SELECT id FROM users WHERE id = ?", arguments: [userID]) != nil else {
                throw StoreError.notFound("User")
            }
            let current = try Self.role(db, organizationID: organizationID, userID: userID)
            if role == .owner || current == .owner, actorRole != .owner {
                throw StoreError.forbidden("only an owner can grant or remove the owner role")
            }
            if current == .owner, role != .owner, try Self.ownerCount(db, organizationID) == 1 {
                throw StoreError.invalid("role", "last owner")
            }
            try Self.upsertMembership(db, organizationID: organizationID, userID: userID, role: role)
            return [:]
        }
    }

    /// `member.remove`: the user's sessions in the organization's rooms are revoked in the same transaction.
    public func removeMember(
        actor: ActingSession,
        organizationID: String,
        userID: String
    ) throws(StoreError) -> [PresenceChange] {
        try write { db in
            let actorRole = try Self.organizationRole(db, organizationID: organizationID, userID: actor.user.id)
            guard actorRole.canManage else { throw StoreError.forbidden("only an owner or admin can manage members") }
            guard let current = try Self.role(db, organizationID: organizationID, userID: userID) else {
                throw StoreError.notFound("Member")
            }
            if current == .owner {
                guard actorRole == .owner else { throw StoreError.forbidden("only an owner can remove an owner") }
                guard try Self.ownerCount(db, organizationID) > 1 else {
                    throw StoreError.invalid("userId", "last owner")
                }
            }
            try db.execute(
                sql: "DELETE FROM memberships WHERE organization_id = ? AND user_id = ?",
                arguments: [organizationID, userID]
            )
            return try Self.revokeRooms(db, organizationID: organizationID, userID: userID)
        }
    }

    /// The caller's role in an organization; not found when they are not a member.
    static func organizationRole(_ db: Database, organizationID: String, userID: String) throws -> Role {
        guard let role = try role(db, organizationID: organizationID, userID: userID) else {
            throw StoreError.notFound("Organization")
        }
        return role
    }
}
