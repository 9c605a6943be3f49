import GRDB
public import TaskwireProtocol

extension SQLiteStore {
    public func listProjects(user: UserRef) throws(StoreError) -> [ProjectWithRole] {
        try read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT p.id, p.organization_id, p.name, m.role FROM projects p
                    JOIN memberships m ON m.organization_id = p.organization_id AND m.user_id = ?
                    WHERE p.deleted_at IS NULL
                    ORDER BY p.name, p.id
                    """,
                arguments: [user.id]
            )
            return try rows.map { row in
                guard let role = Role(rawValue: row["role"]) else { throw StoreError.failure("unknown role") }
                return ProjectWithRole(
                    project: Project(id: row["id"], organizationID: row["organization_id"], name: row["name"]),
                    role: role
                )
            }
        }
    }

    public func createProject(user: UserRef, organizationID: String, name: String) throws(StoreError) -> Project {
        let name = try Validation.name(name, field: "name")
        return try write { db in
            let role = try Self.organizationRole(db, organizationID: organizationID, userID: user.id)
            guard role.canManage else { throw StoreError.forbidden("only an owner or admin can create projects") }
            return try Self.insertProject(db, organizationID: organizationID, name: name)
        }
    }

    public func addMember(
        actor: ActingSession,
        organizationID: String,
        userID: String,
        role: Role
    ) throws(StoreError) -> Membership {
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
            return try Self.upsertMembership(db, organizationID: organizationID, userID: userID, role: role)
        }
    }

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
