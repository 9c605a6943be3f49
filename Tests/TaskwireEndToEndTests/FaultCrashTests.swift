import Foundation
import TaskwireClient
import TaskwireProtocol
import TaskwireTestSupport
import Testing

/// Hosts die and disks fill up; the database must stay intact and nothing acknowledged may be lost.
@Suite struct FaultCrashTests {
    @Test func sigkillInTheMiddleOfWritesLosesNothingAcknowledged() throws {
        let world = try TestWorld(userNames: ["owner", "writer", "checker"])
        let victim = try world.host(as: world.users[0])
        let survivor = try world.host(as: world.users[1])
        let checker = try world.host(as: world.users[2])
        let project = JSON.string(world.projectID)

        // Both hosts stream creates; the victim is killed while its requests are in flight.
        var victimIDs: [Int] = []
        var survivorIDs: [Int] = []
        for index in 0..<400 {
            victimIDs.append(victim.send("task.create", ["projectId": project, "title": .string("victim \(index)")]))
            survivorIDs.append(
                survivor.send("task.create", ["projectId": project, "title": .string("survivor \(index)")])
            )
        }
        var acknowledged: [(id: String, seq: Int64)] = []
        for id in victimIDs.prefix(50) {
            let result = try victim.reply(to: id, timeout: .seconds(20))
            acknowledged.append((result["task"]!["id"]!.stringValue!, result["seq"]!.int64Value!))
        }
        victim.process.kill()
        // Replies that reached the test before the kill count as acknowledged too.
        for id in victimIDs.dropFirst(50) {
            guard let result = try? victim.reply(to: id, timeout: .seconds(0.05)) else { break }
            acknowledged.append((result["task"]!["id"]!.stringValue!, result["seq"]!.int64Value!))
        }
        for id in survivorIDs {
            let result = try survivor.reply(to: id, timeout: .seconds(20))
            acknowledged.append((result["task"]!["id"]!.stringValue!, result["seq"]!.int64Value!))
        }

        #expect(try world.integrityCheck() == "ok")
        let events = try checker.allEvents(projectID: world.projectID)
        let seqs = events.compactMap { $0["seq"]?.int64Value }
        #expect(seqs == Array(1...Int64(seqs.count)), "seq must stay gap-free after a crash")
        let logged = Set(events.compactMap { $0["data"]?["task"]?["id"]?.stringValue })
        for (taskID, seq) in acknowledged {
            #expect(logged.contains(taskID), "acknowledged task \(taskID) is missing")
            #expect(events[Int(seq) - 1]["data"]?["task"]?["id"]?.stringValue == taskID)
            _ = try checker.call("task.get", ["id": .string(taskID)])
        }
        // The others go on.
        let after = try survivor.call("task.create", ["projectId": project, "title": "after the crash"])
        #expect(after["seq"]?.int64Value == Int64(seqs.count + 1))
    }

    @Test func aFullDiskGivesAClearErrorAndKeepsServingReads() throws {
        let world = try TestWorld(userNames: ["owner"])
        let healthy = try world.host(as: world.users[0])
        let project = JSON.string(world.projectID)
        let first = try healthy.call("task.create", ["projectId": project, "title": "before the disk filled up"])
        _ = healthy.close()

        // The host may write files of at most 2 MiB: the WAL soon cannot grow.
        let limited = try TaskwireConnection(
            executable: "/usr/bin/prlimit",
            arguments: ["--fsize=2097152", "--", world.binary, "serve", "--db", world.database.path]
        )
        try limited.initialize(token: world.users[0].token)
        let description = String(repeating: "x", count: 60_000)
        var failure: TaskwireError?
        var created = 0
        for index in 0..<200 {
            do {
                try limited.call(
                    "task.create",
                    ["projectId": project, "title": .string("big \(index)"), "description": .string(description)]
                )
                created += 1
            } catch let error as TaskwireError {
                failure = error
                break
            }
        }
        let error = try #require(failure, "the file size limit was never reached")
        #expect(error.code == -32603)
        #expect(error.data?["reason"] == "storage full")
        // Reads still work, and the refused change left nothing behind.
        let listed = try limited.call("task.list", ["projectId": project, "limit": 500])
        #expect(listed["tasks"]?.arrayValue?.count == created + 1)
        let events = try limited.allEvents(projectID: world.projectID)
        #expect(events.count == created + 1)
        #expect(
            try limited.call("task.get", ["id": first["task"]!["id"]!])["task"]?["title"]
                == "before the disk filled up"
        )
        #expect(limited.close() == 0)
        #expect(try world.integrityCheck() == "ok")
    }
}
