import TaskwireClient
import TaskwireProtocol
import TaskwireTranscripts

/// How the hosts of a run deliver events to each other.
enum Relay: String, CaseIterable {
    /// Through the benchmark's own `redis-server`.
    case redis
    /// Through the shared database alone (no `--redis`): polling the SQLite file, or `LISTEN/NOTIFY` on PostgreSQL.
    case local
}

/// Where a run's hosts keep their data.
enum Store: String {
    case sqlite
    case postgres

    /// Prefixed to the keys of a store's figures in the JSON: none for SQLite (the keys of issue 6), `postgres_`.
    var keyPrefix: String { self == .sqlite ? "" : "postgres_" }

    /// Prefixed to the labels of a store's figures in the table: none for SQLite, `PostgreSQL: `.
    var labelPrefix: String { self == .sqlite ? "" : "PostgreSQL: " }
}

/// Everything a run shares: the `taskwire` executable, a temporary database (a SQLite file, or a database in a
/// throwaway PostgreSQL cluster) with a writer and a reader user in one organization and project, and a
/// `redis-server` of its own.
///
/// - Important: Keep the world alive while hosts run: the database directory is removed (the PostgreSQL cluster
///   stopped) and Redis stopped when it goes away.
final class BenchWorld {
    struct User {
        let id: String
        let name: String
        let token: String
    }

    let binary: String
    let store: Store
    /// A scratch folder of the run; with SQLite, the folder of the database file.
    let database: TemporaryDatabase
    /// The throwaway cluster of a PostgreSQL world.
    let postgres: PostgresServer?
    /// What `--db` is given: the SQLite file's path or the PostgreSQL database's URL.
    let location: String
    let redis: RedisServer
    let admin: AdminCommand
    /// Creates and updates tasks.
    let writer: User
    /// Receives events (every receiving host signs in as this user, each with a session of its own).
    let reader: User
    let organizationID: String
    /// The project of the request and fan-out benchmarks.
    let projectID: String

    init(binary: String, store: Store = .sqlite) throws {
        self.binary = binary
        self.store = store
        database = try TemporaryDatabase()
        switch store {
        case .sqlite:
            postgres = nil
            location = database.path
        case .postgres:
            let server = try PostgresServer()
            postgres = server
            location = try server.createDatabase()
        }
        redis = try RedisServer()
        admin = AdminCommand(binary: binary, database: location)
        let writer = try admin.addUser("bench-writer")
        let reader = try admin.addUser("bench-reader")
        self.writer = User(id: writer.id, name: "bench-writer", token: writer.token)
        self.reader = User(id: reader.id, name: "bench-reader", token: reader.token)
        organizationID = try admin.addOrganization("bench", owner: writer.id)
        try admin.addMember(organization: organizationID, user: reader.id, role: "member")
        projectID = try admin.addProject(organization: organizationID, name: "bench")
    }

    deinit {
        redis.stop()
        postgres?.stopAndRemove()
    }

    /// The `taskwire serve` arguments for a relay.
    func serveArguments(_ relay: Relay) -> [String] {
        switch relay {
        case .redis: ["serve", "--db", location, "--redis", redis.url]
        case .local: ["serve", "--db", location]
        }
    }

    /// The relay as the host reports it in `relay.status`: `redis`, `local` (SQLite) or `postgres` (NOTIFY).
    func name(of relay: Relay) -> String {
        relay == .local && store == .postgres ? "postgres" : relay.rawValue
    }

    /// Starts a host without initializing it.
    func spawn(_ relay: Relay) throws(BenchError) -> BenchHost {
        try BenchHost(binary: binary, arguments: serveArguments(relay))
    }

    /// Starts hosts and initializes each as `user`; they start in parallel and are initialized one after another.
    func hosts(_ count: Int, relay: Relay, as user: User) throws(BenchError) -> [BenchHost] {
        var hosts: [BenchHost] = []
        for _ in 0..<count { hosts.append(try spawn(relay)) }
        for host in hosts { try host.initialize(token: user.token) }
        return hosts
    }

    /// Creates `count` tasks in the project through `host`; returns their ids (each at version 1).
    func createTasks(_ count: Int, through host: BenchHost, prefix: String) throws(BenchError) -> [String] {
        var ids: [String] = []
        for index in 0..<count {
            let result = try host.call(
                "task.create",
                ["projectId": .string(projectID), "title": .string("\(prefix) \(index)")]
            )
            guard let id = result["task"]?["id"]?.stringValue else {
                throw BenchError("task.create answered without a task id: \(result.text)")
            }
            ids.append(id)
        }
        return ids
    }
}
