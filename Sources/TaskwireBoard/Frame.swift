/// How a span of text is drawn.
public struct TextStyle: Sendable, Hashable {
    /// The few colours the board uses, as the terminal's palette names them.
    public enum Color: Int, Sendable, Hashable {
        case red = 31
        case green = 32
        case yellow = 33
        case blue = 34
        case magenta = 35
        case cyan = 36
        case gray = 90
    }

    public var bold = false
    public var dim = false
    public var underline = false
    public var reverse = false
    public var color: Color?

    public init(
        bold: Bool = false,
        dim: Bool = false,
        underline: Bool = false,
        reverse: Bool = false,
        color: Color? = nil
    ) {
        self.bold = bold
        self.dim = dim
        self.underline = underline
        self.reverse = reverse
        self.color = color
    }

    public static let plain = TextStyle()

    /// This style with reverse video, as the selection is drawn.
    public var reversed: TextStyle {
        var style = self
        style.reverse = true
        return style
    }
}

/// A run of text in one style.
public struct Span: Sendable, Hashable {
    public var text: String
    public var style: TextStyle

    public init(_ text: String, _ style: TextStyle = .plain) {
        self.text = text
        self.style = style
    }
}

/// One line of the screen: spans that together take exactly the frame's width.
public struct Row: Sendable, Hashable {
    public private(set) var spans: [Span] = []
    /// The columns taken so far.
    public private(set) var width = 0

    public init() {}

    /// The row's text without its styles.
    public var text: String { spans.map(\.text).joined() }

    /// Appends `text` cut or padded with spaces to exactly `columns` columns (cut text ends in `…`).
    public mutating func append(_ text: String, _ style: TextStyle = .plain, columns: Int) {
        guard columns > 0 else { return }
        let fitted = TerminalText.truncated(TerminalText.sanitized(text), to: columns)
        let padding = columns - TerminalText.width(of: fitted)
        spans.append(Span(fitted + String(repeating: " ", count: max(0, padding)), style))
        width += columns
    }

    /// Appends `text` as it is, cleaned of control characters and cut at `limit` columns in all.
    public mutating func append(_ text: String, _ style: TextStyle = .plain, limit: Int) {
        let room = limit - width
        guard room > 0 else { return }
        let fitted = TerminalText.truncated(TerminalText.sanitized(text), to: room)
        spans.append(Span(fitted, style))
        width += TerminalText.width(of: fitted)
    }

    /// Appends the spans of `other`.
    public mutating func append(_ other: Row) {
        spans += other.spans
        width += other.width
    }

    /// Pads the row with spaces in `style` to `columns` columns.
    public mutating func pad(to columns: Int, _ style: TextStyle = .plain) {
        guard columns > width else { return }
        spans.append(Span(String(repeating: " ", count: columns - width), style))
        width = columns
    }
}

/// A whole screen: `height` rows of `width` columns each.
public struct Frame: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public private(set) var rows: [Row]

    /// A frame of `height` rows, each padded or cut to `width` columns; missing rows are blank.
    public init(width: Int, height: Int, rows: [Row]) {
        let width = max(0, width)
        let height = max(0, height)
        var fitted = Array(rows.prefix(height))
        while fitted.count < height { fitted.append(Row()) }
        self.width = width
        self.height = height
        self.rows = fitted.map { row in
            guard row.width > width else {
                var padded = row
                padded.pad(to: width)
                return padded
            }
            var cut = Row()
            for span in row.spans { cut.append(span.text, span.style, limit: width) }
            cut.pad(to: width)
            return cut
        }
    }

    /// The text of every row, without styles, as a test or a screen capture reads it.
    public var lines: [String] { rows.map(\.text) }
}
