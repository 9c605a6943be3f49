import Logging
import TaskwireStore
import TaskwireSync

/// Up to `capacity` connections, opened when first needed, each leased to one thread at a time.
///
/// The server calls the store from its reading, delivery and maintenance threads at once; each call leases a
/// connection for its whole transaction and gives it back after, so a `PGconn*` is never used by two threads.
// @unchecked Sendable: `idle`, `leased` and `created` are read and written only with `lock` held. A leased connection is
// reachable only from the lease that took it out of `idle`, until that lease puts it back under `lock`.
final class ConnectionPool: @unchecked Sendable {
    private let lock = ConditionLock()
    private var idle: [PostgresConnection]
    private var leased: [PostgresConnection] = []
    private var created: Int
    private let capacity: Int
    private let settings: ConnectionSettings
    private let logger: Logger
    /// How long a caller waits for a connection when all are leased before it is told the store is busy.
    private static let leaseTimeoutMilliseconds = 5000

    /// A pool that starts with `first`, an open connection.
    init(first: PostgresConnection, capacity: Int, logger: Logger) {
        idle = [first]
        created = 1
        self.capacity = max(1, capacity)
        settings = first.settings
        self.logger = logger
    }

    /// Runs `body` with a connection of its own, which is given back when it returns.
    func withConnection<T>(_ body: (PostgresConnection) throws(StoreError) -> T) throws(StoreError) -> T {
        let connection = try acquire()
        defer { release(connection) }
        return try body(connection)
    }

    private func acquire() throws(StoreError) -> PostgresConnection {
        let deadline = MonotonicClock.deadline(afterMilliseconds: Self.leaseTimeoutMilliseconds)
        let connection: PostgresConnection? = lock.withLock {
            while idle.isEmpty, created >= capacity {
                if !lock.wait(untilNanoseconds: deadline), idle.isEmpty, created >= capacity { return nil }
            }
            let connection: PostgresConnection
            if let last = idle.popLast() {
                connection = last
            } else {
                created += 1
                connection = PostgresConnection(settings: settings, logger: logger)
            }
            leased.append(connection)
            return connection
        }
        guard let connection else { throw .busy }
        return connection
    }

    private func release(_ connection: PostgresConnection) {
        lock.withLock {
            leased.removeAll { $0 === connection }
            idle.append(connection)
            lock.broadcast()
        }
    }

    /// Asks the server to stop the statements of every leased connection (for a host that must exit now).
    func interrupt() {
        let busy = lock.withLock { leased }
        for connection in busy { connection.cancel() }
    }
}
