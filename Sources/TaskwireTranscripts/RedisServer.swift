import Foundation
import TaskwireClient
import TaskwireSync

#if canImport(Glibc)
import Glibc
#endif

/// A real `redis-server` for tests, on a free loopback port, without persistence. Stopped when released.
///
/// - Important: `restart()` starts it again on the same port, so clients configured with `url` can reconnect.
public final class RedisServer: Sendable {
    public let port: Int
    public var url: String { "redis://127.0.0.1:\(port)" }

    /// The process id of the most recently started `redis-server`.
    public var pid: Int32 { child.withLock { $0.pid } }

    private struct Child {
        var pid: Int32
        var isRunning: Bool
    }

    private let executable: String
    private let extraArguments: [String]
    private let child: Locked<Child>

    /// Starts `redis-server` and returns once it answers.
    ///
    /// - Parameter extraArguments: more configuration, e.g. `["--requirepass", "secret"]`.
    public init(extraArguments: [String] = []) throws {
        let executable = try Self.findExecutable()
        var lastError: (any Error)?
        // A port found free can be taken by someone else before redis-server binds it: try a few.
        for _ in 0..<3 {
            let port = try Self.freeLoopbackPort()
            do {
                let pid = try Self.launch(executable, port: port, extraArguments: extraArguments)
                self.executable = executable
                self.extraArguments = extraArguments
                self.port = port
                self.child = Locked(Child(pid: pid, isRunning: true))
                return
            } catch {
                lastError = error
            }
        }
        throw lastError ?? RedisServerError("redis-server did not start")
    }

    deinit {
        stop()
    }

    /// Terminates the server (SIGTERM, then SIGKILL after 2 s) and waits for it to exit. Does nothing if stopped.
    public func stop() {
        child.withLock { child in
            guard child.isRunning else { return }
            sendSignal(child.pid, SIGTERM)
            // A paused server only acts on SIGTERM once continued.
            sendSignal(child.pid, SIGCONT)
            let deadline = Date().addingTimeInterval(2)
            while Date() < deadline {
                if Self.reap(child.pid, blocking: false) {
                    child.isRunning = false
                    return
                }
                usleep(10_000)
            }
            sendSignal(child.pid, SIGKILL)
            _ = Self.reap(child.pid, blocking: true)
            child.isRunning = false
        }
    }

    /// Kills the server at once (SIGKILL), as a crash would, and waits for it to exit.
    public func kill() {
        child.withLock { child in
            guard child.isRunning else { return }
            sendSignal(child.pid, SIGKILL)
            _ = Self.reap(child.pid, blocking: true)
            child.isRunning = false
        }
    }

    /// Starts the server again on the same port (stopping it first if it runs) and waits until it answers.
    public func restart() throws {
        stop()
        try child.withLock { child in
            child.pid = try Self.launch(executable, port: port, extraArguments: extraArguments)
            child.isRunning = true
        }
    }

    /// Freezes the server (SIGSTOP): its sockets stay open but nothing is answered.
    public func pause() {
        signal(SIGSTOP)
    }

    /// Continues a paused server (SIGCONT).
    public func resume() {
        signal(SIGCONT)
    }

    private func signal(_ signal: Int32) {
        child.withLock { child in
            guard child.isRunning else { return }
            sendSignal(child.pid, signal)
        }
    }

    private static func findExecutable() throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let candidates = path.split(separator: ":").map { "\($0)/redis-server" } + ["/usr/bin/redis-server"]
        guard let found = candidates.first(where: { access($0, X_OK) == 0 }) else {
            throw RedisServerError(
                "redis-server not found in PATH or at /usr/bin/redis-server; install it (e.g. apt-get install redis-server)"
            )
        }
        return found
    }

    /// A loopback port that was free a moment ago: bound to port 0, read back, closed.
    public static func freeLoopbackPort() throws -> Int {
        let socket = openSocket()
        guard socket >= 0 else { throw RedisServerError("socket() failed: errno \(errno)") }
        defer { close(socket) }
        var address = loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                bind(socket, address, length) == 0 && getsockname(socket, address, &length) == 0
            }
        }
        guard bound else { throw RedisServerError("cannot bind a loopback port: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }

    /// Spawns redis-server and waits up to 5 s for it to answer; kills it if it does not.
    private static func launch(_ executable: String, port: Int, extraArguments: [String]) throws -> Int32 {
        let arguments =
            [
                executable, "--port", "\(port)", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--daemonize", "no", "--dir", FileManager.default.temporaryDirectory.path,
            ] + extraArguments
        let pid = try spawn(executable, arguments: arguments)
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            if reap(pid, blocking: false) {
                throw RedisServerError("redis-server exited at start (port \(port) taken?)")
            }
            if isServing(port: port, pid: pid) {
                return pid
            }
            usleep(20_000)
        }
        sendSignal(pid, SIGKILL)
        _ = reap(pid, blocking: true)
        throw RedisServerError("redis-server did not answer on port \(port) within 5 s")
    }

    private static func spawn(_ executable: String, arguments: [String]) throws -> Int32 {
        try ProcessSpawner.spawn(
            executable: executable,
            arguments: Array(arguments.dropFirst()),
            environment: Environment.current,
            stdin: .null,
            stdout: .null,
            stderr: .null
        ).pid
    }

    private static func reap(_ pid: Int32, blocking: Bool) -> Bool {
        ProcessSpawner.reap(pid, blocking: blocking) != nil
    }

    private static func isServing(port: Int, pid: Int32) -> Bool {
        let socket = openSocket()
        guard socket >= 0 else { return false }
        defer { close(socket) }
        var timeout = timeval(tv_sec: 0, tv_usec: 500_000)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = loopback(port: port)
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                connect(socket, address, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else { return false }
        let request = Array("INFO server\r\n".utf8)
        guard write(socket, request, request.count) == request.count else { return false }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while received.count < 1 << 16 {
            let count = read(socket, &chunk, chunk.count)
            guard count > 0 else { return false }
            received += chunk[..<count]
            if received.first == UInt8(ascii: "-") {
                return true
            }
            let text = String(decoding: received, as: UTF8.self)
            if let label = text.range(of: "\r\nprocess_id:") {
                let rest = text[label.upperBound...]
                let digits = rest.prefix { $0.isNumber }
                if rest.dropFirst(digits.count).hasPrefix("\r\n") {
                    return Int32(digits) == pid
                }
            }
        }
        return false
    }
}

/// Why the test Redis server could not be started.
public struct RedisServerError: Error, CustomStringConvertible {
    public var description: String

    init(_ description: String) {
        self.description = description
    }
}

private func sendSignal(_ pid: Int32, _ signal: Int32) {
    kill(pid, signal)
}

private func openSocket() -> Int32 {
    socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
}
