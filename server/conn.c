#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>

#include "buf.h"
#include "cmd.h"
#include "config.h"
#include "conn.h"
#include "ev.h"
#include "linebuf.h"
#include "log.h"
#include "presence.h"
#include "proto.h"
#include "session.h"
#include "xmalloc.h"

/* Lines run per connection per loop turn, so one client cannot hog it. */
#define CONN_LINES_PER_TURN	32
/* Bytes read per connection per loop turn. */
#define CONN_READ_PER_TURN	(64 * 1024)
/* Consecutive malformed lines before we decide the peer is not a client. */
#define CONN_MAX_BAD_LINES	100
#define CONN_WRITE_CHUNK	(16 * 1024)
/*
 * How long a client may keep more than max_output waiting for it. The
 * bound is on a client that does not read, not on output that is large:
 * a burst of big events, or a page of big messages (cmd.h), can be over
 * max_output for a moment, and a client that reads takes it in
 * milliseconds. So the connection is closed only once its queue has been
 * over max_output all along for this long: the socket taking bytes is
 * not enough (a client reading a trickle keeps the queue over the bound),
 * the queue going under the bound is. What a connection holds is then
 * max_output, plus what the others sent it in these seconds, and never
 * more than CONN_OVER_HARD times max_output: memory is bounded even while
 * a stalled client is being waited for. A client closed so, even one that
 * reads, loses nothing: it reconnects and catches up with SYNC, whose
 * pages are bounded in bytes.
 */
#define CONN_OVER_MS		10000
#define CONN_OVER_HARD		8

enum conn_state {
	CONN_HANDSHAKE,
	CONN_OPEN,
	CONN_CLOSING,		/* flush what is queued, then close */
	CONN_DEAD		/* closed; freed before the loop sleeps */
};

struct conn {
	uint64_t	 id;
	struct ev_io	 io;
	SSL		*ssl;
	enum conn_state	 state;
	char		 address[64];
	struct linebuf	*in;
	struct buf	*out;
	struct session	*session;
	int64_t		 created;	/* ms */
	int64_t		 active;	/* ms: last request or handshake */
	int64_t		 over;		/* ms: over max_output since; or 0 */
	unsigned	 busy:1;	/* a request is with the database */
	unsigned	 paused:1;	/* output over the high-water mark */
	unsigned	 read_wants_write:1;
	unsigned	 write_wants_read:1;
	unsigned	 write_blocked:1;
	unsigned	 dirty:1;	/* on conn_dirty */
	unsigned	 ready:1;	/* on conn_ready */
	int		 bad_lines;
	struct conn	*next_dirty;
	struct conn	*next_ready;
	struct conn	*next_dead;
};

static struct {
	size_t	 max_line;
	size_t	 max_output;
	int64_t	 handshake_ms;
	int64_t	 idle_ms;
} limits = { PROTO_LINE_MAX_DEFAULT, 4 << 20, 10000, 900000 };

/*
 * Connections live in a slot table; an id is the slot in the low 32 bits
 * and a generation above, so a stale id never finds the slot's next tenant.
 */
static struct conn	**slots;
static uint32_t		 nslots;
static uint32_t		*free_slots;
static uint32_t		 nfree;
static uint32_t		 generation;
static int		 nconns;
static int		 draining;

static struct conn	*conn_dirty;
static struct conn	*conn_ready;
static struct conn	*conn_dead;

static void conn_service(struct conn *);
static void conn_flush(struct conn *);
static void conn_update(struct conn *);

void
conn_configure(const struct config *cf)
{
	limits.max_line = (size_t)cf->max_line;
	limits.max_output = (size_t)cf->max_output;
	limits.handshake_ms = cf->handshake_timeout * 1000;
	limits.idle_ms = cf->idle_timeout * 1000;
	for (uint32_t i = 0; i < nslots; i++)
		if (slots[i] != NULL && slots[i]->in != NULL)
			linebuf_set_max(slots[i]->in, limits.max_line);
}

/* Input pauses above this much queued output and resumes below it. */
static size_t
high_water(void)
{
	return limits.max_output / 4;
}

static uint64_t
slot_take(struct conn *c)
{
	uint32_t slot;

	if (nfree > 0)
		slot = free_slots[--nfree];
	else {
		uint32_t n = nslots == 0 ? 64 : nslots * 2;

		slots = xreallocarray(slots, n, sizeof *slots);
		free_slots = xreallocarray(free_slots, n, sizeof *free_slots);
		memset(slots + nslots, 0, (n - nslots) * sizeof *slots);
		slot = nslots;
		for (uint32_t i = n - 1; i > nslots; i--)
			free_slots[nfree++] = i;
		nslots = n;
	}
	slots[slot] = c;
	return ((uint64_t)++generation << 32) | slot;
}

struct conn *
conn_find(uint64_t id)
{
	uint32_t slot = (uint32_t)id;

	if (slot >= nslots || slots[slot] == NULL || slots[slot]->id != id)
		return NULL;
	if (slots[slot]->state == CONN_DEAD)
		return NULL;
	return slots[slot];
}

uint64_t
conn_id(const struct conn *c)
{
	return c->id;
}

const char *
conn_address(const struct conn *c)
{
	return c->address;
}

int
conn_count(void)
{
	return nconns;
}

struct session *
conn_session(const struct conn *c)
{
	return c->session;
}

void
conn_set_session(struct conn *c, struct session *s)
{
	int64_t was = c->session != NULL ? c->session->user_id : 0;
	int64_t now = s != NULL ? s->user_id : 0;

	/* Every way in and out of a session passes here (or conn_kill). */
	if (was != now) {
		presence_remove(was);
		presence_add(now);
	}
	if (c->session != NULL)
		session_free(c->session);
	c->session = s;
}

static void
conn_io_cb(struct ev_io *io, int events)
{
	struct conn *c = (struct conn *)((char *)io - offsetof(struct conn, io));

	if (c->state == CONN_DEAD)
		return;
	if (c->state == CONN_HANDSHAKE) {
		conn_service(c);
		return;
	}
	if ((events & EV_READ) || ((events & EV_WRITE) && c->read_wants_write))
		conn_service(c);
	if (c->state != CONN_DEAD && ((events & EV_WRITE) ||
	    ((events & EV_READ) && c->write_wants_read)))
		conn_flush(c);
	if (c->state != CONN_DEAD)
		conn_update(c);
}

struct conn *
conn_new(int fd, const char *address, SSL_CTX *ctx)
{
	struct conn *c = xcalloc(1, sizeof *c);

	c->ssl = SSL_new(ctx);
	if (c->ssl == NULL || SSL_set_fd(c->ssl, fd) != 1) {
		log_warnx("SSL_new: %s", ERR_reason_error_string(ERR_get_error()));
		SSL_free(c->ssl);
		free(c);
		close(fd);
		return NULL;
	}
	SSL_set_accept_state(c->ssl);
	c->id = slot_take(c);
	c->state = CONN_HANDSHAKE;
	c->created = c->active = ev_now_ms();
	snprintf(c->address, sizeof c->address, "%s", address);
	ev_io_set(&c->io, fd, conn_io_cb);
	ev_io_want(&c->io, EV_READ);
	nconns++;
	log_debug("client %llu: connected from %s", (unsigned long long)c->id,
	    c->address);
	return c;
}

struct buf *
conn_out(struct conn *c)
{
	if (c->out == NULL)
		c->out = buf_new(0);
	if (!c->dirty && c->state != CONN_DEAD) {
		c->dirty = 1;
		c->next_dirty = conn_dirty;
		conn_dirty = c;
	}
	return c->out;
}

static void
conn_defer(struct conn *c)
{
	if (!c->ready && c->state != CONN_DEAD) {
		c->ready = 1;
		c->next_ready = conn_ready;
		conn_ready = c;
	}
	ev_wake_soon();
}

static void
conn_kill(struct conn *c, const char *why)
{
	int fd = c->io.fd;

	if (c->state == CONN_DEAD)
		return;
	if (why != NULL)
		log_info("client %llu (%s): closed: %s",
		    (unsigned long long)c->id, c->address, why);
	if (c->session != NULL)
		presence_remove(c->session->user_id);
	ev_io_del(&c->io);
	if (c->state != CONN_HANDSHAKE && !SSL_in_init(c->ssl))
		SSL_shutdown(c->ssl);	/* best effort close_notify */
	close(fd);
	c->state = CONN_DEAD;
	c->next_dead = conn_dead;
	conn_dead = c;
	nconns--;
}

/* Sends what is queued, then closes. */
static void
conn_close(struct conn *c, const char *why)
{
	if (c->state == CONN_DEAD || c->state == CONN_CLOSING)
		return;
	if (c->state == CONN_HANDSHAKE || c->out == NULL ||
	    buf_len(c->out) == 0) {
		conn_kill(c, why);
		return;
	}
	if (why != NULL)
		log_info("client %llu (%s): closing: %s",
		    (unsigned long long)c->id, c->address, why);
	c->state = CONN_CLOSING;
	conn_out(c);
}

static void
conn_free(struct conn *c)
{
	uint32_t slot = (uint32_t)c->id;

	slots[slot] = NULL;
	free_slots[nfree++] = slot;
	SSL_free(c->ssl);
	linebuf_free(c->in);
	buf_free(c->out);
	if (c->session != NULL)
		session_free(c->session);
	free(c);
}

/* Maps an SSL result to what to wait for; -1 (closed) on a fatal error or
 * EOF. */
static int
conn_ssl_wait(struct conn *c, int ret, int *want)
{
	int err = SSL_get_error(c->ssl, ret);
	unsigned long e;
	char why[256];

	switch (err) {
	case SSL_ERROR_WANT_READ:
		*want = EV_READ;
		return 0;
	case SSL_ERROR_WANT_WRITE:
		*want = EV_WRITE;
		return 0;
	case SSL_ERROR_ZERO_RETURN:
		snprintf(why, sizeof why, "client closed the connection");
		break;
	case SSL_ERROR_SYSCALL:
		if (errno == 0 || errno == ECONNRESET || errno == EPIPE)
			snprintf(why, sizeof why, "connection lost");
		else
			snprintf(why, sizeof why, "socket error: %s",
			    strerror(errno));
		break;
	default:
		e = ERR_peek_error();
		if (ERR_GET_REASON(e) == SSL_R_UNEXPECTED_EOF_WHILE_READING)
			snprintf(why, sizeof why, "connection lost");
		else
			snprintf(why, sizeof why, "TLS error: %s",
			    ERR_reason_error_string(e) != NULL ?
			    ERR_reason_error_string(e) : "unknown");
		break;
	}
	ERR_clear_error();
	conn_kill(c, why);
	return -1;
}

static void
conn_handshake(struct conn *c)
{
	int ret, want;

	ERR_clear_error();
	errno = 0;
	ret = SSL_accept(c->ssl);
	if (ret == 1) {
		struct buf *out;

		c->state = CONN_OPEN;
		c->active = ev_now_ms();
		log_debug("client %llu: %s %s", (unsigned long long)c->id,
		    SSL_get_version(c->ssl), SSL_get_cipher_name(c->ssl));
		out = conn_out(c);
		proto_begin(out, PROTO_UNTAGGED, "HELLO");
		proto_add_i64(out, "proto", PROTO_VERSION);
		proto_add(out, "server", "agorad/" AGORA_VERSION);
		proto_end(out);
		conn_update(c);
		return;
	}
	if (conn_ssl_wait(c, ret, &want) == 0)
		ev_io_want(&c->io, want);
}

/* The tag at the start of a line, if there is a valid one. */
static const char *
line_tag(const char *line, char *tag, size_t size)
{
	size_t n = strcspn(line, " ");

	if (n == 0 || n >= size)
		return PROTO_UNTAGGED;
	memcpy(tag, line, n);
	tag[n] = '\0';
	return proto_valid_tag(tag) ? tag : PROTO_UNTAGGED;
}

static void
conn_bad_line(struct conn *c, const char *tag, enum proto_err code,
    const char *msg)
{
	proto_err(conn_out(c), tag, code, msg);
	if (++c->bad_lines >= CONN_MAX_BAD_LINES)
		conn_close(c, "too many malformed lines");
}

static void
conn_line(struct conn *c, char *line, size_t len)
{
	struct proto_msg msg;
	const char *why;

	if (len == 0)
		return;		/* blank lines are harmless: ignore them */
	if (proto_parse(line, len, &msg, &why) != 0) {
		conn_bad_line(c, msg.tag != NULL ? msg.tag : PROTO_UNTAGGED,
		    PERR_BAD_REQUEST, why);
		return;
	}
	if (strcmp(msg.tag, PROTO_UNTAGGED) == 0) {
		conn_bad_line(c, PROTO_UNTAGGED, PERR_BAD_REQUEST,
		    "a request needs a tag");
		return;
	}
	c->bad_lines = 0;
	c->active = ev_now_ms();
	if (draining) {
		proto_err(conn_out(c), msg.tag, PERR_SHUTTING_DOWN,
		    "the server is restarting; reconnect");
		return;
	}
	if (cmd_dispatch(c, &msg) == CMD_PENDING)
		c->busy = 1;
}

/* Runs buffered lines; returns 1 if it stopped with lines left. */
static int
conn_run_lines(struct conn *c)
{
	char tag[PROTO_TAG_MAX + 1], *line;
	size_t len;
	int n = 0;

	while (c->state == CONN_OPEN && !c->busy && !c->paused) {
		if (n++ == CONN_LINES_PER_TURN)
			return 1;
		switch (linebuf_next(c->in, &line, &len)) {
		case LINEBUF_NONE:
			return 0;
		case LINEBUF_TOOLONG:
			conn_bad_line(c, line_tag(line, tag, sizeof tag),
			    PERR_LINE_TOO_LONG, "line too long");
			break;
		case LINEBUF_LINE:
			conn_line(c, line, len);
			break;
		}
	}
	return 0;
}

/* Reads and runs requests until blocked, busy, paused or out of turn. */
static void
conn_service(struct conn *c)
{
	size_t got = 0, avail;
	int ret, want;
	char *p;

	if (c->state == CONN_HANDSHAKE) {
		conn_handshake(c);
		return;
	}
	if (c->in == NULL)
		c->in = linebuf_new(limits.max_line);
	c->read_wants_write = 0;
	for (;;) {
		if (conn_run_lines(c)) {
			conn_defer(c);
			break;
		}
		if (c->state != CONN_OPEN || c->busy || c->paused)
			break;
		if (got >= CONN_READ_PER_TURN) {
			conn_defer(c);
			break;
		}
		p = linebuf_space(c->in, &avail);
		ERR_clear_error();
		errno = 0;
		ret = SSL_read(c->ssl, p, (int)(avail > INT32_MAX ? INT32_MAX :
		    avail));
		if (ret > 0) {
			linebuf_commit(c->in, (size_t)ret);
			got += (size_t)ret;
			continue;
		}
		if (conn_ssl_wait(c, ret, &want) != 0)
			return;
		if (want == EV_WRITE)
			c->read_wants_write = 1;
		break;
	}
	if (c->state != CONN_DEAD && linebuf_pending(c->in) == 0)
		linebuf_release(c->in);
}

/* Closes c if its output has been over max_output for too long: 1 if so. */
static int
conn_over(struct conn *c)
{
	if (c->over == 0 || (ev_now_ms() - c->over < CONN_OVER_MS &&
	    (c->out == NULL ||
	    buf_len(c->out) <= CONN_OVER_HARD * limits.max_output)))
		return 0;
	conn_kill(c, "output queue full (client not reading)");
	return 1;
}

static void
conn_flush(struct conn *c)
{
	int ret, want;

	c->write_wants_read = 0;
	c->write_blocked = 0;
	if (c->state == CONN_HANDSHAKE || c->state == CONN_DEAD)
		return;
	while (c->out != NULL && buf_len(c->out) > 0) {
		size_t n = buf_len(c->out);

		ERR_clear_error();
		errno = 0;
		ret = SSL_write(c->ssl, buf_data(c->out),
		    (int)(n > CONN_WRITE_CHUNK ? CONN_WRITE_CHUNK : n));
		if (ret > 0) {
			buf_drain(c->out, (size_t)ret);
			continue;
		}
		if (conn_ssl_wait(c, ret, &want) != 0)
			return;
		if (want == EV_READ)
			c->write_wants_read = 1;
		else
			c->write_blocked = 1;
		/* What the socket would not take is ours to hold, up to a
		 * bound: a client that stays past it is not reading. */
		if (buf_len(c->out) > limits.max_output) {
			if (c->over == 0)
				c->over = ev_now_ms();
			if (conn_over(c))
				return;
		} else
			c->over = 0;
		break;
	}
	if (c->out != NULL && buf_len(c->out) == 0) {
		c->over = 0;
		buf_release(c->out);
		if (c->state == CONN_CLOSING) {
			conn_kill(c, NULL);
			return;
		}
	}
	if (c->paused && (c->out == NULL || buf_len(c->out) < high_water() / 2)) {
		c->paused = 0;
		conn_defer(c);
	}
}

/* Tells epoll what this connection waits for now. */
static void
conn_update(struct conn *c)
{
	int want = 0;

	if (c->state == CONN_DEAD || c->state == CONN_HANDSHAKE)
		return;
	if (c->out != NULL && buf_len(c->out) >= high_water())
		c->paused = 1;
	if (c->state == CONN_OPEN && !c->busy && !c->paused && !draining)
		want |= EV_READ;
	if (c->write_wants_read)
		want |= EV_READ;
	if (c->write_blocked || c->read_wants_write)
		want |= EV_WRITE;
	ev_io_want(&c->io, want);
}

/*
 * Shutdown for one connection: the requests it already sent us are
 * answered `shutting_down` (conn_line does that while draining), so every
 * request gets exactly one final line; then BYE, then close.
 */
static void
conn_drain_one(struct conn *c)
{
	char *line, tag[PROTO_TAG_MAX + 1];
	size_t len;
	enum linebuf_result r;

	while (c->in != NULL && (r = linebuf_next(c->in, &line, &len)) !=
	    LINEBUF_NONE) {
		if (r == LINEBUF_LINE)
			conn_line(c, line, len);
		else
			proto_err(conn_out(c), line_tag(line, tag, sizeof tag),
			    PERR_SHUTTING_DOWN, "the server is restarting; "
			    "reconnect");
	}
	proto_begin(conn_out(c), PROTO_UNTAGGED, "BYE");
	proto_add(conn_out(c), "reason", "shutdown");
	proto_end(conn_out(c));
	conn_close(c, NULL);
}

void
conn_resume(struct conn *c)
{
	c->busy = 0;
	if (draining) {
		conn_drain_one(c);
		return;
	}
	conn_defer(c);
}

void
conn_foreach(void (*fn)(struct conn *, void *), void *arg)
{
	for (uint32_t i = 0; i < nslots; i++) {
		struct conn *c = slots[i];

		if (c != NULL && c->state == CONN_OPEN)
			fn(c, arg);
	}
}

void
conn_before_sleep(void)
{
	struct conn *c, *list;

	/* Take the lists whole: servicing may queue a connection again,
	 * and that must wait for the next turn. */
	list = conn_ready;
	conn_ready = NULL;
	while ((c = list) != NULL) {
		list = c->next_ready;
		c->ready = 0;
		if (c->state == CONN_OPEN) {
			conn_service(c);
			if (c->state != CONN_DEAD)
				conn_update(c);
		}
	}
	list = conn_dirty;
	conn_dirty = NULL;
	while ((c = list) != NULL) {
		list = c->next_dirty;
		c->dirty = 0;
		conn_flush(c);
		if (c->state != CONN_DEAD)
			conn_update(c);
	}
	while ((c = conn_dead) != NULL) {
		conn_dead = c->next_dead;
		conn_free(c);
	}
}

void
conn_sweep(void)
{
	int64_t now = ev_now_ms();

	for (uint32_t i = 0; i < nslots; i++) {
		struct conn *c = slots[i];

		if (c == NULL || c->state == CONN_DEAD)
			continue;
		/* A client that reads empties its queue, and its flushes
		 * clear c->over; one that does not is never flushed again. */
		if (conn_over(c))
			continue;
		if (c->state == CONN_HANDSHAKE &&
		    now - c->created > limits.handshake_ms)
			conn_kill(c, "TLS handshake timed out");
		else if (c->state == CONN_OPEN && !c->busy &&
		    now - c->active > limits.idle_ms) {
			proto_begin(conn_out(c), PROTO_UNTAGGED, "BYE");
			proto_add(conn_out(c), "reason", "idle");
			proto_end(conn_out(c));
			conn_close(c, "idle timeout");
		}
	}
}

int
conn_drain(void)
{
	draining = 1;
	for (uint32_t i = 0; i < nslots; i++) {
		struct conn *c = slots[i];

		if (c == NULL || c->state == CONN_DEAD)
			continue;
		if (c->state == CONN_HANDSHAKE)
			conn_kill(c, NULL);
		else if (c->state == CONN_OPEN && !c->busy)
			conn_drain_one(c);
	}
	return nconns;
}

void
conn_free_all(void)
{
	for (uint32_t i = 0; i < nslots; i++)
		if (slots[i] != NULL)
			conn_kill(slots[i], NULL);
	conn_ready = conn_dirty = NULL;
	conn_before_sleep();
	free(slots);
	free(free_slots);
	slots = NULL;
	free_slots = NULL;
	nslots = nfree = 0;
}
