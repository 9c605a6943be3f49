/// Why a text is not JSON that this host accepts.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Byte offset where the problem was found.
    public var offset: Int
    public var reason: String

    public var description: String { "\(reason) at byte \(offset)" }
}

/// A strict RFC 8259 parser over UTF-8 bytes.
///
/// It rejects invalid UTF-8, lone surrogate escapes and nesting deeper than `maximumDepth` (so that no input can
/// exhaust the stack), and keeps number text as written.
public struct JSONParser {
    /// The deepest nesting of arrays and objects accepted.
    public static let maximumDepth = 256

    /// Parses one complete JSON text; white space may surround it.
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(JSONParseError) -> JSON {
        var parser = Cursor(bytes: bytes)
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        guard parser.position == bytes.count else { throw parser.error("unexpected data after the JSON value") }
        return value
    }

    public static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSON {
        let result: Result<JSON, JSONParseError> = bytes.withUnsafeBytes { buffer in
            Result { () throws(JSONParseError) in try parse(buffer) }
        }
        return try result.get()
    }

    public static func parse(_ text: String) throws(JSONParseError) -> JSON {
        try parse(Array(text.utf8))
    }

    /// Checks that `bytes` hold one JSON object, accepted exactly as ``parse(_:)`` accepts it, without building it,
    /// and returns its top-level members named in `keys` (of a name given twice, the last, as `parse` keeps it).
    ///
    /// For a text that is passed on as it is and of which only a few members are read: a relayed event's check
    /// built its whole tree before, a string and an allocation for every member.
    public static func checkObject(
        _ bytes: UnsafeRawBufferPointer,
        keeping keys: [String]
    ) throws(JSONParseError) -> JSONObject {
        var parser = Cursor(bytes: bytes)
        parser.skipWhitespace()
        guard !parser.atEnd, bytes[parser.position] == UInt8(ascii: "{") else {
            throw parser.error("expected a JSON object")
        }
        let kept = try parser.skipObject(depth: 1, keeping: keys)
        parser.skipWhitespace()
        guard parser.position == bytes.count else { throw parser.error("unexpected data after the JSON value") }
        return kept
    }
}

private struct Cursor {
    let bytes: UnsafeRawBufferPointer
    var position = 0

    init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    func error(_ reason: String) -> JSONParseError { JSONParseError(offset: position, reason: reason) }

    var atEnd: Bool { position >= bytes.count }

    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    mutating func parseValue(depth: Int) throws(JSONParseError) -> JSON {
        guard !atEnd else { throw error("unexpected end of input") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw error("unexpected character")
        }
    }

    mutating func literal(_ word: StaticString, _ value: JSON) throws(JSONParseError) -> JSON {
        let count = word.utf8CodeUnitCount
        guard position + count <= bytes.count else { throw error("invalid literal") }
        let expected = UnsafeRawBufferPointer(start: word.utf8Start, count: count)
        for offset in 0..<count where bytes[position + offset] != expected[offset] {
            throw error("invalid literal")
        }
        position += count
        return value
    }

    mutating func parseObject(depth: Int) throws(JSONParseError) -> JSON {
        var object = JSONObject()
        if try open(UInt8(ascii: "}"), depth: depth) { return .object(object) }
        // One allocation for the members of a request, its params or a task, instead of one per doubling.
        object.reserveCapacity(8)
        repeat {
            try atMemberName()
            let key = try parseString()
            try pastColon()
            object[key] = try parseValue(depth: depth)
        } while try !closes(UInt8(ascii: "}"))
        return .object(object)
    }

    mutating func parseArray(depth: Int) throws(JSONParseError) -> JSON {
        var elements: [JSON] = []
        if try open(UInt8(ascii: "]"), depth: depth) { return .array(elements) }
        repeat {
            skipWhitespace()
            elements.append(try parseValue(depth: depth))
        } while try !closes(UInt8(ascii: "]"))
        return .array(elements)
    }

    /// Past the opening bracket of an object or array: checks the nesting, and tells whether it closes at once.
    mutating func open(_ closing: UInt8, depth: Int) throws(JSONParseError) -> Bool {
        guard depth <= JSONParser.maximumDepth else { throw error("nesting deeper than \(JSONParser.maximumDepth)") }
        position += 1
        skipWhitespace()
        guard !atEnd, bytes[position] == closing else { return false }
        position += 1
        return true
    }

    /// Before a member of an object: at the opening quote of its name.
    mutating func atMemberName() throws(JSONParseError) {
        skipWhitespace()
        guard !atEnd, bytes[position] == UInt8(ascii: "\"") else { throw error("expected a member name") }
    }

    /// After a member's name: past its colon and the white space after it.
    mutating func pastColon() throws(JSONParseError) {
        skipWhitespace()
        guard !atEnd, bytes[position] == UInt8(ascii: ":") else { throw error("expected ':'") }
        position += 1
        skipWhitespace()
    }

    /// After a member or an element: true past the closing bracket, false past a comma.
    mutating func closes(_ closing: UInt8) throws(JSONParseError) -> Bool {
        skipWhitespace()
        guard !atEnd else { throw error("unexpected end of input") }
        switch bytes[position] {
        case UInt8(ascii: ","):
            position += 1
            return false
        case closing:
            position += 1
            return true
        default:
            throw error(closing == UInt8(ascii: "}") ? "expected ',' or '}'" : "expected ',' or ']'")
        }
    }

    mutating func parseNumber() throws(JSONParseError) -> String {
        let start = position
        try skipNumber()
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
    }

    /// Moves past a number, checking it as ``parseNumber()`` does.
    mutating func skipNumber() throws(JSONParseError) {
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        guard !atEnd else { throw error("invalid number") }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
        } else if isDigit(bytes[position]) {
            while !atEnd, isDigit(bytes[position]) { position += 1 }
        } else {
            throw error("invalid number")
        }
        if !atEnd, bytes[position] == UInt8(ascii: ".") {
            position += 1
            guard !atEnd, isDigit(bytes[position]) else { throw error("invalid number") }
            while !atEnd, isDigit(bytes[position]) { position += 1 }
        }
        if !atEnd, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            position += 1
            if !atEnd, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") { position += 1 }
            guard !atEnd, isDigit(bytes[position]) else { throw error("invalid number") }
            while !atEnd, isDigit(bytes[position]) { position += 1 }
        }
    }

    // MARK: Checking without building (``JSONParser/checkObject(_:keeping:)``)

    /// Moves past one value, checking it as ``parseValue(depth:)`` does.
    mutating func skipValue(depth: Int) throws(JSONParseError) {
        guard !atEnd else { throw error("unexpected end of input") }
        switch bytes[position] {
        case UInt8(ascii: "{"): _ = try skipObject(depth: depth + 1, keeping: [])
        case UInt8(ascii: "["): try skipArray(depth: depth + 1)
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"): _ = try parseValue(depth: depth)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try skipNumber()
        default: throw error("unexpected character")
        }
    }

    /// Moves past an object, checking it as ``parseObject(depth:)`` does; returns its members named in `keys`.
    mutating func skipObject(depth: Int, keeping keys: [String]) throws(JSONParseError) -> JSONObject {
        var kept = JSONObject()
        if try open(UInt8(ascii: "}"), depth: depth) { return kept }
        repeat {
            try atMemberName()
            var key: String?
            if keys.isEmpty {
                try skipString()
            } else {
                let name = try parseString()
                if keys.contains(name) { key = name }
            }
            try pastColon()
            if let key {
                kept[key] = try parseValue(depth: depth)
            } else {
                try skipValue(depth: depth)
            }
        } while try !closes(UInt8(ascii: "}"))
        return kept
    }

    /// Moves past an array, checking it as ``parseArray(depth:)`` does.
    mutating func skipArray(depth: Int) throws(JSONParseError) {
        if try open(UInt8(ascii: "]"), depth: depth) { return }
        repeat {
            skipWhitespace()
            try skipValue(depth: depth)
        } while try !closes(UInt8(ascii: "]"))
    }

    /// Moves past a string, checking it as ``parseString()`` does: a string of ASCII without escapes is only scanned,
    /// any other is checked by `parseString` itself.
    mutating func skipString() throws(JSONParseError) {
        let start = position
        position += 1
        // Eight bytes at a time while none must be escaped (``JSONWordScan``) or is above 0x7F; the loop below
        // finds which.
        while position + 8 <= bytes.count {
            let word = bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self)
            if JSONWordScan.mustEscape(word) | (word & JSONWordScan.highBits) != 0 { break }
            position += 8
        }
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                position += 1
                return
            }
            if byte == UInt8(ascii: "\\") || byte >= 0x80 { break }
            if byte < 0x20 { throw error("control character in a string") }
            position += 1
        }
        position = start
        _ = try parseString()
    }

    func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    mutating func parseString() throws(JSONParseError) -> String {
        position += 1
        let start = position
        // Fast path: no escapes.
        var ascii = true
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                let slice = UnsafeRawBufferPointer(rebasing: bytes[start..<position])
                // ASCII is valid UTF-8, and decoding it is a copy; validation costs about 1,000 instructions a string.
                if ascii {
                    position += 1
                    return String(decoding: slice, as: UTF8.self)
                }
                guard let text = String(validating: slice, as: UTF8.self) else {
                    position = start
                    throw error("invalid UTF-8 in a string")
                }
                position += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw error("control character in a string") }
            if byte >= 0x80 { ascii = false }
            position += 1
        }
        var scalars: [UInt8] = Array(UnsafeRawBufferPointer(rebasing: bytes[start..<position]))
        while true {
            guard !atEnd else { throw error("unterminated string") }
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                guard let text = String(validating: scalars, as: UTF8.self) else {
                    throw error("invalid UTF-8 in a string")
                }
                return text
            case UInt8(ascii: "\\"):
                position += 1
                guard !atEnd else { throw error("unterminated string") }
                let escape = bytes[position]
                position += 1
                switch escape {
                case UInt8(ascii: "\""): scalars.append(0x22)
                case UInt8(ascii: "\\"): scalars.append(0x5C)
                case UInt8(ascii: "/"): scalars.append(0x2F)
                case UInt8(ascii: "b"): scalars.append(0x08)
                case UInt8(ascii: "f"): scalars.append(0x0C)
                case UInt8(ascii: "n"): scalars.append(0x0A)
                case UInt8(ascii: "r"): scalars.append(0x0D)
                case UInt8(ascii: "t"): scalars.append(0x09)
                case UInt8(ascii: "u"): try appendUnicodeEscape(to: &scalars)
                default: throw error("invalid escape")
                }
            default:
                if byte < 0x20 { throw error("control character in a string") }
                scalars.append(byte)
                position += 1
            }
        }
    }

    mutating func hex4() throws(JSONParseError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw error("invalid \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error("invalid \\u escape")
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }

    mutating func appendUnicodeEscape(to scalars: inout [UInt8]) throws(JSONParseError) {
        var code = try hex4()
        if (0xD800...0xDBFF).contains(code) {
            guard position + 2 <= bytes.count, bytes[position] == UInt8(ascii: "\\"),
                bytes[position + 1] == UInt8(ascii: "u")
            else { throw error("lone surrogate in a \\u escape") }
            position += 2
            let low = try hex4()
            guard (0xDC00...0xDFFF).contains(low) else { throw error("lone surrogate in a \\u escape") }
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
        } else if (0xDC00...0xDFFF).contains(code) {
            throw error("lone surrogate in a \\u escape")
        }
        guard let scalar = Unicode.Scalar(code) else { throw error("invalid \\u escape") }
        scalars.append(contentsOf: UTF8.encode(scalar)!)
    }
}
