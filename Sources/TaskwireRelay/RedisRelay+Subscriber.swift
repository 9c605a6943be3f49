import Logging

extension RedisRelay.Core {
    /// The subscriber thread: subscribes, delivers messages, probes liveness, resubscribes, until the relay stops.
    func runSubscriber(
        onMessage: @escaping @Sendable ([UInt8]) -> Void,
        onStateChange: @escaping @Sendable (RelayState) -> Void,
        onSubscribed: @escaping @Sendable (String) -> Void,
        onQuiet: @escaping @Sendable () -> Void
    ) {
        var backoff = Backoff()
        var failures = FailureLog()
        var isFirstAttempt = true
        while !isStopped {
            let generation = generation
            let connection: RedisConnection
            var subscribed: Set<String> = []
            do {
                connection = try openSubscriber(subscribed: &subscribed)
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
            for topic in subscribed { onSubscribed(topic) }
            switch listen(
                connection,
                generation: generation,
                subscribed: subscribed,
                onMessage: onMessage,
                onSubscribed: onSubscribed,
                onQuiet: onQuiet
            ) {
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

    /// Connects, authenticates and subscribes to the database-wide channel, this host's control channel and the
    /// topics wanted now (which it puts in `subscribed`); returns once Redis has confirmed every subscription.
    private func openSubscriber(subscribed: inout Set<String>) throws(RedisConnectionError) -> RedisConnection {
        let deadline = ContinuousClock.now + RedisRelay.Timing.handshakeTimeout
        let connection = try connect()
        try authenticate(connection, deadline: deadline)
        let topics = shared.withLock { $0.topics }
        let channels = [channel, controlChannel] + topics.map { self.channel(ofTopic: $0) }
        var reply = try connection.command([RedisRelay.Command.subscribe] + channels, deadline: deadline)
        for index in channels.indices {
            if index > 0 { reply = try connection.nextReply(deadline: deadline) }
            switch reply {
            case .array(let parts) where parts.count == 3 && parts[0].keyword == "subscribe":
                continue
            case .error(let message):
                throw RedisConnectionError(description: "SUBSCRIBE failed: \(message)")
            default:
                throw RedisConnectionError(description: "unexpected reply to SUBSCRIBE")
            }
        }
        subscribed = topics
        return connection
    }

    /// Brings the connection's project subscriptions in line with the topics wanted (replies come to `listen`).
    private func updateSubscriptions(
        _ connection: borrowing RedisConnection,
        _ subscribed: inout Set<String>
    ) throws(RedisConnectionError) {
        let wanted = shared.withLock { $0.topics }
        let added = wanted.subtracting(subscribed)
        let removed = subscribed.subtracting(wanted)
        if !added.isEmpty {
            try connection.append([RedisRelay.Command.subscribe] + added.map { channel(ofTopic: $0) })
        }
        if !removed.isEmpty {
            try connection.append([RedisRelay.Command.unsubscribe] + removed.map { channel(ofTopic: $0) })
        }
        subscribed = wanted
    }

    /// Delivers messages until the connection fails or goes silent, is invalidated, or the relay stops.
    ///
    /// A quiet connection is probed with PING; if nothing at all arrives for a while after it, Redis is presumed
    /// gone even though the socket looks healthy (a paused or hung server).
    private func listen(
        _ connection: borrowing RedisConnection,
        generation: Int,
        subscribed: Set<String>,
        onMessage: @Sendable ([UInt8]) -> Void,
        onSubscribed: @Sendable (String) -> Void,
        onQuiet: @Sendable () -> Void
    ) -> RedisRelay.SessionEnd {
        defer { onQuiet() }
        var lastTraffic = ContinuousClock.now
        var pingSentAt: ContinuousClock.Instant?
        var subscribed = subscribed
        while true {
            do {
                try updateSubscriptions(connection, &subscribed)
            } catch {
                return .failed(error)
            }
            // Replies already in the buffer first (one read of the socket often brings many); the receiver hears that a
            // burst ended before the thread may wait on the socket.
            var result = connection.bufferedReply()
            if case .timedOut = result {
                onQuiet()
                result = connection.read()
            }
            switch standing(of: generation) {
            case .current: break
            case .invalidated: return .invalidated
            case .stopped: return .stopped
            }
            switch result {
            case .reply(let reply):
                lastTraffic = .now
                pingSentAt = nil
                guard case .array(let parts) = reply, parts.count == 3, case .bytes(let name) = parts[1] else { break }
                if parts[0].keyword == "message", case .bytes(let payload) = parts[2] {
                    // A message on the control channel only woke this thread to update its subscriptions.
                    if name != controlChannel { onMessage(payload) }
                } else if parts[0].keyword == "subscribe", let topic = topic(ofChannel: name) {
                    onSubscribed(topic)
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
