public import TaskwireProtocol
import TaskwireSync

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A JSON-RPC connection to one `taskwire` host that this process started: requests with their replies, and the
/// host's notifications, in the order it sent them.
///
/// One reader thread parses every line the host writes. Replies are matched to requests by id; notifications wait
/// in a mailbox (``nextNotification(_:timeout:where:)``) or flow through ``notifications()``. With `keepsLog`,
/// every message is also kept, numbered, with its arrival time, for callers that check whole streams.
///
/// ```swift
/// let host = try TaskwireConnection.serve(binary: "/usr/local/bin/taskwire", arguments: ["--db", path])
/// let session = try host.initialize(token: token)
/// try host.join(projectID: projectID)
/// for await notification in host.notifications() { print(notification.method ?? "", notification.params) }
/// ```
// @unchecked Sendable: `state` is only read or written with `condition` held; the rest is immutable or Sendable.
public final class TaskwireConnection: @unchecked Sendable {
    /// One message the host wrote: a reply or a notification.
    public struct Message: Sendable {
        /// Its position among every message of the connection (counted only with `keepsLog`; 0 otherwise).
        public let index: Int
        public let json: JSON
        public let arrival: ContinuousClock.Instant

        /// The method of a notification; nil for a reply.
        public var method: String? { json["method"]?.stringValue }
        /// The params of a notification (`null` when it has none).
        public var params: JSON { json["params"] ?? .null }
        /// The id of a reply whose id is an integer.
        public var replyID: Int? { json["method"] == nil ? json["id"]?.int64Value.map(Int.init) : nil }
    }

    struct State {
        var replies: [String: JSON] = [:]
        var mailbox: [Message] = []
        var log: [Message] = []
        var unparsed: [String] = []
        var nextID = 0
        var methods: [Int: String] = [:]
        var closed = false
        var streaming = false
        var waiters: [Int: Waiter] = [:]
        var expiredWaiters: Set<Int> = []
        var nextWaiter = 0
    }

    /// A caller suspended until the connection's state satisfies `ready`.
    struct Waiter {
        var ready: (State) -> Bool
        var continuation: CheckedContinuation<Bool, Never>
    }

    public let process: ChildProcess
    /// Whether every message is kept in ``messages``.
    public let keepsLog: Bool
    let condition = ConditionLock()
    var state = State()
    private let stream: Locked<AsyncStream<Message>.Continuation?> = Locked(nil)
    /// In a struct, not as a bare optional closure: reading a closure back out of `Locked`'s `inout` would wrap it
    /// in another reabstraction thunk on every line.
    private struct ObserverBox {
        var observe: LineObserver?
    }

    private let lineObserver = Locked(ObserverBox())

    /// Sees each raw line the host writes, on the reading thread, before it is parsed, with its arrival time (a
    /// ``MonotonicClock`` reading); returns true when it has consumed the line, which the connection then ignores.
    public typealias LineObserver = @Sendable (UnsafeRawBufferPointer, UInt64) -> Bool

    /// Starts `executable ARGUMENTS` and connects to its stdin and stdout.
    ///
    /// The child's environment is the variables of this process's that `inherit` accepts (by default all but
    /// `TASKWIRE_TOKEN`: a token is given to `initialize`), plus `environment`. With `outputPaused`, the host's
    /// output is not read until `process.resumeOutput()`.
    public init(
        executable: String,
        arguments: [String],
        environment: [String: String] = [:],
        inherit: (String) -> Bool = { $0 != "TASKWIRE_TOKEN" },
        keepsLog: Bool = false,
        outputPaused: Bool = false
    ) throws(ProcessError) {
        var merged = Environment.current.filter { inherit($0.key) }
        merged.merge(environment) { _, new in new }
        self.keepsLog = keepsLog
        // The process hands each line to `received` on its stdout thread: one thread per connection reads, parses
        // and dispatches, with no hand-off in between.
        let sink = Sink()
        process = try ChildProcess(
            executable: executable,
            arguments: arguments,
            environment: merged,
            outputPaused: outputPaused,
            onOutput: { output in sink.deliver(output) }
        )
        sink.attach(self)
    }

    /// Starts `taskwire serve ARGUMENTS` (`binary` is the path of the `taskwire` executable).
    public static func serve(
        binary: String,
        arguments: [String] = [],
        environment: [String: String] = [:],
        inherit: (String) -> Bool = { $0 != "TASKWIRE_TOKEN" },
        keepsLog: Bool = false
    ) throws(ProcessError) -> TaskwireConnection {
        try TaskwireConnection(
            executable: binary,
            arguments: ["serve"] + arguments,
            environment: environment,
            inherit: inherit,
            keepsLog: keepsLog
        )
    }

    /// One line of the host's stdout, or its end, on the process's stdout thread.
    fileprivate func received(_ output: ChildProcess.Output) {
        guard case .line(let line) = output else {
            let resumed = condition.withLock {
                state.closed = true
                condition.broadcast()
                return readyWaiters()
            }
            for continuation in resumed { continuation.resume(returning: true) }
            stream.withLock { $0?.finish() }
            return
        }
        if let observer = lineObserver.withLock({ $0.observe }), observer(line, MonotonicClock.now()) { return }
        let arrival = ContinuousClock.now
        let parsed = try? JSONParser.parse(line)
        var streamed: Message?
        let resumed: [CheckedContinuation<Bool, Never>] = condition.withLock {
            guard let json = parsed else {
                if keepsLog { state.unparsed.append(String(decoding: line, as: UTF8.self)) }
                return []
            }
            let message = Message(index: keepsLog ? state.log.count : 0, json: json, arrival: arrival)
            if keepsLog { state.log.append(message) }
            if let id = json["id"], json["method"] == nil {
                state.replies[id.text] = json
            } else if state.streaming {
                streamed = message
            } else {
                state.mailbox.append(message)
            }
            condition.broadcast()
            return readyWaiters()
        }
        for continuation in resumed { continuation.resume(returning: true) }
        if let streamed { stream.withLock { _ = $0?.yield(streamed) } }
    }

    /// Removes the waiters whose condition now holds; called with `condition` held.
    private func readyWaiters() -> [CheckedContinuation<Bool, Never>] {
        let ready = state.waiters.filter { $0.value.ready(state) || state.closed }
        for key in ready.keys { state.waiters.removeValue(forKey: key) }
        return ready.values.map(\.continuation)
    }

    // MARK: Sending

    /// Sends a request without waiting; returns its id for ``reply(to:timeout:)``.
    @discardableResult
    public func send(_ method: String, _ params: JSONObject = [:]) -> Int {
        let id = condition.withLock {
            state.nextID += 1
            state.methods[state.nextID] = method
            return state.nextID
        }
        write(["jsonrpc": "2.0", "id": .int(Int64(id)), "method": .string(method), "params": .object(params)])
        return id
    }

    /// Sends requests as consecutive lines in one write, as a client that pipelines does; returns their ids.
    @discardableResult
    public func sendPipelined(_ calls: [(method: String, params: JSONObject)]) -> [Int] {
        var bytes: [UInt8] = []
        let ids = calls.map { call in
            let id = condition.withLock {
                state.nextID += 1
                state.methods[state.nextID] = call.method
                return state.nextID
            }
            let message: JSON = [
                "jsonrpc": "2.0", "id": .int(Int64(id)), "method": .string(call.method), "params": .object(call.params),
            ]
            message.write(into: &bytes)
            bytes.append(0x0A)
            return id
        }
        process.send(bytes)
        return ids
    }

    /// A fresh request id, for requests written with ``write(_:)`` (in a batch, say).
    public func reserveID() -> Int {
        condition.withLock {
            state.nextID += 1
            return state.nextID
        }
    }

    /// Sends a notification.
    public func notify(_ method: String, _ params: JSONObject = [:]) {
        write(["jsonrpc": "2.0", "method": .string(method), "params": .object(params)])
    }

    /// Sends one message (or batch) as one line.
    public func write(_ message: JSON) {
        var bytes = message.bytes
        bytes.append(0x0A)
        process.send(bytes)
    }

    /// The method of a request sent through ``send(_:_:)``.
    public func method(ofRequest id: Int) -> String? {
        condition.withLock { state.methods[id] }
    }

    /// Installs (or with nil removes) an observer of raw lines: for callers that measure or filter the stream
    /// without paying for a parse of every line, such as the benchmarks.
    public func observeLines(_ observer: LineObserver?) {
        lineObserver.withLock { $0.observe = observer }
    }

    // MARK: Replies

    /// Waits for the reply to request `id`: its result, or a ``TaskwireError``.
    public func reply(to id: Int, timeout: Duration = .seconds(10)) throws -> JSON {
        let deadline = timeout.deadline
        let message: JSON? = condition.withLock {
            while state.replies[String(id)] == nil, !state.closed {
                guard condition.wait(untilNanoseconds: deadline) else { break }
            }
            return state.replies.removeValue(forKey: String(id))
        }
        return try result(of: message, id: id, timeout: timeout)
    }

    /// Waits, suspended, for the reply to request `id`.
    public func reply(to id: Int, timeout: Duration = .seconds(30)) async throws -> JSON {
        _ = await wait(timeout: timeout) { $0.replies[String(id)] != nil }
        let message = condition.withLock { state.replies.removeValue(forKey: String(id)) }
        return try result(of: message, id: id, timeout: timeout)
    }

    private func result(of message: JSON?, id: Int, timeout: Duration) throws -> JSON {
        let method = self.method(ofRequest: id) ?? "request \(id)"
        guard let message else {
            let closed = condition.withLock { state.closed }
            throw ConnectionError(
                description: closed
                    ? "the host closed its output before answering \(method)"
                    : "no reply to \(method) (request \(id)) within \(timeout)"
            )
        }
        if let error = message["error"] { throw TaskwireError(error: error, method: method) }
        return message["result"] ?? .null
    }

    /// Sends a request and waits for its result.
    @discardableResult
    public func call(_ method: String, _ params: JSONObject = [:], timeout: Duration = .seconds(10)) throws -> JSON {
        try reply(to: send(method, params), timeout: timeout)
    }

    /// Sends a request and waits, suspended, for its result.
    @discardableResult
    public func call(
        _ method: String,
        _ params: JSONObject = [:],
        timeout: Duration = .seconds(30)
    ) async throws -> JSON {
        try await reply(to: send(method, params), timeout: timeout)
    }

    // MARK: Notifications

    /// Waits for the next notification with this method (others before it stay in the mailbox); returns its params.
    public func nextNotification(
        _ method: String,
        timeout: Duration = .seconds(10),
        where predicate: (JSON) -> Bool = { _ in true }
    ) throws -> JSON {
        let deadline = timeout.deadline
        return try condition.withLock {
            while true {
                if let index = state.mailbox.firstIndex(where: { $0.method == method && predicate($0.params) }) {
                    return state.mailbox.remove(at: index).params
                }
                guard !state.closed, condition.wait(untilNanoseconds: deadline) else {
                    throw ConnectionError(description: "no \(method) notification within \(timeout)")
                }
            }
        }
    }

    /// Waits for the next notification of any method; nil when none comes in time or the host closed its output.
    public func nextNotification(timeout: Duration) -> Message? {
        let deadline = timeout.deadline
        return condition.withLock {
            while state.mailbox.isEmpty {
                guard !state.closed, condition.wait(untilNanoseconds: deadline) else { return nil }
            }
            return state.mailbox.removeFirst()
        }
    }

    /// Removes and returns every notification in the mailbox.
    public func takeNotifications() -> [Message] {
        condition.withLock {
            defer { state.mailbox.removeAll() }
            return state.mailbox
        }
    }

    /// Every notification from now on (those already in the mailbox first), until the host closes its output.
    ///
    /// - Important: Call it once; from then on notifications no longer go to the mailbox.
    public func notifications() -> AsyncStream<Message> {
        AsyncStream { continuation in
            stream.withLock { $0 = continuation }
            let (pending, closed) = condition.withLock {
                state.streaming = true
                defer { state.mailbox.removeAll() }
                return (state.mailbox, state.closed)
            }
            for message in pending { continuation.yield(message) }
            if closed { continuation.finish() }
        }
    }

    // MARK: The log

    /// Every message so far, in order (with `keepsLog`).
    public var messages: [Message] { condition.withLock { state.log } }

    /// The messages from position `index` on.
    public func messages(from index: Int) -> ArraySlice<Message> {
        condition.withLock { state.log[min(index, state.log.count)...] }
    }

    /// How many messages arrived (with `keepsLog`).
    public var count: Int { condition.withLock { state.log.count } }

    /// Lines the host wrote that are not JSON (with `keepsLog`).
    public var unparsedLines: [String] { condition.withLock { state.unparsed } }

    /// Whether the host closed its output.
    public var isClosed: Bool { condition.withLock { state.closed } }

    /// Waits, suspended, for the first message from position `index` on that satisfies `predicate` (with
    /// `keepsLog`).
    public func waitFor(
        _ what: String,
        after index: Int = 0,
        timeout: Duration = .seconds(30),
        _ predicate: @escaping @Sendable (Message) -> Bool
    ) async throws -> Message {
        // Each check looks only at the messages that arrived since the last one: it runs on every new message.
        let scanned = ScanPosition(index)
        let found: @Sendable (State) -> Message? = { state in
            let start = min(scanned.next, state.log.count)
            if let message = state.log[start...].first(where: predicate) { return message }
            scanned.next = state.log.count
            return nil
        }
        _ = await wait(timeout: timeout) { found($0) != nil }
        if let message = condition.withLock({ found(state) }) { return message }
        let ended = condition.withLock { state.closed } ? " (the host closed its output)" : ""
        throw ConnectionError(description: "no \(what) within \(timeout)\(ended)")
    }

    /// Waits, suspended, until `condition` holds for the messages so far (with `keepsLog`).
    public func waitUntil(
        _ what: String,
        timeout: Duration = .seconds(30),
        _ holds: @escaping @Sendable ([Message]) -> Bool
    ) async throws {
        let satisfied = await wait(timeout: timeout) { holds($0.log) }
        guard satisfied || condition.withLock({ holds(state.log) }) else {
            throw ConnectionError(description: "no \(what) within \(timeout)")
        }
    }

    /// Suspends until `ready` holds for the state, the host closes its output, or the time is up; true unless the
    /// time ran out.
    private func wait(timeout: Duration, until ready: @escaping (State) -> Bool) async -> Bool {
        let key: Int? = condition.withLock {
            guard !ready(state), !state.closed else { return nil }
            state.nextWaiter += 1
            return state.nextWaiter
        }
        guard let key else { return true }
        let timer = Task {
            try? await Task.sleep(for: timeout)
            let continuation: CheckedContinuation<Bool, Never>? = condition.withLock {
                guard let waiter = state.waiters.removeValue(forKey: key) else {
                    // Not registered yet: the registration below sees this and does not wait.
                    state.expiredWaiters.insert(key)
                    return nil
                }
                return waiter.continuation
            }
            continuation?.resume(returning: false)
        }
        defer { timer.cancel() }
        return await withCheckedContinuation { continuation in
            let resumeNow: Bool? = condition.withLock {
                if ready(state) || state.closed { return true }
                if state.expiredWaiters.remove(key) != nil { return false }
                state.waiters[key] = Waiter(ready: ready, continuation: continuation)
                return nil
            }
            if let resumeNow { continuation.resume(returning: resumeNow) }
        }
    }

    // MARK: Ending

    /// Closes the host's stdin and waits for it to exit; returns its exit code.
    @discardableResult
    public func close(timeout: Duration = .seconds(5)) -> Int32? {
        process.closeStdin()
        return process.waitForExit(timeout: timeout)
    }
}

/// Lets the process's output handler reach its connection, which exists only once the process is started: what
/// arrives before is kept and handed over when the connection attaches. Weak, so that the process (owned by the
/// connection) does not keep the connection alive.
private final class Sink: Sendable {
    private struct State {
        weak var connection: TaskwireConnection?
        var attached = false
        var early: [[UInt8]] = []
        var ended = false
    }

    private let state = Locked(State())

    // Both hand lines over with `state` locked, so that a line read while early ones are handed over waits for
    // them. Lock order: Sink.state, then the connection's condition.
    func attach(_ connection: TaskwireConnection) {
        state.withLock { state in
            state.connection = connection
            state.attached = true
            for line in state.early { line.withUnsafeBytes { connection.received(.line($0)) } }
            if state.ended { connection.received(.end) }
            state.early = []
        }
    }

    func deliver(_ output: ChildProcess.Output) {
        state.withLock { state in
            guard state.attached else {
                switch output {
                case .line(let line): state.early.append(Array(line))
                case .end: state.ended = true
                }
                return
            }
            state.connection?.received(output)
        }
    }
}

/// How far a waiter has looked through the log.
// @unchecked Sendable: read and written only by checks that run with the connection's `condition` held.
private final class ScanPosition: @unchecked Sendable {
    var next: Int

    init(_ next: Int) {
        self.next = next
    }
}

/// An error reply of the host.
public struct TaskwireError: Error, Sendable, CustomStringConvertible {
    /// The `error` member of the reply: `{code, message, data?}`.
    public let error: JSON
    /// The method of the request.
    public let method: String

    public init(error: JSON, method: String) {
        self.error = error
        self.method = method
    }

    public var code: Int? { error["code"]?.int64Value.map(Int.init) }
    public var message: String { error["message"]?.stringValue ?? "" }
    public var data: JSON? { error["data"] }
    public var description: String { "\(method): \(error.text)" }
}

/// The connection could not deliver a request or a reply: the host closed its output, or did not answer in time.
public struct ConnectionError: Error, Sendable, CustomStringConvertible {
    public var description: String

    public init(description: String) {
        self.description = description
    }
}

/// This process's environment, without Foundation.
public enum Environment {
    public static var current: [String: String] {
        var result: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                result[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            pointer += 1
        }
        return result
    }
}
