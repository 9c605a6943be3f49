#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One framed input unit.
public enum Frame {
    /// A complete line without its terminator (`\n` or `\r\n`). Valid only during the callback.
    case line(UnsafeRawBufferPointer)
    /// A line longer than the limit; its bytes were skipped.
    case oversized
    /// A header block that cannot be read (header framing only); the reason says why.
    case malformed(String)
}

/// Splits a byte stream into lines on raw bytes, with a size limit that is enforced while reading.
///
/// A line that grows past `maxLineBytes` is not buffered: its bytes are dropped as they arrive and one
/// `.oversized` frame is produced when its terminator (or the end of input) is reached, so an endless line
/// cannot exhaust memory.
public struct LineFramer {
    public let maxLineBytes: Int
    private var pending: [UInt8] = []
    private var discarding = false

    public init(maxLineBytes: Int) {
        self.maxLineBytes = maxLineBytes
    }

    /// Feeds a chunk of input; `body` gets every frame completed by it, in order.
    public mutating func push(_ chunk: UnsafeRawBufferPointer, _ body: (Frame) throws -> Void) rethrows {
        guard let base = chunk.baseAddress, chunk.count > 0 else { return }
        var start = 0
        while start < chunk.count {
            let remaining = chunk.count - start
            guard let found = memchr(base + start, 0x0A, remaining) else {
                append(UnsafeRawBufferPointer(start: base + start, count: remaining))
                return
            }
            let end = base.distance(to: UnsafeRawPointer(found))
            let piece = UnsafeRawBufferPointer(start: base + start, count: end - start)
            start = end + 1
            if discarding {
                discarding = false
                pending.removeAll(keepingCapacity: false)
                try body(.oversized)
            } else if pending.isEmpty {
                try emit(piece, body)
            } else {
                append(piece)
                if discarding {
                    discarding = false
                    pending.removeAll(keepingCapacity: false)
                    try body(.oversized)
                } else {
                    let line = pending
                    pending.removeAll(keepingCapacity: true)
                    try line.withUnsafeBytes { try emit($0, body) }
                }
            }
        }
    }

    /// Ends the input: a last line without a terminator still counts.
    public mutating func finish(_ body: (Frame) throws -> Void) rethrows {
        if discarding {
            discarding = false
            pending = []
            try body(.oversized)
        } else if !pending.isEmpty {
            let line = pending
            pending = []
            try line.withUnsafeBytes { try emit($0, body) }
        }
    }

    private func emit(_ raw: UnsafeRawBufferPointer, _ body: (Frame) throws -> Void) rethrows {
        var line = raw
        if let last = line.last, last == 0x0D {
            line = UnsafeRawBufferPointer(rebasing: line.dropLast())
        }
        if line.count > maxLineBytes {
            try body(.oversized)
        } else {
            try body(.line(line))
        }
    }

    /// Buffers part of an unfinished line, or drops it once the line is known to be too long.
    /// One byte of slack allows for a `\r` that may precede the terminator.
    private mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard !discarding else { return }
        if pending.count + bytes.count > maxLineBytes + 1 {
            discarding = true
            pending = []
        } else {
            pending.append(contentsOf: bytes)
        }
    }
}
