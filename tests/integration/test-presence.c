/*
 * Presence: a professional contact going online and offline, seen by the
 * others (presence events and CONTACTS' online=), once per change however
 * many connections and nodes the user has; a clean shutdown and a killed
 * node (swept by the survivor) both end their users' presence; people
 * who are not contacts hear nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "xmalloc.h"

/* A killed node is swept 15 s after its last heartbeat (5 s apart),
   at the survivor's next heartbeat: at most 25 s. */
#define SWEEP_TIMEOUT	40000

static struct agorad *node;
static char *ws, *alice, *bob, *carol, *dan, *eve;
static int64_t alice_id, bob_id, carol_id, dan_id, eve_id;

/* Waits until the nodes count n connections of user in all. */
static void
wait_connections(int64_t user, int n)
{
	int64_t end = now_ms() + HARNESS_TIMEOUT, got;

	for (;;) {
		got = pg_i64("SELECT coalesce(sum(connections), 0) FROM"
		    " presence WHERE user_id = $1", i64s(user), NULL);
		if (got == n)
			return;
		ck_assert_msg(now_ms() < end, "user %lld: %lld connections "
		    "counted, not %d", (long long)user, (long long)got, n);
		sleep_ms(20);
	}
}

/*
 * Alice's network has Bob and Dan active (her professional contacts, and
 * each other's) and Eve pending (nobody's contact). Carol shares only a
 * plain space with Alice: not a contact either.
 */
static void
setup(void)
{
	struct client *a;
	struct client_reply *r;
	int64_t network, room;

	node = agorad_new(NULL);
	ws = harness_workspace("Acme");
	alice = harness_email("alice");
	bob = harness_email("bob");
	carol = harness_email("carol");
	dan = harness_email("dan");
	eve = harness_email("eve");
	alice_id = agorad_user_add(node, alice, "Alice Martin",
	    HARNESS_PASSWORD, ws, "member");
	bob_id = agorad_user_add(node, bob, "Bob Chen", HARNESS_PASSWORD, ws,
	    "member");
	carol_id = agorad_user_add(node, carol, "Carol Plain",
	    HARNESS_PASSWORD, NULL, NULL);
	dan_id = agorad_user_add(node, dan, "Dan Both", HARNESS_PASSWORD,
	    NULL, NULL);
	eve_id = agorad_user_add(node, eve, "Eve Pending", HARNESS_PASSWORD,
	    NULL, NULL);
	pg_exec("UPDATE workspaces SET plan = 'pro' WHERE name = $1", ws,
	    NULL);
	agorad_start(node);
	a = harness_login(node, alice, HARNESS_PASSWORD, NULL);
	/* Her presence settles before anyone is her contact, so that no
	   test hears of this connection. */
	wait_connections(alice_id, 1);
	r = call_ok(a, "SPACE.CREATE", "title", "Partners", "network", "1",
	    NULL);
	network = strtoll(client_reply_get(r, "space"), NULL, 10);
	client_reply_free(r);
	r = call_ok(a, "SPACE.CREATE", "title", "Deal room", NULL);
	room = strtoll(client_reply_get(r, "space"), NULL, 10);
	client_reply_free(r);
	client_close(a);
	wait_connections(alice_id, 0);
	harness_participant(network, bob_id, "internal", "active");
	harness_participant(network, dan_id, "external", "active");
	harness_participant(network, eve_id, "external", "pending");
	harness_participant(room, carol_id, "external", "active");
}

static void
teardown(void)
{
	if (node != NULL && agorad_running(node))
		agorad_stop_clean(node);
	free(ws);
	free(alice);
	free(bob);
	free(carol);
	free(dan);
	free(eve);
	node = NULL;
}

static struct client *
login_at(struct agorad *at, const char *email, char **token)
{
	return harness_login(at, email, HARNESS_PASSWORD, token);
}

/*
 * The next presence event about user on c, which must say online. Events
 * about a user alternate, so a wrong value is a failure, not skipped.
 */
#define wait_presence(c, user, online, ms) \
	wait_presence_at(__FILE__, __LINE__, (c), (user), (online), (ms))
static void
wait_presence_at(const char *file, int line, struct client *c, int64_t user,
    int online, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;
	char *ev;

	for (;;) {
		ev = event_wait(c, "presence", (int)(deadline - now_ms()));
		ck_assert_msg(ev != NULL, "%s:%d: no presence user=%lld "
		    "online=%d", file, line, (long long)user, online);
		if (line_i64(ev, "user") == user)
			break;
		free(ev);
	}
	ck_assert_msg(line_i64(ev, "online") == online, "%s:%d: got %s",
	    file, line, ev);
	free(ev);
}

/* Presence events about user to whom, saying online, in the database. */
static int64_t
presence_events(int64_t to, int64_t user, int online)
{
	char data[64];

	snprintf(data, sizeof data, "user=%lld online=%d", (long long)user,
	    online);
	return pg_i64("SELECT count(*) FROM events WHERE type = 'presence'"
	    " AND user_id = $1 AND data = $2", i64s(to), data, NULL);
}

/* CONTACTS' online= for user, as c sees it. */
static int
contact_online(struct client *c, int64_t user)
{
	struct client_reply *r = call_ok(c, "CONTACTS", NULL);
	int online = -1;

	for (size_t i = 0; i < r->ndata; i++)
		if (line_i64(r->data[i], "user") == user)
			online = (int)line_i64(r->data[i], "online");
	client_reply_free(r);
	ck_assert_msg(online != -1, "user %lld is not a contact",
	    (long long)user);
	return online;
}

/* A node's id, from its log. Caller frees. */
static char *
node_id(struct agorad *a)
{
	const char *needle = "presence: this node is ";
	char *log, *p, *id;

	ck_assert_int_eq(agorad_log_wait(a, needle, 1, HARNESS_TIMEOUT), 0);
	log = agorad_log(a);
	p = strstr(log, needle) + strlen(needle);
	id = xstrndup(p, strspn(p, "0123456789abcdef"));
	free(log);
	ck_assert_uint_eq(strlen(id), 32);
	return id;
}

START_TEST(test_online_offline)
{
	struct client *b = login_at(node, bob, NULL), *a1, *a2, *a3;
	struct client_reply *r;
	char *token;

	a1 = login_at(node, alice, NULL);
	wait_presence(b, alice_id, 1, HARNESS_TIMEOUT);
	ck_assert_int_eq(contact_online(b, alice_id), 1);
	/* Bob was online already: Alice sees it without an event. */
	ck_assert_int_eq(contact_online(a1, bob_id), 1);
	/* A second connection changes nothing for the others... */
	a2 = login_at(node, alice, NULL);
	wait_connections(alice_id, 2);
	ck_assert_int_eq(presence_events(bob_id, alice_id, 1), 1);
	/* ...nor does closing one of the two. */
	client_close(a1);
	wait_connections(alice_id, 1);
	ck_assert_int_eq(presence_events(bob_id, alice_id, 0), 0);
	ck_assert_int_eq(contact_online(b, alice_id), 1);
	/* The last one gone, she is offline. */
	client_close(a2);
	wait_presence(b, alice_id, 0, HARNESS_TIMEOUT);
	ck_assert_int_eq(contact_online(b, alice_id), 0);
	ck_assert_int_eq(presence_events(bob_id, alice_id, 0), 1);

	/* LOGOUT ends presence with the connection still open... */
	a3 = login_at(node, alice, &token);
	wait_presence(b, alice_id, 1, HARNESS_TIMEOUT);
	client_reply_free(call_ok(a3, "LOGOUT", NULL));
	wait_presence(b, alice_id, 0, HARNESS_TIMEOUT);
	free(token);
	/* ...and SESSION.RESUME starts it. */
	a1 = login_at(node, alice, &token);
	wait_presence(b, alice_id, 1, HARNESS_TIMEOUT);
	client_close(a1);
	wait_presence(b, alice_id, 0, HARNESS_TIMEOUT);
	r = call_ok(a3, "SESSION.RESUME", "token", token, NULL);
	client_reply_free(r);
	wait_presence(b, alice_id, 1, HARNESS_TIMEOUT);
	client_close(a3);
	wait_presence(b, alice_id, 0, HARNESS_TIMEOUT);
	free(token);
	client_close(b);
}
END_TEST

/* Reads c's events up to the session.login of session sid; returns how
   many presence events came before it (events come in seq order). */
static int
presence_before_login(struct client *c, int64_t sid)
{
	int64_t deadline = now_ms() + HARNESS_TIMEOUT;
	int n = 0;
	char *ev;

	for (;;) {
		ev = client_next_event(c, (int)(deadline - now_ms()));
		ck_assert_msg(ev != NULL, "no session.login marker");
		if (line_is(ev, "type", "presence"))
			n++;
		if (line_is(ev, "type", "session.login") &&
		    line_is(ev, "session", i64s(sid))) {
			free(ev);
			return n;
		}
		free(ev);
	}
}

START_TEST(test_not_to_non_contacts)
{
	struct client *b = login_at(node, bob, NULL);
	struct client *c = login_at(node, carol, NULL);
	struct client *e = login_at(node, eve, NULL);
	struct client *a, *m;
	struct client_reply *r;
	int64_t sid;

	a = login_at(node, alice, NULL);
	wait_presence(b, alice_id, 1, HARNESS_TIMEOUT);
	client_close(a);
	wait_presence(b, alice_id, 0, HARNESS_TIMEOUT);
	/* Carol shares a space with Alice, Eve is only invited to the
	   network: neither is told anything, of Alice or of Bob. */
	for (int i = 0; i < 2; i++) {
		int64_t who = i == 0 ? carol_id : eve_id;

		ck_assert_int_eq(pg_i64("SELECT count(*) FROM events WHERE"
		    " type = 'presence' AND user_id = $1", i64s(who), NULL),
		    0);
		m = harness_connect(node);
		r = call_ok(m, "LOGIN", "email", i == 0 ? carol : eve,
		    "password", HARNESS_PASSWORD, NULL);
		sid = line_i64(r->line, "session");
		client_reply_free(r);
		ck_assert_int_eq(presence_before_login(i == 0 ? c : e, sid),
		    0);
		client_close(m);
	}
	/* Nor is anyone told of them. */
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM events WHERE"
	    " type = 'presence' AND (data LIKE 'user=' || $1 || ' %'"
	    " OR data LIKE 'user=' || $2 || ' %')", i64s(carol_id),
	    i64s(eve_id), NULL), 0);
	client_close(b);
	client_close(c);
	client_close(e);
}
END_TEST

START_TEST(test_two_nodes)
{
	struct agorad *other = agorad_new(NULL);
	struct client *b, *a1, *a2;
	char *id;

	agorad_start(other);
	b = login_at(node, bob, NULL);
	a1 = login_at(other, alice, NULL);
	wait_presence(b, alice_id, 1, HARNESS_TIMEOUT);
	ck_assert_int_eq(contact_online(b, alice_id), 1);
	/* Online on both nodes: once. Offline on one: still online. */
	a2 = login_at(node, alice, NULL);
	wait_connections(alice_id, 2);
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM presence WHERE"
	    " user_id = $1", i64s(alice_id), NULL), 2);
	client_close(a1);
	wait_connections(alice_id, 1);
	ck_assert_int_eq(presence_events(bob_id, alice_id, 1), 1);
	ck_assert_int_eq(presence_events(bob_id, alice_id, 0), 0);
	client_close(a2);
	wait_presence(b, alice_id, 0, HARNESS_TIMEOUT);
	ck_assert_int_eq(contact_online(b, alice_id), 0);

	/* A clean shutdown takes the node's rows and says so at once. */
	id = node_id(other);
	a1 = login_at(other, alice, NULL);
	wait_presence(b, alice_id, 1, HARNESS_TIMEOUT);
	agorad_stop_clean(other);
	wait_presence(b, alice_id, 0, HARNESS_TIMEOUT);
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM nodes WHERE id = $1",
	    id, NULL), 0);
	ck_assert_int_eq(contact_online(b, alice_id), 0);
	client_close(a1);
	client_close(b);
	free(id);
	agorad_free(other);
}
END_TEST

START_TEST(test_node_killed)
{
	struct agorad *other = agorad_new(NULL);
	struct client *b, *a, *d1, *d2;
	char *id, *want;

	agorad_start(other);
	id = node_id(other);
	b = login_at(node, bob, NULL);
	/* Alice only on the node that dies; Dan on both. */
	a = login_at(other, alice, NULL);
	wait_presence(b, alice_id, 1, HARNESS_TIMEOUT);
	d1 = login_at(other, dan, NULL);
	wait_presence(b, dan_id, 1, HARNESS_TIMEOUT);
	d2 = login_at(node, dan, NULL);
	wait_connections(dan_id, 2);
	agorad_kill(other);
	/* The survivor sweeps it and announces Alice, not Dan. */
	wait_presence(b, alice_id, 0, SWEEP_TIMEOUT);
	xasprintf(&want, "presence: node %s is gone", id);
	ck_assert_int_eq(agorad_log_count(node, want), 1);
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM nodes WHERE id = $1",
	    id, NULL), 0);
	ck_assert_int_eq(presence_events(bob_id, dan_id, 0), 0);
	ck_assert_int_eq(contact_online(b, dan_id), 1);
	ck_assert_int_eq(contact_online(b, alice_id), 0);
	/* Dan's connection to the dead node is gone; his other one counts. */
	wait_connections(dan_id, 1);
	client_close(d2);
	wait_presence(b, dan_id, 0, HARNESS_TIMEOUT);
	client_close(a);
	client_close(d1);
	client_close(b);
	free(want);
	free(id);
	agorad_free(other);
}
END_TEST

static Suite *
presence_suite(void)
{
	Suite *s = suite_create("presence");
	TCase *tc = harness_tcase("presence");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_online_offline);
	tcase_add_test(tc, test_not_to_non_contacts);
	tcase_add_test(tc, test_two_nodes);
	tcase_add_test(tc, test_node_killed);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return harness_run(presence_suite());
}
