import Foundation
import TaskwireProtocol
import TaskwireSync
import Testing

@testable import TaskwireStore

/// The SQLite change watcher: `PRAGMA data_version` decides, and the inotify watch of the write-ahead log wakes a
/// reader that sleeps on it.
@Suite struct ChangeWatcherTests {
    @Test func theWatchIsReadableWhenAnotherConnectionCommitsUntilTheVersionIsRead() throws {
        let world = try StoreWorld()
        // Another host's store on the same file: its commits come from a connection of its own.
        let other = try SQLiteStore(path: world.temporary.path)
        let watcher = try ChangeWatcher(path: world.temporary.path)
        let first = watcher.version()
        #expect(first != nil)
        let socket = try #require(watcher.announcementSocket, "the log is watched once the database was read")
        let wakeup = try #require(PollWakeup())
        #expect(!wakeup.sleep(orUntilReadable: socket, timeoutMilliseconds: 100), "nothing written yet")

        _ = try other.createTask(actor: world.alice, NewTask(projectID: world.projectID, title: "T"))
        #expect(wakeup.sleep(orUntilReadable: socket, timeoutMilliseconds: 5000))
        let second = watcher.version()
        #expect(second != first)
        #expect(!wakeup.sleep(orUntilReadable: socket, timeoutMilliseconds: 100), "taken by version()")

        // A rolled-back change writes nothing to the log, and the version stays.
        #expect(throws: StoreError.self) {
            _ = try other.createTask(actor: world.alice, NewTask(projectID: world.projectID, title: " "))
        }
        #expect(!wakeup.sleep(orUntilReadable: socket, timeoutMilliseconds: 100))
        #expect(watcher.version() == second)
    }

    @Test func aLogMovedAwayAndMadeAgainIsWatchedAgain() throws {
        let temporary = try TemporaryStore()
        let watcher = try ChangeWatcher(path: temporary.path)
        _ = watcher.version()
        let logPath = temporary.path + "-wal"
        #expect(watcher.announcementSocket != nil)
        // The log's file replaced under the watch (as when every connection closed and a new one made it again).
        try FileManager.default.moveItem(atPath: logPath, toPath: logPath + ".old")
        #expect(FileManager.default.createFile(atPath: logPath, contents: Data()))
        _ = watcher.version()  // ends the old file's watch
        _ = watcher.announcementSocket  // watches the new file
        _ = watcher.version()  // takes the old watch's last notice
        let socket = try #require(watcher.announcementSocket, "watching the new file")
        let wakeup = try #require(PollWakeup())
        #expect(!wakeup.sleep(orUntilReadable: socket, timeoutMilliseconds: 100))
        // A write to the old file is no longer heard; one to the new file is.
        let old = try #require(FileHandle(forWritingAtPath: logPath + ".old"))
        old.write(Data("old".utf8))
        old.closeFile()
        #expect(!wakeup.sleep(orUntilReadable: socket, timeoutMilliseconds: 100))
        let new = try #require(FileHandle(forWritingAtPath: logPath))
        new.write(Data("new".utf8))
        new.closeFile()
        #expect(wakeup.sleep(orUntilReadable: socket, timeoutMilliseconds: 5000), "a write to the new file is seen")
    }
}
