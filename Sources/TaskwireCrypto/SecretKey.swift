import COpenSSL

/// Key material that must never be printed: its descriptions are redacted, so that interpolating it into a log
/// message or an error cannot leak it.
public struct SecretKey: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The raw key bytes; read them only to compute with them.
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// A key of `byteCount` bytes from OpenSSL's cryptographically secure generator.
    public static func random(byteCount: Int = 32) -> SecretKey {
        SecretKey(bytes: SecureRandom.bytes(byteCount))
    }

    /// The key written as lowercase hexadecimal digits, the form in which it is stored.
    public var hex: String { Hex.encode(bytes) }

    /// Parses the stored form; nil unless it is an even number of hexadecimal digits.
    public init?(hex: String) {
        guard let bytes = Hex.decode(hex) else { return nil }
        self.bytes = bytes
    }

    public var description: String { "SecretKey(\(bytes.count) bytes, redacted)" }
    public var debugDescription: String { description }
}

/// Random bytes from OpenSSL's cryptographically secure generator.
public enum SecureRandom {
    public static func bytes(_ count: Int) -> [UInt8] {
        CryptoLibrary.ensureInitialized()
        var bytes = [UInt8](repeating: 0, count: count)
        guard count > 0 else { return bytes }
        let succeeded = bytes.withUnsafeMutableBufferPointer { COpenSSL_randomBytes($0.baseAddress, Int32(count)) }
        // RAND_bytes fails only when the generator cannot be seeded; a key from a weaker source would be worse.
        precondition(succeeded == 1, "libcrypto's random generator is not available")
        return bytes
    }
}

/// Lowercase hexadecimal encoding.
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    public static func encode<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Writes the lowercase digits of `bytes` over `out[start..<start + 2 * bytes.count]`: not generic, for the
    /// relay's code of every event (the generic `encode`, with the `String` it makes, was more than half of sealing
    /// an event, `perf`).
    public static func write(_ bytes: [UInt8], into out: inout [UInt8], at start: Int) {
        precondition(start >= 0 && start + 2 * bytes.count <= out.count, "no room for the digits")
        bytes.withUnsafeBytes { bytes in
            out.withUnsafeMutableBytes { out in
                write(bytes, into: UnsafeMutableRawBufferPointer(rebasing: out[start...]))
            }
        }
    }

    /// Writes the lowercase digits of `bytes` to the start of `out`, which has room for twice as many.
    public static func write(_ bytes: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) {
        precondition(out.count >= 2 * bytes.count, "no room for the digits")
        digits.withUnsafeBufferPointer { digits in
            for (index, byte) in bytes.enumerated() {
                out[2 * index] = digits[Int(byte >> 4)]
                out[2 * index + 1] = digits[Int(byte & 0x0F)]
            }
        }
    }

    /// Whether `text` is an even number of lowercase digits, what `decode` accepts, looked at without decoding it.
    public static func isDigits(_ text: ArraySlice<UInt8>) -> Bool {
        text.count % 2 == 0 && text.allSatisfy { value($0) != nil }
    }

    /// Decodes lowercase digits only, so that every value has exactly one text; nil for an odd length or any other
    /// character.
    public static func decode<Text: Collection>(_ text: Text) -> [UInt8]? where Text.Element == UInt8 {
        guard text.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(text.count / 2)
        var iterator = text.makeIterator()
        while let high = iterator.next(), let low = iterator.next() {
            guard let high = value(high), let low = value(low) else { return nil }
            out.append(high << 4 | low)
        }
        return out
    }

    public static func decode(_ text: String) -> [UInt8]? { decode(text.utf8) }

    /// The same, for bytes (a relay message's header): not generic, so that verifying a message does not go through
    /// the runtime's generic metadata for every digit (a tenth of the receiving host's time before).
    public static func decode(_ text: ArraySlice<UInt8>) -> [UInt8]? {
        guard text.count % 2 == 0 else { return nil }
        return text.withUnsafeBufferPointer { digits -> [UInt8]? in
            var out = [UInt8](repeating: 0, count: digits.count / 2)
            for index in out.indices {
                guard let high = value(digits[2 * index]), let low = value(digits[2 * index + 1]) else { return nil }
                out[index] = high << 4 | low
            }
            return out
        }
    }

    private static func value(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}

/// libcrypto, initialized once before its first use.
enum CryptoLibrary {
    private static let initialized: Bool = COpenSSL_initialize() == 1

    /// Initializes libcrypto if that was not done yet; every entry point of this module calls it first.
    static func ensureInitialized() {
        // Without libcrypto there is no token check and no relay verification: nothing safe can go on.
        precondition(initialized, "libcrypto could not be initialized")
    }
}
