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
    /// ~300 ms) so that `state` is accurate when it returns.
    func start(
        onMessage: @escaping @Sendable ([UInt8]) -> Void,
        onStateChange: @escaping @Sendable (RelayState) -> Void
    )
    /// Queues a payload for publishing; never blocks on the network.
    ///
    /// Payloads published while disconnected are dropped (the database is the source of truth; receivers fill gaps
    /// from it).
    func publish(_ payload: [UInt8])
    /// Waits until the payloads published so far were handed to the relay, or until the time is up.
    func flush(timeoutMilliseconds: Int)
    /// Stops threads and closes connections; idempotent.
    func stop()
}
