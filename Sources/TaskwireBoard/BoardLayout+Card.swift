import TaskwireProtocol

/// An open card, and the search results.
extension BoardLayout {
    static func cardFrame(_ detail: CardDetail, board: Board, message: String?, width: Int, height: Int) -> Frame {
        let card = board.cards[detail.taskID]
        var rows = [
            titleBar(" " + (card?.title ?? "(deleted)"), right: card.map { "v\($0.version) " } ?? "", width: width)
        ]
        var facts = Row()
        if let card {
            facts.append(" " + card.status.title + " · ", .plain, limit: width)
            facts.append(BoardLayout.facts(of: card, board: board, reverse: false, width: width - facts.width))
        }
        rows.append(facts)
        var rule = Row()
        rule.append(String(repeating: "─", count: width), dimStyle, columns: width)
        rows.append(rule)

        let lines = cardLines(detail, board: board, width: width)
        let page = pageRows(height: height)
        let first = max(0, min(detail.scroll, lines.count - page))
        rows += lines.dropFirst(first).prefix(page)
        while rows.count < height - 1 { rows.append(Row()) }
        let more = lines.count > first + page ? " · ↓\(lines.count - first - page) more" : ""
        let note = detail.deleted ? "This card was deleted; Esc goes back." : message
        rows.append(statusLine(message: note, keys: "↑↓ scroll · Esc/q back" + more, width: width))
        return Frame(width: width, height: height, rows: rows)
    }

    /// The lines of an open card below its header: the description, then the comments, each with its author.
    public static func cardLines(_ detail: CardDetail, board: Board, width: Int) -> [Row] {
        let textWidth = max(1, width - 2)
        var lines: [Row] = []
        func text(_ value: String, _ style: TextStyle = .plain, indent: Int = 1) {
            var row = Row()
            row.append(String(repeating: " ", count: indent) + value, style, limit: width)
            lines.append(row)
        }
        let description = board.cards[detail.taskID]?.description ?? ""
        if description.trimmingSpaces.isEmpty {
            text("No description.", dimStyle)
        } else {
            for line in TerminalText.wrapped(description, width: textWidth) { text(line) }
        }
        lines.append(Row())
        text("Comments (\(detail.comments.count))", TextStyle(bold: true))
        for comment in detail.comments {
            var header = Row()
            header.append(
                " " + board.displayName(of: comment.authorID),
                TextStyle(bold: true, color: .green),
                limit: width
            )
            header.append(" · " + Self.shortTime(comment.createdAt), dimStyle, limit: width)
            lines.append(header)
            for line in TerminalText.wrapped(comment.body, width: max(1, textWidth - 2)) { text(line, indent: 3) }
        }
        return lines
    }

    /// `2026-05-01T12:34:56.789Z` as `2026-05-01 12:34`.
    static func shortTime(_ time: String) -> String {
        String(time.prefix(16).map { $0 == "T" ? " " : $0 })
    }

    static func resultsFrame(_ results: SearchResults, board: Board, width: Int, height: Int) -> Frame {
        let count = results.results.count
        let summary = count == 1 ? "1 result" : "\(count)\(results.truncated ? "+" : "") results"
        var rows = [titleBar(" Search: \(results.query)", right: summary + " ", width: width)]
        let visible = max(1, (height - 2) / 2)
        let first = max(0, results.selected - visible + 1)
        if results.results.isEmpty {
            var none = Row()
            none.append(" No card matches \(results.query).", dimStyle, limit: width)
            rows.append(none)
        }
        for (index, result) in results.results.enumerated().dropFirst(first).prefix(visible) {
            let selected = index == results.selected
            let status = board.cards[result.taskID]?.status ?? result.status
            let label = status.map { " [\($0.title)] " } ?? " "
            var title = Row()
            title.append(" ", .plain, columns: 1)
            title.append(
                result.title,
                TextStyle(bold: true, reverse: selected),
                columns: width - 1 - TerminalText.width(of: label)
            )
            title.append(label, dimStyle, limit: width)
            var snippet = Row()
            snippet.append("   ", .plain, limit: width)
            for part in SearchResults.highlights(result.snippet) {
                let style = part.match ? TextStyle(bold: true, underline: true, color: .yellow) : TextStyle(dim: true)
                snippet.append(part.text, style, limit: width)
            }
            rows += [title, snippet]
        }
        while rows.count < height - 1 { rows.append(Row()) }
        rows.append(
            statusLine(message: nil, keys: "↑↓ select · Enter show on board · / search again · Esc back", width: width)
        )
        return Frame(width: width, height: height, rows: rows)
    }
}
