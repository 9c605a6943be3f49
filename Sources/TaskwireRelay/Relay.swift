public import TaskwireProtocol

/// Whether a relay currently delivers between host processes.
public enum RelayState: String, Sendable {
    case connected
    case degraded
}

/// Moves opaque byte payloads between the host processes that share one database. Knows nothing of tasks.
public protocol Relay: AnyObject, Sendable {
    /// How this relay carries messages, as reported in capabilities and relay.status.
    var kind: RelayKind { get }
    /// Current state.
    var state: RelayState { get }
    /// Starts the relay.
    ///
    /// `onMessage` is called (on a relay-owned thread, in the order Redis delivers) with every payload published by
    /// ANY process on this namespace, including this process's own publishes. `onStateChange` is called on every
    /// transition (not for the initial state). start() makes a first connection attempt synchronously (bounded by
    /// ~300 ms) so that `state` is accurate when it returns. `onQuiet` is called on the same thread as `onMessage`
    /// whenever no further message is already at hand, before the relay waits for more (or stops listening): a
    /// receiver can hold what it makes of a burst of messages and act on it once, there.
    func start(
        onMessage: @escaping @Sendable ([UInt8]) -> Void,
        onStateChange: @escaping @Sendable (RelayState) -> Void,
        onSubscribed: @escaping @Sendable (String) -> Void,
        onQuiet: @escaping @Sendable () -> Void
    )
    /// Queues a payload for the subscribers of `topic` (a project); never blocks on the network.
    func publish(_ payload: [UInt8], topic: String)
    /// Starts receiving the payloads published on `topic`; `onSubscribed` of ``start(onMessage:onStateChange:onSubscribed:)``
    /// is called once the relay delivers them (payloads published before that may be missed: read the log then).
    func subscribe(_ topic: String)
    /// Stops receiving the payloads of `topic`.
    func unsubscribe(_ topic: String)
    /// Queues a payload for publishing on the database-wide channel; never blocks on the network.
    ///
    /// Payloads published while disconnected are dropped (the database is the source of truth; receivers fill gaps
    /// from it).
    func publish(_ payload: [UInt8])
    /// Runs `body`, and hands what the calling thread publishes in it to the relay together when it returns, in
    /// order: one write for all of them where the relay can do that, instead of one each.
    func publishingTogether(_ body: () -> Void)
    /// Waits until the payloads published so far were handed to the relay, or until the time is up.
    func flush(timeoutMilliseconds: Int)
    /// Stops threads and closes connections; idempotent.
    func stop()
}

extension Relay {
    /// A relay whose publishes cost no more one by one.
    public func publishingTogether(_ body: () -> Void) { body() }

    /// Starts the relay without acting on the ends of bursts.
    public func start(
        onMessage: @escaping @Sendable ([UInt8]) -> Void,
        onStateChange: @escaping @Sendable (RelayState) -> Void,
        onSubscribed: @escaping @Sendable (String) -> Void
    ) {
        start(onMessage: onMessage, onStateChange: onStateChange, onSubscribed: onSubscribed, onQuiet: {})
    }

    /// Starts the relay without caring when subscriptions take effect.
    public func start(
        onMessage: @escaping @Sendable ([UInt8]) -> Void,
        onStateChange: @escaping @Sendable (RelayState) -> Void
    ) {
        start(onMessage: onMessage, onStateChange: onStateChange, onSubscribed: { _ in }, onQuiet: {})
    }
}
