#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "paths.h"
#include "trust.h"
#include "check-run.h"

#define FP_A "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:" \
    "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89"
#define FP_B "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:" \
    "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF"

static char dir[64], path[128];

static void
setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/agora-trust-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/cfg/agora/known_hosts", dir);
}

static void
teardown(void)
{
	char cmd[256];

	unlink(path);
	snprintf(cmd, sizeof cmd, "%s/cfg/agora", dir);
	rmdir(cmd);
	snprintf(cmd, sizeof cmd, "%s/cfg", dir);
	rmdir(cmd);
	rmdir(dir);
}

static enum trust
check(const char *server, const char *fp)
{
	enum trust t;
	char *cause = NULL;

	ck_assert_int_eq(trust_check(path, server, fp, &t, &cause), 0);
	return t;
}

START_TEST(first_use_then_pinned)
{
	struct stat st;
	char *cause = NULL;

	ck_assert_int_eq(check("acme.example:7443", FP_A), TRUST_UNKNOWN);
	ck_assert_int_eq(trust_pin(path, "acme.example:7443", FP_A, &cause), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	ck_assert_int_eq(check("acme.example:7443", FP_A), TRUST_MATCH);
	/* the same fingerprint written differently still matches */
	ck_assert_int_eq(check("acme.example:7443",
	    "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789"),
	    TRUST_MATCH);
}
END_TEST

START_TEST(changed_certificate_refused)
{
	char *cause = NULL;

	ck_assert_int_eq(trust_pin(path, "acme.example:7443", FP_A, &cause), 0);
	ck_assert_int_eq(check("acme.example:7443", FP_B), TRUST_CHANGED);
	/* other servers and other ports are separate pins */
	ck_assert_int_eq(check("acme.example:7444", FP_B), TRUST_UNKNOWN);
	ck_assert_int_eq(check("globex.example:7443", FP_B), TRUST_UNKNOWN);
}
END_TEST

START_TEST(malformed_file_is_an_error)
{
	enum trust t;
	char *cause = NULL;
	FILE *f;

	ck_assert_int_eq(trust_pin(path, "a:1", FP_A, &cause), 0);
	f = fopen(path, "a");
	fputs("# comment\n\nbroken-line-without-fingerprint\n", f);
	fclose(f);
	ck_assert_int_eq(trust_check(path, "a:1", FP_A, &t, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, ":4:"));
	free(cause);
}
END_TEST

START_TEST(xdg_paths)
{
	char *p;

	setenv("XDG_CONFIG_HOME", "/x/cfg", 1);
	setenv("XDG_STATE_HOME", "/x/state", 1);
	setenv("HOME", "/home/zoe", 1);
	p = paths_config("known_hosts");
	ck_assert_str_eq(p, "/x/cfg/agora/known_hosts");
	free(p);
	p = paths_state("session");
	ck_assert_str_eq(p, "/x/state/agora/session");
	free(p);
	setenv("XDG_CONFIG_HOME", "relative/ignored", 1);
	unsetenv("XDG_STATE_HOME");
	p = paths_config("config");
	ck_assert_str_eq(p, "/home/zoe/.config/agora/config");
	free(p);
	p = paths_state("session");
	ck_assert_str_eq(p, "/home/zoe/.local/state/agora/session");
	free(p);
	unsetenv("XDG_CONFIG_HOME");
	unsetenv("HOME");
	ck_assert_ptr_null(paths_config("config"));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("trust");
	TCase *tc = tcase_create("known_hosts");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, first_use_then_pinned);
	tcase_add_test(tc, changed_certificate_refused);
	tcase_add_test(tc, malformed_file_is_an_error);
	tcase_add_test(tc, xdg_paths);
	suite_add_tcase(s, tc);
	return check_run(s);
}
