import Foundation
import GRDB
import TaskwireProtocol

extension SQLiteStore {
    public func listTasks(
        user: UserRef,
        projectID: String,
        filter: TaskFilter,
        limit: Int64,
        cursor: String?
    ) throws(StoreError) -> Page<TaskItem> {
        let after = try cursor.map { (text) throws(StoreError) in try PageCursor.decode(text) }
        return try read { db in
            _ = try Self.projectAccess(db, projectID: projectID, userID: user.id)
            var conditions = ["project_id = ?"]
            var arguments: StatementArguments = [projectID]
            if let status = filter.status {
                conditions.append("status = ?")
                arguments += [status.rawValue]
            }
            switch filter.assigneeID {
            case .absent: break
            case .null: conditions.append("assignee_id IS NULL")
            case .value(let id):
                conditions.append("assignee_id = ?")
                arguments += [id]
            }
            if let after {
                conditions.append("(created_at, id) > (?, ?)")
                arguments += [after.createdAt, after.id]
            }
            let sql = """
                SELECT \(TaskRecord.columns) FROM tasks WHERE \(conditions.joined(separator: " AND "))
                ORDER BY created_at, id LIMIT ?
                """
            let rows = try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments + [limit + 1])
            let tasks = try rows.prefix(Int(limit)).map { (row) throws(StoreError) in try TaskRecord.task(row) }
            let more = rows.count > limit
            return Page(
                items: tasks,
                nextCursor: more ? tasks.last.map { PageCursor.encode($0.createdAt, $0.id) } : nil
            )
        }
    }

    public func listComments(
        user: UserRef,
        taskID: String,
        limit: Int64,
        cursor: String?
    ) throws(StoreError) -> Page<Comment> {
        let after = try cursor.map { (text) throws(StoreError) in try PageCursor.decode(text) }
        return try read { db in
            _ = try Self.visibleTask(db, id: taskID, userID: user.id)
            var sql = "SELECT \(CommentRecord.columns) FROM comments WHERE task_id = ?"
            var arguments: StatementArguments = [taskID]
            if let after {
                sql += " AND (created_at, id) > (?, ?)"
                arguments += [after.createdAt, after.id]
            }
            sql += " ORDER BY created_at, id LIMIT ?"
            let rows = try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments + [limit + 1])
            let comments = rows.prefix(Int(limit)).map(CommentRecord.comment)
            let more = rows.count > limit
            return Page(
                items: comments,
                nextCursor: more ? comments.last.map { PageCursor.encode($0.createdAt, $0.id) } : nil
            )
        }
    }
}

/// An opaque page cursor: the position (creation time, id) of the last item of the previous page.
package enum PageCursor {
    package static func encode(_ createdAt: String, _ id: String) -> String {
        "c1." + Data((createdAt + "|" + id).utf8).base64EncodedString()
    }

    package static func decode(_ cursor: String) throws(StoreError) -> (createdAt: String, id: String) {
        guard cursor.hasPrefix("c1."), let data = Data(base64Encoded: String(cursor.dropFirst(3))),
            let text = String(data: data, encoding: .utf8), let bar = text.firstIndex(of: "|")
        else { throw .invalid("cursor", "not a cursor from a previous page") }
        return (String(text[..<bar]), String(text[text.index(after: bar)...]))
    }
}
