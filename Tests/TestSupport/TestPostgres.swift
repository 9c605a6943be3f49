import TaskwireSync
public import TaskwireTranscripts

#if canImport(Glibc)
import Glibc
#endif

/// The stores a parameterized suite runs against.
public enum StoreBackend: String, Sendable, CaseIterable, CustomStringConvertible {
    case sqlite
    case postgres

    public var description: String { rawValue }
}

/// One throwaway PostgreSQL cluster for the whole test process, started on first use and stopped (by its pid)
/// when the process exits; every test gets a fresh database on it.
public enum TestPostgres {
    private static let server = Locked<Result<PostgresServer, any Error>?>(nil)

    /// The shared server, started on first use.
    public static func shared() throws -> PostgresServer {
        try server.withLock { slot in
            if let slot { return try slot.get() }
            do {
                let started = try PostgresServer()
                slot = .success(started)
                atexit { TestPostgres.stopAtExit() }
                return started
            } catch {
                slot = .failure(error)
                throw error
            }
        }
    }

    private static func stopAtExit() {
        if case .success(let started)? = server.withLock({ $0 }) { started.stopAndRemove() }
    }
}
