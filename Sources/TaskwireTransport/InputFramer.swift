/// How a session's messages are framed on the wire.
public enum Framing: String, Sendable, CaseIterable {
    /// One JSON text per line.
    case lines
    /// The LSP base protocol: `Content-Length: N`, a blank line, N bytes.
    case headers
}

/// The framer of a session's input: lines or header blocks, fixed by the caller or detected from the first bytes.
///
/// Detection looks at the first bytes that are not white space: a header name (`Content-Length:` or
/// `Content-Type:`, any case) means header framing for the whole session; anything else means lines.
public struct InputFramer {
    private enum Mode {
        case undecided([UInt8])
        case lines(LineFramer)
        case headers(HeaderFramer)
    }

    private static let headerNames = ["content-length:", "content-type:"].map { Array($0.utf8) }
    private static let longestName = headerNames.map(\.count).max() ?? 0

    private var mode: Mode
    private let maxMessageBytes: Int
    /// Told the framing once it is known (at once when it was given).
    private let decided: (Framing) -> Void

    /// `framing` nil detects it from the input.
    public init(framing: Framing?, maxMessageBytes: Int, decided: @escaping (Framing) -> Void) {
        self.maxMessageBytes = maxMessageBytes
        self.decided = decided
        switch framing {
        case .lines?: mode = .lines(LineFramer(maxLineBytes: maxMessageBytes))
        case .headers?: mode = .headers(HeaderFramer(maxMessageBytes: maxMessageBytes))
        case nil: mode = .undecided([])
        }
        if let framing { decided(framing) }
    }

    /// Feeds a chunk of input; `body` gets every frame completed by it, in order.
    public mutating func push(_ chunk: UnsafeRawBufferPointer, _ body: (Frame) throws -> Void) rethrows {
        switch mode {
        case .lines(var framer):
            try framer.push(chunk, body)
            mode = .lines(framer)
        case .headers(var framer):
            try framer.push(chunk, body)
            mode = .headers(framer)
        case .undecided(var seen):
            seen.append(contentsOf: chunk)
            guard let framing = Self.detect(seen, final: false) else {
                mode = .undecided(seen)
                return
            }
            try decide(framing, replaying: seen, body)
        }
    }

    /// Ends the input.
    public mutating func finish(_ body: (Frame) throws -> Void) rethrows {
        if case .undecided(let seen) = mode {
            try decide(Self.detect(seen, final: true) ?? .lines, replaying: seen, body)
        }
        switch mode {
        case .lines(var framer): try framer.finish(body)
        case .headers(var framer): try framer.finish(body)
        case .undecided: break
        }
    }

    private mutating func decide(_ framing: Framing, replaying seen: [UInt8], _ body: (Frame) throws -> Void) rethrows {
        decided(framing)
        mode =
            framing == .lines
            ? .lines(LineFramer(maxLineBytes: maxMessageBytes))
            : .headers(HeaderFramer(maxMessageBytes: maxMessageBytes))
        try seen.withUnsafeBytes { try push($0, body) }
    }

    /// The framing the bytes seen so far show, or nil while they do not tell yet.
    static func detect(_ seen: [UInt8], final: Bool) -> Framing? {
        guard let start = seen.firstIndex(where: { !(0x09...0x0D).contains($0) && $0 != 0x20 }) else {
            return final ? .lines : nil
        }
        let head = seen[start...].prefix(longestName).map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 }
        for name in headerNames {
            if head.count >= name.count, Array(head.prefix(name.count)) == name { return .headers }
            // A prefix of a header name: wait for more, unless the input ends or a line already ended.
            if head.count < name.count, Array(name.prefix(head.count)) == head, !final, !seen[start...].contains(0x0A) {
                return nil
            }
        }
        return .lines
    }
}
