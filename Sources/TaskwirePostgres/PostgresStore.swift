public import Logging
public import TaskwireCrypto
public import TaskwireProtocol
public import TaskwireStore
import TaskwireSync

#if canImport(Glibc)
import Glibc
#endif

/// Taskwire's storage in a PostgreSQL database, shared by hosts on any number of machines.
///
/// It keeps exactly the guarantees of ``SQLiteStore``: every change runs in one transaction with its event, whose
/// `seq` is taken from the project's row (a row lock: no gap, no duplicate), versions are checked by the writing
/// statement itself, presence ids follow commit order, and the same rules, errors and payloads apply. A deadlock or
/// serialization failure is retried; a lost connection is reopened, and the call reported busy (`-32010`) unless
/// it could be run again with nothing written.
public final class PostgresStore: TaskwireStorage {
    let pool: ConnectionPool
    private let settings: ConnectionSettings
    private let logger: Logger

    public var kind: StoreKind { .postgres }
    /// A unique id of this database, generated when its schema was created; namespaces relay channels.
    public let databaseID: String
    /// The key that authenticates relay messages between the hosts of this database.
    public let relayKey: SecretKey

    /// How many connections one store opens at most (the server calls it from three threads).
    static let poolCapacity = 4
    /// How many times a transaction is run again after a serialization failure or deadlock.
    static let conflictRetries = 4

    /// Connects to the database of `url`, and creates or upgrades its schema.
    ///
    /// The URL is `postgres://` or `postgresql://`, with any libpq parameter (`sslmode`, `sslrootcert`,
    /// `application_name`, `connect_timeout`, …).
    /// A failure to connect is ``StoreError/Kind/unavailable`` with a one-line message that names the server and
    /// never contains a password; so is a database whose schema is newer than this build.
    public init(
        url: String,
        connectTimeoutSeconds: Int = 5,
        logger: Logger = Logger(label: "taskwire.postgres")
    ) throws(StoreError) {
        settings = try ConnectionSettings(url: url, connectTimeoutSeconds: connectTimeoutSeconds)
        self.logger = logger
        let first = PostgresConnection(settings: settings, logger: logger)
        try first.connect()
        let encoding = try? first.row("SELECT current_setting('server_encoding')")?.text(0)
        guard encoding == "UTF8" else {
            throw .unavailable("the PostgreSQL database must use the UTF8 encoding, not \(encoding ?? "unknown")")
        }
        try PostgresSchema.migrate(first)
        let rows: [PostgresRow]
        do {
            rows = try first.rows("SELECT key, value FROM meta WHERE key IN ('database_id', 'relay_key')")
        } catch {
            throw .unavailable(settings.describeFailure(detail: "cannot read the database id"))
        }
        let meta = Dictionary(rows.map { ($0.text(0), $0.text(1)) }, uniquingKeysWith: { first, _ in first })
        guard let databaseID = meta["database_id"], let relayKey = meta["relay_key"].flatMap(SecretKey.init(hex:)),
            relayKey.bytes.count == 32
        else { throw .unavailable("the database has no id or relay key") }
        self.databaseID = databaseID
        self.relayKey = relayKey
        pool = ConnectionPool(first: first, capacity: Self.poolCapacity, logger: logger)
    }

    /// A feed on a connection of its own that LISTENs to the commits of every host.
    public func makeChangeFeed() -> (any ChangeFeed)? {
        PostgresChangeFeed(settings: settings, logger: logger)
    }

    /// A PostgreSQL change feed, for a relay that waits on it (``PostgresChangeFeed/wait(timeoutMilliseconds:)``).
    public func makePostgresChangeFeed() -> PostgresChangeFeed {
        PostgresChangeFeed(settings: settings, logger: logger)
    }

    /// Stops the statements in progress, so that a host that must exit is not held by a lock; they fail as busy.
    public func interrupt() { pool.interrupt() }

    // MARK: Transactions

    /// Runs `body` in a READ COMMITTED transaction that, when it commits, tells every change feed.
    ///
    /// Every decision that depends on a read is protected by a row lock or checked again by the writing statement,
    /// so the outcome is the one of some serial order, as with SQLite's single writer.
    func write<T>(notify: Bool = true, _ body: (PostgresConnection) throws -> T) throws(StoreError) -> T {
        try transaction(begin: "BEGIN", notify: notify, body)
    }

    /// Runs `body`, a read of several statements, on one snapshot.
    func read<T>(_ body: (PostgresConnection) throws -> T) throws(StoreError) -> T {
        try transaction(begin: "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", notify: false, body)
    }

    /// Runs `body`, a read of one statement, without a transaction around it.
    func readOne<T>(_ body: (PostgresConnection) throws -> T) throws(StoreError) -> T {
        try transaction(begin: nil, notify: false, body)
    }

    private func transaction<T>(
        begin: String?,
        notify: Bool,
        _ body: (PostgresConnection) throws -> T
    ) throws(StoreError) -> T {
        var conflicts = 0
        var losses = 0
        while true {
            let outcome = try pool.withConnection { (connection) throws(StoreError) in
                try connection.open()
                return connection.run(begin: begin, notify: notify, body)
            }
            switch outcome {
            case .done(let value):
                return value
            case .failed(let error):
                throw error
            case .conflict:
                conflicts += 1
                guard conflicts <= Self.conflictRetries else { throw .busy }
                usleep(UInt32.random(in: 1_000...5_000) * UInt32(conflicts))
            case .lost(let committing):
                // Before COMMIT nothing was written, so the transaction may run again on a new connection (once per
                // connection of the pool, which may all have been ended together); during COMMIT it may have
                // committed, and only the client can decide whether to try again. A server that cannot be reached
                // makes the next attempt busy at once.
                losses += 1
                guard !committing, losses <= Self.poolCapacity else { throw .busy }
            }
        }
    }
}
