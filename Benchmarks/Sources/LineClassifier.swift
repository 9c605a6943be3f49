import Synchronization
import TaskwireProtocol

/// What the timed paths need from a line of host output, found by scanning bytes instead of parsing JSON.
///
/// The host writes responses as `{"jsonrpc":"2.0","id":…` and notifications as
/// `{"jsonrpc":"2.0","method":"…","params":{"projectId":"…","seq":…`. A line in any other shape is parsed in full
/// instead and counted in ``fallbacks``, so a change of member order makes the benchmark slower, never wrong.
///
/// One classifier may serve the observers of several hosts at once: it keeps nothing but that count.
final class LineClassifier: Sendable {
    enum Message: Equatable {
        /// A response to one of the benchmark's requests (they all use integer ids).
        case response(id: Int64, isError: Bool)
        /// A `task.updated` notification and the `seq` of its event.
        case taskUpdated(seq: Int64)
        /// `project.resync`: the host took the session out of the room because it read too slowly.
        case resync
        /// Any other notification (presence, relay status, other events).
        case otherNotification
        case unrecognized
    }

    private let fallbackCount = Atomic<Int>(0)

    /// Lines that were not in the expected shape and had to be parsed in full.
    var fallbacks: Int { fallbackCount.load(ordering: .relaxed) }

    private static let responsePrefix = Array(#"{"jsonrpc":"2.0","id":"#.utf8)
    private static let notificationPrefix = Array(#"{"jsonrpc":"2.0","method":""#.utf8)
    private static let taskUpdated = Array(#"task.updated""#.utf8)
    private static let resync = Array(#"project.resync""#.utf8)
    private static let result = Array(#","result":"#.utf8)
    private static let error = Array(#","error":"#.utf8)
    private static let seqKey = Array(#""seq":"#.utf8)

    func classify(_ line: UnsafeRawBufferPointer) -> Message {
        if Self.matches(Self.responsePrefix, in: line, at: 0) {
            if let (id, end) = Self.integer(in: line, at: Self.responsePrefix.count) {
                if Self.matches(Self.result, in: line, at: end) { return .response(id: id, isError: false) }
                if Self.matches(Self.error, in: line, at: end) { return .response(id: id, isError: true) }
            }
        } else if Self.matches(Self.notificationPrefix, in: line, at: 0) {
            let method = Self.notificationPrefix.count
            if Self.matches(Self.taskUpdated, in: line, at: method) {
                if let at = Self.firstIndex(of: Self.seqKey, in: line, from: method),
                    let (seq, _) = Self.integer(in: line, at: at + Self.seqKey.count)
                {
                    return .taskUpdated(seq: seq)
                }
            } else if Self.matches(Self.resync, in: line, at: method) {
                return .resync
            } else {
                return .otherNotification
            }
        }
        fallbackCount.add(1, ordering: .relaxed)
        return Self.parseInFull(line)
    }

    /// The integer after the last occurrence of `key` (such as `"seq":`) in the line.
    static func lastInteger(after key: [UInt8], in line: UnsafeRawBufferPointer) -> Int64? {
        var at = line.count - key.count
        while at >= 0 {
            if matches(key, in: line, at: at) { return integer(in: line, at: at + key.count)?.value }
            at -= 1
        }
        return nil
    }

    /// The integer after the first occurrence of `key` in the line.
    static func firstInteger(after key: [UInt8], in line: UnsafeRawBufferPointer) -> Int64? {
        guard let at = firstIndex(of: key, in: line, from: 0) else { return nil }
        return integer(in: line, at: at + key.count)?.value
    }

    private static func parseInFull(_ line: UnsafeRawBufferPointer) -> Message {
        guard let message = try? JSONParser.parse(line) else { return .unrecognized }
        if let id = message["id"]?.int64Value, message["result"] != nil || message["error"] != nil {
            return .response(id: id, isError: message["error"] != nil)
        }
        switch message["method"]?.stringValue {
        case "task.updated"?:
            guard let seq = message["params"]?["seq"]?.int64Value else { return .unrecognized }
            return .taskUpdated(seq: seq)
        case "project.resync"?:
            return .resync
        case .some:
            return .otherNotification
        case nil:
            return .unrecognized
        }
    }

    private static func matches(_ needle: [UInt8], in line: UnsafeRawBufferPointer, at offset: Int) -> Bool {
        guard offset >= 0, offset + needle.count <= line.count else { return false }
        for index in 0..<needle.count where line[offset + index] != needle[index] { return false }
        return true
    }

    private static func firstIndex(of needle: [UInt8], in line: UnsafeRawBufferPointer, from: Int) -> Int? {
        guard let first = needle.first, line.count >= needle.count else { return nil }
        var at = from
        while at <= line.count - needle.count {
            if line[at] == first, matches(needle, in: line, at: at) { return at }
            at += 1
        }
        return nil
    }

    /// A decimal integer starting at `offset`, and the offset just after it.
    private static func integer(in line: UnsafeRawBufferPointer, at offset: Int) -> (value: Int64, end: Int)? {
        var at = offset
        let negative = at < line.count && line[at] == UInt8(ascii: "-")
        if negative { at += 1 }
        var value: Int64 = 0
        let digitsStart = at
        while at < line.count, line[at] >= UInt8(ascii: "0"), line[at] <= UInt8(ascii: "9") {
            value = value &* 10 &+ Int64(line[at] - UInt8(ascii: "0"))
            at += 1
        }
        guard at > digitsStart else { return nil }
        return (negative ? -value : value, at)
    }
}
