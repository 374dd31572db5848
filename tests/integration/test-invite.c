/*
 * Invitations end to end, reading the e-mails agorad actually writes (to
 * its maildir: no smtp_url) and following the links in them: invite,
 * accept with or without a password, the one-time login link, links used
 * twice, expired and replaced links, colleagues added at once, reminders,
 * and externals inviting only when the space allows it.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "harness.h"
#include "xmalloc.h"

static struct agorad *node;
static char *ws, *alice, *bob, *maildir;
static int64_t alice_id, bob_id;
static int seen;                  /* messages read so far */

static void
setup(void)
{
	node = agorad_new(NULL);
	ws = harness_workspace("Acme");
	alice = harness_email("alice");
	bob = harness_email("bob");
	alice_id = agorad_user_add(node, alice, "Alice Martin",
	    HARNESS_PASSWORD, ws, "member");
	bob_id = agorad_user_add(node, bob, "Bob Chen", HARNESS_PASSWORD, ws,
	    "member");
	agorad_set(node, "public_address = chat.example.org:7443");
	xasprintf(&maildir, "%s/maildir", agorad_dir(node));
	seen = 0;
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
	free(maildir);
	node = NULL;
}

static struct mail *
next_mail(void)
{
	return maildir_next(maildir, &seen);
}

static int64_t
space_new(struct client *c, const char *title, const char *ext)
{
	struct client_reply *r = call_ok(c, "SPACE.CREATE", "title", title,
	    "externals_invite", ext, NULL);
	int64_t id = strtoll(client_reply_get(r, "space"), NULL, 10);

	client_reply_free(r);
	return id;
}

/* The status of user in space, as the database has it. */
static char *
status_of(int64_t space, int64_t user)
{
	char s[24], u[24];

	snprintf(s, sizeof s, "%lld", (long long)space);
	snprintf(u, sizeof u, "%lld", (long long)user);
	return pg_text("SELECT status FROM participants WHERE space_id = $1"
	    " AND user_id = $2", s, u, NULL);
}

static int64_t
user_id(const char *email)
{
	return pg_i64("SELECT id FROM users WHERE lower(email) = lower($1)",
	    email, NULL);
}

static void
assert_status(int64_t space, int64_t user, const char *want)
{
	char *got = status_of(space, user);

	ck_assert_msg(got != NULL && strcmp(got, want) == 0,
	    "status %s, wanted %s", got != NULL ? got : "(none)", want);
	free(got);
}

START_TEST(test_invite_accept_with_password)
{
	struct client *a = harness_login(node, alice, HARNESS_PASSWORD, NULL);
	struct client *d, *again;
	struct client_reply *r;
	char *dana = harness_email("dana"), *link, *subject, *ev;
	int64_t id = space_new(a, "Globex renewal", "0"), dana_id;
	struct mail *m;

	r = call_ok(a, "INVITE", "space", i64s(id), "emails", dana,
	    "message", "Bonjour Dana,\nvoici l'espace.", NULL);
	ck_assert_uint_eq(r->ndata, 1);
	ck_assert(line_is(r->data[0], "status", "pending"));
	ck_assert(line_is(r->data[0], "role", "external"));
	client_reply_free(r);
	dana_id = user_id(dana);
	assert_status(id, dana_id, "pending");

	m = next_mail();
	subject = mail_header(m, "Subject");
	ck_assert_str_eq(subject, "Alice Martin invited you to "
	    "\u201cGlobex renewal\u201d");
	free(subject);
	ck_assert_ptr_nonnull(strstr(mail_body(m), "> Bonjour Dana,\n"
	    "> voici l'espace."));
	link = mail_link(m);
	ck_assert_msg(strncmp(link, "agora://chat.example.org:7443/invite/",
	    37) == 0, "%s", link);
	mail_free(m);

	d = harness_connect(node);
	call_err(d, "invalid", "ACCEPT", "link", link, "password", "short",
	    NULL);
	call_err(d, "invalid", "ACCEPT", "link", "agora://x/login/abc", NULL);
	r = call_ok(d, "ACCEPT", "link", link, "password", "dana's new pass",
	    "name", "Dana Scully", NULL);
	ck_assert_int_eq(strtoll(client_reply_get(r, "space"), NULL, 10), id);
	ck_assert_ptr_nonnull(client_reply_get(r, "token"));
	client_reply_free(r);
	/* The connection is logged in now. */
	client_reply_free(call_ok(d, "SPACE.SHOW", "space", i64s(id), NULL));
	assert_status(id, dana_id, "active");
	ev = event_wait(a, "participant.updated", HARNESS_TIMEOUT);
	ck_assert_ptr_nonnull(ev);
	ck_assert(line_is(ev, "status", "active"));
	free(ev);

	/* The inviter is told. */
	m = next_mail();
	subject = mail_header(m, "Subject");
	ck_assert_str_eq(subject, "Dana Scully accepted your invitation to "
	    "\u201cGlobex renewal\u201d");
	free(subject);
	subject = mail_header(m, "To");
	ck_assert_ptr_nonnull(strstr(subject, alice));
	free(subject);
	mail_free(m);

	/* Once only; and the password works. */
	again = harness_connect(node);
	call_err(again, "not_found", "ACCEPT", "link", link, NULL);
	client_close(again);
	client_close(harness_login(node, dana, "dana's new pass", NULL));
	free(link);
	free(dana);
	client_close(a);
	client_close(d);
}
END_TEST

START_TEST(test_accept_without_password_then_login_link)
{
	struct client *a = harness_login(node, alice, HARNESS_PASSWORD, NULL);
	struct client *d;
	char *erin = harness_email("erin"), *link, *login;
	int64_t id = space_new(a, "Pilot", "0");
	struct mail *m;

	client_reply_free(call_ok(a, "INVITE", "space", i64s(id), "emails",
	    erin, NULL));
	m = next_mail();
	link = mail_link(m);
	mail_free(m);
	d = harness_connect(node);
	client_reply_free(call_ok(d, "ACCEPT", "link", link, NULL));
	client_close(d);
	m = next_mail();		/* "accepted", to Alice */
	mail_free(m);

	/* Next time: no password to log in with... */
	d = harness_connect(node);
	call_err(d, "auth_failed", "LOGIN", "email", erin, "password",
	    "anything at all", NULL);
	/* ...so a one-time link. Unknown addresses get the same answer. */
	client_reply_free(call_ok(d, "LOGIN.LINK", "email",
	    "nobody@nowhere.example", NULL));
	client_reply_free(call_ok(d, "LOGIN.LINK", "email", erin, NULL));
	m = next_mail();
	login = mail_link(m);
	ck_assert_msg(strstr(login, "/login/") != NULL, "%s", login);
	mail_free(m);
	ck_assert_int_eq(maildir_count(maildir), seen); /* nobody@ got none */
	call_err(d, "invalid", "LOGIN.TOKEN", "link", link, NULL);
	client_reply_free(call_ok(d, "LOGIN.TOKEN", "link", login, NULL));
	/* Logged in: set a password; changing it needs the current one. */
	client_reply_free(call_ok(d, "PASSWORD.SET", "password",
	    "erin's password", NULL));
	call_err(d, "auth_failed", "PASSWORD.SET", "password",
	    "another password", NULL);
	client_reply_free(call_ok(d, "PASSWORD.SET", "password",
	    "another password", "current", "erin's password", NULL));
	client_close(d);
	client_close(harness_login(node, erin, "another password", NULL));
	/* The login link worked once. */
	d = harness_connect(node);
	call_err(d, "not_found", "LOGIN.TOKEN", "link", login, NULL);
	client_close(d);
	free(link);
	free(login);
	free(erin);
	client_close(a);
}
END_TEST

START_TEST(test_expired_and_replaced_links)
{
	struct client *a = harness_login(node, alice, HARNESS_PASSWORD, NULL);
	struct client *d;
	char *fay = harness_email("fay"), *old, *fresh;
	int64_t id = space_new(a, "Links", "0"), fay_id;
	struct mail *m;

	client_reply_free(call_ok(a, "INVITE", "space", i64s(id), "emails",
	    fay, NULL));
	fay_id = user_id(fay);
	m = next_mail();
	old = mail_link(m);
	mail_free(m);
	/* Resent: a new link, and the old one stops working. */
	client_reply_free(call_ok(a, "INVITE.RESEND", "space", i64s(id),
	    "user", i64s(fay_id), NULL));
	m = next_mail();
	fresh = mail_link(m);
	mail_free(m);
	ck_assert_str_ne(old, fresh);
	d = harness_connect(node);
	call_err(d, "not_found", "ACCEPT", "link", old, NULL);
	/* Expired: no use either. */
	pg_exec("UPDATE tokens SET expires_at = now() - interval '1 second'"
	    " WHERE user_id = $1", i64s(fay_id), NULL);
	call_err(d, "not_found", "ACCEPT", "link", fresh, NULL);
	assert_status(id, fay_id, "pending");
	client_close(d);
	free(old);
	free(fresh);
	free(fay);
	client_close(a);
}
END_TEST

START_TEST(test_colleague_added_at_once)
{
	struct client *a = harness_login(node, alice, HARNESS_PASSWORD, NULL);
	struct client *b = harness_login(node, bob, HARNESS_PASSWORD, NULL);
	struct client_reply *r;
	int64_t id = space_new(a, "Team", "0");
	char *ev, *subject;
	struct mail *m;

	r = call_ok(a, "INVITE", "space", i64s(id), "emails", bob, NULL);
	ck_assert(line_is(r->data[0], "role", "internal"));
	ck_assert(line_is(r->data[0], "status", "active"));
	client_reply_free(r);
	assert_status(id, bob_id, "active");
	ev = event_wait(b, "participant.added", HARNESS_TIMEOUT);
	ck_assert_ptr_nonnull(ev);
	ck_assert(line_is(ev, "status", "active"));
	free(ev);
	client_reply_free(call_ok(b, "SPACE.SHOW", "space", i64s(id), NULL));
	m = next_mail();
	subject = mail_header(m, "Subject");
	ck_assert_str_eq(subject, "Alice Martin added you to \u201cTeam\u201d");
	free(subject);
	ck_assert_ptr_null(strstr(mail_body(m), "agora://"));
	mail_free(m);
	/* Again: skipped, not doubled. */
	r = call_ok(a, "INVITE", "space", i64s(id), "emails", bob, NULL);
	ck_assert(strstr(r->data[0], " SKIPPED ") != NULL);
	client_reply_free(r);
	client_close(a);
	client_close(b);
}
END_TEST

START_TEST(test_remind)
{
	struct client *a = harness_login(node, alice, HARNESS_PASSWORD, NULL);
	struct client_reply *r;
	struct client *d;
	char *gus = harness_email("gus"), *subject, *link;
	int64_t id = space_new(a, "Remind", "0"), gus_id;
	struct mail *m;

	client_reply_free(call_ok(a, "INVITE", "space", i64s(id), "emails",
	    gus, NULL));
	gus_id = user_id(gus);
	mail_free(next_mail());
	client_reply_free(call_ok(a, "INVITE.REMIND", "space", i64s(id),
	    "user", i64s(gus_id), NULL));
	m = next_mail();
	subject = mail_header(m, "Subject");
	ck_assert(strncmp(subject, "Reminder: ", 10) == 0);
	free(subject);
	mail_free(m);
	r = call_ok(a, "INVITE.REMIND", "space", i64s(id), "user",
	    i64s(gus_id), "how", "link", NULL);
	link = xstrdup(client_reply_get(r, "link"));
	client_reply_free(r);
	call_err(a, "invalid", "INVITE.REMIND", "space", i64s(id), "user",
	    i64s(gus_id), "how", "fax", NULL);
	/* Pending 7 days: flagged. */
	pg_exec("UPDATE participants SET invited_at = now() - interval"
	    " '8 days' WHERE user_id = $1", i64s(gus_id), NULL);
	r = call_ok(a, "SPACE.SHOW", "space", i64s(id), NULL);
	ck_assert(line_is(r->data[0], "overdue", "1"));
	client_reply_free(r);
	d = harness_connect(node);
	client_reply_free(call_ok(d, "ACCEPT", "link", link, NULL));
	client_close(d);
	assert_status(id, gus_id, "active");
	/* Nothing pending now. */
	call_err(a, "not_found", "INVITE.REMIND", "space", i64s(id), "user",
	    i64s(gus_id), NULL);
	free(link);
	free(gus);
	client_close(a);
}
END_TEST

START_TEST(test_externals_invite_when_allowed)
{
	struct client *a = harness_login(node, alice, HARNESS_PASSWORD, NULL);
	struct client *d;
	struct client_reply *r;
	char *hal = harness_email("hal"), *ivy = harness_email("ivy"), *link;
	int64_t closed = space_new(a, "Closed", "0");
	int64_t open = space_new(a, "Open", "1");
	struct mail *m;

	/* Hal is in both spaces: the second invitation accepted on the
	   session the first one opened (his account is in use by then). */
	d = harness_connect(node);
	for (int i = 0; i < 2; i++) {
		client_reply_free(call_ok(a, "INVITE", "space", i64s(i == 0 ?
		    closed : open), "emails", hal, NULL));
		m = next_mail();
		link = mail_link(m);
		mail_free(m);
		client_reply_free(call_ok(d, "ACCEPT", "link", link, NULL));
		mail_free(next_mail());
		free(link);
	}
	client_close(d);
	pg_exec("UPDATE users SET password_hash = (SELECT password_hash FROM"
	    " users WHERE id = $1) WHERE lower(email) = lower($2)",
	    i64s(alice_id), hal, NULL);
	d = harness_login(node, hal, HARNESS_PASSWORD, NULL);
	call_err(d, "forbidden", "INVITE", "space", i64s(closed), "emails",
	    ivy, NULL);
	r = call_ok(d, "INVITE", "space", i64s(open), "emails", ivy, NULL);
	ck_assert(line_is(r->data[0], "status", "pending"));
	client_reply_free(r);
	/* An external may not resend or remind, even where inviting is on. */
	call_err(d, "forbidden", "INVITE.RESEND", "space", i64s(open), "user",
	    i64s(user_id(ivy)), NULL);
	client_close(d);
	free(hal);
	free(ivy);
	client_close(a);
}
END_TEST

START_TEST(test_invite_invalid)
{
	struct client *a = harness_login(node, alice, HARNESS_PASSWORD, NULL);
	struct client_reply *r;
	int64_t id = space_new(a, "Invalid", "0");
	struct buf *many;

	call_err(a, "invalid", "INVITE", "space", i64s(id), "emails", "", NULL);
	call_err(a, "invalid", "INVITE", "space", i64s(id), "emails",
	    "not-an-address", NULL);
	call_err(a, "invalid", "INVITE", "space", i64s(id), "emails",
	    "a@b.example, \"x\"@y.example", NULL);
	call_err(a, "invalid", "INVITE", "space", i64s(id), "emails",
	    "evil@x.example\r\nBcc: all@x.example", NULL);
	many = buf_new(0);
	for (int i = 0; i < 51; i++)
		buf_printf(many, "p%d@x.example ", i);
	call_err(a, "invalid", "INVITE", "space", i64s(id), "emails",
	    buf_cstr(many), NULL);
	buf_free(many);
	/* Nothing was sent or made. */
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM participants WHERE"
	    " space_id = $1", i64s(id), NULL), 1);
	ck_assert_int_eq(maildir_count(maildir), 0);
	/* The same address twice, in two cases: one invitation. */
	r = call_ok(a, "INVITE", "space", i64s(id), "emails",
	    "Jo@X.example, jo@x.example", NULL);
	ck_assert_uint_eq(r->ndata, 1);
	client_reply_free(r);
	call_err(a, "not_found", "INVITE", "space", "999999", "emails",
	    "k@x.example", NULL);
	client_close(a);
}
END_TEST

/* Login links cost someone's inbox: five per address per window. */
START_TEST(test_login_link_limited)
{
	struct client *d = harness_connect(node);
	char *kim = harness_email("kim"), *upper;

	agorad_user_add(node, kim, "Kim", HARNESS_PASSWORD, NULL, NULL);
	for (int i = 0; i < 5; i++)
		client_reply_free(call_ok(d, "LOGIN.LINK", "email", kim, NULL));
	call_err(d, "rate_limited", "LOGIN.LINK", "email", kim, NULL);
	/* Written in capitals it is the same address. */
	upper = xstrdup(kim);
	for (char *p = upper; *p != '\0'; p++)
		*p = (char)toupper((unsigned char)*p);
	call_err(d, "rate_limited", "LOGIN.LINK", "email", upper, NULL);
	free(upper);
	/* Another address is not held back; no account, same answer. */
	client_reply_free(call_ok(d, "LOGIN.LINK", "email",
	    "someone.else@example.org", NULL));
	ck_assert_int_eq(maildir_wait(maildir, 5, HARNESS_TIMEOUT), 0);
	sleep_ms(500);
	ck_assert_int_eq(maildir_count(maildir), 5);
	free(kim);
	client_close(d);
}
END_TEST

static Suite *
invite_suite(void)
{
	Suite *s = suite_create("invite");
	TCase *tc = harness_tcase("invite");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_invite_accept_with_password);
	tcase_add_test(tc, test_accept_without_password_then_login_link);
	tcase_add_test(tc, test_expired_and_replaced_links);
	tcase_add_test(tc, test_colleague_added_at_once);
	tcase_add_test(tc, test_remind);
	tcase_add_test(tc, test_externals_invite_when_allowed);
	tcase_add_test(tc, test_invite_invalid);
	tcase_add_test(tc, test_login_link_limited);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return harness_run(invite_suite());
}
