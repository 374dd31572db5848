/*
 * Spaces against a real agorad and database: creating, listing, showing,
 * editing, archiving, reactivating and deleting, who may do each (a table
 * of every verb against every kind of participant), the events each
 * change sends, and the warning past 15 participants.
 *
 * Participants other than the creator are written straight into the
 * database here: this suite is about what the space verbs allow, whoever
 * brought the people in.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "xmalloc.h"

static struct agorad *node;
static char *ws;                  /* alice's and bob's workspace */
static char *alice, *bob, *eve;   /* e-mail: owner, colleague, outsider */
static int64_t alice_id, bob_id, eve_id;

static void
setup(void)
{
	node = agorad_new(NULL);
	ws = harness_workspace("Acme");
	alice = harness_email("alice");
	bob = harness_email("bob");
	eve = harness_email("eve");
	alice_id = agorad_user_add(node, alice, "Alice Martin",
	    HARNESS_PASSWORD, ws, "member");
	bob_id = agorad_user_add(node, bob, "Bob Chen", HARNESS_PASSWORD,
	    ws, "member");
	eve_id = agorad_user_add(node, eve, "Eve Outsider", HARNESS_PASSWORD,
	    NULL, NULL);
	agorad_start(node);
}

static void
teardown(void)
{
	if (node != NULL && agorad_running(node))
		agorad_stop_clean(node);
	free(ws);
	free(alice);
	free(bob);
	free(eve);
	node = NULL;
}

/* SPACE.CREATE as c; returns the new space's id. */
static int64_t
space_create(struct client *c, const char *title)
{
	struct client_reply *r = call_ok(c, "SPACE.CREATE", "title", title,
	    "description", "Line one\nline two", NULL);
	int64_t id = strtoll(client_reply_get(r, "space"), NULL, 10);

	client_reply_free(r);
	ck_assert_int_gt(id, 0);
	return id;
}

/* A participant written straight into the database. */
static void
participant_put(int64_t space, int64_t user, const char *role,
    const char *status)
{
	char s[24], u[24];

	snprintf(s, sizeof s, "%lld", (long long)space);
	snprintf(u, sizeof u, "%lld", (long long)user);
	pg_exec("INSERT INTO participants (space_id, user_id, role, status)"
	    " VALUES ($1, $2, $3, $4) ON CONFLICT (space_id, user_id) DO"
	    " UPDATE SET role = $3, status = $4", s, u, role, status, NULL);
}

/* The data line of r for user id (PARTICIPANT lines), or NULL. */
static const char *
person(const struct client_reply *r, int64_t id)
{
	const char *word;

	for (size_t i = 0; i < r->ndata; i++) {
		/* "TAG PARTICIPANT ...": the word after the tag. */
		word = strchr(r->data[i], ' ');
		if (word != NULL && strncmp(word, " PARTICIPANT ", 13) == 0 &&
		    line_i64(r->data[i], "user") == id)
			return r->data[i];
	}
	return NULL;
}

START_TEST(test_create_list_show)
{
	struct client *a = harness_login(node, alice, HARNESS_PASSWORD, NULL);
	struct client_reply *r;
	int64_t id;
	char *ev;

	id = space_create(a, "Globex renewal");
	ev = event_wait(a, "space.created", HARNESS_TIMEOUT);
	ck_assert_ptr_nonnull(ev);
	ck_assert_int_eq(line_i64(ev, "space"), id);
	ck_assert(line_is(ev, "title", "Globex renewal"));
	free(ev);

	r = call_ok(a, "SPACE.LIST", NULL);
	ck_assert_uint_eq(r->ndata, 1);
	ck_assert_int_eq(line_i64(r->data[0], "id"), id);
	ck_assert(line_is(r->data[0], "title", "Globex renewal"));
	ck_assert(line_is(r->data[0], "role", "owner"));
	ck_assert(line_is(r->data[0], "people", "1"));
	ck_assert(line_is(r->data[0], "archived", "0"));
	ck_assert(line_is(r->line, "count", "1"));
	client_reply_free(r);

	r = call_ok(a, "SPACE.SHOW", "space", i64s(id), NULL);
	ck_assert(line_is(r->data[0], "description", "Line one\nline two"));
	ck_assert_ptr_nonnull(person(r, alice_id));
	ck_assert(line_is(person(r, alice_id), "role", "owner"));
	ck_assert(line_is(person(r, alice_id), "status", "active"));
	ck_assert_int_gt(line_i64(person(r, alice_id), "active"), 0);
	ck_assert(line_is(r->line, "people", "1"));
	ck_assert_ptr_null(client_reply_get(r, "warning"));
	client_reply_free(r);

	/* Bob, in the same workspace but not in the space, sees nothing. */
	client_close(a);
	a = harness_login(node, bob, HARNESS_PASSWORD, NULL);
	r = call_ok(a, "SPACE.LIST", NULL);
	ck_assert_uint_eq(r->ndata, 0);
	client_reply_free(r);
	call_err(a, "not_found", "SPACE.SHOW", "space", i64s(id), NULL);
	client_close(a);
}
END_TEST

START_TEST(test_create_invalid)
{
	struct client *a = harness_login(node, alice, HARNESS_PASSWORD, NULL);
	struct client *e = harness_login(node, eve, HARNESS_PASSWORD, NULL);
	char *other = harness_workspace("Other"), *carl = harness_email("carl");
	char *long_title;

	call_err(a, "invalid", "SPACE.CREATE", NULL);
	call_err(a, "invalid", "SPACE.CREATE", "title", "", NULL);
	/* ESC cannot be escaped on the wire (the client library drops it);
	   sent raw, the line itself is refused. */
	expect_err(harness_raw(a, "r1", "r1 SPACE.CREATE title=\"Evil"
	    "\x1b[2J\""), "bad_request");
	call_err(a, "invalid", "SPACE.CREATE", "title", "Tab\there", NULL);
	call_err(a, "invalid", "SPACE.CREATE", "title", "Two\nlines", NULL);
	call_err(a, "invalid", "SPACE.CREATE", "title", "C1 \xc2\x9b", NULL);
	call_err(a, "invalid", "SPACE.CREATE", "title", "x",
	    "externals_invite", "2", NULL);
	long_title = xmalloc(202);
	memset(long_title, 'x', 201);
	long_title[201] = '\0';
	call_err(a, "invalid", "SPACE.CREATE", "title", long_title, NULL);
	free(long_title);
	/* Eve is in no workspace; Alice may not create in one not hers. */
	call_err(e, "invalid", "SPACE.CREATE", "title", "x", NULL);
	agorad_user_add(node, carl, "Carl", HARNESS_PASSWORD, other, "owner");
	call_err(a, "not_found", "SPACE.CREATE", "title", "x", "workspace",
	    i64s(pg_i64("SELECT id FROM workspaces WHERE name = $1", other,
	    NULL)), NULL);
	/* Nothing was made. */
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM spaces WHERE"
	    " creator_id = $1", i64s(alice_id), NULL), 0);
	free(other);
	free(carl);
	client_close(a);
	client_close(e);
}
END_TEST

START_TEST(test_edit_and_events)
{
	struct client *a = harness_login(node, alice, HARNESS_PASSWORD, NULL);
	struct client *b;
	struct client_reply *r;
	int64_t id = space_create(a, "Initech pilot");
	char *ev;

	participant_put(id, bob_id, "internal", "active");
	b = harness_login(node, bob, HARNESS_PASSWORD, NULL);
	call_err(b, "invalid", "SPACE.EDIT", "space", i64s(id), NULL);
	call_err(b, "invalid", "SPACE.EDIT", "space", i64s(id), "title", "",
	    NULL);
	client_reply_free(call_ok(b, "SPACE.EDIT", "space", i64s(id), "title",
	    "Initech pilot \xe2\x80\x94 phase 2", "externals_invite", "1",
	    NULL));
	/* Both participants hear of it. */
	ev = event_wait(a, "space.updated", HARNESS_TIMEOUT);
	ck_assert_ptr_nonnull(ev);
	ck_assert(line_is(ev, "title", "Initech pilot \xe2\x80\x94 phase 2"));
	ck_assert(line_is(ev, "externals_invite", "1"));
	ck_assert(line_is(ev, "description", "Line one\nline two"));
	free(ev);
	ev = event_wait(b, "space.updated", HARNESS_TIMEOUT);
	ck_assert_ptr_nonnull(ev);
	free(ev);
	r = call_ok(a, "SPACE.SHOW", "space", i64s(id), NULL);
	ck_assert(line_is(r->data[0], "externals_invite", "1"));
	client_reply_free(r);
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM audit_log WHERE"
	    " action = 'space.edit' AND actor_id = $1", i64s(bob_id), NULL),
	    1);
	client_close(a);
	client_close(b);
}
END_TEST

START_TEST(test_archive_reactivate)
{
	struct client *a = harness_login(node, alice, HARNESS_PASSWORD, NULL);
	struct client *e;
	struct client_reply *r;
	int64_t id = space_create(a, "Archive me");
	char *ev;

	participant_put(id, eve_id, "external", "active");
	e = harness_login(node, eve, HARNESS_PASSWORD, NULL);
	client_reply_free(call_ok(e, "SPACE.SHOW", "space", i64s(id), NULL));
	client_reply_free(call_ok(a, "SPACE.ARCHIVE", "space", i64s(id), NULL));
	/* The external hears of it, then the space is closed to them. */
	ev = event_wait(e, "space.archived", HARNESS_TIMEOUT);
	ck_assert_ptr_nonnull(ev);
	free(ev);
	expect_err(client_call(e, "SPACE.SHOW", "space", i64s(id), NULL),
	    "not_found");
	r = call_ok(e, "SPACE.LIST", NULL);
	ck_assert_uint_eq(r->ndata, 0);
	client_reply_free(r);
	/* The owner still sees it, archived, and must reactivate to edit. */
	r = call_ok(a, "SPACE.SHOW", "space", i64s(id), NULL);
	ck_assert(line_is(r->data[0], "archived", "1"));
	client_reply_free(r);
	call_err(a, "conflict", "SPACE.EDIT", "space", i64s(id), "title", "x",
	    NULL);
	call_err(a, "conflict", "SPACE.ARCHIVE", "space", i64s(id), NULL);
	client_reply_free(call_ok(a, "SPACE.REACTIVATE", "space", i64s(id),
	    NULL));
	ev = event_wait(e, "space.reactivated", HARNESS_TIMEOUT);
	ck_assert_ptr_nonnull(ev);
	free(ev);
	client_reply_free(call_ok(e, "SPACE.SHOW", "space", i64s(id), NULL));
	call_err(a, "conflict", "SPACE.REACTIVATE", "space", i64s(id), NULL);
	/* Content and history were kept throughout. */
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM participants WHERE"
	    " space_id = $1", i64s(id), NULL), 2);
	client_close(a);
	client_close(e);
}
END_TEST

START_TEST(test_delete)
{
	struct client *a = harness_login(node, alice, HARNESS_PASSWORD, NULL);
	struct client *b;
	int64_t id = space_create(a, "Delete me");
	char *ev;

	participant_put(id, bob_id, "internal", "active");
	b = harness_login(node, bob, HARNESS_PASSWORD, NULL);
	call_err(a, "invalid", "SPACE.DELETE", "space", i64s(id), "confirm",
	    "no", NULL);
	call_err(a, "invalid", "SPACE.DELETE", "space", i64s(id), NULL);
	/* Internal participants have the owner's rights, but not this. */
	call_err(b, "forbidden", "SPACE.DELETE", "space", i64s(id), "confirm",
	    "yes", NULL);
	client_reply_free(call_ok(a, "SPACE.DELETE", "space", i64s(id),
	    "confirm", "yes", NULL));
	ev = event_wait(b, "space.deleted", HARNESS_TIMEOUT);
	ck_assert_ptr_nonnull(ev);
	ck_assert_int_eq(line_i64(ev, "space"), id);
	free(ev);
	call_err(b, "not_found", "SPACE.SHOW", "space", i64s(id), NULL);
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM spaces WHERE id = $1",
	    i64s(id), NULL), 0);
	/* Of its events only the tombstones are left (one each for Alice
	   and Bob), naming nothing but the space: no title.
	   test-file.c has the rest of its content. */
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM events WHERE space_id ="
	    " $1 AND type <> 'space.deleted'", i64s(id), NULL), 0);
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM events WHERE space_id ="
	    " $1 AND type = 'space.deleted' AND data = 'space=' || $1",
	    i64s(id), NULL), 2);
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM events WHERE data LIKE"
	    " '%Delete me%'", NULL), 0);
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM audit_log WHERE"
	    " detail LIKE '%Delete me%'", NULL), 0);
	client_close(a);
	client_close(b);
}
END_TEST

START_TEST(test_large_space_warns)
{
	struct client *a = harness_login(node, alice, HARNESS_PASSWORD, NULL);
	struct client_reply *r;
	int64_t id = space_create(a, "Big");

	/* 15 people in all: no warning; the 16th brings it. */
	pg_exec("INSERT INTO users (email, name) SELECT 'p' || g || '.' ||"
	    " $1, 'Person ' || g FROM generate_series(1, 15) g", alice, NULL);
	pg_exec("INSERT INTO participants (space_id, user_id, role, status)"
	    " SELECT $1, id, 'external', 'pending' FROM users WHERE email"
	    " LIKE 'p%.' || $2 AND name <> 'Person 15'", i64s(id), alice, NULL);
	r = call_ok(a, "SPACE.SHOW", "space", i64s(id), NULL);
	ck_assert(line_is(r->line, "people", "15"));
	ck_assert_ptr_null(client_reply_get(r, "warning"));
	client_reply_free(r);
	pg_exec("INSERT INTO participants (space_id, user_id, role, status)"
	    " SELECT $1, id, 'external', 'active' FROM users WHERE"
	    " name = 'Person 15' AND email LIKE '%.' || $2", i64s(id), alice,
	    NULL);
	r = call_ok(a, "SPACE.SHOW", "space", i64s(id), NULL);
	ck_assert(line_is(r->line, "people", "16"));
	ck_assert_ptr_nonnull(client_reply_get(r, "warning"));
	client_reply_free(r);
	client_close(a);
}
END_TEST

/*
 * Every space verb (files and comments included) against every kind of
 * caller: the owner, an internal participant, a collaborator
 * and an external participant, someone invited (pending), someone who
 * asked (requested), someone revoked, and an outsider. The outcome is the
 * reply's code ("ok" for OK). A closed space answers not_found with one
 * message whatever the reason, so a stranger learns nothing.
 */
enum who { OWNER, INTERNAL, COLLABORATOR, EXTERNAL, PENDING, REQUESTED,
	REVOKED, OUTSIDER, NWHO };
static const char *const who_names[NWHO] = { "owner", "internal",
	"collaborator", "external", "pending", "requested", "revoked",
	"outsider" };

struct verb_case {
	const char	*verb;
	const char	*k1, *v1;	/* an extra parameter, or NULL */
	int		 target;	/* user=ids[target]; FILE: file=; or -1 */
	const char	*want[NWHO];
};

#define FILE (-2)	/* the verb takes the owner's file, not the space */

#define CLOSED "not_found", "not_found", "not_found", "not_found"
#define MANAGERS "ok", "ok", "ok", "forbidden", CLOSED
#define ANYONE "ok", "ok", "ok", "ok", CLOSED
static const struct verb_case cases[] = {
	{ "SPACE.SHOW", NULL, NULL, -1, { ANYONE } },
	{ "SPACE.EDIT", "title", "Renamed", -1, { MANAGERS } },
	{ "SPACE.ARCHIVE", NULL, NULL, -1,
	  { "ok", "ok", "forbidden", "forbidden", CLOSED } },
	{ "SPACE.REACTIVATE", NULL, NULL, -1,	/* on an archived space */
	  { "ok", "ok", "forbidden", "not_found", CLOSED } },
	{ "SPACE.DELETE", "confirm", "yes", -1,
	  { "ok", "forbidden", "forbidden", "forbidden", CLOSED } },
	/* The workspace is on plan pro here. */
	{ "SPACE.NETWORK", "network", "1", -1, { MANAGERS } },
	{ "INVITE.CANDIDATES", NULL, NULL, -1, { MANAGERS } },
	{ "SPACE.LINK", NULL, NULL, -1, { MANAGERS } },
	{ "SPACE.LEAVE", NULL, NULL, -1,
	  { "forbidden", "ok", "ok", "ok", CLOSED } },
	/* externals_invite is off in these spaces */
	{ "INVITE", "emails", "new.person@x.example", -1, { MANAGERS } },
	{ "INVITE.RESEND", NULL, NULL, PENDING, { MANAGERS } },
	{ "INVITE.REMIND", NULL, NULL, PENDING, { MANAGERS } },
	{ "PARTICIPANT.REVOKE", NULL, NULL, PENDING, { MANAGERS } },
	{ "PARTICIPANT.GRANT", NULL, NULL, REVOKED, { MANAGERS } },
	{ "PARTICIPANT.DENY", NULL, NULL, REQUESTED, { MANAGERS } },
	/* Someone else's profile (an external's: managers may). */
	{ "PARTICIPANT.EDIT", "company", "Initech", PENDING, { MANAGERS } },
	/* Files and comments: any participant, but deleting the owner's
	   file takes the owner's side. */
	{ "FILE.LIST", NULL, NULL, -1, { ANYONE } },
	{ "FILE.GET", "offset", "0", FILE, { ANYONE } },
	{ "FILE.DELETE", NULL, NULL, FILE, { MANAGERS } },
	{ "COMMENT.ADD", "body", "Vu", FILE, { ANYONE } },
	{ "COMMENT.LIST", NULL, NULL, FILE, { ANYONE } },
	/* The space's discussion: any participant. */
	{ "MSG.SEND", "body", "Bonjour", -1, { ANYONE } },
	{ "MSG.LIST", NULL, NULL, -1, { ANYONE } },
};

/* A small file of c's in space id; its id. */
static int64_t
file_put(struct client *c, int64_t space)
{
	/* SHA-256 of "hello" */
	const char *sha = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e"
	    "73043362938b9824";
	struct client_reply *r = call_ok(c, "FILE.BEGIN", "space", i64s(space),
	    "name", "hello.txt", "size", "5", "sha256", sha, NULL);
	char *file = xstrdup(client_reply_get(r, "file"));
	int64_t id = strtoll(file, NULL, 10);

	client_reply_free(r);
	client_reply_free(call_ok(c, "FILE.CHUNK", "file", file, "offset", "0",
	    "data", "aGVsbG8=", NULL));
	client_reply_free(call_ok(c, "FILE.END", "file", file, NULL));
	free(file);
	return id;
}

START_TEST(test_authorization)
{
	static const char *const role[NWHO] = { NULL, "internal",
		"collaborator", "external", "external", "external", "external",
		NULL };
	static const char *const status[NWHO] = { NULL, "active", "active",
		"active", "pending", "requested", "revoked", NULL };
	struct client *owner = harness_login(node, alice, HARNESS_PASSWORD,
	    NULL), *c;
	const struct verb_case *vc;
	struct client_reply *r;
	int64_t ids[NWHO], id, file;
	char *email;

	ids[OWNER] = alice_id;
	pg_exec("UPDATE workspaces SET plan = 'pro' WHERE name = $1", ws, NULL);
	for (int w = INTERNAL; w < NWHO; w++) {
		email = harness_email(who_names[w]);
		ids[w] = agorad_user_add(node, email, who_names[w],
		    HARNESS_PASSWORD, w == INTERNAL ? ws : NULL, "member");
		free(email);
	}
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		vc = &cases[i];
		for (int w = 0; w < NWHO; w++) {
			/* A fresh space for each call: outcomes must not
			   depend on what the one before did. */
			id = space_create(owner, vc->verb);
			for (int p = INTERNAL; p < OUTSIDER; p++)
				participant_put(id, ids[p], role[p], status[p]);
			file = file_put(owner, id);
			if (strcmp(vc->verb, "SPACE.REACTIVATE") == 0)
				client_reply_free(call_ok(owner,
				    "SPACE.ARCHIVE", "space", i64s(id), NULL));
			email = pg_text("SELECT email FROM users WHERE"
			    " id = $1", i64s(ids[w]), NULL);
			c = w == OWNER ? owner : harness_login(node, email,
			    HARNESS_PASSWORD, NULL);
			if (vc->target == FILE)
				r = client_call(c, vc->verb, "file",
				    i64s(file), vc->k1, vc->v1, NULL);
			else if (vc->target < 0)
				r = client_call(c, vc->verb, "space", i64s(id),
				    vc->k1, vc->v1, NULL);
			else
				r = client_call(c, vc->verb, "space", i64s(id),
				    "user", i64s(ids[vc->target]), vc->k1,
				    vc->v1, NULL);
			ck_assert_ptr_nonnull(r);
			ck_assert_msg(strcmp(r->ok ? "ok" : r->code,
			    vc->want[w]) == 0, "%s by %s: %s, wanted %s",
			    vc->verb, who_names[w], r->ok ? "ok" : r->code,
			    vc->want[w]);
			if (!r->ok && strcmp(r->code, "not_found") == 0)
				ck_assert(line_is(r->line, "msg",
				    "this space link is not valid"));
			client_reply_free(r);
			if (c != owner)
				client_close(c);
			free(email);
		}
	}
	client_close(owner);
}
END_TEST

static Suite *
space_suite(void)
{
	Suite *s = suite_create("space");
	TCase *tc = harness_tcase("space");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_create_list_show);
	tcase_add_test(tc, test_create_invalid);
	tcase_add_test(tc, test_edit_and_events);
	tcase_add_test(tc, test_archive_reactivate);
	tcase_add_test(tc, test_delete);
	tcase_add_test(tc, test_large_space_warns);
	tcase_add_test(tc, test_authorization);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return harness_run(space_suite());
}
