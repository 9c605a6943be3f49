import GRDB
import TaskwireProtocol

/// Rows of `tasks`, read by position: every query selects `columns` (or `t.*`, the same order) first.
enum TaskRecord {
    static let columns =
        "id, project_id, title, description, status, priority, assignee_id, due_date, labels, version, created_by, created_at, updated_at, rank"

    static func task(_ row: Row) throws(StoreError) -> TaskItem {
        let id: String = row[0]
        guard let status = TaskStatus(rawValue: row[4]), let priority = TaskPriority(rawValue: row[5]) else {
            throw .failure("task \(id) has an unknown status or priority")
        }
        return TaskItem(
            id: id,
            projectID: row[1],
            title: row[2],
            description: row[3],
            status: status,
            priority: priority,
            assigneeID: row[6],
            dueDate: row[7],
            labels: labels(row[8]),
            rank: row[13],
            version: row[9],
            createdBy: row[10],
            createdAt: row[11],
            updatedAt: row[12]
        )
    }

    /// The same from the current row of a statement that selects `columns` (see ``HotStatement``).
    static func task(_ statement: HotStatement) throws(StoreError) -> TaskItem {
        let id = statement.text(0)
        guard let status = TaskStatus(rawValue: statement.text(4)),
            let priority = TaskPriority(rawValue: statement.text(5))
        else { throw .failure("task \(id) has an unknown status or priority") }
        return TaskItem(
            id: id,
            projectID: statement.text(1),
            title: statement.text(2),
            description: statement.text(3),
            status: status,
            priority: priority,
            assigneeID: statement.optionalText(6),
            dueDate: statement.optionalText(7),
            labels: labels(statement.text(8)),
            rank: statement.text(13),
            version: statement.int64(9),
            createdBy: statement.text(10),
            createdAt: statement.text(11),
            updatedAt: statement.text(12)
        )
    }

    /// Labels as stored: a JSON array of strings.
    private static func labels(_ text: String) -> [String] {
        // Most tasks have none: no parse for those.
        if text == "[]" { return [] }
        return (try? JSONParser.parse(text))?.arrayValue?.compactMap(\.stringValue) ?? []
    }

    static func labelsText(_ labels: [String]) -> String {
        JSON.array(labels.map(JSON.string)).text
    }
}

/// Rows of `comments`, read by position: every query selects `columns` (or `c.*`, the same order) first.
enum CommentRecord {
    static let columns = "id, task_id, project_id, author_id, body, version, created_at, updated_at"

    static func comment(_ row: Row) -> Comment {
        Comment(
            id: row[0],
            taskID: row[1],
            projectID: row[2],
            authorID: row[3],
            body: row[4],
            version: row[5],
            createdAt: row[6],
            updatedAt: row[7]
        )
    }
}

/// Rows of `presence_events`.
enum PresenceRecord {
    static func change(_ row: Row) -> PresenceChange {
        PresenceChange(
            id: row["id"],
            projectID: row["project_id"],
            sessionID: row["session_id"],
            user: UserRef(id: row["user_id"], name: row["user_name"]),
            // The table's CHECK constraint admits only the two kinds; reasons are written from LeaveReason.
            kind: PresenceKind(rawValue: row["kind"]) ?? .left,
            reason: (row["reason"] as String?).flatMap(LeaveReason.init(rawValue:)),
            at: row["at"]
        )
    }
}
