public import TaskwireProtocol
public import TaskwireRelay
import TaskwireTransport

/// A room notification that is not an event of the log.
public enum RoomNotice: Sendable {
    /// Another session joined (`presence.joined`) or left (`presence.left`) a room; `params` as in
    /// `Protocol/openrpc.json`.
    case presence(method: String, params: JSONObject)
    /// The session lost access to a project and is out of its room.
    case revoked(projectID: String)
    /// The session was taken out of a room (it stopped reading); `lastSeq` is the last event it was sent.
    case resync(projectID: String, lastSeq: Int64)
    case relayStatus(RelayState, kind: RelayKind)

    /// The JSON-RPC notification of `Protocol/openrpc.json` for this notice.
    public var notification: JSON {
        switch self {
        case .presence(let method, let params):
            Outgoing.notification(method: method, params: .object(params))
        case .revoked(let projectID):
            Outgoing.notification(method: "project.revoked", params: ["projectId": .string(projectID)])
        case .resync(let projectID, let lastSeq):
            Outgoing.notification(
                method: "project.resync",
                params: ["projectId": .string(projectID), "lastSeq": .int(lastSeq)]
            )
        case .relayStatus(let state, let kind):
            Outgoing.notification(
                method: "relay.status",
                params: ["state": .string(state.rawValue), "relay": .string(kind.rawValue)]
            )
        }
    }
}

/// How the rooms tell the client what happened in them: as the JSON-RPC notifications of `Protocol/openrpc.json`,
/// or as another surface's own messages (MCP's resource updates).
///
/// Both methods are called on the delivery or the committing thread, in room order, and return the messages to
/// write, in order; none to tell the client nothing.
public protocol RoomNotifications: Sendable {
    /// The messages for one event of a room the session is in, as serialized JSON texts.
    func messages(for event: CommittedEvent) -> [[UInt8]]
    func messages(for notice: RoomNotice) -> [JSON]
}

/// The JSON-RPC surface: each event as a notification named after its type, each notice as itself.
public struct JSONRPCRoomNotifications: RoomNotifications {
    public init() {}

    public func messages(for event: CommittedEvent) -> [[UInt8]] {
        [Outgoing.notification(method: event.type, rawParams: event.payload)]
    }

    public func messages(for notice: RoomNotice) -> [JSON] {
        [notice.notification]
    }
}
