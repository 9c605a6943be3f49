import GRDB
import TaskwireProtocol

extension Store {
    public func createComment(actor: ActingSession, taskID: String, body: String) throws(StoreError) -> Change {
        let body = try Validation.body(body)
        return try write { db in
            let (task, _) = try Self.visibleTask(db, id: taskID, userID: actor.user.id)
            let projectID: String = task["project_id"]
            let now = Timestamp.now()
            let row = try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        INSERT INTO comments (\(CommentRecord.columns)) VALUES (?, ?, ?, ?, ?, 1, ?, ?)
                        RETURNING \(CommentRecord.columns)
                        """
                ),
                arguments: [Identifiers.make("cmt"), taskID, projectID, actor.user.id, body, now, now]
            )!
            let json = CommentRecord.json(row)
            let event = try Self.appendEvent(
                db,
                projectID: projectID,
                type: "comment.created",
                actor: actor,
                data: ["comment": json]
            )
            return Change(result: ["comment": json, "seq": .int(event.seq)], event: event)
        }
    }

    public func updateComment(
        actor: ActingSession,
        id: String,
        expectedVersion: Int64,
        body: String
    ) throws(StoreError) -> Change {
        let body = try Validation.body(body)
        return try write { db in
            let (row, _) = try Self.visibleComment(db, id: id, userID: actor.user.id)
            guard row[3] == actor.user.id else {
                throw StoreError.forbidden("only the author can edit a comment")
            }
            let version: Int64 = row[5]
            guard version == expectedVersion else {
                throw StoreError.conflict(version: version, current: CommentRecord.json(row))
            }
            let updated = try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        UPDATE comments SET body = ?, version = version + 1, updated_at = ? WHERE id = ?
                        RETURNING \(CommentRecord.columns)
                        """
                ),
                arguments: [body, Timestamp.now(), id]
            )!
            let json = CommentRecord.json(updated)
            let event = try Self.appendEvent(
                db,
                projectID: row[2],
                type: "comment.updated",
                actor: actor,
                data: ["comment": json]
            )
            return Change(result: ["comment": json, "seq": .int(event.seq)], event: event)
        }
    }

    public func deleteComment(actor: ActingSession, id: String) throws(StoreError) -> Change {
        try write { db in
            let (row, role) = try Self.visibleComment(db, id: id, userID: actor.user.id)
            guard row[3] == actor.user.id || role.canManage else {
                throw StoreError.forbidden("only the author or an owner or admin can delete a comment")
            }
            try db.cachedStatement(sql: "DELETE FROM comments WHERE id = ?").execute(arguments: [id])
            let taskID: String = row[1]
            let event = try Self.appendEvent(
                db,
                projectID: row[2],
                type: "comment.deleted",
                actor: actor,
                data: ["commentId": .string(id), "taskId": .string(taskID)]
            )
            return Change(result: ["id": .string(id), "seq": .int(event.seq)], event: event)
        }
    }

    static func visibleComment(_ db: Database, id: String, userID: String) throws -> (row: Row, role: Role) {
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
        return (row, role)
    }
}
