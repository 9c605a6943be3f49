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
