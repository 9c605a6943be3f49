import Foundation
public import TaskwireProtocol

/// One finding of `taskwire doctor`: what was checked, whether it is fine, what was seen, and what to do when not.
public struct DoctorCheck: Sendable {
    public var name: String
    public var ok: Bool
    public var detail: String
    /// What to do about it; empty when ok.
    public var fix: String

    public init(_ name: String, ok: Bool, detail: String, fix: String = "") {
        self.name = name
        self.ok = ok
        self.detail = detail
        self.fix = ok ? "" : fix
    }

    /// A short duration as people read it: `0.43 ms`.
    public static func milliseconds(_ duration: Duration) -> String {
        let value = Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
        return String(format: "%.2f ms", value)
    }

    public var json: JSON {
        var object: JSONObject = ["name": .string(name), "ok": .bool(ok), "detail": .string(detail)]
        if !ok { object["fix"] = .string(fix) }
        return .object(object)
    }
}
