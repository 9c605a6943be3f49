#ifndef COPENSSL_SHIM_H
#define COPENSSL_SHIM_H
#include <stddef.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
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

/// An HMAC-SHA-256 context keyed with `key`, to be copied for each code; NULL on failure. Fetching the
/// algorithm and deriving the key's inner and outer pads is most of the work of `HMAC()` on a short message, and
/// this does it once.
static inline EVP_MAC_CTX *COpenSSL_hmacSHA256Keyed(const void *key, size_t keyCount) {
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    if (mac == NULL) return NULL;
    EVP_MAC_CTX *context = EVP_MAC_CTX_new(mac);
    EVP_MAC_free(mac); /* the context holds its own reference */
    if (context == NULL) return NULL;
    char digest[] = "SHA256";
    OSSL_PARAM parameters[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_end(),
    };
    if (EVP_MAC_init(context, key, keyCount, parameters) != 1) {
        EVP_MAC_CTX_free(context);
        return NULL;
    }
    return context;
}

/// A copy of a context made by ``COpenSSL_hmacSHA256Keyed``, which stays as it was; NULL on failure.
static inline EVP_MAC_CTX *COpenSSL_hmacCopy(const EVP_MAC_CTX *keyed) {
    return EVP_MAC_CTX_dup(keyed);
}

/// HMAC-SHA-256 of `first` then `second` (either may be empty) into `code` (32 bytes), with a copy made by
/// ``COpenSSL_hmacCopy``, which it frees; 1 on success.
static inline int COpenSSL_hmacSHA256Finish(
    EVP_MAC_CTX *copy, const void *first, size_t firstCount, const void *second, size_t secondCount,
    unsigned char *code
) {
    size_t length = 0;
    int succeeded = (firstCount == 0 || EVP_MAC_update(copy, first, firstCount) == 1)
        && (secondCount == 0 || EVP_MAC_update(copy, second, secondCount) == 1)
        && EVP_MAC_final(copy, code, &length, 32) == 1 && length == 32;
    EVP_MAC_CTX_free(copy);
    return succeeded;
}

static inline void COpenSSL_hmacFree(EVP_MAC_CTX *context) {
    EVP_MAC_CTX_free(context);
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
