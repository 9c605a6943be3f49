#ifndef CLIBPQ_SHIM_H
#define CLIBPQ_SHIM_H
#include <poll.h>
#include <libpq-fe.h>

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
