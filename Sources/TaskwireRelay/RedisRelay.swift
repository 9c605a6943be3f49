import Dispatch
import Foundation
public import Logging
import TaskwireSync

/// The relay over Redis pub/sub: one channel per database, `taskwire:<namespace>:events`.
///
/// Two connections, each owned by its own thread: the publisher thread drains a queue and pipelines PUBLISH
/// commands; the subscriber thread holds SUBSCRIBE, delivers messages and probes the connection with PING when it is
/// quiet, so that a Redis that stopped answering (paused, or restarted behind a healthy-looking socket) is noticed.
/// Both reconnect with backoff; the relay is `.connected` only while both connections are up and subscribed.
public final class RedisRelay: Relay {
    private let core: Core

    public init(url: RedisURL, namespace: String, logger: Logger) {
        var logger = logger
        logger[metadataKey: "redis"] = "\(url)"
        core = Core(url: url, channel: Array("taskwire:\(namespace):events".utf8), logger: logger)
    }

    deinit {
        core.stop()
    }

    public var kind: String { "redis" }

    public var state: RelayState { core.state }

    public func start(
        onMessage: @escaping @Sendable ([UInt8]) -> Void,
        onStateChange: @escaping @Sendable (RelayState) -> Void
    ) {
        core.start(onMessage: onMessage, onStateChange: onStateChange)
    }

    public func publish(_ payload: [UInt8]) {
        core.publish(payload)
    }

    /// Stops both threads and closes both connections; after it returns no callback runs any more and `state` is
    /// `.degraded`. When called from a callback (that is, on a relay thread) it does not wait for the threads.
    public func stop() {
        core.stop()
    }

    public func flush(timeoutMilliseconds: Int) {
        let deadline = ContinuousClock.now + .milliseconds(timeoutMilliseconds)
        while core.shared.withLock({ $0.isLive && !$0.stopped && (!$0.queue.isEmpty || $0.sending) }) {
            guard ContinuousClock.now < deadline else { return }
            core.publisherWakeup.signal()
            usleep(500)
        }
    }
}

extension RedisRelay {
    /// Tunables of the connection handling.
    enum Timing {
        static let connectTimeout: Duration = .seconds(1)
        /// Bounds every blocking read and write, and so how long a thread takes to notice `stop()`.
        static let ioTimeout: Duration = .milliseconds(500)
        /// Bounds AUTH plus the PING or SUBSCRIBE that proves a new connection is served.
        static let handshakeTimeout: Duration = .seconds(1)
        /// How long start() waits for the first connection attempts.
        static let firstAttemptWait: Duration = .milliseconds(300)
        /// Quiet time on a connection after which it is probed with PING.
        static let pingAfter: Duration = .seconds(1)
        /// Silence while a reply is due (to PING or PUBLISH) after which a connection is declared dead.
        static let silenceLimit: Duration = .seconds(2)
        /// How often an idle publisher checks that its connection was not closed.
        static let idleCheckInterval: Duration = .milliseconds(200)
        static let firstBackoff: Duration = .milliseconds(50)
        static let maximumBackoff: Duration = .seconds(1)
        /// How long stop() waits for the threads to exit.
        static let stopWait: Duration = .seconds(3)
    }

    /// Payload bytes allowed in the publish queue; past it, payloads are dropped as while degraded.
    static let maximumQueuedBytes = 64 << 20

    enum Command {
        static let auth = Array("AUTH".utf8)
        static let ping = Array("PING".utf8)
        static let publish = Array("PUBLISH".utf8)
        static let subscribe = Array("SUBSCRIBE".utf8)
    }

    /// The two connections; the relay is connected when both are up.
    enum Side: String {
        case publisher
        case subscriber
    }

    /// Why a thread stopped using its connection.
    enum SessionEnd {
        case stopped
        /// The other connection was lost; this one is presumed dead too and is reopened.
        case invalidated
        case failed(RedisConnectionError)
    }

    /// The shared part of the relay, referenced by both threads, so that dropping the last reference to the
    /// `RedisRelay` stops them.
    final class Core: Sendable {
        struct State {
            var started = false
            var stopped = false
            /// Set by start() once the first attempts are over; before that, changes are not reported.
            var initialized = false
            /// Counts connection losses. A connection opened in an earlier generation no longer counts as up: any loss
            /// sends both connections back through a reconnect, so that `.connected` always means both were opened
            /// (and proven to work) after the last failure, even when one thread noticed it late.
            var generation = 0
            var publisherUp = false
            var subscriberUp = false
            /// The state last reported (or fixed as the initial one by start()).
            var reported: RelayState = .degraded
            var queue: [[UInt8]] = []
            var queuedBytes = 0
            /// The publisher thread is about to wait, or waiting, on `publisherWakeup`.
            var publisherWaiting = false
            /// The publisher thread has taken payloads and not yet read all their replies.
            var sending = false
            /// The relay's threads, to recognize a stop() called from a callback. A thread object stays alive while its
            /// thread runs, so no other thread can take its identifier before that.
            var threads: [ObjectIdentifier] = []

            var isLive: Bool { publisherUp && subscriberUp }
        }

        let url: RedisURL
        let channel: [UInt8]
        let logger: Logger
        let shared = Locked(State())
        /// Serializes state-change callbacks so that they arrive in the order the changes were decided.
        /// Lock order: `transitions`, then `shared`; never the reverse.
        let transitions = ConditionLock()
        let publisherWakeup = DispatchSemaphore(value: 0)
        let subscriberWakeup = DispatchSemaphore(value: 0)
        let firstAttempts = DispatchSemaphore(value: 0)
        let running = DispatchGroup()

        init(url: RedisURL, channel: [UInt8], logger: Logger) {
            self.url = url
            self.channel = channel
            self.logger = logger
        }

        var state: RelayState { shared.withLock { $0.reported } }

        var isStopped: Bool { shared.withLock { $0.stopped } }

        func start(
            onMessage: @escaping @Sendable ([UInt8]) -> Void,
            onStateChange: @escaping @Sendable (RelayState) -> Void
        ) {
            let publisher = Thread { [self] in
                runPublisher(onStateChange: onStateChange)
                running.leave()
            }
            let subscriber = Thread { [self] in
                runSubscriber(onMessage: onMessage, onStateChange: onStateChange)
                running.leave()
            }
            publisher.name = "taskwire.relay.publisher"
            subscriber.name = "taskwire.relay.subscriber"
            // Entered before the threads are published to stop(), so that stop() always waits for them.
            running.enter()
            running.enter()
            let shouldStart = shared.withLock { state in
                guard !state.started, !state.stopped else { return false }
                state.started = true
                state.threads = [ObjectIdentifier(publisher), ObjectIdentifier(subscriber)]
                return true
            }
            guard shouldStart else {
                running.leave()
                running.leave()
                logger.warning("the relay was already started or stopped; start() ignored")
                return
            }
            publisher.start()
            subscriber.start()

            let deadline = DispatchTime.now() + Timing.firstAttemptWait.dispatchInterval
            _ = firstAttempts.wait(timeout: deadline)
            _ = firstAttempts.wait(timeout: deadline)
            let initial = shared.withLock { state in
                state.initialized = true
                state.reported = state.isLive ? .connected : .degraded
                return state.reported
            }
            logger.info("relay started", metadata: ["state": "\(initial.rawValue)"])
        }

        func publish(_ payload: [UInt8]) {
            let (wake, dropReason) = shared.withLock { state -> (Bool, String?) in
                guard !state.stopped else { return (false, "stopped") }
                guard state.isLive else { return (false, "degraded") }
                guard state.queuedBytes + payload.count <= maximumQueuedBytes else { return (false, "queue full") }
                state.queue.append(payload)
                state.queuedBytes += payload.count
                defer { state.publisherWaiting = false }
                return (state.publisherWaiting, nil)
            }
            if wake {
                publisherWakeup.signal()
            }
            if let dropReason {
                logger.debug("payload dropped", metadata: ["reason": "\(dropReason)", "bytes": "\(payload.count)"])
            }
        }

        func stop() {
            let threads = shared.withLock { state in
                state.stopped = true
                state.publisherUp = false
                state.subscriberUp = false
                state.reported = .degraded
                state.queue = []
                state.queuedBytes = 0
                return state.threads
            }
            guard !threads.isEmpty else { return }
            publisherWakeup.signal()
            subscriberWakeup.signal()
            guard !threads.contains(ObjectIdentifier(Thread.current)) else { return }
            if running.wait(timeout: .now() + Timing.stopWait.dispatchInterval) == .timedOut {
                logger.warning("relay threads did not stop in time")
            }
        }
    }
}

extension Duration {
    var dispatchInterval: DispatchTimeInterval {
        .nanoseconds(Int(self / .nanoseconds(1)))
    }
}
