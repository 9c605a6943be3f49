import CSQLite
import Foundation
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

    private static let insertReturning = HotSQL("INSERT INTO t (id, name, note, n) VALUES (?, ?, ?, ?) RETURNING *")
    private static let setNote = HotSQL("UPDATE t SET note = ? WHERE id = 3")
    private static let insertTwo = HotSQL("INSERT INTO t (id, name) VALUES (?, ?)")
    private static let insertThree = HotSQL("INSERT INTO t (id, name, note) VALUES (?, ?, ?)")

    /// Inside a group texts are bound from memory kept for the statement, outside as SQLite's own copies: the same
    /// values either way.
    @Test(arguments: [false, true]) func textIsBoundAndReadByteForByte(inGroup: Bool) throws {
        try withTable { db in
            func body() throws {
                var insert = try HotStatement(db, Self.insertReturning)
                let names = ["", "a\u{0}b", "é日😀", String(repeating: "x", count: 5000), "short again", "", "y"]
                for (id, name) in names.enumerated() {
                    insert.bind(1, Int64(id))
                    insert.bind(2, name)
                    insert.bind(3, HotValue.null)
                    insert.bind(4, Int64.min + Int64(id))
                    #expect(try insert.step())
                    #expect(insert.text(1) == name, "an empty string is bound as '', not NULL")
                    #expect(insert.optionalText(2) == nil)
                    #expect(insert.int64(3) == Int64.min + Int64(id))
                    #expect(try !insert.step())
                    insert.finish()
                }
                // Byte for byte, U+0000 included (GRDB reads text up to it).
                #expect(
                    try String.fetchAll(db, sql: "SELECT hex(name) FROM t ORDER BY id")
                        == names.map { name in name.utf8.map { String(format: "%02X", $0) }.joined() }
                )
                var bytes = try HotStatement(db, Self.setNote)
                bytes.bind(1, Array("{\"a\":\"é\"}".utf8))
                try bytes.run()
                #expect(try String.fetchOne(db, sql: "SELECT note FROM t WHERE id = 3") == "{\"a\":\"é\"}")
            }
            if inGroup { try GroupStatements.run(for: db, body) } else { try body() }
        }
    }

    /// What a group bound from its own memory is unbound when the group ends, before that memory is freed: the
    /// statement, still in GRDB's cache, points at nothing of it.
    @Test func aGroupLeavesNoBindingBehind() throws {
        try withTable { db in
            try GroupStatements.run(for: db) {
                var insert = try HotStatement(db, Self.insertThree)
                insert.bind(1, 1)
                insert.bind(2, "kept by the row, not by the statement")
                insert.bind(3, HotValue.text(String(repeating: "z", count: 300)))
                try insert.run()
            }
            let statement = try db.cachedStatement(sql: Self.insertThree.text)
            let text = sqlite3_expanded_sql(statement.sqliteStatement)
            defer { sqlite3_free(text) }
            let expanded = text.map { String(cString: $0) }
            #expect(expanded == "INSERT INTO t (id, name, note) VALUES (NULL, NULL, NULL)")
            #expect(try String.fetchOne(db, sql: "SELECT name FROM t") == "kept by the row, not by the statement")
        }
    }

    @Test func aFailureThrowsGRDBsErrorAndLeavesTheStatementUsable() throws {
        try withTable { db in
            var insert = try HotStatement(db, Self.insertTwo)
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
            // The same cached statement, bound again: the failed run left it ready.
            var again = try HotStatement(db, Self.insertTwo)
            again.bind(1, 2)
            again.bind(2, "second")
            try again.run()
            #expect(try String.fetchAll(db, sql: "SELECT name FROM t ORDER BY id") == ["first", "second"])
        }
    }

    @Test func aNullValueIsBoundAsNull() throws {
        try withTable { db in
            var insert = try HotStatement(db, Self.insertThree)
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
            #expect(checked.text.contains("AND m.user_id = ?"))
            #expect(!unchecked.text.contains("m.user_id"))
            #expect(checked.slot != unchecked.slot)
            #expect(TaskAssignment.updateSQL(columns, checksAccess: true) === checked)
            #expect(TaskAssignment.updateSQL(columns, checksAccess: false) === unchecked)
        }
    }

    @Test func everyColumnIsSetInOrderBeforeTheVersionAndTheTime() {
        let sql = TaskAssignment.updateSQL(TaskAssignment.Column.allCases, checksAccess: false).text
        #expect(
            sql.contains(
                "SET title = ?, description = ?, priority = ?, assignee_id = ?, due_date = ?, labels = ?, status = ?, "
                    + "rank = ?, version = version + 1, updated_at = ?\nWHERE id = ? AND version = ?"
            ),
            "\(sql)"
        )
        #expect(
            TaskAssignment.updateSQL([], checksAccess: false).text.contains("SET version = version + 1, updated_at = ?")
        )
        #expect(
            TaskAssignment.updateSQL([.status, .rank], checksAccess: false).text.contains("SET status = ?, rank = ?,")
        )
    }
}
