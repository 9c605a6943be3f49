import Foundation
import TaskwireClient
import TaskwireProtocol
import TaskwireTestSupport
import Testing

/// Thousands of malformed, truncated, oversized, deeply nested, wrong-typed and invalid-UTF-8 lines written to a
/// live, initialized host: each gets its defined error, stdout stays valid JSON lines, and the host still answers.
@Suite struct FaultMalformedInputTests {
    /// A deterministic generator, so a failure can be replayed from its seed.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var value = state
            value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
            value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
            return value ^ (value >> 31)
        }
    }

    /// One line to send and the error it must get: the code, and the id when the id can be read.
    struct Case {
        var bytes: [UInt8]
        var code: Int
        var id: Int?
        var kind: String
    }

    static let maxMessageBytes = 600_000

    /// Params of the wrong type or shape for methods that exist; each must be -32602.
    static func wrongTyped(_ projectID: String) -> [(String, JSON)] {
        [
            ("task.create", ["projectId": .string(projectID), "title": 5]),
            ("task.create", ["projectId": .string(projectID), "title": "t", "labels": [1, 2]]),
            ("task.create", ["projectId": .string(projectID), "title": "t", "status": "later"]),
            ("task.create", ["projectId": .string(projectID), "title": "t", "dueDate": "2023-02-29"]),
            ("task.create", ["projectId": .string(projectID), "title": "  "]),
            ("task.create", ["projectId": 7, "title": "t"]),
            ("task.update", ["id": "x", "expectedVersion": "1", "title": "t"]),
            ("task.update", ["id": "x", "expectedVersion": .number("1.5"), "title": "t"]),
            ("task.update", ["id": "x", "expectedVersion": 1, "status": "done"]),
            ("task.update", ["id": "x", "expectedVersion": 1]),
            ("task.list", ["projectId": .string(projectID), "limit": 0]),
            ("task.list", ["projectId": .string(projectID), "limit": "ten"]),
            ("task.list", ["projectId": .string(projectID), "cursor": "not-a-cursor"]),
            ("task.get", ["id": ["nested": true]]),
            ("events.list", ["projectId": .string(projectID), "after": -1]),
            ("comment.create", ["taskId": "x", "body": ""]),
            ("project.join", ["projectId": .string(projectID), "since": "0"]),
            ("ping", ["unexpected": true]),
        ]
    }

    static func request(id: Int, method: String, params: JSON) -> [UInt8] {
        JSON.object(["jsonrpc": "2.0", "id": .int(id), "method": .string(method), "params": params]).bytes
    }

    static func cases(projectID: String, count: Int, seed: UInt64) -> [Case] {
        var random = SplitMix(state: seed)
        let typed = wrongTyped(projectID)
        var cases: [Case] = []
        for index in 0..<count {
            let id = index + 100
            switch random.next() % 9 {
            case 0:
                let whole = request(
                    id: id,
                    method: "task.create",
                    params: ["projectId": .string(projectID), "title": "x"]
                )
                let cut = 1 + Int(random.next() % UInt64(whole.count - 1))
                cases.append(Case(bytes: Array(whole[..<cut]), code: -32700, id: nil, kind: "truncated"))
            case 1:
                var line = Array(#"{"jsonrpc":"2.0","id":1,"method":"task.create","params":{"title":""#.utf8)
                let invalid: [[UInt8]] = [
                    [0xC3, 0x28], [0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80],
                ]
                line += invalid[Int(random.next() % UInt64(invalid.count))]
                line += Array(#""}}"#.utf8)
                cases.append(Case(bytes: line, code: -32700, id: nil, kind: "invalid UTF-8"))
            case 2:
                let depth = random.next() % 4 == 0 ? 100_000 : JSONParser.maximumDepth + 1 + Int(random.next() % 1000)
                let opener: [UInt8] = random.next() % 2 == 0 ? Array("[".utf8) : Array(#"{"a":"#.utf8)
                cases.append(
                    Case(
                        bytes: Array(repeating: opener, count: depth).flatMap { $0 },
                        code: -32700,
                        id: nil,
                        kind: "deep"
                    )
                )
            case 3:
                let size = maxMessageBytes + 1 + Int(random.next() % 1000)
                var line = Array(#"{"jsonrpc":"2.0","id":5,"method":"ping","params":{"pad":""#.utf8)
                line += Array(repeating: UInt8(ascii: "a"), count: size)
                line += Array(#""}}"#.utf8)
                cases.append(Case(bytes: line, code: -32600, id: nil, kind: "oversized"))
            case 4, 5:
                let (method, params) = typed[Int(random.next() % UInt64(typed.count))]
                cases.append(
                    Case(bytes: request(id: id, method: method, params: params), code: -32602, id: id, kind: method)
                )
            case 6:
                let values = ["5", "\"text\"", "null", "true", "[]", "{}", #"{"jsonrpc":"2.0","method":4}"#]
                let value = values[Int(random.next() % UInt64(values.count))]
                cases.append(Case(bytes: Array(value.utf8), code: -32600, id: nil, kind: "not a request"))
            case 7:
                var junk: [UInt8] = [0x01]
                for _ in 0..<(1 + random.next() % 200) {
                    var byte = UInt8(truncatingIfNeeded: random.next())
                    if byte == 0x0A || byte == 0x0D { byte = 0x20 }
                    junk.append(byte)
                }
                cases.append(Case(bytes: junk, code: -32700, id: nil, kind: "junk"))
            default:
                let line = request(id: id, method: "no.such.method", params: [:])
                cases.append(Case(bytes: line, code: -32601, id: id, kind: "unknown method"))
            }
        }
        return cases
    }

    @Test func everyMalformedLineGetsItsDefinedError() throws {
        let world = try TestWorld(userNames: ["owner"])
        let host = try ChildProcess(
            executable: world.binary,
            arguments: ["serve", "--db", world.database.path, "--max-message-bytes", String(Self.maxMessageBytes)],
            environment: ProcessInfo.processInfo.environment.merging(["TASKWIRE_TOKEN": world.users[0].token]) { $1 }
        )
        defer { host.kill() }
        host.send(#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"1"}}"# + "\n")
        #expect(try Self.next(host)["result"]?["sessionId"] != nil)
        #expect(try Self.next(host)["method"] == "relay.status")

        let cases = Self.cases(projectID: world.projectID, count: 3000, seed: 0x7A5C_3E11)
        for batch in stride(from: 0, to: cases.count, by: 100) {
            let slice = cases[batch..<min(batch + 100, cases.count)]
            var bytes: [UInt8] = []
            for item in slice { bytes += item.bytes + [0x0A] }
            host.send(bytes)
            for item in slice {
                let reply = try Self.next(host)
                let code = reply["error"]?["code"]?.int64Value.map(Int.init)
                #expect(code == item.code, "\(item.kind): expected \(item.code), got \(reply.text.prefix(300))")
                #expect(code != -32603)
                let expectedID: JSON = item.id.map { .int($0) } ?? .null
                #expect(reply["id"] == expectedID, "\(item.kind): id \(reply["id"]?.text ?? "none")")
                #expect(reply["jsonrpc"] == "2.0")
            }
        }
        host.send(#"{"jsonrpc":"2.0","id":"after","method":"ping"}"# + "\n")
        #expect(try Self.next(host) == ["jsonrpc": "2.0", "id": "after", "result": [:]])
        host.closeStdin()
        #expect(host.waitForExit(timeout: .seconds(5)) == 0)
        #expect(host.unterminatedOutput.isEmpty)
    }

    /// The next stdout line, which must be one JSON text.
    static func next(_ host: ChildProcess, sourceLocation: SourceLocation = #_sourceLocation) throws -> JSON {
        guard let line = host.nextLine(timeout: .seconds(20)) else {
            Issue.record("no reply; stderr: \(host.stderrTail(lines: 10))", sourceLocation: sourceLocation)
            throw ConnectionError(description: "no reply")
        }
        return try JSONParser.parse(line)
    }
}
