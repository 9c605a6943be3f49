import Foundation
import TaskwireClient
import TaskwireProtocol
import TaskwireSync
import TaskwireTestSupport
import TaskwireTranscripts
import Testing

/// `taskwire admin NOUN list|show|remove|rename` and `member set-role`, on both stores, through the real binary;
/// removals reach live sessions.
@Suite struct AdminSeeAndUndoTests {
    @Test(arguments: StoreBackend.allCases)
    func listShowRenameAndSetRole(_ backend: StoreBackend) throws {
        let world = try TestWorld(userNames: ["alice", "bob"], backend: backend)
        let admin = world.admin
        let users = try admin.run(["user", "list"]).arrayValue ?? []
        #expect(users.compactMap { $0["name"]?.stringValue } == ["alice", "bob"])
        #expect(users.first?["tokens"] == 1 && users.first?["organizations"] == 1)

        let organizations = try admin.run(["org", "list"]).arrayValue ?? []
        #expect(
            organizations.count == 1 && organizations.first?["members"] == 2 && organizations.first?["projects"] == 1
        )
        let organization = try #require(organizations.first?["name"]?.stringValue)
        let projects = try admin.run(["project", "list", "--org", organization]).arrayValue ?? []
        #expect(projects.compactMap { $0["id"]?.stringValue } == [world.projectID])
        let project = try #require(projects.first?["name"]?.stringValue)
        #expect(try admin.run(["project", "show", project])["id"]?.stringValue == world.projectID)

        // Names or ids everywhere.
        #expect(try admin.run(["user", "show", world.users[1].id])["name"] == "bob")
        #expect(
            try admin.run(["user", "rename", "bob", "robert"]) == ["id": .string(world.users[1].id), "name": "robert"]
        )
        #expect(throws: AdminCommandError.self) { try admin.run(["user", "rename", "robert", "alice"]) }
        #expect(try admin.run(["org", "rename", organization, "Acme Corp"])["name"] == "Acme Corp")
        #expect(try admin.run(["project", "rename", world.projectID, "Site"])["name"] == "Site")

        let members = try admin.run(["member", "list", "--org", "Acme Corp"]).arrayValue ?? []
        #expect(members.compactMap { $0["role"]?.stringValue } == ["owner", "member"])
        #expect(
            try admin.run(["member", "set-role", "--org", "Acme Corp", "--user", "robert", "--role", "admin"])["role"]
                == "admin"
        )
        #expect(try admin.run(["member", "show", "robert", "--org", "Acme Corp"])["role"] == "admin")
        // The last owner is neither demoted nor removed.
        #expect(throws: AdminCommandError.self) {
            try admin.run(["member", "set-role", "--org", "Acme Corp", "--user", "alice", "--role", "member"])
        }
        #expect(throws: AdminCommandError.self) { try admin.run(["member", "remove", "alice", "--org", "Acme Corp"]) }
        #expect(throws: AdminCommandError.self) { try admin.run(["user", "remove", "alice"]) }

        // Names are one line; a project id outside --org's organization is not that organization's project.
        #expect(throws: AdminCommandError.self) { try admin.run(["user", "add", "--name", "two\nlines"]) }
        #expect(throws: AdminCommandError.self) { try admin.run(["org", "rename", "Acme Corp", "red\u{1B}[31m"]) }
        _ = try admin.run(["org", "add", "Other", "--owner", "alice"])
        #expect(throws: AdminCommandError.self) {
            try admin.run(["project", "show", world.projectID, "--org", "Other"])
        }

        // A removed user is nobody: their id does not fall through to a user named like it, and they get no
        // token, membership or organization.
        let twin = try admin.addUser(world.users[1].id)
        _ = try admin.run(["user", "remove", world.users[1].id])
        #expect(throws: AdminCommandError.self) { try admin.run(["user", "remove", world.users[1].id]) }
        #expect(try admin.run(["user", "list"]).arrayValue?.contains { $0["id"]?.stringValue == twin.id } == true)
        #expect(throws: AdminCommandError.self) { try admin.run(["token", "add", "--user", "robert"]) }
        #expect(throws: AdminCommandError.self) { try admin.run(["org", "add", "Third", "--owner", "robert"]) }
        let removedHost = try TaskwireConnection.serve(binary: world.binary, arguments: ["--db", world.location])
        #expect(throws: TaskwireError.self) { try removedHost.initialize(token: world.users[1].token) }
        _ = removedHost.close()

        // Tokens are listed by id, with the time of their last use, never as themselves.
        let host = try world.host(as: world.users[0])
        let tokens = try admin.run(["token", "list", "--user", "alice"]).arrayValue ?? []
        #expect(tokens.count == 1 && tokens.first?["lastUsedAt"]?.stringValue != nil)
        #expect(!(try admin.run(["token", "list"]).text.contains(world.users[0].token)))
        #expect(host.close() == 0)
    }

    @Test(arguments: StoreBackend.allCases)
    func removalsReachLiveSessions(_ backend: StoreBackend) throws {
        let world = try TestWorld(userNames: ["alice", "bob", "carol"], backend: backend)
        let admin = world.admin
        let alice = try world.host(as: world.users[0])
        let bob = try world.host(as: world.users[1])
        _ = try alice.join(projectID: world.projectID)
        _ = try bob.join(projectID: world.projectID)
        let bobSession = try alice.nextNotification("presence.joined")["sessionId"]

        let removed = try admin.run(["member", "remove", "bob", "--org", world.organizationID])
        #expect(removed["sessionsRevoked"] == 1)
        #expect(try bob.nextNotification("project.revoked") == ["projectId": .string(world.projectID)])
        let left = try alice.nextNotification("presence.left")
        #expect(left["sessionId"] == bobSession && left["reason"] == "revoked")
        #expect(throws: TaskwireError.self) { try bob.call("task.list", ["projectId": .string(world.projectID)]) }

        // A removed token no longer starts a session; the user's other work is untouched.
        let carolToken = try #require(
            try admin.run(["token", "list", "--user", "carol"]).arrayValue?.first?["id"]?.stringValue
        )
        _ = try admin.run(["token", "remove", carolToken])
        let carol = try TaskwireConnection.serve(binary: world.binary, arguments: ["--db", world.location])
        #expect(throws: TaskwireError.self) { try carol.initialize(token: world.users[2].token) }
        _ = carol.close()

        // A project goes only when asked for; then its room's sessions are told, and it is gone.
        #expect(throws: AdminCommandError.self) { try admin.run(["project", "remove", world.projectID]) }
        let removedProject = try admin.run(["project", "remove", world.projectID, "--yes"])
        #expect(removedProject["removed"]?["id"]?.stringValue == world.projectID)
        #expect(try alice.nextNotification("project.deleted")["data"] == ["projectId": .string(world.projectID)])
        #expect(throws: TaskwireError.self) { try alice.call("task.list", ["projectId": .string(world.projectID)]) }
        #expect(alice.close() == 0)
        #expect(bob.close() == 0)
        #expect(try world.integrityCheck() == "ok")
    }
}

/// With `--redis`, an admin removal is told to the hosts through the relay, sealed like a host's message, instead of
/// waiting for their next look at the database.
@Suite struct AdminAnnouncementTests {
    @Test func aRemovalIsPublishedOnTheProjectsChannel() throws {
        let world = try TestWorld(userNames: ["alice", "bob"])
        let redis = try RedisServer()
        defer { redis.stop() }
        let bob = try TaskwireConnection.serve(
            binary: world.binary,
            arguments: ["--db", world.location, "--redis", redis.url]
        )
        try bob.initialize(token: world.users[1].token)
        _ = try bob.join(projectID: world.projectID)
        let namespace = try world.sqlite("SELECT value FROM meta WHERE key = 'database_id'")
        let channel = "taskwire:\(namespace):p:\(world.projectID)"
        let listener = try ChildProcess(
            executable: "/usr/bin/redis-cli",
            arguments: ["-p", String(redis.port), "SUBSCRIBE", channel]
        )
        // redis-cli prints the subscription's confirmation (three lines) once it is in place.
        for _ in 0..<3 { _ = try #require(listener.nextLine(timeout: .seconds(10))) }

        var admin = world.admin
        admin.extraArguments = ["--redis", redis.url]
        _ = try admin.run(["member", "remove", "bob", "--org", world.organizationID])
        var heard: [String] = []
        while let line = listener.nextLine(timeout: .seconds(5)) {
            heard.append(String(decoding: line, as: UTF8.self))
            if heard.contains(where: { $0.hasPrefix("TW1 ") }) { break }
        }
        #expect(heard.contains { $0.hasPrefix("TW1 ") }, "no sealed message on \(channel): \(heard)")
        #expect(try bob.nextNotification("project.revoked") == ["projectId": .string(world.projectID)])
        listener.kill()
        #expect(bob.close() == 0)
    }
}

/// Two admin commands at once never leave an organization without an owner.
@Suite struct AdminConcurrencyTests {
    @Test(arguments: StoreBackend.allCases)
    func twoDemotionsAtOnceKeepAnOwner(_ backend: StoreBackend) throws {
        let world = try TestWorld(userNames: ["o1", "o2"], backend: backend)
        let admin = world.admin
        let organizations = (0..<16).map { "R\($0)" }
        for organization in organizations {
            _ = try admin.run(["org", "add", organization, "--owner", "o1"])
            _ = try admin.run(["member", "add", "--org", organization, "--user", "o2", "--role", "owner"])
        }
        for organization in organizations {
            let commands = [
                ["member", "set-role", "--org", organization, "--user", "o1", "--role", "member"],
                ["member", "set-role", "--org", organization, "--user", "o2", "--role", "member"],
            ]
            let failures = Locked(0)
            let group = DispatchGroup()
            for command in commands {
                DispatchQueue.global().async(group: group) {
                    if (try? admin.run(command)) == nil { failures.withLock { $0 += 1 } }
                }
            }
            group.wait()
            let owners =
                try admin.run(["member", "list", "--org", organization]).arrayValue?
                .filter { $0["role"] == "owner" } ?? []
            #expect(owners.count == 1, "\(organization): \(owners.count) owners")
            #expect(failures.withLock { $0 } == 1, "\(organization): exactly one of the two is refused")
        }
    }
}
