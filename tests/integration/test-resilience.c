/*
 * What agorad survives and how it stops: clients that vanish mid-request,
 * PostgreSQL going away under it, SIGTERM with clients connected or a
 * request in flight, SIGHUP reloading the config and the certificate,
 * handshake and idle timeouts, clients that do not read, garbage on the
 * TLS port, and kill -9. Each test ends by checking that the server exits
 * cleanly, which under ASan also means without leaks.
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "harness.h"
#include "tls.h"
#include "xmalloc.h"

static struct agorad *node;
static char *email;
static int64_t uid;

static void
setup(void)
{
	node = agorad_new(NULL);
	email = harness_email("alice");
	uid = agorad_user_add(
	    node, email, "Alice Martin", HARNESS_PASSWORD, NULL, NULL);
}

static void
teardown(void)
{
	if (node != NULL && agorad_running(node))
		agorad_stop_clean(node);
	free(email);
	email = NULL;
	node = NULL;
}

static struct client *
login(void)
{
	return harness_login(node, email, HARNESS_PASSWORD, NULL);
}

static int64_t
sessions(void)
{
	return pg_i64("SELECT count(*) FROM sessions WHERE user_id = $1",
	    i64s(uid), NULL);
}

/* Shrinks what the kernel will buffer for this client. */
static void
small_rcvbuf(struct client *c)
{
	int size = 4096;

	ck_assert(setsockopt(client_fd(c), SOL_SOCKET, SO_RCVBUF, &size,
		      sizeof size) == 0);
}

/* Closes with a TCP reset instead of a FIN. */
static void
close_reset(struct client *c)
{
	struct linger l = { 1, 0 };

	setsockopt(client_fd(c), SOL_SOCKET, SO_LINGER, &l, sizeof l);
	client_close(c);
}

/* Whether a TCP connection to the node's port is refused. */
static int
refused(void)
{
	struct sockaddr_in sin;
	int fd, rc;

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port =
	    htons((unsigned short)strtol(agorad_port(node), NULL, 10));
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert(fd != -1);
	rc = connect(fd, (struct sockaddr *)&sin, sizeof sin);
	close(fd);
	return rc == -1 && errno == ECONNREFUSED;
}

START_TEST(test_disconnect_mid_request)
{
	struct client *c;
	PGconn *pg;
	int64_t before, deadline;
	int i;

	agorad_start(node);
	/* Send a request and go: politely, with a reset, mid-line. */
	for (i = 0; i < 60; i++) {
		c = harness_connect(node);
		switch (i % 3) {
		case 0:
			ck_assert_ptr_nonnull(client_send(c, "LOGIN", "email",
			    email, "password", HARNESS_PASSWORD, NULL));
			client_flush(c, 1000);
			client_close(c);
			break;
		case 1:
			ck_assert_ptr_nonnull(
			    client_send(c, "SYNC", "since", "0", NULL));
			client_flush(c, 1000);
			close_reset(c);
			break;
		default:
			client_send_raw(c, "x1 LOGIN email=", 15);
			client_flush(c, 1000);
			client_close(c);
			break;
		}
	}

	/*
	 * Requests that are with the database when their clients leave:
	 * LOGIN waits on a lock until every client is gone, then completes.
	 */
	before = sessions();
	pg = pg_connect("agora");
	pg_must(pg, "BEGIN");
	pg_must(pg, "LOCK TABLE login_failures IN ACCESS EXCLUSIVE MODE");
	for (i = 0; i < 10; i++) {
		c = harness_connect(node);
		ck_assert_ptr_nonnull(client_send(c, "LOGIN", "email", email,
		    "password", HARNESS_PASSWORD, NULL));
		client_flush(c, 1000);
		if (i % 2 == 0)
			client_close(c);
		else
			close_reset(c);
	}
	sleep_ms(500);
	pg_must(pg, "COMMIT");
	PQfinish(pg);
	/* The politely closed ones were read before the close: they log in. */
	deadline = now_ms() + HARNESS_TIMEOUT;
	while (sessions() < before + 5) {
		ck_assert_msg(now_ms() < deadline,
		    "only %lld of at least 5 logins completed",
		    (long long)(sessions() - before));
		sleep_ms(50);
	}

	/* Others are served as ever. */
	c = login();
	client_reply_free(call_ok(c, "WHOAMI", NULL));
	client_reply_free(call_ok(c, "SYNC", "since", "0", NULL));
	client_close(c);
	agorad_stop_clean(node);
}
END_TEST

START_TEST(test_pg_restart_under_server)
{
	struct client *c, *d;
	struct client_reply *r;
	int64_t deadline;
	int ok = 0;

	agorad_start(node);
	c = login();
	client_reply_free(call_ok(c, "SYNC", "since", "0", NULL));

	pg_stop();
	call_err(c, "unavailable", "SYNC", "since", "0", NULL);
	d = harness_connect(node);
	call_err(d, "unavailable", "LOGIN", "email", email, "password",
	    HARNESS_PASSWORD, NULL);
	/* What needs no database still works, on the same connections. */
	ping_ok(c);
	ping_ok(d);
	client_reply_free(call_ok(c, "WHOAMI", NULL));
	/* A LOGOUT that could not happen leaves the session as it was. */
	call_err(c, "unavailable", "LOGOUT", NULL);
	client_reply_free(call_ok(c, "WHOAMI", NULL));
	call_err(c, "unavailable", "SYNC", "since", "0", NULL);
	ck_assert(!client_closed(c) && !client_closed(d));

	/* Back, without restarting agorad. */
	pg_start();
	deadline = now_ms() + HARNESS_TIMEOUT;
	while (!ok) {
		r = client_call(c, "SYNC", "since", "0", NULL);
		ck_assert_ptr_nonnull(r);
		ok = r->ok;
		ck_assert_msg(ok || strcmp(r->code, "unavailable") == 0,
		    "SYNC after the restart: \"%s\"", r->line);
		client_reply_free(r);
		ck_assert_msg(ok || now_ms() < deadline, "still unavailable");
		if (!ok)
			sleep_ms(100);
	}
	client_reply_free(call_ok(
	    d, "LOGIN", "email", email, "password", HARNESS_PASSWORD, NULL));
	client_reply_free(call_ok(d, "LOGOUT", NULL));
	client_reply_free(call_ok(c, "LOGOUT", NULL));
	client_close(d);
	client_close(c);
	agorad_stop_clean(node);
}
END_TEST

START_TEST(test_sigterm_bye)
{
	struct client *c[3];
	char *ev;
	int64_t start;
	int i, rc;

	agorad_start(node);
	c[0] = harness_connect(node);
	c[1] = login();
	c[2] = login();
	client_reply_free(call_ok(c[2], "SYNC", "since", "0", NULL));
	/* Let the logins' events arrive: idle clients, nothing in flight. */
	sleep_ms(300);

	start = now_ms();
	agorad_signal(node, SIGTERM);
	for (i = 0; i < 3; i++) {
		while (
		    (ev = client_next_event(c[i], HARNESS_TIMEOUT)) != NULL &&
		    strncmp(ev, "* EVENT ", 8) == 0)
			free(ev);
		ck_assert_msg(ev != NULL, "client %d: no BYE", i);
		ck_assert_str_eq(ev, "* BYE reason=shutdown");
		free(ev);
		ck_assert_int_eq(harness_wait_closed(c[i], HARNESS_TIMEOUT), 0);
	}
	/* No new connections meanwhile. */
	ck_assert(refused());
	rc = agorad_stop(node);
	ck_assert_msg(rc == 0, "agorad exited with status %d", rc);
	/* With nothing in flight, stopping takes no time at all. */
	ck_assert_msg(now_ms() - start < 5000,
	    "agorad took %lld ms to stop with only idle clients",
	    (long long)(now_ms() - start));
	ck_assert_int_eq(
	    agorad_log_count(node, "finishing requests in flight"), 1);
	for (i = 0; i < 3; i++)
		client_close(c[i]);
}
END_TEST

/*
 * A request with the database when SIGTERM comes (SYNC, held up by a lock
 * on the event counter) is finished and answered; requests read behind it
 * are answered shutting_down; then BYE, then close.
 */
START_TEST(test_sigterm_in_flight)
{
	struct client *c, *idle;
	struct client_reply *r;
	PGconn *pg;
	const char *sync, *ping, *whoami;
	char *ev;
	int rc;

	agorad_start(node);
	c = login();
	idle = login();
	sleep_ms(300);
	pg = pg_connect("agora");
	pg_must(pg, "BEGIN");
	pg_must(pg, "LOCK TABLE event_seq IN ACCESS EXCLUSIVE MODE");
	/* One write, so the server reads all three lines at once. */
	sync = client_send(c, "SYNC", "since", "0", NULL);
	ping = client_send(c, "PING", NULL);
	whoami = client_send(c, "WHOAMI", NULL);
	ck_assert(sync != NULL && ping != NULL && whoami != NULL);
	client_flush(c, 1000);
	sleep_ms(300);
	agorad_signal(node, SIGTERM);

	/* The idle client is told at once; the server waits for the SYNC. */
	ev = client_next_event(idle, HARNESS_TIMEOUT);
	while (ev != NULL && strncmp(ev, "* EVENT ", 8) == 0) {
		free(ev);
		ev = client_next_event(idle, HARNESS_TIMEOUT);
	}
	ck_assert_msg(ev != NULL && strcmp(ev, "* BYE reason=shutdown") == 0,
	    "idle client got \"%s\"", ev != NULL ? ev : "(nothing)");
	free(ev);
	sleep_ms(300);
	ck_assert(agorad_running(node));
	ck_assert(!client_closed(c));
	ck_assert(refused());

	pg_must(pg, "COMMIT");
	PQfinish(pg);
	r = client_wait(c, sync, HARNESS_TIMEOUT);
	r = expect_ok(r);
	ck_assert_ptr_nonnull(client_reply_get(r, "seq"));
	client_reply_free(r);
	expect_err(client_wait(c, ping, HARNESS_TIMEOUT), "shutting_down");
	expect_err(client_wait(c, whoami, HARNESS_TIMEOUT), "shutting_down");
	ev = client_next_event(c, HARNESS_TIMEOUT);
	while (ev != NULL && strncmp(ev, "* EVENT ", 8) == 0) {
		free(ev);
		ev = client_next_event(c, HARNESS_TIMEOUT);
	}
	ck_assert_msg(ev != NULL && strcmp(ev, "* BYE reason=shutdown") == 0,
	    "after its replies, the client in flight got \"%s\" instead of "
	    "\"* BYE reason=shutdown\"",
	    ev != NULL ? ev : "(nothing)");
	free(ev);
	ck_assert_int_eq(harness_wait_closed(c, HARNESS_TIMEOUT), 0);
	rc = agorad_stop(node);
	ck_assert_msg(rc == 0, "agorad exited with status %d", rc);
	client_close(c);
	client_close(idle);
}
END_TEST

/* "t PING" padded with spaces to len bytes: valid whatever its length. */
static char *
long_ping(const char *tag, size_t len)
{
	char *s = xmalloc(len + 1);
	int n = snprintf(s, len + 1, "%s PING", tag);

	memset(s + n, ' ', len - (size_t)n);
	s[len] = '\0';
	return s;
}

static void
expect_line(struct client *c, const char *tag, size_t len, const char *code)
{
	char *line = long_ping(tag, len);
	struct client_reply *r = harness_raw(c, tag, line);

	free(line);
	if (code == NULL)
		client_reply_free(expect_ok(r));
	else
		expect_err(r, code);
}

START_TEST(test_sighup_config)
{
	struct client *c, *d;

	agorad_set(node, "max_line = 1024");
	agorad_start(node);
	c = harness_connect(node);
	expect_line(c, "t1", 1500, "line_too_long");

	agorad_set(node, "max_line = 4096");
	agorad_signal(node, SIGHUP);
	ck_assert_int_eq(
	    agorad_log_wait(node, "reloaded configuration", 1, HARNESS_TIMEOUT),
	    0);
	/* The new limit applies to the next lines, on open connections too. */
	expect_line(c, "t2", 1500, NULL);
	expect_line(c, "t3", 4096, NULL);
	expect_line(c, "t4", 4097, "line_too_long");
	d = harness_connect(node);
	expect_line(d, "t5", 3000, NULL);
	expect_line(d, "t6", 5000, "line_too_long");

	/* A config that does not load changes nothing. */
	agorad_set(node, "max_line = 12");
	agorad_signal(node, SIGHUP);
	ck_assert_int_eq(
	    agorad_log_wait(node, "reload failed", 1, HARNESS_TIMEOUT), 0);
	expect_line(d, "t7", 3000, NULL);
	expect_line(c, "t8", 3000, NULL);
	agorad_unset(node, "max_line = 12");

	/* Lowering it applies too. */
	agorad_set(node, "max_line = 1024");
	agorad_signal(node, SIGHUP);
	ck_assert_int_eq(
	    agorad_log_wait(node, "reloaded configuration", 2, HARNESS_TIMEOUT),
	    0);
	expect_line(c, "t9", 1500, "line_too_long");
	expect_line(d, "t10", 1024, NULL);
	ping_ok(c);
	ping_ok(d);
	client_close(c);
	client_close(d);
	agorad_stop_clean(node);
}
END_TEST

static void
cert_fingerprint(const char *path, char out[TLS_FINGERPRINT_LEN])
{
	FILE *f;
	X509 *x;

	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "%s", path);
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	ck_assert_ptr_nonnull(x);
	ck_assert_int_eq(tls_cert_fingerprint(x, out), 0);
	X509_free(x);
}

START_TEST(test_sighup_certificate)
{
	static const char *const names[] = { "localhost", "127.0.0.1" };
	struct client *old, *c;
	char fp_old[TLS_FINGERPRINT_LEN], fp_new[TLS_FINGERPRINT_LEN];
	char *cause = NULL;

	agorad_start(node);
	old = harness_connect(node);
	cert_fingerprint(agorad_cert(node), fp_old);
	ck_assert(tls_fingerprint_equal(client_fingerprint(old), fp_old));

	ck_assert_msg(tls_make_self_signed(agorad_cert(node), agorad_key(node),
			  names, 2, 30, &cause) == 0,
	    "%s", cause);
	cert_fingerprint(agorad_cert(node), fp_new);
	ck_assert(!tls_fingerprint_equal(fp_old, fp_new));
	/* Until the reload, the server still presents the old one. */
	c = harness_try_connect(node, &cause);
	ck_assert_msg(c == NULL, "connected with the new CA before SIGHUP");
	free(cause);
	cause = NULL;

	agorad_signal(node, SIGHUP);
	ck_assert_int_eq(
	    agorad_log_wait(node, "reloaded configuration and certificate", 1,
		HARNESS_TIMEOUT),
	    0);
	c = harness_connect(node);
	ck_assert(tls_fingerprint_equal(client_fingerprint(c), fp_new));
	ping_ok(c);
	/* The connection made before keeps working. */
	ping_ok(old);
	ck_assert(tls_fingerprint_equal(client_fingerprint(old), fp_old));
	client_close(c);
	client_close(old);

	/* A broken key: the reload is refused, the server keeps going. */
	{
		FILE *f = fopen(agorad_key(node), "w");

		ck_assert_ptr_nonnull(f);
		fputs("not a key\n", f);
		fclose(f);
	}
	agorad_signal(node, SIGHUP);
	ck_assert_int_eq(agorad_log_wait(node, "keeping the old certificate", 1,
			     HARNESS_TIMEOUT),
	    0);
	c = harness_connect(node);
	ck_assert(tls_fingerprint_equal(client_fingerprint(c), fp_new));
	ping_ok(c);
	client_close(c);
	agorad_stop_clean(node);
}
END_TEST

START_TEST(test_handshake_timeout)
{
	struct client *c;
	int fd, fd2, ms;

	agorad_set(node, "handshake_timeout = 1");
	agorad_start(node);
	fd = tcp_connect(agorad_port(node));
	/* Half a TLS record header, then nothing. */
	fd2 = tcp_connect(agorad_port(node));
	ck_assert_int_eq(send(fd2, "\x16\x03\x01", 3, MSG_NOSIGNAL), 3);
	/* Others are served meanwhile. */
	c = harness_connect(node);
	ping_ok(c);

	ms = tcp_wait_closed(fd, 5000);
	ck_assert_msg(ms >= 0, "not closed within 5 s");
	ck_assert_msg(ms >= 900, "closed after %d ms, before the timeout", ms);
	ck_assert_int_ge(tcp_wait_closed(fd2, 5000), 0);
	close(fd);
	close(fd2);
	ck_assert_int_ge(agorad_log_count(node, "TLS handshake timed out"), 2);
	/* A client that completed its handshake is not affected. */
	ping_ok(c);
	client_close(c);
	agorad_stop_clean(node);
}
END_TEST

START_TEST(test_idle_timeout)
{
	struct client *idle, *busy;
	char *ev = NULL;
	int64_t start, got = 0;

	agorad_set(node, "idle_timeout = 5");
	agorad_start(node);
	start = now_ms();
	idle = login();
	busy = harness_connect(node);
	/* busy sends a PING every second; idle says nothing. */
	while (now_ms() - start < 8000) {
		ping_ok(busy);
		if (ev != NULL) {
			sleep_ms(1000);
			continue;
		}
		ev = client_next_event(idle, 1000);
		if (ev != NULL && strncmp(ev, "* EVENT ", 8) == 0) {
			free(ev); /* its own login */
			ev = NULL;
		} else if (ev != NULL)
			got = now_ms() - start;
	}
	ck_assert_msg(ev != NULL, "no BYE within 8 s");
	ck_assert_str_eq(ev, "* BYE reason=idle");
	ck_assert_msg(got >= 4500, "BYE after %lld ms", (long long)got);
	free(ev);
	ck_assert_int_eq(harness_wait_closed(idle, HARNESS_TIMEOUT), 0);
	ck_assert_int_eq(agorad_log_count(node, "idle timeout"), 1);
	/* The one that kept talking is still here. */
	ping_ok(busy);
	client_close(busy);
	client_close(idle);
	agorad_stop_clean(node);
}
END_TEST

/*
 * A client that never reads while events are pushed to it is dropped
 * once more than max_output has been queued for it for 10 s (conn.c);
 * one that reads is not. The events come from the database (rows
 * inserted into events, delivered by the real bus) in bursts of about
 * 50 KB, under max_output (64 KiB), though a client that reads may be
 * over it for a moment now (test-message.c's test_burst). The kernel
 * takes the first few MB for the client that does not read (its socket
 * send buffer grows up to net.ipv4.tcp_wmem's maximum, 4 MB by default),
 * so it takes a while.
 */
START_TEST(test_output_queue_full)
{
	struct client *sloth, *reader;
	char *ev;
	int64_t n = 0, seen = 0, start = now_ms();
	int dropped = 0;

	agorad_set(node, "max_output = 65536");
	agorad_start(node);
	sloth = login();
	small_rcvbuf(sloth);
	reader = login();
	while (!dropped && now_ms() - start < 90000) {
		pg_exec("INSERT INTO events (type, user_id, data) SELECT "
			"'test.flood', $1, 'n=' || ($2::int + g) || ' pad=' || "
			"repeat('x', 1000) FROM generate_series(1, 50) g",
		    i64s(uid), i64s(n), NULL);
		n += 50;
		while (seen < n) {
			ev = event_wait(reader, "test.flood", HARNESS_TIMEOUT);
			ck_assert_msg(ev != NULL, "reader: event %lld missing",
			    (long long)seen + 1);
			ck_assert_int_eq(line_i64(ev, "n"), seen + 1);
			seen++;
			free(ev);
		}
		dropped = agorad_log_count(node, "output queue full") > 0;
	}
	ck_assert_msg(dropped, "not dropped after %lld events (%lld MB)",
	    (long long)n, (long long)(n * 1050 / 1000000));
	ck_assert_int_eq(
	    agorad_log_count(node, "closed: output queue full"), 1);
	/* Dropped for staying over the bound (10 s), or for holding eight
	   times it: here the second comes first. A client that reads is
	   not dropped for being over it a moment (test-message.c,
	   test_burst). */

	/* The reader is still connected and gets what comes next. */
	pg_exec("INSERT INTO events (type, user_id, data) VALUES "
		"('test.flood', $1, 'n=' || $2)",
	    i64s(uid), i64s(n + 1), NULL);
	ev = event_wait(reader, "test.flood", HARNESS_TIMEOUT);
	ck_assert_ptr_nonnull(ev);
	ck_assert_int_eq(line_i64(ev, "n"), n + 1);
	free(ev);
	ping_ok(reader);

	/*
	 * The sloth is not read to its end: megabytes wait for it in the
	 * kernel behind a tiny window, and would take minutes to come.
	 */
	close_reset(sloth);
	client_close(reader);
	agorad_stop_clean(node);
}
END_TEST

/*
 * A client that pipelines far more replies than max_output plus what the
 * kernel buffers (about 7 MB of WHOAMI replies) while not reading is
 * paused (the server stops reading its requests), not dropped: it gets
 * every reply once it reads.
 */
START_TEST(test_backpressure)
{
	struct client *c;
	struct client_reply *r;
	char **tags;
	int i, n = 60000;

	agorad_set(node, "max_output = 65536");
	agorad_start(node);
	c = login();
	tags = xcalloc((size_t)n, sizeof *tags);
	for (i = 0; i < n; i++)
		tags[i] = xstrdup(client_send(c, "WHOAMI", NULL));
	/* Write what the server takes without reading anything back. */
	client_flush(c, 2000);
	sleep_ms(500);
	ck_assert_int_eq(agorad_log_count(node, "output queue full"), 0);

	r = client_wait(c, tags[n - 1], 60000);
	ck_assert_msg(r != NULL, "no reply to the last WHOAMI");
	client_reply_free(expect_ok(r));
	for (i = 0; i < n - 1; i++) {
		r = client_take_reply(c, tags[i]);
		ck_assert_msg(r != NULL, "no reply to WHOAMI %d", i);
		ck_assert_msg(
		    r->ok && r->ndata == 1, "WHOAMI %d: \"%s\"", i, r->line);
		client_reply_free(r);
	}
	for (i = 0; i < n; i++)
		free(tags[i]);
	free(tags);
	ck_assert_int_eq(agorad_log_count(node, "output queue full"), 0);
	ping_ok(c);
	client_close(c);
	agorad_stop_clean(node);
}
END_TEST

START_TEST(test_garbage)
{
	static const char http[] = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
	static const char record[] = "\x16\x03\x01\x00\x10garbage garbage!";
	struct client *c;
	unsigned char junk[16384];
	uint32_t x = 2463534242u;
	size_t i;
	int fd, ms;

	agorad_start(node);
	c = login();

	fd = tcp_connect(agorad_port(node));
	send(fd, http, sizeof http - 1, MSG_NOSIGNAL);
	ms = tcp_wait_closed(fd, 5000);
	ck_assert_msg(
	    ms >= 0 && ms < 3000, "HTTP request: closed after %d", ms);
	close(fd);

	for (i = 0; i < sizeof junk; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		junk[i] = (unsigned char)x;
	}
	fd = tcp_connect(agorad_port(node));
	send(fd, junk, sizeof junk, MSG_NOSIGNAL);
	ms = tcp_wait_closed(fd, 5000);
	ck_assert_msg(
	    ms >= 0 && ms < 3000, "random bytes: closed after %d", ms);
	close(fd);

	fd = tcp_connect(agorad_port(node));
	send(fd, record, sizeof record - 1, MSG_NOSIGNAL);
	ms = tcp_wait_closed(fd, 5000);
	ck_assert_msg(
	    ms >= 0 && ms < 3000, "bad TLS record: closed after %d", ms);
	close(fd);

	/* Connect and go, at once or after a byte. */
	for (i = 0; i < 20; i++) {
		fd = tcp_connect(agorad_port(node));
		if (i % 2 == 1)
			send(fd, "\x16", 1, MSG_NOSIGNAL);
		close(fd);
	}

	/* Nobody else noticed. */
	client_reply_free(call_ok(c, "WHOAMI", NULL));
	client_close(c);
	c = login();
	ping_ok(c);
	client_close(c);
	ck_assert_int_ge(agorad_log_count(node, "TLS error"), 3);
	agorad_stop_clean(node);
}
END_TEST

/* All state is in PostgreSQL: kill -9 loses no session. */
START_TEST(test_kill9)
{
	struct client *c;
	struct client_reply *r;
	char *token;

	agorad_start(node);
	c = harness_login(node, email, HARNESS_PASSWORD, &token);
	agorad_kill(node);
	ck_assert_int_eq(harness_wait_closed(c, HARNESS_TIMEOUT), 0);
	client_close(c);

	agorad_start(node);
	c = harness_connect(node);
	r = call_ok(c, "SESSION.RESUME", "token", token, NULL);
	ck_assert_int_eq(line_i64(r->line, "user"), uid);
	client_reply_free(r);
	client_reply_free(call_ok(c, "WHOAMI", NULL));
	client_reply_free(call_ok(c, "SYNC", "since", "0", NULL));
	client_close(c);
	free(token);
	agorad_stop_clean(node);
}
END_TEST

static Suite *
resilience_suite(void)
{
	Suite *s = suite_create("resilience");
	TCase *tc = harness_tcase("resilience");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_disconnect_mid_request);
	tcase_add_test(tc, test_pg_restart_under_server);
	tcase_add_test(tc, test_sigterm_bye);
	tcase_add_test(tc, test_sigterm_in_flight);
	tcase_add_test(tc, test_sighup_config);
	tcase_add_test(tc, test_sighup_certificate);
	tcase_add_test(tc, test_handshake_timeout);
	tcase_add_test(tc, test_idle_timeout);
	tcase_add_test(tc, test_output_queue_full);
	tcase_add_test(tc, test_backpressure);
	tcase_add_test(tc, test_garbage);
	tcase_add_test(tc, test_kill9);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return harness_run(resilience_suite());
}
