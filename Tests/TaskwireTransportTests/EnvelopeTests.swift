import TaskwireProtocol
import TaskwireTransport
import Testing

/// Decodes one message text, recording an issue when it is not JSON.
private func decode(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> Envelope? {
    do {
        return Envelope.decode(try JSONParser.parse(text))
    } catch {
        Issue.record("not JSON: \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// Expects `text` to be a valid call and returns it.
private func expectCall(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> Call? {
    switch decode(text, sourceLocation: sourceLocation) {
    case .call(let call)?: return call
    case .invalid(let id, let error)?:
        Issue.record("refused (id \(id.json)): \(error.message)", sourceLocation: sourceLocation)
        return nil
    case .response(let id)?:
        Issue.record("taken for a response (id \(id.json))", sourceLocation: sourceLocation)
        return nil
    case nil: return nil
    }
}

/// Expects `text` to be refused with `code`, answered with `id`.
private func expectInvalid(
    _ text: String,
    code: ErrorCode = .invalidRequest,
    id: JSON,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    switch decode(text, sourceLocation: sourceLocation) {
    case .call(let call)?:
        Issue.record("accepted as a call of \(call.method)", sourceLocation: sourceLocation)
    case .invalid(let replyID, let error)?:
        #expect(error.code == code, sourceLocation: sourceLocation)
        #expect(replyID.json == id, sourceLocation: sourceLocation)
        #expect(!error.message.isEmpty, sourceLocation: sourceLocation)
    case .response(let replyID)?:
        Issue.record("taken for a response (id \(replyID.json))", sourceLocation: sourceLocation)
    case nil: break
    }
}

@Suite struct EnvelopeTests {
    /// A message with `result` or `error`, an id and no method is a response; without an id it is not.
    @Test func responses() {
        for text in [#"{"jsonrpc":"2.0","id":7,"result":{}}"#, #"{"jsonrpc":"2.0","id":"a","error":{"code":1}}"#] {
            guard case .response(let id)? = decode(text) else {
                Issue.record("\(text) is not a response")
                continue
            }
            #expect(id.json != .null)
        }
        expectInvalid(#"{"jsonrpc":"2.0","result":{}}"#, id: .null)
        expectInvalid(#"{"jsonrpc":"1.0","id":7,"result":{}}"#, id: .number("7"))
    }

    @Test func request() {
        guard let call = expectCall(#"{"jsonrpc":"2.0","id":7,"method":"task.get","params":{"id":"t1"}}"#) else {
            return
        }
        #expect(call.id?.json == .number("7"))
        #expect(call.method == "task.get")
        #expect(call.params == ["id": "t1"])
        #expect(!call.paramsWereArray)
        #expect(!call.isNotification)
    }

    @Test func notificationHasNoID() {
        guard let call = expectCall(#"{"jsonrpc":"2.0","method":"exit"}"#) else { return }
        #expect(call.id == nil)
        #expect(call.isNotification)
        #expect(call.params.isEmpty)
    }

    @Test func nullIDIsARequestNotANotification() {
        guard let call = expectCall(#"{"jsonrpc":"2.0","id":null,"method":"ping"}"#) else { return }
        #expect(call.id == .null)
        #expect(!call.isNotification)
    }

    @Test(arguments: [#""abc""#, #""""#, "0", "-1", "9007199254740993", "123456789012345678901234567890", "1.5", "-0"])
    func idsAreKeptExactly(_ idText: String) throws {
        guard let call = expectCall(#"{"jsonrpc":"2.0","id":\#(idText),"method":"ping"}"#) else { return }
        let expected = try JSONParser.parse(idText)
        #expect(call.id?.json == expected)
        #expect(call.id?.json.text == idText)
    }

    @Test func memberOrderDoesNotMatter() {
        guard let call = expectCall(#"{"params":{},"method":"ping","id":"x","jsonrpc":"2.0"}"#) else { return }
        #expect(call.method == "ping")
        #expect(call.id?.json == "x")
    }

    @Test func omittedParamsAreEmpty() {
        #expect(expectCall(#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#)?.params == [:])
        #expect(expectCall(#"{"jsonrpc":"2.0","id":1,"method":"ping","params":{}}"#)?.params == [:])
    }

    @Test func arrayParamsAreFlagged() {
        guard let call = expectCall(#"{"jsonrpc":"2.0","id":1,"method":"ping","params":[1,2]}"#) else { return }
        #expect(call.paramsWereArray)
        #expect(call.params.isEmpty)
        #expect(expectCall(#"{"jsonrpc":"2.0","id":1,"method":"ping","params":[]}"#)?.paramsWereArray == true)
    }

    /// Editor RPC libraries send `"params": null` for parameterless calls: it counts as omitted.
    @Test func nullParamsCountAsOmitted() {
        #expect(expectCall(#"{"jsonrpc":"2.0","id":1,"method":"shutdown","params":null}"#)?.params == [:])
        #expect(expectCall(#"{"jsonrpc":"2.0","method":"exit","params":null}"#)?.paramsWereArray == false)
    }

    @Test(arguments: [#""text""#, "1", "-2.5", "true", "false"])
    func scalarParamsAreInvalidRequests(_ params: String) {
        expectInvalid(#"{"jsonrpc":"2.0","id":4,"method":"ping","params":\#(params)}"#, id: 4)
        expectInvalid(#"{"jsonrpc":"2.0","method":"ping","params":\#(params)}"#, id: nil)
    }

    @Test func jsonrpcMemberMustBe20() {
        expectInvalid(#"{"id":1,"method":"ping"}"#, id: 1)
        expectInvalid(#"{"jsonrpc":"1.0","id":1,"method":"ping"}"#, id: 1)
        expectInvalid(#"{"jsonrpc":2.0,"id":"a","method":"ping"}"#, id: "a")
        expectInvalid(#"{"jsonrpc":"2.0 ","id":1,"method":"ping"}"#, id: 1)
        expectInvalid(#"{"jsonrpc":null,"id":1,"method":"ping"}"#, id: 1)
        expectInvalid(#"{"method":"ping"}"#, id: nil)
    }

    @Test(arguments: ["1", "null", "true", "[]", "{}", #"["ping"]"#])
    func methodMustBeAString(_ method: String) {
        expectInvalid(#"{"jsonrpc":"2.0","id":2,"method":\#(method)}"#, id: 2)
    }

    @Test func missingMethod() {
        expectInvalid(#"{"jsonrpc":"2.0","id":3}"#, id: 3)
        expectInvalid(#"{"jsonrpc":"2.0","id":3,"params":{}}"#, id: 3)
    }

    @Test(arguments: ["{}", #"{"a":1}"#, "[]", "[1]", "true", "false"])
    func unreadableIDsAnswerWithNull(_ idText: String) {
        expectInvalid(#"{"jsonrpc":"2.0","id":\#(idText),"method":"ping"}"#, id: nil)
    }

    @Test(arguments: ["result", "error", "Method", "jsonRPC", "extra", ""])
    func unknownTopLevelMembersAreInvalidRequests(_ member: String) {
        expectInvalid(#"{"jsonrpc":"2.0","id":5,"method":"ping","\#(member)":1}"#, id: 5)
        expectInvalid(#"{"jsonrpc":"2.0","method":"ping","\#(member)":null}"#, id: nil)
    }

    @Test(arguments: ["1", #""request""#, "null", "true", "[]", "[{}]"])
    func nonObjectsAreInvalidRequests(_ text: String) {
        expectInvalid(text, id: nil)
    }

    @Test func outgoingMessages() {
        let success = Outgoing.response(id: RequestID(.number("9007199254740993"))!, result: [:])
        #expect(success.text == #"{"jsonrpc":"2.0","id":9007199254740993,"result":{}}"#)
        let failure = Outgoing.response(id: .null, error: .invalidRequest("bad"))
        #expect(failure["id"] == .null)
        #expect(failure["error"]?["code"] == -32600)
        let notification = Outgoing.notification(method: "presence.left", params: ["reason": "closed"])
        #expect(notification.text == #"{"jsonrpc":"2.0","method":"presence.left","params":{"reason":"closed"}}"#)
        let raw = Outgoing.notification(method: "task.created", rawParams: Array(#"{"seq":1}"#.utf8))
        #expect(
            String(decoding: raw, as: UTF8.self) == #"{"jsonrpc":"2.0","method":"task.created","params":{"seq":1}}"#
        )
    }
}
