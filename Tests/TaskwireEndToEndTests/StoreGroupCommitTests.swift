import Foundation
import TaskwireClient
import TaskwireProtocol
import TaskwireTestSupport
import Testing

/// Pipelined requests of one client share a transaction (group commit) on SQLite; each must still be answered as
/// if it ran alone, in order, and nothing may be acknowledged that is not durable.
@Suite(.serialized) struct StoreGroupCommitTests {
    @Test(arguments: StoreBackend.allCases)
    func pipelinedCallsAreAnsweredOneByOneInOrder(_ backend: StoreBackend) throws {
        let world = try TestWorld(userNames: ["owner", "watcher"], backend: backend)
        let writer = try world.host(as: world.users[0])
        let watcher = try world.host(as: world.users[1])
        _ = try watcher.join(projectID: world.projectID)
        let project = JSON.string(world.projectID)
        let created = try writer.call("task.create", ["projectId": project, "title": "first"])
        let task = try #require(created["task"]?["id"])

        let ids = writer.sendPipelined([
            ("task.update", ["id": task, "expectedVersion": 1, "title": "second"]),
            ("task.update", ["id": task, "expectedVersion": 1, "title": "stale"]),
            ("task.get", ["id": task]),
            ("comment.create", ["taskId": "tsk_missing", "body": "nobody sees this"]),
            ("task.create", ["projectId": project, "title": ""]),
            ("task.setStatus", ["id": task, "expectedVersion": 2, "status": "done"]),
            ("comment.create", ["taskId": task, "body": "done and dusted"]),
            ("events.list", ["projectId": project]),
        ])
        #expect(try writer.reply(to: ids[0])["task"]?["version"] == 2)
        #expect(throws: TaskwireError.self) { try writer.reply(to: ids[1]) }
        #expect(try writer.reply(to: ids[2])["task"]?["title"] == "second", "a read sees the writes before it")
        #expect(throws: TaskwireError.self) { try writer.reply(to: ids[3]) }
        #expect(throws: TaskwireError.self) { try writer.reply(to: ids[4]) }
        #expect(try writer.reply(to: ids[5])["task"]?["status"] == "done")
        #expect(try writer.reply(to: ids[6])["seq"] == 4)
        let events = try writer.reply(to: ids[7])["events"]?.arrayValue ?? []
        #expect(
            events.map { $0["type"]?.stringValue ?? "" } == [
                "task.created", "task.updated", "task.statusChanged", "comment.created",
            ]
        )
        // The refused ones left nothing: the stale title never existed, the empty task was not created.
        #expect(try writer.call("task.get", ["id": task])["task"]?["title"] == "second")
        #expect(try writer.call("task.list", ["projectId": project])["tasks"]?.arrayValue?.count == 1)

        // Another session hears exactly the four changes, in order.
        var heard: [Int64] = []
        while heard.count < 4, let message = watcher.nextNotification(timeout: .seconds(10)) {
            guard let method = message.method, method.hasPrefix("task.") || method.hasPrefix("comment.") else {
                continue
            }
            heard.append(message.params["seq"]?.int64Value ?? -1)
        }
        #expect(heard == [1, 2, 3, 4])
        #expect(writer.close() == 0)
        #expect(watcher.close() == 0)
    }

    /// A session whose token was removed is revoked before its next group begins, outside the group's transaction
    /// (revoking writes its leaving and tells the other hosts at once), and every call of the group is refused.
    @Test(arguments: StoreBackend.allCases)
    func aSessionWhoseTokenWasRemovedIsRevokedBeforeItsGroup(_ backend: StoreBackend) throws {
        let world = try TestWorld(userNames: ["alice", "bob"], backend: backend)
        let (alice, bob) = (try world.host(as: world.users[0]), try world.host(as: world.users[1]))
        for host in [alice, bob] { _ = try host.join(projectID: world.projectID) }
        let bobSession = try alice.nextNotification("presence.joined")["sessionId"]
        let tokenID = try #require(
            try world.admin.run(["token", "list", "--user", "bob"]).arrayValue?.first?["id"]?.stringValue
        )
        _ = try world.admin.run(["token", "remove", tokenID])
        // Past the time a checked token is trusted (100 ms).
        Thread.sleep(forTimeInterval: 0.3)
        let project = JSON.string(world.projectID)
        let ids = bob.sendPipelined([
            ("task.list", ["projectId": project]),
            ("task.create", ["projectId": project, "title": "not by a revoked session"]),
            ("task.list", ["projectId": project]),
        ])
        for id in ids {
            let error = #expect(throws: TaskwireError.self) { try bob.reply(to: id) }
            #expect(error?.code == -32001, "unauthenticated")
        }
        #expect(try bob.nextNotification("project.revoked") == ["projectId": .string(world.projectID)])
        let left = try alice.nextNotification("presence.left")
        #expect(left["sessionId"] == bobSession && left["reason"] == "revoked")
        #expect(try alice.call("task.list", ["projectId": project])["tasks"]?.arrayValue?.count == 0)
        #expect(alice.close() == 0)
        _ = bob.close()
    }

    /// A file size limit stands for a full disk: groups of pipelined creates run into it. Whatever was answered
    /// with success must be there afterwards, whatever was refused must not, and the log stays gap-free.
    @Test func nothingIsAcknowledgedThatTheDiskDidNotTake() throws {
        let world = try TestWorld(userNames: ["owner"])
        let project = JSON.string(world.projectID)
        let limited = try TaskwireConnection(
            executable: "/usr/bin/prlimit",
            arguments: ["--fsize=2097152", "--", world.binary, "serve", "--db", world.database.path]
        )
        try limited.initialize(token: world.users[0].token)
        let description = JSON.string(String(repeating: "y", count: 3000))
        var acknowledged: [String] = []
        var refused = 0
        for round in 0..<60 {
            let ids = limited.sendPipelined(
                (0..<16).map { index in
                    (
                        "task.create",
                        ["projectId": project, "title": .string("r\(round) #\(index)"), "description": description]
                    )
                }
            )
            for id in ids {
                do {
                    let result = try limited.reply(to: id, timeout: .seconds(20))
                    acknowledged.append(try #require(result["task"]?["id"]?.stringValue))
                } catch let error as TaskwireError {
                    #expect(error.code == -32603, "\(error)")
                    refused += 1
                }
            }
        }
        #expect(refused > 0, "the file size limit was never reached")
        #expect(limited.close() == 0)

        let checker = try world.host(as: world.users[0])
        let events = try checker.allEvents(projectID: world.projectID)
        #expect(events.compactMap { $0["seq"]?.int64Value } == Array(1...Int64(events.count)))
        let logged = events.compactMap { $0["data"]?["task"]?["id"]?.stringValue }
        #expect(logged == acknowledged, "the log holds exactly the acknowledged creates, in order")
        #expect(try world.integrityCheck() == "ok")
        #expect(checker.close() == 0)
    }
}
