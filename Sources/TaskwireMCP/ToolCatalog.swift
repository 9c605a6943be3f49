import TaskwireProtocol

/// The tools `taskwire mcp` offers: what a person would ask an assistant to do with the team's tasks. Each runs
/// methods of `Protocol/openrpc.json` for the session, so it checks and authorizes exactly as they do, and each
/// takes its schemas from that document.
enum ToolCatalog {
    static let all: [Tool] = [
        direct(
            "list_projects",
            title: "List projects",
            method: "project.list",
            effect: .reads,
            about: "The projects the user can see, with the user's role in each. Other tools take a project's `id`."
        ),
        direct(
            "list_tasks",
            title: "List tasks",
            method: "task.list",
            effect: .reads,
            about: """
                The tasks of a project, oldest first, optionally only those with a `status` or an `assigneeId` \
                (null for unassigned ones). When `nextCursor` is not null, pass it as `cursor` for the next page.
                """
        ),
        getTask,
        direct(
            "create_task",
            title: "Create a task",
            method: "task.create",
            effect: .adds,
            about: "Creates a task in a project; it starts in status `todo` unless another `status` is given."
        ),
        direct(
            "update_task",
            title: "Update a task",
            method: "task.update",
            effect: .overwrites,
            about: "Changes a task's title, description, priority, assignee, due date or labels. \(conflictAdvice)"
        ),
        direct(
            "set_task_status",
            title: "Set a task's status",
            method: "task.setStatus",
            effect: .overwrites,
            about: "Moves a task to another status (column of the board), at the bottom of it. \(conflictAdvice)"
        ),
        direct(
            "move_task",
            title: "Move a task",
            method: "task.move",
            effect: .overwrites,
            about: """
                Places a task in its column or another one (`status`): right after the task `afterId`, right \
                before the task `beforeId` (the top: before the first), or at the bottom when neither is given. \
                \(conflictAdvice)
                """
        ),
        Tool(
            name: "assign_task",
            title: "Assign a task",
            description: """
                Assigns a task to a member of its project's organization, or unassigns it with `assigneeId` \
                null. \(conflictAdvice)
                """,
            effect: .overwrites,
            inputSchema: ProtocolSchemas.params(
                of: "task.update",
                only: ["id", "expectedVersion", "assigneeId"],
                required: ["id", "expectedVersion", "assigneeId"]
            ),
            outputSchema: ProtocolSchemas.result(of: "task.update")
        ) { call throws(ResponseError) in
            try call.perform("task.update", call.arguments)
        },
        direct(
            "delete_task",
            title: "Delete a task",
            method: "task.delete",
            effect: .overwrites,
            about: "Deletes a task and its comments, for good. \(conflictAdvice)"
        ),
        direct(
            "add_comment",
            title: "Comment on a task",
            method: "comment.create",
            effect: .adds,
            about: "Adds a comment to a task."
        ),
        listEvents,
    ]

    static let byName: [String: Tool] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })

    private static let conflictAdvice = """
        Pass the task's current `version` as `expectedVersion`: if someone changed the task since, nothing is \
        changed and the error carries `current` (the task as it is now) and `currentVersion`; check that the \
        change still makes sense and retry with that version.
        """

    /// A tool that is one method: its params as input, its result as output.
    private static func direct(
        _ name: String,
        title: String,
        method: String,
        effect: Tool.Effect,
        about: String
    )
        -> Tool
    {
        Tool(
            name: name,
            title: title,
            description: about,
            effect: effect,
            inputSchema: ProtocolSchemas.params(of: method),
            outputSchema: ProtocolSchemas.result(of: method)
        ) { call throws(ResponseError) in
            try call.perform(method, call.arguments)
        }
    }

    static let getTask = Tool(
        name: "get_task",
        title: "Get a task",
        description: "A task with all its comments (oldest first).",
        effect: .reads,
        inputSchema: ProtocolSchemas.params(of: "task.get"),
        outputSchema: [
            "type": "object",
            "properties": [
                "task": ProtocolSchemas.resultMember("task", of: "task.get"),
                "comments": ProtocolSchemas.resultMember("comments", of: "comment.list"),
            ],
            "required": ["task", "comments"],
            "additionalProperties": false,
        ]
    ) { call throws(ResponseError) in
        let task = try call.perform("task.get", call.arguments)
        guard case .string(let id)? = task["task"]?["id"] else { throw ResponseError.internalError }
        return ["task": task["task"] ?? .null, "comments": .array(try comments(of: id, call: call))]
    }

    /// Every comment of a task, a page at a time.
    private static func comments(of taskID: String, call: ToolCall) throws(ResponseError) -> [JSON] {
        var comments: [JSON] = []
        var cursor: JSON = .null
        repeat {
            var params: JSONObject = ["taskId": .string(taskID), "limit": 500]
            if !cursor.isNull { params["cursor"] = cursor }
            let page = try call.perform("comment.list", params)
            comments += page["comments"]?.arrayValue ?? []
            cursor = page["nextCursor"] ?? .null
        } while !cursor.isNull
        return comments
    }

    private static let listEvents = Tool(
        name: "list_events",
        title: "List a project's events",
        description: """
            What happened in a project, from its event log (oldest first): without `after`, the most recent \
            `limit` events; with `after`, the events that followed that `seq`. `nextAfter` is the `seq` to pass as \
            `after` to hear of what happens next.
            """,
        effect: .reads,
        inputSchema: eventsInput,
        outputSchema: ProtocolSchemas.result(of: "events.list")
    ) { call throws(ResponseError) in
        var arguments = call.arguments
        if arguments["after"] == nil, case .string(let projectID)? = arguments["projectId"] {
            // A `limit` out of range is left for events.list to refuse.
            if arguments["limit"] == nil { arguments["limit"] = 20 }
            let limit = arguments["limit"]?.int64Value ?? 20
            arguments["after"] = .int(max(0, try lastSeq(of: projectID, call: call) - max(0, limit)))
        }
        return try call.perform("events.list", arguments)
    }

    private static var eventsInput: JSON {
        guard case .object(var schema) = ProtocolSchemas.params(of: "events.list"),
            case .object(var properties)? = schema["properties"],
            case .object(var after)? = properties["after"],
            case .object(var limit)? = properties["limit"]
        else { preconditionFailure("events.list lost its params") }
        after["default"] = JSON?.none
        after["description"] = "Read the events after this `seq`; when omitted, the most recent ones."
        limit["default"] = 20
        properties["after"] = .object(after)
        properties["limit"] = .object(limit)
        schema["properties"] = .object(properties)
        return .object(schema)
    }

    /// The `seq` of a project's last event. The log's `seq`s are gap-free from 1, so whether an event follows a
    /// given `seq` is a cheap question, and a binary search over it finds the end in a few dozen of them.
    private static func lastSeq(of projectID: String, call: ToolCall) throws(ResponseError) -> Int64 {
        func exists(_ seq: Int64) throws(ResponseError) -> Bool {
            let page = try call.perform(
                "events.list",
                ["projectId": .string(projectID), "after": .int(seq - 1), "limit": 1]
            )
            return !(page["events"]?.arrayValue ?? []).isEmpty
        }
        guard try exists(1) else { return 0 }
        var low: Int64 = 1
        var high: Int64 = 2
        while try exists(high) {
            low = high
            high *= 2
        }
        // `low` exists and `high` does not.
        while high - low > 1 {
            let middle = low + (high - low) / 2
            if try exists(middle) { low = middle } else { high = middle }
        }
        return low
    }
}
