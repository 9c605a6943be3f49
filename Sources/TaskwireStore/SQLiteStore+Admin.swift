import GRDB
import TaskwireCrypto
public import TaskwireProtocol

// The admin commands of the command line. They are not part of ``TaskwireStorage``: the server never calls them,
// and they refer to users and organizations by name or id, as a person at a terminal does.
extension SQLiteStore {
    /// Adds a user and their first token.
    public func addUser(name: String, email: String?) throws(StoreError) -> CreatedUser {
        let name = try Validation.name(name, field: "name")
        let token = Identifiers.token()
        let id = Identifiers.make("usr")
        try write { db in
            guard try String.fetchOne(db, sql: "SELECT id FROM users WHERE name = ?", arguments: [name]) == nil else {
                throw StoreError.refused("a user named \(name) already exists")
            }
            try db.execute(
                sql: "INSERT INTO users (id, name, email, created_at) VALUES (?, ?, ?, ?)",
                arguments: [id, name, email, Timestamp.now()]
            )
            try Self.insertToken(db, token: token, userID: id)
        }
        return CreatedUser(user: UserRef(id: id, name: name), token: token)
    }

    /// Issues another token to a user, given by name or id.
    public func addToken(user: String) throws(StoreError) -> IssuedToken {
        let token = Identifiers.token()
        let userID = try write { db in
            let userID = try Self.user(SQLiteAdminSQL(db: db), user)
            try Self.insertToken(db, token: token, userID: userID)
            return userID
        }
        return IssuedToken(userID: userID, token: token)
    }

    public func revokeToken(_ token: String) throws(StoreError) {
        let hash = SHA256.hexDigest(Array(token.utf8))
        try write { db in
            try db.execute(sql: "DELETE FROM tokens WHERE hash = ?", arguments: [hash])
            guard db.changesCount == 1 else { throw StoreError.refused("no such token") }
        }
    }

    /// Adds an organization with its first owner, given by name or id.
    public func addOrganization(name: String, owner: String) throws(StoreError) -> Organization {
        let name = try Validation.name(name, field: "name")
        let id = Identifiers.make("org")
        try write { db in
            let ownerID = try Self.user(SQLiteAdminSQL(db: db), owner)
            guard try String.fetchOne(db, sql: "SELECT id FROM organizations WHERE name = ?", arguments: [name]) == nil
            else { throw StoreError.refused("an organization named \(name) already exists") }
            try db.execute(
                sql: "INSERT INTO organizations (id, name, created_at) VALUES (?, ?, ?)",
                arguments: [id, name, Timestamp.now()]
            )
            try db.execute(
                sql: "INSERT INTO memberships (organization_id, user_id, role) VALUES (?, ?, 'owner')",
                arguments: [id, ownerID]
            )
        }
        return Organization(id: id, name: name)
    }

    /// Adds a member or changes their role; the last owner is never demoted.
    public func addMember(organization: String, user: String, role: Role) throws(StoreError) -> Membership {
        try write { db in
            let organizationID = try Self.organization(SQLiteAdminSQL(db: db), organization)
            let userID = try Self.user(SQLiteAdminSQL(db: db), user)
            let current = try Self.role(db, organizationID: organizationID, userID: userID)
            if current == .owner, role != .owner, try Self.ownerCount(db, organizationID) == 1 {
                throw StoreError.refused("cannot demote the last owner")
            }
            return try Self.upsertMembership(db, organizationID: organizationID, userID: userID, role: role)
        }
    }

    public func addProject(organization: String, name: String) throws(StoreError) -> Project {
        let name = try Validation.name(name, field: "name")
        return try write { db in
            let organizationID = try Self.organization(SQLiteAdminSQL(db: db), organization)
            return try Self.insertProject(db, organizationID: organizationID, name: name)
        }
    }

}
