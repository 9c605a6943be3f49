import Foundation
import GRDB

@testable import TaskwireStore

/// A store on a database file in a fresh temporary directory, removed with it.
final class TemporaryStore {
    let directory: String
    let path: String
    let store: SQLiteStore

    init(createEmptyFile: Bool = false) throws {
        var template = Array((NSTemporaryDirectory() + "/taskwire-store-test-XXXXXX").utf8CString)
        guard let created = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw CocoaError(.fileWriteUnknown)
        }
        directory = String(cString: created)
        path = directory + "/taskwire.sqlite"
        if createEmptyFile {
            _ = FileManager.default.createFile(atPath: path, contents: Data())
        }
        store = try SQLiteStore(path: path)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Every byte of the database's files: the main file, the WAL and the shared memory index.
    func fileBytes() throws -> [UInt8] {
        var bytes: [UInt8] = []
        for file in try FileManager.default.contentsOfDirectory(atPath: directory) {
            bytes += try Data(contentsOf: URL(fileURLWithPath: directory + "/" + file))
        }
        return bytes
    }
}

/// A store with one organization (alice owns it, bob is a member, carol is outside) and one project.
struct StoreWorld {
    let temporary: TemporaryStore
    let alice: ActingSession
    let bob: ActingSession
    let carol: ActingSession
    let projectID: String
    var store: SQLiteStore { temporary.store }

    init() throws {
        temporary = try TemporaryStore()
        let store = temporary.store
        func session(_ name: String) throws -> ActingSession {
            ActingSession(user: try store.addUser(name: name, email: nil).user, sessionID: "ses_\(name)")
        }
        alice = try session("alice")
        bob = try session("bob")
        carol = try session("carol")
        _ = try store.addOrganization(name: "Acme", owner: "alice")
        _ = try store.addMember(organization: "Acme", user: "bob", role: .member)
        projectID = try store.addProject(organization: "Acme", name: "Web").id
    }

    func eventCount() throws -> Int {
        try store.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM events") ?? 0 }
    }
}

extension [UInt8] {
    func contains(bytes needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= count else { return false }
        return indices.dropLast(needle.count - 1).contains { start in
            self[start] == needle[0] && self[start..<start + needle.count].elementsEqual(needle)
        }
    }
}
