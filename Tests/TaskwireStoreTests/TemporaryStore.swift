import Foundation

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

extension [UInt8] {
    func contains(bytes needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= count else { return false }
        return indices.dropLast(needle.count - 1).contains { start in
            self[start] == needle[0] && self[start..<start + needle.count].elementsEqual(needle)
        }
    }
}
