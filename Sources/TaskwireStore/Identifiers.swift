#if canImport(Glibc)
import Glibc
#endif

/// Opaque ids and secrets from the system's cryptographic random source.
public enum Identifiers {
    private static let alphabet = Array("0123456789abcdefghijklmnopqrstuvwxyz".utf8)
    private static let tokenAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// A new id such as `tsk_3kq…`: a prefix and 20 base-36 characters (about 103 random bits).
    public static func make(_ prefix: String) -> String {
        var generator = SystemRandomNumberGenerator()
        var text = Array(prefix.utf8)
        text.append(UInt8(ascii: "_"))
        for _ in 0..<20 { text.append(alphabet[Int(generator.next(upperBound: UInt32(alphabet.count)))]) }
        return String(decoding: text, as: UTF8.self)
    }

    /// A new bearer token: `tw_` and 43 characters carrying 256 random bits.
    public static func token() -> String {
        var generator = SystemRandomNumberGenerator()
        var text = Array("tw_".utf8)
        var bits: UInt64 = 0
        var available = 0
        for _ in 0..<43 {
            if available < 6 {
                bits = generator.next()
                available = 64
            }
            text.append(tokenAlphabet[Int(bits & 63)])
            bits >>= 6
            available -= 6
        }
        return String(decoding: text, as: UTF8.self)
    }
}

/// RFC 3339 UTC times with milliseconds, as every time on the wire is written.
public enum Timestamp {
    /// Milliseconds since the Unix epoch.
    public static func nowMilliseconds() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
    }

    public static func now() -> String { format(milliseconds: nowMilliseconds()) }

    public static func format(milliseconds: Int64) -> String {
        var seconds = time_t(milliseconds / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        // Written digit by digit into 24 bytes: this runs twice for every change.
        return String(unsafeUninitializedCapacity: 24) { buffer in
            var at = 0
            func put(_ value: Int, _ width: Int) {
                var value = value
                for offset in stride(from: width - 1, through: 0, by: -1) {
                    buffer[at + offset] = UInt8(ascii: "0") + UInt8(value % 10)
                    value /= 10
                }
                at += width
            }
            func put(_ character: Unicode.Scalar) {
                buffer[at] = UInt8(ascii: character)
                at += 1
            }
            put(Int(parts.tm_year) + 1900, 4)
            put("-")
            put(Int(parts.tm_mon) + 1, 2)
            put("-")
            put(Int(parts.tm_mday), 2)
            put("T")
            put(Int(parts.tm_hour), 2)
            put(":")
            put(Int(parts.tm_min), 2)
            put(":")
            put(Int(parts.tm_sec), 2)
            put(".")
            put(Int(milliseconds % 1000), 3)
            put("Z")
            return at
        }
    }
}
