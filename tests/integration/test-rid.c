/*
 * Idempotent requests (agora-protocol(7), IDEMPOTENT REQUESTS; server/rid.h)
 * against two real agorad nodes on one database.
 *
 * Every verb the command table flags CMD_RID has a fixture here: a
 * request that succeeds. It is sent with a rid on one node, then again
 * with the same rid on the other, and the second reply must be the first
 * (but for the tag) while nothing in the database moved. The test reads
 * the table itself (cmd_foreach), so a verb flagged without a fixture, or
 * a fixture for a verb no longer flagged, fails it.
 *
 * Then what a rid must not do: answer another user, be malformed, answer
 * another verb; what it must do when a retry races the first request, and
 * once its reply expired; and the client library's one retry across a
 * dropped connection (through a proxy that drops it after the change was
 * committed, before the reply reaches the client).
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cmd.h"
#include "harness.h"
#include "proxy.h"
#include "proto.h"
#include "xmalloc.h"

#define HELLO_SHA256 \
	"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
#define HELLO_BASE64 "aGVsbG8="

static struct agorad *node, *node2;
static char *ws, *alice, *bob, *carol;
static int64_t alice_id, bob_id, carol_id;
/* Each user on each node: [user][node]. 0 alice, 1 bob. */
static struct client *cl[2][2];

static void
setup(void)
{
	char *out = NULL;

	node = agorad_new(NULL);
	ws = harness_workspace("Acme");
	alice = harness_email("alice");
	bob = harness_email("bob");
	carol = harness_email("carol");
	alice_id = agorad_user_add(node, alice, "Alice Martin",
	    HARNESS_PASSWORD, ws, "member");
	bob_id = agorad_user_add(node, bob, "Bob Chen", HARNESS_PASSWORD, ws,
	    "member");
	carol_id = agorad_user_add(node, carol, "Carol Day", HARNESS_PASSWORD,
	    NULL, NULL);
	/* Networks and contacts need a paid plan. */
	ck_assert_int_eq(agorad_run(node, NULL, &out, "workspace", "plan", ws,
	    "pro", NULL), 0);
	free(out);
	node2 = agorad_new(NULL);
	agorad_start(node);
	agorad_start(node2);
}

static void
teardown(void)
{
	for (int u = 0; u < 2; u++)
		for (int n = 0; n < 2; n++) {
			client_close(cl[u][n]);
			cl[u][n] = NULL;
		}
	if (node2 != NULL && agorad_running(node2))
		agorad_stop_clean(node2);
	if (node != NULL && agorad_running(node))
		agorad_stop_clean(node);
	node2 = NULL;
	free(ws);
	free(alice);
	free(bob);
	free(carol);
	node = NULL;
}

static void
login_all(void)
{
	for (int n = 0; n < 2; n++) {
		cl[0][n] = harness_login(n == 0 ? node : node2, alice,
		    HARNESS_PASSWORD, NULL);
		cl[1][n] = harness_login(n == 0 ? node : node2, bob,
		    HARNESS_PASSWORD, NULL);
	}
}

/* b's text (caller frees), b freed. */
static char *
buf_free_take(struct buf *b)
{
	char *s = buf_take(b);

	buf_free(b);
	return s;
}

/* The database as a string: each table's rows, hashed, so that any change
   shows. What changes by itself beside requests (mail being sent, nodes'
   heartbeats, presence) is counted only. */
static char *
db_state(void)
{
	static const char *const counted[] = {
		"event_seq", "login_failures", "nodes", "outbox", "presence",
		"schedule", "sessions", NULL
	};
	char *tables, *name, *rest, *sql, *v;
	struct buf *b = buf_new(0);
	int count;

	tables = pg_text("SELECT string_agg(tablename, ' ' ORDER BY"
	    " tablename) FROM pg_tables WHERE schemaname = 'public'", NULL);
	ck_assert_ptr_nonnull(tables);
	for (name = tables; name != NULL; name = rest) {
		if ((rest = strchr(name, ' ')) != NULL)
			*rest++ = '\0';
		count = 0;
		for (size_t i = 0; counted[i] != NULL; i++)
			count |= strcmp(counted[i], name) == 0;
		if (count)
			xasprintf(&sql, "SELECT count(*)::text FROM %s", name);
		else
			xasprintf(&sql, "SELECT md5(coalesce(string_agg(t::text,"
			    " '|' ORDER BY t::text), '')) FROM %s t%s", name,
			    strcmp(name, "events") == 0 ?
			    " WHERE type <> 'presence'" : "");
		v = pg_text(sql, NULL);
		buf_printf(b, "%s=%s\n", name, v != NULL ? v : "");
		free(v);
		free(sql);
	}
	free(tables);
	return buf_free_take(b);
}

/* A request of a fixture: who sends it, and its parameters. */
struct req {
	int		 who;		/* 0 alice, 1 bob */
	const char	*kv[12];	/* key, value, ..., NULL */
	char		 ids[4][24];
};

static const char *
req_id(struct req *rq, int slot, int64_t v)
{
	snprintf(rq->ids[slot], sizeof rq->ids[slot], "%lld", (long long)v);
	return rq->ids[slot];
}

static int64_t
reply_i64(struct client_reply *r, const char *key)
{
	const char *v = client_reply_get(r, key);

	ck_assert_msg(v != NULL, "no %s in %s", key, r->line);
	return strtoll(v, NULL, 10);
}

/* Alice's new space; network: "1" or "0". */
static int64_t
space_new(const char *network)
{
	struct client_reply *r = call_ok(cl[0][0], "SPACE.CREATE", "title",
	    "Fixture", "network", network, NULL);
	int64_t id = reply_i64(r, "space");

	client_reply_free(r);
	return id;
}

static void
ok(struct client_reply *r)
{
	client_reply_free(expect_ok(r));
}

/* Alice's space with an upload begun (and, by steps, sent and ended). */
static int64_t
file_new(int steps, int64_t *space)
{
	struct client_reply *r;
	char file[24];
	int64_t id;

	*space = space_new("0");
	r = call_ok(cl[0][0], "FILE.BEGIN", "space", i64s(*space), "name",
	    "hello.txt", "size", "5", "sha256", HELLO_SHA256, NULL);
	id = reply_i64(r, "file");
	client_reply_free(r);
	snprintf(file, sizeof file, "%lld", (long long)id);
	if (steps >= 1)
		ok(client_call(cl[0][0], "FILE.CHUNK", "file", file, "offset",
		    "0", "data", HELLO_BASE64, NULL));
	if (steps >= 2)
		ok(client_call(cl[0][0], "FILE.END", "file", file, NULL));
	return id;
}

/* dana's invitation to a new space of Alice's: her user id. */
static int64_t
invited(int64_t *space)
{
	struct client_reply *r;
	char *email = harness_email("dana");
	int64_t user;

	*space = space_new("0");
	r = call_ok(cl[0][0], "INVITE", "space", i64s(*space), "emails", email,
	    NULL);
	ck_assert_uint_eq(r->ndata, 1);
	user = line_i64(r->data[0], "user");
	client_reply_free(r);
	free(email);
	return user;
}

#define KV(...) do {							\
	const char *kv_[] = { __VA_ARGS__, NULL };			\
	memcpy(rq->kv, kv_, sizeof kv_);				\
} while (0)

static void
fx_space_create(struct req *rq)
{
	KV("title", "Created");
}

static void
fx_space_edit(struct req *rq)
{
	KV("space", req_id(rq, 0, space_new("0")), "title", "Edited");
}

static void
fx_space_archive(struct req *rq)
{
	KV("space", req_id(rq, 0, space_new("0")));
}

static void
fx_space_reactivate(struct req *rq)
{
	const char *s = req_id(rq, 0, space_new("0"));

	ok(client_call(cl[0][0], "SPACE.ARCHIVE", "space", s, NULL));
	KV("space", s);
}

static void
fx_space_delete(struct req *rq)
{
	KV("space", req_id(rq, 0, space_new("0")), "confirm", "yes");
}

static void
fx_space_network(struct req *rq)
{
	KV("space", req_id(rq, 0, space_new("0")), "network", "1");
}

static void
fx_space_leave(struct req *rq)
{
	int64_t s = space_new("0");

	harness_participant(s, bob_id, "internal", "active");
	rq->who = 1;
	KV("space", req_id(rq, 0, s));
}

static void
fx_space_link(struct req *rq)
{
	KV("space", req_id(rq, 0, space_new("0")));
}

static void
fx_invite(struct req *rq)
{
	static char *email;

	free(email);
	email = harness_email("erin");
	KV("space", req_id(rq, 0, space_new("0")), "emails", email);
}

static void
fx_invite_resend(struct req *rq)
{
	int64_t s, u = invited(&s);

	KV("space", req_id(rq, 0, s), "user", req_id(rq, 1, u));
}

static void
fx_invite_remind(struct req *rq)
{
	int64_t s, u = invited(&s);

	KV("space", req_id(rq, 0, s), "user", req_id(rq, 1, u), "how",
	    "link");
}

/* carol in a new space of Alice's, as an external with that status. */
static void
fx_carol(struct req *rq, const char *status)
{
	int64_t s = space_new("0");

	harness_participant(s, carol_id, "external", status);
	KV("space", req_id(rq, 0, s), "user", req_id(rq, 1, carol_id));
}

static void
fx_revoke(struct req *rq)
{
	fx_carol(rq, "active");
}

static void
fx_grant(struct req *rq)
{
	fx_carol(rq, "requested");
}

static void
fx_deny(struct req *rq)
{
	fx_carol(rq, "requested");
}

static void
fx_participant_edit(struct req *rq)
{
	KV("space", req_id(rq, 0, space_new("0")), "user",
	    req_id(rq, 1, alice_id), "job_title", "Buyer");
}

static void
fx_file_begin(struct req *rq)
{
	KV("space", req_id(rq, 0, space_new("0")), "name", "hello.txt",
	    "size", "5", "sha256", HELLO_SHA256);
}

static void
fx_file_chunk(struct req *rq)
{
	int64_t s;

	KV("file", req_id(rq, 0, file_new(0, &s)), "offset", "0", "data",
	    HELLO_BASE64);
}

static void
fx_file_end(struct req *rq)
{
	int64_t s;

	KV("file", req_id(rq, 0, file_new(1, &s)));
}

static void
fx_file_delete(struct req *rq)
{
	int64_t s;

	KV("file", req_id(rq, 0, file_new(2, &s)));
}

static void
fx_comment_add(struct req *rq)
{
	int64_t s;

	KV("file", req_id(rq, 0, file_new(2, &s)), "body", "Looks good");
}

static void
fx_msg_send(struct req *rq)
{
	KV("space", req_id(rq, 0, space_new("0")), "body", "Hello there");
}

static void
fx_msg_read(struct req *rq)
{
	int64_t s = space_new("0"), id;
	struct client_reply *r;

	harness_participant(s, bob_id, "internal", "active");
	r = call_ok(cl[1][0], "MSG.SEND", "space", i64s(s), "body", "Hi",
	    NULL);
	id = reply_i64(r, "id");
	client_reply_free(r);
	KV("space", req_id(rq, 0, s), "upto", req_id(rq, 1, id));
}

static void
fx_contact_prefs(struct req *rq)
{
	int64_t s = space_new("1");

	harness_participant(s, bob_id, "internal", "active");
	KV("user", req_id(rq, 0, bob_id), "always_add", "1");
}

/* Last: it changes Alice's password (her sessions stay). */
static void
fx_password_set(struct req *rq)
{
	KV("password", "another long password", "current", HARNESS_PASSWORD);
}

static const struct fixture {
	const char	*verb;
	void		(*prepare)(struct req *);
} fixtures[] = {
	{ "SPACE.CREATE", fx_space_create },
	{ "SPACE.EDIT", fx_space_edit },
	{ "SPACE.ARCHIVE", fx_space_archive },
	{ "SPACE.REACTIVATE", fx_space_reactivate },
	{ "SPACE.DELETE", fx_space_delete },
	{ "SPACE.NETWORK", fx_space_network },
	{ "SPACE.LEAVE", fx_space_leave },
	{ "SPACE.LINK", fx_space_link },
	{ "INVITE", fx_invite },
	{ "INVITE.RESEND", fx_invite_resend },
	{ "INVITE.REMIND", fx_invite_remind },
	{ "PARTICIPANT.REVOKE", fx_revoke },
	{ "PARTICIPANT.GRANT", fx_grant },
	{ "PARTICIPANT.DENY", fx_deny },
	{ "PARTICIPANT.EDIT", fx_participant_edit },
	{ "FILE.BEGIN", fx_file_begin },
	{ "FILE.CHUNK", fx_file_chunk },
	{ "FILE.END", fx_file_end },
	{ "FILE.DELETE", fx_file_delete },
	{ "COMMENT.ADD", fx_comment_add },
	{ "MSG.SEND", fx_msg_send },
	{ "MSG.READ", fx_msg_read },
	{ "CONTACT.PREFS", fx_contact_prefs },
	{ "PASSWORD.SET", fx_password_set },
};
#define NFIXTURES (sizeof fixtures / sizeof fixtures[0])

/* The request line of verb with kv (and rid, if not NULL), under tag. */
static char *
req_line(const char *tag, const char *verb, const char *const *kv,
    const char *rid)
{
	struct buf *b = buf_new(0);
	char *line;

	proto_begin(b, tag, verb);
	for (size_t i = 0; kv != NULL && kv[i] != NULL; i += 2)
		proto_add(b, kv[i], kv[i + 1]);
	if (rid != NULL)
		proto_add(b, "rid", rid);
	proto_end(b);
	line = buf_free_take(b);
	line[strlen(line) - 1] = '\0';	/* harness_raw adds the LF */
	return line;
}

static struct client_reply *
send_req(struct client *c, const char *tag, const char *verb,
    const char *const *kv, const char *rid)
{
	char *line = req_line(tag, verb, kv, rid);
	struct client_reply *r = harness_raw(c, tag, line);

	free(line);
	ck_assert_msg(r != NULL, "no reply to %s", verb);
	return r;
}

/* A reply as text without its tags: data lines, then the final line. */
static char *
untagged(const struct client_reply *r)
{
	struct buf *b = buf_new(0);
	size_t n = strlen(r->tag);

	for (size_t i = 0; i < r->ndata; i++) {
		ck_assert(strncmp(r->data[i], r->tag, n) == 0);
		buf_printf(b, "%s\n", r->data[i] + n);
	}
	ck_assert(strncmp(r->line, r->tag, n) == 0);
	buf_printf(b, "%s\n", r->line + n);
	return buf_free_take(b);
}

/* A fresh rid: 32 lower-case hex digits, unique in this test run. */
static const char *
rid_new(void)
{
	static char rid[33];
	static unsigned n;

	snprintf(rid, sizeof rid, "%08x%08x%016x", (unsigned)getpid(), ++n,
	    (unsigned)now_ms());
	return rid;
}

/* Each flagged verb: the retry, on the other node, changes nothing and
   answers what the first said. */
START_TEST(test_every_flagged_verb)
{
	login_all();
	for (size_t i = 0; i < NFIXTURES; i++) {
		const struct fixture *f = &fixtures[i];
		struct req rq;
		struct client_reply *r1, *r2;
		char rid[33], *before, *after, *t1, *t2, tag[16];

		memset(&rq, 0, sizeof rq);
		f->prepare(&rq);
		snprintf(rid, sizeof rid, "%s", rid_new());
		snprintf(tag, sizeof tag, "f%zu", i);
		r1 = send_req(cl[rq.who][0], tag, f->verb, rq.kv, rid);
		ck_assert_msg(r1->ok, "%s: %s", f->verb, r1->line);
		t1 = untagged(r1);
		before = db_state();
		snprintf(tag, sizeof tag, "again%zu", i);
		r2 = send_req(cl[rq.who][1], tag, f->verb, rq.kv, rid);
		t2 = untagged(r2);
		after = db_state();
		ck_assert_msg(strcmp(t1, t2) == 0, "%s: first:\n%sretry:\n%s",
		    f->verb, t1, t2);
		ck_assert_msg(strcmp(before, after) == 0, "%s: the retry "
		    "changed the database:\n%s\nthen:\n%s", f->verb, before,
		    after);
		client_reply_free(r1);
		client_reply_free(r2);
		free(t1);
		free(t2);
		free(before);
		free(after);
	}
}
END_TEST

static void
count_flagged(const struct cmd *c, void *arg)
{
	size_t *n = arg, i;

	if (!(c->flags & CMD_RID))
		return;
	(*n)++;
	for (i = 0; i < NFIXTURES; i++)
		if (strcmp(fixtures[i].verb, c->verb) == 0)
			break;
	ck_assert_msg(i < NFIXTURES, "%s is flagged CMD_RID and has no "
	    "fixture in test-rid.c", c->verb);
}

/* The fixtures are exactly the flagged verbs. */
START_TEST(test_fixtures_are_the_table)
{
	size_t n = 0;

	cmd_foreach(count_flagged, &n);
	for (size_t i = 0; i < NFIXTURES; i++) {
		const struct cmd *c = cmd_find(fixtures[i].verb);

		ck_assert_msg(c != NULL && (c->flags & CMD_RID), "fixture %s "
		    "is not a flagged verb", fixtures[i].verb);
		for (size_t j = 0; j < i; j++)
			ck_assert_str_ne(fixtures[i].verb, fixtures[j].verb);
	}
	ck_assert_uint_eq(n, NFIXTURES);
}
END_TEST

static int64_t
spaces_titled(const char *title)
{
	return pg_i64("SELECT count(*) FROM spaces WHERE title = $1", title,
	    NULL);
}

/* A rid is its user's: the same rid from someone else is theirs. */
START_TEST(test_other_user)
{
	const char *kv[] = { "title", "Mine", NULL };
	struct client_reply *r1, *r2;
	char rid[33];

	login_all();
	snprintf(rid, sizeof rid, "%s", rid_new());
	r1 = expect_ok(send_req(cl[0][0], "a1", "SPACE.CREATE", kv, rid));
	r2 = expect_ok(send_req(cl[1][1], "b1", "SPACE.CREATE", kv, rid));
	ck_assert_int_ne(reply_i64(r1, "space"), reply_i64(r2, "space"));
	ck_assert_int_eq(spaces_titled("Mine"), 2);
	ck_assert_int_eq(pg_i64("SELECT creator_id FROM spaces WHERE id = $1",
	    client_reply_get(r2, "space"), NULL), bob_id);
	client_reply_free(r1);
	client_reply_free(r2);
}
END_TEST

/* A rid is 32 lower-case hex digits, on every verb; others ignore it. */
START_TEST(test_malformed)
{
	static const char *const bad[] = {
		"", "0123456789abcdef0123456789abcde",
		"0123456789abcdef0123456789abcdef0",
		"0123456789ABCDEF0123456789ABCDEF",
		"0123456789abcdefg123456789abcdef",
	};
	const char *kv[] = { "title", "Never", NULL };
	struct client_reply *r;
	char tag[16];

	login_all();
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(tag, sizeof tag, "m%zu", i);
		r = send_req(cl[0][0], tag, "SPACE.CREATE", kv, bad[i]);
		ck_assert(line_is(r->line, "msg", "rid must be 32 lower-case "
		    "hex digits"));
		expect_err(r, "invalid");
		snprintf(tag, sizeof tag, "p%zu", i);
		expect_err(send_req(cl[0][0], tag, "PING", NULL, bad[i]),
		    "invalid");
	}
	ck_assert_int_eq(spaces_titled("Never"), 0);
	/* Verbs that keep nothing take it and ignore it. */
	client_reply_free(expect_ok(send_req(cl[0][0], "q1", "PING", NULL,
	    rid_new())));
	client_reply_free(expect_ok(send_req(cl[0][0], "q2", "SPACE.LIST",
	    NULL, rid_new())));
}
END_TEST

/* A rid used for one verb does not answer another. */
START_TEST(test_other_verb)
{
	const char *create[] = { "title", "Kept", NULL };
	const char *edit[] = { "space", NULL, "title", "Changed", NULL };
	struct client_reply *r, *r2;
	char rid[33], *before, *after;

	login_all();
	snprintf(rid, sizeof rid, "%s", rid_new());
	r = expect_ok(send_req(cl[0][0], "v1", "SPACE.CREATE", create, rid));
	edit[1] = client_reply_get(r, "space");
	before = db_state();
	r2 = send_req(cl[0][1], "v2", "SPACE.EDIT", edit, rid);
	client_reply_free(r);
	r = r2;
	ck_assert(line_is(r->line, "msg", "this rid was used for another "
	    "request"));
	expect_err(r, "conflict");
	after = db_state();
	ck_assert_str_eq(before, after);
	ck_assert_int_eq(spaces_titled("Kept"), 1);
	free(before);
	free(after);
}
END_TEST

/* How many backends wait for a lock. */
static int64_t
lock_waiters(void)
{
	return pg_i64("SELECT count(*) FROM pg_stat_activity"
	    " WHERE wait_event_type = 'Lock' AND datname = 'agora'", NULL);
}

static void
wait_waiters(int64_t n)
{
	int64_t deadline = now_ms() + HARNESS_TIMEOUT;

	while (lock_waiters() < n) {
		ck_assert_msg(now_ms() < deadline, "%lld requests never "
		    "waited", (long long)n);
		sleep_ms(20);
	}
}

/*
 * The retry arrives while the first still runs (held up by a lock on
 * spaces): it waits for the first to commit and answers what it stored.
 */
START_TEST(test_in_flight)
{
	const char *kv[] = { "title", "Once", NULL };
	struct client_reply *r1, *r2;
	char *line, *t1, *t2, rid[33];
	PGconn *hold;
	int64_t waiting;

	login_all();
	snprintf(rid, sizeof rid, "%s", rid_new());
	hold = pg_connect("agora");
	pg_must(hold, "BEGIN");
	pg_must(hold, "LOCK TABLE spaces IN EXCLUSIVE MODE");
	waiting = lock_waiters();
	line = req_line("i1", "SPACE.CREATE", kv, rid);
	client_send_raw(cl[0][0], line, strlen(line));
	client_send_raw(cl[0][0], "\n", 1);
	ck_assert_int_eq(client_flush(cl[0][0], HARNESS_TIMEOUT), 0);
	free(line);
	wait_waiters(waiting + 1);	/* the first, on the lock */
	line = req_line("i2", "SPACE.CREATE", kv, rid);
	client_send_raw(cl[0][1], line, strlen(line));
	client_send_raw(cl[0][1], "\n", 1);
	ck_assert_int_eq(client_flush(cl[0][1], HARNESS_TIMEOUT), 0);
	free(line);
	wait_waiters(waiting + 2);	/* the retry, on the first's rid */
	pg_must(hold, "COMMIT");
	PQfinish(hold);
	r1 = expect_ok(client_wait(cl[0][0], "i1", HARNESS_TIMEOUT));
	r2 = expect_ok(client_wait(cl[0][1], "i2", HARNESS_TIMEOUT));
	t1 = untagged(r1);
	t2 = untagged(r2);
	ck_assert_str_eq(t1, t2);
	ck_assert_int_eq(spaces_titled("Once"), 1);
	client_reply_free(r1);
	client_reply_free(r2);
	free(t1);
	free(t2);
}
END_TEST

/* A reply past its day is purged (by the scheduler), and the rid runs
   again as new. */
START_TEST(test_expiry)
{
	const char *kv[] = { "title", "Twice", NULL };
	char rid[33];
	int64_t deadline;

	login_all();
	snprintf(rid, sizeof rid, "%s", rid_new());
	client_reply_free(expect_ok(send_req(cl[0][0], "e1", "SPACE.CREATE",
	    kv, rid)));
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM request_replies"
	    " WHERE user_id = $1", i64s(alice_id), NULL), 1);
	/* Every test's replies, as they share the database. */
	pg_exec("UPDATE request_replies"
	    " SET created_at = now() - interval '25 hours'", NULL);
	pg_exec("UPDATE schedule SET due_at = now()"
	    " WHERE job = 'replies.purge'", NULL);
	deadline = now_ms() + 3 * HARNESS_TIMEOUT;
	while (pg_i64("SELECT count(*) FROM request_replies", NULL) != 0) {
		ck_assert_msg(now_ms() < deadline, "never purged");
		sleep_ms(100);
	}
	ck_assert(agorad_log_count(node, "stored repl") +
	    agorad_log_count(node2, "stored repl") == 1);
	client_reply_free(expect_ok(send_req(cl[0][0], "e2", "SPACE.CREATE",
	    kv, rid)));
	ck_assert_int_eq(spaces_titled("Twice"), 2);
}
END_TEST

/* The client library -------------------------------------------------- */

static int
resume_with(struct client *c, void *token)
{
	struct client_reply *r = client_call(c, "SESSION.RESUME", "token",
	    token, NULL);
	int ok = r != NULL && r->ok;

	client_reply_free(r);
	return ok ? 0 : -1;
}

/* client_call sends the change once more on a new connection, with its
   rid: the reply comes, and the change is made once. */
START_TEST(test_client_retry)
{
	struct client_opts o;
	struct client_reply *r;
	struct client *c;
	struct proxy px;
	char *cause = NULL, *token = NULL, *ev;

	proxy_start(&px, agorad_port(node));
	memset(&o, 0, sizeof o);
	o.host = "127.0.0.1";
	o.port = px.port;
	o.ca_file = agorad_cert(node);
	o.timeout_ms = HARNESS_TIMEOUT;
	/*
	 * The session comes from a login elsewhere, whose session.login
	 * another of Alice's connections has seen: so nothing comes to the
	 * proxied connection unasked, and the first bytes after a request
	 * are its reply.
	 */
	login_all();
	client_close(harness_login(node, alice, HARNESS_PASSWORD, &token));
	ev = event_wait(cl[0][0], "session.login", HARNESS_TIMEOUT);
	ck_assert_ptr_nonnull(ev);
	free(ev);
	c = client_connect(&o, &cause);
	ck_assert_msg(c != NULL, "%s", cause);
	ck_assert_int_eq(resume_with(c, token), 0);

	/* Without a resume step, a dropped connection is the caller's. */
	ping_ok(c);
	proxy_set(&px, &px.armed, 1);
	ck_assert_ptr_null(client_call(c, "SPACE.CREATE", "title", "Lost",
	    NULL));
	ck_assert_int_eq(proxy_get(&px, &px.drops), 1);
	ck_assert(client_closed(c));
	client_close(c);
	ck_assert_int_eq(spaces_titled("Lost"), 1);
	/* Its event is out, before the next connection could get it. */
	ev = event_wait(cl[0][0], "space.created", HARNESS_TIMEOUT);
	ck_assert_ptr_nonnull(ev);
	free(ev);

	c = client_connect(&o, &cause);
	ck_assert_msg(c != NULL, "%s", cause);
	client_set_resume(c, resume_with, token);
	ck_assert_int_eq(resume_with(c, token), 0);
	ping_ok(c);
	proxy_set(&px, &px.armed, 1);
	r = call_ok(c, "SPACE.CREATE", "title", "Retried", NULL);
	ck_assert_int_eq(proxy_get(&px, &px.drops), 2);
	ck_assert_int_eq(spaces_titled("Retried"), 1);
	ck_assert_int_eq(pg_i64("SELECT id FROM spaces WHERE title = $1",
	    "Retried", NULL), reply_i64(r, "space"));
	client_reply_free(r);
	/* The new connection carries on. */
	ping_ok(c);
	client_close(c);
	proxy_stop(&px);
	free(token);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("rid");
	TCase *tc = harness_tcase("rid");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_fixtures_are_the_table);
	tcase_add_test(tc, test_every_flagged_verb);
	tcase_add_test(tc, test_other_user);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_other_verb);
	tcase_add_test(tc, test_in_flight);
	tcase_add_test(tc, test_expiry);
	tcase_add_test(tc, test_client_retry);
	suite_add_tcase(s, tc);
	return harness_run(s);
}
