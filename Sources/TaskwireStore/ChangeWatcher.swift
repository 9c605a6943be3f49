import GRDB

/// Tells when any connection, in this process or another, committed to the database.
///
/// It reads `PRAGMA data_version` on a connection of its own, which changes whenever another connection commits;
/// this is how hosts without a Redis relay learn of each other's changes.
/// - Important: use it from one thread only (the delivery thread that owns it).
public final class ChangeWatcher: ChangeFeed, Sendable {
    private let queue: DatabaseQueue

    public init(path: String) throws(StoreError) {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(0.2)
        queue = try SQLiteStore.mapErrors { try DatabaseQueue(path: path, configuration: configuration) }
    }

    /// The current data version; it differs from the previous reading when something was committed since.
    public func version() -> Int64? {
        try? queue.inDatabase { db in try Int64.fetchOne(db, sql: "PRAGMA data_version") }
    }
}
