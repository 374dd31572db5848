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

/* Whether c's schema has key: 1, 2 if required, 0 if not at all. */
static int
takes(const struct cmd *c, const char *key)
{
	for (const struct cmd_arg *a = c->args; a != NULL && a->key != NULL;
	    a++)
		if (strcmp(a->key, key) == 0)
			return 1 + a->required;
	return 0;
}

/*
 * Every verb says what it acts on and in which area, and the request core
 * can find that target: a verb added without them fails here, before the
 * verb × role test (integration/test-authz.c) walks it.
 */
static void
check_target(const struct cmd *c, void *arg)
{
	ck_assert_msg(c->target != TARGET_UNSET, "%s has no target", c->verb);
	ck_assert_msg(c->area >= AREA_NONE && c->area < AREA_COUNT,
	    "%s has no area", c->verb);
	ck_assert_msg((c->auth >= CMD_SESSION) == (c->target != TARGET_LINK) ||
	    strcmp(c->verb, "PING") == 0, "%s: a verb without a session acts "
	    "on a link, and only such a verb does", c->verb);
	if (c->target == TARGET_SPACE)
		ck_assert_msg(takes(c, "space") == 2, "%s acts on a space and "
		    "takes no space=", c->verb);
	if (c->target == TARGET_WORKSPACE)
		ck_assert_msg(takes(c, "workspace") > 0, "%s acts on a "
		    "workspace and takes no workspace=", c->verb);
	/* The core opens the target of a verb it runs; a verb that runs
	   itself opens its own. */
	if (c->target == TARGET_OBJECT && c->tx != NULL)
		ck_assert_msg(c->open != NULL, "%s has no open hook", c->verb);
	/* One way to run. */
	ck_assert_int_eq((c->handler != NULL) + (c->tx != NULL) +
	    (c->run != NULL) + (c->result != NULL), 1);
	ck_assert_msg(c->result == NULL || c->stmt != NULL, "%s", c->verb);
}

START_TEST(targets_declared)
{
	cmd_foreach(check_target, NULL);
}
END_TEST

/* The built-in roles' grid is SQL (sql/011_roles.sql); this is the code
   that reads a grid: a settings area is yes or no. */
START_TEST(role_grid)
{
	struct authz_role r = { "custom", { 0 } };

	ck_assert_int_eq(authz_allows(&r, AREA_NONE), 1);
	for (int a = AREA_NONE + 1; a < AREA_COUNT; a++) {
		ck_assert_int_eq(authz_allows(&r, (enum authz_area)a), 0);
		r.scope[a] = SCOPE_OWN;
		ck_assert_int_eq(authz_allows(&r, (enum authz_area)a), 1);
		r.scope[a] = SCOPE_NONE;
	}
	ck_assert_int_eq(authz_scope_parse("none"), SCOPE_NONE);
	ck_assert_int_eq(authz_scope_parse("team"), SCOPE_TEAM);
	ck_assert_int_eq(authz_scope_parse("all"), SCOPE_ALL);
	ck_assert_int_eq(authz_scope_parse("everything"), -1);
	ck_assert_str_eq(authz_area_name(AREA_BILLING), "billing");
	ck_assert_str_eq(authz_area_name(AREA_SPACES), "spaces");
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
	tcase_add_test(tc, targets_declared);
	tcase_add_test(tc, role_grid);
	suite_add_tcase(s, tc);
	return check_run(s);
}
