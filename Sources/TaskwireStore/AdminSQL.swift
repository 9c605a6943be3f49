import GRDB
import TaskwireProtocol

/// What the admin operations need from a backend: statements with text parameters (`$1`, `$2`, …) and text
/// results, inside one transaction. The operations themselves (``AdminStorage``'s extension) are written once, in
/// SQL that both SQLite and PostgreSQL speak.
public protocol AdminSQL {
    /// The rows of a query, each column as text (nil for NULL).
    func rows(_ sql: String, _ arguments: [String?]) throws -> [[String?]]
    /// Runs a statement; returns the number of rows it changed.
    @discardableResult
    func execute(_ sql: String, _ arguments: [String?]) throws -> Int
    /// Records that a session left a room with reason `revoked`, as the backend records presence changes (their
    /// ids must follow commit order), so that every host hears of it.
    func recordRevocation(projectID: String, sessionID: String, user: UserRef) throws
    /// Holds an organization's memberships until the transaction ends, so that two commands counting its owners
    /// cannot both remove one (SQLite's single writer holds everything already).
    func lockMemberships(organizationID: String) throws
}

extension AdminSQL {
    func row(_ sql: String, _ arguments: [String?]) throws -> [String?]? { try rows(sql, arguments).first }

    func value(_ sql: String, _ arguments: [String?]) throws -> String? { try row(sql, arguments)?.first ?? nil }

    func count(_ sql: String, _ arguments: [String?]) throws -> Int { Int(try value(sql, arguments) ?? "0") ?? 0 }
}

/// SQLite's side: `$N` parameters become `?N`.
struct SQLiteAdminSQL: AdminSQL {
    let db: Database

    private func translated(_ sql: String) -> String { sql.replacingOccurrences(of: "$", with: "?") }

    func rows(_ sql: String, _ arguments: [String?]) throws -> [[String?]] {
        try Row.fetchAll(db, sql: translated(sql), arguments: StatementArguments(arguments)).map { row in
            row.databaseValues.map { value in
                switch value.storage {
                case .null: nil
                case .int64(let number): String(number)
                case .double(let number): String(number)
                case .string(let text): text
                case .blob(let data): String(decoding: data, as: UTF8.self)
                }
            }
        }
    }

    func execute(_ sql: String, _ arguments: [String?]) throws -> Int {
        try db.execute(sql: translated(sql), arguments: StatementArguments(arguments))
        return db.changesCount
    }

    func lockMemberships(organizationID: String) throws {}

    func recordRevocation(projectID: String, sessionID: String, user: UserRef) throws {
        _ = try SQLiteStore.recordPresence(
            db,
            projectID: projectID,
            sessionID: sessionID,
            user: user,
            kind: .left,
            reason: .revoked
        )
    }
}

extension SQLiteStore {
    public func adminTransaction<T>(_ body: (any AdminSQL) throws -> T) throws(StoreError) -> T {
        try write { db in try body(SQLiteAdminSQL(db: db)) }
    }
}
