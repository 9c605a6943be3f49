public import TaskwireProtocol

/// What the user asked for that needs the host: the loop that owns the connection carries it out.
public enum BoardAction: Sendable, Equatable {
    case none
    case quit
    /// Open the card: load its comments (`comment.list`), then ``BoardScreen/show(_:)``.
    case openCard(String)
    /// Search the project (`task.search`), then ``BoardScreen/show(results:)``.
    case search(String)
}

/// What the user sees and where they are: the mode (board, open card, search), the selection, the scrolling of
/// each column, and a message for the status line. Changed by keys and by the answers to ``BoardAction``s.
public struct BoardScreen: Sendable, Equatable {
    public enum Mode: Sendable, Equatable {
        case board
        case card(CardDetail)
        /// The search prompt, with what was typed so far.
        case searchPrompt(String)
        case searchResults(SearchResults)
    }

    public var mode: Mode = .board
    /// The selected column, an index into `TaskStatus.allCases`.
    public private(set) var column = 0
    /// The selected card, when its column has any.
    public private(set) var selectedID: String?
    /// Where the selection was in its column, to keep its place when the card itself leaves the column.
    private var row = 0
    /// The first card shown of each column.
    public private(set) var scroll = Array(repeating: 0, count: TaskStatus.allCases.count)
    /// A line for the status bar (an error, a search without results); cleared by the next key.
    public var message: String?

    public init() {}

    /// The selected column's status.
    public var status: TaskStatus { TaskStatus.allCases[column] }

    /// Selects the card `taskID` on the board, in whatever column it is now; false when it is not on the board.
    @discardableResult
    public mutating func select(taskID: String, on board: Board, height: Int) -> Bool {
        guard let card = board.cards[taskID], let index = TaskStatus.allCases.firstIndex(of: card.status) else {
            return false
        }
        column = index
        selectedID = taskID
        row = board.columns[card.status]?.firstIndex(of: taskID) ?? 0
        settle(board: board, height: height)
        return true
    }

    /// Shows an open card (after `comment.list` answered for ``BoardAction/openCard(_:)``).
    public mutating func show(_ card: CardDetail) {
        mode = .card(card)
    }

    /// Shows the answer to ``BoardAction/search(_:)``.
    public mutating func show(results: SearchResults) {
        mode = .searchResults(results)
    }

    /// Applies a room notification to what is open: the comments of an open card.
    public mutating func apply(method: String, params: JSON) {
        guard case .card(var detail) = mode else { return }
        detail.apply(method: method, params: params)
        mode = .card(detail)
    }

    /// Makes the selection and the scrolling consistent with the board after a change: the selected card is in
    /// the selected column (else the card now at its place is selected) and visible, and no column is scrolled
    /// past its end.
    public mutating func settle(board: Board, height: Int) {
        let capacity = BoardLayout.cardCapacity(height: height)
        for (index, status) in TaskStatus.allCases.enumerated() {
            let ids = board.columns[status] ?? []
            if index == column {
                if let selectedID, let position = ids.firstIndex(of: selectedID) {
                    row = position
                } else {
                    row = min(row, max(0, ids.count - 1))
                    selectedID = ids.isEmpty ? nil : ids[row]
                }
                if row < scroll[index] { scroll[index] = row }
                if row >= scroll[index] + capacity { scroll[index] = row - capacity + 1 }
            }
            scroll[index] = max(0, min(scroll[index], ids.count - capacity))
        }
    }

    /// Moves the selection to column `index`, at the same height as before where the column has a card there.
    mutating func selectColumn(_ index: Int, board: Board, height: Int) {
        let target = max(0, min(TaskStatus.allCases.count - 1, index))
        guard target != column else { return }
        let visibleRow = row - scroll[column]
        column = target
        let ids = board.columns[status] ?? []
        row = min(scroll[column] + max(0, visibleRow), max(0, ids.count - 1))
        selectedID = ids.isEmpty ? nil : ids[row]
        settle(board: board, height: height)
    }

    /// Moves the selection `offset` cards down (up when negative) within its column.
    mutating func moveSelection(by offset: Int, board: Board, height: Int) {
        let ids = board.columns[status] ?? []
        guard !ids.isEmpty else { return }
        row = max(0, min(ids.count - 1, row + offset))
        selectedID = ids[row]
        settle(board: board, height: height)
    }
}
