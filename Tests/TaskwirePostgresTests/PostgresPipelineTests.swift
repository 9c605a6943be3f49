import CLibpq
import Foundation
import TaskwireProtocol
import TaskwireStore
import Testing

@testable import TaskwirePostgres

/// Statements sent together in one round trip (libpq's pipeline mode), and the transactions that use it: `BEGIN`
/// goes with the first statement, the notifications with `COMMIT`.
@Suite struct PostgresPipelineTests {
    private let url: String
    private let connection: PostgresConnection

    init() throws {
        url = try TestCluster.createDatabase()
        connection = PostgresConnection(
            settings: try ConnectionSettings(url: url, connectTimeoutSeconds: 5),
            logger: quietLogger
        )
        try connection.connect()
        try connection.execute("CREATE TABLE notes (id INT PRIMARY KEY, body TEXT NOT NULL)")
    }

    /// The failure `body` throws; nil (and recorded) when it succeeds.
    private static func failure(
        sourceLocation: SourceLocation = #_sourceLocation,
        _ body: () throws(PostgresFailure) -> Void
    ) -> PostgresFailure? {
        do {
            try body()
            Issue.record("accepted", sourceLocation: sourceLocation)
            return nil
        } catch {
            return error
        }
    }

    private func count() throws -> String? {
        try connection.row("SELECT count(*) FROM notes")?.optionalText(0)
    }

    /// The libpq of this machine (and of the suite's) has pipeline mode: the tests below run through it, not
    /// through the one-at-a-time path of an older libpq.
    @Test func theLoadedLibpqHasPipelineMode() {
        #expect(CLibpq_hasPipelineMode())
    }

    @Test func statementsSentTogetherAnswerInTheirOrder() throws {
        let results = try connection.executeTogether([
            ("SELECT 1", []),
            ("SELECT $1::text || '!'", ["two"]),
            ("INSERT INTO notes VALUES ($1, $2) RETURNING body", ["3", "three"]),
            ("SELECT $1::int + $2::int", ["2", "2"]),
        ])
        #expect(results.map { $0.rows.first?.optionalText(0) } == ["1", "two!", "three", "4"])
        #expect(results[2].affectedRows == 1)
        // Back out of pipeline mode: a statement alone works on the same connection.
        #expect(try count() == "1")
    }

    @Test func theFirstFailureIsThrownAndWhatFollowsItIsNotRun() throws {
        let failure = Self.failure { () throws(PostgresFailure) in
            _ = try connection.executeTogether([
                ("BEGIN", []),
                ("INSERT INTO notes VALUES (1, 'kept until the rollback')", []),
                ("INSERT INTO notes VALUES (1, 'a duplicate key')", []),
                ("INSERT INTO notes VALUES (2, 'never run')", []),
            ])
        }
        guard case .error(let error)? = failure?.kind else {
            Issue.record("expected an error, got \(String(describing: failure?.kind))")
            return
        }
        #expect(error.kind == .failure)
        #expect(failure?.message.contains("23505") == true, "the duplicate key's state, not the skipped statement's")
        try connection.execute("ROLLBACK")
        #expect(try count() == "0")
        // The connection left pipeline mode after the failure: it takes statements again, alone or together.
        let again = try connection.executeTogether([("SELECT 'a'", []), ("SELECT 'b'", [])])
        #expect(again.map { $0.rows.first?.optionalText(0) } == ["a", "b"])
    }

    @Test func aValueWithNULIsRefusedBeforeAnythingIsSent() throws {
        _ = Self.failure { () throws(PostgresFailure) in
            _ = try connection.executeTogether([
                ("INSERT INTO notes VALUES (1, 'first')", []),
                ("INSERT INTO notes VALUES (2, $1)", ["a\u{0}b"]),
            ])
        }
        #expect(try count() == "0")
    }

    @Test func aTransactionsBeginGoesWithItsFirstStatementAndCommits() throws {
        let outcome = connection.run(begin: "BEGIN", notify: false) { connection in
            try connection.execute("INSERT INTO notes VALUES (1, 'one')")
            try connection.execute("INSERT INTO notes VALUES (2, 'two')")
        }
        guard case .done = outcome else {
            Issue.record("\(outcome)")
            return
        }
        #expect(try count() == "2")
    }

    @Test func aTransactionWhoseFirstStatementFailsIsRolledBack() throws {
        let outcome = connection.run(begin: "BEGIN", notify: false) { connection in
            try connection.execute("INSERT INTO notes VALUES (1, NULL)")
        }
        guard case .failed = outcome else {
            Issue.record("expected a failure, got \(outcome)")
            return
        }
        #expect(try count() == "0")
        #expect(try connection.row("SELECT 1")?.optionalText(0) == "1", "not left in an aborted transaction")
    }

    @Test func aTransactionThatFailsLaterKeepsNothing() throws {
        struct Refused: Error {}
        let outcome = connection.run(begin: "BEGIN", notify: true) { connection in
            try connection.execute("INSERT INTO notes VALUES (1, 'one')")
            throw Refused()
        }
        guard case .failed = outcome else {
            Issue.record("expected a failure, got \(outcome)")
            return
        }
        #expect(try count() == "0")
    }

    @Test func aTransactionWithoutStatementsEndsWithNothingLeftOpen() throws {
        let outcome = connection.run(begin: "BEGIN", notify: true) { _ in () }
        guard case .done = outcome, let handle = connection.handle else {
            Issue.record("\(outcome)")
            return
        }
        #expect(PQtransactionStatus(handle) == PQTRANS_IDLE, "its BEGIN went out with its COMMIT, or neither did")
    }

    @Test func aConnectionEndedByTheServerIsLostAndOpensAgain() throws {
        // Prepared on the connection that is about to end: the next one must prepare them again.
        _ = try connection.executeTogether([("SELECT 1", []), ("SELECT 2", [])])
        let admin = try AdminConnection(url: url)
        try admin.terminateOthers()
        let failure = Self.failure { () throws(PostgresFailure) in
            _ = try connection.executeTogether([("SELECT 1", []), ("SELECT 2", [])])
        }
        guard case .lost? = failure?.kind else {
            Issue.record("expected lost, got \(String(describing: failure?.kind))")
            return
        }
        try connection.open()
        #expect(try connection.executeTogether([("SELECT 1", []), ("SELECT 2", [])]).count == 2)
    }
}

/// Queries and changes of rows prepared once per connection, and run by name after.
@Suite struct PostgresPreparedStatementTests {
    private let connection: PostgresConnection

    init() throws {
        connection = PostgresConnection(
            settings: try ConnectionSettings(url: try TestCluster.createDatabase(), connectTimeoutSeconds: 5),
            logger: quietLogger
        )
        try connection.connect()
        try connection.execute("CREATE TABLE notes (id INT PRIMARY KEY, body TEXT NOT NULL)")
    }

    /// How many statements of this text the connection's session holds prepared.
    private func preparedCount(_ sql: String) throws -> String? {
        try connection.row("SELECT count(*) FROM pg_prepared_statements WHERE statement = $1", [sql])?
            .optionalText(0)
    }

    @Test func aQueryIsPreparedOnceAndRunByNameAfter() throws {
        let insert = "INSERT INTO notes VALUES ($1, $2)"
        for id in 1...3 { try connection.execute(insert, [String(id), "note \(id)"]) }
        _ = try connection.executeTogether([(insert, ["4", "four"]), (insert, ["5", "five"])])
        #expect(try preparedCount(insert) == "1")
        #expect(try connection.row("SELECT count(*) FROM notes")?.optionalText(0) == "5")
    }

    @Test func transactionControlSettingsAndDDLAreNotPrepared() throws {
        for sql in ["BEGIN", "COMMIT", "SET lock_timeout = '2s'", "LISTEN x", "CREATE TABLE t (a INT)", "ROLLBACK"] {
            #expect(!PostgresConnection.isPreparable(sql), "\(sql)")
        }
        let queries = [
            "SELECT 1", "select 1", "INSERT INTO t VALUES (1)", "UPDATE t SET a = 1", "DELETE FROM t",
            "WITH x AS (SELECT 1) SELECT * FROM x", "\n  SELECT 1",
        ]
        for sql in queries {
            #expect(PostgresConnection.isPreparable(sql), "\(sql)")
        }
        try connection.execute("SET lock_timeout = '3s'")
        #expect(try preparedCount("SET lock_timeout = '3s'") == "0")
    }

    @Test func aStatementPreparedInATransactionThatRollsBackStillRuns() throws {
        struct Refused: Error {}
        let insert = "INSERT INTO notes VALUES ($1, 'rolled back')"
        let outcome = connection.run(begin: "BEGIN", notify: false) { connection in
            try connection.execute(insert, ["1"])
            throw Refused()
        }
        guard case .failed = outcome else {
            Issue.record("\(outcome)")
            return
        }
        try connection.execute(insert, ["2"])
        #expect(try connection.row("SELECT string_agg(id::text, ',') FROM notes")?.optionalText(0) == "2")
    }
}

/// The payload of an event in the two parts a store sends around its seq.
@Suite struct EventPayloadPartsTests {
    @Test(arguments: ["prj_1", "prj_\"quoted\"\\", "prj_é✓", "p"])
    func theTwoPartsAroundTheDigitsAreThePayload(projectID: String) {
        let actor = ActingSession(user: UserRef(id: "usr_1", name: "Zoë \"Z\""), sessionID: "ses_1")
        let data: JSON = .object(JSONObject(members: [.init("title", .string("a\nb"))]))
        let parts = CommittedEvent.payloadParts(
            projectID: projectID,
            type: .taskUpdated,
            at: "2026-12-04T00:00:00.000Z",
            actor: actor,
            data: data
        )
        for seq: Int64 in [1, 42, 9_007_199_254_740_993] {
            let whole = CommittedEvent.payload(
                projectID: projectID,
                seq: seq,
                type: .taskUpdated,
                at: "2026-12-04T00:00:00.000Z",
                actor: actor,
                data: data
            )
            #expect(parts.head + Array(String(seq).utf8) + parts.tail == whole)
        }
    }
}
