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

    public init() {}
}

/// Handles calls in the order they arrive.
public protocol CallHandler: AnyObject {
    /// Handles one call. The result of a notification, or of a call for which the handler set
    /// ``CallContext/withholdReply``, is dropped.
    func handle(_ call: Call, context: CallContext) -> Result<JSON, ResponseError>
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
            let count = read(input, buffer.baseAddress, capacity)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            writer.cork()
            framer.push(UnsafeRawBufferPointer(rebasing: buffer[0..<count])) { frame in
                guard !stopped else { return }
                process(frame)
            }
            writer.uncork(mayBlock: true)
        }
        if !stopped {
            writer.cork()
            framer.finish { frame in process(frame) }
            writer.uncork(mayBlock: true)
        }
    }

    /// Handles one framed line as it would arrive from the input; exposed for in-process tests.
    public func process(_ frame: Frame) {
        let context = CallContext()
        switch frame {
        case .oversized:
            writer.send(
                Outgoing.response(
                    id: .null,
                    error: .invalidRequest("message larger than \(maxMessageBytes) bytes")
                )
            )
        case .malformed(let reason):
            writer.send(Outgoing.response(id: .null, error: .parseError("invalid header block: \(reason)")))
        case .line(let bytes):
            guard bytes.contains(where: { !isWhitespace($0) }) else { return }
            let value: JSON
            do {
                value = try JSONParser.parse(bytes)
            } catch {
                writer.send(Outgoing.response(id: .null, error: .parseError(error.reason)))
                return
            }
            if case .array(let elements) = value {
                guard !elements.isEmpty else {
                    writer.send(Outgoing.response(id: .null, error: .invalidRequest("empty batch")))
                    return
                }
                var replies: [JSON] = []
                for element in elements {
                    if let reply = answer(Envelope.decode(element), context: context) { replies.append(reply) }
                }
                if !replies.isEmpty { writer.send(.array(replies)) }
            } else if let reply = answer(Envelope.decode(value), context: context) {
                writer.send(reply)
            }
        }
        for action in context.afterReply { action() }
        if context.stopReading { stopped = true }
    }

    private func answer(_ envelope: Envelope, context: CallContext) -> JSON? {
        switch envelope {
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
