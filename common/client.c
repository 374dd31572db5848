/*
 * The client side of the protocol: one TLS connection on a non-blocking
 * socket, requests queued in an output buffer, lines framed as they arrive
 * and filed either under the tag they answer or in the queue of pushed
 * events. Every wait is a poll() with a deadline; nothing blocks in OpenSSL.
 */
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "buf.h"
#include "client.h"
#include "clock.h"
#include "hex.h"
#include "linebuf.h"
#include "log.h"
#include "proto.h"
#include "tls.h"
#include "xmalloc.h"

#define CLIENT_TIMEOUT_DEFAULT	10000		/* ms */
/*
 * The protocol does not bound how many data lines a reply has, nor how many
 * events arrive before the caller reads them; this bounds what one client
 * keeps unread, so a runaway server cannot exhaust our memory.
 */
#define CLIENT_BUFFERED_MAX	(64 * 1024 * 1024)

#define CLIENT_GREETING		"* HELLO "
#define CLIENT_RID_BYTES	16	/* agora-protocol(7): rid= */

/*
 * A reply being collected or ready to be taken. Requests sent with
 * client_send get one at once, so the tag they return lives here; lines for
 * a tag nobody sent (raw requests) create one on arrival.
 */
struct client_pending {
	char			*tag;
	int			 done;
	int			 ok;
	char			**data;
	size_t			 ndata;
	size_t			 datacap;
	char			*final;	/* the final line, once done */
	size_t			 finallen;
	size_t			 bytes;	/* counted in buffered */
	TAILQ_ENTRY(client_pending) entry;
};
TAILQ_HEAD(client_pendings, client_pending);

struct client_event {
	char			*line;
	size_t			 bytes;
	TAILQ_ENTRY(client_event) entry;
};
TAILQ_HEAD(client_events, client_event);

struct client {
	int			 fd;
	SSL_CTX			*ctx;
	SSL			*ssl;
	struct linebuf		*in;
	struct buf		*out;
	int			 timeout_ms;

	char			 fingerprint[TLS_FINGERPRINT_LEN];
	char			*greeting;

	int			 closed;
	int			 broken;	/* send no close_notify */
	char			 error[256];	/* why it closed */
	int			 read_wants_write;
	int			 write_wants_read;

	unsigned int		 next_tag;
	size_t			 last_request;	/* in out: the last one's verb */
	size_t			 buffered;
	struct client_pendings	 pending;
	struct client_pending	*hint;		/* next line likely for it */
	struct client_events	 events;

	/* To connect again (client_call's retry): where, and how to trust
	   it; then resume, which restores the session. */
	struct client_opts	 opts;		/* strings owned */
	int			(*resume)(struct client *, void *);
	void			*resume_arg;
	int			 resuming;
};

/*
 * SIGPIPE. A write to a socket the server has closed raises SIGPIPE, and
 * OpenSSL's socket BIO writes with write(2), which has no MSG_NOSIGNAL. As
 * libpq does, the signal is blocked in this thread around each OpenSSL call
 * and one it raised is consumed before unblocking, so the library never
 * kills its caller whatever the caller's signal disposition.
 *
 * That costs four system calls per OpenSSL call, so a program that ignores
 * SIGPIPE (as the benchmark and the TUI do) is spared it: client_connect
 * looks at the disposition and later calls trust it.
 */
struct client_sigpipe {
	sigset_t	old;
	int		was_pending;
	int		active;
};

static int client_sigpipe_ignored;

static void
client_sigpipe_check(void)
{
	struct sigaction sa;

	client_sigpipe_ignored = sigaction(SIGPIPE, NULL, &sa) == 0 &&
	    sa.sa_handler == SIG_IGN;
}

static void
client_sigpipe_block(struct client_sigpipe *sp)
{
	sigset_t	 set, pending;

	if ((sp->active = !client_sigpipe_ignored) == 0)
		return;

	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, &sp->old);
	sigemptyset(&pending);
	sigpending(&pending);
	sp->was_pending = sigismember(&pending, SIGPIPE);
}

static void
client_sigpipe_restore(const struct client_sigpipe *sp)
{
	struct timespec	 zero = { 0, 0 };
	sigset_t	 set, pending;
	int		 saved = errno;

	if (!sp->active)
		return;
	if (!sp->was_pending) {
		sigemptyset(&pending);
		sigpending(&pending);
		if (sigismember(&pending, SIGPIPE)) {
			sigemptyset(&set);
			sigaddset(&set, SIGPIPE);
			while (sigtimedwait(&set, NULL, &zero) == -1 &&
			    errno == EINTR)
				;
		}
	}
	pthread_sigmask(SIG_SETMASK, &sp->old, NULL);
	errno = saved;
}

/* A deadline for timeout_ms: -1 (none) for a negative timeout. */
static int64_t
client_deadline(int timeout_ms)
{
	if (timeout_ms < 0)
		return -1;
	return clock_ms() + timeout_ms;
}

/* Milliseconds left until deadline, for poll: -1 forever, 0 passed. */
static int
client_left(int64_t deadline)
{
	int64_t	 left;

	if (deadline < 0)
		return -1;
	left = deadline - clock_ms();
	if (left <= 0)
		return 0;
	if (left > INT_MAX)
		return INT_MAX;
	return (int)left;
}

/* Waits for events on fd: 1 ready, 0 deadline passed, -1 error. */
static int
client_poll_fd(int fd, short events, int64_t deadline)
{
	struct pollfd	 pfd;
	int		 n;

	for (;;) {
		pfd.fd = fd;
		pfd.events = events;
		pfd.revents = 0;
		n = poll(&pfd, 1, client_left(deadline));
		if (n == -1 && errno == EINTR)
			continue;
		return n > 0 ? 1 : n;
	}
}

static int
client_is_ip(const char *host)
{
	struct in6_addr	 a6;
	struct in_addr	 a4;

	return inet_pton(AF_INET, host, &a4) == 1 ||
	    inet_pton(AF_INET6, host, &a6) == 1;
}

/* Marks the connection closed; broken: after a fatal TLS or socket error. */
static void
client_set_closed(struct client *c, const char *why, int broken)
{
	if (!c->closed) {
		c->closed = 1;
		snprintf(c->error, sizeof c->error, "%s", why);
	}
	if (broken)
		c->broken = 1;
}

/* Why an OpenSSL call failed, for a cause. */
static const char *
client_ssl_why(int err, int saved_errno)
{
	if (err == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) {
		if (saved_errno != 0)
			return strerror(saved_errno);
		return "connection closed by the server";
	}
	if (err == SSL_ERROR_ZERO_RETURN)
		return "connection closed by the server";
	return tls_error_string();
}

/* Binds fd to the numeric address source (of the family of ai). */
static int
client_bind(int fd, const struct addrinfo *ai, const char *source)
{
	struct addrinfo hints, *res;
	int rc;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = ai->ai_family;
	hints.ai_socktype = ai->ai_socktype;
	hints.ai_flags = AI_NUMERICHOST | AI_PASSIVE;
	if (getaddrinfo(source, NULL, &hints, &res) != 0) {
		errno = EADDRNOTAVAIL;
		return -1;
	}
	rc = bind(fd, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	return rc;
}

static int
client_tcp_connect(const char *host, const char *port, const char *source,
    int64_t deadline, char **cause)
{
	struct addrinfo	 hints, *res, *ai;
	socklen_t	 len;
	int		 fd = -1, error, soerr, saved = 0, timed_out = 0, n;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((error = getaddrinfo(host, port, &hints, &res)) != 0) {
		xasprintf(cause, "%s port %s: %s", host, port,
		    gai_strerror(error));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, ai->ai_protocol);
		if (fd == -1) {
			saved = errno;
			continue;
		}
		if (source != NULL && client_bind(fd, ai, source) != 0) {
			saved = errno;
			close(fd);
			fd = -1;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		saved = errno;
		if (saved == EINPROGRESS) {
			n = client_poll_fd(fd, POLLOUT, deadline);
			if (n == 1) {
				len = sizeof soerr;
				if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr,
				    &len) == -1)
					saved = errno;
				else if (soerr == 0)
					break;
				else
					saved = soerr;
			} else if (n == 0) {
				timed_out = 1;
				close(fd);
				fd = -1;
				break;
			} else
				saved = errno;
		}
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd == -1) {
		xasprintf(cause, "connecting to %s port %s: %s", host, port,
		    timed_out ? "timed out" : strerror(saved));
		return -1;
	}
	n = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &n, sizeof n);
	return fd;
}

/* With a CA file, a failed verification is the likeliest reason. */
static void
client_handshake_cause(struct client *c, const struct client_opts *opts,
    int err, int saved_errno, char **cause)
{
	long	 vr;

	vr = SSL_get_verify_result(c->ssl);
	if (opts->ca_file == NULL || vr == X509_V_OK) {
		xasprintf(cause, "TLS handshake with %s port %s: %s",
		    opts->host, opts->port, client_ssl_why(err, saved_errno));
		return;
	}
	ERR_clear_error();
	xasprintf(cause, "TLS handshake with %s port %s: certificate not "
	    "trusted: %s", opts->host, opts->port,
	    X509_verify_cert_error_string(vr));
}

static int
client_handshake(struct client *c, const struct client_opts *opts,
    int64_t deadline, char **cause)
{
	struct client_sigpipe	 sp;
	short			 events;
	int			 rc, err, saved, n;

	for (;;) {
		ERR_clear_error();
		client_sigpipe_block(&sp);
		errno = 0;
		rc = SSL_connect(c->ssl);
		err = SSL_get_error(c->ssl, rc);
		saved = errno;
		client_sigpipe_restore(&sp);
		if (rc == 1)
			return 0;
		if (err == SSL_ERROR_WANT_READ)
			events = POLLIN;
		else if (err == SSL_ERROR_WANT_WRITE)
			events = POLLOUT;
		else {
			c->broken = 1;
			client_handshake_cause(c, opts, err, saved, cause);
			return -1;
		}
		if ((n = client_poll_fd(c->fd, events, deadline)) != 1) {
			xasprintf(cause, "TLS handshake with %s port %s: %s",
			    opts->host, opts->port,
			    n == 0 ? "timed out" : strerror(errno));
			return -1;
		}
	}
}

/* Checks the server's certificate the way opts asks for. */
static int
client_check_peer(struct client *c, const struct client_opts *opts,
    char **cause)
{
	X509	*peer;
	long	 vr;
	int	 rc;

	if ((peer = SSL_get1_peer_certificate(c->ssl)) == NULL) {
		xasprintf(cause, "%s port %s: the server sent no certificate",
		    opts->host, opts->port);
		return -1;
	}
	rc = tls_cert_fingerprint(peer, c->fingerprint);
	X509_free(peer);
	if (rc != 0) {
		xasprintf(cause, "%s port %s: certificate fingerprint: %s",
		    opts->host, opts->port, tls_error_string());
		return -1;
	}
	if (opts->fingerprint != NULL &&
	    !tls_fingerprint_equal(opts->fingerprint, c->fingerprint)) {
		xasprintf(cause, "CERTIFICATE FINGERPRINT MISMATCH for %s port "
		    "%s: expected %s but the server presented %s; the server's "
		    "certificate changed or someone is intercepting the "
		    "connection", opts->host, opts->port, opts->fingerprint,
		    c->fingerprint);
		return -1;
	}
	if (opts->ca_file != NULL &&
	    (vr = SSL_get_verify_result(c->ssl)) != X509_V_OK) {
		xasprintf(cause, "%s port %s: certificate not trusted: %s",
		    opts->host, opts->port, X509_verify_cert_error_string(vr));
		return -1;
	}
	return 0;
}

struct client *
client_connect(const struct client_opts *opts, char **cause)
{
	struct client	*c;
	int64_t		 deadline;
	int		 n;

	if (opts->ca_file == NULL && opts->fingerprint == NULL &&
	    !opts->accept_any) {
		xasprintf(cause, "%s port %s: no way to verify the server (no "
		    "CA file and no fingerprint)", opts->host, opts->port);
		return NULL;
	}

	client_sigpipe_check();
	c = xcalloc(1, sizeof *c);
	c->fd = -1;
	TAILQ_INIT(&c->pending);
	TAILQ_INIT(&c->events);
	c->timeout_ms = opts->timeout_ms > 0 ? opts->timeout_ms :
	    CLIENT_TIMEOUT_DEFAULT;
	c->in = linebuf_new(opts->max_line != 0 ? opts->max_line :
	    PROTO_LINE_MAX_DEFAULT);
	c->out = buf_new(0);
	deadline = client_deadline(c->timeout_ms);
	c->opts.host = xstrdup(opts->host);
	c->opts.port = xstrdup(opts->port);
	c->opts.ca_file = opts->ca_file != NULL ? xstrdup(opts->ca_file) : NULL;
	c->opts.source = opts->source != NULL ? xstrdup(opts->source) : NULL;
	c->opts.timeout_ms = opts->timeout_ms;
	c->opts.max_line = opts->max_line;

	if ((c->ctx = tls_client_ctx(opts->ca_file, cause)) == NULL)
		goto fail;
	c->fd = client_tcp_connect(opts->host, opts->port, opts->source,
	    deadline, cause);
	if (c->fd == -1)
		goto fail;

	ERR_clear_error();
	if ((c->ssl = SSL_new(c->ctx)) == NULL ||
	    !SSL_set_fd(c->ssl, c->fd)) {
		xasprintf(cause, "SSL_new: %s", tls_error_string());
		goto fail;
	}
	if (!client_is_ip(opts->host) &&
	    !SSL_set_tlsext_host_name(c->ssl, opts->host)) {
		xasprintf(cause, "%s: server name: %s", opts->host,
		    tls_error_string());
		goto fail;
	}
	if (opts->ca_file != NULL &&
	    tls_client_verify_host(c->ssl, opts->host) != 0) {
		xasprintf(cause, "%s: host name check: %s", opts->host,
		    tls_error_string());
		goto fail;
	}
	if (client_handshake(c, opts, deadline, cause) != 0)
		goto fail;
	if (client_check_peer(c, opts, cause) != 0)
		goto fail;

	/*
	 * The greeting is the first line client_file sees. A server that
	 * greets and closes at once still counts as connected: the caller
	 * finds what it said and that it closed.
	 */
	while (c->greeting == NULL) {
		if (client_pump(c) == -1 || c->greeting != NULL)
			break;
		n = client_poll_fd(c->fd, POLLIN |
		    (c->read_wants_write ? POLLOUT : 0), deadline);
		if (n != 1) {
			xasprintf(cause, "%s port %s: no greeting: %s",
			    opts->host, opts->port,
			    n == 0 ? "timed out" : strerror(errno));
			goto fail;
		}
	}
	if (c->greeting == NULL) {
		xasprintf(cause, "%s port %s: no greeting: %s", opts->host,
		    opts->port, c->error);
		goto fail;
	}
	if (strncmp(c->greeting, "* ERR ", 6) == 0) {
		/* A server that is full or stopping says so instead. */
		xasprintf(cause, "%s port %s: the server refused: \"%.200s\"",
		    opts->host, opts->port, c->greeting);
		goto fail;
	}
	if (strncmp(c->greeting, CLIENT_GREETING,
	    strlen(CLIENT_GREETING)) != 0) {
		xasprintf(cause, "%s port %s: not an agora server: \"%.80s\"",
		    opts->host, opts->port, c->greeting);
		goto fail;
	}
	return c;

fail:
	client_close(c);
	return NULL;
}

static void
client_pending_free(struct client_pending *p)
{
	size_t	 i;

	free(p->tag);
	for (i = 0; i < p->ndata; i++)
		free(p->data[i]);
	free(p->data);
	free(p->final);
	free(p);
}

static void
client_pending_remove(struct client *c, struct client_pending *p)
{
	if (c->hint == p)
		c->hint = TAILQ_NEXT(p, entry);
	TAILQ_REMOVE(&c->pending, p, entry);
	c->buffered -= p->bytes;
}

void
client_close(struct client *c)
{
	struct client_sigpipe	 sp;
	struct client_pending	*p;
	struct client_event	*ev;

	if (c == NULL)
		return;
	if (c->ssl != NULL) {
		/*
		 * Best effort and never waiting: what is queued goes if the
		 * socket takes it, then a close_notify if it still fits.
		 */
		if (!c->closed && SSL_is_init_finished(c->ssl))
			client_flush(c, 0);
		if (!c->broken && SSL_is_init_finished(c->ssl)) {
			ERR_clear_error();
			client_sigpipe_block(&sp);
			SSL_shutdown(c->ssl);
			client_sigpipe_restore(&sp);
		}
		ERR_clear_error();
		SSL_free(c->ssl);
	}
	SSL_CTX_free(c->ctx);
	if (c->fd != -1)
		close(c->fd);
	while ((p = TAILQ_FIRST(&c->pending)) != NULL) {
		TAILQ_REMOVE(&c->pending, p, entry);
		client_pending_free(p);
	}
	while ((ev = TAILQ_FIRST(&c->events)) != NULL) {
		TAILQ_REMOVE(&c->events, ev, entry);
		free(ev->line);
		free(ev);
	}
	linebuf_free(c->in);
	buf_free(c->out);
	free(c->greeting);
	free((char *)c->opts.host);
	free((char *)c->opts.port);
	free((char *)c->opts.ca_file);
	free((char *)c->opts.source);
	free(c);
}

const char *
client_greeting(const struct client *c)
{
	return c->greeting;
}

const char *
client_fingerprint(const struct client *c)
{
	return c->fingerprint;
}

int
client_fd(const struct client *c)
{
	return c->fd;
}

int
client_closed(const struct client *c)
{
	return c->closed;
}

static struct client_pending *
client_pending_new(struct client *c, const char *tag)
{
	struct client_pending	*p;

	p = xcalloc(1, sizeof *p);
	p->tag = xstrdup(tag);
	TAILQ_INSERT_TAIL(&c->pending, p, entry);
	return p;
}

/*
 * The reply still open for tag. Replies come in the order requests were
 * sent, so the search starts where the last line went and is usually over
 * at once even with thousands of requests in flight.
 */
static struct client_pending *
client_pending_find(struct client *c, const char *tag)
{
	struct client_pending	*p;

	for (p = c->hint; p != NULL; p = TAILQ_NEXT(p, entry)) {
		if (!p->done && strcmp(p->tag, tag) == 0)
			return p;
	}
	TAILQ_FOREACH(p, &c->pending, entry) {
		if (p == c->hint)
			break;
		if (!p->done && strcmp(p->tag, tag) == 0)
			return p;
	}
	return NULL;
}

static void
client_file_data(struct client *c, const char *tag, const char *line,
    size_t len)
{
	struct client_pending	*p;

	if ((p = client_pending_find(c, tag)) == NULL)
		p = client_pending_new(c, tag);
	if (p->ndata == p->datacap) {
		p->datacap = p->datacap == 0 ? 8 : p->datacap * 2;
		p->data = xreallocarray(p->data, p->datacap, sizeof *p->data);
	}
	p->data[p->ndata++] = xstrndup(line, len);
	p->bytes += len + 1;
	c->buffered += len + 1;
	c->hint = p;
}

/*
 * Completes the reply for tag with its final line. The struct client_reply
 * (large: it holds a parsed message) is only made when the reply is taken,
 * so replies waiting to be taken cost little more than their lines.
 */
static void
client_file_final(struct client *c, const char *tag, int ok,
    const char *line, size_t len)
{
	struct client_pending	*p = NULL;

	if (strcmp(tag, PROTO_UNTAGGED) != 0)
		p = client_pending_find(c, tag);
	if (p == NULL)
		p = client_pending_new(c, tag);
	p->final = xstrndup(line, len);
	p->finallen = len;
	p->ok = ok;
	p->done = 1;
	p->bytes += len + 1;
	c->buffered += len + 1;
	c->hint = TAILQ_NEXT(p, entry);
}

static void
client_file_event(struct client *c, const char *line, size_t len)
{
	struct client_event	*ev;

	ev = xmalloc(sizeof *ev);
	ev->line = xstrndup(line, len);
	ev->bytes = len + 1;
	c->buffered += ev->bytes;
	TAILQ_INSERT_TAIL(&c->events, ev, entry);
}

/* Files one line from the server; -1 on a protocol error. */
static int
client_file(struct client *c, const char *line, size_t len)
{
	struct proto_msg	 msg;
	const char		*why;
	char			*copy;

	if (c->greeting == NULL) {
		c->greeting = xstrndup(line, len);
		if (strncmp(line, CLIENT_GREETING,
		    strlen(CLIENT_GREETING)) != 0) {
			client_set_closed(c, "unexpected greeting", 0);
			return -1;
		}
		return 0;
	}
	if (len == 0)
		return 0;
	if (c->buffered + len + 1 > CLIENT_BUFFERED_MAX) {
		client_set_closed(c, "too much unread data from the server",
		    0);
		return -1;
	}

	copy = xmalloc(len + 1);
	memcpy(copy, line, len);
	copy[len] = '\0';
	if (proto_parse(copy, len, &msg, &why) != 0) {
		free(copy);
		/* A push we cannot parse is still the caller's to see. */
		if (line[0] == '*' && (len == 1 || line[1] == ' ')) {
			client_file_event(c, line, len);
			return 0;
		}
		client_set_closed(c, "malformed line from the server", 0);
		return -1;
	}
	if (strcmp(msg.tag, PROTO_UNTAGGED) == 0) {
		/* An error the server could not tag, e.g. line_too_long. */
		if (strcmp(msg.word, "ERR") == 0)
			client_file_final(c, PROTO_UNTAGGED, 0, line, len);
		else
			client_file_event(c, line, len);
	} else if (strcmp(msg.word, "OK") == 0)
		client_file_final(c, msg.tag, 1, line, len);
	else if (strcmp(msg.word, "ERR") == 0)
		client_file_final(c, msg.tag, 0, line, len);
	else
		client_file_data(c, msg.tag, line, len);
	free(copy);
	return 0;
}

static int
client_frame(struct client *c)
{
	char	*line;
	size_t	 len;

	for (;;) {
		switch (linebuf_next(c->in, &line, &len)) {
		case LINEBUF_NONE:
			return 0;
		case LINEBUF_TOOLONG:
			client_set_closed(c,
			    "line from the server over the limit", 0);
			return -1;
		case LINEBUF_LINE:
			if (client_file(c, line, len) != 0)
				return -1;
			break;
		}
	}
}

int
client_pump(struct client *c)
{
	struct client_sigpipe	 sp;
	size_t			 avail;
	char			*space;
	int			 n, err, saved;

	if (c->closed)
		return -1;
	for (;;) {
		space = linebuf_space(c->in, &avail);
		if (avail > INT_MAX)
			avail = INT_MAX;
		ERR_clear_error();
		client_sigpipe_block(&sp);
		errno = 0;
		n = SSL_read(c->ssl, space, (int)avail);
		err = SSL_get_error(c->ssl, n);
		saved = errno;
		client_sigpipe_restore(&sp);
		if (n > 0) {
			linebuf_commit(c->in, (size_t)n);
			if (client_frame(c) != 0)
				return -1;	/* closed by client_file */
			continue;
		}
		c->read_wants_write = 0;
		switch (err) {
		case SSL_ERROR_WANT_READ:
			linebuf_release(c->in);
			return 0;
		case SSL_ERROR_WANT_WRITE:
			c->read_wants_write = 1;
			return 0;
		case SSL_ERROR_ZERO_RETURN:
			client_set_closed(c, "connection closed by the server",
			    0);
			return -1;
		default:
			client_set_closed(c, client_ssl_why(err, saved), 1);
			return -1;
		}
	}
}

int
client_want_write(const struct client *c)
{
	if (c->closed)
		return 0;
	return (buf_len(c->out) != 0 && !c->write_wants_read) ||
	    c->read_wants_write;
}

int
client_flush(struct client *c, int timeout_ms)
{
	struct client_sigpipe	 sp;
	int64_t			 deadline;
	size_t			 len;
	short			 events;
	int			 n, err, saved;

	deadline = client_deadline(timeout_ms);
	for (;;) {
		if (c->closed)
			return -1;
		if ((len = buf_len(c->out)) == 0) {
			c->write_wants_read = 0;
			buf_release(c->out);
			return 0;
		}
		if (len > INT_MAX)
			len = INT_MAX;
		/*
		 * A retry after WANT_WRITE passes the same bytes again, maybe
		 * more and maybe moved: partial writes and moving buffers are
		 * enabled on the context.
		 */
		ERR_clear_error();
		client_sigpipe_block(&sp);
		errno = 0;
		n = SSL_write(c->ssl, buf_data(c->out), (int)len);
		err = SSL_get_error(c->ssl, n);
		saved = errno;
		client_sigpipe_restore(&sp);
		if (n > 0) {
			buf_drain(c->out, (size_t)n);
			c->write_wants_read = 0;
			continue;
		}
		switch (err) {
		case SSL_ERROR_WANT_WRITE:
			c->write_wants_read = 0;
			events = POLLOUT;
			break;
		case SSL_ERROR_WANT_READ:
			c->write_wants_read = 1;
			events = POLLIN;
			break;
		case SSL_ERROR_ZERO_RETURN:
			client_set_closed(c, "connection closed by the server",
			    0);
			return -1;
		default:
			client_set_closed(c, client_ssl_why(err, saved), 1);
			return -1;
		}
		if (timeout_ms == 0)
			return 1;
		if ((n = client_poll_fd(c->fd, events, deadline)) == 0)
			return 1;
		if (n == -1) {
			client_set_closed(c, "poll failed", 1);
			return -1;
		}
		if (events == POLLIN && client_pump(c) == -1)
			return -1;
	}
}

/*
 * A fresh rid on every request: a verb that changes something keeps its
 * reply for it, so that sending the request again (client_call's retry)
 * cannot do it twice; the others ignore it (agora-protocol(7)). Sent on
 * all, so the library needs no list of which verbs change things.
 */
static void
client_add_rid(struct buf *b)
{
	unsigned char raw[CLIENT_RID_BYTES];
	char rid[2 * CLIENT_RID_BYTES + 1];

	if (RAND_bytes(raw, sizeof raw) != 1)
		fatalx("client: RAND_bytes failed");
	hex_encode(raw, sizeof raw, rid);
	proto_add(b, "rid", rid);
}

const char *
client_vsend(struct client *c, const char *verb, va_list ap)
{
	struct client_pending	*p;
	const char		*key, *value;
	char			 tag[16];

	if (c->closed)
		return NULL;
	snprintf(tag, sizeof tag, "c%u", ++c->next_tag);
	c->last_request = buf_len(c->out) + strlen(tag) + 1;
	proto_begin(c->out, tag, verb);
	while ((key = va_arg(ap, const char *)) != NULL) {
		if ((value = va_arg(ap, const char *)) == NULL)
			fatalx("client_send: %s %s: no value", verb, key);
		proto_add(c->out, key, value);
	}
	client_add_rid(c->out);
	proto_end(c->out);
	p = client_pending_new(c, tag);
	if (c->hint == NULL)
		c->hint = p;
	return p->tag;
}

const char *
client_send(struct client *c, const char *verb, ...)
{
	const char	*tag;
	va_list		 ap;

	va_start(ap, verb);
	tag = client_vsend(c, verb, ap);
	va_end(ap);
	return tag;
}

int
client_send_raw(struct client *c, const void *data, size_t len)
{
	if (c->closed)
		return -1;
	buf_add(c->out, data, len);
	return 0;
}

struct client_reply *
client_take_reply(struct client *c, const char *tag)
{
	struct client_pending	*p;
	struct client_reply	*r;
	const char		*why;
	char			*copy;
	size_t			 len;

	TAILQ_FOREACH(p, &c->pending, entry) {
		if (p->done && strcmp(p->tag, tag) == 0)
			break;
	}
	if (p == NULL)
		return NULL;
	client_pending_remove(c, p);

	/*
	 * One allocation holds the struct, the raw line and a copy parsed in
	 * place that r->msg points into.
	 */
	len = p->finallen;
	r = xmalloc(sizeof *r + 2 * (len + 1));
	memset(r, 0, sizeof *r);
	r->line = (char *)(r + 1);
	memcpy(r->line, p->final, len + 1);
	copy = r->line + len + 1;
	memcpy(copy, p->final, len + 1);
	if (proto_parse(copy, len, &r->msg, &why) != 0)
		fatalx("client: reply no longer parses: %s", why);
	r->tag = p->tag;
	r->ok = p->ok;
	if (!r->ok && (r->code = proto_get(&r->msg, "code")) == NULL)
		r->code = "";
	r->ndata = p->ndata;
	r->data = p->data;

	free(p->final);
	free(p);
	return r;
}

/*
 * One turn of waiting: sleeps in poll until the socket is ready or the
 * deadline passes, then writes and reads what it can. Returns -1 without
 * doing anything once closed or past the deadline, so the caller's loop
 * (look for the result, then call this) ends.
 */
static int
client_turn(struct client *c, int64_t deadline)
{
	struct pollfd	 pfd;
	int		 left;

	if (c->closed)
		return -1;
	if ((left = client_left(deadline)) == 0)
		return -1;
	pfd.fd = c->fd;
	pfd.events = POLLIN | (client_want_write(c) ? POLLOUT : 0);
	pfd.revents = 0;
	if (poll(&pfd, 1, left) == -1 && errno != EINTR) {
		client_set_closed(c, "poll failed", 1);
		return -1;
	}
	client_flush(c, 0);
	client_pump(c);
	return 0;
}

struct client_reply *
client_wait(struct client *c, const char *tag, int timeout_ms)
{
	struct client_reply	*r;
	int64_t			 deadline;

	deadline = client_deadline(timeout_ms);
	client_flush(c, 0);
	client_pump(c);
	for (;;) {
		if ((r = client_take_reply(c, tag)) != NULL)
			return r;
		if (client_turn(c, deadline) != 0)
			return NULL;
	}
}

void
client_set_resume(struct client *c, int (*resume)(struct client *, void *),
    void *arg)
{
	c->resume = resume;
	c->resume_arg = arg;
}

/*
 * Connects again with the options of the first connection, pinned to
 * the certificate it had, and puts the new connection in c's place.
 * Events received before stay queued; requests that were waiting on the
 * old connection are not sent again (their replies never come).
 */
static int
client_reopen(struct client *c)
{
	struct client_opts o = c->opts;
	struct client *n;
	char *cause = NULL;

	o.fingerprint = c->fingerprint;
	if ((n = client_connect(&o, &cause)) == NULL) {
		snprintf(c->error, sizeof c->error, "%s", cause);
		free(cause);
		return -1;
	}
	if (c->ssl != NULL)
		SSL_free(c->ssl);
	SSL_CTX_free(c->ctx);
	close(c->fd);
	linebuf_free(c->in);
	buf_free(c->out);
	free(c->greeting);
	c->fd = n->fd;
	c->ctx = n->ctx;
	c->ssl = n->ssl;
	c->in = n->in;
	c->out = n->out;
	c->greeting = n->greeting;
	c->closed = c->broken = 0;
	c->read_wants_write = c->write_wants_read = 0;
	c->error[0] = '\0';
	/* What came with the greeting (nothing, or events) is c's now. */
	TAILQ_CONCAT(&c->events, &n->events, entry);
	c->buffered += n->buffered;
	n->fd = -1;
	n->ctx = NULL;
	n->ssl = NULL;
	n->in = NULL;
	n->out = NULL;
	n->greeting = NULL;
	client_close(n);
	return 0;
}

char *
client_last_request(const struct client *c)
{
	return xstrndup(buf_data(c->out) + c->last_request,
	    buf_len(c->out) - c->last_request);
}

const char *
client_resend(struct client *c, const char *line)
{
	struct client_pending	*p;
	char			 tag[16];

	if (c->closed)
		return NULL;
	snprintf(tag, sizeof tag, "c%u", ++c->next_tag);
	buf_printf(c->out, "%s %s", tag, line);
	p = client_pending_new(c, tag);
	if (c->hint == NULL)
		c->hint = p;
	return p->tag;
}

/*
 * A request, and its reply. If the connection drops before the reply
 * came, and a resume step was given, the request goes once more, with
 * the same rid, on a new connection: the server answers a request it had
 * done from the reply it kept, and does one it had not.
 */
struct client_reply *
client_call(struct client *c, const char *verb, ...)
{
	struct client_reply	*r;
	struct client_pending	*p;
	const char		*tag;
	char			*line;
	va_list			 ap;

	va_start(ap, verb);
	tag = client_vsend(c, verb, ap);
	va_end(ap);
	if (tag == NULL)
		return NULL;
	line = client_last_request(c);
	r = client_wait(c, tag, c->timeout_ms);
	if (r == NULL && c->closed && c->resume != NULL && !c->resuming) {
		TAILQ_FOREACH(p, &c->pending, entry)
			if (strcmp(p->tag, tag) == 0)
				break;
		if (p != NULL) {
			client_pending_remove(c, p);
			client_pending_free(p);
		}
		c->resuming = 1;
		if (client_reopen(c) == 0 && c->resume(c, c->resume_arg) ==
		    0 && (tag = client_resend(c, line)) != NULL)
			r = client_wait(c, tag, c->timeout_ms);
		c->resuming = 0;
	}
	freezero_str(line);
	return r;
}

void
client_reply_free(struct client_reply *r)
{
	size_t	 i;

	if (r == NULL)
		return;
	free(r->tag);
	for (i = 0; i < r->ndata; i++)
		free(r->data[i]);
	free(r->data);
	free(r);	/* the lines live in the same allocation */
}

void
client_reply_take_data(struct client_reply *into, struct client_reply *from)
{
	if (from->ndata == 0)
		return;
	into->data = xreallocarray(into->data, into->ndata + from->ndata + 1,
	    sizeof *into->data);
	memcpy(into->data + into->ndata, from->data,
	    from->ndata * sizeof *from->data);
	into->ndata += from->ndata;
	into->data[into->ndata] = NULL;
	from->ndata = 0;
}

const char *
client_reply_get(const struct client_reply *r, const char *key)
{
	return proto_get(&r->msg, key);
}

static char *
client_pop_event(struct client *c)
{
	struct client_event	*ev;
	char			*line;

	if ((ev = TAILQ_FIRST(&c->events)) == NULL)
		return NULL;
	TAILQ_REMOVE(&c->events, ev, entry);
	c->buffered -= ev->bytes;
	line = ev->line;
	free(ev);
	return line;
}

char *
client_next_event(struct client *c, int timeout_ms)
{
	int64_t	 deadline;
	char	*line;

	if ((line = client_pop_event(c)) != NULL)
		return line;
	deadline = client_deadline(timeout_ms);
	client_flush(c, 0);
	client_pump(c);
	for (;;) {
		if ((line = client_pop_event(c)) != NULL)
			return line;
		if (client_turn(c, deadline) != 0)
			return NULL;
	}
}

char *
client_line_get(const char *line, const char *key)
{
	char *copy = xstrdup(line), *v = NULL;
	struct proto_msg m;
	const char *why, *p;

	if (proto_parse(copy, strlen(copy), &m, &why) == 0 &&
	    (p = proto_get(&m, key)) != NULL)
		v = xstrdup(p);
	free(copy);
	return v;
}
