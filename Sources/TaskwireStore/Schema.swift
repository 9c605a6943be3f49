import GRDB
import TaskwireCrypto

/// The schema, built by migrations from an empty file.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
                    INSERT INTO meta (key, value) VALUES ('database_id', lower(hex(randomblob(12))));

                    CREATE TABLE users (
                        id TEXT PRIMARY KEY,
                        name TEXT NOT NULL UNIQUE,
                        email TEXT,
                        created_at TEXT NOT NULL
                    ) WITHOUT ROWID;

                    CREATE TABLE tokens (
                        hash TEXT PRIMARY KEY,
                        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                        created_at TEXT NOT NULL
                    ) WITHOUT ROWID;
                    CREATE INDEX tokens_user ON tokens(user_id);

                    CREATE TABLE organizations (
                        id TEXT PRIMARY KEY,
                        name TEXT NOT NULL UNIQUE,
                        created_at TEXT NOT NULL
                    ) WITHOUT ROWID;

                    CREATE TABLE memberships (
                        organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
                        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                        role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
                        PRIMARY KEY (organization_id, user_id)
                    ) WITHOUT ROWID;
                    CREATE INDEX memberships_user ON memberships(user_id);

                    CREATE TABLE projects (
                        id TEXT PRIMARY KEY,
                        organization_id TEXT NOT NULL REFERENCES organizations(id),
                        name TEXT NOT NULL,
                        last_seq INTEGER NOT NULL DEFAULT 0,
                        created_at TEXT NOT NULL
                    ) WITHOUT ROWID;
                    CREATE INDEX projects_organization ON projects(organization_id, name);

                    CREATE TABLE tasks (
                        id TEXT PRIMARY KEY,
                        project_id TEXT NOT NULL REFERENCES projects(id),
                        title TEXT NOT NULL,
                        description TEXT NOT NULL,
                        status TEXT NOT NULL,
                        priority TEXT NOT NULL,
                        assignee_id TEXT REFERENCES users(id),
                        due_date TEXT,
                        labels TEXT NOT NULL,
                        version INTEGER NOT NULL,
                        created_by TEXT NOT NULL REFERENCES users(id),
                        created_at TEXT NOT NULL,
                        updated_at TEXT NOT NULL
                    ) WITHOUT ROWID;
                    CREATE INDEX tasks_order ON tasks(project_id, created_at, id);
                    CREATE INDEX tasks_status ON tasks(project_id, status, created_at, id);
                    CREATE INDEX tasks_assignee ON tasks(project_id, assignee_id, created_at, id);

                    CREATE TABLE comments (
                        id TEXT PRIMARY KEY,
                        task_id TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
                        project_id TEXT NOT NULL REFERENCES projects(id),
                        author_id TEXT NOT NULL REFERENCES users(id),
                        body TEXT NOT NULL,
                        version INTEGER NOT NULL,
                        created_at TEXT NOT NULL,
                        updated_at TEXT NOT NULL
                    ) WITHOUT ROWID;
                    CREATE INDEX comments_order ON comments(task_id, created_at, id);

                    CREATE TABLE events (
                        project_id TEXT NOT NULL REFERENCES projects(id),
                        seq INTEGER NOT NULL,
                        type TEXT NOT NULL,
                        actor_id TEXT NOT NULL,
                        origin_session TEXT NOT NULL,
                        at TEXT NOT NULL,
                        payload TEXT NOT NULL,
                        PRIMARY KEY (project_id, seq)
                    ) WITHOUT ROWID;

                    CREATE TABLE sessions (
                        id TEXT PRIMARY KEY,
                        user_id TEXT NOT NULL REFERENCES users(id),
                        pid INTEGER NOT NULL,
                        heartbeat_at INTEGER NOT NULL
                    ) WITHOUT ROWID;
                    CREATE INDEX sessions_heartbeat ON sessions(heartbeat_at);

                    CREATE TABLE room_members (
                        project_id TEXT NOT NULL REFERENCES projects(id),
                        session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
                        user_id TEXT NOT NULL REFERENCES users(id),
                        joined_at TEXT NOT NULL,
                        PRIMARY KEY (project_id, session_id)
                    ) WITHOUT ROWID;
                    CREATE INDEX room_members_session ON room_members(session_id);
                    CREATE INDEX room_members_user ON room_members(user_id);

                    CREATE TABLE presence_events (
                        id INTEGER PRIMARY KEY,
                        project_id TEXT NOT NULL,
                        session_id TEXT NOT NULL,
                        user_id TEXT NOT NULL,
                        user_name TEXT NOT NULL,
                        kind TEXT NOT NULL CHECK (kind IN ('joined', 'left')),
                        reason TEXT,
                        at TEXT NOT NULL,
                        at_ms INTEGER NOT NULL
                    );
                    CREATE INDEX presence_events_age ON presence_events(at_ms);
                    """
            )
        }
        // The key that authenticates relay messages between the hosts of this database: 256 random bits, made
        // once by whichever host or admin command migrates first, never logged and never sent to a client.
        migrator.registerMigration("v2-relay-key") { db in
            try db.execute(
                sql: "INSERT INTO meta (key, value) VALUES ('relay_key', ?)",
                arguments: [SecretKey.random(byteCount: 32).hex]
            )
        }
        // Tokens get an id (to list, show and remove them without the secret) and the time of their last use; a
        // removed user keeps their row, for the history that names them.
        migrator.registerMigration("v3-admin") { db in
            try db.execute(
                sql: """
                    ALTER TABLE tokens ADD COLUMN id TEXT;
                    ALTER TABLE tokens ADD COLUMN last_used_at TEXT;
                    UPDATE tokens SET id = 'tok_' || lower(hex(randomblob(10)));
                    CREATE UNIQUE INDEX tokens_id ON tokens(id);
                    ALTER TABLE users ADD COLUMN removed_at TEXT;
                    """
            )
        }
        // A removed project keeps its row and its event log, closed by `project.deleted`.
        migrator.registerMigration("v4-removed-projects") { db in
            // Development builds of v3 added the column already.
            guard try !db.columns(in: "projects").contains(where: { $0.name == "deleted_at" }) else { return }
            try db.execute(sql: "ALTER TABLE projects ADD COLUMN deleted_at TEXT")
        }
        // Cards get their order within a column: existing tasks are ranked by creation, column by column.
        migrator.registerMigration("v5-ranks") { db in
            try db.execute(sql: "ALTER TABLE tasks ADD COLUMN rank TEXT NOT NULL DEFAULT ''")
            let rows = try Row.fetchAll(
                db,
                sql: "SELECT id, project_id, status FROM tasks ORDER BY project_id, status, created_at, id"
            )
            var start = 0
            while start < rows.count {
                var end = start
                while end < rows.count && rows[end][1] as String == rows[start][1] as String
                    && rows[end][2] as String == rows[start][2] as String
                {
                    end += 1
                }
                for (row, rank) in zip(rows[start..<end], Rank.respace(count: end - start, after: nil, before: nil)) {
                    try db.execute(sql: "UPDATE tasks SET rank = ? WHERE id = ?", arguments: [rank, row[0] as String])
                }
                start = end
            }
            try db.execute(sql: "CREATE INDEX tasks_rank ON tasks(project_id, status, rank, id)")
        }
        return migrator
    }
}
