import TaskwireProtocol
import Testing

@testable import TaskwireStore

@Suite struct SearchQueryTests {
    @Test func wordsPrefixesAndPhrasesAreParsed() throws {
        let query = try SearchQuery(parsing: #"Login  time* "Slow  NETWORK" café, v1.2-beta"#)
        #expect(
            query.terms == [
                .word("login"), .prefix("time"), .phrase(["slow", "network"]), .word("café"), .word("v1"), .word("2"),
                .word("beta"),
            ]
        )
    }

    @Test func eightTermsAndTwoLetterPrefixesAreAccepted() throws {
        #expect(try SearchQuery(parsing: #"a b c d e f g "h i j k l""#).terms.count == 8)
        #expect(try SearchQuery(parsing: "lo*").terms == [.prefix("lo")])
        let repeated = try SearchQuery(parsing: String(repeating: "login ", count: 60) + "Fix the LOGIN lo* lo*")
        #expect(repeated.terms == [.word("login"), .word("fix"), .word("the"), .prefix("lo")])
    }

    @Test func quotesAndStarsAloneAreSeparators() throws {
        #expect(try SearchQuery(parsing: #""one" * "" *two"#).terms == [.word("one"), .word("two")])
        #expect(try SearchQuery(parsing: #""not closed words"#).terms == [.phrase(["not", "closed", "words"])])
        #expect(try SearchQuery(parsing: "ti*me").terms == [.prefix("ti"), .word("me")])
    }

    @Test(arguments: [
        "", "   ", "!!!", #""""#, "* ** ***", "—…«»", String(repeating: "a", count: 501),
        "one two three four five six seven eight nine", "login t*", #"a b c d e f g "h i" j"#,
    ])
    func queriesWithoutWordsTooLongOrTooBroadAreInvalid(_ text: String) {
        do {
            _ = try SearchQuery(parsing: text)
            Issue.record("accepted \(text.debugDescription)")
        } catch {
            #expect(error.kind == .invalid && error.field == "query")
        }
    }

    @Test func aQueryOf500CharactersIsAccepted() throws {
        #expect(try SearchQuery(parsing: String(repeating: "é", count: 500)).terms.count == 1)
    }

    /// Only letters and digits reach the engines; each term is quoted, so FTS5 and tsquery operators in the text
    /// are words or separators, never syntax.
    @Test func matchExpressionsQuoteEveryTerm() throws {
        let query = try SearchQuery(parsing: #"NEAR(a b) OR xy* "c':* d" -e & !f"#)
        #expect(query.fts5Match == #""near" AND "a" AND "b" AND "or" AND "xy" * AND "c d" AND "e" AND "f""#)
        #expect(query.tsquery == "'near' & 'a' & 'b' & 'or' & 'xy':* & ('c' <-> 'd') & 'e' & 'f'")
    }
}

@Suite struct SearchSnippetTests {
    private func task(
        title: String,
        description: String = "",
        labels: [String] = []
    ) -> TaskItem {
        TaskItem(
            id: "tsk_1",
            projectID: "prj_1",
            title: title,
            description: description,
            status: .todo,
            priority: .medium,
            assigneeID: nil,
            dueDate: nil,
            labels: labels,
            rank: "U",
            version: 1,
            createdBy: "usr_1",
            createdAt: "2026-01-01T00:00:00.000Z",
            updatedAt: "2026-01-01T00:00:00.000Z"
        )
    }

    private func snippet(_ query: String, _ task: TaskItem, comments: [String] = []) throws -> String {
        SearchSnippet.make(for: try SearchQuery(parsing: query), task: task) { () throws(Never) in comments }
    }

    @Test func theFirstMatchingFieldIsShownWithItsMatchesMarked() throws {
        let item = task(title: "Fix login", description: "The timeout", labels: ["auth", "ui"])
        #expect(try snippet("login", item) == "Fix **login**")
        #expect(try snippet("timeout", item) == "The **timeout**")
        #expect(try snippet("ui", item) == "auth, **ui**")
        #expect(try snippet("Week", item, comments: ["first", "see you next week!"]) == "see you next **week**!")
        #expect(try snippet("fix timeout", item) == "**Fix** login", "the title, the first field with a match")
    }

    @Test func withoutAMatchingWordTheTitleBeginningIsShown() throws {
        #expect(try snippet("other", task(title: "Fix login")) == "Fix login")
    }

    @Test func prefixesAndPhrasesMarkEachWord() throws {
        let item = task(title: "Login timeout; then login again")
        #expect(try snippet("time*", item) == "Login **timeout**; then login again")
        #expect(try snippet(#""login timeout""#, item) == "**Login** **timeout**; then login again")
        #expect(try snippet("login", item) == "**Login** timeout; then **login** again")
    }

    @Test func longTextIsCutAroundTheFirstMatch() throws {
        let words = (1...40).map { "w\($0)" }
        let item = task(title: "T", description: words.joined(separator: " ") + " end.")
        #expect(try snippet("w20", item) == "…w17 w18 w19 **w20** w21 w22 w23 w24 w25 w26 w27 w28…")
        #expect(try snippet("w1", item) == "**w1** w2 w3 w4 w5 w6 w7 w8 w9 w10 w11 w12…")
        #expect(try snippet("end", item) == "…w30 w31 w32 w33 w34 w35 w36 w37 w38 w39 w40 **end**.")
    }

    @Test func excerptsStayWithin160CharactersOnOneLine() throws {
        let long = (1...30).map { _ in "abcdefghijklmnopqrstuvwxyz" }.joined(separator: "\n\n")
        let item = task(title: "T", description: "start " + long + " needle " + long)
        let result = try snippet("needle", item)
        #expect(!result.contains("\n"))
        #expect(result.contains("**needle**"))
        let plain = result.replacingOccurrences(of: "**", with: "").replacingOccurrences(of: "…", with: "")
        #expect(plain.count <= 160)
        let giant = String(repeating: "x", count: 300)
        let clipped = try snippet("xx*", task(title: giant))
        #expect(clipped == "**" + String(repeating: "x", count: 159) + "…**")
    }
}
