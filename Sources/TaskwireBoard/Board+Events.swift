public import TaskwireProtocol

/// What a notification did to the board, for the loop that draws it.
public enum BoardUpdate: Sendable, Equatable {
    /// Nothing the board shows changed (a replayed event, another project's, an unknown type).
    case unchanged
    /// Something the board or the open card shows changed: apply it to the screen and draw again.
    case changed
    /// The host took the session out of the room (`project.resync`): rejoin with `since` to lose nothing.
    case rejoin(since: Int64)
}

extension Board {
    /// Applies one notification of the room: an event (`task.*`, `comment.*`, `project.*`), presence, or the
    /// relay's state. Events at or below ``lastSeq`` were applied already and change nothing.
    public mutating func apply(method: String, params: JSON) -> BoardUpdate {
        switch method {
        case "relay.status":
            setRelay(state: params["state"]?.stringValue, kind: params["relay"]?.stringValue)
            return .changed
        case "presence.joined", "presence.left", "project.revoked", "project.resync":
            guard params["projectId"]?.stringValue == projectID, closure == nil else { return .unchanged }
            return applyRoomChange(method: method, params: params)
        default:
            guard params["projectId"]?.stringValue == projectID, closure == nil,
                let seq = params["seq"]?.int64Value, advance(to: seq)
            else { return .unchanged }
            learn(userID: params["actor"]?["id"]?.stringValue, name: params["actor"]?["name"]?.stringValue)
            return applyEvent(type: method, data: params["data"] ?? .null)
        }
    }

    private mutating func applyRoomChange(method: String, params: JSON) -> BoardUpdate {
        switch method {
        case "presence.joined":
            join(sessionID: params["sessionId"]?.stringValue, user: params["user"])
        case "presence.left":
            leave(sessionID: params["sessionId"]?.stringValue)
        case "project.revoked":
            close(.revoked)
        default:
            return .rejoin(since: lastSeq)
        }
        return .changed
    }

    private mutating func applyEvent(type: String, data: JSON) -> BoardUpdate {
        switch type {
        case "task.created", "task.updated", "task.statusChanged", "task.moved":
            if let task = data["task"] { put(task: task) }
        case "task.reranked":
            guard let status = data["status"]?.stringValue.flatMap(TaskStatus.init(rawValue:)) else {
                return .unchanged
            }
            rerank(status: status, ranks: data["ranks"]?.arrayValue ?? [])
        case "task.deleted":
            if let taskID = data["taskId"]?.stringValue { remove(taskID: taskID) }
        case "project.updated":
            if let name = data["project"]?["name"]?.stringValue { rename(name) }
        case "project.deleted":
            close(.deleted)
        case "comment.created", "comment.updated", "comment.deleted":
            // Not on the board itself, but in the card view that may be open.
            break
        default:
            // An event type this board does not know changes nothing it shows.
            return .unchanged
        }
        return .changed
    }
}
