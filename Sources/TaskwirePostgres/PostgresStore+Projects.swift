public import TaskwireProtocol
public import TaskwireStore

extension PostgresStore {
    public func listProjects(user: UserRef) throws(StoreError) -> [ProjectWithRole] {
        try readOne { connection in
            try connection.rows(
                """
                SELECT p.id, p.organization_id, p.name, m.role FROM projects p
                JOIN memberships m ON m.organization_id = p.organization_id AND m.user_id = $1
                WHERE p.deleted_at IS NULL
                ORDER BY p.name, p.id
                """,
                [user.id]
            ).map { row in
                guard let role = Role(rawValue: row.text(3)) else { throw StoreError.failure("unknown role") }
                return ProjectWithRole(
                    project: Project(id: row.text(0), organizationID: row.text(1), name: row.text(2)),
                    role: role
                )
            }
        }
    }

    public func createProject(user: UserRef, organizationID: String, name: String) throws(StoreError) -> Project {
        let name = try Validation.name(name, field: "name")
        return try write { connection in
            let role = try Self.organizationRole(connection, organizationID: organizationID, userID: user.id)
            guard role.canManage else { throw StoreError.forbidden("only an owner or admin can create projects") }
            return try Self.insertProject(connection, organizationID: organizationID, name: name)
        }
    }

    public func addMember(
        actor: ActingSession,
        organizationID: String,
        userID: String,
        role: Role
    ) throws(StoreError) -> Membership {
        try write { connection in
            try Self.lockMemberships(connection, organizationID: organizationID)
            let actorRole = try Self.organizationRole(connection, organizationID: organizationID, userID: actor.user.id)
            guard actorRole.canManage else { throw StoreError.forbidden("only an owner or admin can manage members") }
            guard try connection.row("SELECT id FROM users WHERE id = $1", [userID]) != nil else {
                throw StoreError.notFound("User")
            }
            let current = try Self.role(connection, organizationID: organizationID, userID: userID)
            if role == .owner || current == .owner, actorRole != .owner {
                throw StoreError.forbidden("only an owner can grant or remove the owner role")
            }
            if current == .owner, role != .owner, try Self.ownerCount(connection, organizationID) == 1 {
                throw StoreError.invalid("role", "last owner")
            }
            return try Self.upsertMembership(connection, organizationID: organizationID, userID: userID, role: role)
        }
    }

    public func removeMember(
        actor: ActingSession,
        organizationID: String,
        userID: String
    ) throws(StoreError) -> [PresenceChange] {
        try write { connection in
            try Self.lockMemberships(connection, organizationID: organizationID)
            let actorRole = try Self.organizationRole(connection, organizationID: organizationID, userID: actor.user.id)
            guard actorRole.canManage else { throw StoreError.forbidden("only an owner or admin can manage members") }
            guard let current = try Self.role(connection, organizationID: organizationID, userID: userID) else {
                throw StoreError.notFound("Member")
            }
            if current == .owner {
                guard actorRole == .owner else { throw StoreError.forbidden("only an owner can remove an owner") }
                guard try Self.ownerCount(connection, organizationID) > 1 else {
                    throw StoreError.invalid("userId", "last owner")
                }
            }
            // Waits for transactions that act on this membership (a join, a write) to end; the rooms read next
            // include every join that committed meanwhile.
            try connection.execute(
                "DELETE FROM memberships WHERE organization_id = $1 AND user_id = $2",
                [organizationID, userID]
            )
            return try Self.revokeRooms(connection, organizationID: organizationID, userID: userID)
        }
    }

    public func isMember(userID: String, projectID: String) throws(StoreError) -> Bool {
        try readOne { connection in
            do {
                _ = try Self.projectAccess(connection, projectID: projectID, userID: userID)
                return true
            } catch let error as StoreError where error.kind == .notFound {
                // Only "not a member" is false: a failure to read is thrown, never taken for a revocation.
                return false
            }
        }
    }

    /// The caller's role in an organization, held until the transaction ends; not found when they are not a member.
    static func organizationRole(
        _ connection: PostgresConnection,
        organizationID: String,
        userID: String
    ) throws -> Role {
        guard let role = try role(connection, organizationID: organizationID, userID: userID, lock: true) else {
            throw StoreError.notFound("Organization")
        }
        return role
    }
}
