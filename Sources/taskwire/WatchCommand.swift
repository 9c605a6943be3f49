import ArgumentParser
import Foundation
import TaskwireClient
import TaskwireProtocol

/// `taskwire watch`: a live, human-readable feed of one room.
struct WatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Follow one project's room live in the terminal.",
        discussion: "Example: TASKWIRE_TOKEN=tw_… taskwire watch --project prj_… --db team.sqlite"
    )

    @Option(help: "The project's id.") var project: String
    @OptionGroup var database: DatabaseOptions
    @Option(help: "The token (default: $TASKWIRE_TOKEN).") var token: String?
    @Option(help: "A Redis relay URL (default: $TASKWIRE_REDIS_URL).") var redis: String?
    @Option(help: "Replay the events after this seq first.") var since: Int?

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        guard let token = token ?? environment["TASKWIRE_TOKEN"] else {
            throw ValidationError("a token is needed: --token or TASKWIRE_TOKEN")
        }
        var arguments = database.hostArguments
        if let redis = redis ?? environment["TASKWIRE_REDIS_URL"] { arguments += ["--redis", redis] }
        let host = try TaskwireConnection.serve(binary: CommandLine.executablePath, arguments: arguments)
        do {
            let session = try host.initialize(
                token: token,
                clientName: "taskwire watch",
                clientVersion: Taskwire.version
            )
            let joined = try host.join(projectID: project, since: since.map(Int64.init))
            let names = joined.presence.compactMap { $0["user"]?["name"]?.stringValue }
            print("Watching \(project) as \(session.userName) at seq \(joined.seq)")
            print("In the room: \(names.joined(separator: ", "))")
        } catch let error as TaskwireError {
            throw fail(error.description)
        }
        fflush(nil)
        while true {
            guard let message = host.nextNotification(timeout: .seconds(3600)) else {
                if host.isClosed { throw ExitCode.failure }
                continue
            }
            print(Self.describe(message.json))
            fflush(nil)
        }
    }

    /// One readable line for a notification.
    static func describe(_ message: JSON) -> String {
        let method = message["method"]?.stringValue ?? "?"
        let params = message["params"] ?? .null
        let actor = params["actor"]?["name"]?.stringValue ?? ""
        let seq = params["seq"].map { "#\($0.text) " } ?? ""
        let data = params["data"] ?? .null
        switch method {
        case "task.created", "task.updated":
            let task = data["task"] ?? .null
            let title = task["title"]?.stringValue ?? ""
            return
                "\(seq)\(method) by \(actor): \"\(title)\" [\(task["status"]?.stringValue ?? "")] v\(task["version"]?.text ?? "")"
        case "task.statusChanged":
            let title = data["task"]?["title"]?.stringValue ?? ""
            return
                "\(seq)\(method) by \(actor): \"\(title)\" \(data["from"]?.stringValue ?? "") → \(data["to"]?.stringValue ?? "")"
        case "task.moved":
            let title = data["task"]?["title"]?.stringValue ?? ""
            let from = "\(data["from"]?["status"]?.stringValue ?? "")/\(data["from"]?["rank"]?.stringValue ?? "")"
            let to = "\(data["to"]?["status"]?.stringValue ?? "")/\(data["to"]?["rank"]?.stringValue ?? "")"
            return "\(seq)\(method) by \(actor): \"\(title)\" \(from) → \(to)"
        case "task.reranked":
            let count = data["ranks"]?.arrayValue?.count ?? 0
            return "\(seq)\(method) by \(actor): \(count) cards of \(data["status"]?.stringValue ?? "") respaced"
        case "task.deleted":
            return "\(seq)\(method) by \(actor): \(data["taskId"]?.stringValue ?? "")"
        case "comment.created", "comment.updated":
            return "\(seq)\(method) by \(actor): \"\(data["comment"]?["body"]?.stringValue ?? "")\""
        case "comment.deleted":
            return "\(seq)\(method) by \(actor): \(data["commentId"]?.stringValue ?? "")"
        case "presence.joined":
            return "\(params["user"]?["name"]?.stringValue ?? "?") joined"
        case "presence.left":
            return "\(params["user"]?["name"]?.stringValue ?? "?") left (\(params["reason"]?.stringValue ?? ""))"
        case "relay.status":
            return "relay \(params["relay"]?.stringValue ?? ""): \(params["state"]?.stringValue ?? "")"
        default:
            return "\(method) \(params.text)"
        }
    }
}
