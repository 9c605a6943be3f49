import GRDB

#if canImport(Glibc)
import Glibc
#endif

/// The statements ``HotStatement`` has already taken from GRDB's cache in the group open on this thread.
///
/// GRDB's statement cache is a dictionary keyed by the SQL text, so every lookup hashes the whole text: 7 lookups
/// and about 8k instructions of a pipelined `task.update` (callgrind). In a group the same few statements are
/// looked up for every call; here they are found by the address of their text's storage (the texts are literals,
/// or made once and kept), and a hit is checked against the text it was found for, which for the same storage is
/// one comparison of addresses.
///
/// It lives only while a group's transaction is open, on the thread that runs the group (``SQLiteStore/runGrouped``
/// begins and ends it), for that group's connection: the connection outlives it, and no statement is kept past
/// the group. Any other connection, thread or moment goes to GRDB's cache as before.
final class GroupStatements {
    private let connection: ObjectIdentifier
    /// By the address of the text's storage: the text itself (kept, so that its storage cannot be reused for
    /// another text while the group runs) and its statement.
    private var statements: [UnsafeRawPointer: (sql: String, statement: Statement)] = [:]

    private init(connection db: Database) {
        connection = ObjectIdentifier(db)
    }

    /// The thread's open group, as an unretained pointer (the group's `run` holds it).
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        precondition(pthread_key_create(&key, nil) == 0, "no thread-specific key for the group's statements")
        return key
    }()

    /// Runs `body` with the memo open for `db` on this thread.
    static func run<T>(for db: Database, _ body: () throws -> T) rethrows -> T {
        let memo = GroupStatements(connection: db)
        let previous = pthread_getspecific(key)
        pthread_setspecific(key, Unmanaged.passUnretained(memo).toOpaque())
        defer {
            pthread_setspecific(key, previous)
            withExtendedLifetime(memo) {}
        }
        return try body()
    }

    /// The statement for `sql` on `db`: from the memo when this thread's open group is on `db`, else from GRDB's
    /// cache.
    static func statement(_ db: Database, _ sql: String) throws -> Statement {
        guard let opaque = pthread_getspecific(key) else { return try db.cachedStatement(sql: sql) }
        let memo = Unmanaged<GroupStatements>.fromOpaque(opaque).takeUnretainedValue()
        guard memo.connection == ObjectIdentifier(db),
            let address = sql.utf8.withContiguousStorageIfAvailable({ UnsafeRawPointer($0.baseAddress) }) ?? nil
        else { return try db.cachedStatement(sql: sql) }
        // The same storage compares equal at once; a short text lives inline, at a temporary address, and is
        // compared byte by byte. (GRDB's `Statement.sql` is made anew from SQLite's copy at each call.)
        if let known = memo.statements[address], known.sql == sql { return known.statement }
        let statement = try db.cachedStatement(sql: sql)
        memo.statements[address] = (sql, statement)
        return statement
    }
}
