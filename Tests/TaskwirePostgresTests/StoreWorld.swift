import TaskwireProtocol
import TaskwireStore

/// A store with one organization (alice owns it, bob is a member, carol is outside) and one project.
struct StoreWorld {
    let holder: TestStore
    let alice: ActingSession
    let bob: ActingSession
    let carol: ActingSession
    let organizationID: String
    let projectID: String
    var store: TestStore.Store { holder.store }

    init(_ backend: Backend) throws {
        try self.init(holder: try backend.makeStore())
    }

    /// The world in a given store, such as one on a database the test looks into.
    init(holder: TestStore) throws {
        self.holder = holder
        let store = holder.store
        func session(_ name: String) throws -> ActingSession {
            ActingSession(user: try store.addUser(name: name, email: nil).user, sessionID: "ses_\(name)")
        }
        alice = try session("alice")
        bob = try session("bob")
        carol = try session("carol")
        organizationID = try store.addOrganization(name: "Acme", owner: "alice").id
        _ = try store.addMember(organization: "Acme", user: "bob", role: .member)
        projectID = try store.addProject(organization: "Acme", name: "Web").id
    }

    /// Every event of the project, through the protocol.
    func events() throws -> [CommittedEvent] {
        try store.events(projectID: projectID, after: 0, limit: 10_000)
    }

    func createTask(_ title: String = "T", by actor: ActingSession? = nil) throws -> TaskItem {
        try store.createTask(actor: actor ?? alice, NewTask(projectID: projectID, title: title)).entity
    }
}
