import CSQLite
import GRDB
import Testing

@testable import TaskwireStore

/// The statements a group looks up again and again come from its memo, and never a wrong one.
@Suite struct GroupStatementsTests {
    @Test func aTextMadeAgainAtTheSameAddressGetsItsOwnStatement() throws {
        let queue = try DatabaseQueue()
        try queue.inDatabase { db in
            try GroupStatements.run(for: db) {
                // Each text is freed at the end of its turn, so the next one is likely made at the same address.
                for turn in 0..<200 {
                    let sql = "SELECT \(turn) AS n, '\(String(repeating: "x", count: 40 + turn % 3))' AS padding"
                    let statement = try GroupStatements.statement(db, sql)
                    #expect(statement.sql == sql)
                    #expect(try Int.fetchOne(statement) == turn)
                }
                // Short texts live inline in the string, not at an address of their own.
                for turn in 0..<50 {
                    let sql = "SELECT \(turn)"
                    #expect(try Int.fetchOne(GroupStatements.statement(db, sql)) == turn)
                }
            }
        }
    }

    @Test func theSameTextInAGroupIsTheSameStatement() throws {
        let queue = try DatabaseQueue()
        try queue.inDatabase { db in
            let sql = "SELECT 1 AS one, 2 AS two, 3 AS three, 4 AS four"
            try GroupStatements.run(for: db) {
                let first = try GroupStatements.statement(db, sql)
                let second = try GroupStatements.statement(db, sql)
                #expect(first === second)
            }
        }
    }

    @Test func anotherConnectionDuringTheGroupGetsItsOwnStatements() throws {
        let grouped = try DatabaseQueue()
        let other = try DatabaseQueue()
        let sql = "SELECT 'which connection' AS what, 1 AS one, 2 AS two"
        try grouped.inDatabase { groupDB in
            try other.inDatabase { otherDB in
                try GroupStatements.run(for: groupDB) {
                    let mine = try GroupStatements.statement(groupDB, sql)
                    let theirs = try GroupStatements.statement(otherDB, sql)
                    #expect(sqlite3_db_handle(mine.sqliteStatement) == groupDB.sqliteConnection)
                    #expect(sqlite3_db_handle(theirs.sqliteStatement) == otherDB.sqliteConnection)
                }
            }
        }
    }
}
