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
            do {
                let connection = try openSubscriber()
                failures.succeeded()
                backoff.reset()
                record(.subscriber, isUp: true, onStateChange: onStateChange)
                signalFirstAttempt(&isFirstAttempt)
                if let error = listen(connection, onMessage: onMessage) {
                    failures.lost(.subscriber, error, logger: logger)
                    record(.subscriber, isUp: false, onStateChange: onStateChange)
                    // Whatever closed this connection (a restart, say) has likely closed the publisher's too: have it
                    // check now rather than at its next idle check, so both losses make one transition.
                    publisherWakeup.signal()
                }
            } catch {
                failures.failed(.subscriber, error, logger: logger)
                record(.subscriber, isUp: false, onStateChange: onStateChange)
                signalFirstAttempt(&isFirstAttempt)
                pause(backoff.delay(), wakeup: subscriberWakeup)
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

    /// Delivers messages until the connection fails or goes silent (returns why) or the relay stops (returns nil).
    ///
    /// A quiet connection is probed with PING; if nothing at all arrives for a while after it, Redis is presumed
    /// gone even though the socket looks healthy (a paused or hung server).
    private func listen(
        _ connection: borrowing RedisConnection,
        onMessage: @Sendable ([UInt8]) -> Void
    ) -> RedisConnectionError? {
        var lastTraffic = ContinuousClock.now
        var pingSentAt: ContinuousClock.Instant?
        while true {
            switch connection.read() {
            case .reply(let reply):
                lastTraffic = .now
                pingSentAt = nil
                if isStopped {
                    return nil
                }
                if case .array(let parts) = reply, parts.count == 3, parts[0].keyword == "message",
                    case .bytes(let payload) = parts[2]
                {
                    onMessage(payload)
                }
            case .failed(let error):
                return error
            case .timedOut:
                if isStopped {
                    return nil
                }
                let now = ContinuousClock.now
                if let pingSentAt {
                    if now - pingSentAt >= RedisRelay.Timing.silenceLimit {
                        return RedisConnectionError(description: "no answer to PING")
                    }
                } else if now - lastTraffic >= RedisRelay.Timing.pingAfter {
                    do {
                        try connection.append([RedisRelay.Command.ping])
                    } catch {
                        return error
                    }
                    pingSentAt = now
                }
            }
        }
    }
}
