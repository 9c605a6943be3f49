/// Keys: what each does in each mode.
extension BoardScreen {
    /// Handles one key with the board and the terminal's size as they are; returns what needs the host.
    /// Keys a mode has no use for do nothing.
    public mutating func handle(_ key: Key, board: Board, width: Int, height: Int) -> BoardAction {
        if key == .control("c") { return .quit }
        message = nil
        settle(board: board, height: height)
        switch mode {
        case .board:
            return handleBoard(key, board: board, height: height)
        case .card(var detail):
            guard key != .escape, key != .character("q") else {
                mode = .board
                return .none
            }
            let lines = BoardLayout.cardLines(detail, board: board, width: width).count
            let page = BoardLayout.pageRows(height: height)
            detail.scroll = Self.scrolled(detail.scroll, key: key, page: page, limit: lines - page)
            mode = .card(detail)
            return .none
        case .searchPrompt(let text):
            return handlePrompt(key, text: text)
        case .searchResults(var results):
            switch key {
            case .escape, .character("q"):
                mode = .board
            case .character("/"):
                mode = .searchPrompt(results.query)
            case .enter:
                guard results.results.indices.contains(results.selected) else { return .none }
                mode = .board
                if !select(taskID: results.results[results.selected].taskID, on: board, height: height) {
                    message = "That card is no longer on the board."
                }
            default:
                let count = results.results.count
                let page = max(1, BoardLayout.pageRows(height: height) / 2)
                results.selected = Self.scrolled(results.selected, key: key, page: page, limit: count - 1)
                mode = .searchResults(results)
            }
            return .none
        }
    }

    private mutating func handleBoard(_ key: Key, board: Board, height: Int) -> BoardAction {
        let page = BoardLayout.cardCapacity(height: height)
        switch key {
        case .character("q"): return .quit
        case .left, .character("h"): selectColumn(column - 1, board: board, height: height)
        case .right, .character("l"), .tab: selectColumn(column + 1, board: board, height: height)
        case .up, .character("k"): moveSelection(by: -1, board: board, height: height)
        case .down, .character("j"): moveSelection(by: 1, board: board, height: height)
        case .pageUp, .control("b"): moveSelection(by: -page, board: board, height: height)
        case .pageDown, .control("f"), .character(" "): moveSelection(by: page, board: board, height: height)
        case .home, .character("g"): moveSelection(by: -Int(Int32.max), board: board, height: height)
        case .end, .character("G"): moveSelection(by: Int(Int32.max), board: board, height: height)
        case .character("/"): mode = .searchPrompt("")
        case .enter:
            if let selectedID { return .openCard(selectedID) }
        default: break
        }
        return .none
    }

    private mutating func handlePrompt(_ key: Key, text: String) -> BoardAction {
        switch key {
        case .escape:
            mode = .board
        case .enter:
            let query = text.trimmingSpaces
            guard !query.isEmpty else {
                mode = .board
                return .none
            }
            return .search(query)
        case .backspace:
            mode = .searchPrompt(String(text.dropLast()))
        case .control("u"):
            mode = .searchPrompt("")
        case .character(let character):
            mode = .searchPrompt(text + String(character))
        default:
            break
        }
        return .none
    }

    /// A position moved by a scrolling key, kept within `0...limit`.
    static func scrolled(_ position: Int, key: Key, page: Int, limit: Int) -> Int {
        let moved =
            switch key {
            case .up, .character("k"): position - 1
            case .down, .character("j"): position + 1
            case .pageUp, .control("b"): position - page
            case .pageDown, .control("f"), .character(" "): position + page
            case .home, .character("g"): 0
            case .end, .character("G"): limit
            default: position
            }
        return max(0, min(max(0, limit), moved))
    }
}

extension String {
    /// The string without spaces at either end.
    var trimmingSpaces: String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
