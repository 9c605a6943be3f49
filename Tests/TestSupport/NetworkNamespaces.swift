import Foundation
import TaskwireClient
import TaskwireSync
import TaskwireTranscripts

#if canImport(Glibc)
import Glibc
#endif

/// A small private network of Linux network namespaces, for tests whose hosts must run on separate machines: one
/// hub namespace for the servers, with a bridge at `10.201.N.1/24`, and one namespace per machine, joined to the
/// hub's bridge by a veth pair and addressed `10.201.N.2`, `10.201.N.3`, …
///
/// Nothing is attached to the test process's own namespace: the addresses exist only inside these namespaces, the
/// servers listen on the hub's address only, and a host reaches them over its machine's link or not at all. Every
/// process is started with `ip netns exec NAMESPACE COMMAND…`, which executes the command in place, so the process
/// id of the child is the command's.
///
/// - Important: Call ``tearDown()`` when done, also when the test fails (`defer`); the deinitializer calls it too.
///   It ends every host (end of input, then SIGKILL after 3 s), stops every server by its pid, deletes the
///   namespaces (and with them their veths and bridge) and removes the servers' temporary directories.
public final class NetworkNamespaces: Sendable {
    /// The `ip` command of iproute2.
    public static let ip = "/usr/sbin/ip"

    /// Why network namespaces cannot be created here — not root, no `ip`, or `ip netns add` fails — or nil when
    /// they can; found out once, by creating and deleting a probe namespace.
    public static let unavailableReason: String? = probe()

    /// Whether network namespaces can be created here.
    public static var isAvailable: Bool { unavailableReason == nil }

    /// The role of the PostgreSQL cluster that ``startPostgres()`` creates.
    public static let postgresRole = "taskwire"

    /// The namespace of the servers.
    public let hub: String
    /// The hub's address on the bridge: the one address the servers listen on.
    public let hubAddress: String
    /// The namespace of each machine, by index.
    public let machines: [String]
    /// The first three octets of the network: `10.201.N`.
    private let network: String
    private let state = Locked(State())

    private static let instances = Locked(0)

    private struct State {
        var namespaces: [String] = []
        var servers: [Server] = []
        var hosts: [RoomClient] = []
        var directories: [String] = []
        var tornDown = false
    }

    /// A server started in the hub, stopped by its pid.
    private struct Server {
        var name: String
        var pid: Int32
        var stopSignal: Int32
    }

    /// Creates the hub and `machineCount` machines, each linked to the hub and with its loopback up.
    public init(machineCount: Int) throws {
        precondition((1...100).contains(machineCount), "1 to 100 machines")
        let number = Self.instances.withLock { count in
            count += 1
            return count
        }
        let prefix = "tw\(getpid())n\(number)"
        network = "10.201.\(10 + number % 200)"
        hub = prefix + "-hub"
        hubAddress = network + ".1"
        machines = (0..<machineCount).map { "\(prefix)-m\($0)" }
        do {
            try build()
        } catch {
            tearDown()
            throw error
        }
    }

    deinit {
        tearDown()
    }

    /// The address of machine `index`.
    public func address(ofMachine index: Int) -> String {
        "\(network).\(index + 2)"
    }

    private func port(_ index: Int) -> String { "port\(index)" }

    private func build() throws {
        try addNamespace(hub)
        try Self.runIP(["-n", hub, "link", "add", "br0", "type", "bridge"])
        try Self.runIP(["-n", hub, "addr", "add", hubAddress + "/24", "dev", "br0"])
        try Self.runIP(["-n", hub, "link", "set", "br0", "up"])
        for (index, machine) in machines.enumerated() {
            try addNamespace(machine)
            // Both ends are created straight in their namespaces: the test process's namespace never sees them.
            try Self.runIP([
                "link", "add", port(index), "netns", hub, "type", "veth", "peer", "name", "eth0", "netns", machine,
            ])
            try Self.runIP(["-n", hub, "link", "set", port(index), "master", "br0", "up"])
            try Self.runIP(["-n", machine, "addr", "add", address(ofMachine: index) + "/24", "dev", "eth0"])
            try Self.runIP(["-n", machine, "link", "set", "eth0", "up"])
        }
    }

    private func addNamespace(_ name: String) throws {
        try Self.runIP(["netns", "add", name])
        state.withLock { $0.namespaces.append(name) }
        try Self.runIP(["-n", name, "link", "set", "lo", "up"])
    }

    // MARK: The links

    /// Takes the link of machine `index` down, or up again, at the hub's end, as a cable pulled from the switch: the
    /// machine's packets no longer reach the servers, and nothing tells its open connections so.
    public func setLink(ofMachine index: Int, up: Bool) throws {
        try Self.runIP(["-n", hub, "link", "set", port(index), up ? "up" : "down"])
    }

    // MARK: Running things

    /// Runs a command inside `namespace` to its end and returns its stdout, trimmed; throws with its stderr when it
    /// fails or does not finish within `timeout`. The command inherits none of the Taskwire settings of this process.
    @discardableResult
    public func run(in namespace: String, _ command: [String], timeout: Duration = .seconds(60)) throws -> String {
        try Self.run([Self.ip, "netns", "exec", namespace] + command, timeout: timeout)
    }

    /// Starts `executable ARGUMENTS` inside machine `index` as a host spoken to over pipes, with a client that keeps
    /// every message it reads. The host inherits none of the Taskwire settings of this process but the log level.
    public func spawnHost(onMachine index: Int, executable: String, arguments: [String]) throws -> RoomClient {
        let connection = try TaskwireConnection(
            executable: Self.ip,
            arguments: ["netns", "exec", machines[index], executable] + arguments,
            inherit: TestWorld.inheritsVariable,
            keepsLog: true
        )
        let client = RoomClient(connection)
        state.withLock { $0.hosts.append(client) }
        return client
    }

    // MARK: Servers in the hub

    /// Creates a throwaway PostgreSQL cluster (`initdb` as the `postgres` user, trust authentication for the role
    /// ``postgresRole`` from loopback and from this network only, no durability), starts its server in the hub on
    /// `hubAddress:5432`, waits until every machine reaches it, creates the database `taskwire` and returns its URL.
    public func startPostgres() throws -> String {
        let bin = try PostgresServer.findBinDirectory()
        let directory = try makeDirectory("taskwire-netns-pg")
        guard let account = getpwnam("postgres") else {
            throw NetworkNamespacesError("no postgres user to run the PostgreSQL server as")
        }
        guard chown(directory, account.pointee.pw_uid, account.pointee.pw_gid) == 0 else {
            throw NetworkNamespacesError("cannot hand \(directory) to the postgres user: errno \(errno)")
        }
        let runAs = ["/usr/bin/setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"]
        try Self.run(
            runAs + [
                bin + "/initdb", "-D", directory + "/data", "-U", Self.postgresRole, "--auth=trust", "-E", "UTF8",
                "--no-sync", "--locale=C",
            ],
            timeout: .seconds(120)
        )
        // initdb trusts loopback only; the machines connect from the network.
        try append("host all all \(network).0/24 trust\n", to: directory + "/data/pg_hba.conf")
        let log = directory + "/server.log"
        let pid = try start(
            "PostgreSQL",
            runAs + [
                bin + "/postgres", "-D", directory + "/data", "-p", "5432", "-k", directory,
                "-c", "listen_addresses=\(hubAddress)", "-c", "fsync=off", "-c", "full_page_writes=off",
            ],
            log: log,
            stopSignal: SIGINT
        )
        let ready = [bin + "/pg_isready", "-q", "-h", hubAddress, "-p", "5432", "-t", "2"]
        try waitUntilServing("PostgreSQL on \(hubAddress):5432", pid: pid, log: log) {
            (try? run(in: hub, ready, timeout: .seconds(5))) != nil
        }
        for machine in machines {
            do {
                try run(in: machine, ready, timeout: .seconds(10))
            } catch {
                throw NetworkNamespacesError("\(machine) does not reach PostgreSQL on \(hubAddress): \(error)")
            }
        }
        try run(in: hub, [bin + "/createdb", "-h", hubAddress, "-p", "5432", "-U", Self.postgresRole, "taskwire"])
        return "postgresql://\(Self.postgresRole)@\(hubAddress):5432/taskwire"
    }

    /// Starts `redis-server` in the hub on `hubAddress:6379`, without persistence; waits until it answers and returns
    /// its URL.
    public func startRedis() throws -> String {
        let executable = try Self.find("redis-server")
        let client = try Self.find("redis-cli")
        let directory = try makeDirectory("taskwire-netns-redis")
        let log = directory + "/server.log"
        let pid = try start(
            "Redis",
            [
                executable, "--bind", hubAddress, "--port", "6379", "--protected-mode", "no", "--save", "",
                "--appendonly", "no", "--daemonize", "no", "--dir", directory,
            ],
            log: log,
            stopSignal: SIGTERM
        )
        try waitUntilServing("Redis on \(hubAddress):6379", pid: pid, log: log) {
            (try? run(in: hub, [client, "-h", hubAddress, "-p", "6379", "ping"], timeout: .seconds(5))) == "PONG"
        }
        return "redis://\(hubAddress):6379"
    }

    private func start(_ name: String, _ command: [String], log: String, stopSignal: Int32) throws -> Int32 {
        let pid = try ProcessSpawner.spawn(
            executable: Self.ip,
            arguments: ["netns", "exec", hub] + command,
            environment: Environment.current,
            stdin: .null,
            stdout: .appending(to: log),
            stderr: .appending(to: log)
        ).pid
        state.withLock { $0.servers.append(Server(name: name, pid: pid, stopSignal: stopSignal)) }
        return pid
    }

    /// Waits up to 15 s for `isServing`; throws with the end of the server's log when it exits or does not serve.
    private func waitUntilServing(_ what: String, pid: Int32, log: String, _ isServing: () -> Bool) throws {
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            if ProcessSpawner.reap(pid, blocking: false) != nil {
                state.withLock { $0.servers.removeAll { $0.pid == pid } }
                throw NetworkNamespacesError("\(what) exited at start: \(Self.tail(of: log))")
            }
            if isServing() { return }
            usleep(50_000)
        }
        throw NetworkNamespacesError("\(what) did not answer within 15 s: \(Self.tail(of: log))")
    }

    private func makeDirectory(_ name: String) throws -> String {
        var base = NSTemporaryDirectory()
        while base.count > 1, base.hasSuffix("/") { base.removeLast() }
        var template = Array((base + "/\(name)-XXXXXX").utf8CString)
        guard let created = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw NetworkNamespacesError("cannot create a temporary directory: errno \(errno)")
        }
        let directory = String(cString: created)
        state.withLock { $0.directories.append(directory) }
        return directory
    }

    private func append(_ text: String, to path: String) throws {
        guard let file = FileHandle(forWritingAtPath: path) else {
            throw NetworkNamespacesError("cannot open \(path)")
        }
        defer { try? file.close() }
        try file.seekToEnd()
        try file.write(contentsOf: Data(text.utf8))
    }

    // MARK: Tearing down

    /// Ends every host (end of input, then SIGKILL after 3 s), stops every server by its pid (SIGINT for PostgreSQL,
    /// SIGTERM for Redis, SIGKILL after 5 s), deletes the namespaces and removes the temporary directories. Returns
    /// what could not be undone; does nothing the second time.
    @discardableResult
    public func tearDown() -> [String] {
        let taken: State? = state.withLock { state in
            guard !state.tornDown else { return nil }
            defer { state = State(tornDown: true) }
            return state
        }
        guard let taken else { return [] }
        var problems: [String] = []
        for host in taken.hosts { host.closeInput() }
        let deadline = ContinuousClock.now + .seconds(3)
        for host in taken.hosts {
            while host.exitCode == nil, ContinuousClock.now < deadline { usleep(10_000) }
            if host.exitCode == nil { host.kill() }
            if host.exitCode == nil { problems.append("host \(host.pid) still runs after SIGKILL") }
        }
        for server in taken.servers.reversed() where !Self.stop(server) {
            problems.append("\(server.name) (pid \(server.pid)) still runs after SIGKILL")
        }
        for namespace in taken.namespaces.reversed() {
            do {
                try Self.runIP(["netns", "delete", namespace])
            } catch {
                problems.append("namespace \(namespace): \(error)")
            }
        }
        for directory in taken.directories {
            do {
                try FileManager.default.removeItem(atPath: directory)
            } catch {
                problems.append("\(directory): \(error)")
            }
        }
        return problems
    }

    /// Signals a server to stop, waits up to 5 s for it, then kills it; false when it cannot be reaped.
    private static func stop(_ server: Server) -> Bool {
        kill(server.pid, server.stopSignal)
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            if ProcessSpawner.reap(server.pid, blocking: false) != nil { return true }
            usleep(10_000)
        }
        kill(server.pid, SIGKILL)
        return ProcessSpawner.reap(server.pid, blocking: true) != nil
    }

    // MARK: Commands

    private static func runIP(_ arguments: [String]) throws {
        try run([ip] + arguments, timeout: .seconds(10))
    }

    /// Runs a command to its end and returns its stdout, trimmed; throws with its stderr when it fails.
    @discardableResult
    private static func run(_ command: [String], timeout: Duration) throws -> String {
        let environment = Environment.current.filter { !$0.key.hasPrefix("TASKWIRE_") }
        return try ChildProcess.output(of: command, environment: environment, timeout: timeout)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func probe() -> String? {
        guard getuid() == 0 else {
            return "creating network namespaces needs root; this process runs as uid \(getuid())"
        }
        guard access(ip, X_OK) == 0 else { return "\(ip) not found (install iproute2)" }
        let name = "tw\(getpid())probe"
        do {
            try Self.runIP(["netns", "add", name])
        } catch {
            return "`ip netns add` fails here: \(error)"
        }
        try? Self.runIP(["netns", "delete", name])
        return nil
    }

    private static func find(_ name: String) throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let candidates = path.split(separator: ":").map { "\($0)/\(name)" } + ["/usr/bin/\(name)"]
        guard let found = candidates.first(where: { access($0, X_OK) == 0 }) else {
            throw NetworkNamespacesError("\(name) not found in PATH or /usr/bin")
        }
        return found
    }

    private static func tail(of path: String) -> String {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(10).joined(separator: "\n")
    }
}

/// Why the network of namespaces, or a server in it, could not be set up.
public struct NetworkNamespacesError: Error, Sendable, CustomStringConvertible {
    public var description: String

    init(_ description: String) {
        self.description = description
    }
}
