import TaskwireProtocol
import TaskwireStore
import Testing

/// Members, rooms, presence and sessions: the same rules and the same presence changes on every backend.
@Suite struct StoreContractMemberTests {
    @Test(arguments: Backend.allCases)
    func membersFollowTheOwnerRules(_ backend: Backend) throws {
        let world = try StoreWorld(backend)
        let (store, alice, bob, carol, org) = (world.store, world.alice, world.bob, world.carol, world.organizationID)
        let dave = try store.addUser(name: "dave", email: nil).user
        expectError(.forbidden) {
            _ = try store.addMember(actor: bob, organizationID: org, userID: dave.id, role: .member)
        }
        expectError(.notFound) {
            _ = try store.addMember(actor: carol, organizationID: org, userID: dave.id, role: .member)
        }
        #expect(
            expectError(.notFound) {
                _ = try store.addMember(actor: alice, organizationID: org, userID: "usr_x", role: .member)
            }?
            .entity == "User"
        )
        #expect(
            expectError(.notFound) {
                _ = try store.addMember(actor: alice, organizationID: "org_x", userID: dave.id, role: .member)
            }?
            .entity == "Organization"
        )
        let added = try store.addMember(actor: alice, organizationID: org, userID: carol.user.id, role: .admin)
        #expect(added == Membership(organizationID: org, userID: carol.user.id, role: .admin))
        // An admin manages members but not the owner role.
        expectError(.forbidden) {
            _ = try store.addMember(actor: carol, organizationID: org, userID: dave.id, role: .owner)
        }
        expectError(.forbidden) {
            _ = try store.addMember(actor: carol, organizationID: org, userID: alice.user.id, role: .member)
        }
        #expect(try store.addMember(actor: carol, organizationID: org, userID: dave.id, role: .member).role == .member)
        // The last owner keeps the role.
        let lastOwner = expectError(.invalid) {
            _ = try store.addMember(actor: alice, organizationID: org, userID: alice.user.id, role: .admin)
        }
        #expect(lastOwner?.field == "role")
        #expect(lastOwner?.reason == "last owner")
        _ = try store.addMember(actor: alice, organizationID: org, userID: bob.user.id, role: .owner)
        #expect(
            try store.addMember(actor: alice, organizationID: org, userID: alice.user.id, role: .admin).role == .admin
        )
        #expect(try store.listProjects(user: alice.user).map(\.role) == [.admin])

        // Removal: managers only, owners by owners, never the last owner.
        expectError(.forbidden) {
            _ = try store.removeMember(actor: dave.acting, organizationID: org, userID: carol.user.id)
        }
        expectError(.forbidden) { _ = try store.removeMember(actor: carol, organizationID: org, userID: bob.user.id) }
        #expect(
            expectError(.invalid) { _ = try store.removeMember(actor: bob, organizationID: org, userID: bob.user.id) }?
                .field == "userId"
        )
        #expect(
            expectError(.notFound) { _ = try store.removeMember(actor: bob, organizationID: org, userID: "usr_x") }?
                .entity == "Member"
        )
        expectError(.notFound) { _ = try store.removeMember(actor: bob, organizationID: "org_x", userID: dave.id) }
        #expect(try store.removeMember(actor: carol, organizationID: org, userID: dave.id).isEmpty)
        #expect(try !store.isMember(userID: dave.id, projectID: world.projectID))
        expectError(.notFound) { _ = try store.removeMember(actor: carol, organizationID: org, userID: dave.id) }
    }

    @Test(arguments: Backend.allCases)
    func joiningLeavingAndRevocationRecordPresenceInOrder(_ backend: Backend) throws {
        let world = try StoreWorld(backend)
        let store = world.store
        try store.registerSession(id: "ses_alice", userID: world.alice.user.id, pid: 1)
        try store.registerSession(id: "ses_bob", userID: world.bob.user.id, pid: 1)
        _ = try world.createTask()
        let before = try store.presenceChanges(after: 0).last?.id ?? 0

        let aliceJoin = try store.join(actor: world.alice, projectID: world.projectID, since: 0)
        #expect(aliceJoin.seq == 1)
        #expect(aliceJoin.presence.map(\.sessionID) == ["ses_alice"])
        #expect(aliceJoin.presence.first?.user == world.alice.user)
        #expect(aliceJoin.change.kind == .joined)
        #expect(aliceJoin.change.reason == nil)
        #expect(aliceJoin.change.id > before)
        let bobJoin = try store.join(actor: world.bob, projectID: world.projectID, since: nil)
        #expect(bobJoin.presence.map(\.sessionID) == ["ses_alice", "ses_bob"])
        #expect(bobJoin.change.id > aliceJoin.change.id)
        #expect(
            expectError(.invalid) { _ = try store.join(actor: world.bob, projectID: world.projectID, since: 2) }?.field
                == "since"
        )
        expectError(.notFound) { _ = try store.join(actor: world.carol, projectID: world.projectID, since: nil) }
        expectError(.notFound) { _ = try store.join(actor: world.bob, projectID: "prj_missing", since: nil) }

        let left = try store.leave(sessionID: "ses_alice", projectID: world.projectID, reason: .left)
        #expect(left?.kind == .left)
        #expect(left?.reason == .left)
        #expect(left?.user == world.alice.user)
        #expect(try store.leave(sessionID: "ses_alice", projectID: world.projectID, reason: .left) == nil)

        _ = try store.join(actor: world.alice, projectID: world.projectID, since: nil)
        let revoked = try store.removeMember(
            actor: world.alice,
            organizationID: world.organizationID,
            userID: world.bob.user.id
        )
        #expect(revoked.map(\.sessionID) == ["ses_bob"])
        #expect(revoked.map(\.reason) == [.revoked])
        let closed = try store.endSession("ses_alice", reason: .closed)
        #expect(closed.map(\.reason) == [.closed])
        #expect(try store.endSession("ses_alice", reason: .closed).isEmpty)
        #expect(try !store.heartbeat(sessionID: "ses_alice"), "an ended session is gone")

        let changes = try store.presenceChanges(after: before)
        #expect(changes.map(\.kind) == [.joined, .joined, .left, .joined, .left, .left])
        #expect(changes.map(\.reason) == [nil, nil, .left, nil, .revoked, .closed])
        #expect(changes.map(\.id) == changes.map(\.id).sorted())
        #expect(Set(changes.map(\.id)).count == changes.count)
        #expect(changes.first == aliceJoin.change)
        #expect(changes.last == closed.first)
        #expect(try store.presenceChanges(after: before, limit: 2) == Array(changes.prefix(2)))
        for change in changes { #expect(PresenceChange(json: change.json) == change) }
    }

    @Test(arguments: Backend.allCases)
    func silentSessionsAreReapedOnce(_ backend: Backend) throws {
        let world = try StoreWorld(backend)
        let store = world.store
        try store.registerSession(id: "ses_alice", userID: world.alice.user.id, pid: 1)
        _ = try store.join(actor: world.alice, projectID: world.projectID, since: nil)
        _ = try store.join(actor: world.bob, projectID: world.projectID, since: nil)
        #expect(try store.heartbeat(sessionID: "ses_alice"))
        #expect(try !store.heartbeat(sessionID: "ses_nobody"))
        #expect(try store.reapSessions(silentForMilliseconds: 60_000).isEmpty)
        let reaped = try store.reapSessions(silentForMilliseconds: -1_000)
        #expect(Set(reaped.map(\.sessionID)) == ["ses_alice", "ses_bob"])
        #expect(reaped.allSatisfy { $0.reason == .timeout && $0.kind == .left })
        #expect(try store.reapSessions(silentForMilliseconds: -1_000).isEmpty)
        #expect(try !store.heartbeat(sessionID: "ses_alice"))
        // A reaped session that joins again is a session again.
        let again = try store.join(actor: world.alice, projectID: world.projectID, since: nil)
        #expect(again.presence.map(\.sessionID) == ["ses_alice"])
        #expect(try store.heartbeat(sessionID: "ses_alice"))
    }
}

extension UserRef {
    /// This user acting through a session named after them.
    fileprivate var acting: ActingSession { ActingSession(user: self, sessionID: "ses_\(name)") }
}
