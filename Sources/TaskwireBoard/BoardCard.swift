public import TaskwireProtocol

/// A task as the board shows it: the fields of a card and the keys that order it within its column.
public struct BoardCard: Sendable, Equatable {
    public var id: String
    public var title: String
    public var description: String
    public var status: TaskStatus
    public var priority: String
    public var assigneeID: String?
    public var labels: [String]
    public var dueDate: String?
    /// The task's rank within its column (compared bytewise). A host without ranks lists tasks oldest first; the
    /// creation time stands in for the rank then, which keeps that order.
    public var rank: String
    public var version: Int64

    /// The card of a task object of the protocol; nil when a required member is missing or malformed.
    public init?(task: JSON) {
        guard let id = task["id"]?.stringValue, let title = task["title"]?.stringValue,
            let status = task["status"]?.stringValue.flatMap(TaskStatus.init(rawValue:)),
            let version = task["version"]?.int64Value
        else { return nil }
        self.id = id
        self.title = title
        self.status = status
        self.version = version
        description = task["description"]?.stringValue ?? ""
        priority = task["priority"]?.stringValue ?? "medium"
        assigneeID = task["assigneeId"]?.stringValue
        labels = task["labels"]?.arrayValue?.compactMap(\.stringValue) ?? []
        dueDate = task["dueDate"]?.stringValue
        rank = task["rank"]?.stringValue ?? task["createdAt"]?.stringValue ?? ""
    }

    /// Whether this card comes before `other` in a column: by rank, then by id, both compared bytewise.
    public func precedes(_ other: BoardCard) -> Bool {
        if !rank.utf8.elementsEqual(other.rank.utf8) { return rank.utf8.lexicographicallyPrecedes(other.rank.utf8) }
        return id.utf8.lexicographicallyPrecedes(other.id.utf8)
    }
}

extension TaskStatus {
    /// The column's title on the board.
    public var title: String {
        switch self {
        case .todo: "To do"
        case .inProgress: "In progress"
        case .inReview: "In review"
        case .done: "Done"
        }
    }
}
