import ArgumentParser
import Foundation
import Logging
import TaskwirePostgres
import TaskwireProtocol
import TaskwireRelay
import TaskwireStore

struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check a deployment: database, schema, integrity, relay key, Redis, disk space, clocks.",
        discussion: """
            Each check says what it saw and, when it fails, what to do. Exit code 0 when every check passes, 1 \
            otherwise. Example:
              taskwire doctor --db team.sqlite --redis redis://127.0.0.1:6379 --json
            """
    )

    @OptionGroup var database: DatabaseOptions
    @Option(help: "A Redis relay to check, redis://[user:password@]host:port[/db] (default: $TASKWIRE_REDIS_URL).")
    var redis: String?
    @Flag(help: "Print one JSON object: {healthy, checks: [{name, ok, detail, fix?}]}.") var json = false

    func run() throws {
        var logger = Logger(label: "taskwire")
        logger.logLevel = .critical
        var checks =
            database.isPostgres
            ? PostgresStore.doctorChecks(
                url: database.path,
                connectTimeoutSeconds: database.connectTimeout,
                logger: logger
            )
            : SQLiteStore.doctorChecks(path: database.path)
        if let url = redis ?? ProcessInfo.processInfo.environment["TASKWIRE_REDIS_URL"], !url.isEmpty {
            checks += Self.redisChecks(url)
        } else {
            checks.append(
                DoctorCheck("redis", ok: true, detail: "no relay configured: hosts deliver through the database")
            )
        }
        let healthy = checks.allSatisfy(\.ok)
        if json {
            print(JSON.object(["healthy": .bool(healthy), "checks": .array(checks.map(\.json))]).text)
        } else {
            let width = checks.map(\.name.count).max() ?? 0
            for check in checks {
                let name = check.name.padding(toLength: width, withPad: " ", startingAt: 0)
                print("\(check.ok ? "ok  " : "FAIL")  \(name)  \(check.detail)")
                if !check.ok { print("      \(String(repeating: " ", count: width))  → \(check.fix)") }
            }
            print(healthy ? "healthy" : "not healthy")
        }
        if !healthy { throw ExitCode.failure }
    }

    private static func redisChecks(_ text: String) -> [DoctorCheck] {
        let url: RedisURL
        do {
            url = try RedisURL(parsing: text)
        } catch {
            return [
                DoctorCheck(
                    "redis",
                    ok: false,
                    detail: "invalid URL: \(error)",
                    fix: "redis://[user:password@]host:port[/db]"
                )
            ]
        }
        switch RedisProbe.run(url) {
        case .success(let report):
            return [
                DoctorCheck(
                    "redis",
                    ok: true,
                    detail: "\(url.host):\(url.port) reachable\(url.password == nil ? "" : " and authenticated"), "
                        + "round trip \(report.roundTripMicroseconds) µs"
                ),
                DoctorCheck(
                    "relay",
                    ok: true,
                    detail: "a message published on one connection reached another in \(report.relayMicroseconds) µs"
                ),
            ]
        case .failure(let failure):
            let fix =
                switch failure.step {
                case "connect": "check the host and port, and that redis-server runs and listens there"
                case "auth": "check the user and password in the URL (Redis ACL / requirepass)"
                default: "check the server's log; a proxy in between may not pass PUBLISH/SUBSCRIBE"
                }
            return [DoctorCheck("redis", ok: false, detail: "\(failure.step) failed: \(failure.description)", fix: fix)]
        }
    }
}
