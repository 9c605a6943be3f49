import Dispatch
import Foundation
public import Logging
public import TaskwireProtocol
import TaskwireSync

/// The relay over Redis pub/sub: a channel per project (`taskwire:<namespace>:p:<projectId>`), subscribed while a
/// session of this host is in the project's room, so that a host receives only the traffic of its rooms; and a
/// database-wide channel, `taskwire:<namespace>:events`.
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
        core = Core(url: url, prefix: "taskwire:\(namespace):", logger: logger)
    }

    deinit {
        core.stop()
    }

    public var kind: RelayKind { .redis }

    public var state: RelayState { core.state }

    public func start(
        onMessage: @escaping @Sendable ([UInt8]) -> Void,
        onStateChange: @escaping @Sendable (RelayState) -> Void,
        onSubscribed: @escaping @Sendable (String) -> Void,
        onQuiet: @escaping @Sendable () -> Void
    ) {
        core.start(onMessage: onMessage, onStateChange: onStateChange, onSubscribed: onSubscribed, onQuiet: onQuiet)
    }

    public func publish(_ payload: [UInt8]) {
        core.publish(payload, on: core.channel)
    }

    public func publish(_ payload: [UInt8], topic: String) {
        core.publish(payload, on: core.channel(ofTopic: topic))
    }

    public func publishingTogether(_ body: () -> Void) {
        core.publishingTogether(body)
    }

    /// Adds the topic's channel to the subscriber connection: the subscriber thread is woken through this host's
    /// control channel, so that the subscription takes effect within a round trip.
    public func subscribe(_ topic: String) {
        let changed = core.shared.withLock { $0.topics.insert(topic).inserted }
        if changed { core.publish([UInt8(ascii: "w")], on: core.controlChannel) }
    }

    public func unsubscribe(_ topic: String) {
        let changed = core.shared.withLock { $0.topics.remove(topic) != nil }
        if changed { core.publish([UInt8(ascii: "w")], on: core.controlChannel) }
    }

    /// Stops both threads and closes both connections; after it returns no callback runs any more and `state` is
    /// `.degraded`. When called from a callback (that is, on a relay thread) it does not wait for the threads.
    public func stop() {
        core.stop()
    }

    public func flush(timeoutMilliseconds: Int) {
        let deadline = MonotonicClock.deadline(afterMilliseconds: timeoutMilliseconds)
        core.publisherWakeup.signal()
        // The publisher broadcasts `idle` (holding it) each time it has sent what it took, so checking the queue
        // with `idle` held cannot miss that wake-up.
        core.idle.withLock {
            while core.shared.withLock({ state in
                state.isLive && !state.stopped
                    && (!state.queue.isEmpty || state.sending || state.directReplies > 0)
            }) {
                guard core.idle.wait(untilNanoseconds: deadline) || MonotonicClock.now() < deadline else { return }
            }
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
        static let unsubscribe = Array("UNSUBSCRIBE".utf8)
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
            var queue: [Queued] = []
            var queuedBytes = 0
            /// The topics this host wants; the subscriber thread brings its subscriptions in line.
            var topics: Set<String> = []
            /// The publisher thread is about to wait, or waiting, on `publisherWakeup`.
            var publisherWaiting = false
            /// The publisher thread has taken payloads and not yet read all their replies.
            var sending = false
            /// The publisher connection's socket while the publisher thread serves it: while that thread waits,
            /// another thread may write a PUBLISH to it itself (see ``writeDirectly(_:state:)``).
            var publisherSocket: Int32?
            /// PUBLISH commands written by other threads whose replies the publisher thread has yet to read.
            var directReplies = 0
            /// The unwritten end of a PUBLISH that another thread could write only in part; the publisher thread
            /// writes it before anything else.
            var directRemainder: [UInt8] = []
            /// The publisher and subscriber threads, once started.
            var workers: [WorkerThread] = []
            /// The thread inside ``publishingTogether(_:)``, and what it published meanwhile.
            var holder: Holder?

            var isLive: Bool { publisherUp && subscriberUp }
        }

        /// Publishes held for one thread until its ``publishingTogether(_:)`` ends.
        struct Holder: @unchecked Sendable {
            // @unchecked Sendable: a pthread_t is an opaque thread id, only compared.
            let thread: pthread_t
            var held: [Queued] = []
        }

        /// A payload waiting for the publisher, with its channel.
        struct Queued {
            var channel: [UInt8]
            var payload: [UInt8]
        }

        let url: RedisURL
        /// `taskwire:<namespace>:`, the start of every channel of this database.
        let prefix: String
        /// The database-wide channel.
        let channel: [UInt8]
        /// This host's own channel: a message on it only wakes the subscriber to update its subscriptions.
        let controlChannel: [UInt8]
        let logger: Logger
        let shared = Locked(State())
        /// Serializes state-change callbacks so that they arrive in the order the changes were decided.
        /// Lock order: `transitions`, then `shared`; never the reverse.
        let transitions = ConditionLock()
        /// Broadcast by the publisher whenever it has sent everything it took; see ``RedisRelay/flush(timeoutMilliseconds:)``.
        /// Lock order: `idle`, then `shared`.
        let idle = ConditionLock()
        let publisherWakeup = DispatchSemaphore(value: 0)
        let subscriberWakeup = DispatchSemaphore(value: 0)
        let firstAttempts = DispatchSemaphore(value: 0)

        init(url: RedisURL, prefix: String, logger: Logger) {
            self.url = url
            self.prefix = prefix
            channel = Array("\(prefix)events".utf8)
            controlChannel = Array("\(prefix)host:\(UInt64.random(in: 1...UInt64.max))".utf8)
            self.logger = logger
        }

        var state: RelayState { shared.withLock { $0.reported } }

        var isStopped: Bool { shared.withLock { $0.stopped } }

        func channel(ofTopic topic: String) -> [UInt8] {
            Array("\(prefix)p:\(topic)".utf8)
        }

        /// The topic of a project channel of this database, or nil for any other channel.
        func topic(ofChannel channel: [UInt8]) -> String? {
            let start = Array("\(prefix)p:".utf8)
            guard channel.starts(with: start) else { return nil }
            return String(decoding: channel[start.count...], as: UTF8.self)
        }

        func start(
            onMessage: @escaping @Sendable ([UInt8]) -> Void,
            onStateChange: @escaping @Sendable (RelayState) -> Void,
            onSubscribed: @escaping @Sendable (String) -> Void,
            onQuiet: @escaping @Sendable () -> Void
        ) {
            let shouldStart = shared.withLock { state in
                guard !state.started, !state.stopped else { return false }
                state.started = true
                return true
            }
            guard shouldStart else {
                logger.warning("the relay was already started or stopped; start() ignored")
                return
            }
            let publisher = WorkerThread.start(name: "tw.relay.pub") { [self] in
                runPublisher(onStateChange: onStateChange)
            }
            let subscriber = WorkerThread.start(name: "tw.relay.sub") { [self] in
                runSubscriber(
                    onMessage: onMessage,
                    onStateChange: onStateChange,
                    onSubscribed: onSubscribed,
                    onQuiet: onQuiet
                )
            }
            shared.withLock { $0.workers = [publisher, subscriber] }

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

        func publish(_ payload: [UInt8], on channel: [UInt8]) {
            let item = Queued(channel: channel, payload: payload)
            let (wake, dropReason) = shared.withLock { state -> (Bool, String?) in
                guard !state.stopped else { return (false, "stopped") }
                guard state.isLive else { return (false, "degraded") }
                if let holder = state.holder, pthread_equal(holder.thread, pthread_self()) != 0 {
                    state.holder?.held.append(item)
                    return (false, nil)
                }
                let (wake, dropped) = handOn([item], state: &state)
                return (wake, dropped > 0 ? "queue full" : nil)
            }
            if wake {
                publisherWakeup.signal()
            }
            if let dropReason {
                logger.debug("payload dropped", metadata: ["reason": "\(dropReason)", "bytes": "\(payload.count)"])
            }
        }

        /// Replies to direct writes the publisher thread is woken to read, at the latest.
        static let directRepliesPerWake = 64

        /// Runs `body` holding what the calling thread publishes in it, then hands all of it on at once, in order:
        /// one write of all their PUBLISH commands (or one hand-off to the publisher thread) instead of one each.
        /// Another thread publishing meanwhile is not held; nor is this thread when another already holds.
        func publishingTogether(_ body: () -> Void) {
            let holding = shared.withLock { state -> Bool in
                guard state.holder == nil else { return false }
                state.holder = Holder(thread: pthread_self())
                return true
            }
            body()
            guard holding else { return }
            let (wake, dropped) = shared.withLock { state -> (Bool, Int) in
                let held = state.holder?.held ?? []
                state.holder = nil
                guard !held.isEmpty else { return (false, 0) }
                // Dropped like any publish while the relay is down: receivers read the log instead.
                guard !state.stopped, state.isLive else { return (false, held.count) }
                return handOn(held, state: &state)
            }
            if wake { publisherWakeup.signal() }
            if dropped > 0 { logger.debug("payloads dropped", metadata: ["count": "\(dropped)"]) }
        }

        /// Hands payloads of a publishing thread on, in order: written to the socket at once when the publisher
        /// thread waits with nothing queued (``writeDirectly(_:state:)``), else queued for it while the queue has
        /// room (the rest dropped). Returns whether to wake the publisher thread, and how many were dropped. Runs
        /// with `shared` held.
        private func handOn(_ items: [Queued], state: inout State) -> (wake: Bool, dropped: Int) {
            if let wake = writeDirectly(items, state: &state) { return (wake, 0) }
            var dropped = 0
            for item in items {
                guard state.queuedBytes + item.payload.count <= maximumQueuedBytes else {
                    dropped += 1
                    continue
                }
                state.queue.append(item)
                state.queuedBytes += item.payload.count
            }
            // Nothing queued: nothing to wake the publisher thread for.
            guard dropped < items.count else { return (false, dropped) }
            defer { state.publisherWaiting = false }
            return (state.publisherWaiting, dropped)
        }

        /// Writes the PUBLISH commands of `payloads` to the publisher's socket from the calling thread, in one
        /// write, when the publisher thread waits with nothing queued and nothing half-written: a publish then costs
        /// no thread hand-off, which is a wake-up on the path of every event to the other hosts. The write never
        /// blocks (`MSG_DONTWAIT`); what does not fit in the socket is left to the publisher thread, and a socket
        /// that takes nothing sends the payloads down the queue as before. The publisher thread reads the replies
        /// later, all at once (at least every ``directRepliesPerWake`` of them), and so still notices a Redis that
        /// stopped answering.
        ///
        /// Returns nil when nothing was written (the caller queues the payloads), else whether to wake the publisher.
        /// Runs with `shared` held, which keeps the publisher thread off the socket meanwhile.
        private func writeDirectly(_ payloads: [Queued], state: inout State) -> Bool? {
            guard state.publisherWaiting, state.queue.isEmpty, !state.sending, state.directRemainder.isEmpty,
                let socket = state.publisherSocket
            else { return nil }
            var command: [UInt8] = []
            for item in payloads {
                guard let one = RedisConnection.format([RedisRelay.Command.publish, item.channel, item.payload])
                else { return nil }
                if command.isEmpty { command = one } else { command += one }
            }
            let written = command.withUnsafeBytes { bytes in
                send(socket, bytes.baseAddress, bytes.count, Int32(MSG_DONTWAIT | MSG_NOSIGNAL))
            }
            guard written > 0 else { return nil }
            state.directReplies += payloads.count
            if written < command.count { state.directRemainder = Array(command[written...]) }
            guard state.directReplies >= Self.directRepliesPerWake || !state.directRemainder.isEmpty else {
                return false
            }
            state.publisherWaiting = false
            return true
        }

        func stop() {
            let workers = shared.withLock { state in
                state.stopped = true
                state.publisherUp = false
                state.subscriberUp = false
                state.reported = .degraded
                state.queue = []
                state.queuedBytes = 0
                return state.workers
            }
            guard !workers.isEmpty else { return }
            publisherWakeup.signal()
            subscriberWakeup.signal()
            // Called from a callback, on a relay thread: that thread ends by itself once the callback returns.
            guard !workers.contains(where: \.isCurrentThread) else { return }
            let milliseconds = Int(Timing.stopWait / .milliseconds(1))
            for worker in workers where !worker.waitUntilFinished(timeoutMilliseconds: milliseconds) {
                logger.warning("relay threads did not stop in time")
                return
            }
        }
    }
}

extension Duration {
    var dispatchInterval: DispatchTimeInterval {
        .nanoseconds(Int(self / .nanoseconds(1)))
    }
}
