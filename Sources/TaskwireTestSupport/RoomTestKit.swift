import Foundation
public import TaskwireProtocol
import TaskwireSync

#if canImport(Glibc)
import Glibc
#endif

/// Which relay the hosts of a room test deliver through.
public enum RoomRelay: String, Sendable, CaseIterable, CustomStringConvertible {
    /// A real `redis-server`, passed to every host as `--redis URL`.
    case redis
    /// No Redis: the hosts deliver to each other through the database.
    case local

    public var description: String { rawValue }
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
    public var admin: AdminCLI { seed.admin }
    /// The organization every user belongs to; the first user owns it, the others are members.
    public var organizationID: String { seed.organizationID }
    public var projectID: String { seed.projectID }
    public var users: [User] { seed.users }

    /// Creates the database, the users, the organization and its project, and starts Redis for the `.redis` relay.
    public init(relay: RoomRelay, userNames: [String]) throws {
        self.relay = relay
        seed = try TestWorld(userNames: userNames)
        redis = relay == .redis ? try RedisServer() : nil
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
        var arguments = ["serve", "--db", database.path]
        if let url = redisURL ?? redis?.url { arguments += ["--redis", url] }
        return arguments
    }

    /// Starts a host on the world's database without initializing it.
    public func spawn(redisURL: String? = nil) throws -> RoomClient {
        let process = try HostProcess(
            executable: binary,
            arguments: serveArguments(redisURL: redisURL),
            environment: Self.environment()
        )
        let client = RoomClient(process: process)
        clients.withLock { $0.append(client) }
        return client
    }

    /// Starts a host and initializes its session as the user named `name`.
    public func host(as name: String, redisURL: String? = nil) async throws -> RoomClient {
        let client = try spawn(redisURL: redisURL)
        try await client.initialize(token: user(name).token)
        return client
    }

    /// Starts a host whose stdout nobody reads until ``RoomClient/startReading()``, so that it fills up the pipe.
    ///
    /// Its stderr goes to a file in the database's directory, for ``RoomClient/stderrTail(lines:)``.
    public func spawnUnread(redisURL: String? = nil) throws -> RoomClient {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = serveArguments(redisURL: redisURL)
        process.environment = Self.environment()
        let input = Pipe()
        let output = Pipe()
        let errorPath = database.directory + "/host-\(UUID().uuidString).stderr"
        _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
        let errors = FileHandle(forWritingAtPath: errorPath)
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // The child's ends: the host must be the only writer of its stdout, so that its end is seen.
        try? output.fileHandleForWriting.close()
        try? input.fileHandleForReading.close()
        try? errors?.close()
        let unread = UnreadProcess(
            process: process,
            input: input.fileHandleForWriting,
            output: output.fileHandleForReading,
            errorPath: errorPath
        )
        let client = RoomClient(unread: unread)
        clients.withLock { $0.append(client) }
        return client
    }

    /// What `PRAGMA integrity_check` says of the database.
    public func integrityCheck() throws -> String { try seed.integrityCheck() }

    /// The inherited environment without any Taskwire setting but the log level, so that a run never depends on
    /// the machine.
    private static func environment() -> [String: String] {
        ProcessInfo.processInfo.environment.filter { name, _ in !name.hasPrefix("TASKWIRE_") || name == "TASKWIRE_LOG" }
    }
}

/// A host seen as one ordered stream: every reply and notification it wrote, in the order it wrote them, each with
/// the time it arrived. Nothing is ever taken out of the stream, so a test can look at what came before or after
/// any reply.
public final class RoomClient: Sendable {
    /// One message the host wrote.
    public struct Message: Sendable {
        /// The position in the stream, from 0.
        public let index: Int
        public let json: JSON
        public let arrival: ContinuousClock.Instant

        /// The method of a notification; nil for a reply.
        public var method: String? { json["method"]?.stringValue }
        public var params: JSON { json["params"] ?? .null }
        /// The id of a reply; nil for a notification.
        public var replyID: Int? { json["method"] == nil ? json["id"]?.int64Value.map(Int.init) : nil }

        /// Whether this is the notification of a project event (its method is the event's type).
        public var isEvent: Bool { method.map(RoomEvent.types.contains) ?? false }
        /// The `seq` of an event notification.
        public var seq: Int64? { isEvent ? params["seq"]?.int64Value : nil }
    }

    private struct State {
        var messages: [Message] = []
        var unparsed: [String] = []
        var nextID = 0
        /// The method of each request sent with ``send(_:_:)``, for reports.
        var methods: [Int: String] = [:]
        var outputEnded = false
        var sessionID = ""
    }

    private enum Child: Sendable {
        case host(HostProcess)
        case unread(UnreadProcess)
    }

    private let child: Child
    private let state = Locked(State())

    init(process: HostProcess) {
        child = .host(process)
        startReader {
            while true {
                if let line = process.nextLine(timeout: .seconds(60)) { return line }
                if process.isStdoutClosed { return nil }
            }
        }
    }

    init(unread: UnreadProcess) {
        child = .unread(unread)
        startReader { unread.nextLine() }
    }

    /// Reads lines until the end of stdout, which `next` tells by returning nil.
    private func startReader(_ next: @escaping @Sendable () -> [UInt8]?) {
        Thread.detachNewThread { [self] in
            while let line = next() {
                let arrival = ContinuousClock.now
                let json = try? JSONParser.parse(line)
                state.withLock { state in
                    if let json {
                        state.messages.append(Message(index: state.messages.count, json: json, arrival: arrival))
                    } else {
                        state.unparsed.append(String(decoding: line, as: UTF8.self))
                    }
                }
            }
            state.withLock { $0.outputEnded = true }
        }
    }

    /// The child's process id.
    public var pid: Int32 {
        switch child {
        case .host(let process): process.pid
        case .unread(let unread): unread.pid
        }
    }

    /// The session id that `initialize` returned; empty before.
    public var sessionID: String { state.withLock { $0.sessionID } }

    /// Every message so far.
    public var messages: [Message] { state.withLock { $0.messages } }

    /// The messages from position `index` on.
    public func messages(from index: Int) -> ArraySlice<Message> {
        state.withLock { $0.messages[min(index, $0.messages.count)...] }
    }

    /// How many messages arrived so far: the position of the next one.
    public var count: Int { state.withLock { $0.messages.count } }

    /// Lines of stdout that were not JSON (there must be none).
    public var unparsedLines: [String] { state.withLock { $0.unparsed } }

    /// Whether stdout has reached end of file and every line of it is in ``messages``.
    public var isOutputEnded: Bool { state.withLock { $0.outputEnded } }

    // MARK: Requests

    /// Sends a request without waiting; returns its id for ``reply(to:timeout:)``.
    public func send(_ method: String, _ params: JSONObject = [:]) -> Int {
        let id = state.withLock { state in
            state.nextID += 1
            state.methods[state.nextID] = method
            return state.nextID
        }
        write(["jsonrpc": "2.0", "id": .int(id), "method": .string(method), "params": .object(params)])
        return id
    }

    /// Sends a notification.
    public func notify(_ method: String, _ params: JSONObject = [:]) {
        write(["jsonrpc": "2.0", "method": .string(method), "params": .object(params)])
    }

    /// Writes one message (a request, a notification or a batch) as one line.
    public func write(_ message: JSON) {
        var bytes = message.bytes
        bytes.append(0x0A)
        switch child {
        case .host(let process): process.send(bytes)
        case .unread(let unread): unread.send(bytes)
        }
    }

    /// A fresh request id, for requests written with ``write(_:)`` (in a batch, say).
    public func reserveID() -> Int {
        state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
    }

    /// The position of the reply to request `id` in the stream, once it arrived.
    public func replyIndex(of id: Int) -> Int? {
        state.withLock { state in state.messages.lastIndex { $0.replyID == id } }
    }

    /// Waits for the reply to request `id`: its result, or a ``RoomCallError``.
    @discardableResult
    public func reply(to id: Int, timeout: Duration = .seconds(30)) async throws -> JSON {
        let message = try await waitFor("the reply to request \(id)", timeout: timeout) { $0.replyID == id }
        if let error = message.json["error"] {
            let method = state.withLock { $0.methods[id] } ?? "request \(id)"
            // The host's own fault: what it logged tells why.
            let log = error["code"]?.int64Value == -32603 ? stderrTail(lines: 10) : ""
            throw RoomCallError(error: error, method: method, hostLog: log)
        }
        return message.json["result"] ?? .null
    }

    /// Sends a request and waits for its reply.
    @discardableResult
    public func request(
        _ method: String,
        _ params: JSONObject = [:],
        timeout: Duration = .seconds(30)
    ) async throws -> JSON {
        try await reply(to: send(method, params), timeout: timeout)
    }

    /// Initializes the session and waits for the `relay.status` that follows; returns the result of `initialize`.
    @discardableResult
    public func initialize(token: String) async throws -> JSON {
        let start = count
        let result = try await request("initialize", ["protocolVersion": "1", "token": .string(token)])
        _ = try await waitFor("relay.status after initialize", after: start) { $0.method == "relay.status" }
        let sessionID = result["sessionId"]?.stringValue ?? ""
        state.withLock { $0.sessionID = sessionID }
        return result
    }

    /// Every event of a project as `events.list` returns it, page by page, oldest first.
    public func eventLog(projectID: String) async throws -> [JSON] {
        var events: [JSON] = []
        while true {
            let page = try await request(
                "events.list",
                ["projectId": .string(projectID), "after": .int(events.count), "limit": 1000]
            )
            let batch = page["events"]?.arrayValue ?? []
            if batch.isEmpty { return events }
            events += batch
        }
    }

    // MARK: Waiting

    /// Waits until `condition` holds for the messages so far; throws with `what` when it does not within `timeout`.
    public func waitUntil(
        _ what: String,
        timeout: Duration = .seconds(30),
        _ condition: @Sendable ([Message]) -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        while true {
            let (messages, ended) = state.withLock { ($0.messages, $0.outputEnded) }
            if condition(messages) { return }
            guard !ended, ContinuousClock.now < deadline else {
                throw RoomClientError(description: "no \(what) within \(timeout)\(ended ? " (stdout closed)" : "")")
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Waits for the first message at position `after` or later that matches `predicate`.
    @discardableResult
    public func waitFor(
        _ what: String,
        after index: Int = 0,
        timeout: Duration = .seconds(30),
        where predicate: @Sendable (Message) -> Bool
    ) async throws -> Message {
        let deadline = ContinuousClock.now + timeout
        var next = index
        while true {
            let (fresh, ended) = state.withLock { ($0.messages[min(next, $0.messages.count)...], $0.outputEnded) }
            if let found = fresh.first(where: predicate) { return found }
            next = max(next, fresh.endIndex)
            guard !ended, ContinuousClock.now < deadline else {
                throw RoomClientError(description: "no \(what) within \(timeout)\(ended ? " (stdout closed)" : "")")
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    // MARK: The process

    /// Starts reading the stdout of a host from ``RoomWorld/spawnUnread(redisURL:)``; does nothing for others.
    public func startReading() {
        if case .unread(let unread) = child { unread.startReading() }
    }

    /// Closes the host's stdin (end of input) once everything sent before is written.
    public func closeInput() {
        switch child {
        case .host(let process): process.closeStdin()
        case .unread(let unread): unread.closeInput()
        }
    }

    /// Sends a signal to the host.
    public func signal(_ number: Int32) {
        guard exitCode == nil else { return }
        Glibc.kill(pid, number)
    }

    /// Kills the host with SIGKILL, as a crash would, and waits until it is gone.
    public func kill() {
        switch child {
        case .host(let process):
            process.kill()
        case .unread(let unread):
            signal(SIGKILL)
            unread.waitUntilExit()
        }
    }

    /// The exit code (128 + signal when killed), or nil while the host runs.
    public var exitCode: Int32? {
        switch child {
        case .host(let process): process.termination?.code
        case .unread(let unread): unread.exitCode
        }
    }

    /// Waits for the host to exit; its exit code, or nil when it still runs after `timeout`.
    public func waitForExit(timeout: Duration = .seconds(5)) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while exitCode == nil, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        return exitCode
    }

    /// The last lines the host wrote to stderr, for reports.
    public func stderrTail(lines count: Int = 20) -> String {
        switch child {
        case .host(let process): process.stderrTail(lines: count)
        case .unread(let unread): unread.stderrTail(lines: count)
        }
    }
}

/// An error reply of the host.
public struct RoomCallError: Error, CustomStringConvertible, Sendable {
    public let error: JSON
    /// The method of the request.
    public let method: String
    /// The end of the host's stderr when the error is an internal one.
    public let hostLog: String
    public var code: Int? { error["code"]?.int64Value.map(Int.init) }
    public var data: JSON? { error["data"] }
    public var description: String {
        "\(method): \(error.text)" + (hostLog.isEmpty ? "" : "\nhost stderr:\n\(hostLog)")
    }
}

/// A reply or notification that did not come in time.
public struct RoomClientError: Error, CustomStringConvertible, Sendable {
    public var description: String

    public init(description: String) {
        self.description = description
    }
}

/// The notifications of project events, and checks of their delivery.
public enum RoomEvent {
    /// The event types of SPEC §5, which are the methods of their notifications.
    public static let types: Set<String> = [
        "task.created", "task.updated", "task.statusChanged", "task.deleted",
        "comment.created", "comment.updated", "comment.deleted",
    ]

    /// What is wrong with a run of delivered `seq`s that must be exactly `first`, `first + 1`, … `last` (none when
    /// `last < first`): the first few gaps, duplicates and reorderings, and the counts.
    public static func sequenceProblems(_ seqs: [Int64], first: Int64, last: Int64) -> [String] {
        var problems: [String] = []
        var expected = first
        var seen = Set<Int64>()
        for (position, seq) in seqs.enumerated() {
            if problems.count >= 5 { break }
            if !seen.insert(seq).inserted {
                problems.append("duplicate seq \(seq) at position \(position)")
            } else if seq != expected {
                problems.append("seq \(seq) at position \(position), expected \(expected)")
            }
            expected = max(expected, seq + 1)
        }
        let wanted = max(0, last - first + 1)
        if seqs.count != wanted || seqs.last.map({ $0 != last }) ?? (wanted != 0) {
            let range = seqs.isEmpty ? "none" : "\(seqs.first!)…\(seqs.last!)"
            problems.append("\(seqs.count) events delivered (\(range)), expected \(wanted) (\(first)…\(last))")
        }
        return problems
    }
}

/// A `taskwire serve` started through Foundation's `Process`, whose stdout pipe is left unread until asked.
final class UnreadProcess: Sendable {
    private let process: Process
    private let input: FileHandle
    private let output: FileHandle
    private let errorPath: String
    private let gate = DispatchSemaphore(value: 0)
    private let inputClosed = Locked(false)
    /// Bytes read from stdout after the last complete line; only the reader thread uses it.
    private let pending = Locked<[UInt8]>([])

    init(process: Process, input: FileHandle, output: FileHandle, errorPath: String) {
        self.process = process
        self.input = input
        self.output = output
        self.errorPath = errorPath
    }

    var pid: Int32 { process.processIdentifier }

    var exitCode: Int32? {
        guard !process.isRunning else { return nil }
        return process.terminationReason == .uncaughtSignal
            ? 128 + process.terminationStatus : process.terminationStatus
    }

    func waitUntilExit() {
        process.waitUntilExit()
    }

    /// Writes to stdin; the host reads its input at all times, so this does not block for long.
    func send(_ bytes: [UInt8]) {
        inputClosed.withLock { closed in
            guard !closed else { return }
            try? input.write(contentsOf: Data(bytes))
        }
    }

    func closeInput() {
        inputClosed.withLock { closed in
            guard !closed else { return }
            closed = true
            try? input.close()
        }
    }

    func startReading() {
        gate.signal()
    }

    /// The next line of stdout without its `\n`, once reading started; nil at the end of stdout.
    func nextLine() -> [UInt8]? {
        gate.wait()
        defer { gate.signal() }
        return pending.withLock { pending in
            var searched = 0
            while true {
                if let newline = pending[searched...].firstIndex(of: 0x0A) {
                    let line = Array(pending[..<newline])
                    pending.removeFirst(newline + 1)
                    return line
                }
                searched = pending.count
                var chunk = [UInt8](repeating: 0, count: 1 << 16)
                let count = chunk.withUnsafeMutableBytes { Glibc.read(output.fileDescriptor, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR { continue }
                guard count > 0 else {
                    defer { pending = [] }
                    return pending.isEmpty ? nil : pending
                }
                pending.append(contentsOf: chunk[..<count])
            }
        }
    }

    func stderrTail(lines count: Int) -> String {
        let text = (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(count).joined(separator: "\n")
    }
}
