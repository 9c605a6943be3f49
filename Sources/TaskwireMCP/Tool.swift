import TaskwireProtocol

/// One MCP tool: what an assistant sees in `tools/list`, and what a call does.
struct Tool: Sendable {
    /// What a call does to the tasks, as MCP's annotations say it. They must tell the truth: clients ask a person
    /// before running a tool that is not read-only, and warn before a destructive one.
    enum Effect {
        /// Reads only.
        case reads
        /// Adds something new each time (a task, a comment).
        case adds
        /// Changes or removes what exists, guarded by `expectedVersion`: the same call again changes nothing more
        /// (it fails with a conflict).
        case overwrites
    }

    let name: String
    let title: String
    let description: String
    let effect: Effect
    let inputSchema: JSON
    let outputSchema: JSON
    let run: @Sendable (ToolCall) throws(ResponseError) -> JSON

    var annotations: JSON {
        [
            "title": .string(title),
            "readOnlyHint": .bool(effect == .reads),
            "destructiveHint": .bool(effect == .overwrites),
            "idempotentHint": .bool(effect != .adds),
            // Every tool works on the team's own database, never on the open internet.
            "openWorldHint": false,
        ]
    }

    /// The description of the tool in `tools/list` for the protocol version `version`.
    func listing(for version: MCPVersion) -> JSON {
        var tool: JSONObject = ["name": .string(name)]
        if version.hasTitlesAndStructuredOutput { tool["title"] = .string(title) }
        tool["description"] = .string(description)
        tool["inputSchema"] = inputSchema
        if version.hasTitlesAndStructuredOutput { tool["outputSchema"] = outputSchema }
        if version.hasToolAnnotations { tool["annotations"] = annotations }
        return .object(tool)
    }
}

/// A tool call as a tool sees it: its arguments, and the session's methods to run them with.
struct ToolCall {
    let arguments: JSONObject
    let perform: (String, JSONObject) throws(ResponseError) -> JSON
}
