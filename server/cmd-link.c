/*
 * Coming in by a link from an e-mail: ACCEPT (an invitation to a space),
 * LOGIN.LINK (ask for a one-time login link) and LOGIN.TOKEN (use one),
 * and PASSWORD.SET.
 *
 * A link agora mailed proves that its holder reads the mailbox it went
 * to; one handed over by hand (INVITE.REMIND how=link) proves nothing
 * about the address. Neither is a credential for an account already in
 * use: accepting then takes the account's own proof (its password, a
 * session of it, or a login link from its mailbox). link_decide is that
 * rule, in one place; agora-protocol(7), SECURITY, says it in words.
 *
 * Each link works once: its token is consumed in the transaction that
 * uses it, under a row lock, so two uses at once cannot both succeed.
 * Passwords are hashed and checked on the lane (lane.h), between a first
 * run that looks the token up (a bogus one costs a lookup, not a hash)
 * and a second that uses it.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "auth.h"
#include "buf.h"
#include "cmd.h"
#include "config.h"
#include "conn.h"
#include "db.h"
#include "event.h"
#include "i18n.h"
#include "limit.h"
#include "link.h"
#include "outbox.h"
#include "password.h"
#include "proto.h"
#include "server.h"
#include "session.h"
#include "space.h"
#include "str.h"
#include "xmalloc.h"

#define LOGIN_LINK_LIFETIME	900	/* seconds */
#define PASSWORD_MIN		8	/* bytes, as agorad user add */
#define NAME_MAX_BYTES		200

/* What the token and its account say, read twice: before the lane, and
   locked in the transaction that uses them. */
#define LINK_FACTS \
	"SELECT t.user_id, t.space_id, t.kind, t.mailed, u.email, u.name," \
	" u.password_hash, u.verified_at IS NOT NULL AS verified," \
	" (u.password_hash IS NOT NULL OR u.last_login_at IS NOT NULL OR" \
	"  EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = u.id))" \
	"  AS established FROM tokens t JOIN users u ON u.id = t.user_id" \
	" WHERE t.hash = $1::bytea" \
	" AND (t.kind = $2 OR ($2 = 'invite' AND t.kind = 'activate'))" \
	" AND t.used_at IS NULL AND t.expires_at > now()"

const struct db_stmt link_stmts[] = {
	{ "link_look", LINK_FACTS },
	{ "link_take", LINK_FACTS " FOR UPDATE OF t, u" },
	{ "link_use",
	  "UPDATE tokens SET used_at = now() WHERE hash = $1::bytea" },
	/* Pending, or in already (by another link of the same invitation:
	   a handed one used before the mailed one). */
	{ "link_join",
	  "WITH was AS (SELECT status FROM participants"
	  "  WHERE space_id = $1::bigint AND user_id = $2::bigint)"
	  " UPDATE participants p SET status = 'active', last_active_at = now()"
	  " FROM spaces s, was WHERE p.space_id = $1::bigint"
	  " AND p.user_id = $2::bigint AND p.status IN ('pending', 'active')"
	  " AND s.id = p.space_id AND s.archived_at IS NULL"
	  " RETURNING participant_role(p.role, s.network) AS role, s.title,"
	  " s.workspace_id, was.status = 'pending' AS joined,"
	  " (SELECT email FROM users WHERE id = p.invited_by) AS inviter" },
	{ "link_set_password",
	  "UPDATE users SET password_hash = $2 WHERE id = $1::bigint" },
	/* The name one gives oneself wins over what any space had set. */
	{ "link_set_name",
	  "UPDATE users SET name = $2 WHERE id = $1::bigint" },
	/* The mailbox proven: what was set before it is void. */
	{ "link_prove",
	  "UPDATE users SET verified_at = now(), password_hash = NULL,"
	  " name = email WHERE id = $1::bigint" },
	{ "link_sessions_void",
	  "DELETE FROM sessions WHERE user_id = $1::bigint RETURNING id" },
	/* ... and what its holder said of it in the one space it reached
	   (link_name, PARTICIPANT.EDIT), whoever set it there. */
	{ "link_local_void",
	  "UPDATE participants SET local_name = NULL, local_company = NULL,"
	  " local_job_title = NULL WHERE user_id = $1::bigint"
	  " AND status = 'active' AND (local_name IS NOT NULL"
	  "  OR local_company IS NOT NULL OR local_job_title IS NOT NULL)"
	  " RETURNING space_id" },
	/* One's own name given: what any space had set goes. */
	{ "link_local_name_clear",
	  "UPDATE participants SET local_name = NULL"
	  " WHERE user_id = $1::bigint AND local_name IS NOT NULL" },
	/* A name given through a handed link: the space's (see link_name). */
	{ "link_local_name",
	  "UPDATE participants p SET local_name = CASE WHEN $3 = u.name"
	  "  THEN NULL ELSE $3 END FROM users u WHERE u.id = p.user_id"
	  " AND p.space_id = $1::bigint AND p.user_id = $2::bigint" },
	{ "link_user",
	  "SELECT id FROM users WHERE lower(email) = lower($1)" },
	/* Login links that expired are of no use to anyone. */
	{ "link_login_prune",
	  "DELETE FROM tokens WHERE kind = 'login' AND user_id = $1::bigint"
	  " AND (used_at IS NOT NULL OR expires_at <= now())" },
	{ "link_login_new",
	  "INSERT INTO tokens (hash, kind, user_id, expires_at)"
	  " VALUES ($1::bytea, 'login', $2::bigint,"
	  " now() + make_interval(secs => $3::int))" },
	/* Longer, but never past an hour from when it was sent: asking
	   again must not keep a link alive for ever. */
	{ "link_login_extend",
	  "UPDATE tokens SET expires_at = greatest(expires_at,"
	  " least(now() + make_interval(secs => $2::int),"
	  " created_at + interval '1 hour')) WHERE hash = (SELECT hash"
	  " FROM tokens WHERE kind = 'login' AND user_id = $1::bigint"
	  " AND used_at IS NULL ORDER BY created_at DESC LIMIT 1)" },
	{ "password_of",
	  "SELECT password_hash FROM users WHERE id = $1::bigint" },
	{ NULL, NULL }
};

/* How a link may be used (link_decide). */
enum link_mode {
	LINK_BY_MAILBOX,	/* a mailed link: the address is proven */
	LINK_BY_SESSION,	/* the account's own session holds the link */
	LINK_BY_PASSWORD,	/* the account's own password was given */
	LINK_FRESH,		/* a handed link, an account never used */
	LINK_NEED_PROOF,	/* refused: the account is in use */
	LINK_UNPROVEN,		/* refused: a handed link, an unproven
				   account already in use */
	LINK_OTHER		/* refused: a session of someone else */
};

struct link_facts {
	int	 login;		/* a login link (always mailed) */
	int	 mailed;
	int	 verified;	/* the account's address is proven */
	int	 established;	/* password, logins or a workspace */
	int	 has_password;
	int	 password_given;
	int64_t	 session_user;	/* the connection's, or 0 */
	int64_t	 user;		/* the link's */
};

/*
 * The rule. An account in use is never entered by a link alone; an
 * account whose address was never proven (made through a handed link)
 * is entered once by a handed link, and any mailed one proves it.
 */
static enum link_mode
link_decide(const struct link_facts *f)
{
	if (f->session_user != 0 && f->session_user != f->user)
		return LINK_OTHER;
	if (f->login)
		return LINK_BY_MAILBOX;
	if (!f->verified) {
		if (f->mailed)
			return LINK_BY_MAILBOX;
		return f->established ? LINK_UNPROVEN : LINK_FRESH;
	}
	if (f->session_user == f->user)
		return LINK_BY_SESSION;
	if (f->password_given && f->has_password)
		return LINK_BY_PASSWORD;
	if (!f->established && f->mailed)
		return LINK_BY_MAILBOX;
	return LINK_NEED_PROOF;
}

struct link_job {
	struct auth_job	 auth;
	const char	*kind;		/* LINK_INVITE or LINK_LOGIN */
	char		*name;		/* ACCEPT: the name to go by */
	char		*hash;		/* the new password's scrypt hash */
	char		*base;		/* HOST:PORT for new links */
	char		*current;	/* PASSWORD.SET: the password now */
	char		*fresh;		/* PASSWORD.SET: the new one */
	enum link_mode	 mode;		/* decided by the first run */
	long		 limit_mail;	/* attempts per address per window */
	long		 limit_from;	/* attempts per client per window */
	long		 window;
	long		 scrypt_n;	/* cost of new password hashes */
};

static void
link_destroy(struct req *r)
{
	struct link_job *lj = (struct link_job *)r;

	free(lj->name);
	freezero_str(lj->current);
	freezero_str(lj->fresh);
	freezero_str(lj->hash);
	free(lj->base);
	auth_destroy(r);
}

static void
link_job_init(struct link_job *lj)
{
	auth_job_init(&lj->auth);
	lj->base = xstrdup(config_public_address(server_config()));
}

/* The handler checks a new password; the lane hashes it. */
static const char *
password_problem(const char *pw)
{
	if (pw == NULL)
		return NULL;
	if (strlen(pw) < PASSWORD_MIN)
		return "a password needs at least 8 bytes";
	return NULL;
}

/* The inviter hears that the invitation was accepted, in their language. */
static int
accepted_mail(struct link_job *lj, struct db_conn *dc, const PGresult *t,
    const PGresult *p)
{
	/* The name just given, if any, is the one to go by. */
	const char *name = lj->name != NULL ? lj->name : db_get(t, 0, "name");
	int64_t ws = db_get_i64(p, 0, "workspace_id");
	const char *to, *lang;
	struct buf *body;
	char *subject;
	int rc;

	if (db_isnull(p, 0, "inviter"))
		return 0;	/* the inviter's account is gone */
	to = db_get(p, 0, "inviter");
	if ((lang = outbox_lang(&lj->auth.req.job, dc, ws, to)) == NULL)
		return -1;
	body = buf_new(0);
	xasprintf(&subject, i18n_text(lang, "%s accepted your invitation to "
	    "\u201c%s\u201d"), name, db_get(p, 0, "title"));
	buf_printf(body, i18n_text(lang, "%s <%s> accepted your invitation and "
	    "is now in the space \u201c%s\u201d.\n"), name,
	    db_get(t, 0, "email"), db_get(p, 0, "title"));
	rc = outbox_mail(&lj->auth.req.job, dc, ws,
	    db_get_i64(t, 0, "space_id"), to, subject, buf_cstr(body));
	free(subject);
	buf_free(body);
	return rc;
}

/* ACCEPT: the invitee joins. */
static int
accept_join(struct link_job *lj, struct db_conn *dc, const PGresult *t,
    int64_t user, int64_t space)
{
	struct db_job *j = &lj->auth.req.job;
	PGresult *p;
	int rc;

	if ((p = db_queryf(j, dc, "link_join", "ii", space, user)) == NULL)
		return -1;
	if (PQntuples(p) == 0) {
		/* Revoked, archived, or deleted since the invitation. */
		PQclear(p);
		return req_err(&lj->auth.req, PERR_NOT_FOUND, SPACE_CLOSED);
	}
	/* In already: nothing to tell. */
	rc = db_get_bool(p, 0, "joined") && (space_participant_emit(j, dc,
	    "participant.updated", space, user, db_get(t, 0, "email"),
	    db_get(p, 0, "role"), "active") != 0 ||
	    space_contacts_changed(j, dc, space, 0) != 0 ||
	    accepted_mail(lj, dc, t, p) != 0);
	PQclear(p);
	return rc ? -1 : 0;
}

/*
 * The mailbox proves an address never proven before: whatever was set on
 * the account before (a password, a name, how the one space it reached
 * shows it, sessions: perhaps by someone who held a handed link) is void,
 * and its sessions end everywhere.
 */
static int
link_prove(struct link_job *lj, struct db_conn *dc, int64_t user)
{
	struct db_job *j = &lj->auth.req.job;
	int64_t voided;
	PGresult *r;
	int rc = 0;

	if (db_commandf(j, dc, "link_prove", "i", user) != 0 ||
	    db_valuef(j, dc, "link_local_void", NULL, &voided, "i",
	    user) != 0 ||
	    (voided > 0 && space_profile_changed(j, dc, user) != 0) ||
	    (r = db_queryf(j, dc, "link_sessions_void", "i", user)) == NULL)
		return -1;
	for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
		struct buf *data = buf_new(0);

		proto_add(data, "session", db_get(r, i, "id"));
		proto_add(data, "why", "voided");
		rc = event_emit(j, dc, "session.logout", 0, user, data);
		buf_free(data);
	}
	PQclear(r);
	return rc != 0 || audit_record(j, dc, user, 0, lj->auth.req.address,
	    "account.proven", NULL, NULL) != 0 ? -1 : 0;
}

/*
 * ACCEPT name=. Whoever holds a mailed link, or the account's own session
 * or password, is the person: the name is the account's, and wins over
 * what any space had set for them. A link passed on by hand proves
 * nothing of the address (LINK_FRESH): the name is only how the space it
 * opens knows them, as its managers could have set it; the account goes
 * by its address until its owner names it.
 */
static int
link_name(struct link_job *lj, struct db_conn *dc, int64_t user,
    int64_t space)
{
	struct db_job *j = &lj->auth.req.job;

	if (lj->mode == LINK_FRESH)
		return space != 0 ? db_commandf(j, dc, "link_local_name", "iis",
		    space, user, lj->name) : 0;
	return db_commandf(j, dc, "link_set_name", "is", user, lj->name) ||
	    db_commandf(j, dc, "link_local_name_clear", "i", user) ? -1 : 0;
}

/* The facts of a row of LINK_FACTS, for link_decide. */
static void
link_facts(struct link_job *lj, const PGresult *t, struct link_facts *f)
{
	memset(f, 0, sizeof *f);
	f->login = strcmp(db_get(t, 0, "kind"), LINK_LOGIN) == 0;
	f->mailed = db_get_bool(t, 0, "mailed");
	f->verified = db_get_bool(t, 0, "verified");
	f->established = db_get_bool(t, 0, "established");
	f->has_password = !db_isnull(t, 0, "password_hash");
	f->password_given = lj->auth.password != NULL;
	f->session_user = lj->auth.req.user;
	f->user = db_get_i64(t, 0, "user_id");
}

/* The reply for a refusal of link_decide's. */
static void
link_refuse(struct link_job *lj, enum link_mode mode, int has_password)
{
	struct req *r = &lj->auth.req;

	if (mode == LINK_OTHER)
		req_err(r, PERR_FORBIDDEN, "this link is for another address "
		    "than the one you are logged in as; log out first");
	else if (mode == LINK_UNPROVEN)
		req_err(r, PERR_FORBIDDEN, "this address is not proven yet: "
		    "use the link agora sent to it by e-mail, or ask for a "
		    "login link (LOGIN.LINK)");
	else if (has_password)
		req_err(r, PERR_AUTH_REQUIRED, "this address has an account: "
		    "give its password, or log in as it first");
	else
		req_err(r, PERR_AUTH_REQUIRED, "this address has an account "
		    "without a password: log in as it first, with a login "
		    "link (LOGIN.LINK)");
}

/*
 * The link's row of LINK_FACTS (stmt: looked at, or taken under lock):
 * 0 with *t (caller clears), *f and the token's digest; or -1 with the
 * reply written (the link is not valid) or the job failed.
 */
static int
link_read(struct link_job *lj, struct db_conn *dc, const char *stmt,
    char digest[TOKEN_DIGEST_LEN + 1], PGresult **t, struct link_facts *f)
{
	struct db_job *j = &lj->auth.req.job;

	if (token_digest(lj->auth.token, digest) != 0) {
		j->status = DB_FAILED;
		return -1;
	}
	if ((*t = db_queryf(j, dc, stmt, "ss", digest, lj->kind)) == NULL)
		return -1;
	if (PQntuples(*t) == 0) {
		PQclear(*t);
		return req_err(&lj->auth.req, PERR_NOT_FOUND, "this link is "
		    "not valid: it was used, replaced by a newer one, or has "
		    "expired");
	}
	link_facts(lj, *t, f);
	return 0;
}

/* Second run, after the lane: the link used, in one transaction. */
static void
link_use_run(struct db_job *j, struct db_conn *dc)
{
	struct link_job *lj = (struct link_job *)j;
	char digest[TOKEN_DIGEST_LEN + 1], extra[64] = "";
	struct link_facts f;
	int64_t user, space = 0, sid;
	PGresult *t;
	int rc;

	if (lj->mode == LINK_BY_PASSWORD && !lj->auth.verified) {
		auth_login_failed(&lj->auth, dc, "wrong password for this "
		    "account");
		return;
	}
	if (db_begin(j, dc) != 0 ||
	    link_read(lj, dc, "link_take", digest, &t, &f) != 0)
		return;
	if (link_decide(&f) != lj->mode) {
		PQclear(t);
		req_err(&lj->auth.req, PERR_CONFLICT, "the account changed "
		    "meanwhile; try again");
		return;
	}
	user = f.user;
	if (!db_isnull(t, 0, "space_id"))
		space = db_get_i64(t, 0, "space_id");
	rc = db_commandf(j, dc, "link_use", "s", digest) != 0 ||
	    (lj->mode == LINK_BY_MAILBOX && !f.verified &&
	    link_prove(lj, dc, user) != 0);
	rc = rc || (lj->hash != NULL && db_commandf(j, dc,
	    "link_set_password", "is", user, lj->hash) != 0);
	rc = rc || (lj->name != NULL && link_name(lj, dc, user, space) != 0);
	rc = rc || (space != 0 && accept_join(lj, dc, t, user, space) != 0);
	/* One's own name: every space that shows them hears it. */
	rc = rc || (lj->name != NULL && lj->mode != LINK_FRESH &&
	    space_profile_changed(j, dc, user) != 0);
	if (lj->mode == LINK_BY_PASSWORD)
		rc = rc || auth_login_forgiven(&lj->auth, dc) != 0;
	sid = lj->auth.req.session;
	if (!rc && lj->mode != LINK_BY_SESSION)
		rc = (sid = auth_session_open(&lj->auth, dc, user)) < 0;
	PQclear(t);
	if (rc || db_commit(j, dc) != 0)
		return;
	if (space != 0)
		snprintf(extra, sizeof extra, "space=%lld", (long long)space);
	if (lj->mode == LINK_BY_SESSION) {
		proto_begin(j->out, j->tag, "OK");
		proto_add_i64(j->out, "user", user);
		proto_add_i64(j->out, "session", sid);
		if (space != 0)
			proto_add_raw(j->out, extra);
		proto_end(j->out);
		return;
	}
	auth_reply(&lj->auth, dc, user, sid, space != 0 ? extra : NULL);
}

/* Lane: the password given checked, or the new one hashed. */
static void
link_cpu(struct db_job *j)
{
	struct link_job *lj = (struct link_job *)j;

	if (lj->mode == LINK_BY_PASSWORD)
		auth_verify_cpu(j);
	else if (lj->auth.password != NULL &&
	    (lj->hash = password_hash(lj->auth.password,
	    lj->scrypt_n)) == NULL)
		j->status = DB_FAILED;
}

/*
 * First run: the token looked up, nothing locked or spent. A link that is
 * not valid, or a use the rule refuses, is answered here.
 */
static void
link_look_run(struct db_job *j, struct db_conn *dc)
{
	struct link_job *lj = (struct link_job *)j;
	char digest[TOKEN_DIGEST_LEN + 1];
	struct link_facts f;
	PGresult *t;
	int limited = 0;

	session_free(lj->auth.session);
	lj->auth.session = NULL;
	if (link_read(lj, dc, "link_look", digest, &t, &f) != 0)
		return;
	lj->mode = link_decide(&f);
	if (lj->mode == LINK_BY_PASSWORD) {
		free(lj->auth.email);
		lj->auth.email = xstrdup(db_get(t, 0, "email"));
		free(lj->auth.stored);
		lj->auth.stored = xstrdup(db_get(t, 0, "password_hash"));
	}
	PQclear(t);
	if (lj->mode >= LINK_NEED_PROOF) {
		link_refuse(lj, lj->mode, f.has_password);
		return;
	}
	if (lj->mode == LINK_BY_SESSION && f.password_given) {
		req_err(&lj->auth.req, PERR_INVALID, "you are logged in as "
		    "this account: accept without a password (PASSWORD.SET "
		    "changes it)");
		return;
	}
	if (lj->mode == LINK_BY_PASSWORD &&
	    (auth_login_limited(&lj->auth, dc, &limited) != 0 || limited))
		return;
	if (lj->auth.password == NULL) {
		link_use_run(j, dc);	/* nothing for the lane */
		return;
	}
	j->run = link_use_run;
	j->cpu = link_cpu;
}

/* ACCEPT (variant 1) and LOGIN.TOKEN: the link's token, and what comes
   with it. */
static enum cmd_result
link_prepare(struct req *r, struct cmd_ctx *ctx)
{
	struct link_job *lj = (struct link_job *)r;
	int accept = r->cmd->variant;
	const char *kind = accept ? LINK_INVITE : LINK_LOGIN;
	const char *pw = accept ? req_str(r, "password") : NULL, *why;
	const char *name = accept ? req_str(r, "name") : NULL;

	if ((why = password_problem(pw)) != NULL)
		return cmd_err(ctx, PERR_INVALID, why);
	if (name != NULL && name[strspn(name, " ")] == '\0')
		return cmd_err(ctx, PERR_INVALID, "a name cannot be empty");
	/* An activation (access granted) is accepted like an invitation. */
	if (link_token(req_str(r, "link"), kind, lj->auth.token) != 0 &&
	    (!accept || link_token(req_str(r, "link"),
	    LINK_ACTIVATE, lj->auth.token) != 0))
		return cmd_err(ctx, PERR_INVALID, "that is not an agora link "
		    "of this kind");
	link_job_init(lj);
	lj->kind = kind;
	lj->auth.password = pw != NULL ? xstrdup(pw) : NULL;
	lj->name = name != NULL ? xstrdup(name) : NULL;
	lj->scrypt_n = server_config()->scrypt_n;
	return CMD_PENDING;
}

/*
 * LOGIN.LINK: the same answer whether or not the address has an account.
 * Counted whether or not it has one, so the answer tells nothing: per
 * address and client, per client, and per address from anywhere. Past
 * the last, no new mail is sent (the mailbox is someone else's), but the
 * newest link sent there works for a while longer instead, so that
 * someone asking for links elsewhere cannot keep the owner out.
 */
static int
login_link_limited(struct link_job *lj, struct db_conn *dc, long *retry,
    int *quiet)
{
	struct limit_rule own[2];
	int rc;

	own[0].key = limit_key("link", lj->auth.email, lj->auth.req.address);
	own[0].max = lj->limit_mail;
	own[1].key = limit_key("linkaddr", lj->auth.req.address, NULL);
	own[1].max = lj->limit_from;
	own[0].window = own[1].window = lj->window;
	rc = limit_attempt(&lj->auth.req.job, dc, own, 2, retry);
	limit_rules_free(own, 2);
	if (rc == 0 && *retry == 0) {
		long wait;

		rc = limit_mail_to(&lj->auth.req.job, dc, lj->auth.email, &wait);
		*quiet = wait > 0;
	}
	return rc;
}

/* A new login link for user, mailed in their language. 0, or -1. */
static int
login_link_send(struct link_job *lj, struct db_conn *dc, int64_t user)
{
	struct db_job *j = &lj->auth.req.job;
	char token[TOKEN_HEX_LEN + 1], digest[TOKEN_DIGEST_LEN + 1];
	int minutes = LOGIN_LINK_LIFETIME / 60;
	char *link, *body, *expiry;
	const char *lang;
	int rc;

	if ((lang = outbox_lang(j, dc, 0, lj->auth.email)) == NULL)
		return -1;
	if (token_new(token) != 0 || token_digest(token, digest) != 0) {
		j->status = DB_FAILED;
		return -1;
	}
	link = link_format(lj->base, LINK_LOGIN, token);
	xasprintf(&expiry, i18n_ntext(lang, "The link works once, within %d "
	    "minute.", "The link works once, within %d minutes.", minutes),
	    minutes);
	/* TRANSLATORS: the second %s is the sentence just above. */
	xasprintf(&body, i18n_text(lang, "Someone, probably you, asked to log "
	    "in to agora without a password. To do so, run:\n\n    agora "
	    "login --link %s\n\n%s If it was not you, ignore this message.\n"),
	    link, expiry);
	rc = db_commandf(j, dc, "link_login_prune", "i", user) != 0 ||
	    db_commandf(j, dc, "link_login_new", "sii", digest, user,
	    (int64_t)LOGIN_LINK_LIFETIME) != 0 ||
	    outbox_mail(j, dc, 0, 0, lj->auth.email, i18n_text(lang,
	    "Your agora login link"), body) != 0 ? -1 : 0;
	OPENSSL_cleanse(token, sizeof token);
	freezero_str(link);
	freezero_str(body);
	free(expiry);
	return rc;
}

static void
login_link_run(struct db_job *j, struct db_conn *dc)
{
	struct link_job *lj = (struct link_job *)j;
	int64_t user;
	long retry;
	int quiet = 0, rc;

	if (db_begin(j, dc) != 0 ||
	    login_link_limited(lj, dc, &retry, &quiet) != 0)
		return;
	if (retry > 0) {
		/* The attempt stays counted. */
		if (db_commit(j, dc) == 0)
			limit_refuse(j, "login links asked for", retry);
		return;
	}
	if (db_valuef(j, dc, "link_user", "id", &user, "s",
	    lj->auth.email) != 0)
		return;
	rc = user != 0 && (quiet ? db_commandf(j, dc, "link_login_extend",
	    "ii", user, (int64_t)LOGIN_LINK_LIFETIME) : login_link_send(lj, dc,
	    user)) != 0;
	rc = rc || audit_record(j, dc, 0, 0, lj->auth.req.address, quiet ?
	    "login.link.held" : "login.link", lj->auth.email, NULL) != 0 ||
	    db_commit(j, dc) != 0;
	if (rc)
		return;
	proto_begin(j->out, j->tag, "OK");
	proto_add(j->out, "sent", quiet ? "0" : "1");
	if (quiet)
		proto_add(j->out, "msg", "enough login links went to this "
		    "address lately: use the newest one, which works a while "
		    "longer now");
	proto_end(j->out);
}

static enum cmd_result
login_link_prepare(struct req *r, struct cmd_ctx *ctx)
{
	struct link_job *lj = (struct link_job *)r;
	const struct config *cf = server_config();

	link_job_init(lj);
	lj->auth.email = xstrdup(req_str(r, "email"));
	lj->limit_mail = cf->login_account_limit;
	lj->limit_from = cf->login_address_limit;
	lj->window = cf->login_window;
	return CMD_PENDING;
}

/*
 * PASSWORD.SET: for one who came in by a link, or to change it. Changing
 * one takes the current password, checked on the lane between the two
 * runs; wrong ones are counted per account like failed logins, so a
 * stolen session cannot try the real password at leisure.
 */
static struct limit_rule
password_rule(struct link_job *lj)
{
	struct limit_rule rule;
	char u[STR_I64_LEN];

	rule.key = limit_key("pwset", str_i64(u, lj->auth.req.user), NULL);
	rule.max = lj->auth.account_limit;
	rule.window = lj->auth.window;
	return rule;
}

/* Second run: the new hash stored, or the wrong guess counted. */
static void
password_store_run(struct db_job *j, struct db_conn *dc)
{
	struct link_job *lj = (struct link_job *)j;
	struct limit_rule rule = password_rule(lj);
	int wrong = lj->auth.stored != NULL && !lj->auth.verified;

	if (db_begin(j, dc) == 0 &&
	    (wrong ? limit_add(j, dc, &rule, 1) : db_commandf(j, dc,
	    "link_set_password", "is", lj->auth.req.user, lj->hash)) == 0 &&
	    audit_record(j, dc, lj->auth.req.user, lj->auth.req.session,
	    lj->auth.req.address, wrong ? "password.set.failed" : "password.set",
	    NULL, NULL) == 0 &&
	    db_commit(j, dc) == 0) {
		if (wrong)
			req_err(&lj->auth.req, PERR_AUTH_FAILED, "the current "
			    "password is not right");
		else
			proto_ok(j->out, j->tag);
	}
	free(rule.key);
}

/* Lane: the current password checked, the new one hashed. */
static void
password_cpu(struct db_job *j)
{
	struct link_job *lj = (struct link_job *)j;

	if (lj->auth.stored != NULL) {
		freezero_str(lj->auth.password);
		lj->auth.password = lj->current;	/* what is checked */
		lj->current = NULL;
		auth_verify_cpu(j);
		if (!lj->auth.verified)
			return;
	}
	if ((lj->hash = password_hash(lj->fresh, lj->scrypt_n)) == NULL)
		j->status = DB_FAILED;
}

/* First run: the limit, and the hash the current password must match. */
static void
password_set_run(struct db_job *j, struct db_conn *dc)
{
	struct link_job *lj = (struct link_job *)j;
	struct limit_rule rule = password_rule(lj);
	PGresult *r = NULL;
	long retry;

	if (limit_check(j, dc, &rule, 1, &retry) != 0)
		goto out;
	if (retry > 0) {
		limit_refuse(j, "wrong current passwords", retry);
		goto out;
	}
	if ((r = db_queryf(j, dc, "password_of", "i", lj->auth.req.user)) ==
	    NULL)
		goto out;
	free(lj->auth.stored);
	lj->auth.stored = db_isnull(r, 0, "password_hash") ? NULL :
	    xstrdup(db_get(r, 0, "password_hash"));
	if (lj->auth.stored != NULL && lj->current == NULL)
		req_err(&lj->auth.req, PERR_AUTH_FAILED, "give the current "
		    "password as current=");
	else {
		j->run = password_store_run;
		j->cpu = password_cpu;
	}
out:
	PQclear(r);
	free(rule.key);
}

static enum cmd_result
password_set_prepare(struct req *r, struct cmd_ctx *ctx)
{
	struct link_job *lj = (struct link_job *)r;
	const char *cur = req_str(r, "current"), *why;

	if ((why = password_problem(req_str(r, "password"))) != NULL)
		return cmd_err(ctx, PERR_INVALID, why);
	link_job_init(lj);
	lj->fresh = xstrdup(req_str(r, "password"));
	lj->current = cur != NULL ? xstrdup(cur) : NULL;
	lj->scrypt_n = server_config()->scrypt_n;
	return CMD_PENDING;
}

static const struct cmd_arg accept_args[] = {
	ARG("link", ARG_TEXT, 1, 512),
	ARG("password", ARG_TEXT, 0, PASSWORD_MAX),
	ARG("name", ARG_LINE, 0, NAME_MAX_BYTES),
	{ NULL }
};

static const struct cmd_arg token_args[] = {
	ARG("link", ARG_TEXT, 1, 512),
	{ NULL }
};

static const struct cmd_arg login_link_args[] = {
	ARG("email", ARG_TEXT, 1, 254),
	{ NULL }
};

static const struct cmd_arg password_args[] = {
	ARG("password", ARG_TEXT, 1, PASSWORD_MAX),
	ARG("current", ARG_TEXT, 0, PASSWORD_MAX),
	{ NULL }
};

/* The plumbing every verb here shares: its job is a struct link_job. */
#define LINK_VERB(prep, first, fin) \
	.size = sizeof(struct link_job), .prepare = (prep), .run = (first), \
	.finish = (fin), .destroy = link_destroy

const struct cmd cmd_link_table[] = {
	{ "ACCEPT", CMD_GUEST, AREA_NONE, TARGET_LINK, 0, accept_args,
	  "accept an invitation to a space; opens a session",
	  LINK_VERB(link_prepare, link_look_run, auth_finish), .variant = 1 },
	{ "LOGIN.LINK", CMD_GUEST, AREA_NONE, TARGET_LINK, 0, login_link_args,
	  "e-mail me a one-time login link",
	  LINK_VERB(login_link_prepare, login_link_run, NULL) },
	{ "LOGIN.TOKEN", CMD_GUEST, AREA_NONE, TARGET_LINK, 0, token_args,
	  "log in with a one-time login link",
	  LINK_VERB(link_prepare, link_look_run, auth_finish) },
	{ "PASSWORD.SET", CMD_SESSION, AREA_NONE, TARGET_SELF, 0, password_args,
	  "set or change the password",
	  LINK_VERB(password_set_prepare, password_set_run, NULL),
	  .flags = CMD_RID },
	{ NULL }
};
