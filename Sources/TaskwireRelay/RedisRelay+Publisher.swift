import Dispatch
import Logging

extension RedisRelay.Core {
    private enum Take {
        case payloads
        case idle
        case stop
    }

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
                    failures.lost(.publisher, error, logger: logger)
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
        let reply = try connection.command([RedisRelay.Command.ping], deadline: deadline)
        if case .error(let message) = reply {
            throw RedisConnectionError(description: "PING failed: \(message)")
        }
        return connection
    }

    /// Publishes queued payloads, pipelined, until the connection fails (returns why) or the relay stops (nil).
    ///
    /// An idle connection is checked for a close at every idle wakeup and probed with PING when quiet, so that a
    /// dead publisher connection is noticed before the next payload is lost to it.
    private func pump(_ connection: borrowing RedisConnection) -> RedisConnectionError? {
        var batch: [[UInt8]] = []
        var lastReply = ContinuousClock.now
        while true {
            var pending = 0
            do {
                switch take(into: &batch) {
                case .stop:
                    return nil
                case .idle:
                    // Nothing is due on an idle connection, so readable means closed (or garbage).
                    if connection.isReadable, case .failed(let error) = connection.read() {
                        return error
                    }
                    guard ContinuousClock.now - lastReply >= RedisRelay.Timing.pingAfter else { continue }
                    try connection.append([RedisRelay.Command.ping])
                    pending = 1
                case .payloads:
                    for payload in batch {
                        try connection.append([RedisRelay.Command.publish, channel, payload])
                    }
                    pending = batch.count
                    batch.removeAll(keepingCapacity: true)
                }
            } catch {
                return error
            }
            var lastProgress = ContinuousClock.now
            while pending > 0 {
                switch connection.read() {
                case .reply(let reply):
                    pending -= 1
                    lastProgress = .now
                    if case .error(let message) = reply {
                        logger.warning("Redis refused a command", metadata: ["error": "\(message)"])
                    }
                case .failed(let error):
                    return error
                case .timedOut:
                    if isStopped {
                        return nil
                    }
                    if ContinuousClock.now - lastProgress >= RedisRelay.Timing.silenceLimit {
                        return RedisConnectionError(description: "no reply from Redis")
                    }
                }
            }
            lastReply = .now
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
