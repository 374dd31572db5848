/*
 * One client connection: its socket, TLS state, input framing, output
 * queue, timeouts and session. Connections are found by id, never kept as
 * pointers across a wait (database jobs carry the id).
 */
#ifndef AGORA_CONN_H
#define AGORA_CONN_H

#include <stdint.h>

#include <openssl/ssl.h>

struct buf;
struct config;
struct session;

struct conn;

void conn_configure(const struct config *);
struct conn *conn_new(int fd, const char *address, SSL_CTX *);
struct conn *conn_find(uint64_t id);
uint64_t conn_id(const struct conn *);
const char *conn_address(const struct conn *);
int conn_count(void);

/* The output queue; writing to it schedules a flush before the loop sleeps. */
struct buf *conn_out(struct conn *);
struct session *conn_session(const struct conn *);
void conn_set_session(struct conn *, struct session *);
/* A pending request finished: take the next one. */
void conn_resume(struct conn *);
void conn_foreach(void (*)(struct conn *, void *), void *);

void conn_before_sleep(void);	/* flush output, run deferred input, free */
void conn_sweep(void);		/* handshake and idle timeouts */
/* Shutdown: finish in-flight requests, refuse new ones, close. Returns the
 * number of connections still open. */
int conn_drain(void);
void conn_free_all(void);

#endif
