public import TaskwireProtocol

// The wire form of each entity (Protocol/openrpc.json, components). They live beside the entities because the
// store writes them into event payloads inside the committing transaction, and the server puts the same objects
// in its results; one encoder keeps the two from drifting apart.

extension UserRef {
    public var json: JSON { .object(JSONObject(members: [.init("id", .string(id)), .init("name", .string(name))])) }
}

extension Project {
    public var json: JSON {
        ["id": .string(id), "organizationId": .string(organizationID), "name": .string(name)]
    }
}

extension ProjectWithRole {
    public var json: JSON {
        [
            "id": .string(project.id),
            "organizationId": .string(project.organizationID),
            "name": .string(project.name),
            "role": .string(role.rawValue),
        ]
    }
}

extension TaskItem {
    public var json: JSON {
        .object(
            JSONObject(members: [
                .init("id", .string(id)),
                .init("projectId", .string(projectID)),
                .init("title", .string(title)),
                .init("description", .string(description)),
                .init("status", .string(status.rawValue)),
                .init("priority", .string(priority.rawValue)),
                .init("assigneeId", .string(assigneeID)),
                .init("dueDate", .string(dueDate)),
                .init("labels", .array(labels.map(JSON.string))),
                .init("rank", .string(rank)),
                .init("version", .int(version)),
                .init("createdBy", .string(createdBy)),
                .init("createdAt", .string(createdAt)),
                .init("updatedAt", .string(updatedAt)),
            ])
        )
    }
}

extension TaskItem {
    /// The text of ``json``, member for member, written without building the tree: what a host writes for every
    /// task it changes, into the change's event and into its response (``ChangeResult/encodedEntity``).
    public var encodedJSON: EncodedJSON {
        JSON.text { out in
            out.openObject()
            out.key("id")
            out.string(id)
            out.key("projectId")
            out.string(projectID)
            out.key("title")
            out.string(title)
            out.key("description")
            out.string(description)
            out.key("status")
            out.string(status.rawValue)
            out.key("priority")
            out.string(priority.rawValue)
            out.key("assigneeId")
            out.string(assigneeID)
            out.key("dueDate")
            out.string(dueDate)
            out.key("labels")
            out.strings(labels)
            out.key("rank")
            out.string(rank)
            out.key("version")
            out.int(version)
            out.key("createdBy")
            out.string(createdBy)
            out.key("createdAt")
            out.string(createdAt)
            out.key("updatedAt")
            out.string(updatedAt)
            out.closeObject()
        }
    }
}

extension CommittedEvent {
    /// The payload of an event (`{projectId, seq, type, at, actor, origin, data}`, Protocol/openrpc.json), written
    /// by both stores inside the committing transaction.
    public static func payload(
        projectID: String,
        seq: Int64,
        type: EventType,
        at: String,
        actor: ActingSession,
        data: JSON
    ) -> [UInt8] {
        JSON.text { out in
            out.openObject()
            out.key("projectId")
            out.string(projectID)
            out.key("seq")
            out.int(seq)
            out.key("type")
            out.string(type.rawValue)
            out.key("at")
            out.string(at)
            out.key("actor")
            out.openObject()
            out.key("id")
            out.string(actor.user.id)
            out.key("name")
            out.string(actor.user.name)
            out.closeObject()
            out.key("origin")
            out.openObject()
            out.key("sessionId")
            out.string(actor.sessionID)
            out.closeObject()
            out.key("data")
            out.value(data)
            out.closeObject()
        }.bytes
    }

    /// ``payload(projectID:seq:type:at:actor:data:)`` in the two parts around its `seq`'s digits, for a store that
    /// learns the seq only when the database writes the event: `head + digits + tail` is the payload.
    public static func payloadParts(
        projectID: String,
        type: EventType,
        at: String,
        actor: ActingSession,
        data: JSON
    ) -> (head: [UInt8], tail: [UInt8]) {
        let whole = payload(projectID: projectID, seq: 0, type: type, at: at, actor: actor, data: data)
        // `{"projectId":` + the id as a JSON string + `,"seq":`, then the zero.
        let headCount = 13 + JSON.string(projectID).bytes.count + 7
        precondition(whole[headCount] == UInt8(ascii: "0") && whole[headCount - 1] == UInt8(ascii: ":"))
        return (Array(whole[..<headCount]), Array(whole[(headCount + 1)...]))
    }
}

extension Comment {
    public var json: JSON {
        [
            "id": .string(id),
            "taskId": .string(taskID),
            "projectId": .string(projectID),
            "authorId": .string(authorID),
            "body": .string(body),
            "version": .int(version),
            "createdAt": .string(createdAt),
            "updatedAt": .string(updatedAt),
        ]
    }
}

extension VersionedEntity {
    public var json: JSON {
        switch self {
        case .task(let task): task.json
        case .comment(let comment): comment.json
        }
    }
}

extension PresenceEntry {
    public var json: JSON {
        ["sessionId": .string(sessionID), "user": user.json, "joinedAt": .string(joinedAt)]
    }
}
