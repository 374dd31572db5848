/*
 * Every verb × every role, generated from the command table (cmd_foreach),
 * so that a verb added later is walked without anyone writing its test.
 *
 * Workspace Acme has the four built-in roles and a custom role "nobody"
 * whose grid is none everywhere (a row of roles, as every role is). Each
 * role's holder takes part in a space of their own, with a file in it;
 * an outsider (a member) takes part in none. For each verb that acts in
 * an area on a workspace, a space or something in one, a request is made
 * from the verb's schema (its required parameters, one of each "exactly
 * one of" group, preferring space=, values naming the fixtures) and sent
 * by each:
 *   - a verb on the workspace itself (SPACE.CREATE) is refused "nobody"
 *     by role, and no built-in role;
 *   - a participant reaches their space by that grant whatever their
 *     role, "nobody" included: grants add to a role, never subtract
 *     (DESIGN §7), so no one is refused by role there;
 *   - the outsider reaches nothing in the owner's space: every such verb
 *     answers not_found or forbidden, never OK.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cmd.h"
#include "harness.h"
#include "proto.h"
#include "xmalloc.h"

#define ROLES	5
#define OUTSIDER	ROLES	/* a member in no space, after the roles */

static const char *const roles[ROLES + 1] = {
	"owner", "admin", "manager", "member", "nobody", "member"
};

static struct agorad *node;
static char *ws, *emails[ROLES + 1];
static int64_t ws_id, user_ids[ROLES + 1], spaces[ROLES], files[ROLES];
static struct client *clients[ROLES + 1];

static void
setup(void)
{
	char id[24];

	node = agorad_new(NULL);
	ws = harness_workspace("Acme");
	for (int i = 0; i <= OUTSIDER; i++) {
		emails[i] = harness_email(i == OUTSIDER ? "outsider" : roles[i]);
		user_ids[i] = agorad_user_add(node, emails[i], roles[i],
		    HARNESS_PASSWORD, ws, i == 4 ? "member" : roles[i]);
	}
	ws_id = pg_i64("SELECT id FROM workspaces WHERE name = $1", ws, NULL);
	pg_exec("INSERT INTO roles (workspace_id, name, spaces, contacts,"
	    " conversations, calendar, tasks, opportunities, analytics,"
	    " billing, users, integrations) SELECT id, 'nobody', 'none',"
	    " 'none', 'none', 'none', 'none', 'none', 'none', false, false,"
	    " false FROM workspaces WHERE name = $1", ws, NULL);
	snprintf(id, sizeof id, "%lld", (long long)user_ids[4]);
	pg_exec("UPDATE memberships SET role = 'nobody' WHERE user_id = $1",
	    id, NULL);
	agorad_start(node);
}

static void
teardown(void)
{
	for (int i = 0; i <= OUTSIDER; i++) {
		if (clients[i] != NULL)
			client_close(clients[i]);
		clients[i] = NULL;
		free(emails[i]);
	}
	if (node != NULL && agorad_running(node))
		agorad_stop_clean(node);
	free(ws);
	node = NULL;
}

/* A space made by the owner with holder i in it, and a file there. */
static void
fixtures(int i)
{
	struct client_reply *r;
	char id[24];

	r = call_ok(clients[0], "SPACE.CREATE", "title", roles[i], NULL);
	spaces[i] = strtoll(client_reply_get(r, "space"), NULL, 10);
	client_reply_free(r);
	if (i != 0)
		harness_participant(spaces[i], user_ids[i], "internal",
		    "active");
	snprintf(id, sizeof id, "%lld", (long long)spaces[i]);
	r = call_ok(clients[0], "FILE.BEGIN", "space", id, "name", "a.txt",
	    "size", "1", "sha256", "ca978112ca1bbdcafac231b39a23dc4da786eff81"
	    "47c4e72b9807785afee48bb", NULL);
	files[i] = strtoll(client_reply_get(r, "file"), NULL, 10);
	client_reply_free(r);
}

/* A value for parameter a of a request by holder i (the outsider: on
   the owner's space and file). */
static void
arg_value(struct buf *b, const struct cmd_arg *a, int i)
{
	if (i == OUTSIDER)
		i = 0;
	if (strcmp(a->key, "space") == 0)
		buf_printf(b, "%lld", (long long)spaces[i]);
	else if (strcmp(a->key, "workspace") == 0)
		buf_printf(b, "%lld", (long long)ws_id);
	else if (strcmp(a->key, "file") == 0)
		buf_printf(b, "%lld", (long long)files[i]);
	else if (strcmp(a->key, "sha256") == 0)
		buf_add_str(b, "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72"
		    "b9807785afee48bb");
	else if (strcmp(a->key, "data") == 0)
		buf_add_str(b, "eA==");
	else if (strcmp(a->key, "user") == 0)
		buf_printf(b, "%lld", (long long)user_ids[0]);
	else if (a->type == ARG_ENUM)
		buf_printf(b, "%.*s", (int)strcspn(a->values, "|"), a->values);
	else if (a->type == ARG_INT)
		buf_printf(b, "%lld", (long long)(a->lo > 0 ? a->lo : 1));
	else if (a->type == ARG_ID || a->type == ARG_BOOL)
		buf_add_str(b, a->type == ARG_ID ? "1" : "0");
	else if (strstr(a->key, "email") != NULL || strcmp(a->key, "to") == 0)
		buf_add_str(b, "someone@example.com");
	else
		buf_add_str(b, "x");
}

/* The member of c's group "exactly one of" that a request gives: space=
   if the group has it, else its first. */
static const struct cmd_arg *
group_pick(const struct cmd *c, int group)
{
	const struct cmd_arg *first = NULL;

	for (const struct cmd_arg *a = c->args; a->key != NULL; a++) {
		if (a->oneof != group)
			continue;
		if (strcmp(a->key, "space") == 0)
			return a;
		if (first == NULL)
			first = a;
	}
	return first;
}

/* The request line for verb c by holder i, from its schema. */
static char *
request_line(const struct cmd *c, int i)
{
	struct buf *b = buf_new(0);
	char *line;

	buf_printf(b, "A1 %s", c->verb);
	for (const struct cmd_arg *a = c->args; a != NULL && a->key != NULL;
	    a++) {
		if (a->oneof > 0 ? group_pick(c, a->oneof) != a : !a->required)
			continue;
		/* Quoted: the values hold no quote or backslash. */
		buf_printf(b, " %s=\"", a->key);
		arg_value(b, a, i);
		buf_add_str(b, "\"");
	}
	line = xstrdup(buf_cstr(b));
	buf_free(b);
	return line;
}

struct walk {
	int	 verbs;		/* walked */
	int	 by_role;	/* refused "nobody" by role */
	int	 outside;	/* refused the outsider */
};

static void
walk_verb(const struct cmd *c, void *arg)
{
	struct walk *w = arg;

	if (c->auth < CMD_SESSION || c->area == AREA_NONE ||
	    (c->target != TARGET_WORKSPACE && c->target != TARGET_SPACE &&
	    c->target != TARGET_OBJECT))
		return;
	w->verbs++;
	for (int i = 0; i <= OUTSIDER; i++) {
		char *line = request_line(c, i);
		struct client_reply *r = harness_raw(clients[i], "A1", line);
		int refused = !r->ok && strcmp(r->code, "forbidden") == 0 &&
		    strstr(r->line, "your role does not allow this") != NULL;

		if (i == OUTSIDER && c->target != TARGET_WORKSPACE) {
			ck_assert_msg(!r->ok && (strcmp(r->code, "not_found") ==
			    0 || strcmp(r->code, "forbidden") == 0),
			    "%s by the outsider: %s", line, r->line);
			w->outside++;
		} else if (i == 4 && c->target == TARGET_WORKSPACE) {
			ck_assert_msg(refused, "%s by nobody: %s", line,
			    r->line);
			w->by_role++;
		} else
			ck_assert_msg(!refused, "%s refused to %s: %s", line,
			    roles[i], r->line);
		client_reply_free(r);
		free(line);
	}
}

START_TEST(every_verb_every_role)
{
	struct walk w = { 0, 0, 0 };

	for (int i = 0; i <= OUTSIDER; i++)
		clients[i] = harness_login(node, emails[i], HARNESS_PASSWORD,
		    NULL);
	for (int i = 0; i < ROLES; i++)
		fixtures(i);
	cmd_foreach(walk_verb, &w);
	/* Spaces, files, comments, participants, invitations, messages. */
	ck_assert_int_ge(w.verbs, 25);
	ck_assert_int_ge(w.by_role, 1);
	ck_assert_int_ge(w.outside, 24);
}
END_TEST

/* Polls SPACE.CREATE by c until refused by role is want (1) or not (0). */
static void
wait_refused(struct client *c, int want)
{
	int64_t until = now_ms() + HARNESS_TIMEOUT;
	int refused = -1;

	while (refused != want && now_ms() < until) {
		struct client_reply *r = client_call(c, "SPACE.CREATE",
		    "title", "probe", NULL);

		ck_assert_ptr_nonnull(r);
		refused = !r->ok && strcmp(r->code, "forbidden") == 0;
		ck_assert_msg(r->ok || refused, "%s", r->line);
		client_reply_free(r);
		if (refused != want)
			usleep(50 * 1000);
	}
	ck_assert_int_eq(refused, want);
}

/*
 * A signed-in session follows its roles: a membership given another role,
 * and a role's grid changed, take effect without logging in again.
 */
START_TEST(roles_change_live)
{
	struct client *c = harness_login(node, emails[3], HARNESS_PASSWORD,
	    NULL);
	struct client_reply *r;
	char id[24];

	snprintf(id, sizeof id, "%lld", (long long)user_ids[3]);
	wait_refused(c, 0);
	pg_exec("UPDATE memberships SET role = 'nobody' WHERE user_id = $1",
	    id, NULL);
	wait_refused(c, 1);
	r = call_ok(c, "WHOAMI", NULL);
	ck_assert_ptr_nonnull(strstr(r->data[1], "role=nobody"));
	client_reply_free(r);
	pg_exec("UPDATE memberships SET role = 'member' WHERE user_id = $1",
	    id, NULL);
	wait_refused(c, 0);
	pg_exec("UPDATE roles SET spaces = 'none' WHERE name = 'member'"
	    " AND workspace_id = (SELECT id FROM workspaces WHERE name = $1)",
	    ws, NULL);
	wait_refused(c, 1);
	client_close(c);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("authz");
	TCase *tc = harness_tcase("table");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, every_verb_every_role);
	tcase_add_test(tc, roles_change_live);
	suite_add_tcase(s, tc);
	return harness_run(s);
}
