import Foundation
import TaskwireCrypto
import TaskwireProtocol
import TaskwireStore
import TaskwireSync
import Testing

@testable import TaskwirePostgres

/// What only PostgreSQL has: its schema and migrations, and how a failure to connect is told.
@Suite struct PostgresStoreTests {
    @Test func theSchemaHasSQLitesTablesAndOneVersion() throws {
        let url = try TestCluster.createDatabase()
        let store = try PostgresStore(url: url, logger: quietLogger)
        let admin = try AdminConnection(url: url)
        let tables = try admin.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
            .compactMap { $0[0] }
        #expect(
            tables == [
                "comments", "counters", "events", "memberships", "meta", "organizations", "presence_events", "projects",
                "room_members", "schema_migrations", "sessions", "tasks", "tokens", "users",
            ]
        )
        #expect(try admin.value("SELECT max(version) FROM schema_migrations") == String(PostgresSchema.latestVersion))
        #expect(try admin.value("SELECT value FROM meta WHERE key = 'database_id'") == store.databaseID)
        #expect(try admin.value("SELECT value FROM meta WHERE key = 'relay_key'") == store.relayKey.hex)

        let reopened = try PostgresStore(url: url, logger: quietLogger)
        #expect(reopened.databaseID == store.databaseID)
        #expect(reopened.relayKey == store.relayKey)
        let other = try PostgresStore(url: try TestCluster.createDatabase(), logger: quietLogger)
        #expect(other.databaseID != store.databaseID)
        #expect(other.relayKey != store.relayKey)
    }

    /// A database from before ranks (schema version 3): its tasks get ranks column by column, oldest at the top,
    /// as SQLite's migration gives them.
    @Test func tasksOfAnOlderSchemaAreRankedByCreation() throws {
        let url = try TestCluster.createDatabase()
        _ = try PostgresStore(url: url, logger: quietLogger)
        let admin = try AdminConnection(url: url)
        for statement in [
            "DROP INDEX tasks_rank", "ALTER TABLE tasks DROP COLUMN rank",
            "DELETE FROM schema_migrations WHERE version >= 4",
            "INSERT INTO users (id, name, created_at) VALUES ('u1', 'old', '2026-01-01')",
            "INSERT INTO organizations (id, name, created_at) VALUES ('o1', 'acme', '2026-01-01')",
            "INSERT INTO projects (id, organization_id, name, created_at) VALUES ('p1', 'o1', 'web', '2026-01-01')",
        ] {
            _ = try admin.query(statement)
        }
        for (id, status, time) in [("c", "todo", "01"), ("a", "todo", "02"), ("d", "done", "03"), ("b", "todo", "04")] {
            _ = try admin.query(
                """
                INSERT INTO tasks (id, project_id, title, description, status, priority, labels, version, created_by,
                    created_at, updated_at)
                VALUES ($1, 'p1', $1, '', $2, 'medium', '[]', 1, 'u1', $3, $3)
                """,
                [id, status, "2026-01-\(time)"]
            )
        }
        _ = try PostgresStore(url: url, logger: quietLogger)
        let ranks = try admin.query("SELECT id || '=' || rank FROM tasks ORDER BY status, rank").compactMap { $0[0] }
        #expect(ranks == ["d=a0", "c=a0", "a=a1", "b=a2"])
    }

    @Test func tokensAreStoredOnlyAsSHA256Hex() throws {
        let url = try TestCluster.createDatabase()
        let store = try PostgresStore(url: url, logger: quietLogger)
        let user = try store.addUser(name: "alice", email: "alice@example.com")
        let second = try store.addToken(user: "alice")
        let tokens = [user.token, second.token]
        let rows = try AdminConnection(url: url).query("SELECT hash, user_id, created_at FROM tokens")
        #expect(Set(rows.compactMap { $0[0] }) == Set(tokens.map { SHA256.hexDigest(Array($0.utf8)) }))
        for value in rows.joined().compactMap({ $0 }) {
            #expect(!tokens.contains { value.contains($0) || value.contains($0.dropFirst(3)) })
        }
    }

    @Test func tenHostsMigratingAtOnceLeaveOneSchema() throws {
        let url = try TestCluster.createDatabase()
        let results = Locked<[Result<String, StoreError>]>([])
        onThreads(10) { _ in
            let result = Result { () throws(StoreError) in try PostgresStore(url: url, logger: quietLogger).databaseID }
            results.withLock { $0.append(result) }
        }
        let ids = try results.withLock { $0 }.map { try $0.get() }
        #expect(ids.count == 10)
        #expect(Set(ids).count == 1, "one database id, made once")
        let admin = try AdminConnection(url: url)
        #expect(try admin.value("SELECT count(*) FROM schema_migrations") == String(PostgresSchema.latestVersion))
        #expect(try admin.value("SELECT count(*) FROM meta") == "2")
        #expect(try admin.value("SELECT count(*) FROM counters") == "1")
    }

    @Test func aNewerSchemaIsRefusedWithAClearError() throws {
        let url = try TestCluster.createDatabase()
        _ = try PostgresStore(url: url, logger: quietLogger)
        try AdminConnection(url: url).query(
            "INSERT INTO schema_migrations (version, applied_at) VALUES (99, 'later')"
        )
        let error = expectError(.unavailable) { _ = try PostgresStore(url: url, logger: quietLogger) }
        #expect(
            error?.message
                == "the database schema (version 99) is newer than this taskwire supports "
                + "(\(PostgresSchema.latestVersion)); upgrade taskwire"
        )
    }

    @Test func failuresToConnectNameTheServerOnOneLineWithoutThePassword() throws {
        let server = try TestCluster.server
        let password = "s3cret-Pa55word"
        let cases: [(url: String, mentions: String)] = [
            // Nothing listens on port 1.
            ("postgresql://taskwire:\(password)@127.0.0.1:1/db", "127.0.0.1:1"),
            // The role does not exist.
            ("postgresql://nobody:\(password)@127.0.0.1:\(server.port)/postgres", "127.0.0.1:\(server.port)"),
            // The database does not exist.
            ("postgres://taskwire:\(password)@127.0.0.1:\(server.port)/missing", "127.0.0.1:\(server.port)"),
            // libpq quotes a badly encoded password in its message.
            ("postgresql://taskwire:\(password)%zz@127.0.0.1:\(server.port)/db", "127.0.0.1:\(server.port)"),
            ("postgresql://taskwire@127.0.0.1:\(server.port)/db?password=\(password)&bogus=1", "127.0.0.1"),
            ("postgresql://taskwire@no-such-host.invalid:5432/db?password=\(password)", "no-such-host.invalid:5432"),
        ]
        for (url, mentions) in cases {
            let start = ContinuousClock.now
            let error = expectError(.unavailable) {
                _ = try PostgresStore(url: url, connectTimeoutSeconds: 3, logger: quietLogger)
            }
            #expect(ContinuousClock.now - start < .seconds(3.5), "within the connect timeout: \(url)")
            let message = error?.message ?? ""
            #expect(message.hasPrefix("cannot connect to PostgreSQL at "), "\(message)")
            #expect(message.contains(mentions), "\(message)")
            #expect(!message.contains(password), "\(message)")
            #expect(!message.contains("\n"), "\(message)")
        }
        let notAURL = expectError(.unavailable) { _ = try PostgresStore(url: "host=127.0.0.1 password=\(password)") }
        #expect(notAURL?.message?.contains(password) == false)
        #expect(notAURL?.message?.contains("postgres://") == true)
    }

    @Test func aURLsOwnConnectTimeoutAndParametersAreKept() throws {
        let url = try TestCluster.createDatabase() + "?connect_timeout=7&application_name=probe&sslmode=disable"
        let store = try PostgresStore(url: url, logger: quietLogger)
        _ = try store.addUser(name: "alice", email: nil)
        let admin = try AdminConnection(url: url)
        #expect(try admin.value("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'probe'") != "0")
    }
}
