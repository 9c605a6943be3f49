#ifndef CSQLITECONFIG_SHIM_H
#define CSQLITECONFIG_SHIM_H
/// Process-wide SQLite settings. `sqlite3_config` is variadic, which Swift cannot call, so each setting has a
/// function of its own here. They take effect only before SQLite initializes (the first connection opened).
#include <sqlite3.h>

/// Stops SQLite from counting its memory use. The count takes a process-wide mutex on every allocation and every
/// free, about 200 lock and unlock pairs per `task.update`; nothing in Taskwire reads it.
static inline int taskwire_sqlite_disable_memory_status(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
#endif
