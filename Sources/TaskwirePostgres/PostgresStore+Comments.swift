import TaskwireProtocol
public import TaskwireStore

extension PostgresStore {
    public func createComment(
        actor: ActingSession,
        taskID: String,
        body: String
    ) throws(StoreError) -> ChangeResult<Comment> {
        let body = try Validation.body(body)
        return try write { connection in
            // The task is held too: a deletion that committed first leaves it not found, as in a serial order, rather
            // than failing the insert's foreign key.
            guard
                let taskRow = try connection.row(
                    """
                    SELECT t.project_id FROM tasks t
                    JOIN projects p ON p.id = t.project_id
                    JOIN memberships m ON m.organization_id = p.organization_id AND m.user_id = $1
                    WHERE t.id = $2 FOR KEY SHARE OF t FOR SHARE OF m
                    """,
                    [actor.user.id, taskID]
                )
            else { throw StoreError.notFound("Task") }
            let projectID = taskRow.text(0)
            let now = Timestamp.now()
            let row = try connection.row(
                """
                INSERT INTO comments (\(CommentRow.columns)) VALUES ($1, $2, $3, $4, $5, 1, $6, $7)
                RETURNING \(CommentRow.columns)
                """,
                [Identifiers.make("cmt"), taskID, projectID, actor.user.id, body, now, now]
            )!
            let created = CommentRow.comment(row)
            let event = try Self.appendEvent(
                connection,
                projectID: projectID,
                type: .commentCreated,
                actor: actor,
                data: ["comment": created.json]
            )
            return ChangeResult(entity: created, event: event)
        }
    }

    public func updateComment(
        actor: ActingSession,
        id: String,
        expectedVersion: Int64,
        body: String
    ) throws(StoreError) -> ChangeResult<Comment> {
        let body = try Validation.body(body)
        return try write { connection in
            let (current, _) = try Self.visibleComment(connection, id: id, userID: actor.user.id)
            guard current.authorID == actor.user.id else {
                throw StoreError.forbidden("only the author can edit a comment")
            }
            // The version is checked by the update itself, so that a stale write is never applied whatever the
            // isolation; RETURNING yields no row exactly when the update changed none.
            guard
                let row = try connection.row(
                    """
                    UPDATE comments SET body = $1, version = version + 1, updated_at = $2
                    WHERE id = $3 AND version = $4 RETURNING \(CommentRow.columns)
                    """,
                    [body, Timestamp.now(), id, String(expectedVersion)]
                )
            else { throw try Self.commentConflict(connection, id: id) }
            let updated = CommentRow.comment(row)
            let event = try Self.appendEvent(
                connection,
                projectID: current.projectID,
                type: .commentUpdated,
                actor: actor,
                data: ["comment": updated.json]
            )
            return ChangeResult(entity: updated, event: event)
        }
    }

    public func deleteComment(actor: ActingSession, id: String) throws(StoreError) -> ChangeResult<Comment> {
        try write { connection in
            let (current, role) = try Self.visibleComment(connection, id: id, userID: actor.user.id)
            guard current.authorID == actor.user.id || role.canManage else {
                throw StoreError.forbidden("only the author or an owner or admin can delete a comment")
            }
            guard
                let row = try connection.row(
                    "DELETE FROM comments WHERE id = $1 RETURNING \(CommentRow.columns)",
                    [id]
                )
            else { throw StoreError.notFound("Comment") }
            let deleted = CommentRow.comment(row)
            let event = try Self.appendEvent(
                connection,
                projectID: deleted.projectID,
                type: .commentDeleted,
                actor: actor,
                data: ["commentId": .string(id), "taskId": .string(deleted.taskID)]
            )
            return ChangeResult(entity: deleted, event: event)
        }
    }

    /// A comment and the user's role in its organization, when the user can see it; otherwise not found.
    ///
    /// The membership is held until the transaction ends.
    static func visibleComment(
        _ connection: PostgresConnection,
        id: String,
        userID: String
    ) throws -> (comment: Comment, role: Role) {
        let row = try connection.row(
            """
            SELECT \(CommentRow.qualifiedColumns), m.role FROM comments c
            JOIN projects p ON p.id = c.project_id
            JOIN memberships m ON m.organization_id = p.organization_id AND m.user_id = $1
            WHERE c.id = $2 FOR SHARE OF m
            """,
            [userID, id]
        )
        guard let row, let role = Role(rawValue: row.text(CommentRow.count)) else {
            throw StoreError.notFound("Comment")
        }
        return (CommentRow.comment(row), role)
    }

    /// Why a versioned write of a comment changed nothing: it is at another version now, or it is gone.
    static func commentConflict(_ connection: PostgresConnection, id: String) throws -> StoreError {
        guard let row = try connection.row("SELECT \(CommentRow.columns) FROM comments WHERE id = $1", [id]) else {
            return .notFound("Comment")
        }
        return .conflict(current: .comment(CommentRow.comment(row)))
    }
}
