import TaskwireCrypto
import TaskwireProtocol
public import TaskwireStore

extension PostgresStore {
    public func authenticate(token: String) throws(StoreError) -> UserRef {
        let hash = SHA256.hexDigest(Array(token.utf8))
        let row = try write(notify: false) { connection in
            try connection.row(
                """
                UPDATE tokens t SET last_used_at = $2 FROM users u
                WHERE t.hash = $1 AND u.id = t.user_id AND u.removed_at IS NULL
                RETURNING u.id, u.name
                """,
                [hash, Timestamp.now()]
            )
        }
        guard let row else { throw .unauthenticated }
        return UserRef(id: row.text(0), name: row.text(1))
    }

    public func tokenStillAuthenticates(hash: String) throws(StoreError) -> Bool {
        try readOne { connection in
            try connection.row(
                """
                SELECT EXISTS (SELECT 1 FROM tokens t JOIN users u ON u.id = t.user_id
                               WHERE t.hash = $1 AND u.removed_at IS NULL)
                """,
                [hash]
            )?.bool(0) ?? false
        }
    }

    // MARK: Helpers shared by the methods and the admin commands

    static func insertToken(_ connection: PostgresConnection, token: String, userID: String) throws {
        try connection.execute(
            "INSERT INTO tokens (hash, id, user_id, created_at) VALUES ($1, $2, $3, $4)",
            [SHA256.hexDigest(Array(token.utf8)), Identifiers.make("tok"), userID, Timestamp.now()]
        )
    }

    static func insertProject(_ connection: PostgresConnection, organizationID: String, name: String) throws -> Project
    {
        let id = Identifiers.make("prj")
        try connection.execute(
            "INSERT INTO projects (id, organization_id, name, created_at) VALUES ($1, $2, $3, $4)",
            [id, organizationID, name, Timestamp.now()]
        )
        return Project(id: id, organizationID: organizationID, name: name)
    }

    static func upsertMembership(
        _ connection: PostgresConnection,
        organizationID: String,
        userID: String,
        role: Role
    ) throws -> Membership {
        try connection.execute(
            """
            INSERT INTO memberships (organization_id, user_id, role) VALUES ($1, $2, $3)
            ON CONFLICT (organization_id, user_id) DO UPDATE SET role = excluded.role
            """,
            [organizationID, userID, role.rawValue]
        )
        return Membership(organizationID: organizationID, userID: userID, role: role)
    }

    /// Serializes the membership changes of an organization until the transaction ends.
    ///
    /// Rules that count owners then see every change before them; nothing else waits for this lock.
    static func lockMemberships(_ connection: PostgresConnection, organizationID: String) throws {
        try connection.execute("SELECT 1 FROM organizations WHERE id = $1 FOR NO KEY UPDATE", [organizationID])
    }

    static func ownerCount(_ connection: PostgresConnection, _ organizationID: String) throws -> Int64 {
        try connection.row(
            "SELECT count(*) FROM memberships WHERE organization_id = $1 AND role = 'owner'",
            [organizationID]
        )?.int(0) ?? 0
    }

    /// The role of a user in an organization, or nil when they are not a member.
    ///
    /// With `lock`, the membership cannot be removed or changed until the transaction ends, so that what is written
    /// on its strength is never written by someone who already lost it.
    static func role(
        _ connection: PostgresConnection,
        organizationID: String,
        userID: String,
        lock: Bool = false
    ) throws -> Role? {
        let text = try connection.row(
            "SELECT role FROM memberships WHERE organization_id = $1 AND user_id = $2" + (lock ? " FOR SHARE" : ""),
            [organizationID, userID]
        )?.text(0)
        return text.flatMap(Role.init(rawValue:))
    }
}
