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
#include "db.h"
#include "event.h"
#include "message.h"
#include "proto.h"
#include "request.h"
#include "space.h"
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
	  "  JOIN space_readers r ON r.space_id = c.space_id"
	  "  AND r.user_id = $1::bigint WHERE c.kind = 'space')"
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

/*
 * A request naming its conversation by to= or with= (a user) or space=
 * (the schema lets through exactly one of them). The conversation is
 * found, or made, by the open hook.
 */
struct msg_req {
	struct req	 req;
	int		 make;		/* MSG.SEND: made on first use */
	int		 in_space;	/* space= rather than a user */
	int64_t		 with;		/* the other user */
	int64_t		 conv;		/* 0: none yet */
};

/* Loop thread: the other user is not the caller. */
static enum cmd_result
msg_prepare(struct req *r, struct cmd_ctx *ctx, const char *key, int make)
{
	struct msg_req *m = (struct msg_req *)r;

	m->in_space = req_has(r, "space");
	m->with = req_int(r, key);
	m->make = make;
	if (!m->in_space && m->with == r->user)
		return cmd_err(ctx, PERR_INVALID, "a private conversation is "
		    "with someone else");
	return CMD_PENDING;
}

static enum cmd_result
send_prepare(struct req *r, struct cmd_ctx *ctx)
{
	const char *body = req_str(r, "body");

	if (body[strspn(body, " \t\n")] == '\0')
		return cmd_err(ctx, PERR_INVALID, "a message cannot be empty");
	return msg_prepare(r, ctx, "to", 1);
}

static enum cmd_result
with_prepare(struct req *r, struct cmd_ctx *ctx)
{
	return msg_prepare(r, ctx, "with", 0);
}

/*
 * The open hook: checks the caller may use the conversation the request
 * names, then finds it (or makes it) in m->conv. 0, or -1 with the reply
 * written or the job failed.
 */
static int
msg_open(struct req *r, struct db_conn *dc)
{
	struct msg_req *m = (struct msg_req *)r;
	struct db_job *j = &r->job;
	int64_t space = req_int(r, "space");
	PGresult *res;
	int allowed;

	if (m->in_space) {
		if (req_open_space(r, dc, space, SPACE_SEE) != 0)
			return -1;
		if (m->make && space_active(j, &r->space) != 0)
			return -1;
		if (db_valuef(j, dc, m->make ? "msg_space_make" :
		    "msg_space_find", "id", &m->conv, "i", space) != 0)
			return -1;
	} else {
		if ((res = db_queryf(j, dc, "msg_peer", "ii", r->user,
		    m->with)) == NULL)
			return -1;
		/* A user id that names no one is answered as a stranger's
		   is (no conversation; not allowed to write), so that the
		   answer does not tell which ids exist. */
		allowed = PQntuples(res) > 0 && strcmp(db_get(res, 0,
		    "allowed"), "t") == 0;
		PQclear(res);
		/* Only writing needs the two to know each other now. */
		if (m->make && !allowed)
			return req_err(r, PERR_FORBIDDEN, MSG_FORBIDDEN);
		if (db_valuef(j, dc, m->make ? "msg_direct_make" :
		    "msg_direct_find", "id", &m->conv, "ii", r->user,
		    m->with) != 0)
			return -1;
	}
	req_target(r, "conversation %lld", (long long)m->conv);
	return 0;
}

/* The caller's read position and unread count in m->conv. */
static int
msg_state(struct msg_req *m, struct db_conn *dc, int64_t *last_read,
    int64_t *unread)
{
	PGresult *res;

	*last_read = *unread = 0;
	if (m->conv == 0)
		return 0;
	if ((res = db_queryf(&m->req.job, dc, "msg_state", "ii", m->conv,
	    m->req.user)) == NULL)
		return -1;
	*last_read = db_get_i64(res, 0, "last_read");
	*unread = db_get_i64(res, 0, "unread");
	PQclear(res);
	return 0;
}

/* Moves the caller's read position to upto if that is forward; *moved. */
static int
msg_mark(struct msg_req *m, struct db_conn *dc, int64_t upto, int *moved)
{
	PGresult *res;

	if ((res = db_queryf(&m->req.job, dc, "msg_mark_read", "iii", m->conv,
	    m->req.user, upto)) == NULL)
		return -1;
	if (moved != NULL)
		*moved = PQntuples(res) > 0;
	PQclear(res);
	return 0;
}

/* MSG.SEND ---------------------------------------------------------------- */

/* message.new to both users, or to everyone in the space. */
static int
send_event(struct msg_req *m, struct db_conn *dc, const PGresult *msg)
{
	struct req *r = &m->req;
	struct buf *data = buf_new(0);
	int rc;

	proto_add(data, "id", db_get(msg, 0, "id"));
	proto_add_i64(data, "conversation", m->conv);
	proto_add(data, "kind", m->in_space ? "space" : "direct");
	proto_add_i64(data, "from", r->user);
	proto_add(data, "name", db_get(msg, 0, "name"));
	if (m->in_space)
		proto_add_i64(data, "space", r->space.space);
	else
		proto_add_i64(data, "to", m->with);
	proto_add(data, "at", db_get(msg, 0, "at"));
	proto_add(data, "body", req_str(r, "body"));
	if (m->in_space)
		rc = space_emit_shared(&r->job, dc, r->space.space,
		    "message.new", data);
	else
		rc = event_emit(&r->job, dc, "message.new", 0, r->user,
		    data) != 0 || event_emit(&r->job, dc, "message.new", 0,
		    m->with, data) != 0;
	buf_free(data);
	return rc;
}

static int
send_tx(struct req *r, struct db_conn *dc)
{
	struct msg_req *m = (struct msg_req *)r;
	struct db_job *j = &r->job;
	PGresult *res;
	int rc;

	if ((res = db_queryf(j, dc, "msg_insert", "iis", m->conv, r->user,
	    req_str(r, "body"))) == NULL)
		return -1;
	/* The sender has read what they wrote. */
	rc = msg_mark(m, dc, db_get_i64(res, 0, "id"), NULL) != 0 ||
	    send_event(m, dc, res) != 0 ? -1 : 0;
	if (rc == 0) {
		proto_begin(j->out, j->tag, "OK");
		proto_add(j->out, "id", db_get(res, 0, "id"));
		proto_add_i64(j->out, "conversation", m->conv);
		proto_add(j->out, "at", db_get(res, 0, "at"));
		proto_end(j->out);
	}
	PQclear(res);
	return rc;
}

/* MSG.LIST ---------------------------------------------------------------- */

/*
 * A page holds the newest rows before `before`, up to the limit and the
 * byte budget (cmd.h), sent oldest first: they are formatted newest
 * first, to know where the budget cuts, then copied out in order.
 */
static void
list_reply(struct msg_req *m, const PGresult *page, int64_t limit,
    int64_t last_read, int64_t unread)
{
	static const char *const cols[] = {
		"id", "from=sender_id", "name", "at", "body", NULL
	};
	struct db_job *j = &m->req.job;
	int rows = page != NULL ? PQntuples(page) : 0, n = 0, more;
	struct buf *lines = buf_new(0);
	size_t *start = xcalloc((size_t)rows + 1, sizeof *start);

	while (n < rows && n < limit && !cmd_page_full(lines, m->req.page, n)) {
		start[n] = buf_len(lines);
		req_row(lines, j->tag, "MESSAGE", page, n++, cols);
	}
	start[n] = buf_len(lines);
	more = n < rows;
	for (int i = n - 1; i >= 0; i--)
		buf_add(j->out, buf_data(lines) + start[i], start[i + 1] -
		    start[i]);
	free(start);
	buf_free(lines);
	proto_begin(j->out, j->tag, "OK");
	proto_add_i64(j->out, "conversation", m->conv);
	proto_add_i64(j->out, "count", n);
	proto_add_i64(j->out, "more", more);
	proto_add_i64(j->out, "last_read", last_read);
	proto_add_i64(j->out, "unread", unread);
	proto_end(j->out);
}

static int
list_tx(struct req *r, struct db_conn *dc)
{
	struct msg_req *m = (struct msg_req *)r;
	int64_t limit = req_has(r, "limit") ? req_int(r, "limit") :
	    MSG_LIST_DEFAULT;
	PGresult *page = NULL;
	int64_t last_read, unread;

	if ((m->conv != 0 && (page = db_queryf(&r->job, dc, "msg_page",
	    "iiii", m->conv, req_has(r, "before") ? req_int(r, "before") :
	    INT64_MAX, limit + 1, (int64_t)r->page)) == NULL) ||
	    msg_state(m, dc, &last_read, &unread) != 0) {
		PQclear(page);
		return -1;
	}
	list_reply(m, page, limit, last_read, unread);
	PQclear(page);
	return 0;
}

/* MSG.READ ---------------------------------------------------------------- */

/* conversation.read to the reader: their other clients catch up. */
static int
read_event(struct msg_req *m, struct db_conn *dc, int64_t last_read,
    int64_t unread)
{
	struct req *r = &m->req;
	struct buf *data = buf_new(0);
	int rc;

	proto_add_i64(data, "conversation", m->conv);
	if (m->in_space)
		proto_add_i64(data, "space", r->space.space);
	else
		proto_add_i64(data, "with", m->with);
	proto_add_i64(data, "upto", last_read);
	proto_add_i64(data, "unread", unread);
	rc = m->in_space ? space_emit_to(&r->job, dc, r->space.space, r->user,
	    "conversation.read", data) : event_emit(&r->job, dc,
	    "conversation.read", 0, r->user, data);
	buf_free(data);
	return rc;
}

/* Recorded (r->action) only if the read position moved. */
static int
read_tx(struct req *r, struct db_conn *dc)
{
	struct msg_req *m = (struct msg_req *)r;
	int64_t last_read, unread, found;
	int moved;

	if (db_valuef(&r->job, dc, "msg_in_conversation", NULL, &found, "ii",
	    m->conv, req_int(r, "upto")) != 0)
		return -1;
	if (!found)
		return req_err(r, PERR_NOT_FOUND, "no such message in this "
		    "conversation");
	if (msg_mark(m, dc, req_int(r, "upto"), &moved) != 0 ||
	    msg_state(m, dc, &last_read, &unread) != 0 ||
	    (moved && read_event(m, dc, last_read, unread) != 0))
		return -1;
	if (moved)
		r->action = "conversation.read";
	req_ok_i64(r->job.out, r->job.tag, "unread", unread);
	return 0;
}

/* CONV.LIST --------------------------------------------------------------- */

static void
conv_list_result(struct db_job *j, const PGresult *r)
{
	static const char *const direct[] = {
		"id", "kind", "with=other", "name", "last", "at", "unread", NULL
	};
	static const char *const space[] = {
		"id", "kind", "space=space_id", "title", "last", "at", "unread",
		NULL
	};
	int rows = PQntuples(r);

	for (int i = 0; i < rows; i++)
		req_row(j->out, j->tag, "CONVERSATION", r, i,
		    strcmp(db_get(r, i, "kind"), "direct") == 0 ? direct :
		    space);
	req_ok_i64(j->out, j->tag, "count", rows);
}

/* The table --------------------------------------------------------------- */

static const struct cmd_arg send_args[] = {
	ARG("to", ARG_ID, 0, 20, .oneof = 1),
	ARG("space", ARG_ID, 0, 20, .oneof = 1),
	ARG("body", ARG_PROSE, 1, MESSAGE_BODY_MAX),
	{ NULL }
};

static const struct cmd_arg list_args[] = {
	ARG("with", ARG_ID, 0, 20, .oneof = 1),
	ARG("space", ARG_ID, 0, 20, .oneof = 1),
	ARG("before", ARG_ID, 0, 20),
	ARG("limit", ARG_INT, 0, 20, .lo = 1, .hi = MSG_LIST_MAX),
	{ NULL }
};

static const struct cmd_arg read_args[] = {
	ARG("with", ARG_ID, 0, 20, .oneof = 1),
	ARG("space", ARG_ID, 0, 20, .oneof = 1),
	ARG("upto", ARG_ID, 1, 20),
	{ NULL }
};

const struct cmd cmd_message_table[] = {
	{ "MSG.SEND", CMD_SESSION, AREA_CONVERSATIONS, TARGET_OBJECT, 0,
	  send_args, "write to a contact or in a space's discussion",
	  .size = sizeof(struct msg_req), .prepare = send_prepare,
	  .open = msg_open, .tx = send_tx, .audit = "message.send",
	  .flags = CMD_RID },
	{ "MSG.LIST", CMD_SESSION, AREA_CONVERSATIONS, TARGET_OBJECT, 0,
	  list_args, "a page of a conversation, oldest first",
	  .size = sizeof(struct msg_req), .prepare = with_prepare,
	  .open = msg_open, .tx = list_tx },
	{ "MSG.READ", CMD_SESSION, AREA_CONVERSATIONS, TARGET_OBJECT, 0,
	  read_args, "mark a conversation read up to a message",
	  .size = sizeof(struct msg_req), .prepare = with_prepare,
	  .open = msg_open, .tx = read_tx,
	  .flags = CMD_RID },
	{ "CONV.LIST", CMD_SESSION, AREA_CONVERSATIONS, TARGET_SELF, 0, NULL,
	  "the caller's conversations, newest first", .stmt = "conv_list",
	  .result = conv_list_result },
	{ NULL }
};
