import GRDB
public import TaskwireProtocol

#if canImport(Glibc)
import Glibc
#endif

extension SQLiteStore {
    public func registerSession(id: String, userID: String, pid: Int32) throws(StoreError) {
        try write { db in try Self.upsertSession(db, id: id, userID: userID, pid: pid) }
    }

    /// Creates or refreshes a session row. Never `INSERT OR REPLACE`: replacing deletes the row first, and the
    /// delete would cascade to the session's room memberships.
    static func upsertSession(_ db: Database, id: String, userID: String, pid: Int32) throws {
        try db.execute(
            sql: """
                INSERT INTO sessions (id, user_id, pid, heartbeat_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at
                """,
            arguments: [id, userID, pid, Timestamp.nowMilliseconds()]
        )
    }

    public func heartbeat(sessionID: String) throws(StoreError) -> Bool {
        try write { db in
            try db.execute(
                sql: "UPDATE sessions SET heartbeat_at = ? WHERE id = ?",
                arguments: [Timestamp.nowMilliseconds(), sessionID]
            )
            return db.changesCount == 1
        }
    }

    public func join(actor: ActingSession, projectID: String, since: Int64?) throws(StoreError) -> JoinResult {
        try write { db in
            _ = try Self.projectAccess(db, projectID: projectID, userID: actor.user.id)
            let seq = try Self.currentSeq(db, projectID: projectID)
            if let since, since > seq { throw StoreError.invalid("since", "above the project's current seq \(seq)") }
            // Another host may have timed this session out while its host was not heard from.
            try Self.upsertSession(db, id: actor.sessionID, userID: actor.user.id, pid: getpid())
            let now = Timestamp.now()
            try db.execute(
                sql: """
                    INSERT INTO room_members (project_id, session_id, user_id, joined_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (project_id, session_id) DO UPDATE SET joined_at = excluded.joined_at
                    """,
                arguments: [projectID, actor.sessionID, actor.user.id, now]
            )
            let change = try Self.recordPresence(
                db,
                projectID: projectID,
                sessionID: actor.sessionID,
                user: actor.user,
                kind: .joined,
                reason: nil
            )
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT r.session_id, r.joined_at, u.id, u.name FROM room_members r JOIN users u ON u.id = r.user_id
                    WHERE r.project_id = ? ORDER BY r.joined_at, r.session_id
                    """,
                arguments: [projectID]
            )
            let presence = rows.map { row in
                PresenceEntry(
                    sessionID: row["session_id"],
                    user: UserRef(id: row["id"], name: row["name"]),
                    joinedAt: row["joined_at"]
                )
            }
            return JoinResult(seq: seq, presence: presence, change: change)
        }
    }

    public func leave(sessionID: String, projectID: String, reason: LeaveReason) throws(StoreError) -> PresenceChange? {
        try write { db in try Self.leave(db, sessionID: sessionID, projectID: projectID, reason: reason) }
    }

    public func endSession(_ sessionID: String, reason: LeaveReason) throws(StoreError) -> [PresenceChange] {
        try write { db in
            let projects = try String.fetchAll(
                db,
                sql: "SELECT project_id FROM room_members WHERE session_id = ?",
                arguments: [sessionID]
            )
            var changes: [PresenceChange] = []
            for projectID in projects {
                if let change = try Self.leave(db, sessionID: sessionID, projectID: projectID, reason: reason) {
                    changes.append(change)
                }
            }
            try db.execute(sql: "DELETE FROM sessions WHERE id = ?", arguments: [sessionID])
            return changes
        }
    }

    public func reapSessions(silentForMilliseconds: Int64) throws(StoreError) -> [PresenceChange] {
        let cutoff = Timestamp.nowMilliseconds() - silentForMilliseconds
        let stale = try read { db in
            try String.fetchAll(db, sql: "SELECT id FROM sessions WHERE heartbeat_at < ?", arguments: [cutoff])
        }
        guard !stale.isEmpty else { return [] }
        return try write { db in
            var changes: [PresenceChange] = []
            for sessionID in stale {
                let still = try Bool.fetchOne(
                    db,
                    sql: "SELECT heartbeat_at < ? FROM sessions WHERE id = ?",
                    arguments: [cutoff, sessionID]
                )
                guard still == true else { continue }
                let projects = try String.fetchAll(
                    db,
                    sql: "SELECT project_id FROM room_members WHERE session_id = ?",
                    arguments: [sessionID]
                )
                for projectID in projects {
                    if let change = try Self.leave(db, sessionID: sessionID, projectID: projectID, reason: .timeout) {
                        changes.append(change)
                    }
                }
                try db.execute(sql: "DELETE FROM sessions WHERE id = ?", arguments: [sessionID])
            }
            // Old presence changes go, but never the newest: ids must keep growing, and SQLite would start again
            // from 1 in an empty table.
            try db.execute(
                sql: """
                    DELETE FROM presence_events
                    WHERE at_ms < ? AND id < (SELECT max(id) FROM presence_events)
                    """,
                arguments: [Timestamp.nowMilliseconds() - 3_600_000]
            )
            return changes
        }
    }

    public func presenceChanges(after id: Int64, limit: Int64) throws(StoreError) -> [PresenceChange] {
        try read { db in
            try Row.fetchAll(
                db.cachedStatement(sql: "SELECT * FROM presence_events WHERE id > ? ORDER BY id LIMIT ?"),
                arguments: [id, limit]
            ).map(PresenceRecord.change)
        }
    }

    public func isMember(userID: String, projectID: String) throws(StoreError) -> Bool {
        try read { db in
            (try? Self.projectAccess(db, projectID: projectID, userID: userID)) != nil
        }
    }

    static func leave(
        _ db: Database,
        sessionID: String,
        projectID: String,
        reason: LeaveReason
    ) throws -> PresenceChange? {
        guard
            let userID = try String.fetchOne(
                db,
                sql: "DELETE FROM room_members WHERE project_id = ? AND session_id = ? RETURNING user_id",
                arguments: [projectID, sessionID]
            )
        else { return nil }
        let name = try String.fetchOne(db, sql: "SELECT name FROM users WHERE id = ?", arguments: [userID]) ?? ""
        return try recordPresence(
            db,
            projectID: projectID,
            sessionID: sessionID,
            user: UserRef(id: userID, name: name),
            kind: .left,
            reason: reason
        )
    }

    /// Takes every session of a user out of the rooms of an organization's projects (reason `revoked`).
    static func revokeRooms(_ db: Database, organizationID: String, userID: String) throws -> [PresenceChange] {
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT r.project_id, r.session_id FROM room_members r JOIN projects p ON p.id = r.project_id
                WHERE p.organization_id = ? AND r.user_id = ?
                """,
            arguments: [organizationID, userID]
        )
        var changes: [PresenceChange] = []
        for row in rows {
            if let change = try leave(db, sessionID: row["session_id"], projectID: row["project_id"], reason: .revoked)
            {
                changes.append(change)
            }
        }
        return changes
    }

    static func recordPresence(
        _ db: Database,
        projectID: String,
        sessionID: String,
        user: UserRef,
        kind: PresenceKind,
        reason: LeaveReason?
    ) throws -> PresenceChange {
        let row = try Row.fetchOne(
            db,
            sql: """
                INSERT INTO presence_events (project_id, session_id, user_id, user_name, kind, reason, at, at_ms)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *
                """,
            arguments: [
                projectID, sessionID, user.id, user.name, kind.rawValue, reason?.rawValue, Timestamp.now(),
                Timestamp.nowMilliseconds(),
            ]
        )!
        return PresenceRecord.change(row)
    }
}
