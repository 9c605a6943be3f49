/// Turns frames into the bytes that draw them on an ANSI terminal, rewriting only the rows that changed since the
/// frame drawn before.
public struct FrameWriter: Sendable {
    private var drawn: Frame?

    public init() {}

    /// Forgets what is on the screen, so that the next frame is drawn whole (after a resize, say).
    public mutating func invalidate() {
        drawn = nil
    }

    /// The bytes that turn the screen drawn so far into `frame`; empty when nothing changed.
    public mutating func update(to frame: Frame) -> [UInt8] {
        var output = ""
        let previous = drawn.flatMap { $0.width == frame.width && $0.height == frame.height ? $0 : nil }
        if previous == nil { output += "\u{1B}[0m\u{1B}[2J" }
        for (index, row) in frame.rows.enumerated() where previous?.rows[index] != row {
            output += "\u{1B}[\(index + 1);1H"
            for span in row.spans {
                output += Self.sgr(span.style)
                output += span.text
            }
            output += "\u{1B}[0m"
        }
        drawn = frame
        return Array(output.utf8)
    }

    /// The Select Graphic Rendition sequence of `style`, starting from the default rendition.
    static func sgr(_ style: TextStyle) -> String {
        var codes = ["0"]
        if style.bold { codes.append("1") }
        if style.dim { codes.append("2") }
        if style.underline { codes.append("4") }
        if style.reverse { codes.append("7") }
        if let color = style.color { codes.append(String(color.rawValue)) }
        return "\u{1B}[\(codes.joined(separator: ";"))m"
    }
}
