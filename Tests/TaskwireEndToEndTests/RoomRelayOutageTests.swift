import TaskwireProtocol
import TaskwireTestSupport
import TaskwireTranscripts
import Testing

/// Protocol/openrpc.json (delivery, relay.status): when Redis is lost, paused or absent, delivery goes on through the database, with no gap and no
/// duplicate, and `relay.status` tells the clients. These scenarios need a Redis to lose, so they have no local
/// variant; the local relay is covered by every other room suite.
@Suite struct RoomRelayOutageTests {
    static let degraded: JSON = ["state": "degraded", "relay": "redis"]
    static let connected: JSON = ["state": "connected", "relay": "redis"]

    /// A host that reads the room, and the position in its stream where its room began.
    private struct Reader {
        let name: String
        let client: RoomClient
        let start: Int
    }

    /// One writer and two readers in the room.
    private func room(_ world: RoomWorld) async throws -> (writer: RoomWriter, readers: [Reader]) {
        let writerHost = try await world.host(as: "alice")
        try await writerHost.join(world.projectID)
        var readers: [Reader] = []
        for name in ["bob", "carol"] {
            let client = try await world.host(as: name)
            let start = client.count
            try await client.join(world.projectID)
            readers.append(Reader(name: name, client: client, start: start))
        }
        return (RoomWriter(writerHost, projectID: world.projectID), readers)
    }

    /// Waits for every reader to receive seq 1…`total`, then checks them against `events.list`.
    private func expectComplete(
        _ readers: [Reader],
        total: Int64,
        world: RoomWorld,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        for reader in readers {
            try await RoomExpect.waitForSeq(reader.client, total, projectID: world.projectID, after: reader.start)
        }
        try await Task.sleep(for: .milliseconds(300))
        let log = try await readers[0].client.eventLog(projectID: world.projectID)
        #expect(log.count == Int(total), sourceLocation: sourceLocation)
        for reader in readers {
            let received = reader.client.messages(from: reader.start)
            RoomExpect.delivered(
                received,
                projectID: world.projectID,
                last: total,
                log: log,
                reader: reader.name,
                sourceLocation: sourceLocation
            )
            RoomExpect.noEviction(received, reader: reader.name, sourceLocation: sourceLocation)
        }
    }

    @Test(.timed) func redisKilledAndRestartedMidStreamLosesNothing() async throws {
        let world = try RoomWorld(relay: .redis, userNames: ["alice", "bob", "carol"])
        let redis = try #require(world.redis)
        let (writer, readers) = try await room(world)
        let total = 1000
        let writing = Task { try await writer.run(changes: total, window: 10, pause: .milliseconds(15)) }

        try await RoomExpect.eventually("250 changes") { writer.lastSeq >= 250 }
        let killedAt = readers.map(\.client.count)
        redis.kill()
        var degradedAt: [Int] = []
        for (reader, index) in zip(readers, killedAt) {
            let status = try await reader.client.waitFor("relay.status degraded at \(reader.name)", after: index) {
                $0.method == "relay.status"
            }
            #expect(status.params == Self.degraded, "\(reader.name)")
            degradedAt.append(status.index)
        }
        try await RoomExpect.eventually("500 changes") { writer.lastSeq >= 500 }
        #expect(writer.lastSeq < Int64(total), "the restart must come in the middle of the stream")
        try redis.restart()
        // Reachable again from here: the relay must be back within 5 s.
        let restartedAt = ContinuousClock.now
        for (reader, index) in zip(readers, degradedAt) {
            let status = try await reader.client.waitFor(
                "relay.status connected at \(reader.name) within 5 s of the restart",
                after: index + 1,
                timeout: restartedAt + .seconds(5) - ContinuousClock.now
            ) { $0.method == "relay.status" }
            #expect(status.params == Self.connected, "\(reader.name)")
        }
        try await writing.value
        try await expectComplete(readers, total: Int64(total), world: world)
        for reader in readers {
            let statuses = reader.client.messages(from: reader.start).filter { $0.method == "relay.status" }
            #expect(
                statuses.map(\.params) == [Self.degraded, Self.connected],
                "\(reader.name): one outage, one recovery"
            )
        }
        await RoomExpect.orderlyExit(world)
    }

    @Test(.timed) func redisUnreachableAtStartDegradesButStillDelivers() async throws {
        let world = try RoomWorld(relay: .local, userNames: ["alice", "bob"])
        // A Redis that was started and stopped: its port has nothing listening.
        let absent = try RedisServer()
        absent.stop()
        var hosts: [RoomClient] = []
        for name in ["alice", "bob"] {
            let host = try world.spawn(redisURL: absent.url)
            let result = try await host.initialize(token: world.user(name).token)
            #expect(result["capabilities"]?["relay"] == "redis")
            let statuses = host.messages.filter { $0.method == "relay.status" }.map(\.params)
            #expect(statuses == [Self.degraded], "\(name): relay.status right after initialize")
            hosts.append(host)
        }
        let starts = hosts.map(\.count)
        for host in hosts { try await host.join(world.projectID) }
        let writer = RoomWriter(hosts[0], projectID: world.projectID)
        try await writer.run(changes: 40, window: 10)
        let log = try await hosts[1].eventLog(projectID: world.projectID)
        for (host, start) in zip(hosts, starts) {
            try await RoomExpect.waitForSeq(host, 40, projectID: world.projectID, after: start)
            RoomExpect.delivered(
                host.messages(from: start),
                projectID: world.projectID,
                last: 40,
                log: log,
                reader: "host"
            )
        }

        // Once Redis is there, the hosts reconnect on their own and say so.
        let restartedAt = hosts.map(\.count)
        try absent.restart()
        for (host, index) in zip(hosts, restartedAt) {
            let status = try await host.waitFor("relay.status connected", after: index, timeout: .seconds(5)) {
                $0.method == "relay.status"
            }
            #expect(status.params == Self.connected)
        }
        try await writer.run(changes: 10, window: 10)
        for (host, start) in zip(hosts, starts) {
            try await RoomExpect.waitForSeq(host, 50, projectID: world.projectID, after: start)
            RoomExpect.delivered(host.messages(from: start), projectID: world.projectID, last: 50, reader: "host")
        }
        await RoomExpect.orderlyExit(world)
        absent.stop()
    }

    @Test(.timed) func redisPausedDeliveryContinuesThroughTheDatabase() async throws {
        let world = try RoomWorld(relay: .redis, userNames: ["alice", "bob", "carol"])
        let redis = try #require(world.redis)
        let (writer, readers) = try await room(world)
        let total = 800
        let writing = Task { try await writer.run(changes: total, window: 10, pause: .milliseconds(15)) }

        try await RoomExpect.eventually("200 changes") { writer.lastSeq >= 200 }
        redis.pause()
        let pausedAt = ContinuousClock.now
        let seqAtPause = writer.lastSeq
        // While Redis answers nothing, changes committed after the pause still reach both readers. The pause lasts
        // 3 s, or longer on a machine so busy that the writer has not written them by then.
        do {
            try await RoomExpect.eventually("20 changes during the pause", timeout: .seconds(10)) {
                writer.lastSeq >= seqAtPause + 20
            }
            for reader in readers {
                try await RoomExpect.waitForSeq(
                    reader.client,
                    seqAtPause + 20,
                    projectID: world.projectID,
                    after: reader.start,
                    timeout: pausedAt + .seconds(10) - ContinuousClock.now
                )
            }
        } catch {
            let received = readers.map { "\($0.name): \($0.client.messages.last(where: \.isEvent)?.seq ?? 0)" }
            let report =
                "delivery stalled while Redis was paused (seq \(seqAtPause) at the pause, \(writer.lastSeq) written, "
                + "readers at \(received.joined(separator: ", "))): \(error)"
            Issue.record(Comment(rawValue: report))
        }
        try await Task.sleep(until: pausedAt + .seconds(3))
        redis.resume()
        try await writing.value
        try await expectComplete(readers, total: Int64(total), world: world)

        // If the readers were told of the outage, they are told of the recovery too.
        for reader in readers {
            let start = reader.start
            guard reader.client.messages(from: start).contains(where: { $0.method == "relay.status" }) else { continue }
            try await reader.client.waitUntil("relay.status connected at \(reader.name)", timeout: .seconds(5)) {
                $0[start...].last { $0.method == "relay.status" }?.params == Self.connected
            }
        }
        await RoomExpect.orderlyExit(world)
    }
}
