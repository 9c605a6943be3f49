import Glibc
import TaskwireProtocol
import TaskwireTestSupport
import Testing

/// Protocol/openrpc.json (events, rooms and delivery): a host that dies, or a client that stops reading, costs the others nothing: the dead session is timed out
/// of the room, the slow one is taken out and told how to come back without losing anything.
@Suite struct RoomHostFailureTests {
    @Test(arguments: RoomRelay.allCases)
    func hostKilledMidWriteTimesOutOfTheRoomOnce(relay: RoomRelay) async throws {
        let world = try RoomWorld(relay: relay, userNames: ["alice", "bob", "carol"])
        let project = world.projectID
        let alice = try await world.host(as: "alice")
        let bob = try await world.host(as: "bob")
        let victim = try await world.host(as: "carol")
        let starts = [alice.count, bob.count]
        for host in [alice, bob, victim] { try await host.join(project) }

        // Killed while it has writes in flight.
        let writer = RoomWriter(victim, projectID: project)
        let writing = Task { try await writer.run(changes: 10_000, window: 20) }
        try await RoomExpect.eventually("the victim's first changes") { writer.lastSeq >= 60 }
        victim.kill()
        let killedAt = ContinuousClock.now
        _ = await writing.result

        let expected: JSON = [
            "projectId": .string(project),
            "sessionId": .string(victim.sessionID),
            "user": ["id": .string(world.user("carol").id), "name": "carol"],
            "reason": "timeout",
        ]
        for (name, host) in [("alice", alice), ("bob", bob)] {
            let left = try await host.waitFor(
                "presence.left of the killed host's session at \(name)",
                timeout: killedAt + .seconds(35) - ContinuousClock.now
            ) { $0.method == "presence.left" && $0.params["sessionId"]?.stringValue == victim.sessionID }
            #expect(left.params == expected, "\(name)")
            #expect(left.arrival - killedAt < .seconds(30), "\(name): presence.left later than 30 s after the kill")
        }
        #expect(try world.integrityCheck() == "ok")

        // The others go on: a write after that reaches both, after everything the victim committed.
        let seq = try #require(
            try await alice.request("task.create", ["projectId": .string(project), "title": "after"])["seq"]?.int64Value
        )
        #expect(seq > writer.lastSeq)
        let log = try await bob.eventLog(projectID: project)
        #expect(log.count == Int(seq))
        for (host, start) in zip([alice, bob], starts) {
            try await RoomExpect.waitForSeq(host, seq, projectID: project, after: start)
        }
        try await Task.sleep(for: .seconds(1))
        for ((name, host), start) in zip([("alice", alice), ("bob", bob)], starts) {
            RoomExpect.delivered(host.messages(from: start), projectID: project, last: seq, log: log, reader: name)
            let left = host.messages.presence(of: victim.sessionID).filter { $0.method == "presence.left" }
            #expect(left.count == 1, "\(name): presence.left of the killed session exactly once")
        }
        await RoomExpect.orderlyExit(world)
    }

    @Test(arguments: RoomRelay.allCases)
    func hostThatHangsTimesOutOfTheRoomAndIsResyncedWhenItWakes(relay: RoomRelay) async throws {
        let world = try RoomWorld(relay: relay, userNames: ["alice", "bob"])
        let project = world.projectID
        let alice = try await world.host(as: "alice")
        let sleeper = try await world.host(as: "bob")
        for host in [alice, sleeper] { try await host.join(project) }
        let writer = RoomWriter(alice, projectID: project)
        try await writer.run(changes: 20)
        try await RoomExpect.waitForSeq(sleeper, 20, projectID: project)

        sleeper.signal(.stop)
        let stoppedAt = ContinuousClock.now
        let left = try await alice.waitFor(
            "presence.left of the hung host's session",
            timeout: stoppedAt + .seconds(35) - ContinuousClock.now
        ) { $0.method == "presence.left" && $0.params["sessionId"]?.stringValue == sleeper.sessionID }
        #expect(left.params["reason"] == "timeout")
        #expect(left.arrival - stoppedAt < .seconds(30), "presence.left later than 30 s after the host hung")
        try await writer.run(changes: 20)

        // Woken up, it learns that it was timed out, and comes back without losing anything.
        sleeper.signal(.cont)
        let resync = try await sleeper.waitFor("project.resync after waking up") { $0.method == "project.resync" }
        let lastSeq = try #require(resync.params["lastSeq"]?.int64Value)
        #expect(resync.params == ["projectId": .string(project), "lastSeq": .int(lastSeq)])
        let before = sleeper.messages.prefix(resync.index)
        #expect(
            before.events(of: project).last?.seq ?? 0 == lastSeq,
            "lastSeq is the last event notification before it"
        )
        RoomExpect.delivered(before, projectID: project, last: lastSeq, reader: "the hung host before the resync")

        let rejoinAt = sleeper.count
        let rejoined = try await sleeper.join(project, since: lastSeq)
        #expect(rejoined["seq"]?.int64Value == 40)
        try await alice.waitFor("presence.joined of the woken session", after: left.index) {
            $0.method == "presence.joined" && $0.params["sessionId"]?.stringValue == sleeper.sessionID
        }
        try await writer.run(changes: 5)
        try await RoomExpect.waitForSeq(sleeper, 45, projectID: project, after: rejoinAt)
        try await Task.sleep(for: .milliseconds(500))
        let log = try await alice.eventLog(projectID: project)
        RoomExpect.delivered(
            sleeper.messages(from: rejoinAt),
            projectID: project,
            first: lastSeq + 1,
            last: 45,
            log: log,
            reader: "the woken host after rejoining"
        )
        let lefts = alice.messages.presence(of: sleeper.sessionID).filter { $0.method == "presence.left" }
        #expect(lefts.count == 1, "presence.left of the hung session exactly once")
        await RoomExpect.orderlyExit(world)
    }

    @Test(.heavyLoad, arguments: RoomRelay.allCases)
    func clientThatStopsReadingIsResyncedAndRejoinsWithoutLoss(relay: RoomRelay) async throws {
        let world = try RoomWorld(relay: relay, userNames: ["alice", "bob"])
        let project = world.projectID
        let alice = try await world.host(as: "alice")
        try await alice.join(project)

        // Bob's client writes its requests and then reads nothing.
        let slow = try world.spawnUnread()
        let token = world.user("bob").token
        slow.write([
            "jsonrpc": "2.0", "id": .int(slow.reserveID()), "method": "initialize",
            "params": ["protocolVersion": "1", "token": .string(token)],
        ])
        slow.write([
            "jsonrpc": "2.0", "id": .int(slow.reserveID()), "method": "project.join",
            "params": ["projectId": .string(project)],
        ])
        let joined = try await alice.waitFor("presence.joined of the slow client") { $0.method == "presence.joined" }
        let slowSession = try #require(joined.params["sessionId"]?.stringValue)

        let total: Int64 = 3000
        let writer = RoomWriter(alice, projectID: project)
        try await writer.run(changes: Int(total), workload: .largeTasks(descriptionBytes: 4096), window: 50)
        let left = try await alice.waitFor("presence.left of the slow client") {
            $0.method == "presence.left" && $0.params["sessionId"]?.stringValue == slowSession
        }
        #expect(left.params["reason"] == "closed")

        slow.startReading()
        let resync = try await slow.waitFor("project.resync") { $0.method == "project.resync" }
        let lastSeq = try #require(resync.params["lastSeq"]?.int64Value)
        #expect(resync.params == ["projectId": .string(project), "lastSeq": .int(lastSeq)])
        let before = slow.messages.prefix(resync.index)
        #expect(before.events(of: project).last?.seq == lastSeq, "lastSeq is the last event notification before it")
        RoomExpect.delivered(before, projectID: project, last: lastSeq, reader: "the slow client before the resync")
        #expect(lastSeq < total, "the slow client must have been taken out of the room before the end")

        #expect(alice.messages.presence(of: slowSession).filter { $0.method == "presence.left" }.count == 1)

        let rejoin = slow.send("project.join", ["projectId": .string(project), "since": .int(lastSeq)])
        let reply = try await slow.reply(to: rejoin)
        #expect(reply["seq"]?.int64Value == total)
        let replyIndex = try #require(slow.replyIndex(of: rejoin))
        #expect(
            slow.messages[resync.index..<replyIndex].events(of: project).isEmpty,
            "events between resync and rejoin"
        )
        let end = try await slow.waitFor("event seq \(total) or another project.resync", after: replyIndex) {
            $0.seq == total || $0.method == "project.resync"
        }
        #expect(end.method != "project.resync", "resynced again while replaying since \(lastSeq): \(end.json.text)")
        try await Task.sleep(for: .milliseconds(300))
        let log = try await alice.eventLog(projectID: project)
        RoomExpect.delivered(
            slow.messages(from: replyIndex),
            projectID: project,
            first: lastSeq + 1,
            last: total,
            log: log,
            reader: "the slow client after rejoining"
        )
        #expect(slow.unparsedLines.isEmpty)
        await RoomExpect.orderlyExit(world)
    }
}
