import Dispatch
import Logging

extension RedisRelay.Core {
    private enum Take {
        case payloads
        /// Replies to PUBLISH commands other threads wrote are due; nothing new to send.
        case replies
        case idle
        case end(RedisRelay.SessionEnd)
    }

    /// The publisher thread: connects, drains the queue, reconnects after a failure, until the relay stops.
    func runPublisher(onStateChange: @escaping @Sendable (RelayState) -> Void) {
        var backoff = Backoff()
        var failures = FailureLog()
        var isFirstAttempt = true
        while !isStopped {
            let generation = generation
            let connection: RedisConnection
            do {
                connection = try openPublisher()
            } catch {
                failures.failed(.publisher, error, logger: logger)
                signalFirstAttempt(&isFirstAttempt)
                pause(backoff.delay(), wakeup: publisherWakeup)
                continue
            }
            failures.succeeded()
            backoff.reset()
            guard connectionUp(.publisher, generation: generation, onStateChange: onStateChange) else { continue }
            signalFirstAttempt(&isFirstAttempt)
            switch pump(connection, generation: generation) {
            case .stopped:
                return
            case .invalidated:
                logger.debug("reopening the publisher connection", metadata: ["reason": "subscriber connection lost"])
            case .failed(let error):
                failures.lost(.publisher, error, logger: logger)
                connectionLost(.publisher, generation: generation, onStateChange: onStateChange)
            }
            dropQueue()
        }
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

    /// Publishes queued payloads, pipelined, until the connection fails, is invalidated, or the relay stops.
    ///
    /// An idle connection is checked for a close at every idle wakeup and probed with PING when quiet, so that a
    /// dead publisher connection is noticed before the next payload is lost to it.
    private func pump(_ connection: borrowing RedisConnection, generation: Int) -> RedisRelay.SessionEnd {
        var batch: [Queued] = []
        var lastReply = ContinuousClock.now
        shared.withLock { $0.publisherSocket = connection.socket }
        // Before the connection is freed: no other thread may write to its socket afterwards.
        defer { shared.withLock { $0.publisherSocket = nil } }
        while true {
            var pending = 0
            do {
                var direct = (replies: 0, remainder: [UInt8]())
                let take = take(into: &batch, direct: &direct, generation: generation)
                // The end of a PUBLISH another thread began goes out before anything else.
                if !direct.remainder.isEmpty { try connection.append(formatted: direct.remainder) }
                pending = direct.replies
                switch take {
                case .end(let end):
                    return end
                case .idle:
                    // Nothing is due on an idle connection, so readable means closed (or garbage).
                    if connection.isReadable, case .failed(let error) = connection.read() {
                        return .failed(error)
                    }
                    guard ContinuousClock.now - lastReply >= RedisRelay.Timing.pingAfter else { continue }
                    try connection.append([RedisRelay.Command.ping])
                    pending = 1
                case .replies:
                    break
                case .payloads:
                    for queued in batch {
                        try connection.append([RedisRelay.Command.publish, queued.channel, queued.payload])
                    }
                    pending += batch.count
                    batch.removeAll(keepingCapacity: true)
                }
            } catch {
                return .failed(error)
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
                    return .failed(error)
                case .timedOut:
                    if isStopped {
                        return .stopped
                    }
                    if ContinuousClock.now - lastProgress >= RedisRelay.Timing.silenceLimit {
                        return .failed(RedisConnectionError(description: "no reply from Redis"))
                    }
                }
            }
            lastReply = .now
        }
    }

    /// Moves the queued payloads into `batch`, waiting a little when there are none.
    private func take(
        into batch: inout [Queued],
        direct: inout (replies: Int, remainder: [UInt8]),
        generation: Int
    ) -> Take {
        var hasWaited = false
        while true {
            let take = shared.withLock { state -> Take? in
                state.sending = false
                if state.stopped {
                    return .end(.stopped)
                }
                if state.generation != generation {
                    return .end(.invalidated)
                }
                // Direct writes stop while this thread uses the socket; their replies are read with the batch's.
                if !state.queue.isEmpty || state.directReplies > 0 {
                    state.publisherWaiting = false
                    direct = (state.directReplies, state.directRemainder)
                    state.directReplies = 0
                    state.directRemainder = []
                    state.sending = true
                }
                if !state.queue.isEmpty {
                    state.queuedBytes = 0
                    swap(&state.queue, &batch)
                    return .payloads
                }
                if direct.replies > 0 { return .replies }
                state.publisherWaiting = !hasWaited
                return hasWaited ? .idle : nil
            }
            // Whatever was sent before has been answered: a flush() waiting for that may go on.
            idle.withLock { idle.broadcast() }
            if let take {
                return take
            }
            _ = publisherWakeup.wait(timeout: .now() + RedisRelay.Timing.idleCheckInterval.dispatchInterval)
            hasWaited = true
        }
    }

    /// Drops what was queued for a connection that is gone: receivers fill the gap from the database.
    private func dropQueue() {
        let dropped = shared.withLock { state in
            defer {
                state.queue = []
                state.queuedBytes = 0
                state.directReplies = 0
                state.directRemainder = []
            }
            return state.queue.count
        }
        if dropped > 0 {
            logger.debug("payloads dropped", metadata: ["reason": "connection lost", "count": "\(dropped)"])
        }
    }
}
