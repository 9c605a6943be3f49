import GRDB
import TaskwireCrypto
import TaskwireProtocol

extension SQLiteStore {
    public func authenticate(token: String) throws(StoreError) -> UserRef {
        let hash = SHA256.hexDigest(Array(token.utf8))
        let row = try write { db in
            try Row.fetchOne(
                db,
                sql: """
                    UPDATE tokens SET last_used_at = ?
                    WHERE hash = ? AND user_id IN (SELECT id FROM users WHERE removed_at IS NULL)
                    RETURNING user_id AS id, (SELECT name FROM users WHERE id = user_id) AS name
                    """,
                arguments: [Timestamp.now(), hash]
            )
        }
        guard let row else { throw .unauthenticated }
        return UserRef(id: row["id"], name: row["name"])
    }

    public func tokenStillAuthenticates(hash: String) throws(StoreError) -> Bool {
        // Asked every 100 ms of a session's traffic (`Rooms.checkSession`): a cached statement, not prepared again.
        try read { db in
            try Bool.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT EXISTS (SELECT 1 FROM tokens t JOIN users u ON u.id = t.user_id
                                       WHERE t.hash = ? AND u.removed_at IS NULL)
                        """
                ),
                arguments: [hash]
            ) ?? false
        }
    }

    // MARK: Helpers shared by the methods and the admin commands

    static func insertToken(_ db: Database, token: String, userID: String) throws {
        try db.execute(
            sql: "INSERT INTO tokens (hash, id, user_id, created_at) VALUES (?, ?, ?, ?)",
            arguments: [SHA256.hexDigest(Array(token.utf8)), Identifiers.make("tok"), userID, Timestamp.now()]
        )
    }

    static func insertProject(_ db: Database, organizationID: String, name: String) throws -> Project {
        let id = Identifiers.make("prj")
        try db.execute(
            sql: "INSERT INTO projects (id, organization_id, name, created_at) VALUES (?, ?, ?, ?)",
            arguments: [id, organizationID, name, Timestamp.now()]
        )
        return Project(id: id, organizationID: organizationID, name: name)
    }

    static func upsertMembership(
        _ db: Database,
        organizationID: String,
        userID: String,
        role: Role
    ) throws -> Membership {
        try db.execute(
            sql: """
                INSERT INTO memberships (organization_id, user_id, role) VALUES (?, ?, ?)
                ON CONFLICT (organization_id, user_id) DO UPDATE SET role = excluded.role
                """,
            arguments: [organizationID, userID, role.rawValue]
        )
        return Membership(organizationID: organizationID, userID: userID, role: role)
    }

    static func ownerCount(_ db: Database, _ organizationID: String) throws -> Int {
        try Int.fetchOne(
            db,
            sql: "SELECT count(*) FROM memberships WHERE organization_id = ? AND role = 'owner'",
            arguments: [organizationID]
        ) ?? 0
    }

    /// The role of a user in an organization, or nil when they are not a member.
    static func role(_ db: Database, organizationID: String, userID: String) throws -> Role? {
        let text = try String.fetchOne(
            db.cachedStatement(sql: "SELECT role FROM memberships WHERE organization_id = ? AND user_id = ?"),
            arguments: [organizationID, userID]
        )
        return text.flatMap(Role.init(rawValue:))
    }
}
