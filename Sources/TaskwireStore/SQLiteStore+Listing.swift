import Foundation
import GRDB
package import TaskwireProtocol

extension SQLiteStore {
    public func listTasks(
        user: UserRef,
        projectID: String,
        filter: TaskFilter,
        limit: Int64,
        cursor: String?
    ) throws(StoreError) -> Page<TaskItem> {
        if filter.order == .board {
            return try listBoard(user: user, projectID: projectID, filter: filter, limit, cursor)
        }
        let after = try cursor.map { (text) throws(StoreError) in try PageCursor.decode(text) }
        return try read { db in
            _ = try Self.projectAccess(db, projectID: projectID, userID: user.id)
            var conditions = ["project_id = ?"]
            var arguments: StatementArguments = [projectID]
            Self.filter(filter, &conditions, &arguments)
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

    /// A page of the board: the columns in workflow order, each read in rank order from its index.
    private func listBoard(
        user: UserRef,
        projectID: String,
        filter: TaskFilter,
        _ limit: Int64,
        _ cursor: String?
    ) throws(StoreError) -> Page<TaskItem> {
        let after = try cursor.map { (text) throws(StoreError) in try BoardCursor.decode(text) }
        var columnFilter = filter
        columnFilter.status = nil
        return try read { db in
            _ = try Self.projectAccess(db, projectID: projectID, userID: user.id)
            var tasks: [TaskItem] = []
            var more = false
            for status in BoardCursor.columns(from: after?.status, only: filter.status) {
                var conditions = ["project_id = ?", "status = ?"]
                var arguments: StatementArguments = [projectID, status.rawValue]
                Self.filter(columnFilter, &conditions, &arguments)
                if let after, after.status == status {
                    conditions.append("(rank, id) > (?, ?)")
                    arguments += [after.rank, after.id]
                }
                let sql = """
                    SELECT \(TaskRecord.columns) FROM tasks WHERE \(conditions.joined(separator: " AND "))
                    ORDER BY rank, id LIMIT ?
                    """
                let wanted = limit - Int64(tasks.count)
                let rows = try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments + [wanted + 1])
                for row in rows.prefix(Int(wanted)) { tasks.append(try TaskRecord.task(row)) }
                if rows.count > wanted {
                    more = true
                    break
                }
            }
            if !more, let last = tasks.last, tasks.count == limit {
                // A full page that ended a column: more only when a later column has a task.
                for status in BoardCursor.columns(from: last.status, only: filter.status).dropFirst() {
                    var conditions = ["project_id = ?", "status = ?"]
                    var arguments: StatementArguments = [projectID, status.rawValue]
                    Self.filter(columnFilter, &conditions, &arguments)
                    let sql = "SELECT 1 FROM tasks WHERE \(conditions.joined(separator: " AND ")) LIMIT 1"
                    if try Row.fetchOne(db.cachedStatement(sql: sql), arguments: arguments) != nil {
                        more = true
                        break
                    }
                }
            }
            return Page(items: tasks, nextCursor: more ? tasks.last.map(BoardCursor.encode) : nil)
        }
    }

    /// Adds a listing's filter (status and assignee) to a query's conditions.
    private static func filter(
        _ filter: TaskFilter,
        _ conditions: inout [String],
        _ arguments: inout StatementArguments
    ) {
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

/// An opaque cursor of the board order: the column, rank and id of the last task of the previous page.
package enum BoardCursor {
    package static func encode(_ task: TaskItem) -> String {
        "b1." + Data([task.status.rawValue, task.rank, task.id].joined(separator: "|").utf8).base64EncodedString()
    }

    package static func decode(_ cursor: String) throws(StoreError) -> (status: TaskStatus, rank: String, id: String) {
        guard cursor.hasPrefix("b1."), let data = Data(base64Encoded: String(cursor.dropFirst(3))),
            let text = String(data: data, encoding: .utf8)
        else { throw .invalid("cursor", "not a cursor from a previous page") }
        let parts = text.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, let status = TaskStatus(rawValue: parts[0]) else {
            throw .invalid("cursor", "not a cursor from a previous page")
        }
        return (status, parts[1], parts[2])
    }

    /// The columns a page reads, in workflow order: from the cursor's column on, or the one of the filter.
    package static func columns(from start: TaskStatus?, only: TaskStatus?) -> [TaskStatus] {
        if let only { return start == nil || start == only ? [only] : [] }
        guard let start, let index = TaskStatus.allCases.firstIndex(of: start) else { return TaskStatus.allCases }
        return Array(TaskStatus.allCases[index...])
    }
}
