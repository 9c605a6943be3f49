import Foundation
import TaskwireClient
import TaskwireSync

#if canImport(Glibc)
import Glibc
#endif

/// A throwaway PostgreSQL cluster for tests and transcripts: `initdb` in a temporary directory, a server on a free
/// loopback port and a Unix socket in that directory, trust authentication for one role, no durability (fsync
/// off: nothing here outlives the run, and a killed server loses nothing the OS had been handed). Run as the `postgres` user when this process is root, as PostgreSQL
/// requires. Stopped by its pid, and its directory removed, when released.
public final class PostgresServer: Sendable {
    /// The role every database of the cluster belongs to.
    public static let role = "taskwire"

    public let port: Int
    public let directory: String
    private let binDirectory: String
    private let runAs: [String]
    private let child: Locked<Int32?>
    private let databases = Locked(0)

    /// Creates the cluster and starts its server; returns once it accepts connections.
    public init() throws {
        binDirectory = try Self.findBinDirectory()
        var template = Array((NSTemporaryDirectory() + "/taskwire-pg-XXXXXX").utf8CString)
        guard let created = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw PostgresServerError("cannot create a temporary directory")
        }
        directory = String(cString: created)
        if getuid() == 0 {
            guard let account = getpwnam("postgres") else {
                throw PostgresServerError("running as root needs a postgres user to run the server as")
            }
            chown(directory, account.pointee.pw_uid, account.pointee.pw_gid)
            runAs = ["/usr/bin/setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"]
        } else {
            runAs = []
        }
        try Self.run(
            runAs + [
                binDirectory + "/initdb", "-D", directory + "/data", "-U", Self.role, "--auth=trust", "-E", "UTF8",
                "--no-sync", "--locale=C",
            ]
        )
        var lastError: (any Error)?
        for _ in 0..<3 {
            let port = try RedisServer.freeLoopbackPort()
            do {
                let pid = try Self.start(binDirectory: binDirectory, runAs: runAs, directory: directory, port: port)
                self.port = port
                child = Locked(pid)
                return
            } catch {
                lastError = error
            }
        }
        try? FileManager.default.removeItem(atPath: directory)
        throw lastError ?? PostgresServerError("the PostgreSQL server did not start")
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A URL of the server for `database` (over TCP on loopback).
    public func url(database: String) -> String {
        "postgresql://\(Self.role)@127.0.0.1:\(port)/\(database)"
    }

    /// Creates a fresh database and returns its URL: empty, or a copy of the database at `template` (a URL this
    /// server returned, of a database nothing is connected to).
    public func createDatabase(copying template: String? = nil) throws -> String {
        let name = databases.withLock { count in
            count += 1
            return "taskwire_\(getpid())_\(count)_\(UInt32.random(in: 0...UInt32.max))"
        }
        var command = [binDirectory + "/createdb", "-h", "127.0.0.1", "-p", "\(port)", "-U", Self.role]
        if let template {
            guard let source = template.split(separator: "/").last, template == url(database: String(source)) else {
                throw PostgresServerError("not a database of this server: \(template)")
            }
            command += ["-T", String(source)]
        }
        try Self.run(command + [name])
        return url(database: name)
    }

    /// Stops the server and removes its directory (for a server that lives as long as the process).
    public func stopAndRemove() {
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Stops the server with a fast shutdown (SIGINT), then SIGKILL after 5 s, and waits for it.
    public func stop() {
        child.withLock { pid in
            guard let running = pid else { return }
            Glibc.kill(running, SIGINT)
            let deadline = ContinuousClock.now + .seconds(5)
            while ContinuousClock.now < deadline {
                if ProcessSpawner.reap(running, blocking: false) != nil {
                    pid = nil
                    return
                }
                usleep(10_000)
            }
            Glibc.kill(running, SIGKILL)
            _ = ProcessSpawner.reap(running, blocking: true)
            pid = nil
        }
    }

    /// Kills the server at once (SIGKILL to the postmaster and its backends), as a crash would.
    public func kill() {
        child.withLock { pid in
            guard let running = pid else { return }
            Glibc.kill(running, SIGKILL)
            _ = ProcessSpawner.reap(running, blocking: true)
            pid = nil
        }
        // The backends of a killed postmaster exit on their own once they notice; wait for the socket to go.
        usleep(200_000)
    }

    /// Starts the server again on the same port after ``stop()`` or ``kill()``.
    public func restart() throws {
        stop()
        let pid = try Self.start(binDirectory: binDirectory, runAs: runAs, directory: directory, port: port)
        child.withLock { $0 = pid }
    }

    private static func start(binDirectory: String, runAs: [String], directory: String, port: Int) throws -> Int32 {
        let command =
            runAs + [
                binDirectory + "/postgres", "-D", directory + "/data", "-p", "\(port)", "-k", directory,
                "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
                "-c", "full_page_writes=off", "-c", "max_connections=200",
            ]
        let pid = try ProcessSpawner.spawn(
            executable: command[0],
            arguments: Array(command.dropFirst()),
            environment: Environment.current,
            stdin: .null,
            stdout: .null,
            stderr: .appending(to: directory + "/server.log")
        ).pid
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            if ProcessSpawner.reap(pid, blocking: false) != nil {
                throw PostgresServerError("postgres exited at start (port \(port) taken?)")
            }
            if (try? run([binDirectory + "/pg_isready", "-q", "-h", "127.0.0.1", "-p", "\(port)"])) != nil {
                return pid
            }
            usleep(50_000)
        }
        Glibc.kill(pid, SIGKILL)
        _ = ProcessSpawner.reap(pid, blocking: true)
        throw PostgresServerError("postgres did not accept connections on port \(port) within 15 s")
    }

    /// Runs a command to its end; throws with its output when it fails.
    private static func run(_ command: [String]) throws {
        do {
            _ = try ChildProcess.output(of: command)
        } catch {
            throw PostgresServerError(error.description)
        }
    }

    /// The folder of `initdb` and `postgres`: `pg_config --bindir` is for the client; the server's binaries live in
    /// `/usr/lib/postgresql/<version>/bin` on Debian.
    public static func findBinDirectory() throws -> String {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [])
            .compactMap(Int.init).sorted(by: >)
        for version in versions where access("\(root)/\(version)/bin/initdb", X_OK) == 0 {
            return "\(root)/\(version)/bin"
        }
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
        where access("\(directory)/initdb", X_OK) == 0 {
            return String(directory)
        }
        throw PostgresServerError(
            "initdb not found in /usr/lib/postgresql/*/bin or PATH; install it (apt-get install postgresql)"
        )
    }
}

public struct PostgresServerError: Error, CustomStringConvertible, Sendable {
    public var description: String

    init(_ description: String) {
        self.description = description
    }
}
