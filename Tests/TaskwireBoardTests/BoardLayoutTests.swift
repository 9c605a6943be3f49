import TaskwireBoard
import TaskwireProtocol
import Testing

/// A board with `count` cards in "To do" and one in each other column.
func fullBoard(todo count: Int) -> Board {
    var board = makeBoard()
    var tasks = (0..<count).map { index in
        taskJSON(
            "tsk_\(1000 + index)",
            rank: rankText((index + 1) * 1000),
            title: "Card number \(index) with a title long enough to be cut in a narrow column",
            assignee: "usr_alice",
            labels: ["ui", "backend"]
        )
    }
    tasks.append(taskJSON("tsk_p", status: "in_progress", title: "漢字のタイトル 🎉 wide"))
    tasks.append(taskJSON("tsk_r", status: "in_review", title: "Escape \u{1B}[31m in a title"))
    tasks.append(taskJSON("tsk_d", status: "done", title: "Done"))
    board.load(tasks: tasks)
    return board
}

/// The frame of `board` as the loop draws it.
func render(_ board: Board, _ screen: inout BoardScreen, width: Int, height: Int) -> Frame {
    screen.settle(board: board, height: height)
    return BoardLayout.frame(board: board, screen: screen, width: width, height: height)
}

@Suite struct BoardLayoutTests {
    static let sizes = [(40, 10), (80, 24), (120, 40), (211, 57), (39, 9), (20, 3), (1, 1)]

    @Test(arguments: sizes)
    func everyModeFillsTheScreenExactly(width: Int, height: Int) {
        let board = fullBoard(todo: 30)
        let detail = CardDetail(taskID: "tsk_1003", comments: [])
        let results = SearchResults(
            query: "card",
            response: ["results": [["task": taskJSON("tsk_1003"), "score": 1, "snippet": "a **card** here"]]]
        )
        let modes: [BoardScreen.Mode] = [.board, .searchPrompt("card"), .card(detail), .searchResults(results)]
        for mode in modes {
            var screen = BoardScreen()
            screen.mode = mode
            let frame = render(board, &screen, width: width, height: height)
            #expect(frame.rows.count == height, "\(mode)")
            for row in frame.rows {
                #expect(TerminalText.width(of: row.text) == width, "\(mode) at \(width)×\(height): \(row.text)")
                #expect(row.width == width)
                #expect(!row.text.contains("\u{1B}"))
            }
        }
    }

    @Test func theBoardShowsColumnsCountsPresenceAndCards() {
        let board = fullBoard(todo: 3)
        var screen = BoardScreen()
        let lines = render(board, &screen, width: 120, height: 40).lines
        #expect(lines[0].contains("Taskwire · Website"))
        #expect(lines[0].contains("relay local"))
        #expect(lines[1].contains("In the room: alice"))
        for title in ["To do (3)", "In progress (1)", "In review (1)", "Done (1)"] {
            #expect(lines[2].contains(title), "\(lines[2])")
        }
        #expect(lines[4].hasPrefix(" Card number 0 with"))
        #expect(lines[4].contains("…"))
        #expect(lines[5].contains("medium @alice #ui #backend"))
        #expect(lines[7].hasPrefix(" Card number 1"))
        #expect(lines[4].contains("漢字のタイトル"))
        #expect(lines[4].contains("Escape  [31m in a title"))
    }

    @Test func aLongColumnScrollsWithTheSelection() {
        let board = fullBoard(todo: 30)
        var screen = BoardScreen()
        let height = 24
        let capacity = BoardLayout.cardCapacity(height: height)
        var lines = render(board, &screen, width: 100, height: height).lines
        #expect(lines[2].hasPrefix(" To do (30) ") && lines[2].contains(" ↓\(30 - capacity)│"))
        for _ in 0..<capacity {
            _ = screen.handle(.down, board: board, width: 100, height: height)
        }
        lines = render(board, &screen, width: 100, height: height).lines
        #expect(screen.selectedID == "tsk_\(1000 + capacity)")
        #expect(lines[2].contains(" ↑1 ↓\(30 - capacity - 1)│"))
        #expect(lines[4].hasPrefix(" Card number 1 "))
        _ = screen.handle(.end, board: board, width: 100, height: height)
        lines = render(board, &screen, width: 100, height: height).lines
        #expect(screen.selectedID == "tsk_1029")
        #expect(lines[2].contains(" ↑\(30 - capacity)│"))
        #expect(!lines[2].contains("↓"))
        _ = screen.handle(.pageUp, board: board, width: 100, height: height)
        #expect(screen.selectedID == "tsk_\(1029 - capacity)")
    }

    @Test func anOpenCardShowsItsDescriptionAndComments() {
        var board = makeBoard()
        var task = taskJSON("tsk_a", title: "Fix the login timeout", assignee: "usr_alice", labels: ["auth"])
        if case .object(var object) = task {
            object["description"] = "Users are logged out\nafter five minutes."
            task = .object(object)
        }
        board.load(tasks: [task])
        let comment: JSON = [
            "id": "cmt_1", "taskId": "tsk_a", "projectId": "prj_simulated", "authorId": "usr_alice",
            "body": "I can reproduce it.", "version": 1, "createdAt": "2026-05-01T12:34:56.789Z", "updatedAt": "t",
        ]
        var screen = BoardScreen()
        screen.show(CardDetail(taskID: "tsk_a", comments: [comment]))
        let lines = render(board, &screen, width: 80, height: 20).lines
        #expect(lines[0].hasPrefix(" Fix the login timeout"))
        #expect(lines[0].hasSuffix("v1 "))
        #expect(lines[1].hasPrefix(" To do · medium @alice #auth"))
        #expect(lines[3].hasPrefix(" Users are logged out"))
        #expect(lines[4].hasPrefix(" after five minutes."))
        #expect(lines[6].hasPrefix(" Comments (1)"))
        #expect(lines[7].hasPrefix(" alice · 2026-05-01 12:34"))
        #expect(lines[8].hasPrefix("   I can reproduce it."))
        #expect(lines[19].contains("Esc/q back"))
    }

    @Test func searchResultsMarkTheMatches() {
        let board = fullBoard(todo: 3)
        let results = SearchResults(
            query: "login",
            response: [
                "results": [
                    [
                        "task": taskJSON("tsk_1001", title: "Fix the login"), "score": 2,
                        "snippet": "the **login** page",
                    ],
                    ["task": taskJSON("tsk_gone", title: "Gone"), "score": 1, "snippet": "**login**"],
                ],
                "nextCursor": nil,
            ]
        )
        var screen = BoardScreen()
        screen.show(results: results)
        let frame = render(board, &screen, width: 80, height: 12)
        #expect(frame.lines[0].contains("Search: login"))
        #expect(frame.lines[0].contains("2 results"))
        #expect(frame.lines[1].hasPrefix(" Fix the login"))
        #expect(frame.lines[1].hasSuffix(" [To do] "))
        #expect(frame.lines[2].hasPrefix("   the login page"))
        let match = frame.rows[2].spans.first { $0.text == "login" }
        #expect(match?.style.bold == true)
        #expect(SearchResults.highlights("a **b** c **d**").map(\.match) == [false, true, false, true])
    }
}
