import Dispatch
import Logging

extension RedisRelay.Core {
    /// Where a connection of some generation stands.
    enum Standing {
        case current
        case invalidated
        case stopped
    }

    var generation: Int { shared.withLock { $0.generation } }

    func standing(of generation: Int) -> Standing {
        shared.withLock { state in
            if state.stopped {
                return .stopped
            }
            return state.generation == generation ? .current : .invalidated
        }
    }

    /// Marks a connection opened in `generation` as up; returns false when a loss since then invalidated it (or the
    /// relay stopped), in which case the caller must reopen it.
    func connectionUp(
        _ side: RedisRelay.Side,
        generation: Int,
        onStateChange: @Sendable (RelayState) -> Void
    ) -> Bool {
        apply(side, onStateChange: onStateChange) { state in
            guard state.generation == generation else { return false }
            switch side {
            case .publisher: state.publisherUp = true
            case .subscriber: state.subscriberUp = true
            }
            return true
        }
    }

    /// Marks a connection of `generation` lost. Both connections then count as down and are reopened: whatever broke
    /// one (a restart, a pause) has likely broken the other, which may not have noticed yet.
    func connectionLost(
        _ side: RedisRelay.Side,
        generation: Int,
        onStateChange: @Sendable (RelayState) -> Void
    ) {
        _ = apply(side, onStateChange: onStateChange) { state in
            if state.generation == generation {
                state.generation += 1
                state.publisherUp = false
                state.subscriberUp = false
            }
            return true
        }
        if side == .subscriber {
            // The publisher may be idle: have it notice now. (The subscriber notices at its next read timeout.)
            publisherWakeup.signal()
        }
    }

    /// Applies a change to the connection flags and reports the resulting transition, if any, on this thread.
    private func apply(
        _ side: RedisRelay.Side,
        onStateChange: @Sendable (RelayState) -> Void,
        _ change: (inout State) -> Bool
    ) -> Bool {
        transitions.withLock {
            let (applied, transition) = shared.withLock { state -> (Bool, RelayState?) in
                guard !state.stopped, change(&state) else { return (false, nil) }
                let current: RelayState = state.isLive ? .connected : .degraded
                guard state.initialized, current != state.reported else { return (true, nil) }
                state.reported = current
                return (true, current)
            }
            switch transition {
            case .connected: logger.info("relay connected")
            case .degraded: logger.warning("relay degraded", metadata: ["connection": "\(side.rawValue)"])
            case nil: break
            }
            if let transition {
                onStateChange(transition)
            }
            return applied
        }
    }

    /// Waits before the next connection attempt; returns early when the relay stops.
    func pause(_ delay: Duration, wakeup: DispatchSemaphore) {
        _ = wakeup.wait(timeout: .now() + delay.dispatchInterval)
    }

    func signalFirstAttempt(_ isFirstAttempt: inout Bool) {
        guard isFirstAttempt else { return }
        isFirstAttempt = false
        firstAttempts.signal()
    }

    func connect() throws(RedisConnectionError) -> RedisConnection {
        try RedisConnection(
            host: url.host,
            port: url.port,
            connectTimeout: RedisRelay.Timing.connectTimeout,
            ioTimeout: RedisRelay.Timing.ioTimeout
        )
    }

    /// Sends AUTH when the URL carries a password.
    func authenticate(
        _ connection: borrowing RedisConnection,
        deadline: ContinuousClock.Instant
    ) throws(RedisConnectionError) {
        try Self.authenticate(connection, url: url, deadline: deadline)
    }

    /// Sends AUTH (with the user, when the URL names one) when the URL carries a password.
    static func authenticate(
        _ connection: borrowing RedisConnection,
        url: RedisURL,
        deadline: ContinuousClock.Instant
    ) throws(RedisConnectionError) {
        guard let password = url.password else { return }
        var command = [RedisRelay.Command.auth]
        if let user = url.user {
            command.append(Array(user.utf8))
        }
        command.append(Array(password.utf8))
        let reply = try connection.command(command, deadline: deadline)
        if case .error(let message) = reply {
            throw RedisConnectionError(description: "AUTH failed: \(message)")
        }
    }
}

/// Exponential backoff between connection attempts.
struct Backoff {
    private var next: Duration = RedisRelay.Timing.firstBackoff

    mutating func delay() -> Duration {
        defer { next = min(next * 2, RedisRelay.Timing.maximumBackoff) }
        return next
    }

    mutating func reset() {
        next = RedisRelay.Timing.firstBackoff
    }
}

/// Logs connection trouble without flooding: a lost connection or the first failed attempt as a warning, further
/// failed attempts (one per backoff step) at debug level until a connection succeeds.
struct FailureLog {
    private var isFailing = false

    mutating func lost(_ side: RedisRelay.Side, _ error: RedisConnectionError, logger: Logger) {
        logger.warning("Redis connection lost", metadata: ["connection": "\(side.rawValue)", "error": "\(error)"])
        isFailing = true
    }

    mutating func failed(_ side: RedisRelay.Side, _ error: RedisConnectionError, logger: Logger) {
        let metadata: Logger.Metadata = ["connection": "\(side.rawValue)", "error": "\(error)"]
        if isFailing {
            logger.debug("Redis connection attempt failed", metadata: metadata)
        } else {
            logger.warning("Redis connection failed", metadata: metadata)
        }
        isFailing = true
    }

    mutating func succeeded() {
        isFailing = false
    }
}
