import Foundation
import TaskwireProtocol
import TaskwireTestSupport
import Testing

/// Hosts die and disks fill up; the database must stay intact and nothing acknowledged may be lost.
@Suite struct FaultCrashTests {
    /// `PRAGMA integrity_check` through the sqlite3 command-line shell.
    static func integrityCheck(_ path: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sqlite3", path, "PRAGMA integrity_check;"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Every event of the project, through `events.list`.
    static func allEvents(_ host: RPCClient, _ projectID: String) throws -> [JSON] {
        var events: [JSON] = []
        var after: Int64 = 0
        while true {
            let page = try host.request(
                "events.list",
                ["projectId": .string(projectID), "after": .int(after), "limit": 1000]
            )
            let batch = page["events"]?.arrayValue ?? []
            if batch.isEmpty { return events }
            events += batch
            after = page["nextAfter"]?.int64Value ?? after
        }
    }

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
            let result = try victim.reply(to: id, timeout: 20)
            acknowledged.append((result["task"]!["id"]!.stringValue!, result["seq"]!.int64Value!))
        }
        victim.process.kill()
        // Replies that reached the test before the kill count as acknowledged too.
        for id in victimIDs.dropFirst(50) {
            guard let result = try? victim.reply(to: id, timeout: 0.05) else { break }
            acknowledged.append((result["task"]!["id"]!.stringValue!, result["seq"]!.int64Value!))
        }
        for id in survivorIDs {
            let result = try survivor.reply(to: id, timeout: 20)
            acknowledged.append((result["task"]!["id"]!.stringValue!, result["seq"]!.int64Value!))
        }

        #expect(try Self.integrityCheck(world.database.path) == "ok")
        let events = try Self.allEvents(checker, world.projectID)
        let seqs = events.compactMap { $0["seq"]?.int64Value }
        #expect(seqs == Array(1...Int64(seqs.count)), "seq must stay gap-free after a crash")
        let logged = Set(events.compactMap { $0["data"]?["task"]?["id"]?.stringValue })
        for (taskID, seq) in acknowledged {
            #expect(logged.contains(taskID), "acknowledged task \(taskID) is missing")
            #expect(events[Int(seq) - 1]["data"]?["task"]?["id"]?.stringValue == taskID)
            _ = try checker.request("task.get", ["id": .string(taskID)])
        }
        // The others go on.
        let after = try survivor.request("task.create", ["projectId": project, "title": "after the crash"])
        #expect(after["seq"]?.int64Value == Int64(seqs.count + 1))
    }

    @Test func aFullDiskGivesAClearErrorAndKeepsServingReads() throws {
        let world = try TestWorld(userNames: ["owner"])
        let healthy = try world.host(as: world.users[0])
        let project = JSON.string(world.projectID)
        let first = try healthy.request("task.create", ["projectId": project, "title": "before the disk filled up"])
        _ = healthy.close()

        // The host may write files of at most 2 MiB: the WAL soon cannot grow.
        let limited = try RPCClient(
            command: ["/usr/bin/prlimit", "--fsize=2097152", "--", world.binary, "serve", "--db", world.database.path]
        )
        try limited.initialize(token: world.users[0].token)
        let description = String(repeating: "x", count: 60_000)
        var failure: RPCClient.Failure?
        var created = 0
        for index in 0..<200 {
            do {
                try limited.request(
                    "task.create",
                    ["projectId": project, "title": .string("big \(index)"), "description": .string(description)]
                )
                created += 1
            } catch let error as RPCClient.Failure {
                failure = error
                break
            }
        }
        let error = try #require(failure, "the file size limit was never reached")
        #expect(error.code == -32603)
        #expect(error.data?["reason"] == "storage full")
        // Reads still work, and the refused change left nothing behind.
        let listed = try limited.request("task.list", ["projectId": project, "limit": 500])
        #expect(listed["tasks"]?.arrayValue?.count == created + 1)
        let events = try Self.allEvents(limited, world.projectID)
        #expect(events.count == created + 1)
        #expect(
            try limited.request("task.get", ["id": first["task"]!["id"]!])["task"]?["title"]
                == "before the disk filled up"
        )
        #expect(limited.close() == 0)
        #expect(try Self.integrityCheck(world.database.path) == "ok")
    }
}
