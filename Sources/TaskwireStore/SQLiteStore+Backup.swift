import Foundation
import GRDB
public import TaskwireProtocol

// Backups that restore: SQLite's online backup, from one read snapshot, while hosts keep writing.
extension SQLiteStore {
    /// Copies the database as it was at one moment into a new file at `path`: every change committed before the
    /// copy began, none half. Hosts go on writing meanwhile (a WAL reader does not block them).
    public func backup(to path: String) throws(StoreError) -> JSONObject {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw StoreError.refused("\(path) exists already: back up to a new file")
        }
        do throws(StoreError) {
            try Self.mapErrors {
                let destination = try DatabaseQueue(path: path)
                try pool.backup(to: destination)
                try destination.close()
            }
        } catch {
            throw StoreError.refused("cannot write the backup to \(path) (\(error))")
        }
        return try Self.describe(path)
    }

    /// Restores a backup made by ``backup(to:)`` into the database at `path` (made when missing). Refused while a
    /// host holds a live session on the database, unless `force`.
    public static func restore(from backup: String, to path: String, force: Bool) throws(StoreError) -> JSONObject {
        guard FileManager.default.fileExists(atPath: backup) else { throw StoreError.refused("no file \(backup)") }
        let source: JSONObject
        do throws(StoreError) {
            source = try describe(backup)
        } catch {
            throw StoreError.refused("\(backup) is not a database backup (\(error))")
        }
        guard source["integrity"] == "ok" else { throw StoreError.refused("\(backup) fails its integrity check") }
        let target: SQLiteStore
        do {
            target = try SQLiteStore(path: path)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.unavailable("cannot open \(path)")
        }
        if !force {
            let cutoff = Timestamp.nowMilliseconds() - 15_000
            let live: Int = try target.read { db in
                try Int.fetchOne(db, sql: "SELECT count(*) FROM sessions WHERE heartbeat_at > ?", arguments: [cutoff])
                    ?? 0
            }
            guard live == 0 else {
                throw StoreError.refused("\(live) live session(s) use \(path): stop its hosts first (or --force)")
            }
        }
        try mapErrors {
            let queue = try DatabaseQueue(path: backup, configuration: readOnly)
            try queue.backup(to: target.pool)
            try queue.close()
        }
        return try describe(path)
    }

    private static var readOnly: Configuration {
        var configuration = Configuration()
        configuration.readonly = true
        return configuration
    }

    /// A database file's integrity, size and contents, as the backup commands report them.
    static func describe(_ path: String) throws(StoreError) -> JSONObject {
        try mapErrors {
            let queue = try DatabaseQueue(path: path, configuration: readOnly)
            defer { try? queue.close() }
            return try queue.read { db in
                let integrity = try String.fetchOne(db, sql: "PRAGMA quick_check") ?? "unknown"
                let count = { (table: String) in try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? 0 }
                let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
                return [
                    "path": .string(path), "bytes": .int(size), "integrity": .string(integrity),
                    "projects": .int(try count("projects")), "tasks": .int(try count("tasks")),
                    "comments": .int(try count("comments")), "events": .int(try count("events")),
                ]
            }
        }
    }
}
