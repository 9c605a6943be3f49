import TaskwireProtocol
import Testing

@testable import TaskwireStore

/// Expects `body` to fail as invalid, naming `field`, and returns the reason.
@discardableResult
private func expectInvalid(
    field: String,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> Void
) -> String? {
    do {
        try body()
        Issue.record("accepted", sourceLocation: sourceLocation)
        return nil
    } catch let error as StoreError {
        #expect(error.kind == .invalid, sourceLocation: sourceLocation)
        #expect(error.field == field, sourceLocation: sourceLocation)
        #expect(error.reason?.isEmpty == false, sourceLocation: sourceLocation)
        return error.reason
    } catch {
        Issue.record("expected a StoreError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

private func repeated(_ text: String, _ count: Int) -> String {
    String(repeating: text, count: count)
}

@Suite struct ValidationTests {
    // MARK: Titles

    @Test(arguments: ["a", "  padded  ", "é", repeated("x", 500), repeated("é", 500), repeated("😀", 500)])
    func titlesWithinTheLimit(_ title: String) throws {
        #expect(try Validation.title(title) == title)
    }

    @Test func titlesCountUnicodeScalars() throws {
        // 250 characters of two scalars each: 500 scalars.
        let combining = repeated("e\u{301}", 250)
        #expect(combining.count == 250)
        #expect(try Validation.title(combining) == combining)
        expectInvalid(field: "title") { _ = try Validation.title(combining + "x") }
    }

    @Test(arguments: [repeated("x", 501), repeated("é", 501), repeated("😀", 501), repeated("x", 500) + " "])
    func titlesOverTheLimit(_ title: String) {
        expectInvalid(field: "title") { _ = try Validation.title(title) }
    }

    @Test(arguments: ["", " ", "   ", "\t\n", "\r\n", "\u{3000}", "\u{A0}", "\u{2003}\u{2028}", repeated(" ", 501)])
    func blankTitles(_ title: String) {
        expectInvalid(field: "title") { _ = try Validation.title(title) }
    }

    // MARK: Descriptions and bodies

    @Test(
        arguments: [repeated("a", 65_536), repeated("é", 32_768), repeated("😀", 16_384), repeated("€", 21_845) + "a"]
    )
    func sixtyFourKiBIsAccepted(_ text: String) throws {
        #expect(text.utf8.count == 65_536)
        #expect(try Validation.description(text) == text)
        #expect(try Validation.body(text) == text)
    }

    @Test(arguments: [
        repeated("a", 65_537), repeated("é", 32_768) + "a", repeated("😀", 16_384) + " ", repeated("€", 21_846),
    ])
    func oneByteMoreIsRefused(_ text: String) {
        #expect(text.utf8.count > 65_536)
        expectInvalid(field: "description") { _ = try Validation.description(text) }
        expectInvalid(field: "body") { _ = try Validation.body(text) }
    }

    @Test func emptyDescriptionIsAccepted() throws {
        #expect(try Validation.description("") == "")
        #expect(try Validation.description("   ") == "   ")
    }

    @Test(arguments: ["", " ", "\n\n", "\t \u{3000}"])
    func blankBodiesAreRefused(_ body: String) {
        expectInvalid(field: "body") { _ = try Validation.body(body) }
    }

    @Test func oneByteBodyIsAccepted() throws {
        #expect(try Validation.body("x") == "x")
    }

    // MARK: Labels

    @Test func labelCounts() throws {
        #expect(try Validation.labels([]) == [])
        let thirtyTwo = (1...32).map { "l\($0)" }
        #expect(try Validation.labels(thirtyTwo) == thirtyTwo)
        expectInvalid(field: "labels") { _ = try Validation.labels(thirtyTwo + ["l33"]) }
    }

    @Test(arguments: [repeated("x", 64), repeated("é", 64), repeated("😀", 64), "a"])
    func labelLengthsWithinTheLimit(_ label: String) throws {
        #expect(try Validation.labels(["ok", label]) == ["ok", label])
    }

    @Test(arguments: [repeated("x", 65), repeated("é", 65), repeated("😀", 65), ""])
    func labelLengthsOutsideTheLimit(_ label: String) {
        expectInvalid(field: "labels") { _ = try Validation.labels(["ok", label]) }
    }

    // MARK: Due dates

    @Test(arguments: ["2024-02-29", "2000-02-29", "2026-01-01", "2026-12-31", "2026-04-30", "0001-01-01", "9999-12-31"])
    func realDates(_ date: String) throws {
        #expect(try Validation.dueDate(date) == date)
    }

    @Test(
        arguments: [
            "2023-02-29", "1900-02-29", "2026-13-01", "2026-00-10", "2026-01-00", "2026-04-31", "2026-01-32",
            "2026-1-01", "2026-01-1", "26-01-01", "2026/01/01", "2026-01-01T00:00:00Z", " 2026-01-01", "2026-01-01 ",
            "", "2026-0a-01", "２０２６-01-01", "+026-01-01", "2026--1-01", "2026-01-+1",
        ]
    )
    func invalidDates(_ date: String) {
        expectInvalid(field: "dueDate") { _ = try Validation.dueDate(date) }
    }

    // MARK: Names

    @Test func namesAreTrimmedAndBounded() throws {
        #expect(try Validation.name("  Acme  ", field: "name") == "Acme")
        #expect(try Validation.name(repeated("n", 200), field: "name") == repeated("n", 200))
        expectInvalid(field: "name") { _ = try Validation.name(repeated("n", 201), field: "name") }
        expectInvalid(field: "name") { _ = try Validation.name(" \t ", field: "name") }
        expectInvalid(field: "organization") { _ = try Validation.name("", field: "organization") }
    }
}
