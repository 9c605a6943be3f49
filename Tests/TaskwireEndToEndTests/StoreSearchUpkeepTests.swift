import TaskwireClient
import TaskwireProtocol
import TaskwireTestSupport
import Testing

/// A host brings the full-text index up to date once its client pauses (SQLite): what its writes noted in
/// `search_pending` is not left for the next search to do.
@Suite struct StoreSearchUpkeepTests {
    @Test func aHostIndexesWhatItWroteOnceItsClientPauses() async throws {
        let world = try TestWorld(userNames: ["owner"])
        let host = try world.host(as: world.users[0])
        let created = try await host.call("task.create", ["projectId": .string(world.projectID), "title": "draft"])
        let task = try #require(created["task"]?["id"])
        for version in 1...3 {
            _ = try await host.call(
                "task.update",
                ["id": task, "expectedVersion": .int(Int64(version)), "title": .string("title \(version)")]
            )
        }
        // The client says nothing more and keeps the host open.
        try await RoomExpect.eventually("upkeep emptying search_pending", timeout: .seconds(10)) {
            (try? world.sqlite("SELECT count(*) FROM search_pending")) == "0"
        }
        #expect(try world.sqlite("SELECT group_concat(title, '|') FROM search_index") == "title 3")
        #expect(host.close() == 0)
    }
}
