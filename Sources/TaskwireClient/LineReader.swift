public import TaskwireTransport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads messages from a descriptor with the host's own framer: the same `InputFramer` that splits a host's input
/// splits what a client reads back — lines, or LSP-style header blocks.
///
/// In header framing, a header block that cannot be read is handed out as a line of text stating why (which is
/// not JSON, so whoever parses the line reports it).
///
/// Lines are handed out without a copy: each is valid only during the callback that receives it.
///
/// - Important: Not thread-safe; one thread reads a descriptor.
public struct LineReader: ~Copyable {
    public let descriptor: Int32
    private var framer: InputFramer
    private var buffer: UnsafeMutableRawBufferPointer
    private var ended = false

    /// A reader of `descriptor`, which stays open (its owner closes it). Replies and notifications have no size
    /// limit, so by default neither has the reader.
    public init(
        descriptor: Int32,
        framing: Framing = .lines,
        maxLineBytes: Int = Int.max / 2,
        readSize: Int = 1 << 16
    ) {
        self.descriptor = descriptor
        framer = InputFramer(framing: framing, maxMessageBytes: maxLineBytes) { _ in }
        buffer = .allocate(byteCount: readSize, alignment: 1)
    }

    deinit {
        buffer.deallocate()
    }

    /// What one read produced.
    public enum Event {
        /// A complete line without its terminator.
        case line(UnsafeRawBufferPointer)
        /// Bytes after the last line terminator at end of input: output that was not a complete line.
        case unterminated(UnsafeRawBufferPointer)
    }

    /// Whether end of input was reached.
    public var isAtEnd: Bool { ended }

    /// Blocks for one `read()` and passes every line it completed to `body`, in order; at end of input, passes the
    /// unterminated rest (if any) and returns false.
    public mutating func read(_ body: (Event) -> Void) throws(ProcessError) -> Bool {
        guard !ended else { return false }
        while true {
            let count = readDescriptor(descriptor, buffer.baseAddress, buffer.count)
            if count > 0 {
                framer.push(UnsafeRawBufferPointer(rebasing: buffer[0..<count])) { frame in
                    Self.hand(frame, body)
                }
                return true
            }
            if count < 0, errno == EINTR { continue }
            if count < 0 { throw ProcessError(description: "read failed: \(String(cString: strerror(errno)))") }
            ended = true
            framer.finish { frame in
                if case .line(let rest) = frame { body(.unterminated(rest)) } else { Self.hand(frame, body) }
            }
            return false
        }
    }

    private static func hand(_ frame: Frame, _ body: (Event) -> Void) {
        switch frame {
        case .line(let line):
            body(.line(line))
        case .malformed(let reason):
            Array("unreadable header block: \(reason)".utf8).withUnsafeBytes { body(.line($0)) }
        case .oversized:
            Array("message over the reader's size limit".utf8).withUnsafeBytes { body(.line($0)) }
        }
    }
}

/// `read(2)`, under a name that the reader's own `read` does not shadow.
private func readDescriptor(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}
