import TaskwireProtocol
import Testing

/// Parses `text`, recording an issue when it is refused.
private func parse(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> JSON? {
    do {
        return try JSONParser.parse(text)
    } catch {
        Issue.record("\(text.debugDescription) was refused: \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// Expects `bytes` to be refused, and returns the error.
@discardableResult
private func expectRefused(
    _ bytes: [UInt8],
    sourceLocation: SourceLocation = #_sourceLocation
) -> JSONParseError? {
    do {
        let value = try JSONParser.parse(bytes)
        Issue.record(
            "\(String(decoding: bytes.prefix(80), as: UTF8.self).debugDescription) was accepted as \(value)",
            sourceLocation: sourceLocation
        )
        return nil
    } catch {
        #expect(error.offset >= 0 && error.offset <= bytes.count, sourceLocation: sourceLocation)
        #expect(!error.reason.isEmpty, sourceLocation: sourceLocation)
        return error
    }
}

@discardableResult
private func expectRefused(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> JSONParseError? {
    expectRefused(Array(text.utf8), sourceLocation: sourceLocation)
}

@Suite struct JSONParserTests {
    @Test func literals() {
        #expect(parse("null") == .null)
        #expect(parse("true") == .bool(true))
        #expect(parse("false") == .bool(false))
        #expect(parse(" \t\r\n null \n") == .null)
    }

    @Test(arguments: ["nul", "nulls", "tru", "True", "NULL", "fals", "falsey", "undefined", "NaN", "Infinity"])
    func invalidLiterals(_ text: String) {
        expectRefused(text)
    }

    @Test func arraysAndObjects() {
        #expect(parse("[]") == .array([]))
        #expect(parse("[ ]") == .array([]))
        #expect(parse("{}") == .object([:]))
        #expect(parse("{ \n }") == .object([:]))
        #expect(parse(#"[1,"a",null,true,false,[],{}]"#) == [1, "a", nil, true, false, [], [:]])
        #expect(
            parse(#"{"a":1,"b":[true,{"c":null}],"d":"e"}"#)
                == ["a": 1, "b": [true, ["c": nil]], "d": "e"]
        )
        #expect(parse(" [ 1 , 2 ] ") == [1, 2])
        #expect(parse(#"{ "k" : "v" }"#) == ["k": "v"])
    }

    @Test func objectKeepsMemberOrder() {
        guard case .object(let object)? = parse(#"{"z":1,"a":2,"m":3}"#) else { return }
        #expect(object.keys == ["z", "a", "m"])
    }

    @Test func duplicateKeysKeepTheLastValue() {
        guard case .object(let object)? = parse(#"{"a":1,"b":2,"a":3}"#) else { return }
        #expect(object.count == 2)
        #expect(object["a"] == .number("3"))
        #expect(object["b"] == .number("2"))
    }

    @Test(
        arguments: [
            "[", "]", "{", "}", "[1,]", "[,1]", "[1 2]", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{a:1}", "{'a':1}",
            "{\"a\" 1}", "{1:2}", "{\"a\":1 \"b\":2}", "[1]]", "", " ", "'a'", "\"abc", "[\"a\",", "{\"a\":1",
        ]
    )
    func malformedStructure(_ text: String) {
        expectRefused(text)
    }

    @Test(arguments: ["1 2", "{} {}", "[]x", "null,", "\"a\"\"b\"", "1\n2", "true false", "{}\u{0}"])
    func trailingGarbage(_ text: String) {
        expectRefused(text)
    }

    // MARK: Numbers

    @Test(
        arguments: [
            "0", "-0", "1", "-1", "9007199254740993", "123456789012345678901234567890", "-9223372036854775809",
            "1.5", "-0.0", "0.5", "1.5e3", "1E+2", "1e-7", "2E5", "-1.25E-10", "1e0", "10.000",
        ]
    )
    func numbersKeepTheirText(_ text: String) {
        #expect(parse(text) == .number(text))
        #expect(parse("[\(text)]") == .array([.number(text)]))
        #expect(parse("{\"n\":\(text)}") == .object(["n": .number(text)]))
    }

    @Test func largeIntegersRoundTripDigitForDigit() throws {
        let value = try JSONParser.parse(#"{"id":9007199254740993}"#)
        #expect(value.text == #"{"id":9007199254740993}"#)
        #expect(value["id"]?.int64Value == 9_007_199_254_740_993)
        let huge = try JSONParser.parse("123456789012345678901234567890")
        #expect(huge.int64Value == nil)
        #expect(huge.text == "123456789012345678901234567890")
    }

    @Test(
        arguments: [
            "01", "-01", "00", "1.", ".5", "-", "1e", "1e+", "1E-", "+1", "--1", "1.e5", "0x10", "1.5.5", "1e5e5",
            "-.5", "- 1", "1_000", "١",
        ]
    )
    func invalidNumbers(_ text: String) {
        expectRefused(text)
        expectRefused("[\(text)]")
    }

    // MARK: Strings

    @Test func everyEscape() {
        #expect(parse(#""\"\\\/\b\f\n\r\t""#) == .string("\"\\/\u{8}\u{C}\n\r\t"))
        #expect(parse(#""\u0041\u00e9\u20AC\u0000\u001f""#) == .string("Aé€\u{0}\u{1F}"))
        #expect(parse(#""a\nb""#) == .string("a\nb"))
        #expect(parse(#""plain""#) == .string("plain"))
        #expect(parse(#""""#) == .string(""))
        #expect(parse(#""é 日本 😀""#) == .string("é 日本 😀"))
        #expect(parse(#""x\u00e9y\"z""#) == .string("xéy\"z"))
    }

    @Test func surrogatePairs() {
        #expect(parse(#""\ud83d\ude00""#) == .string("😀"))
        #expect(parse(#""\uD834\uDD1E""#) == .string("𝄞"))
        #expect(parse(#""a\uD83D\uDE00b""#) == .string("a😀b"))
        #expect(parse(#""\udbff\udfff""#) == .string("\u{10FFFF}"))
    }

    @Test(
        arguments: [
            #""\ud83d""#, #""\ude00""#, #""\ud83dx""#, #""\ud83d\u0041""#, #""\ud83d\ud83d""#, #""\ude00\ud83d""#,
            #""\ud83d\n""#, #""\uDFFF""#, #""\ud83d\""#,
        ]
    )
    func loneSurrogatesAreRefused(_ text: String) {
        expectRefused(text)
    }

    @Test(arguments: [#""\x41""#, #""\u12""#, #""\u12G4""#, #""\U0041""#, #""\a""#, #""\'""#, #""\"#, #""\u""#])
    func invalidEscapes(_ text: String) {
        expectRefused(text)
    }

    @Test(
        arguments: [
            [0xC3, 0x28], [0xFF], [0xFE], [0xC0, 0xAF], [0xE0, 0x80, 0xAF], [0xF0, 0x80, 0x80, 0xAF], [0x80],
            [0xC3], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0x61, 0xBF, 0x62],
        ] as [[UInt8]]
    )
    func invalidUTF8IsRefused(_ bytes: [UInt8]) {
        let quote = UInt8(ascii: "\"")
        expectRefused([quote] + bytes + [quote])
        // The slow path (after an escape) must check too.
        expectRefused([quote, UInt8(ascii: "\\"), UInt8(ascii: "n")] + bytes + [quote])
        // Also as a member name.
        expectRefused(
            [UInt8(ascii: "{"), quote] + bytes + [quote, UInt8(ascii: ":"), UInt8(ascii: "1"), UInt8(ascii: "}")]
        )
    }

    @Test func invalidUTF8OutsideStringsIsRefused() {
        expectRefused([0xFF])
        expectRefused([UInt8(ascii: "["), 0xC3, 0xA9, UInt8(ascii: "]")])
    }

    @Test func rawControlCharactersAreRefused() {
        for byte in UInt8(0)..<0x20 {
            expectRefused([UInt8(ascii: "\""), byte, UInt8(ascii: "\"")])
            expectRefused([UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "t"), byte, UInt8(ascii: "\"")])
        }
        // DEL is not a control character for JSON.
        #expect(parse("\"\u{7F}\"") == .string("\u{7F}"))
    }

    @Test func unterminatedStrings() {
        expectRefused(#""abc"#)
        expectRefused(#""abc\"#)
        expectRefused(#""abc\u00"#)
        expectRefused(#"{"abc"#)
    }

    // MARK: Depth

    private static func nested(_ depth: Int, open: String, close: String) -> String {
        String(repeating: open, count: depth) + String(repeating: close, count: depth)
    }

    @Test func nestingAtTheMaximumDepthIsAccepted() throws {
        let depth = JSONParser.maximumDepth
        var value = try JSONParser.parse(Self.nested(depth, open: "[", close: "]"))
        var levels = 0
        while case .array(let elements) = value {
            levels += 1
            guard let first = elements.first else { break }
            value = first
        }
        #expect(levels == depth)
        _ = parse(Self.nested(depth, open: #"{"a":"#, close: "}").replacingLastNull())
        _ = parse(Self.nested(depth / 2, open: #"[{"a":"#, close: "}]").replacingLastNull())
    }

    @Test func nestingOneDeeperIsRefused() {
        let depth = JSONParser.maximumDepth + 1
        expectRefused(Self.nested(depth, open: "[", close: "]"))
        expectRefused(Self.nested(depth, open: #"{"a":"#, close: "}").replacingLastNull())
        expectRefused(Self.nested(depth / 2 + 1, open: #"[{"a":"#, close: "}]").replacingLastNull())
    }

    @Test func hugeNestingIsRefusedWithoutCrashing() {
        let error = expectRefused(String(repeating: "[", count: 100_000))
        #expect((error?.offset ?? 0) <= JSONParser.maximumDepth + 1)
        expectRefused(String(repeating: #"{"a":"#, count: 100_000))
        expectRefused(String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000))
    }

    // MARK: Round trip

    @Test(
        arguments: [
            #"{"jsonrpc":"2.0","id":9007199254740993,"method":"x","params":{"a":[1,-0,1.5e3,1E+2]}}"#,
            #"["\u0000\u001f","\ud83d\ude00","tab\there","line\nbreak","quote\"","back\\slash","\/"]"#,
            #"{"nested":{"deeper":{"deepest":[[[]],{}]}},"empty":"","unicode":"日本語"}"#,
            "[null,true,false,0,-1,123456789012345678901234567890]",
            #"{"z":1,"a":{"y":2,"b":3}}"#,
        ]
    )
    func parseWriteParseIsStable(_ text: String) throws {
        let first = try JSONParser.parse(text)
        let written = first.bytes
        let second = try JSONParser.parse(written)
        #expect(first == second)
        #expect(second.bytes == written)
        #expect(!written.contains(0x0A))
    }

    @Test func parsesFromBuffersAndArrays() throws {
        let bytes = Array(#"{"a":[1,2]}"#.utf8)
        let fromArray = try JSONParser.parse(bytes)
        let fromBuffer = try bytes.withUnsafeBytes { try JSONParser.parse($0) }
        #expect(fromArray == fromBuffer)
        #expect(fromArray == ["a": [1, 2]])
    }

    @Test func errorsTellWhere() {
        let error = expectRefused("[1, 2, x]")
        #expect(error?.offset == 7)
        #expect(error?.description.contains("at byte 7") == true)
    }
}

extension String {
    /// Puts a `null` where the innermost value of a nested object text belongs (after its last `:`).
    fileprivate func replacingLastNull() -> String {
        guard let colon = lastIndex(of: ":") else { return self }
        return String(self[...colon]) + "null" + String(self[index(after: colon)...])
    }
}

/// `checkObject` accepts exactly the objects `parse` accepts, and keeps the members `parse` would have kept.
@Suite struct JSONCheckObjectTests {
    private static let keys = ["projectId", "seq", "type"]

    private static let event = #"""
        {"projectId":"prj_1","seq":12,"type":"task.updated","at":"2026-12-03T00:00:00.000Z",\#
        "actor":{"id":"usr_1","name":"Zoë \"Z\" \\ /"},"origin":{"sessionId":"ses_1"},\#
        "data":{"task":{"id":"tsk_1","labels":["a","b\u00e9\ud83d\ude00"],"version":3,"score":-1.5e+3,\#
        "ok":true,"off":false,"none":null,"nested":[[],{},[{}],0.25,-0,1E9]}},"seq":13}
        """#

    private func expectAgreement(_ input: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
        let parsed = (try? JSONParser.parse(input))?.objectValue
        let checked = input.withUnsafeBytes { try? JSONParser.checkObject($0, keeping: Self.keys) }
        #expect(
            (parsed != nil) == (checked != nil),
            "\(String(decoding: input, as: UTF8.self).debugDescription)",
            sourceLocation: sourceLocation
        )
        if let parsed, let checked {
            for key in Self.keys { #expect(parsed[key] == checked[key], sourceLocation: sourceLocation) }
            #expect(checked.count == Self.keys.filter { parsed[$0] != nil }.count, sourceLocation: sourceLocation)
        }
    }

    @Test func anEventKeepsTheLastOfARepeatedMember() throws {
        let checked = try Array(Self.event.utf8).withUnsafeBytes { buffer throws(JSONParseError) in
            try JSONParser.checkObject(buffer, keeping: Self.keys)
        }
        #expect(checked["seq"] == 13)
        #expect(checked["projectId"] == "prj_1")
        #expect(checked["type"] == "task.updated")
        expectAgreement(Array(Self.event.utf8))
    }

    @Test(arguments: [
        "{}", " {} ", "[]", "\"x\"", "1", "null", "{\"a\":1,}", "{\"a\" 1}", "{\"a\":tru}", "{\"a\":\"\u{1}\"}",
        "{\"a\":\"\\x\"}", "{\"a\":\"\\ud800\"}", "{\"a\":\"\\udc00x\"}", "{\"a\":01}", "{\"a\":1.}", "{\"a\":-}",
        "{\"a\":1e}", "{\"a\":[1,]}", "{\"a\":[1 2]}", "{\"a\":{}}x", "{\"a\":\"unterminated}", "{\"seq\":1}{}",
        // Names with escapes, and names that only look like a kept one.
        "{\"se\\u0071\":5,\"type\":\"x\",\"seq\":6,\"s\\u0065q\":7}",
        "{\"pr\\u006fjectId\":\"p\",\"séq\":1,\"seq \":2}",
        "{\"seq\\u0000\":1,\"Seq\":2,\"se\":3,\"seqq\":4}",
        "{\"a\":" + String(repeating: "[", count: 255) + String(repeating: "]", count: 255) + "}",
        "{\"a\":" + String(repeating: "[", count: 256) + String(repeating: "]", count: 256) + "}",
        "{\"a\":" + String(repeating: "{\"b\":", count: 256) + "1" + String(repeating: "}", count: 256) + "}",
    ])
    func fixedInputsAgree(_ text: String) {
        expectAgreement(Array(text.utf8))
    }

    @Test func invalidUTF8Agrees() {
        for bytes: [UInt8] in [[0x80], [0xC3], [0xC3, 0xA9], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xFF]] {
            expectAgreement(Array("{\"a\":\"".utf8) + bytes + Array("\"}".utf8))
            expectAgreement(Array("{\"".utf8) + bytes + Array("\":1}".utf8))
        }
    }

    /// Thousands of small corruptions of a real event: each is accepted by both or refused by both.
    @Test func corruptedEventsAgree() {
        let base = Array(Self.event.utf8)
        let interesting = Array("\"\\{}[],:0-e.u tnf".utf8) + [0x0A, 0x00, 0x1F, 0x80, 0xC3, 0xFF]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33)
        }
        for _ in 0..<4000 {
            var input = base
            for _ in 0...(next() % 3) {
                let at = next() % input.count
                switch next() % 3 {
                case 0: input[at] = interesting[next() % interesting.count]
                case 1: input.remove(at: at)
                default: input.insert(interesting[next() % interesting.count], at: at)
                }
            }
            expectAgreement(input)
        }
    }
}
