import Foundation
import GRDB
public import TaskwireCrypto
public import TaskwireProtocol
import TaskwireSync

/// Taskwire's storage on one SQLite file in WAL mode, shared by any number of host processes.
///
/// Every change runs in one IMMEDIATE transaction together with its event, so the event log and the data can
/// never disagree. Busy waits are bounded by ``busyTimeout``; past it a call fails with a retryable error and
/// nothing of it is written.
public final class SQLiteStore: TaskwireStorage {
    let pool: DatabasePool
    public let path: String

    public var kind: StoreKind { .sqlite }

    /// Watches `PRAGMA data_version` on a connection of its own.
    public func makeChangeFeed() -> (any ChangeFeed)? {
        try? ChangeWatcher(path: path)
    }
    /// A unique id of this database, generated when its schema was created; namespaces relay channels.
    public let databaseID: String
    /// The key that authenticates relay messages between the hosts of this database.
    public let relayKey: SecretKey
    static let busyTimeout: TimeInterval = 2
    /// Frames in the write-ahead log past which the commit that passes them copies the log into the database file
    /// (SQLite's default is 1,000). A checkpoint costs mostly its two syncs, whatever it copies: with 4,000, one
    /// `task.update` in about 470 one at a time waits for one instead of one in about 120, which takes them out of the
    /// slowest percent (p99 of 4,000 updates one at a time 656–1,037 µs → 419–490 µs), for a log of up to 16 MB.
    static let checkpointFrames = 4000
    /// The transaction of a group of calls, open on the thread that runs them.
    let group = GroupSlot<Database>()
    /// This store's writes since it last brought the full-text index up to date (see ``runUpkeep()``).
    let searchBacklog = Locked(SearchBacklog())

    public init(path: String) throws {
        self.path = path
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(Self.busyTimeout)
        configuration.foreignKeysEnabled = true
        configuration.maximumReaderCount = 4
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // A savepoint's journal (the pages its call may have to restore) stays in memory. With temporary
            // files, SQLite keeps it in memory only up to 64 KiB; in a group commit's transaction it outgrows that
            // within a few calls, and from then on until the commit every page every call changes is also written
            // to a file in /var/tmp: 57,000 of the 72,000 `pwrite`s of 20,000 pipelined `task.update`s. Sorts and
            // temporary tables are kept in memory too: the largest, a search's sort, holds its hits up to the end of
            // the page asked for.
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
            try db.execute(sql: "PRAGMA wal_autocheckpoint = \(Self.checkpointFrames)")
        }
        let pool = try Self.mapErrors { try DatabasePool(path: path, configuration: configuration) }
        try Self.mapErrors { try Schema.migrator.migrate(pool) }
        let meta = try Self.mapErrors {
            try pool.read { db in
                try Dictionary(
                    uniqueKeysWithValues: Row.fetchAll(
                        db,
                        sql: "SELECT key, value FROM meta WHERE key IN ('database_id', 'relay_key')"
                    ).map { ($0[0] as String, $0[1] as String) }
                )
            }
        }
        guard let databaseID = meta["database_id"], let relayKey = meta["relay_key"].flatMap(SecretKey.init(hex:)),
            relayKey.bytes.count == 32
        else { throw StoreError.unavailable("the database has no id or relay key") }
        self.pool = pool
        self.databaseID = databaseID
        self.relayKey = relayKey
    }

    /// The default path of the README (several hosts): `--db`, else `TASKWIRE_DB`, else `$XDG_DATA_HOME/taskwire/taskwire.sqlite`.
    public static func defaultPath(environment: [String: String]? = nil) -> String {
        let environment = environment ?? ProcessInfo.processInfo.environment
        if let path = environment["TASKWIRE_DB"], !path.isEmpty { return path }
        let dataHome: String
        if let xdg = environment["XDG_DATA_HOME"], !xdg.isEmpty {
            dataHome = xdg
        } else {
            dataHome = (environment["HOME"] ?? NSHomeDirectory()) + "/.local/share"
        }
        return dataHome + "/taskwire/taskwire.sqlite"
    }

    /// Runs `body` in a write transaction, mapping storage failures to ``StoreError``.
    ///
    /// The transaction is IMMEDIATE: it takes the write lock when it begins, within the busy timeout. A DEFERRED
    /// transaction that reads first would fail at its first write, without waiting, whenever another connection
    /// committed in between.
    ///
    /// `notingSearch`: the write may change the text of tasks (their triggers note them in `search_pending`); when
    /// it commits (in a group: when its savepoint is released), it counts toward the index's upkeep
    /// (``runUpkeep()``). Heartbeats, presence and other writes leave a host without an upkeep to run.
    func write<T>(notingSearch: Bool = false, _ body: (Database) throws -> T) throws(StoreError) -> T {
        if let db = group.current() {
            let result = try Self.mapErrors { try groupCall(db) { try body(db) } }
            if notingSearch { noteWrite() }
            return result
        }
        let result = try Self.mapErrors {
            try pool.writeWithoutTransaction { db in try Self.inTransaction(db) { try body(db) } }
        }
        if notingSearch { noteWrite() }
        return result
    }

    /// Runs `body` between ``begin(_:)`` and ``commit(_:)`` on a connection outside any transaction, rolled back when
    /// anything throws.
    static func inTransaction<T>(_ db: Database, _ body: () throws -> T) throws -> T {
        try begin(db)
        do {
            let result = try body()
            try commit(db)
            return result
        } catch {
            rollback(db)
            throw error
        }
    }

    /// `BEGIN IMMEDIATE`, `COMMIT` and `ROLLBACK` through statements prepared once per connection (GRDB's
    /// `inTransaction` parses their text each time).
    static func begin(_ db: Database) throws { try db.cachedStatement(sql: "BEGIN IMMEDIATE").execute() }
    static func commit(_ db: Database) throws { try db.cachedStatement(sql: "COMMIT").execute() }
    static func rollback(_ db: Database) {
        // SQLite may have ended the transaction itself (a full disk, for one); there is nothing left to undo then.
        if db.isInsideTransaction { try? db.cachedStatement(sql: "ROLLBACK").execute() }
    }

    /// Runs one write of a group's calls.
    ///
    /// A group first runs its calls without a savepoint each: a savepoint, with the journal of the pages its call
    /// changes, cost about a tenth of a pipelined `task.update` (`update_floor.c`: 82.9k → 68.2k instructions per
    /// update without them). Nothing is lost by it when a call fails having changed no row, which is how nearly every
    /// failure goes (a stale version, a missing task, a refused param): there is nothing of it to undo, and it is
    /// answered alone. A statement that fails is undone by SQLite itself; the rows counted here are those of
    /// completed statements, their triggers and foreign key actions included (a trigger's rows are counted when it
    /// ends, even when its statement then fails and is undone: at worst a run starts over that need not have). A
    /// statement's rows are counted once it has run to its end, as every write of the store's calls does (none reads
    /// part of a `RETURNING` and stops). A call that fails after it changed rows cannot be undone alone in such a
    /// run: the run is marked to start over, its remaining calls fail at once, and ``runGrouped(_:)`` undoes the run
    /// and runs its calls again, each in a savepoint (``inCallSavepoint(_:_:)``).
    private func groupCall<T>(_ db: Database, _ body: () throws -> T) throws -> T {
        // What undoes a failed call's events gives back the seqs they took (``GroupSeqs``).
        let seqs = GroupStatements.seqs(for: db)
        seqs?.beginCall()
        do {
            return try callOfRun(db, body)
        } catch {
            seqs?.undoCall()
            throw error
        }
    }

    private func callOfRun<T>(_ db: Database, _ body: () throws -> T) throws -> T {
        if group.isolatesCalls { return try Self.inCallSavepoint(db, body) }
        // Never seen by a client: the run's replies are dropped when it starts over.
        if group.mustStartOver { throw StoreError.busy }
        // After SQLite rolled the whole transaction back (a full disk, for one), a call would run in autocommit
        // mode, outside the group: it fails instead, and so does the group's commit.
        guard db.isInsideTransaction else { throw StoreError.unavailable("the group's transaction ended") }
        let changes = db.totalChangesCount
        do {
            return try body()
        } catch {
            if db.isInsideTransaction && db.totalChangesCount == changes { throw error }
            group.mustStartOver = true
            throw error
        }
    }

    /// Runs one call of a group in a savepoint of the group's transaction: a call that fails leaves nothing behind
    /// and the group goes on. The savepoint statements are prepared once per connection (`Database.inSavepoint`
    /// parses their text at every call), and stepped through SQLite's C API like the other statements of the hot
    /// path (``HotStatement``): inside the transaction GRDB opened for the group, with no transaction observer to
    /// tell, GRDB's execution of them cost 4.9k instructions each (callgrind).
    static func inCallSavepoint<T>(_ db: Database, _ body: () throws -> T) throws -> T {
        // Outside a transaction a savepoint would begin one, committed on its release, outside the group.
        guard db.isInsideTransaction else { throw StoreError.unavailable("the group's transaction ended") }
        try HotStatement(db, savepointSQL).run()
        let result: T
        do {
            result = try body()
            try HotStatement(db, releaseSQL).run()
        } catch {
            // When SQLite has already rolled the whole transaction back (a full disk, for one), there is no
            // savepoint left to undo, and the group's commit reports the failure.
            if !db.isInsideTransaction { throw error }
            guard (try? HotStatement(db, rollbackSQL).run()) != nil else {
                // The call's writes cannot be undone alone, and must not be committed as if they had been: none
                // of the group is kept, and its commit reports the failure.
                rollback(db)
                throw error
            }
            try? HotStatement(db, releaseSQL).run()
            throw error
        }
        return result
    }

    private static let savepointSQL = HotSQL("SAVEPOINT call")
    private static let releaseSQL = HotSQL("RELEASE SAVEPOINT call")
    private static let rollbackSQL = HotSQL("ROLLBACK TO SAVEPOINT call")
    private static let runSavepointSQL = HotSQL("SAVEPOINT run")
    /// The run's savepoint is never released: `COMMIT` ends it with the transaction.
    private static let runRollbackSQL = HotSQL("ROLLBACK TO SAVEPOINT run")

    /// Runs a read, mapping storage failures to ``StoreError``.
    func read<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        // Within a group, reads go through its transaction, so that a client reads its own writes.
        if let db = group.current() {
            // Never seen by a client: the run's replies are dropped when it starts over.
            if group.mustStartOver { throw .busy }
            return try Self.mapErrors { try body(db) }
        }
        return try Self.mapErrors { try pool.read(body) }
    }

    /// Group commit: the calls of `body` share one IMMEDIATE transaction. The write lock is held while `body` runs;
    /// other hosts' writes wait for it within their busy timeout.
    ///
    /// `body` runs once with no savepoint per call (``groupCall(_:_:)``), inside one savepoint of the whole run
    /// (which journals each page the run changes once, not once per call). When a call of it failed after it
    /// wrote, the run is rolled back to that savepoint, still holding the lock, and `body` runs again with each
    /// call in a savepoint of its own, so that the failed call is undone alone; only that second run counts. The
    /// `seq`s the group's events took are written to their projects' rows before the commit (``GroupSeqs``).
    public func runGrouped(_ body: () -> Void) -> GroupResult {
        var result = GroupResult.unavailable
        pool.writeWithoutTransaction { db in
            // Busy past the timeout: the calls run one by one, each failing or not on its own.
            guard (try? Self.begin(db)) != nil else { return }
            group.open(db)
            let writeBackFailure: (any Error)? = GroupStatements.run(for: db) {
                // Without the run's savepoint there is nothing to start over from: each call gets its own.
                if (try? HotStatement(db, Self.runSavepointSQL).run()) == nil { group.startOverIsolated() }
                body()
                if group.mustStartOver {
                    guard (try? HotStatement(db, Self.runRollbackSQL).run()) != nil else {
                        // What the run wrote cannot be sorted out: none of it is kept, and every call is answered
                        // with the commit's failure.
                        Self.rollback(db)
                        return nil
                    }
                    GroupStatements.seqs(for: db)?.reset()
                    group.startOverIsolated()
                    body()
                }
                // The seqs the group's events took, to their projects' rows: without them none of it is kept.
                do {
                    try Self.writeBackSeqs(db)
                    return nil
                } catch {
                    return error
                }
            }
            group.close()
            do {
                if let writeBackFailure { throw writeBackFailure }
                try Self.commit(db)
                result = .committed
            } catch {
                Self.rollback(db)
                do throws(StoreError) {
                    try Self.mapErrors { () throws -> Void in throw error }
                } catch let mapped {
                    result = .failed(mapped)
                }
            }
        }
        return result
    }

    /// Stops a statement in progress (used when the host must exit while waiting on a lock).
    public func interrupt() { pool.interrupt() }

    static func mapErrors<T>(_ body: () throws -> T) throws(StoreError) -> T {
        do {
            return try body()
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError {
            switch error.resultCode {
            case .SQLITE_BUSY, .SQLITE_LOCKED: throw .busy
            case .SQLITE_FULL: throw .storageFull
            // A failed write is nearly always a full disk or a file size limit (SQLite reports ENOSPC as FULL
            // but EFBIG as a write error).
            case .SQLITE_IOERR where error.extendedResultCode == .SQLITE_IOERR_WRITE: throw .storageFull
            case .SQLITE_IOERR, .SQLITE_CANTOPEN, .SQLITE_READONLY, .SQLITE_CORRUPT, .SQLITE_NOTADB:
                throw .unavailable("storage error \(error.extendedResultCode.rawValue)")
            default: throw .failure("storage error \(error.extendedResultCode.rawValue)")
            }
        } catch {
            throw .failure("storage error")
        }
    }
}
