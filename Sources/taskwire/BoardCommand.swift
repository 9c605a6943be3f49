import ArgumentParser
import Foundation
import TaskwireBoard
import TaskwireClient
import TaskwireProtocol

#if canImport(Glibc)
import Glibc
#endif

/// `taskwire board`: the project's board in the terminal, live.
struct BoardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "board",
        abstract: "Show one project's board in the terminal, live: columns by status, cards by rank.",
        discussion: """
            Keys: arrows or h/j/k/l move, PgUp/PgDn scroll, Enter opens a card (Esc or q goes back), / searches, \
            q quits.

            Example: TASKWIRE_TOKEN=tw_… taskwire board --project prj_… --db team.sqlite
            """
    )

    @Option(help: "The project's id.") var project: String
    @OptionGroup var database: DatabaseOptions
    @Option(help: "The token (default: $TASKWIRE_TOKEN).") var token: String?
    @Option(help: "A Redis relay URL (default: $TASKWIRE_REDIS_URL).") var redis: String?

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        guard let token = token ?? environment["TASKWIRE_TOKEN"] else {
            throw ValidationError("a token is needed: --token or TASKWIRE_TOKEN")
        }
        guard isatty(STDIN_FILENO) != 0, isatty(STDOUT_FILENO) != 0 else {
            throw fail("the board needs a terminal; `taskwire watch` follows a room in a pipe")
        }
        // Before any thread starts: only the loop's signal thread receives these.
        let signals = Signals.block([SIGINT, SIGTERM, SIGHUP, SIGWINCH])
        var arguments = database.hostArguments
        if let redis = redis ?? environment["TASKWIRE_REDIS_URL"] { arguments += ["--redis", redis] }
        let host = try TaskwireConnection.serve(binary: CommandLine.executablePath, arguments: arguments)
        let board: Board
        do {
            board = try Self.load(project: project, host: host, token: token)
        } catch let error as TaskwireError {
            host.close()
            throw fail(error.description)
        } catch {
            host.close()
            throw fail("\(error)")
        }
        let loop: BoardLoop
        do {
            loop = try BoardLoop(host: host, board: board, signals: signals)
        } catch {
            host.close()
            throw fail(error.description)
        }
        let ending = loop.run()
        host.close()
        if case .failed(let reason) = ending { throw fail(reason) }
    }

    /// Opens the session, joins the room and loads every card, before the terminal is taken over, so that a
    /// mistake (a bad token, an unknown project) is a plain message.
    static func load(project: String, host: TaskwireConnection, token: String) throws -> Board {
        let session = try host.initialize(token: token, clientName: "taskwire board", clientVersion: Taskwire.version)
        let name = try host.projects().first { $0.id == project }?.name ?? project
        // Join first, then list: no event is lost between the two, and the board skips what the list already has.
        let joined = try host.join(projectID: project)
        var board = Board(
            projectID: project,
            projectName: name,
            user: (session.userID, session.userName),
            relay: session.relay,
            seq: joined.seq,
            presence: joined.presence
        )
        board.load(tasks: try allTasks(project: project, host: host))
        return board
    }

    /// Every task of the project, page by page, in board order where the host knows it.
    static func allTasks(project: String, host: TaskwireConnection) throws -> [JSON] {
        var ordered = true
        var tasks: [JSON] = []
        var cursor: JSON = .null
        while true {
            var params: JSONObject = ["projectId": .string(project), "limit": 500]
            if ordered { params["order"] = "board" }
            if !cursor.isNull { params["cursor"] = cursor }
            let page: JSON
            do {
                page = try host.call("task.list", params)
            } catch let error as TaskwireError where ordered && error.data?["field"]?.stringValue == "order" {
                // A host from before ranks: list in creation order, which the board sorts the same way.
                ordered = false
                tasks = []
                cursor = .null
                continue
            }
            tasks += page["tasks"]?.arrayValue ?? []
            cursor = page["nextCursor"] ?? .null
            if cursor.isNull { return tasks }
        }
    }
}
