import Foundation
import TaskwireClient
import TaskwireProtocol
import TaskwireTestSupport
import TaskwireTranscripts
import Testing

/// A `taskwire serve` process on a temporary database, driven line by line.
private final class ServedHost {
    let database: TemporaryDatabase
    let process: ChildProcess

    init(database: TemporaryDatabase? = nil) throws {
        self.database = try database ?? TemporaryDatabase()
        process = try ChildProcess(
            executable: try TaskwireBinary.locate(),
            arguments: ["serve", "--db", self.database.path],
            environment: StdoutProtectionTests.hostEnvironment()
        )
    }

    func send(_ message: JSON) {
        process.send(message.bytes + [0x0A])
    }

    func request(_ id: Int, _ method: String, _ params: JSONObject = [:]) {
        send(["jsonrpc": "2.0", "id": .int(id), "method": .string(method), "params": .object(params)])
    }

    func notify(_ method: String) {
        send(["jsonrpc": "2.0", "method": .string(method)])
    }

    /// Waits for the response to request `id`, skipping notifications; records an issue when none comes.
    @discardableResult
    func response(to id: Int, sourceLocation: SourceLocation = #_sourceLocation) -> JSON? {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            guard let line = process.nextLine(timeout: deadline - ContinuousClock.now) else { break }
            guard let message = try? JSONParser.parse(line) else {
                Issue.record("not JSON: \(String(decoding: line, as: UTF8.self))", sourceLocation: sourceLocation)
                continue
            }
            if message["id"] == .int(id), message["method"] == nil { return message }
        }
        Issue.record(
            "no response to request \(id); stderr: \(process.stderrTail(lines: 10))",
            sourceLocation: sourceLocation
        )
        return nil
    }

    /// Pings the host and waits for the answer: it is up and has its signal handling in place.
    func waitUntilReady(sourceLocation: SourceLocation = #_sourceLocation) {
        request(1, "ping")
        #expect(response(to: 1, sourceLocation: sourceLocation)?["result"] == [:], sourceLocation: sourceLocation)
    }

    /// Expects the process to exit with `code` within the two seconds that Protocol/openrpc.json gives an ending of now.
    func expectExit(_ code: Int32, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let termination = process.waitForTermination(timeout: .seconds(2)) else {
            Issue.record("still running 2 s after the trigger", sourceLocation: sourceLocation)
            process.kill()
            return
        }
        #expect(
            termination == .exited(code),
            "\(termination); stderr: \(process.stderrTail(lines: 10))",
            sourceLocation: sourceLocation
        )
    }
}

@Suite struct LifecycleTests {
    /// How a test ends a host.
    enum Ending: String, CaseIterable, CustomTestStringConvertible {
        case endOfInput
        case exit
        case sigterm
        case sigint

        var testDescription: String { rawValue }

        /// The exit code Protocol/openrpc.json (exit) gives this ending when `shutdown` was not requested.
        var expectedCode: Int32 { self == .exit ? 1 : 0 }

        func trigger(_ process: ChildProcess) {
            switch self {
            case .endOfInput: process.closeStdin()
            case .exit: process.send(#"{"jsonrpc":"2.0","method":"exit"}"# + "\n")
            case .sigterm: process.signal(.term)
            case .sigint: process.signal(.int)
            }
        }
    }

    @Test(arguments: Ending.allCases)
    func exitCodeAndTime(_ ending: Ending) throws {
        let host = try ServedHost()
        host.waitUntilReady()
        ending.trigger(host.process)
        host.expectExit(ending.expectedCode)
    }

    @Test func exitWithoutShutdownAfterInitializeExitsOne() throws {
        let world = try TestWorld(userNames: ["alice"])
        let host = try ServedHost(database: world.database)
        host.request(1, "initialize", ["protocolVersion": "1", "token": .string(world.users[0].token)])
        #expect(host.response(to: 1)?["result"]?["user"]?["name"] == "alice")
        host.notify("exit")
        host.expectExit(1)
    }

    @Test(arguments: [Ending.exit, .endOfInput, .sigterm])
    func shutdownThenEndingExitsZero(_ ending: Ending) throws {
        let host = try ServedHost()
        host.request(1, "shutdown")
        let reply = host.response(to: 1)
        #expect(reply?["result"] == .null)
        #expect(reply?["error"] == nil)
        // After shutdown, requests are still answered.
        host.request(2, "ping")
        #expect(host.response(to: 2)?["result"] == [:])
        ending.trigger(host.process)
        host.expectExit(0)
    }

    @Test func requestsAfterExitAreNotRead() throws {
        let host = try ServedHost()
        host.waitUntilReady()
        host.process.send(
            #"{"jsonrpc":"2.0","method":"exit"}"# + "\n" + #"{"jsonrpc":"2.0","id":2,"method":"ping"}"# + "\n"
        )
        host.expectExit(1)
        host.process.waitForOutputEnd(timeout: .seconds(5))
        #expect(host.process.takePendingLines().isEmpty)
    }

    /// A signal while requests are being handled: the host still ends within 2 s, with exit code 0 and no
    /// message cut in half on stdout.
    @Test(arguments: [Ending.sigterm, .sigint, .endOfInput])
    func endingWithRequestsInFlight(_ ending: Ending) throws {
        let world = try TestWorld(userNames: ["alice"])
        let host = try ServedHost(database: world.database)
        host.request(1, "initialize", ["protocolVersion": "1", "token": .string(world.users[0].token)])
        #expect(host.response(to: 1)?["error"] == nil)
        let description = String(repeating: "d", count: 2000)
        var burst: [UInt8] = []
        for id in 2...1001 {
            let params: JSON = [
                "projectId": .string(world.projectID), "title": .string("t\(id)"), "description": .string(description),
            ]
            let request: JSON = ["jsonrpc": "2.0", "id": .int(id), "method": "task.create", "params": params]
            burst += request.bytes + [0x0A]
        }
        host.process.send(burst)
        #expect(host.response(to: 2)?["result"]?["task"] != nil)
        ending.trigger(host.process)
        if ending == .endOfInput {
            // End of input is seen only after every line before it: the last request is the one in flight.
            #expect(host.response(to: 1001)?["result"]?["task"] != nil)
            host.expectExit(0)
        } else {
            host.expectExit(0)
        }
        host.process.waitForOutputEnd(timeout: .seconds(5))
        #expect(host.process.unterminatedOutput.isEmpty, "a message was cut off")
        _ = StdoutProtectionTests.expectOnlyJSONRPC(host.process.takePendingLines())
    }

    /// Ending a host that joined a room makes the others in the room see it leave with reason `closed`.
    @Test(arguments: Ending.allCases)
    func endingAHostInARoomAnnouncesItsLeaving(_ ending: Ending) throws {
        let world = try TestWorld(userNames: ["alice", "bob"])
        let alice = try world.host(as: world.users[0])
        let bob = try world.host(as: world.users[1])
        let projectID = JSON.string(world.projectID)
        try alice.call("project.join", ["projectId": projectID])
        let joined = try bob.call("project.join", ["projectId": projectID])
        let bobSession = joined["presence"]?.arrayValue?.first { $0["user"]?["id"] == .string(world.users[1].id) }?[
            "sessionId"
        ]
        #expect(bobSession?.stringValue != nil)
        let announced = try alice.nextNotification("presence.joined", timeout: .seconds(10))
        #expect(announced["sessionId"] == bobSession)

        ending.trigger(bob.process)
        guard let termination = bob.process.waitForTermination(timeout: .seconds(2)) else {
            Issue.record("bob's host still runs 2 s after \(ending)")
            return
        }
        #expect(termination == .exited(ending.expectedCode))

        let left = try alice.nextNotification("presence.left", timeout: .seconds(10))
        #expect(
            left
                == [
                    "projectId": projectID, "sessionId": bobSession ?? .null,
                    "user": ["id": .string(world.users[1].id), "name": "bob"], "reason": "closed",
                ]
        )
        // Exactly one presence.left for that join.
        _ = try alice.call("ping")
        #expect(!alice.takeNotifications().contains { $0.method == "presence.left" })
    }
}
