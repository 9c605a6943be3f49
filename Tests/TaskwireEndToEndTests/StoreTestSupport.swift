import Foundation
import TaskwireClient
import TaskwireProtocol
import TaskwireTestSupport
import TaskwireTranscripts
import Testing

extension TaskwireConnection {
    /// The reply to request `id` as a value: its result, or the error the host answered.
    ///
    /// Anything but an error reply (no reply in time, the host gone) still throws.
    func answer(to id: Int, timeout: Duration = .seconds(30)) throws -> Result<JSON, TaskwireError> {
        do {
            return .success(try reply(to: id, timeout: timeout))
        } catch let failure as TaskwireError {
            return .failure(failure)
        }
    }

    /// The whole event log of a project, read page by page with `events.list`.
    func allEvents(projectID: String) throws -> [JSON] {
        var events: [JSON] = []
        var after: Int64 = 0
        while true {
            let page = try call(
                "events.list",
                ["projectId": .string(projectID), "after": .int(after), "limit": 1000]
            )
            let batch = page["events"]?.arrayValue ?? []
            if batch.isEmpty { return events }
            events += batch
            after = try #require(page["nextAfter"]?.int64Value)
        }
    }

    /// Every task of a project, oldest first, read page by page with `task.list`.
    func allTasks(projectID: String) throws -> [JSON] {
        var tasks: [JSON] = []
        var cursor: JSON = .null
        repeat {
            var params: JSONObject = ["projectId": .string(projectID), "limit": 500]
            if !cursor.isNull { params["cursor"] = cursor }
            let page = try call("task.list", params)
            tasks += page["tasks"]?.arrayValue ?? []
            cursor = page["nextCursor"] ?? .null
        } while !cursor.isNull
        return tasks
    }
}

extension JSON {
    /// The `id` member as a string, or "" when there is none (so that a comparison fails visibly).
    var id: String { self["id"]?.stringValue ?? "" }

    /// The `version` member, or -1 when there is none.
    var version: Int64 { self["version"]?.int64Value ?? -1 }
}

extension TaskwireError {
    /// Error codes a test refers to by name.
    static let conflict = -32009
    static let busy = -32010
    static let internalError = -32603
}
