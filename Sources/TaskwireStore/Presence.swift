public import TaskwireProtocol

/// A presence change as recorded in storage: a session joined or left a room.
public struct PresenceChange: Sendable, Equatable {
    /// Increases with every change recorded in the database, across all hosts.
    public var id: Int64
    public var projectID: String
    public var sessionID: String
    public var user: UserRef
    public var kind: PresenceKind
    /// Why a session left; nil for `joined`.
    public var reason: LeaveReason?
    public var at: String

    public init(
        id: Int64,
        projectID: String,
        sessionID: String,
        user: UserRef,
        kind: PresenceKind,
        reason: LeaveReason?,
        at: String
    ) {
        self.id = id
        self.projectID = projectID
        self.sessionID = sessionID
        self.user = user
        self.kind = kind
        self.reason = reason
        self.at = at
    }
}

/// What joining a room found, read in the same transaction as the join.
public struct JoinResult: Sendable {
    /// The project's last event `seq` at the join.
    public var seq: Int64
    /// The sessions in the room, this one included, in the order they joined.
    public var presence: [PresenceEntry]
    /// The presence change that announced this join.
    public var change: PresenceChange

    public init(seq: Int64, presence: [PresenceEntry], change: PresenceChange) {
        self.seq = seq
        self.presence = presence
        self.change = change
    }
}

extension PresenceChange {
    /// The change as relay messages carry it.
    public var json: JSON {
        [
            "id": .int(id),
            "projectId": .string(projectID),
            "sessionId": .string(sessionID),
            "user": user.json,
            "kind": .string(kind.rawValue),
            "reason": .string(reason?.rawValue),
            "at": .string(at),
        ]
    }

    public init?(json: JSON) {
        guard let id = json["id"]?.int64Value, let projectID = json["projectId"]?.stringValue,
            let sessionID = json["sessionId"]?.stringValue, let userID = json["user"]?["id"]?.stringValue,
            let name = json["user"]?["name"]?.stringValue,
            let kind = json["kind"]?.stringValue.flatMap(PresenceKind.init(rawValue:)),
            let at = json["at"]?.stringValue
        else { return nil }
        let reasonText = json["reason"]?.stringValue
        let reason = reasonText.flatMap(LeaveReason.init(rawValue:))
        // A joined change has no reason; a left one has a known reason.
        guard reason?.rawValue == reasonText, (kind == .joined) == (reason == nil) else { return nil }
        self.init(
            id: id,
            projectID: projectID,
            sessionID: sessionID,
            user: UserRef(id: userID, name: name),
            kind: kind,
            reason: reason,
            at: at
        )
    }
}
