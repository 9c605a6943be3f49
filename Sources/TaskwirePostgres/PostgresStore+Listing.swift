import TaskwireProtocol
public import TaskwireStore

extension PostgresStore {
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
        return try read { connection in
            _ = try Self.projectAccess(connection, projectID: projectID, userID: user.id)
            var values: [String?] = [projectID]
            var conditions = ["project_id = $1"]
            Self.filter(filter, &conditions, &values)
            if let after {
                values += [after.createdAt, after.id]
                conditions.append("(created_at, id) > ($\(values.count - 1), $\(values.count))")
            }
            values.append(String(limit + 1))
            let rows = try connection.rows(
                """
                SELECT \(TaskRow.columns) FROM tasks WHERE \(conditions.joined(separator: " AND "))
                ORDER BY created_at, id LIMIT $\(values.count)
                """,
                values
            )
            let tasks = try rows.prefix(Int(limit)).map { (row) throws(StoreError) in try TaskRow.task(row) }
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
        return try read { connection in
            _ = try Self.projectAccess(connection, projectID: projectID, userID: user.id)
            var tasks: [TaskItem] = []
            var more = false
            for status in BoardCursor.columns(from: after?.status, only: filter.status) {
                var values: [String?] = [projectID, status.rawValue]
                var conditions = ["project_id = $1", "status = $2"]
                Self.filter(columnFilter, &conditions, &values)
                if let after, after.status == status {
                    values += [after.rank, after.id]
                    conditions.append("(rank, id) > ($\(values.count - 1), $\(values.count))")
                }
                let wanted = limit - Int64(tasks.count)
                values.append(String(wanted + 1))
                let rows = try connection.rows(
                    """
                    SELECT \(TaskRow.columns) FROM tasks WHERE \(conditions.joined(separator: " AND "))
                    ORDER BY rank, id LIMIT $\(values.count)
                    """,
                    values
                )
                for row in rows.prefix(Int(wanted)) { tasks.append(try TaskRow.task(row)) }
                if rows.count > wanted {
                    more = true
                    break
                }
            }
            if !more, let last = tasks.last, tasks.count == limit {
                // A full page that ended a column: more only when a later column has a task.
                for status in BoardCursor.columns(from: last.status, only: filter.status).dropFirst() {
                    var values: [String?] = [projectID, status.rawValue]
                    var conditions = ["project_id = $1", "status = $2"]
                    Self.filter(columnFilter, &conditions, &values)
                    let sql = "SELECT 1 FROM tasks WHERE \(conditions.joined(separator: " AND ")) LIMIT 1"
                    if try connection.row(sql, values) != nil {
                        more = true
                        break
                    }
                }
            }
            return Page(items: tasks, nextCursor: more ? tasks.last.map(BoardCursor.encode) : nil)
        }
    }

    /// Adds a listing's filter (status and assignee) to a query's conditions, numbering its values after `values`.
    private static func filter(_ filter: TaskFilter, _ conditions: inout [String], _ values: inout [String?]) {
        if let status = filter.status {
            values.append(status.rawValue)
            conditions.append("status = $\(values.count)")
        }
        switch filter.assigneeID {
        case .absent: break
        case .null: conditions.append("assignee_id IS NULL")
        case .value(let id):
            values.append(id)
            conditions.append("assignee_id = $\(values.count)")
        }
    }

    public func listComments(
        user: UserRef,
        taskID: String,
        limit: Int64,
        cursor: String?
    ) throws(StoreError) -> Page<Comment> {
        let after = try cursor.map { (text) throws(StoreError) in try PageCursor.decode(text) }
        return try read { connection in
            _ = try Self.visibleTask(connection, id: taskID, userID: user.id)
            var sql = "SELECT \(CommentRow.columns) FROM comments WHERE task_id = $1"
            var values: [String?] = [taskID]
            if let after {
                sql += " AND (created_at, id) > ($2, $3)"
                values += [after.createdAt, after.id]
            }
            values.append(String(limit + 1))
            sql += " ORDER BY created_at, id LIMIT $\(values.count)"
            let rows = try connection.rows(sql, values)
            let comments = rows.prefix(Int(limit)).map(CommentRow.comment)
            let more = rows.count > limit
            return Page(
                items: comments,
                nextCursor: more ? comments.last.map { PageCursor.encode($0.createdAt, $0.id) } : nil
            )
        }
    }
}
