import TaskwireProtocol
import TaskwireStore

/// Rows of `tasks`, read by position: every query selects `columns` first, in this order.
enum TaskRow {
    static let columns =
        "id, project_id, title, description, status, priority, assignee_id, due_date, labels, version, created_by, created_at, updated_at, rank"
    /// `columns` of the table aliased `t`.
    static let qualifiedColumns = columns.split(separator: ", ").map { "t." + $0 }.joined(separator: ", ")
    static let count = 14

    static func task(_ row: PostgresRow) throws(StoreError) -> TaskItem {
        let id = row.text(0)
        guard let status = TaskStatus(rawValue: row.text(4)), let priority = TaskPriority(rawValue: row.text(5)) else {
            throw .failure("task \(id) has an unknown status or priority")
        }
        let labels = (try? JSONParser.parse(row.text(8)))?.arrayValue?.compactMap(\.stringValue) ?? []
        return TaskItem(
            id: id,
            projectID: row.text(1),
            title: row.text(2),
            description: row.text(3),
            status: status,
            priority: priority,
            assigneeID: row.optionalText(6),
            dueDate: row.optionalText(7),
            labels: labels,
            rank: row.text(13),
            version: row.int(9),
            createdBy: row.text(10),
            createdAt: row.text(11),
            updatedAt: row.text(12)
        )
    }

    /// Labels as stored: the JSON array text, as SQLite stores them.
    static func labelsText(_ labels: [String]) -> String {
        JSON.array(labels.map(JSON.string)).text
    }
}

/// Rows of `comments`, read by position: every query selects `columns` first, in this order.
enum CommentRow {
    static let columns = "id, task_id, project_id, author_id, body, version, created_at, updated_at"
    /// `columns` of the table aliased `c`.
    static let qualifiedColumns = columns.split(separator: ", ").map { "c." + $0 }.joined(separator: ", ")
    static let count = 8

    static func comment(_ row: PostgresRow) -> Comment {
        Comment(
            id: row.text(0),
            taskID: row.text(1),
            projectID: row.text(2),
            authorID: row.text(3),
            body: row.text(4),
            version: row.int(5),
            createdAt: row.text(6),
            updatedAt: row.text(7)
        )
    }
}

/// Rows of `presence_events`, read by position: every query selects `columns`.
enum PresenceRow {
    static let columns = "id, project_id, session_id, user_id, user_name, kind, reason, at"

    static func change(_ row: PostgresRow) -> PresenceChange {
        PresenceChange(
            id: row.int(0),
            projectID: row.text(1),
            sessionID: row.text(2),
            user: UserRef(id: row.text(3), name: row.text(4)),
            // The table's CHECK constraint admits only the two kinds; reasons are written from LeaveReason.
            kind: PresenceKind(rawValue: row.text(5)) ?? .left,
            reason: row.optionalText(6).flatMap(LeaveReason.init(rawValue:)),
            at: row.text(7)
        )
    }
}
