/*
 * The floor under pipelined task.update on SQLite: the statements one update runs in the host, and nothing else
 * (floor_store.h), on a database the host created. Groups of GROUP updates (64 unless given; 1 for updates sent one
 * at a time) share one IMMEDIATE transaction, as the host's group commit does: a group of more than one update runs
 * in one savepoint of the whole group (the host's run, which it rolls back to when a call fails after it wrote, to
 * run the group again with a savepoint per call: never here, where no update fails), and takes the project's seqs
 * as the host's group does, reading the project's row at its first event and writing the last seq back before the
 * commit (Sources/TaskwireStore/GroupSeqs.swift); the event row
 * carries a payload of the size the host writes. After every 256 updates, and after the last, the full-text index
 * is brought up to date for the tasks noted as pending, in a transaction of its own, as the host's upkeep does at
 * the latest (SQLiteStore+Upkeep.swift).
 *
 * Usage: update_floor DATABASE TASK_IDS PROJECT_ID USER_ID SESSION_ID COUNT [GROUP]
 * TASK_IDS is one task id, or several separated by commas, updated round robin (as the benchmark's task.update
 * figure does). Prints the updates per second of the whole run, from the first BEGIN to the last COMMIT.
 */
#include "floor_store.h"

int main(int argc, char **argv) {
    if (argc != 7 && argc != 8) {
        fprintf(stderr, "usage: %s DATABASE TASK_IDS PROJECT_ID USER_ID SESSION_ID COUNT [GROUP]\n", argv[0]);
        return 2;
    }
    const char *project = argv[3], *user = argv[4], *session = argv[5];
    int count = atoi(argv[6]);
    int group = argc == 8 ? atoi(argv[7]) : 64;
    if (count < 1 || group < 1) { fprintf(stderr, "COUNT and GROUP must be positive\n"); return 2; }
    struct floor_store store;
    floor_open(&store, argv[1]);
    enum { most_tasks = 1024 };
    char *tasks[most_tasks];
    long long versions[most_tasks];
    int task_count = 0;
    for (char *id = strtok(argv[2], ","); id; id = strtok(NULL, ",")) {
        if (task_count == most_tasks) { fprintf(stderr, "at most %d tasks\n", most_tasks); return 2; }
        tasks[task_count] = id;
        versions[task_count] = floor_version(&store, id);
        task_count++;
    }
    if (task_count == 0) { fprintf(stderr, "no task id\n"); return 2; }

    char title[64], payload[1024];
    int length;
    double start = now();
    int noted = 0; /* updates since the last upkeep */
    for (int done = 0; done < count;) {
        run(store.begin, "begin");
        if (group > 1) {
            run(store.savepoint, "savepoint");
            floor_group_begin(&store);
        }
        for (int i = 0; i < group && done < count; i++, done++, noted++) {
            snprintf(title, sizeof title, "title %d", done);
            int task = done % task_count;
            if (!floor_update(&store, tasks[task], versions[task], title, project, user, session, payload,
                              sizeof payload, &length)) {
                fprintf(stderr, "update changed nothing\n");
                return 1;
            }
            versions[task]++;
        }
        if (group > 1) floor_group_end(&store, project);
        run(store.commit, "commit");
        if (noted < 256 && done < count) continue;
        noted = 0;
        floor_upkeep(&store);
    }
    double elapsed = now() - start;
    printf("%d updates in %.3f s: %.0f/s\n", count, elapsed, count / elapsed);
    sqlite3_close(store.db);
    return 0;
}
