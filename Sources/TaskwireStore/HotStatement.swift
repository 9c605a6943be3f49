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
    private let buffers: BindBuffers?
    private let db: Database
    private var handle: OpaquePointer { statement.sqliteStatement }

    #if DEBUG
    /// The parameters bound so far, by bit: every use binds every parameter (checked here in debug builds).
    private var bound: UInt64 = 0
    #endif

    init(_ db: Database, _ sql: HotSQL) throws {
        self.db = db
        (statement, buffers) = try GroupStatements.statement(db, sql)
        // Left running only by a use that failed before it finished.
        if sqlite3_stmt_busy(handle) != 0 { sqlite3_reset(handle) }
    }

    /// Binds GRDB arguments (a list whose length varies with the change), checked against the statement.
    mutating func bind(_ arguments: StatementArguments) throws {
        try statement.setArguments(arguments)
        #if DEBUG
        bound = UInt64.max
        #endif
    }

    mutating func bind(_ index: Int32, _ text: String) {
        var text = text
        text.withUTF8 { bindText(index, $0) }
    }

    /// Binds bytes that are UTF-8 text.
    mutating func bind(_ index: Int32, _ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { bindText(index, $0) }
    }

    private mutating func bindText(_ index: Int32, _ utf8: UnsafeBufferPointer<UInt8>) {
        noteBound(index)
        if let buffers {
            let copy = buffers.copy(utf8, for: index)
            _ = sqlite3_bind_text(handle, index, copy.assumingMemoryBound(to: CChar.self), Int32(utf8.count), nil)
            return
        }
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

    mutating func bind(_ index: Int32, _ value: Int64) {
        noteBound(index)
        _ = sqlite3_bind_int64(handle, index, value)
    }

    mutating func bind(_ index: Int32, _ value: HotValue) {
        switch value {
        case .text(let text): bind(index, text)
        case .null:
            noteBound(index)
            _ = sqlite3_bind_null(handle, index)
        }
    }

    /// Bindings are not cleared between uses: binding a parameter again replaces its value (and frees SQLite's copy
    /// of a transient text), so clearing them too was a second pass over every parameter. So every use binds every
    /// parameter, which debug builds check at each step.
    private mutating func noteBound(_ index: Int32) {
        #if DEBUG
        precondition(index >= 1 && index <= 64, "parameter \(index) out of range")
        bound |= 1 << UInt64(index - 1)
        #endif
    }

    private func checkBound() {
        #if DEBUG
        let count = sqlite3_bind_parameter_count(handle)
        let all: UInt64 = count == 64 ? .max : (1 << UInt64(count)) - 1
        precondition(bound & all == all, "a parameter of \(statement.sql) was not bound")
        #endif
    }

    /// Steps once: true with a row to read, false when the statement is done. A failure resets the statement and
    /// throws the `DatabaseError` GRDB would have thrown.
    func step() throws -> Bool {
        checkBound()
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

    /// Resets the statement, ending its run (a `SELECT` left on a row keeps a read cursor open until then). Its
    /// bindings stay until the next use binds them again.
    func finish() {
        sqlite3_reset(handle)
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

    /// The rows the last run changed (not counting its triggers'), as GRDB's `changesCount` tells, without its
    /// check of the calling queue.
    var changes: Int { Int(sqlite3_changes(sqlite3_db_handle(handle))) }
}
