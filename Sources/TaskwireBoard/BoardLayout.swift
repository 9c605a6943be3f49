/// Lays the board out on a screen of a given size: pure, from the board and the screen's state to a ``Frame``.
///
/// The board: a title bar, who is in the room, one column per status with its title and count, the cards (two
/// lines each: the title, then priority, assignee and labels), and a status line. An open card and the search
/// results take the whole screen.
public enum BoardLayout {
    /// The smallest terminal the board is drawn in; a smaller one shows a note instead.
    public static let minimumWidth = 40
    public static let minimumHeight = 10
    /// Rows above the cards: title bar, presence, column titles, rule.
    static let headerRows = 4
    /// Rows a card takes, with the blank line after it.
    static let cardRows = 3

    /// How many cards of a column fit in `height` rows.
    public static func cardCapacity(height: Int) -> Int {
        max(1, (height - headerRows - 1 + 1) / cardRows)
    }

    /// How many lines of an open card, or rows of search results, fit between the header and the status line.
    public static func pageRows(height: Int) -> Int {
        max(1, height - 4)
    }

    /// The whole screen.
    public static func frame(board: Board, screen: BoardScreen, width: Int, height: Int) -> Frame {
        guard width >= minimumWidth, height >= minimumHeight else {
            var note = Row()
            note.append("Terminal too small: \(width)×\(height)", .plain, limit: width)
            var need = Row()
            need.append("The board needs \(minimumWidth)×\(minimumHeight); q quits.", .plain, limit: width)
            return Frame(width: width, height: height, rows: [note, need])
        }
        switch screen.mode {
        case .board:
            return boardFrame(board: board, screen: screen, width: width, height: height, prompt: nil)
        case .searchPrompt(let text):
            return boardFrame(board: board, screen: screen, width: width, height: height, prompt: text)
        case .card(let detail):
            return cardFrame(detail, board: board, message: screen.message, width: width, height: height)
        case .searchResults(let results):
            return resultsFrame(results, board: board, width: width, height: height)
        }
    }

    // MARK: Pieces shared by every mode

    static let titleStyle = TextStyle(bold: true, reverse: true)
    static let dimStyle = TextStyle(dim: true)

    /// A full-width bar in reverse video with `left` and, where it fits, `right`.
    static func titleBar(_ left: String, right: String, width: Int) -> Row {
        var row = Row()
        let rightWidth = TerminalText.width(of: right)
        if rightWidth + 10 <= width {
            row.append(left, titleStyle, columns: width - rightWidth)
            row.append(right, titleStyle, limit: width)
        } else {
            row.append(left, titleStyle, columns: width)
        }
        return row
    }

    /// The status line: a message when there is one (in red), else the keys of the mode.
    static func statusLine(message: String?, keys: String, width: Int) -> Row {
        var row = Row()
        if let message {
            row.append(" " + message, TextStyle(bold: true, color: .red), limit: width)
        } else {
            row.append(" " + keys, dimStyle, limit: width)
        }
        return row
    }

    /// A priority as a card shows it, in a colour that makes the urgent ones stand out.
    static func priorityStyle(_ priority: String) -> TextStyle {
        switch priority {
        case "urgent": TextStyle(bold: true, color: .red)
        case "high": TextStyle(color: .yellow)
        case "low": TextStyle(dim: true)
        default: TextStyle(color: .cyan)
        }
    }

    /// The line under a card's title: priority, assignee, labels, due date.
    static func facts(of card: BoardCard, board: Board, reverse: Bool, width: Int) -> Row {
        var row = Row()
        func style(_ style: TextStyle) -> TextStyle { reverse ? style.reversed : style }
        row.append(card.priority, style(priorityStyle(card.priority)), limit: width)
        if let assignee = card.assigneeID {
            row.append(" @" + board.displayName(of: assignee), style(TextStyle(color: .green)), limit: width)
        }
        for label in card.labels {
            row.append(" #" + label, style(TextStyle(color: .magenta)), limit: width)
        }
        if let due = card.dueDate {
            row.append(" due " + due, style(dimStyle), limit: width)
        }
        row.pad(to: width, reverse ? TextStyle.plain.reversed : .plain)
        return row
    }
}
