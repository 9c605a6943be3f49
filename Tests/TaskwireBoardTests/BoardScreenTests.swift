import TaskwireBoard
import TaskwireProtocol
import Testing

@Suite struct BoardScreenTests {
    let board = fullBoard(todo: 3)

    /// Feeds keys to a screen, returning the actions that are not `.none`.
    func press(_ keys: [Key], on screen: inout BoardScreen, height: Int = 24) -> [BoardAction] {
        keys.map { screen.handle($0, board: board, width: 80, height: height) }.filter { $0 != .none }
    }

    @Test func arrowsAndVimKeysMoveBetweenColumnsAndCards() {
        var screen = BoardScreen()
        screen.settle(board: board, height: 24)
        #expect(screen.selectedID == "tsk_1000")
        _ = press([.down, .character("j")], on: &screen)
        #expect(screen.selectedID == "tsk_1002")
        _ = press([.down], on: &screen)
        #expect(screen.selectedID == "tsk_1002")
        _ = press([.character("k")], on: &screen)
        #expect(screen.selectedID == "tsk_1001")
        _ = press([.right], on: &screen)
        #expect(screen.status == .inProgress)
        #expect(screen.selectedID == "tsk_p")
        _ = press([.character("l"), .character("l"), .character("l")], on: &screen)
        #expect(screen.status == .done)
        _ = press([.character("h"), .left], on: &screen)
        #expect(screen.status == .inProgress)
        _ = press([.left], on: &screen)
        #expect(screen.status == .todo)
    }

    @Test func enterOpensTheSelectedCardAndEscapeOrQGoesBack() {
        var screen = BoardScreen()
        #expect(press([.down, .enter], on: &screen) == [.openCard("tsk_1001")])
        screen.show(CardDetail(taskID: "tsk_1001", comments: []))
        _ = press([.down, .pageDown], on: &screen)
        #expect(press([.escape], on: &screen).isEmpty)
        #expect(screen.mode == .board)
        screen.show(CardDetail(taskID: "tsk_1001", comments: []))
        #expect(press([.character("q")], on: &screen).isEmpty)
        #expect(screen.mode == .board)
        #expect(press([.character("q")], on: &screen) == [.quit])
    }

    @Test func slashSearchesAndEnterOnAResultSelectsItsCard() {
        var screen = BoardScreen()
        #expect(press([.character("/"), .character("l"), .character("x"), .backspace], on: &screen).isEmpty)
        #expect(screen.mode == .searchPrompt("l"))
        let actions = press([.character("o"), .character("g"), .character("q"), .backspace, .enter], on: &screen)
        #expect(actions == [.search("log")])
        let response: JSON = [
            "results": [
                ["task": taskJSON("tsk_1000"), "score": 2, "snippet": "**log**"],
                ["task": taskJSON("tsk_d", status: "done"), "score": 1, "snippet": "**log**"],
            ],
            "nextCursor": nil,
        ]
        screen.show(results: SearchResults(query: "log", response: response))
        _ = press([.down, .enter], on: &screen)
        #expect(screen.mode == .board)
        #expect(screen.status == .done)
        #expect(screen.selectedID == "tsk_d")
    }

    @Test func escapeCancelsTheSearchAndAnEmptyQueryRunsNothing() {
        var screen = BoardScreen()
        _ = press([.character("/"), .character("a"), .escape], on: &screen)
        #expect(screen.mode == .board)
        #expect(press([.character("/"), .character(" "), .enter], on: &screen).isEmpty)
        #expect(screen.mode == .board)
    }

    @Test func aResultNoLongerOnTheBoardSaysSo() {
        var screen = BoardScreen()
        let response: JSON = ["results": [["task": taskJSON("tsk_gone"), "score": 1, "snippet": ""]]]
        screen.show(results: SearchResults(query: "gone", response: response))
        _ = press([.enter], on: &screen)
        #expect(screen.mode == .board)
        #expect(screen.message == "That card is no longer on the board.")
        _ = press([.character("x")], on: &screen)
        #expect(screen.message == nil)
    }

    @Test(arguments: [Key.unknown, .character("x"), .character("Z"), .tab, .control("e"), .backspace, .home])
    func unknownKeysAreIgnored(_ key: Key) {
        var screen = BoardScreen()
        _ = press([.right], on: &screen)
        let before = screen
        let actions = press([key], on: &screen)
        #expect(actions.isEmpty)
        if key != .tab && key != .home { #expect(screen == before) }
    }

    @Test func controlCQuitsFromEveryMode() {
        for mode: BoardScreen.Mode in [.board, .searchPrompt("x"), .card(CardDetail(taskID: "tsk_1000", comments: []))]
        {
            var screen = BoardScreen()
            screen.mode = mode
            #expect(press([.control("c")], on: &screen) == [.quit])
        }
    }

    @Test func theSelectionKeepsItsPlaceWhenItsCardLeavesTheColumn() {
        var board = self.board
        var screen = BoardScreen()
        _ = screen.handle(.down, board: board, width: 80, height: 24)
        #expect(screen.selectedID == "tsk_1001")
        let moved = event(
            "task.statusChanged",
            seq: 1,
            data: [
                "task": taskJSON("tsk_1001", status: "done", rank: "0009000", version: 2), "from": "todo", "to": "done",
            ]
        )
        _ = board.apply(method: "task.statusChanged", params: moved)
        screen.settle(board: board, height: 24)
        #expect(screen.status == .todo)
        #expect(screen.selectedID == "tsk_1002")
    }
}
