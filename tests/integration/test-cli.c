/*
 * The agora subcommands (ping, login, whoami, logout) as a script runs
 * them: the real binary, a real agorad, exit codes from sysexits(3).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>

#include "harness.h"

static struct agorad *node;
static char *email, server[64], xdg[64], session_path[128];

static void
setup(void)
{
	char cfg[96], state[96];

	harness_test_setup();
	node = agorad_new(NULL);
	agorad_start(node);
	email = harness_email("cli");
	/* An 8-bit CSI and a right-to-left override: both pass the
	 * protocol (neither is a C0 control) and both must reach the
	 * terminal inert. */
	agorad_user_add(node, email, "Zoë \xc2\x9b" "31mLef\xe2\x80\xae" "èvre",
	    "correct horse", "Acme", "admin");
	snprintf(server, sizeof server, "127.0.0.1:%s", agorad_port(node));
	snprintf(xdg, sizeof xdg, "/tmp/agora-cli-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(xdg));
	snprintf(cfg, sizeof cfg, "%s/config", xdg);
	snprintf(state, sizeof state, "%s/state", xdg);
	setenv("XDG_CONFIG_HOME", cfg, 1);
	setenv("XDG_STATE_HOME", state, 1);
	snprintf(session_path, sizeof session_path, "%s/agora/session", state);
}

static void
teardown(void)
{
	char *argv[] = { "rm", "-rf", xdg, NULL };

	harness_stop_clean(__FILE__, __LINE__, node);
	agorad_free(node);
	free(email);
	harness_exec(argv, NULL, NULL);
	harness_test_teardown();
}

/* Runs agora with the node's CA and the given arguments. */
static int
agora(const char *input, char **out, const char *a1, const char *a2)
{
	char *argv[] = { getenv("AGORA"), "--server", server, "--ca",
	    (char *)agorad_cert(node), "--email", email, (char *)a1,
	    (char *)a2, NULL };

	return harness_exec(argv, input, out);
}

static void
expect_output(const char *out, const char *want)
{
	ck_assert_msg(out != NULL && strstr(out, want) != NULL,
	    "expected \"%s\" in output:\n%s", want, out != NULL ? out : "");
}

START_TEST(test_ping)
{
	char *out;

	ck_assert_int_eq(agora(NULL, &out, "ping", NULL), EX_OK);
	expect_output(out, "alive");
	free(out);
}
END_TEST

START_TEST(test_login_whoami_logout)
{
	struct stat st;
	char *out;

	ck_assert_int_eq(agora(NULL, &out, "whoami", NULL), EX_NOPERM);
	expect_output(out, "not logged in");
	free(out);
	ck_assert_int_eq(agora("correct horse\n", &out, "login", NULL), EX_OK);
	expect_output(out, "logged in");
	free(out);
	ck_assert_int_eq(stat(session_path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);

	ck_assert_int_eq(agora(NULL, &out, "whoami", NULL), EX_OK);
	/* the hostile display name arrives inert */
	expect_output(out, "Zoë <U+009B>31mLef<U+202E>èvre <");
	ck_assert_ptr_null(strstr(out, "\xc2\x9b"));
	ck_assert_ptr_null(strstr(out, "\xe2\x80\xae"));
	expect_output(out, "Acme (admin)");
	free(out);

	ck_assert_int_eq(agora(NULL, &out, "whoami", "--json"), EX_OK);
	/* JSON carries the name as it is: a program, not a terminal,
	 * reads it. */
	expect_output(out, "\"name\":\"Zoë \xc2\x9b" "31mLef\xe2\x80\xae" "èvre\"");
	expect_output(out, "\"workspaces\":[{\"id\":");
	expect_output(out, "\"role\":\"admin\"");
	free(out);

	ck_assert_int_eq(agora(NULL, &out, "logout", NULL), EX_OK);
	free(out);
	ck_assert_int_eq(stat(session_path, &st), -1);
	ck_assert_int_eq(agora(NULL, &out, "whoami", NULL), EX_NOPERM);
	free(out);
}
END_TEST

START_TEST(test_wrong_password)
{
	char *out;

	ck_assert_int_eq(agora("wrong\n", &out, "login", NULL), EX_NOPERM);
	expect_output(out, "auth_failed");
	free(out);
	ck_assert_int_eq(agora("", &out, "login", NULL), EX_NOINPUT);
	free(out);
}
END_TEST

START_TEST(test_readable_token_refused)
{
	char *out;

	ck_assert_int_eq(agora("correct horse\n", &out, "login", NULL), EX_OK);
	free(out);
	ck_assert_int_eq(chmod(session_path, 0644), 0);
	ck_assert_int_eq(agora(NULL, &out, "whoami", NULL), EX_NOPERM);
	expect_output(out, "other users can read it");
	free(out);
}
END_TEST

/* Without a CA file and without a terminal, an unknown server is refused. */
START_TEST(test_unknown_certificate_refused)
{
	char *argv[] = { getenv("AGORA"), "--server", server, "ping", NULL };
	char *out;

	ck_assert_int_eq(harness_exec(argv, NULL, &out), EX_NOPERM);
	expect_output(out, "not trusted");
	free(out);
}
END_TEST

START_TEST(test_usage)
{
	char *argv[] = { getenv("AGORA"), "frobnicate", NULL };
	char *out;

	ck_assert_int_eq(harness_exec(argv, NULL, &out), EX_USAGE);
	expect_output(out, "unknown command");
	free(out);
}
END_TEST

static Suite *
cli_suite(void)
{
	Suite *s = suite_create("cli");
	TCase *tc = harness_tcase("cli");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_ping);
	tcase_add_test(tc, test_login_whoami_logout);
	tcase_add_test(tc, test_wrong_password);
	tcase_add_test(tc, test_readable_token_refused);
	tcase_add_test(tc, test_unknown_certificate_refused);
	tcase_add_test(tc, test_usage);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return harness_run(cli_suite());
}
