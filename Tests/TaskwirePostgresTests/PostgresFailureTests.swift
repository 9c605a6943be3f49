import TaskwireStore
import Testing

@testable import TaskwirePostgres

/// How server errors are classified, and how a server is named in a message.
@Suite struct PostgresFailureTests {
    private func kind(_ state: String?, bad: Bool = false) -> String {
        switch PostgresFailure.classify(sqlState: state, message: "first\nsecond", connectionBad: bad).kind {
        case .lost: "lost"
        case .conflict: "conflict"
        case .error(let error): "\(error.kind)"
        }
    }

    @Test func serverErrorsAreClassifiedByTheirState() {
        #expect(kind("40001") == "conflict")
        #expect(kind("40P01") == "conflict")
        for state in ["08006", "08003", "57P01", "57P02", "57P03"] { #expect(kind(state) == "lost", "\(state)") }
        #expect(kind(nil) == "lost", "libpq's own failure: the connection")
        #expect(kind("23505", bad: true) == "lost", "whatever the state, a dead connection is lost")
        for state in ["55P03", "57014", "53300"] { #expect(kind(state) == "busy", "\(state)") }
        #expect(kind("53100") == "storageFull")
        #expect(kind("25006") == "unavailable")
        #expect(kind("XX001") == "unavailable")
        #expect(kind("23505") == "failure")
        #expect(kind("42P01") == "failure")
        let failure = PostgresFailure.classify(sqlState: "42P01", message: "first\nsecond", connectionBad: false)
        #expect(failure.message == "storage error 42P01: first", "one line for the log")
    }

    @Test func theServerOfAURLIsFoundForMessages() throws {
        #expect(ConnectionSettings.hostAndPort(of: "postgres://u:p@db.example:6432/x") == ("db.example", "6432"))
        #expect(ConnectionSettings.hostAndPort(of: "postgresql://db.example/x?sslmode=require") == ("db.example", ""))
        #expect(ConnectionSettings.hostAndPort(of: "postgresql://[::1]:5433/x") == ("::1", "5433"))
        #expect(ConnectionSettings.hostAndPort(of: "postgresql://a:1,b:2/x") == ("a", "1"))
        #expect(ConnectionSettings.hostAndPort(of: "postgresql:///x") == ("", ""))
        let settings = try ConnectionSettings(url: "postgresql://u:hunter22@h:1/x", connectTimeoutSeconds: 5)
        #expect(
            settings.describeFailure(detail: "bad token \"hunter22\"")
                == "cannot connect to PostgreSQL at h:1: bad token \"***\""
        )
        let short = try ConnectionSettings(url: "postgresql://u:pw@h/x", connectTimeoutSeconds: 5)
        #expect(short.describeFailure(detail: "pw") == "cannot connect to PostgreSQL at h: (details withheld)")
        expectError(.unavailable) { _ = try ConnectionSettings(url: "mysql://h/x", connectTimeoutSeconds: 5) }
    }
}
