import TaskwireProtocol
public import TaskwireStore

extension PostgresStore {
    public func searchTasks(
        user: UserRef,
        query: SearchQuery,
        scope: SearchScope,
        limit: Int64,
        cursor: String?
    ) throws(StoreError) -> Page<SearchHit> {
        let offset = try cursor.map { (text) throws(StoreError) in try SearchCursor.decode(text) } ?? 0
        return try read { connection in
            if let projectID = scope.projectID {
                _ = try Self.projectAccess(connection, projectID: projectID, userID: user.id)
            }
            var values: [String?] = [user.id, query.tsquery]
            var conditions = ["s.document @@ q.query"]
            if let projectID = scope.projectID {
                values.append(projectID)
                conditions.append("s.project_id = $\(values.count)")
            }
            if let status = scope.status {
                values.append(status.rawValue)
                conditions.append("t.status = $\(values.count)")
            }
            values += [String(limit + 1), String(offset)]
            // ts_rank reads the task's own document only: no statistics of other tasks, or organizations, in it.
            let rows = try connection.rows(
                """
                SELECT \(TaskRow.qualifiedColumns), ts_rank(s.document, q.query) AS score
                FROM (SELECT to_tsquery('simple', $2) AS query) q
                JOIN task_search s ON s.document @@ q.query
                JOIN tasks t ON t.id = s.task_id
                JOIN projects p ON p.id = t.project_id AND p.deleted_at IS NULL
                JOIN memberships m ON m.organization_id = p.organization_id AND m.user_id = $1
                WHERE \(conditions.joined(separator: " AND "))
                ORDER BY score DESC, t.id LIMIT $\(values.count - 1) OFFSET $\(values.count)
                """,
                values
            )
            let hits = try rows.prefix(Int(limit)).map { (row) throws -> SearchHit in
                let task = try TaskRow.task(row)
                let snippet = try SearchSnippet.make(for: query, task: task) { () throws(PostgresFailure) in
                    try connection.rows(
                        "SELECT body FROM comments WHERE task_id = $1 ORDER BY created_at, id",
                        [task.id]
                    ).map { $0.text(0) }
                }
                return SearchHit(task: task, score: Double(row.text(TaskRow.count)) ?? 0, snippet: snippet)
            }
            return Page(
                items: hits,
                nextCursor: SearchCursor.next(offset: offset, count: hits.count, more: rows.count > limit)
            )
        }
    }
}
