import Foundation
import TaskwireClient
import TaskwireProtocol
import TaskwireTestSupport
import Testing

/// `taskwire board` in a real terminal (tmux): the board follows the room live — a card another client creates
/// appears, moves between columns, is found by a search, opens with its comments — it redraws on resize, and `q`
/// gives the terminal back as it was.
@Suite(.enabled(if: TmuxTerminal.isAvailable, "tmux is not installed (Scripts/install-dependencies.sh)"))
struct BoardTerminalTests {
    @Test(arguments: StoreBackend.allCases)
    func theBoardFollowsTheRoomInATerminal(_ backend: StoreBackend) throws {
        let world = try TestWorld(userNames: ["alice", "bob"], backend: backend)
        let alice = world.users[0]
        let bob = try world.host(as: world.users[1])
        let folder = world.database.directory
        let script = """
            stty -g > '\(folder)/stty-before'
            echo 'shell before the board'
            TASKWIRE_TOKEN='\(alice.token)' '\(world.binary)' board --project '\(world.projectID)' --db '\(world.location)' 2> '\(folder)/board-stderr'
            status=$?
            stty -g > '\(folder)/stty-after'
            echo "board exited with $status"
            exec sleep 600
            """
        try script.write(toFile: "\(folder)/board.sh", atomically: true, encoding: .utf8)
        let terminal = try TmuxTerminal(width: 120, height: 40, command: "sh '\(folder)/board.sh'")
        defer { terminal.kill() }

        try terminal.waitFor("the empty board") { lines in
            lines.first?.contains("Taskwire · project") == true && lines.contains { $0.contains("To do (0)") }
                && lines[1].contains("In the room: alice")
        }
        try bob.join(projectID: world.projectID)
        try terminal.waitFor("bob in the room") { $0[1].contains("In the room: alice, bob") }

        // A card created by another client appears, with its facts.
        let created = try bob.createTask(
            projectID: world.projectID,
            title: "Fix the login timeout",
            fields: ["priority": "high", "labels": ["auth"], "assigneeId": .string(alice.id)]
        )
        let taskID = try #require(created.entity["id"]?.stringValue)
        try terminal.waitFor("the new card in To do") { lines in
            lines[2].contains("To do (1)")
                && Self.column(0, of: lines).contains { $0.contains("Fix the login timeout") }
                && Self.column(0, of: lines).contains { $0.contains("high @alice #auth") }
        }

        // It moves between columns: task.setStatus puts it at the bottom of In progress.
        let started = try bob.setStatus(taskID: taskID, expectedVersion: 1, status: "in_progress")
        try terminal.waitFor("the card in In progress") { lines in
            lines[2].contains("To do (0)") && lines[2].contains("In progress (1)")
                && Self.column(1, of: lines).contains { $0.contains("Fix the login timeout") }
        }
        // task.move puts it into In review above a card already there; the board orders the column by rank.
        let changelog = try bob.createTask(
            projectID: world.projectID,
            title: "Update the changelog",
            fields: ["status": "in_review"]
        )
        let moved = try bob.moveTask(
            id: taskID,
            expectedVersion: started.entity.version,
            status: "in_review",
            beforeID: changelog.entity.id
        )
        try terminal.waitFor("the card moved to In review, above the changelog") { lines in
            let titles = Self.column(2, of: lines).filter { $0.contains("Fix the login") || $0.contains("changelog") }
            return lines[2].contains("In progress (0)") && lines[2].contains("In review (2)")
                && titles.map(\.trimmed) == ["Fix the login timeout", "Update the changelog"]
        }
        // And back below it, within the column.
        _ = try bob.moveTask(id: taskID, expectedVersion: moved.entity.version, afterID: changelog.entity.id)
        try terminal.waitFor("the card below the changelog") { lines in
            let titles = Self.column(2, of: lines).filter { $0.contains("Fix the login") || $0.contains("changelog") }
            return titles.map(\.trimmed) == ["Update the changelog", "Fix the login timeout"]
        }

        _ = try bob.createComment(taskID: taskID, body: "Reproduced on Firefox.")

        // A search finds the card, and picking the result selects it on the board; Enter then opens it.
        let search = Self.outcome {
            try bob.call("task.search", ["query": "login", "projectId": .string(world.projectID)])
        }
        try terminal.send("/")
        try terminal.waitFor("the search prompt") { $0.last?.contains("Search:") == true }
        try terminal.type("login")
        try terminal.send("Enter")
        switch search {
        case .success:
            try terminal.waitFor("the search result") { lines in
                lines[0].contains("Search: login") && lines.contains { $0.contains("Fix the login timeout") }
            }
            try terminal.send("Enter")
            try terminal.waitFor("the board again") { $0[2].contains("To do (0)") }
        case .failure(let error):
            try #require(error.code == -32601, "task.search failed: \(error)")
            print("task.search is not on this host yet: the board's search results are not checked")
            try terminal.waitFor("the board's note") { $0.last?.contains("Search is not available") == true }
            // The card is the second of the third column.
            try terminal.send("l", "l", "j")
        }
        try terminal.send("Enter")
        try terminal.waitFor("the open card with its comment") { lines in
            lines[0].contains("Fix the login timeout") && lines.contains { $0.contains("Comments (1)") }
                && lines.contains { $0.contains("Reproduced on Firefox.") } && lines.contains { $0.contains("bob ·") }
        }
        _ = try bob.createComment(taskID: taskID, body: "Fixed in the next release.")
        try terminal.waitFor("the new comment in the open card") { lines in
            lines.contains { $0.contains("Comments (2)") }
                && lines.contains { $0.contains("Fixed in the next release.") }
        }
        try terminal.send("Escape")
        try terminal.waitFor("the board after Escape") { $0[2].contains("To do (0)") }

        // A resize redraws the board for the new size.
        let relay = backend == .sqlite ? "local" : "postgres"
        try terminal.resize(width: 80, height: 24)
        try terminal.waitFor("the board at 80×24") { lines in
            // Columns 20, 19, 19 and 19 wide, with separators at 20, 40 and 60.
            let header = Array(lines[2])
            return lines.count == 24 && lines.allSatisfy { $0.count <= 80 } && header.count > 60
                && header[20] == "│" && header[40] == "│" && header[60] == "│" && lines[0].hasSuffix("relay \(relay)")
                && lines[23].contains("q quit")
        }

        // q ends the board: exit code 0, the shell's screen back, the terminal's settings as before.
        try terminal.send("q")
        try terminal.waitFor("the shell after q") { lines in
            lines.contains("shell before the board") && lines.contains("board exited with 0")
        }
        let before = try String(contentsOfFile: "\(folder)/stty-before", encoding: .utf8)
        let after = try String(contentsOfFile: "\(folder)/stty-after", encoding: .utf8)
        #expect(before == after)
        let stderr = try String(contentsOfFile: "\(folder)/board-stderr", encoding: .utf8)
        #expect(stderr.isEmpty, "the board wrote to stderr: \(stderr)")
    }

    /// A signal ends the board just as well: the terminal is restored and the exit code is 0.
    @Test func aSignalRestoresTheTerminal() throws {
        let world = try TestWorld(userNames: ["alice"])
        let folder = world.database.directory
        let script = """
            stty -g > '\(folder)/stty-before'
            TASKWIRE_TOKEN='\(world.users[0].token)' '\(world.binary)' board --project '\(world.projectID)' --db '\(world.location)' < /dev/tty &
            echo $! > '\(folder)/board-pid'
            wait $!
            status=$?
            stty -g > '\(folder)/stty-after'
            echo "board exited with $status"
            exec sleep 600
            """
        try script.write(toFile: "\(folder)/board.sh", atomically: true, encoding: .utf8)
        let terminal = try TmuxTerminal(width: 100, height: 30, command: "sh '\(folder)/board.sh'")
        defer { terminal.kill() }
        try terminal.waitFor("the board") { $0.first?.contains("Taskwire · project") == true }
        let pid = try #require(Int32(try String(contentsOfFile: "\(folder)/board-pid", encoding: .utf8).trimmed))
        kill(pid, SIGTERM)
        try terminal.waitFor("the shell after SIGTERM") { $0.contains("board exited with 0") }
        #expect(
            try String(contentsOfFile: "\(folder)/stty-before", encoding: .utf8)
                == String(contentsOfFile: "\(folder)/stty-after", encoding: .utf8)
        )
    }

    /// The lines of one column's card area (below the rule), at 120 columns: widths 30, 29, 29, 29.
    static func column(_ index: Int, of lines: [String]) -> [String] {
        lines.dropFirst(4).map { line in
            let parts = line.split(separator: "│", omittingEmptySubsequences: false)
            return index < parts.count ? String(parts[index]) : ""
        }
    }

    /// The result of a call, or the error the host answered.
    static func outcome(_ call: () throws -> JSON) -> Result<JSON, TaskwireError> {
        do {
            return .success(try call())
        } catch let error as TaskwireError {
            return .failure(error)
        } catch {
            return .failure(TaskwireError(error: ["code": -32603, "message": .string("\(error)")], method: "?"))
        }
    }
}

extension String {
    var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
