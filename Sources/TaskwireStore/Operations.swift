public import TaskwireProtocol

/// Who is acting, and through which session: recorded on every event.
public struct ActingSession: Sendable {
    public var user: UserRef
    public var sessionID: String

    public init(user: UserRef, sessionID: String) {
        self.user = user
        self.sessionID = sessionID
    }
}

/// The fields of a new task, already checked for shape; the store checks the content rules.
public struct NewTask: Sendable {
    public var projectID: String
    public var title: String
    public var description: String?
    public var status: TaskStatus?
    public var priority: TaskPriority?
    public var assigneeID: String?
    public var dueDate: String?
    public var labels: [String]?

    public init(projectID: String, title: String) {
        self.projectID = projectID
        self.title = title
    }
}

/// The changes of a task update (not its status); absent fields are left as they are.
public struct TaskPatch: Sendable {
    public var title: String?
    public var description: String?
    public var priority: TaskPriority?
    public var assigneeID: FieldUpdate<String> = .absent
    public var dueDate: FieldUpdate<String> = .absent
    public var labels: [String]?

    public init() {}

    public var isEmpty: Bool {
        title == nil && description == nil && priority == nil && assigneeID.isAbsent && dueDate.isAbsent
            && labels == nil
    }
}

/// Where `task.move` puts a task: a column (nil: its own) and a neighbour or two (none: the bottom).
public struct TaskMove: Sendable {
    public var status: TaskStatus?
    public var afterID: String?
    public var beforeID: String?

    public init(status: TaskStatus? = nil, afterID: String? = nil, beforeID: String? = nil) {
        self.status = status
        self.afterID = afterID
        self.beforeID = beforeID
    }
}

/// The order of a task listing.
public enum TaskOrder: String, Sendable, CaseIterable {
    /// Oldest first, ties by id.
    case created
    /// Columns in workflow order, each in rank order: the board.
    case board
}

/// Which tasks of a project a listing returns.
public struct TaskFilter: Sendable {
    public var status: TaskStatus?
    public var order: TaskOrder = .created
    public var assigneeID: FieldUpdate<String> = .absent

    public init() {}
}

/// One page of a listing, oldest first.
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    /// Where the next page starts; nil on the last page. Opaque to callers.
    public var nextCursor: String?

    public init(items: [Item], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }
}

/// One page of a project's event log.
public struct EventPage: Sendable {
    public var events: [CommittedEvent]
    /// The `seq` to ask for the next page after: the last event's, or the requested one when there was none.
    public var nextAfter: Int64

    public init(events: [CommittedEvent], nextAfter: Int64) {
        self.events = events
        self.nextAfter = nextAfter
    }
}

/// A committed change: the entity as it is stored now (as it was, for a deletion) and the event written with it.
public struct ChangeResult<Entity: Sendable>: Sendable {
    public var entity: Entity
    public var event: CommittedEvent
    /// Events the change made before `event`, in `seq` order: the respacing of a column that made room for it.
    public var precedingEvents: [CommittedEvent]
    /// The entity as the text its event carries, when the store wrote it that way: the response reuses it.
    public var encodedEntity: EncodedJSON?

    public init(
        entity: Entity,
        event: CommittedEvent,
        precedingEvents: [CommittedEvent] = [],
        encodedEntity: EncodedJSON? = nil
    ) {
        self.entity = entity
        self.event = event
        self.precedingEvents = precedingEvents
        self.encodedEntity = encodedEntity
    }

    /// Every event of the change, in `seq` order.
    public var events: [CommittedEvent] { precedingEvents + [event] }

    /// The project's `seq` of the change.
    public var seq: Int64 { event.seq }
}

/// A new user and their first token, which exists only here: the store keeps its hash.
public struct CreatedUser: Sendable, Equatable {
    public var user: UserRef
    public var token: String

    public init(user: UserRef, token: String) {
        self.user = user
        self.token = token
    }
}

/// A token issued to an existing user; like every token, shown once.
public struct IssuedToken: Sendable, Equatable {
    public var userID: String
    public var token: String

    public init(userID: String, token: String) {
        self.userID = userID
        self.token = token
    }
}
