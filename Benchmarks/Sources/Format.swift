/// Number formatting for the table: thousands separators, fixed decimals, durations with their unit.
enum Format {
    /// `12345` as `12,345`.
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (offset, character) in digits.enumerated() {
            if offset > 0, (digits.count - offset) % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return value < 0 ? "-" + out : out
    }

    /// A rate rounded to a whole number, grouped: `312,345/s`.
    static func rate(_ perSecond: Double) -> String {
        grouped(Int(perSecond.rounded())) + "/s"
    }

    /// `value` with `places` decimals, without locale: `12.3`.
    static func decimal(_ value: Double, places: Int) -> String {
        guard value.isFinite else { return "0" }
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let scaled = Int((value * scale).rounded())
        guard places > 0 else { return String(scaled) }
        let sign = scaled < 0 ? "-" : ""
        let magnitude = scaled.magnitude
        let whole = magnitude / UInt(scale)
        var fraction = String(magnitude % UInt(scale))
        while fraction.count < places { fraction = "0" + fraction }
        return "\(sign)\(whole).\(fraction)"
    }

    /// A duration given in nanoseconds, in µs below 10 ms and in ms above: `57 µs`, `12.4 ms`.
    static func duration(_ nanoseconds: UInt64) -> String {
        let micro = Double(nanoseconds) / 1000
        if micro < 1000 { return "\(Int(micro.rounded())) µs" }
        return "\(decimal(micro / 1000, places: micro < 10_000 ? 2 : 1)) ms"
    }

    /// Kibibytes as mebibytes: `14.2 MB`.
    static func megabytes(kilobytes: Int) -> String {
        "\(decimal(Double(kilobytes) / 1024, places: 1)) MB"
    }

    /// A ratio such as `2.4×`.
    static func ratio(_ value: Double) -> String {
        "\(decimal(value, places: value < 0.1 ? 3 : value < 10 ? 2 : 1))×"
    }
}
