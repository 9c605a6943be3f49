public import Logging
public import TaskwireStore

// What `taskwire doctor` checks of a PostgreSQL database, without changing it (no migration).
extension PostgresStore {
    public static func doctorChecks(url: String, connectTimeoutSeconds: Int, logger: Logger) -> [DoctorCheck] {
        let connection: PostgresConnection
        do {
            connection = PostgresConnection(
                settings: try ConnectionSettings(url: url, connectTimeoutSeconds: connectTimeoutSeconds),
                logger: logger
            )
            try connection.connect()
        } catch {
            return [
                DoctorCheck(
                    "database",
                    ok: false,
                    detail: "cannot connect: \(error)",
                    fix: "check the URL (host, port, user, database, sslmode), the password and that the server runs"
                )
            ]
        }
        defer { connection.close() }
        var checks: [DoctorCheck] = []
        do {
            let start = ContinuousClock.now
            let version = try connection.row("SELECT current_setting('server_version')")?.text(0) ?? "?"
            let roundTrip = ContinuousClock.now - start
            checks.append(
                DoctorCheck(
                    "database",
                    ok: true,
                    detail: "PostgreSQL \(version), round trip \(DoctorCheck.milliseconds(roundTrip))"
                )
            )
            let applied = try PostgresSchema.version(connection)
            let latest = PostgresSchema.latestVersion
            checks.append(
                DoctorCheck(
                    "schema",
                    ok: applied == latest,
                    detail: applied > latest
                        ? "version \(applied), newer than this taskwire's \(latest)"
                        : "version \(applied) of \(latest)"
                            + (applied < latest ? ": behind by \(latest - applied)" : ""),
                    fix: applied > latest
                        ? "use a newer taskwire"
                        : "start any host or admin command of this version on it: it migrates at open"
                )
            )
            let encoding = try connection.row("SELECT current_setting('server_encoding')")?.text(0) ?? "?"
            checks.append(
                DoctorCheck(
                    "integrity",
                    ok: encoding == "UTF8",
                    detail: "server encoding \(encoding)",
                    fix: "create the database with ENCODING 'UTF8'"
                )
            )
            let key = applied > 0 ? try connection.row("SELECT value FROM meta WHERE key = 'relay_key'")?.text(0) : nil
            checks.append(
                DoctorCheck(
                    "relay key",
                    ok: key?.count == 64,
                    detail: key?.count == 64 ? "present (256 bits)" : "missing",
                    fix: "start a host of this version on the database: its migration creates the key"
                )
            )
            let before = Timestamp.nowMilliseconds()
            let server =
                try connection.row("SELECT (extract(epoch from clock_timestamp()) * 1000)::bigint")?.int(0) ?? 0
            let after = Timestamp.nowMilliseconds()
            let skew = server - (before + after) / 2
            checks.append(
                DoctorCheck(
                    "clock",
                    ok: abs(skew) < 1000,
                    detail: "the database's clock is \(skew) ms from this machine's",
                    fix: "synchronize both machines' clocks (NTP): times in events and presence come from the hosts"
                )
            )
        } catch {
            checks.append(
                DoctorCheck("database", ok: false, detail: "a query failed: \(error)", fix: "check the server's log")
            )
        }
        return checks
    }
}
