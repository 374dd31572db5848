/*
 * Professional contacts: CONTACTS, CONTACT.SHOW, CONTACT.PREFS, and the
 * invitation picker INVITE.CANDIDATES that offers them first.
 *
 * Who is whose contact is the view professional_contacts (everyone active
 * with the user in a business network that is not archived), read at each
 * request, so it is never out of step with the participants. Contacts and
 * their preferences are a paid feature: a user without a paid plan
 * (plan.h) gets plan_required, though they still count as a contact for
 * the paid users they share a network with.
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
#include "plan.h"
#include "presence.h"
#include "proto.h"
#include "session.h"
#include "space.h"
#include "str.h"
#include "xmalloc.h"

#define CANDIDATES_DEFAULT	20
#define CANDIDATES_MAX		100

/*
 * One contact of $1 (the caller), in the columns contact_line reads,
 * with the events' high-water mark read in the same snapshot (a row of
 * NULLs and the mark when there is no contact). A client applies what
 * happened after the mark on top, so a presence event that overtook the
 * reply is not undone by it (as SYNC does: cmd-events.c).
 */
#define CONTACT_MARKED(where) \
	"SELECT m.last AS mark, c.* FROM event_seq m LEFT JOIN LATERAL (" \
	CONTACT_COLUMNS where ") c ON true"
#define CONTACT_COLUMNS \
	"SELECT u.id, u.name, u.email, u.company, u.job_title," \
	" " PRESENCE_ONLINE_SQL("u.id") " AS online," \
	" (SELECT count(*) FROM spaces s" \
	"  JOIN participants a ON a.space_id = s.id" \
	"  AND a.user_id = $1::bigint AND a.status = 'active'" \
	"  JOIN participants b ON b.space_id = s.id" \
	"  AND b.user_id = u.id AND b.status = 'active'" \
	"  WHERE s.network AND s.archived_at IS NULL) AS networks," \
	" coalesce(cp.always_add, false) AS always_add," \
	" coalesce(cp.always_collaborator, false) AS always_collaborator," \
	" " MESSAGE_UNREAD_DIRECT_SQL("$1::bigint", "u.id") " AS unread" \
	" FROM professional_contacts pc JOIN users u ON u.id = pc.contact_id" \
	" LEFT JOIN contact_prefs cp ON cp.user_id = $1::bigint" \
	" AND cp.contact_id = u.id WHERE pc.user_id = $1::bigint"

const struct db_stmt contact_stmts[] = {
	{ "contact_paid",
	  "SELECT " PAID_SQL("$1::bigint") " AS paid" },
	{ "contact_list",
	  CONTACT_MARKED("") " ORDER BY lower(c.name), c.id" },
	{ "contact_one",
	  CONTACT_MARKED(" AND pc.contact_id = $2::bigint") },
	{ "contact_networks",
	  "SELECT s.id, s.title FROM spaces s"
	  " JOIN participants a ON a.space_id = s.id"
	  " AND a.user_id = $1::bigint AND a.status = 'active'"
	  " JOIN participants b ON b.space_id = s.id"
	  " AND b.user_id = $2::bigint AND b.status = 'active'"
	  " WHERE s.network AND s.archived_at IS NULL"
	  " ORDER BY lower(s.title), s.id" },
	{ "contact_prefs_set",
	  "INSERT INTO contact_prefs (user_id, contact_id, always_add,"
	  " always_collaborator) VALUES ($1::bigint, $2::bigint,"
	  " coalesce($3::boolean, false), coalesce($4::boolean, false))"
	  " ON CONFLICT (user_id, contact_id) DO UPDATE SET"
	  " always_add = coalesce($3::boolean, contact_prefs.always_add),"
	  " always_collaborator = coalesce($4::boolean,"
	  "  contact_prefs.always_collaborator), updated_at = now()"
	  " RETURNING always_add, always_collaborator" },
	/*
	 * Contacts first, then anyone active with the caller in any space;
	 * nobody who already has a place in this space. The prefix matches
	 * the start of the e-mail address, of the name, or of a word of it.
	 */
	{ "contact_candidates",
	  "WITH pc AS (SELECT contact_id AS id FROM professional_contacts"
	  "  WHERE user_id = $1::bigint AND " PAID_SQL("$1::bigint") "),"
	  " shared AS (SELECT b.user_id AS id FROM participants a"
	  "  JOIN participants b ON b.space_id = a.space_id"
	  "  AND b.user_id <> a.user_id AND b.status = 'active'"
	  "  WHERE a.user_id = $1::bigint AND a.status = 'active')"
	  " SELECT u.id, u.name, u.email, u.id IN (SELECT id FROM pc)"
	  "  AS contact FROM users u"
	  " WHERE (u.id IN (SELECT id FROM pc) OR u.id IN (SELECT id FROM shared))"
	  " AND NOT EXISTS (SELECT 1 FROM participants p"
	  "  WHERE p.space_id = $2::bigint AND p.user_id = u.id)"
	  " AND ($3 = '' OR starts_with(lower(u.email), lower($3))"
	  "  OR starts_with(lower(u.name), lower($3))"
	  "  OR EXISTS (SELECT 1 FROM regexp_split_to_table(lower(u.name),"
	  "   '\\s+') w WHERE starts_with(w, lower($3))))"
	  " ORDER BY contact DESC, lower(u.name), u.id LIMIT $4::int" },
	{ NULL, NULL }
};

struct contact_job {
	struct db_job	 job;
	int64_t		 user;
	int64_t		 session;
	int64_t		 contact;	/* CONTACT.*: the contact */
	int64_t		 space;		/* INVITE.CANDIDATES */
	int64_t		 limit;
	int		 always_add;	/* -1: unchanged */
	int		 always_collab;	/* -1: unchanged */
	char		*prefix;
	char		 address[64];
	char		 ids[3][STR_I64_LEN];
};

static void
contact_destroy(struct db_job *j)
{
	free(((struct contact_job *)j)->prefix);
}

static struct contact_job *
contact_job_new(struct cmd_ctx *ctx)
{
	struct contact_job *cj = xcalloc(1, sizeof *cj);
	const struct session *s = conn_session(ctx->conn);
	const char *prefix = proto_get(ctx->msg, "prefix");
	int64_t v;

	cj->user = s->user_id;
	cj->session = s->session_id;
	snprintf(cj->address, sizeof cj->address, "%s",
	    conn_address(ctx->conn));
	proto_get_i64(ctx->msg, "user", 0, INT64_MAX, &cj->contact);
	proto_get_i64(ctx->msg, "space", 0, INT64_MAX, &cj->space);
	cj->limit = CANDIDATES_DEFAULT;
	proto_get_i64(ctx->msg, "limit", 1, CANDIDATES_MAX, &cj->limit);
	cj->always_add = cj->always_collab = -1;
	if (proto_get_i64(ctx->msg, "always_add", 0, 1, &v) == 0)
		cj->always_add = (int)v;
	if (proto_get_i64(ctx->msg, "always_collaborator", 0, 1, &v) == 0)
		cj->always_collab = (int)v;
	cj->prefix = xstrdup(prefix != NULL ? prefix : "");
	cj->job.destroy = contact_destroy;
	return cj;
}

static const char *
flag(const PGresult *r, int i, const char *col)
{
	return strcmp(db_get(r, i, col), "t") == 0 ? "1" : "0";
}

static void
contact_line(struct buf *out, const char *tag, const PGresult *r, int i)
{
	static const char *const text[] = {
		"name", "email", "company", "job_title", "networks", "unread"
	};
	static const char *const flags[] = {
		"online", "always_add", "always_collaborator"
	};

	proto_begin(out, tag, "CONTACT");
	proto_add(out, "user", db_get(r, i, "id"));
	for (size_t c = 0; c < sizeof text / sizeof text[0]; c++)
		proto_add(out, text[c], db_get(r, i, text[c]));
	for (size_t c = 0; c < sizeof flags / sizeof flags[0]; c++)
		proto_add(out, flags[c], flag(r, i, flags[c]));
	proto_end(out);
}

/* How many contacts a CONTACT_MARKED result holds. */
static int
contact_rows(const PGresult *r)
{
	int n = PQntuples(r);

	return n == 1 && PQgetisnull(r, 0, PQfnumber(r, "id")) ? 0 : n;
}

/* The caller has a paid plan: 0, or -1 with the reply (or status). */
static int
contact_paid(struct contact_job *cj, struct db_conn *dc)
{
	const char *me[1] = { str_i64(cj->ids[0], cj->user) };
	PGresult *r;
	int paid;

	if ((r = db_query(&cj->job, dc, "contact_paid", 1, me)) == NULL)
		return -1;
	paid = strcmp(db_get(r, 0, "paid"), "t") == 0;
	PQclear(r);
	if (!paid)
		proto_err(cj->job.out, cj->job.tag, PERR_PLAN_REQUIRED,
		    "professional contacts need a paid plan (premium or pro)");
	return paid ? 0 : -1;
}

/* CONTACTS ---------------------------------------------------------------- */

static void
list_run(struct db_job *j, struct db_conn *dc)
{
	struct contact_job *cj = (struct contact_job *)j;
	const char *me[1] = { str_i64(cj->ids[0], cj->user) };
	PGresult *r;
	int rows;

	if (contact_paid(cj, dc) != 0 ||
	    (r = db_query(j, dc, "contact_list", 1, me)) == NULL)
		return;
	rows = contact_rows(r);
	for (int i = 0; i < rows; i++)
		contact_line(j->out, j->tag, r, i);
	proto_begin(j->out, j->tag, "OK");
	proto_add_i64(j->out, "count", rows);
	proto_add(j->out, "seq", db_get(r, 0, "mark"));
	proto_end(j->out);
	PQclear(r);
}

static enum cmd_result
cmd_contacts(struct cmd_ctx *ctx)
{
	return cmd_submit(ctx, &contact_job_new(ctx)->job, list_run, NULL);
}

/* CONTACT.SHOW ------------------------------------------------------------ */

/* The contact's row, or NULL: not_found written (or status set). */
static PGresult *
contact_find(struct contact_job *cj, struct db_conn *dc)
{
	const char *who[2] = { str_i64(cj->ids[0], cj->user),
	    str_i64(cj->ids[1], cj->contact) };
	PGresult *r;

	if (contact_paid(cj, dc) != 0 ||
	    (r = db_query(&cj->job, dc, "contact_one", 2, who)) == NULL)
		return NULL;
	if (contact_rows(r) == 0) {
		PQclear(r);
		proto_err(cj->job.out, cj->job.tag, PERR_NOT_FOUND,
		    "not one of your professional contacts");
		return NULL;
	}
	return r;
}

static void
show_run(struct db_job *j, struct db_conn *dc)
{
	struct contact_job *cj = (struct contact_job *)j;
	const char *who[2] = { cj->ids[0], cj->ids[1] };
	PGresult *r, *n;

	if ((r = contact_find(cj, dc)) == NULL)
		return;
	if ((n = db_query(j, dc, "contact_networks", 2, who)) == NULL) {
		PQclear(r);
		return;
	}
	contact_line(j->out, j->tag, r, 0);
	for (int i = 0; i < PQntuples(n); i++) {
		proto_begin(j->out, j->tag, "NETWORK");
		proto_add(j->out, "space", db_get(n, i, "id"));
		proto_add(j->out, "title", db_get(n, i, "title"));
		proto_end(j->out);
	}
	proto_begin(j->out, j->tag, "OK");
	proto_add_i64(j->out, "networks", PQntuples(n));
	proto_add(j->out, "seq", db_get(r, 0, "mark"));
	proto_end(j->out);
	PQclear(r);
	PQclear(n);
}

static enum cmd_result
cmd_contact_show(struct cmd_ctx *ctx)
{
	return cmd_submit(ctx, &contact_job_new(ctx)->job, show_run, NULL);
}

/* CONTACT.PREFS ----------------------------------------------------------- */

/* The prefs now, to the caller's other connections and in the reply. */
static int
prefs_tell(struct contact_job *cj, struct db_conn *dc, const PGresult *p)
{
	struct db_job *j = &cj->job;
	struct buf *data = buf_new(0);
	char target[32];
	int rc;

	proto_add_i64(data, "user", cj->contact);
	proto_add(data, "always_add", flag(p, 0, "always_add"));
	proto_add(data, "always_collaborator", flag(p, 0,
	    "always_collaborator"));
	snprintf(target, sizeof target, "user %lld", (long long)cj->contact);
	rc = event_emit(j, dc, "contact.prefs", 0, cj->user, data) != 0 ||
	    audit_record(j, dc, cj->user, cj->session, cj->address,
	    "contact.prefs", target, buf_cstr(data) + 1) != 0 ||
	    db_commit(j, dc) != 0 ? -1 : 0;
	if (rc == 0) {
		proto_begin(j->out, j->tag, "OK");
		proto_add_raw(j->out, buf_cstr(data) + 1);
		proto_end(j->out);
	}
	buf_free(data);
	return rc;
}

static void
prefs_run(struct db_job *j, struct db_conn *dc)
{
	struct contact_job *cj = (struct contact_job *)j;
	const char *set[4];
	PGresult *r;

	if (db_begin(j, dc) != 0 || (r = contact_find(cj, dc)) == NULL)
		return;
	PQclear(r);
	set[0] = cj->ids[0];
	set[1] = cj->ids[1];
	set[2] = cj->always_add < 0 ? NULL : cj->always_add ? "true" : "false";
	set[3] = cj->always_collab < 0 ? NULL : cj->always_collab ? "true" :
	    "false";
	if ((r = db_query(j, dc, "contact_prefs_set", 4, set)) == NULL)
		return;
	prefs_tell(cj, dc, r);
	PQclear(r);
}

static enum cmd_result
cmd_contact_prefs(struct cmd_ctx *ctx)
{
	if (!space_flag_ok(ctx->msg, "always_add") ||
	    !space_flag_ok(ctx->msg, "always_collaborator"))
		return cmd_err(ctx, PERR_INVALID, "always_add and "
		    "always_collaborator are 0 or 1");
	if (proto_get(ctx->msg, "always_add") == NULL &&
	    proto_get(ctx->msg, "always_collaborator") == NULL)
		return cmd_err(ctx, PERR_INVALID, "nothing to change: give "
		    "always_add or always_collaborator");
	return cmd_submit(ctx, &contact_job_new(ctx)->job, prefs_run, NULL);
}

/* INVITE.CANDIDATES ------------------------------------------------------- */

static void
candidates_run(struct db_job *j, struct db_conn *dc)
{
	struct contact_job *cj = (struct contact_job *)j;
	struct space_access a;
	const char *q[4];
	PGresult *r;
	int rows;

	if (db_begin(j, dc) != 0 ||
	    space_open(j, dc, cj->space, cj->user, SPACE_INVITE, &a) != 0)
		return;
	q[0] = str_i64(cj->ids[0], cj->user);
	q[1] = str_i64(cj->ids[1], cj->space);
	q[2] = cj->prefix;
	q[3] = str_i64(cj->ids[2], cj->limit);
	if ((r = db_query(j, dc, "contact_candidates", 4, q)) == NULL)
		return;
	rows = PQntuples(r);
	if (db_commit(j, dc) == 0) {
		for (int i = 0; i < rows; i++) {
			proto_begin(j->out, j->tag, "CANDIDATE");
			proto_add(j->out, "user", db_get(r, i, "id"));
			proto_add(j->out, "name", db_get(r, i, "name"));
			proto_add(j->out, "email", db_get(r, i, "email"));
			proto_add(j->out, "contact", flag(r, i, "contact"));
			proto_end(j->out);
		}
		proto_begin(j->out, j->tag, "OK");
		proto_add_i64(j->out, "count", rows);
		proto_end(j->out);
	}
	PQclear(r);
}

static enum cmd_result
cmd_invite_candidates(struct cmd_ctx *ctx)
{
	int64_t limit;

	if (proto_get(ctx->msg, "limit") != NULL &&
	    proto_get_i64(ctx->msg, "limit", 1, CANDIDATES_MAX, &limit) != 0)
		return cmd_err(ctx, PERR_INVALID, "limit is from 1 to 100");
	return cmd_submit(ctx, &contact_job_new(ctx)->job, candidates_run,
	    NULL);
}

/* The table --------------------------------------------------------------- */

static const struct cmd_arg user_args[] = {
	{ "user", ARG_INT, 1, 20 },
	{ NULL, 0, 0, 0 }
};

static const struct cmd_arg prefs_args[] = {
	{ "user", ARG_INT, 1, 20 },
	{ "always_add", ARG_INT, 0, 1 },
	{ "always_collaborator", ARG_INT, 0, 1 },
	{ NULL, 0, 0, 0 }
};

static const struct cmd_arg candidates_args[] = {
	{ "space", ARG_INT, 1, 20 },
	{ "prefix", ARG_LINE, 0, 254 },
	{ "limit", ARG_INT, 0, 3 },
	{ NULL, 0, 0, 0 }
};

const struct cmd cmd_contact_table[] = {
	{ "CONTACTS", cmd_contacts, CMD_VERIFIED, PERM_NONE, NULL,
	  "your professional contacts (paid plans)", 0 },
	{ "CONTACT.SHOW", cmd_contact_show, CMD_VERIFIED, PERM_NONE, user_args,
	  "a professional contact and your networks in common", 0 },
	{ "CONTACT.PREFS", cmd_contact_prefs, CMD_VERIFIED, PERM_NONE, prefs_args,
	  "set the invitation preferences for a professional contact", CMD_RID },
	{ "INVITE.CANDIDATES", cmd_invite_candidates, CMD_VERIFIED, PERM_NONE,
	  candidates_args,
	  "people to invite to a space: your professional contacts first", 0 },
	{ NULL, NULL, CMD_PUBLIC, 0, NULL, NULL, 0 }
};
