import CLibpq
import Logging
import TaskwireStore
import TaskwireSync

#if canImport(Glibc)
import Glibc
#endif

/// One libpq connection, used by one thread at a time: the lease of ``ConnectionPool`` that holds it.
///
/// The `PGconn*` never leaves this object. A connection found broken is closed and opened again on its next use,
/// at once the first time and then with a growing backoff while the server stays out of reach; meanwhile every use
/// fails with ``StoreError/busy``, which the client retries.
final class PostgresConnection {
    private(set) var handle: OpaquePointer?
    /// The `PGcancel*` of the open connection: the one thing here that another thread may use (see ``cancel()``).
    private let canceller = Locked<OpaquePointer?>(nil)
    let settings: ConnectionSettings
    private let logger: Logger
    /// When the next attempt to reconnect may be made (``MonotonicClock`` nanoseconds).
    /// Projects whose events or presence the transaction in progress changed: each is notified on its own channel.
    var touchedProjects: Set<String> = []
    private var retryAfter: UInt64 = 0
    private var backoffMilliseconds = 0

    init(settings: ConnectionSettings, logger: Logger) {
        self.settings = settings
        self.logger = logger
    }

    deinit {
        close()
    }

    /// Connects now, reporting a failure as a one-line ``StoreError/unavailable``.
    ///
    /// The message names the server but never the password: for the first connection of a store, whose failure the
    /// person starting it must read.
    func connect() throws(StoreError) {
        close()
        let handle = try settings.connect()
        self.handle = handle
        let cancel = PQgetCancel(handle)
        canceller.withLock { $0 = cancel }
        try configure()
    }

    /// Makes sure the connection is up: reconnects a broken one unless it is still backing off; busy otherwise.
    func open() throws(StoreError) {
        if let handle, PQstatus(handle) == CONNECTION_OK { return }
        close()
        guard MonotonicClock.now() >= retryAfter else { throw .busy }
        do {
            try connect()
            backoffMilliseconds = 0
            retryAfter = 0
        } catch {
            close()
            backoffMilliseconds = min(max(backoffMilliseconds * 2, 100), 1000)
            retryAfter = MonotonicClock.deadline(afterMilliseconds: backoffMilliseconds)
            logger.warning("PostgreSQL unreachable, retrying in \(backoffMilliseconds) ms: \(error)")
            throw .busy
        }
    }

    /// Settings of every session: a lock wait longer than SQLite's busy timeout is reported as busy.
    private func configure() throws(StoreError) {
        do {
            _ = try execute("SET lock_timeout = '2s'")
        } catch {
            close()
            throw .unavailable(settings.describeFailure(detail: "could not configure the session"))
        }
    }

    /// Closes the connection; the next ``open()`` reconnects at once.
    func close() {
        canceller.withLock { cancel in
            if let cancel { PQfreeCancel(cancel) }
            cancel = nil
        }
        if let handle { PQfinish(handle) }
        handle = nil
        prepared = [:]
    }

    /// Asks the server to stop the statement in progress, if any; it then fails as busy. Safe from any thread.
    func cancel() {
        canceller.withLock { cancel in
            guard let cancel else { return }
            var message = [CChar](repeating: 0, count: 256)
            _ = PQcancel(cancel, &message, Int32(message.count))
        }
    }

    /// One statement and the values bound to its parameters (`$1`, `$2`, …) as text; nil binds NULL.
    typealias Statement = (sql: String, values: [String?])

    /// The `BEGIN` of the transaction in progress while it has not been sent: it goes out with the transaction's
    /// first statement, in the same round trip (``execute(_:_:)``).
    private var pendingBegin: String?

    /// Runs one statement with its values bound as text parameters (`$1`, `$2`, …); nil binds NULL.
    @discardableResult
    func execute(_ sql: String, _ values: [String?] = []) throws(PostgresFailure) -> PostgresResult {
        if let begin = pendingBegin {
            pendingBegin = nil
            return try executeTogether([(begin, []), (sql, values)])[1]
        }
        guard let handle else { throw PostgresFailure(.lost, "not connected") }
        try Self.refuseNUL(values)
        let name = try preparedName(of: sql)
        let result = Self.withParameters(values) { pointers in
            if let name {
                PQexecPrepared(handle, name, Int32(values.count), pointers, nil, nil, 0)
            } else {
                PQexecParams(handle, sql, Int32(values.count), nil, pointers, nil, nil, 0)
            }
        }
        guard let result else { throw failure(nil) }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK:
            return PostgresResult(result)
        default:
            throw failure(result)
        }
    }

    /// Runs statements in order, sent together and answered together: one round trip for all of them (libpq's
    /// pipeline mode), where one at a time would wait for each answer before sending the next. A failure stops the
    /// rest (the server skips them) and is thrown; otherwise the results come back in the statements' order.
    /// With a libpq older than 14, one at a time.
    func executeTogether(_ statements: [Statement]) throws(PostgresFailure) -> [PostgresResult] {
        guard statements.count > 1, CLibpq_hasPipelineMode() else {
            var results: [PostgresResult] = []
            for statement in statements { results.append(try execute(statement.sql, statement.values)) }
            return results
        }
        guard let handle else { throw PostgresFailure(.lost, "not connected") }
        for statement in statements { try Self.refuseNUL(statement.values) }
        // Prepared first, each in a round trip of its own, once in the connection's life.
        var names: [String?] = []
        for statement in statements { names.append(try preparedName(of: statement.sql)) }
        guard CLibpq_enterPipelineMode(handle) == 1 else { throw failure(nil) }
        var sent = 0
        for (statement, name) in zip(statements, names) {
            let count = Int32(statement.values.count)
            let accepted = Self.withParameters(statement.values) { pointers in
                if let name {
                    PQsendQueryPrepared(handle, name, count, pointers, nil, nil, 0)
                } else {
                    PQsendQueryParams(handle, statement.sql, count, nil, pointers, nil, nil, 0)
                }
            }
            guard accepted == 1 else { break }
            sent += 1
        }
        guard sent == statements.count, CLibpq_pipelineSync(handle) == 1 else {
            // Part of a pipeline may be on its way: the connection is in no state to be used again.
            let failure = failure(nil)
            close()
            throw failure
        }
        var results: [PostgresResult] = []
        var firstFailure: PostgresFailure?
        var separators = 0
        while true {
            guard let result = PQgetResult(handle) else {
                // The end of one statement's results; or, when the connection is gone, of everything.
                separators += 1
                guard !isBad, separators <= statements.count else {
                    firstFailure = firstFailure ?? failure(nil)
                    break
                }
                continue
            }
            defer { PQclear(result) }
            if CLibpq_isPipelineSync(result) { break }
            switch PQresultStatus(result) {
            case PGRES_COMMAND_OK, PGRES_TUPLES_OK:
                results.append(PostgresResult(result))
            default:
                // A statement after a failure is reported as aborted (skipped): the first failure is the one.
                firstFailure = firstFailure ?? failure(result)
            }
        }
        guard CLibpq_exitPipelineMode(handle) == 1 else {
            let failure = firstFailure ?? failure(nil)
            close()
            throw failure
        }
        if let firstFailure { throw firstFailure }
        guard results.count == statements.count else {
            throw PostgresFailure(.error(.failure("storage error")), "\(results.count) results for \(statements.count)")
        }
        return results
    }

    /// The statements prepared on this connection, by their text: the name each was prepared under. Emptied when
    /// the connection closes (the server forgets them with the session).
    private var prepared: [String: String] = [:]

    /// At most this many statements are prepared on one connection; the rest run unprepared. The store's texts are
    /// fixed or assembled from a few fixed parts (a patch's columns, a listing's filters), so they stay far below.
    static let maximumPrepared = 256

    /// The name of `sql` prepared on this connection, preparing it now if it is not yet (a round trip, once per
    /// connection); nil for a statement that is not prepared (anything but a query or a change of rows: `BEGIN`,
    /// `COMMIT`, `SET`, `LISTEN`, a migration's DDL), or when the connection holds ``maximumPrepared`` already.
    ///
    /// A prepared statement is parsed once and, once the server judges a generic plan as good as a fresh one, not
    /// planned again: a `task.update`'s visibility read spent more time being planned than being run.
    private func preparedName(of sql: String) throws(PostgresFailure) -> String? {
        if let name = prepared[sql] { return name }
        guard let handle, prepared.count < Self.maximumPrepared, Self.isPreparable(sql) else { return nil }
        let name = "taskwire_\(prepared.count + 1)"
        guard let result = PQprepare(handle, name, sql, 0, nil) else { throw failure(nil) }
        defer { PQclear(result) }
        guard PQresultStatus(result) == PGRES_COMMAND_OK else { throw failure(result) }
        prepared[sql] = name
        return name
    }

    /// Whether a statement is a query or a change of rows, by its first word.
    static func isPreparable(_ sql: String) -> Bool {
        let word = sql.utf8.drop { $0 == 0x20 || $0 == 0x0A || $0 == 0x09 }.prefix { $0 != 0x20 && $0 != 0x0A }
        return ["SELECT", "INSERT", "UPDATE", "DELETE", "WITH"].contains { keyword in
            word.count == keyword.utf8.count && zip(word, keyword.utf8).allSatisfy { $0 & 0xDF == $1 }
        }
    }

    /// Text parameters end at their first NUL byte: such a value would be cut silently. The server refuses them in
    /// params already (Protocol/openrpc.json); this keeps any other caller from storing a shortened text.
    private static func refuseNUL(_ values: [String?]) throws(PostgresFailure) {
        if values.contains(where: { $0?.utf8.contains(0) == true }) {
            throw PostgresFailure(.error(.invalid("params", "must not contain U+0000")), "NUL in a parameter")
        }
    }

    /// Calls `body` with the values as C strings (NULL for nil), valid during the call only.
    private static func withParameters<T>(
        _ values: [String?],
        _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> T
    ) -> T {
        let copies = values.map { value in value.flatMap { strdup($0) } }
        defer { for copy in copies { free(copy) } }
        return copies.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: UnsafePointer<CChar>?.self) { pointers in body(pointers.baseAddress) }
        }
    }

    /// The failure a failed result (or, with none, the connection) reports.
    private func failure(_ result: OpaquePointer?) -> PostgresFailure {
        guard let result else {
            return PostgresFailure.classify(sqlState: nil, message: lastError, connectionBad: isBad)
        }
        let state = CLibpq_sqlState(result).map { String(cString: $0) }
        let message = PQresultErrorMessage(result).map { String(cString: $0) } ?? lastError
        return PostgresFailure.classify(sqlState: state, message: message, connectionBad: isBad)
    }

    /// The rows of a query.
    func rows(_ sql: String, _ values: [String?] = []) throws(PostgresFailure) -> [PostgresRow] {
        try execute(sql, values).rows
    }

    /// The first row of a query, if any.
    func row(_ sql: String, _ values: [String?] = []) throws(PostgresFailure) -> PostgresRow? {
        try execute(sql, values).rows.first
    }

    /// Runs `body` as one transaction begun with `begin`, and tells the caller what came of it.
    ///
    /// With no `begin`, `body` is one statement in autocommit. Nothing is ever left half-written: any failure rolls
    /// back.
    func run<T>(
        begin: String?,
        notify: Bool,
        _ body: (PostgresConnection) throws -> T
    ) -> TransactionOutcome<T> {
        var committing = false
        touchedProjects = []
        // Sent with the body's first statement; a body that runs none sends it with the end below.
        pendingBegin = begin
        defer { pendingBegin = nil }
        do {
            let value = try body(self)
            // Delivered to listeners only when the transaction commits, and never when it rolls back. A change of
            // projects goes to those projects' channels, so that a host hears only of the rooms it is in.
            var end: [Statement] = []
            if let begin = pendingBegin {
                pendingBegin = nil
                end.append((begin, []))
            }
            if notify {
                if touchedProjects.isEmpty {
                    end.append(("SELECT pg_notify('\(PostgresChangeFeed.channel)', '')", []))
                } else {
                    for project in touchedProjects.sorted() {
                        end.append(("SELECT pg_notify($1, '')", [PostgresChangeFeed.channel(ofProject: project)]))
                    }
                }
            }
            // The notifications and COMMIT in one round trip: once they are on their way, nobody knows whether the
            // transaction committed until the answer comes.
            if begin != nil {
                end.append(("COMMIT", []))
                committing = true
            }
            _ = try executeTogether(end)
            return .done(value)
        } catch let failure as PostgresFailure {
            rollback()
            switch failure.kind {
            case .lost:
                logger.notice("PostgreSQL connection lost: \(failure.message)")
                close()
                return .lost(committing: committing)
            case .conflict: return .conflict
            case .error(let error):
                if error.kind == .failure || error.kind == .unavailable {
                    logger.error("PostgreSQL: \(failure.message)")
                }
                return .failed(error)
            }
        } catch let error as StoreError {
            rollback()
            return .failed(error)
        } catch {
            rollback()
            return .failed(.failure("storage error"))
        }
    }

    /// Rolls back an open transaction; a connection that cannot is closed, which ends the transaction too.
    private func rollback() {
        guard let handle, PQstatus(handle) == CONNECTION_OK, PQtransactionStatus(handle) != PQTRANS_IDLE else {
            return
        }
        if (try? execute("ROLLBACK")) == nil { close() }
    }

    private var isBad: Bool { handle.map { PQstatus($0) != CONNECTION_OK } ?? true }

    private var lastError: String {
        handle.flatMap { PQerrorMessage($0) }.map { String(cString: $0) } ?? "no connection"
    }
}

/// What came of one attempt at a transaction.
enum TransactionOutcome<T> {
    /// Committed (or, for a read, finished) with this value.
    case done(T)
    /// A serialization failure or deadlock: rolled back, and worth another attempt.
    case conflict
    /// The connection went away; when it happened during COMMIT nobody knows whether the transaction committed.
    case lost(committing: Bool)
    /// Refused or failed for good; rolled back.
    case failed(StoreError)
}

/// The values of a result, copied out of libpq as text (NULL as nil).
struct PostgresResult {
    let rows: [PostgresRow]
    /// The rows an INSERT, UPDATE or DELETE changed.
    let affectedRows: Int

    init(_ result: OpaquePointer) {
        let count = PQntuples(result)
        let columns = PQnfields(result)
        var rows: [PostgresRow] = []
        rows.reserveCapacity(Int(count))
        for row in 0..<count {
            var values: [String?] = []
            values.reserveCapacity(Int(columns))
            for column in 0..<columns {
                if PQgetisnull(result, row, column) == 1 {
                    values.append(nil)
                } else {
                    values.append(String(cString: PQgetvalue(result, row, column)))
                }
            }
            rows.append(PostgresRow(values: values))
        }
        self.rows = rows
        affectedRows = PQcmdTuples(result).flatMap { Int(String(cString: $0)) } ?? 0
    }
}

/// One row of a result, read by position.
struct PostgresRow {
    let values: [String?]

    /// A column declared NOT NULL.
    func text(_ index: Int) -> String { values[index] ?? "" }
    func optionalText(_ index: Int) -> String? { values[index] }
    func int(_ index: Int) -> Int64 { values[index].flatMap { Int64($0) } ?? 0 }
    func bool(_ index: Int) -> Bool { values[index] == "t" }
}
