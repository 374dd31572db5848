/*
 * Events: pushed to the connections allowed to see them and only those,
 * in seq order, across agorad nodes sharing one database (LISTEN/NOTIFY),
 * replayed by SYNC, and still delivered after the event bus loses the
 * database (a PostgreSQL restart, or its connection killed).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "harness.h"
#include "xmalloc.h"

static struct agorad *node;
static char *alice, *bob; /* e-mail addresses */
static char *ws;          /* alice's workspace */
static int64_t alice_id, bob_id;

static void
setup(void)
{
	char *w;

	node = agorad_new(NULL);
	alice = harness_email("alice");
	bob = harness_email("bob");
	ws = harness_workspace("Acme");
	alice_id = agorad_user_add(
	    node, alice, "Alice Martin", HARNESS_PASSWORD, ws, "admin");
	w = harness_email("ws");
	bob_id = agorad_user_add(
	    node, bob, "Bob Chen", HARNESS_PASSWORD, w, "owner");
	free(w);
}

static void
teardown(void)
{
	if (node != NULL && agorad_running(node))
		agorad_stop_clean(node);
	free(alice);
	free(bob);
	free(ws);
	alice = bob = ws = NULL;
	node = NULL;
}

/* Connects to a node and logs in; *sid gets the session id. */
static struct client *
login(struct agorad *a, const char *email, int64_t *sid, char **token)
{
	struct client *c = harness_connect(a);
	struct client_reply *r;

	r = call_ok(
	    c, "LOGIN", "email", email, "password", HARNESS_PASSWORD, NULL);
	*sid = line_i64(r->line, "session");
	if (token != NULL)
		*token = xstrdup(client_reply_get(r, "token"));
	client_reply_free(r);
	return c;
}

/*
 * The pushed event of this type for session sid, skipping others (such as
 * the connection's own login); NULL if it did not come in time.
 */
static char *
wait_session_event(
    struct client *c, const char *type, int64_t sid, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;
	char *ev;

	for (;;) {
		ev = event_wait(c, type, (int)(deadline - now_ms()));
		if (ev == NULL)
			return NULL;
		if (line_is(ev, "session", i64s(sid)))
			return ev;
		free(ev);
	}
}

/* The seqs the user may see after since, by the database: "1,5,9". */
static char *
visible_seqs(int64_t user, int64_t since)
{
	char *s;

	s = pg_text(
	    "SELECT string_agg(seq::text, ',' ORDER BY seq) FROM events "
	    "WHERE seq > $1 AND (user_id = $2 OR workspace_id IN (SELECT "
	    "workspace_id FROM memberships WHERE user_id = $2))",
	    i64s(since), i64s(user), NULL);
	return s != NULL ? s : xstrdup("");
}

/*
 * SYNC from since until more=0, checking each page; returns the seqs as
 * "1,5,9" and *last the final resume point.
 */
static char *
sync_all(struct client *c, int64_t since, int64_t *last, int *pages)
{
	struct client_reply *r;
	struct buf *b = buf_new(0);
	int64_t seq, prev = since;
	char *s, *w;
	int more;

	*pages = 0;
	do {
		r = call_ok(c, "SYNC", "since", i64s(since), NULL);
		(*pages)++;
		for (size_t i = 0; i < r->ndata; i++) {
			w = line_word(r->data[i]);
			ck_assert_msg(w != NULL && strcmp(w, "EVENT") == 0,
			    "SYNC data line \"%s\"", r->data[i]);
			free(w);
			seq = line_i64(r->data[i], "seq");
			ck_assert_msg(seq > prev, "SYNC: seq %lld after %lld",
			    (long long)seq, (long long)prev);
			prev = seq;
			buf_printf(b, "%s%lld", buf_len(b) > 0 ? "," : "",
			    (long long)seq);
		}
		since = line_i64(r->line, "seq");
		ck_assert_msg(since >= prev,
		    "SYNC: resume point %lld before the last event %lld",
		    (long long)since, (long long)prev);
		more = (int)line_i64(r->line, "more");
		client_reply_free(r);
	} while (more);
	*last = since;
	buf_add_char(b, '\0');
	s = buf_take(b);
	buf_free(b);
	return s;
}

/* Whether two lists of seqs ("1,5,9") have one in common. */
static int
lists_meet(const char *a, const char *b)
{
	const char *p, *q;
	size_t n, m;

	for (p = b; *p != '\0'; p += n + (p[n] == ',')) {
		n = strcspn(p, ",");
		for (q = a; *q != '\0'; q += m + (q[m] == ',')) {
			m = strcspn(q, ",");
			if (m == n && strncmp(p, q, n) == 0)
				return 1;
		}
	}
	return 0;
}

START_TEST(test_push_same_user)
{
	struct client *a, *b;
	char *ev, *w;
	int64_t a_sid, b_sid, seq;

	agorad_start(node);
	a = login(node, alice, &a_sid, NULL);
	b = login(node, alice, &b_sid, NULL);

	ev = wait_session_event(a, "session.login", b_sid, HARNESS_TIMEOUT);
	ck_assert_msg(ev != NULL, "A got no session.login for B");
	ck_assert_msg(strncmp(ev, "* EVENT seq=", 12) == 0, "got \"%s\"", ev);
	w = line_word(ev);
	ck_assert_str_eq(w, "EVENT");
	free(w);
	seq = pg_i64("SELECT seq FROM events WHERE user_id = $1 AND type = "
		     "'session.login' AND data LIKE 'session=' || $2 || ' %'",
	    i64s(alice_id), i64s(b_sid), NULL);
	ck_assert_int_eq(line_i64(ev, "seq"), seq);
	ck_assert(line_is(ev, "address", "127.0.0.1"));
	free(ev);

	client_reply_free(call_ok(b, "LOGOUT", NULL));
	ev = wait_session_event(a, "session.logout", b_sid, HARNESS_TIMEOUT);
	ck_assert_msg(ev != NULL, "A got no session.logout for B");
	ck_assert_int_gt(line_i64(ev, "seq"), seq);
	free(ev);
	/* A still works. */
	client_reply_free(call_ok(a, "WHOAMI", NULL));
	client_close(b);
	client_close(a);
}
END_TEST

START_TEST(test_push_order)
{
	struct client *a;
	char *ev;
	int64_t sid, seq, prev;
	int i;

	agorad_start(node);
	a = login(node, alice, &sid, NULL);
	/* Wait for our own login, if it comes: the burst must follow it. */
	free(wait_session_event(a, "session.login", sid, 1000));
	prev = pg_i64("SELECT last FROM event_seq", NULL);
	pg_exec("INSERT INTO events (type, user_id, data) SELECT 'test.burst', "
		"$1, 'n=' || g FROM generate_series(1, 300) g",
	    i64s(alice_id), NULL);
	for (i = 1; i <= 300; i++) {
		ev = client_next_event(a, HARNESS_TIMEOUT);
		ck_assert_msg(ev != NULL, "event %d of 300 missing", i);
		ck_assert_msg(line_is(ev, "type", "test.burst") &&
			line_is(ev, "n", i64s(i)),
		    "event %d: \"%s\"", i, ev);
		seq = line_i64(ev, "seq");
		ck_assert_int_gt(seq, prev);
		prev = seq;
		free(ev);
	}
	client_close(a);
}
END_TEST

START_TEST(test_not_pushed_to_others)
{
	struct client *a, *c, *d, *b;
	char *ev, *carol;
	int64_t a_sid, b_sid, c_sid, d_sid, carol_id;
	int saw_d = 0;

	agorad_start(node);
	a = login(node, alice, &a_sid, NULL);
	c = login(node, bob, &c_sid, NULL);

	/* Alice's session event and a new member of her workspace. */
	b = login(node, alice, &b_sid, NULL);
	ev = wait_session_event(a, "session.login", b_sid, HARNESS_TIMEOUT);
	ck_assert_ptr_nonnull(ev);
	free(ev);
	carol = harness_email("carol");
	carol_id = agorad_user_add(
	    node, carol, "Carol D\303\255az", HARNESS_PASSWORD, ws, "member");
	ev = event_wait(a, "member.added", HARNESS_TIMEOUT);
	ck_assert_msg(ev != NULL, "alice got no member.added");
	ck_assert_int_eq(line_i64(ev, "user"), carol_id);
	ck_assert(line_is(ev, "name", "Carol D\303\255az"));
	ck_assert(line_is(ev, "email", carol));
	ck_assert(line_is(ev, "role", "member"));
	free(ev);

	/* Then one of Bob's. Events come in seq order, so anything of
	 * Alice's that reached Bob would come before it. */
	d = login(node, bob, &d_sid, NULL);
	while (!saw_d) {
		ev = client_next_event(c, HARNESS_TIMEOUT);
		ck_assert_msg(ev != NULL, "bob got no session.login for D");
		ck_assert_msg(line_is(ev, "type", "session.login") &&
			(line_is(ev, "session", i64s(c_sid)) ||
			    line_is(ev, "session", i64s(d_sid))),
		    "bob got someone else's event: \"%s\"", ev);
		saw_d = line_is(ev, "session", i64s(d_sid));
		free(ev);
	}
	/* And the other way round. */
	client_reply_free(call_ok(a, "PING", NULL));
	while ((ev = client_next_event(a, 500)) != NULL) {
		ck_assert_msg(!line_is(ev, "session", i64s(d_sid)) &&
			!line_is(ev, "session", i64s(c_sid)),
		    "alice got bob's event: \"%s\"", ev);
		free(ev);
	}
	/* Nothing at all for a connection without a session. */
	client_close(d);
	d = harness_connect(node);
	client_close(b);
	b = login(node, alice, &b_sid, NULL);
	ev = wait_session_event(a, "session.login", b_sid, HARNESS_TIMEOUT);
	ck_assert_ptr_nonnull(ev);
	free(ev);
	ck_assert_ptr_null(client_next_event(d, 300));
	client_close(d);
	client_close(b);
	client_close(c);
	client_close(a);
	free(carol);
}
END_TEST

START_TEST(test_sync)
{
	struct client *a, *b;
	char *token, *got, *want, *bobs;
	int64_t sid, last, last2, x;
	int pages;

	agorad_start(node);
	a = login(node, alice, &sid, &token);
	/* Everything Alice may see, as the database says, in order. */
	got = sync_all(a, 0, &last, &pages);
	want = visible_seqs(alice_id, 0);
	ck_assert_str_eq(got, want);
	ck_assert_int_eq(pages, 1);
	ck_assert_int_ge(last,
	    pg_i64("SELECT max(seq) FROM events WHERE user_id = $1",
		i64s(alice_id), NULL));
	free(got);
	free(want);
	/* Nothing new since: nothing returned, and the point holds. */
	got = sync_all(a, last, &last2, &pages);
	ck_assert_str_eq(got, "");
	ck_assert_int_ge(last2, last);
	free(got);
	client_close(a);

	/* While A is away: Alice logs in and out elsewhere, Bob logs in. */
	b = login(node, alice, &x, NULL);
	client_reply_free(call_ok(b, "LOGOUT", NULL));
	client_close(b);
	b = login(node, bob, &x, NULL);
	client_close(b);

	/* Back: resume, then SYNC replays exactly what A missed. */
	a = harness_connect(node);
	client_reply_free(call_ok(a, "SESSION.RESUME", "token", token, NULL));
	got = sync_all(a, last, &last2, &pages);
	want = visible_seqs(alice_id, last);
	ck_assert_str_eq(got, want);
	ck_assert_msg(strchr(got, ',') != NULL,
	    "expected at least two events, got \"%s\"", got);
	free(got);
	free(want);
	got = sync_all(a, last2, &last, &pages);
	ck_assert_str_eq(got, "");
	free(got);
	/* Bob's events are in his SYNC, never in Alice's. */
	got = sync_all(a, 0, &last, &pages);
	bobs = pg_text("SELECT string_agg(seq::text, ',') FROM events "
		       "WHERE user_id = $1",
	    i64s(bob_id), NULL);
	ck_assert_ptr_nonnull(bobs);
	ck_assert_msg(!lists_meet(got, bobs),
	    "Alice's SYNC (%s) has some of "
	    "Bob's events (%s)",
	    got, bobs);
	free(got);
	client_close(a);
	a = login(node, bob, &x, NULL);
	got = sync_all(a, 0, &last, &pages);
	want = visible_seqs(bob_id, 0);
	ck_assert_str_eq(got, want);
	ck_assert_msg(lists_meet(got, bobs),
	    "Bob's SYNC (%s) lacks his events "
	    "(%s)",
	    got, bobs);
	free(got);
	free(want);
	free(bobs);
	client_close(a);
	free(token);
}
END_TEST

START_TEST(test_sync_paging)
{
	struct client *a;
	char *got, *want;
	int64_t sid, last;
	int pages;

	agorad_set(node, "sync_limit = 2");
	agorad_start(node);
	pg_exec("INSERT INTO events (type, user_id, data) SELECT 'test.page', "
		"$1, 'n=' || g FROM generate_series(1, 7) g",
	    i64s(alice_id), NULL);
	a = login(node, alice, &sid, NULL);
	got = sync_all(a, 0, &last, &pages);
	want = visible_seqs(alice_id, 0);
	ck_assert_str_eq(got, want);
	/* At least 9 events (member.added, 7, the login) in pages of 2. */
	ck_assert_int_ge(pages, 5);
	free(got);
	free(want);
	client_close(a);
}
END_TEST

/* A since beyond every event (a restored database) is answered with the
 * server's latest seq, so the client starts over from it. */
START_TEST(test_sync_beyond_latest)
{
	struct client_reply *r;
	struct client *a;
	int64_t sid, latest;

	agorad_start(node);
	a = login(node, alice, &sid, NULL);
	latest = pg_i64("SELECT last FROM event_seq", NULL);
	r = call_ok(a, "SYNC", "since", "9000000000", NULL);
	ck_assert_uint_eq(r->ndata, 0);
	ck_assert_int_eq(line_i64(r->line, "seq"), latest);
	ck_assert_int_eq(line_i64(r->line, "more"), 0);
	client_reply_free(r);
	client_close(a);
}
END_TEST

/* Two agorad nodes on one database: events cross between them. */
START_TEST(test_two_nodes)
{
	struct agorad *other;
	struct client *a, *b, *c, *d;
	struct client_reply *r;
	char *ev, *got, *want, *token;
	int64_t a_sid, b_sid, c_sid, last;
	int pages;

	other = agorad_new(NULL);
	agorad_start(node);
	agorad_start(other);

	/* B on the other node; Alice logs in on the first. */
	b = login(other, alice, &b_sid, NULL);
	a = login(node, alice, &a_sid, NULL);
	ev = wait_session_event(b, "session.login", a_sid, HARNESS_TIMEOUT);
	ck_assert_msg(ev != NULL, "no event on node 2 for a login on node 1");
	ck_assert_int_eq(line_i64(ev, "seq"),
	    pg_i64("SELECT seq FROM events "
		   "WHERE type = 'session.login' AND data LIKE 'session=' || "
		   "$1 || ' %'",
		i64s(a_sid), NULL));
	free(ev);
	/* And the other way. */
	c = login(other, alice, &c_sid, &token);
	ev = wait_session_event(a, "session.login", c_sid, HARNESS_TIMEOUT);
	ck_assert_msg(ev != NULL, "no event on node 1 for a login on node 2");
	free(ev);
	/* A session made on one node resumes on the other... */
	d = harness_connect(node);
	r = call_ok(d, "SESSION.RESUME", "token", token, NULL);
	ck_assert_int_eq(line_i64(r->line, "session"), c_sid);
	client_reply_free(r);
	/* ...and a logout on one ends it on the other. */
	client_reply_free(call_ok(c, "LOGOUT", NULL));
	ev = wait_session_event(a, "session.logout", c_sid, HARNESS_TIMEOUT);
	ck_assert_msg(ev != NULL, "no session.logout across nodes");
	free(ev);
	ev = wait_session_event(d, "session.logout", c_sid, HARNESS_TIMEOUT);
	ck_assert_msg(ev != NULL, "no session.logout for the resumed session");
	free(ev);
	call_err(d, "auth_required", "WHOAMI", NULL);
	client_reply_free(call_ok(a, "WHOAMI", NULL));
	client_close(d);
	client_close(c);
	/* SYNC on either node says the same. */
	got = sync_all(b, 0, &last, &pages);
	want = visible_seqs(alice_id, 0);
	ck_assert_str_eq(got, want);
	free(got);
	got = sync_all(a, 0, &last, &pages);
	ck_assert_str_eq(got, want);
	free(got);
	free(want);

	client_close(a);
	client_close(b);
	agorad_stop_clean(other);
	agorad_free(other);
	free(token);
}
END_TEST

/*
 * The bus loses its connection and cannot get it back for a while (the
 * database refuses new connections from agora); events committed meanwhile
 * through the server's workers must arrive once it reconnects.
 */
START_TEST(test_bus_catch_up)
{
	PGconn *pg;
	struct client *a, *b;
	char *ev;
	int64_t a_sid, sids[3];
	int i;

	agorad_start(node);
	a = login(node, alice, &a_sid, NULL);
	free(wait_session_event(a, "session.login", a_sid, 1000));

	pg = pg_connect("postgres");
	pg_must(pg, "ALTER DATABASE agora CONNECTION LIMIT 0");
	pg_must(pg,
	    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
	    "WHERE application_name = 'agorad-bus' AND datname = 'agora'");
	ck_assert_int_eq(agorad_log_wait(node, "event bus: lost the database",
			     1, HARNESS_TIMEOUT),
	    0);

	/* The workers still have their connections: logins work. */
	for (i = 0; i < 3; i++) {
		b = login(node, alice, &sids[i], NULL);
		client_close(b);
	}
	/* Nothing is pushed while the bus is away. */
	ev = client_next_event(a, 1500);
	ck_assert_msg(ev == NULL, "pushed while the bus was down: \"%s\"", ev);

	pg_must(pg, "ALTER DATABASE agora CONNECTION LIMIT -1");
	PQfinish(pg);
	for (i = 0; i < 3; i++) {
		ev = wait_session_event(
		    a, "session.login", sids[i], HARNESS_TIMEOUT);
		ck_assert_msg(ev != NULL,
		    "missed event %d not delivered after the bus reconnected",
		    i);
		free(ev);
	}
	/* And live events flow again. */
	b = login(node, alice, &sids[0], NULL);
	ev = wait_session_event(a, "session.login", sids[0], HARNESS_TIMEOUT);
	ck_assert_ptr_nonnull(ev);
	free(ev);
	client_close(b);
	client_close(a);
}
END_TEST

START_TEST(test_pg_restart)
{
	struct client *a, *b;
	struct client_reply *r;
	char *ev;
	int64_t a_sid, b_sid, deadline;

	agorad_start(node);
	a = login(node, alice, &a_sid, NULL);
	free(wait_session_event(a, "session.login", a_sid, 1000));

	pg_restart();
	/* Log in again elsewhere, retrying while the server reconnects. */
	b = harness_connect(node);
	deadline = now_ms() + HARNESS_TIMEOUT;
	for (;;) {
		r = client_call(b, "LOGIN", "email", alice, "password",
		    HARNESS_PASSWORD, NULL);
		ck_assert_ptr_nonnull(r);
		if (r->ok)
			break;
		ck_assert_msg(strcmp(r->code, "unavailable") == 0,
		    "LOGIN after restart: \"%s\"", r->line);
		ck_assert_msg(now_ms() < deadline, "still unavailable");
		client_reply_free(r);
		sleep_ms(200);
	}
	b_sid = line_i64(r->line, "session");
	client_reply_free(r);
	ev = wait_session_event(a, "session.login", b_sid, HARNESS_TIMEOUT);
	ck_assert_msg(ev != NULL, "no event after the PostgreSQL restart");
	free(ev);
	client_close(b);
	client_close(a);
}
END_TEST

static Suite *
events_suite(void)
{
	Suite *s = suite_create("events");
	TCase *tc = harness_tcase("events");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_push_same_user);
	tcase_add_test(tc, test_push_order);
	tcase_add_test(tc, test_not_pushed_to_others);
	tcase_add_test(tc, test_sync);
	tcase_add_test(tc, test_sync_paging);
	tcase_add_test(tc, test_sync_beyond_latest);
	tcase_add_test(tc, test_two_nodes);
	tcase_add_test(tc, test_bus_catch_up);
	tcase_add_test(tc, test_pg_restart);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return harness_run(events_suite());
}
