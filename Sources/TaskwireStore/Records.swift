import GRDB
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

/// The result of a change: the entity's JSON and the event written with it.
public struct Change: Sendable {
    public var result: JSON
    public var event: CommittedEvent
}

/// Rows of `tasks`, read by position: every query selects `columns` (or `t.*`, the same order) first.
enum TaskRecord {
    static let columns =
        "id, project_id, title, description, status, priority, assignee_id, due_date, labels, version, created_by, created_at, updated_at"

    static func json(_ row: Row) -> JSON {
        let labelsText: String = row[8]
        let labels = (try? JSONParser.parse(labelsText)) ?? .array([])
        return [
            "id": .string(row[0] as String),
            "projectId": .string(row[1] as String),
            "title": .string(row[2] as String),
            "description": .string(row[3] as String),
            "status": .string(row[4] as String),
            "priority": .string(row[5] as String),
            "assigneeId": .string(row[6] as String?),
            "dueDate": .string(row[7] as String?),
            "labels": labels,
            "version": .int(row[9] as Int64),
            "createdBy": .string(row[10] as String),
            "createdAt": .string(row[11] as String),
            "updatedAt": .string(row[12] as String),
        ]
    }

    static func labelsText(_ labels: [String]) -> String {
        JSON.array(labels.map(JSON.string)).text
    }
}

/// Rows of `comments`, read by position: every query selects `columns` (or `c.*`, the same order) first.
enum CommentRecord {
    static let columns = "id, task_id, project_id, author_id, body, version, created_at, updated_at"

    static func json(_ row: Row) -> JSON {
        [
            "id": .string(row[0] as String),
            "taskId": .string(row[1] as String),
            "projectId": .string(row[2] as String),
            "authorId": .string(row[3] as String),
            "body": .string(row[4] as String),
            "version": .int(row[5] as Int64),
            "createdAt": .string(row[6] as String),
            "updatedAt": .string(row[7] as String),
        ]
    }
}
