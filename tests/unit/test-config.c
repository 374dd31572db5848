#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "check-run.h"

static char path[64];

static void
write_file(const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static void
setup(void)
{
	int fd;

	snprintf(path, sizeof path, "/tmp/agora-config-XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ne(fd, -1);
	close(fd);
}

static void
teardown(void)
{
	unlink(path);
}

/* Loads text; returns the cause on failure (caller frees) or NULL. */
static char *
load(const char *text, struct config *cf)
{
	char *cause = NULL;

	write_file(text);
	if (config_load(path, cf, &cause) == 0)
		return NULL;
	ck_assert_ptr_nonnull(cause);
	return cause;
}

START_TEST(defaults)
{
	struct config cf;

	ck_assert_ptr_null(load("# nothing\n\n", &cf));
	ck_assert_str_eq(cf.listen, "127.0.0.1:7443");
	ck_assert_int_eq(cf.max_line, 65536);
	ck_assert_int_eq(cf.db_workers, 4);
	config_free(&cf);
}
END_TEST

START_TEST(values_and_quotes)
{
	struct config cf;

	ck_assert_ptr_null(load(
	    "listen = [::1]:9000\n"
	    "  database = \"host=/tmp port=5 dbname=agora\"  \n"
	    "max_line=1024\n"
	    "max_line = 2048\n", &cf));
	ck_assert_str_eq(cf.listen, "[::1]:9000");
	ck_assert_str_eq(cf.database, "host=/tmp port=5 dbname=agora");
	ck_assert_int_eq(cf.max_line, 2048);	/* the last one wins */
	config_free(&cf);
}
END_TEST

START_TEST(errors_name_the_line)
{
	static const struct { const char *text, *want; } cases[] = {
		{ "bogus = 1\n", "line 1: unknown option \"bogus\"" },
		{ "\nmax_line = 12\n", "line 2: max_line must be a number" },
		{ "max_line = 99999999999\n", "max_line must be a number" },
		{ "max_line = 1k\n", "max_line must be a number" },
		{ "db_workers = 0\n", "db_workers must be a number from 1" },
		{ "listen\n", "line 1: expected key = value" },
		{ "database = \"open\n", "line 1: unterminated quoted value" },
		{ "scrypt_n = 3000\n", "scrypt_n must be a power of two" },
	};
	struct config cf;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *cause = load(cases[i].text, &cf);

		ck_assert_msg(cause != NULL, "accepted %s", cases[i].text);
		ck_assert_msg(strstr(cause, cases[i].want) != NULL,
		    "\"%s\" does not say \"%s\"", cause, cases[i].want);
		free(cause);
	}
}
END_TEST

START_TEST(missing_file)
{
	struct config cf;
	char *cause = NULL;

	ck_assert_int_eq(config_load("/nonexistent/agorad.conf", &cf, &cause),
	    -1);
	ck_assert_ptr_nonnull(strstr(cause, "No such file"));
	free(cause);
}
END_TEST

/* What config_write writes, config_load reads back; mode 0600. */
START_TEST(write_round_trip)
{
	struct config a, b;
	struct stat st;
	char *cause = NULL;

	config_defaults(&a);
	free(a.database);
	a.database = strdup("host=/run/pg dbname=\"x y\"");
	a.idle_timeout = 42;
	ck_assert_int_eq(config_write(path, &a, &cause), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	ck_assert_int_eq(config_load(path, &b, &cause), 0);
	ck_assert_str_eq(b.database, a.database);
	ck_assert_int_eq(b.idle_timeout, 42);
	config_free(&a);
	config_free(&b);
}
END_TEST

START_TEST(reload_rules)
{
	struct config a, b;
	const char *which = NULL;

	config_defaults(&a);
	config_defaults(&b);
	b.max_line = 4096;
	b.idle_timeout = 60;
	ck_assert_int_eq(config_restart_needed(&a, &b, &which), 0);
	config_apply_reloadable(&a, &b);
	ck_assert_int_eq(a.max_line, 4096);
	ck_assert_int_eq(a.idle_timeout, 60);
	b.db_workers = 9;
	ck_assert_int_eq(config_restart_needed(&a, &b, &which), 1);
	ck_assert_str_eq(which, "db_workers");
	config_apply_reloadable(&a, &b);
	ck_assert_int_eq(a.db_workers, 4);	/* not applied by a reload */
	free(b.listen);
	b.listen = strdup("0.0.0.0:1");
	b.db_workers = 4;
	ck_assert_int_eq(config_restart_needed(&a, &b, &which), 1);
	ck_assert_str_eq(which, "listen");
	config_free(&a);
	config_free(&b);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("config");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, defaults);
	tcase_add_test(tc, values_and_quotes);
	tcase_add_test(tc, errors_name_the_line);
	tcase_add_test(tc, missing_file);
	tcase_add_test(tc, write_round_trip);
	tcase_add_test(tc, reload_rules);
	suite_add_tcase(s, tc);
	return check_run(s);
}
