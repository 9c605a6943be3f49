import Foundation
import TaskwireClient
import TaskwireProtocol
import TaskwireTestSupport
import TaskwireTranscripts
import Testing

/// `taskwire admin backup` while several hosts write, then `admin restore`: the restored database is whole, holds
/// every change acknowledged before the backup began, and its event log has no gap.
@Suite struct AdminBackupTests {
    @Test func aBackupTakenDuringWritesRestoresWhole() throws {
        let world = try TestWorld(userNames: ["alice", "bob"])
        let project = JSON.string(world.projectID)
        let writers = try world.users.map { try world.host(as: $0) }
        var acknowledged: [String] = []
        var pending: [(TaskwireConnection, Int)] = []
        func collect(_ replies: [(TaskwireConnection, Int)]) throws -> [String] {
            try replies.map { host, id in
                try #require(try host.reply(to: id, timeout: .seconds(30))["task"]?["id"]?.stringValue)
            }
        }
        for round in 0..<3 {
            for (index, writer) in writers.enumerated() {
                let ids = writer.sendPipelined(
                    (0..<50).map {
                        ("task.create", ["projectId": project, "title": .string("r\(round) w\(index) #\($0)")])
                    }
                )
                pending += ids.map { (writer, $0) }
            }
            acknowledged += try collect(pending)
            pending = []
        }
        // More writes in flight while the backup runs.
        for (index, writer) in writers.enumerated() {
            let ids = writer.sendPipelined(
                (0..<400).map { ("task.create", ["projectId": project, "title": .string("during w\(index) #\($0)")]) }
            )
            pending += ids.map { (writer, $0) }
        }
        let directory = try TemporaryDatabase()
        let backup = directory.path + ".backup"
        let report = try world.admin.run(["backup", "--to", backup])
        #expect(report["integrity"] == "ok")
        _ = try collect(pending)
        for writer in writers { #expect(writer.close() == 0) }

        let restored = directory.path
        let restoreReport = try AdminCommand(binary: world.binary, database: restored).run([
            "restore", "--from", backup,
        ])
        #expect(restoreReport["integrity"] == "ok")
        let checker = try TaskwireConnection.serve(binary: world.binary, arguments: ["--db", restored])
        try checker.initialize(token: world.users[0].token)
        let tasks = Set(try checker.allTasks(projectID: world.projectID).compactMap { $0["id"]?.stringValue })
        #expect(acknowledged.allSatisfy(tasks.contains), "a change acknowledged before the backup is missing")
        let events = try checker.allEvents(projectID: world.projectID)
        #expect(events.compactMap { $0["seq"]?.int64Value } == Array(1...Int64(events.count)))
        #expect(events.count == tasks.count, "every event's task is there, and every task has its event")
        #expect(checker.close() == 0)
        try? FileManager.default.removeItem(atPath: backup)
    }

    @Test func restoreRefusesADatabaseInUseAndPostgresPointsToPgDump() throws {
        let world = try TestWorld(userNames: ["alice"])
        let directory = try TemporaryDatabase()
        let backup = directory.path + ".backup"
        _ = try world.admin.run(["backup", "--to", backup])
        #expect(throws: AdminCommandError.self) { try world.admin.run(["backup", "--to", backup]) }
        let host = try world.host(as: world.users[0])
        #expect(throws: AdminCommandError.self) { try world.admin.run(["restore", "--from", backup]) }
        #expect(host.close() == 0)
        let postgres = AdminCommand(binary: world.binary, database: "postgresql://127.0.0.1:1/none")
        #expect(throws: AdminCommandError.self) { try postgres.run(["backup", "--to", backup + ".pg"]) }
        try? FileManager.default.removeItem(atPath: backup)
    }
}
