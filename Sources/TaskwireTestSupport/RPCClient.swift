public import Foundation
public import TaskwireProtocol

/// A JSON-RPC client of one `taskwire` host process: requests with their replies, notifications kept in order.
///
/// Used by end-to-end tests, the benchmarks, `taskwire demo` and `taskwire watch`.
public final class RPCClient: @unchecked Sendable {
    // @unchecked Sendable: `notifications`, `replies` and `nextID` are only touched with `lock` held.
    public let process: HostProcess
    private let lock = NSCondition()
    private var notifications: [JSON] = []
    private var replies: [String: JSON] = [:]
    private var nextID = 0
    private var closed = false

    /// The error of a request, as the host answered it.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let error: JSON
        public var code: Int? { error["code"]?.int64Value.map(Int.init) }
        public var data: JSON? { error["data"] }
        public var description: String { error.text }
    }

    /// Starts `taskwire serve` with the given arguments and environment additions.
    public convenience init(binary: String, arguments: [String], environment: [String: String] = [:]) throws {
        try self.init(command: [binary, "serve"] + arguments, environment: environment)
    }

    /// Starts a host with a full command line (for example under `prlimit`), with environment additions.
    public init(command: [String], environment: [String: String] = [:]) throws {
        var merged = ProcessInfo.processInfo.environment
        merged.removeValue(forKey: "TASKWIRE_TOKEN")
        for (key, value) in environment { merged[key] = value }
        process = try HostProcess(executable: command[0], arguments: Array(command.dropFirst()), environment: merged)
        let reader = Thread { [self] in readLoop() }
        reader.start()
    }

    private func readLoop() {
        while true {
            guard let line = process.nextLine(timeout: .seconds(3600)) else {
                if process.isStdoutClosed {
                    lock.lock()
                    closed = true
                    lock.broadcast()
                    lock.unlock()
                    return
                }
                continue
            }
            guard let message = try? JSONParser.parse(line) else { continue }
            lock.lock()
            if let id = message["id"], message["method"] == nil {
                replies[id.text] = message
            } else {
                notifications.append(message)
            }
            lock.broadcast()
            lock.unlock()
        }
    }

    /// Sends a request and waits for its reply.
    @discardableResult
    public func request(_ method: String, _ params: JSONObject = [:], timeout: TimeInterval = 10) throws -> JSON {
        let id = send(method, params)
        return try reply(to: id, timeout: timeout)
    }

    /// Sends a request without waiting; returns its id for ``reply(to:timeout:)``.
    public func send(_ method: String, _ params: JSONObject = [:]) -> Int {
        lock.lock()
        nextID += 1
        let id = nextID
        lock.unlock()
        let message: JSON = ["jsonrpc": "2.0", "id": .int(id), "method": .string(method), "params": .object(params)]
        var bytes = message.bytes
        bytes.append(0x0A)
        process.send(bytes)
        return id
    }

    /// Sends a notification.
    public func notify(_ method: String, _ params: JSONObject = [:]) {
        let message: JSON = ["jsonrpc": "2.0", "method": .string(method), "params": .object(params)]
        var bytes = message.bytes
        bytes.append(0x0A)
        process.send(bytes)
    }

    /// Waits for the reply to request `id`: its result, or a ``Failure``.
    public func reply(to id: Int, timeout: TimeInterval = 10) throws -> JSON {
        let deadline = Date().addingTimeInterval(timeout)
        lock.lock()
        defer { lock.unlock() }
        while replies[String(id)] == nil {
            guard !closed, lock.wait(until: deadline) || replies[String(id)] != nil else {
                throw RPCClientError(description: "no reply to request \(id) within \(timeout) s")
            }
        }
        let message = replies.removeValue(forKey: String(id))!
        if let error = message["error"] { throw Failure(error: error) }
        return message["result"] ?? .null
    }

    /// Initializes the session with a token.
    @discardableResult
    public func initialize(token: String) throws -> JSON {
        let result = try request(
            "initialize",
            [
                "protocolVersion": "1", "token": .string(token),
                "clientInfo": ["name": "taskwire-client", "version": "1"],
            ]
        )
        _ = try nextNotification("relay.status")
        return result
    }

    /// Waits for the next notification with this method (others before it stay queued).
    public func nextNotification(
        _ method: String,
        timeout: TimeInterval = 10,
        where predicate: (JSON) -> Bool = { _ in true }
    ) throws -> JSON {
        let deadline = Date().addingTimeInterval(timeout)
        lock.lock()
        defer { lock.unlock() }
        while true {
            if let index = notifications.firstIndex(where: { $0["method"]?.stringValue == method && predicate($0) }) {
                return notifications.remove(at: index)["params"] ?? .null
            }
            guard !closed, lock.wait(until: deadline) else {
                throw RPCClientError(description: "no \(method) notification within \(timeout) s")
            }
        }
    }

    /// Waits for the next notification of any method.
    public func nextNotification(timeout: TimeInterval) -> JSON? {
        let deadline = Date().addingTimeInterval(timeout)
        lock.lock()
        defer { lock.unlock() }
        while notifications.isEmpty {
            guard !closed, lock.wait(until: deadline) else { return nil }
        }
        return notifications.removeFirst()
    }

    /// Removes and returns every notification received so far.
    public func takeNotifications() -> [JSON] {
        lock.lock()
        defer { lock.unlock() }
        let taken = notifications
        notifications.removeAll()
        return taken
    }

    /// Closes stdin and waits for the host to exit; returns its exit code.
    @discardableResult
    public func close(timeout: Duration = .seconds(5)) -> Int32? {
        process.closeStdin()
        return process.waitForExit(timeout: timeout)
    }
}

public struct RPCClientError: Error, CustomStringConvertible, Sendable {
    public var description: String

    public init(description: String) { self.description = description }
}
