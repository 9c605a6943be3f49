import CSQLite
import GRDB
import Testing

@testable import TaskwireStore

/// The statements a group looks up again and again come from its memo, by slot, and never a wrong one.
@Suite struct GroupStatementsTests {
    @Test func everyTextHasASlotOfItsOwnAndGetsItsOwnStatement() throws {
        let queue = try DatabaseQueue()
        // Texts made and dropped one after another, with slots far apart, in any order of first use.
        let texts = (0..<200).map { turn in
            HotSQL("SELECT \(turn) AS n, '\(String(repeating: "x", count: 40 + turn % 3))' AS padding")
        }
        #expect(Set(texts.map(\.slot)).count == texts.count)
        try queue.inDatabase { db in
            try GroupStatements.run(for: db) {
                for sql in texts.reversed() + texts {
                    let (statement, _) = try GroupStatements.statement(db, sql)
                    #expect(statement.sql == sql.text)
                    #expect(try Int.fetchOne(statement) == Int(sql.text.split(separator: " ")[1]))
                }
            }
        }
    }

    @Test func theSameTextInAGroupIsTheSameStatementWithTheSameMemory() throws {
        let queue = try DatabaseQueue()
        let sql = HotSQL("SELECT ? AS one, 2 AS two, 3 AS three, 4 AS four")
        let constant = HotSQL("SELECT 1")
        try queue.inDatabase { db in
            try GroupStatements.run(for: db) {
                let (first, firstBuffers) = try GroupStatements.statement(db, sql)
                let (second, secondBuffers) = try GroupStatements.statement(db, sql)
                #expect(first === second)
                #expect(firstBuffers != nil && firstBuffers === secondBuffers)
                #expect(try GroupStatements.statement(db, constant).1 == nil, "nothing to bind, no memory")
            }
            // Outside a group: GRDB's cache, and texts bound as SQLite's own copies.
            let (outside, buffers) = try GroupStatements.statement(db, sql)
            #expect(outside.sql == sql.text)
            #expect(buffers == nil)
        }
    }

    @Test func anotherConnectionDuringTheGroupGetsItsOwnStatements() throws {
        let grouped = try DatabaseQueue()
        let other = try DatabaseQueue()
        let sql = HotSQL("SELECT 'which connection' AS what, ? AS one, 2 AS two")
        try grouped.inDatabase { groupDB in
            try other.inDatabase { otherDB in
                try GroupStatements.run(for: groupDB) {
                    let (mine, myBuffers) = try GroupStatements.statement(groupDB, sql)
                    let (theirs, theirBuffers) = try GroupStatements.statement(otherDB, sql)
                    #expect(sqlite3_db_handle(mine.sqliteStatement) == groupDB.sqliteConnection)
                    #expect(sqlite3_db_handle(theirs.sqliteStatement) == otherDB.sqliteConnection)
                    #expect(myBuffers != nil)
                    #expect(theirBuffers == nil)
                }
            }
        }
    }

    /// A parameter's memory grows for a longer text and is reused for shorter ones; what it returns holds the text.
    @Test func bindMemoryHoldsEachTextAsGiven() {
        let buffers = BindBuffers()
        let texts = ["", "short", String(repeating: "é", count: 700), "again short", String(repeating: "y", count: 65)]
        for text in texts {
            let bytes = Array(text.utf8)
            let copy = bytes.withUnsafeBufferPointer { buffers.copy($0, for: 3) }
            #expect(Array(UnsafeRawBufferPointer(start: copy, count: bytes.count)) == bytes)
        }
    }
}
