import Logging

extension RedisRelay.Core {
    /// The subscriber thread: subscribes, delivers messages, probes liveness, resubscribes, until the relay stops.
    func runSubscriber(
        onMessage: @escaping @Sendable ([UInt8]) -> Void,
        onStateChange: @escaping @Sendable (RelayState) -> Void
    ) {
        var backoff = Backoff()
        var failures = FailureLog()
        var isFirstAttempt = true
        while !isStopped {
            let generation = generation
            let connection: RedisConnection
            do {
                connection = try openSubscriber()
            } catch {
                failures.failed(.subscriber, error, logger: logger)
                signalFirstAttempt(&isFirstAttempt)
                pause(backoff.delay(), wakeup: subscriberWakeup)
                continue
            }
            failures.succeeded()
            backoff.reset()
            guard connectionUp(.subscriber, generation: generation, onStateChange: onStateChange) else { continue }
            signalFirstAttempt(&isFirstAttempt)
            switch listen(connection, generation: generation, onMessage: onMessage) {
            case .stopped:
                return
            case .invalidated:
                logger.debug("reopening the subscriber connection", metadata: ["reason": "publisher connection lost"])
            case .failed(let error):
                failures.lost(.subscriber, error, logger: logger)
                connectionLost(.subscriber, generation: generation, onStateChange: onStateChange)
            }
        }
    }

    /// Connects, authenticates and subscribes; returns once Redis has confirmed the subscription.
    private func openSubscriber() throws(RedisConnectionError) -> RedisConnection {
        let deadline = ContinuousClock.now + RedisRelay.Timing.handshakeTimeout
        let connection = try connect()
        try authenticate(connection, deadline: deadline)
        let reply = try connection.command([RedisRelay.Command.subscribe, channel], deadline: deadline)
        switch reply {
        case .array(let parts) where parts.count == 3 && parts[0].keyword == "subscribe":
            return connection
        case .error(let message):
            throw RedisConnectionError(description: "SUBSCRIBE failed: \(message)")
        default:
            throw RedisConnectionError(description: "unexpected reply to SUBSCRIBE")
        }
    }

    /// Delivers messages until the connection fails or goes silent, is invalidated, or the relay stops.
    ///
    /// A quiet connection is probed with PING; if nothing at all arrives for a while after it, Redis is presumed
    /// gone even though the socket looks healthy (a paused or hung server).
    private func listen(
        _ connection: borrowing RedisConnection,
        generation: Int,
        onMessage: @Sendable ([UInt8]) -> Void
    ) -> RedisRelay.SessionEnd {
        var lastTraffic = ContinuousClock.now
        var pingSentAt: ContinuousClock.Instant?
        while true {
            let result = connection.read()
            switch standing(of: generation) {
            case .current: break
            case .invalidated: return .invalidated
            case .stopped: return .stopped
            }
            switch result {
            case .reply(let reply):
                lastTraffic = .now
                pingSentAt = nil
                if case .array(let parts) = reply, parts.count == 3, parts[0].keyword == "message",
                    case .bytes(let payload) = parts[2]
                {
                    onMessage(payload)
                }
            case .failed(let error):
                return .failed(error)
            case .timedOut:
                let now = ContinuousClock.now
                if let pingSentAt {
                    if now - pingSentAt >= RedisRelay.Timing.silenceLimit {
                        return .failed(RedisConnectionError(description: "no answer to PING"))
                    }
                } else if now - lastTraffic >= RedisRelay.Timing.pingAfter {
                    do {
                        try connection.append([RedisRelay.Command.ping])
                    } catch {
                        return .failed(error)
                    }
                    pingSentAt = now
                }
            }
        }
    }
}
