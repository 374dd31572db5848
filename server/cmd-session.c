/*
 * Accounts and sessions: LOGIN, SESSION.RESUME, LOGOUT, WHOAMI.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "auth.h"
#include "buf.h"
#include "cmd.h"
#include "config.h"
#include "conn.h"
#include "db.h"
#include "event.h"
#include "hex.h"
#include "limit.h"
#include "log.h"
#include "password.h"
#include "request.h"
#include "server.h"
#include "session.h"
#include "token.h"
#include "xmalloc.h"

#define EMAIL_MAX 254

const struct db_stmt session_stmts[] = {
	{ "login_failures_prune",
	  "DELETE FROM login_failures"
	  " WHERE at < now() - make_interval(secs => $1::int)" },
	/* A good password forgives that address its failures there. */
	{ "login_failures_clear",
	  "DELETE FROM login_failures WHERE key = $1" },
	{ "user_logged_in",
	  "UPDATE users SET last_login_at = now() WHERE id = $1::bigint" },
	{ "user_by_email",
	  "SELECT id, password_hash FROM users"
	  " WHERE lower(email) = lower($1::text)" },
	{ "session_insert",
	  "INSERT INTO sessions (user_id, token_hash, address, expires_at)"
	  " VALUES ($1::bigint, $2::bytea, $3::text,"
	  "  now() + make_interval(secs => $4::int)) RETURNING id" },
	{ "session_by_token",
	  "SELECT id, user_id FROM sessions"
	  " WHERE token_hash = $1::bytea AND expires_at > now()" },
	{ "session_touch",
	  "UPDATE sessions SET last_seen_at = now() WHERE id = $1::bigint" },
	{ "session_delete",
	  "DELETE FROM sessions WHERE id = $1::bigint" },
	{ "sessions_prune",
	  "DELETE FROM sessions WHERE user_id = $1::bigint"
	  " AND expires_at < now()" },
	{ "user_get",
	  "SELECT id, email, name, phone, verified_at IS NOT NULL AS verified"
	  " FROM users WHERE id = $1::bigint" },
	{ "user_workspaces",
	  "SELECT w.id, w.name, w.plan," AUTHZ_ROLE_COLUMNS
	  " FROM memberships m JOIN workspaces w ON w.id = m.workspace_id"
	  " JOIN roles r ON r.workspace_id = m.workspace_id"
	  " AND r.name = m.role"
	  " WHERE m.user_id = $1::bigint ORDER BY lower(w.name), w.id" },
	{ NULL, NULL }
};

/*
 * Checked against when the e-mail is unknown, so an unknown account costs
 * as much time as a wrong password and answers the same: no enumeration.
 * Made once before the workers start and never changed after.
 */
static char *dummy_hash;

void
session_cmds_init(long scrypt_n)
{
	unsigned char raw[16];
	char pw[33];

	if (dummy_hash != NULL)
		return;
	if (RAND_bytes(raw, sizeof raw) != 1)
		fatalx("RAND_bytes failed");
	hex_encode(raw, sizeof raw, pw);
	if ((dummy_hash = password_hash(pw, scrypt_n)) == NULL)
		fatalx("cannot compute a password hash (scrypt)");
}

void
session_cmds_free(void)
{
	free(dummy_hash);
	dummy_hash = NULL;
}


void
auth_destroy(struct req *r)
{
	struct auth_job *aj = (struct auth_job *)r;

	free(aj->email);
	free(aj->stored);
	freezero_str(aj->password);
	session_free(aj->session);
	OPENSSL_cleanse(aj->token, sizeof aj->token);
}

void
auth_finish(struct db_job *j, struct conn *conn)
{
	struct auth_job *aj = (struct auth_job *)j;

	if (aj->session != NULL) {
		conn_set_session(conn, aj->session);
		aj->session = NULL;
	}
}

void
auth_job_init(struct auth_job *aj)
{
	const struct config *cf = server_config();

	aj->account_limit = cf->login_account_limit;
	aj->account_global_limit = cf->login_account_global_limit;
	aj->address_limit = cf->login_address_limit;
	aj->window = cf->login_window;
	/* Pruning must not cut short the mail counts (limit.h), which
	   share the table and may span longer. */
	aj->prune_window = cf->mail_recipient_window > cf->login_window ?
	    cf->mail_recipient_window : cf->login_window;
	aj->lifetime = cf->session_lifetime;
}

size_t
auth_login_rules(const struct auth_job *aj, struct limit_rule *rules)
{
	rules[0].key = limit_key("pair", aj->email, aj->req.address);
	rules[0].max = aj->account_limit;
	rules[1].key = limit_key("acct", aj->email, NULL);
	rules[1].max = aj->account_global_limit;
	rules[2].key = limit_key("addr", aj->req.address, NULL);
	rules[2].max = aj->address_limit;
	for (int i = 0; i < 3; i++)
		rules[i].window = aj->window;
	return 3;
}

int
auth_login_limited(struct auth_job *aj, struct db_conn *dc, int *limited)
{
	struct limit_rule rules[3];
	size_t n = auth_login_rules(aj, rules);
	long retry;
	int rc;

	rc = limit_check(&aj->req.job, dc, rules, n, &retry);
	limit_rules_free(rules, n);
	if ((*limited = rc == 0 && retry > 0))
		limit_refuse(&aj->req.job, "failed logins", retry);
	return rc;
}

/*
 * Worker: the account's stored hash, or none (an unknown address, or no
 * password: the dummy is checked instead, so the answer takes as long).
 */
static int
login_read(struct auth_job *aj, struct db_conn *dc)
{
	PGresult *r;

	if ((r = db_queryf(&aj->req.job, dc, "user_by_email", "s",
	    aj->email)) == NULL)
		return -1;
	free(aj->stored);
	aj->stored = NULL;
	aj->user = 0;
	if (PQntuples(r) == 1 && !db_isnull(r, 0, "password_hash")) {
		aj->user = db_get_i64(r, 0, "id");
		aj->stored = xstrdup(db_get(r, 0, "password_hash"));
	}
	PQclear(r);
	return 0;
}

/* Lane: the password against the stored hash. */
void
auth_verify_cpu(struct db_job *j)
{
	struct auth_job *aj = (struct auth_job *)j;
	int ok;

	ok = password_verify(aj->password, aj->stored != NULL ? aj->stored :
	    dummy_hash);
	aj->verified = ok && aj->stored != NULL;
}

int
auth_login_failed(struct auth_job *aj, struct db_conn *dc, const char *msg)
{
	struct db_job *j = &aj->req.job;
	struct limit_rule rules[3];
	size_t n = auth_login_rules(aj, rules);
	int rc;

	rc = db_begin(j, dc) != 0 || limit_add(j, dc, rules, n) != 0 ||
	    db_commandf(j, dc, "login_failures_prune", "i",
	    (int64_t)aj->prune_window) != 0 ||
	    audit_record(j, dc, 0, 0, aj->req.address, "login.failed", aj->email,
	    NULL) != 0 ||
	    db_commit(j, dc) != 0 ? -1 : 0;
	limit_rules_free(rules, n);
	if (rc == 0)
		proto_err(j->out, j->tag, PERR_AUTH_FAILED, msg);
	return rc;
}

/* Worker: the failures of this account at this address are forgiven. */
int
auth_login_forgiven(struct auth_job *aj, struct db_conn *dc)
{
	char *key = limit_key("pair", aj->email, aj->req.address);
	int rc;

	rc = db_commandf(&aj->req.job, dc, "login_failures_clear", "s", key);
	free(key);
	return rc;
}

int64_t
auth_session_open(struct auth_job *aj, struct db_conn *dc, int64_t user)
{
	struct db_job *j = &aj->req.job;
	char digest[TOKEN_DIGEST_LEN + 1];
	struct buf *data;
	int64_t sid;

	if (token_new(aj->token) != 0 || token_digest(aj->token, digest) != 0) {
		j->status = DB_FAILED;
		return -1;
	}
	if (db_valuef(j, dc, "session_insert", "id", &sid, "issi", user,
	    digest, aj->req.address, (int64_t)aj->lifetime) != 0)
		return -1;
	data = buf_new(0);
	proto_add_i64(data, "session", sid);
	proto_add(data, "address", aj->req.address);
	if (db_commandf(j, dc, "sessions_prune", "i", user) != 0 ||
	    db_commandf(j, dc, "user_logged_in", "i", user) != 0 ||
	    audit_record(j, dc, user, sid, aj->req.address, "login", NULL,
	    NULL) != 0 ||
	    event_emit(j, dc, "session.login", 0, user, data) != 0)
		sid = -1;
	buf_free(data);
	return sid;
}

int
auth_reply(struct auth_job *aj, struct db_conn *dc, int64_t user,
    int64_t sid, const char *extra)
{
	struct db_job *j = &aj->req.job;

	if ((aj->session = session_load(j, dc, user, sid)) == NULL)
		return -1;
	proto_begin(j->out, j->tag, "OK");
	proto_add(j->out, "token", aj->token);
	proto_add_i64(j->out, "user", user);
	proto_add_i64(j->out, "session", sid);
	if (extra != NULL)
		proto_add_raw(j->out, extra + strspn(extra, " "));
	proto_end(j->out);
	return 0;
}

/* Worker: a new session after a good password, in one transaction. */
static void
login_write_run(struct db_job *j, struct db_conn *dc)
{
	struct auth_job *aj = (struct auth_job *)j;
	int64_t sid;

	if (!aj->verified) {
		auth_login_failed(aj, dc, "wrong e-mail or password");
		return;
	}
	if (db_begin(j, dc) != 0 ||
	    (sid = auth_session_open(aj, dc, aj->user)) < 0 ||
	    auth_login_forgiven(aj, dc) != 0 ||
	    db_commit(j, dc) != 0)
		return;
	auth_reply(aj, dc, aj->user, sid, NULL);
}

/*
 * LOGIN in three steps, so that the password is checked on the lane and
 * never holds a database worker: the limits and the stored hash here,
 * then auth_verify_cpu, then login_write_run.
 */
static void
login_run(struct db_job *j, struct db_conn *dc)
{
	struct auth_job *aj = (struct auth_job *)j;
	int limited;

	session_free(aj->session);
	aj->session = NULL;
	if (auth_login_limited(aj, dc, &limited) != 0 || limited ||
	    login_read(aj, dc) != 0)
		return;
	j->cpu = auth_verify_cpu;
	j->run = login_write_run;
}

static enum cmd_result
login_prepare(struct req *r, struct cmd_ctx *ctx)
{
	struct auth_job *aj = (struct auth_job *)r;

	auth_job_init(aj);
	aj->email = xstrdup(req_str(r, "email"));
	aj->password = xstrdup(req_str(r, "password"));
	return CMD_PENDING;
}

static void
resume_run(struct db_job *j, struct db_conn *dc)
{
	struct auth_job *aj = (struct auth_job *)j;
	char digest[TOKEN_DIGEST_LEN + 1];
	int64_t user = 0, sid = 0;
	PGresult *r = NULL;

	session_free(aj->session);
	aj->session = NULL;
	if (token_digest(aj->token, digest) == 0 && (r = db_queryf(j, dc,
	    "session_by_token", "s", digest)) == NULL)
		return;
	if (r != NULL && PQntuples(r) == 1) {
		sid = db_get_i64(r, 0, "id");
		user = db_get_i64(r, 0, "user_id");
	}
	PQclear(r);
	if (sid == 0) {
		proto_err(j->out, j->tag, PERR_AUTH_REQUIRED,
		    "unknown or expired session; log in again");
		return;
	}
	if (db_commandf(j, dc, "session_touch", "i", sid) != 0)
		return;
	if ((aj->session = session_load(j, dc, user, sid)) == NULL)
		return;
	proto_begin(j->out, j->tag, "OK");
	proto_add_i64(j->out, "user", user);
	proto_add_i64(j->out, "session", sid);
	proto_end(j->out);
}

static enum cmd_result
resume_prepare(struct req *r, struct cmd_ctx *ctx)
{
	struct auth_job *aj = (struct auth_job *)r;

	auth_job_init(aj);
	snprintf(aj->token, sizeof aj->token, "%s", req_str(r, "token"));
	return CMD_PENDING;
}

static int
logout_tx(struct req *r, struct db_conn *dc)
{
	struct buf *data = buf_new(0);
	int rc;

	proto_add_i64(data, "session", r->session);
	rc = db_commandf(&r->job, dc, "session_delete", "i", r->session) ||
	    event_emit(&r->job, dc, "session.logout", 0, r->user, data) ? -1 : 0;
	buf_free(data);
	return rc;
}

static void
logout_finish(struct db_job *j, struct conn *conn)
{
	conn_set_session(conn, NULL);
}

/* From the session loaded at login: no database round trip. */
static enum cmd_result
cmd_whoami(struct cmd_ctx *ctx)
{
	struct session *s = conn_session(ctx->conn);
	struct buf *out = cmd_out(ctx);

	session_describe(s, out, ctx->tag);
	req_ok_i64(out, ctx->tag, "session", s->session_id);
	return CMD_DONE;
}

static const struct cmd_arg login_args[] = {
	ARG("email", ARG_TEXT, 1, EMAIL_MAX),
	ARG("password", ARG_TEXT, 1, PASSWORD_MAX),
	{ NULL }
};

static const struct cmd_arg resume_args[] = {
	ARG("token", ARG_ATOM, 1, TOKEN_HEX_LEN),
	{ NULL }
};

const struct cmd cmd_session_table[] = {
	{ "LOGIN", CMD_GUEST, AREA_NONE, TARGET_LINK, 0, login_args,
	  "log in; returns a session token",
	  .size = sizeof(struct auth_job), .prepare = login_prepare,
	  .run = login_run, .finish = auth_finish, .destroy = auth_destroy },
	{ "SESSION.RESUME", CMD_GUEST, AREA_NONE, TARGET_LINK, 0, resume_args,
	  "continue a session with its token",
	  .size = sizeof(struct auth_job), .prepare = resume_prepare,
	  .run = resume_run, .finish = auth_finish, .destroy = auth_destroy },
	{ "LOGOUT", CMD_SESSION, AREA_NONE, TARGET_SELF, 0, NULL,
	  "end the session",
	  .tx = logout_tx, .audit = "logout", .finish = logout_finish },
	{ "WHOAMI", CMD_SESSION, AREA_NONE, TARGET_SELF, 0, NULL,
	  "the user and their workspaces",
	  .handler = cmd_whoami },
	{ NULL }
};
