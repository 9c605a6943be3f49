import Foundation
import TaskwireClient
import TaskwireProtocol
import TaskwireTestSupport
import TaskwireTranscripts
import Testing

/// `taskwire doctor` against real databases and a real redis-server: healthy deployments pass, and each fault is
/// named with what to do.
@Suite struct DoctorTests {
    struct Outcome {
        var status: Int32
        var report: JSON
        /// The check named `name`.
        func check(_ name: String) -> JSON? {
            report["checks"]?.arrayValue?.first { $0["name"] == .string(name) }
        }
    }

    static func doctor(_ arguments: [String]) throws -> Outcome {
        let process = try ChildProcess(
            executable: try TaskwireBinary.locate(),
            arguments: ["doctor", "--json"] + arguments,
            environment: Environment.current.filter { !$0.key.hasPrefix("TASKWIRE_") }
        )
        process.closeStdin()
        let termination = try #require(process.waitForTermination(timeout: .seconds(30)))
        process.waitForOutputEnd(timeout: .seconds(5))
        let output = process.takePendingLines().map { String(decoding: $0, as: UTF8.self) }.joined()
        guard case .exited(let status) = termination else { throw ProcessError(description: "\(termination)") }
        return Outcome(status: status, report: try JSONParser.parse(output))
    }

    @Test(arguments: StoreBackend.allCases)
    func aHealthyDeploymentPasses(_ backend: StoreBackend) throws {
        let world = try TestWorld(userNames: ["alice"], backend: backend)
        let redis = try RedisServer(extraArguments: ["--requirepass", "s3cret"])
        defer { redis.stop() }
        let url = redis.url.replacingOccurrences(of: "redis://", with: "redis://:s3cret@")
        let outcome = try Self.doctor(["--db", world.location, "--redis", url])
        #expect(outcome.status == 0, "\(outcome.report.text)")
        #expect(outcome.report["healthy"] == true)
        for name in ["database", "schema", "integrity", "relay key", "clock", "redis", "relay"] {
            #expect(outcome.check(name)?["ok"] == true, "\(name): \(outcome.report.text)")
        }
        #expect(!outcome.report.text.contains("s3cret"), "the report shows the password")

        let wrong = try Self.doctor([
            "--db", world.location, "--redis", redis.url.replacingOccurrences(of: "redis://", with: "redis://:nope@"),
        ])
        #expect(wrong.status == 1)
        #expect(wrong.check("redis")?["ok"] == false && wrong.check("redis")?["fix"]?.stringValue != nil)
    }

    @Test func faultsAreNamedWithWhatToDo() throws {
        let missing = try Self.doctor(["--db", "/nonexistent/taskwire.sqlite"])
        #expect(missing.status == 1 && missing.check("database")?["ok"] == false)

        let world = try TestWorld(userNames: ["alice"])
        _ = try world.sqlite("DELETE FROM grdb_migrations WHERE identifier = 'v3-admin'")
        let behind = try Self.doctor(["--db", world.location])
        #expect(behind.status == 1)
        #expect(behind.check("schema")?["detail"]?.stringValue?.contains("behind by 1") == true)

        let refused = try Self.doctor(["--db", world.location, "--redis", "redis://127.0.0.1:1"])
        #expect(refused.check("redis")?["ok"] == false)
        let unreachable = try Self.doctor(["--db", "postgresql://taskwire@127.0.0.1:1/none", "--connect-timeout", "2"])
        #expect(unreachable.status == 1 && unreachable.check("database")?["ok"] == false)
    }
}
