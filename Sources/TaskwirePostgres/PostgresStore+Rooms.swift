public import TaskwireProtocol
public import TaskwireStore

#if canImport(Glibc)
import Glibc
#endif

extension PostgresStore {
    public func registerSession(id: String, userID: String, pid: Int32) throws(StoreError) {
        try write(notify: false) { connection in try Self.upsertSession(connection, id: id, userID: userID, pid: pid) }
    }

    /// Creates or refreshes a session row, without replacing it.
    ///
    /// A replacement would delete the row first, and the delete would cascade to the session's room memberships.
    static func upsertSession(_ connection: PostgresConnection, id: String, userID: String, pid: Int32) throws {
        try connection.execute(
            """
            INSERT INTO sessions (id, user_id, pid, heartbeat_at) VALUES ($1, $2, $3, $4)
            ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at
            """,
            [id, userID, String(pid), String(Timestamp.nowMilliseconds())]
        )
    }

    /// Marks the session alive; heartbeats change nothing that a change feed's reader reads, so they notify nobody.
    public func heartbeat(sessionID: String) throws(StoreError) -> Bool {
        try write(notify: false) { connection in
            try connection.execute(
                "UPDATE sessions SET heartbeat_at = $1 WHERE id = $2",
                [String(Timestamp.nowMilliseconds()), sessionID]
            ).affectedRows == 1
        }
    }

    public func join(actor: ActingSession, projectID: String, since: Int64?) throws(StoreError) -> JoinResult {
        try write { connection in
            // The membership is held, so that a removal waits for this join and then finds the session in the room.
            _ = try Self.projectAccess(connection, projectID: projectID, userID: actor.user.id, lock: true)
            let seq = try connection.row("SELECT last_seq FROM projects WHERE id = $1", [projectID])!.int(0)
            if let since, since > seq { throw StoreError.invalid("since", "above the project's current seq \(seq)") }
            // Another host may have timed this session out while its host was not heard from.
            try Self.upsertSession(connection, id: actor.sessionID, userID: actor.user.id, pid: getpid())
            try connection.execute(
                """
                INSERT INTO room_members (project_id, session_id, user_id, joined_at) VALUES ($1, $2, $3, $4)
                ON CONFLICT (project_id, session_id) DO UPDATE SET joined_at = excluded.joined_at
                """,
                [projectID, actor.sessionID, actor.user.id, Timestamp.now()]
            )
            let change = try Self.recordPresence(
                connection,
                projectID: projectID,
                sessionID: actor.sessionID,
                user: actor.user,
                kind: .joined,
                reason: nil
            )
            // Read after the presence id was taken: every change with a smaller id has committed and is seen here.
            let presence = try connection.rows(
                """
                SELECT r.session_id, r.joined_at, u.id, u.name FROM room_members r JOIN users u ON u.id = r.user_id
                WHERE r.project_id = $1 ORDER BY r.joined_at, r.session_id
                """,
                [projectID]
            ).map { row in
                PresenceEntry(
                    sessionID: row.text(0),
                    user: UserRef(id: row.text(2), name: row.text(3)),
                    joinedAt: row.text(1)
                )
            }
            return JoinResult(seq: seq, presence: presence, change: change)
        }
    }

    public func leave(sessionID: String, projectID: String, reason: LeaveReason) throws(StoreError) -> PresenceChange? {
        try write { connection in
            try Self.leave(connection, sessionID: sessionID, projectID: projectID, reason: reason)
        }
    }

    public func endSession(_ sessionID: String, reason: LeaveReason) throws(StoreError) -> [PresenceChange] {
        try write { connection in
            // The session first, in the order a reaper locks in, so that the two cannot deadlock.
            try connection.execute("SELECT 1 FROM sessions WHERE id = $1 FOR UPDATE", [sessionID])
            let changes = try Self.leaveAll(connection, sessionID: sessionID, reason: reason)
            try connection.execute("DELETE FROM sessions WHERE id = $1", [sessionID])
            return changes
        }
    }

    public func reapSessions(silentForMilliseconds: Int64) throws(StoreError) -> [PresenceChange] {
        let cutoff = String(Timestamp.nowMilliseconds() - silentForMilliseconds)
        let stale = try readOne { connection in
            try connection.rows("SELECT id FROM sessions WHERE heartbeat_at < $1", [cutoff]).map { $0.text(0) }
        }
        guard !stale.isEmpty else { return [] }
        return try write { connection in
            var changes: [PresenceChange] = []
            for sessionID in stale {
                // Locked until the end: a heartbeat waits, and another host's reaper finds the session gone.
                let still = try connection.row(
                    "SELECT heartbeat_at < $1 FROM sessions WHERE id = $2 FOR UPDATE",
                    [cutoff, sessionID]
                )?.bool(0)
                guard still == true else { continue }
                changes += try Self.leaveAll(connection, sessionID: sessionID, reason: .timeout)
                try connection.execute("DELETE FROM sessions WHERE id = $1", [sessionID])
            }
            // Old presence changes go, but never the newest, as with SQLite (ids come from a counter here, and
            // keep growing anyway).
            try connection.execute(
                """
                DELETE FROM presence_events
                WHERE at_ms < $1 AND id < (SELECT max(id) FROM presence_events)
                """,
                [String(Timestamp.nowMilliseconds() - 3_600_000)]
            )
            return changes
        }
    }

    public func presenceChanges(after id: Int64, limit: Int64) throws(StoreError) -> [PresenceChange] {
        try readOne { connection in
            try connection.rows(
                "SELECT \(PresenceRow.columns) FROM presence_events WHERE id > $1 ORDER BY id LIMIT $2",
                [String(id), String(limit)]
            ).map(PresenceRow.change)
        }
    }

    /// Takes a session out of every room it is in.
    static func leaveAll(
        _ connection: PostgresConnection,
        sessionID: String,
        reason: LeaveReason
    ) throws -> [PresenceChange] {
        let projects = try connection.rows(
            "SELECT project_id FROM room_members WHERE session_id = $1",
            [sessionID]
        ).map { $0.text(0) }
        var changes: [PresenceChange] = []
        for projectID in projects {
            if let change = try leave(connection, sessionID: sessionID, projectID: projectID, reason: reason) {
                changes.append(change)
            }
        }
        return changes
    }

    /// Takes a session out of a room; nil when it was not in it.
    ///
    /// The deletion decides: of two hosts recording the same leaving, the second deletes nothing and records nothing.
    static func leave(
        _ connection: PostgresConnection,
        sessionID: String,
        projectID: String,
        reason: LeaveReason
    ) throws -> PresenceChange? {
        guard
            let userID = try connection.row(
                "DELETE FROM room_members WHERE project_id = $1 AND session_id = $2 RETURNING user_id",
                [projectID, sessionID]
            )?.text(0)
        else { return nil }
        let name = try connection.row("SELECT name FROM users WHERE id = $1", [userID])?.text(0) ?? ""
        return try recordPresence(
            connection,
            projectID: projectID,
            sessionID: sessionID,
            user: UserRef(id: userID, name: name),
            kind: .left,
            reason: reason
        )
    }

    /// Takes every session of a user out of the rooms of an organization's projects (reason `revoked`).
    static func revokeRooms(
        _ connection: PostgresConnection,
        organizationID: String,
        userID: String
    ) throws -> [PresenceChange] {
        let rows = try connection.rows(
            """
            SELECT r.project_id, r.session_id FROM room_members r JOIN projects p ON p.id = r.project_id
            WHERE p.organization_id = $1 AND r.user_id = $2
            """,
            [organizationID, userID]
        )
        var changes: [PresenceChange] = []
        for row in rows {
            if let change = try leave(connection, sessionID: row.text(1), projectID: row.text(0), reason: .revoked) {
                changes.append(change)
            }
        }
        return changes
    }

    /// Records a presence change with the next id of the `presence` counter.
    ///
    /// The counter's row stays locked until the transaction ends: ids follow commit order across every host, so a
    /// reader that sees an id has every smaller one.
    static func recordPresence(
        _ connection: PostgresConnection,
        projectID: String,
        sessionID: String,
        user: UserRef,
        kind: PresenceKind,
        reason: LeaveReason?
    ) throws -> PresenceChange {
        let id = try connection.row(
            "UPDATE counters SET value = value + 1 WHERE name = 'presence' RETURNING value"
        )!.int(0)
        connection.touchedProjects.insert(projectID)
        let at = Timestamp.now()
        try connection.execute(
            """
            INSERT INTO presence_events (id, project_id, session_id, user_id, user_name, kind, reason, at, at_ms)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            """,
            [
                String(id), projectID, sessionID, user.id, user.name, kind.rawValue, reason?.rawValue, at,
                String(Timestamp.nowMilliseconds()),
            ]
        )
        return PresenceChange(
            id: id,
            projectID: projectID,
            sessionID: sessionID,
            user: user,
            kind: kind,
            reason: reason,
            at: at
        )
    }
}
