public import TaskwireProtocol

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a handler may ask of the connection while it handles a call.
public final class CallContext {
    /// Work to run once the reply to the current message (the whole batch reply for a batch) was queued.
    public var afterReply: [() -> Void] = []
    /// Set to stop reading input after the current message.
    public var stopReading = false
    /// Set to send no reply to the call being handled, even when it has an id (a method that is never answered).
    /// Cleared before each call, also within a batch.
    public var withholdReply = false
    /// Work that may only happen once the call's writes are committed (announcing its events), run right before
    /// its reply is queued. Only calls of a group leave work here; others announce as they commit.
    public var afterCommit: [() -> Void] = []

    public init() {}
}

/// How a group of calls ended (see ``CallHandler/runGrouped(_:)``).
public enum GroupOutcome {
    /// The group did not run; its calls must be handled one by one.
    case unavailable
    case committed
    /// Nothing the group wrote was kept: every call of it is answered with this error.
    case failed(ResponseError)
}

/// Handles calls in the order they arrive.
public protocol CallHandler: AnyObject {
    /// Handles one call. The result of a notification, or of a call for which the handler set
    /// ``CallContext/withholdReply``, is dropped.
    func handle(_ call: Call, context: CallContext) -> Result<JSON, ResponseError>
    /// Whether the call may share a transaction with the calls around it (group commit).
    func isGroupable(_ call: Call) -> Bool
    /// Handles, in `body`, calls whose writes are committed together at its end; ``GroupOutcome/unavailable``
    /// without running `body` when it cannot. `body` may run more than once: a run that must be undone (a call
    /// failed after it wrote, before each call had a savepoint) is followed by another, and only the last counts,
    /// so `body` starts by dropping whatever a run before it left.
    func runGrouped(_ body: () -> Void) -> GroupOutcome
    /// Runs `body`, in which the calls of a committed group announce their changes (``CallContext/afterCommit``)
    /// and their replies are queued, in order; the handler may send what they publish together.
    func announcingTogether(_ body: () -> Void)
    /// Whether batches are served now; when not, a batch is one -32600 and none of it runs.
    var acceptsBatches: Bool { get }
    /// Whether a response from the client (a message with `result` or `error` and no `method`) is passed over in
    /// silence, as protocols whose peers both send requests want, rather than answered with -32600.
    var ignoresResponses: Bool { get }
    /// How long, in milliseconds, the handler's deferred upkeep waits for the input to go quiet: nil when it has
    /// none, zero when it is due now. Asked before each read of the input.
    var upkeepDelayMilliseconds: Int32? { get }
    /// Does the deferred upkeep; the connection calls it on its own thread, between calls, once the input stayed
    /// quiet that long (or at once when it was due), and once more at the end of the input.
    func runUpkeep()
}

extension CallHandler {
    public func isGroupable(_ call: Call) -> Bool { false }
    public func runGrouped(_ body: () -> Void) -> GroupOutcome { .unavailable }
    public func announcingTogether(_ body: () -> Void) { body() }
    public var acceptsBatches: Bool { true }
    public var ignoresResponses: Bool { false }
    public var upkeepDelayMilliseconds: Int32? { nil }
    public func runUpkeep() {}
}

/// Reads newline-delimited JSON-RPC from a descriptor and answers through an ``OutputWriter``.
///
/// Calls are handled one after another on the reading thread, so a client sees the effects of its requests in
/// the order it sent them.
public final class Connection {
    public let input: Int32
    public let writer: OutputWriter
    private var framer: InputFramer
    private let maxMessageBytes: Int
    private let handler: any CallHandler
    private var stopped = false

    /// `framing` nil detects the session's framing from its first bytes (lines, or LSP-style headers).
    public init(
        input: Int32,
        writer: OutputWriter,
        maxMessageBytes: Int,
        framing: Framing? = nil,
        handler: any CallHandler
    ) {
        self.input = input
        self.writer = writer
        self.framer = InputFramer(framing: framing, maxMessageBytes: maxMessageBytes) { [writer] decided in
            writer.setFraming(decided)
        }
        self.maxMessageBytes = maxMessageBytes
        self.handler = handler
    }

    /// Reads until end of input or until a handler stops the connection.
    public func run() {
        let capacity = 1 << 16
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 16)
        defer { buffer.deallocate() }
        while !stopped {
            writer.waitForSpace()
            upkeepIfQuiet()
            let count = read(input, buffer.baseAddress, capacity)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            var messages: [Message] = []
            framer.push(UnsafeRawBufferPointer(rebasing: buffer[0..<count])) { frame in
                messages.append(decode(frame))
            }
            handle(messages)
        }
        if !stopped {
            var messages: [Message] = []
            framer.finish { frame in messages.append(decode(frame)) }
            handle(messages)
        }
        if handler.upkeepDelayMilliseconds != nil { handler.runUpkeep() }
    }

    /// Runs the handler's upkeep when it is due, or when no input arrives while it may wait: a client writing one
    /// request after another does not wait for it, and one that never pauses still gets it when it is due.
    private func upkeepIfQuiet() {
        guard let delay = handler.upkeepDelayMilliseconds else { return }
        if delay > 0 {
            var descriptor = pollfd(fd: input, events: Int16(POLLIN), revents: 0)
            // Input (or its end, or a signal) first: read it; the next round asks again.
            guard poll(&descriptor, 1, delay) == 0 else { return }
        }
        handler.runUpkeep()
    }

    /// One framed input, decoded.
    public enum Message {
        /// A blank line: nothing to answer.
        case blank
        /// Answered with this error and `id: null`.
        case unreadable(ResponseError)
        case single(Envelope)
        case batch([Envelope])

        /// Whether every call it carries passes `predicate` (true for a message without calls), without building an
        /// array of them for each message of a pipelined run.
        func callsAreAll(_ predicate: (Call) -> Bool) -> Bool {
            switch self {
            case .blank, .unreadable: true
            case .single(let envelope): envelope.call.map(predicate) ?? true
            case .batch(let envelopes): envelopes.allSatisfy { envelope in envelope.call.map(predicate) ?? true }
            }
        }
    }

    /// Decodes one frame.
    public func decode(_ frame: Frame) -> Message {
        switch frame {
        case .oversized:
            return .unreadable(.invalidRequest("message larger than \(maxMessageBytes) bytes"))
        case .malformed(let reason):
            return .unreadable(.parseError("invalid header block: \(reason)"))
        case .line(let bytes):
            guard bytes.contains(where: { !isWhitespace($0) }) else { return .blank }
            let value: JSON
            do {
                value = try JSONParser.parse(bytes)
            } catch {
                return .unreadable(.parseError(error.reason))
            }
            guard case .array(let elements) = value else { return .single(Envelope.decode(value)) }
            guard !elements.isEmpty else { return .unreadable(.invalidRequest("empty batch")) }
            return .batch(elements.map(Envelope.decode))
        }
    }

    /// Handles the messages of one read, in order. Consecutive messages whose calls may be grouped share one
    /// transaction: their replies (and their events) are held until it committed, so that nothing is
    /// acknowledged before it is durable.
    private func handle(_ messages: [Message]) {
        writer.cork()
        var index = 0
        while index < messages.count, !stopped {
            var end = index
            while end < messages.count, messages[end].callsAreAll(handler.isGroupable) { end += 1 }
            if end - index >= 2, handleGrouped(messages[index..<end]) {
                index = end
            } else {
                process(messages[index])
                index += 1
            }
        }
        writer.uncork(mayBlock: true)
    }

    /// What a message of a group leaves to do once the group ended.
    private struct Held {
        var afterCommit: [() -> Void]
        var reply: JSON?
        var afterReply: [() -> Void]
    }

    private func handleGrouped(_ messages: ArraySlice<Message>) -> Bool {
        var held: [Held] = []
        let outcome = handler.runGrouped {
            // A run that starts over leaves nothing of the run before it.
            held.removeAll(keepingCapacity: true)
            for message in messages {
                let context = CallContext()
                let reply = answer(message, context: context)
                held.append(Held(afterCommit: context.afterCommit, reply: reply, afterReply: context.afterReply))
            }
        }
        switch outcome {
        case .unavailable:
            return false
        case .committed:
            handler.announcingTogether {
                for message in held {
                    for action in message.afterCommit { action() }
                    if let reply = message.reply { writer.send(reply) }
                    for action in message.afterReply { action() }
                }
            }
        case .failed(let error):
            for message in held {
                if let reply = message.reply { writer.send(Self.replacingResponses(in: reply, with: error)) }
            }
        }
        return true
    }

    /// Every response of a reply (a batch reply has several) answered with `error` instead.
    private static func replacingResponses(in reply: JSON, with error: ResponseError) -> JSON {
        if case .array(let responses) = reply {
            return .array(responses.map { replacingResponses(in: $0, with: error) })
        }
        return Outgoing.response(id: reply["id"].flatMap(RequestID.init) ?? .null, error: error)
    }

    /// Handles one framed input as it would arrive from the input; exposed for in-process tests.
    public func process(_ frame: Frame) {
        writer.cork()
        process(decode(frame))
        writer.uncork(mayBlock: true)
    }

    private func process(_ message: Message) {
        let context = CallContext()
        if let reply = answer(message, context: context) {
            for action in context.afterCommit { action() }
            writer.send(reply)
        } else {
            for action in context.afterCommit { action() }
        }
        for action in context.afterReply { action() }
        if context.stopReading { stopped = true }
    }

    /// The reply to a message (nil when nothing is answered), after handling its calls.
    private func answer(_ message: Message, context: CallContext) -> JSON? {
        switch message {
        case .blank:
            return nil
        case .unreadable(let error):
            return Outgoing.response(id: .null, error: error)
        case .single(let envelope):
            return answer(envelope, context: context)
        case .batch(let envelopes):
            guard handler.acceptsBatches else {
                return Outgoing.response(id: .null, error: .invalidRequest("batches are not accepted"))
            }
            var replies: [JSON] = []
            for envelope in envelopes {
                if let reply = answer(envelope, context: context) { replies.append(reply) }
            }
            return replies.isEmpty ? JSON?.none : JSON.array(replies)
        }
    }

    private func answer(_ envelope: Envelope, context: CallContext) -> JSON? {
        switch envelope {
        case .response(let id):
            // Elsewhere it is what it was always taken for: a request without a method.
            guard !handler.ignoresResponses else { return JSON?.none }
            return Outgoing.response(id: id, error: Envelope.responseError)
        case .invalid(let id, let error):
            return Outgoing.response(id: id, error: error)
        case .call(let call):
            context.withholdReply = false
            let result = handler.handle(call, context: context)
            guard let id = call.id, !context.withholdReply else { return nil }
            switch result {
            case .success(let value): return Outgoing.response(id: id, result: value)
            case .failure(let error): return Outgoing.response(id: id, error: error)
            }
        }
    }

    private func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A
    }
}
