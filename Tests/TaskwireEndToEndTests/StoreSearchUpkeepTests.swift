import Foundation
import TaskwireClient
import TaskwireProtocol
import TaskwireSync
import TaskwireTestSupport
import Testing

/// A host brings the full-text index up to date once its client pauses (SQLite): what its writes noted in
/// `search_pending` is not left for the next search to do.
@Suite struct StoreSearchUpkeepTests {
    @Test func aHostIndexesWhatItWroteOnceItsClientPauses() throws {
        let world = try TestWorld(userNames: ["owner"])
        let host = try world.host(as: world.users[0])
        let created = try host.call("task.create", ["projectId": .string(world.projectID), "title": "draft"])
        let task = try #require(created["task"]?["id"])
        for version in 1...3 {
            _ = try host.call(
                "task.update",
                ["id": task, "expectedVersion": .int(Int64(version)), "title": .string("title \(version)")]
            )
        }
        // The client says nothing more and keeps the host open.
        let deadline = MonotonicClock.deadline(afterMilliseconds: 10_000)
        var state = try Self.index(of: world.database.path)
        while state.pending != "0", MonotonicClock.now() < deadline {
            usleep(20_000)
            state = try Self.index(of: world.database.path)
        }
        #expect(state.pending == "0")
        #expect(state.titles == "title 3")
        #expect(host.close() == 0)
    }

    /// How many tasks are pending, and the titles the index holds, read with the `sqlite3` shell.
    private static func index(of path: String) throws -> (pending: String, titles: String) {
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        shell.arguments = [
            "-readonly", path,
            "SELECT count(*) FROM search_pending; SELECT group_concat(title, '|') FROM search_index;",
        ]
        let output = Pipe()
        shell.standardOutput = output
        try shell.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        shell.waitUntilExit()
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        return (lines.first ?? "", lines.count > 1 ? lines[1] : "")
    }
}
