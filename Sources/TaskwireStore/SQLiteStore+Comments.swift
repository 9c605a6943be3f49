import GRDB
import TaskwireProtocol

extension SQLiteStore {
    public func createComment(
        actor: ActingSession,
        taskID: String,
        body: String
    ) throws(StoreError) -> ChangeResult<Comment> {
        let body = try Validation.body(body)
        return try write(notingSearch: true) { db in
            let (task, _) = try Self.visibleTask(db, id: taskID, userID: actor.user.id)
            let now = Timestamp.now()
            let id = Identifiers.make("cmt")
            // Written, then read back: SQLite runs `RETURNING` through a temporary table (see `appendEvent`).
            try db.cachedStatement(
                sql: "INSERT INTO comments (\(CommentRecord.columns)) VALUES (?, ?, ?, ?, ?, 1, ?, ?)"
            ).execute(arguments: [id, taskID, task.projectID, actor.user.id, body, now, now])
            guard let created = try Self.storedComment(db, id: id) else {
                throw StoreError.failure("comment not stored")
            }
            let event = try Self.appendEvent(
                db,
                projectID: task.projectID,
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
        return try write(notingSearch: true) { db in
            let (current, _) = try Self.visibleComment(db, id: id, userID: actor.user.id)
            guard current.authorID == actor.user.id else {
                throw StoreError.forbidden("only the author can edit a comment")
            }
            // The version is checked by the update itself, so that a stale write is never applied whatever the
            // isolation; it changed one row or none.
            try db.cachedStatement(
                sql: "UPDATE comments SET body = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?"
            ).execute(arguments: [body, Timestamp.now(), id, expectedVersion])
            guard db.changesCount == 1, let updated = try Self.storedComment(db, id: id) else {
                throw try Self.commentConflict(db, id: id)
            }
            let event = try Self.appendEvent(
                db,
                projectID: current.projectID,
                type: .commentUpdated,
                actor: actor,
                data: ["comment": updated.json]
            )
            return ChangeResult(entity: updated, event: event)
        }
    }

    public func deleteComment(actor: ActingSession, id: String) throws(StoreError) -> ChangeResult<Comment> {
        try write(notingSearch: true) { db in
            let (current, role) = try Self.visibleComment(db, id: id, userID: actor.user.id)
            guard current.authorID == actor.user.id || role.canManage else {
                throw StoreError.forbidden("only the author or an owner or admin can delete a comment")
            }
            // The comment as read here is the one deleted, in the same transaction.
            try db.cachedStatement(sql: "DELETE FROM comments WHERE id = ?").execute(arguments: [id])
            guard db.changesCount == 1 else { throw StoreError.notFound("Comment") }
            let deleted = current
            let event = try Self.appendEvent(
                db,
                projectID: deleted.projectID,
                type: .commentDeleted,
                actor: actor,
                data: ["commentId": .string(id), "taskId": .string(deleted.taskID)]
            )
            return ChangeResult(entity: deleted, event: event)
        }
    }

    /// A comment and the user's role in its organization, when the user can see it; otherwise not found.
    static func visibleComment(_ db: Database, id: String, userID: String) throws -> (comment: Comment, role: Role) {
        let row = try Row.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT c.*, m.role AS role FROM comments c
                    JOIN projects p ON p.id = c.project_id
                    JOIN memberships m ON m.organization_id = p.organization_id AND m.user_id = ?
                    WHERE c.id = ?
                    """
            ),
            arguments: [userID, id]
        )
        guard let row, let role = Role(rawValue: row[8]) else { throw StoreError.notFound("Comment") }
        return (CommentRecord.comment(row), role)
    }

    /// Why a versioned write of a comment changed nothing: it is at another version now, or it is gone.
    static func commentConflict(_ db: Database, id: String) throws -> StoreError {
        guard let comment = try storedComment(db, id: id) else { return .notFound("Comment") }
        return .conflict(current: .comment(comment))
    }

    /// A comment as stored now, without an access check: the row a write just made or changed, read back.
    static func storedComment(_ db: Database, id: String) throws -> Comment? {
        try Row.fetchOne(
            db.cachedStatement(sql: "SELECT \(CommentRecord.columns) FROM comments WHERE id = ?"),
            arguments: [id]
        ).map(CommentRecord.comment)
    }
}
