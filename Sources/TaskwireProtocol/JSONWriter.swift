extension JSON {
    /// Appends the compact JSON text of this value; the output never contains a raw line break.
    public func write(into out: inout [UInt8]) {
        JSON.withText(writing: { encode(into: &$0) }, then: { out.append(contentsOf: $0) })
    }

    /// The compact JSON text of this value as bytes.
    public var bytes: [UInt8] {
        JSON.withText(
            writing: { encode(into: &$0) },
            then: { text in
                [UInt8](unsafeUninitializedCapacity: text.count) { buffer, initialized in
                    if let target = buffer.baseAddress, let source = text.baseAddress {
                        target.initialize(from: source, count: text.count)
                    }
                    initialized = text.count
                }
            }
        )
    }

    /// The compact JSON text of this value.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// Appends a JSON string literal, escaping quotes, backslashes and control characters.
    public static func writeString(_ text: String, into out: inout [UInt8]) {
        withText(writing: { appendString(text, to: &$0) }, then: { out.append(contentsOf: $0) })
    }

    /// Writes a text with `write` in one pass, into a buffer on the stack that moves to the heap only when a text
    /// outgrows it, and runs `body` on what was written. (Writing twice, the exact length first and then the
    /// bytes, cost as much again as the writing itself: every value visited and copied twice.)
    private static func withText<R>(
        writing write: (inout JSONBuffer) -> Void,
        then body: (UnsafeBufferPointer<UInt8>) -> R
    ) -> R {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: JSONBuffer.stackCapacity) { stack in
            var buffer = JSONBuffer(stack)
            defer { buffer.release() }
            write(&buffer)
            return body(buffer.written)
        }
    }

    /// Appends the compact text of this value.
    private func encode(into buffer: inout JSONBuffer) {
        switch self {
        case .null: buffer.append("null")
        case .bool(let value): buffer.append(value ? "true" : "false")
        case .number(let text): JSON.withUTF8(text) { buffer.append($0) }
        case .string(let text): JSON.appendString(text, to: &buffer)
        case .array(let elements):
            buffer.append(UInt8(ascii: "["))
            var first = true
            for element in elements {
                if !first { buffer.append(UInt8(ascii: ",")) }
                first = false
                element.encode(into: &buffer)
            }
            buffer.append(UInt8(ascii: "]"))
        case .object(let object):
            buffer.append(UInt8(ascii: "{"))
            var first = true
            for member in object.members {
                if !first { buffer.append(UInt8(ascii: ",")) }
                first = false
                JSON.appendString(member.key, to: &buffer)
                buffer.append(UInt8(ascii: ":"))
                member.value.encode(into: &buffer)
            }
            buffer.append(UInt8(ascii: "}"))
        }
    }

    /// Runs `body` on the UTF-8 bytes of `text`, without a copy when the string stores them contiguously.
    @inline(__always)
    private static func withUTF8<R>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let result = text.utf8.withContiguousStorageIfAvailable(body) { return result }
        var copy = text
        return copy.withUTF8(body)
    }

    /// Whether a byte must be escaped in a string literal.
    @inline(__always)
    private static func mustEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    /// The position of the first byte at or after `start` that must be escaped, or `count`; eight bytes at a time
    /// (``JSONWordScan``).
    @inline(__always)
    private static func firstEscaped(_ source: UnsafePointer<UInt8>, from start: Int, count: Int) -> Int {
        var index = start
        while index + 8 <= count {
            let word = UnsafeRawPointer(source + index).loadUnaligned(as: UInt64.self)
            if JSONWordScan.mustEscape(word) != 0 { break }
            index += 8
        }
        while index < count && !mustEscape(source[index]) { index += 1 }
        return index
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends a string literal, escaping quotes, backslashes and control characters. Room for the whole string is
    /// taken at once; a string with escapes takes more run by run, so that a long one never reserves six times
    /// its length.
    private static func appendString(_ text: String, to buffer: inout JSONBuffer) {
        withUTF8(text) { utf8 in
            let count = utf8.count
            guard let source = utf8.baseAddress, count > 0 else {
                buffer.append("\"\"")
                return
            }
            var index = firstEscaped(source, from: 0, count: count)
            if index == count {
                let at = buffer.room(count + 2)
                at.pointee = UInt8(ascii: "\"")
                (at + 1).update(from: source, count: count)
                at[count + 1] = UInt8(ascii: "\"")
                buffer.count += count + 2
                return
            }
            buffer.append(UInt8(ascii: "\""))
            var runStart = 0
            while index < count {
                let run = index - runStart
                let at = buffer.room(run + 6)
                at.update(from: source + runStart, count: run)
                buffer.count += run + escape(source[index], at: at + run)
                runStart = index + 1
                index = firstEscaped(source, from: runStart, count: count)
            }
            let at = buffer.room(count - runStart + 1)
            at.update(from: source + runStart, count: count - runStart)
            at[count - runStart] = UInt8(ascii: "\"")
            buffer.count += count - runStart + 1
        }
    }

    /// Writes the escape of `byte` (a quote, a backslash or a control character) at `at`; returns its length, 2
    /// for a named escape such as `\n`, else 6 (`\u00XX`).
    @inline(__always)
    private static func escape(_ byte: UInt8, at: UnsafeMutablePointer<UInt8>) -> Int {
        at.pointee = UInt8(ascii: "\\")
        let named: UInt8? =
            switch byte {
            case UInt8(ascii: "\""): UInt8(ascii: "\"")
            case UInt8(ascii: "\\"): UInt8(ascii: "\\")
            case 0x0A: UInt8(ascii: "n")
            case 0x0D: UInt8(ascii: "r")
            case 0x09: UInt8(ascii: "t")
            case 0x08: UInt8(ascii: "b")
            case 0x0C: UInt8(ascii: "f")
            default: nil
            }
        if let named {
            at[1] = named
            return 2
        }
        at[1] = UInt8(ascii: "u")
        at[2] = UInt8(ascii: "0")
        at[3] = UInt8(ascii: "0")
        at[4] = hexDigits[Int(byte >> 4)]
        at[5] = hexDigits[Int(byte & 0xF)]
        return 6
    }
}

/// The bytes of a text being written, through a pointer into memory that grows: first a buffer the caller lends
/// (on the stack), then the heap.
private struct JSONBuffer {
    /// Most messages fit: a task with its event is about 600 bytes.
    static let stackCapacity = 2048

    private(set) var start: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var onHeap = false
    /// Bytes written so far; whoever writes at ``room(_:)`` adds what it wrote (never more than the room taken,
    /// which debug builds check).
    var count = 0 {
        didSet { assert(count <= capacity, "JSON written past the room taken") }
    }

    init(_ initial: UnsafeMutableBufferPointer<UInt8>) {
        start = initial.baseAddress ?? .allocate(capacity: 1)
        capacity = initial.baseAddress == nil ? 1 : initial.count
        onHeap = initial.baseAddress == nil
    }

    var written: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: start, count: count) }

    /// Where the next `length` bytes go, with room for them.
    @inline(__always)
    mutating func room(_ length: Int) -> UnsafeMutablePointer<UInt8> {
        if count + length > capacity { grow(to: count + length) }
        return start + count
    }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        room(1).pointee = byte
        count += 1
    }

    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress else { return }
        room(bytes.count).update(from: source, count: bytes.count)
        count += bytes.count
    }

    mutating func append(_ text: StaticString) {
        append(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    @inline(never)
    private mutating func grow(to needed: Int) {
        let larger = max(needed, capacity * 2)
        let moved = UnsafeMutablePointer<UInt8>.allocate(capacity: larger)
        moved.initialize(from: start, count: count)
        if onHeap { start.deallocate() }
        start = moved
        capacity = larger
        onHeap = true
    }

    /// Frees what the buffer took from the heap.
    func release() {
        if onHeap { start.deallocate() }
    }
}

extension JSON: CustomStringConvertible {
    public var description: String { text }
}
