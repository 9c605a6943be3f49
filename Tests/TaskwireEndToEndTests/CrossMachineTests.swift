import TaskwireProtocol
import TaskwireTestSupport
import Testing

/// README, "A team on several machines": hosts on different machines that are given the same PostgreSQL URL (and,
/// with `--redis`, the same Redis URL) form one system.
///
/// Each machine is a network namespace of its own, linked to the servers' namespace by a veth pair, so every byte
/// between a host and PostgreSQL or Redis crosses a network link and nothing goes over loopback. For the Redis relay
/// and for LISTEN/NOTIFY without Redis, the suite proves that:
/// - presence crosses machines both ways: each host's client receives `presence.joined` of the other's session, and
///   `presence.left` with reason `left` when it leaves the room;
/// - tasks created through the host on one machine reach the client of the host on the other as `task.created`
///   notifications, in `seq` order, without gap or duplicate, each equal to the event log (and the other way round);
/// - a machine cut off from the network is noticed by the others: once its link is down its session leaves the room
///   at the other machine with reason `timeout` within 30 s (the hosts time a session out after 15 s without a
///   heartbeat, sent every 5 s), while the other host goes on writing and delivering.
@Suite(
    .enabled(
        if: NetworkNamespaces.isAvailable,
        "network namespaces cannot be created here (needs root and `ip netns` from iproute2)"
    )
)
struct CrossMachineTests {
    @Test(arguments: [RoomRelay.postgresRedis, .postgres])
    func hostsOnTwoMachinesShareARoomAndTimeOutAMachineCutOff(relay: RoomRelay) async throws {
        let network = try NetworkNamespaces(machineCount: 2)
        defer { network.tearDown() }
        let database = try network.startPostgres()
        let redis = relay.usesRedis ? try network.startRedis() : nil
        let binary = try TaskwireBinary.locate()

        // The administrator works on the database's machine.
        @discardableResult
        func admin(_ arguments: [String]) throws -> JSON {
            try JSONParser.parse(
                network.run(in: network.hub, [binary, "admin"] + arguments + ["--json", "--db", database])
            )
        }
        let alice = try admin(["user", "add", "--name", "alice"])
        let bob = try admin(["user", "add", "--name", "bob"])
        let (aliceID, bobID) = (alice["id"]?.stringValue ?? "", bob["id"]?.stringValue ?? "")
        let organization = try #require(try admin(["org", "add", "Acme", "--owner", aliceID])["id"]?.stringValue)
        try admin(["member", "add", "--org", organization, "--user", bobID, "--role", "member"])
        let project = try #require(try admin(["project", "add", "--org", organization, "Website"])["id"]?.stringValue)

        // Host A on machine 0 for alice, host B on machine 1 for bob, each with its own client over pipes.
        var serve = ["serve", "--db", database]
        if let redis { serve += ["--redis", redis] }
        let a = try network.spawnHost(onMachine: 0, executable: binary, arguments: serve)
        let b = try network.spawnHost(onMachine: 1, executable: binary, arguments: serve)
        let kind: JSON = .string(relay.usesRedis ? "redis" : "postgres")
        for (name, host, user) in [("A", a, alice), ("B", b, bob)] {
            let session = try await host.initialize(token: user["token"]?.stringValue ?? "")
            #expect(session["capabilities"]?["store"] == "postgres", "host \(name)")
            #expect(session["capabilities"]?["relay"] == kind, "host \(name)")
            let status = host.messages.first { $0.method == "relay.status" }
            #expect(status?.params == ["state": "connected", "relay": kind], "host \(name)")
        }

        // Presence, B to A: B is in the room when A joins.
        let userA: JSON = ["id": .string(aliceID), "name": "alice"]
        let userB: JSON = ["id": .string(bobID), "name": "bob"]
        let presenceA: JSON = ["projectId": .string(project), "sessionId": .string(a.sessionID), "user": userA]
        let presenceB: JSON = ["projectId": .string(project), "sessionId": .string(b.sessionID), "user": userB]
        try await b.join(project)
        let beforeJoinA = b.count
        let reply = try await a.join(project)
        let listed = Set((reply["presence"]?.arrayValue ?? []).compactMap { $0["sessionId"]?.stringValue })
        #expect(listed == [a.sessionID, b.sessionID], "A's join reply: \(reply.text)")
        let joinedA = try await b.waitFor("presence.joined of A's session at B", after: beforeJoinA) {
            $0.method == "presence.joined" && $0.params["sessionId"]?.stringValue == a.sessionID
        }
        #expect(joinedA.params == presenceA)

        // And A to B: B leaves the room and comes back.
        try await b.request("project.leave", ["projectId": .string(project)])
        let leftB = try await a.waitFor("presence.left of B's session at A") {
            $0.method == "presence.left" && $0.params["sessionId"]?.stringValue == b.sessionID
        }
        var leftParams = presenceB.objectValue ?? [:]
        leftParams["reason"] = "left"
        #expect(leftB.params == .object(leftParams))
        try await b.join(project)
        let joinedB = try await a.waitFor("presence.joined of B's session at A", after: leftB.index) {
            $0.method == "presence.joined" && $0.params["sessionId"]?.stringValue == b.sessionID
        }
        #expect(joinedB.params == presenceB)

        // Tasks: three through A, then one through B; both clients receive all four, in order.
        let (startA, startB) = (a.count, b.count)
        var seqs: [Int64] = []
        for number in 1...3 {
            let params: JSONObject = ["projectId": .string(project), "title": .string("from machine A, \(number)")]
            let created = try await a.request("task.create", params)
            seqs.append(created["seq"]?.int64Value ?? 0)
        }
        let created = try await b.request("task.create", ["projectId": .string(project), "title": "from machine B"])
        seqs.append(created["seq"]?.int64Value ?? 0)
        #expect(seqs == [1, 2, 3, 4])
        try await RoomExpect.waitForSeq(b, 4, projectID: project, after: startB, timeout: .seconds(10))
        try await RoomExpect.waitForSeq(a, 4, projectID: project, after: startA, timeout: .seconds(10))
        let log = try await b.eventLog(projectID: project)
        #expect(log.count == 4)
        for (name, host, start) in [("A", a, startA), ("B", b, startB)] {
            let events = host.messages(from: start).events(of: project)
            #expect(events.map(\.method) == Array(repeating: "task.created", count: 4), "client of host \(name)")
            let origins = events.map { $0.params["origin"]?["sessionId"]?.stringValue ?? "" }
            #expect(origins == [a.sessionID, a.sessionID, a.sessionID, b.sessionID], "client of host \(name)")
            RoomExpect.delivered(host.messages(from: start), projectID: project, last: 4, log: log, reader: name)
        }

        // Machine A is cut off: B's host times A's session out of the room.
        try network.setLink(ofMachine: 0, up: false)
        let cutAt = ContinuousClock.now
        let leftA = try await b.waitFor(
            "presence.left of A's session at B after A's link went down",
            timeout: .seconds(40)
        ) {
            $0.method == "presence.left" && $0.params["sessionId"]?.stringValue == a.sessionID
        }
        leftParams = presenceA.objectValue ?? [:]
        leftParams["reason"] = "timeout"
        #expect(leftA.params == .object(leftParams))
        let delay = leftA.arrival - cutAt
        #expect(delay < .seconds(30), "presence.left of the cut-off session \(delay) after the cut")

        // B goes on: it writes and hears its own event after A's.
        let after = try await b.request("task.create", ["projectId": .string(project), "title": "after the cut"])
        #expect(after["seq"]?.int64Value == 5)
        try await RoomExpect.waitForSeq(b, 5, projectID: project, after: startB, timeout: .seconds(10))
        RoomExpect.delivered(b.messages(from: startB), projectID: project, last: 5, reader: "B after the cut")
        let aboutA = b.messages.presence(of: a.sessionID).map { $0.method ?? "" }
        #expect(aboutA == ["presence.joined", "presence.left"], "what B heard of A's session")
        RoomExpect.noEviction(b.messages, reader: "B")

        b.closeInput()
        #expect(await b.waitForExit() == 0, "host B at end of input: \(b.stderrTail())")
        #expect(network.tearDown() == [])
    }
}
