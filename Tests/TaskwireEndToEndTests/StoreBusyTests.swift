import Foundation
import TaskwireClient
import TaskwireProtocol
import TaskwireTestSupport
import Testing

/// A host meeting a database that another process keeps locked past the store's busy timeout (2 s).
@Suite(.serialized) struct StoreBusyTests {
    /// The longest the lock is held: enough for two writes to time out one after the other, with room to spare.
    static let longestHold: Duration = .seconds(9)

    @Test func writesPastTheBusyTimeoutAnswerRetryableBusyAndWriteNothing() throws {
        let world = try TestWorld(userNames: ["ada"])
        let host = try world.host(as: world.users[0])
        let project = world.projectID
        let existing = try host.call("task.create", ["projectId": .string(project), "title": "before the lock"])
        let existingID = existing["task"]!.id

        let lock = try ExclusiveLock(databasePath: world.database.path)
        let create = host.send("task.create", ["projectId": .string(project), "title": "during the lock"])
        let update = host.send("task.update", ["id": .string(existingID), "expectedVersion": 1, "title": "changed"])
        let createAnswer = try host.answer(to: create, timeout: Self.longestHold)
        let updateAnswer = try host.answer(to: update, timeout: Self.longestHold)
        // In WAL mode readers go on while a writer holds the lock.
        let listedDuringLock = try host.call("task.list", ["projectId": .string(project)])
        try lock.release()

        for (name, answer) in [("task.create", createAnswer), ("task.update", updateAnswer)] {
            guard case .failure(let failure) = answer else {
                Issue.record("\(name) succeeded while the database was locked: \(answer)")
                continue
            }
            #expect(failure.code == TaskwireError.busy, "\(name): \(failure)")
            #expect(failure.data?["retryable"] == true, "\(name): \(failure)")
        }
        #expect(listedDuringLock["tasks"]?.arrayValue?.map(\.id) == [existingID])

        let tasks = try host.allTasks(projectID: project)
        #expect(tasks.map(\.id) == [existingID], "only the task created before the lock exists")
        #expect(tasks.first?.version == 1, "the busy update changed nothing")
        #expect(tasks.first?["title"]?.stringValue == "before the lock")
        let events = try host.allEvents(projectID: project)
        #expect(events.map { $0["seq"]?.int64Value ?? 0 } == [1], "no event for the busy writes")

        let retried = try host.call("task.create", ["projectId": .string(project), "title": "during the lock"])
        #expect(retried["seq"]?.int64Value == 2)
        #expect(retried["task"]?["title"]?.stringValue == "during the lock")
        let updated = try host.call(
            "task.update",
            ["id": .string(existingID), "expectedVersion": 1, "title": "changed"]
        )
        #expect(updated["seq"]?.int64Value == 3)
        #expect(updated["task"]?.version == 2)
        #expect(try host.allEvents(projectID: project).count == 3)
    }
}

/// A `sqlite3` shell holding `BEGIN EXCLUSIVE` on a database until released.
private final class ExclusiveLock {
    private let shell = Process()
    private let input = Pipe()
    private let output = Pipe()
    private let errors = Pipe()

    /// Starts `sqlite3 PATH` and returns once it holds the lock.
    init(databasePath: String) throws {
        guard let executable = Self.locateSQLite3() else {
            throw LockError(
                "the sqlite3 command-line shell is not installed (Debian/Ubuntu package `sqlite3`); this test needs it"
            )
        }
        shell.executableURL = URL(fileURLWithPath: executable)
        shell.arguments = ["-batch", databasePath]
        shell.standardInput = input
        shell.standardOutput = output
        shell.standardError = errors
        try shell.run()
        // The host writes on its own too (the index's upkeep once its client pauses, heartbeats), each briefly: the
        // shell waits for those like any other connection would, and stops at the first error, so that the SELECT
        // is answered only once BEGIN EXCLUSIVE has succeeded.
        input.fileHandleForWriting.write(Data(".bail on\n.timeout 10000\nBEGIN EXCLUSIVE;\nSELECT 'locked';\n".utf8))
        var echoed = Data()
        while !String(decoding: echoed, as: UTF8.self).contains("locked") {
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else {
                let problem = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                throw LockError("sqlite3 ended before it held the lock: \(problem)")
            }
            echoed += chunk
        }
    }

    deinit {
        if shell.isRunning { shell.terminate() }
    }

    /// Commits the empty transaction and waits for the shell to end.
    func release() throws {
        input.fileHandleForWriting.write(Data("COMMIT;\n".utf8))
        try input.fileHandleForWriting.close()
        shell.waitUntilExit()
        guard shell.terminationStatus == 0 else {
            let problem = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw LockError("sqlite3 failed to commit: \(problem)")
        }
    }

    private static func locateSQLite3() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/sqlite3" }.first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }
}

private struct LockError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
