/*
 * What the floor programs share: the statements one task.update runs in the host against a database the host
 * created (its schema, indexes, full-text index and triggers), through SQLite's C API with prepared statements,
 * and the host's upkeep of the full-text index (SQLiteStore+Upkeep.swift). Included by update_floor.c and
 * chain_floor.c.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct floor_store {
    sqlite3 *db;
    sqlite3_stmt *begin, *commit, *savepoint, *version, *update, *reread, *seq, *seqread, *event;
    sqlite3_stmt *pending, *text, *index_update, *pending_done, *seqstore;
    /* In a group, as in the host (Sources/TaskwireStore/GroupSeqs.swift): the project's last_seq read at the
     * group's first event, counted here, and written back once before the commit. */
    int grouped, seq_known;
    long long seq_stored, seq_last;
};

static sqlite3 *floor_db; /* for check()'s message */

static void check(int rc, const char *what) {
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
        fprintf(stderr, "%s: %s\n", what, sqlite3_errmsg(floor_db));
        exit(1);
    }
}

static sqlite3_stmt *prepare(const char *sql) {
    sqlite3_stmt *statement = NULL;
    check(sqlite3_prepare_v3(floor_db, sql, -1, SQLITE_PREPARE_PERSISTENT, &statement, NULL), sql);
    return statement;
}

static void run(sqlite3_stmt *statement, const char *what) {
    int rc;
    while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {}
    check(rc, what);
    sqlite3_reset(statement);
}

static inline double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

/* Opens the database with the host's settings and prepares every statement. */
static void floor_open(struct floor_store *s, const char *path) {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); /* as the host does (Sources/CSQLite) */
    if (sqlite3_open(path, &s->db) != SQLITE_OK) {
        fprintf(stderr, "cannot open %s\n", path);
        exit(1);
    }
    floor_db = s->db;
    sqlite3_busy_timeout(s->db, 2000);
    check(sqlite3_exec(s->db, "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA wal_autocheckpoint = 4000; "
                       "PRAGMA temp_store = MEMORY", NULL, NULL, NULL), "pragmas");
    s->begin = prepare("BEGIN IMMEDIATE");
    s->commit = prepare("COMMIT");
    s->savepoint = prepare("SAVEPOINT run"); /* never released: COMMIT ends it, as in the host */
    s->version = prepare("SELECT version FROM tasks WHERE id = ?");
    s->update = prepare(
        "UPDATE tasks SET title = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ? "
        "AND EXISTS (SELECT 1 FROM projects p JOIN memberships m ON m.organization_id = p.organization_id "
        "WHERE p.id = tasks.project_id AND m.user_id = ?)");
    /* Read back rather than RETURNING, as the host does: SQLite runs RETURNING through a temporary table. */
    s->reread = prepare("SELECT id, project_id, title, description, status, priority, assignee_id, "
        "due_date, labels, version, created_by, created_at, updated_at, rank FROM tasks WHERE id = ?");
    s->seq = prepare("UPDATE projects SET last_seq = last_seq + 1 WHERE id = ?");
    s->seqread = prepare("SELECT last_seq FROM projects WHERE id = ?");
    s->seqstore = prepare("UPDATE projects SET last_seq = ? WHERE id = ?");
    s->grouped = 0;
    s->event = prepare(
        "INSERT INTO events (project_id, seq, type, actor_id, origin_session, at, payload) VALUES (?, ?, ?, ?, ?, ?, ?)");
    /* The host's index upkeep (SQLiteStore.updateSearchIndex and Schema.SearchUpdate): the pending tasks, then
     * for each, which exists and has an index row, its text and an UPDATE of its index row by rowid, then the
     * pending list emptied. */
    s->pending = prepare(
        "SELECT p.task_id, r.rowid FROM search_pending p LEFT JOIN search_rows r ON r.task_id = p.task_id");
    s->text = prepare(
        "SELECT t.title, (SELECT coalesce(group_concat(value, ' '), '') FROM json_each(t.labels)), t.description, "
        "(SELECT substr(coalesce(group_concat(body, ' '), ''), 1, 131072) FROM ("
        "SELECT body FROM comments WHERE task_id = t.id ORDER BY created_at, id)) FROM tasks t WHERE t.id = ?");
    s->index_update = prepare(
        "UPDATE search_index SET title = ?, labels = ?, description = ?, comments = ? WHERE rowid = ?");
    s->pending_done = prepare("DELETE FROM search_pending");
}

/* The task's version now. */
static long long floor_version(struct floor_store *s, const char *task) {
    sqlite3_bind_text(s->version, 1, task, -1, SQLITE_TRANSIENT);
    check(sqlite3_step(s->version), "version");
    long long current = sqlite3_column_int64(s->version, 0);
    sqlite3_reset(s->version);
    return current;
}

/*
 * One task.update inside the open transaction: the version-checked UPDATE with the membership check, the row read
 * back, the project's next seq and the event with a payload of the size the host writes (into payload, at most
 * capacity bytes; its length in *length). Returns the event's seq, or 0 when the version did not match.
 */
static long long floor_update(struct floor_store *s, const char *task, long long expected, const char *title,
                              const char *project, const char *user, const char *session, char *payload,
                              int capacity, int *length) {
    const char *at = "2026-12-03T00:00:00.000Z";
    sqlite3_bind_text(s->update, 1, title, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s->update, 2, at, -1, SQLITE_STATIC);
    sqlite3_bind_text(s->update, 3, task, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s->update, 4, expected);
    sqlite3_bind_text(s->update, 5, user, -1, SQLITE_TRANSIENT);
    run(s->update, "update");
    if (sqlite3_changes(s->db) != 1) return 0;
    sqlite3_bind_text(s->reread, 1, task, -1, SQLITE_TRANSIENT);
    check(sqlite3_step(s->reread), "reread");
    for (int column = 0; column < 14; column++) (void)sqlite3_column_text(s->reread, column);
    sqlite3_reset(s->reread);
    long long next;
    if (s->grouped && s->seq_known) {
        next = ++s->seq_last;
    } else {
        if (!s->grouped) {
            sqlite3_bind_text(s->seq, 1, project, -1, SQLITE_TRANSIENT);
            run(s->seq, "seq");
        }
        sqlite3_bind_text(s->seqread, 1, project, -1, SQLITE_TRANSIENT);
        check(sqlite3_step(s->seqread), "seqread");
        next = sqlite3_column_int64(s->seqread, 0);
        sqlite3_reset(s->seqread);
        if (s->grouped) {
            s->seq_known = 1;
            s->seq_stored = next;
            s->seq_last = ++next;
        }
    }
    *length = snprintf(payload, capacity,
        "{\"projectId\":\"%s\",\"seq\":%lld,\"type\":\"task.updated\",\"at\":\"%s\",\"actor\":{\"id\":\"%s\","
        "\"name\":\"alice\"},\"origin\":{\"sessionId\":\"%s\"},\"data\":{\"task\":{\"id\":\"%s\",\"projectId\":"
        "\"%s\",\"title\":\"%s\",\"description\":\"\",\"status\":\"todo\",\"priority\":\"medium\",\"assigneeId\":"
        "null,\"dueDate\":null,\"labels\":[],\"version\":%lld,\"createdBy\":\"%s\",\"createdAt\":\"%s\","
        "\"updatedAt\":\"%s\",\"rank\":\"V\"}}}",
        project, next, at, user, session, task, project, title, expected + 1, user, at, at);
    if (*length >= capacity) { fprintf(stderr, "payload too long\n"); exit(1); }
    sqlite3_bind_text(s->event, 1, project, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s->event, 2, next);
    sqlite3_bind_text(s->event, 3, "task.updated", -1, SQLITE_STATIC);
    sqlite3_bind_text(s->event, 4, user, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s->event, 5, session, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s->event, 6, at, -1, SQLITE_STATIC);
    sqlite3_bind_text(s->event, 7, payload, *length, SQLITE_TRANSIENT);
    run(s->event, "event");
    return next;
}

/* A group's calls begin: the project's seq is counted in memory until floor_group_end. */
static inline void floor_group_begin(struct floor_store *s) {
    s->grouped = 1;
    s->seq_known = 0;
}

/* Before the group's commit: the last seq its events took, to the project's row. */
static inline void floor_group_end(struct floor_store *s, const char *project) {
    if (s->seq_known && s->seq_last > s->seq_stored) {
        sqlite3_bind_int64(s->seqstore, 1, s->seq_last);
        sqlite3_bind_text(s->seqstore, 2, project, -1, SQLITE_TRANSIENT);
        run(s->seqstore, "seq store");
    }
    s->grouped = 0;
}

/* Brings the full-text index up to date for the tasks noted as pending, in a transaction of its own. */
static void floor_upkeep(struct floor_store *s) {
    run(s->begin, "begin upkeep");
    while (sqlite3_step(s->pending) == SQLITE_ROW) {
        sqlite3_bind_text(s->text, 1, (const char *)sqlite3_column_text(s->pending, 0), -1, SQLITE_TRANSIENT);
        long long rowid = sqlite3_column_int64(s->pending, 1);
        check(sqlite3_step(s->text), "search text");
        for (int column = 0; column < 4; column++)
            sqlite3_bind_text(s->index_update, column + 1, (const char *)sqlite3_column_text(s->text, column), -1,
                              SQLITE_TRANSIENT);
        sqlite3_bind_int64(s->index_update, 5, rowid);
        sqlite3_reset(s->text);
        run(s->index_update, "search index");
    }
    sqlite3_reset(s->pending);
    run(s->pending_done, "search pending");
    run(s->commit, "commit upkeep");
}
