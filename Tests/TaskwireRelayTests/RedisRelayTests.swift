import Dispatch
import Foundation
import Synchronization
import TaskwireRelay
import TaskwireSync
import TaskwireTestSupport
import TaskwireTranscripts
import Testing

@Suite struct RedisRelayTests {
    /// A started relay and what it received.
    struct Peer {
        var relay: RedisRelay
        var probe: RelayProbe
    }

    static func startPeer(url: String, namespace: String) throws -> Peer {
        let relay = RedisRelay(url: try RedisURL(parsing: url), namespace: namespace, logger: testLogger())
        let probe = RelayProbe()
        probe.start(relay)
        return Peer(relay: relay, probe: probe)
    }

    /// Two started peers on one namespace of a fresh Redis.
    final class TwoPeers {
        let server: RedisServer
        let a: Peer
        let b: Peer

        init() throws {
            server = try RedisServer()
            let namespace = uniqueNamespace()
            do {
                a = try RedisRelayTests.startPeer(url: server.url, namespace: namespace)
                b = try RedisRelayTests.startPeer(url: server.url, namespace: namespace)
            } catch {
                server.stop()
                throw error
            }
        }

        /// Stops both relays, then the server.
        func stop() {
            a.relay.stop()
            b.relay.stop()
            server.stop()
        }
    }

    @Test func deliversToEveryProcessInOrderAndByteExact() async throws {
        let peers = try TwoPeers()
        defer { peers.stop() }
        let (a, b) = (peers.a, peers.b)
        #expect(a.relay.kind == .redis)
        #expect(a.relay.state == .connected)
        #expect(b.relay.state == .connected)

        var large = [UInt8](repeating: 0, count: 1 << 20)
        for index in large.indices {
            large[index] = UInt8.random(in: 0...255)
        }
        let fromA: [[UInt8]] =
            [Array("first".utf8), Array(0...255), [], [0, 13, 10, 0], large]
            + (0..<200).map { Array("a-\($0)".utf8) }
        for payload in fromA {
            a.relay.publish(payload)
        }
        for peer in [a, b] {
            #expect(await eventually { peer.probe.messages.count >= fromA.count })
            #expect(peer.probe.messages == fromA)
        }

        let fromB = (0..<50).map { Array("b-\($0)".utf8) }
        for payload in fromB {
            b.relay.publish(payload)
        }
        for peer in [a, b] {
            #expect(await eventually { peer.probe.messages.count >= fromA.count + fromB.count })
            #expect(peer.probe.messages == fromA + fromB)
        }
        #expect(a.probe.stateChanges.isEmpty)
        #expect(b.probe.stateChanges.isEmpty)
    }

    /// `onQuiet` follows every burst, once the messages at hand are delivered: a receiver that holds what it wrote
    /// until then never holds the last message of a burst, and a burst that waited in the socket is one quiet.
    @Test func reportsTheEndOfEachBurst() async throws {
        let server = try RedisServer()
        defer { server.stop() }
        let namespace = uniqueNamespace()
        let a = try Self.startPeer(url: server.url, namespace: namespace)
        let b = RedisRelay(url: try RedisURL(parsing: server.url), namespace: namespace, logger: testLogger())
        let received = Locked<[[UInt8]]>([])
        let marks = Locked<[Int]>([])
        // Holds the subscriber thread at the first message, so that the burst waits in its socket meanwhile.
        let gate = DispatchSemaphore(value: 0)
        b.start(
            onMessage: { payload in
                let count = received.withLock { messages in
                    messages.append(payload)
                    return messages.count
                }
                if count == 1 { gate.wait() }
            },
            onStateChange: { _ in },
            onSubscribed: { _ in },
            onQuiet: {
                let count = received.withLock { $0.count }
                marks.withLock { $0.append(count) }
            }
        )
        defer {
            gate.signal()
            a.relay.stop()
            b.stop()
        }
        #expect(await eventually { a.relay.state == .connected && b.state == .connected })
        let first = Array("first".utf8)
        a.relay.publish(first)
        #expect(await eventually { received.withLock { $0.count } == 1 })
        let burst = (0..<300).map { Array("burst-\($0)".utf8) }
        for payload in burst { a.relay.publish(payload) }
        // Every PUBLISH answered: Redis has written the burst to the subscriber's socket.
        a.relay.flush(timeoutMilliseconds: 5000)
        try await Task.sleep(for: .milliseconds(100))
        // Quiet is told before each wait on the socket (also while nothing comes), never while a message is held.
        let before = marks.withLock { $0 }
        #expect(before.allSatisfy { $0 == 0 }, "\(before)")
        gate.signal()
        #expect(await eventually { marks.withLock { $0.last } == 1 + burst.count })
        #expect(received.withLock { $0 } == [first] + burst)
        let seen = marks.withLock { $0 }
        #expect(seen == seen.sorted())
        // The first message's own read, then a few reads of the socket's 16 KiB each: one quiet per read, not per
        // message.
        let afterRelease = Set(seen[before.count...])
        #expect(afterRelease.count <= 6, "\(seen[before.count...])")
    }

    /// What one thread publishes in `publishingTogether` leaves when the body returns, in order, in one write; another
    /// thread's publishes meanwhile are not held.
    @Test func publishesHeldTogetherLeaveInOrderWhenTheBodyReturns() async throws {
        let peers = try TwoPeers()
        defer { peers.stop() }
        let (a, b) = (peers.a, peers.b)
        #expect(await eventually { a.relay.state == .connected && b.relay.state == .connected })
        let held = (0..<100).map { Array("held-\($0)".utf8) }
        let other = Array("from another thread".utf8)
        var seenWhileHeld: [[UInt8]] = []
        a.relay.publishingTogether {
            for payload in held { a.relay.publish(payload) }
            let published = DispatchSemaphore(value: 0)
            let thread = Thread {
                a.relay.publish(other)
                published.signal()
            }
            thread.start()
            published.wait()
            // Long enough for anything written to have come back through Redis many times over.
            usleep(300_000)
            seenWhileHeld = b.probe.messages
        }
        let expected = ["from another thread"] + (0..<100).map { "held-\($0)" }
        #expect(seenWhileHeld.map { String(decoding: $0, as: UTF8.self) } == ["from another thread"])
        #expect(await eventually { b.probe.messages.count >= expected.count })
        #expect(b.probe.texts == expected)
        #expect(a.probe.texts == expected)
    }

    @Test func namespacesAreIsolated() async throws {
        let server = try RedisServer()
        defer { server.stop() }
        let one = try Self.startPeer(url: server.url, namespace: uniqueNamespace())
        let two = try Self.startPeer(url: server.url, namespace: uniqueNamespace())
        defer {
            one.relay.stop()
            two.relay.stop()
        }
        #expect(await eventually { one.relay.state == .connected && two.relay.state == .connected })

        one.relay.publish(Array("one".utf8))
        two.relay.publish(Array("two".utf8))
        #expect(await eventually { one.probe.texts == ["one"] && two.probe.texts == ["two"] })
        // Redis has handled both PUBLISH commands; a fence published now reaches each subscriber after anything
        // that leaked from the other namespace would have.
        one.relay.publish(Array("fence".utf8))
        two.relay.publish(Array("fence".utf8))
        #expect(await eventually { one.probe.messages.count >= 2 && two.probe.messages.count >= 2 })
        #expect(one.probe.texts == ["one", "fence"])
        #expect(two.probe.texts == ["two", "fence"])
    }

    @Test func recoversWhenRedisRestarts() async throws {
        let peers = try TwoPeers()
        defer { peers.stop() }
        let (server, a, b) = (peers.server, peers.a, peers.b)
        #expect(await eventually { a.relay.state == .connected && b.relay.state == .connected })

        server.kill()
        #expect(await eventually { a.probe.stateChanges.last == .degraded && b.probe.stateChanges.last == .degraded })
        #expect(a.relay.state == .degraded)
        a.relay.publish(Array("lost".utf8))

        try server.restart()
        #expect(
            await eventually { a.probe.stateChanges.last == .connected && b.probe.stateChanges.last == .connected }
        )
        #expect(a.relay.state == .connected)
        a.relay.publish(Array("after restart".utf8))
        for peer in [a, b] {
            #expect(await eventually { peer.probe.texts.contains("after restart") })
            #expect(peer.probe.texts == ["after restart"])
            #expect(peer.probe.stateChanges.first == .degraded)
            expectAlternating(peer.probe.stateChanges)
        }
    }

    @Test func declaresAPausedRedisDeadAndRecovers() async throws {
        let peers = try TwoPeers()
        defer { peers.stop() }
        let (server, a, b) = (peers.server, peers.a, peers.b)
        #expect(await eventually { a.relay.state == .connected && b.relay.state == .connected })

        server.pause()
        let noticed = await eventually {
            a.probe.stateChanges.last == .degraded && b.probe.stateChanges.last == .degraded
        }
        server.resume()
        #expect(noticed)
        #expect(
            await eventually { a.probe.stateChanges.last == .connected && b.probe.stateChanges.last == .connected }
        )
        b.relay.publish(Array("after pause".utf8))
        for peer in [a, b] {
            #expect(await eventually { peer.probe.texts.contains("after pause") })
            #expect(peer.probe.stateChanges.first == .degraded)
            expectAlternating(peer.probe.stateChanges)
        }
    }

    @Test func startsDegradedWhenRedisIsDownAndConnectsLater() async throws {
        let server = try RedisServer()
        defer { server.stop() }
        server.kill()
        let peer = try Self.startPeer(url: server.url, namespace: uniqueNamespace())
        defer { peer.relay.stop() }
        #expect(peer.relay.state == .degraded)
        peer.relay.publish(Array("dropped".utf8))

        try server.restart()
        #expect(await eventually { peer.probe.stateChanges == [.connected] })
        #expect(peer.relay.state == .connected)
        peer.relay.publish(Array("delivered".utf8))
        #expect(await eventually { !peer.probe.messages.isEmpty })
        #expect(peer.probe.texts == ["delivered"])
    }

    @Test func authenticatesWithPasswordOrUser() async throws {
        let server = try RedisServer(extraArguments: [
            "--requirepass", "p@ss:w/rd", "--user", "alice", "on", ">wonderland", "~*", "&*", "+@all",
        ])
        defer { server.stop() }
        let namespace = uniqueNamespace()
        let host = "127.0.0.1:\(server.port)"
        let withPassword = try Self.startPeer(url: "redis://:p%40ss%3Aw%2Frd@\(host)", namespace: namespace)
        let withUser = try Self.startPeer(url: "redis://alice:wonderland@\(host)/1", namespace: namespace)
        let wrong = try Self.startPeer(url: "redis://alice:nope@\(host)", namespace: namespace)
        let anonymous = try Self.startPeer(url: server.url, namespace: namespace)
        defer {
            for peer in [withPassword, withUser, wrong, anonymous] {
                peer.relay.stop()
            }
        }
        #expect(await eventually { withPassword.relay.state == .connected && withUser.relay.state == .connected })
        withPassword.relay.publish(Array("secret handshake".utf8))
        #expect(await eventually { withUser.probe.texts == ["secret handshake"] })
        #expect(wrong.relay.state == .degraded)
        #expect(anonymous.relay.state == .degraded)
        #expect(wrong.probe.messages.isEmpty)
    }

    @Test func stopIsIdempotentAndEndsCallbacks() async throws {
        let server = try RedisServer()
        defer { server.stop() }
        let peer = try Self.startPeer(url: server.url, namespace: uniqueNamespace())
        #expect(await eventually { peer.relay.state == .connected })
        peer.relay.stop()
        peer.relay.stop()
        #expect(peer.relay.state == .degraded)
        peer.relay.publish(Array("after stop".utf8))
        server.kill()
        #expect(peer.probe.stateChanges.isEmpty)
        #expect(peer.probe.messages.isEmpty)
    }

    @Test func canBeStoppedFromItsOwnCallback() async throws {
        let server = try RedisServer()
        defer { server.stop() }
        let relay = RedisRelay(
            url: try RedisURL(parsing: server.url),
            namespace: uniqueNamespace(),
            logger: testLogger()
        )
        let received = Atomic(0)
        relay.start(
            onMessage: { _ in
                received.add(1, ordering: .relaxed)
                relay.stop()
            },
            onStateChange: { _ in }
        )
        #expect(await eventually { relay.state == .connected })
        relay.publish(Array("stop".utf8))
        #expect(await eventually { received.load(ordering: .relaxed) == 1 })
        #expect(relay.state == .degraded)
        relay.stop()
    }
}
