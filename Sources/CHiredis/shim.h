#ifndef CHIREDIS_SHIM_H
#define CHIREDIS_SHIM_H
#include <errno.h>
#include <hiredis/hiredis.h>

/// CHiredis_readReply produced a reply.
#define CHIREDIS_READ_REPLY 1
/// CHiredis_readReply saw no data within the context's timeout; the context is still usable.
#define CHIREDIS_READ_TIMEOUT 0
/// CHiredis_readReply failed; `c->errstr` says why and the context must be freed.
#define CHIREDIS_READ_FAILED (-1)

/// Flushes pending commands, then reads one reply, waiting at most the timeout set by redisSetTimeout.
///
/// hiredis treats a socket timeout as a fatal I/O error that poisons the context. For a blocking context whose
/// timeout is used as a polling interval that is wrong: a timeout only means "nothing yet". This clears that
/// error so the caller can retry; bytes already received stay buffered in the reader.
static inline int CHiredis_readReply(redisContext *c, redisReply **reply) {
    void *aux = NULL;
    *reply = NULL;
    if (redisGetReply(c, &aux) == REDIS_OK) {
        *reply = (redisReply *)aux;
        return aux != NULL ? CHIREDIS_READ_REPLY : CHIREDIS_READ_TIMEOUT;
    }
    if (c->err == REDIS_ERR_IO && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        c->err = 0;
        c->errstr[0] = '\0';
        return CHIREDIS_READ_TIMEOUT;
    }
    return CHIREDIS_READ_FAILED;
}

/// Takes a reply that is already complete in the reader's buffer, without touching the socket: REDIS_OK with
/// `*reply` NULL when none is, REDIS_ERR when the buffer holds a protocol error (`c->errstr` says why).
static inline int CHiredis_takeBufferedReply(redisContext *c, redisReply **reply) {
    void *aux = NULL;
    *reply = NULL;
    if (redisGetReplyFromReader(c, &aux) != REDIS_OK) return REDIS_ERR;
    *reply = (redisReply *)aux;
    return REDIS_OK;
}

#endif
