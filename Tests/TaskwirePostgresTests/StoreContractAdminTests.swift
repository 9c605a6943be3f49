import TaskwireProtocol
import TaskwireStore
import Testing

/// The admin commands (``AdminStorage``) and tokens: the same answers and refusals on every backend.
@Suite struct StoreContractAdminTests {
    @Test(arguments: Backend.allCases)
    func authenticationAndRevocation(_ backend: Backend) throws {
        let holder = try backend.makeStore()
        let store = holder.store
        let user = try store.addUser(name: "bob", email: nil)
        let first = user.token
        let second = try store.addToken(user: user.user.id)
        #expect(second.userID == user.user.id)
        #expect(try store.authenticate(token: first) == UserRef(id: user.user.id, name: "bob"))

        try store.revokeToken(first)
        expectError(.unauthenticated) { _ = try store.authenticate(token: first) }
        #expect(try store.authenticate(token: second.token).name == "bob")
        expectRefused { try store.revokeToken(first) }
        expectRefused { try store.revokeToken("tw_unknown") }
        for token in ["", "tw_", first + "x", String(first.dropLast()), first.uppercased()] {
            expectError(.unauthenticated) { _ = try store.authenticate(token: token) }
        }
    }

    @Test(arguments: Backend.allCases)
    func adminCommandsTakeNamesOrIDs(_ backend: Backend) throws {
        let holder = try backend.makeStore()
        let store = holder.store
        let alice = try store.addUser(name: "alice", email: "a@example.com")
        let aliceID = alice.user.id
        #expect(aliceID.hasPrefix("usr_"))
        #expect(alice.user.name == "alice")
        #expect(alice.token.hasPrefix("tw_"))
        let bobID = try store.addUser(name: " bob ", email: nil).user.id
        #expect(try store.addToken(user: "bob").userID == bobID)

        let acme = try store.addOrganization(name: "Acme", owner: "alice")
        #expect(acme.id.hasPrefix("org_"))
        #expect(acme.name == "Acme")
        let globex = try store.addOrganization(name: "Globex", owner: bobID)

        #expect(
            try store.addMember(organization: "Acme", user: "bob", role: .member)
                == Membership(organizationID: acme.id, userID: bobID, role: .member)
        )
        #expect(try store.addMember(organization: acme.id, user: bobID, role: .admin).role == .admin)
        _ = try store.addMember(organization: "Globex", user: aliceID, role: .member)

        let roadmap = try store.addProject(organization: "Acme", name: "Roadmap")
        #expect(roadmap.organizationID == acme.id)
        #expect(roadmap.id.hasPrefix("prj_"))
        #expect(roadmap.json == ["id": .string(roadmap.id), "organizationId": .string(acme.id), "name": "Roadmap"])
        let other = try store.addProject(organization: globex.id, name: "  Other  ")
        #expect(other.name == "Other")

        let projects = try store.listProjects(user: UserRef(id: aliceID, name: "alice"))
        #expect(projects.map(\.project.name) == ["Other", "Roadmap"])
        #expect(projects.map(\.role) == [.member, .owner])
        #expect(
            projects.first?.json == [
                "id": .string(other.id), "organizationId": .string(globex.id), "name": "Other", "role": "member",
            ]
        )
        // An id wins over a name that happens to be written like it.
        let impostor = try store.addUser(name: bobID, email: nil).user
        #expect(try store.addToken(user: bobID).userID == bobID)
        #expect(impostor.id != bobID)
    }

    @Test(arguments: Backend.allCases)
    func duplicateNamesAreRefused(_ backend: Backend) throws {
        let holder = try backend.makeStore()
        let store = holder.store
        _ = try store.addUser(name: "alice", email: nil)
        expectRefused { _ = try store.addUser(name: "alice", email: "other@example.com") }
        expectRefused { _ = try store.addUser(name: "  alice ", email: nil) }
        _ = try store.addUser(name: "Alice", email: nil)
        _ = try store.addOrganization(name: "Acme", owner: "alice")
        expectRefused { _ = try store.addOrganization(name: "Acme", owner: "alice") }
    }

    @Test(arguments: Backend.allCases)
    func unknownReferencesAndTheLastOwnerAreRefused(_ backend: Backend) throws {
        let holder = try backend.makeStore()
        let store = holder.store
        _ = try store.addUser(name: "alice", email: nil)
        expectRefused { _ = try store.addOrganization(name: "Acme", owner: "nobody") }
        _ = try store.addOrganization(name: "Acme", owner: "alice")
        expectRefused { _ = try store.addMember(organization: "Nowhere", user: "alice", role: .member) }
        expectRefused { _ = try store.addMember(organization: "Acme", user: "nobody", role: .member) }
        expectRefused { _ = try store.addProject(organization: "Nowhere", name: "P") }
        expectRefused { _ = try store.addToken(user: "nobody") }
        expectRefused { _ = try store.addMember(organization: "Acme", user: "alice", role: .admin) }
        #expect(expectError(.invalid) { _ = try store.addUser(name: "   ", email: nil) }?.field == "name")
        #expect(expectError(.invalid) { _ = try store.addProject(organization: "Acme", name: "") }?.field == "name")
        #expect(expectError(.invalid) { _ = try store.addOrganization(name: "", owner: "alice") }?.field == "name")
    }

    @Test(arguments: Backend.allCases)
    func theDatabaseHasAnIDAndARelayKey(_ backend: Backend) throws {
        let holder = try backend.makeStore()
        #expect(holder.store.databaseID.count == 24)
        #expect(holder.store.databaseID.allSatisfy { $0.isHexDigit && !$0.isUppercase })
        #expect(holder.store.relayKey.bytes.count == 32)
        #expect(holder.store.kind.rawValue == backend.rawValue)
        #expect(holder.store.makeChangeFeed()?.version() != nil)
    }
}
