/*
 * The holes an adversarial test found (issue 10), each replayed as the
 * attacker played it, over real TLS against a real agorad:
 *
 * - a link handed to an inviter (INVITE.REMIND how=link) is no credential
 *   for an account in use, and an account made through one is unverified:
 *   it reaches only its space, and the mailbox's first proof voids what
 *   was set on it before (pre-account hijacking);
 * - a bogus link costs a lookup, never a password hash; the verbs anyone
 *   may call are throttled per address;
 * - mail to a third party is limited per recipient, with a retry time;
 * - failed logins at an account from one address do not lock its owner
 *   out from another, and the mailbox's login link stays usable;
 * - PASSWORD.SET's current password cannot be guessed at leisure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "xmalloc.h"

static struct agorad *node;
static char *ws, *alice, *vic, *maildir;
static int64_t alice_id, vic_id;
static int seen;

static void
setup(void)
{
	node = agorad_new(NULL);
	ws = harness_workspace("Acme");
	alice = harness_email("alice");
	vic = harness_email("vic");
	alice_id = agorad_user_add(node, alice, "Alice Martin",
	    HARNESS_PASSWORD, ws, "owner");
	/* The victim: an account of another workspace. */
	vic_id = agorad_user_add(node, vic, "Victor Hugo", HARNESS_PASSWORD,
	    "Victims", "owner");
	xasprintf(&maildir, "%s/maildir", agorad_dir(node));
	seen = 0;
}

static void
teardown(void)
{
	if (node != NULL && agorad_running(node))
		agorad_stop_clean(node);
	agorad_free(node);
	free(ws);
	free(alice);
	free(vic);
	free(maildir);
	node = NULL;
}

static int64_t
space_new(struct client *c, const char *title)
{
	struct client_reply *r = call_ok(c, "SPACE.CREATE", "title", title,
	    NULL);
	int64_t id = line_i64(r->line, "space");

	client_reply_free(r);
	return id;
}

/* The link of the next mail to email, skipping mails to others (the
   inviter hears of each acceptance). Caller frees. */
static char *
next_link(const char *email)
{
	char *to, *link = NULL;
	struct mail *m;

	while (link == NULL) {
		m = maildir_next(maildir, &seen);
		to = mail_header(m, "To");
		if (to != NULL && strstr(to, email) != NULL)
			link = mail_link(m);
		free(to);
		mail_free(m);
	}
	return link;
}

/* A link to pass on by hand, for user's pending invitation to space. */
static char *
handed_link(struct client *c, int64_t space, int64_t user)
{
	struct client_reply *r = call_ok(c, "INVITE.REMIND", "space",
	    i64s(space), "user", i64s(user), "how", "link", NULL);
	char *link = xstrdup(client_reply_get(r, "link"));

	client_reply_free(r);
	return link;
}

static char *
status_of(int64_t space, int64_t user)
{
	char s[24];

	snprintf(s, sizeof s, "%lld", (long long)space);
	return pg_text("SELECT status FROM participants WHERE space_id = $1"
	    " AND user_id = $2", s, i64s(user), NULL);
}

static void
assert_status(int64_t space, int64_t user, const char *want)
{
	char *got = status_of(space, user);

	ck_assert_msg(got != NULL && strcmp(got, want) == 0, "status %s, "
	    "wanted %s", got != NULL ? got : "(none)", want);
	free(got);
}

/* WHOAMI's verified= for c. */
static int
verified(struct client *c)
{
	struct client_reply *r = call_ok(c, "WHOAMI", NULL);
	int v;

	ck_assert_uint_ge(r->ndata, 1);
	v = line_is(r->data[0], "verified", "1");
	client_reply_free(r);
	return v;
}

/* The attacker's script: invite, get the link by hand, accept it. */
START_TEST(test_handed_link_is_no_credential)
{
	struct client *a, *x, *v;
	struct client_reply *r;
	int64_t space;
	char *link, *mailed;

	agorad_start(node);
	a = harness_login(node, alice, HARNESS_PASSWORD, NULL);
	space = space_new(a, "Trap");
	client_reply_free(call_ok(a, "INVITE", "space", i64s(space), "emails",
	    vic, NULL));
	mailed = next_link(vic);
	link = handed_link(a, space, vic_id);

	/* No credentials: neither link opens Victor's account. */
	x = harness_connect(node);
	call_err(x, "auth_required", "ACCEPT", "link", link, NULL);
	call_err(x, "auth_required", "ACCEPT", "link", mailed, NULL);
	call_err(x, "auth_required", "WHOAMI", NULL);
	/* A password that is not his is counted as a failed login. */
	call_err(x, "auth_failed", "ACCEPT", "link", link, "password",
	    "not victor's password", NULL);
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM login_failures WHERE"
	    " key = 'acct:' || lower($1)", vic, NULL), 1);
	/* Alice's own session is not his either. */
	call_err(a, "forbidden", "ACCEPT", "link", link, NULL);
	assert_status(space, vic_id, "pending");
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM sessions WHERE"
	    " user_id = $1", i64s(vic_id), NULL), 0);

	/* Victor himself: his password with the link... */
	r = call_ok(x, "ACCEPT", "link", link, "password", HARNESS_PASSWORD,
	    NULL);
	ck_assert_int_eq(line_i64(r->line, "space"), space);
	client_reply_free(r);
	assert_status(space, vic_id, "active");
	ck_assert(verified(x));
	client_close(x);

	/* ...or, for another invitation, his own session, no password. */
	space = space_new(a, "Second");
	client_reply_free(call_ok(a, "INVITE", "space", i64s(space), "emails",
	    vic, NULL));
	free(mailed);
	mailed = next_link(vic);
	v = harness_login(node, vic, HARNESS_PASSWORD, NULL);
	call_err(v, "invalid", "ACCEPT", "link", mailed, "password",
	    HARNESS_PASSWORD, NULL);
	r = call_ok(v, "ACCEPT", "link", mailed, NULL);
	ck_assert_ptr_null(client_reply_get(r, "token"));
	ck_assert_int_eq(line_i64(r->line, "space"), space);
	client_reply_free(r);
	assert_status(space, vic_id, "active");
	client_reply_free(call_ok(v, "SPACE.SHOW", "space", i64s(space),
	    NULL));
	client_close(v);
	client_close(a);
	free(link);
	free(mailed);
}
END_TEST

/*
 * Pre-account hijacking: Mallory holds a handed link for an address that
 * has no account yet, and sets a password and a name on it. The account
 * stays unverified and reaches only that space; the real owner's first
 * mailed link voids what Mallory set.
 */
START_TEST(test_pre_hijacking)
{
	struct client *a, *m, *real, *again;
	struct client_reply *r;
	char *zoe = harness_email("zoe"), *mailed, *handed, *second;
	char *name, *logout;
	int64_t space, other, zoe_id;

	agorad_start(node);
	a = harness_login(node, alice, HARNESS_PASSWORD, NULL);
	space = space_new(a, "Pilot");
	other = space_new(a, "Elsewhere");
	client_reply_free(call_ok(a, "INVITE", "space", i64s(space), "emails",
	    zoe, NULL));
	mailed = next_link(zoe);
	zoe_id = pg_i64("SELECT id FROM users WHERE lower(email) = lower($1)",
	    zoe, NULL);
	handed = handed_link(a, space, zoe_id);

	/* Mallory, with the handed link. */
	m = harness_connect(node);
	r = call_ok(m, "ACCEPT", "link", handed, "password", "mallory's own",
	    "name", "IT Support", NULL);
	ck_assert_ptr_nonnull(client_reply_get(r, "token"));
	client_reply_free(r);
	ck_assert(!verified(m));
	/* The name is only how that space shows her: the account, unproven,
	   goes by its address (and so in any other space). */
	name = pg_text("SELECT u.name || '/' || coalesce(p.local_name, '-')"
	    " FROM users u JOIN participants p ON p.user_id = u.id"
	    " WHERE u.id = $1 AND p.space_id = $2", i64s(zoe_id), i64s(space),
	    NULL);
	xasprintf(&logout, "%s/IT Support", zoe);
	ck_assert_str_eq(name, logout);
	free(name);
	free(logout);
	client_reply_free(call_ok(m, "PARTICIPANT.EDIT", "space",
	    i64s(space), "user", i64s(zoe_id), "company", "Mallory Inc", NULL));
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM users WHERE id = $1"
	    " AND company = ''", i64s(zoe_id), NULL), 1);
	/* That space, and nothing else. */
	client_reply_free(call_ok(m, "SPACE.SHOW", "space", i64s(space),
	    NULL));
	client_reply_free(call_ok(m, "MSG.LIST", "space", i64s(space), NULL));
	call_err(m, "forbidden", "CONTACTS", NULL);
	call_err(m, "forbidden", "SPACE.CREATE", "title", "Mine", NULL);
	call_err(m, "forbidden", "INVITE", "space", i64s(space), "emails",
	    "someone@x.example", NULL);
	/* A second handed link, for another space: refused, even with the
	   password Mallory set. */
	client_reply_free(call_ok(a, "INVITE", "space", i64s(other), "emails",
	    zoe, NULL));
	free(next_link(zoe));	/* her second invitation */
	second = handed_link(a, other, zoe_id);
	again = harness_connect(node);
	call_err(again, "forbidden", "ACCEPT", "link", second, NULL);
	call_err(again, "forbidden", "ACCEPT", "link", second, "password",
	    "mallory's own", NULL);
	call_err(m, "forbidden", "ACCEPT", "link", second, NULL);
	assert_status(other, zoe_id, "pending");
	client_close(again);

	/* Zoé uses the link she was mailed: her address is proven. */
	real = harness_connect(node);
	r = call_ok(real, "ACCEPT", "link", mailed, "password",
	    "zoe's real password", NULL);
	client_reply_free(r);
	ck_assert(verified(real));
	/* Mallory's session ended; the password and name are gone. */
	logout = event_wait(m, "session.logout", HARNESS_TIMEOUT);
	ck_assert_ptr_nonnull(logout);
	free(logout);
	call_err(m, "auth_required", "WHOAMI", NULL);
	client_close(m);
	m = harness_connect(node);
	call_err(m, "auth_failed", "LOGIN", "email", zoe, "password",
	    "mallory's own", NULL);
	client_close(m);
	name = pg_text("SELECT name FROM users WHERE id = $1", i64s(zoe_id),
	    NULL);
	ck_assert_str_eq(name, zoe);
	free(name);
	/* And what the space showed of her, set before the proof. */
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM participants WHERE"
	    " user_id = $1 AND (local_name IS NOT NULL OR local_company IS NOT"
	    " NULL)", i64s(zoe_id), NULL), 0);
	client_close(real);
	real = harness_login(node, zoe, "zoe's real password", NULL);
	ck_assert(verified(real));
	/* Past the gate now: what stops her is her plan, not her address. */
	call_err(real, "plan_required", "CONTACTS", NULL);
	assert_status(space, zoe_id, "active");
	client_close(real);
	client_close(a);
	free(zoe);
	free(mailed);
	free(handed);
	free(second);
}
END_TEST

/* A one-time login link from the mailbox proves an unverified account. */
START_TEST(test_login_link_proves)
{
	struct client *a, *m, *z;
	struct client_reply *r;
	char *yan = harness_email("yan"), *handed, *login, *logout;
	int64_t space, yan_id;

	agorad_start(node);
	a = harness_login(node, alice, HARNESS_PASSWORD, NULL);
	space = space_new(a, "Pilot");
	client_reply_free(call_ok(a, "INVITE", "space", i64s(space), "emails",
	    yan, NULL));
	free(next_link(yan));
	yan_id = pg_i64("SELECT id FROM users WHERE lower(email) = lower($1)",
	    yan, NULL);
	handed = handed_link(a, space, yan_id);
	m = harness_connect(node);
	client_reply_free(call_ok(m, "ACCEPT", "link", handed, "password",
	    "mallory's own", NULL));
	ck_assert(!verified(m));

	z = harness_connect(node);
	r = call_ok(z, "LOGIN.LINK", "email", yan, NULL);
	ck_assert(line_is(r->line, "sent", "1"));
	client_reply_free(r);
	login = next_link(yan);
	client_reply_free(call_ok(z, "LOGIN.TOKEN", "link", login, NULL));
	ck_assert(verified(z));
	logout = event_wait(m, "session.logout", HARNESS_TIMEOUT);
	ck_assert_ptr_nonnull(logout);
	free(logout);
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM users WHERE id = $1"
	    " AND password_hash IS NULL", i64s(yan_id), NULL), 1);
	/* Yan may set a password now without knowing Mallory's. */
	client_reply_free(call_ok(z, "PASSWORD.SET", "password",
	    "yan's password", NULL));
	client_close(z);
	client_close(m);
	client_close(a);
	free(yan);
	free(handed);
	free(login);
}
END_TEST

/* A made-up link is looked up and refused: no password is hashed. */
START_TEST(test_bogus_link_costs_no_hash)
{
	struct client *c;
	char fake[80];

	agorad_set(node, "log_level = debug");
	agorad_start(node);
	c = harness_connect(node);
	for (int i = 0; i < 20; i++) {
		snprintf(fake, sizeof fake, "%064x", i + 1);
		call_err(c, "not_found", "ACCEPT", "link", fake, "password",
		    "xxxxxxxxxxxx", NULL);
	}
	ck_assert_int_eq(agorad_log_count(node, "lane: "), 0);
	/* A real login goes through the lane, once. */
	client_close(c);
	c = harness_login(node, alice, HARNESS_PASSWORD, NULL);
	ck_assert_int_eq(agorad_log_wait(node, "lane: ", 1, HARNESS_TIMEOUT),
	    0);
	client_close(c);
}
END_TEST

/* The verbs anyone may call are throttled per address; PING and a
   session's requests are not. */
START_TEST(test_guest_throttle)
{
	struct client *c, *in, *other;
	struct client_reply *r;
	int64_t start;
	int refused = 0, allowed = 0;

	agorad_set(node, "guest_rate = 1");
	agorad_set(node, "guest_burst = 5");
	agorad_start(node);
	in = harness_login(node, alice, HARNESS_PASSWORD, NULL);
	c = harness_connect(node);
	start = now_ms();
	for (int i = 0; i < 12; i++) {
		r = client_call(c, "LOGIN", "email", vic, "password", "guess",
		    NULL);
		ck_assert_ptr_nonnull(r);
		if (!r->ok && strcmp(r->code, "rate_limited") == 0)
			refused++;
		else
			allowed++;
		client_reply_free(r);
	}
	/* At most the burst, plus one a second since (and one for the
	   second begun): the others are refused at once. */
	ck_assert_int_gt(refused, 0);
	ck_assert_int_le(allowed, 5 + (now_ms() - start) / 1000 + 1);
	ping_ok(c);
	for (int i = 0; i < 20; i++)
		client_reply_free(call_ok(in, "SPACE.LIST", NULL));
	/* Another address has a bucket of its own. */
	other = harness_connect_from(node, "127.0.0.2");
	call_err(other, "auth_failed", "LOGIN", "email", vic, "password",
	    "guess", NULL);
	client_close(other);
	client_close(c);
	client_close(in);
}
END_TEST

/* Forty reminders are not forty e-mails. */
START_TEST(test_mail_to_third_party_limited)
{
	struct client *a, *x;
	struct client_reply *r;
	char *dan = harness_email("dan"), *ed = harness_email("ed"), *both;
	int64_t space, dan_id;
	int limited = 0;

	agorad_set(node, "mail_recipient_limit = 3");
	agorad_start(node);
	a = harness_login(node, alice, HARNESS_PASSWORD, NULL);
	space = space_new(a, "Bombs");
	client_reply_free(call_ok(a, "INVITE", "space", i64s(space), "emails",
	    dan, NULL));
	dan_id = pg_i64("SELECT id FROM users WHERE lower(email) = lower($1)",
	    dan, NULL);
	for (int i = 0; i < 40; i++) {
		r = client_call(a, "INVITE.REMIND", "space", i64s(space),
		    "user", i64s(dan_id), NULL);
		ck_assert_ptr_nonnull(r);
		if (!r->ok) {
			ck_assert_str_eq(r->code, "rate_limited");
			ck_assert_int_gt(line_i64(r->line, "retry"), 0);
			ck_assert_ptr_nonnull(strstr(r->line, dan));
			limited++;
		}
		client_reply_free(r);
	}
	ck_assert_int_eq(limited, 38);
	call_err(a, "rate_limited", "INVITE.RESEND", "space", i64s(space),
	    "user", i64s(dan_id), NULL);
	/* The invitation and two reminders, no more. */
	ck_assert_int_eq(maildir_wait(maildir, 3, HARNESS_TIMEOUT), 0);
	sleep_ms(300);
	ck_assert_int_eq(maildir_count(maildir), 3);
	/* The mails count for the hour, even once they are older than the
	   window of failed logins, which prune the same table. */
	pg_exec("UPDATE login_failures SET at = at - interval '20 minutes'",
	    NULL);
	x = harness_connect(node);
	call_err(x, "auth_failed", "LOGIN", "email", dan, "password",
	    "wrong password", NULL);
	client_close(x);
	call_err(a, "rate_limited", "INVITE.REMIND", "space", i64s(space),
	    "user", i64s(dan_id), NULL);
	/* A link by hand sends nothing, so it is not limited. */
	free(handed_link(a, space, dan_id));
	/* Inviting Dan elsewhere is refused too, and nothing of that
	   INVITE happens, Ed's part included. */
	space = space_new(a, "Elsewhere");
	xasprintf(&both, "%s, %s", ed, dan);
	call_err(a, "rate_limited", "INVITE", "space", i64s(space), "emails",
	    both, NULL);
	free(both);
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM participants WHERE"
	    " space_id = $1", i64s(space), NULL), 1);
	client_reply_free(call_ok(a, "INVITE", "space", i64s(space), "emails",
	    ed, NULL));
	client_close(a);
	free(dan);
	free(ed);
}
END_TEST

/*
 * An attacker elsewhere fails at Victor's password: that locks out the
 * attacker's address, not Victor's; only many addresses together reach
 * the slower limit for the account. The login link Victor was mailed
 * stays usable whoever asks for more.
 */
START_TEST(test_no_lockout_from_elsewhere)
{
	struct client *x, *v, *y, *z;
	struct client_reply *r;
	char *first;

	agorad_set(node, "login_account_limit = 3");
	agorad_set(node, "login_account_global_limit = 5");
	agorad_set(node, "mail_recipient_limit = 3");
	agorad_start(node);
	x = harness_connect_from(node, "127.0.0.2");
	for (int i = 0; i < 3; i++)
		call_err(x, "auth_failed", "LOGIN", "email", vic, "password",
		    "guess", NULL);
	call_err(x, "rate_limited", "LOGIN", "email", vic, "password",
	    HARNESS_PASSWORD, NULL);
	v = harness_connect(node);
	r = call_ok(v, "LOGIN", "email", vic, "password", HARNESS_PASSWORD,
	    NULL);
	client_reply_free(r);
	client_close(v);

	/* Two more failures from a third address: five for the account. */
	y = harness_connect_from(node, "127.0.0.3");
	for (int i = 0; i < 2; i++)
		call_err(y, "auth_failed", "LOGIN", "email", vic, "password",
		    "guess", NULL);
	v = harness_connect(node);
	r = client_call(v, "LOGIN", "email", vic, "password", HARNESS_PASSWORD,
	    NULL);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->code != NULL ? r->code : "ok", "rate_limited");
	ck_assert_int_gt(line_i64(r->line, "retry"), 0);
	client_reply_free(r);

	/* Victor asks for a login link; the attacker asks for more. */
	client_reply_free(call_ok(v, "LOGIN.LINK", "email", vic, NULL));
	first = next_link(vic);
	for (int i = 0; i < 2; i++) {
		client_reply_free(call_ok(x, "LOGIN.LINK", "email", vic,
		    NULL));
		free(next_link(vic));
	}
	/* Three mails went to Victor: the attacker's next asks send no
	   more, and neither do Victor's, but his links still work. */
	r = call_ok(x, "LOGIN.LINK", "email", vic, NULL);
	ck_assert(line_is(r->line, "sent", "0"));
	client_reply_free(r);
	r = call_ok(v, "LOGIN.LINK", "email", vic, NULL);
	ck_assert(line_is(r->line, "sent", "0"));
	client_reply_free(r);
	/* Kept alive by asking (the newest one), but not past an hour from
	   its sending. */
	for (int late = 0; late < 2; late++) {
		pg_exec("UPDATE tokens SET created_at = now() - $2::interval,"
		    " expires_at = now() + interval '1 minute' WHERE kind ="
		    " 'login' AND user_id = $1", i64s(vic_id),
		    late ? "2 hours" : "30 minutes", NULL);
		z = harness_connect_from(node, late ? "127.0.0.5" :
		    "127.0.0.4");
		client_reply_free(call_ok(z, "LOGIN.LINK", "email", vic,
		    NULL));
		client_close(z);
		ck_assert_int_eq(pg_i64("SELECT count(*) FROM tokens WHERE"
		    " kind = 'login' AND user_id = $1 AND expires_at > now() +"
		    " interval '5 minutes'", i64s(vic_id), NULL), late ? 0 : 1);
	}
	client_reply_free(call_ok(v, "LOGIN.TOKEN", "link", first, NULL));
	ck_assert(verified(v));
	client_close(v);
	client_close(x);
	client_close(y);
	free(first);
}
END_TEST

/* PASSWORD.SET's current= is a password guess like LOGIN's. */
START_TEST(test_password_set_guesses_limited)
{
	struct client *v;
	struct client_reply *r;

	agorad_set(node, "login_account_limit = 3");
	agorad_start(node);
	v = harness_login(node, vic, HARNESS_PASSWORD, NULL);
	call_err(v, "auth_failed", "PASSWORD.SET", "password", "a new one!",
	    NULL);
	for (int i = 0; i < 3; i++)
		call_err(v, "auth_failed", "PASSWORD.SET", "password",
		    "a new one!", "current", "guess", NULL);
	r = client_call(v, "PASSWORD.SET", "password", "a new one!",
	    "current", HARNESS_PASSWORD, NULL);
	ck_assert_ptr_nonnull(r);
	ck_assert_msg(!r->ok && strcmp(r->code, "rate_limited") == 0, "%s",
	    r->line);
	ck_assert_int_gt(line_i64(r->line, "retry"), 0);
	client_reply_free(r);
	/* The password did not change. */
	client_close(v);
	client_close(harness_login(node, vic, HARNESS_PASSWORD, NULL));
	pg_exec("UPDATE login_failures SET at = at - interval '1 day'", NULL);
	v = harness_login(node, vic, HARNESS_PASSWORD, NULL);
	client_reply_free(call_ok(v, "PASSWORD.SET", "password", "a new one!",
	    "current", HARNESS_PASSWORD, NULL));
	client_close(v);
	client_close(harness_login(node, vic, "a new one!", NULL));
}
END_TEST

static Suite *
security_suite(void)
{
	Suite *s = suite_create("security");
	TCase *tc = harness_tcase("security");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_handed_link_is_no_credential);
	tcase_add_test(tc, test_pre_hijacking);
	tcase_add_test(tc, test_login_link_proves);
	tcase_add_test(tc, test_bogus_link_costs_no_hash);
	tcase_add_test(tc, test_guest_throttle);
	tcase_add_test(tc, test_mail_to_third_party_limited);
	tcase_add_test(tc, test_no_lockout_from_elsewhere);
	tcase_add_test(tc, test_password_set_guesses_limited);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return harness_run(security_suite());
}
