public import TaskwireProtocol

/// The relay used without Redis: hosts sharing a database deliver to each other through the database itself,
/// which the server watches, so this relay carries nothing.
public final class LocalRelay: Relay {
    /// `local` on SQLite, `postgres` on PostgreSQL: what carries the news is the database itself.
    public let kind: RelayKind

    public init(kind: RelayKind = .local) {
        self.kind = kind
    }

    /// Always `.connected`: the database is always there.
    public var state: RelayState { .connected }

    /// Never calls any callback.
    public func start(
        onMessage: @escaping @Sendable ([UInt8]) -> Void,
        onStateChange: @escaping @Sendable (RelayState) -> Void,
        onSubscribed: @escaping @Sendable (String) -> Void,
        onQuiet: @escaping @Sendable () -> Void
    ) {}

    public func publish(_ payload: [UInt8]) {}

    public func publish(_ payload: [UInt8], topic: String) {}

    public func subscribe(_ topic: String) {}

    public func unsubscribe(_ topic: String) {}

    public func flush(timeoutMilliseconds: Int) {}

    public func stop() {}
}
