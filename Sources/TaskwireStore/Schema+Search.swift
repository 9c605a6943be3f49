import GRDB

/// The full-text index of tasks: an FTS5 table with one row per task.
///
/// Tasks have text ids and no rowid, so `search_rows` gives each task the integer key of its FTS5 row.
///
/// Migration "v6-search" created the index and kept it current with triggers that rewrote a task's index row at
/// each change. Migration "v7-search-pending" replaces them: the triggers only note the task in `search_pending`, in
/// the transaction of the change, and ``SQLiteStore/updateSearchIndex(_:)`` rewrites the index rows of the noted
/// tasks later, once each however often they changed: in a search that finds tasks noted, or in the host's upkeep
/// (``SQLiteStore/runUpkeep()``). FTS5 writes its in-memory changes to disk as a new segment at the end of every
/// savepoint and of every statement that touched it, and merges segments as they accumulate: a segment per
/// `task.update` before, one per upkeep now.
extension Schema {
    static func registerSearch(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v6-search") { db in
            try db.execute(
                sql: """
                    CREATE TABLE search_rows (rowid INTEGER PRIMARY KEY, task_id TEXT NOT NULL UNIQUE);
                    CREATE VIRTUAL TABLE search_index USING fts5(
                        title, labels, description, comments, tokenize = 'unicode61 remove_diacritics 0'
                    );

                    CREATE TRIGGER search_task_inserted AFTER INSERT ON tasks BEGIN
                        INSERT INTO search_rows (task_id) VALUES (new.id);
                        INSERT INTO search_index (rowid, title, labels, description, comments)
                        VALUES (\(rowid("new.id")), new.title, \(labels("new.labels")), new.description, '');
                    END;
                    CREATE TRIGGER search_task_updated AFTER UPDATE OF title, description, labels ON tasks BEGIN
                        UPDATE search_index SET title = new.title, labels = \(labels("new.labels")),
                            description = new.description
                        WHERE rowid = \(rowid("new.id"));
                    END;
                    CREATE TRIGGER search_task_deleted AFTER DELETE ON tasks BEGIN
                        DELETE FROM search_index WHERE rowid = \(rowid("old.id"));
                        DELETE FROM search_rows WHERE task_id = old.id;
                    END;

                    CREATE TRIGGER search_comment_inserted AFTER INSERT ON comments BEGIN
                        UPDATE search_index SET comments = \(comments("new.task_id"))
                        WHERE rowid = \(rowid("new.task_id"));
                    END;
                    CREATE TRIGGER search_comment_updated AFTER UPDATE OF body ON comments BEGIN
                        UPDATE search_index SET comments = \(comments("new.task_id"))
                        WHERE rowid = \(rowid("new.task_id"));
                    END;
                    -- A task's deletion takes its comments, and its index row, with it.
                    CREATE TRIGGER search_comment_deleted AFTER DELETE ON comments
                    WHEN EXISTS (SELECT 1 FROM tasks WHERE id = old.task_id) BEGIN
                        UPDATE search_index SET comments = \(comments("old.task_id"))
                        WHERE rowid = \(rowid("old.task_id"));
                    END;

                    INSERT INTO search_rows (task_id) SELECT id FROM tasks ORDER BY created_at, id;
                    INSERT INTO search_index (rowid, title, labels, description, comments)
                    SELECT r.rowid, t.title, \(labels("t.labels")), t.description, \(comments("t.id"))
                    FROM search_rows r JOIN tasks t ON t.id = r.task_id;
                    """
            )
        }
        migrator.registerMigration("v7-search-pending") { db in
            for trigger in searchTriggers { try db.execute(sql: "DROP TRIGGER search_\(trigger.name)") }
            try db.execute(sql: "CREATE TABLE search_pending (task_id TEXT PRIMARY KEY) WITHOUT ROWID")
            for trigger in searchTriggers {
                try db.execute(
                    sql: """
                        CREATE TRIGGER search_\(trigger.name) \(trigger.event)\(trigger.when.map { " WHEN " + $0 } ?? "")
                        BEGIN
                            INSERT OR IGNORE INTO search_pending (task_id) VALUES (\(trigger.taskID));
                        END
                        """
                )
            }
        }
    }

    /// The triggers that note a task whose index row must be rewritten (the names of "v6-search"'s triggers, which
    /// "v7-search-pending" replaces): when, and which task.
    static let searchTriggers: [(name: String, event: String, when: String?, taskID: String)] = [
        ("task_inserted", "AFTER INSERT ON tasks", nil, "new.id"),
        (
            "task_updated", "AFTER UPDATE OF title, description, labels ON tasks",
            "new.title IS NOT old.title OR new.description IS NOT old.description OR new.labels IS NOT old.labels",
            "new.id"
        ),
        ("task_deleted", "AFTER DELETE ON tasks", nil, "old.id"),
        ("comment_inserted", "AFTER INSERT ON comments", nil, "new.task_id"),
        ("comment_updated", "AFTER UPDATE OF body ON comments", "new.body IS NOT old.body", "new.task_id"),
        ("comment_deleted", "AFTER DELETE ON comments", nil, "old.task_id"),
    ]

    /// The statements of ``SQLiteStore/updateSearchIndex(_:)``, run for each pending task.
    enum SearchUpdate {
        static let pending =
            "SELECT p.task_id, r.rowid FROM search_pending p LEFT JOIN search_rows r ON r.task_id = p.task_id"
        /// The text to index of a task that still exists.
        static let text = """
            SELECT t.title, \(labels("t.labels")), t.description, \(comments("t.id")) FROM tasks t WHERE t.id = ?
            """
        static let update =
            "UPDATE search_index SET title = ?, labels = ?, description = ?, comments = ? WHERE rowid = ?"
        static let newRow = "INSERT INTO search_rows (task_id) VALUES (?)"
        static let insert =
            "INSERT INTO search_index (rowid, title, labels, description, comments) VALUES (?, ?, ?, ?, ?)"
        static let delete = "DELETE FROM search_index WHERE rowid = ?"
        static let forget = "DELETE FROM search_rows WHERE rowid = ?"
        static let done = "DELETE FROM search_pending"
    }

    /// The FTS5 row of a task.
    private static func rowid(_ taskID: String) -> String {
        "(SELECT rowid FROM search_rows WHERE task_id = \(taskID))"
    }

    /// A task's labels (stored as a JSON array) as words.
    private static func labels(_ labels: String) -> String {
        "(SELECT coalesce(group_concat(value, ' '), '') FROM json_each(\(labels)))"
    }

    /// The indexed text of a task's comments, oldest first.
    private static func comments(_ taskID: String) -> String {
        """
        (SELECT substr(coalesce(group_concat(body, ' '), ''), 1, \(SearchIndex.commentCharacters)) FROM (
            SELECT body FROM comments WHERE task_id = \(taskID) ORDER BY created_at, id
        ))
        """
    }
}
