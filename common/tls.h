/*
 * TLS helpers shared by agorad and the clients: contexts, certificate
 * generation and fingerprints. Knows OpenSSL, nothing about the protocol.
 */
#ifndef AGORA_TLS_H
#define AGORA_TLS_H

#include <stddef.h>

#include <openssl/ssl.h>

/* "AB:CD:..." : 32 bytes as 95 characters plus NUL. */
#define TLS_FINGERPRINT_LEN 96

/* Server context: TLS 1.2+, the certificate chain and key from PEM files. */
SSL_CTX *tls_server_ctx(const char *cert_file, const char *key_file,
    char **cause);
/*
 * Client context: TLS 1.2+. With ca_file, the chain is verified against it
 * (the host name is checked by tls_client_verify_host on the SSL). Without,
 * no chain verification: the caller must pin a fingerprint.
 */
SSL_CTX *tls_client_ctx(const char *ca_file, char **cause);
/* Checks the peer against host (a DNS name or an IP literal); 0 or -1. */
int tls_client_verify_host(SSL *, const char *host);

/* SHA-256 of the DER certificate, upper-case hex pairs joined by ':'. */
int tls_cert_fingerprint(X509 *, char out[TLS_FINGERPRINT_LEN]);
/* Compares two fingerprints ignoring case and ':' separators. */
int tls_fingerprint_equal(const char *, const char *);

/*
 * Writes a new P-256 key (mode 0600) and a self-signed certificate valid
 * for `days`, with the given DNS names / IP addresses as subjectAltNames.
 */
int tls_make_self_signed(const char *cert_file, const char *key_file,
    const char *const *names, size_t nnames, int days, char **cause);

/* The OpenSSL error queue as one line, cleared. For logs and causes. */
const char *tls_error_string(void);

#endif
