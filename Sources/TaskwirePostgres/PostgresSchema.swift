import TaskwireCrypto
import TaskwireStore

/// The schema: SQLite's tables, columns, keys and indexes in PostgreSQL types, built by numbered migrations.
///
/// Text columns compare byte by byte (`COLLATE "C"`, like SQLite's BINARY), so that orderings, cursors and
/// uniqueness are the same whatever the database's locale. Labels and event payloads are stored as the JSON text
/// SQLite stores, so results are identical byte for byte.
enum PostgresSchema {
    /// The newest schema version this build knows.
    static var latestVersion: Int64 { Int64(migrations.count) }

    /// Held (for the migrating transaction) by whichever host or admin command migrates: "taskwire" in ASCII.
    static let migrationLock: Int64 = 0x7461_736b_7769_7265

    /// The statements of each version, in order; version N is `migrations[N - 1]`.
    static let migrations: [[String]] = [version1, version2, version3, version4]

    /// Tokens get an id and the time of their last use; a removed user keeps their row for the history.
    private static let version2 = [
        "ALTER TABLE tokens ADD COLUMN id TEXT COLLATE \"C\"",
        "ALTER TABLE tokens ADD COLUMN last_used_at TEXT COLLATE \"C\"",
        "UPDATE tokens SET id = 'tok_' || substr(md5(hash || random()::text), 1, 20)",
        "CREATE UNIQUE INDEX tokens_id ON tokens(id)",
        "ALTER TABLE users ADD COLUMN removed_at TEXT COLLATE \"C\"",
    ]

    /// A removed project keeps its row and its event log, closed by `project.deleted`.
    private static let version3 = [
        "ALTER TABLE projects ADD COLUMN IF NOT EXISTS deleted_at TEXT COLLATE \"C\""
    ]

    /// Cards get their order within a column; ``rankExisting(_:)`` ranks the tasks there are by creation.
    private static let version4 = [
        "ALTER TABLE tasks ADD COLUMN rank TEXT COLLATE \"C\" NOT NULL DEFAULT ''",
        "CREATE INDEX tasks_rank ON tasks(project_id, status, rank, id)",
    ]

    /// Ranks existing tasks column by column, oldest at the top, as SQLite's migration does.
    static func rankExisting(_ connection: PostgresConnection) throws {
        let rows = try connection.rows(
            "SELECT id, project_id, status FROM tasks ORDER BY project_id, status, created_at, id"
        )
        var start = 0
        while start < rows.count {
            var end = start
            while end < rows.count && rows[end].text(1) == rows[start].text(1)
                && rows[end].text(2) == rows[start].text(2)
            {
                end += 1
            }
            for (row, rank) in zip(rows[start..<end], Rank.respace(count: end - start, after: nil, before: nil)) {
                try connection.execute("UPDATE tasks SET rank = $1 WHERE id = $2", [rank, row.text(0)])
            }
            start = end
        }
    }

    private static let version1 = [
        """
        CREATE TABLE meta (key TEXT COLLATE "C" PRIMARY KEY, value TEXT COLLATE "C" NOT NULL)
        """,
        """
        CREATE TABLE users (
            id TEXT COLLATE "C" PRIMARY KEY,
            name TEXT COLLATE "C" NOT NULL UNIQUE,
            email TEXT COLLATE "C",
            created_at TEXT COLLATE "C" NOT NULL
        )
        """,
        """
        CREATE TABLE tokens (
            hash TEXT COLLATE "C" PRIMARY KEY,
            user_id TEXT COLLATE "C" NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            created_at TEXT COLLATE "C" NOT NULL
        )
        """,
        "CREATE INDEX tokens_user ON tokens(user_id)",
        """
        CREATE TABLE organizations (
            id TEXT COLLATE "C" PRIMARY KEY,
            name TEXT COLLATE "C" NOT NULL UNIQUE,
            created_at TEXT COLLATE "C" NOT NULL
        )
        """,
        """
        CREATE TABLE memberships (
            organization_id TEXT COLLATE "C" NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
            user_id TEXT COLLATE "C" NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            role TEXT COLLATE "C" NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
            PRIMARY KEY (organization_id, user_id)
        )
        """,
        "CREATE INDEX memberships_user ON memberships(user_id)",
        """
        CREATE TABLE projects (
            id TEXT COLLATE "C" PRIMARY KEY,
            organization_id TEXT COLLATE "C" NOT NULL REFERENCES organizations(id),
            name TEXT COLLATE "C" NOT NULL,
            last_seq BIGINT NOT NULL DEFAULT 0,
            created_at TEXT COLLATE "C" NOT NULL
        )
        """,
        "CREATE INDEX projects_organization ON projects(organization_id, name)",
        """
        CREATE TABLE tasks (
            id TEXT COLLATE "C" PRIMARY KEY,
            project_id TEXT COLLATE "C" NOT NULL REFERENCES projects(id),
            title TEXT COLLATE "C" NOT NULL,
            description TEXT COLLATE "C" NOT NULL,
            status TEXT COLLATE "C" NOT NULL,
            priority TEXT COLLATE "C" NOT NULL,
            assignee_id TEXT COLLATE "C" REFERENCES users(id),
            due_date TEXT COLLATE "C",
            labels TEXT COLLATE "C" NOT NULL,
            version BIGINT NOT NULL,
            created_by TEXT COLLATE "C" NOT NULL REFERENCES users(id),
            created_at TEXT COLLATE "C" NOT NULL,
            updated_at TEXT COLLATE "C" NOT NULL
        )
        """,
        "CREATE INDEX tasks_order ON tasks(project_id, created_at, id)",
        "CREATE INDEX tasks_status ON tasks(project_id, status, created_at, id)",
        "CREATE INDEX tasks_assignee ON tasks(project_id, assignee_id, created_at, id)",
        """
        CREATE TABLE comments (
            id TEXT COLLATE "C" PRIMARY KEY,
            task_id TEXT COLLATE "C" NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
            project_id TEXT COLLATE "C" NOT NULL REFERENCES projects(id),
            author_id TEXT COLLATE "C" NOT NULL REFERENCES users(id),
            body TEXT COLLATE "C" NOT NULL,
            version BIGINT NOT NULL,
            created_at TEXT COLLATE "C" NOT NULL,
            updated_at TEXT COLLATE "C" NOT NULL
        )
        """,
        "CREATE INDEX comments_order ON comments(task_id, created_at, id)",
        """
        CREATE TABLE events (
            project_id TEXT COLLATE "C" NOT NULL REFERENCES projects(id),
            seq BIGINT NOT NULL,
            type TEXT COLLATE "C" NOT NULL,
            actor_id TEXT COLLATE "C" NOT NULL,
            origin_session TEXT COLLATE "C" NOT NULL,
            at TEXT COLLATE "C" NOT NULL,
            payload TEXT COLLATE "C" NOT NULL,
            PRIMARY KEY (project_id, seq)
        )
        """,
        """
        CREATE TABLE sessions (
            id TEXT COLLATE "C" PRIMARY KEY,
            user_id TEXT COLLATE "C" NOT NULL REFERENCES users(id),
            pid BIGINT NOT NULL,
            heartbeat_at BIGINT NOT NULL
        )
        """,
        "CREATE INDEX sessions_heartbeat ON sessions(heartbeat_at)",
        """
        CREATE TABLE room_members (
            project_id TEXT COLLATE "C" NOT NULL REFERENCES projects(id),
            session_id TEXT COLLATE "C" NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            user_id TEXT COLLATE "C" NOT NULL REFERENCES users(id),
            joined_at TEXT COLLATE "C" NOT NULL,
            PRIMARY KEY (project_id, session_id)
        )
        """,
        "CREATE INDEX room_members_session ON room_members(session_id)",
        "CREATE INDEX room_members_user ON room_members(user_id)",
        // Ids come from the `presence` counter, taken in the recording transaction: its row lock makes ids follow
        // commit order across hosts, which a sequence would not.
        """
        CREATE TABLE presence_events (
            id BIGINT PRIMARY KEY,
            project_id TEXT COLLATE "C" NOT NULL,
            session_id TEXT COLLATE "C" NOT NULL,
            user_id TEXT COLLATE "C" NOT NULL,
            user_name TEXT COLLATE "C" NOT NULL,
            kind TEXT COLLATE "C" NOT NULL CHECK (kind IN ('joined', 'left')),
            reason TEXT COLLATE "C",
            at TEXT COLLATE "C" NOT NULL,
            at_ms BIGINT NOT NULL
        )
        """,
        "CREATE INDEX presence_events_age ON presence_events(at_ms)",
        "CREATE TABLE counters (name TEXT COLLATE \"C\" PRIMARY KEY, value BIGINT NOT NULL)",
        "INSERT INTO counters (name, value) VALUES ('presence', 0)",
    ]

    /// Values made once, when the schema is created, bound as parameters of the statements that store them.
    static func seed(_ connection: PostgresConnection) throws {
        try connection.execute(
            "INSERT INTO meta (key, value) VALUES ('database_id', $1), ('relay_key', $2)",
            [Hex.encode(SecureRandom.bytes(12)), SecretKey.random(byteCount: 32).hex]
        )
    }

    /// Brings the schema to ``latestVersion``.
    ///
    /// At most one migrating transaction runs at a time across every host, under an advisory lock; a database newer
    /// than this build is refused.
    static func migrate(_ connection: PostgresConnection) throws(StoreError) {
        let current = try run(connection, begin: nil) { connection in try version(connection) }
        try refuseNewer(current)
        guard current < latestVersion else { return }
        try run(connection, begin: "BEGIN") { connection in
            // Another host may be migrating: wait for it longer than for an ordinary row lock.
            try connection.execute("SET LOCAL lock_timeout = '60s'")
            try connection.execute("SELECT pg_advisory_xact_lock(\(migrationLock))")
            try connection.execute(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version BIGINT PRIMARY KEY, applied_at TEXT COLLATE "C" NOT NULL
                )
                """
            )
            // Another host may have migrated while this one waited for the lock.
            let current = try version(connection)
            try refuseNewer(current)
            for version in (current + 1)..<(latestVersion + 1) {
                for statement in migrations[Int(version) - 1] { try connection.execute(statement) }
                if version == 1 { try seed(connection) }
                if version == 4 { try rankExisting(connection) }
                try connection.execute(
                    "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)",
                    [String(version), Timestamp.now()]
                )
            }
        }
    }

    /// The schema version of the database; 0 when it has none yet.
    static func version(_ connection: PostgresConnection) throws -> Int64 {
        guard try connection.row("SELECT to_regclass('schema_migrations') IS NOT NULL")?.bool(0) == true else {
            return 0
        }
        return try connection.row("SELECT coalesce(max(version), 0) FROM schema_migrations")?.int(0) ?? 0
    }

    private static func refuseNewer(_ version: Int64) throws(StoreError) {
        guard version <= latestVersion else {
            throw .unavailable(
                "the database schema (version \(version)) is newer than this taskwire supports (\(latestVersion)); "
                    + "upgrade taskwire"
            )
        }
    }

    private static func run<T>(
        _ connection: PostgresConnection,
        begin: String?,
        _ body: (PostgresConnection) throws -> T
    ) throws(StoreError) -> T {
        switch connection.run(begin: begin, notify: false, body) {
        case .done(let value): return value
        case .conflict, .lost: throw .unavailable(connection.settings.describeFailure(detail: "lost while migrating"))
        case .failed(let error): throw error
        }
    }
}
