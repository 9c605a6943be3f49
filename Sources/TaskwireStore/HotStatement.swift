import CSQLite
import GRDB

/// A cached statement stepped through SQLite's C API, for the statements of the hot writes: the versioned `UPDATE`
/// of a task, a task read back by id, the project's next `seq` and the event row that every change appends.
///
/// GRDB's cursors build a `Row` for each statement run, with a dictionary of its lowercased column names, and its
/// argument lists are arrays of existentials: about a fifth of a pipelined `task.update` (callgrind). Here the
/// columns are read by position and the values bound directly. Only for statements inside a transaction that GRDB
/// opened, on its serialized connection, with no transaction observer (Taskwire registers none): GRDB's own
/// bookkeeping around a statement is about observers and transaction boundaries, which these never cross.
struct HotStatement {
    private let statement: Statement
    private let db: Database
    private var handle: OpaquePointer { statement.sqliteStatement }

    init(_ db: Database, _ sql: String) throws {
        self.db = db
        statement = try GroupStatements.statement(db, sql)
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    /// Binds GRDB arguments (a list whose length varies with the change), checked against the statement.
    func bind(_ arguments: StatementArguments) throws { try statement.setArguments(arguments) }

    func bind(_ index: Int32, _ text: String) {
        var text = text
        text.withUTF8 { bindText(index, $0) }
    }

    /// Binds bytes that are UTF-8 text.
    func bind(_ index: Int32, _ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { bindText(index, $0) }
    }

    private func bindText(_ index: Int32, _ utf8: UnsafeBufferPointer<UInt8>) {
        // An empty buffer may have no address, which SQLite would bind as NULL.
        let pointer = utf8.baseAddress.map { UnsafeRawPointer($0) } ?? UnsafeRawPointer(bitPattern: 1)!
        _ = sqlite3_bind_text(
            handle,
            index,
            pointer.assumingMemoryBound(to: CChar.self),
            Int32(utf8.count),
            taskwire_sqlite_transient()
        )
    }

    func bind(_ index: Int32, _ value: Int64) { _ = sqlite3_bind_int64(handle, index, value) }

    func bind(_ index: Int32, _ value: HotValue) {
        switch value {
        case .text(let text): bind(index, text)
        case .null: _ = sqlite3_bind_null(handle, index)
        }
    }

    /// Steps once: true with a row to read, false when the statement is done. A failure resets the statement and
    /// throws the `DatabaseError` GRDB would have thrown.
    func step() throws -> Bool {
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let message = String(cString: sqlite3_errmsg(db.sqliteConnection))
            sqlite3_reset(handle)
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: statement.sql)
        }
    }

    /// Runs the statement to its end (a statement that returns no row).
    func run() throws {
        defer { finish() }
        while try step() {}
    }

    /// Resets the statement, ending its run (a `SELECT` left on a row keeps a read cursor open until then), and
    /// drops its bindings.
    func finish() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    func text(_ column: Int32) -> String {
        guard let pointer = sqlite3_column_text(handle, column) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
    }

    func optionalText(_ column: Int32) -> String? {
        sqlite3_column_type(handle, column) == SQLITE_NULL ? nil : text(column)
    }

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }
}
