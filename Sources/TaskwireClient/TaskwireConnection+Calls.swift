public import TaskwireProtocol

/// The session a successful `initialize` opened.
public struct SessionInfo: Sendable {
    public let sessionID: String
    public let userID: String
    public let userName: String
    /// `redis`, `local` or `postgres`: how this host hears of other hosts' changes.
    public let relay: String
    /// The whole result, for fields this type does not name.
    public let result: JSON

    init(_ result: JSON) {
        sessionID = result["sessionId"]?.stringValue ?? ""
        userID = result["user"]?["id"]?.stringValue ?? ""
        userName = result["user"]?["name"]?.stringValue ?? ""
        relay = result["capabilities"]?["relay"]?.stringValue ?? ""
        self.result = result
    }
}

/// A project the session's user can see.
public struct ProjectSummary: Sendable, Equatable {
    public let id: String
    public let organizationID: String
    public let name: String
    /// The user's role in the project's organization.
    public let role: String
}

/// What joining a project's room answered.
public struct JoinedRoom: Sendable {
    public let projectID: String
    /// The project's last `seq` at the join; live delivery starts after it (or after `since`).
    public let seq: Int64
    /// Who is in the room, this session included.
    public let presence: [JSON]
}

/// A committed change: the entity as stored now, and the `seq` of its event.
public struct CommittedChange: Sendable {
    public let entity: JSON
    public let seq: Int64
}

/// Typed calls for the methods of `Protocol/openrpc.json`; each blocks until the host answers and throws
/// ``TaskwireError`` with the host's error.
extension TaskwireConnection {
    /// Opens the session; waits for the `relay.status` notification that follows, so that it is not mistaken for a
    /// later change.
    @discardableResult
    public func initialize(
        token: String,
        clientName: String = "taskwire-client",
        clientVersion: String = "1"
    ) throws -> SessionInfo {
        let result = try call(
            "initialize",
            [
                "protocolVersion": .string(ProtocolVersion.current), "token": .string(token),
                "clientInfo": ["name": .string(clientName), "version": .string(clientVersion)],
            ]
        )
        _ = try nextNotification("relay.status")
        return SessionInfo(result)
    }

    public func ping() throws {
        try call("ping")
    }

    public func shutdown() throws {
        try call("shutdown")
    }

    public func projects() throws -> [ProjectSummary] {
        let projects = try call("project.list")["projects"]?.arrayValue ?? []
        return projects.map { project in
            ProjectSummary(
                id: project["id"]?.stringValue ?? "",
                organizationID: project["organizationId"]?.stringValue ?? "",
                name: project["name"]?.stringValue ?? "",
                role: project["role"]?.stringValue ?? ""
            )
        }
    }

    /// Joins a project's room; with `since`, the events after it are replayed as notifications first.
    @discardableResult
    public func join(projectID: String, since: Int64? = nil) throws -> JoinedRoom {
        var params: JSONObject = ["projectId": .string(projectID)]
        if let since { params["since"] = .int(since) }
        let result = try call("project.join", params)
        return JoinedRoom(
            projectID: projectID,
            seq: result["seq"]?.int64Value ?? 0,
            presence: result["presence"]?.arrayValue ?? []
        )
    }

    public func leave(projectID: String) throws {
        try call("project.leave", ["projectId": .string(projectID)])
    }

    /// Creates a task; `fields` are the optional ones (`description`, `status`, `priority`, `assigneeId`,
    /// `dueDate`, `labels`).
    public func createTask(projectID: String, title: String, fields: JSONObject = [:]) throws -> CommittedChange {
        var params = fields
        params["projectId"] = .string(projectID)
        params["title"] = .string(title)
        return try change(call("task.create", params), entity: "task")
    }

    /// Changes fields of a task at `expectedVersion`; a stale version throws -32009 with the current task.
    public func updateTask(id: String, expectedVersion: Int64, fields: JSONObject) throws -> CommittedChange {
        var params = fields
        params["id"] = .string(id)
        params["expectedVersion"] = .int(expectedVersion)
        return try change(call("task.update", params), entity: "task")
    }

    public func setStatus(taskID: String, expectedVersion: Int64, status: String) throws -> CommittedChange {
        let params: JSONObject = [
            "id": .string(taskID), "expectedVersion": .int(expectedVersion), "status": .string(status),
        ]
        return try change(call("task.setStatus", params), entity: "task")
    }

    /// `task.move`: the task right after `afterID`, right before `beforeID`, or at the bottom of the column
    /// `status` (nil: its own).
    @discardableResult
    public func moveTask(
        id: String,
        expectedVersion: Int64,
        status: String? = nil,
        afterID: String? = nil,
        beforeID: String? = nil
    ) throws -> CommittedChange {
        var params: JSONObject = ["id": .string(id), "expectedVersion": .int(expectedVersion)]
        if let status { params["status"] = .string(status) }
        if let afterID { params["afterId"] = .string(afterID) }
        if let beforeID { params["beforeId"] = .string(beforeID) }
        return try change(call("task.move", params), entity: "task")
    }

    public func createComment(taskID: String, body: String) throws -> CommittedChange {
        try change(call("comment.create", ["taskId": .string(taskID), "body": .string(body)]), entity: "comment")
    }

    /// A page of a project's event log after `after`.
    public func events(projectID: String, after: Int64 = 0, limit: Int64 = 100) throws -> [JSON] {
        let params: JSONObject = ["projectId": .string(projectID), "after": .int(after), "limit": .int(limit)]
        return try call("events.list", params)["events"]?.arrayValue ?? []
    }

    private func change(_ result: JSON, entity: String) -> CommittedChange {
        CommittedChange(entity: result[entity] ?? .null, seq: result["seq"]?.int64Value ?? 0)
    }
}
