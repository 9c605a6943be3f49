import Foundation
import Logging
import TaskwireProtocol
import TaskwireStore
import TaskwireTranscripts
import Testing

@testable import TaskwirePostgres

/// The PostgreSQL cluster of this test process, started on first use and stopped when the process exits.
enum TestCluster {
    private static let shared: Result<PostgresServer, any Error> = {
        let result = Result { try PostgresServer() }
        if case .success = result { atexit { TestCluster.stopShared() } }
        return result
    }()

    static var server: PostgresServer {
        get throws { try shared.get() }
    }

    /// A fresh, empty database of the shared cluster.
    static func createDatabase() throws -> String { try server.createDatabase() }

    private static func stopShared() {
        guard case .success(let server) = shared else { return }
        server.stop()
        try? FileManager.default.removeItem(atPath: server.directory)
    }
}

/// Which store a test of the shared suites runs against.
enum Backend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    /// A store on a fresh, empty database of this backend.
    func makeStore() throws -> TestStore {
        switch self {
        case .sqlite:
            let directory = try TemporaryDirectory()
            return TestStore(store: try SQLiteStore(path: directory.path + "/taskwire.sqlite"), keeper: directory)
        case .postgres:
            return TestStore(store: try PostgresStore(url: try TestCluster.createDatabase(), logger: quietLogger))
        }
    }
}

/// A store of either backend, with whatever must live as long as it (a temporary directory).
struct TestStore {
    typealias Store = any TaskwireStorage & AdminStorage
    let store: Store
    var keeper: AnyObject?
}

/// A logger that keeps the tests' output quiet: only errors.
let quietLogger: Logger = {
    var logger = Logger(label: "taskwire.postgres.tests")
    logger.logLevel = .error
    return logger
}()

/// A fresh temporary directory, removed with this object.
final class TemporaryDirectory {
    let path: String

    init() throws {
        var template = Array((NSTemporaryDirectory() + "/taskwire-pgtest-XXXXXX").utf8CString)
        guard let created = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw CocoaError(.fileWriteUnknown)
        }
        path = String(cString: created)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// A connection of its own to a database, for what the tests look at or do behind the store's back.
final class AdminConnection {
    private let connection: PostgresConnection

    init(url: String) throws {
        connection = PostgresConnection(
            settings: try ConnectionSettings(url: url, connectTimeoutSeconds: 5),
            logger: quietLogger
        )
        try connection.connect()
    }

    /// The rows of a statement, every value as text.
    @discardableResult
    func query(_ sql: String, _ values: [String?] = []) throws -> [[String?]] {
        try connection.rows(sql, values).map(\.values)
    }

    /// The first value of the first row.
    func value(_ sql: String, _ values: [String?] = []) throws -> String? {
        try query(sql, values).first?.first ?? nil
    }

    /// Ends every other connection to this database, as an administrator's `pg_terminate_backend` does.
    func terminateOthers() throws {
        try query(
            """
            SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid()
            """
        )
    }
}

/// Expects `body` to fail with a storage error of `kind`, and returns it.
@discardableResult
func expectError(
    _ kind: StoreError.Kind,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> Void
) -> StoreError? {
    do {
        try body()
        Issue.record("accepted", sourceLocation: sourceLocation)
    } catch let error as StoreError {
        #expect(error.kind == kind, "got \(error)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected a StoreError, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

/// Expects `body` to be refused as an admin command is, with a message for the terminal.
func expectRefused(sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) {
    let error = expectError(.refused, sourceLocation: sourceLocation, body)
    #expect(error?.message?.isEmpty == false, sourceLocation: sourceLocation)
}

/// Runs `body` on `count` threads at once and waits for all of them.
func onThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    let group = DispatchGroup()
    for index in 0..<count {
        group.enter()
        Thread {
            body(index)
            group.leave()
        }.start()
    }
    group.wait()
}
