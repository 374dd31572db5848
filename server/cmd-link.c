/*
 * Coming in by a link from an e-mail: ACCEPT (an invitation to a space),
 * LOGIN.LINK (ask for a one-time login link) and LOGIN.TOKEN (use one),
 * and PASSWORD.SET for someone who came in without a password.
 *
 * Holding the link proves holding the mailbox it was sent to, so using
 * one opens a session. Each link works once: its token is consumed in the
 * transaction that uses it, under a row lock, so two uses at once cannot
 * both succeed.
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

const struct db_stmt link_stmts[] = {
	/* The token, if it is still good, locked until COMMIT. */
	{ "link_take",
	  "SELECT t.user_id, t.space_id, u.email, u.name,"
	  " u.password_hash IS NOT NULL AS has_password FROM tokens t"
	  " JOIN users u ON u.id = t.user_id WHERE t.hash = $1::bytea"
	  " AND (t.kind = $2 OR ($2 = 'invite' AND t.kind = 'activate'))"
	  " AND t.used_at IS NULL AND t.expires_at > now()"
	  " FOR UPDATE OF t" },
	{ "link_use",
	  "UPDATE tokens SET used_at = now() WHERE hash = $1::bytea" },
	{ "link_join",
	  "UPDATE participants p SET status = 'active', last_active_at = now()"
	  " FROM spaces s WHERE p.space_id = $1::bigint"
	  " AND p.user_id = $2::bigint AND p.status = 'pending'"
	  " AND s.id = p.space_id AND s.archived_at IS NULL"
	  " RETURNING participant_role(p.role, s.network) AS role, s.title,"
	  " s.workspace_id,"
	  " (SELECT email FROM users WHERE id = p.invited_by) AS inviter" },
	{ "link_set_password",
	  "UPDATE users SET password_hash = $2 WHERE id = $1::bigint" },
	{ "link_set_name",
	  "UPDATE users SET name = $2 WHERE id = $1::bigint" },
	{ "link_user",
	  "SELECT id FROM users WHERE lower(email) = lower($1)" },
	/* Only the newest login link works. */
	{ "link_login_drop",
	  "DELETE FROM tokens WHERE kind = 'login' AND used_at IS NULL"
	  " AND user_id = $1::bigint" },
	{ "link_login_new",
	  "INSERT INTO tokens (hash, kind, user_id, expires_at)"
	  " VALUES ($1::bytea, 'login', $2::bigint,"
	  " now() + make_interval(secs => $3::int))" },
	{ NULL, NULL }
};

struct link_job {
	struct auth_job	 auth;
	const char	*kind;		/* LINK_INVITE or LINK_LOGIN */
	char		*name;		/* ACCEPT: the name to go by */
	char		*hash;		/* the new password's scrypt hash */
	char		*base;		/* HOST:PORT for new links */
	char		*current;	/* PASSWORD.SET: the password now */
	long		 limit_mail;	/* attempts per address per window */
	long		 limit_from;	/* attempts per client per window */
	long		 window;
	long		 scrypt_n;	/* cost of new password hashes */
};

static void
link_destroy(struct db_job *j)
{
	struct link_job *lj = (struct link_job *)j;

	free(lj->name);
	freezero_str(lj->current);
	freezero_str(lj->hash);
	free(lj->base);
	auth_destroy(j);
}

static struct link_job *
link_job_new(struct cmd_ctx *ctx)
{
	struct link_job *lj = xcalloc(1, sizeof *lj);

	auth_job_init(&lj->auth, ctx->conn);
	lj->auth.job.destroy = link_destroy;
	lj->base = xstrdup(config_public_address(server_config()));
	return lj;
}

/* The handler checks a new password; the worker hashes it (scrypt takes
   tens of milliseconds, too long for the loop). */
static const char *
password_problem(const char *pw)
{
	if (pw == NULL)
		return NULL;
	if (strlen(pw) < PASSWORD_MIN)
		return "a password needs at least 8 bytes";
	return NULL;
}

/* The inviter hears that the invitation was accepted. */
static int
accepted_mail(struct link_job *lj, struct db_conn *dc, const PGresult *t,
    const PGresult *p)
{
	/* The name just given, if any, is the one to go by. */
	const char *name = lj->name != NULL ? lj->name : db_get(t, 0, "name");
	struct buf *body;
	char *subject;
	int rc;

	if (db_isnull(p, 0, "inviter"))
		return 0;	/* the inviter's account is gone */
	body = buf_new(0);
	xasprintf(&subject, "%s accepted your invitation to \u201c%s\u201d",
	    name, db_get(p, 0, "title"));
	buf_printf(body, "%s <%s> accepted your invitation and is now in the "
	    "space \u201c%s\u201d.\n", name, db_get(t, 0, "email"),
	    db_get(p, 0, "title"));
	rc = outbox_mail(&lj->auth.job, dc, db_get_i64(p, 0, "workspace_id"),
	    db_get_i64(t, 0, "space_id"), db_get(p, 0, "inviter"), subject,
	    buf_cstr(body));
	free(subject);
	buf_free(body);
	return rc;
}

/* ACCEPT: the invitee joins; name and password first, if given. */
static int
accept_join(struct link_job *lj, struct db_conn *dc, const PGresult *t,
    int64_t user, int64_t space)
{
	struct db_job *j = &lj->auth.job;
	char u[STR_I64_LEN], s[STR_I64_LEN];
	const char *join[2] = { str_i64(s, space), str_i64(u, user) };
	const char *set[2] = { u, NULL };
	struct buf *data;
	PGresult *p;
	int rc;

	if ((p = db_query(j, dc, "link_join", 2, join)) == NULL)
		return -1;
	if (PQntuples(p) == 0) {
		/* Revoked, archived, or deleted since the invitation. */
		PQclear(p);
		proto_err(j->out, j->tag, PERR_NOT_FOUND, SPACE_CLOSED);
		return -1;
	}
	set[1] = lj->hash;
	rc = lj->hash != NULL &&
	    db_command(j, dc, "link_set_password", 2, set) != 0;
	set[1] = lj->name;
	rc = rc || (lj->name != NULL &&
	    db_command(j, dc, "link_set_name", 2, set) != 0);
	data = buf_new(0);
	proto_add(data, "space", s);
	proto_add(data, "user", u);
	proto_add(data, "email", db_get(t, 0, "email"));
	proto_add(data, "role", db_get(p, 0, "role"));
	proto_add(data, "status", "active");
	rc = rc || space_emit(j, dc, space, "participant.updated", data) != 0 ||
	    space_contacts_changed(j, dc, space, 0) != 0 ||
	    accepted_mail(lj, dc, t, p) != 0;
	buf_free(data);
	PQclear(p);
	return rc ? -1 : 0;
}

static void
link_run(struct db_job *j, struct db_conn *dc)
{
	struct link_job *lj = (struct link_job *)j;
	char digest[TOKEN_DIGEST_LEN + 1], extra[64] = "";
	const char *take[2] = { digest, lj->kind }, *use[1] = { digest };
	int64_t user, space = 0, sid;
	PGresult *t;

	if (token_digest(lj->auth.token, digest) != 0 || db_begin(j, dc) != 0 ||
	    (t = db_query(j, dc, "link_take", 2, take)) == NULL)
		return;
	if (PQntuples(t) == 0) {
		PQclear(t);
		proto_err(j->out, j->tag, PERR_NOT_FOUND, "this link is not "
		    "valid: it was used, replaced by a newer one, or has "
		    "expired");
		return;
	}
	user = db_get_i64(t, 0, "user_id");
	if (!db_isnull(t, 0, "space_id"))
		space = db_get_i64(t, 0, "space_id");
	if (lj->hash != NULL && strcmp(db_get(t, 0, "has_password"), "t") == 0) {
		PQclear(t);
		proto_err(j->out, j->tag, PERR_CONFLICT, "this account has a "
		    "password already: accept without one, then log in");
		return;
	}
	if (db_command(j, dc, "link_use", 1, use) != 0 ||
	    (space != 0 && accept_join(lj, dc, t, user, space) != 0) ||
	    (sid = auth_session_open(&lj->auth, dc, user)) < 0 ||
	    db_commit(j, dc) != 0) {
		PQclear(t);
		return;
	}
	PQclear(t);
	if (space != 0)
		snprintf(extra, sizeof extra, "space=%lld", (long long)space);
	auth_reply(&lj->auth, dc, user, sid, space != 0 ? extra : NULL);
}

/* Hashing is slow: done on the worker, before the transaction. */
static void
link_hash_run(struct db_job *j, struct db_conn *dc)
{
	struct link_job *lj = (struct link_job *)j;

	if (lj->auth.password != NULL && lj->hash == NULL &&
	    (lj->hash = password_hash(lj->auth.password,
	    lj->scrypt_n)) == NULL) {
		j->status = DB_FAILED;
		return;
	}
	link_run(j, dc);
}

static enum cmd_result
link_submit(struct cmd_ctx *ctx, const char *kind)
{
	const char *pw = proto_get(ctx->msg, "password"), *why;
	const char *name = proto_get(ctx->msg, "name");
	struct link_job *lj;

	if ((why = password_problem(pw)) != NULL)
		return cmd_err(ctx, PERR_INVALID, why);
	if (name != NULL && name[strspn(name, " ")] == '\0')
		return cmd_err(ctx, PERR_INVALID, "a name cannot be empty");
	lj = link_job_new(ctx);
	lj->kind = kind;
	/* An activation (access granted) is accepted like an invitation. */
	if (link_token(proto_get(ctx->msg, "link"), kind,
	    lj->auth.token) != 0 && (strcmp(kind, LINK_INVITE) != 0 ||
	    link_token(proto_get(ctx->msg, "link"), LINK_ACTIVATE,
	    lj->auth.token) != 0)) {
		link_destroy(&lj->auth.job);
		free(lj);
		return cmd_err(ctx, PERR_INVALID, "that is not an agora link "
		    "of this kind");
	}
	lj->auth.password = pw != NULL ? xstrdup(pw) : NULL;
	lj->name = name != NULL ? xstrdup(name) : NULL;
	lj->scrypt_n = server_config()->scrypt_n;
	return cmd_submit(ctx, &lj->auth.job, link_hash_run, auth_finish);
}

static enum cmd_result
cmd_accept(struct cmd_ctx *ctx)
{
	return link_submit(ctx, LINK_INVITE);
}

static enum cmd_result
cmd_login_token(struct cmd_ctx *ctx)
{
	if (proto_get(ctx->msg, "password") != NULL)
		return cmd_err(ctx, PERR_INVALID, "set a password after "
		    "logging in (PASSWORD.SET)");
	return link_submit(ctx, LINK_LOGIN);
}

/* LOGIN.LINK: the same answer whether or not the address has an account. */
/*
 * Each address may be sent a link, and each client ask for one, only so
 * often: the mail is someone else's inbox. Counted whether or not the
 * address has an account, so the answer tells nothing.
 */
static int
login_link_limited(struct link_job *lj, struct db_conn *dc, int *over)
{
	char *mail, *from;
	int rc, o1 = 0, o2 = 0;

	xasprintf(&mail, "link:%s", lj->auth.email);
	for (char *p = mail; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	xasprintf(&from, "linkaddr:%s", lj->auth.address);
	rc = limit_attempt(&lj->auth.job, dc, mail, lj->limit_mail, lj->window,
	    &o1) != 0 || limit_attempt(&lj->auth.job, dc, from, lj->limit_from,
	    lj->window, &o2) != 0 ? -1 : 0;
	*over = o1 || o2;
	free(mail);
	free(from);
	return rc;
}

static void
login_link_run(struct db_job *j, struct db_conn *dc)
{
	struct link_job *lj = (struct link_job *)j;
	char token[TOKEN_HEX_LEN + 1], digest[TOKEN_DIGEST_LEN + 1];
	char u[24], life[24], *link, *body;
	const char *find[1] = { lj->auth.email }, *drop[1] = { u };
	const char *ins[3] = { digest, u, life };
	PGresult *r;
	int rc, over;

	if (db_begin(j, dc) != 0 || login_link_limited(lj, dc, &over) != 0)
		return;
	if (over) {
		/* The attempt stays counted. */
		if (db_commit(j, dc) == 0)
			proto_err(j->out, j->tag, PERR_RATE_LIMITED, "too many "
			    "login links asked for; wait a few minutes");
		return;
	}
	if ((r = db_query(j, dc, "link_user", 1, find)) == NULL)
		return;
	if (PQntuples(r) == 0) {
		PQclear(r);
		if (db_commit(j, dc) == 0)
			proto_ok(j->out, j->tag);
		return;
	}
	snprintf(u, sizeof u, "%s", db_get(r, 0, "id"));
	PQclear(r);
	snprintf(life, sizeof life, "%d", LOGIN_LINK_LIFETIME);
	if (token_new(token) != 0 || token_digest(token, digest) != 0) {
		j->status = DB_FAILED;
		return;
	}
	link = link_format(lj->base, LINK_LOGIN, token);
	xasprintf(&body, "Someone, probably you, asked to log in to agora "
	    "without a password. To do so, run:\n\n    agora login --link "
	    "%s\n\nThe link works once, within 15 minutes. If it was not "
	    "you, ignore this message.\n", link);
	rc = db_command(j, dc, "link_login_drop", 1, drop) != 0 ||
	    db_command(j, dc, "link_login_new", 3, ins) != 0 ||
	    outbox_mail(j, dc, 0, 0, lj->auth.email, "Your agora login link",
	    body) != 0 ||
	    audit_record(j, dc, 0, 0, lj->auth.address, "login.link",
	    lj->auth.email, NULL) != 0 ||
	    db_commit(j, dc) != 0;
	OPENSSL_cleanse(token, sizeof token);
	freezero_str(link);
	freezero_str(body);
	if (rc == 0)
		proto_ok(j->out, j->tag);
}

static enum cmd_result
cmd_login_link(struct cmd_ctx *ctx)
{
	struct link_job *lj = link_job_new(ctx);
	const struct config *cf = server_config();

	lj->auth.email = xstrdup(proto_get(ctx->msg, "email"));
	lj->limit_mail = cf->login_account_limit;
	lj->limit_from = cf->login_address_limit;
	lj->window = cf->login_window;
	return cmd_submit(ctx, &lj->auth.job, login_link_run, NULL);
}

/* PASSWORD.SET: for one who came in by a link, or to change it. */
static void
password_set_run(struct db_job *j, struct db_conn *dc)
{
	struct link_job *lj = (struct link_job *)j;
	const char *find[1] = { lj->auth.email }, *set[2];
	char u[24];
	PGresult *r;
	int ok;

	if ((lj->hash = password_hash(lj->auth.password, lj->scrypt_n)) ==
	    NULL) {
		j->status = DB_FAILED;
		return;
	}
	if (db_begin(j, dc) != 0 ||
	    (r = db_query(j, dc, "user_by_email", 1, find)) == NULL)
		return;
	snprintf(u, sizeof u, "%s", db_get(r, 0, "id"));
	/* Changing a password takes the current one. */
	ok = db_isnull(r, 0, "password_hash") || (lj->current != NULL &&
	    password_verify(lj->current, db_get(r, 0, "password_hash")));
	PQclear(r);
	if (!ok) {
		proto_err(j->out, j->tag, PERR_AUTH_FAILED, "give the current "
		    "password as current=");
		return;
	}
	set[0] = u;
	set[1] = lj->hash;
	if (db_command(j, dc, "link_set_password", 2, set) == 0 &&
	    audit_record(j, dc, strtoll(u, NULL, 10), 0, lj->auth.address,
	    "password.set", NULL, NULL) == 0 &&
	    db_commit(j, dc) == 0)
		proto_ok(j->out, j->tag);
}

static enum cmd_result
cmd_password_set(struct cmd_ctx *ctx)
{
	const char *pw = proto_get(ctx->msg, "password"), *why;
	const char *cur = proto_get(ctx->msg, "current");
	struct link_job *lj;

	if ((why = password_problem(pw)) != NULL)
		return cmd_err(ctx, PERR_INVALID, why);
	lj = link_job_new(ctx);
	lj->auth.email = xstrdup(conn_session(ctx->conn)->email);
	lj->auth.password = xstrdup(pw);
	lj->current = cur != NULL ? xstrdup(cur) : NULL;
	lj->scrypt_n = server_config()->scrypt_n;
	return cmd_submit(ctx, &lj->auth.job, password_set_run, NULL);
}

static const struct cmd_arg accept_args[] = {
	{ "link", ARG_TEXT, 1, 512 },
	{ "password", ARG_TEXT, 0, PASSWORD_MAX },
	{ "name", ARG_LINE, 0, NAME_MAX_BYTES },
	{ NULL, 0, 0, 0 }
};

static const struct cmd_arg token_args[] = {
	{ "link", ARG_TEXT, 1, 512 },
	{ NULL, 0, 0, 0 }
};

static const struct cmd_arg login_link_args[] = {
	{ "email", ARG_TEXT, 1, 254 },
	{ NULL, 0, 0, 0 }
};

static const struct cmd_arg password_args[] = {
	{ "password", ARG_TEXT, 1, PASSWORD_MAX },
	{ "current", ARG_TEXT, 0, PASSWORD_MAX },
	{ NULL, 0, 0, 0 }
};

const struct cmd cmd_link_table[] = {
	{ "ACCEPT", cmd_accept, 0, PERM_NONE, accept_args,
	  "accept an invitation to a space; opens a session" },
	{ "LOGIN.LINK", cmd_login_link, 0, PERM_NONE, login_link_args,
	  "e-mail me a one-time login link" },
	{ "LOGIN.TOKEN", cmd_login_token, 0, PERM_NONE, token_args,
	  "log in with a one-time login link" },
	{ "PASSWORD.SET", cmd_password_set, 1, PERM_NONE, password_args,
	  "set or change the password" },
	{ NULL, NULL, 0, 0, NULL, NULL }
};
