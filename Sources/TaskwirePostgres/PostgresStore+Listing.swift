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
        let after = try cursor.map { (text) throws(StoreError) in try PageCursor.decode(text) }
        return try read { connection in
            _ = try Self.projectAccess(connection, projectID: projectID, userID: user.id)
            var values: [String?] = [projectID]
            var conditions = ["project_id = $1"]
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
