import ArgumentParser
import Foundation
import TaskwireClient
import TaskwireProtocol

/// `taskwire call`: one request for scripts, through a host spawned for it.
struct CallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call",
        abstract: "Send one request and print its result as JSON (exit 1 with the error on stderr).",
        discussion: "Example: taskwire call task.list '{\"projectId\": \"prj_…\"}' --db team.sqlite --token tw_…"
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
        guard case .object(let object) = parsed else { throw fail("params must be a JSON object") }
        var arguments = database.hostArguments
        if let redis { arguments += ["--redis", redis] }
        var initialize: JSONObject = [
            "protocolVersion": .string(ProtocolVersion.current),
            "clientInfo": ["name": "taskwire call", "version": .string(Taskwire.version)],
        ]
        if let token = token ?? ProcessInfo.processInfo.environment["TASKWIRE_TOKEN"] {
            initialize["token"] = .string(token)
        }
        let host = try TaskwireConnection.serve(binary: CommandLine.executablePath, arguments: arguments)
        defer { host.close() }
        do {
            try host.call("initialize", initialize)
            print(try host.call(method, object).text)
        } catch let error as TaskwireError {
            throw fail("\(error.method): \(error.error.text)")
        } catch let error as ConnectionError {
            throw fail(error.description)
        }
    }
}

extension CommandLine {
    /// The path of the running executable.
    static var executablePath: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? arguments[0]
    }
}
