/// The roles a user can hold in an organization, strongest first.
public enum Role: String, Sendable, CaseIterable {
    case owner
    case admin
    case member

    /// Owners and admins manage projects and members.
    public var canManage: Bool { self != .member }
}

public enum TaskStatus: String, Sendable, CaseIterable {
    case todo
    case inProgress = "in_progress"
    case inReview = "in_review"
    case done
}

public enum TaskPriority: String, Sendable, CaseIterable {
    case low
    case medium
    case high
    case urgent
}

/// The limits of Protocol/openrpc.json (entities and limits), in one place for validation and documentation.
public enum Limits {
    public static let titleScalars = 1...500
    public static let descriptionBytes = 65_536
    public static let commentBodyBytes = 65_536
    public static let labelCount = 32
    public static let labelScalars = 1...64
    public static let nameScalars = 1...200
    public static let pageSize: Int64 = 100
    public static let taskPageRange: ClosedRange<Int64> = 1...500
    public static let eventPageRange: ClosedRange<Int64> = 1...1000
    public static let defaultMaxMessageBytes = 8 << 20
}

/// The protocol version this host speaks.
public enum ProtocolVersion {
    public static let current = "1"
    public static let supported = ["1"]
}

/// The types of project events, which are also the methods of their notifications.
public enum EventType: String, Sendable, CaseIterable {
    case taskCreated = "task.created"
    case taskUpdated = "task.updated"
    case taskStatusChanged = "task.statusChanged"
    case taskDeleted = "task.deleted"
    /// `task.move`: a new place in a column, or in another one.
    case taskMoved = "task.moved"
    /// New ranks for a stretch of a column, made to give a move room; the cards keep their order and versions.
    case taskReranked = "task.reranked"
    case commentCreated = "comment.created"
    case commentUpdated = "comment.updated"
    case commentDeleted = "comment.deleted"
    /// Made by `taskwire admin project rename`.
    case projectUpdated = "project.updated"
    /// Made by `taskwire admin project remove`: the last event of the project's log.
    case projectDeleted = "project.deleted"
}

/// What a presence change says of a session.
public enum PresenceKind: String, Sendable, CaseIterable {
    case joined
    case left
}

/// Why a session left a room.
public enum LeaveReason: String, Sendable, CaseIterable {
    /// `project.leave`.
    case left
    /// End of input, `exit`, a signal, or a client too slow to keep up.
    case closed
    /// Its host stopped sending heartbeats.
    case timeout
    /// Its user lost membership of the project's organization.
    case revoked
}

/// Where a database lives.
public enum StoreKind: String, Sendable, CaseIterable {
    /// One SQLite file (WAL), shared by the hosts of one machine.
    case sqlite
    /// A PostgreSQL database, shared by hosts on any number of machines.
    case postgres
}

/// How host processes sharing a database hear of each other's changes.
public enum RelayKind: String, Sendable, CaseIterable {
    case redis
    /// Through the SQLite database itself.
    case local
    /// Through PostgreSQL's LISTEN/NOTIFY.
    case postgres
}

/// An event as committed: what the relay carries and the room delivers.
public struct CommittedEvent: Sendable {
    public var projectID: String
    public var seq: Int64
    public var type: String
    /// The event object (`{projectId, seq, type, at, actor, origin, data}`) as compact JSON.
    public var payload: [UInt8]

    public init(projectID: String, seq: Int64, type: String, payload: [UInt8]) {
        self.projectID = projectID
        self.seq = seq
        self.type = type
        self.payload = payload
    }
}
