import TaskwireCrypto
public import TaskwireProtocol
public import TaskwireStore

// The admin commands of the command line, with the rules and messages of SQLiteStore's.
extension PostgresStore: AdminStorage {
    /// Adds a user and their first token.
    public func addUser(name: String, email: String?) throws(StoreError) -> CreatedUser {
        let name = try Validation.name(name, field: "name")
        let token = Identifiers.token()
        let id = Identifiers.make("usr")
        try write { connection in
            // The unique name decides, also between two commands adding the same name at once.
            guard
                try connection.row(
                    """
                    INSERT INTO users (id, name, email, created_at) VALUES ($1, $2, $3, $4)
                    ON CONFLICT (name) DO NOTHING RETURNING id
                    """,
                    [id, name, email, Timestamp.now()]
                ) != nil
            else { throw StoreError.refused("a user named \(name) already exists") }
            try Self.insertToken(connection, token: token, userID: id)
        }
        return CreatedUser(user: UserRef(id: id, name: name), token: token)
    }

    /// Issues another token to a user, given by name or id.
    public func addToken(user: String) throws(StoreError) -> IssuedToken {
        let token = Identifiers.token()
        let userID = try write { connection in
            let userID = try Self.user(PostgresAdminSQL(connection: connection), user)
            try Self.insertToken(connection, token: token, userID: userID)
            return userID
        }
        return IssuedToken(userID: userID, token: token)
    }

    public func revokeToken(_ token: String) throws(StoreError) {
        let hash = SHA256.hexDigest(Array(token.utf8))
        try write { connection in
            guard try connection.execute("DELETE FROM tokens WHERE hash = $1", [hash]).affectedRows == 1 else {
                throw StoreError.refused("no such token")
            }
        }
    }

    /// Adds an organization with its first owner, given by name or id.
    public func addOrganization(name: String, owner: String) throws(StoreError) -> Organization {
        let name = try Validation.name(name, field: "name")
        let id = Identifiers.make("org")
        try write { connection in
            let ownerID = try Self.user(PostgresAdminSQL(connection: connection), owner)
            guard
                try connection.row(
                    "INSERT INTO organizations (id, name, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING RETURNING id",
                    [id, name, Timestamp.now()]
                ) != nil
            else { throw StoreError.refused("an organization named \(name) already exists") }
            try connection.execute(
                "INSERT INTO memberships (organization_id, user_id, role) VALUES ($1, $2, 'owner')",
                [id, ownerID]
            )
        }
        return Organization(id: id, name: name)
    }

    /// Adds a member or changes their role; the last owner is never demoted.
    public func addMember(organization: String, user: String, role: Role) throws(StoreError) -> Membership {
        try write { connection in
            let organizationID = try Self.organization(PostgresAdminSQL(connection: connection), organization)
            try Self.lockMemberships(connection, organizationID: organizationID)
            let userID = try Self.user(PostgresAdminSQL(connection: connection), user)
            let current = try Self.role(connection, organizationID: organizationID, userID: userID)
            if current == .owner, role != .owner, try Self.ownerCount(connection, organizationID) == 1 {
                throw StoreError.refused("cannot demote the last owner")
            }
            return try Self.upsertMembership(connection, organizationID: organizationID, userID: userID, role: role)
        }
    }

    public func addProject(organization: String, name: String) throws(StoreError) -> Project {
        let name = try Validation.name(name, field: "name")
        return try write { connection in
            let organizationID = try Self.organization(PostgresAdminSQL(connection: connection), organization)
            return try Self.insertProject(connection, organizationID: organizationID, name: name)
        }
    }

    public func adminTransaction<T>(_ body: (any AdminSQL) throws -> T) throws(StoreError) -> T {
        try write { connection in try body(PostgresAdminSQL(connection: connection)) }
    }
}

/// PostgreSQL's side of the admin operations.
struct PostgresAdminSQL: AdminSQL {
    let connection: PostgresConnection

    func rows(_ sql: String, _ arguments: [String?]) throws -> [[String?]] {
        try connection.rows(sql, arguments).map(\.values)
    }

    func execute(_ sql: String, _ arguments: [String?]) throws -> Int {
        try connection.execute(sql, arguments).affectedRows
    }

    func lockMemberships(organizationID: String) throws {
        try PostgresStore.lockMemberships(connection, organizationID: organizationID)
    }

    func recordRevocation(projectID: String, sessionID: String, user: UserRef) throws {
        _ = try PostgresStore.recordPresence(
            connection,
            projectID: projectID,
            sessionID: sessionID,
            user: user,
            kind: .left,
            reason: .revoked
        )
    }
}
