public import TaskwireProtocol
public import TaskwireStore

extension PostgresStore {
    /// Appends an event with the project's next `seq`, inside the caller's transaction; `at` is now unless the
    /// change already took the time (a task's `updatedAt`).
    ///
    /// The `seq` comes from the project's row, locked by the update until the transaction ends: concurrent writers
    /// of a project take their turn, so there is no gap and no duplicate, and seqs follow commit order.
    static func appendEvent(
        _ connection: PostgresConnection,
        projectID: String,
        type: EventType,
        actor: ActingSession,
        at: String? = nil,
        data: JSON
    ) throws -> CommittedEvent {
        connection.touchedProjects.insert(projectID)
        let at = at ?? Timestamp.now()
        // The project's next seq and the event under it in one statement, one round trip: the payload is sent in
        // its two parts around the seq, which the server writes between them.
        let parts = CommittedEvent.payloadParts(projectID: projectID, type: type, at: at, actor: actor, data: data)
        guard
            let seq = try connection.row(
                """
                WITH bumped AS (UPDATE projects SET last_seq = last_seq + 1 WHERE id = $1 RETURNING last_seq)
                INSERT INTO events (project_id, seq, type, actor_id, origin_session, at, payload)
                SELECT $1, last_seq, $2, $3, $4, $5, $6::text || last_seq::text || $7::text FROM bumped
                RETURNING seq
                """,
                [
                    projectID, type.rawValue, actor.user.id, actor.sessionID, at,
                    String(decoding: parts.head, as: UTF8.self), String(decoding: parts.tail, as: UTF8.self),
                ]
            )?.int(0)
        else { throw StoreError.notFound("Project") }
        let payload = parts.head + Array(String(seq).utf8) + parts.tail
        return CommittedEvent(projectID: projectID, seq: seq, type: type.rawValue, payload: payload)
    }

    public func listEvents(
        user: UserRef,
        projectID: String,
        after: Int64,
        limit: Int64
    ) throws(StoreError) -> EventPage {
        try read { connection in
            _ = try Self.projectAccess(connection, projectID: projectID, userID: user.id)
            let events = try Self.events(connection, projectID: projectID, after: after, limit: limit)
            return EventPage(events: events, nextAfter: events.last?.seq ?? after)
        }
    }

    public func events(projectID: String, after: Int64, limit: Int64) throws(StoreError) -> [CommittedEvent] {
        try readOne { connection in try Self.events(connection, projectID: projectID, after: after, limit: limit) }
    }

    static func events(
        _ connection: PostgresConnection,
        projectID: String,
        after: Int64,
        limit: Int64
    ) throws -> [CommittedEvent] {
        try connection.rows(
            "SELECT seq, type, payload FROM events WHERE project_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
            [projectID, String(after), String(limit)]
        ).map { row in
            CommittedEvent(projectID: projectID, seq: row.int(0), type: row.text(1), payload: Array(row.text(2).utf8))
        }
    }

    /// The organization and the caller's role for a project; not found when the caller is not a member.
    ///
    /// With `lock`, the membership is held until the transaction ends (see ``role(_:organizationID:userID:lock:)``).
    static func projectAccess(
        _ connection: PostgresConnection,
        projectID: String,
        userID: String,
        lock: Bool = false
    ) throws -> (String, Role) {
        let row = try connection.row(
            """
            SELECT p.organization_id, m.role FROM projects p
            JOIN memberships m ON m.organization_id = p.organization_id AND m.user_id = $1
            WHERE p.id = $2 AND p.deleted_at IS NULL
            """ + (lock ? " FOR SHARE OF m" : ""),
            [userID, projectID]
        )
        guard let row, let role = Role(rawValue: row.text(1)) else { throw StoreError.notFound("Project") }
        return (row.text(0), role)
    }
}
