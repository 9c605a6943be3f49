import GRDB
import TaskwireCrypto
public import TaskwireProtocol

/// A user as other users see them.
public struct UserRef: Sendable, Equatable {
    public var id: String
    public var name: String

    public init(id: String, name: String) {
        self.id = id
        self.name = name
    }

    public var json: JSON { ["id": .string(id), "name": .string(name)] }
}

/// The result of an admin command, as printed with `--json`.
public typealias AdminOutput = JSONObject

extension Store {
    /// The user a token belongs to; unauthenticated when the token is unknown or revoked.
    public func authenticate(token: String) throws(StoreError) -> UserRef {
        let hash = SHA256.hexDigest(Array(token.utf8))
        let row = try read { db in
            try Row.fetchOne(
                db,
                sql: "SELECT u.id, u.name FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.hash = ?",
                arguments: [hash]
            )
        }
        guard let row else { throw .unauthenticated }
        return UserRef(id: row["id"], name: row["name"])
    }

    // MARK: Admin commands

    public func addUser(name: String, email: String?) throws(StoreError) -> AdminOutput {
        let name = try Validation.name(name, field: "name")
        let token = Identifiers.token()
        let id = Identifiers.make("usr")
        try write { db in
            guard try String.fetchOne(db, sql: "SELECT id FROM users WHERE name = ?", arguments: [name]) == nil else {
                throw StoreError.admin("a user named \(name) already exists")
            }
            try db.execute(
                sql: "INSERT INTO users (id, name, email, created_at) VALUES (?, ?, ?, ?)",
                arguments: [id, name, email, Timestamp.now()]
            )
            try Self.insertToken(db, token: token, userID: id)
        }
        return ["id": .string(id), "name": .string(name), "token": .string(token)]
    }

    public func addToken(user: String) throws(StoreError) -> AdminOutput {
        let token = Identifiers.token()
        let userID = try write { db in
            let userID = try Self.resolveUser(db, user)
            try Self.insertToken(db, token: token, userID: userID)
            return userID
        }
        return ["userId": .string(userID), "token": .string(token)]
    }

    public func revokeToken(_ token: String) throws(StoreError) -> AdminOutput {
        let hash = SHA256.hexDigest(Array(token.utf8))
        try write { db in
            try db.execute(sql: "DELETE FROM tokens WHERE hash = ?", arguments: [hash])
            guard db.changesCount == 1 else { throw StoreError.admin("no such token") }
        }
        return [:]
    }

    public func addOrganization(name: String, owner: String) throws(StoreError) -> AdminOutput {
        let name = try Validation.name(name, field: "name")
        let id = Identifiers.make("org")
        try write { db in
            let ownerID = try Self.resolveUser(db, owner)
            guard try String.fetchOne(db, sql: "SELECT id FROM organizations WHERE name = ?", arguments: [name]) == nil
            else { throw StoreError.admin("an organization named \(name) already exists") }
            try db.execute(
                sql: "INSERT INTO organizations (id, name, created_at) VALUES (?, ?, ?)",
                arguments: [id, name, Timestamp.now()]
            )
            try db.execute(
                sql: "INSERT INTO memberships (organization_id, user_id, role) VALUES (?, ?, 'owner')",
                arguments: [id, ownerID]
            )
        }
        return ["id": .string(id), "name": .string(name)]
    }

    public func addMember(organization: String, user: String, role: Role) throws(StoreError) -> AdminOutput {
        let (organizationID, userID) = try write { db in
            let organizationID = try Self.resolveOrganization(db, organization)
            let userID = try Self.resolveUser(db, user)
            let current = try String.fetchOne(
                db,
                sql: "SELECT role FROM memberships WHERE organization_id = ? AND user_id = ?",
                arguments: [organizationID, userID]
            )
            if current == Role.owner.rawValue, role != .owner, try Self.ownerCount(db, organizationID) == 1 {
                throw StoreError.admin("cannot demote the last owner")
            }
            try Self.upsertMembership(db, organizationID: organizationID, userID: userID, role: role)
            return (organizationID, userID)
        }
        return ["userId": .string(userID), "organizationId": .string(organizationID), "role": .string(role.rawValue)]
    }

    public func addProject(organization: String, name: String) throws(StoreError) -> AdminOutput {
        let name = try Validation.name(name, field: "name")
        let project = try write { db in
            let organizationID = try Self.resolveOrganization(db, organization)
            return try Self.insertProject(db, organizationID: organizationID, name: name)
        }
        return project.objectValue!
    }

    // MARK: Helpers shared with the methods

    static func insertToken(_ db: Database, token: String, userID: String) throws {
        try db.execute(
            sql: "INSERT INTO tokens (hash, user_id, created_at) VALUES (?, ?, ?)",
            arguments: [SHA256.hexDigest(Array(token.utf8)), userID, Timestamp.now()]
        )
    }

    static func insertProject(_ db: Database, organizationID: String, name: String) throws -> JSON {
        let id = Identifiers.make("prj")
        try db.execute(
            sql: "INSERT INTO projects (id, organization_id, name, created_at) VALUES (?, ?, ?, ?)",
            arguments: [id, organizationID, name, Timestamp.now()]
        )
        return ["id": .string(id), "organizationId": .string(organizationID), "name": .string(name)]
    }

    static func upsertMembership(_ db: Database, organizationID: String, userID: String, role: Role) throws {
        try db.execute(
            sql: """
                INSERT INTO memberships (organization_id, user_id, role) VALUES (?, ?, ?)
                ON CONFLICT (organization_id, user_id) DO UPDATE SET role = excluded.role
                """,
            arguments: [organizationID, userID, role.rawValue]
        )
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

    static func resolveUser(_ db: Database, _ nameOrID: String) throws -> String {
        guard
            let id = try String.fetchOne(
                db,
                sql: "SELECT id FROM users WHERE id = ? OR name = ? ORDER BY id = ? DESC LIMIT 1",
                arguments: [nameOrID, nameOrID, nameOrID]
            )
        else { throw StoreError.admin("no user \(nameOrID)") }
        return id
    }

    static func resolveOrganization(_ db: Database, _ nameOrID: String) throws -> String {
        guard
            let id = try String.fetchOne(
                db,
                sql: "SELECT id FROM organizations WHERE id = ? OR name = ? ORDER BY id = ? DESC LIMIT 1",
                arguments: [nameOrID, nameOrID, nameOrID]
            )
        else { throw StoreError.admin("no organization \(nameOrID)") }
        return id
    }
}
