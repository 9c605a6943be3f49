import Foundation
import GRDB

#if canImport(Glibc)
import Glibc
#endif

// What `taskwire doctor` checks of a SQLite database, without changing it (no migration, no file created).
extension SQLiteStore {
    public static func doctorChecks(path: String) -> [DoctorCheck] {
        guard FileManager.default.fileExists(atPath: path) else {
            return [
                DoctorCheck(
                    "database",
                    ok: false,
                    detail: "no database at \(path)",
                    fix: "check --db or TASKWIRE_DB; `taskwire admin user add --db \(path)` creates one"
                )
            ]
        }
        var checks: [DoctorCheck] = []
        do {
            var configuration = Configuration()
            configuration.readonly = true
            configuration.busyMode = .timeout(2)
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            defer { try? queue.close() }
            try queue.read { db in
                let start = ContinuousClock.now
                let integrity = try String.fetchOne(db, sql: "PRAGMA quick_check") ?? "unknown"
                let elapsed = ContinuousClock.now - start
                checks.append(DoctorCheck("database", ok: true, detail: "SQLite \(path), readable"))
                let known = Schema.migrator.migrations
                let applied =
                    (try? String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")).map(Set.init) ?? []
                let missing = known.filter { !applied.contains($0) }
                let unknown = applied.subtracting(known)
                checks.append(
                    DoctorCheck(
                        "schema",
                        ok: missing.isEmpty && unknown.isEmpty,
                        detail: unknown.isEmpty
                            ? "\(known.count - missing.count) of \(known.count) migrations applied"
                                + (missing.isEmpty
                                    ? "" : "; behind by \(missing.count): \(missing.joined(separator: ", "))")
                            : "the database has migrations this taskwire does not know: \(unknown.sorted().joined(separator: ", "))",
                        fix: unknown.isEmpty
                            ? "start any host or admin command of this version on it: it migrates at open"
                            : "use a newer taskwire"
                    )
                )
                checks.append(
                    DoctorCheck(
                        "integrity",
                        ok: integrity == "ok",
                        detail: "PRAGMA quick_check: \(integrity) (\(DoctorCheck.milliseconds(elapsed)))",
                        fix: "restore the last backup (`taskwire admin restore`)"
                    )
                )
                let key = try? String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'relay_key'")
                checks.append(
                    DoctorCheck(
                        "relay key",
                        ok: key?.count == 64,
                        detail: key?.count == 64 ? "present (256 bits)" : "missing",
                        fix: "start a host of this version on the database: its migration creates the key"
                    )
                )
            }
        } catch {
            checks.append(
                DoctorCheck(
                    "database",
                    ok: false,
                    detail: "cannot read \(path): \(error)",
                    fix: "check the permissions of the file and of its directory (a WAL database creates its -shm "
                        + "file beside it), and that it is a taskwire database"
                )
            )
            return checks
        }
        var stats = statvfs()
        let directory = (path as NSString).deletingLastPathComponent
        if statvfs(directory.isEmpty ? "." : directory, &stats) == 0 {
            let free = Int64(stats.f_bavail) * Int64(stats.f_frsize)
            checks.append(
                DoctorCheck(
                    "disk space",
                    ok: free > 100 << 20,
                    detail: "\(free >> 20) MiB free beside the database",
                    fix: "free space on that file system: below 100 MiB, writes may soon fail (storage full)"
                )
            )
        }
        checks.append(DoctorCheck("clock", ok: true, detail: "the database is a local file: one clock"))
        return checks
    }
}
