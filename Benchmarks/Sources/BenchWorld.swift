import TaskwireClient
import TaskwireProtocol
import TaskwireTranscripts

/// How the hosts of a run deliver events to each other.
enum Relay: String, CaseIterable {
    /// Through the benchmark's own `redis-server`.
    case redis
    /// Through the shared database alone (no `--redis`).
    case local
}

/// Everything a run shares: the `taskwire` executable, a temporary database with a writer and a reader user in one
/// organization and project, and a `redis-server` of its own.
///
/// - Important: Keep the world alive while hosts run: the database directory is removed and Redis stopped when it
///   goes away.
final class BenchWorld {
    struct User {
        let id: String
        let name: String
        let token: String
    }

    let binary: String
    let database: TemporaryDatabase
    let redis: RedisServer
    let admin: AdminCommand
    /// Creates and updates tasks.
    let writer: User
    /// Receives events (every receiving host signs in as this user, each with a session of its own).
    let reader: User
    let organizationID: String
    /// The project of the request and fan-out benchmarks.
    let projectID: String

    init(binary: String) throws {
        self.binary = binary
        database = try TemporaryDatabase()
        redis = try RedisServer()
        admin = AdminCommand(binary: binary, database: database.path)
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
    }

    /// The `taskwire serve` arguments for a relay.
    func serveArguments(_ relay: Relay) -> [String] {
        switch relay {
        case .redis: ["serve", "--db", database.path, "--redis", redis.url]
        case .local: ["serve", "--db", database.path]
        }
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
