import Glibc
import TaskwireProtocol
import TaskwireTestSupport
import Testing

/// Protocol/openrpc.json (events, rooms and delivery): who is in a room, across hosts, and how sessions leave it — exactly one `presence.left` per join, never
/// a presence notification about oneself, and nothing more from a room once membership is revoked.
@Suite struct RoomPresenceTests {
    @Test(arguments: RoomRelay.allCases)
    func presenceAcrossHostsWithEveryWayOfLeaving(relay: RoomRelay) async throws {
        let names = ["alice", "bob", "carol", "dave", "erin"]
        let world = try RoomWorld(relay: relay, userNames: names)
        let project = world.projectID
        var hosts: [(name: String, client: RoomClient)] = []
        for name in names {
            let client = try await world.host(as: name)
            let reply = try await client.join(project)
            hosts.append((name, client))
            // The reply lists everyone in the room across hosts, the joiner included, each once.
            let presence = reply["presence"]?.arrayValue ?? []
            let listed = presence.map { entry in
                var withoutTime = entry.objectValue ?? [:]
                withoutTime["joinedAt"] = nil
                return JSON.object(withoutTime)
            }
            let expected: [JSON] = hosts.map {
                ["sessionId": .string($0.client.sessionID), "user": Self.user(world.user($0.name))]
            }
            #expect(
                listed.count == expected.count && expected.allSatisfy(listed.contains),
                "join reply of \(name): \(reply.text)"
            )
            for entry in presence {
                #expect(entry.objectValue?.keys.sorted() == ["joinedAt", "sessionId", "user"], "\(entry.text)")
                let joinedAt = entry["joinedAt"]?.stringValue ?? ""
                #expect(joinedAt.wholeMatch(of: #/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/#) != nil, "\(entry.text)")
            }
            // Everyone already there hears of the newcomer.
            let session = client.sessionID
            for (other, earlier) in hosts.dropLast() {
                let joined = try await earlier.waitFor("presence.joined of \(name) at \(other)") {
                    $0.method == "presence.joined" && $0.params["sessionId"]?.stringValue == session
                }
                let expected: JSON = [
                    "projectId": .string(project),
                    "sessionId": .string(session),
                    "user": Self.user(world.user(name)),
                ]
                #expect(joined.params == expected)
            }
        }

        let (alice, bob, carol, dave, erin) = (
            hosts[0].client, hosts[1].client, hosts[2].client, hosts[3].client, hosts[4].client
        )
        try await bob.request("project.leave", ["projectId": .string(project)])
        try await expectLeft(bob, "left", user: world.user("bob"), project: project, at: [alice, carol, dave, erin])
        carol.closeInput()
        try await expectLeft(carol, "closed", user: world.user("carol"), project: project, at: [alice, dave, erin])
        #expect(await carol.waitForExit() == 0, "end of input")
        dave.notify("exit")
        try await expectLeft(dave, "closed", user: world.user("dave"), project: project, at: [alice, erin])
        #expect(await dave.waitForExit() == 1, "exit without shutdown")
        erin.signal(.term)
        try await expectLeft(erin, "closed", user: world.user("erin"), project: project, at: [alice])
        #expect(await erin.waitForExit() == 0, "SIGTERM")

        // A late duplicate would show up by now.
        try await Task.sleep(for: .milliseconds(700))
        for (name, client) in hosts {
            #expect(client.messages.presence(of: client.sessionID).isEmpty, "\(name) was told about itself")
            for (other, peer) in hosts where other != name {
                let about = client.messages.presence(of: peer.sessionID)
                #expect(about.filter { $0.method == "presence.joined" }.count <= 1, "\(name) about \(other)")
                #expect(about.filter { $0.method == "presence.left" }.count <= 1, "\(name) about \(other)")
            }
        }
        let aboutOthers = alice.messages.filter { $0.method?.hasPrefix("presence.") == true }
        #expect(
            aboutOthers.map(\.method) == Array(repeating: "presence.joined", count: 4)
                + Array(repeating: "presence.left", count: 4)
        )
        await RoomExpect.orderlyExit(world)
    }

    /// A user as presence notifications name them.
    private static func user(_ user: RoomWorld.User) -> JSON {
        ["id": .string(user.id), "name": .string(user.name)]
    }

    /// Waits until each of `observers` was told that `leaver` left with `reason`, and checks the notification.
    private func expectLeft(
        _ leaver: RoomClient,
        _ reason: String,
        user: RoomWorld.User,
        project: String,
        at observers: [RoomClient],
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let session = leaver.sessionID
        for observer in observers {
            let left = try await observer.waitFor("presence.left of \(user.name) (\(reason))", timeout: .seconds(10)) {
                $0.method == "presence.left" && $0.params["sessionId"]?.stringValue == session
            }
            let expected: JSON = [
                "projectId": .string(project),
                "sessionId": .string(session),
                "user": Self.user(user),
                "reason": .string(reason),
            ]
            #expect(left.params == expected, sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: RoomRelay.allCases)
    func removedMemberIsRevokedAndHearsNothingMore(relay: RoomRelay) async throws {
        let world = try RoomWorld(relay: relay, userNames: ["alice", "bob", "carol"])
        let project = world.projectID
        let alice = try await world.host(as: "alice")
        let bob = try await world.host(as: "bob")
        let carol = try await world.host(as: "carol")
        for host in [alice, bob, carol] { try await host.join(project) }
        try await alice.request("task.create", ["projectId": .string(project), "title": "before"])
        for host in [alice, bob, carol] { try await RoomExpect.waitForSeq(host, 1, projectID: project) }

        try await alice.request(
            "member.remove",
            ["organizationId": .string(world.organizationID), "userId": .string(world.user("bob").id)]
        )
        let revoked = try await bob.waitFor("project.revoked") { $0.method == "project.revoked" }
        #expect(revoked.params == ["projectId": .string(project)])
        for observer in [alice, carol] {
            let left = try await observer.waitFor("presence.left of bob") {
                $0.method == "presence.left" && $0.params["sessionId"]?.stringValue == bob.sessionID
            }
            #expect(left.params["reason"] == "revoked")
        }

        // Bob is told nothing more: neither events nor presence.
        try await carol.request("project.leave", ["projectId": .string(project)])
        try await carol.join(project)
        try await alice.request("task.create", ["projectId": .string(project), "title": "after"])
        for host in [alice, carol] { try await RoomExpect.waitForSeq(host, 2, projectID: project) }
        try await Task.sleep(for: .seconds(1))
        let afterRevocation = bob.messages(from: revoked.index + 1).filter { $0.method != nil }
        #expect(afterRevocation.isEmpty, "after project.revoked: \(afterRevocation.map(\.json.text))")
        let beforeRevocation = bob.messages.prefix(revoked.index)
        RoomExpect.delivered(beforeRevocation, projectID: project, last: 1, reader: "bob")
        #expect(beforeRevocation.presence(of: bob.sessionID).isEmpty, "bob was told about himself")
        #expect(bob.messages.filter { $0.method == "project.revoked" }.count == 1)
        for (name, observer) in [("alice", alice), ("carol", carol)] {
            #expect(
                observer.messages.presence(of: bob.sessionID).filter { $0.method == "presence.left" }.count == 1,
                "\(name)"
            )
            #expect(observer.messages.filter { $0.method == "project.revoked" }.isEmpty, "\(name)")
        }
        await RoomExpect.orderlyExit(world)
    }
}
