import Foundation
import TaskwireProtocol
import TaskwireTestSupport
import Testing

/// The slow-consumer rule of Protocol/openrpc.json (project.resync) measured in memory: a client that stops reading while others write 20,000 events of
/// 4 KB does not make its host grow past the bound the README states, and is resynced when it reads again.
@Suite struct FaultSlowConsumerMemoryTests {
    static func residentMegabytes(_ pid: Int32) -> Double? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let kilobytes = line.split(separator: " ").dropFirst().first.flatMap { Double($0) }
            return kilobytes.map { $0 / 1024 }
        }
        return nil
    }

    @Test func aStuckClientCostsItsHostABoundedAmountOfMemory() throws {
        let world = try TestWorld(userNames: ["writer", "stuck"])
        let project = JSON.string(world.projectID)

        let writer = try world.host(as: world.users[0])
        try writer.call("project.join", ["projectId": project])

        // The stuck client: its stdout is a pipe nobody reads until the end.
        let stuck = Process()
        stuck.executableURL = URL(fileURLWithPath: world.binary)
        stuck.arguments = ["serve", "--db", world.database.path]
        stuck.environment = ProcessInfo.processInfo.environment.merging(["TASKWIRE_TOKEN": world.users[1].token]) { $1 }
        let input = Pipe()
        let output = Pipe()
        stuck.standardInput = input
        stuck.standardOutput = output
        stuck.standardError = FileHandle.nullDevice
        try stuck.run()
        defer { if stuck.isRunning { stuck.terminate() } }
        let requests = [
            #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"1"}}"#,
            #"{"jsonrpc":"2.0","id":2,"method":"project.join","params":{"projectId":"\#(world.projectID)"}}"#,
        ]
        input.fileHandleForWriting.write(Data((requests.joined(separator: "\n") + "\n").utf8))

        _ = try writer.nextNotification("presence.joined")
        usleep(300_000)
        let baseline = try #require(Self.residentMegabytes(stuck.processIdentifier))

        let description = JSON.string(String(repeating: "d", count: 4096))
        var peak = baseline
        var pending: [Int] = []
        for index in 0..<20_000 {
            pending.append(
                writer.send(
                    "task.create",
                    ["projectId": project, "title": .string("t\(index)"), "description": description]
                )
            )
            if pending.count == 100 {
                for id in pending { _ = try writer.reply(to: id, timeout: .seconds(60)) }
                pending.removeAll()
                peak = max(peak, Self.residentMegabytes(stuck.processIdentifier) ?? peak)
            }
        }
        for id in pending { _ = try writer.reply(to: id, timeout: .seconds(60)) }
        let left = try writer.nextNotification("presence.left", timeout: .seconds(30))
        #expect(left["reason"] == "closed")
        peak = max(peak, Self.residentMegabytes(stuck.processIdentifier) ?? peak)
        print("stuck host: \(baseline) MB before, \(peak) MB at most while 20,000 events of 4 KB went by")
        // The README's bound: at most about 32 MiB on top of the baseline for a stuck client.
        #expect(peak - baseline < 32, "the stuck host grew from \(baseline) MB to \(peak) MB")

        // Reading again, the client finds project.resync after what reached it.
        input.fileHandleForWriting.closeFile()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        stuck.waitUntilExit()
        let messages = data.split(separator: 0x0A).compactMap { try? JSONParser.parse(Array($0)) }
        let resync = try #require(messages.first { $0["method"] == "project.resync" })
        let lastEvent = messages.prefix { $0["method"] != "project.resync" }.last { $0["method"] == "task.created" }
        #expect(resync["params"]?["lastSeq"] == lastEvent?["params"]?["seq"])
        #expect(stuck.terminationStatus == 0)
    }
}
