#ifndef COPENSSL_SHIM_H
#define COPENSSL_SHIM_H
#include <stddef.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

/// Initializes libcrypto without registering its atexit cleanup: a host exits while its relay threads may still be
/// computing codes, and a cleanup that frees libcrypto's global state under them would crash the process.
static inline int COpenSSL_initialize(void) {
    return OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, NULL);
}

/// SHA-256 of `count` bytes into `digest` (32 bytes); 1 on success.
static inline int COpenSSL_sha256(const void *bytes, size_t count, unsigned char *digest) {
    unsigned int length = 0;
    return EVP_Digest(bytes, count, digest, &length, EVP_sha256(), NULL) == 1 && length == 32;
}

/// HMAC-SHA-256 of `count` bytes under `key` into `code` (32 bytes); 1 on success.
static inline int COpenSSL_hmacSHA256(
    const void *key, size_t keyCount, const void *bytes, size_t count, unsigned char *code
) {
    unsigned int length = 0;
    return HMAC(EVP_sha256(), key, (int)keyCount, bytes, count, code, &length) != NULL && length == 32;
}

/// Compares `count` bytes in time that does not depend on where they differ; 0 when equal.
static inline int COpenSSL_constantTimeCompare(const void *a, const void *b, size_t count) {
    return CRYPTO_memcmp(a, b, count);
}

/// Fills `count` bytes from OpenSSL's cryptographically secure generator; 1 on success.
static inline int COpenSSL_randomBytes(unsigned char *bytes, int count) {
    return RAND_bytes(bytes, count);
}

#endif
