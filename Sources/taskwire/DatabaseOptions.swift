import ArgumentParser
import Logging
import TaskwirePostgres
import TaskwireStore

/// Options every command that opens the database takes: where it is, and how long to wait for a server.
struct DatabaseOptions: ParsableArguments {
    @Option(
        name: .long,
        help: """
            The database: a file path (SQLite) or a postgres:// or postgresql:// URL (PostgreSQL, with libpq's \
            parameters such as sslmode=verify-full). Default: $TASKWIRE_DB, else \
            $XDG_DATA_HOME/taskwire/taskwire.sqlite.
            """
    )
    var db: String?

    @Option(help: "Seconds to wait for a PostgreSQL server before giving up.")
    var connectTimeout: Int = 5

    /// The path or URL in force.
    var path: String { db ?? SQLiteStore.defaultPath() }

    /// Whether the database is a PostgreSQL URL rather than a file.
    var isPostgres: Bool { Self.isPostgresURL(path) }

    static func isPostgresURL(_ location: String) -> Bool {
        let lowered = location.lowercased()
        return lowered.hasPrefix("postgres://") || lowered.hasPrefix("postgresql://")
    }

    func validate() throws {
        guard connectTimeout > 0 else { throw ValidationError("--connect-timeout must be positive") }
    }

    /// Opens the store (and migrates it, when this is the first host or command to open it).
    func open(logger: Logger) throws -> any TaskwireStorage & AdminStorage {
        if isPostgres {
            return try PostgresStore(url: path, connectTimeoutSeconds: connectTimeout, logger: logger)
        }
        return try SQLiteStore(path: path)
    }

    /// Opens the store for an admin command, which logs nothing but errors.
    func openForAdmin() throws -> any AdminStorage {
        var logger = Logger(label: "taskwire")
        logger.logLevel = .error
        return try open(logger: logger)
    }

    /// The arguments that give a host spawned by this command the same database.
    var hostArguments: [String] {
        var arguments = ["--db", path]
        if connectTimeout != 5 { arguments += ["--connect-timeout", "\(connectTimeout)"] }
        return arguments
    }
}
