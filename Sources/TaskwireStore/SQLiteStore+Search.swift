import GRDB
import TaskwireProtocol

extension SQLiteStore {
    public func searchTasks(
        user: UserRef,
        query: SearchQuery,
        scope: SearchScope,
        limit: Int64,
        cursor: String?
    ) throws(StoreError) -> Page<SearchHit> {
        let offset = try cursor.map { (text) throws(StoreError) in try SearchCursor.decode(text) } ?? 0
        // The index lags the tasks by the ones noted in `search_pending` (see ``runUpkeep()``). A search runs on a
        // snapshot with none, or else in the write transaction that brings the index up to date first: either way
        // it finds every change committed before it, its own client's included (within a group, the group's).
        let search = { (db: Database) throws -> Page<SearchHit> in
            try Self.search(db, user: user, query: query, scope: scope, limit: limit, offset: offset)
        }
        if let page = try read({ db in try Self.searchIndexIsCurrent(db) ? search(db) : nil }) { return page }
        return try write { db in
            try Self.updateSearchIndex(db)
            return try search(db)
        }
    }

    private static func search(
        _ db: Database,
        user: UserRef,
        query: SearchQuery,
        scope: SearchScope,
        limit: Int64,
        offset: Int64
    ) throws -> Page<SearchHit> {
        if let projectID = scope.projectID { _ = try Self.projectAccess(db, projectID: projectID, userID: user.id) }
        let (score, scoreArguments) = Self.searchScore(query)
        var conditions = ["search_index MATCH ?"]
        var arguments = scoreArguments + [user.id, query.fts5Match]
        if let projectID = scope.projectID {
            conditions.append("t.project_id = ?")
            arguments += [projectID]
        }
        if let status = scope.status {
            conditions.append("t.status = ?")
            arguments += [status.rawValue]
        }
        let sql = """
            SELECT t.*, \(score) AS score FROM search_index
            JOIN search_rows r ON r.rowid = search_index.rowid
            JOIN tasks t ON t.id = r.task_id
            JOIN projects p ON p.id = t.project_id AND p.deleted_at IS NULL
            JOIN memberships m ON m.organization_id = p.organization_id AND m.user_id = ?
            WHERE \(conditions.joined(separator: " AND "))
            ORDER BY score DESC, t.id LIMIT ? OFFSET ?
            """
        let rows = try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments + [limit + 1, offset])
        let hits = try rows.prefix(Int(limit)).map { (row) throws -> SearchHit in
            let task = try TaskRecord.task(row)
            let snippet = try SearchSnippet.make(for: query, task: task) { () throws in
                try String.fetchAll(
                    db.cachedStatement(sql: "SELECT body FROM comments WHERE task_id = ? ORDER BY created_at, id"),
                    arguments: [task.id]
                )
            }
            return SearchHit(task: task, score: row["score"], snippet: snippet)
        }
        return Page(
            items: hits,
            nextCursor: SearchCursor.next(offset: offset, count: hits.count, more: rows.count > limit)
        )
    }

    /// Whether the index describes every task as this snapshot has it: nothing is noted in `search_pending`.
    static func searchIndexIsCurrent(_ db: Database) throws -> Bool {
        try !(Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM search_pending)")) ?? false)
    }

    /// Rewrites the index rows of the tasks noted in `search_pending` (see `Schema+Search.swift`) and empties it, in
    /// the caller's write transaction: a search that finds tasks pending, and ``runUpkeep()``.
    static func updateSearchIndex(_ db: Database) throws {
        typealias SQL = Schema.SearchUpdate
        let pending = try Row.fetchAll(db.cachedStatement(sql: SQL.pending)).map { ($0[0] as String, $0[1] as Int64?) }
        guard !pending.isEmpty else { return }
        for (taskID, rowid) in pending {
            // One index row at a time, by its rowid, as the triggers of "v6-search" did: the same work as set-based
            // statements (`rowid IN (…)`, `INSERT … SELECT`) cost about twice the whole update when it ran alone
            // (callgrind, one `task.update` at a time).
            let text = try Row.fetchOne(db.cachedStatement(sql: SQL.text), arguments: [taskID])
            switch (text, rowid) {
            case (let text?, let rowid?):
                try db.cachedStatement(sql: SQL.update).execute(arguments: [text[0], text[1], text[2], text[3], rowid])
            case (let text?, nil):
                try db.cachedStatement(sql: SQL.newRow).execute(arguments: [taskID])
                let rowid = db.lastInsertedRowID
                try db.cachedStatement(sql: SQL.insert).execute(arguments: [rowid, text[0], text[1], text[2], text[3]])
            case (nil, let rowid?):
                try db.cachedStatement(sql: SQL.delete).execute(arguments: [rowid])
                try db.cachedStatement(sql: SQL.forget).execute(arguments: [rowid])
            case (nil, nil): break
            }
        }
        try db.cachedStatement(sql: SQL.done).execute()
    }

    /// How well a row matches, from that row alone: for each term, the weight of each column that has it (the
    /// title above labels, description and comments, as PostgreSQL's weights A to D), averaged over the terms.
    /// Each column's set of rows comes from one index lookup per term, made once per search.
    ///
    /// Not `bm25`: its inverse document frequencies count every task of the database, so a score would tell
    /// something about other organizations' tasks.
    private static func searchScore(_ query: SearchQuery) -> (String, StatementArguments) {
        let columns = [("title", 1.0), ("labels", 0.4), ("description", 0.2), ("comments", 0.1)]
        let terms = Array(Set(query.fts5Terms)).sorted()
        var parts: [String] = []
        var arguments: StatementArguments = []
        for term in terms {
            for (column, weight) in columns {
                parts.append(
                    "\(weight) * (search_index.rowid IN (SELECT rowid FROM search_index WHERE search_index MATCH ?))"
                )
                arguments += ["\(column) : \(term)"]
            }
        }
        return ("((" + parts.joined(separator: " + ") + ") / \(terms.count).0)", arguments)
    }
}
