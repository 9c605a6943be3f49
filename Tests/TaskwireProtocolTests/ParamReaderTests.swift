import TaskwireProtocol
import Testing

/// Runs `body` and expects it to throw -32602 naming `field` with `reason`.
private func expectInvalid<T>(
    field: String,
    reason: String,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> T
) {
    do {
        let value = try body()
        Issue.record("expected -32602 for \(field), got \(value)", sourceLocation: sourceLocation)
    } catch let error as ResponseError {
        #expect(error.code == .invalidParams, sourceLocation: sourceLocation)
        #expect(error.code.rawValue == -32602, sourceLocation: sourceLocation)
        #expect(
            error.data == .object(["field": .string(field), "reason": .string(reason)]),
            sourceLocation: sourceLocation
        )
        #expect(error.json["data"] == error.data, sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected a ResponseError, got \(error)", sourceLocation: sourceLocation)
    }
}

/// A reader over `params` allowing `allowed`, recording an issue when it refuses.
private func reader(
    _ params: JSONObject,
    allowed: Set<String>,
    sourceLocation: SourceLocation = #_sourceLocation
) -> ParamReader? {
    do {
        return try ParamReader(params, allowed: allowed)
    } catch {
        Issue.record("refused: \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

@Suite struct ParamReaderTests {
    @Test func unknownFieldIsRefusedWithItsName() {
        expectInvalid(field: "titel", reason: "unknown field") {
            try ParamReader(["title": "x", "titel": "y"], allowed: ["title", "description"])
        }
        expectInvalid(field: "anything", reason: "unknown field") {
            try ParamReader(["anything": nil], allowed: [])
        }
    }

    @Test func unknownFieldErrorOnTheWire() throws {
        do {
            _ = try ParamReader(["status": "done"], allowed: ["id"])
            Issue.record("accepted an unknown field")
        } catch {
            #expect(error.code.rawValue == -32602)
            let wire = error.json
            #expect(wire["code"] == .number("-32602"))
            #expect(wire["message"]?.stringValue?.isEmpty == false)
            #expect(wire["data"] == ["field": "status", "reason": "unknown field"])
        }
    }

    @Test func emptyParamsAndKnownFieldsAreAccepted() throws {
        let empty = try ParamReader([:], allowed: [])
        #expect(empty.params.isEmpty)
        let known = try ParamReader(["a": 1], allowed: ["a", "b"])
        #expect(known.has("a"))
        #expect(!known.has("b"))
    }

    @Test func strings() throws {
        guard let params = reader(["s": "text", "n": 1, "z": nil], allowed: ["s", "n", "z", "missing"]) else {
            return
        }
        #expect(try params.string("s") == "text")
        #expect(try params.optionalString("s") == "text")
        #expect(try params.optionalString("missing") == nil)
        expectInvalid(field: "missing", reason: "required") { try params.string("missing") }
        expectInvalid(field: "n", reason: "must be a string") { try params.string("n") }
        expectInvalid(field: "z", reason: "must be a string") { try params.string("z") }
        expectInvalid(field: "n", reason: "must be a string") {
            try params.optionalString("n")
        }
    }

    @Test func nullableStrings() throws {
        guard
            let params = reader(
                ["s": "x", "z": nil, "n": 3, "b": true, "a": []],
                allowed: ["s", "z", "n", "b", "a", "m"]
            )
        else { return }
        #expect(try params.nullableString("s") == .value("x"))
        #expect(try params.nullableString("z") == .null)
        #expect(try params.nullableString("m") == .absent)
        #expect(try params.nullableString("m").isAbsent)
        #expect(try !params.nullableString("z").isAbsent)
        for field in ["n", "b", "a"] {
            expectInvalid(field: field, reason: "must be a string or null") {
                try params.nullableString(field)
            }
        }
    }

    @Test(
        arguments: [
            ("0", 0...10, nil), ("10", 0...10, nil), ("-1", 0...10, "must be at least 0 and at most 10"),
            ("11", 0...10, "must be at least 0 and at most 10"), ("9223372036854775807", 1...Int64.max, nil),
            ("0", 1...Int64.max, "must be at least 1"), ("-5", -5...(-1), nil),
        ] as [(String, ClosedRange<Int64>, String?)]
    )
    func integerRanges(_ text: String, _ range: ClosedRange<Int64>, _ reason: String?) throws {
        let params = try ParamReader(["n": .number(text)], allowed: ["n"])
        if let reason {
            expectInvalid(field: "n", reason: reason) { try params.integer("n", in: range) }
        } else {
            #expect(try params.integer("n", in: range) == Int64(text))
            #expect(try params.optionalInteger("n", in: range) == Int64(text))
        }
    }

    @Test(
        arguments: [
            JSON.number("1.5"), .number("1e2"), .number("9223372036854775808"), .number("-9223372036854775809"),
            .number("123456789012345678901234567890"), .string("5"), .bool(true), .null, .array([1]), .object([:]),
        ]
    )
    func nonIntegersAreRefused(_ value: JSON) throws {
        let params = try ParamReader(["n": value], allowed: ["n"])
        expectInvalid(field: "n", reason: "must be an integer") {
            try params.integer("n", in: 0...Int64.max)
        }
    }

    @Test func missingIntegers() throws {
        let params = try ParamReader([:], allowed: ["n"])
        expectInvalid(field: "n", reason: "required") { try params.integer("n", in: 0...1) }
        #expect(try params.optionalInteger("n", in: 0...1) == nil)
    }

    @Test func stringArrays() throws {
        let params = try ParamReader(
            ["ok": ["a", "b"], "empty": [], "mixed": ["a", 1], "notArray": "a", "null": nil],
            allowed: ["ok", "empty", "mixed", "notArray", "null", "missing"]
        )
        #expect(try params.optionalStringArray("ok") == ["a", "b"])
        #expect(try params.optionalStringArray("empty") == [])
        #expect(try params.optionalStringArray("missing") == nil)
        for field in ["mixed", "notArray", "null"] {
            expectInvalid(field: field, reason: "must be an array of strings") {
                try params.optionalStringArray(field)
            }
        }
    }

    @Test func choices() throws {
        let choices = TaskStatus.allCases.map(\.rawValue)
        let params = try ParamReader(
            ["good": "in_review", "bad": "finished", "number": 1],
            allowed: ["good", "bad", "number", "missing"]
        )
        #expect(try params.choice("good", choices) == "in_review")
        #expect(try params.optionalChoice("good", choices) == "in_review")
        #expect(try params.optionalChoice("missing", choices) == nil)
        expectInvalid(field: "bad", reason: "must be one of todo, in_progress, in_review, done") {
            try params.choice("bad", choices)
        }
        expectInvalid(field: "missing", reason: "required") {
            try params.choice("missing", choices)
        }
        expectInvalid(field: "number", reason: "must be a string") {
            try params.choice("number", choices)
        }
    }

    @Test func objects() throws {
        let params = try ParamReader(["o": ["name": "x"], "s": "x"], allowed: ["o", "s", "missing"])
        #expect(try params.optionalObject("o") == ["name": "x"])
        #expect(try params.optionalObject("missing") == nil)
        expectInvalid(field: "s", reason: "must be an object") { try params.optionalObject("s") }
    }

    @Test func nestedObjectsAreReadWithTheirFullPath() throws {
        let params = try ParamReader(
            ["clientInfo": ["name": "x", "version": "1"], "s": "x"],
            allowed: ["clientInfo", "s", "missing"]
        )
        let info = try params.nested("clientInfo", allowed: ["name", "version"])
        #expect(info.path == "clientInfo")
        #expect(info.fieldPath("name") == "clientInfo.name")
        #expect(try info.string("name") == "x")
        #expect(try info.string("version") == "1")
        #expect(try params.optionalNested("clientInfo", allowed: ["name", "version"])?.params == info.params)
        #expect(try params.optionalNested("missing", allowed: []) == nil)
        #expect(params.path == nil)
        #expect(params.fieldPath("s") == "s")
        expectInvalid(field: "missing", reason: "required") { try params.nested("missing", allowed: []) }
        expectInvalid(field: "s", reason: "must be an object") { try params.nested("s", allowed: []) }
        expectInvalid(field: "s", reason: "must be an object") { try params.optionalNested("s", allowed: []) }
    }

    @Test func everyErrorOfANestedReaderNamesTheFullPath() throws {
        expectInvalid(field: "clientInfo.extra", reason: "unknown field") {
            try ParamReader(["clientInfo": ["name": "x", "extra": 1]], allowed: ["clientInfo"])
                .nested("clientInfo", allowed: ["name", "version"])
        }
        let outer = try ParamReader(
            [
                "o": [
                    "n": 1, "s": "x", "nul": "a\u{0}b", "empty": "", "list": [1], "inner": ["deep": 5],
                ]
            ],
            allowed: ["o"]
        )
        let o = try outer.nested("o", allowed: ["n", "s", "nul", "empty", "list", "inner", "missing"])
        expectInvalid(field: "o.missing", reason: "required") { try o.string("missing") }
        expectInvalid(field: "o.n", reason: "must be a string") { try o.string("n") }
        expectInvalid(field: "o.n", reason: "must be a string") { try o.optionalString("n") }
        expectInvalid(field: "o.nul", reason: "must not contain U+0000") { try o.string("nul") }
        expectInvalid(field: "o.nul", reason: "must not contain U+0000") { try o.nullableString("nul") }
        expectInvalid(field: "o.empty", reason: "must not be empty") { try o.identifier("empty") }
        expectInvalid(field: "o.n", reason: "must be a string or null") { try o.nullableString("n") }
        expectInvalid(field: "o.s", reason: "must be an integer") { try o.integer("s", in: 0...1) }
        expectInvalid(field: "o.n", reason: "must be at least 2") { try o.integer("n", in: 2...Int64.max) }
        expectInvalid(field: "o.list", reason: "must be an array of strings") { try o.optionalStringArray("list") }
        expectInvalid(field: "o.s", reason: "must be one of a, b") { try o.choice("s", ["a", "b"]) }
        expectInvalid(field: "o.missing", reason: "required") { try o.choice("missing", ["a"]) }
        expectInvalid(field: "o.s", reason: "must be an object") { try o.optionalObject("s") }
        // Nested twice: the path grows with each level.
        expectInvalid(field: "o.inner.deep", reason: "must be a string") {
            try o.nested("inner", allowed: ["deep"]).string("deep")
        }
        expectInvalid(field: "o.inner.deep", reason: "unknown field") {
            try o.nested("inner", allowed: [])
        }
    }

    @Test func invalidParamsBuildersCarryData() {
        let extra = ResponseError.invalidParams(
            field: "protocolVersion",
            reason: "unsupported",
            extra: ["supported": ["1"]]
        )
        #expect(extra.code == .invalidParams)
        #expect(extra.data == ["field": "protocolVersion", "reason": "unsupported", "supported": ["1"]])
        let plain = ResponseError.invalidParams("params must be an object")
        #expect(plain.data == ["reason": "params must be an object"])
        #expect(ResponseError.internalError.json == ["code": -32603, "message": "Internal error"])
    }

    @Test func requestIDsAcceptOnlyTheJSONRPCTypes() {
        #expect(RequestID(.string("a"))?.json == .string("a"))
        #expect(RequestID(.number("9007199254740993"))?.json == .number("9007199254740993"))
        #expect(RequestID(.null) == .null)
        #expect(RequestID(.bool(true)) == nil)
        #expect(RequestID(.array([])) == nil)
        #expect(RequestID(.object([:])) == nil)
    }
}
