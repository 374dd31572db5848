/*
 * The client side of the agora protocol over TLS, used by the agora TUI and
 * CLI, the integration tests and the benchmark.
 *
 * Requests are written with client_send (the library picks the tag), can be
 * pipelined, and their replies collected with client_wait or, in a poll
 * loop, client_pump + client_take_reply. Pushed lines ("* EVENT ...") are
 * queued and read with client_next_event.
 */
#ifndef AGORA_CLIENT_H
#define AGORA_CLIENT_H

#include <stdarg.h>
#include <stddef.h>

#include "proto.h"
#include "tls.h"

struct client;

struct client_opts {
	const char *host;
	const char *port;
	const char *ca_file;	/* verify the chain and host against it, or */
	const char *fingerprint; /* pin this SHA-256 fingerprint, or */
	int accept_any;		/* neither: caller checks client_fingerprint */
	int timeout_ms;		/* connect, handshake and greeting; 0: 10 s */
	size_t max_line;	/* 0: PROTO_LINE_MAX_DEFAULT */
	const char *source;	/* a numeric local address to connect from,
				   or NULL (tests: another client on loopback) */
};

struct client_reply {
	char *tag;
	int ok;			/* 1: OK, 0: ERR */
	const char *code;	/* ERR code, NULL for OK */
	size_t ndata;
	char **data;		/* data lines, raw, without LF */
	char *line;		/* the final line, raw */
	struct proto_msg msg;	/* the final line parsed (points into a copy) */
};

struct client *client_connect(const struct client_opts *, char **cause);
void client_close(struct client *);

const char *client_greeting(const struct client *);	/* "* HELLO ..." */
const char *client_fingerprint(const struct client *);
int client_fd(const struct client *);

/*
 * Queues a request: verb, then key/value string pairs, then NULL. Returns
 * the tag (owned by the client, valid until the reply is taken), or NULL if
 * the connection is closed. Values are quoted as needed.
 */
const char *client_send(struct client *, const char *verb, ...)
    __attribute__((sentinel));
/* The same with the pairs in a va_list. */
const char *client_vsend(struct client *, const char *verb, va_list);
/*
 * The request the last client_send queued, without its tag (the caller
 * frees it; call before anything flushes), and the same line queued again
 * under a new tag: a retry, with the same rid, on this or a new connection.
 */
char *client_last_request(const struct client *);
const char *client_resend(struct client *, const char *line);
/* Queues bytes as they are: for tests of malformed input. */
int client_send_raw(struct client *, const void *, size_t);

/*
 * Writes what is queued; waits up to timeout_ms (-1: forever, 0: not at all).
 * Returns 0 when everything is written, 1 if some remains, -1 on error.
 */
int client_flush(struct client *, int timeout_ms);
int client_want_write(const struct client *);

/*
 * Reads whatever is available without blocking, frames and files the lines.
 * Returns 0, or -1 once the connection is closed or broken.
 */
int client_pump(struct client *);

/* A finished reply for tag, or NULL if not (yet). The caller frees it. */
struct client_reply *client_take_reply(struct client *, const char *tag);
/* Flushes and waits for the reply to tag; NULL on timeout or disconnect. */
struct client_reply *client_wait(struct client *, const char *tag,
    int timeout_ms);
/*
 * client_send + client_wait with the connect timeout. Every request
 * carries a fresh rid= (agora-protocol(7)); if the connection drops
 * before the reply, and client_set_resume gave a resume step, the call
 * connects again, runs resume (0: the session is back) and sends the
 * request once more with the same rid, so a change the server had made
 * is answered, not made twice. Without a resume step, nothing is retried.
 */
struct client_reply *client_call(struct client *, const char *verb, ...)
    __attribute__((sentinel));
/* resume(c, arg) restores a new connection's state, typically with
   SESSION.RESUME through client_call (which does not retry inside it). */
void client_set_resume(struct client *, int (*resume)(struct client *,
    void *), void *arg);
/* Moves from's data lines to the end of into's: the pages of a paged
   reply gathered into one. from keeps its final line. */
void client_reply_take_data(struct client_reply *into,
    struct client_reply *from);
void client_reply_free(struct client_reply *);
/* A parameter of a raw line, such as a data line (caller frees), or NULL. */
char *client_line_get(const char *line, const char *key);
/* A parameter of the final line, or NULL. */
const char *client_reply_get(const struct client_reply *, const char *key);

/*
 * The next pushed line ("* EVENT ..."), raw, owned by the caller; NULL if
 * none arrived within timeout_ms.
 */
char *client_next_event(struct client *, int timeout_ms);

int client_closed(const struct client *);

#endif
