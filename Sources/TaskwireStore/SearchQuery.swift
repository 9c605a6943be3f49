import Foundation

/// A `task.search` query, parsed once in Swift so that both stores search for exactly the same terms.
///
/// The syntax: words (every one must match), `prefix*`, and `"a phrase"`; case-insensitive; any character that is
/// not a letter or a digit separates words. The stores never see the user's text: they get a match expression built
/// here from the parsed words, bound as a parameter.
public struct SearchQuery: Sendable, Equatable {
    /// One thing a task must contain. Words are lowercased.
    public enum Term: Sendable, Equatable {
        /// The word itself.
        case word(String)
        /// Any word that starts with these letters.
        case prefix(String)
        /// These words, one after the other.
        case phrase([String])
    }

    /// The longest query, in Unicode scalars.
    public static let maxLength = 500
    /// The most terms (words, prefixes and phrases) a query may have: each is looked up in every column to score
    /// the matches, so their number bounds the work of one search.
    public static let maxTerms = 8
    /// The shortest prefix: a one-letter prefix matches most of the index.
    public static let minPrefixLength = 2

    public let terms: [Term]

    /// Parses a query; invalid (`query`) when it is too long or has nothing to search for.
    public init(parsing text: String) throws(StoreError) {
        guard text.unicodeScalars.count <= Self.maxLength else {
            throw .invalid("query", "longer than \(Self.maxLength) characters")
        }
        var terms: [Term] = []
        let scalars = Array(text.unicodeScalars)
        var index = 0
        while index < scalars.count {
            if scalars[index] == "\"" {
                // A phrase runs to the next quote, or to the end of the query when it is not closed.
                var end = index + 1
                while end < scalars.count, scalars[end] != "\"" { end += 1 }
                let words = SearchText.words(in: String(String.UnicodeScalarView(scalars[(index + 1)..<end])))
                    .map(\.text)
                switch words.count {
                case 0: break
                case 1: terms.append(.word(words[0]))
                default: terms.append(.phrase(words))
                }
                index = end + 1
            } else if SearchText.isWordScalar(scalars[index]) {
                var end = index
                while end < scalars.count, SearchText.isWordScalar(scalars[end]) { end += 1 }
                let word = SearchText.fold(String(String.UnicodeScalarView(scalars[index..<end])))
                if end < scalars.count, scalars[end] == "*" {
                    terms.append(.prefix(word))
                    end += 1
                } else {
                    terms.append(.word(word))
                }
                index = end
            } else {
                index += 1
            }
        }
        guard !terms.isEmpty else { throw .invalid("query", "has no word to search for") }
        // A term said twice asks for nothing more.
        var distinct: [Term] = []
        for term in terms where !distinct.contains(term) { distinct.append(term) }
        terms = distinct
        guard terms.count <= Self.maxTerms else {
            throw .invalid("query", "has more than \(Self.maxTerms) words, prefixes or phrases")
        }
        for case .prefix(let word) in terms where word.unicodeScalars.count < Self.minPrefixLength {
            throw .invalid("query", "a prefix needs at least \(Self.minPrefixLength) letters before *")
        }
        self.terms = terms
    }

    /// The query as an FTS5 MATCH expression: each word a quoted string, prefixes with `*`, all of them required.
    public var fts5Match: String { fts5Terms.joined(separator: " AND ") }

    /// Each term as an FTS5 expression: a quoted string, with `*` for a prefix.
    public var fts5Terms: [String] {
        func quoted(_ text: String) -> String { "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        return terms.map { term in
            switch term {
            case .word(let word): quoted(word)
            case .prefix(let word): quoted(word) + " *"
            case .phrase(let words): quoted(words.joined(separator: " "))
            }
        }
    }

    /// The query as PostgreSQL `to_tsquery` text: each word a quoted lexeme, `:*` for a prefix, `<->` in phrases,
    /// all of them required.
    public var tsquery: String {
        func quoted(_ text: String) -> String {
            "'" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "''") + "'"
        }
        return terms.map { term in
            switch term {
            case .word(let word): quoted(word)
            case .prefix(let word): quoted(word) + ":*"
            case .phrase(let words): "(" + words.map(quoted).joined(separator: " <-> ") + ")"
            }
        }.joined(separator: " & ")
    }
}

/// How searchable text splits into words, the same for queries, snippets and (as closely as each engine allows)
/// the stores' indexes: a word is a run of letters, digits and private-use characters, as SQLite's `unicode61`
/// tokenizer has it.
enum SearchText {
    struct Word {
        /// The word, lowercased.
        var text: String
        /// Where it is, in the unicode scalars of the text.
        var range: Range<String.UnicodeScalarView.Index>
    }

    static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter, .decimalNumber,
            .letterNumber, .otherNumber, .privateUse:
            true
        default: false
        }
    }

    static func fold(_ text: String) -> String { text.lowercased() }

    static func words(in text: String) -> [Word] {
        let scalars = text.unicodeScalars
        var words: [Word] = []
        var index = scalars.startIndex
        while index < scalars.endIndex {
            guard isWordScalar(scalars[index]) else {
                index = scalars.index(after: index)
                continue
            }
            var end = index
            while end < scalars.endIndex, isWordScalar(scalars[end]) { end = scalars.index(after: end) }
            words.append(Word(text: fold(String(scalars[index..<end])), range: index..<end))
            index = end
        }
        return words
    }
}
