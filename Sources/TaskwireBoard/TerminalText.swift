/// Text as a terminal shows it: how many columns it takes, cut to a width, wrapped, and cleaned of anything that
/// would drive the terminal instead of being shown.
public enum TerminalText {
    /// The ellipsis that ends a cut text.
    public static let ellipsis: Character = "…"

    /// The columns `character` takes: 0 for a mark or format character on its own, 2 for wide East Asian
    /// characters and emoji, else 1.
    public static func width(of character: Character) -> Int {
        guard let first = character.unicodeScalars.first else { return 0 }
        let properties = first.properties
        switch properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format, .control: return 0
        default: break
        }
        if properties.isEmojiPresentation { return 2 }
        if character.unicodeScalars.contains("\u{FE0F}") && properties.isEmoji { return 2 }
        return isWide(first.value) ? 2 : 1
    }

    /// The columns `text` takes.
    public static func width(of text: some StringProtocol) -> Int {
        text.reduce(0) { $0 + width(of: $1) }
    }

    /// `text` with every control character (escape sequences, newlines, tabs) shown as a space, so that user
    /// content can never move the cursor or change the terminal's state.
    public static func sanitized(_ text: some StringProtocol) -> String {
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let category = scalar.properties.generalCategory
            let isBidiControl = (0x202A...0x202E).contains(scalar.value) || (0x2066...0x2069).contains(scalar.value)
            result.append(category == .control || isBidiControl ? " " : scalar)
        }
        return String(result)
    }

    /// At most `width` columns of `text`; a text that does not fit ends in `…`.
    public static func truncated(_ text: some StringProtocol, to width: Int) -> String {
        guard width > 0 else { return "" }
        guard Self.width(of: text) > width else { return String(text) }
        var result = ""
        var used = 0
        for character in text {
            let next = Self.width(of: character)
            if used + next > width - 1 { break }
            result.append(character)
            used += next
        }
        result.append(ellipsis)
        return result
    }

    /// `text` as lines of at most `width` columns, broken between words where it can be (a word longer than a
    /// line is cut); the text's own line breaks are kept.
    public static func wrapped(_ text: String, width: Int) -> [String] {
        guard width > 0 else { return [] }
        var lines: [String] = []
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = ""
            var used = 0
            for word in sanitized(paragraph).split(separator: " ", omittingEmptySubsequences: false) {
                let wordWidth = Self.width(of: word)
                let gap = line.isEmpty ? 0 : 1
                if used + gap + wordWidth <= width {
                    if gap == 1 { line.append(" ") }
                    line += word
                    used += gap + wordWidth
                    continue
                }
                if !line.isEmpty { lines.append(line) }
                line = ""
                used = 0
                for character in word {
                    let next = Self.width(of: character)
                    if used + next > width {
                        lines.append(line)
                        line = ""
                        used = 0
                    }
                    line.append(character)
                    used += next
                }
            }
            lines.append(line)
        }
        return lines
    }

    /// East Asian Wide and Fullwidth blocks, and the emoji blocks, that terminals draw two columns wide.
    private static func isWide(_ value: UInt32) -> Bool {
        switch value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
            0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x1F300...0x1F64F,
            0x1F900...0x1F9FF, 0x20000...0x2FFFD, 0x30000...0x3FFFD:
            true
        default:
            false
        }
    }
}
