#ifndef CLIBPQ_H
#define CLIBPQ_H
// libpq's API, loaded with dlopen on first use (CLibpq_load) rather than linked: a host that never opens a
// postgres:// URL does not map libpq and the twenty libraries it needs (Kerberos, LDAP, GnuTLS ...).
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#if __has_include(<postgresql/libpq-fe.h>)
#include <postgresql/libpq-fe.h>
#else
#include <libpq-fe.h>
#endif

/// Loads libpq (`libpq.so.5`) and every function this package calls, once per process. Returns true when all
/// are there; otherwise false, with the loader's reason in `message` (NUL-terminated, cut to `capacity`). Every
/// call after the first returns the first one's answer. Call it before any `PQ...` function: those are
/// forwarders to the loaded library, and one called before a successful load ends the process.
bool CLibpq_load(char *message, size_t capacity);

/// Whether the loaded libpq has pipeline mode (libpq 14 and later, built against headers that have it). The four
/// functions below are libpq's `PQenterPipelineMode`, `PQexitPipelineMode`, `PQpipelineSync` and a test for a
/// `PGRES_PIPELINE_SYNC` result; without pipeline mode the first three return 0 (failure) and the last false.
bool CLibpq_hasPipelineMode(void);
int CLibpq_enterPipelineMode(PGconn *conn);
int CLibpq_exitPipelineMode(PGconn *conn);
int CLibpq_pipelineSync(PGconn *conn);
bool CLibpq_isPipelineSync(const PGresult *result);

/// The SQLSTATE of a failed result (five characters), or NULL when the failure did not come from the server.
static inline const char *CLibpq_sqlState(const PGresult *result) {
    return PQresultErrorField(result, PG_DIAG_SQLSTATE);
}

/// Waits until `socket` can be read or `timeoutMilliseconds` pass: 1 readable (or hung up), 0 timed out, -1 failed.
static inline int CLibpq_waitReadable(int socket, int timeoutMilliseconds) {
    struct pollfd entry = {.fd = socket, .events = POLLIN, .revents = 0};
    int ready = poll(&entry, 1, timeoutMilliseconds);
    return ready > 0 ? 1 : ready;
}

#endif
