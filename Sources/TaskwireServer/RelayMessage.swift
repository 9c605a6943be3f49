import TaskwireProtocol
import TaskwireStore

/// What hosts tell each other through the relay: a committed event or a presence change.
///
/// An event travels as a one-line header and the event's JSON, so that a receiving host can write it to its
/// client without parsing it: `E <seq> <projectId> <type>\n<event JSON>`. A presence change is `P <json>`.
enum RelayMessage {
    case event(CommittedEvent)
    case presence(PresenceChange)

    static func encode(_ event: CommittedEvent) -> [UInt8] {
        var out = Array("E \(event.seq) \(event.projectID) \(event.type)\n".utf8)
        out.append(contentsOf: event.payload)
        return out
    }

    static func encode(_ change: PresenceChange) -> [UInt8] {
        var out = Array("P ".utf8)
        change.json.write(into: &out)
        return out
    }

    static func decode(_ bytes: [UInt8]) -> RelayMessage? {
        guard bytes.count > 2, bytes[1] == UInt8(ascii: " ") else { return nil }
        switch bytes[0] {
        case UInt8(ascii: "E"):
            guard let newline = bytes.firstIndex(of: 0x0A) else { return nil }
            let header = String(decoding: bytes[2..<newline], as: UTF8.self).split(separator: " ")
            guard header.count == 3, let seq = Int64(header[0]) else { return nil }
            return .event(
                CommittedEvent(
                    projectID: String(header[1]),
                    seq: seq,
                    type: String(header[2]),
                    payload: Array(bytes[(newline + 1)...])
                )
            )
        case UInt8(ascii: "P"):
            guard let json = try? JSONParser.parse(Array(bytes[2...])), let change = PresenceChange(json: json) else {
                return nil
            }
            return .presence(change)
        default:
            return nil
        }
    }
}
