#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tokenfile.h"
#include "xmalloc.h"
#include "check-run.h"

#define TOKEN "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static char dir[64], path[128], link_path[128];

static void
setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/agora-token-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/state/agora/session", dir);
	snprintf(link_path, sizeof link_path, "%s/link", dir);
}

static void
teardown(void)
{
	char p[160];

	unlink(path);
	unlink(link_path);
	snprintf(p, sizeof p, "%s/state/agora", dir);
	rmdir(p);
	snprintf(p, sizeof p, "%s/state", dir);
	rmdir(p);
	rmdir(dir);
}

START_TEST(save_then_load)
{
	struct stat st;
	char *cause = NULL, *token = NULL;

	ck_assert_int_eq(tokenfile_load(path, &token, &cause), 1);
	ck_assert_int_eq(tokenfile_save(path, TOKEN, &cause), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	ck_assert_int_eq(tokenfile_load(path, &token, &cause), 0);
	ck_assert_str_eq(token, TOKEN);
	freezero_str(token);
	ck_assert_int_eq(tokenfile_remove(path), 0);
	ck_assert_int_eq(tokenfile_remove(path), 0);
	ck_assert_int_eq(tokenfile_load(path, &token, &cause), 1);
}
END_TEST

START_TEST(readable_by_others_refused)
{
	char *cause = NULL, *token = NULL;
	static const mode_t modes[] = { 0640, 0604, 0644, 0660, 0666 };

	ck_assert_int_eq(tokenfile_save(path, TOKEN, &cause), 0);
	for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
		ck_assert_int_eq(chmod(path, modes[i]), 0);
		ck_assert_int_eq(tokenfile_load(path, &token, &cause), -1);
		ck_assert_ptr_nonnull(strstr(cause, "other users can read"));
		free(cause);
		cause = NULL;
	}
}
END_TEST

START_TEST(symlink_refused)
{
	char *cause = NULL, *token = NULL;

	ck_assert_int_eq(tokenfile_save(path, TOKEN, &cause), 0);
	ck_assert_int_eq(symlink(path, link_path), 0);
	ck_assert_int_eq(tokenfile_load(link_path, &token, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "symbolic link"));
	free(cause);
}
END_TEST

START_TEST(garbage_refused)
{
	char *cause = NULL, *token = NULL;
	FILE *f;

	ck_assert_int_eq(tokenfile_save(path, TOKEN, &cause), 0);
	f = fopen(path, "w");
	fputs("\x1b[2Jnot a token\n", f);
	fclose(f);
	ck_assert_int_eq(tokenfile_load(path, &token, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "not a session token"));
	free(cause);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("tokenfile");
	TCase *tc = tcase_create("tokenfile");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, save_then_load);
	tcase_add_test(tc, readable_by_others_refused);
	tcase_add_test(tc, symlink_refused);
	tcase_add_test(tc, garbage_refused);
	suite_add_tcase(s, tc);
	return check_run(s);
}
