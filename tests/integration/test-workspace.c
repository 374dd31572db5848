/*
 * Workspaces against a real agorad and database: MEMBERS, its order, who
 * may see a workspace's people (checked in the database on every call, and
 * a stranger's workspace reads like one that does not exist), and names
 * with hostile bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "harness.h"
#include "proto.h"
#include "xmalloc.h"

static struct agorad *node;
static char *ws;              /* alice's workspace */
static char *alice, *bob;     /* e-mail addresses, both members of ws */
static int64_t ws_id, alice_id, bob_id;

/*
 * Every test: a node, workspace ws with alice (admin) and bob (member).
 * Tests may add people and configure the node, then start it.
 */
static void
setup(void)
{
	node = agorad_new(NULL);
	alice = harness_email("alice");
	bob = harness_email("bob");
	ws = harness_workspace("Acme");
	alice_id = agorad_user_add(
	    node, alice, "alice Martin", HARNESS_PASSWORD, ws, "admin");
	bob_id = agorad_user_add(
	    node, bob, "Bob Chen", HARNESS_PASSWORD, ws, "member");
	ws_id = pg_i64("SELECT id FROM workspaces WHERE name = $1", ws, NULL);
}

static void
teardown(void)
{
	if (node != NULL && agorad_running(node))
		agorad_stop_clean(node);
	free(ws);
	free(alice);
	free(bob);
	ws = alice = bob = NULL;
	node = NULL; /* freed by harness_test_teardown */
}

/* A new user in workspace (by name) with role; *email_out if not NULL. */
static int64_t
person_add(const char *base, const char *name, const char *workspace,
    const char *role, char **email_out)
{
	char *email = harness_email(base);
	int64_t id;

	id = agorad_user_add(
	    node, email, name, HARNESS_PASSWORD, workspace, role);
	if (email_out != NULL)
		*email_out = email;
	else
		free(email);
	return id;
}

/* The reply line without its tag: what two replies can be compared by. */
static const char *
untagged(const struct client_reply *r)
{
	return r->line + strlen(r->tag);
}

/* Asserts that data line i is MEMBER user=id name=name role=role. */
static void
member_is(const struct client_reply *r, size_t i, int64_t id,
    const char *name, const char *role)
{
	char *word;

	ck_assert_msg(i < r->ndata, "only %zu data lines", r->ndata);
	word = line_word(r->data[i]);
	ck_assert_ptr_nonnull(word);
	ck_assert_str_eq(word, "MEMBER");
	free(word);
	ck_assert_msg(line_i64(r->data[i], "user") == id,
	    "line %zu: want user %lld, got \"%s\"", i, (long long)id,
	    r->data[i]);
	ck_assert_msg(line_is(r->data[i], "name", name),
	    "line %zu: want name \"%s\", got \"%s\"", i, name, r->data[i]);
	ck_assert_msg(line_is(r->data[i], "role", role),
	    "line %zu: want role %s, got \"%s\"", i, role, r->data[i]);
}

START_TEST(test_members)
{
	struct client *c;
	struct client_reply *r;
	char *carol, *w, *other;
	int64_t carol_id, dana1, dana2, eve;

	carol_id = person_add("carol", "carol Diaz", ws, "manager", &carol);
	/* The same name twice: the older account first. */
	dana1 = person_add("dana", "Dana Lee", ws, "owner", NULL);
	dana2 = person_add("dana", "Dana Lee", ws, "member", NULL);
	ck_assert_int_lt(dana1, dana2);
	/* In another workspace only: not listed. */
	w = harness_email("other");
	xasprintf(&other, "Other %s", w);
	free(w);
	eve = person_add("eve", "Aaron Outsider", other, "owner", NULL);
	agorad_start(node);

	c = harness_login(node, bob, HARNESS_PASSWORD, NULL);
	r = call_ok(c, "MEMBERS", "workspace", i64s(ws_id), NULL);
	/* By name ignoring case: byte order would put Bob and Dana first. */
	ck_assert_uint_eq(r->ndata, 5);
	member_is(r, 0, alice_id, "alice Martin", "admin");
	member_is(r, 1, bob_id, "Bob Chen", "member");
	member_is(r, 2, carol_id, "carol Diaz", "manager");
	member_is(r, 3, dana1, "Dana Lee", "owner");
	member_is(r, 4, dana2, "Dana Lee", "member");
	ck_assert(line_is(r->data[0], "email", alice));
	ck_assert(line_is(r->data[1], "email", bob));
	ck_assert(line_is(r->data[2], "email", carol));
	for (size_t i = 0; i < r->ndata; i++)
		ck_assert_int_ne(line_i64(r->data[i], "user"), eve);
	ck_assert_int_eq(line_i64(r->line, "count"), 5);
	ck_assert_str_eq(untagged(r), " OK count=5");
	client_reply_free(r);

	/* Leading zeros name the same workspace. */
	xasprintf(&w, "000%lld", (long long)ws_id);
	r = call_ok(c, "MEMBERS", "workspace", w, NULL);
	ck_assert_uint_eq(r->ndata, 5);
	client_reply_free(r);
	free(w);
	client_close(c);
	free(carol);
	free(other);
}
END_TEST

START_TEST(test_not_member)
{
	struct client *c;
	struct client_reply *stranger, *missing, *zero, *own;
	char *eve, *w, *other;
	int64_t other_id, nowhere;

	w = harness_email("other");
	xasprintf(&other, "Other %s", w);
	free(w);
	person_add("eve", "Eve Outsider", other, "owner", &eve);
	other_id =
	    pg_i64("SELECT id FROM workspaces WHERE name = $1", other, NULL);
	nowhere = pg_i64("SELECT max(id) + 1000 FROM workspaces", NULL);
	agorad_start(node);

	c = harness_login(node, eve, HARNESS_PASSWORD, NULL);
	/* Her own workspace: herself only. */
	own = call_ok(c, "MEMBERS", "workspace", i64s(other_id), NULL);
	ck_assert_uint_eq(own->ndata, 1);
	ck_assert(line_is(own->data[0], "email", eve));
	client_reply_free(own);

	/* Someone else's, one that does not exist: the same answer. */
	stranger = client_call(c, "MEMBERS", "workspace", i64s(ws_id), NULL);
	missing = client_call(c, "MEMBERS", "workspace", i64s(nowhere), NULL);
	zero = client_call(c, "MEMBERS", "workspace", "0", NULL);
	ck_assert_ptr_nonnull(stranger);
	ck_assert_ptr_nonnull(missing);
	ck_assert_ptr_nonnull(zero);
	ck_assert_msg(!stranger->ok && strcmp(stranger->code, "not_found") == 0,
	    "got \"%s\"", stranger->line);
	ck_assert_uint_eq(stranger->ndata, 0);
	ck_assert_uint_eq(missing->ndata, 0);
	ck_assert_uint_eq(zero->ndata, 0);
	ck_assert_str_eq(untagged(stranger), untagged(missing));
	ck_assert_str_eq(untagged(stranger), untagged(zero));
	ck_assert_str_eq(untagged(stranger),
	    " ERR code=not_found msg=\"no such workspace\"");
	client_reply_free(stranger);
	client_reply_free(missing);
	client_reply_free(zero);

	/* The connection is still usable after the errors. */
	ping_ok(c);
	client_close(c);
	free(eve);
	free(other);
}
END_TEST

START_TEST(test_no_session)
{
	struct client *c;

	agorad_start(node);
	c = harness_connect(node);
	call_err(c, "auth_required", "MEMBERS", "workspace", i64s(ws_id), NULL);
	/* The session is checked before the parameters. */
	call_err(c, "auth_required", "MEMBERS", NULL);

	/* After LOGOUT, no more. */
	client_reply_free(call_ok(
	    c, "LOGIN", "email", alice, "password", HARNESS_PASSWORD, NULL));
	client_reply_free(
	    call_ok(c, "MEMBERS", "workspace", i64s(ws_id), NULL));
	client_reply_free(call_ok(c, "LOGOUT", NULL));
	call_err(c, "auth_required", "MEMBERS", "workspace", i64s(ws_id), NULL);
	client_close(c);
}
END_TEST

START_TEST(test_invalid)
{
	struct client *c;
	struct client_reply *r;

	agorad_start(node);
	c = harness_login(node, alice, HARNESS_PASSWORD, NULL);
	call_err(c, "invalid", "MEMBERS", NULL);
	call_err(c, "invalid", "MEMBERS", "workspace", "acme", NULL);
	call_err(c, "invalid", "MEMBERS", "workspace", "", NULL);
	call_err(c, "invalid", "MEMBERS", "workspace", "-1", NULL);
	call_err(c, "invalid", "MEMBERS", "workspace", "1.5", NULL);
	call_err(c, "invalid", "MEMBERS", "workspace", "0x10", NULL);
	call_err(c, "invalid", "MEMBERS", "workspace", " 1", NULL);
	/* Past INT64_MAX, and longer than the schema allows. */
	call_err(c, "invalid", "MEMBERS", "workspace", "9223372036854775808",
	    NULL);
	call_err(c, "invalid", "MEMBERS", "workspace",
	    "000000000000000000001", NULL);
	call_err(c, "invalid", "MEMBERS", "workspace", i64s(ws_id), "role",
	    "admin", NULL);
	/* The largest id parses, and is nobody's workspace. */
	call_err(c, "not_found", "MEMBERS", "workspace", "9223372036854775807",
	    NULL);

	r = harness_raw(c, "m1", "m1 MEMBERS workspace=x");
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->line,
	    "m1 ERR code=invalid msg=\"workspace must be a whole number\"");
	client_reply_free(r);
	r = harness_raw(c, "m2", "m2 members");
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(
	    r->line, "m2 ERR code=invalid msg=\"missing parameter workspace\"");
	client_reply_free(r);
	client_close(c);
}
END_TEST

/*
 * A name with bytes a terminal or a parser would trip on, stored straight
 * into the database (agorad user add refuses control characters, but the
 * data may come from anywhere). It must travel quoted and escaped; ESC and
 * DEL have no escape in the protocol and are dropped (proto.h), so the
 * line always parses.
 */
START_TEST(test_hostile_name)
{
	/* As stored: ESC, quotes, backslash, TAB, LF, CR, U+009B, U+202E,
	 * DEL. */
	static const char stored[] = "Bob\x1b[2J \"q\" \\ a\tb\nc\rd "
				     "\xc2\x9b" "31m \xe2\x80\xae" "x\x7f end";
	/* As it must arrive: the same without ESC and DEL. */
	static const char sent[] = "Bob[2J \"q\" \\ a\tb\nc\rd "
				   "\xc2\x9b" "31m \xe2\x80\xae" "x end";
	struct client *c;
	struct client_reply *r;
	struct proto_msg msg;
	struct buf *again;
	const char *why, *name;
	char *copy, *got;
	size_t i, len;

	pg_exec("UPDATE users SET name = "
		"E'Bob\\x1b[2J \"q\" \\\\ a\\tb\\nc\\rd "
		"\\u009b31m \\u202ex\\x7f end' WHERE id = $1",
	    i64s(bob_id), NULL);
	got = pg_text("SELECT name FROM users WHERE id = $1", i64s(bob_id),
	    NULL);
	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got, stored);
	free(got);
	agorad_start(node);

	c = harness_login(node, alice, HARNESS_PASSWORD, NULL);
	r = call_ok(c, "MEMBERS", "workspace", i64s(ws_id), NULL);
	ck_assert_uint_eq(r->ndata, 2);
	/* "Bob[2J" sorts after "alice Martin" ignoring case. */
	member_is(r, 0, alice_id, "alice Martin", "admin");

	/* No control byte on the wire; the name is quoted. */
	len = strlen(r->data[1]);
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)r->data[1][i];

		ck_assert_msg(ch >= 0x20 && ch != 0x7f,
		    "control byte 0x%02x at %zu in \"%s\"", ch, i, r->data[1]);
	}
	ck_assert_ptr_nonnull(strstr(r->data[1], " name=\"Bob[2J \\\"q\\\" "
						 "\\\\ a\\tb\\nc\\rd "));

	/* Parsed again, the exact bytes. */
	copy = xstrdup(r->data[1]);
	ck_assert_msg(proto_parse(copy, len, &msg, &why) == 0,
	    "\"%s\" does not parse: %s", r->data[1], why);
	ck_assert_str_eq(msg.word, "MEMBER");
	name = proto_get(&msg, "name");
	ck_assert_ptr_nonnull(name);
	for (i = 0; i < msg.nparams; i++)
		if (strcmp(msg.params[i].key, "name") == 0)
			ck_assert_uint_eq(msg.params[i].len, sizeof sent - 1);
	ck_assert(memcmp(name, sent, sizeof sent) == 0);
	ck_assert(line_is(r->data[1], "email", bob));
	ck_assert(line_is(r->data[1], "role", "member"));

	/* Written again from what was parsed, the same line: nothing lost. */
	again = buf_new(0);
	proto_begin(again, msg.tag, msg.word);
	for (i = 0; i < msg.nparams; i++)
		proto_addn(again, msg.params[i].key, msg.params[i].value,
		    msg.params[i].len);
	ck_assert_uint_eq(buf_len(again), len);
	ck_assert(memcmp(buf_data(again), r->data[1], len) == 0);
	buf_free(again);
	free(copy);
	client_reply_free(r);

	/* The connection survives, and so does the server. */
	ping_ok(c);
	client_close(c);
}
END_TEST

/* Membership is read from the database on every call, not the session. */
START_TEST(test_added_after_login)
{
	struct client *c;
	struct client_reply *r;
	char *frank;
	int64_t frank_id;

	agorad_start(node);
	c = harness_login(node, alice, HARNESS_PASSWORD, NULL);
	r = call_ok(c, "MEMBERS", "workspace", i64s(ws_id), NULL);
	ck_assert_uint_eq(r->ndata, 2);
	ck_assert_int_eq(line_i64(r->line, "count"), 2);
	client_reply_free(r);

	frank_id = person_add("frank", "Frank Ocean", ws, "manager", &frank);
	r = call_ok(c, "MEMBERS", "workspace", i64s(ws_id), NULL);
	ck_assert_uint_eq(r->ndata, 3);
	member_is(r, 0, alice_id, "alice Martin", "admin");
	member_is(r, 1, bob_id, "Bob Chen", "member");
	member_is(r, 2, frank_id, "Frank Ocean", "manager");
	ck_assert(line_is(r->data[2], "email", frank));
	ck_assert_int_eq(line_i64(r->line, "count"), 3);
	client_reply_free(r);
	client_close(c);
	free(frank);
}
END_TEST

/* The other way: removed after login, the workspace is gone for them. */
START_TEST(test_removed_after_login)
{
	struct client *c;
	struct client_reply *r;

	agorad_start(node);
	c = harness_login(node, bob, HARNESS_PASSWORD, NULL);
	client_reply_free(
	    call_ok(c, "MEMBERS", "workspace", i64s(ws_id), NULL));
	pg_exec("DELETE FROM memberships WHERE workspace_id = $1 "
		"AND user_id = $2",
	    i64s(ws_id), i64s(bob_id), NULL);
	/* The session still lists the workspace (WHOAMI)... */
	r = call_ok(c, "WHOAMI", NULL);
	ck_assert_uint_eq(r->ndata, 2);
	client_reply_free(r);
	/* ...but its people are no longer his to see. */
	call_err(c, "not_found", "MEMBERS", "workspace", i64s(ws_id), NULL);
	client_close(c);

	/* And alice no longer sees him. */
	c = harness_login(node, alice, HARNESS_PASSWORD, NULL);
	r = call_ok(c, "MEMBERS", "workspace", i64s(ws_id), NULL);
	ck_assert_uint_eq(r->ndata, 1);
	member_is(r, 0, alice_id, "alice Martin", "admin");
	client_reply_free(r);
	client_close(c);
}
END_TEST

static Suite *
workspace_suite(void)
{
	Suite *s = suite_create("workspace");
	TCase *tc = harness_tcase("workspace");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_members);
	tcase_add_test(tc, test_not_member);
	tcase_add_test(tc, test_no_session);
	tcase_add_test(tc, test_invalid);
	tcase_add_test(tc, test_hostile_name);
	tcase_add_test(tc, test_added_after_login);
	tcase_add_test(tc, test_removed_after_login);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return harness_run(workspace_suite());
}
