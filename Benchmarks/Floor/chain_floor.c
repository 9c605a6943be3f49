/*
 * The floor under one fan-out delivery over Redis: the same chain of processes as a writing host, Redis and a
 * receiving host, each doing only what it cannot skip, so that the benchmark (FanOutBenchmarks.swift) can drive
 * it exactly as it drives hosts and set its latency next to theirs in the same run.
 *
 *   writer: reads request lines from stdin. A task.update runs in an IMMEDIATE transaction of its own (the host's
 *           statements, floor_store.h), and after COMMIT its event is sealed as the host seals it (TW1, HMAC-SHA-256
 *           under the database's relay key, keyed once and copied for each message, libcrypto) and PUBLISHed,
 *           written to the socket without waiting for Redis; then the response goes to stdout (the task, as in the
 *           event, and "seq"). Redis's replies are read 64 at a time, later, as the host's publisher thread does. After every 256
 *           updates the full-text index is brought up to date, as the host's upkeep does at the latest. A version
 *           that does not match is answered with an error carrying "currentVersion"; any other request with {}.
 *   reader: SUBSCRIBEs to the channel, then waits (poll) on Redis and stdin. A message's code is verified in
 *           constant time before anything in it is used; its event goes to stdout as a task.updated notification.
 *           A request on stdin is answered with the project's last seq ({"seq":N}).
 *
 * Requests are read by scanning for the members the benchmark writes, not by parsing JSON: this is a floor.
 *
 * Usage: chain_floor writer DATABASE PROJECT_ID USER_ID SESSION_ID REDIS_PORT CHANNEL
 *        chain_floor reader DATABASE PROJECT_ID REDIS_PORT CHANNEL
 */
#include "floor_store.h"

#include <errno.h>
#include <hiredis/hiredis.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <poll.h>
#include <unistd.h>

static EVP_MAC_CTX *keyed; /* HMAC-SHA-256 under the relay key, copied for each code, as the host does */
static char context[256];  /* "taskwire relay v1\n<database id>\n", as the host's RelayCodec */
static int context_length;

static void write_all(const char *bytes, size_t length) {
    while (length > 0) {
        ssize_t written = write(1, bytes, length);
        if (written < 0 && errno == EINTR) continue;
        if (written <= 0) exit(0); /* the driver went away */
        bytes += written;
        length -= (size_t)written;
    }
}

/* The relay key and the database id, from the database's meta table. */
static void load_key(void) {
    sqlite3_stmt *meta = prepare("SELECT key, value FROM meta WHERE key IN ('database_id', 'relay_key')");
    unsigned char key[32];
    int found = 0;
    while (sqlite3_step(meta) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(meta, 0);
        const char *value = (const char *)sqlite3_column_text(meta, 1);
        if (strcmp(name, "relay_key") == 0 && strlen(value) == 64) {
            for (int i = 0; i < 32; i++) sscanf(value + 2 * i, "%2hhx", &key[i]);
            found |= 1;
        } else if (strcmp(name, "database_id") == 0) {
            context_length = snprintf(context, sizeof context, "taskwire relay v1\n%s\n", value);
            if (context_length >= (int)sizeof context) { fprintf(stderr, "database id too long\n"); exit(1); }
            found |= 2;
        }
    }
    sqlite3_finalize(meta);
    if (found != 3) { fprintf(stderr, "the database has no relay key or id\n"); exit(1); }
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    keyed = mac ? EVP_MAC_CTX_new(mac) : NULL;
    EVP_MAC_free(mac);
    char digest[] = "SHA256";
    OSSL_PARAM parameters[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                               OSSL_PARAM_construct_end()};
    if (!keyed || EVP_MAC_init(keyed, key, sizeof key, parameters) != 1) {
        fprintf(stderr, "cannot key HMAC-SHA-256\n");
        exit(1);
    }
}

/* HMAC-SHA-256 of context + body, as 64 lowercase hex digits into hex. */
static void code(const char *body, size_t length, char hex[65]) {
    unsigned char mac[32];
    size_t mac_length = 0;
    EVP_MAC_CTX *copy = EVP_MAC_CTX_dup(keyed);
    if (!copy || EVP_MAC_update(copy, (const unsigned char *)context, context_length) != 1
        || EVP_MAC_update(copy, (const unsigned char *)body, length) != 1
        || EVP_MAC_final(copy, mac, &mac_length, sizeof mac) != 1 || mac_length != 32) {
        fprintf(stderr, "HMAC-SHA-256 failed\n");
        exit(1);
    }
    EVP_MAC_CTX_free(copy);
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        hex[2 * i] = digits[mac[i] >> 4];
        hex[2 * i + 1] = digits[mac[i] & 15];
    }
    hex[64] = 0;
}

/* The integer after the first `name` in line, or -1. */
static long long integer_after(const char *line, const char *name) {
    const char *at = strstr(line, name);
    return at ? strtoll(at + strlen(name), NULL, 10) : -1;
}

/* The string after `name` (which ends with the opening quote) up to the next quote, into out. */
static int string_after(const char *line, const char *name, char *out, size_t capacity) {
    const char *at = strstr(line, name);
    if (!at) return 0;
    at += strlen(name);
    const char *end = strchr(at, '"');
    if (!end || (size_t)(end - at) >= capacity) return 0;
    memcpy(out, at, end - at);
    out[end - at] = 0;
    return 1;
}

/* Calls handle(line) for each complete line read from stdin; returns 0 at the end of input. */
static int read_lines(char *buffer, size_t capacity, size_t *held, void (*handle)(char *line)) {
    ssize_t got = read(0, buffer + *held, capacity - 1 - *held);
    if (got < 0 && errno == EINTR) return 1;
    if (got <= 0) return 0;
    *held += (size_t)got;
    size_t start = 0;
    for (size_t i = 0; i < *held; i++) {
        if (buffer[i] != '\n') continue;
        buffer[i] = 0;
        handle(buffer + start);
        start = i + 1;
    }
    memmove(buffer, buffer + start, *held - start);
    *held -= start;
    if (*held == capacity - 1) { fprintf(stderr, "request line too long\n"); exit(1); }
    return 1;
}

static struct floor_store store;
static redisContext *redis;
static const char *project, *user, *session, *channel;
static int noted;
static int unread_replies; /* PUBLISH replies not read yet */

static void writer_line(char *line) {
    long long id = integer_after(line, "\"id\":");
    char reply[2048], task[128], title[128], payload[2048], message[4096];
    int length = 0;
    if (!strstr(line, "\"method\":\"task.update\"")) {
        length = snprintf(reply, sizeof reply, "{\"jsonrpc\":\"2.0\",\"id\":%lld,\"result\":{}}\n", id);
        write_all(reply, length);
        return;
    }
    long long expected = integer_after(line, "\"expectedVersion\":");
    if (!string_after(line, "\"params\":{\"id\":\"", task, sizeof task)
        || !string_after(line, "\"title\":\"", title, sizeof title)) {
        fprintf(stderr, "a task.update without the members the benchmark writes\n");
        exit(1);
    }
    run(store.begin, "begin");
    long long seq = floor_update(&store, task, expected, title, project, user, session, payload, sizeof payload,
                                 &length);
    run(store.commit, "commit");
    if (seq == 0) {
        length = snprintf(reply, sizeof reply,
            "{\"jsonrpc\":\"2.0\",\"id\":%lld,\"error\":{\"code\":-32009,\"message\":\"version conflict\","
            "\"data\":{\"currentVersion\":%lld}}}\n", id, floor_version(&store, task));
        write_all(reply, length);
        return;
    }
    noted++;
    /* The message: TW1 <code>\n<body>, body = E <seq> <project> task.updated\n<event JSON>. */
    int header = snprintf(message, sizeof message, "TW1 ");
    int body_start = header + 65;
    int body = snprintf(message + body_start, sizeof message - body_start, "E %lld %s task.updated\n%.*s", seq,
                        project, length, payload);
    if (body >= (int)(sizeof message) - body_start) { fprintf(stderr, "message too long\n"); exit(1); }
    char hex[65];
    code(message + body_start, body, hex);
    memcpy(message + header, hex, 64);
    message[header + 64] = '\n';
    const char *argv[] = {"PUBLISH", channel, message};
    size_t lengths[] = {7, strlen(channel), (size_t)(body_start + body)};
    if (redisAppendCommandArgv(redis, 3, argv, lengths) != REDIS_OK) {
        fprintf(stderr, "redis: %s\n", redis->errstr);
        exit(1);
    }
    int done = 0;
    while (!done)
        if (redisBufferWrite(redis, &done) != REDIS_OK) { fprintf(stderr, "redis: %s\n", redis->errstr); exit(1); }
    /* The response carries the task, as the host's does: the same JSON as in the event (its data.task). */
    const char *task_json = strstr(payload, "\"data\":{\"task\":") + 15;
    int task_length = (int)(payload + length - 2 - task_json);
    length = snprintf(reply, sizeof reply, "{\"jsonrpc\":\"2.0\",\"id\":%lld,\"result\":{\"task\":%.*s,\"seq\":%lld}}\n",
                      id, task_length, task_json, seq);
    if (length >= (int)sizeof reply) { fprintf(stderr, "response too long\n"); exit(1); }
    write_all(reply, length);
    /* Redis's replies are read later, 64 at a time, as the host's publisher thread reads them: waiting for each
     * would wake this process once more per update, which the host does not do. */
    if (++unread_replies >= 64) {
        for (; unread_replies > 0; unread_replies--) {
            redisReply *published = NULL;
            if (redisGetReply(redis, (void **)&published) != REDIS_OK) {
                fprintf(stderr, "redis: %s\n", redis->errstr);
                exit(1);
            }
            if (published->type != REDIS_REPLY_INTEGER) {
                fprintf(stderr, "PUBLISH was refused: %s\n",
                        published->type == REDIS_REPLY_ERROR ? published->str : "an unexpected reply");
                exit(1);
            }
            freeReplyObject(published);
        }
    }
    if (noted >= 256) {
        noted = 0;
        floor_upkeep(&store);
    }
}

static void reader_line(char *line) {
    long long id = integer_after(line, "\"id\":");
    sqlite3_bind_text(store.seqread, 1, project, -1, SQLITE_TRANSIENT);
    check(sqlite3_step(store.seqread), "seqread");
    long long seq = sqlite3_column_int64(store.seqread, 0);
    sqlite3_reset(store.seqread);
    char reply[256];
    int length = snprintf(reply, sizeof reply, "{\"jsonrpc\":\"2.0\",\"id\":%lld,\"result\":{\"seq\":%lld}}\n", id,
                          seq);
    write_all(reply, length);
}

static long rejected;

/* One relayed message: verified, then written as a notification. */
static void reader_message(const char *message, size_t length) {
    char hex[65];
    if (length < 70 || memcmp(message, "TW1 ", 4) != 0 || message[68] != '\n') {
        rejected++;
        return;
    }
    code(message + 69, length - 69, hex);
    if (CRYPTO_memcmp(hex, message + 4, 64) != 0) {
        rejected++;
        return;
    }
    const char *body = message + 69, *end = message + length;
    const char *json = memchr(body, '\n', end - body);
    if (!json || body[0] != 'E') {
        rejected++;
        return;
    }
    json++;
    static char line[1 << 16];
    static const char prefix[] = "{\"jsonrpc\":\"2.0\",\"method\":\"task.updated\",\"params\":";
    size_t size = end - json;
    if (sizeof prefix - 1 + size + 2 > sizeof line) {
        rejected++;
        return;
    }
    memcpy(line, prefix, sizeof prefix - 1);
    memcpy(line + sizeof prefix - 1, json, size);
    memcpy(line + sizeof prefix - 1 + size, "}\n", 2);
    write_all(line, sizeof prefix - 1 + size + 2);
}

static void connect_redis(const char *port) {
    redis = redisConnect("127.0.0.1", atoi(port));
    if (!redis || redis->err) {
        fprintf(stderr, "cannot connect to Redis on port %s\n", port);
        exit(1);
    }
}

int main(int argc, char **argv) {
    static char buffer[1 << 16];
    size_t held = 0;
    if (argc == 8 && strcmp(argv[1], "writer") == 0) {
        project = argv[3];
        user = argv[4];
        session = argv[5];
        channel = argv[7];
        floor_open(&store, argv[2]);
        load_key();
        connect_redis(argv[6]);
        while (read_lines(buffer, sizeof buffer, &held, writer_line)) {}
        return 0;
    }
    if (argc == 6 && strcmp(argv[1], "reader") == 0) {
        project = argv[3];
        channel = argv[5];
        floor_open(&store, argv[2]);
        load_key();
        connect_redis(argv[4]);
        redisReply *subscribed = redisCommand(redis, "SUBSCRIBE %s", channel);
        if (!subscribed) { fprintf(stderr, "SUBSCRIBE failed: %s\n", redis->errstr); return 1; }
        int confirmed = subscribed->type == REDIS_REPLY_ARRAY;
        freeReplyObject(subscribed);
        if (!confirmed) { fprintf(stderr, "SUBSCRIBE was refused\n"); return 1; }
        /* Nothing is published before the benchmark has its answer to a request on stdin, so no message can be
         * waiting in hiredis's buffer now: poll sees everything that comes. */
        struct pollfd fds[2] = {{.fd = 0, .events = POLLIN}, {.fd = redis->fd, .events = POLLIN}};
        for (;;) {
            if (poll(fds, 2, -1) < 0) {
                if (errno == EINTR) continue;
                return 1;
            }
            if (fds[1].revents) {
                if (redisBufferRead(redis) != REDIS_OK) { fprintf(stderr, "redis: %s\n", redis->errstr); return 1; }
                redisReply *reply = NULL;
                for (;;) {
                    if (redisReaderGetReply(redis->reader, (void **)&reply) != REDIS_OK) {
                        fprintf(stderr, "redis: %s\n", redis->reader->errstr);
                        return 1;
                    }
                    if (!reply) break;
                    if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 3
                        && reply->element[2]->type == REDIS_REPLY_STRING)
                        reader_message(reply->element[2]->str, reply->element[2]->len);
                    freeReplyObject(reply);
                    reply = NULL;
                }
            }
            if (fds[0].revents && !read_lines(buffer, sizeof buffer, &held, reader_line)) break;
        }
        if (rejected) fprintf(stderr, "%ld messages rejected\n", rejected);
        return 0;
    }
    fprintf(stderr,
            "usage: %s writer DATABASE PROJECT_ID USER_ID SESSION_ID REDIS_PORT CHANNEL\n"
            "       %s reader DATABASE PROJECT_ID REDIS_PORT CHANNEL\n", argv[0], argv[0]);
    return 2;
}
