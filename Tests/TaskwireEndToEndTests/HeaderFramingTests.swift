import TaskwireClient
import TaskwireProtocol
import TaskwireTestSupport
import Testing

/// A client that frames with `Content-Length` headers, as editor RPC libraries do (LSP base protocol): the host
/// detects it from the first bytes and answers in the same framing, `params: null` included.
@Suite struct HeaderFramingTests {
    static func framed(_ message: JSON) -> [UInt8] {
        let body = message.bytes
        return Array(
            "Content-Length: \(body.count)\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n".utf8
        )
            + body
    }

    /// The messages of a header-framed output, read back from the lines the process reader split it into.
    static func messages(_ process: ChildProcess) -> [JSON] {
        let lines = process.takePendingLines().map { String(decoding: $0, as: UTF8.self) }
        var text = Substring(
            (lines + [String(decoding: process.unterminatedOutput, as: UTF8.self)]).joined(separator: "\n")
        )
        var messages: [JSON] = []
        while let range = text.range(of: "Content-Length: ") {
            let digits = text[range.upperBound...].prefix { $0.isNumber }
            guard let length = Int(digits) else { break }
            text = text[range.upperBound...].dropFirst(digits.count)
            while text.first == "\n" { text = text.dropFirst() }
            let body = Array(text.utf8.prefix(length))
            text = Substring(String(decoding: text.utf8.dropFirst(length), as: UTF8.self))
            if let message = try? JSONParser.parse(body) { messages.append(message) }
        }
        return messages
    }

    @Test func anEditorStyleSessionIsAnsweredInItsOwnFraming() throws {
        let world = try TestWorld(userNames: ["alice"])
        let process = try ChildProcess(
            executable: world.binary,
            arguments: ["serve", "--db", world.location],
            environment: Environment.current.filter { !$0.key.hasPrefix("TASKWIRE_") }
        )
        let token = world.users[0].token
        for message: JSON in [
            [
                "jsonrpc": "2.0", "id": 1, "method": "initialize",
                "params": [
                    "protocolVersion": "1", "token": .string(token), "clientInfo": ["name": "editor", "version": "1"],
                ],
            ],
            ["jsonrpc": "2.0", "id": 2, "method": "ping", "params": .null],
            ["jsonrpc": "2.0", "id": 3, "method": "shutdown", "params": .null],
            ["jsonrpc": "2.0", "method": "exit", "params": .null],
        ] {
            process.send(Self.framed(message))
        }
        #expect(process.waitForExit(timeout: .seconds(10)) == 0, "\(process.stderrText)")
        #expect(process.waitForOutputEnd(timeout: .seconds(5)))
        let messages = Self.messages(process)
        #expect(messages.count == 4, "\(messages.map(\.text))")
        #expect(messages.first?["result"]?["user"]?["name"] == "alice")
        #expect(messages.contains { $0["method"] == "relay.status" })
        #expect(messages.contains { $0["id"] == 2 && $0["result"] == [:] })
        #expect(messages.contains { $0["id"] == 3 && $0["result"] == .null })
    }
}
