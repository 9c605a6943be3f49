import TaskwireClient
import TaskwireTranscripts
import Testing

/// The throwaway PostgreSQL cluster the PostgreSQL suites run against: it starts, serves fresh databases, and
/// comes back after a crash on the same port.
@Suite struct PostgresServerTests {
    private func query(_ url: String, _ sql: String) throws -> String {
        let psql = try ChildProcess(executable: "/usr/bin/psql", arguments: ["-At", url, "-c", sql])
        psql.closeStdin()
        #expect(psql.waitForExit(timeout: .seconds(30)) == 0, "psql: \(psql.stderrText)")
        psql.waitForOutputEnd(timeout: .seconds(5))
        return psql.takePendingLines().map { String(decoding: $0, as: UTF8.self) }.joined(separator: "\n")
    }

    @Test func startsServesFreshDatabasesAndRestartsAfterACrash() throws {
        let server = try PostgresServer()
        let first = try server.createDatabase()
        let second = try server.createDatabase()
        #expect(first != second)
        #expect(try query(first, "SELECT 1") == "1")
        _ = try query(first, "CREATE TABLE t (x int); INSERT INTO t VALUES (7)")
        #expect(try query(second, "SELECT count(*) FROM pg_tables WHERE tablename = 't'") == "0")
        server.kill()
        try server.restart()
        #expect(try query(first, "SELECT x FROM t") == "7")
        server.stop()
    }
}
