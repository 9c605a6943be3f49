import TaskwireProtocol
import Testing

/// The written text of a one-scalar string.
private func written(_ scalar: Unicode.Scalar) -> String {
    JSON.string(String(Character(scalar))).text
}

/// A string literal escaped byte by byte, the plain way: what the writer must produce.
private func referenceLiteral(_ text: String) -> [UInt8] {
    var out: [UInt8] = [UInt8(ascii: "\"")]
    for byte in text.utf8 {
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), byte]
        case 0x0A: out += Array("\\n".utf8)
        case 0x0D: out += Array("\\r".utf8)
        case 0x09: out += Array("\\t".utf8)
        case 0x08: out += Array("\\b".utf8)
        case 0x0C: out += Array("\\f".utf8)
        case ..<0x20: out += Array("\\u00".utf8) + Array(String(byte, radix: 16).leftPadded(to: 2).utf8)
        default: out.append(byte)
        }
    }
    return out + [UInt8(ascii: "\"")]
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}

@Suite struct JSONWriterTests {
    @Test func scalarsAndContainers() {
        #expect(JSON.null.text == "null")
        #expect(JSON.bool(true).text == "true")
        #expect(JSON.bool(false).text == "false")
        #expect(JSON.number("-0").text == "-0")
        #expect(JSON.number("1.5e3").text == "1.5e3")
        #expect(JSON.int(Int64.min).text == "-9223372036854775808")
        #expect(JSON.int(UInt64.max).text == "18446744073709551615")
        #expect(JSON.string("").text == #""""#)
        #expect(JSON.array([]).text == "[]")
        #expect(JSON.object([:]).text == "{}")
        #expect(JSON.string(nil as String?) == .null)
        #expect(JSON.string("x" as String?) == .string("x"))
    }

    @Test func compactOutputInMemberOrder() {
        var object = JSONObject()
        object["z"] = 1
        object["a"] = ["b": [true, nil, "c"]]
        object["m"] = .number("9007199254740993")
        #expect(JSON.object(object).text == #"{"z":1,"a":{"b":[true,null,"c"]},"m":9007199254740993}"#)
    }

    @Test func replacingAMemberKeepsItsPlace() {
        var object: JSONObject = ["a": 1, "b": 2, "c": 3]
        object["b"] = "two"
        #expect(JSON.object(object).text == #"{"a":1,"b":"two","c":3}"#)
        object["a"] = nil
        #expect(JSON.object(object).text == #"{"b":"two","c":3}"#)
    }

    @Test func namedEscapes() {
        #expect(JSON.string("\"\\/\u{8}\u{C}\n\r\t").text == #""\"\\/\b\f\n\r\t""#)
        #expect(JSON.string("\u{0}\u{1}\u{1F}").text == #""\u0000\u0001\u001f""#)
        #expect(JSON.object(["a\nb": "c\"d"]).text == #"{"a\nb":"c\"d"}"#)
    }

    @Test func nonASCIIIsWrittenAsUTF8() {
        #expect(JSON.string("é日😀").bytes == Array("\"é日😀\"".utf8))
        #expect(JSON.string("\u{2028}\u{2029}").bytes == Array("\"\u{2028}\u{2029}\"".utf8))
    }

    /// Every ASCII scalar, alone and inside text, is written as a valid JSON string that reads back unchanged
    /// and contains no raw control character.
    @Test func everyASCIIScalarRoundTrips() throws {
        var scalars = (0..<0x80).compactMap { Unicode.Scalar(UInt32($0)) }
        scalars += ["\u{80}", "\u{A0}", "é", "\u{7FF}", "\u{800}", "\u{2028}", "\u{FEFF}", "\u{FFFD}", "\u{FFFF}"]
        scalars += ["\u{10000}", "😀", "\u{10FFFF}"]
        for scalar in scalars {
            let single = written(scalar)
            let bytes = Array(single.utf8)
            #expect(!bytes.contains { $0 < 0x20 }, "raw control character for U+\(String(scalar.value, radix: 16))")
            #expect(try JSONParser.parse(bytes) == .string(String(Character(scalar))))
            let text = "a\(Character(scalar))b\(Character(scalar))"
            let surrounded = JSON.array([.string(text), .object([text: .string(text)])])
            let out = surrounded.bytes
            #expect(!out.contains(0x0A) && !out.contains(0x0D))
            #expect(try JSONParser.parse(out) == surrounded)
        }
    }

    /// Strings are scanned eight bytes at a time: a byte to escape is found at every position of a word, next to
    /// bytes that are close to it in value, and in text of every length around a word's size.
    @Test func escapesAreFoundAtEveryPositionOfLongText() throws {
        let specials: [Character] = ["\"", "\\", "\n", "\u{0}", "\u{1F}", "\t"]
        let neighbours: [Character] = ["!", "#", "[", "]", " ", "\u{7F}", "é", "😀", "a"]
        for filler in neighbours {
            for length in 0..<26 {
                let plain = String(repeating: filler, count: length)
                #expect(JSON.string(plain).bytes == Array("\"\(plain)\"".utf8))
                for position in 0..<length {
                    for special in specials {
                        var characters = Array(plain)
                        characters[position] = special
                        let text = String(characters)
                        let out = JSON.string(text).bytes
                        #expect(!out.contains { $0 < 0x20 })
                        #expect(try JSONParser.parse(out) == .string(text), "\(text.debugDescription)")
                        var appended: [UInt8] = [0x41]
                        JSON.writeString(text, into: &appended)
                        #expect(appended == [0x41] + out)
                    }
                }
            }
        }
    }

    @Test func allControlCharactersTogether() throws {
        let text = String(String.UnicodeScalarView((0..<0x20).compactMap { Unicode.Scalar(UInt32($0)) }))
        let out = JSON.string(text).bytes
        #expect(!out.contains { $0 < 0x20 })
        #expect(try JSONParser.parse(out) == .string(text))
    }

    /// The writer starts in a 1 KB buffer on the stack and moves to the heap when a text outgrows it, in the middle
    /// of a string or between values: every length around that size, and a few of several times it, with an escape
    /// (or none) before, on and after the boundary, writes what the byte-by-byte reference writes.
    @Test func textsThatOutgrowTheFirstBufferAreWrittenWhole() throws {
        let lengths = Array(1011...1031) + Array(2035...2055) + [4095, 4096, 4097, 10_000, 70_000]
        for length in lengths {
            for special in ["", "\"", "\n", "\u{1}", "é", "\u{1}\u{2}\u{3}\u{4}\u{5}"] {
                for tail in ["b", "\\"] {
                    let half = length / 2
                    let text =
                        String(repeating: "a", count: half) + special
                        + String(repeating: tail, count: length - half)
                    #expect(JSON.string(text).bytes == referenceLiteral(text), "\(length), \(special.debugDescription)")
                    var out = Array("x".utf8)
                    JSON.writeString(text, into: &out)
                    #expect(out == Array("x".utf8) + referenceLiteral(text))
                }
            }
        }
        // Each escape, two bytes and six, at every position around the end of the first buffer (debug builds check
        // that no write goes past the room it took).
        for special in ["\"", "\n", "\u{1}", "\u{1F}"] {
            for offset in Array(1006...1026) + Array(2030...2050) {
                let text = String(repeating: "a", count: offset) + special + String(repeating: "b", count: 40)
                #expect(JSON.string(text).bytes == referenceLiteral(text), "\(offset), \(special.debugDescription)")
                let many = String(repeating: "a", count: offset) + String(repeating: special, count: 30)
                #expect(JSON.string(many).bytes == referenceLiteral(many), "\(offset), \(special.debugDescription)")
            }
        }
        // Values that cross the boundary between them, nested.
        let many: JSON = .object(
            JSONObject(
                (0..<400).map { ("key \($0)", JSON.array([.string("\($0)\n"), .number("\($0)"), .null, .bool(true)])) }
            )
        )
        let bytes = many.bytes
        #expect(bytes.count > 6 * 1024)
        #expect(try JSONParser.parse(bytes) == many)
        var appended = Array("prefix".utf8)
        many.write(into: &appended)
        #expect(appended == Array("prefix".utf8) + bytes)
    }

    @Test func membersGivenAsTheyAreWriteAsTheLiteralDoes() {
        let literal: JSON = ["b": 1, "a": ["c": "d"], "e": nil]
        let members = JSON.object(
            JSONObject(members: [.init("b", 1), .init("a", ["c": "d"]), .init("e", nil)])
        )
        #expect(members == literal)
        #expect(members.text == literal.text)
        #expect(members.text == #"{"b":1,"a":{"c":"d"},"e":null}"#)
    }

    @Test func writeAppendsToExistingBytes() {
        var out = Array("prefix:".utf8)
        JSON.array([1, "x"]).write(into: &out)
        #expect(String(decoding: out, as: UTF8.self) == #"prefix:[1,"x"]"#)
        JSON.writeString("q\"", into: &out)
        #expect(String(decoding: out, as: UTF8.self) == #"prefix:[1,"x"]"q\"""#)
    }

    @Test func descriptionIsTheText() {
        let value: JSON = ["a": [1, 2]]
        #expect(value.description == value.text)
    }

    // MARK: JSONObject

    @Test func objectEqualityIgnoresOrder() {
        let forward: JSONObject = ["a": 1, "b": [true], "c": ["d": nil]]
        let backward: JSONObject = ["c": ["d": nil], "b": [true], "a": 1]
        #expect(forward == backward)
        #expect(JSON.object(forward) == JSON.object(backward))
        #expect(forward.keys != backward.keys)
    }

    @Test func objectEqualityComparesValuesAndCount() {
        let base: JSONObject = ["a": 1, "b": 2]
        #expect(base != ["a": 1, "b": 3])
        #expect(base != ["a": 1])
        #expect(base != ["a": 1, "b": 2, "c": 3])
        #expect(base != ["a": 1, "c": 2])
        #expect(JSON.number("1") != JSON.number("1.0"))
        #expect(JSON.array([1, 2]) != JSON.array([2, 1]))
    }

    /// Large objects switch to an index; lookups, replacement and removal must behave the same.
    @Test func largeObjectsBehaveLikeSmallOnes() throws {
        var object = JSONObject()
        for number in 0..<40 { object["k\(number)"] = .int(number) }
        #expect(object.count == 40)
        #expect(object["k0"] == 0)
        #expect(object["k39"] == 39)
        object["k5"] = nil
        #expect(object["k5"] == nil)
        #expect(object["k6"] == 6)
        #expect(object.count == 39)
        object["k7"] = "seven"
        #expect(object["k7"] == "seven")
        var reversed = JSONObject()
        for member in object.members.reversed() { reversed[member.key] = member.value }
        #expect(reversed == object)
        let parsed = try JSONParser.parse(JSON.object(object).bytes)
        #expect(parsed == .object(object))
        #expect(parsed.objectValue?.keys == object.keys)
    }

    @Test func accessors() {
        let value: JSON = ["s": "x", "n": .number("12"), "big": .number("99999999999999999999"), "b": false]
        #expect(value["s"]?.stringValue == "x")
        #expect(value["n"]?.int64Value == 12)
        #expect(value["big"]?.int64Value == nil)
        #expect(value["b"]?.boolValue == false)
        #expect(value["missing"] == nil)
        #expect(JSON.null.isNull)
        #expect(JSON.array([1]).arrayValue == [1])
        #expect(JSON.string("x")["a"] == nil)
        #expect(
            [JSON.null, true, 1, "s", [], [:]].map(\.typeName) == [
                "null", "boolean", "number", "string", "array", "object",
            ]
        )
    }
}

/// Integers written by `JSON.int` have the standard library's digits, whichever overload a caller reaches.
@Suite struct JSONIntegerTests {
    static let edges: [Int64] = [
        0, 1, -1, 9, 10, -9, -10, 99, 100, 999_999_999, 1_000_000_000, Int64(Int32.max), Int64(Int32.min),
        .max, .min, .max - 1, .min + 1,
    ]

    @Test(arguments: edges)
    func int64HasTheStandardDigits(_ value: Int64) {
        #expect(JSON.int(value).text == String(value))
        #expect(JSON.int(Int(value)).text == String(value))
        #expect(JSON.int(value) == JSON.number(String(value)))
    }

    @Test func randomIntegersHaveTheStandardDigits() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<10_000 {
            let value = Int64.random(in: .min ... .max, using: &generator) >> Int64.random(in: 0...63)
            #expect(JSON.int(value).text == String(value))
        }
    }

    @Test func otherIntegerTypesStillWork() {
        #expect(JSON.int(UInt8(255)).text == "255")
        #expect(JSON.int(Int32.min).text == "-2147483648")
        #expect(JSON.int(UInt64.max).text == "18446744073709551615")
    }
}

/// Text written value by value (`JSON.text`) is the text of the same value built as a tree, and an `encoded` value
/// reads as the value its text holds.
@Suite struct JSONTextWriterTests {
    /// The tree a writer call sequence is meant to produce, and the calls.
    private static func nested(_ out: inout JSONTextWriter, _ strings: [String]) {
        out.openObject()
        out.key("a")
        out.string(strings[0])
        out.key("empty")
        out.openObject()
        out.closeObject()
        out.key("list")
        out.openArray()
        out.int(.min)
        out.null()
        out.openObject()
        out.key("x")
        out.strings(strings)
        out.closeObject()
        out.openArray()
        out.closeArray()
        out.value(["tree": [1, "two", nil, true]])
        out.closeArray()
        out.key("maybe")
        out.string(String?.none)
        out.key("present")
        out.string(String?.some(strings[1]))
        out.key("n")
        out.int(Int64.max)
        out.closeObject()
    }

    private static func nestedTree(_ strings: [String]) -> JSON {
        [
            "a": .string(strings[0]),
            "empty": .object(JSONObject()),
            "list": [
                .int(Int64.min), nil, ["x": .array(strings.map(JSON.string))], [], ["tree": [1, "two", nil, true]],
            ],
            "maybe": nil,
            "present": .string(strings[1]),
            "n": .int(Int64.max),
        ]
    }

    @Test(arguments: [
        ["plain", "words"],
        ["quote \" and backslash \\", "line\nbreak\t\u{1}"],
        ["é 日本 🚀", ""],
        [String(repeating: "long ", count: 400), String(repeating: "\"", count: 300)],
    ])
    func writesWhatTheTreeWrites(_ strings: [String]) throws {
        let text = JSON.text { Self.nested(&$0, strings) }
        let tree = Self.nestedTree(strings)
        #expect(text.bytes == tree.bytes)
        #expect(try JSONParser.parse(text.bytes) == tree)
        #expect(text.value == tree)
    }

    @Test func integersHaveTheStandardDigits() {
        var generator = SystemRandomNumberGenerator()
        let values: [Int64] =
            [0, 1, -1, 9, 10, -10, .max, .min, .min + 1]
            + (0..<2_000).map { _ in Int64.random(in: .min ... .max, using: &generator) >> Int64.random(in: 0...63) }
        for value in values {
            let text = JSON.text { $0.int(value) }
            #expect(text.bytes == Array(String(value).utf8))
        }
    }

    @Test func anEncodedValueReadsAsItsValue() {
        let tree: JSON = ["id": "tsk_1", "labels": ["a", "b"], "version": 3, "done": false, "due": nil]
        let encoded = JSON.encoded(JSON.text { $0.value(tree) })
        #expect(encoded == tree)
        #expect(tree == encoded)
        #expect(encoded != ["id": "tsk_2"])
        #expect(encoded == .encoded(JSON.text { $0.value(tree) }))
        #expect(encoded["id"]?.stringValue == "tsk_1")
        #expect(encoded["version"]?.int64Value == 3)
        #expect(encoded["labels"]?.arrayValue == ["a", "b"])
        #expect(encoded["done"]?.boolValue == false)
        #expect(encoded["due"]?.isNull == true)
        #expect(encoded.objectValue?.count == 5)
        #expect(encoded.typeName == "object")
        if case .encoded(let text) = encoded, case .object = text.value {
            #expect(text.value == tree)
        } else {
            Issue.record("the text does not read as the object")
        }
        let scalar = JSON.encoded(JSON.text { $0.int(7) })
        #expect(scalar.int64Value == 7)
        #expect(scalar.typeName == "number")
        #expect(scalar.stringValue == nil)
        // Inside a tree it is written as it is.
        let outer: JSON = ["task": encoded, "seq": 9]
        #expect(
            outer.text == #"{"task":{"id":"tsk_1","labels":["a","b"],"version":3,"done":false,"due":null},"seq":9}"#
        )
        #expect(outer == ["task": tree, "seq": 9])
    }
}
