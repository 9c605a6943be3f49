import Foundation
import TaskwireClient
import TaskwireProtocol
import TaskwireTranscripts

#if canImport(Glibc)
import Glibc
#endif

/// `pgbench`'s simple-update builtin (`-N`: update an account, read it, insert a history row, in one transaction)
/// with one client, on the PostgreSQL server of the world, in a database of its own: the transactions per second
/// one connection gets, the floor that the pipelined `task.update` of one host is set against.
struct PgbenchBenchmark {
    let world: BenchWorld
    let scale: Scale
    let results: Results

    /// Runs `pgbench -i`, then `pgbench -N -c 1 -j 1 -T SECONDS`; adds the figure and returns its tps.
    func run() throws(BenchError) -> Double {
        guard let server = world.postgres else { throw BenchError("pgbench needs a PostgreSQL world") }
        let executable = try Self.executable()
        let database: String
        do {
            // The URL's last path component is the database's name.
            database = String(try server.createDatabase().split(separator: "/").last ?? "")
        } catch {
            throw BenchError("cannot create the pgbench database: \(error)")
        }
        let connection = ["-h", "127.0.0.1", "-p", "\(server.port)", "-U", PostgresServer.role]
        let seconds = scale.pgbenchSeconds
        let label = "PostgreSQL: pgbench -N (simple update), 1 client, \(seconds) s"
        results.begin(label)
        _ = try Self.run(executable, ["-i", "-q"] + connection + [database])
        let output = try Self.run(
            executable,
            ["-N", "-c", "1", "-j", "1", "-T", "\(seconds)"] + connection + [database]
        )
        guard let tps = Self.tps(in: output) else {
            throw BenchError("pgbench printed no \"tps = N\":\n\(output)")
        }
        results.add(
            Figure(
                key: "postgres_pgbench_simple_update",
                section: "Requests",
                label: label,
                value: Format.rate(tps),
                details: [
                    "tps": .number(Format.decimal(tps, places: 1)), "seconds": .int(seconds), "clients": .int(1),
                    "executable": .string(executable),
                ]
            )
        )
        return tps
    }

    /// `N` of the first `tps = N …` line.
    static func tps(in output: String) -> Double? {
        for line in output.split(separator: "\n") {
            guard let range = line.range(of: "tps = ") else { continue }
            let number = line[range.upperBound...].prefix { $0.isNumber || $0 == "." }
            if let value = Double(number) { return value }
        }
        return nil
    }

    /// The server's own `pgbench` (`/usr/lib/postgresql/<version>/bin`, newest first), else the one on PATH.
    private static func executable() throws(BenchError) -> String {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [])
            .compactMap(Int.init).sorted(by: >)
        var candidates = versions.map { "\(root)/\($0)/bin/pgbench" }
        candidates += (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/pgbench" }
        guard let found = candidates.first(where: { access($0, X_OK) == 0 }) else {
            throw BenchError("pgbench not found in /usr/lib/postgresql/*/bin or PATH (apt-get install postgresql)")
        }
        return found
    }

    /// Runs `pgbench ARGUMENTS` to its end, without the `PG*` variables of this process; returns its stdout.
    private static func run(_ executable: String, _ arguments: [String]) throws(BenchError) -> String {
        let environment = Environment.current.filter { name, _ in !name.hasPrefix("PG") }
        let process: ChildProcess
        do {
            process = try ChildProcess(executable: executable, arguments: arguments, environment: environment)
        } catch {
            throw BenchError("cannot start \(executable): \(error)")
        }
        process.closeStdin()
        let what = "pgbench " + arguments.joined(separator: " ")
        guard let termination = process.waitForTermination(timeout: .seconds(120)) else {
            process.kill()
            throw BenchError("\(what) did not finish within 120 s")
        }
        process.waitForOutputEnd(timeout: .seconds(5))
        var output = process.takePendingLines().map { String(decoding: $0, as: UTF8.self) }.joined(separator: "\n")
        output += String(decoding: process.unterminatedOutput, as: UTF8.self)
        guard termination == .exited(0) else {
            throw BenchError("\(what) ended with \(termination): \(process.stderrText)\(output)")
        }
        return output
    }
}
