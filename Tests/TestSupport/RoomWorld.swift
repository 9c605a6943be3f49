public import TaskwireClient
import TaskwireSync
public import TaskwireTranscripts

#if canImport(Glibc)
import Glibc
#endif

/// Which store the hosts of a room test share, and which relay they deliver through: every room scenario runs on
/// each.
public enum RoomRelay: String, Sendable, CaseIterable, CustomStringConvertible {
    /// SQLite, and a real `redis-server` passed to every host as `--redis URL`.
    case redis
    /// SQLite, no Redis: the hosts deliver to each other through the database file.
    case local
    /// PostgreSQL, no Redis: the hosts deliver through LISTEN/NOTIFY.
    case postgres
    /// PostgreSQL with Redis.
    case postgresRedis

    public var description: String { rawValue }

    /// Whether the hosts get `--redis`.
    public var usesRedis: Bool { self == .redis || self == .postgresRedis }

    /// The store of the scenario.
    public var backend: StoreBackend { self == .postgres || self == .postgresRedis ? .postgres : .sqlite }
}

/// A temporary database with users, an organization and its project made through the admin CLI, the hosts started
/// on it, and for the Redis relay the `redis-server` they share.
///
/// - Important: Keep the world alive for as long as its hosts are used: when it goes away, it closes the stdin of
///   every host still running, kills those that do not exit within 3 s, stops Redis and removes the database.
public final class RoomWorld: Sendable {
    public typealias User = TestWorld.User

    public let relay: RoomRelay
    /// The database, users, organization and project, shared with the other end-to-end tests.
    public let seed: TestWorld
    /// The Redis server of the `.redis` relay.
    public let redis: RedisServer?
    private let clients = Locked<[RoomClient]>([])

    public var binary: String { seed.binary }
    public var database: TemporaryDatabase { seed.database }
    public var admin: AdminCommand { seed.admin }
    /// The organization every user belongs to; the first user owns it, the others are members.
    public var organizationID: String { seed.organizationID }
    public var projectID: String { seed.projectID }
    public var users: [User] { seed.users }

    /// Creates the database, the users, the organization and its project, and starts Redis for the `.redis` relay.
    public init(relay: RoomRelay, userNames: [String], postgres: PostgresServer? = nil) throws {
        self.relay = relay
        seed = try TestWorld(userNames: userNames, backend: relay.backend, postgres: postgres)
        redis = relay.usesRedis ? try RedisServer() : nil
    }

    deinit {
        let started = clients.withLock { $0 }
        for client in started { client.closeInput() }
        let deadline = ContinuousClock.now + .seconds(3)
        for client in started {
            while client.exitCode == nil, ContinuousClock.now < deadline { usleep(10_000) }
            if client.exitCode == nil { client.kill() }
        }
        redis?.stop()
    }

    /// Closes the stdin of every host still running and waits for them to exit; returns the exit code of each host
    /// that did not exit with 0 within `timeout` (nil when it still runs), by process id.
    public func close(timeout: Duration = .seconds(3)) async -> [Int32: Int32?] {
        let started = clients.withLock { $0 }
        let running = started.filter { $0.exitCode == nil }
        for client in running { client.closeInput() }
        var failures: [Int32: Int32?] = [:]
        for client in running {
            let code = await client.waitForExit(timeout: timeout)
            if code != 0 { failures[client.pid] = code }
        }
        return failures
    }

    /// The user named `name`.
    public func user(_ name: String) -> User {
        guard let user = users.first(where: { $0.name == name }) else { preconditionFailure("no user \(name)") }
        return user
    }

    /// `serve --db DB`, plus `--redis URL` for the `.redis` relay (or `redisURL` when given).
    public func serveArguments(redisURL: String? = nil) -> [String] {
        var arguments = ["serve", "--db", seed.location]
        if let url = redisURL ?? redis?.url { arguments += ["--redis", url] }
        return arguments
    }

    /// Starts a host on the world's database without initializing it.
    public func spawn(redisURL: String? = nil) throws -> RoomClient {
        try start(redisURL: redisURL, outputPaused: false)
    }

    /// Starts a host and initializes its session as the user named `name`.
    public func host(as name: String, redisURL: String? = nil) async throws -> RoomClient {
        let client = try spawn(redisURL: redisURL)
        try await client.initialize(token: user(name).token)
        return client
    }

    /// Starts a host whose stdout nobody reads until ``RoomClient/startReading()``, so that it fills up the pipe.
    public func spawnUnread(redisURL: String? = nil) throws -> RoomClient {
        try start(redisURL: redisURL, outputPaused: true)
    }

    private func start(redisURL: String?, outputPaused: Bool) throws -> RoomClient {
        let connection = try TaskwireConnection(
            executable: binary,
            arguments: serveArguments(redisURL: redisURL),
            inherit: TestWorld.inheritsVariable,
            keepsLog: true,
            outputPaused: outputPaused
        )
        let client = RoomClient(connection)
        clients.withLock { $0.append(client) }
        return client
    }

    /// What `PRAGMA integrity_check` says of the database.
    public func integrityCheck() throws -> String { try seed.integrityCheck() }
}
