public import TaskwireClient
public import TaskwireProtocol
import TaskwireSync

#if canImport(Glibc)
import Glibc
#endif

/// A host seen as one ordered stream: every reply and notification it wrote, in the order it wrote them, each with
/// the time it arrived. Nothing is ever taken out of the stream, so a test can look at what came before or after
/// any reply.
public final class RoomClient: Sendable {
    public typealias Message = TaskwireConnection.Message

    /// The connection to the host, which keeps the stream.
    public let connection: TaskwireConnection
    private let session = Locked("")

    init(_ connection: TaskwireConnection) {
        self.connection = connection
    }

    /// The child's process id.
    public var pid: Int32 { connection.process.pid }

    /// The session id that `initialize` returned; empty before.
    public var sessionID: String { session.withLock { $0 } }

    /// Every message so far.
    public var messages: [Message] { connection.messages }

    /// The messages from position `index` on.
    public func messages(from index: Int) -> ArraySlice<Message> { connection.messages(from: index) }

    /// How many messages arrived so far: the position of the next one.
    public var count: Int { connection.count }

    /// Lines of stdout that were not JSON (there must be none).
    public var unparsedLines: [String] { connection.unparsedLines }

    /// Whether stdout has reached end of file and every line of it is in ``messages``.
    public var isOutputEnded: Bool { connection.isClosed }

    // MARK: Requests

    /// Sends a request without waiting; returns its id for ``reply(to:timeout:)``.
    public func send(_ method: String, _ params: JSONObject = [:]) -> Int { connection.send(method, params) }

    /// Sends a notification.
    public func notify(_ method: String, _ params: JSONObject = [:]) { connection.notify(method, params) }

    /// Writes one message (a request, a notification or a batch) as one line.
    public func write(_ message: JSON) { connection.write(message) }

    /// A fresh request id, for requests written with ``write(_:)`` (in a batch, say).
    public func reserveID() -> Int { connection.reserveID() }

    /// The position of the reply to request `id` in the stream, once it arrived.
    public func replyIndex(of id: Int) -> Int? {
        connection.messages.lastIndex { $0.replyID == id }
    }

    /// Waits for the reply to request `id`: its result, or a ``RoomCallError``.
    @discardableResult
    public func reply(to id: Int, timeout: Duration = .seconds(30)) async throws -> JSON {
        do {
            return try await connection.reply(to: id, timeout: timeout)
        } catch let error as TaskwireError {
            // The host's own fault: what it logged tells why.
            let log = error.code == -32603 ? stderrTail(lines: 10) : ""
            throw RoomCallError(error: error.error, method: error.method, hostLog: log)
        } catch let error as ConnectionError {
            throw RoomClientError(description: error.description)
        }
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
        session.withLock { $0 = sessionID }
        return result
    }

    /// Every event of a project as `events.list` returns it, page by page, oldest first.
    public func eventLog(projectID: String) async throws -> [JSON] {
        var events: [JSON] = []
        while true {
            let page = try await request(
                "events.list",
                ["projectId": .string(projectID), "after": .int(Int64(events.count)), "limit": 1000]
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
        _ condition: @escaping @Sendable ([Message]) -> Bool
    ) async throws {
        do {
            try await connection.waitUntil(what, timeout: timeout, condition)
        } catch let error as ConnectionError {
            throw RoomClientError(description: error.description)
        }
    }

    /// Waits for the first message at position `after` or later that matches `predicate`.
    @discardableResult
    public func waitFor(
        _ what: String,
        after index: Int = 0,
        timeout: Duration = .seconds(30),
        where predicate: @escaping @Sendable (Message) -> Bool
    ) async throws -> Message {
        do {
            return try await connection.waitFor(what, after: index, timeout: timeout, predicate)
        } catch let error as ConnectionError {
            throw RoomClientError(description: error.description)
        }
    }

    // MARK: The process

    /// Starts reading the stdout of a host from ``RoomWorld/spawnUnread(redisURL:)``; does nothing for others.
    public func startReading() { connection.process.resumeOutput() }

    /// Closes the host's stdin (end of input) once everything sent before is written.
    public func closeInput() { connection.process.closeStdin() }

    /// Sends a signal to the host.
    public func signal(_ signal: ProcessSignal) { connection.process.signal(signal) }

    /// Kills the host with SIGKILL, as a crash would, and waits until it is gone.
    public func kill() { connection.process.kill() }

    /// The exit code (128 + signal when killed), or nil while the host runs.
    public var exitCode: Int32? { connection.process.termination?.code }

    /// Waits for the host to exit; its exit code, or nil when it still runs after `timeout`.
    public func waitForExit(timeout: Duration = .seconds(5)) async -> Int32? {
        await connection.process.exit(timeout: timeout)?.code
    }

    /// The last lines the host wrote to stderr, for reports.
    public func stderrTail(lines count: Int = 20) -> String { connection.process.stderrTail(lines: count) }
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
    /// The event types of Protocol/openrpc.json (events, rooms and delivery), which are the methods of their notifications.
    public static let types = Set(EventType.allCases.map(\.rawValue))

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

extension TaskwireConnection.Message {
    /// Whether this is the notification of a project event (its method is the event's type).
    public var isEvent: Bool { method.map(RoomEvent.types.contains) ?? false }
    /// The `seq` of an event notification.
    public var seq: Int64? { isEvent ? params["seq"]?.int64Value : nil }
}
