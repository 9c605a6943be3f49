import TaskwireProtocol

/// The board itself: columns of cards.
extension BoardLayout {
    /// The widths of the columns: the screen less the separators, shared out, the first columns taking what is
    /// left over.
    static func columnWidths(width: Int) -> [Int] {
        let count = TaskStatus.allCases.count
        let available = width - (count - 1)
        return (0..<count).map { available / count + ($0 < available % count ? 1 : 0) }
    }

    static func boardFrame(board: Board, screen: BoardScreen, width: Int, height: Int, prompt: String?) -> Frame {
        var rows: [Row] = []
        let relay = board.relayState == "connected" ? "relay \(board.relayKind)" : "relay \(board.relayKind) degraded"
        rows.append(titleBar(" Taskwire · " + board.projectName, right: relay + " ", width: width))

        var people = Row()
        people.append(" In the room: ", dimStyle, limit: width)
        people.append(board.people.joined(separator: ", "), .plain, limit: width)
        rows.append(people)

        let widths = columnWidths(width: width)
        let capacity = cardCapacity(height: height)
        var titles = Row()
        var rule = Row()
        for (index, status) in TaskStatus.allCases.enumerated() {
            if index > 0 {
                titles.append("│", dimStyle, columns: 1)
                rule.append("┼", dimStyle, columns: 1)
            }
            titles.append(columnTitle(status, board: board, screen: screen, capacity: capacity, width: widths[index]))
            rule.append(String(repeating: "─", count: widths[index]), dimStyle, columns: widths[index])
        }
        rows.append(titles)
        rows.append(rule)

        let cardArea = height - headerRows - 1
        var area = Array(repeating: Row(), count: cardArea)
        for (index, status) in TaskStatus.allCases.enumerated() {
            let cells = columnCells(status, board: board, screen: screen, rows: cardArea, width: widths[index])
            for line in 0..<cardArea {
                if index > 0 { area[line].append("│", dimStyle, columns: 1) }
                area[line].append(cells[line])
            }
        }
        rows += area

        if let prompt {
            var line = Row()
            line.append(" Search: ", TextStyle(bold: true), limit: width)
            line.append(prompt, .plain, limit: width - 1)
            line.append("█", .plain, limit: width)
            rows.append(line)
        } else {
            let message =
                screen.message
                ?? board.closure.map {
                    $0 == .deleted
                        ? "This project was removed; q quits." : "You no longer have access to this project; q quits."
                }
            rows.append(
                statusLine(
                    message: message,
                    keys: "←→↑↓ hjkl move · PgUp/PgDn scroll · Enter open · / search · q quit",
                    width: width
                )
            )
        }
        return Frame(width: width, height: height, rows: rows)
    }

    /// A column's title with its count, and arrows with the number of cards above and below what is shown.
    static func columnTitle(_ status: TaskStatus, board: Board, screen: BoardScreen, capacity: Int, width: Int) -> Row {
        let count = board.columns[status]?.count ?? 0
        let index = TaskStatus.allCases.firstIndex(of: status) ?? 0
        let first = screen.scroll[index]
        let above = first
        let below = max(0, count - first - capacity)
        var marks = ""
        if above > 0 { marks += " ↑\(above)" }
        if below > 0 { marks += " ↓\(below)" }
        let selected = screen.status == status
        var row = Row()
        let title = " \(status.title) (\(count))"
        let markWidth = TerminalText.width(of: marks)
        row.append(title, TextStyle(bold: true, underline: selected), columns: max(1, width - markWidth))
        row.append(marks, dimStyle, limit: width)
        row.pad(to: width)
        return row
    }

    /// The rows of one column's card area: each visible card's title and facts, then a blank row.
    static func columnCells(_ status: TaskStatus, board: Board, screen: BoardScreen, rows: Int, width: Int) -> [Row] {
        let cards = board.cards(in: status)
        let index = TaskStatus.allCases.firstIndex(of: status) ?? 0
        let first = min(screen.scroll[index], max(0, cards.count - 1))
        var cells: [Row] = []
        let inner = max(1, width - 2)
        if cards.isEmpty {
            var empty = Row()
            empty.append(" no cards", dimStyle, columns: width)
            cells.append(empty)
        }
        for card in cards.dropFirst(first) {
            guard cells.count + 2 <= rows else { break }
            let selected = screen.selectedID == card.id && screen.status == status
            let titleStyle = selected ? TextStyle(bold: true, reverse: true) : TextStyle(bold: true)
            var title = Row()
            title.append(" ", .plain, columns: 1)
            title.append(card.title, titleStyle, columns: inner)
            title.append(" ", .plain, columns: 1)
            var facts = Row()
            facts.append(" ", .plain, columns: 1)
            facts.append(BoardLayout.facts(of: card, board: board, reverse: selected, width: inner))
            facts.append(" ", .plain, columns: 1)
            cells += [title, facts, Row()]
        }
        return (0..<rows).map { line in
            var cell = line < cells.count ? cells[line] : Row()
            cell.pad(to: width)
            return cell
        }
    }
}
