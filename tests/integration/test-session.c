/*
 * Accounts and sessions against a real agorad and database: LOGIN and its
 * rate limits, SESSION.RESUME, LOGOUT, WHOAMI, what the database stores
 * (token hashes, audit rows), and names and passwords beyond ASCII.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "xmalloc.h"

static struct agorad *node;
static char *email; /* a member of workspace ws */
static char *ws;
static int64_t uid;

/* Every test: a node and one user; tests may configure it, then start. */
static void
setup(void)
{
	node = agorad_new(NULL);
	email = harness_email("alice");
	ws = harness_workspace("Acme");
	uid = agorad_user_add(
	    node, email, "Alice Martin", HARNESS_PASSWORD, ws, "admin");
}

static void
teardown(void)
{
	if (node != NULL && agorad_running(node))
		agorad_stop_clean(node);
	free(email);
	free(ws);
	email = ws = NULL;
	node = NULL; /* freed by harness_test_teardown */
}

/* The reply line without its tag: what two replies can be compared by. */
static const char *
untagged(const struct client_reply *r)
{
	return r->line + strlen(r->tag);
}

static int
is_token(const char *t)
{
	size_t i;

	for (i = 0; t[i] != '\0'; i++) {
		if (!isxdigit((unsigned char)t[i]) ||
		    isupper((unsigned char)t[i]))
			return 0;
	}
	return i == 64;
}

START_TEST(test_login)
{
	struct client *c;
	struct client_reply *r;
	const char *token;
	char *log, *copy;
	int64_t sid;

	agorad_set(node, "log_level = debug");
	agorad_start(node);
	c = harness_connect(node);
	r = call_ok(
	    c, "LOGIN", "email", email, "password", HARNESS_PASSWORD, NULL);
	token = client_reply_get(r, "token");
	ck_assert_ptr_nonnull(token);
	ck_assert_msg(is_token(token), "token \"%s\"", token);
	ck_assert_int_eq(line_i64(r->line, "user"), uid);
	sid = line_i64(r->line, "session");
	ck_assert_int_eq(pg_i64("SELECT user_id FROM sessions WHERE id = $1",
			     i64s(sid), NULL),
	    uid);

	/* The table holds the SHA-256 of the token's 64 characters. */
	ck_assert_int_eq(
	    pg_i64("SELECT count(*) FROM sessions WHERE id = $1 "
		   "AND token_hash = sha256(convert_to($2, 'UTF8'))",
		i64s(sid), token, NULL),
	    1);
	ck_assert_int_eq(pg_i64("SELECT length(token_hash) FROM sessions "
				"WHERE id = $1",
			     i64s(sid), NULL),
	    32);
	/* Not the token itself, in any form, anywhere. */
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM sessions WHERE "
				"token_hash = decode($1, 'hex') OR "
				"encode(token_hash, 'hex') = $1 "
				"OR token_hash = convert_to($1, 'UTF8')",
			     token, NULL),
	    0);
	ck_assert_int_eq(
	    pg_i64(
		"SELECT count(*) FROM audit_log WHERE "
		"concat(target, detail, address, action) LIKE '%' || $1 || '%'",
		token, NULL),
	    0);
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM events WHERE "
				"data LIKE '%' || $1 || '%'",
			     token, NULL),
	    0);

	/* The connection is logged in. */
	client_reply_free(call_ok(c, "WHOAMI", NULL));
	copy = xstrdup(token);
	client_reply_free(r);
	client_close(c);

	/* Logs hold neither tokens nor passwords, even at debug level. */
	agorad_stop_clean(node);
	log = agorad_log(node);
	ck_assert_ptr_null(strstr(log, HARNESS_PASSWORD));
	ck_assert_ptr_null(strstr(log, copy));
	free(log);
	free(copy);
}
END_TEST

START_TEST(test_whoami)
{
	struct client *c;
	struct client_reply *r;
	char *other, *zeta, *s;
	int64_t sid, ws_id, zeta_id;

	/* A second workspace, sorting after the first whatever the case. */
	other = harness_email("bob");
	s = harness_email("zeta");
	xasprintf(&zeta, "zeta %s", s);
	free(s);
	agorad_user_add(
	    node, other, "Bob Chen", HARNESS_PASSWORD, zeta, "owner");
	zeta_id =
	    pg_i64("SELECT id FROM workspaces WHERE name = $1", zeta, NULL);
	ws_id = pg_i64("SELECT id FROM workspaces WHERE name = $1", ws, NULL);
	pg_exec("INSERT INTO memberships (workspace_id, user_id, role) "
		"VALUES ($1, $2, 'member')",
	    i64s(zeta_id), i64s(uid), NULL);
	pg_exec("UPDATE users SET phone = '+33 1 23 45 67 89' WHERE id = $1",
	    i64s(uid), NULL);
	agorad_start(node);

	c = harness_login(node, email, HARNESS_PASSWORD, NULL);
	sid = pg_i64(
	    "SELECT max(id) FROM sessions WHERE user_id = $1", i64s(uid), NULL);
	r = call_ok(c, "WHOAMI", NULL);
	ck_assert_uint_eq(r->ndata, 3);

	s = line_word(r->data[0]);
	ck_assert_str_eq(s, "USER");
	free(s);
	ck_assert_int_eq(line_i64(r->data[0], "id"), uid);
	ck_assert(line_is(r->data[0], "email", email));
	ck_assert(line_is(r->data[0], "name", "Alice Martin"));
	ck_assert(line_is(r->data[0], "phone", "+33 1 23 45 67 89"));

	s = line_word(r->data[1]);
	ck_assert_str_eq(s, "WORKSPACE");
	free(s);
	ck_assert_int_eq(line_i64(r->data[1], "id"), ws_id);
	ck_assert(line_is(r->data[1], "name", ws));
	ck_assert(line_is(r->data[1], "role", "admin"));
	ck_assert(line_is(r->data[1], "plan", "free"));

	ck_assert_int_eq(line_i64(r->data[2], "id"), zeta_id);
	ck_assert(line_is(r->data[2], "name", zeta));
	ck_assert(line_is(r->data[2], "role", "member"));

	ck_assert_int_eq(line_i64(r->line, "session"), sid);
	client_reply_free(r);
	client_close(c);
	free(zeta);
	free(other);
}
END_TEST

START_TEST(test_auth_failed_is_uniform)
{
	struct client *c;
	struct client_reply *wrong, *unknown, *nopw;
	char *unknown_email, *nopw_email;

	nopw_email = harness_email("nopw");
	agorad_user_add(
	    node, nopw_email, "No Password", HARNESS_PASSWORD, NULL, NULL);
	pg_exec("UPDATE users SET password_hash = NULL WHERE email = $1",
	    nopw_email, NULL);
	unknown_email = harness_email("nobody");
	agorad_start(node);

	c = harness_connect(node);
	wrong = client_call(
	    c, "LOGIN", "email", email, "password", "not the password", NULL);
	unknown = client_call(c, "LOGIN", "email", unknown_email, "password",
	    "not the password", NULL);
	nopw =
	    client_call(c, "LOGIN", "email", nopw_email, "password", "", NULL);
	ck_assert_ptr_nonnull(wrong);
	ck_assert_ptr_nonnull(unknown);
	ck_assert_ptr_nonnull(nopw);
	ck_assert_msg(!wrong->ok && strcmp(wrong->code, "auth_failed") == 0,
	    "got \"%s\"", wrong->line);
	/* Identical but for the tag: no telling which accounts exist. */
	ck_assert_str_eq(untagged(unknown), untagged(wrong));
	ck_assert_str_eq(untagged(nopw), untagged(wrong));
	client_reply_free(wrong);
	client_reply_free(unknown);
	client_reply_free(nopw);
	/* And no session came of it. */
	call_err(c, "auth_required", "WHOAMI", NULL);
	client_close(c);
	free(unknown_email);
	free(nopw_email);
}
END_TEST

START_TEST(test_email_case)
{
	struct client *c;
	struct client_reply *r;
	char *mixed, *lower, *upper;
	int64_t id;

	mixed = harness_email("Mixed.Case");
	mixed[strlen(mixed) - strlen("example.com")] = 'E';
	lower = xstrdup(mixed);
	upper = xstrdup(mixed);
	for (size_t i = 0; lower[i] != '\0'; i++) {
		lower[i] = (char)tolower((unsigned char)lower[i]);
		upper[i] = (char)toupper((unsigned char)upper[i]);
	}
	id = agorad_user_add(
	    node, mixed, "Mixed Case", HARNESS_PASSWORD, NULL, NULL);
	agorad_start(node);

	c = harness_connect(node);
	r = call_ok(
	    c, "LOGIN", "email", lower, "password", HARNESS_PASSWORD, NULL);
	ck_assert_int_eq(line_i64(r->line, "user"), id);
	client_reply_free(r);
	r = call_ok(
	    c, "LOGIN", "email", upper, "password", HARNESS_PASSWORD, NULL);
	ck_assert_int_eq(line_i64(r->line, "user"), id);
	client_reply_free(r);
	/* WHOAMI shows the address as it was registered. */
	r = call_ok(c, "WHOAMI", NULL);
	ck_assert(line_is(r->data[0], "email", mixed));
	client_reply_free(r);
	/* The password is not case-insensitive. */
	call_err(c, "auth_failed", "LOGIN", "email", lower, "password",
	    "CORRECT HORSE BATTERY STAPLE", NULL);
	client_close(c);
	free(mixed);
	free(lower);
	free(upper);
}
END_TEST

START_TEST(test_rate_limit_account)
{
	struct client *c;
	char *other;
	int i;

	agorad_set(node, "login_account_limit = 3");
	other = harness_email("other");
	agorad_user_add(node, other, "Other", HARNESS_PASSWORD, NULL, NULL);
	agorad_start(node);
	c = harness_connect(node);

	/* A success clears the account's failures. */
	for (i = 0; i < 2; i++)
		call_err(c, "auth_failed", "LOGIN", "email", email, "password",
		    "wrong", NULL);
	client_reply_free(call_ok(
	    c, "LOGIN", "email", email, "password", HARNESS_PASSWORD, NULL));
	for (i = 0; i < 2; i++)
		call_err(c, "auth_failed", "LOGIN", "email", email, "password",
		    "wrong", NULL);
	client_reply_free(call_ok(
	    c, "LOGIN", "email", email, "password", HARNESS_PASSWORD, NULL));

	/* Three failures in the window: the right password is refused. */
	for (i = 0; i < 3; i++)
		call_err(c, "auth_failed", "LOGIN", "email", email, "password",
		    "wrong", NULL);
	call_err(c, "rate_limited", "LOGIN", "email", email, "password",
	    HARNESS_PASSWORD, NULL);
	call_err(c, "rate_limited", "LOGIN", "email", email, "password",
	    "wrong", NULL);
	/* Whatever the case of the address, from another connection too. */
	client_close(c);
	c = harness_connect(node);
	for (i = 0; email[i] != '\0'; i++)
		email[i] = (char)toupper((unsigned char)email[i]);
	call_err(c, "rate_limited", "LOGIN", "email", email, "password",
	    HARNESS_PASSWORD, NULL);
	/* Other accounts from the same address are not affected. */
	client_reply_free(call_ok(
	    c, "LOGIN", "email", other, "password", HARNESS_PASSWORD, NULL));
	/* Once the failures leave the window, the account logs in again. */
	pg_exec("UPDATE login_failures SET at = at - interval '1 hour'", NULL);
	client_reply_free(call_ok(
	    c, "LOGIN", "email", email, "password", HARNESS_PASSWORD, NULL));
	client_close(c);
	free(other);
}
END_TEST

START_TEST(test_rate_limit_address)
{
	struct client *c;
	char *nobody;
	int i;

	agorad_set(node, "login_address_limit = 5");
	agorad_start(node);
	c = harness_connect(node);
	/* Five unknown accounts from 127.0.0.1... */
	for (i = 0; i < 5; i++) {
		nobody = harness_email("nobody");
		call_err(c, "auth_failed", "LOGIN", "email", nobody, "password",
		    "guess", NULL);
		free(nobody);
	}
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM login_failures WHERE "
				"key = 'addr:127.0.0.1'",
			     NULL),
	    5);
	/* ...and no account may log in from there, not even with the right
	 * password, nor from a new connection. */
	nobody = harness_email("nobody");
	call_err(c, "rate_limited", "LOGIN", "email", nobody, "password",
	    "guess", NULL);
	free(nobody);
	client_close(c);
	c = harness_connect(node);
	call_err(c, "rate_limited", "LOGIN", "email", email, "password",
	    HARNESS_PASSWORD, NULL);
	client_close(c);
}
END_TEST

START_TEST(test_resume)
{
	struct client *a, *b;
	struct client_reply *r;
	char *token, *upper, *fake;
	int64_t sid;

	agorad_start(node);
	a = harness_login(node, email, HARNESS_PASSWORD, &token);
	sid = pg_i64(
	    "SELECT max(id) FROM sessions WHERE user_id = $1", i64s(uid), NULL);

	b = harness_connect(node);
	call_err(b, "auth_required", "WHOAMI", NULL);
	r = call_ok(b, "SESSION.RESUME", "token", token, NULL);
	ck_assert_int_eq(line_i64(r->line, "user"), uid);
	ck_assert_int_eq(line_i64(r->line, "session"), sid);
	ck_assert_ptr_null(client_reply_get(r, "token"));
	client_reply_free(r);
	r = call_ok(b, "WHOAMI", NULL);
	ck_assert(line_is(r->data[0], "email", email));
	ck_assert_int_eq(line_i64(r->line, "session"), sid);
	client_reply_free(r);
	client_close(b);

	/* Unknown, malformed, upper-case: all auth_required. */
	b = harness_connect(node);
	fake = xstrdup(token);
	fake[0] = fake[0] == '0' ? '1' : '0';
	call_err(b, "auth_required", "SESSION.RESUME", "token", fake, NULL);
	memset(fake, 'z', 64);
	call_err(b, "auth_required", "SESSION.RESUME", "token", fake, NULL);
	call_err(b, "auth_required", "SESSION.RESUME", "token", "abc", NULL);
	upper = xstrdup(token);
	for (size_t i = 0; upper[i] != '\0'; i++)
		upper[i] = (char)toupper((unsigned char)upper[i]);
	if (strcmp(upper, token) != 0)
		call_err(
		    b, "auth_required", "SESSION.RESUME", "token", upper, NULL);
	call_err(b, "auth_required", "WHOAMI", NULL);

	/* An expired session does not resume. */
	pg_exec("UPDATE sessions SET expires_at = now() - interval '1 second' "
		"WHERE id = $1",
	    i64s(sid), NULL);
	call_err(b, "auth_required", "SESSION.RESUME", "token", token, NULL);
	client_close(b);
	client_close(a);
	free(token);
	free(upper);
	free(fake);
}
END_TEST

START_TEST(test_logout)
{
	struct client *a, *b, *other;
	char *token, *token2, *ev;
	int64_t sid;

	agorad_start(node);
	a = harness_login(node, email, HARNESS_PASSWORD, &token);
	sid = pg_i64(
	    "SELECT max(id) FROM sessions WHERE user_id = $1", i64s(uid), NULL);
	/* b holds the same session; other holds another of the same user. */
	b = harness_connect(node);
	client_reply_free(call_ok(b, "SESSION.RESUME", "token", token, NULL));
	other = harness_login(node, email, HARNESS_PASSWORD, NULL);

	client_reply_free(call_ok(a, "LOGOUT", NULL));
	call_err(a, "auth_required", "WHOAMI", NULL);
	call_err(a, "auth_required", "LOGOUT", NULL);
	call_err(a, "auth_required", "SYNC", "since", "0", NULL);
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM sessions WHERE id = $1",
			     i64s(sid), NULL),
	    0);

	/* The session ends on every connection holding it, after the event. */
	for (;;) {
		ev = event_wait(b, "session.logout", HARNESS_TIMEOUT);
		ck_assert_msg(ev != NULL,
		    "no session.logout on the other connection of the session");
		if (line_is(ev, "session", i64s(sid)))
			break;
		free(ev);
	}
	free(ev);
	call_err(b, "auth_required", "WHOAMI", NULL);
	/* Not on those of other sessions. */
	ev = event_wait(other, "session.logout", HARNESS_TIMEOUT);
	ck_assert_ptr_nonnull(ev);
	free(ev);
	client_reply_free(call_ok(other, "WHOAMI", NULL));

	/* The token is dead everywhere. */
	call_err(b, "auth_required", "SESSION.RESUME", "token", token, NULL);
	client_close(b);
	b = harness_connect(node);
	call_err(b, "auth_required", "SESSION.RESUME", "token", token, NULL);
	client_close(b);

	/* The connection stays usable and can log in again. */
	ping_ok(a);
	client_close(a);
	a = harness_login(node, email, HARNESS_PASSWORD, &token2);
	ck_assert_str_ne(token, token2);
	client_reply_free(call_ok(a, "WHOAMI", NULL));
	client_close(a);
	client_close(other);
	free(token);
	free(token2);
}
END_TEST

START_TEST(test_audit)
{
	struct client *c;
	char *actions;
	int64_t sid, before;

	agorad_start(node);
	before = pg_i64("SELECT coalesce(max(id), 0) FROM audit_log", NULL);
	c = harness_connect(node);
	call_err(c, "auth_failed", "LOGIN", "email", email, "password", "wrong",
	    NULL);
	client_close(c);
	c = harness_login(node, email, HARNESS_PASSWORD, NULL);
	sid = pg_i64(
	    "SELECT max(id) FROM sessions WHERE user_id = $1", i64s(uid), NULL);
	client_reply_free(call_ok(c, "LOGOUT", NULL));
	client_close(c);

	ck_assert_int_eq(
	    pg_i64("SELECT count(*) FROM audit_log WHERE id > $1 "
		   "AND action = 'login.failed' AND actor_id IS NULL "
		   "AND target = $2 AND address = '127.0.0.1'",
		i64s(before), email, NULL),
	    1);
	ck_assert_int_eq(
	    pg_i64("SELECT count(*) FROM audit_log WHERE id > $1 "
		   "AND action = 'login' AND actor_id = $2 AND session_id = $3 "
		   "AND address = '127.0.0.1'",
		i64s(before), i64s(uid), i64s(sid), NULL),
	    1);
	ck_assert_int_eq(
	    pg_i64(
		"SELECT count(*) FROM audit_log WHERE id > $1 "
		"AND action = 'logout' AND actor_id = $2 AND session_id = $3 "
		"AND address = '127.0.0.1'",
		i64s(before), i64s(uid), i64s(sid), NULL),
	    1);
	/* In that order, and nothing else. */
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM audit_log WHERE id > $1",
			     i64s(before), NULL),
	    3);
	actions = pg_text("SELECT string_agg(action, ',' ORDER BY id) "
			  "FROM audit_log WHERE id > $1",
	    i64s(before), NULL);
	ck_assert_str_eq(actions, "login.failed,login,logout");
	free(actions);
	/* The password appears in no row. */
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM audit_log WHERE "
				"concat(target, detail) LIKE '%' || $1 || '%'",
			     HARNESS_PASSWORD, NULL),
	    0);
	/* Each session change is an event for the user. */
	ck_assert_int_eq(
	    pg_i64("SELECT count(*) FROM events WHERE "
		   "user_id = $1 AND type = 'session.login' AND data LIKE "
		   "'session=' || $2 || ' %'",
		i64s(uid), i64s(sid), NULL),
	    1);
	ck_assert_int_eq(
	    pg_i64("SELECT count(*) FROM events WHERE "
		   "user_id = $1 AND type = 'session.logout' AND data LIKE "
		   "'session=' || $2 || '%'",
		i64s(uid), i64s(sid), NULL),
	    1);
}
END_TEST

START_TEST(test_non_ascii)
{
	static const char name[] =
	    "Zo\xc3\xab Lef\xc3\xa8vre"; /* Zoë Lefèvre */
	static const char wsname[] = "Soci\xc3\xa9t\xc3\xa9 \xe2\x98\x95";
	/* Spaces, quotes, backslashes, non-ASCII: all travel quoted. */
	static const char password[] = "p@ss \"w\xc3\xb6rd\" \\ with \\n";
	struct client *c;
	struct client_reply *r;
	char *zoe, *w, *wsn;

	zoe = harness_email("zoe");
	w = harness_email("");
	xasprintf(&wsn, "%s %s", wsname, w);
	free(w);
	agorad_user_add(node, zoe, name, password, wsn, "owner");
	agorad_start(node);

	c = harness_login(node, zoe, password, NULL);
	r = call_ok(c, "WHOAMI", NULL);
	ck_assert_uint_eq(r->ndata, 2);
	ck_assert_msg(
	    line_is(r->data[0], "name", name), "got \"%s\"", r->data[0]);
	ck_assert_msg(
	    line_is(r->data[1], "name", wsn), "got \"%s\"", r->data[1]);
	ck_assert(line_is(r->data[1], "role", "owner"));
	client_reply_free(r);
	/* Close is not enough: the exact bytes. */
	call_err(c, "auth_failed", "LOGIN", "email", zoe, "password",
	    "p@ss \"w\xc3\xb6rd\" \\ with \\", NULL);
	client_close(c);
	free(zoe);
	free(wsn);
}
END_TEST

START_TEST(test_login_replaces_session)
{
	struct client *c, *d;
	struct client_reply *r;
	char *bob, *token;

	bob = harness_email("bob");
	agorad_user_add(node, bob, "Bob Chen", HARNESS_PASSWORD, NULL, NULL);
	agorad_start(node);
	c = harness_login(node, email, HARNESS_PASSWORD, &token);
	client_reply_free(call_ok(
	    c, "LOGIN", "email", bob, "password", HARNESS_PASSWORD, NULL));
	r = call_ok(c, "WHOAMI", NULL);
	ck_assert(line_is(r->data[0], "email", bob));
	client_reply_free(r);
	/* The first session is still valid elsewhere. */
	d = harness_connect(node);
	client_reply_free(call_ok(d, "SESSION.RESUME", "token", token, NULL));
	r = call_ok(d, "WHOAMI", NULL);
	ck_assert(line_is(r->data[0], "email", email));
	client_reply_free(r);
	/* A failed LOGIN leaves the connection's session alone. */
	call_err(
	    d, "auth_failed", "LOGIN", "email", bob, "password", "no", NULL);
	r = call_ok(d, "WHOAMI", NULL);
	ck_assert(line_is(r->data[0], "email", email));
	client_reply_free(r);
	client_close(d);
	client_close(c);
	free(bob);
	free(token);
}
END_TEST

static Suite *
session_suite(void)
{
	Suite *s = suite_create("session");
	TCase *tc = harness_tcase("session");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_login);
	tcase_add_test(tc, test_whoami);
	tcase_add_test(tc, test_auth_failed_is_uniform);
	tcase_add_test(tc, test_email_case);
	tcase_add_test(tc, test_rate_limit_account);
	tcase_add_test(tc, test_rate_limit_address);
	tcase_add_test(tc, test_resume);
	tcase_add_test(tc, test_logout);
	tcase_add_test(tc, test_audit);
	tcase_add_test(tc, test_non_ascii);
	tcase_add_test(tc, test_login_replaces_session);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return harness_run(session_suite());
}
