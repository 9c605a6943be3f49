import TaskwireProtocol
import TaskwireTestSupport
import Testing

/// Protocol/openrpc.json (events, rooms and delivery): after `project.join`, a session receives every event of the project, in `seq` order, with no gap and
/// no duplicate, its own included, whichever host committed it — also while it joins, and after a `since` replay.
@Suite struct RoomDeliveryTests {
    static let changesPerWriter = 300
    static let joinRounds = 12

    @Test(.heavyLoad, arguments: RoomRelay.allCases)
    func threeHostsTwoWritingConcurrentlyAllReceiveEverySeqInOrder(relay: RoomRelay) async throws {
        let world = try RoomWorld(relay: relay, userNames: ["alice", "bob", "carol"])
        let project = world.projectID
        let hosts = [
            ("alice", try await world.host(as: "alice")),
            ("bob", try await world.host(as: "bob")),
            ("carol", try await world.host(as: "carol")),
        ]
        var starts: [Int] = []
        for (_, host) in hosts {
            starts.append(host.count)
            let joined = try await host.join(project)
            #expect(joined["seq"] == 0)
        }
        let writers = [RoomWriter(hosts[0].1, projectID: project), RoomWriter(hosts[1].1, projectID: project)]
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in writers {
                group.addTask { try await writer.run(changes: Self.changesPerWriter, window: 30) }
            }
            try await group.waitForAll()
        }
        let total = Int64(2 * Self.changesPerWriter)
        #expect(writers.flatMap(\.seqs).sorted() == Array(1...total), "the replies must share out seq 1…\(total)")

        let log = try await hosts[2].1.eventLog(projectID: project)
        #expect(log.count == Int(total))
        for ((_, host), start) in zip(hosts, starts) {
            try await RoomExpect.waitForSeq(host, total, projectID: project, after: start)
        }
        // Time for a late duplicate to show up.
        try await Task.sleep(for: .milliseconds(300))
        for ((name, host), start) in zip(hosts, starts) {
            let received = host.messages(from: start)
            RoomExpect.delivered(received, projectID: project, last: total, log: log, reader: name)
            RoomExpect.noEviction(received, reader: name)
            let own = received.events(of: project).filter {
                $0.params["origin"]?["sessionId"]?.stringValue == host.sessionID
            }
            let expectedOwn = name == "carol" ? 0 : Self.changesPerWriter
            #expect(own.count == expectedOwn, "\(name) must receive its own events, marked with its session")
        }
        await RoomExpect.orderlyExit(world)
    }

    /// A replay larger than the host's buffer of room notifications, to a client that reads all the time.
    @Test(.heavyLoad, arguments: RoomRelay.allCases)
    func sinceReplayOfALargeLogReachesAClientThatKeepsReading(relay: RoomRelay) async throws {
        let world = try RoomWorld(relay: relay, userNames: ["alice", "bob"])
        let project = world.projectID
        let alice = try await world.host(as: "alice")
        let total: Int64 = 600
        try await RoomWriter(alice, projectID: project)
            .run(changes: Int(total), workload: .largeTasks(descriptionBytes: 16 << 10), window: 50)
        let bob = try await world.host(as: "bob")
        let join = bob.send("project.join", ["projectId": .string(project), "since": 0])
        #expect(try await bob.reply(to: join)["seq"]?.int64Value == total)
        let replyIndex = try #require(bob.replyIndex(of: join))
        let end = try await bob.waitFor("event seq \(total) or a project.resync", after: replyIndex) {
            $0.seq == total || $0.method == "project.resync"
        }
        #expect(end.method != "project.resync", "a reading client was resynced during its replay: \(end.json.text)")
        try await Task.sleep(for: .milliseconds(300))
        let log = try await alice.eventLog(projectID: project)
        RoomExpect.delivered(bob.messages, projectID: project, last: total, log: log, reader: "bob")
        RoomExpect.noEviction(bob.messages, reader: "bob")
        await RoomExpect.orderlyExit(world)
    }

    /// One epoch of the joiner: from its join to its leave.
    private struct Epoch {
        var joinID: Int
        var leaveID: Int?
        /// The `since` sent, if any.
        var since: Int64?
    }

    @Test(.heavyLoad, arguments: RoomRelay.allCases)
    func joiningWhileAnotherHostWritesDeliversExactlyWhatFollowsTheJoin(relay: RoomRelay) async throws {
        let world = try RoomWorld(relay: relay, userNames: ["alice", "bob"])
        let project = world.projectID
        let writerHost = try await world.host(as: "alice")
        let joiner = try await world.host(as: "bob")
        let writer = RoomWriter(writerHost, projectID: project)
        let writing = Task { try await writer.run(changes: 100_000, window: 5, pause: .milliseconds(5)) }
        defer { writing.cancel() }
        try await RoomExpect.eventually("the first changes") { writer.lastSeq >= 30 }

        // Odd rounds join with `since`; rounds 1 and 2 of every four send their join right after the previous
        // leave, without waiting for its reply.
        var epochs: [Epoch] = []
        var pipelined: Epoch?
        for round in 0..<Self.joinRounds {
            let epoch = pipelined ?? join(joiner, projectID: project, round: round, writer: writer)
            pipelined = nil
            epochs.append(epoch)
            let reply = try await joiner.reply(to: epoch.joinID)
            let seq = try #require(reply["seq"]?.int64Value)
            let replyIndex = try #require(joiner.replyIndex(of: epoch.joinID))
            try await RoomExpect.waitForSeq(
                joiner,
                seq + 10,
                projectID: project,
                after: replyIndex,
                timeout: .seconds(15)
            )
            let leaveID = joiner.send("project.leave", ["projectId": .string(project)])
            epochs[round].leaveID = leaveID
            if [1, 2].contains((round + 1) % 4), round + 1 < Self.joinRounds {
                pipelined = join(joiner, projectID: project, round: round + 1, writer: writer)
            }
            try await joiner.reply(to: leaveID)
        }
        writer.stop()
        try await writing.value
        try await Task.sleep(for: .milliseconds(300))
        try check(epochs, of: joiner, projectID: project)
        await RoomExpect.orderlyExit(world)
    }

    private func join(_ joiner: RoomClient, projectID: String, round: Int, writer: RoomWriter) -> Epoch {
        // What the writer has seen answered is committed, so it is never above the project's seq.
        let since: Int64? = round % 2 == 1 ? max(0, writer.lastSeq - 25) : nil
        var params: JSONObject = ["projectId": .string(projectID)]
        if let since { params["since"] = .int(since) }
        return Epoch(joinID: joiner.send("project.join", params), since: since)
    }

    private func check(_ epochs: [Epoch], of joiner: RoomClient, projectID: String) throws {
        let stream = joiner.messages
        var outside = 0
        for (round, epoch) in epochs.enumerated() {
            let joinIndex = try #require(joiner.replyIndex(of: epoch.joinID))
            let leaveIndex = try #require(epoch.leaveID.flatMap(joiner.replyIndex(of:)))
            let seq = try #require(stream[joinIndex].json["result"]?["seq"]?.int64Value)
            let base = epoch.since ?? seq
            let events = stream[(joinIndex + 1)..<leaveIndex].events(of: projectID)
            let last = max(events.last?.seq ?? base, seq + 10)
            RoomExpect.delivered(
                stream[(joinIndex + 1)..<leaveIndex],
                projectID: projectID,
                first: base + 1,
                last: last,
                reader: "epoch \(round) (join seq \(seq), since \(epoch.since.map(String.init) ?? "none"))"
            )
            let previousEnd = round == 0 ? 0 : try #require(epochs[round - 1].leaveID.flatMap(joiner.replyIndex(of:)))
            outside += stream[previousEnd..<joinIndex].events(of: projectID).count
        }
        let lastLeave = try #require(epochs.last?.leaveID.flatMap(joiner.replyIndex(of:)))
        outside += stream[lastLeave...].events(of: projectID).count
        #expect(outside == 0, "events outside the epochs (before a join reply or after a leave reply): \(outside)")
    }
}
