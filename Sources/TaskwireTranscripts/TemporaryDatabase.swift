import Foundation

/// A fresh temporary directory holding the path of a database file that does not exist yet.
///
/// - Important: The directory and everything in it are removed when the value is deinitialized, so keep it alive
///   for as long as any host uses the database.
public final class TemporaryDatabase: Sendable {
    /// The temporary directory.
    public let directory: String
    /// The database file path inside `directory`.
    public let path: String

    /// Creates the directory under the system's temporary directory.
    public init() throws(TemporaryDatabaseError) {
        directory = try Self.makeDirectory(prefix: "taskwire-test")
        path = directory + "/taskwire.sqlite"
    }

    /// Creates a fresh directory named `PREFIX-XXXXXX` under the system's temporary directory.
    static func makeDirectory(prefix: String) throws(TemporaryDatabaseError) -> String {
        var base = NSTemporaryDirectory()
        while base.count > 1, base.hasSuffix("/") { base.removeLast() }
        var template = Array((base + "/\(prefix)-XXXXXX").utf8CString)
        let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard created != nil else {
            throw TemporaryDatabaseError(description: "cannot create a temporary directory: \(errno)")
        }
        return String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// Why a temporary database directory could not be created.
public struct TemporaryDatabaseError: Error, Sendable, CustomStringConvertible {
    public var description: String
}
