/*
 * The floor under pipelined task.update on SQLite: the statements one update runs in the host, and nothing else,
 * through SQLite's C API with prepared statements, on a database the host created (its schema, indexes, full-text
 * index and triggers). Groups of GROUP updates (64 unless given; 1 for updates sent one at a time) share one
 * IMMEDIATE transaction, each in a savepoint, as the host's group commit does; the event row carries a payload of
 * the size the host writes. After every 256 updates, and after the last, the full-text index is brought up to date
 * for the tasks noted as pending, in a transaction of its own, as the host's upkeep does at the latest
 * (SQLiteStore+Upkeep.swift).
 *
 * Usage: update_floor DATABASE TASK_ID PROJECT_ID USER_ID SESSION_ID COUNT [GROUP]
 * Prints the updates per second of the whole run, from the first BEGIN to the last COMMIT.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static sqlite3 *db;

static void check(int rc, const char *what) {
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
        fprintf(stderr, "%s: %s\n", what, sqlite3_errmsg(db));
        exit(1);
    }
}

static sqlite3_stmt *prepare(const char *sql) {
    sqlite3_stmt *statement = NULL;
    check(sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &statement, NULL), sql);
    return statement;
}

static void run(sqlite3_stmt *statement, const char *what) {
    int rc;
    while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {}
    check(rc, what);
    sqlite3_reset(statement);
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc != 7 && argc != 8) {
        fprintf(stderr, "usage: %s DATABASE TASK_ID PROJECT_ID USER_ID SESSION_ID COUNT [GROUP]\n", argv[0]);
        return 2;
    }
    const char *task = argv[2], *project = argv[3], *user = argv[4], *session = argv[5];
    int count = atoi(argv[6]);
    int group = argc == 8 ? atoi(argv[7]) : 64;
    if (count < 1 || group < 1) { fprintf(stderr, "COUNT and GROUP must be positive\n"); return 2; }
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); /* as the host does (Sources/CSQLite) */
    check(sqlite3_open(argv[1], &db), "open");
    sqlite3_busy_timeout(db, 2000);
    check(sqlite3_exec(db, "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA wal_autocheckpoint = 4000",
                       NULL, NULL, NULL), "pragmas");
    sqlite3_stmt *begin = prepare("BEGIN IMMEDIATE"), *commit = prepare("COMMIT");
    sqlite3_stmt *savepoint = prepare("SAVEPOINT call"), *release = prepare("RELEASE SAVEPOINT call");
    sqlite3_stmt *version = prepare("SELECT version FROM tasks WHERE id = ?");
    sqlite3_stmt *update = prepare(
        "UPDATE tasks SET title = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ? "
        "AND EXISTS (SELECT 1 FROM projects p JOIN memberships m ON m.organization_id = p.organization_id "
        "WHERE p.id = tasks.project_id AND m.user_id = ?)");
    /* Read back rather than RETURNING, as the host does: SQLite runs RETURNING through a temporary table. */
    sqlite3_stmt *reread = prepare("SELECT id, project_id, title, description, status, priority, assignee_id, "
        "due_date, labels, version, created_by, created_at, updated_at, rank FROM tasks WHERE id = ?");
    sqlite3_stmt *seq = prepare("UPDATE projects SET last_seq = last_seq + 1 WHERE id = ?");
    sqlite3_stmt *seqread = prepare("SELECT last_seq FROM projects WHERE id = ?");
    sqlite3_stmt *event = prepare(
        "INSERT INTO events (project_id, seq, type, actor_id, origin_session, at, payload) VALUES (?, ?, ?, ?, ?, ?, ?)");

    /* The host's search update before each commit (SQLiteStore.updateSearchIndex and Schema.SearchUpdate): the
     * pending tasks, then for the one task of this run, which exists and has an index row, its text and an UPDATE
     * of its index row by rowid, then the pending list emptied. */
    sqlite3_stmt *pending = prepare(
        "SELECT p.task_id, r.rowid FROM search_pending p LEFT JOIN search_rows r ON r.task_id = p.task_id");
    sqlite3_stmt *text = prepare(
        "SELECT t.title, (SELECT coalesce(group_concat(value, ' '), '') FROM json_each(t.labels)), t.description, "
        "(SELECT substr(coalesce(group_concat(body, ' '), ''), 1, 131072) FROM ("
        "SELECT body FROM comments WHERE task_id = t.id ORDER BY created_at, id)) FROM tasks t WHERE t.id = ?");
    sqlite3_stmt *index_update = prepare(
        "UPDATE search_index SET title = ?, labels = ?, description = ?, comments = ? WHERE rowid = ?");
    sqlite3_stmt *pending_done = prepare("DELETE FROM search_pending");

    sqlite3_bind_text(version, 1, task, -1, SQLITE_STATIC);
    check(sqlite3_step(version), "version");
    long long current = sqlite3_column_int64(version, 0);
    sqlite3_reset(version);

    char title[64], payload[1024];
    const char *at = "2026-12-03T00:00:00.000Z";
    double start = now();
    int noted = 0; /* updates since the last upkeep */
    for (int done = 0; done < count;) {
        run(begin, "begin");
        for (int i = 0; i < group && done < count; i++, done++, noted++) {
            run(savepoint, "savepoint");
            snprintf(title, sizeof title, "title %d", done);
            sqlite3_bind_text(update, 1, title, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(update, 2, at, -1, SQLITE_STATIC);
            sqlite3_bind_text(update, 3, task, -1, SQLITE_STATIC);
            sqlite3_bind_int64(update, 4, current);
            sqlite3_bind_text(update, 5, user, -1, SQLITE_STATIC);
            run(update, "update");
            if (sqlite3_changes(db) != 1) { fprintf(stderr, "update changed nothing\n"); return 1; }
            sqlite3_bind_text(reread, 1, task, -1, SQLITE_STATIC);
            check(sqlite3_step(reread), "reread");
            for (int column = 0; column < 14; column++) (void)sqlite3_column_text(reread, column);
            sqlite3_reset(reread);
            current++;
            sqlite3_bind_text(seq, 1, project, -1, SQLITE_STATIC);
            run(seq, "seq");
            sqlite3_bind_text(seqread, 1, project, -1, SQLITE_STATIC);
            check(sqlite3_step(seqread), "seqread");
            long long next = sqlite3_column_int64(seqread, 0);
            sqlite3_reset(seqread);
            int length = snprintf(payload, sizeof payload,
                "{\"projectId\":\"%s\",\"seq\":%lld,\"type\":\"task.updated\",\"at\":\"%s\",\"actor\":{\"id\":\"%s\","
                "\"name\":\"alice\"},\"origin\":{\"sessionId\":\"%s\"},\"data\":{\"task\":{\"id\":\"%s\",\"projectId\":"
                "\"%s\",\"title\":\"%s\",\"description\":\"\",\"status\":\"todo\",\"priority\":\"medium\",\"assigneeId\":"
                "null,\"dueDate\":null,\"labels\":[],\"version\":%lld,\"createdBy\":\"%s\",\"createdAt\":\"%s\","
                "\"updatedAt\":\"%s\",\"rank\":\"V\"}}}",
                project, next, at, user, session, task, project, title, current, user, at, at);
            sqlite3_bind_text(event, 1, project, -1, SQLITE_STATIC);
            sqlite3_bind_int64(event, 2, next);
            sqlite3_bind_text(event, 3, "task.updated", -1, SQLITE_STATIC);
            sqlite3_bind_text(event, 4, user, -1, SQLITE_STATIC);
            sqlite3_bind_text(event, 5, session, -1, SQLITE_STATIC);
            sqlite3_bind_text(event, 6, at, -1, SQLITE_STATIC);
            sqlite3_bind_text(event, 7, payload, length, SQLITE_TRANSIENT);
            run(event, "event");
            run(release, "release");
        }
        run(commit, "commit");
        if (noted < 256 && done < count) continue;
        noted = 0;
        run(begin, "begin upkeep");
        while (sqlite3_step(pending) == SQLITE_ROW) {
            sqlite3_bind_text(text, 1, (const char *)sqlite3_column_text(pending, 0), -1, SQLITE_TRANSIENT);
            long long rowid = sqlite3_column_int64(pending, 1);
            check(sqlite3_step(text), "search text");
            for (int column = 0; column < 4; column++)
                sqlite3_bind_text(index_update, column + 1, (const char *)sqlite3_column_text(text, column), -1,
                                  SQLITE_TRANSIENT);
            sqlite3_bind_int64(index_update, 5, rowid);
            sqlite3_reset(text);
            run(index_update, "search index");
        }
        sqlite3_reset(pending);
        run(pending_done, "search pending");
        run(commit, "commit");
    }
    double elapsed = now() - start;
    printf("%d updates in %.3f s: %.0f/s\n", count, elapsed, count / elapsed);
    sqlite3_close(db);
    return 0;
}
