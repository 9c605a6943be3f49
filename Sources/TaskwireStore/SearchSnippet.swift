/// The excerpt a search result shows: a few words of the first field of the task that matches the query, each
/// matching word in `**` (Markdown bold), `…` where the field was cut.
///
/// Made here from the stored text and the parsed query, never by a store's own highlighter, so that every store
/// answers the same snippet for the same task.
public enum SearchSnippet {
    /// At most this many words…
    static let maxWords = 12
    /// …and this many characters of the field's text (markers and `…` aside).
    static let maxCharacters = 160
    /// Words shown before the first match, when the field is longer than the excerpt.
    static let wordsBefore = 3
    /// Punctuation at either end of a field is kept when it is this short, such as the `?` that ends a title.
    private static let maxEdge = 8

    /// The snippet of a task: its title, description, labels or comments (oldest first), the first that has a
    /// matching word; the beginning of its title when none has. Comments are read only when needed.
    public static func make<Failure: Error>(
        for query: SearchQuery,
        task: TaskItem,
        comments: () throws(Failure) -> [String]
    ) throws(Failure) -> String {
        for field in [task.title, task.description, task.labels.joined(separator: ", ")] {
            if let snippet = excerpt(field, query) { return snippet }
        }
        for body in try comments() {
            if let snippet = excerpt(body, query) { return snippet }
        }
        return window(task.title, words: SearchText.words(in: task.title), marked: [], first: 0)
    }

    /// The excerpt of one text around its first matching word; nil when no word of it matches.
    static func excerpt(_ text: String, _ query: SearchQuery) -> String? {
        let words = SearchText.words(in: text)
        let marked = matches(words.map(\.text), query)
        guard let first = marked.min() else { return nil }
        return window(text, words: words, marked: marked, first: first)
    }

    /// The positions of the words that match a term of the query.
    static func matches(_ words: [String], _ query: SearchQuery) -> Set<Int> {
        var marked = Set<Int>()
        for term in query.terms {
            switch term {
            case .word(let word):
                for (index, candidate) in words.enumerated() where candidate == word { marked.insert(index) }
            case .prefix(let prefix):
                for (index, candidate) in words.enumerated() where candidate.hasPrefix(prefix) { marked.insert(index) }
            case .phrase(let phrase):
                guard phrase.count <= words.count else { continue }
                for start in 0...(words.count - phrase.count)
                where Array(words[start..<(start + phrase.count)]) == phrase {
                    marked.formUnion(start..<(start + phrase.count))
                }
            }
        }
        return marked
    }

    /// Up to ``maxWords`` words of `text` from a little before word `first`, within ``maxCharacters``.
    private static func window(_ text: String, words: [SearchText.Word], marked: Set<Int>, first: Int) -> String {
        let scalars = text.unicodeScalars
        guard !words.isEmpty else { return clipped(collapsed(String(scalars))) }
        func length(_ from: Int, _ to: Int) -> Int {
            String(scalars[words[from].range.lowerBound..<words[to].range.upperBound]).count
        }
        var start = max(0, first - wordsBefore)
        while start < first, length(start, first) > maxCharacters { start += 1 }
        var end = first
        while end + 1 < words.count, end + 1 - start < maxWords, length(start, end + 1) <= maxCharacters { end += 1 }
        // Near the end of the text, the room left goes to the words before.
        while start > 0, end - start + 1 < maxWords, length(start - 1, end) <= maxCharacters { start -= 1 }

        var result = ""
        let leading = collapsed(String(scalars[scalars.startIndex..<words[start].range.lowerBound]))
        if start == 0, leading.count <= maxEdge {
            result += leading.drop { $0 == " " }
        } else {
            result += "…"
        }
        for index in start...end {
            if index > start {
                result += collapsed(String(scalars[words[index - 1].range.upperBound..<words[index].range.lowerBound]))
            }
            let word = clipped(String(scalars[words[index].range]))
            result += marked.contains(index) ? "**" + word + "**" : word
        }
        let trailing = collapsed(String(scalars[words[end].range.upperBound..<scalars.endIndex]))
        if end == words.count - 1, trailing.count <= maxEdge {
            result += trailing.reversed().drop { $0 == " " }.reversed()
        } else {
            result += "…"
        }
        return result
    }

    /// Runs of white space as one space, so that an excerpt is one line.
    private static func collapsed(_ text: String) -> String {
        var result = ""
        var inSpace = false
        for character in text {
            if character.isWhitespace {
                if !inSpace { result.append(" ") }
                inSpace = true
            } else {
                result.append(character)
                inSpace = false
            }
        }
        return result
    }

    /// At most ``maxCharacters`` characters of a text, `…` where it was cut.
    private static func clipped(_ text: String) -> String {
        guard text.count > maxCharacters else { return text }
        return String(text.prefix(maxCharacters - 1)) + "…"
    }
}
