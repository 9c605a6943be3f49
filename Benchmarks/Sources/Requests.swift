import TaskwireProtocol

/// The request lines of the timed paths, built before the clock starts. Ids are the caller's indices.
enum Requests {
    static func ping(id: Int) -> [UInt8] {
        line(#"{"jsonrpc":"2.0","id":\#(id),"method":"ping"}"#)
    }

    /// The line a host answers ``ping(id:)`` with.
    static func pingReply(id: Int) -> [UInt8] {
        line(#"{"jsonrpc":"2.0","id":\#(id),"result":{}}"#)
    }

    static func initialize(id: Int, token: String) -> [UInt8] {
        line(
            #"{"jsonrpc":"2.0","id":\#(id),"method":"initialize","params":{"protocolVersion":"1","token":\#(quoted(token))}}"#
        )
    }

    static func getTask(id: Int, taskID: String) -> [UInt8] {
        line(#"{"jsonrpc":"2.0","id":\#(id),"method":"task.get","params":{"id":\#(quoted(taskID))}}"#)
    }

    static func updateTask(id: Int, taskID: String, expectedVersion: Int64) -> [UInt8] {
        line(
            #"{"jsonrpc":"2.0","id":\#(id),"method":"task.update","params":{"id":\#(quoted(taskID)),"#
                + #""expectedVersion":\#(expectedVersion),"title":"update \#(id)"}}"#
        )
    }

    static func listTasks(id: Int, projectID: String, limit: Int) -> [UInt8] {
        line(
            #"{"jsonrpc":"2.0","id":\#(id),"method":"task.list","params":{"projectId":\#(quoted(projectID)),"#
                + #""limit":\#(limit)}}"#
        )
    }

    static func searchTasks(id: Int, query: String, limit: Int) -> [UInt8] {
        line(
            #"{"jsonrpc":"2.0","id":\#(id),"method":"task.search","params":{"query":\#(quoted(query)),"#
                + #""limit":\#(limit)}}"#
        )
    }

    /// Request lines joined into chunks of `perChunk`, each handed to the host's stdin at once (as the peers' driver
    /// writes them).
    static func chunks(_ lines: [[UInt8]], perChunk: Int = 64) -> [[UInt8]] {
        stride(from: 0, to: lines.count, by: perChunk).map { start in
            Array(lines[start..<min(start + perChunk, lines.count)].joined())
        }
    }

    private static func quoted(_ text: String) -> String { JSON.string(text).text }

    private static func line(_ text: String) -> [UInt8] { Array((text + "\n").utf8) }
}
