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
#include "db.h"
#include "event.h"
#include "message.h"
#include "plan.h"
#include "presence.h"
#include "proto.h"
#include "request.h"
#include "space.h"
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

static void
contact_line(struct buf *out, const char *tag, const PGresult *r, int i)
{
	static const char *const cols[] = {
		"user=id", "name", "email", "company", "job_title", "networks",
		"unread", "online", "always_add", "always_collaborator", NULL
	};

	req_row(out, tag, "CONTACT", r, i, cols);
}

/* How many contacts a CONTACT_MARKED result holds. */
static int
contact_rows(const PGresult *r)
{
	int n = PQntuples(r);

	return n == 1 && PQgetisnull(r, 0, PQfnumber(r, "id")) ? 0 : n;
}

/* CONTACTS: the list, after the plan check. */
static void
list_run(struct db_job *j, struct db_conn *dc)
{
	struct req *r = (struct req *)j;
	PGresult *res;
	int rows;

	if (plan_require_user(r, dc) != 0 ||
	    (res = db_queryf(j, dc, "contact_list", "i", r->user)) == NULL)
		return;
	rows = contact_rows(res);
	for (int i = 0; i < rows; i++)
		contact_line(j->out, j->tag, res, i);
	proto_begin(j->out, j->tag, "OK");
	proto_add_i64(j->out, "count", rows);
	proto_add(j->out, "seq", db_get(res, 0, "mark"));
	proto_end(j->out);
	PQclear(res);
}

/* The contact user= of the caller, or NULL: not_found written (or status
   set). */
static PGresult *
contact_find(struct req *r, struct db_conn *dc)
{
	PGresult *res;

	if (plan_require_user(r, dc) != 0 || (res = db_queryf(&r->job, dc,
	    "contact_one", "ii", r->user, req_int(r, "user"))) == NULL)
		return NULL;
	if (contact_rows(res) == 0) {
		PQclear(res);
		req_err(r, PERR_NOT_FOUND, "not one of your professional "
		    "contacts");
		return NULL;
	}
	return res;
}

/* CONTACT.SHOW: the contact and the networks in common. */
static void
show_run(struct db_job *j, struct db_conn *dc)
{
	struct req *r = (struct req *)j;
	static const char *const cols[] = { "space=id", "title", NULL };
	PGresult *res, *n;

	if ((res = contact_find(r, dc)) == NULL)
		return;
	if ((n = db_queryf(j, dc, "contact_networks", "ii", r->user,
	    req_int(r, "user"))) == NULL) {
		PQclear(res);
		return;
	}
	contact_line(j->out, j->tag, res, 0);
	for (int i = 0; i < PQntuples(n); i++)
		req_row(j->out, j->tag, "NETWORK", n, i, cols);
	proto_begin(j->out, j->tag, "OK");
	proto_add_i64(j->out, "networks", PQntuples(n));
	proto_add(j->out, "seq", db_get(res, 0, "mark"));
	proto_end(j->out);
	PQclear(res);
	PQclear(n);
}

/*
 * CONTACT.PREFS: the prefs now, to the caller's other connections, in
 * the audit row and in the reply.
 */
static int
prefs_tx(struct req *r, struct db_conn *dc)
{
	struct db_job *j = &r->job;
	int64_t contact = req_int(r, "user");
	struct buf *data;
	PGresult *res;
	int rc;

	if (!req_has(r, "always_add") && !req_has(r, "always_collaborator"))
		return req_err(r, PERR_INVALID, "nothing to change: give "
		    "always_add or always_collaborator");
	if ((res = contact_find(r, dc)) == NULL)
		return -1;
	PQclear(res);
	if ((res = db_queryf(j, dc, "contact_prefs_set", "iibb", r->user,
	    contact, req_bool(r, "always_add"),
	    req_bool(r, "always_collaborator"))) == NULL)
		return -1;
	data = buf_new(0);
	proto_add_i64(data, "user", contact);
	proto_add(data, "always_add", db_get_flag(res, 0, "always_add"));
	proto_add(data, "always_collaborator", db_get_flag(res, 0,
	    "always_collaborator"));
	PQclear(res);
	req_target(r, "user %lld", (long long)contact);
	r->detail = xstrdup(buf_cstr(data) + 1);
	if ((rc = event_emit(j, dc, "contact.prefs", 0, r->user, data)) == 0) {
		proto_begin(j->out, j->tag, "OK");
		proto_add_raw(j->out, r->detail);
		proto_end(j->out);
	}
	buf_free(data);
	return rc;
}

/* INVITE.CANDIDATES: who the caller may invite, contacts first. */
static int
candidates_tx(struct req *r, struct db_conn *dc)
{
	static const char *const cols[] = {
		"user=id", "name", "email", "contact", NULL
	};
	struct db_job *j = &r->job;
	const char *prefix = req_str(r, "prefix");
	PGresult *res;
	int rows;

	if ((res = db_queryf(j, dc, "contact_candidates", "iisi", r->user,
	    r->space.space, prefix != NULL ? prefix : "",
	    req_has(r, "limit") ? req_int(r, "limit") :
	    (int64_t)CANDIDATES_DEFAULT)) == NULL)
		return -1;
	rows = PQntuples(res);
	for (int i = 0; i < rows; i++)
		req_row(j->out, j->tag, "CANDIDATE", res, i, cols);
	req_ok_i64(j->out, j->tag, "count", rows);
	PQclear(res);
	return 0;
}

/* The table --------------------------------------------------------------- */

static const struct cmd_arg user_args[] = {
	ARG("user", ARG_ID, 1, 20),
	{ NULL }
};

static const struct cmd_arg prefs_args[] = {
	ARG("user", ARG_ID, 1, 20),
	ARG("always_add", ARG_BOOL, 0, 1),
	ARG("always_collaborator", ARG_BOOL, 0, 1),
	{ NULL }
};

static const struct cmd_arg candidates_args[] = {
	ARG("space", ARG_ID, 1, 20),
	ARG("prefix", ARG_LINE, 0, 254),
	ARG("limit", ARG_INT, 0, 3, .lo = 1, .hi = CANDIDATES_MAX),
	{ NULL }
};

const struct cmd cmd_contact_table[] = {
	{ "CONTACTS", CMD_VERIFIED, AREA_CONTACTS, TARGET_SELF, 0, NULL,
	  "your professional contacts (paid plans)", .run = list_run },
	{ "CONTACT.SHOW", CMD_VERIFIED, AREA_CONTACTS, TARGET_SELF, 0,
	  user_args, "a professional contact and your networks in common",
	  .run = show_run },
	{ "CONTACT.PREFS", CMD_VERIFIED, AREA_CONTACTS, TARGET_SELF, 0,
	  prefs_args, "set the invitation preferences for a professional "
	  "contact", .tx = prefs_tx, .audit = "contact.prefs",
	  .flags = CMD_RID },
	{ "INVITE.CANDIDATES", CMD_VERIFIED, AREA_CONTACTS, TARGET_SPACE,
	  SPACE_INVITE, candidates_args,
	  "people to invite to a space: your professional contacts first",
	  .tx = candidates_tx },
	{ NULL }
};
