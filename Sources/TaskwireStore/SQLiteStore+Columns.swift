import GRDB
import TaskwireProtocol

/// A column of a project read from an open SQLite transaction, leaving out the card being placed.
struct SQLiteColumn: ColumnReader {
    let db: Database
    let projectID: String
    let status: TaskStatus
    /// The card being placed (nil for a new one).
    let movingID: String?

    func cards(from start: RankedCard?, ascending: Bool, including: Bool, limit: Int) throws -> [RankedCard] {
        var sql = "SELECT id, rank FROM tasks WHERE project_id = ? AND status = ? AND id != ?"
        var arguments: StatementArguments = [projectID, status.rawValue, movingID ?? ""]
        if let start {
            sql += " AND (rank, id) \(ascending ? ">" : "<")\(including ? "=" : "") (?, ?)"
            arguments += [start.rank, start.id]
        }
        sql += ascending ? " ORDER BY rank, id LIMIT ?" : " ORDER BY rank DESC, id DESC LIMIT ?"
        return try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments + [limit]).map {
            RankedCard(id: $0[0], rank: $0[1])
        }
    }

    func neighbour(id: String) throws -> NeighbourCard? {
        let row = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT id, rank, project_id, status FROM tasks WHERE id = ?"),
            arguments: [id]
        )
        guard let row, let status = TaskStatus(rawValue: row[3]) else { return nil }
        return NeighbourCard(card: RankedCard(id: row[0], rank: row[1]), projectID: row[2], status: status)
    }
}

extension SQLiteStore {
    /// Writes the ranks of respaced cards, and appends the event that tells clients, before the change that
    /// needed the room.
    static func respace(
        _ db: Database,
        _ placement: Placement,
        projectID: String,
        status: TaskStatus,
        actor: ActingSession
    ) throws -> CommittedEvent? {
        guard !placement.respaced.isEmpty else { return nil }
        for card in placement.respaced {
            try db.cachedStatement(sql: "UPDATE tasks SET rank = ? WHERE id = ?").execute(arguments: [
                card.rank, card.id,
            ])
        }
        return try appendEvent(
            db,
            projectID: projectID,
            type: .taskReranked,
            actor: actor,
            data: ColumnPlacement.rerankedData(placement, status: status)
        )
    }

    /// Puts a task in its new place (column and rank) if it is still at `expectedVersion`, after respacing its
    /// neighbours when the placement needs it; returns the task as stored now and the respacing's event, if any.
    static func relocate(
        _ db: Database,
        _ current: TaskItem,
        _ expectedVersion: Int64,
        _ status: TaskStatus,
        _ placement: Placement,
        actor: ActingSession
    ) throws -> (TaskItem, [CommittedEvent]) {
        let respaced = try respace(db, placement, projectID: current.projectID, status: status, actor: actor)
        let task = try bumpTask(
            db,
            id: current.id,
            expectedVersion,
            assignments: [.init(.status, .text(status.rawValue)), .init(.rank, .text(placement.rank))]
        )
        return (task, respaced.map { [$0] } ?? [])
    }
}
