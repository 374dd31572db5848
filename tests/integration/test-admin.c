/*
 * The administration subcommands against a real database: agorad init,
 * migrate and user add, including how they refuse what they must refuse.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "xmalloc.h"

static struct agorad *node;

static void
setup(void)
{
	node = agorad_new(NULL);
}

static void
teardown(void)
{
	if (node != NULL && agorad_running(node))
		agorad_stop_clean(node);
	node = NULL;
}

static int64_t
users_with(const char *email)
{
	return pg_i64("SELECT count(*) FROM users WHERE lower(email) = "
		      "lower($1)",
	    email, NULL);
}

#define expect_output(out, needle)                                             \
	do {                                                                   \
		ck_assert_msg(                                                 \
		    (out) != NULL && strstr((out), (needle)) != NULL,          \
		    "expected \"%s\" in: %s", (needle), (out));                \
	} while (0)

START_TEST(test_version)
{
	char *out;

	ck_assert_int_eq(agorad_run(node, NULL, &out, "version", NULL), 0);
	ck_assert_str_eq(out, "agorad " AGORA_VERSION "\n");
	free(out);
	ck_assert_int_ne(agorad_run(node, NULL, &out, "frobnicate", NULL), 0);
	expect_output(out, "unknown command");
	free(out);
}
END_TEST

START_TEST(test_init_refuses_overwrite)
{
	char *conf, *cert, *key, *out, *after;

	conf = file_read(agorad_conf(node));
	cert = file_read(agorad_cert(node));
	key = file_read(agorad_key(node));
	ck_assert_ptr_nonnull(conf);
	ck_assert_ptr_nonnull(cert);
	ck_assert_ptr_nonnull(key);
	ck_assert_int_eq(access(agorad_conf(node), F_OK), 0);

	ck_assert_int_eq(agorad_run(node, NULL, &out, "init", "--dir",
			     agorad_dir(node), "--database", "dbname=elsewhere",
			     "--listen", "127.0.0.1:1", NULL),
	    1);
	expect_output(out, "not overwriting");
	free(out);
	/* Not a byte changed. */
	after = file_read(agorad_conf(node));
	ck_assert_str_eq(after, conf);
	free(after);
	after = file_read(agorad_cert(node));
	ck_assert_str_eq(after, cert);
	free(after);
	after = file_read(agorad_key(node));
	ck_assert_str_eq(after, key);
	free(after);
	/* And the node still works with it. */
	agorad_start(node);
	agorad_stop_clean(node);
	free(conf);
	free(cert);
	free(key);
}
END_TEST

/* On a database of its own: init applies every migration, then none. */
START_TEST(test_migrate_idempotent)
{
	struct agorad *fresh;
	PGconn *pg;
	char *db, *conninfo, *out, *want, *sql;
	int64_t n;

	xasprintf(&db, "agora_mig_%ld", (long)getpid());
	pg = pg_connect("postgres");
	xasprintf(&sql, "CREATE DATABASE %s OWNER agora", db);
	pg_must(pg, sql);
	free(sql);
	conninfo = pg_conninfo_for(db);
	fresh = agorad_new(conninfo);
	{
		PGconn *mig = pg_connect(db);
		PGresult *r = PQexec(mig,
		    "SELECT count(*), max(version) FROM schema_migrations");

		ck_assert_int_eq(PQresultStatus(r), PGRES_TUPLES_OK);
		n = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
		ck_assert_int_ge(n, 1);
		ck_assert_str_eq(PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1));
		PQclear(r);
		PQfinish(mig);
	}
	xasprintf(&want, "schema at version %lld (%lld migration%s applied)",
	    (long long)n, (long long)n, n == 1 ? "" : "s");
	expect_output(agorad_init_output(fresh), want);
	free(want);

	xasprintf(&want, "schema at version %lld (0 migrations applied)",
	    (long long)n);
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(
		    agorad_run(fresh, NULL, &out, "migrate", NULL), 0);
		expect_output(out, want);
		free(out);
	}
	free(want);
	/* The schema works: a user, a server, a login. */
	agorad_user_add(
	    fresh, "mig@example.com", "Mig", HARNESS_PASSWORD, NULL, NULL);
	agorad_start(fresh);
	client_close(
	    harness_login(fresh, "mig@example.com", HARNESS_PASSWORD, NULL));
	agorad_stop_clean(fresh);

	/* A database that is not there: a clear failure. */
	agorad_set(fresh, "database = \"host=/nonexistent dbname=nope\"");
	ck_assert_int_eq(agorad_run(fresh, NULL, &out, "migrate", NULL), 1);
	expect_output(out, "/nonexistent");
	free(out);

	agorad_free(fresh);
	xasprintf(&sql, "DROP DATABASE %s", db);
	pg_must(pg, sql);
	free(sql);
	PQfinish(pg);
	free(conninfo);
	free(db);
}
END_TEST

START_TEST(test_user_add_stdin)
{
	struct client *c;
	char *email, *crlf, *hash, *out;
	int64_t id;

	email = harness_email("stdin");
	id = agorad_user_add(
	    node, email, "Stdin User", "from standard input", NULL, NULL);
	ck_assert_int_eq(users_with(email), 1);
	/* Stored as scrypt with the configured cost, never as given. */
	hash = pg_text(
	    "SELECT password_hash FROM users WHERE id = $1", i64s(id), NULL);
	ck_assert_msg(
	    strncmp(hash, "scrypt$1024$", 12) == 0, "hash \"%s\"", hash);
	ck_assert_ptr_null(strstr(hash, "from standard input"));
	free(hash);

	/* A trailing CR LF is not part of the password. */
	crlf = harness_email("crlf");
	ck_assert_int_eq(agorad_run(node, "crlf password\r\n", &out, "user",
			     "add", "--email", crlf, "--name", "CRLF", NULL),
	    0);
	free(out);

	agorad_start(node);
	client_close(harness_login(node, email, "from standard input", NULL));
	client_close(harness_login(node, crlf, "crlf password", NULL));
	c = harness_connect(node);
	call_err(c, "auth_failed", "LOGIN", "email", email, "password",
	    "from standard inpu", NULL);
	call_err(c, "auth_failed", "LOGIN", "email", crlf, "password",
	    "crlf password\r", NULL);
	client_close(c);
	free(email);
	free(crlf);
}
END_TEST

START_TEST(test_user_add_password_rules)
{
	char *email, *out, *big;

	email = harness_email("short");
	/* Seven bytes: too short; nothing created. */
	ck_assert_int_eq(agorad_run(node, "1234567\n", &out, "user", "add",
			     "--email", email, "--name", "Short", NULL),
	    1);
	expect_output(out, "password must be");
	free(out);
	ck_assert_int_eq(users_with(email), 0);
	/* No password at all. */
	ck_assert_int_eq(agorad_run(node, "", &out, "user", "add", "--email",
			     email, "--name", "Short", NULL),
	    1);
	expect_output(out, "no password");
	free(out);
	ck_assert_int_eq(users_with(email), 0);
	/* Too long. */
	big = xmalloc(1100);
	memset(big, 'p', 1098);
	big[1098] = '\n';
	big[1099] = '\0';
	ck_assert_int_eq(agorad_run(node, big, &out, "user", "add", "--email",
			     email, "--name", "Long", NULL),
	    1);
	expect_output(out, "password must be");
	free(out);
	free(big);
	/* Eight: fine. */
	ck_assert_int_eq(agorad_run(node, "12345678\n", &out, "user", "add",
			     "--email", email, "--name", "Short", NULL),
	    0);
	free(out);
	ck_assert_int_eq(users_with(email), 1);
	free(email);
}
END_TEST

/* There is no way to give the password in argv: no such option. */
START_TEST(test_user_add_no_password_option)
{
	char *email, *out;

	email = harness_email("argv");
	ck_assert_int_ne(agorad_run(node, HARNESS_PASSWORD "\n", &out, "user",
			     "add", "--email", email, "--name", "Argv",
			     "--password", "hunter2hunter2", NULL),
	    0);
	expect_output(out, "--password");
	free(out);
	ck_assert_int_ne(agorad_run(node, HARNESS_PASSWORD "\n", &out, "user",
			     "add", "--email", email, "--name", "Argv",
			     "--password=hunter2hunter2", NULL),
	    0);
	free(out);
	ck_assert_int_eq(users_with(email), 0);
	free(email);
}
END_TEST

START_TEST(test_user_add_duplicate)
{
	char *email, *upper, *out, *ws;
	int64_t events;

	email = harness_email("dup");
	upper = xstrdup(email);
	for (size_t i = 0; upper[i] != '\0'; i++) {
		if (upper[i] >= 'a' && upper[i] <= 'z')
			upper[i] = (char)(upper[i] - 'a' + 'A');
	}
	agorad_user_add(node, email, "First", HARNESS_PASSWORD, NULL, NULL);
	ws = harness_workspace("New");
	events = pg_i64("SELECT count(*) FROM events", NULL);

	ck_assert_int_eq(agorad_run(node, HARNESS_PASSWORD "\n", &out, "user",
			     "add", "--email", upper, "--name", "Second",
			     "--workspace", ws, "--role", "admin", NULL),
	    1);
	expect_output(out, "already exists");
	free(out);
	ck_assert_int_eq(users_with(email), 1);
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM users WHERE name = "
				"'First' AND email = $1",
			     email, NULL),
	    1);
	/* All or nothing: no workspace, no event, no audit row. */
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM workspaces WHERE name = "
				"$1",
			     ws, NULL),
	    0);
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM events", NULL), events);
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM audit_log WHERE action "
				"= 'user.add' AND lower(target) = lower($1)",
			     email, NULL),
	    1);
	free(email);
	free(upper);
	free(ws);
}
END_TEST

START_TEST(test_user_add_bad_arguments)
{
	char *email, *out;

	email = harness_email("bad");
	ck_assert_int_eq(agorad_run(node, HARNESS_PASSWORD "\n", &out, "user",
			     "add", "--email", email, "--name", "Bad",
			     "--workspace", "W", "--role", "superuser", NULL),
	    1);
	expect_output(out, "role must be owner, admin, manager or member");
	free(out);
	ck_assert_int_eq(
	    agorad_run(node, HARNESS_PASSWORD "\n", &out, "user", "add",
		"--email", email, "--name", "Bad", "--role", "admin", NULL),
	    1);
	expect_output(out, "--workspace");
	free(out);
	ck_assert_int_eq(
	    agorad_run(node, HARNESS_PASSWORD "\n", &out, "user", "add",
		"--email", "not-an-address", "--name", "Bad", NULL),
	    1);
	expect_output(out, "not an e-mail address");
	free(out);
	ck_assert_int_eq(agorad_run(node, HARNESS_PASSWORD "\n", &out, "user",
			     "add", "--email", email, "--name", "", NULL),
	    1);
	expect_output(out, "name");
	free(out);
	/* An escape sequence in a name would be dropped by the protocol
	 * (it has no escape for ESC): refuse it at the door instead. */
	ck_assert_int_eq(agorad_run(node, HARNESS_PASSWORD "\n", &out, "user",
			     "add", "--email", email, "--name", "Eve\x1b[2J",
			     NULL),
	    1);
	expect_output(out, "control characters");
	free(out);
	ck_assert_int_eq(agorad_run(node, HARNESS_PASSWORD "\n", &out, "user",
			     "add", "--email", email, NULL),
	    1);
	expect_output(out, "usage");
	free(out);
	ck_assert_int_eq(agorad_run(node, HARNESS_PASSWORD "\n", &out, "user",
			     "remove", NULL),
	    1);
	free(out);
	ck_assert_int_eq(users_with(email), 0);
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM workspaces WHERE name = "
				"'W'",
			     NULL),
	    0);
	free(email);
}
END_TEST

START_TEST(test_serve_bad_config)
{
	struct agorad *other;
	char *out;

	agorad_set(node, "max_line = 1");
	ck_assert_int_eq(agorad_run(node, NULL, &out, "serve", NULL), 1);
	expect_output(out, "max_line");
	free(out);
	other = agorad_new(NULL);
	agorad_set(other, "no_such_option = 1");
	ck_assert_int_eq(agorad_run(other, NULL, &out, "serve", NULL), 1);
	expect_output(out, "no_such_option");
	free(out);
	agorad_free(other);
}
END_TEST

static Suite *
admin_suite(void)
{
	Suite *s = suite_create("admin");
	TCase *tc = harness_tcase("admin");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_version);
	tcase_add_test(tc, test_init_refuses_overwrite);
	tcase_add_test(tc, test_migrate_idempotent);
	tcase_add_test(tc, test_user_add_stdin);
	tcase_add_test(tc, test_user_add_password_rules);
	tcase_add_test(tc, test_user_add_no_password_option);
	tcase_add_test(tc, test_user_add_duplicate);
	tcase_add_test(tc, test_user_add_bad_arguments);
	tcase_add_test(tc, test_serve_bad_config);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return harness_run(admin_suite());
}
