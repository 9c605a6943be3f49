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
}
