/*
 * Managing who is in a space: revoking (while the revoked user is
 * connected), granting back, the shareable link and access requests
 * (request, the owner's e-mail, grant, the activation e-mail, accept;
 * deny), profiles, and who may do each.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "xmalloc.h"

static struct agorad *node;
static char *ws, *alice, *bob, *eve, *maildir;
static int64_t alice_id, bob_id, eve_id, space;
static int seen;

/* Alice's space with Bob (internal) and Eve (external), both active. */
static void
setup(void)
{
	char s[24], u[24];
	struct client *a;
	struct client_reply *r;

	node = agorad_new(NULL);
	ws = harness_workspace("Acme");
	alice = harness_email("alice");
	bob = harness_email("bob");
	eve = harness_email("eve");
	alice_id = agorad_user_add(node, alice, "Alice Martin",
	    HARNESS_PASSWORD, ws, "member");
	bob_id = agorad_user_add(node, bob, "Bob Chen", HARNESS_PASSWORD, ws,
	    "member");
	eve_id = agorad_user_add(node, eve, "Eve Extern", HARNESS_PASSWORD,
	    NULL, NULL);
	xasprintf(&maildir, "%s/maildir", agorad_dir(node));
	seen = 0;
	agorad_start(node);
	a = harness_login(node, alice, HARNESS_PASSWORD, NULL);
	r = call_ok(a, "SPACE.CREATE", "title", "Deal room", NULL);
	space = strtoll(client_reply_get(r, "space"), NULL, 10);
	client_reply_free(r);
	client_close(a);
	snprintf(s, sizeof s, "%lld", (long long)space);
	snprintf(u, sizeof u, "%lld", (long long)bob_id);
	pg_exec("INSERT INTO participants (space_id, user_id, role, status)"
	    " VALUES ($1, $2, 'internal', 'active')", s, u, NULL);
	snprintf(u, sizeof u, "%lld", (long long)eve_id);
	pg_exec("INSERT INTO participants (space_id, user_id, role, status)"
	    " VALUES ($1, $2, 'external', 'active')", s, u, NULL);
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
	free(maildir);
	node = NULL;
}

static struct client *
login(const char *email)
{
	return harness_login(node, email, HARNESS_PASSWORD, NULL);
}

/* Whether SPACE.SHOW's reply (as c) lists user id. */
static int
lists(struct client *c, int64_t id)
{
	struct client_reply *r = call_ok(c, "SPACE.SHOW", "space", i64s(space),
	    NULL);
	int found = 0;

	for (size_t i = 0; i < r->ndata; i++)
		if (strstr(r->data[i], " PARTICIPANT ") != NULL &&
		    line_i64(r->data[i], "user") == id)
			found = 1;
	client_reply_free(r);
	return found;
}

START_TEST(test_revoke_while_connected)
{
	struct client *a = login(alice), *b = login(bob), *e = login(eve);
	struct client_reply *r;
	char *ev;

	client_reply_free(call_ok(e, "SPACE.SHOW", "space", i64s(space),
	    NULL));
	ck_assert(lists(b, eve_id));
	client_reply_free(call_ok(a, "PARTICIPANT.REVOKE", "space",
	    i64s(space), "user", i64s(eve_id), NULL));
	/* Eve's screen loses the space at once... */
	ev = event_wait(e, "space.revoked", HARNESS_TIMEOUT);
	ck_assert_ptr_nonnull(ev);
	ck_assert_int_eq(line_i64(ev, "space"), space);
	free(ev);
	/* ...and her next request in it is refused, like any stranger's. */
	r = client_call(e, "SPACE.SHOW", "space", i64s(space), NULL);
	ck_assert_ptr_nonnull(r);
	ck_assert(!r->ok);
	ck_assert_str_eq(r->code, "not_found");
	ck_assert(line_is(r->line, "msg", "this space link is not valid"));
	client_reply_free(r);
	r = call_ok(e, "SPACE.LIST", NULL);
	ck_assert_uint_eq(r->ndata, 0);
	client_reply_free(r);
	/* Others stop seeing her; the owner's side sees her revoked. */
	ev = event_wait(b, "participant.updated", HARNESS_TIMEOUT);
	ck_assert_ptr_nonnull(ev);
	ck_assert(line_is(ev, "status", "revoked"));
	free(ev);
	ck_assert(lists(a, eve_id));
	call_err(a, "conflict", "PARTICIPANT.REVOKE", "space", i64s(space),
	    "user", i64s(eve_id), NULL);
	/* The creator cannot be revoked. */
	call_err(b, "forbidden", "PARTICIPANT.REVOKE", "space", i64s(space),
	    "user", i64s(alice_id), NULL);
	/* Granted back: in at once, and told. */
	r = call_ok(b, "PARTICIPANT.GRANT", "space", i64s(space), "user",
	    i64s(eve_id), NULL);
	ck_assert(line_is(r->line, "status", "active"));
	client_reply_free(r);
	ev = event_wait(e, "space.granted", HARNESS_TIMEOUT);
	ck_assert_ptr_nonnull(ev);
	free(ev);
	client_reply_free(call_ok(e, "SPACE.SHOW", "space", i64s(space),
	    NULL));
	client_close(a);
	client_close(b);
	client_close(e);
}
END_TEST

START_TEST(test_external_cannot_manage)
{
	struct client *e = login(eve);

	call_err(e, "forbidden", "PARTICIPANT.REVOKE", "space", i64s(space),
	    "user", i64s(bob_id), NULL);
	call_err(e, "forbidden", "PARTICIPANT.GRANT", "space", i64s(space),
	    "user", i64s(bob_id), NULL);
	call_err(e, "forbidden", "SPACE.EDIT", "space", i64s(space), "title",
	    "Mine now", NULL);
	call_err(e, "forbidden", "SPACE.LINK", "space", i64s(space), NULL);
	call_err(e, "forbidden", "INVITE", "space", i64s(space), "emails",
	    "friend@x.example", NULL);
	client_close(e);
}
END_TEST

/* u's PARTICIPANT line in SPACE.SHOW of space sp as c (caller frees), or
   NULL if not listed. */
static char *
person(struct client *c, int64_t sp, int64_t u)
{
	struct client_reply *r = call_ok(c, "SPACE.SHOW", "space", i64s(sp),
	    NULL);
	char *line = NULL;

	for (size_t i = 0; i < r->ndata && line == NULL; i++)
		if (strstr(r->data[i], " PARTICIPANT ") != NULL &&
		    line_i64(r->data[i], "user") == u)
			line = xstrdup(r->data[i]);
	client_reply_free(r);
	return line;
}

/* Whether u's line in SPACE.SHOW of sp (as c) has key=value; value NULL:
   that the key is absent. */
static int
shows(struct client *c, int64_t sp, int64_t u, const char *key,
    const char *value)
{
	char *line = person(c, sp, u), *v;
	int ok;

	ck_assert_msg(line != NULL, "user %lld not in space %lld",
	    (long long)u, (long long)sp);
	v = line_get(line, key);
	ok = value == NULL ? v == NULL : v != NULL && strcmp(v, value) == 0;
	if (!ok)
		fprintf(stderr, "wanted %s=%s in: %s\n", key,
		    value != NULL ? value : "(none)", line);
	free(v);
	free(line);
	return ok;
}

static char *
account(int64_t u, const char *col)
{
	char *sql, *v;

	xasprintf(&sql, "SELECT %s FROM users WHERE id = $1", col);
	v = pg_text(sql, i64s(u), NULL);
	free(sql);
	return v;
}

START_TEST(test_profiles)
{
	struct client *a = login(alice), *b = login(bob), *e = login(eve), *k;
	char *profile, *carl = harness_email("carl");
	int64_t carl_id;

	/* Carl, of no workspace of Alice's, a collaborator here: the
	   owner's side, not an external. */
	carl_id = agorad_user_add(node, carl, "Carl Collab", HARNESS_PASSWORD,
	    NULL, NULL);
	harness_participant(space, carl_id, "collaborator", "active");
	k = login(carl);

	/* One's own profile: the account's. */
	client_reply_free(call_ok(e, "PARTICIPANT.EDIT", "space", i64s(space),
	    "user", i64s(eve_id), "company", "Globex", "job_title",
	    "Buyer", NULL));
	call_err(e, "forbidden", "PARTICIPANT.EDIT", "space", i64s(space),
	    "user", i64s(bob_id), "company", "Evil Corp", NULL);
	call_err(e, "invalid", "PARTICIPANT.EDIT", "space", i64s(space),
	    "user", i64s(eve_id), "name", " ", NULL);
	profile = pg_text("SELECT name || '/' || company || '/' || job_title"
	    " FROM users WHERE id = $1", i64s(eve_id), NULL);
	ck_assert_str_eq(profile, "Eve Extern/Globex/Buyer");
	free(profile);

	/* The owner's side on an external: how this space knows her. */
	client_reply_free(call_ok(a, "PARTICIPANT.EDIT", "space", i64s(space),
	    "user", i64s(eve_id), "name", "Eve Durand", NULL));
	client_reply_free(call_ok(k, "PARTICIPANT.EDIT", "space", i64s(space),
	    "user", i64s(eve_id), "job_title", "Head of purchasing", NULL));
	profile = pg_text("SELECT name || '/' || company || '/' || job_title"
	    " FROM users WHERE id = $1", i64s(eve_id), NULL);
	ck_assert_str_eq(profile, "Eve Extern/Globex/Buyer");
	free(profile);
	ck_assert(shows(b, space, eve_id, "name", "Eve Durand"));
	ck_assert(shows(b, space, eve_id, "own_name", "Eve Extern"));
	ck_assert(shows(e, space, eve_id, "job_title", "Head of purchasing"));
	ck_assert(shows(e, space, eve_id, "own_job_title", "Buyer"));
	ck_assert(shows(e, space, eve_id, "company", "Globex"));
	ck_assert(shows(e, space, eve_id, "own_company", NULL));
	/* The person's own value, or an empty one: theirs again. */
	client_reply_free(call_ok(a, "PARTICIPANT.EDIT", "space", i64s(space),
	    "user", i64s(eve_id), "job_title", "Buyer", "name", "", NULL));
	ck_assert(shows(b, space, eve_id, "name", "Eve Extern"));
	ck_assert(shows(b, space, eve_id, "own_name", NULL));
	ck_assert(shows(b, space, eve_id, "job_title", "Buyer"));
	ck_assert(shows(b, space, eve_id, "own_job_title", NULL));
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM participants WHERE"
	    " user_id = $1 AND (local_name IS NOT NULL"
	    " OR local_job_title IS NOT NULL)", i64s(eve_id), NULL), 0);

	/* Never an internal's, a collaborator's or the owner's. */
	call_err(a, "forbidden", "PARTICIPANT.EDIT", "space", i64s(space),
	    "user", i64s(bob_id), "name", "Bobby", NULL);
	call_err(a, "forbidden", "PARTICIPANT.EDIT", "space", i64s(space),
	    "user", i64s(carl_id), "name", "Carlos", NULL);
	call_err(b, "forbidden", "PARTICIPANT.EDIT", "space", i64s(space),
	    "user", i64s(alice_id), "name", "Ally", NULL);
	call_err(k, "forbidden", "PARTICIPANT.EDIT", "space", i64s(space),
	    "user", i64s(bob_id), "company", "Initech", NULL);
	call_err(a, "invalid", "PARTICIPANT.EDIT", "space", i64s(space),
	    "user", i64s(eve_id), NULL);
	profile = pg_text("SELECT string_agg(name, '/' ORDER BY id) FROM users"
	    " WHERE id IN ($1, $2, $3)", i64s(alice_id), i64s(bob_id),
	    i64s(carl_id), NULL);
	ck_assert_str_eq(profile, "Alice Martin/Bob Chen/Carl Collab");
	free(profile);
	free(carl);
	client_close(a);
	client_close(b);
	client_close(e);
	client_close(k);
}
END_TEST

/*
 * The attacker's report: Alice invites Vic, who has an account in a
 * workspace of his own and never accepts, and renames him "IT Support".
 * Only Alice's space says so; Vic's account, his workspace's MEMBERS,
 * his other spaces and the mail he sends keep his own name.
 */
START_TEST(test_inviter_cannot_rename)
{
	struct client *a = login(alice), *b = login(bob), *v, *w;
	struct client_reply *r;
	char *ws2 = harness_workspace("Initech"), *vic = harness_email("vic");
	char *wes = harness_email("wes"), *zed = harness_email("zed");
	char *ev, *name, *subject = NULL;
	int64_t vic_id, wes_id, ws2_id, theirs;
	struct mail *m;

	vic_id = agorad_user_add(node, vic, "Vic Victim", HARNESS_PASSWORD, ws2,
	    "owner");
	wes_id = agorad_user_add(node, wes, "Wes Worker", HARNESS_PASSWORD, ws2,
	    "member");
	ws2_id = pg_i64("SELECT id FROM workspaces WHERE name = $1", ws2, NULL);
	/* Wes's space in their own workspace, Vic in it. */
	w = login(wes);
	r = call_ok(w, "SPACE.CREATE", "title", "Initech room", "workspace",
	    i64s(ws2_id), NULL);
	theirs = strtoll(client_reply_get(r, "space"), NULL, 10);
	client_reply_free(r);
	harness_participant(theirs, vic_id, "internal", "active");

	r = call_ok(a, "INVITE", "space", i64s(space), "emails", vic, NULL);
	ck_assert(strstr(r->data[0], "status=pending") != NULL);
	client_reply_free(r);
	client_reply_free(call_ok(a, "PARTICIPANT.EDIT", "space", i64s(space),
	    "user", i64s(vic_id), "name", "IT Support", "company", "Acme IT",
	    "job_title", "Helpdesk", NULL));

	/* This space's people see how it knows him, and his own name. */
	ev = event_wait(b, "participant.updated", HARNESS_TIMEOUT);
	ck_assert_ptr_nonnull(ev);
	ck_assert(line_is(ev, "user", i64s(vic_id)));
	ck_assert(line_is(ev, "name", "IT Support"));
	ck_assert(line_is(ev, "own_name", "Vic Victim"));
	ck_assert(line_is(ev, "company", "Acme IT"));
	free(ev);
	ck_assert(shows(b, space, vic_id, "name", "IT Support"));
	ck_assert(shows(b, space, vic_id, "own_name", "Vic Victim"));
	ck_assert(shows(b, space, vic_id, "job_title", "Helpdesk"));

	/* Nothing outside it changes. */
	name = account(vic_id, "name || '/' || company || '/' || job_title");
	ck_assert_str_eq(name, "Vic Victim//");
	free(name);
	v = login(vic);
	r = call_ok(v, "WHOAMI", NULL);
	ck_assert(line_is(r->data[0], "name", "Vic Victim"));
	client_reply_free(r);
	r = call_ok(w, "MEMBERS", "workspace", i64s(ws2_id), NULL);
	for (size_t i = 0; i < r->ndata; i++)
		if (line_i64(r->data[i], "user") == vic_id)
			ck_assert(line_is(r->data[i], "name", "Vic Victim"));
	client_reply_free(r);
	ck_assert(shows(w, theirs, vic_id, "name", "Vic Victim"));
	ck_assert(shows(w, theirs, vic_id, "own_name", NULL));
	ck_assert(shows(v, theirs, vic_id, "company", ""));
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM events WHERE user_id IN"
	    " ($1, $2) AND type = 'participant.updated'", i64s(vic_id),
	    i64s(wes_id), NULL), 0);
	/* The mail he sends goes out under his own name. */
	client_reply_free(call_ok(v, "INVITE", "space", i64s(theirs), "emails",
	    zed, NULL));
	ck_assert_int_eq(maildir_wait(maildir, seen + 2, HARNESS_TIMEOUT), 0);
	for (int i = 0; i < 2; i++) {
		m = maildir_next(maildir, &seen);
		if (strstr(mail_body(m), "Initech room") != NULL)
			subject = mail_header(m, "Subject");
		mail_free(m);
	}
	ck_assert_ptr_nonnull(subject);
	ck_assert_str_eq(subject, "Vic Victim invited you to \u201cInitech "
	    "room\u201d");
	free(subject);

	/* Nor can the owner's side of his own workspace's space rename
	   him there: he is an internal. */
	call_err(w, "forbidden", "PARTICIPANT.EDIT", "space", i64s(theirs),
	    "user", i64s(vic_id), "name", "IT Support", NULL);
	free(ws2);
	free(vic);
	free(wes);
	free(zed);
	client_close(a);
	client_close(b);
	client_close(v);
	client_close(w);
}
END_TEST

/*
 * The rule for a later edit of one's own: the person has the last word.
 * What any space had set of its own for a field they change goes, in
 * every space, and each hears it; the other fields keep the space's.
 */
START_TEST(test_own_edit_wins)
{
	struct client *a = login(alice), *e = login(eve), *b;
	struct client_reply *r;
	int64_t other;
	char *ev;

	r = call_ok(a, "SPACE.CREATE", "title", "Second room", NULL);
	other = strtoll(client_reply_get(r, "space"), NULL, 10);
	client_reply_free(r);
	harness_participant(other, eve_id, "external", "active");
	client_reply_free(call_ok(a, "PARTICIPANT.EDIT", "space", i64s(space),
	    "user", i64s(eve_id), "name", "Eve (Globex)", "company", "Globex",
	    NULL));
	client_reply_free(call_ok(a, "PARTICIPANT.EDIT", "space", i64s(other),
	    "user", i64s(eve_id), "name", "E. Extern", NULL));
	ck_assert(shows(a, other, eve_id, "name", "E. Extern"));

	b = login(bob);
	client_reply_free(call_ok(e, "PARTICIPANT.EDIT", "space", i64s(space),
	    "user", i64s(eve_id), "name", "Eve Durand", NULL));
	/* Her own account, and this connection says so at once. */
	r = call_ok(e, "WHOAMI", NULL);
	ck_assert(line_is(r->data[0], "name", "Eve Durand"));
	client_reply_free(r);
	ck_assert(shows(a, space, eve_id, "name", "Eve Durand"));
	ck_assert(shows(a, space, eve_id, "own_name", NULL));
	ck_assert(shows(a, other, eve_id, "name", "Eve Durand"));
	ck_assert(shows(a, other, eve_id, "own_name", NULL));
	/* The company she did not touch stays as the space knows it. */
	ck_assert(shows(e, space, eve_id, "company", "Globex"));
	ck_assert(shows(e, space, eve_id, "own_company", ""));
	/* Each space that shows her hears it, as it knows her. */
	ev = event_wait(b, "participant.updated", HARNESS_TIMEOUT);
	ck_assert_ptr_nonnull(ev);
	ck_assert(line_is(ev, "space", i64s(space)));
	ck_assert(line_is(ev, "name", "Eve Durand"));
	ck_assert(line_is(ev, "company", "Globex"));
	free(ev);
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM events WHERE user_id = $1"
	    " AND type = 'participant.updated' AND data LIKE"
	    " 'space=' || $2 || ' %'", i64s(alice_id), i64s(other), NULL), 2);
	/* The space may say its own again afterwards. */
	client_reply_free(call_ok(a, "PARTICIPANT.EDIT", "space", i64s(other),
	    "user", i64s(eve_id), "name", "E. Durand", NULL));
	ck_assert(shows(e, other, eve_id, "name", "E. Durand"));
	ck_assert(shows(e, other, eve_id, "own_name", "Eve Durand"));
	ck_assert(shows(e, space, eve_id, "name", "Eve Durand"));
	client_close(a);
	client_close(b);
	client_close(e);
}
END_TEST

/* To an external, whoever SPACE.SHOW does not show them (an access
   request, a revoked participant) is not in the space, as someone who
   never was: one answer for all three. */
START_TEST(test_profiles_unseen)
{
	struct client *a = login(alice), *e = login(eve);
	const char *whom[3];
	char ids[3][24], *mail = harness_email("hidden");
	struct client_reply *r;

	for (int i = 0; i < 2; i++) {
		int64_t id = pg_i64("INSERT INTO users (email, name)"
		    " VALUES ($1 || $2, 'Hidden') RETURNING id", i64s(i), mail,
		    NULL);

		snprintf(ids[i], sizeof ids[i], "%lld", (long long)id);
		harness_participant(space, id, "external", i == 0 ?
		    "requested" : "revoked");
	}
	snprintf(ids[2], sizeof ids[2], "999999999");
	for (int i = 0; i < 3; i++) {
		whom[i] = ids[i];
		r = client_call(e, "PARTICIPANT.EDIT", "space", i64s(space),
		    "user", whom[i], "company", "Evil Corp", NULL);
		ck_assert_ptr_nonnull(r);
		ck_assert_msg(!r->ok, "%s", r->line);
		ck_assert_str_eq(r->code, "not_found");
		ck_assert_msg(line_is(r->line, "msg", "no such participant in "
		    "this space"), "%s", r->line);
		client_reply_free(r);
	}
	/* The owner's side sees them all, and is refused only what is
	   not theirs to do. */
	call_err(a, "forbidden", "PARTICIPANT.EDIT", "space", i64s(space),
	    "user", whom[1], "company", "Evil Corp", NULL);
	call_err(a, "not_found", "PARTICIPANT.EDIT", "space", i64s(space),
	    "user", whom[2], "company", "Evil Corp", NULL);
	free(mail);
	client_close(a);
	client_close(e);
}
END_TEST

START_TEST(test_link_request_grant)
{
	struct client *a = login(alice), *b = login(bob), *d;
	struct client_reply *r;
	char *link, *again, *subject, *activation, *zoe = harness_email("zoe");
	struct mail *m;
	int64_t zoe_id;

	r = call_ok(b, "SPACE.LINK", "space", i64s(space), NULL);
	link = xstrdup(client_reply_get(r, "link"));
	client_reply_free(r);
	r = call_ok(a, "SPACE.LINK", "space", i64s(space), NULL);
	again = xstrdup(client_reply_get(r, "link"));
	client_reply_free(r);
	ck_assert_str_eq(link, again);	/* one link per space */
	ck_assert(strstr(link, "/space/") != NULL);

	d = harness_connect(node);
	call_err(d, "invalid", "ACCESS.REQUEST", "link", link, "email",
	    "not an address", NULL);
	call_err(d, "invalid", "ACCESS.REQUEST", "link", "agora://x/space/zz",
	    "email", zoe, NULL);
	call_err(d, "not_found", "ACCESS.REQUEST", "link",
	    "agora://x/space/0000000000000000000000000000000000000000000000000"
	    "000000000000000", "email", zoe, NULL);
	client_reply_free(call_ok(d, "ACCESS.REQUEST", "link", link, "email",
	    zoe, "name", "Zo\xc3\xab Lef\xc3\xa8vre", NULL));
	zoe_id = pg_i64("SELECT id FROM users WHERE email = $1", zoe, NULL);
	/* Whoever asks has not shown the address is theirs: the name is
	   how this space knows the request, the account's is its address. */
	subject = account(zoe_id, "name");
	ck_assert_str_eq(subject, zoe);
	free(subject);
	ck_assert(shows(a, space, zoe_id, "name", "Zo\xc3\xab Lef\xc3\xa8vre"));
	ck_assert(shows(a, space, zoe_id, "own_name", zoe));
	/* Alice and Bob, who can grant, are both told. */
	for (int i = 0; i < 2; i++) {
		m = maildir_next(maildir, &seen);
		subject = mail_header(m, "Subject");
		ck_assert_msg(strstr(subject, "asks for access to") != NULL,
		    "%s", subject);
		free(subject);
		mail_free(m);
	}
	/* A known person asking again changes nothing, says the same. */
	client_reply_free(call_ok(d, "ACCESS.REQUEST", "link", link, "email",
	    zoe, NULL));
	client_reply_free(call_ok(d, "ACCESS.REQUEST", "link", link, "email",
	    bob, NULL));
	ck_assert_int_eq(maildir_count(maildir), 2);
	/* The owner sees the request, grants it: an activation e-mail. */
	ck_assert(lists(a, zoe_id));
	r = call_ok(a, "PARTICIPANT.GRANT", "space", i64s(space), "user",
	    i64s(zoe_id), NULL);
	ck_assert(line_is(r->line, "status", "pending"));
	client_reply_free(r);
	m = maildir_next(maildir, &seen);
	activation = mail_link(m);
	ck_assert(strstr(activation, "/activate/") != NULL);
	mail_free(m);
	r = call_ok(d, "ACCEPT", "link", activation, "password",
	    "zoe's password", "name", "Zo\xc3\xab L.", NULL);
	ck_assert_int_eq(strtoll(client_reply_get(r, "space"), NULL, 10),
	    space);
	client_reply_free(r);
	subject = pg_text("SELECT status FROM participants WHERE user_id = $1",
	    i64s(zoe_id), NULL);
	ck_assert_str_eq(subject, "active");
	free(subject);
	/* Proven by the mailbox, the name she gives is hers, everywhere. */
	subject = account(zoe_id, "name");
	ck_assert_str_eq(subject, "Zo\xc3\xab L.");
	free(subject);
	ck_assert(shows(a, space, zoe_id, "name", "Zo\xc3\xab L."));
	ck_assert(shows(a, space, zoe_id, "own_name", NULL));
	free(link);
	free(again);
	free(activation);
	free(zoe);
	client_close(a);
	client_close(b);
	client_close(d);
}
END_TEST

START_TEST(test_deny)
{
	struct client *a = login(alice), *d;
	struct client_reply *r;
	char *link, *yan = harness_email("yan");
	int64_t yan_id;

	r = call_ok(a, "SPACE.LINK", "space", i64s(space), NULL);
	link = xstrdup(client_reply_get(r, "link"));
	client_reply_free(r);
	d = harness_connect(node);
	/* A blank name is none (it used to fail the account's check). */
	client_reply_free(call_ok(d, "ACCESS.REQUEST", "link", link, "email",
	    yan, "name", "", NULL));
	yan_id = pg_i64("SELECT id FROM users WHERE email = $1", yan, NULL);
	ck_assert(shows(a, space, yan_id, "name", yan));
	ck_assert(shows(a, space, yan_id, "own_name", NULL));
	call_err(a, "conflict", "PARTICIPANT.DENY", "space", i64s(space),
	    "user", i64s(bob_id), NULL);
	client_reply_free(call_ok(a, "PARTICIPANT.DENY", "space", i64s(space),
	    "user", i64s(yan_id), NULL));
	ck_assert(!lists(a, yan_id));
	/* Denied is not banned: asking again is a new request. */
	client_reply_free(call_ok(d, "ACCESS.REQUEST", "link", link, "email",
	    yan, NULL));
	ck_assert(lists(a, yan_id));
	free(link);
	free(yan);
	client_close(a);
	client_close(d);
}
END_TEST

/* Requests mail the space's managers: five per address per window. */
START_TEST(test_requests_limited)
{
	struct client *a = login(alice), *d;
	struct client_reply *r;
	char *link, *lou = harness_email("lou");

	r = call_ok(a, "SPACE.LINK", "space", i64s(space), NULL);
	link = xstrdup(client_reply_get(r, "link"));
	client_reply_free(r);
	d = harness_connect(node);
	for (int i = 0; i < 5; i++)
		client_reply_free(call_ok(d, "ACCESS.REQUEST", "link", link,
		    "email", lou, NULL));
	call_err(d, "rate_limited", "ACCESS.REQUEST", "link", link, "email",
	    lou, NULL);
	/* The request was made once, the managers told once each. */
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM participants p JOIN"
	    " users u ON u.id = p.user_id WHERE u.email = $1", lou, NULL), 1);
	ck_assert_int_eq(maildir_wait(maildir, 2, HARNESS_TIMEOUT), 0);
	sleep_ms(500);
	ck_assert_int_eq(maildir_count(maildir), 2);
	free(link);
	free(lou);
	client_close(a);
	client_close(d);
}
END_TEST

static Suite *
participant_suite(void)
{
	Suite *s = suite_create("participant");
	TCase *tc = harness_tcase("participant");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_revoke_while_connected);
	tcase_add_test(tc, test_external_cannot_manage);
	tcase_add_test(tc, test_profiles);
	tcase_add_test(tc, test_profiles_unseen);
	tcase_add_test(tc, test_inviter_cannot_rename);
	tcase_add_test(tc, test_own_edit_wins);
	tcase_add_test(tc, test_link_request_grant);
	tcase_add_test(tc, test_deny);
	tcase_add_test(tc, test_requests_limited);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return harness_run(participant_suite());
}
