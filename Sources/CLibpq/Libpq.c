// The PQ... functions this package calls, each a forwarder to libpq loaded with dlopen by CLibpq_load.
//
// The definitions keep libpq's names and are checked by the compiler against libpq-fe.h's declarations, so a
// forwarder cannot disagree with the library's prototype. They are hidden: nothing outside this binary sees them,
// and libpq's calls to its own functions never land here. The C library's headers come first, so that none of
// their declarations is inside the hidden region (only libpq's and this target's own are).
#include <dlfcn.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#pragma GCC visibility push(hidden)
#include "CLibpq.h"
#pragma GCC visibility pop

// X(return type, name, parameters, arguments) for functions with a result; V(...) for those without.
#define CLIBPQ_FUNCTIONS(X, V)                                                                                       \
    X(int, PQcancel, (PGcancel * cancel, char *errbuf, int errbufsize), (cancel, errbuf, errbufsize))                \
    V(PQclear, (PGresult * res), (res))                                                                              \
    X(char *, PQcmdTuples, (PGresult * res), (res))                                                                  \
    X(PGconn *, PQconnectdbParams, (const char *const *keywords, const char *const *values, int expand_dbname),     \
      (keywords, values, expand_dbname))                                                                             \
    X(int, PQconsumeInput, (PGconn * conn), (conn))                                                                  \
    X(char *, PQerrorMessage, (const PGconn *conn), (conn))                                                          \
    X(PGresult *, PQexecPrepared,                                                                                    \
      (PGconn * conn, const char *stmtName, int nParams, const char *const *paramValues, const int *paramLengths,    \
       const int *paramFormats, int resultFormat),                                                                  \
      (conn, stmtName, nParams, paramValues, paramLengths, paramFormats, resultFormat))                              \
    X(PGresult *, PQexecParams,                                                                                      \
      (PGconn * conn, const char *command, int nParams, const Oid *paramTypes, const char *const *paramValues,       \
       const int *paramLengths, const int *paramFormats, int resultFormat),                                         \
      (conn, command, nParams, paramTypes, paramValues, paramLengths, paramFormats, resultFormat))                   \
    V(PQfinish, (PGconn * conn), (conn))                                                                             \
    V(PQfreeCancel, (PGcancel * cancel), (cancel))                                                                   \
    V(PQfreemem, (void *ptr), (ptr))                                                                                 \
    X(PGcancel *, PQgetCancel, (PGconn * conn), (conn))                                                              \
    X(int, PQgetisnull, (const PGresult *res, int tup_num, int field_num), (res, tup_num, field_num))                \
    X(PGresult *, PQgetResult, (PGconn * conn), (conn))                                                              \
    X(char *, PQgetvalue, (const PGresult *res, int tup_num, int field_num), (res, tup_num, field_num))              \
    X(char *, PQhost, (const PGconn *conn), (conn))                                                                  \
    X(int, PQnfields, (const PGresult *res), (res))                                                                  \
    X(PGnotify *, PQnotifies, (PGconn * conn), (conn))                                                               \
    X(int, PQntuples, (const PGresult *res), (res))                                                                  \
    X(char *, PQport, (const PGconn *conn), (conn))                                                                  \
    X(PGresult *, PQprepare,                                                                                         \
      (PGconn * conn, const char *stmtName, const char *query, int nParams, const Oid *paramTypes),                  \
      (conn, stmtName, query, nParams, paramTypes))                                                                  \
    X(char *, PQresultErrorField, (const PGresult *res, int fieldcode), (res, fieldcode))                            \
    X(char *, PQresultErrorMessage, (const PGresult *res), (res))                                                    \
    X(ExecStatusType, PQresultStatus, (const PGresult *res), (res))                                                  \
    X(int, PQsendQueryPrepared,                                                                                      \
      (PGconn * conn, const char *stmtName, int nParams, const char *const *paramValues, const int *paramLengths,    \
       const int *paramFormats, int resultFormat),                                                                  \
      (conn, stmtName, nParams, paramValues, paramLengths, paramFormats, resultFormat))                              \
    X(int, PQsendQueryParams,                                                                                        \
      (PGconn * conn, const char *command, int nParams, const Oid *paramTypes, const char *const *paramValues,       \
       const int *paramLengths, const int *paramFormats, int resultFormat),                                         \
      (conn, command, nParams, paramTypes, paramValues, paramLengths, paramFormats, resultFormat))                   \
    X(PQnoticeProcessor, PQsetNoticeProcessor, (PGconn * conn, PQnoticeProcessor proc, void *arg),                  \
      (conn, proc, arg))                                                                                             \
    X(int, PQsocket, (const PGconn *conn), (conn))                                                                   \
    X(ConnStatusType, PQstatus, (const PGconn *conn), (conn))                                                        \
    X(PGTransactionStatusType, PQtransactionStatus, (const PGconn *conn), (conn))

// Pipeline mode (libpq 14 and later): resolved when the loaded library has it and used only then
// (CLibpq_hasPipelineMode); with an older libpq every statement takes a round trip of its own.
#ifdef LIBPQ_HAS_PIPELINING
#define CLIBPQ_PIPELINE_FUNCTIONS(X)                                                                                 \
    X(int, PQenterPipelineMode, (PGconn * conn), (conn))                                                             \
    X(int, PQexitPipelineMode, (PGconn * conn), (conn))                                                              \
    X(int, PQpipelineSync, (PGconn * conn), (conn))
#else
#define CLIBPQ_PIPELINE_FUNCTIONS(X)
#endif

#define CLIBPQ_FIELD(type, name, parameters, arguments) __typeof__(name) *name;
#define CLIBPQ_VOID_FIELD(name, parameters, arguments) __typeof__(name) *name;
static struct {
    CLIBPQ_FUNCTIONS(CLIBPQ_FIELD, CLIBPQ_VOID_FIELD)
    CLIBPQ_PIPELINE_FUNCTIONS(CLIBPQ_FIELD)
} functions;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static bool loaded;
static bool pipelining;
static char failure[256];

static void load(void) {
    // libpq's soname has been libpq.so.5 since PostgreSQL 8.
    void *library = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) {
        const char *reason = dlerror();
        snprintf(failure, sizeof failure, "cannot load libpq: %s", reason ? reason : "unknown error");
        return;
    }
#define CLIBPQ_RESOLVE(name)                                                                                         \
    functions.name = (__typeof__(name) *)dlsym(library, #name);                                                      \
    if (functions.name == NULL) {                                                                                    \
        snprintf(failure, sizeof failure, "cannot load libpq: it has no %s", #name);                                 \
        return;                                                                                                      \
    }
#define CLIBPQ_RESOLVE_FIELD(type, name, parameters, arguments) CLIBPQ_RESOLVE(name)
#define CLIBPQ_RESOLVE_VOID_FIELD(name, parameters, arguments) CLIBPQ_RESOLVE(name)
    CLIBPQ_FUNCTIONS(CLIBPQ_RESOLVE_FIELD, CLIBPQ_RESOLVE_VOID_FIELD)
    pipelining = true;
#define CLIBPQ_RESOLVE_OPTIONAL(type, name, parameters, arguments)                                                   \
    functions.name = (__typeof__(name) *)dlsym(library, #name);                                                      \
    pipelining = pipelining && functions.name != NULL;
    CLIBPQ_PIPELINE_FUNCTIONS(CLIBPQ_RESOLVE_OPTIONAL)
#ifndef LIBPQ_HAS_PIPELINING
    pipelining = false;
#endif
    loaded = true;
}

bool CLibpq_load(char *message, size_t capacity) {
    pthread_once(&once, load);
    if (!loaded && message != NULL && capacity > 0) {
        snprintf(message, capacity, "%s", failure);
    }
    return loaded;
}

static void notLoaded(const char *name) {
    fprintf(stderr, "taskwire: %s called before libpq was loaded\n", name);
    abort();
}

#define CLIBPQ_FORWARD(type, name, parameters, arguments)                                                            \
    type name parameters {                                                                                           \
        if (!loaded) notLoaded(#name);                                                                               \
        return functions.name arguments;                                                                             \
    }
#define CLIBPQ_FORWARD_VOID(name, parameters, arguments)                                                             \
    void name parameters {                                                                                           \
        if (!loaded) notLoaded(#name);                                                                               \
        functions.name arguments;                                                                                    \
    }
CLIBPQ_FUNCTIONS(CLIBPQ_FORWARD, CLIBPQ_FORWARD_VOID)

bool CLibpq_hasPipelineMode(void) {
    return loaded && pipelining;
}

#ifdef LIBPQ_HAS_PIPELINING
#define CLIBPQ_PIPELINE_CALL(name, conn) (CLibpq_hasPipelineMode() ? functions.name(conn) : 0)
#else
#define CLIBPQ_PIPELINE_CALL(name, conn) ((void)(conn), 0)
#endif

int CLibpq_enterPipelineMode(PGconn *conn) {
    return CLIBPQ_PIPELINE_CALL(PQenterPipelineMode, conn);
}

int CLibpq_exitPipelineMode(PGconn *conn) {
    return CLIBPQ_PIPELINE_CALL(PQexitPipelineMode, conn);
}

int CLibpq_pipelineSync(PGconn *conn) {
    return CLIBPQ_PIPELINE_CALL(PQpipelineSync, conn);
}

bool CLibpq_isPipelineSync(const PGresult *result) {
#ifdef LIBPQ_HAS_PIPELINING
    return PQresultStatus(result) == PGRES_PIPELINE_SYNC;
#else
    (void)result;
    return false;
#endif
}
