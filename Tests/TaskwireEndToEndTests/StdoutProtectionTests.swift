import Foundation
import TaskwireClient
import TaskwireProtocol
import TaskwireTestSupport
import TaskwireTranscripts
import Testing

/// Proves that output printed by code inside a host cannot reach the protocol stream.
@Suite struct StdoutProtectionTests {
    static let strayText = "stray output from a handler"

    /// The environment of the test process without the variables that would change how a host starts.
    static func hostEnvironment() -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        for name in ["TASKWIRE_TOKEN", "TASKWIRE_DB", "TASKWIRE_REDIS_URL", "TASKWIRE_LOG"] {
            environment.removeValue(forKey: name)
        }
        return environment
    }

    /// Parses every line, recording an issue for each one that is not a JSON-RPC message.
    static func expectOnlyJSONRPC(
        _ lines: [[UInt8]],
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> [JSON] {
        var messages: [JSON] = []
        for line in lines {
            let text = String(decoding: line.prefix(300), as: UTF8.self)
            guard let message = try? JSONParser.parse(line) else {
                Issue.record("stdout carried a line that is not JSON: \(text)", sourceLocation: sourceLocation)
                continue
            }
            let elements = message.arrayValue ?? [message]
            let wellFormed = !elements.isEmpty && elements.allSatisfy { $0["jsonrpc"] == "2.0" }
            #expect(wellFormed, "not a JSON-RPC message: \(text)", sourceLocation: sourceLocation)
            messages.append(message)
        }
        return messages
    }

    /// The probe is built next to `taskwire`, in the same build products directory.
    static func probePath() throws -> String {
        let binary = try TaskwireBinary.locate()
        let probe = URL(fileURLWithPath: binary).deletingLastPathComponent()
            .appendingPathComponent("taskwire-stdout-probe").path
        guard FileManager.default.isExecutableFile(atPath: probe) else {
            throw ProbeMissing(description: "\(probe) is missing; build the package with `swift build`")
        }
        return probe
    }

    @Test func strayPrintsGoToStderr() throws {
        let probe = try ChildProcess(executable: Self.probePath(), arguments: [], environment: Self.hostEnvironment())
        let input = [
            #"{"jsonrpc":"2.0","id":1,"method":"anything"}"#,
            #"{"jsonrpc":"2.0","method":"notified"}"#,
            #"[{"jsonrpc":"2.0","id":"b1","method":"x"},{"jsonrpc":"2.0","method":"y"},"#
                + #"{"jsonrpc":"2.0","id":"b2","method":"z"}]"#,
            #"{"jsonrpc":"2.0","id":9007199254740993,"method":"big"}"#,
        ]
        probe.send(input.joined(separator: "\n") + "\n")
        probe.closeStdin()
        #expect(probe.waitForExit(timeout: .seconds(10)) == 0)
        #expect(probe.waitForOutputEnd(timeout: .seconds(10)))

        let messages = Self.expectOnlyJSONRPC(probe.takePendingLines())
        #expect(probe.unterminatedOutput.isEmpty, "stdout ended with a partial line")
        #expect(messages.count == 3)
        #expect(messages.first == ["jsonrpc": "2.0", "id": 1, "result": [:]])
        #expect(messages.dropFirst().first?.arrayValue?.map { $0["id"] } == ["b1", "b2"])
        #expect(messages.last == ["jsonrpc": "2.0", "id": .number("9007199254740993"), "result": [:]])

        // Every call printed once, notifications included, and all of it went to stderr.
        let stderr = probe.stderrText
        #expect(stderr.components(separatedBy: Self.strayText).count - 1 == 6, "stderr: \(stderr)")
    }

    /// The real host: whatever it logs, stdout holds protocol messages and nothing else.
    @Test func realHostWritesOnlyJSONToStdout() throws {
        let binary = try TaskwireBinary.locate()
        let database = try TemporaryDatabase()
        let admin = AdminCommand(binary: binary, database: database.path)
        let (_, token) = try admin.addUser("alice")
        let organization = try admin.addOrganization("acme", owner: "alice")
        let project = try admin.addProject(organization: organization, name: "roadmap")

        let host = try ChildProcess(
            executable: binary,
            arguments: ["serve", "--db", database.path, "--log-level", "trace"],
            environment: Self.hostEnvironment()
        )
        let requests: [String] = [
            #"{"jsonrpc":"2.0","id":1,"method":"ping"}"#,
            #"{"jsonrpc":"2.0","id":2,"method":"initialize","params":{"protocolVersion":"1","token":"tw_wrong"}}"#,
            #"{"jsonrpc":"2.0","id":3,"method":"project.list"}"#,
            "this is not JSON",
            #"{"jsonrpc":"2.0","id":4,"method":"no.such.method"}"#,
            #"{"jsonrpc":"2.0","id":5,"method":"rpc.discover"}"#,
            #"{"jsonrpc":"2.0","id":6,"method":"initialize","params":{"protocolVersion":"1","token":"\#(token)"}}"#,
            #"{"jsonrpc":"2.0","id":7,"method":"project.join","params":{"projectId":"\#(project)"}}"#,
            #"[{"jsonrpc":"2.0","id":8,"method":"task.create","params":{"projectId":"\#(project)","#
                + #""title":"line\nbreak \u2028 stray","description":"\u0001\r\n"}},"#
                + #"{"jsonrpc":"2.0","id":9,"method":"project.list"}]"#,
        ]
        host.send(requests.joined(separator: "\n") + "\n")
        // The room event of the task is delivered on its own schedule; wait for it before ending the session.
        var lines: [[UInt8]] = []
        var seen: (event: Bool, lastReply: Bool) = (false, false)
        while !(seen.event && seen.lastReply), let line = host.nextLine(timeout: .seconds(10)) {
            lines.append(line)
            let message = try? JSONParser.parse(line)
            seen.event = seen.event || message?["method"] == "task.created"
            seen.lastReply = seen.lastReply || message?.arrayValue?.contains { $0["id"] == 9 } == true
        }
        #expect(seen.event && seen.lastReply, "stdout: \(lines.map { String(decoding: $0.prefix(80), as: UTF8.self) })")
        host.send(
            #"{"jsonrpc":"2.0","id":10,"method":"shutdown"}"# + "\n" + #"{"jsonrpc":"2.0","method":"exit"}"# + "\n"
        )
        #expect(host.waitForExit(timeout: .seconds(10)) == 0)
        #expect(host.waitForOutputEnd(timeout: .seconds(10)))

        let messages = Self.expectOnlyJSONRPC(lines + host.takePendingLines())
        #expect(host.unterminatedOutput.isEmpty, "stdout ended with a partial line")
        let replies = messages.flatMap { $0.arrayValue ?? [$0] }.filter { $0["method"] == nil }
        let ids = replies.compactMap { $0["id"] }
        #expect(Set(ids.map(\.text)) == Set((1...10).map(String.init) + ["null"]))
        #expect(replies.count == 11)
        #expect(!host.stderrText.isEmpty, "logs at trace level go to stderr")
    }
}

/// The probe executable was not built.
private struct ProbeMissing: Error, CustomStringConvertible {
    var description: String
}
