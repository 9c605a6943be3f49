import CLinux
import GRDB

#if canImport(Glibc)
import Glibc
#endif

/// Tells when any connection, in this process or another, committed to the database.
///
/// It reads `PRAGMA data_version` on a connection of its own, which changes whenever another connection commits;
/// this is how hosts without a Redis relay learn of each other's changes. Between readings, an inotify watch on the
/// write-ahead log (`announcementSocket`) becomes readable when any process writes to it, which every commit does:
/// the owner can sleep on it rather than read the version again and again. The watch is a hint only (a file
/// system without inotify, a log removed and made again, a full event queue): the version decides.
/// - Important: use it from one thread only (the delivery thread that owns it).
// @unchecked Sendable: made on one thread and handed to the delivery thread before that thread starts, which
// alone uses it from then on (`instance` and `watch` are its only mutable state).
public final class ChangeWatcher: ChangeFeed, @unchecked Sendable {
    private let queue: DatabaseQueue
    /// The write-ahead log's path: SQLite keeps it beside the database while any connection has the file open.
    private let logPath: String
    /// The inotify descriptor (non-blocking), made the first time the socket is asked for: nil before, -1 when the
    /// system gave none (a user has few inotify instances, 128 by default; a host without one only looks).
    private var instance: Int32?
    private var notifications: Int32 { instance ?? -1 }
    /// The watch of the log, while there is one.
    private var watch: Int32?

    public init(path: String) throws(StoreError) {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(0.2)
        queue = try SQLiteStore.mapErrors { try DatabaseQueue(path: path, configuration: configuration) }
        logPath = path + "-wal"
    }

    deinit {
        if let instance, instance >= 0 { close(instance) }
    }

    /// The current data version; it differs from the previous reading when something was committed since.
    ///
    /// The watch's pending notices are taken first, so that a write after them makes the socket readable again.
    public func version() -> Int64? {
        takeNotices()
        return try? queue.inDatabase { db in try Int64.fetchOne(db, sql: "PRAGMA data_version") }
    }

    /// The inotify descriptor, watching the write-ahead log from the first time it is asked for (a host whose relay
    /// is Redis never asks, and its peers' writes then make no notices for it); nil while the log cannot be watched
    /// (it exists once a connection has read the database in WAL mode).
    public var announcementSocket: Int32? {
        if instance == nil { instance = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC)) }
        if watch == nil, notifications >= 0 {
            let mask = UInt32(IN_MODIFY) | UInt32(IN_MOVE_SELF) | UInt32(IN_DELETE_SELF)
            let descriptor = inotify_add_watch(notifications, logPath, mask)
            watch = descriptor >= 0 ? descriptor : nil
        }
        return watch == nil ? nil : notifications
    }

    /// Reads every pending notice. A log moved or removed (SQLite removes it when the last connection closes) is
    /// watched again by its path, once a file is there again, the next time the socket is asked for.
    private func takeNotices() {
        guard notifications >= 0 else { return }
        var ended = false
        let headerSize = MemoryLayout<inotify_event>.size
        withUnsafeTemporaryAllocation(byteCount: 4096, alignment: MemoryLayout<inotify_event>.alignment) { buffer in
            while true {
                let count = read(notifications, buffer.baseAddress, buffer.count)
                guard count >= headerSize else { return }
                var offset = 0
                while offset + headerSize <= count {
                    let event = buffer.loadUnaligned(fromByteOffset: offset, as: inotify_event.self)
                    let gone = UInt32(IN_MOVE_SELF) | UInt32(IN_DELETE_SELF) | UInt32(IN_IGNORED)
                    if event.wd == watch, event.mask & gone != 0 { ended = true }
                    offset += headerSize + Int(event.len)
                }
            }
        }
        if ended, let watch {
            _ = inotify_rm_watch(notifications, watch)
            self.watch = nil
        }
    }
}
