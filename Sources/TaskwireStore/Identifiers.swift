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
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))."
            + "\(pad(Int32(milliseconds % 1000), 3))Z"
    }
}
