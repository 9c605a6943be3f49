import TaskwireProtocol
import TaskwireTranscripts
import Testing

private func json(_ text: String) -> JSON {
    try! JSONParser.parse(text)
}

private func differences(
    _ pattern: String,
    _ actual: String,
    variables: [String: JSON] = [:]
) -> [String] {
    PatternMatcher(variables: TranscriptVariables(variables)).match(json(pattern), json(actual)).differences
        .map(\.description)
}

@Suite struct PatternMatcherTests {
    @Test func equalObjectsMatchInAnyMemberOrder() {
        #expect(differences(#"{"a":1,"b":[true,null,"x"]}"#, #"{"b":[true,null,"x"],"a":1}"#).isEmpty)
    }

    @Test func reportsThePathOfADifferentValue() {
        let found = differences(
            #"{"jsonrpc":"2.0","id":1,"error":{"code":-32602,"message":"$string","...":true}}"#,
            #"{"jsonrpc":"2.0","id":1,"error":{"code":-32600,"message":"Invalid request"}}"#
        )
        #expect(found == ["$.error.code: expected -32602, got -32600"])
    }

    @Test func objectsNeedTheSameMembersUnlessExtraAreAllowed() {
        #expect(differences(#"{"a":1}"#, #"{"a":1,"b":2}"#) == ["$.b: unexpected member with value 2"])
        #expect(differences(#"{"a":1,"b":2}"#, #"{"a":1}"#) == ["$.b: missing (expected 2)"])
        #expect(differences(#"{"a":1,"...":true}"#, #"{"a":1,"b":2}"#).isEmpty)
        #expect(differences(#"{"a":1,"...":true}"#, #"{"b":2}"#) == ["$.a: missing (expected 1)"])
    }

    @Test func oddMemberNamesAreQuotedInPaths() {
        #expect(differences(#"{"a b":1}"#, #"{"a b":2}"#) == [#"$["a b"]: expected 1, got 2"#])
    }

    @Test func numbersCompareByTheirExactText() {
        #expect(differences("9007199254740993", "9007199254740993").isEmpty)
        #expect(
            differences("9007199254740993", "9007199254740992") == [
                "$: expected 9007199254740993, got 9007199254740992"
            ]
        )
        #expect(differences("1.5e3", "1500") == ["$: expected 1.5e3, got 1500"])
        #expect(differences("1", "1.0") == ["$: expected 1, got 1.0"])
    }

    @Test func arraysMatchElementByElement() {
        #expect(differences("[1,2]", "[1,2]").isEmpty)
        #expect(differences("[1,2]", "[2,1]") == ["$[0]: expected 1, got 2", "$[1]: expected 2, got 1"])
        #expect(differences("[1,2]", "[1]") == ["$: expected 2 elements, got 1"])
        #expect(differences("[1]", #"{"a":1}"#) == [#"$: expected an array, got {"a":1}"#])
    }

    @Test func unorderedArraysMatchInAnyOrder() {
        #expect(differences(#"["$unordered",{"id":1},{"id":2}]"#, #"[{"id":2},{"id":1}]"#).isEmpty)
        #expect(!differences(#"["$unordered",{"id":1},{"id":2}]"#, #"[{"id":2},{"id":2}]"#).isEmpty)
        #expect(!differences(#"["$unordered",{"id":1}]"#, #"[{"id":1},{"id":1}]"#).isEmpty)
    }

    @Test(arguments: [
        ("$any", "null", true), ("$any", "[1]", true),
        ("$string", #""x""#, true), ("$string", "1", false),
        ("$number", "1.5", true), ("$number", #""1""#, false),
        ("$integer", "-12", true), ("$integer", "1.5", false), ("$integer", "1e3", false),
        ("$object", "{}", true), ("$object", "[]", false),
        ("$array", "[]", true), ("$array", "{}", false),
        ("$bool", "false", true), ("$bool", "0", false),
        ("$id", #""a1""#, true), ("$id", #""""#, false), ("$id", "1", false),
        ("$time", #""2026-11-26T15:09:34.123Z""#, true),
        ("$time", #""2026-11-26T15:09:34Z""#, false),
        ("$time", #""2026-11-26T15:09:34.123+00:00""#, false),
        ("$time", #""2026-13-26T15:09:34.123Z""#, false),
        ("$time", #""2026-11-26 15:09:34.123Z""#, false),
    ])
    func typeMarkers(marker: String, actual: String, matches: Bool) {
        #expect(differences(#""\#(marker)""#, actual).isEmpty == matches)
    }

    @Test func unknownMarkersAreReportedAndDoubleDollarIsLiteral() {
        #expect(
            differences(#""$strng""#, #""$strng""#) == ["$: unknown pattern marker $strng (write $$ for a literal $)"]
        )
        #expect(differences(#""$$strng""#, #""$strng""#).isEmpty)
        #expect(differences(#""$$any""#, #""x""#) == [#"$: expected "$any", got "x""#])
    }

    @Test func capturesStoreTheMatchedValue() {
        let matcher = PatternMatcher()
        let outcome = matcher.match(
            json(#"{"id":"$capture:sid","n":"$capture:n:integer"}"#),
            json(#"{"id":"s-1","n":9007199254740993}"#)
        )
        #expect(outcome.matched)
        #expect(outcome.captures["sid"] == .string("s-1"))
        #expect(outcome.captures["n"] == .number("9007199254740993"))
        let typed = matcher.match(json(#""$capture:n:integer""#), json("1.5"))
        #expect(!typed.matched)
    }

    @Test func variableReferencesKeepTheirTypeOrBecomeText() {
        let variables: [String: JSON] = ["n": .number("42"), "alice.id": .string("u1")]
        #expect(differences(#"{"id":"${n}"}"#, #"{"id":42}"#, variables: variables).isEmpty)
        #expect(
            differences(#"{"id":"${n}"}"#, #"{"id":"42"}"#, variables: variables) == [#"$.id: expected 42, got "42""#]
        )
        #expect(differences(#""user ${alice.id}/${n}""#, #""user u1/42""#, variables: variables).isEmpty)
        #expect(differences(#""${missing}""#, "1") == ["$: undefined variable ${missing} (defined: none)"])
    }

    @Test func substitutionInMessagesToSend() throws {
        let variables = TranscriptVariables(["token": .string("t\"1"), "id": .number("7")])
        let message = try variables.substitute(
            json(#"{"id":"${id}","params":{"token":"${token}","note":"$$5 ${id}x"}}"#)
        )
        #expect(message.text == #"{"id":7,"params":{"token":"t\"1","note":"$5 7x"}}"#)
        #expect(throws: TranscriptVariableError.self) { try variables.substitute(json(#""${nope}""#)) }
    }

    @Test func unorderedMatchingFindsAnAssignment() throws {
        let matcher = PatternMatcher()
        let patterns = [json(#"{"id":1,"result":"$capture:first"}"#), json(#"{"id":"$integer","result":"$any"}"#)]
        let actuals = [json(#"{"id":2,"result":"b"}"#), json(#"{"id":1,"result":"a"}"#)]
        let match = try #require(matcher.matchUnordered(patterns, actuals))
        #expect(match.assignment == [1, 0])
        #expect(match.captures["first"] == .string("a"))
        #expect(matcher.matchUnordered(patterns, [actuals[0], actuals[0]]) == nil)
    }
}

@Suite struct TranscriptParsingTests {
    @Test func parsesStepsWithTheirLineNumbers() throws {
        let text = """
            // a comment

            {"setup": {"users": ["alice", {"name": "carol", "email": "c@example.com"}]}}
            {"client": "a", "send": {"jsonrpc": "2.0", "id": 1, "method": "ping"}}\r
            {"client": "a", "expect": {"jsonrpc": "2.0", "id": 1, "result": {}}, "timeoutMs": 500}
            {"sleepMs": 10}
            """
        let transcript = try Transcript.parse(text, path: "t.jsonl")
        #expect(transcript.steps.map(\.line) == [3, 4, 5, 6])
        guard case .setup(let setup) = transcript.steps[0].action else {
            Issue.record("expected a setup step")
            return
        }
        #expect(setup.users.map(\.name) == ["alice", "carol"])
        #expect(setup.users[1].email == "c@example.com")
        guard case .expect(let client, _, let timeout) = transcript.steps[2].action else {
            Issue.record("expected an expect step")
            return
        }
        #expect(client == "a")
        #expect(timeout == .milliseconds(500))
    }

    @Test(arguments: [
        (#"{"client": "a", "expect": 1, "timeOutMs": 5}"#, "t.jsonl:1: a step: unknown key \"timeOutMs\""),
        (#"{"client": "a", "send": 1, "expect": 1}"#, nil),
        (#"{"send": 1}"#, "t.jsonl:1: send needs a \"client\" name"),
        (#"{"client": "a", "signal": "USR9"}"#, nil),
        (#"{"client": "a", "send": 1"#, nil),
        ("{\"sleepMs\": 1}\n{\"setup\": {}}", "t.jsonl:2: setup must be the first step"),
    ])
    func rejectsMalformedSteps(text: String, message: String?) {
        do {
            _ = try Transcript.parse(text, path: "t.jsonl")
            Issue.record("parsed a malformed transcript")
        } catch {
            if let message { #expect(error.description == message) }
        }
    }
}
