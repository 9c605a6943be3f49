import TaskwireProtocol

/// A special string in a transcript pattern, such as `$string` or `$capture:sessionId:id`.
enum PatternMarker: Equatable {
    /// The member name that lets a pattern object accept members it does not list.
    static let extraMembers = "..."
    /// The first element of an array pattern whose other elements may match in any order.
    static let unordered = "$unordered"

    /// A type a value must have.
    enum ValueType: String, CaseIterable {
        case any, string, number, integer, object, array, bool, time, id

        var marker: String { "$" + rawValue }

        func accepts(_ value: JSON) -> Bool {
            switch (self, value) {
            case (.any, _), (.string, .string), (.number, .number), (.object, .object), (.array, .array),
                (.bool, .bool):
                true
            case (.integer, .number(let text)):
                !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" })
            case (.time, .string(let text)):
                Self.isTimestamp(text)
            case (.id, .string(let text)):
                !text.isEmpty
            default:
                false
            }
        }

        /// Whether `text` is an RFC 3339 UTC time with milliseconds, such as `2026-11-26T15:09:34.123Z`.
        static func isTimestamp(_ text: String) -> Bool {
            let bytes = Array(text.utf8)
            guard bytes.count == 24 else { return false }
            let layout = Array("dddd-dd-ddTdd:dd:dd.dddZ".utf8)
            for (byte, expected) in zip(bytes, layout) {
                if expected == UInt8(ascii: "d") {
                    guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return false }
                } else if byte != expected {
                    return false
                }
            }
            func number(_ range: Range<Int>) -> Int {
                bytes[range].reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
            }
            return (1...12).contains(number(5..<7)) && (1...31).contains(number(8..<10))
                && number(11..<13) < 24 && number(14..<16) < 60 && number(17..<19) < 61
        }
    }

    case type(ValueType)
    case capture(name: String, type: ValueType?)
    /// A string that looks like a marker but is not one: most likely a typo.
    case unknown

    /// The marker `text` stands for, or nil when it is plain text or a variable reference.
    init?(_ text: String) {
        guard text.hasPrefix("$"), !text.hasPrefix("$$"), !text.hasPrefix("${") else { return nil }
        let body = text.dropFirst()
        if let type = ValueType(rawValue: String(body)) {
            self = .type(type)
            return
        }
        let parts = body.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.first == "capture" else {
            self = .unknown
            return
        }
        switch parts.count {
        case 2 where !parts[1].isEmpty:
            self = .capture(name: String(parts[1]), type: nil)
        case 3 where !parts[1].isEmpty:
            guard let type = ValueType(rawValue: String(parts[2])) else {
                self = .unknown
                return
            }
            self = .capture(name: String(parts[1]), type: type)
        default:
            self = .unknown
        }
    }
}
