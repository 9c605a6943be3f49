extension JSON {
    /// Appends the compact JSON text of this value; the output never contains a raw line break.
    public func write(into out: inout [UInt8]) {
        JSON.append(length: encodedLength, to: &out) { encode(into: $0) }
    }

    /// The compact JSON text of this value as bytes.
    ///
    /// Written in two passes: the exact length first, then the bytes into an array of that size through a pointer,
    /// so that the array is allocated once instead of growing (and copying) about ten times for an event.
    public var bytes: [UInt8] {
        let length = encodedLength
        return [UInt8](unsafeUninitializedCapacity: length) { buffer, initialized in
            guard let base = buffer.baseAddress else { return }
            initialized = encode(into: base) - base
            precondition(initialized == length, "JSON length and bytes disagree")
        }
    }

    /// The compact JSON text of this value.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// Appends a JSON string literal, escaping quotes, backslashes and control characters.
    public static func writeString(_ text: String, into out: inout [UInt8]) {
        append(length: stringLength(text), to: &out) { encodeString(text, into: $0) }
    }

    /// Appends `length` bytes written by `encode` (which returns the end of what it wrote) through a temporary
    /// buffer, on the stack when it is small, so that appending to a message costs no allocation of its own.
    private static func append(
        length: Int,
        to out: inout [UInt8],
        _ encode: (UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8>
    ) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(length, 1)) { buffer in
            guard let base = buffer.baseAddress else { return }
            let written = encode(base) - base
            precondition(written == length, "JSON length and bytes disagree")
            out.append(contentsOf: UnsafeBufferPointer(start: base, count: written))
        }
    }

    /// The length of the compact text.
    private var encodedLength: Int {
        switch self {
        case .null: 4
        case .bool(let value): value ? 4 : 5
        case .number(let text): text.utf8.count
        case .string(let text): JSON.stringLength(text)
        case .array(let elements):
            elements.reduce(max(1, elements.count) + 1) { $0 + $1.encodedLength }
        case .object(let object):
            // Braces, and a colon and a comma (or the closing brace) per member.
            object.members.reduce(2 + max(0, object.count * 2 - 1)) {
                $0 + JSON.stringLength($1.key) + $1.value.encodedLength
            }
        }
    }

    /// Writes the compact text at `out`, which has room for ``encodedLength`` bytes; returns the end.
    private func encode(into out: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        switch self {
        case .null: return JSON.copy("null", to: out)
        case .bool(let value): return JSON.copy(value ? "true" : "false", to: out)
        case .number(let text): return JSON.copy(text, to: out)
        case .string(let text): return JSON.encodeString(text, into: out)
        case .array(let elements):
            var at = out
            at.pointee = UInt8(ascii: "[")
            at += 1
            for (offset, element) in elements.enumerated() {
                if offset > 0 {
                    at.pointee = UInt8(ascii: ",")
                    at += 1
                }
                at = element.encode(into: at)
            }
            at.pointee = UInt8(ascii: "]")
            return at + 1
        case .object(let object):
            var at = out
            at.pointee = UInt8(ascii: "{")
            at += 1
            var first = true
            for member in object.members {
                if !first {
                    at.pointee = UInt8(ascii: ",")
                    at += 1
                }
                first = false
                at = JSON.encodeString(member.key, into: at)
                at.pointee = UInt8(ascii: ":")
                at = member.value.encode(into: at + 1)
            }
            at.pointee = UInt8(ascii: "}")
            return at + 1
        }
    }

    /// Runs `body` on the UTF-8 bytes of `text`, without a copy when the string stores them contiguously.
    @inline(__always)
    private static func withUTF8<R>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let result = text.utf8.withContiguousStorageIfAvailable(body) { return result }
        var copy = text
        return copy.withUTF8(body)
    }

    @inline(__always)
    private static func copy(_ text: String, to out: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        withUTF8(text) { utf8 in
            guard let source = utf8.baseAddress else { return out }
            out.update(from: source, count: utf8.count)
            return out + utf8.count
        }
    }

    /// What a byte of a string becomes: 1 (itself), 2 (a named escape such as `\n`) or 6 (`\u00XX`).
    @inline(__always)
    private static func escapedLength(_ byte: UInt8) -> Int {
        if byte >= 0x20 { return byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") ? 2 : 1 }
        switch byte {
        case 0x08, 0x09, 0x0A, 0x0C, 0x0D: return 2
        default: return 6
        }
    }

    /// The length of a string literal, quotes and escapes included.
    private static func stringLength(_ text: String) -> Int {
        withUTF8(text) { utf8 in
            guard let source = utf8.baseAddress else { return 2 }
            var length = utf8.count + 2
            var index = firstEscaped(source, from: 0, count: utf8.count)
            while index < utf8.count {
                length += escapedLength(source[index]) - 1
                index = firstEscaped(source, from: index + 1, count: utf8.count)
            }
            return length
        }
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

    /// Writes a string literal at `out`, escaping quotes, backslashes and control characters; returns the end.
    private static func encodeString(
        _ text: String,
        into out: UnsafeMutablePointer<UInt8>
    ) -> UnsafeMutablePointer<UInt8> {
        withUTF8(text) { utf8 in
            var at = out
            at.pointee = UInt8(ascii: "\"")
            at += 1
            guard let source = utf8.baseAddress else {
                at.pointee = UInt8(ascii: "\"")
                return at + 1
            }
            var runStart = 0
            var index = firstEscaped(source, from: 0, count: utf8.count)
            while index < utf8.count {
                let byte = source[index]
                at.update(from: source + runStart, count: index - runStart)
                at += index - runStart
                runStart = index + 1
                at.pointee = UInt8(ascii: "\\")
                let escape: UInt8? =
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
                if let escape {
                    at[1] = escape
                    at += 2
                } else {
                    at[1] = UInt8(ascii: "u")
                    at[2] = UInt8(ascii: "0")
                    at[3] = UInt8(ascii: "0")
                    at[4] = hexDigits[Int(byte >> 4)]
                    at[5] = hexDigits[Int(byte & 0xF)]
                    at += 6
                }
                index = firstEscaped(source, from: index + 1, count: utf8.count)
            }
            at.update(from: source + runStart, count: utf8.count - runStart)
            at += utf8.count - runStart
            at.pointee = UInt8(ascii: "\"")
            return at + 1
        }
    }
}

extension JSON: CustomStringConvertible {
    public var description: String { text }
}
