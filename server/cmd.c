#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "cmd.h"
#include "config.h"
#include "conn.h"
#include "db.h"
#include "log.h"
#include "rid.h"
#include "server.h"
#include "session.h"
#include "throttle.h"
#include "utf8.h"
#include "xmalloc.h"

extern const struct db_stmt event_stmts[];
extern const struct db_stmt session_stmts[];
extern const struct db_stmt sync_stmts[];
extern const struct db_stmt workspace_stmts[];
extern const struct db_stmt space_stmts[];
extern const struct db_stmt space_cmd_stmts[];
extern const struct db_stmt invite_stmts[];
extern const struct db_stmt link_stmts[];
extern const struct db_stmt participant_stmts[];
extern const struct db_stmt limit_stmts[];
extern const struct db_stmt file_stmts[];
extern const struct db_stmt network_stmts[];
extern const struct db_stmt contact_stmts[];
extern const struct db_stmt message_stmts[];
extern const struct db_stmt presence_stmts[];
extern const struct db_stmt sched_stmts[];

static enum cmd_result
cmd_ping(struct cmd_ctx *ctx)
{
	return cmd_ok(ctx);
}

const struct cmd cmd_core_table[] = {
	{ "PING", cmd_ping, CMD_PUBLIC, PERM_NONE, NULL, "check the connection", 0 },
	{ NULL, NULL, CMD_PUBLIC, 0, NULL, NULL, 0 }
};

/* Every domain's verbs; cmd_find searches them in order. */
static const struct cmd *const cmd_tables[] = {
	cmd_core_table,
	cmd_session_table,
	cmd_events_table,
	cmd_workspace_table,
	cmd_space_table,
	cmd_invite_table,
	cmd_link_table,
	cmd_participant_table,
	cmd_file_table,
	cmd_network_table,
	cmd_contact_table,
	cmd_message_table,
	NULL
};

/* Every domain's prepared statements, prepared on each database
 * connection (db.c). */
const struct db_stmt *const db_stmt_tables[] = {
	event_stmts,
	session_stmts,
	sync_stmts,
	workspace_stmts,
	space_stmts,
	space_cmd_stmts,
	invite_stmts,
	link_stmts,
	participant_stmts,
	limit_stmts,
	file_stmts,
	network_stmts,
	contact_stmts,
	message_stmts,
	presence_stmts,
	sched_stmts,
	rid_stmts,
	NULL
};

const struct cmd *
cmd_find(const char *verb)
{
	for (size_t t = 0; cmd_tables[t] != NULL; t++)
		for (const struct cmd *c = cmd_tables[t]; c->verb != NULL; c++)
			if (strcasecmp(c->verb, verb) == 0)
				return c;
	return NULL;
}

void
cmd_foreach(void (*fn)(const struct cmd *, void *), void *arg)
{
	for (size_t t = 0; cmd_tables[t] != NULL; t++)
		for (const struct cmd *c = cmd_tables[t]; c->verb != NULL; c++)
			fn(c, arg);
}

/*
 * Which roles hold which permission areas (DESIGN §2.1). Owners and admins
 * hold everything except that only owners hold billing; managers and
 * members hold no settings area.
 */
int
role_allows(const char *role, enum perm perm)
{
	if (perm == PERM_NONE)
		return 1;
	if (strcmp(role, "owner") == 0)
		return 1;
	if (strcmp(role, "admin") == 0)
		return perm != PERM_SETTINGS_BILLING;
	return 0;
}

/* A session holds a permission if a role in any of its workspaces does;
 * verbs that act on one workspace check that workspace's role again. */
static int
session_allows(const struct session *s, enum perm perm)
{
	if (perm == PERM_NONE)
		return 1;
	for (size_t i = 0; i < s->nws; i++)
		if (role_allows(s->ws[i].role, perm))
			return 1;
	return 0;
}

static const struct cmd_arg *
arg_find(const struct cmd *cmd, const char *key)
{
	for (const struct cmd_arg *a = cmd->args; a != NULL && a->key != NULL;
	    a++)
		if (strcmp(a->key, key) == 0)
			return a;
	return NULL;
}

/*
 * Whether text holds a control character (C0, DEL, C1; LF and tab too
 * unless multiline): names and titles reach other users' terminals and
 * e-mail headers, so they are refused at the door, not only escaped.
 */
static int
has_controls(const char *s, size_t len, int multiline)
{
	uint32_t cp;
	size_t n;

	for (size_t i = 0; i < len; i += n) {
		if ((n = utf8_decode(s + i, len - i, &cp)) == 0)
			return 1;
		if (multiline && (cp == '\n' || cp == '\t'))
			continue;
		if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
			return 1;
	}
	return 0;
}

/* Checks the parameters against the verb's schema; 0 or -1 with *why. */
static int
args_check(const struct cmd *cmd, const struct proto_msg *msg, char **why)
{
	for (size_t i = 0; i < msg->nparams; i++) {
		const struct proto_param *p = &msg->params[i];
		const struct cmd_arg *a = arg_find(cmd, p->key);
		int64_t n;

		/* Every verb takes one; rid.h says what it does. */
		if (strcmp(p->key, "rid") == 0) {
			if (!rid_valid(p->value)) {
				xasprintf(why, "rid must be %d lower-case hex "
				    "digits", RID_HEX_LEN);
				return -1;
			}
			continue;
		}
		if (a == NULL) {
			xasprintf(why, "unknown parameter %s", p->key);
			return -1;
		}
		if (a->max != 0 && p->len > a->max) {
			xasprintf(why, "%s is longer than %zu bytes", p->key,
			    a->max);
			return -1;
		}
		if ((a->type == ARG_LINE || a->type == ARG_PROSE) &&
		    has_controls(p->value, p->len, a->type == ARG_PROSE)) {
			xasprintf(why, "%s may not hold control characters%s",
			    p->key, a->type == ARG_PROSE ? " other than line "
			    "feeds and tabs" : "");
			return -1;
		}
		if (a->type == ARG_ATOM && !proto_is_atom(p->value, p->len)) {
			xasprintf(why, "%s is not a valid value", p->key);
			return -1;
		}
		if (a->type == ARG_INT && proto_get_i64(msg, p->key, 0,
		    INT64_MAX, &n) != 0) {
			xasprintf(why, "%s must be a whole number", p->key);
			return -1;
		}
	}
	for (const struct cmd_arg *a = cmd->args; a != NULL && a->key != NULL;
	    a++) {
		if (a->required && proto_get(msg, a->key) == NULL) {
			xasprintf(why, "missing parameter %s", a->key);
			return -1;
		}
	}
	return 0;
}

enum cmd_result
cmd_dispatch(struct conn *conn, const struct proto_msg *msg)
{
	struct cmd_ctx ctx = { conn, msg->tag, msg, NULL, NULL };
	struct session *s = conn_session(conn);
	char *why = NULL;
	enum cmd_result r;

	if ((ctx.cmd = cmd_find(msg->word)) == NULL)
		return cmd_err(&ctx, PERR_UNKNOWN_VERB, "unknown verb");
	if (ctx.cmd->auth >= CMD_SESSION && s == NULL)
		return cmd_err(&ctx, PERR_AUTH_REQUIRED, "log in first");
	if (ctx.cmd->auth == CMD_VERIFIED && !s->verified)
		return cmd_err(&ctx, PERR_FORBIDDEN, "prove your e-mail address "
		    "first: use a link agora sent to it, or ask for a login "
		    "link (LOGIN.LINK)");
	/* Checked before anything else is spent on the request. */
	if (ctx.cmd->auth == CMD_GUEST && !throttle_allow(conn_address(conn)))
		return cmd_err(&ctx, PERR_RATE_LIMITED, "too many requests "
		    "from your address; wait a few seconds");
	if (ctx.cmd->perm != PERM_NONE &&
	    (s == NULL || !session_allows(s, ctx.cmd->perm)))
		return cmd_err(&ctx, PERR_FORBIDDEN, "your role does not allow this");
	if (args_check(ctx.cmd, msg, &why) != 0) {
		r = cmd_err(&ctx, PERR_INVALID, why);
		free(why);
		return r;
	}
	/* Every flagged verb needs a session: the rid is its user's. */
	if ((ctx.cmd->flags & CMD_RID) && s != NULL &&
	    (ctx.rid = proto_get(msg, "rid")) != NULL)
		return rid_dispatch(&ctx);
	return ctx.cmd->handler(&ctx);
}

size_t
cmd_page_bytes(void)
{
	size_t quarter = (size_t)server_config()->max_output / 4;

	return quarter < CMD_PAGE_BYTES ? quarter : CMD_PAGE_BYTES;
}

int
cmd_page_full(const struct buf *out, size_t budget, int n)
{
	return n > 0 && buf_len(out) >= budget;
}

struct buf *
cmd_out(struct cmd_ctx *ctx)
{
	return conn_out(ctx->conn);
}

enum cmd_result
cmd_ok(struct cmd_ctx *ctx)
{
	proto_ok(cmd_out(ctx), ctx->tag);
	return CMD_DONE;
}

enum cmd_result
cmd_err(struct cmd_ctx *ctx, enum proto_err code, const char *msg)
{
	proto_err(cmd_out(ctx), ctx->tag, code, msg);
	return CMD_DONE;
}

void
cmd_job_done(struct db_job *j)
{
	struct conn *conn = conn_find(j->conn_id);

	if (conn == NULL) {
		log_debug("job for a closed connection dropped");
	} else if (j->status == DB_UNAVAILABLE) {
		proto_err(conn_out(conn), j->tag, PERR_UNAVAILABLE,
		    "the database is unreachable; try again shortly");
	} else if (j->status == DB_BUSY) {
		proto_err(conn_out(conn), j->tag, PERR_RATE_LIMITED,
		    "the server is busy checking passwords; try again in a "
		    "moment");
	} else if (j->status == DB_FAILED) {
		proto_err(conn_out(conn), j->tag, PERR_INTERNAL,
		    "internal error; it has been logged");
	} else {
		if (j->finish != NULL && !rid_replayed(j->rid))
			j->finish(j, conn);
		buf_add(conn_out(conn), buf_data(j->out), buf_len(j->out));
	}
	if (conn != NULL)
		conn_resume(conn);
	if (j->destroy != NULL)
		j->destroy(j);
	rid_free(j->rid);
	buf_free(j->out);
	free(j);
}

enum cmd_result
cmd_submit_read(struct cmd_ctx *ctx, struct db_job *j,
    void (*result)(struct db_job *, const PGresult *))
{
	j->result = result;
	return cmd_submit(ctx, j, NULL, NULL);
}

enum cmd_result
cmd_submit(struct cmd_ctx *ctx, struct db_job *j,
    void (*run)(struct db_job *, struct db_conn *),
    void (*finish)(struct db_job *, struct conn *))
{
	j->conn_id = conn_id(ctx->conn);
	snprintf(j->tag, sizeof j->tag, "%s", ctx->tag);
	j->out = buf_new(0);
	j->run = run;
	j->done = cmd_job_done;
	j->finish = finish;
	if (ctx->rid != NULL)
		j->rid = rid_new(ctx);
	db_submit(j);
	return CMD_PENDING;
}
