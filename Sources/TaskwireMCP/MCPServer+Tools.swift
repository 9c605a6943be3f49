import TaskwireProtocol
import TaskwireTransport

extension MCPServer {
    func listTools(_ exchange: Exchange) throws(ResponseError) -> JSON {
        // Every tool fits on one page: no cursor is ever handed out, so none can be valid.
        if let cursor = exchange.params["cursor"], !cursor.isNull {
            throw ResponseError.invalidParams(field: "cursor", reason: "unknown cursor")
        }
        let version = self.version.withLock { $0 } ?? MCPVersion.latest
        return ["tools": .array(ToolCatalog.all.map { $0.listing(for: version) })]
    }

    func callTool(_ exchange: Exchange) throws(ResponseError) -> JSON {
        guard case .string(let name)? = exchange.params["name"] else {
            throw ResponseError.invalidParams(field: "name", reason: "required, a string")
        }
        guard let tool = ToolCatalog.byName[name] else {
            throw ResponseError.invalidParams(field: "name", reason: "unknown tool \(name.debugDescription)")
        }
        let arguments: JSONObject
        switch exchange.params["arguments"] {
        case nil, .null?: arguments = [:]
        case .object(let object)?: arguments = object
        default: throw ResponseError.invalidParams(field: "arguments", reason: "must be an object")
        }
        let structured = version.withLock { $0 }?.hasTitlesAndStructuredOutput ?? true
        let call = toolCall(arguments, context: exchange.context)
        do throws(ResponseError) {
            let result = try tool.run(call)
            var answer: JSONObject = ["content": [["type": "text", "text": .string(result.text)]]]
            if structured { answer["structuredContent"] = result }
            answer["isError"] = false
            return .object(answer)
        } catch {
            // A failed call is the tool's answer, not a protocol error: the assistant reads it and can correct
            // itself (invalid arguments) or retry (a conflict, with the current task).
            logger.debug("tool \(name) failed with \(error.code.rawValue)")
            return Self.toolError(error, structured: structured)
        }
    }

    /// A call of a tool with `arguments`, whose methods run for this session.
    func toolCall(_ arguments: JSONObject, context: CallContext) -> ToolCall {
        ToolCall(arguments: arguments) { [self] (method, params) throws(ResponseError) in
            try perform(method, params, context: context)
        }
    }

    static func toolError(_ error: ResponseError, structured: Bool) -> JSON {
        var content: JSONObject = ["error": error.json]
        // A conflict's `current` and `currentVersion` stand at the top, where an assistant looks to retry.
        if error.code == .conflict, case .object(let data)? = error.data {
            content["error"] = ResponseError(code: error.code, message: error.message).json
            for member in data { content[member.key] = member.value }
        }
        var text = error.message
        if let data = error.data { text += " " + data.text }
        var answer: JSONObject = ["content": [["type": "text", "text": .string(text)]]]
        if structured { answer["structuredContent"] = .object(content) }
        answer["isError"] = true
        return .object(answer)
    }
}
