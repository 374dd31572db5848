/*
 * Private conversations and space discussions: MSG.SEND, MSG.LIST,
 * MSG.READ and CONV.LIST.
 *
 * A conversation is made by its first message: a private one for a pair
 * of users (stored lowest id first, so either may write first), or one
 * per space. Two users may write to each other while they are
 * professional contacts or both active in some space; a space's
 * discussion is for whoever space_open lets see the space. Someone who may
 * no longer write to a person still reads their history.
 *
 * Messages in one conversation get their ids in commit order: sending
 * locks the conversation's row (the private one) or the space's
 * (space_open). So a read position, the id of the last message seen,
 * never skips a message that commits later, and "unread" (message.h) is
 * exact.
 *
 * The audit log records that a message was sent, never what it says.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cmd.h"
#include "conn.h"
#include "db.h"
#include "event.h"
#include "message.h"
#include "proto.h"
#include "session.h"
#include "space.h"
#include "str.h"
#include "xmalloc.h"

#define MSG_LIST_DEFAULT	50
#define MSG_LIST_MAX		200

#define MSG_FORBIDDEN	"you can write only to your professional contacts " \
			"and to people you share a space with"

const struct db_stmt message_stmts[] = {
	/* The other user, and whether the two may write to each other. */
	{ "msg_peer",
	  "SELECT u.id, EXISTS (SELECT 1 FROM professional_contacts pc"
	  "  WHERE pc.user_id = $1::bigint AND pc.contact_id = u.id)"
	  " OR EXISTS (SELECT 1 FROM participants a JOIN participants b"
	  "  ON b.space_id = a.space_id WHERE a.user_id = $1::bigint"
	  "  AND b.user_id = u.id AND a.status = 'active'"
	  "  AND b.status = 'active') AS allowed"
	  " FROM users u WHERE u.id = $2::bigint" },
	/* Made on first use; the no-op update locks and returns the row. */
	{ "msg_direct_make",
	  "INSERT INTO conversations (kind, user_lo, user_hi) VALUES ('direct',"
	  " least($1::bigint, $2::bigint), greatest($1::bigint, $2::bigint))"
	  " ON CONFLICT (user_lo, user_hi) DO UPDATE SET kind = EXCLUDED.kind"
	  " RETURNING id" },
	{ "msg_space_make",
	  "INSERT INTO conversations (kind, space_id)"
	  " VALUES ('space', $1::bigint)"
	  " ON CONFLICT (space_id) DO UPDATE SET kind = EXCLUDED.kind"
	  " RETURNING id" },
	{ "msg_direct_find",
	  "SELECT id FROM conversations"
	  " WHERE user_lo = least($1::bigint, $2::bigint)"
	  " AND user_hi = greatest($1::bigint, $2::bigint)" },
	{ "msg_space_find",
	  "SELECT id FROM conversations WHERE space_id = $1::bigint" },
	{ "msg_insert",
	  "INSERT INTO messages (conversation_id, sender_id, body)"
	  " VALUES ($1::bigint, $2::bigint, $3)"
	  " RETURNING id, extract(epoch FROM created_at)::bigint AS at,"
	  " (SELECT name FROM users WHERE id = $2::bigint) AS name" },
	/* Returns a row only if the position moved (forward only). */
	{ "msg_mark_read",
	  "INSERT INTO conversation_reads (conversation_id, user_id, last_read)"
	  " VALUES ($1::bigint, $2::bigint, $3::bigint)"
	  " ON CONFLICT (conversation_id, user_id) DO UPDATE"
	  " SET last_read = EXCLUDED.last_read"
	  " WHERE conversation_reads.last_read < EXCLUDED.last_read"
	  " RETURNING last_read" },
	{ "msg_in_conversation",
	  "SELECT 1 FROM messages"
	  " WHERE id = $2::bigint AND conversation_id = $1::bigint" },
	{ "msg_state",
	  "SELECT coalesce((SELECT last_read FROM conversation_reads"
	  "  WHERE conversation_id = $1::bigint AND user_id = $2::bigint), 0)"
	  " AS last_read, " MESSAGE_UNREAD_SQL("$1::bigint", "$2::bigint")
	  " AS unread" },
	/* The newest $3 before $2, newest first (one more than asked, to
	   tell whether there are more), while the bodies before the one
	   before each are under $4 bytes (cmd.h): list_reply cuts by the
	   lines, which are longer, and the row after its last is here. */
	{ "msg_page",
	  "SELECT id, sender_id, name, body, at FROM ("
	  " SELECT m.id, m.sender_id, u.name, m.body,"
	  " extract(epoch FROM m.created_at)::bigint AS at,"
	  " coalesce(sum(octet_length(m.body)) OVER (ORDER BY m.id DESC"
	  " ROWS BETWEEN UNBOUNDED PRECEDING AND 2 PRECEDING), 0) AS past"
	  " FROM messages m JOIN users u ON u.id = m.sender_id"
	  " WHERE m.conversation_id = $1::bigint AND m.id < $2::bigint"
	  " ORDER BY m.id DESC LIMIT $3::int) p"
	  " WHERE past < $4::bigint ORDER BY id DESC" },
	/* The caller's conversations with a message: private ones, and
	   those of the spaces space_open would let them see. */
	{ "conv_list",
	  "WITH mine AS ("
	  "  SELECT c.id, c.kind, NULL::bigint AS space_id,"
	  "  CASE WHEN c.user_lo = $1::bigint THEN c.user_hi"
	  "  ELSE c.user_lo END AS other FROM conversations c"
	  "  WHERE c.kind = 'direct'"
	  "  AND (c.user_lo = $1::bigint OR c.user_hi = $1::bigint)"
	  " UNION ALL"
	  "  SELECT c.id, c.kind, c.space_id, NULL FROM conversations c"
	  "  JOIN spaces s ON s.id = c.space_id"
	  "  JOIN participants p ON p.space_id = s.id"
	  "  AND p.user_id = $1::bigint AND p.status = 'active'"
	  "  WHERE c.kind = 'space' AND (s.archived_at IS NULL"
	  "  OR participant_role(p.role, s.network) <> 'external'))"
	  " SELECT mine.id, mine.kind, mine.space_id, mine.other,"
	  " u.name, s.title, last.id AS last,"
	  " extract(epoch FROM last.created_at)::bigint AS at, "
	  MESSAGE_UNREAD_SQL("mine.id", "$1::bigint") " AS unread"
	  " FROM mine CROSS JOIN LATERAL (SELECT id, created_at FROM messages"
	  "  WHERE conversation_id = mine.id ORDER BY id DESC LIMIT 1) last"
	  " LEFT JOIN users u ON u.id = mine.other"
	  " LEFT JOIN spaces s ON s.id = mine.space_id"
	  " ORDER BY last.id DESC" },
	{ NULL, NULL }
};

struct msg_job {
	struct db_job	 job;
	int64_t		 user;		/* the caller */
	int64_t		 session;
	char		 address[64];
	int		 in_space;	/* space= rather than a user */
	int64_t		 with;		/* the other user */
	int64_t		 space;		/* or the space */
	int64_t		 before;	/* MSG.LIST */
	int64_t		 limit;
	size_t		 page;		/* MSG.LIST: the byte budget */
	int64_t		 upto;		/* MSG.READ */
	char		*body;		/* MSG.SEND */
	int64_t		 conv;		/* found or made by run */
	char		 ids[3][STR_I64_LEN];	/* caller, with, space */
};

static void
msg_destroy(struct db_job *j)
{
	struct msg_job *mj = (struct msg_job *)j;

	free(mj->body);
}

/*
 * The job for a request naming its conversation by to= or with= (key)
 * or space=: exactly one of them, and not the caller. NULL with the
 * reply written if the request is not acceptable.
 */
static struct msg_job *
msg_job_new(struct cmd_ctx *ctx, const char *key)
{
	const struct session *s = conn_session(ctx->conn);
	int has_user = proto_get(ctx->msg, key) != NULL;
	int has_space = proto_get(ctx->msg, "space") != NULL;
	struct msg_job *mj;
	char *why;

	if (has_user == has_space) {
		xasprintf(&why, "name either %s= (a user) or space=", key);
		cmd_err(ctx, PERR_INVALID, why);
		free(why);
		return NULL;
	}
	mj = xcalloc(1, sizeof *mj);
	mj->user = s->user_id;
	mj->session = s->session_id;
	str_i64(mj->ids[0], mj->user);
	snprintf(mj->address, sizeof mj->address, "%s",
	    conn_address(ctx->conn));
	mj->in_space = has_space;
	proto_get_i64(ctx->msg, key, 0, INT64_MAX, &mj->with);
	proto_get_i64(ctx->msg, "space", 0, INT64_MAX, &mj->space);
	mj->job.destroy = msg_destroy;
	if (has_user && mj->with == mj->user) {
		cmd_err(ctx, PERR_INVALID, "a private conversation is with "
		    "someone else");
		free(mj);
		return NULL;
	}
	return mj;
}

static int
msg_audit(struct msg_job *mj, struct db_conn *dc, const char *action)
{
	char target[64];

	snprintf(target, sizeof target, "conversation %lld",
	    (long long)mj->conv);
	return audit_record(&mj->job, dc, mj->user, mj->session, mj->address,
	    action, target, NULL);
}

/* Reads the single id column of a statement's row: 0 if no row. */
static int
first_id(struct msg_job *mj, struct db_conn *dc, const char *stmt,
    int n, const char *const *params, int64_t *id)
{
	PGresult *r;

	if ((r = db_query(&mj->job, dc, stmt, n, params)) == NULL)
		return -1;
	*id = PQntuples(r) > 0 ? db_get_i64(r, 0, "id") : 0;
	PQclear(r);
	return 0;
}

/*
 * In the job's transaction: checks the caller may use the conversation
 * the request names, then finds it (make: or makes it) in mj->conv, 0 if
 * there is none yet. For a space, *a is filled. 0, or -1 with the reply
 * written or the job failed.
 */
static int
msg_open(struct msg_job *mj, struct db_conn *dc, int make,
    struct space_access *a)
{
	struct db_job *j = &mj->job;
	const char *pair[2] = { mj->ids[0], str_i64(mj->ids[1], mj->with) };
	const char *sp[1] = { str_i64(mj->ids[2], mj->space) };
	PGresult *r;
	int allowed;

	if (mj->in_space) {
		if (space_open(j, dc, mj->space, mj->user, SPACE_SEE, a) != 0)
			return -1;
		if (make && a->archived) {
			proto_err(j->out, j->tag, PERR_CONFLICT, "the space is "
			    "archived; reactivate it first");
			return -1;
		}
		return first_id(mj, dc, make ? "msg_space_make" :
		    "msg_space_find", 1, sp, &mj->conv);
	}
	if ((r = db_query(j, dc, "msg_peer", 2, pair)) == NULL)
		return -1;
	/* A user id that names no one is answered as a stranger's is (no
	   conversation; not allowed to write), so that the answer does not
	   tell which ids exist. */
	allowed = PQntuples(r) > 0 && strcmp(db_get(r, 0, "allowed"),
	    "t") == 0;
	PQclear(r);
	/* Only writing needs the two to know each other now. */
	if (make && !allowed) {
		proto_err(j->out, j->tag, PERR_FORBIDDEN, MSG_FORBIDDEN);
		return -1;
	}
	return first_id(mj, dc, make ? "msg_direct_make" : "msg_direct_find",
	    2, pair, &mj->conv);
}

/* The caller's read position and unread count in mj->conv. */
static int
msg_state(struct msg_job *mj, struct db_conn *dc, int64_t *last_read,
    int64_t *unread)
{
	char conv[STR_I64_LEN];
	const char *p[2] = { str_i64(conv, mj->conv), mj->ids[0] };
	PGresult *r;

	*last_read = *unread = 0;
	if (mj->conv == 0)
		return 0;
	if ((r = db_query(&mj->job, dc, "msg_state", 2, p)) == NULL)
		return -1;
	*last_read = db_get_i64(r, 0, "last_read");
	*unread = db_get_i64(r, 0, "unread");
	PQclear(r);
	return 0;
}

/* Moves the caller's read position to upto if that is forward; *moved. */
static int
msg_mark(struct msg_job *mj, struct db_conn *dc, int64_t upto, int *moved)
{
	char conv[STR_I64_LEN], id[STR_I64_LEN];
	const char *p[3] = { str_i64(conv, mj->conv), mj->ids[0],
	    str_i64(id, upto) };
	PGresult *r;

	if ((r = db_query(&mj->job, dc, "msg_mark_read", 3, p)) == NULL)
		return -1;
	if (moved != NULL)
		*moved = PQntuples(r) > 0;
	PQclear(r);
	return 0;
}

/* MSG.SEND ---------------------------------------------------------------- */

/* message.new to both users, or to everyone in the space. */
static int
send_event(struct msg_job *mj, struct db_conn *dc, int64_t id,
    const char *name, const char *at)
{
	struct db_job *j = &mj->job;
	struct buf *data = buf_new(0);
	int rc;

	proto_add_i64(data, "id", id);
	proto_add_i64(data, "conversation", mj->conv);
	proto_add(data, "kind", mj->in_space ? "space" : "direct");
	proto_add_i64(data, "from", mj->user);
	proto_add(data, "name", name);
	if (mj->in_space)
		proto_add_i64(data, "space", mj->space);
	else
		proto_add_i64(data, "to", mj->with);
	proto_add(data, "at", at);
	proto_add(data, "body", mj->body);
	if (mj->in_space)
		rc = space_emit_shared(j, dc, mj->space, "message.new", data);
	else
		rc = event_emit(j, dc, "message.new", 0, mj->user, data) != 0 ||
		    event_emit(j, dc, "message.new", 0, mj->with, data) != 0;
	buf_free(data);
	return rc;
}

static void
send_run(struct db_job *j, struct db_conn *dc)
{
	struct msg_job *mj = (struct msg_job *)j;
	char conv[STR_I64_LEN];
	const char *ins[3] = { conv, mj->ids[0], mj->body };
	struct space_access a;
	PGresult *r;
	int64_t id;
	int rc;

	if (db_begin(j, dc) != 0 || msg_open(mj, dc, 1, &a) != 0)
		return;
	str_i64(conv, mj->conv);
	if ((r = db_query(j, dc, "msg_insert", 3, ins)) == NULL)
		return;
	id = db_get_i64(r, 0, "id");
	/* The sender has read what they wrote. */
	rc = msg_mark(mj, dc, id, NULL) != 0 ||
	    msg_audit(mj, dc, "message.send") != 0 ||
	    send_event(mj, dc, id, db_get(r, 0, "name"), db_get(r, 0,
	    "at")) != 0 ||
	    db_commit(j, dc) != 0;
	if (rc == 0) {
		proto_begin(j->out, j->tag, "OK");
		proto_add_i64(j->out, "id", id);
		proto_add_i64(j->out, "conversation", mj->conv);
		proto_add(j->out, "at", db_get(r, 0, "at"));
		proto_end(j->out);
	}
	PQclear(r);
}

static enum cmd_result
cmd_msg_send(struct cmd_ctx *ctx)
{
	const char *body = proto_get(ctx->msg, "body");
	struct msg_job *mj;

	if (body[strspn(body, " \t\n")] == '\0')
		return cmd_err(ctx, PERR_INVALID, "a message cannot be empty");
	if ((mj = msg_job_new(ctx, "to")) == NULL)
		return CMD_DONE;
	mj->body = xstrdup(body);
	return cmd_submit(ctx, &mj->job, send_run, NULL);
}

/* MSG.LIST ---------------------------------------------------------------- */

/*
 * A page holds the newest rows before `before`, up to the limit and the
 * byte budget (cmd.h), sent oldest first: they are formatted newest
 * first, to know where the budget cuts, then copied out in order.
 */
static void
list_reply(struct msg_job *mj, const PGresult *page, int64_t last_read,
    int64_t unread)
{
	struct db_job *j = &mj->job;
	int rows = page != NULL ? PQntuples(page) : 0, n = 0, more;
	struct buf *lines = buf_new(0);
	size_t *start = xcalloc((size_t)rows + 1, sizeof *start);

	while (n < rows && n < mj->limit &&
	    !cmd_page_full(lines, mj->page, n)) {
		start[n] = buf_len(lines);
		proto_begin(lines, j->tag, "MESSAGE");
		proto_add(lines, "id", db_get(page, n, "id"));
		proto_add(lines, "from", db_get(page, n, "sender_id"));
		proto_add(lines, "name", db_get(page, n, "name"));
		proto_add(lines, "at", db_get(page, n, "at"));
		proto_add(lines, "body", db_get(page, n, "body"));
		proto_end(lines);
		n++;
	}
	start[n] = buf_len(lines);
	more = n < rows;
	for (int i = n - 1; i >= 0; i--)
		buf_add(j->out, buf_data(lines) + start[i], start[i + 1] -
		    start[i]);
	free(start);
	buf_free(lines);
	proto_begin(j->out, j->tag, "OK");
	proto_add_i64(j->out, "conversation", mj->conv);
	proto_add_i64(j->out, "count", n);
	proto_add_i64(j->out, "more", more);
	proto_add_i64(j->out, "last_read", last_read);
	proto_add_i64(j->out, "unread", unread);
	proto_end(j->out);
}

static void
list_run(struct db_job *j, struct db_conn *dc)
{
	struct msg_job *mj = (struct msg_job *)j;
	char conv[STR_I64_LEN], before[STR_I64_LEN], limit[STR_I64_LEN],
	    bytes[STR_I64_LEN];
	const char *p[4] = { conv, before, limit, bytes };
	struct space_access a;
	PGresult *page = NULL;
	int64_t last_read, unread;

	if (db_begin(j, dc) != 0 || msg_open(mj, dc, 0, &a) != 0)
		return;
	str_i64(conv, mj->conv);
	str_i64(before, mj->before);
	str_i64(limit, mj->limit + 1);
	str_i64(bytes, (int64_t)mj->page);
	if ((mj->conv != 0 &&
	    (page = db_query(j, dc, "msg_page", 4, p)) == NULL) ||
	    msg_state(mj, dc, &last_read, &unread) != 0 ||
	    db_commit(j, dc) != 0) {
		PQclear(page);
		return;
	}
	list_reply(mj, page, last_read, unread);
	PQclear(page);
}

static enum cmd_result
cmd_msg_list(struct cmd_ctx *ctx)
{
	struct msg_job *mj;
	int64_t limit = MSG_LIST_DEFAULT;

	if (proto_get(ctx->msg, "limit") != NULL &&
	    proto_get_i64(ctx->msg, "limit", 1, MSG_LIST_MAX, &limit) != 0)
		return cmd_err(ctx, PERR_INVALID, "limit is from 1 to 200");
	if ((mj = msg_job_new(ctx, "with")) == NULL)
		return CMD_DONE;
	mj->limit = limit;
	mj->page = cmd_page_bytes();
	mj->before = INT64_MAX;
	proto_get_i64(ctx->msg, "before", 0, INT64_MAX, &mj->before);
	return cmd_submit(ctx, &mj->job, list_run, NULL);
}

/* MSG.READ ---------------------------------------------------------------- */

/* conversation.read to the reader: their other clients catch up. */
static int
read_event(struct msg_job *mj, struct db_conn *dc, int64_t last_read,
    int64_t unread)
{
	struct buf *data = buf_new(0);
	int rc;

	proto_add_i64(data, "conversation", mj->conv);
	if (mj->in_space)
		proto_add_i64(data, "space", mj->space);
	else
		proto_add_i64(data, "with", mj->with);
	proto_add_i64(data, "upto", last_read);
	proto_add_i64(data, "unread", unread);
	rc = mj->in_space ? space_emit_to(&mj->job, dc, mj->space, mj->user,
	    "conversation.read", data) : event_emit(&mj->job, dc,
	    "conversation.read", 0, mj->user, data);
	buf_free(data);
	return rc;
}

static void
read_run(struct db_job *j, struct db_conn *dc)
{
	struct msg_job *mj = (struct msg_job *)j;
	char conv[STR_I64_LEN], upto[STR_I64_LEN];
	const char *p[2] = { conv, upto };
	struct space_access a;
	PGresult *r;
	int64_t last_read, unread;
	int found, moved;

	if (db_begin(j, dc) != 0 || msg_open(mj, dc, 0, &a) != 0)
		return;
	str_i64(conv, mj->conv);
	str_i64(upto, mj->upto);
	if ((r = db_query(j, dc, "msg_in_conversation", 2, p)) == NULL)
		return;
	found = PQntuples(r) > 0;
	PQclear(r);
	if (!found) {
		proto_err(j->out, j->tag, PERR_NOT_FOUND, "no such message "
		    "in this conversation");
		return;
	}
	if (msg_mark(mj, dc, mj->upto, &moved) != 0 ||
	    msg_state(mj, dc, &last_read, &unread) != 0 ||
	    (moved && (msg_audit(mj, dc, "conversation.read") != 0 ||
	    read_event(mj, dc, last_read, unread) != 0)) ||
	    db_commit(j, dc) != 0)
		return;
	proto_begin(j->out, j->tag, "OK");
	proto_add_i64(j->out, "unread", unread);
	proto_end(j->out);
}

static enum cmd_result
cmd_msg_read(struct cmd_ctx *ctx)
{
	struct msg_job *mj;

	if ((mj = msg_job_new(ctx, "with")) == NULL)
		return CMD_DONE;
	proto_get_i64(ctx->msg, "upto", 0, INT64_MAX, &mj->upto);
	return cmd_submit(ctx, &mj->job, read_run, NULL);
}

/* CONV.LIST --------------------------------------------------------------- */

static void
conv_list_result(struct db_job *j, const PGresult *r)
{
	int rows = PQntuples(r);

	for (int i = 0; i < rows; i++) {
		int direct = strcmp(db_get(r, i, "kind"), "direct") == 0;

		proto_begin(j->out, j->tag, "CONVERSATION");
		proto_add(j->out, "id", db_get(r, i, "id"));
		proto_add(j->out, "kind", db_get(r, i, "kind"));
		if (direct) {
			proto_add(j->out, "with", db_get(r, i, "other"));
			proto_add(j->out, "name", db_get(r, i, "name"));
		} else {
			proto_add(j->out, "space", db_get(r, i, "space_id"));
			proto_add(j->out, "title", db_get(r, i, "title"));
		}
		proto_add(j->out, "last", db_get(r, i, "last"));
		proto_add(j->out, "at", db_get(r, i, "at"));
		proto_add(j->out, "unread", db_get(r, i, "unread"));
		proto_end(j->out);
	}
	proto_begin(j->out, j->tag, "OK");
	proto_add_i64(j->out, "count", rows);
	proto_end(j->out);
}

struct conv_list_job {
	struct db_job	 job;
	char		 user[STR_I64_LEN];
};

static enum cmd_result
cmd_conv_list(struct cmd_ctx *ctx)
{
	struct conv_list_job *cj = xcalloc(1, sizeof *cj);

	str_i64(cj->user, conn_session(ctx->conn)->user_id);
	cj->job.stmt = "conv_list";
	cj->job.nparams = 1;
	cj->job.params[0] = cj->user;
	return cmd_submit_read(ctx, &cj->job, conv_list_result);
}

/* The table --------------------------------------------------------------- */

static const struct cmd_arg send_args[] = {
	{ "to", ARG_INT, 0, 20 },
	{ "space", ARG_INT, 0, 20 },
	{ "body", ARG_PROSE, 1, MESSAGE_BODY_MAX },
	{ NULL, 0, 0, 0 }
};

static const struct cmd_arg list_args[] = {
	{ "with", ARG_INT, 0, 20 },
	{ "space", ARG_INT, 0, 20 },
	{ "before", ARG_INT, 0, 20 },
	{ "limit", ARG_INT, 0, 20 },
	{ NULL, 0, 0, 0 }
};

static const struct cmd_arg read_args[] = {
	{ "with", ARG_INT, 0, 20 },
	{ "space", ARG_INT, 0, 20 },
	{ "upto", ARG_INT, 1, 20 },
	{ NULL, 0, 0, 0 }
};

const struct cmd cmd_message_table[] = {
	{ "MSG.SEND", cmd_msg_send, CMD_SESSION, PERM_NONE, send_args,
	  "write to a contact or in a space's discussion", CMD_RID },
	{ "MSG.LIST", cmd_msg_list, CMD_SESSION, PERM_NONE, list_args,
	  "a page of a conversation, oldest first", 0 },
	{ "MSG.READ", cmd_msg_read, CMD_SESSION, PERM_NONE, read_args,
	  "mark a conversation read up to a message", CMD_RID },
	{ "CONV.LIST", cmd_conv_list, CMD_SESSION, PERM_NONE, NULL,
	  "the caller's conversations, newest first", 0 },
	{ NULL, NULL, CMD_PUBLIC, 0, NULL, NULL, 0 }
};
