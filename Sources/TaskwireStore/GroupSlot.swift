import TaskwireSync

#if canImport(Glibc)
import Glibc
#endif

/// The database connection of an open group of calls, for the one thread that runs them.
///
/// Every store call asks for it: the thread that opened the group gets the connection (and works in its
/// transaction), every other thread gets nil and goes through the pool as always, waiting for locks like another
/// host would.
public final class GroupSlot<Connection>: @unchecked Sendable {
    // @unchecked Sendable: `connection`, `isolatesCalls` and `mustStartOver` are set, used and cleared only by the
    // thread recorded in `owner`, while the group runs on it; other threads only read `owner`, under the lock.
    private struct Owner: @unchecked Sendable {
        // @unchecked Sendable: a pthread_t is an opaque thread id, only compared.
        let thread: pthread_t
    }

    private let owner = Locked<Owner?>(nil)
    private var connection: Connection?
    /// Whether each call runs in a savepoint of its own. A group's first run does without (see
    /// ``SQLiteStore/runGrouped(_:)``); it starts over with them when a call failed after it wrote.
    public private(set) var isolatesCalls = false
    /// Set when a call of a run without savepoints failed after it wrote: that run must be undone and started over,
    /// and its remaining calls are not worth running.
    public var mustStartOver = false

    public init() {}

    public func open(_ connection: Connection) {
        self.connection = connection
        isolatesCalls = false
        mustStartOver = false
        owner.withLock { $0 = Owner(thread: pthread_self()) }
    }

    /// Before the group's calls run again, after their first run was undone: each in a savepoint of its own now.
    public func startOverIsolated() {
        isolatesCalls = true
        mustStartOver = false
    }

    public func close() {
        owner.withLock { $0 = nil }
        connection = nil
    }

    /// The group's connection when the calling thread runs the open group.
    public func current() -> Connection? {
        let mine = owner.withLock { owner in owner.map { pthread_equal($0.thread, pthread_self()) != 0 } ?? false }
        return mine ? connection : nil
    }
}
