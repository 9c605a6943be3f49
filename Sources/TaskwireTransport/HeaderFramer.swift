/// Splits a byte stream framed as the LSP base protocol does — `Content-Length: N\r\n`, optional other headers
/// such as `Content-Type`, a blank line, then N bytes of body — with the same size limit as ``LineFramer``.
///
/// Header names are case-insensitive; lines may end in `\r\n` or `\n`. A body longer than `maxMessageBytes` is not
/// buffered: its bytes are skipped as they arrive and one `.oversized` frame stands for it. A header block without
/// a usable `Content-Length`, or longer than ``maximumHeaderBytes``, is one `.malformed` frame, and framing goes on
/// with the next block.
public struct HeaderFramer {
    /// A header block longer than this is malformed (editors send well under 100 bytes).
    public static let maximumHeaderBytes = 8192

    public let maxMessageBytes: Int
    private enum State {
        case headers
        /// Reading a body of `remaining` more bytes; `keep` when it fits the limit.
        case body(remaining: Int, keep: Bool)
    }

    private var state = State.headers
    private var pending: [UInt8] = []

    public init(maxMessageBytes: Int) {
        self.maxMessageBytes = maxMessageBytes
    }

    /// Feeds a chunk of input; `body` gets every frame completed by it, in order.
    public mutating func push(_ chunk: UnsafeRawBufferPointer, _ body: (Frame) throws -> Void) rethrows {
        var index = 0
        while index < chunk.count {
            switch state {
            case .headers:
                let byte = chunk[index]
                index += 1
                pending.append(byte)
                if byte == 0x0A, let frame = headerBlockEnded() {
                    try body(frame)
                } else if pending.count > Self.maximumHeaderBytes {
                    pending = []
                    try body(.malformed("header block longer than \(Self.maximumHeaderBytes) bytes"))
                }
            case .body(let remaining, let keep):
                let take = min(remaining, chunk.count - index)
                if keep { pending.append(contentsOf: chunk[index..<(index + take)]) }
                index += take
                if take == remaining {
                    state = .headers
                    if keep {
                        let message = pending
                        pending = []
                        try message.withUnsafeBytes { try body(.line($0)) }
                    } else {
                        try body(.oversized)
                    }
                } else {
                    state = .body(remaining: remaining - take, keep: keep)
                }
            }
        }
    }

    /// Ends the input: a body or header block cut short is reported as malformed.
    public mutating func finish(_ body: (Frame) throws -> Void) rethrows {
        defer {
            pending = []
            state = .headers
        }
        switch state {
        case .headers:
            if pending.contains(where: { !isWhitespace($0) }) { try body(.malformed("header block cut short")) }
        case .body:
            try body(.malformed("message body cut short"))
        }
    }

    /// Called after each line feed while reading headers: the frame to report, if the block ended malformed, and
    /// otherwise nil (the block goes on, or a body begins, or an empty body was just reported).
    private mutating func headerBlockEnded() -> Frame? {
        // A block ends with an empty line; blank lines before a block are skipped.
        // Split on bytes: in a Swift String, "\r\n" is one Character and would not split on "\n".
        let lines = pending.split(separator: 0x0A, omittingEmptySubsequences: false).map { line in
            Substring(decoding: line.last == 0x0D ? line.dropLast() : line[...], as: UTF8.self)
        }
        guard lines.count >= 2, lines[lines.count - 2].isEmpty, lines.last == "" else { return nil }
        let headers = lines.dropLast(2)
        guard !headers.isEmpty else {
            pending = []
            return nil
        }
        pending = []
        var length: Int?
        for header in headers {
            guard let colon = header.firstIndex(of: ":") else { return .malformed("header line without a colon") }
            let name = header[..<colon].trimmingWhitespace.lowercased()
            let value = header[header.index(after: colon)...].trimmingWhitespace
            if name == "content-length" {
                guard !value.isEmpty, value.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                    return .malformed("Content-Length is not a number")
                }
                guard let number = Int(value) else { return .malformed("Content-Length is too large") }
                // Two lengths leave the body's end unknown: neither can be trusted.
                if let length, length != number { return .malformed("Content-Length given twice, differently") }
                length = number
            }
        }
        guard let length else { return .malformed("no Content-Length header") }
        if length == 0 { return .line(UnsafeRawBufferPointer(start: nil, count: 0)) }
        state = .body(remaining: length, keep: length <= maxMessageBytes)
        return nil
    }

    private func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }
}

extension Substring {
    fileprivate var trimmingWhitespace: Substring {
        var text = self
        while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        return text
    }
}
