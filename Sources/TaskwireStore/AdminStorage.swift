public import TaskwireProtocol

/// The admin commands of the command line (`taskwire admin …`), for every backend.
///
/// They are not part of ``TaskwireStorage``: the server never calls them, and they refer to users and organizations
/// by name or id, as a person at a terminal does. What cannot be done as asked (a duplicate name, an unknown user or
/// organization, the last owner's demotion, an unknown token) is ``StoreError/Kind/refused`` with a sentence for
/// that person; names are checked as the methods check them.
public protocol AdminStorage: AnyObject, Sendable {
    /// Adds a user and their first token.
    func addUser(name: String, email: String?) throws(StoreError) -> CreatedUser
    /// Issues another token to a user, given by name or id.
    func addToken(user: String) throws(StoreError) -> IssuedToken
    /// Revokes a token: it no longer authenticates.
    func revokeToken(_ token: String) throws(StoreError)
    /// Adds an organization with its first owner, given by name or id.
    func addOrganization(name: String, owner: String) throws(StoreError) -> Organization
    /// Adds a member or changes their role; the last owner is never demoted.
    func addMember(organization: String, user: String, role: Role) throws(StoreError) -> Membership
    /// Adds a project to an organization, given by name or id.
    func addProject(organization: String, name: String) throws(StoreError) -> Project
    /// Runs `body` in one write transaction; the admin operations that see and undo are written over it once for
    /// every backend.
    func adminTransaction<T>(_ body: (any AdminSQL) throws -> T) throws(StoreError) -> T
}

extension SQLiteStore: AdminStorage {}
