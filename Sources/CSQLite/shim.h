#ifndef CSQLITE_SHIM_H
#define CSQLITE_SHIM_H
/// SQLite's C API, for the statements on the hot path of a write (TaskwireStore's `HotStatement`), and process-wide
/// settings: `sqlite3_config` is variadic, which Swift cannot call, so each setting has a function of its own here.
/// Settings take effect only before SQLite initializes (the first connection opened).
#include <sqlite3.h>

/// Stops SQLite from counting its memory use. The count takes a process-wide mutex on every allocation and every
/// free, about 200 lock and unlock pairs per `task.update`; nothing in Taskwire reads it.
static inline int taskwire_sqlite_disable_memory_status(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/// SQLITE_TRANSIENT: SQLite copies a bound value before the call returns.
static inline sqlite3_destructor_type taskwire_sqlite_transient(void) { return SQLITE_TRANSIENT; }
#endif
