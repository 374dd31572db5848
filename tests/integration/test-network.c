/*
 * Business networks and professional contacts: plans (free refused, paid
 * allowed), flagging and un-flagging, the collaborator role, contacts that
 * appear only after acceptance and only once, revocation and un-flagging
 * taking them away, the two invitation preferences alone and together,
 * and the invitation picker's order.
 *
 * Alice and Bob are members of workspace Acme; Dana and Eve have accounts
 * of their own and no workspace (externals, free users).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "xmalloc.h"

static struct agorad *node;
static char *ws, *alice, *bob, *dana, *eve, *maildir;
static int64_t alice_id, bob_id, dana_id, eve_id;

/* Links invitation_for gave already: each works once. */
static char *used[16];

static int
was_used(const char *link)
{
	for (size_t i = 0; i < sizeof used / sizeof used[0]; i++)
		if (used[i] != NULL && strcmp(used[i], link) == 0)
			return 1;
	return 0;
}

static void
forget_used(void)
{
	for (size_t i = 0; i < sizeof used / sizeof used[0]; i++) {
		free(used[i]);
		used[i] = NULL;
	}
}

static void
setup(void)
{
	node = agorad_new(NULL);
	ws = harness_workspace("Acme");
	alice = harness_email("alice");
	bob = harness_email("bob");
	dana = harness_email("dana");
	eve = harness_email("eve");
	alice_id = agorad_user_add(node, alice, "Alice Martin",
	    HARNESS_PASSWORD, ws, "member");
	bob_id = agorad_user_add(node, bob, "Bob Chen", HARNESS_PASSWORD, ws,
	    "member");
	dana_id = agorad_user_add(node, dana, "Dana Scully", HARNESS_PASSWORD,
	    NULL, NULL);
	eve_id = agorad_user_add(node, eve, "Eve Extern", HARNESS_PASSWORD,
	    NULL, NULL);
	xasprintf(&maildir, "%s/maildir", agorad_dir(node));
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
	free(dana);
	free(eve);
	free(maildir);
	forget_used();
	node = NULL;
}

static struct client *
login(const char *email)
{
	return harness_login(node, email, HARNESS_PASSWORD, NULL);
}

/* agorad workspace plan WS PLAN, checked. */
static void
set_plan(const char *plan)
{
	char *out = NULL;

	ck_assert_int_eq(agorad_run(node, NULL, &out, "workspace", "plan", ws,
	    plan, NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, plan));
	free(out);
}

static int64_t
space_new(struct client *c, const char *title, const char *network)
{
	struct client_reply *r = call_ok(c, "SPACE.CREATE", "title", title,
	    "network", network, NULL);
	int64_t id = strtoll(client_reply_get(r, "space"), NULL, 10);

	client_reply_free(r);
	return id;
}

static void
remember(const char *link)
{
	for (size_t i = 0; i < sizeof used / sizeof used[0]; i++)
		if (used[i] == NULL) {
			used[i] = xstrdup(link);
			return;
		}
	ck_abort_msg("too many links");
}

/* An invitation link mailed to email not used yet (waits for one). */
static char *
invitation_for(const char *email)
{
	int64_t until = now_ms() + HARNESS_TIMEOUT;
	char *found = NULL, *link;

	while (found == NULL && now_ms() < until) {
		char **paths = maildir_list(maildir);

		for (size_t i = 0; paths[i] != NULL; i++) {
			struct mail *m = mail_read(paths[i]);
			char *to = mail_header(m, "To");

			if (found == NULL && to != NULL &&
			    strstr(to, email) != NULL &&
			    strstr(mail_body(m), "/invite/") != NULL) {
				link = mail_link(m);
				if (!was_used(link))
					found = link;
				else
					free(link);
			}
			free(to);
			mail_free(m);
		}
		maildir_list_free(paths);
		if (found == NULL)
			sleep_ms(50);
	}
	ck_assert_msg(found != NULL, "no invitation mailed to %s", email);
	remember(found);
	return found;
}

/* email invited to space by c, then accepting the mailed link. */
static void
join(struct client *c, int64_t space, const char *email)
{
	struct client *x;
	char *link;

	client_reply_free(call_ok(c, "INVITE", "space", i64s(space), "emails",
	    email, NULL));
	link = invitation_for(email);
	x = harness_connect(node);
	/* Their account is in use: its password goes with the link. */
	client_reply_free(call_ok(x, "ACCEPT", "link", link, "password",
	    HARNESS_PASSWORD, NULL));
	client_close(x);
	free(link);
}

/* The CONTACT line for id in c's CONTACTS (NULL if absent), and count. */
static char *
contact_of(struct client *c, int64_t id, size_t *count)
{
	struct client_reply *r = call_ok(c, "CONTACTS", NULL);
	char *line = NULL;
	size_t n = 0;

	for (size_t i = 0; i < r->ndata; i++)
		if (line_i64(r->data[i], "user") == id) {
			n++;
			free(line);
			line = xstrdup(r->data[i]);
		}
	if (count != NULL)
		*count = n;
	client_reply_free(r);
	return line;
}

/* user's role in space as SPACE.SHOW tells c. */
static char *
role_in(struct client *c, int64_t space, int64_t user)
{
	struct client_reply *r = call_ok(c, "SPACE.SHOW", "space",
	    i64s(space), NULL);
	char *role = NULL;

	for (size_t i = 0; i < r->ndata; i++)
		if (strstr(r->data[i], " PARTICIPANT ") != NULL &&
		    line_i64(r->data[i], "user") == user)
			role = line_get(r->data[i], "role");
	client_reply_free(r);
	ck_assert_ptr_nonnull(role);
	return role;
}

static void
assert_role(struct client *c, int64_t space, int64_t user, const char *want)
{
	char *got = role_in(c, space, user);

	ck_assert_str_eq(got, want);
	free(got);
}

START_TEST(test_free_plan_refused)
{
	struct client *a = login(alice), *d = login(dana);
	struct client_reply *r;
	int64_t id;

	r = client_call(a, "SPACE.CREATE", "title", "Partners", "network", "1",
	    NULL);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->code, "plan_required");
	ck_assert(line_is(r->line, "msg", "business networks need a paid "
	    "plan (premium or pro)"));
	client_reply_free(r);
	id = space_new(a, "Deal room", "0");
	call_err(a, "plan_required", "SPACE.NETWORK", "space", i64s(id),
	    "network", "1", NULL);
	call_err(a, "plan_required", "CONTACTS", NULL);
	call_err(a, "invalid", "SPACE.NETWORK", "space", i64s(id), "network",
	    "2", NULL);
	/* Nothing was made a network by the refusals. */
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM spaces WHERE network",
	    NULL), 0);
	/* A paid plan unlocks both ways; a free user is still refused. */
	set_plan("premium");
	client_reply_free(call_ok(a, "SPACE.NETWORK", "space", i64s(id),
	    "network", "1", NULL));
	call_err(a, "conflict", "SPACE.NETWORK", "space", i64s(id), "network",
	    "1", NULL);
	r = call_ok(a, "SPACE.LIST", NULL);
	ck_assert_uint_eq(r->ndata, 1);
	ck_assert(line_is(r->data[0], "network", "1"));
	client_reply_free(r);
	call_err(d, "plan_required", "CONTACTS", NULL);
	call_err(d, "plan_required", "CONTACT.PREFS", "user", i64s(alice_id),
	    "always_add", "1", NULL);
	client_close(a);
	client_close(d);
}
END_TEST

START_TEST(test_flag_makes_collaborators)
{
	struct client *a, *b, *e;
	struct client_reply *r;
	char *ev;
	int64_t id;

	set_plan("pro");
	a = login(alice);
	b = login(bob);
	e = login(eve);
	id = space_new(a, "Deal room", "0");
	harness_participant(id, bob_id, "internal", "active");
	harness_participant(id, eve_id, "external", "active");
	assert_role(a, id, eve_id, "external");
	client_reply_free(call_ok(e, "SPACE.SHOW", "space", i64s(id), NULL));
	/* Eve, an external, may not flag it; Bob, an internal, may. */
	call_err(e, "forbidden", "SPACE.NETWORK", "space", i64s(id), "network",
	    "1", NULL);
	client_reply_free(call_ok(b, "SPACE.NETWORK", "space", i64s(id),
	    "network", "1", NULL));
	/* Told that it is a network, then that contacts changed. */
	ev = event_wait(e, "space.updated", HARNESS_TIMEOUT);
	ck_assert_ptr_nonnull(ev);
	ck_assert(line_is(ev, "network", "1"));
	free(ev);
	ev = event_wait(e, "contacts.changed", HARNESS_TIMEOUT);
	ck_assert_ptr_nonnull(ev);
	ck_assert_int_eq(line_i64(ev, "space"), id);
	free(ev);
	assert_role(a, id, alice_id, "owner");
	assert_role(a, id, bob_id, "collaborator");
	assert_role(a, id, eve_id, "collaborator");
	/* A collaborator has the creator's rights but two. */
	client_reply_free(call_ok(e, "SPACE.EDIT", "space", i64s(id), "title",
	    "Deal room (network)", NULL));
	/* Whoever comes into a network comes in as a collaborator. */
	r = call_ok(e, "INVITE", "space", i64s(id), "emails", dana, NULL);
	ck_assert(line_is(r->data[0], "role", "collaborator"));
	client_reply_free(r);
	client_reply_free(call_ok(e, "INVITE.RESEND", "space", i64s(id),
	    "user", i64s(dana_id), NULL));
	client_reply_free(call_ok(e, "PARTICIPANT.REVOKE", "space", i64s(id),
	    "user", i64s(dana_id), NULL));
	client_reply_free(call_ok(e, "SPACE.LINK", "space", i64s(id), NULL));
	call_err(e, "forbidden", "SPACE.ARCHIVE", "space", i64s(id), NULL);
	call_err(b, "forbidden", "SPACE.ARCHIVE", "space", i64s(id), NULL);
	call_err(e, "forbidden", "SPACE.DELETE", "space", i64s(id), "confirm",
	    "yes", NULL);
	/* Un-flagged, everyone has their own role back, and Eve her limits. */
	client_reply_free(call_ok(e, "SPACE.NETWORK", "space", i64s(id),
	    "network", "0", NULL));
	assert_role(a, id, bob_id, "internal");
	assert_role(a, id, eve_id, "external");
	call_err(e, "forbidden", "SPACE.EDIT", "space", i64s(id), "title", "x",
	    NULL);
	client_close(a);
	client_close(b);
	client_close(e);
}
END_TEST

START_TEST(test_contacts_after_acceptance_once)
{
	struct client *a, *d;
	struct client_reply *r;
	int64_t n1, n2;
	size_t count;
	char *line, *ev;

	set_plan("pro");
	a = login(alice);
	n1 = space_new(a, "Partners Nord", "1");
	n2 = space_new(a, "Partners Sud", "1");
	client_reply_free(call_ok(a, "INVITE", "space", i64s(n1), "emails",
	    dana, NULL));
	/* Invited, not yet in: not a contact. */
	line = contact_of(a, dana_id, &count);
	ck_assert_ptr_null(line);
	join(a, n1, dana);
	ev = event_wait(a, "contacts.changed", HARNESS_TIMEOUT);
	ck_assert_ptr_nonnull(ev);
	free(ev);
	line = contact_of(a, dana_id, &count);
	ck_assert_ptr_nonnull(line);
	ck_assert_uint_eq(count, 1);
	ck_assert(line_is(line, "networks", "1"));
	ck_assert(line_is(line, "name", "Dana Scully"));
	ck_assert(line_is(line, "email", dana));
	ck_assert(line_is(line, "always_add", "0"));
	free(line);
	/* A second network in common: still once, two networks. */
	join(a, n2, dana);
	line = contact_of(a, dana_id, &count);
	ck_assert_uint_eq(count, 1);
	ck_assert(line_is(line, "networks", "2"));
	free(line);
	r = call_ok(a, "CONTACT.SHOW", "user", i64s(dana_id), NULL);
	ck_assert_uint_eq(r->ndata, 3);
	ck_assert(line_is(r->data[1], "title", "Partners Nord"));
	ck_assert(line_is(r->data[2], "title", "Partners Sud"));
	client_reply_free(r);
	call_err(a, "not_found", "CONTACT.SHOW", "user", i64s(eve_id), NULL);
	call_err(a, "not_found", "CONTACT.SHOW", "user", i64s(alice_id), NULL);
	/* Dana, a free user, gets none of the features. */
	d = login(dana);
	call_err(d, "plan_required", "CONTACTS", NULL);
	/* Revoked from one: one network left; from both: gone, and told. */
	client_reply_free(call_ok(a, "PARTICIPANT.REVOKE", "space", i64s(n1),
	    "user", i64s(dana_id), NULL));
	line = contact_of(a, dana_id, &count);
	ck_assert(line_is(line, "networks", "1"));
	free(line);
	client_reply_free(call_ok(a, "PARTICIPANT.REVOKE", "space", i64s(n2),
	    "user", i64s(dana_id), NULL));
	ev = event_wait(d, "contacts.changed", HARNESS_TIMEOUT);
	ck_assert_ptr_nonnull(ev);
	free(ev);
	ck_assert_ptr_null(contact_of(a, dana_id, &count));
	ck_assert_uint_eq(count, 0);
	client_close(a);
	client_close(d);
}
END_TEST

START_TEST(test_unflag_and_archive_remove_contacts)
{
	struct client *a, *b;
	size_t count;
	char *line, *ev;
	int64_t id;

	set_plan("pro");
	a = login(alice);
	b = login(bob);
	id = space_new(a, "Partners", "1");
	/* Bob, a colleague with an account, is in at once: a contact now. */
	client_reply_free(call_ok(a, "INVITE", "space", i64s(id), "emails",
	    bob, NULL));
	ev = event_wait(b, "contacts.changed", HARNESS_TIMEOUT);
	ck_assert_ptr_nonnull(ev);
	free(ev);
	line = contact_of(b, alice_id, &count);
	ck_assert_ptr_nonnull(line);
	free(line);
	client_reply_free(call_ok(a, "SPACE.ARCHIVE", "space", i64s(id), NULL));
	ck_assert_ptr_null(contact_of(a, bob_id, &count));
	client_reply_free(call_ok(a, "SPACE.REACTIVATE", "space", i64s(id),
	    NULL));
	line = contact_of(a, bob_id, &count);
	ck_assert_ptr_nonnull(line);
	free(line);
	client_reply_free(call_ok(a, "SPACE.NETWORK", "space", i64s(id),
	    "network", "0", NULL));
	ev = event_wait(b, "contacts.changed", HARNESS_TIMEOUT);
	ck_assert_ptr_nonnull(ev);
	free(ev);
	ck_assert_ptr_null(contact_of(a, bob_id, &count));
	ck_assert_ptr_null(contact_of(b, alice_id, &count));
	client_close(a);
	client_close(b);
}
END_TEST

START_TEST(test_leave_removes_contact)
{
	struct client *a, *d;
	struct client_reply *r;
	size_t count;
	char *line, *ev;
	int64_t id;

	set_plan("pro");
	a = login(alice);
	id = space_new(a, "Partners", "1");
	join(a, id, dana);
	line = contact_of(a, dana_id, &count);
	ck_assert_ptr_nonnull(line);
	free(line);
	d = login(dana);
	call_err(a, "forbidden", "SPACE.LEAVE", "space", i64s(id), NULL);
	client_reply_free(call_ok(d, "SPACE.LEAVE", "space", i64s(id), NULL));
	/* Her screens lose the space; Alice's contacts lose her, told so. */
	ev = event_wait(d, "space.left", HARNESS_TIMEOUT);
	ck_assert_ptr_nonnull(ev);
	ck_assert_int_eq(line_i64(ev, "space"), id);
	free(ev);
	ev = event_wait(a, "participant.removed", HARNESS_TIMEOUT);
	ck_assert_ptr_nonnull(ev);
	ck_assert(line_is(ev, "status", "left"));
	free(ev);
	ck_assert_ptr_null(contact_of(a, dana_id, &count));
	call_err(d, "not_found", "SPACE.SHOW", "space", i64s(id), NULL);
	r = call_ok(d, "SPACE.LIST", NULL);
	ck_assert_uint_eq(r->ndata, 0);
	client_reply_free(r);
	/* Invited again, she starts afresh: pending. */
	r = call_ok(a, "INVITE", "space", i64s(id), "emails", dana, NULL);
	ck_assert(line_is(r->data[0], "status", "pending"));
	client_reply_free(r);
	client_close(a);
	client_close(d);
}
END_TEST

/* Alice's contacts Bob and Dana, from the network "Partners". */
static struct client *
with_contacts(void)
{
	struct client *a;
	int64_t id;

	set_plan("pro");
	a = login(alice);
	id = space_new(a, "Partners", "1");
	harness_participant(id, bob_id, "internal", "active");
	harness_participant(id, dana_id, "external", "active");
	return a;
}

/* The INVITED (or SKIPPED) line for email in a reply, or NULL. */
static const char *
invited(const struct client_reply *r, const char *email)
{
	for (size_t i = 0; i < r->ndata; i++)
		if (line_is(r->data[i], "email", email))
			return r->data[i];
	return NULL;
}

START_TEST(test_always_add)
{
	struct client *a = with_contacts(), *a2 = login(alice), *b;
	struct client_reply *r;
	const char *l;
	char *ev, *status;
	int64_t id;

	r = call_ok(a, "CONTACT.PREFS", "user", i64s(bob_id), "always_add",
	    "1", NULL);
	ck_assert(line_is(r->line, "always_add", "1"));
	ck_assert(line_is(r->line, "always_collaborator", "0"));
	client_reply_free(r);
	/* Alice's other screen follows. */
	ev = event_wait(a2, "contact.prefs", HARNESS_TIMEOUT);
	ck_assert_ptr_nonnull(ev);
	ck_assert_int_eq(line_i64(ev, "user"), bob_id);
	ck_assert(line_is(ev, "always_add", "1"));
	free(ev);
	/* A new space invites Bob; a colleague, yet he still accepts. */
	r = call_ok(a, "SPACE.CREATE", "title", "Globex renewal", NULL);
	id = strtoll(client_reply_get(r, "space"), NULL, 10);
	ck_assert_ptr_nonnull(l = invited(r, bob));
	ck_assert(line_is(l, "status", "pending"));
	ck_assert(line_is(l, "role", "internal"));
	ck_assert_ptr_null(invited(r, dana));
	client_reply_free(r);
	status = pg_text("SELECT status FROM participants WHERE space_id = $1"
	    " AND user_id = $2", i64s(id), i64s(bob_id), NULL);
	ck_assert_str_eq(status, "pending");
	free(status);
	join(a, id, bob);	/* INVITE skips him: already pending */
	b = login(bob);
	assert_role(b, id, bob_id, "internal");
	/* Turned off: the next space is Alice's alone. */
	client_reply_free(call_ok(a, "CONTACT.PREFS", "user", i64s(bob_id),
	    "always_add", "0", NULL));
	r = call_ok(a, "SPACE.CREATE", "title", "Initech pilot", NULL);
	ck_assert_uint_eq(r->ndata, 0);
	client_reply_free(r);
	call_err(a, "invalid", "CONTACT.PREFS", "user", i64s(bob_id), NULL);
	call_err(a, "not_found", "CONTACT.PREFS", "user", i64s(eve_id),
	    "always_add", "1", NULL);
	client_close(a);
	client_close(a2);
	client_close(b);
}
END_TEST

START_TEST(test_always_collaborator)
{
	struct client *a = with_contacts(), *d;
	struct client_reply *r;
	int64_t id;

	client_reply_free(call_ok(a, "CONTACT.PREFS", "user", i64s(dana_id),
	    "always_collaborator", "1", NULL));
	id = space_new(a, "Globex renewal", "0");
	r = call_ok(a, "INVITE", "space", i64s(id), "emails", dana, NULL);
	ck_assert(line_is(r->data[0], "role", "collaborator"));
	client_reply_free(r);
	join(a, id, dana);
	d = login(dana);
	assert_role(d, id, dana_id, "collaborator");
	/* Dana may now do what Alice does but archive and delete. */
	client_reply_free(call_ok(d, "INVITE", "space", i64s(id), "emails",
	    eve, NULL));
	call_err(d, "forbidden", "SPACE.ARCHIVE", "space", i64s(id), NULL);
	client_close(a);
	client_close(d);
}
END_TEST

START_TEST(test_both_preferences)
{
	struct client *a = with_contacts();
	struct client_reply *r;
	const char *l;

	client_reply_free(call_ok(a, "CONTACT.PREFS", "user", i64s(dana_id),
	    "always_add", "1", "always_collaborator", "1", NULL));
	r = call_ok(a, "SPACE.CREATE", "title", "Globex renewal", NULL);
	ck_assert_ptr_nonnull(l = invited(r, dana));
	ck_assert(line_is(l, "role", "collaborator"));
	ck_assert(line_is(l, "status", "pending"));
	ck_assert_uint_eq(r->ndata, 1);
	client_reply_free(r);
	client_close(a);
}
END_TEST

START_TEST(test_candidates)
{
	struct client *a = with_contacts(), *e;
	struct client_reply *r;
	char *carl = harness_email("carl");
	int64_t shared, id;

	/* Carl shares a plain space with Alice: a candidate, after contacts. */
	agorad_user_add(node, carl, "Carl Dana-Smith", HARNESS_PASSWORD, NULL,
	    NULL);
	shared = space_new(a, "Plain", "0");
	harness_participant(shared, pg_i64("SELECT id FROM users WHERE"
	    " email = $1", carl, NULL), "external", "active");
	id = space_new(a, "New deal", "0");
	r = call_ok(a, "INVITE.CANDIDATES", "space", i64s(id), NULL);
	ck_assert_uint_eq(r->ndata, 3);
	ck_assert(line_is(r->data[0], "name", "Bob Chen"));
	ck_assert(line_is(r->data[0], "contact", "1"));
	ck_assert(line_is(r->data[1], "name", "Dana Scully"));
	ck_assert(line_is(r->data[1], "contact", "1"));
	ck_assert(line_is(r->data[2], "name", "Carl Dana-Smith"));
	ck_assert(line_is(r->data[2], "contact", "0"));
	client_reply_free(r);
	/* "da" starts Dana's name and a word of Carl's: the contact first. */
	r = call_ok(a, "INVITE.CANDIDATES", "space", i64s(id), "prefix", "DA",
	    NULL);
	ck_assert_uint_eq(r->ndata, 2);
	ck_assert(line_is(r->data[0], "email", dana));
	ck_assert(line_is(r->data[1], "email", carl));
	client_reply_free(r);
	/* ...a word in the middle of a name, and the e-mail address too. */
	r = call_ok(a, "INVITE.CANDIDATES", "space", i64s(id), "prefix",
	    "chen", NULL);
	ck_assert_uint_eq(r->ndata, 1);
	client_reply_free(r);
	r = call_ok(a, "INVITE.CANDIDATES", "space", i64s(id), "prefix", carl,
	    NULL);
	ck_assert_uint_eq(r->ndata, 1);
	client_reply_free(r);
	/* LIKE's wildcards are only characters here. */
	r = call_ok(a, "INVITE.CANDIDATES", "space", i64s(id), "prefix", "%",
	    NULL);
	ck_assert_uint_eq(r->ndata, 0);
	client_reply_free(r);
	/* Who is in the space already is not offered; limit is honoured. */
	harness_participant(id, bob_id, "internal", "active");
	r = call_ok(a, "INVITE.CANDIDATES", "space", i64s(id), "limit", "1",
	    NULL);
	ck_assert_uint_eq(r->ndata, 1);
	ck_assert(line_is(r->data[0], "name", "Dana Scully"));
	client_reply_free(r);
	call_err(a, "invalid", "INVITE.CANDIDATES", "space", i64s(id), "limit",
	    "0", NULL);
	call_err(a, "invalid", "INVITE.CANDIDATES", "space", i64s(id), "limit",
	    "101", NULL);
	/* Not in the space: the same answer as for a space that is not. */
	e = login(eve);
	call_err(e, "not_found", "INVITE.CANDIDATES", "space", i64s(id), NULL);
	client_close(e);
	client_close(a);
	free(carl);
}
END_TEST

static Suite *
network_suite(void)
{
	Suite *s = suite_create("network");
	TCase *tc = harness_tcase("network");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_free_plan_refused);
	tcase_add_test(tc, test_flag_makes_collaborators);
	tcase_add_test(tc, test_contacts_after_acceptance_once);
	tcase_add_test(tc, test_unflag_and_archive_remove_contacts);
	tcase_add_test(tc, test_leave_removes_contact);
	tcase_add_test(tc, test_always_add);
	tcase_add_test(tc, test_always_collaborator);
	tcase_add_test(tc, test_both_preferences);
	tcase_add_test(tc, test_candidates);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return harness_run(network_suite());
}
