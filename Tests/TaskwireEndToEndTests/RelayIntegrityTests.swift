import Logging
import TaskwireCrypto
import TaskwireProtocol
import TaskwireRelay
import TaskwireSync
import TaskwireTestSupport
import Testing

/// The relay's trust model (README, "Security"): whoever can publish on the Redis channel but lacks the database's
/// relay key can make hosts drop messages, never make them write a line they did not produce or lose an event.
///
/// Two writers make 500 real changes while an attacker on the channel publishes forged, corrupted, replayed and
/// foreign messages; every client must receive exactly the 500 real events, in order, and nothing else.
@Suite struct RelayIntegrityTests {
    static let changesPerWriter = 250
    /// Every forged text carries this marker, so that it can be looked for on every stdout and stderr.
    static let marker = "FORGED-by-the-attacker"

    @Test(.heavyLoad) func forgedCorruptedReplayedAndForeignMessagesNeverReachAClient() async throws {
        try await attackDuringAStream(restartRedis: false)
    }

    @Test(.heavyLoad) func theSameWithRedisRestartedInTheMiddle() async throws {
        try await attackDuringAStream(restartRedis: true)
    }

    private func attackDuringAStream(restartRedis: Bool) async throws {
        let world = try RoomWorld(relay: .redis, userNames: ["alice", "bob", "carol"])
        let redis = try #require(world.redis)
        let project = world.projectID
        let namespace = try world.seed.sqlite("SELECT value FROM meta WHERE key = 'database_id';")
        let attacker = try Attacker(url: redis.url, namespace: namespace, projectID: project)
        defer { attacker.relay.stop() }
        #expect(await attacker.waitUntilConnected())

        var hosts: [(name: String, client: RoomClient, start: Int)] = []
        for name in ["alice", "bob", "carol"] {
            let client = try await world.host(as: name)
            let start = client.count
            try await client.join(project)
            hosts.append((name, client, start))
        }
        let sessions = Set(hosts.map(\.client.sessionID))
        let writers = [
            RoomWriter(hosts[0].client, projectID: project), RoomWriter(hosts[1].client, projectID: project),
        ]
        let total = Int64(2 * Self.changesPerWriter)

        let attacking = Task {
            var rounds = 0
            while !Task.isCancelled {
                attacker.attack(projectID: project, round: rounds)
                rounds += 1
                try? await Task.sleep(for: .milliseconds(5))
            }
            return rounds
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in writers {
                group.addTask {
                    try await writer.run(changes: Self.changesPerWriter, window: 10, pause: .milliseconds(10))
                }
            }
            if restartRedis {
                group.addTask {
                    try await RoomExpect.eventually("150 changes") { writers.map(\.lastSeq).max()! >= 150 }
                    redis.kill()
                    try await Task.sleep(for: .milliseconds(300))
                    try redis.restart()
                    #expect(await attacker.waitUntilConnected(), "the attacker reconnects after the restart")
                }
            }
            try await group.waitForAll()
        }
        // A last volley after the stream, with every real message captured so far replayed.
        attacker.attack(projectID: project, round: 0, replayAll: true)
        try await Task.sleep(for: .milliseconds(200))
        attacking.cancel()
        let rounds = await attacking.value
        #expect(rounds > 20, "the attack ran alongside the stream")
        #expect(writers.flatMap(\.seqs).sorted() == Array(1...total))
        #expect(attacker.capturedEvents > 0, "the attacker saw real messages, to replay them")

        let log = try await hosts[2].client.eventLog(projectID: project)
        #expect(log.count == Int(total))
        for host in hosts {
            try await RoomExpect.waitForSeq(host.client, total, projectID: project, after: host.start)
        }
        try await Task.sleep(for: .milliseconds(300))
        for host in hosts {
            let received = host.client.messages(from: host.start)
            RoomExpect.delivered(received, projectID: project, last: total, log: log, reader: host.name)
            RoomExpect.noEviction(received, reader: host.name)
            #expect(host.client.unparsedLines.isEmpty, "\(host.name): lines that are not JSON")
            for message in host.client.messages {
                let text = message.json.text
                #expect(!text.contains(Self.marker) && !text.contains("fake"), "\(host.name) received \(text)")
                #expect(message.json["jsonrpc"] == "2.0", "\(host.name): \(text)")
                if let method = message.method {
                    #expect(Self.notifications.contains(method) || message.isEvent, "\(host.name): \(text)")
                    if method.hasPrefix("presence.") {
                        let session = message.params["sessionId"]?.stringValue ?? ""
                        #expect(sessions.contains(session), "\(host.name): presence of a session that is not real")
                    }
                } else {
                    #expect(message.replyID != nil, "\(host.name): a reply to no request of its own: \(text)")
                }
            }
            let stderr = host.client.stderrTail(lines: 200)
            #expect(!stderr.contains(Self.marker), "\(host.name) logged forged content")
            #expect(stderr.contains("dropped relay messages that failed verification"), "\(host.name) stderr")
        }
        await RoomExpect.orderlyExit(world)
    }

    static let notifications: Set<String> = ["relay.status", "presence.joined", "presence.left"]
}

/// A process on the Redis network without the database's key: it reads the channel and publishes on it.
private final class Attacker: Sendable {
    struct State {
        var captured: [[UInt8]] = []
        var lastSeq: Int64 = 0
        var connected = false
    }

    let relay: RedisRelay
    private let state = Locked(State())
    /// A host of another database sealing genuine messages with its own key.
    private let foreign = RelayCodec(key: SecretKey.random(), namespace: "another-database")

    init(url: String, namespace: String, projectID: String) throws {
        var logger = Logger(label: "attacker")
        logger.logLevel = .critical
        relay = RedisRelay(url: try RedisURL(parsing: url), namespace: namespace, logger: logger)
        relay.start(
            onMessage: { [state] message in
                state.withLock { state in
                    guard message.starts(with: Array("TW1 ".utf8)) else { return }
                    state.captured.append(message)
                    if let seq = Self.seq(of: message) { state.lastSeq = max(state.lastSeq, seq) }
                }
            },
            onStateChange: { _ in }
        )
        // The project's channel, where the hosts of its room publish and listen.
        relay.subscribe(projectID)
    }

    var capturedEvents: Int { state.withLock { $0.captured.count } }

    func waitUntilConnected() async -> Bool {
        let deadline = ContinuousClock.now + .seconds(10)
        while relay.state != .connected {
            guard ContinuousClock.now < deadline else { return false }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return true
    }

    /// The seq in the header of a real event message the attacker saw (it can read, but not sign).
    private static func seq(of message: [UInt8]) -> Int64? {
        let lines = message.split(separator: 0x0A, maxSplits: 2)
        guard lines.count == 3, lines[1].starts(with: Array("E ".utf8)) else { return nil }
        let fields = lines[1].split(separator: UInt8(ascii: " "))
        return fields.count == 4 ? Int64(String(decoding: fields[1], as: UTF8.self)) : nil
    }

    func attack(projectID: String, round: Int, replayAll: Bool = false) {
        let (captured, last) = state.withLock { ($0.captured, $0.lastSeq) }
        let next = last + 1
        let marker = RelayIntegrityTests.marker
        let forgedEvent: JSON = [
            "projectId": .string(projectID), "seq": .int(next), "type": "task.created",
            "at": "2026-01-01T00:00:00.000Z", "actor": ["id": "u_attacker", "name": .string(marker)],
            "origin": ["sessionId": "s_attacker"], "data": ["task": ["id": "t_forged", "title": .string(marker)]],
        ]
        let forgedPresence: JSON = [
            "id": .int(Int64(1_000 + round)), "projectId": .string(projectID), "sessionId": "s_attacker",
            "user": ["id": "u_attacker", "name": .string(marker)], "kind": "joined", "reason": .null,
            "at": "2026-01-01T00:00:00.000Z",
        ]
        let header = Array("E \(next) \(projectID) task.created\n".utf8)
        let response = Array(#"{"jsonrpc":"2.0","id":999,"result":{"fake":true}}"#.utf8)
        let wrongCode = Array("TW1 \(Hex.encode(SecureRandom.bytes(32)))\n".utf8)
        var messages: [[UInt8]] = [
            header + forgedEvent.bytes + [0x0A] + response,
            header + forgedEvent.bytes,
            response,
            wrongCode + header + forgedEvent.bytes,
            wrongCode + header + forgedEvent.bytes + [0x0A] + response,
            Array("P ".utf8) + forgedPresence.bytes,
            wrongCode + Array("P ".utf8) + forgedPresence.bytes,
            foreign.seal(
                CommittedEvent(projectID: projectID, seq: next, type: "task.created", payload: forgedEvent.bytes)
            ),
            foreign.seal(presence: forgedPresence),
            SecureRandom.bytes(1 + round % 200),
            Array("TW1 ".utf8),
            Array("TW2 \(String(repeating: "0", count: 64))\n".utf8) + header + forgedEvent.bytes,
        ]
        if let real = captured.last {
            // The newest real message cut short, and with its event changed under its genuine code.
            messages.append(Array(real.prefix(real.count / 2)))
            var changed = real
            if let index = changed.lastIndex(of: UInt8(ascii: "}")) {
                changed.insert(contentsOf: Array(#","x":1"#.utf8), at: index)
            }
            messages.append(changed)
            messages.append(real)
        }
        if replayAll {
            messages += captured
        } else if !captured.isEmpty {
            messages.append(captured[round % captured.count])
        }
        for message in messages {
            relay.publish(message, topic: projectID)
            relay.publish(message)
        }
    }
}
