import TaskwireProtocol
import TaskwireServer
import TaskwireSync
import TaskwireTransport

/// The resources the client subscribed to, and what the rooms tell it: `notifications/resources/updated` for each
/// subscribed resource an event touches, nothing else.
///
/// A subscription is a room: the session is in a project's room while it subscribes to the project or to any of
/// its tasks, so updates come from the same delivery as JSON-RPC notifications do — every host's changes, in
/// order, across relays and machines.
final class ResourceSubscriptions: RoomNotifications {
    struct State {
        /// Projects whose board is subscribed.
        var projects: Set<String> = []
        /// Subscribed tasks, with their projects.
        var tasks: [String: String] = [:]
        /// Rooms the session is in.
        var rooms: Set<String> = []
        /// Rooms the session was taken out of (it stopped reading for a while): joined again at its next request.
        var lost: Set<String> = []

        func uris(in projectID: String) -> [ResourceURI] {
            var uris: [ResourceURI] = projects.contains(projectID) ? [.project(projectID)] : []
            uris += tasks.filter { $0.value == projectID }.keys.sorted().map(ResourceURI.task)
            return uris
        }

        func needsRoom(_ projectID: String) -> Bool {
            projects.contains(projectID) || tasks.values.contains(projectID)
        }
    }

    let state = Locked(State())

    func messages(for event: CommittedEvent) -> [[UInt8]] {
        // A removed project's room closes after this event: its subscriptions end with one last update.
        if event.type == EventType.projectDeleted.rawValue {
            return endSubscriptions(of: event.projectID).map(\.bytes)
        }
        let (board, anyTask) = state.withLock { ($0.projects.contains(event.projectID), !$0.tasks.isEmpty) }
        var messages: [[UInt8]] = []
        if board { messages.append(Self.updated(.project(event.projectID)).bytes) }
        if anyTask, let taskID = Self.taskID(of: event), state.withLock({ $0.tasks[taskID] != nil }) {
            messages.append(Self.updated(.task(taskID)).bytes)
        }
        return messages
    }

    func messages(for notice: RoomNotice) -> [JSON] {
        switch notice {
        case .presence, .relayStatus:
            return []
        case .revoked(let projectID):
            // The resources now read as not found; their subscriptions end with the access.
            return endSubscriptions(of: projectID)
        case .resync(let projectID, _):
            // What changed meanwhile is read by the client when it reads the resource again.
            let uris: [ResourceURI] = state.withLock { state in
                state.rooms.remove(projectID)
                state.lost.insert(projectID)
                return state.uris(in: projectID)
            }
            return uris.map(Self.updated)
        }
    }

    /// Ends every subscription of a project whose room is gone for good; the updates to tell of it.
    private func endSubscriptions(of projectID: String) -> [JSON] {
        let uris: [ResourceURI] = state.withLock { state in
            defer {
                state.projects.remove(projectID)
                state.tasks = state.tasks.filter { $0.value != projectID }
                state.rooms.remove(projectID)
                state.lost.remove(projectID)
            }
            return state.uris(in: projectID)
        }
        return uris.map(Self.updated)
    }

    static func updated(_ uri: ResourceURI) -> JSON {
        Outgoing.notification(method: "notifications/resources/updated", params: ["uri": .string(uri.text)])
    }

    /// The task an event is about: the task itself, or the task of a comment.
    static func taskID(of event: CommittedEvent) -> String? {
        guard let data = (try? JSONParser.parse(event.payload))?["data"] else { return nil }
        return data["task"]?["id"]?.stringValue ?? data["taskId"]?.stringValue
            ?? data["comment"]?["taskId"]?.stringValue
    }
}
