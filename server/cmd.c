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
#include "request.h"
#include "throttle.h"
#include "utf8.h"
#include "xmalloc.h"

/* The domains, each defined in its own file. */
extern const struct cmd cmd_session_table[];
extern const struct cmd cmd_events_table[];
extern const struct cmd cmd_workspace_table[];
extern const struct cmd cmd_space_table[];
extern const struct cmd cmd_invite_table[];
extern const struct cmd cmd_link_table[];
extern const struct cmd cmd_participant_table[];
extern const struct cmd cmd_file_table[];
extern const struct cmd cmd_network_table[];
extern const struct cmd cmd_contact_table[];
extern const struct cmd cmd_message_table[];
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
extern const struct db_stmt plan_stmts[];

static enum cmd_result
cmd_ping(struct cmd_ctx *ctx)
{
	return cmd_ok(ctx);
}

static const struct cmd cmd_core_table[] = {
	{ "PING", CMD_PUBLIC, AREA_NONE, TARGET_SELF, 0, NULL,
	  "check the connection", .handler = cmd_ping },
	{ NULL }
};

/* Every domain, once: its verbs (cmd_find searches them in order) and the
   statements prepared on each database connection. */
static const struct cmd_domain cmd_domains[] = {
	{ cmd_core_table, event_stmts },
	{ cmd_session_table, session_stmts },
	{ cmd_events_table, sync_stmts },
	{ cmd_workspace_table, workspace_stmts },
	{ cmd_space_table, space_cmd_stmts },
	{ NULL, space_stmts },
	{ cmd_invite_table, invite_stmts },
	{ cmd_link_table, link_stmts },
	{ cmd_participant_table, participant_stmts },
	{ NULL, limit_stmts },
	{ cmd_file_table, file_stmts },
	{ cmd_network_table, network_stmts },
	{ cmd_contact_table, contact_stmts },
	{ cmd_message_table, message_stmts },
	{ NULL, presence_stmts },
	{ NULL, sched_stmts },
	{ NULL, rid_stmts },
	{ NULL, plan_stmts }
};
#define CMD_NDOMAINS	(sizeof cmd_domains / sizeof cmd_domains[0])

const struct cmd *
cmd_find(const char *verb)
{
	for (size_t t = 0; t < CMD_NDOMAINS; t++)
		for (const struct cmd *c = cmd_domains[t].cmds; c != NULL &&
		    c->verb != NULL; c++)
			if (strcasecmp(c->verb, verb) == 0)
				return c;
	return NULL;
}

void
cmd_foreach(void (*fn)(const struct cmd *, void *), void *arg)
{
	for (size_t t = 0; t < CMD_NDOMAINS; t++)
		for (const struct cmd *c = cmd_domains[t].cmds; c != NULL &&
		    c->verb != NULL; c++)
			fn(c, arg);
}

int
db_stmts_each(int (*fn)(const struct db_stmt *, void *), void *arg)
{
	int rc;

	for (size_t t = 0; t < CMD_NDOMAINS; t++)
		for (const struct db_stmt *s = cmd_domains[t].stmts; s != NULL &&
		    s->name != NULL; s++)
			if ((rc = fn(s, arg)) != 0)
				return rc;
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

/* How many characters (code points) of valid UTF-8 s holds. */
static size_t
utf8_chars(const char *s, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xc0) != 0x80;
	return n;
}

/* Whether v is one of the words of values ("a|b|c"). */
static int
enum_has(const char *values, const char *v, size_t len)
{
	for (const char *w = values; *w != '\0'; ) {
		size_t n = strcspn(w, "|");

		if (n == len && memcmp(w, v, len) == 0)
			return 1;
		w += n + (w[n] == '|');
	}
	return 0;
}

/* One parameter against its schema entry; 0 or -1 with *why. */
static int
arg_check(const struct cmd_arg *a, const struct proto_param *p,
    const struct proto_msg *msg, char **why)
{
	int64_t n, hi = a->hi != 0 ? a->hi : INT64_MAX;

	if (a->max != 0 && p->len > a->max)
		xasprintf(why, "%s is longer than %zu bytes", p->key, a->max);
	else if (a->chars != 0 && utf8_chars(p->value, p->len) > a->chars)
		xasprintf(why, "%s is longer than %zu characters", p->key,
		    a->chars);
	else if ((a->type == ARG_LINE || a->type == ARG_PROSE) &&
	    has_controls(p->value, p->len, a->type == ARG_PROSE))
		xasprintf(why, "%s may not hold control characters%s",
		    p->key, a->type == ARG_PROSE ? " other than line "
		    "feeds and tabs" : "");
	else if (a->type == ARG_ATOM && !proto_is_atom(p->value, p->len))
		xasprintf(why, "%s is not a valid value", p->key);
	else if (a->type == ARG_ID && proto_get_i64(msg, p->key, 0,
	    INT64_MAX, &n) != 0)
		xasprintf(why, "%s must be a whole number", p->key);
	else if (a->type == ARG_INT && proto_get_i64(msg, p->key, a->lo, hi,
	    &n) != 0)
		xasprintf(why, a->lo != 0 || a->hi != 0 ? "%s must be a whole "
		    "number from %lld to %lld" : "%s must be a whole number",
		    p->key, (long long)a->lo, (long long)hi);
	else if (a->type == ARG_BOOL && proto_get_i64(msg, p->key, 0, 1,
	    &n) != 0)
		xasprintf(why, "%s is 0 or 1", p->key);
	else if (a->type == ARG_ENUM && !enum_has(a->values, p->value,
	    p->len))
		xasprintf(why, "%s is one of %s", p->key, a->values);
	else
		return 0;
	return -1;
}

/* How many parameters of group are given. */
static int
args_oneof(const struct cmd *cmd, const struct proto_msg *msg, int group)
{
	int n = 0;

	for (const struct cmd_arg *a = cmd->args; a->key != NULL; a++)
		n += a->oneof == group && proto_get(msg, a->key) != NULL;
	return n;
}

/* "give exactly one of user= or space=" for group. */
static char *
args_oneof_why(const struct cmd *cmd, int group)
{
	struct buf *b = buf_new(0);
	const char *sep = " ";
	char *why;

	buf_add_str(b, "give exactly one of");
	for (const struct cmd_arg *a = cmd->args; a->key != NULL; a++) {
		if (a->oneof == group) {
			buf_printf(b, "%s%s=", sep, a->key);
			sep = " or ";
		}
	}
	why = xstrdup(buf_cstr(b));
	buf_free(b);
	return why;
}

/* Checks the parameters against the verb's schema; 0 or -1 with *why. */
static int
args_check(const struct cmd *cmd, const struct proto_msg *msg, char **why)
{
	for (size_t i = 0; i < msg->nparams; i++) {
		const struct proto_param *p = &msg->params[i];
		const struct cmd_arg *a = arg_find(cmd, p->key);

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
		if (arg_check(a, p, msg, why) != 0)
			return -1;
	}
	for (const struct cmd_arg *a = cmd->args; a != NULL && a->key != NULL;
	    a++) {
		if (a->required && proto_get(msg, a->key) == NULL) {
			xasprintf(why, "missing parameter %s", a->key);
			return -1;
		}
		if (a->oneof > 0 && args_oneof(cmd, msg, a->oneof) != 1) {
			*why = args_oneof_why(cmd, a->oneof);
			return -1;
		}
	}
	return 0;
}

/*
 * A verb on a workspace: workspace=, or the caller's only one. The caller
 * must be a member (a workspace they are not in answers like one that
 * does not exist) whose role allows the verb's area.
 */
static enum cmd_result
cmd_workspace_check(struct cmd_ctx *ctx, const struct session *s)
{
	const struct authz_role *role;

	if (proto_get(ctx->msg, "workspace") != NULL)
		proto_get_i64(ctx->msg, "workspace", 0, INT64_MAX,
		    &ctx->workspace);
	else if (s->nws == 1)
		ctx->workspace = s->ws[0].id;
	else
		return cmd_err(ctx, PERR_INVALID, s->nws == 0 ? "you are in "
		    "no workspace" : "say which workspace: workspace=ID");
	if ((role = session_role(s, ctx->workspace)) == NULL)
		return cmd_err(ctx, PERR_NOT_FOUND, "no such workspace");
	if (!authz_allows(role, ctx->cmd->area))
		return cmd_err(ctx, PERR_FORBIDDEN, AUTHZ_REFUSED);
	return CMD_PENDING;
}

/*
 * A verb of the request core: its job, bound from the message, sent to
 * the database workers. run (or stmt and result) writes the reply into
 * job.out; finish then runs on the loop thread with the connection, if
 * it is still there, before the reply is queued (cmd_job_done).
 */
static enum cmd_result
cmd_start(struct cmd_ctx *ctx)
{
	const struct cmd *c = ctx->cmd;
	struct req *r = req_new(c, ctx->msg, ctx->conn);
	struct db_job *j = &r->job;

	r->workspace = ctx->workspace;
	j->stmt = c->stmt;
	j->result = c->result;
	if (c->stmt != NULL)
		db_job_params(j, "i", r->user);
	if (c->prepare != NULL && c->prepare(r, ctx) == CMD_DONE) {
		req_destroy(j);
		free(r);
		return CMD_DONE;
	}
	j->conn_id = conn_id(ctx->conn);
	snprintf(j->tag, sizeof j->tag, "%s", ctx->tag);
	j->out = buf_new(0);
	j->run = c->tx != NULL ? req_run : c->run;
	j->done = cmd_job_done;
	j->finish = c->finish;
	if (ctx->rid != NULL)
		j->rid = rid_new(ctx);
	db_submit(j);
	return CMD_PENDING;
}

enum cmd_result
cmd_run(struct cmd_ctx *ctx)
{
	return ctx->cmd->handler != NULL ? ctx->cmd->handler(ctx) :
	    cmd_start(ctx);
}

enum cmd_result
cmd_dispatch(struct conn *conn, const struct proto_msg *msg)
{
	struct cmd_ctx ctx = { conn, msg->tag, msg, NULL, 0, NULL };
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
	if (args_check(ctx.cmd, msg, &why) != 0) {
		r = cmd_err(&ctx, PERR_INVALID, why);
		free(why);
		return r;
	}
	if (ctx.cmd->target == TARGET_WORKSPACE &&
	    cmd_workspace_check(&ctx, s) == CMD_DONE)
		return CMD_DONE;
	/* Every flagged verb needs a session: the rid is its user's. */
	if ((ctx.cmd->flags & CMD_RID) && s != NULL &&
	    (ctx.rid = proto_get(msg, "rid")) != NULL)
		return rid_dispatch(&ctx);
	return cmd_run(&ctx);
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

