import TaskwireProtocol
import TaskwireSync
import TaskwireTransport
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A pipe whose read end the test reads line by line, with bounded waits.
///
/// - Important: The write end is never closed here: an ``OutputWriter`` thread may outlive the test and still hold
///   it, and closing it could let the number be reused by another test's descriptor.
final class TestPipe {
    let readEnd: Int32
    let writeEnd: Int32
    private var buffered: [UInt8] = []
    private var closed = false
    private var readEndClosed = false

    init() {
        // A writer still blocked on this pipe when the test closes its read end must get EPIPE, not a signal.
        signal(SIGPIPE, SIG_IGN)
        var descriptors: [Int32] = [-1, -1]
        precondition(pipe(&descriptors) == 0, "cannot create a pipe")
        readEnd = descriptors[0]
        writeEnd = descriptors[1]
    }

    deinit {
        if !readEndClosed { close(readEnd) }
    }

    /// Closes the read end now, so that writers to the pipe see it broken.
    func closeReadEnd() {
        guard !readEndClosed else { return }
        readEndClosed = true
        closed = true
        close(readEnd)
    }

    /// Bytes read but not yet returned as lines.
    var bufferedCount: Int { buffered.count }

    /// Reads once, waiting at most `timeoutMilliseconds` for data; false when nothing came.
    @discardableResult
    func readSome(timeoutMilliseconds: Int32) -> Bool {
        guard !closed else { return false }
        var poller = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, timeoutMilliseconds) > 0 else { return false }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        let count = chunk.withUnsafeMutableBytes { read(readEnd, $0.baseAddress, $0.count) }
        guard count > 0 else {
            closed = true
            return false
        }
        buffered += chunk[0..<count]
        return true
    }

    /// The next line without its `\n`, or nil when none is complete within `timeoutMilliseconds`.
    func nextLine(timeoutMilliseconds: Int = 5000) -> [UInt8]? {
        let deadline = MonotonicClock.deadline(afterMilliseconds: timeoutMilliseconds)
        while true {
            if let end = buffered.firstIndex(of: 0x0A) {
                let line = Array(buffered[..<end])
                buffered.removeFirst(end + 1)
                return line
            }
            let now = MonotonicClock.now()
            guard now < deadline, !closed else { return nil }
            readSome(timeoutMilliseconds: Int32(max(1, (deadline - now) / 1_000_000)))
        }
    }

    /// The next line parsed as JSON, recording an issue when there is none or it is not JSON.
    func nextJSON(sourceLocation: SourceLocation = #_sourceLocation) -> JSON? {
        guard let line = nextLine() else {
            Issue.record("no line arrived", sourceLocation: sourceLocation)
            return nil
        }
        do {
            return try JSONParser.parse(line)
        } catch {
            Issue.record(
                "not JSON: \(String(decoding: line.prefix(200), as: UTF8.self)): \(error)",
                sourceLocation: sourceLocation
            )
            return nil
        }
    }
}

/// A handler for connection tests: `echo` returns its params, `ping` returns `{}`, `fail` an error, `after` queues
/// an after-reply notification, `stop` stops reading, `write` leaves an upkeep. `echo` calls may be grouped while `groupOutcomes` has
/// outcomes left; each group takes the first.
private final class TestHandler: CallHandler {
    let writer: OutputWriter
    var handled: [String] = []
    var groupOutcomes: [GroupOutcome] = []
    /// How many calls each group that ran had.
    var groups: [Int] = []
    /// How many times each group runs its calls, as a store does when a first run must be undone.
    var runsPerGroup = 1

    func isGroupable(_ call: Call) -> Bool { call.method == "echo" && !groupOutcomes.isEmpty }

    func runGrouped(_ body: () -> Void) -> GroupOutcome {
        // Messages without calls (blank lines, unreadable ones) count as groupable whatever the handler says.
        guard !groupOutcomes.isEmpty else { return .unavailable }
        let outcome = groupOutcomes.removeFirst()
        if case .unavailable = outcome { return outcome }
        var before = handled.count
        for _ in 0..<runsPerGroup {
            before = handled.count
            body()
        }
        groups.append(handled.count - before)
        return outcome
    }

    /// What `upkeepDelayMilliseconds` reports after a `write` call, until the upkeep ran.
    var writeUpkeepDelay: Int32?
    private var upkeepDue: Int32?
    /// How many calls were handled when each upkeep ran.
    var upkeeps: [Int] = []
    /// Run by `write` after it was handled: a client's next input arriving while the upkeep waits.
    var afterWrite: () -> Void = {}
    /// Run by each upkeep.
    var onUpkeep: () -> Void = {}

    var upkeepDelayMilliseconds: Int32? { upkeepDue }

    func runUpkeep() {
        upkeepDue = nil
        upkeeps.append(handled.count)
        onUpkeep()
    }

    init(writer: OutputWriter) { self.writer = writer }

    func handle(_ call: Call, context: CallContext) -> Result<JSON, ResponseError> {
        handled.append(call.method)
        if call.method == "write" {
            upkeepDue = writeUpkeepDelay
            afterWrite()
            return .success("written")
        }
        if call.paramsWereArray { return .failure(.invalidParams("params must be an object")) }
        switch call.method {
        case "echo": return .success(.object(call.params))
        case "ping": return .success([:])
        case "fail": return .failure(ResponseError(code: .conflict, message: "Conflict", data: ["why": "test"]))
        case "after":
            let label = call.params["label"] ?? .null
            context.afterReply.append { [writer] in
                writer.send(Outgoing.notification(method: "afterReply", params: ["label": label]))
            }
            return .success("queued")
        case "stop":
            context.stopReading = true
            return .success(.null)
        default: return .failure(.methodNotFound(call.method))
        }
    }
}

/// A connection over a pipe, fed in-process.
private struct Harness {
    let output = TestPipe()
    let writer: OutputWriter
    let handler: TestHandler
    let connection: Connection

    init(input: Int32 = -1, maxMessageBytes: Int = 1 << 20) {
        writer = OutputWriter(fd: output.writeEnd)
        writer.start()
        handler = TestHandler(writer: writer)
        connection = Connection(input: input, writer: writer, maxMessageBytes: maxMessageBytes, handler: handler)
    }

    func feed(_ text: String) {
        Array(text.utf8).withUnsafeBytes { connection.process(.line($0)) }
    }

    /// Sends a ping with id `"probe"` and expects its reply to be the next line: everything before was read.
    func expectNothingMore(sourceLocation: SourceLocation = #_sourceLocation) {
        feed(#"{"jsonrpc":"2.0","id":"probe","method":"ping"}"#)
        let reply = output.nextJSON(sourceLocation: sourceLocation)
        #expect(reply?["id"] == "probe", "unexpected output: \(reply?.text ?? "none")", sourceLocation: sourceLocation)
    }
}

private func request(_ id: String, _ method: String, _ params: String? = nil) -> String {
    let tail = params.map { #","params":\#($0)"# } ?? ""
    return #"{"jsonrpc":"2.0","id":\#(id),"method":"\#(method)"\#(tail)}"#
}

private func notification(_ method: String) -> String {
    #"{"jsonrpc":"2.0","method":"\#(method)"}"#
}

/// Expects `reply` to be an error response with `code` and `id`.
private func expectError(
    _ reply: JSON?,
    code: Int,
    id: JSON,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(reply?["jsonrpc"] == "2.0", sourceLocation: sourceLocation)
    #expect(reply?["id"] == id, sourceLocation: sourceLocation)
    #expect(reply?["error"]?["code"] == .int(code), sourceLocation: sourceLocation)
    #expect(reply?["error"]?["message"]?.stringValue?.isEmpty == false, sourceLocation: sourceLocation)
    #expect(reply?["result"] == nil, sourceLocation: sourceLocation)
}

@Suite struct ConnectionTests {
    @Test func requestGetsOneResponse() {
        let harness = Harness()
        harness.feed(request("1", "echo", #"{"a":[1,"b"]}"#))
        let reply = harness.output.nextJSON()
        #expect(reply == ["jsonrpc": "2.0", "id": 1, "result": ["a": [1, "b"]]])
        harness.expectNothingMore()
    }

    @Test func notificationsAreNeverAnswered() {
        let harness = Harness()
        harness.feed(notification("ping"))
        harness.feed(notification("fail"))
        harness.feed(notification("unknown"))
        harness.feed(#"{"jsonrpc":"2.0","method":"echo","params":[1]}"#)
        harness.expectNothingMore()
        #expect(harness.handler.handled == ["ping", "fail", "unknown", "echo", "ping"])
    }

    @Test(
        arguments: [
            "9007199254740993", "123456789012345678901234567890", "-0", "1.5e3", "0", #""""#, #""id with \" quote""#,
            #""\u00e9""#, "null",
        ]
    )
    func idsAreEchoedExactly(_ id: String) throws {
        let harness = Harness()
        harness.feed(request(id, "ping"))
        guard let line = harness.output.nextLine() else {
            Issue.record("no reply")
            return
        }
        let text = String(decoding: line, as: UTF8.self)
        let expectedID = try JSONParser.parse(id)
        #expect(try JSONParser.parse(line)["id"] == expectedID)
        #expect(text.contains(#""id":\#(expectedID.text)"#), "\(text)")
        if case .number = expectedID { #expect(text.contains(#""id":\#(id),"#)) }
    }

    @Test func errorsKeepTheirCodeAndData() {
        let harness = Harness()
        harness.feed(request(#""e""#, "fail"))
        let reply = harness.output.nextJSON()
        expectError(reply, code: -32009, id: "e")
        #expect(reply?["error"]?["data"] == ["why": "test"])
    }

    @Test func batchAnswersWithAnArrayOfTheRequestsOnly() {
        let harness = Harness()
        let batch = [
            request("1", "echo", #"{"n":1}"#), notification("ping"), request(#""two""#, "ping"), notification("fail"),
            request("3", "fail"),
        ]
        harness.feed("[" + batch.joined(separator: ",") + "]")
        guard let replies = harness.output.nextJSON()?.arrayValue else {
            Issue.record("the batch reply is not an array")
            return
        }
        #expect(replies.map { $0["id"] } == [1, "two", 3])
        #expect(replies[0]["result"] == ["n": 1])
        #expect(replies[1]["result"] == [:])
        #expect(replies[2]["error"]?["code"] == -32009)
        harness.expectNothingMore()
    }

    @Test func batchOfOneRequestIsStillAnArray() {
        let harness = Harness()
        harness.feed("[" + request("1", "ping") + "]")
        #expect(harness.output.nextJSON() == [["jsonrpc": "2.0", "id": 1, "result": [:]]])
    }

    @Test func batchOfOnlyNotificationsGetsNoReply() {
        let harness = Harness()
        harness.feed(
            "[" + [notification("ping"), notification("echo"), notification("fail")].joined(separator: ",") + "]"
        )
        harness.expectNothingMore()
        #expect(harness.handler.handled == ["ping", "echo", "fail", "ping"])
    }

    @Test func emptyBatchIsOneInvalidRequest() {
        let harness = Harness()
        harness.feed("[]")
        harness.feed(" [ ] ")
        let first = harness.output.nextJSON()
        #expect(first?.arrayValue == nil)
        expectError(first, code: -32600, id: nil)
        expectError(harness.output.nextJSON(), code: -32600, id: nil)
        harness.expectNothingMore()
    }

    @Test func invalidBatchElementsAreAnsweredInPlace() {
        let harness = Harness()
        harness.feed(
            #"[1, {"jsonrpc":"2.0","id":2,"method":"ping"}, {"jsonrpc":"2.0","id":3}, {"id":4,"method":"ping"}]"#
        )
        guard let replies = harness.output.nextJSON()?.arrayValue, replies.count == 4 else {
            Issue.record("expected four replies")
            return
        }
        expectError(replies[0], code: -32600, id: nil)
        #expect(replies[1] == ["jsonrpc": "2.0", "id": 2, "result": [:]])
        expectError(replies[2], code: -32600, id: 3)
        expectError(replies[3], code: -32600, id: 4)
    }

    @Test(
        arguments: [
            "{", #"{"jsonrpc":"2.0","id":1,"method":"ping""#, "[1,", "nope", #"{"jsonrpc":"2.0","id":1} x"#, "\u{1}",
        ]
    )
    func parseErrorsAnswerWithNullID(_ text: String) {
        let harness = Harness()
        harness.feed(text)
        expectError(harness.output.nextJSON(), code: -32700, id: nil)
        harness.expectNothingMore()
    }

    @Test func invalidUTF8IsAParseError() {
        let harness = Harness()
        var bytes = Array(#"{"jsonrpc":"2.0","id":1,"method":"echo","params":{"a":""#.utf8)
        bytes += [0xC3, 0x28]
        bytes += Array(#""}}"#.utf8)
        bytes.withUnsafeBytes { harness.connection.process(.line($0)) }
        expectError(harness.output.nextJSON(), code: -32700, id: nil)
    }

    @Test func oversizedLineIsAnInvalidRequestWithNullID() {
        let harness = Harness(maxMessageBytes: 100)
        harness.connection.process(.oversized)
        let reply = harness.output.nextJSON()
        expectError(reply, code: -32600, id: nil)
        #expect(reply?["error"]?["message"]?.stringValue?.contains("100") == true)
        harness.expectNothingMore()
    }

    @Test func blankLinesAreIgnored() {
        let harness = Harness()
        harness.feed("")
        harness.feed("  \t\r ")
        harness.expectNothingMore()
    }

    @Test func invalidRequestsKeepTheirReadableID() {
        let harness = Harness()
        harness.feed(#"{"jsonrpc":"2.0","id":"keep","method":"ping","params":"x"}"#)
        expectError(harness.output.nextJSON(), code: -32600, id: "keep")
        harness.feed(#"{"jsonrpc":"2.0","id":true,"method":"ping"}"#)
        expectError(harness.output.nextJSON(), code: -32600, id: nil)
        harness.feed(#"{"jsonrpc":"2.0","id":9,"method":"ping","extra":1}"#)
        expectError(harness.output.nextJSON(), code: -32600, id: 9)
        harness.feed(#"{"jsonrpc":"2.0","id":10,"method":"echo","params":[1]}"#)
        expectError(harness.output.nextJSON(), code: -32602, id: 10)
    }

    @Test func afterReplyActionsRunOnceTheReplyIsQueued() {
        let harness = Harness()
        harness.feed(request("1", "after", #"{"label":"single"}"#))
        #expect(harness.output.nextJSON() == ["jsonrpc": "2.0", "id": 1, "result": "queued"])
        #expect(harness.output.nextJSON()?["params"] == ["label": "single"])

        harness.feed(
            "[" + request("2", "after", #"{"label":"a"}"#) + "," + request("3", "ping") + ","
                + #"{"jsonrpc":"2.0","method":"after","params":{"label":"b"}}"# + "]"
        )
        let batchReply = harness.output.nextJSON()
        #expect(batchReply?.arrayValue?.map { $0["id"] } == [2, 3])
        #expect(harness.output.nextJSON() == ["jsonrpc": "2.0", "method": "afterReply", "params": ["label": "a"]])
        #expect(harness.output.nextJSON()?["params"] == ["label": "b"])
        harness.expectNothingMore()
    }

    @Test func afterReplyActionsRunForNotificationsToo() {
        let harness = Harness()
        harness.feed(#"{"jsonrpc":"2.0","method":"after","params":{"label":"quiet"}}"#)
        #expect(harness.output.nextJSON()?["method"] == "afterReply")
        harness.expectNothingMore()
    }

    /// `run()` reads real input: mixed terminators, a final line without `\n`, an oversized line in between.
    @Test func runReadsUntilEndOfInput() {
        let input = TestPipe()
        let harness = Harness(input: input.readEnd, maxMessageBytes: 200)
        let text =
            request("1", "ping") + "\r\n\n" + String(repeating: "x", count: 1000) + "\n"
            + request("2", "echo", #"{"k":"v"}"#)
            + "\n" + request("3", "ping")
        writeAll(Array(text.utf8), to: input.writeEnd)
        close(input.writeEnd)
        harness.connection.run()
        #expect(harness.output.nextJSON()?["id"] == 1)
        expectError(harness.output.nextJSON(), code: -32600, id: nil)
        #expect(harness.output.nextJSON()?["result"] == ["k": "v"])
        #expect(harness.output.nextJSON()?["id"] == 3)
        harness.expectNothingMore()
    }

    @Test func runStopsReadingWhenAHandlerAsks() {
        let input = TestPipe()
        let harness = Harness(input: input.readEnd)
        let text = [request("1", "ping"), request("2", "stop"), request("3", "ping"), request("4", "ping")]
        writeAll(Array((text.joined(separator: "\n") + "\n").utf8), to: input.writeEnd)
        harness.connection.run()
        close(input.writeEnd)
        #expect(harness.output.nextJSON()?["id"] == 1)
        #expect(harness.output.nextJSON()?["id"] == 2)
        harness.expectNothingMore()
        #expect(harness.handler.handled == ["ping", "stop", "ping"])
    }
}

/// A handler's deferred upkeep runs between calls: once the input stayed quiet for the handler's delay, at once when
/// it is due, and at the end of the input; never while a client's next input is waiting and it may still wait.
@Suite struct ConnectionUpkeepTests {
    private func run(delay: Int32, configure: (TestHandler, Int32) -> Void) -> [Int] {
        let input = TestPipe()
        let harness = Harness(input: input.readEnd)
        harness.handler.writeUpkeepDelay = delay
        configure(harness.handler, input.writeEnd)
        writeAll(Array((request("1", "write") + "\n").utf8), to: input.writeEnd)
        harness.connection.run()
        #expect(harness.output.nextJSON()?["result"] == "written")
        return harness.handler.upkeeps
    }

    @Test func itRunsOnceTheInputStaysQuiet() {
        let upkeeps = run(delay: 20) { handler, input in
            // The upkeep ran while the client was silent; the client then leaves.
            handler.onUpkeep = { close(input) }
        }
        #expect(upkeeps == [1])
    }

    @Test func itWaitsWhileTheClientKeepsWritingAndRunsAtTheEndOfInput() {
        let upkeeps = run(delay: 10_000) { handler, input in
            handler.afterWrite = {
                writeAll(Array((request("2", "ping") + "\n").utf8), to: input)
                close(input)
            }
        }
        #expect(upkeeps == [2], "not before the ping that was waiting, then once at the end of the input")
    }

    @Test func itRunsWhenDueEvenThoughInputIsWaiting() {
        let upkeeps = run(delay: 0) { handler, input in
            handler.afterWrite = {
                writeAll(Array((request("2", "ping") + "\n").utf8), to: input)
                close(input)
            }
        }
        #expect(upkeeps == [1])
    }
}

/// Consecutive groupable calls of one read share a group; its outcome decides what is sent.
@Suite struct ConnectionGroupTests {
    /// Runs the connection over `lines`, written at once (one read), with the handler's groups ending in `outcomes`.
    private func run(_ lines: [String], outcomes: [GroupOutcome], runsPerGroup: Int = 1) -> Harness {
        let input = TestPipe()
        let harness = Harness(input: input.readEnd)
        harness.handler.groupOutcomes = outcomes
        harness.handler.runsPerGroup = runsPerGroup
        writeAll(Array((lines.joined(separator: "\n") + "\n").utf8), to: input.writeEnd)
        close(input.writeEnd)
        harness.connection.run()
        return harness
    }

    private let lines = [
        request("1", "echo", #"{"n":1}"#), request("2", "echo", #"{"n":2}"#), request("3", "ping"),
        request("4", "echo", #"{"n":4}"#),
    ]

    @Test func aCommittedGroupIsAnsweredInOrder() {
        let harness = run(lines, outcomes: [.committed])
        #expect(harness.handler.groups == [2], "the ping ends the group; the last echo is alone")
        for id in 1...4 { #expect(harness.output.nextJSON()?["id"] == .int(Int64(id))) }
        harness.expectNothingMore()
    }

    @Test func aGroupThatRanTwiceIsAnsweredFromItsLastRunAlone() {
        let harness = run(lines, outcomes: [.committed], runsPerGroup: 2)
        #expect(harness.handler.handled == ["echo", "echo", "echo", "echo", "ping", "echo"])
        for id in 1...4 { #expect(harness.output.nextJSON()?["id"] == .int(Int64(id))) }
        harness.expectNothingMore()
    }

    @Test func aFailedGroupAnswersEachOfItsCallsWithTheError() {
        let harness = run(lines, outcomes: [.failed(ResponseError(code: .busy, message: "Busy"))])
        expectError(harness.output.nextJSON(), code: -32010, id: 1)
        expectError(harness.output.nextJSON(), code: -32010, id: 2)
        #expect(harness.output.nextJSON()?["result"] == [:])
        #expect(harness.output.nextJSON()?["result"] == ["n": 4])
        harness.expectNothingMore()
    }

    @Test func anUnavailableGroupRunsNothingTwice() {
        let harness = run(lines, outcomes: [.unavailable])
        #expect(harness.handler.groups.isEmpty)
        #expect(harness.handler.handled == ["echo", "echo", "ping", "echo"])
        for id in 1...4 { #expect(harness.output.nextJSON()?["id"] == .int(Int64(id))) }
        harness.expectNothingMore()
    }
}

/// Writes every byte to a descriptor (the pipe must have room for them).
private func writeAll(_ bytes: [UInt8], to descriptor: Int32) {
    bytes.withUnsafeBytes { buffer in
        var offset = 0
        while offset < buffer.count {
            let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            precondition(written > 0, "cannot write to the pipe")
            offset += written
        }
    }
}
