import CLibpq
import Logging
public import TaskwireStore
import TaskwireSync

#if canImport(Glibc)
import Glibc
#endif

/// Tells when any host committed to the database, through LISTEN/NOTIFY on a connection of its own.
///
/// Every committing transaction of a ``PostgresStore`` notifies the channel of each project whose events or
/// presence it changed (or ``channel`` when it changed none); PostgreSQL delivers that only after the commit. The
/// feed listens to ``channel`` and to the channels of the projects it was told to ``watch(_:)``: a host hears of
/// the rooms it is in, not of every project. ``version()`` counts the notifications seen so far without blocking; ``wait(timeoutMilliseconds:)``
/// sleeps until one arrives. When the connection drops, the feed reconnects (with a backoff) and counts one more,
/// since notifications sent meanwhile are lost: the reader then reads the log again.
///
/// - Important: used from one thread at a time (the thread that owns it), like every ``ChangeFeed``.
public final class PostgresChangeFeed: ChangeFeed {
    /// The channel every committing transaction notifies.
    static let channel = "taskwire_changes"

    /// The channel of one project's changes.
    static func channel(ofProject projectID: String) -> String {
        "taskwire_p_\(projectID)"
    }

    /// The projects watched, listened to again after a reconnection.
    private var watched: Set<String> = []

    private let connection: PostgresConnection
    private var listening = false
    private var counter: Int64 = 0

    init(settings: ConnectionSettings, logger: Logger) {
        connection = PostgresConnection(settings: settings, logger: logger)
        _ = listen()
    }

    /// A value that changes whenever a commit was notified since the last reading.
    ///
    /// Nil while the database cannot be reached.
    public func version() -> Int64? {
        guard listen() else { return nil }
        consume()
        return listening ? counter : nil
    }

    /// Blocks until a commit is notified or `timeoutMilliseconds` pass.
    ///
    /// True when something was committed since the call began, or the connection was made again (and the log should
    /// be read again).
    public func wait(timeoutMilliseconds: Int) -> Bool {
        let start = counter
        let deadline = MonotonicClock.deadline(afterMilliseconds: max(0, timeoutMilliseconds))
        while counter == start {
            let now = MonotonicClock.now()
            guard now < deadline else { break }
            let remaining = Int32(clamping: (deadline - now) / 1_000_000 + 1)
            guard listen() else {
                // Down: try again a little later, within the time given.
                usleep(UInt32(min(remaining, 100)) * 1000)
                continue
            }
            consume()
            // Reading may have found the connection gone: the next turn reconnects (and counts one).
            guard counter == start, listening, let handle = connection.handle else { continue }
            if CLibpq_waitReadable(PQsocket(handle), remaining) > 0 { consume() }
        }
        return counter != start
    }

    /// The LISTEN connection's socket while it listens: readable when the server sent something, a notification
    /// most likely, which ``version()`` then reads.
    public var announcementSocket: Int32? {
        guard listening, let handle = connection.handle else { return nil }
        let socket = PQsocket(handle)
        return socket >= 0 ? socket : nil
    }

    /// Makes sure the connection LISTENs; after a reconnection, counts one so that the reader reads the log again.
    private func listen() -> Bool {
        if listening, let handle = connection.handle, PQstatus(handle) == CONNECTION_OK { return true }
        listening = false
        do {
            try connection.open()
            try connection.execute("LISTEN \(Self.channel)")
            for project in watched { try connection.execute("LISTEN \(Self.quoted(Self.channel(ofProject: project)))") }
            listening = true
            counter += 1
            return true
        } catch {
            connection.close()
            return false
        }
    }

    /// Starts hearing of the changes of a project (a room this host is in).
    public func watch(_ projectID: String) {
        guard watched.insert(projectID).inserted, listening else { return }
        if (try? connection.execute("LISTEN \(Self.quoted(Self.channel(ofProject: projectID)))")) == nil {
            // The next reading reconnects, listens to every watched channel, and counts one.
            listening = false
            connection.close()
        }
    }

    /// Stops hearing of a project's changes.
    public func unwatch(_ projectID: String) {
        guard watched.remove(projectID) != nil, listening else { return }
        _ = try? connection.execute("UNLISTEN \(Self.quoted(Self.channel(ofProject: projectID)))")
    }

    /// A channel name as a quoted identifier (LISTEN takes an identifier, not a parameter).
    private static func quoted(_ name: String) -> String {
        "\"" + name.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\""
    }

    /// Reads whatever the server sent, without blocking, and counts the notifications in it.
    ///
    /// A server that ends the connection first sends an error, which libpq takes for a notice, and then closes: the
    /// socket is read until it has nothing more, so that the close is seen in the same call.
    private func consume() {
        guard let handle = connection.handle else { return }
        for _ in 0..<4 {
            guard PQconsumeInput(handle) == 1, PQstatus(handle) == CONNECTION_OK else {
                listening = false
                connection.close()
                return
            }
            while let notification = PQnotifies(handle) {
                counter += 1
                PQfreemem(notification)
            }
            if CLibpq_waitReadable(PQsocket(handle), 0) <= 0 { return }
        }
    }
}
