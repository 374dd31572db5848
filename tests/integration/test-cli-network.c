/*
 * The network, contact and message subcommands as a script runs them: the
 * real agora binary against a real agorad, each user with a home of their
 * own (XDG directories, so a session each), exit codes as agora(1) says.
 */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "harness.h"
#include "xmalloc.h"

/* agora(1): the exit status of plan_required. */
#define EX_PLAN	79

/* An 8-bit CSI and a right-to-left override: both pass the protocol
   (neither is a C0 control) and both must reach the terminal inert. */
#define HOSTILE_NAME	"Zoë \xc2\x9b" "31mLef\xe2\x80\xae" "èvre"
#define HOSTILE_SAFE	"Zoë <U+009B>31mLef<U+202E>èvre"

struct user {
	const char	*home;		/* under xdg */
	char		*email;
	char		 id[24];
};

static struct agorad *node;
static char server[64], xdg[64], *workspace, *other_ws;
/* alice owns the spaces (workspace on a plan the test sets), carol is her
   colleague, bob is outside (workspace on plan free), dave is nobody's. */
static struct user alice = { .home = "alice" }, bob = { .home = "bob" },
    carol = { .home = "carol" }, dave = { .home = "dave" };

static void
user_add(struct user *u, const char *name, const char *ws, const char *role)
{
	u->email = harness_email(u->home);
	snprintf(u->id, sizeof u->id, "%s", i64s(agorad_user_add(node,
	    u->email, name, HARNESS_PASSWORD, ws, role)));
}

static void
setup(void)
{
	harness_test_setup();
	node = agorad_new(NULL);
	agorad_start(node);
	workspace = harness_workspace("Acme");
	other_ws = harness_workspace("Globex");
	user_add(&alice, HOSTILE_NAME, workspace, "admin");
	user_add(&carol, "Carol Colleague", workspace, "member");
	user_add(&bob, "Bob Outside", other_ws, "admin");
	user_add(&dave, "Dave Nobody", other_ws, "member");
	snprintf(server, sizeof server, "127.0.0.1:%s", agorad_port(node));
	snprintf(xdg, sizeof xdg, "/tmp/agora-cli-net-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(xdg));
}

static void
teardown(void)
{
	char *argv[] = { "rm", "-rf", xdg, NULL };

	harness_stop_clean(__FILE__, __LINE__, node);
	agorad_free(node);
	harness_exec(argv, NULL, NULL);
	free(workspace);
	free(other_ws);
	free(alice.email);
	free(bob.email);
	free(carol.email);
	free(dave.email);
	harness_test_teardown();
}

/*
 * Runs agora as u (its --email and XDG directories) with the node's CA,
 * input on standard input, and the arguments that follow (NULL-terminated);
 * asserts the exit status, showing the output if it differs. *out gets the
 * output (standard output and error) when out is not NULL.
 */
#define run(status, ...) run_at(__LINE__, (status), __VA_ARGS__)
static void
run_at(int line, int status, const struct user *u, const char *input,
    char **out, ...)
{
	char *argv[24] = { getenv("AGORA"), "--server", server, "--ca",
	    (char *)agorad_cert(node), "--email", u->email }, *o;
	char cfg[160], state[160];
	size_t n = 7;
	va_list ap;
	int rc;

	va_start(ap, out);
	while (n < 23 && (argv[n] = va_arg(ap, char *)) != NULL)
		n++;
	va_end(ap);
	argv[n] = NULL;
	snprintf(cfg, sizeof cfg, "%s/%s/config", xdg, u->home);
	snprintf(state, sizeof state, "%s/%s/state", xdg, u->home);
	setenv("XDG_CONFIG_HOME", cfg, 1);
	setenv("XDG_STATE_HOME", state, 1);
	rc = harness_exec(argv, input, &o);
	ck_assert_msg(rc == status, "line %d: agora %s: exit %d, not %d:\n%s",
	    line, argv[7], rc, status, o != NULL ? o : "");
	if (out != NULL)
		*out = o;
	else
		free(o);
}

static void
expect_output(const char *out, const char *want)
{
	ck_assert_msg(out != NULL && strstr(out, want) != NULL,
	    "expected \"%s\" in output:\n%s", want, out != NULL ? out : "");
}

static void
expect_no_output(const char *out, const char *unwanted)
{
	ck_assert_msg(out == NULL || strstr(out, unwanted) == NULL,
	    "did not expect \"%s\" in output:\n%s", unwanted, out);
}

static int
count_of(const char *s, const char *needle)
{
	int n = 0;

	for (const char *p = s; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

/* The same without input, the output thrown away. */
#define RUN(status, u, ...) \
	run((status), (u), NULL, NULL, __VA_ARGS__, NULL)

static void
login(const struct user *u)
{
	run(EX_OK, u, HARNESS_PASSWORD "\n", NULL, "login", NULL);
}

static void
set_plan(const char *plan)
{
	char *out;

	ck_assert_int_eq(agorad_run(node, NULL, &out, "workspace", "plan",
	    workspace, plan, NULL), 0);
	free(out);
}

/* A space created by u (with --network if network), its id (free it). */
static char *
space_new(const struct user *u, const char *title, int network)
{
	char *id;

	run(EX_OK, u, NULL, &id, "space", "create", title,
	    network ? "--network" : NULL, NULL);
	id[strcspn(id, "\n")] = '\0';
	ck_assert_int_gt(strtol(id, NULL, 10), 0);
	return id;
}

/* The next invitation e-mailed to email: its link (free it). */
static char *
invitation_link(const char *email, int *seen)
{
	char *maildir, *to, *link = NULL;
	struct mail *m;

	xasprintf(&maildir, "%s/maildir", agorad_dir(node));
	while (link == NULL) {
		m = maildir_next(maildir, seen);
		to = mail_header(m, "To");
		if (to != NULL && strstr(to, email) != NULL)
			link = mail_link(m);
		free(to);
		mail_free(m);
	}
	free(maildir);
	return link;
}

/* bob, invited to space by alice, follows the e-mailed link. */
static void
bob_joins(const char *space, int *seen)
{
	char *link;

	RUN(EX_OK, &alice, "invite", space, bob.email);
	link = invitation_link(bob.email, seen);
	/* His account is in use: his session is the proof. */
	login(&bob);
	RUN(EX_OK, &bob, "accept", link);
	free(link);
}

/* A free workspace cannot have networks; a paid one can create, flag and
   unflag them. */
START_TEST(test_network_plan)
{
	char *out, *id;

	login(&alice);
	id = space_new(&alice, "Ordinary", 0);
	run(EX_PLAN, &alice, NULL, &out, "network", "flag", id,
	    NULL);
	expect_output(out, "paid plan");
	expect_output(out, "plan_required");
	free(out);
	run(EX_PLAN, &alice, NULL, &out, "space", "create",
	    "Network", "--network", NULL);
	expect_output(out, "paid plan");
	free(out);
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM spaces WHERE network",
	    NULL), 0);

	set_plan("pro");
	run(EX_OK, &alice, NULL, &out, "network", "flag", id,
	    NULL);
	expect_output(out, "is a business network");
	free(out);
	ck_assert_int_eq(pg_i64("SELECT network::int FROM spaces WHERE id = "
	    "$1::bigint", id, NULL), 1);
	RUN(EX_OK, &alice, "network", "unflag", id);
	ck_assert_int_eq(pg_i64("SELECT network::int FROM spaces WHERE id = "
	    "$1::bigint", id, NULL), 0);
	free(id);
	id = space_new(&alice, "Born a network", 1);
	ck_assert_int_eq(pg_i64("SELECT network::int FROM spaces WHERE id = "
	    "$1::bigint", id, NULL), 1);
	RUN(EX_USAGE, &alice, "network", "frob", id);
	RUN(EX_NOINPUT, &alice, "network", "flag", "999999");
	free(id);
}
END_TEST

/* Contacts after acceptance only, once across two networks; a contact's
   networks in common and preferences; a free user refused; candidates. */
START_TEST(test_contacts)
{
	char *out, *net1, *net2, *plain, *link, want[160];
	const char *pb, *pc;
	int seen = 0;

	set_plan("pro");
	login(&alice);
	net1 = space_new(&alice, "Alpha network", 1);
	net2 = space_new(&alice, "Beta network", 1);

	/* Invited but pending: not a contact yet. */
	RUN(EX_OK, &alice, "invite", net1, bob.email);
	run(EX_OK, &alice, NULL, &out, "contacts", "--json",
	    NULL);
	ck_assert_str_eq(out, "[]\n");
	free(out);
	link = invitation_link(bob.email, &seen);
	/* Not logged in: his password is the proof; none is refused. */
	run(EX_NOPERM, &bob, NULL, NULL, "accept", link, NULL);
	run(EX_OK, &bob, HARNESS_PASSWORD "\n", NULL, "accept", link, NULL);
	free(link);
	bob_joins(net2, &seen);

	run(EX_OK, &alice, NULL, &out, "contacts", "--json",
	    NULL);
	snprintf(want, sizeof want, "[{\"user\":\"%s\",", bob.id);
	expect_output(out, want);
	snprintf(want, sizeof want, "\"email\":\"%s\"", bob.email);
	expect_output(out, want);
	ck_assert_int_eq(count_of(out, "\"user\":"), 1);	/* once */
	expect_output(out, "\"networks\":\"2\"");
	free(out);
	run(EX_OK, &alice, NULL, &out, "contacts", NULL);
	expect_output(out, "Bob Outside");
	ck_assert_int_eq(count_of(out, "\n"), 1);
	free(out);

	/* The contact by e-mail, and by id. */
	run(EX_OK, &alice, NULL, &out, "contact", "show",
	    bob.email, NULL);
	expect_output(out, "Bob Outside");
	expect_output(out, "networks in common:");
	expect_output(out, "Alpha network");
	expect_output(out, "Beta network");
	expect_output(out, "always-add           off");
	free(out);
	run(EX_OK, &alice, NULL, &out, "contact", "show",
	    bob.id, "--json", NULL);
	snprintf(want, sizeof want, "{\"user\":\"%s\",", bob.id);
	expect_output(out, want);
	expect_output(out, "\"networks\":\"2\"");
	expect_output(out, "\"in_common\":[{\"space\":");
	expect_output(out, "\"title\":\"Beta network\"");
	ck_assert_int_eq(out[strlen(out) - 2], '}');
	free(out);

	/* Preferences: on, shown, stored; off again. */
	run(EX_OK, &alice, NULL, &out, "contact", "prefs",
	    bob.email, "--always-add", "on", NULL);
	expect_output(out, "always-add           on\n");
	expect_output(out, "always-collaborator  off\n");
	free(out);
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM contact_prefs WHERE "
	    "user_id = $1::bigint AND contact_id = $2::bigint AND always_add "
	    "AND NOT always_collaborator", alice.id, bob.id, NULL), 1);
	RUN(EX_OK, &alice, "contact", "prefs", bob.id,
	    "--always-collaborator", "on", "--always-add", "off");
	run(EX_OK, &alice, NULL, &out, "contact", "prefs",
	    bob.id, NULL);
	ck_assert_str_eq(out, "always-add           off\n"
	    "always-collaborator  on\n");
	free(out);
	RUN(EX_OK, &alice, "contact", "prefs", bob.id,
	    "--always-collaborator", "off");
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM contact_prefs WHERE "
	    "user_id = $1::bigint AND contact_id = $2::bigint AND NOT "
	    "always_add AND NOT always_collaborator", alice.id, bob.id, NULL),
	    1);
	RUN(EX_USAGE, &alice, "contact", "prefs", bob.id, "--always-add",
	    "maybe");

	/* Someone who is not a contact, by e-mail or by id. */
	run(EX_NOINPUT, &alice, NULL, &out, "contact", "show",
	    dave.email, NULL);
	expect_output(out, "not one of your professional contacts");
	free(out);
	RUN(EX_NOINPUT, &alice, "contact", "show", dave.id);
	run(EX_NOINPUT, &alice, NULL, &out, "contact", "show",
	    "Dave", NULL);
	expect_output(out, "not a user id or an e-mail address");
	free(out);

	/* bob's workspace is on plan free: no contacts for him. */
	run(EX_PLAN, &bob, NULL, &out, "contacts", NULL);
	expect_output(out, "paid plan");
	expect_output(out, "plan_required");
	free(out);
	/* Nor e-mail addresses to look up; but he may write by user id to
	   someone he shares a space with, and alice sees it unread. */
	run(EX_PLAN, &bob, NULL, &out, "msg", alice.email, "Hi", NULL);
	expect_output(out, "paid plan");
	free(out);
	RUN(EX_OK, &bob, "msg", alice.id, "Hi from the free plan");
	run(EX_OK, &alice, NULL, &out, "contacts", "--json", NULL);
	expect_output(out, "\"unread\":\"1\"");
	free(out);

	/* Candidates for a new space: the contact first, then the
	   colleague alice shares an ordinary space with. */
	plain = space_new(&alice, "Plain", 0);
	RUN(EX_OK, &alice, "invite", plain, carol.email); /* in at once */
	free(plain);
	plain = space_new(&alice, "Plain too", 0);
	run(EX_OK, &alice, NULL, &out, "candidates", plain,
	    "--json", NULL);
	snprintf(want, sizeof want, "[{\"user\":\"%s\",", bob.id);
	expect_output(out, want);
	ck_assert_ptr_nonnull(pb = strstr(out, "\"contact\":\"1\""));
	ck_assert_ptr_nonnull(pc = strstr(out, carol.email));
	ck_assert(pb < pc);
	expect_output(pc, "\"contact\":\"0\"");
	ck_assert_int_eq(count_of(out, "\"user\":"), 2);
	free(out);
	run(EX_OK, &alice, NULL, &out, "candidates", plain,
	    "car", NULL);
	expect_output(out, "Carol Colleague");
	expect_no_output(out, "Bob Outside");
	free(out);

	/* Bob leaves one network: one in common left; the creator may not. */
	RUN(EX_OK, &bob, "space", "leave", net1);
	run(EX_OK, &alice, NULL, &out, "contacts", "--json", NULL);
	expect_output(out, "\"networks\":\"1\"");
	free(out);
	RUN(EX_NOINPUT, &bob, "space", "leave", net1);
	RUN(EX_NOPERM, &alice, "space", "leave", net2);
	free(plain);
	free(net1);
	free(net2);
}
END_TEST

/* Messages: from a file on standard input, paged, unread counts, read,
   a hostile sender's name and body inert, refusals. */
START_TEST(test_messages)
{
	char *out, *m1, *m2, *m3, *space, *body, want[160];
	const char *p2, *p3;

	set_plan("pro");
	login(&alice);
	login(&carol);
	/* A network: so that each finds the other by e-mail. */
	space = space_new(&alice, "Deal room", 1);
	RUN(EX_OK, &alice, "invite", space, carol.email); /* active at once */

	/* Several lines from a file, CR LF and all. */
	run(EX_OK, &alice, "First line\r\nsecond line\n\n"
	    "fourth line\n", &m1, "msg", carol.email, "-", NULL);
	m1[strcspn(m1, "\n")] = '\0';
	body = pg_text("SELECT body FROM messages WHERE id = $1::bigint", m1,
	    NULL);
	ck_assert_str_eq(body, "First line\nsecond line\n\nfourth line");
	free(body);
	run(EX_OK, &alice, NULL, &m2, "msg", carol.id,
	    "Second message", NULL);
	m2[strcspn(m2, "\n")] = '\0';
	/* The server refuses C1 controls in a body, but takes a right-to-left
	   override, a zero-width space and a tab. */
	RUN(EX_DATAERR, &alice, "msg", carol.id, "Evil \xc2\x9b" "31m red");
	run(EX_OK, &alice, NULL, &m3, "msg", carol.id,
	    "Evil \xe2\x80\xae reversed\xe2\x80\x8b\ttabbed", NULL);
	m3[strcspn(m3, "\n")] = '\0';

	/* carol: three unread, oldest first, the hostile text inert. */
	run(EX_OK, &carol, NULL, &out, "conversations", "--json",
	    NULL);
	snprintf(want, sizeof want, "\"with\":\"%s\"", alice.id);
	expect_output(out, want);
	expect_output(out, "\"unread\":\"3\"");
	free(out);
	run(EX_OK, &carol, NULL, &out, "conversations", NULL);
	expect_output(out, "direct");
	expect_output(out, HOSTILE_SAFE);
	free(out);
	run(EX_OK, &carol, NULL, &out, "messages", alice.email,
	    NULL);
	expect_output(out, "    First line\n    second line\n    \n"
	    "    fourth line\n");
	expect_output(out, HOSTILE_SAFE);
	expect_output(out, "    Evil <U+202E> reversed<U+200B>^Itabbed\n");
	ck_assert_ptr_null(strstr(out, "\xc2\x9b"));
	ck_assert_ptr_null(strstr(out, "\xe2\x80\xae"));
	ck_assert_ptr_null(strstr(out, "\xe2\x80\x8b"));
	ck_assert_ptr_null(strstr(out, "\t"));
	ck_assert_ptr_nonnull(p2 = strstr(out, "Second message"));
	ck_assert_ptr_nonnull(p3 = strstr(out, "Evil"));
	ck_assert(strstr(out, "First line") < p2 && p2 < p3);
	expect_no_output(out, "older messages");
	free(out);

	/* Paging: the newest two, then what is before them. */
	run(EX_OK, &carol, NULL, &out, "messages", alice.id,
	    "--limit", "2", NULL);
	expect_no_output(out, "First line");
	expect_output(out, "Second message");
	snprintf(want, sizeof want, "older messages: --before %s\n", m2);
	expect_output(out, want);
	free(out);
	run(EX_OK, &carol, NULL, &out, "messages", alice.id,
	    "--before", m2, "--limit", "2", NULL);
	expect_output(out, "First line");
	expect_no_output(out, "Second message");
	expect_no_output(out, "older messages");
	free(out);
	run(EX_OK, &carol, NULL, &out, "messages", alice.id,
	    "--limit", "2", "--json", NULL);
	expect_output(out, "\"more\":\"1\"");
	expect_output(out, "\"count\":\"2\"");
	expect_output(out, "\"unread\":\"3\"");
	/* JSON carries the body as it is, escaped. */
	expect_output(out, "\"body\":\"Evil \xe2\x80\xae reversed\xe2\x80\x8b"
	    "\\u0009tabbed\"");
	free(out);
	run(EX_OK, &carol, NULL, &out, "messages", alice.id,
	    "--before", m2, "--json", NULL);
	expect_output(out, "\"body\":\"First line\\u000asecond line\\u000a"
	    "\\u000afourth line\"");
	free(out);

	/* Read: nothing unread for carol; alice's own never were. */
	RUN(EX_OK, &carol, "read", alice.email);
	run(EX_OK, &carol, NULL, &out, "conversations", "--json",
	    NULL);
	expect_output(out, "\"unread\":\"0\"");
	snprintf(want, sizeof want, "\"last\":\"%s\"", m3);
	expect_output(out, want);
	free(out);
	run(EX_OK, &alice, NULL, &out, "conversations", "--json",
	    NULL);
	expect_output(out, "\"unread\":\"0\"");
	free(out);

	/* The space's discussion through the same commands. */
	RUN(EX_OK, &carol, "msg", "--space", space, "In the room");
	run(EX_OK, &alice, NULL, &out, "messages", "--space",
	    space, NULL);
	expect_output(out, "Carol Colleague\n    In the room\n");
	free(out);
	run(EX_OK, &alice, NULL, &out, "conversations", NULL);
	expect_output(out, "space");
	expect_output(out, "Deal room");
	free(out);
	RUN(EX_OK, &alice, "read", "--space", space);

	/* Refusals: nobody alice may write to, a user id that names no one
	   (the same answer: ids are not to be told apart), an address that
	   is no contact's, too long, nothing to say. */
	RUN(EX_NOPERM, &alice, "msg", dave.id, "Hello?");
	RUN(EX_NOPERM, &alice, "msg", "999999", "Hello?");
	run(EX_NOINPUT, &alice, NULL, &out, "msg", dave.email,
	    "Hello?", NULL);
	expect_output(out, "not one of your professional contacts");
	free(out);
	{
		char *big = xmalloc(16386);

		memset(big, 'x', 16385);
		big[16385] = '\0';
		run(EX_DATAERR, &alice, big, &out, "msg", carol.id,
		    "-", NULL);
		expect_output(out, "over 16384 bytes");
		free(out);
		big[16384] = '\n';	/* exactly the limit, and a line end */
		run(EX_OK, &alice, big, &out, "msg", carol.id,
		    "-", NULL);
		free(out);
		free(big);
	}
	RUN(EX_DATAERR, &alice, "msg", carol.id, "-");	/* empty stdin */
	RUN(EX_USAGE, &alice, "msg", carol.id);
	RUN(EX_USAGE, &alice, "messages");
	free(m1);
	free(m2);
	free(m3);
	free(space);
}
END_TEST

static Suite *
cli_network_suite(void)
{
	Suite *s = suite_create("cli-network");
	TCase *tc = harness_tcase("cli-network");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_network_plan);
	tcase_add_test(tc, test_contacts);
	tcase_add_test(tc, test_messages);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return harness_run(cli_network_suite());
}
