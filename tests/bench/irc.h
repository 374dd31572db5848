/*
 * The smallest IRC client connection the fan-out benchmark needs: TCP and
 * TLS to a server on a non-blocking socket, lines queued out with CR LF and
 * framed in with the same line buffer the agora client uses. It knows no
 * IRC commands; the caller writes and reads the lines. Driven from the
 * caller's epoll loop like the agora client (client.h): irc_pump, then
 * irc_flush, then watch irc_want_write.
 */
#ifndef AGORA_BENCH_IRC_H
#define AGORA_BENCH_IRC_H

#include <stddef.h>

#include <openssl/ssl.h>

struct irc;

/* Called for each line read, without CR LF; the line is writable and valid
 * until the callback returns. */
typedef void irc_line_cb(void *arg, char *line, size_t len);

/*
 * Connects and completes the TLS handshake within timeout_ms. ctx is the
 * caller's (tls_client_ctx); with a CA file loaded in it, the certificate
 * is also checked against host.
 */
struct irc *irc_connect(SSL_CTX *ctx, int verify, const char *host,
    const char *port, int timeout_ms, char **cause);
void irc_close(struct irc *);
int irc_fd(const struct irc *);

/* Queues one line; CR LF is added. */
void irc_printf(struct irc *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Writes what is queued without waiting: 0 all written, 1 some left, -1
 * closed. */
int irc_flush(struct irc *);
int irc_want_write(const struct irc *);
/* Reads what is available without waiting and hands over each line; 0, or
 * -1 once the connection is closed or broken. */
int irc_pump(struct irc *, irc_line_cb *, void *arg);
/* Why the connection closed. */
const char *irc_error(const struct irc *);

#endif
