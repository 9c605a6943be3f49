/// A key the user pressed, decoded from the terminal's input.
public enum Key: Sendable, Hashable {
    case up
    case down
    case left
    case right
    case pageUp
    case pageDown
    case home
    case end
    case enter
    case escape
    case backspace
    case tab
    /// A printable character (letters, digits, punctuation, space, any Unicode character).
    case character(Character)
    /// Ctrl and a letter, such as `.control("c")` for Ctrl-C.
    case control(Character)
    /// An escape sequence or control byte the board has no use for.
    case unknown
}

/// Decodes the bytes a terminal sends in raw mode into keys: UTF-8 characters, control bytes, and the escape
/// sequences of arrows, Page Up/Down, Home and End (both the `ESC [` and the `ESC O` forms).
///
/// A sequence cut between two reads is kept until the rest arrives. A lone `ESC` is the Escape key, but only the
/// reader can tell it from the start of a sequence, by time: when no byte follows soon, it calls ``flush()``.
public struct KeyDecoder: Sendable {
    private var pending: [UInt8] = []

    public init() {}

    /// Whether bytes wait for the rest of a sequence or character.
    public var hasPending: Bool { !pending.isEmpty }

    /// The keys that `bytes`, after whatever was pending, complete.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [Key] {
        pending.append(contentsOf: bytes)
        var keys: [Key] = []
        var index = 0
        while index < pending.count {
            guard let (key, length) = Self.decode(pending[index...]) else { break }
            keys.append(key)
            index += length
        }
        pending.removeFirst(index)
        return keys
    }

    /// Takes what is pending as complete: a lone `ESC` is the Escape key (and what follows it is decoded again);
    /// an incomplete UTF-8 character is one unknown key.
    public mutating func flush() -> [Key] {
        guard let first = pending.first else { return [] }
        let rest = pending.dropFirst()
        pending = []
        guard first == 0x1B else { return [.unknown] }
        return [.escape] + feed(rest) + flush()
    }

    /// The key at the start of `bytes` and how many bytes it took; nil when more bytes are needed.
    private static func decode(_ bytes: ArraySlice<UInt8>) -> (Key, Int)? {
        guard let first = bytes.first else { return nil }
        switch first {
        case 0x1B: return escapeSequence(bytes)
        case 0x0D, 0x0A: return (.enter, 1)
        case 0x09: return (.tab, 1)
        case 0x7F, 0x08: return (.backspace, 1)
        case 0x01...0x1A: return (.control(Character(Unicode.Scalar(first + 0x60))), 1)
        case 0x00...0x1F: return (.unknown, 1)
        case 0x20...0x7E: return (.character(Character(Unicode.Scalar(first))), 1)
        default: return utf8Character(bytes)
        }
    }

    private static func escapeSequence(_ bytes: ArraySlice<UInt8>) -> (Key, Int)? {
        let start = bytes.startIndex
        guard bytes.count >= 2 else { return nil }
        let introducer = bytes[start + 1]
        if introducer == UInt8(ascii: "O") {
            guard bytes.count >= 3 else { return nil }
            return (finalKey(bytes[start + 2]) ?? .unknown, 3)
        }
        guard introducer == UInt8(ascii: "[") else { return (.escape, 1) }
        // CSI: parameter and intermediate bytes (0x20-0x3F), then one final byte (0x40-0x7E).
        var index = start + 2
        while index < bytes.endIndex, (0x20...0x3F).contains(bytes[index]) { index += 1 }
        guard index < bytes.endIndex else { return nil }
        let final = bytes[index]
        let length = index - start + 1
        guard (0x40...0x7E).contains(final) else { return (.unknown, length - 1) }
        let parameters = String(decoding: bytes[(start + 2)..<index], as: UTF8.self)
        if final == UInt8(ascii: "~") {
            let key: Key =
                switch parameters.split(separator: ";").first {
                case "1", "7": .home
                case "4", "8": .end
                case "5": .pageUp
                case "6": .pageDown
                default: .unknown
                }
            return (key, length)
        }
        return (finalKey(final) ?? .unknown, length)
    }

    /// The key of a sequence's final byte: arrows, Home and End.
    private static func finalKey(_ byte: UInt8) -> Key? {
        switch byte {
        case UInt8(ascii: "A"): .up
        case UInt8(ascii: "B"): .down
        case UInt8(ascii: "C"): .right
        case UInt8(ascii: "D"): .left
        case UInt8(ascii: "H"): .home
        case UInt8(ascii: "F"): .end
        default: nil
        }
    }

    private static func utf8Character(_ bytes: ArraySlice<UInt8>) -> (Key, Int)? {
        let first = bytes[bytes.startIndex]
        let length: Int
        switch first {
        case 0xC2...0xDF: length = 2
        case 0xE0...0xEF: length = 3
        case 0xF0...0xF4: length = 4
        default: return (.unknown, 1)
        }
        let available = bytes.prefix(length)
        // A continuation byte that is not one ends the character early: the bytes so far are not a key.
        if let bad = available.dropFirst().firstIndex(where: { $0 & 0xC0 != 0x80 }) {
            return (.unknown, bad - bytes.startIndex)
        }
        guard available.count == length else { return nil }
        let text = String(decoding: available, as: UTF8.self)
        guard let character = text.first, !text.contains("\u{FFFD}") else { return (.unknown, length) }
        return (.character(character), length)
    }
}
