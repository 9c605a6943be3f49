import TaskwireProtocol
import TaskwireStore

/// A column of a project read from an open PostgreSQL transaction, leaving out the card being placed.
struct PostgresColumn: ColumnReader {
    let connection: PostgresConnection
    let projectID: String
    let status: TaskStatus
    /// The card being placed (nil for a new one).
    let movingID: String?

    func cards(from start: RankedCard?, ascending: Bool, including: Bool, limit: Int) throws -> [RankedCard] {
        var sql = "SELECT id, rank FROM tasks WHERE project_id = $1 AND status = $2 AND id <> $3"
        var values: [String?] = [projectID, status.rawValue, movingID ?? ""]
        if let start {
            sql += " AND (rank, id) \(ascending ? ">" : "<")\(including ? "=" : "") ($4, $5)"
            values += [start.rank, start.id]
        }
        values.append(String(limit))
        sql += ascending ? " ORDER BY rank, id" : " ORDER BY rank DESC, id DESC"
        sql += " LIMIT $\(values.count)"
        return try connection.rows(sql, values).map { RankedCard(id: $0.text(0), rank: $0.text(1)) }
    }

    func neighbour(id: String) throws -> NeighbourCard? {
        guard
            let row = try connection.row("SELECT id, rank, project_id, status FROM tasks WHERE id = $1", [id]),
            let status = TaskStatus(rawValue: row.text(3))
        else { return nil }
        return NeighbourCard(
            card: RankedCard(id: row.text(0), rank: row.text(1)),
            projectID: row.text(2),
            status: status
        )
    }
}

extension PostgresStore {
    /// Holds the project's row until the transaction ends, so that placements in its columns happen one at a
    /// time: two writers never compute a rank from the same neighbours. (Every change takes this lock anyway, to
    /// number its event; this takes it before the columns are read.)
    static func lockColumns(_ connection: PostgresConnection, projectID: String) throws {
        _ = try connection.row("SELECT last_seq FROM projects WHERE id = $1 FOR UPDATE", [projectID])
    }

    /// Writes the ranks of respaced cards, and appends the event that tells clients, before the change that
    /// needed the room.
    static func respace(
        _ connection: PostgresConnection,
        _ placement: Placement,
        projectID: String,
        status: TaskStatus,
        actor: ActingSession
    ) throws -> CommittedEvent? {
        guard !placement.respaced.isEmpty else { return nil }
        for card in placement.respaced {
            try connection.execute("UPDATE tasks SET rank = $1 WHERE id = $2", [card.rank, card.id])
        }
        return try appendEvent(
            connection,
            projectID: projectID,
            type: .taskReranked,
            actor: actor,
            data: ColumnPlacement.rerankedData(placement, status: status)
        )
    }

    /// Puts a task in its new place (column and rank) if it is still at `expectedVersion`, after respacing its
    /// neighbours when the placement needs it; returns the task as stored now and the respacing's event, if any.
    static func relocate(
        _ connection: PostgresConnection,
        _ current: TaskItem,
        _ expectedVersion: Int64,
        _ status: TaskStatus,
        _ placement: Placement,
        actor: ActingSession
    ) throws -> (TaskItem, [CommittedEvent]) {
        let respaced = try respace(connection, placement, projectID: current.projectID, status: status, actor: actor)
        let task = try bumpTask(
            connection,
            id: current.id,
            expectedVersion,
            assignments: ["status = $1", "rank = $2"],
            [status.rawValue, placement.rank]
        )
        return (task, respaced.map { [$0] } ?? [])
    }
}
