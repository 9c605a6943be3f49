import Dispatch
import Logging

extension RedisRelay.Core {
    private enum Take {
        case payloads
        case idle
        case stop
    }

    private static let publishCommand = Array("PUBLISH".utf8)
    private static let pingCommand = Array("PING".utf8)

    /// The publisher thread: connects, drains the queue, reconnects after a failure, until the relay stops.
    func runPublisher(onStateChange: @escaping @Sendable (RelayState) -> Void) {
        var backoff = Backoff()
        var failures = FailureLog()
        var isFirstAttempt = true
        while !isStopped {
            do {
                let connection = try openPublisher()
                failures.succeeded()
                backoff.reset()
                record(.publisher, isUp: true, onStateChange: onStateChange)
                signalFirstAttempt(&isFirstAttempt)
                if let error = pump(connection) {
                    logger.warning(
                        "Redis connection lost",
                        metadata: ["connection": "publisher", "error": "\(error.description)"]
                    )
                    dropQueue()
                    record(.publisher, isUp: false, onStateChange: onStateChange)
                }
            } catch {
                failures.failed(.publisher, error, logger: logger)
                record(.publisher, isUp: false, onStateChange: onStateChange)
                signalFirstAttempt(&isFirstAttempt)
                pause(backoff.delay(), wakeup: publisherWakeup)
            }
        }
    }

    func signalFirstAttempt(_ isFirstAttempt: inout Bool) {
        guard isFirstAttempt else { return }
        isFirstAttempt = false
        firstAttempts.signal()
    }

    /// Connects, authenticates and checks with PING that Redis answers.
    private func openPublisher() throws(RedisConnectionError) -> RedisConnection {
        let deadline = ContinuousClock.now + RedisRelay.Timing.handshakeTimeout
        let connection = try connect()
        try authenticate(connection, deadline: deadline)
        let reply = try connection.command([Self.pingCommand], deadline: deadline)
        if case .error(let message) = reply {
            throw RedisConnectionError(description: "PING failed: \(message)")
        }
        return connection
    }

    /// Publishes queued payloads, pipelined, until the connection fails (returns why) or the relay stops (nil).
    private func pump(_ connection: borrowing RedisConnection) -> RedisConnectionError? {
        var batch: [[UInt8]] = []
        while true {
            switch take(into: &batch) {
            case .stop:
                return nil
            case .idle:
                // Nothing is due on an idle connection: readable means closed (or garbage), so look now rather than
                // at the next publish.
                if connection.isReadable, case .failed(let error) = connection.read() {
                    return error
                }
                continue
            case .payloads:
                break
            }
            for payload in batch {
                do {
                    try connection.append([Self.publishCommand, channel, payload])
                } catch {
                    return error
                }
            }
            var pending = batch.count
            batch.removeAll(keepingCapacity: true)
            var lastProgress = ContinuousClock.now
            while pending > 0 {
                switch connection.read() {
                case .reply(let reply):
                    pending -= 1
                    lastProgress = .now
                    if case .error(let message) = reply {
                        logger.warning("PUBLISH failed", metadata: ["error": "\(message)"])
                    }
                case .failed(let error):
                    return error
                case .timedOut:
                    if isStopped {
                        return nil
                    }
                    if ContinuousClock.now - lastProgress >= RedisRelay.Timing.silenceLimit {
                        return RedisConnectionError(description: "no reply to PUBLISH")
                    }
                }
            }
        }
    }

    /// Moves the queued payloads into `batch`, waiting a little when there are none.
    private func take(into batch: inout [[UInt8]]) -> Take {
        var hasWaited = false
        while true {
            let (take, dropped) = shared.withLock { state -> (Take?, Int) in
                if state.stopped {
                    return (.stop, 0)
                }
                var dropped = 0
                if !state.queue.isEmpty {
                    state.queuedBytes = 0
                    if state.isLive {
                        swap(&state.queue, &batch)
                        return (.payloads, 0)
                    }
                    dropped = state.queue.count
                    state.queue.removeAll(keepingCapacity: true)
                }
                state.publisherWaiting = !hasWaited
                return (hasWaited ? .idle : nil, dropped)
            }
            if dropped > 0 {
                logger.debug("payloads dropped", metadata: ["reason": "degraded", "count": "\(dropped)"])
            }
            if let take {
                return take
            }
            _ = publisherWakeup.wait(timeout: .now() + RedisRelay.Timing.idleCheckInterval.dispatchInterval)
            hasWaited = true
        }
    }

    private func dropQueue() {
        let dropped = shared.withLock { state in
            defer {
                state.queue = []
                state.queuedBytes = 0
            }
            return state.queue.count
        }
        if dropped > 0 {
            logger.debug("payloads dropped", metadata: ["reason": "connection lost", "count": "\(dropped)"])
        }
    }
}
