import Foundation
public import TaskwireClient
import TaskwireSync
public import TaskwireTranscripts

/// A temporary database with users, one organization and one project, made through the admin CLI, and the hosts
/// started on it: the common ground of end-to-end tests.
///
/// - Important: Keep the world alive for as long as its hosts are used: when it goes away, it closes the stdin of
///   every host it started, waits for them to exit (killing those that do not) and removes the database.
public final class TestWorld: Sendable {
    /// A user created by the admin CLI, with a token to initialize a session.
    public struct User: Sendable {
        public let id: String
        public let name: String
        public let token: String
    }

    /// The `taskwire` executable.
    public let binary: String
    /// The temporary folder of the world (the SQLite file lives there; on PostgreSQL it holds logs only).
    public let database: TemporaryDatabase
    /// Which store the world's database is.
    public let backend: StoreBackend
    /// What `--db` gets: the SQLite file's path, or the PostgreSQL database's URL.
    public let location: String
    public let admin: AdminCommand
    /// The users, in the order they were named; the first owns the organization, the others are members.
    public let users: [User]
    public let organizationID: String
    public let projectID: String
    private let hosts = Locked<[TaskwireConnection]>([])

    /// Creates the database, the users named `userNames`, the organization and its project.
    /// On PostgreSQL the world's database is made on `postgres` when given (a server a test may stop), else on
    /// the process's shared cluster.
    public init(userNames: [String], backend: StoreBackend = .sqlite, postgres: PostgresServer? = nil) throws {
        precondition(!userNames.isEmpty, "a world needs at least its owner")
        binary = try TaskwireBinary.locate()
        database = try TemporaryDatabase()
        self.backend = backend
        switch backend {
        case .sqlite: location = database.path
        case .postgres: location = try (postgres ?? TestPostgres.shared()).createDatabase()
        }
        admin = AdminCommand(binary: binary, database: location)
        var users: [User] = []
        for name in userNames {
            let (id, token) = try admin.addUser(name)
            users.append(User(id: id, name: name, token: token))
        }
        organizationID = try admin.addOrganization("org", owner: users[0].id)
        for user in users.dropFirst() {
            try admin.addMember(organization: organizationID, user: user.id, role: "member")
        }
        projectID = try admin.addProject(organization: organizationID, name: "project")
        self.users = users
    }

    deinit {
        let started = hosts.withLock { $0 }
        for host in started { host.process.closeStdin() }
        for host in started where host.process.waitForExit(timeout: .seconds(5)) == nil {
            host.process.kill()
        }
    }

    /// Starts `taskwire serve` on the world's database and initializes its session as `user`.
    public func host(as user: User) throws -> TaskwireConnection {
        let host = try TaskwireConnection.serve(
            binary: binary,
            arguments: ["--db", location],
            inherit: Self.inheritsVariable
        )
        hosts.withLock { $0.append(host) }
        try host.initialize(token: user.token)
        return host
    }

    /// Which variables of the test process's environment a host inherits: none of the Taskwire settings but the log
    /// level, so that a run never depends on the machine.
    public static func inheritsVariable(_ name: String) -> Bool {
        !name.hasPrefix("TASKWIRE_") || name == "TASKWIRE_LOG"
    }

    /// "ok" when the database is sound: `PRAGMA integrity_check` through the `sqlite3` shell, or on PostgreSQL
    /// amcheck's `bt_index_check` of every B-tree index of the schema through `psql` (any corruption is an error).
    public func integrityCheck() throws -> String {
        switch backend {
        case .sqlite:
            return try sqlite("PRAGMA integrity_check;")
        case .postgres:
            let checks = try psql(
                """
                CREATE EXTENSION IF NOT EXISTS amcheck;
                SELECT count(bt_index_check(c.oid)) FROM pg_index i
                JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
                JOIN pg_namespace n ON n.oid = c.relnamespace WHERE a.amname = 'btree' AND n.nspname = 'public';
                """
            )
            return Int(checks.split(separator: "\n").last ?? "") ?? 0 > 0 ? "ok" : "no index checked: \(checks)"
        }
    }

    /// The output of SQL run on the PostgreSQL database by `psql`; throws with its stderr when it fails.
    public func psql(_ sql: String) throws -> String {
        try Self.tool(["/usr/bin/psql", "-At", "-v", "ON_ERROR_STOP=1", location, "-c", sql])
    }

    /// The output of one SQL statement run on the database by the `sqlite3` command-line shell.
    public func sqlite(_ sql: String) throws -> String {
        try Self.tool(["/usr/bin/sqlite3", database.path, sql])
    }

    /// Runs a command-line tool to its end and returns its stdout, trimmed; throws with its stderr when it fails.
    private static func tool(_ command: [String]) throws -> String {
        try ChildProcess.output(of: command).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
