import ArgumentParser
import Foundation
import TaskwireProtocol

/// `taskwire call`: one request for scripts, through a host spawned for it.
struct Call: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send one request and print its result as JSON (exit 1 with the error on stderr)."
    )

    @Argument(help: "The method, e.g. task.create.") var method: String
    @Argument(help: "The params as a JSON object.") var params: String = "{}"
    @OptionGroup var database: DatabaseOptions
    @Option(help: "The token (default: $TASKWIRE_TOKEN).") var token: String?
    @Option(help: "A Redis relay URL, so that rooms on other hosts see the change at once.") var redis: String?

    func run() throws {
        let parsed: JSON
        do {
            parsed = try JSONParser.parse(params)
        } catch {
            throw fail("params are not valid JSON: \(error)")
        }
        guard case .object = parsed else { throw fail("params must be a JSON object") }
        var initialize: JSONObject = [
            "protocolVersion": "1", "clientInfo": ["name": "taskwire call", "version": .string(Taskwire.version)],
        ]
        if let token { initialize["token"] = .string(token) }
        var arguments = ["serve", "--db", database.path]
        if let redis { arguments += ["--redis", redis] }
        let replies = try ChildHost.exchange(
            arguments: arguments,
            messages: [
                .object(["jsonrpc": "2.0", "id": 1, "method": "initialize", "params": .object(initialize)]),
                .object(["jsonrpc": "2.0", "id": 2, "method": .string(method), "params": parsed]),
            ]
        )
        for id in ["1", "2"] {
            guard let reply = replies.first(where: { $0["id"] == .number(id) }) else {
                throw fail("no reply from the host")
            }
            if let error = reply["error"] { throw fail(error.text) }
            if id == "2" { print(reply["result"]?.text ?? "null") }
        }
    }
}

/// Runs this executable as a host for a fixed list of messages and collects what it writes.
enum ChildHost {
    static func exchange(arguments: [String], messages: [JSON]) throws -> [JSON] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.executablePath)
        process.arguments = arguments
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        var bytes: [UInt8] = []
        for message in messages {
            message.write(into: &bytes)
            bytes.append(0x0A)
        }
        input.fileHandleForWriting.write(Data(bytes))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return data.split(separator: 0x0A).compactMap { try? JSONParser.parse(Array($0)) }
    }
}

extension CommandLine {
    /// The path of the running executable.
    static var executablePath: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? arguments[0]
    }
}
