import GRDB
public import TaskwireProtocol

/// Who is acting, and through which session: recorded on every event.
public struct Actor: Sendable {
    public var user: UserRef
    public var sessionID: String

    public init(user: UserRef, sessionID: String) {
        self.user = user
        self.sessionID = sessionID
    }
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

/// The result of a change: the entity's JSON and the event written with it.
public struct Change: Sendable {
    public var result: JSON
    public var event: CommittedEvent
}

enum TaskRecord {
    static let columns =
        "id, project_id, title, description, status, priority, assignee_id, due_date, labels, version, created_by, created_at, updated_at"

    static func json(_ row: Row) -> JSON {
        let labelsText: String = row["labels"]
        let labels = (try? JSONParser.parse(labelsText)) ?? .array([])
        return [
            "id": .string(row["id"] as String),
            "projectId": .string(row["project_id"] as String),
            "title": .string(row["title"] as String),
            "description": .string(row["description"] as String),
            "status": .string(row["status"] as String),
            "priority": .string(row["priority"] as String),
            "assigneeId": .string(row["assignee_id"] as String?),
            "dueDate": .string(row["due_date"] as String?),
            "labels": labels,
            "version": .int(row["version"] as Int64),
            "createdBy": .string(row["created_by"] as String),
            "createdAt": .string(row["created_at"] as String),
            "updatedAt": .string(row["updated_at"] as String),
        ]
    }

    static func labelsText(_ labels: [String]) -> String {
        JSON.array(labels.map(JSON.string)).text
    }
}

enum CommentRecord {
    static let columns = "id, task_id, project_id, author_id, body, version, created_at, updated_at"

    static func json(_ row: Row) -> JSON {
        [
            "id": .string(row["id"] as String),
            "taskId": .string(row["task_id"] as String),
            "projectId": .string(row["project_id"] as String),
            "authorId": .string(row["author_id"] as String),
            "body": .string(row["body"] as String),
            "version": .int(row["version"] as Int64),
            "createdAt": .string(row["created_at"] as String),
            "updatedAt": .string(row["updated_at"] as String),
        ]
    }
}
