import GRDB
import Testing

@testable import TaskwireStore

/// The statements every write runs through SQLite's C API bind, read and fail as GRDB's would.
@Suite struct HotStatementTests {
    private func withTable(_ body: (Database) throws -> Void) throws {
        let queue = try DatabaseQueue()
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL, note TEXT, n INTEGER)")
            try body(db)
        }
    }

    @Test func textIsBoundAndReadByteForByte() throws {
        try withTable { db in
            let insert = try HotStatement(db, "INSERT INTO t (id, name, note, n) VALUES (?, ?, ?, ?) RETURNING *")
            for (id, name) in [(1, ""), (2, "a\u{0}b"), (3, "é日😀"), (4, String(repeating: "x", count: 5000))] {
                insert.bind(1, Int64(id))
                insert.bind(2, name)
                insert.bind(4, Int64.min + Int64(id))
                #expect(try insert.step())
                #expect(insert.text(1) == name, "an empty string is bound as '', not NULL")
                #expect(insert.optionalText(2) == nil, "an unbound parameter is NULL")
                #expect(insert.int64(3) == Int64.min + Int64(id))
                #expect(try !insert.step())
                insert.finish()
            }
            #expect(try Int.fetchOne(db, sql: "SELECT length(CAST(name AS BLOB)) FROM t WHERE id = 2") == 3)
            let bytes = try HotStatement(db, "UPDATE t SET note = ? WHERE id = 3")
            bytes.bind(1, Array("{\"a\":\"é\"}".utf8))
            try bytes.run()
            #expect(try String.fetchOne(db, sql: "SELECT note FROM t WHERE id = 3") == "{\"a\":\"é\"}")
        }
    }

    @Test func aFailureThrowsGRDBsErrorAndLeavesTheStatementUsable() throws {
        try withTable { db in
            let insert = try HotStatement(db, "INSERT INTO t (id, name) VALUES (?, ?)")
            insert.bind(1, 1)
            insert.bind(2, "first")
            try insert.run()
            insert.bind(1, 1)
            insert.bind(2, "again")
            do {
                try insert.run()
                Issue.record("a duplicate key was inserted")
            } catch let error as DatabaseError {
                #expect(error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY)
                #expect(error.sql == "INSERT INTO t (id, name) VALUES (?, ?)")
            }
            // The same cached statement, with bindings of its own: the failed run left nothing bound.
            let again = try HotStatement(db, "INSERT INTO t (id, name) VALUES (?, ?)")
            again.bind(1, 2)
            again.bind(2, "second")
            try again.run()
            #expect(try String.fetchAll(db, sql: "SELECT name FROM t ORDER BY id") == ["first", "second"])
        }
    }

    @Test func aNullValueIsBoundAsNull() throws {
        try withTable { db in
            let insert = try HotStatement(db, "INSERT INTO t (id, name, note) VALUES (?, ?, ?)")
            insert.bind(1, 1)
            insert.bind(2, HotValue.text("a"))
            insert.bind(3, HotValue.null)
            try insert.run()
            #expect(try Row.fetchOne(db, sql: "SELECT name, note FROM t")?["note"] as String? == nil)
            #expect(try String.fetchOne(db, sql: "SELECT name FROM t") == "a")
        }
    }
}

/// One call of a group, in a savepoint of the group's transaction.
@Suite struct CallSavepointTests {
    struct Failure: Error {}

    @Test func aCallThatFailsLeavesNothingBehindAndTheOthersCommit() throws {
        let queue = try DatabaseQueue()
        try queue.inDatabase { db in
            try db.execute(sql: "CREATE TABLE t (id INTEGER PRIMARY KEY)")
            try SQLiteStore.begin(db)
            try SQLiteStore.inCallSavepoint(db) { try db.execute(sql: "INSERT INTO t VALUES (1)") }
            #expect(throws: Failure.self) {
                try SQLiteStore.inCallSavepoint(db) {
                    try db.execute(sql: "INSERT INTO t VALUES (2)")
                    throw Failure()
                }
            }
            let three = try SQLiteStore.inCallSavepoint(db) {
                try db.execute(sql: "INSERT INTO t VALUES (3)")
                return 3
            }
            #expect(three == 3)
            try SQLiteStore.commit(db)
            #expect(!db.isInsideTransaction)
            #expect(try Int.fetchAll(db, sql: "SELECT id FROM t ORDER BY id") == [1, 3])
        }
    }
}

/// The `UPDATE` of a versioned task write, kept by the set of columns it sets and whether it checks access.
@Suite struct TaskAssignmentTests {
    @Test func theSameColumnsWithAndWithoutTheAccessCheckAreTwoStatements() {
        let columns: [TaskAssignment.Column] = [.title, .assigneeID]
        // Either order of first use: each combination is its own statement, from the cache as when made.
        for first in [false, true] {
            let one = TaskAssignment.updateSQL(columns, checksAccess: first)
            let other = TaskAssignment.updateSQL(columns, checksAccess: !first)
            let (checked, unchecked) = first ? (one, other) : (other, one)
            #expect(checked.contains("AND m.user_id = ?"))
            #expect(!unchecked.contains("m.user_id"))
            #expect(TaskAssignment.updateSQL(columns, checksAccess: true) == checked)
            #expect(TaskAssignment.updateSQL(columns, checksAccess: false) == unchecked)
        }
    }

    @Test func everyColumnIsSetInOrderBeforeTheVersionAndTheTime() {
        let sql = TaskAssignment.updateSQL(TaskAssignment.Column.allCases, checksAccess: false)
        #expect(
            sql.contains(
                "SET title = ?, description = ?, priority = ?, assignee_id = ?, due_date = ?, labels = ?, status = ?, "
                    + "rank = ?, version = version + 1, updated_at = ?\nWHERE id = ? AND version = ?"
            ),
            "\(sql)"
        )
        #expect(TaskAssignment.updateSQL([], checksAccess: false).contains("SET version = version + 1, updated_at = ?"))
        #expect(TaskAssignment.updateSQL([.status, .rank], checksAccess: false).contains("SET status = ?, rank = ?,"))
    }
}
