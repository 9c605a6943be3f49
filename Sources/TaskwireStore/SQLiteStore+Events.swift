import GRDB
public import TaskwireProtocol

extension SQLiteStore {
    /// Appends an event with the project's next `seq`, inside the caller's transaction; `at` is now unless the
    /// change already took the time (a task's `updatedAt`).
    static func appendEvent(
        _ db: Database,
        projectID: String,
        type: EventType,
        actor: ActingSession,
        at: String? = nil,
        data: JSON
    ) throws -> CommittedEvent {
        let seq = try nextSeq(db, projectID: projectID)
        let at = at ?? Timestamp.now()
        let payload = CommittedEvent.payload(
            projectID: projectID,
            seq: seq,
            type: type,
            at: at,
            actor: actor,
            data: data
        )
        var insert = try HotStatement(db, insertEventSQL)
        insert.bind(1, projectID)
        insert.bind(2, seq)
        insert.bind(3, type.rawValue)
        insert.bind(4, actor.user.id)
        insert.bind(5, actor.sessionID)
        insert.bind(6, at)
        insert.bind(7, payload)  // valid UTF-8: written by the JSON writer from Swift strings
        try insert.run()
        return CommittedEvent(projectID: projectID, seq: seq, type: type.rawValue, payload: payload)
    }

    /// The project's next `seq`, taken inside the caller's transaction. In a group it is counted in memory and
    /// written back before the commit (``GroupSeqs``).
    private static func nextSeq(_ db: Database, projectID: String) throws -> Int64 {
        if let seqs = GroupStatements.seqs(for: db) {
            return try seqs.next(of: projectID) { try storedSeq(db, projectID: projectID) }
        }
        // An UPDATE and a SELECT rather than `UPDATE … RETURNING`, which SQLite runs through a temporary table of
        // its own, opened, filled and closed each time: a third of SQLite's work per pipelined `task.update`
        // (`Benchmarks/Floor`: 112k → 73k instructions without it in either statement).
        var next = try HotStatement(db, nextSeqSQL)
        next.bind(1, projectID)
        try next.run()
        guard next.changes == 1 else { throw StoreError.notFound("Project") }
        return try storedSeq(db, projectID: projectID)
    }

    /// The project's last `seq` as the caller's transaction sees it: in a group, with the events its calls
    /// appended so far.
    static func currentSeq(_ db: Database, projectID: String) throws -> Int64 {
        if let last = GroupStatements.seqs(for: db)?.last(of: projectID) { return last }
        return try storedSeq(db, projectID: projectID)
    }

    /// `projects.last_seq`.
    private static func storedSeq(_ db: Database, projectID: String) throws -> Int64 {
        var read = try HotStatement(db, lastSeqSQL)
        defer { read.finish() }
        read.bind(1, projectID)
        guard try read.step() else { throw StoreError.notFound("Project") }
        return read.int64(0)
    }

    /// Writes the `seq`s a group's events took to their projects' rows, before the group's commit.
    static func writeBackSeqs(_ db: Database) throws {
        guard let seqs = GroupStatements.seqs(for: db) else { return }
        let moved = seqs.moved
        guard !moved.isEmpty else { return }
        // Outside a transaction (SQLite rolled it back: a full disk, for one) the rows would be written alone.
        guard db.isInsideTransaction else { throw StoreError.unavailable("the group's transaction ended") }
        for (project, last) in moved {
            var write = try HotStatement(db, storeSeqSQL)
            write.bind(1, last)
            write.bind(2, project)
            try write.run()
        }
    }

    private static let storeSeqSQL = HotSQL("UPDATE projects SET last_seq = ? WHERE id = ?")
    private static let nextSeqSQL = HotSQL("UPDATE projects SET last_seq = last_seq + 1 WHERE id = ?")
    private static let lastSeqSQL = HotSQL("SELECT last_seq FROM projects WHERE id = ?")
    private static let insertEventSQL = HotSQL(
        """
        INSERT INTO events (project_id, seq, type, actor_id, origin_session, at, payload)
        VALUES (?, ?, ?, ?, ?, ?, ?)
        """
    )

    public func listEvents(
        user: UserRef,
        projectID: String,
        after: Int64,
        limit: Int64
    ) throws(StoreError) -> EventPage {
        try read { db in
            _ = try Self.projectAccess(db, projectID: projectID, userID: user.id)
            let events = try Self.events(db, projectID: projectID, after: after, limit: limit)
            return EventPage(events: events, nextAfter: events.last?.seq ?? after)
        }
    }

    public func events(projectID: String, after: Int64, limit: Int64) throws(StoreError) -> [CommittedEvent] {
        try read { db in try Self.events(db, projectID: projectID, after: after, limit: limit) }
    }

    static func events(_ db: Database, projectID: String, after: Int64, limit: Int64) throws -> [CommittedEvent] {
        let rows = try Row.fetchAll(
            db.cachedStatement(
                sql: "SELECT seq, type, payload FROM events WHERE project_id = ? AND seq > ? ORDER BY seq LIMIT ?"
            ),
            arguments: [projectID, after, limit]
        )
        return rows.map { row in
            let payload: String = row[2]
            return CommittedEvent(
                projectID: projectID,
                seq: row[0],
                type: row[1],
                payload: Array(payload.utf8)
            )
        }
    }

    /// The organization and the caller's role for a project; not found when the caller is not a member.
    static func projectAccess(_ db: Database, projectID: String, userID: String) throws -> (String, Role) {
        let row = try Row.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT p.organization_id, m.role FROM projects p
                    JOIN memberships m ON m.organization_id = p.organization_id AND m.user_id = ?
                    WHERE p.id = ? AND p.deleted_at IS NULL
                    """
            ),
            arguments: [userID, projectID]
        )
        guard let row, let role = Role(rawValue: row[1]) else { throw StoreError.notFound("Project") }
        return (row[0], role)
    }
}
