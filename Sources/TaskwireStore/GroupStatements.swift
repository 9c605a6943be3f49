import CSQLite
import GRDB
import TaskwireSync

#if canImport(Glibc)
import Glibc
#endif

/// The text of a statement of the hot path (``HotStatement``), made once and kept, with a slot of its own: a group
/// finds its statement by the slot, with no hashing and no comparison of texts.
final class HotSQL: Sendable {
    let text: String
    let slot: Int

    private static let slots = Locked(0)

    init(_ text: String) {
        self.text = text
        slot = Self.slots.withLock { next in
            defer { next += 1 }
            return next
        }
    }
}

/// The statements ``HotStatement`` has already taken from GRDB's cache in the group open on this thread, and the
/// memory their texts are bound from.
///
/// GRDB's statement cache is a dictionary keyed by the SQL text, so every lookup hashes the whole text: 7 lookups
/// and about 8k instructions of a pipelined `task.update` (callgrind). In a group the same few statements are
/// looked up for every call; here they are found by their text's slot (``HotSQL``).
///
/// SQLite copies a text bound as transient into memory it allocates, and frees it when the parameter is bound
/// again: an allocation and a free for each of the 13 texts a pipelined `task.update` binds. In a group a text is
/// copied instead into memory kept for its statement and parameter, and bound as static; the bindings are cleared
/// when the group ends, before that memory goes.
///
/// It also keeps the `seq`s the group's events took (``GroupSeqs``), written to the projects' rows before the commit.
///
/// It lives only while a group's transaction is open, on the thread that runs the group (``SQLiteStore/runGrouped``
/// begins and ends it), for that group's connection: the connection outlives it, and no statement is kept past
/// the group. Any other connection, thread or moment goes to GRDB's cache as before, and binds transient copies.
final class GroupStatements {
    /// A statement taken in this group, and the memory of its parameters' texts (none without parameters).
    private struct Entry {
        let statement: Statement
        let buffers: BindBuffers?
    }

    private let connection: ObjectIdentifier
    /// By ``HotSQL/slot``.
    private var entries: [Entry?] = []
    let seqs = GroupSeqs()

    private init(connection db: Database) {
        connection = ObjectIdentifier(db)
    }

    deinit {
        for case let entry? in entries where entry.buffers != nil {
            sqlite3_clear_bindings(entry.statement.sqliteStatement)
        }
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

    /// The open group's memo when this thread runs a group on `db`.
    private static func memo(for db: Database) -> GroupStatements? {
        guard let opaque = pthread_getspecific(key) else { return nil }
        let memo = Unmanaged<GroupStatements>.fromOpaque(opaque).takeUnretainedValue()
        return memo.connection == ObjectIdentifier(db) ? memo : nil
    }

    /// The `seq`s of the group this thread runs on `db`, or nil outside such a group.
    static func seqs(for db: Database) -> GroupSeqs? { memo(for: db)?.seqs }

    /// The statement for `sql` on `db`, and the memory to bind its texts from: from the memo when this thread's
    /// open group is on `db`, else from GRDB's cache, with none.
    static func statement(_ db: Database, _ sql: HotSQL) throws -> (Statement, BindBuffers?) {
        guard let memo = memo(for: db) else { return (try db.cachedStatement(sql: sql.text), nil) }
        let slot = sql.slot
        if slot < memo.entries.count, let known = memo.entries[slot] { return (known.statement, known.buffers) }
        let statement = try db.cachedStatement(sql: sql.text)
        let buffers = sqlite3_bind_parameter_count(statement.sqliteStatement) > 0 ? BindBuffers() : nil
        if slot >= memo.entries.count {
            memo.entries.append(contentsOf: repeatElement(nil, count: slot + 1 - memo.entries.count))
        }
        memo.entries[slot] = Entry(statement: statement, buffers: buffers)
        return (statement, buffers)
    }
}

/// Memory for the texts bound to one statement's parameters, one buffer per parameter, reused from one use to the
/// next (``GroupStatements``).
final class BindBuffers {
    private var buffers: [UnsafeMutableRawBufferPointer] = []

    deinit {
        for buffer in buffers { buffer.deallocate() }
    }

    /// A copy of `bytes` for parameter `index` (from 1), valid until the same parameter is copied again or this
    /// ends. A buffer that grows is freed here: the caller binds the parameter again at once, before any step.
    func copy(_ bytes: UnsafeBufferPointer<UInt8>, for index: Int32) -> UnsafeRawPointer {
        let position = Int(index) - 1
        while buffers.count <= position { buffers.append(.allocate(byteCount: 64, alignment: 8)) }
        if buffers[position].count < bytes.count {
            buffers[position].deallocate()
            var capacity = 64
            while capacity < bytes.count { capacity *= 2 }
            buffers[position] = .allocate(byteCount: capacity, alignment: 8)
        }
        let target = buffers[position]
        if let source = bytes.baseAddress, !bytes.isEmpty {
            target.baseAddress!.copyMemory(from: source, byteCount: bytes.count)
        }
        return UnsafeRawPointer(target.baseAddress!)
    }
}
