/*
 * The command table is policy: these tests read it as data, so a verb added
 * without a session check, a schema or a summary fails here first.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd.h"
#include "check-run.h"

/* The only verbs that may run without a session. */
static const char *const open_verbs[] = {
	"PING", "LOGIN", "SESSION.RESUME",
	/* A link from an e-mail is the credential. */
	"ACCEPT", "LOGIN.LINK", "LOGIN.TOKEN", "ACCESS.REQUEST"
};

static int
is_open_verb(const char *verb)
{
	for (size_t i = 0; i < sizeof open_verbs / sizeof open_verbs[0]; i++)
		if (strcmp(open_verbs[i], verb) == 0)
			return 1;
	return 0;
}

static void
check_session(const struct cmd *c, void *arg)
{
	int *n = arg;

	(*n)++;
	ck_assert_msg(c->auth >= CMD_SESSION || is_open_verb(c->verb),
	    "%s runs without a session", c->verb);
	/* Whatever anyone may call is throttled, but for the free PING. */
	ck_assert_msg(c->auth != CMD_PUBLIC || strcmp(c->verb, "PING") == 0,
	    "%s is open and not throttled", c->verb);
}

START_TEST(sessions_required)
{
	int n = 0;

	cmd_foreach(check_session, &n);
	ck_assert_int_ge(n, 6);
}
END_TEST

static void
check_entry(const struct cmd *c, void *arg)
{
	ck_assert_ptr_nonnull(c->handler);
	ck_assert_msg(c->summary != NULL && *c->summary != '\0',
	    "%s has no summary", c->verb);
	ck_assert_msg(cmd_find(c->verb) == c, "%s is defined twice", c->verb);
	for (size_t i = 0; i < strlen(c->verb); i++)
		ck_assert_msg(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZ.", c->verb[i])
		    != NULL, "verb %s is not upper-case dotted", c->verb);
	/* A stored reply is its user's (rid.h); rid= is everyone's. */
	ck_assert_msg(!(c->flags & CMD_RID) || c->auth >= CMD_SESSION,
	    "%s stores replies without a session", c->verb);
	for (const struct cmd_arg *a = c->args; a != NULL && a->key != NULL;
	    a++) {
		ck_assert_str_ne(a->key, "rid");
		ck_assert_msg(a->max > 0, "%s %s has no length limit",
		    c->verb, a->key);
		for (const struct cmd_arg *b = a + 1; b->key != NULL; b++)
			ck_assert_str_ne(a->key, b->key);
	}
}

START_TEST(entries_well_formed)
{
	cmd_foreach(check_entry, NULL);
}
END_TEST

START_TEST(find_ignores_case)
{
	ck_assert_ptr_nonnull(cmd_find("PING"));
	ck_assert_ptr_eq(cmd_find("ping"), cmd_find("PING"));
	ck_assert_ptr_eq(cmd_find("Session.Resume"), cmd_find("SESSION.RESUME"));
	ck_assert_ptr_null(cmd_find("PIN"));
	ck_assert_ptr_null(cmd_find(""));
}
END_TEST

/* Every role against every permission area (DESIGN §2.1). */
START_TEST(roles)
{
	static const struct {
		const char	*role;
		int		 users, billing, integrations;
	} want[] = {
		{ "owner", 1, 1, 1 },
		{ "admin", 1, 0, 1 },
		{ "manager", 0, 0, 0 },
		{ "member", 0, 0, 0 },
		{ "nobody", 0, 0, 0 },
	};

	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		const char *r = want[i].role;

		ck_assert_int_eq(role_allows(r, PERM_NONE), 1);
		ck_assert_int_eq(role_allows(r, PERM_SETTINGS_USERS),
		    want[i].users);
		ck_assert_int_eq(role_allows(r, PERM_SETTINGS_BILLING),
		    want[i].billing);
		ck_assert_int_eq(role_allows(r, PERM_SETTINGS_INTEGRATIONS),
		    want[i].integrations);
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("cmd");
	TCase *tc = tcase_create("table");

	tcase_add_test(tc, sessions_required);
	tcase_add_test(tc, entries_well_formed);
	tcase_add_test(tc, find_ignores_case);
	tcase_add_test(tc, roles);
	suite_add_tcase(s, tc);
	return check_run(s);
}
