/*
 * Spaces: SPACE.CREATE, SPACE.LIST, SPACE.SHOW, SPACE.EDIT, SPACE.ARCHIVE,
 * SPACE.REACTIVATE, SPACE.DELETE. Who may do what is decided in space.c
 * (space_open and space_admit, which the request core calls with each
 * verb's need) inside each request's transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cmd.h"
#include "db.h"
#include "invite.h"
#include "plan.h"
#include "proto.h"
#include "request.h"
#include "space.h"
#include "xmalloc.h"

/* Counts shown with every space: people in it, invitations still pending,
   those pending 7 days or more, and access requests waiting. */
#define SPACE_COUNTS \
	" (SELECT count(*) FROM participants q WHERE q.space_id = s.id" \
	"  AND q.status IN ('active', 'pending')) AS people," \
	" (SELECT count(*) FROM participants q WHERE q.space_id = s.id" \
	"  AND q.status = 'pending') AS pending," \
	" (SELECT count(*) FROM participants q WHERE q.space_id = s.id" \
	"  AND q.status = 'pending'" \
	"  AND q.invited_at <= now() - interval '7 days') AS overdue," \
	" (SELECT count(*) FROM participants q WHERE q.space_id = s.id" \
	"  AND q.status = 'requested') AS requests"

const struct db_stmt space_cmd_stmts[] = {
	{ "space_create",
	  "INSERT INTO spaces (workspace_id, creator_id, title, description,"
	  " externals_invite, network) VALUES ($1::bigint, $2::bigint, $3, $4,"
	  " $5::boolean, $6::boolean) RETURNING id" },
	{ "space_add_owner",
	  "INSERT INTO participants (space_id, user_id, role, status,"
	  " last_active_at) VALUES ($1::bigint, $2::bigint, 'owner', 'active',"
	  " now())" },
	{ "space_list",
	  "SELECT s.id, s.title, s.description, s.workspace_id, s.creator_id,"
	  " s.externals_invite, s.network, s.archived_at IS NOT NULL AS archived,"
	  " participant_role(p.role, s.network) AS role,"
	  SPACE_COUNTS
	  " FROM space_readers r JOIN spaces s ON s.id = r.space_id"
	  " JOIN participants p ON p.space_id = s.id AND p.user_id = r.user_id"
	  " WHERE r.user_id = $1::bigint"
	  " ORDER BY lower(s.title), s.id" },
	{ "space_get",
	  "SELECT s.id, s.title, s.description, s.workspace_id, s.creator_id,"
	  " s.externals_invite, s.network, s.archived_at IS NOT NULL AS archived,"
	  " $2::text AS role," SPACE_COUNTS
	  " FROM spaces s WHERE s.id = $1::bigint" },
	/* Managers also see who asked for access and who was revoked. Each
	   as the space knows them (space.h). */
	{ "space_people",
	  "SELECT u.id, u.email," SPACE_PROFILE_COLUMNS ","
	  " participant_role(p.role, s.network) AS role, p.status,"
	  " extract(epoch FROM p.invited_at)::bigint AS invited,"
	  " coalesce(extract(epoch FROM p.last_active_at)::bigint, 0)"
	  "  AS active,"
	  " p.status = 'pending' AND p.invited_at <= now() - interval '7 days'"
	  "  AS overdue"
	  " FROM participants p JOIN users u ON u.id = p.user_id"
	  " JOIN spaces s ON s.id = p.space_id"
	  " WHERE p.space_id = $1::bigint"
	  " AND (p.status IN ('active', 'pending') OR $2::boolean)"
	  " ORDER BY p.role = 'external', p.role <> 'owner',"
	  " lower(coalesce(p.local_name, u.name)), u.id" },
	{ "space_update",
	  "UPDATE spaces SET title = coalesce($2, title),"
	  " description = coalesce($3, description),"
	  " externals_invite = coalesce($4::boolean, externals_invite),"
	  " updated_at = now() WHERE id = $1::bigint"
	  " RETURNING title, description, externals_invite" },
	{ "space_archive",
	  "UPDATE spaces SET archived_at = now(), updated_at = now()"
	  " WHERE id = $1::bigint" },
	{ "space_reactivate",
	  "UPDATE spaces SET archived_at = NULL, updated_at = now()"
	  " WHERE id = $1::bigint" },
	/*
	 * SPACE.DELETE, in this order (delete_run says why): who is told,
	 * the mail not sent yet, the audit log's details, the space and all
	 * that cascades from it, its events, then the tombstones.
	 */
	{ "space_delete_audience",
	  "SELECT coalesce((SELECT array_agg(r.user_id ORDER BY r.user_id)"
	  "  FROM space_readers r WHERE r.space_id = $1::bigint), '{}')"
	  "  AS readers,"
	  " coalesce((SELECT array_agg(p.user_id ORDER BY p.user_id)"
	  "  FROM participants p JOIN spaces s ON s.id = p.space_id"
	  "  WHERE p.space_id = $1::bigint AND s.network"
	  "  AND p.status = 'active'), '{}') AS contacts" },
	{ "space_delete_mail",
	  "DELETE FROM outbox WHERE space_id = $1::bigint"
	  " AND sent_at IS NULL AND failed_at IS NULL" },
	{ "space_delete_audit",
	  "UPDATE audit_log SET detail = NULL WHERE target LIKE 'space %'"
	  " AND substring(target from '^space ([0-9]+)')::bigint = $1::bigint"
	  " AND detail IS NOT NULL" },
	{ "space_delete",
	  "DELETE FROM spaces WHERE id = $1::bigint" },
	/* Every event about the space, shared and addressed, each kind by
	   its index (sql/010_space_content.sql), and the users told. */
	{ "space_delete_events",
	  "WITH shared AS (DELETE FROM events WHERE space_id = $1::bigint"
	  "  AND user_id IS NULL),"
	  " told AS (DELETE FROM events WHERE space_id = $1::bigint"
	  "  AND user_id IS NOT NULL RETURNING user_id)"
	  " SELECT coalesce(array_agg(DISTINCT user_id), '{}') AS told"
	  " FROM told" },
	/* $2 to the users of $4 and $5, once each. */
	{ "space_tombstone",
	  "INSERT INTO events (type, user_id, space_id, data)"
	  " SELECT $2, t.u, $1::bigint, $3"
	  " FROM (SELECT unnest($4::bigint[]) UNION"
	  "  SELECT unnest($5::bigint[])) t (u)"
	  " JOIN users ON users.id = t.u ORDER BY t.u" },
	{ NULL, NULL }
};

/* The event data of a space: its id and title, plus what changed. */
static struct buf *
space_data(int64_t space, const char *title)
{
	struct buf *b = buf_new(0);

	proto_add_i64(b, "space", space);
	if (title != NULL)
		proto_add(b, "title", title);
	return b;
}

/* One SPACE data line from a row of space_list or space_get. */
static void
space_line(struct buf *out, const char *tag, const PGresult *r, int i)
{
	static const char *const cols[] = {
		"id", "title", "description", "role", "people", "pending",
		"overdue", "requests", "workspace=workspace_id",
		"creator=creator_id", "archived", "externals_invite", "network",
		NULL
	};

	req_row(out, tag, "SPACE", r, i, cols);
}

/*
 * A title of spaces alone is none, which the schema lets by. What the
 * schema cannot say is checked in the transaction, once the target is
 * open: whoever may not act on a space hears that first, not what else
 * is wrong with the request.
 */
static int
title_check(struct req *r)
{
	const char *title = req_str(r, "title");

	if (title != NULL && title[strspn(title, " ")] == '\0')
		return req_err(r, PERR_INVALID, "a space needs a title");
	return 0;
}

/* SPACE.CREATE ------------------------------------------------------------ */

/* The space, its creator its owner, and the contacts the creator always
   adds to a new space invited (INVITED lines before the OK): the job is
   an inviter's (invite.h). */
static int
create_tx(struct req *r, struct db_conn *dc)
{
	struct inviter *iv = &((struct invite_req *)r)->iv;
	struct db_job *j = &r->job;
	const char *title = req_str(r, "title"), *desc;
	int network = req_bool(r, "network") == 1;
	struct buf *data;
	PGresult *res;
	int rc;

	if (title_check(r) != 0 || (network &&
	    plan_require_workspace(r, dc, r->workspace) != 0))
		return -1;
	desc = req_has(r, "description") ? req_str(r, "description") : "";
	if ((res = db_queryf(j, dc, "space_create", "iissbb", r->workspace,
	    r->user, title, desc, req_bool(r, "externals_invite") == 1,
	    network)) == NULL)
		return -1;
	iv->space = db_get_i64(res, 0, "id");
	PQclear(res);
	data = space_data(iv->space, title);
	proto_add(data, "network", network ? "1" : "0");
	rc = db_commandf(j, dc, "space_add_owner", "ii", iv->space, r->user) ||
	    space_emit(j, dc, iv->space, "space.created", data) ||
	    req_open_space(r, dc, iv->space, SPACE_SEE) ||
	    invite_always(iv, dc, &r->space) ? -1 : 0;
	buf_free(data);
	if (rc != 0)
		return -1;
	r->detail = xstrdup(title);
	req_ok_i64(j->out, j->tag, "space", iv->space);
	return 0;
}

/* SPACE.LIST -------------------------------------------------------------- */

static void
list_result(struct db_job *j, const PGresult *r)
{
	int rows = PQntuples(r);

	for (int i = 0; i < rows; i++)
		space_line(j->out, j->tag, r, i);
	req_ok_i64(j->out, j->tag, "count", rows);
}

/* SPACE.SHOW -------------------------------------------------------------- */

static void
person_line(struct buf *out, const char *tag, const PGresult *r, int i)
{
	static const char *const cols[] = {
		"email", "role", "status", "invited", "active"
	};

	proto_begin(out, tag, "PARTICIPANT");
	proto_add(out, "user", db_get(r, i, "id"));
	space_profile_add(out, r, i);
	for (size_t c = 0; c < sizeof cols / sizeof cols[0]; c++)
		proto_add(out, cols[c], db_get(r, i, cols[c]));
	proto_add(out, "overdue", db_get_flag(r, i, "overdue"));
	proto_end(out);
}

/* Read in the transaction that opened the space: what it shows is what
   the caller's access was checked against. */
static int
show_tx(struct req *r, struct db_conn *dc)
{
	struct db_job *j = &r->job;
	PGresult *s, *p;

	if ((s = db_queryf(j, dc, "space_get", "is", r->space.space,
	    r->space.role)) == NULL)
		return -1;
	if ((p = db_queryf(j, dc, "space_people", "ib", r->space.space,
	    r->space.manager)) == NULL) {
		PQclear(s);
		return -1;
	}
	space_line(j->out, j->tag, s, 0);
	for (int i = 0; i < PQntuples(p); i++)
		person_line(j->out, j->tag, p, i);
	space_people_ok(j->out, j->tag, db_get_i64(s, 0, "people"));
	PQclear(s);
	PQclear(p);
	return 0;
}

/* SPACE.EDIT -------------------------------------------------------------- */

static int
edit_tx(struct req *r, struct db_conn *dc)
{
	struct db_job *j = &r->job;
	struct buf *data;
	PGresult *u;
	int rc;

	if (!req_has(r, "title") && !req_has(r, "description") &&
	    !req_has(r, "externals_invite"))
		return req_err(r, PERR_INVALID, "nothing to change: give "
		    "title, description or externals_invite");
	if (title_check(r) != 0)
		return -1;
	if ((u = db_queryf(j, dc, "space_update", "issb", r->space.space,
	    req_str(r, "title"), req_str(r, "description"),
	    req_bool(r, "externals_invite"))) == NULL)
		return -1;
	data = space_data(r->space.space, db_get(u, 0, "title"));
	proto_add(data, "description", db_get(u, 0, "description"));
	proto_add(data, "externals_invite", db_get_flag(u, 0,
	    "externals_invite"));
	PQclear(u);
	rc = space_emit(j, dc, r->space.space, "space.updated", data);
	buf_free(data);
	return rc;
}

/* SPACE.ARCHIVE, SPACE.REACTIVATE, SPACE.DELETE ---------------------------- */

/*
 * Archiving tells everyone first: the event must reach the externals
 * too, before archiving takes the space from them; reactivating tells
 * them after. Archived or gone, a network no longer makes contacts.
 */
static int
lifecycle_tx(struct req *r, struct db_conn *dc)
{
	struct db_job *j = &r->job;
	int reactivate = r->cmd->variant;
	int64_t id = r->space.space;
	const char *stmt = reactivate ? "space_reactivate" : "space_archive";
	const char *type = reactivate ? "space.reactivated" : "space.archived";
	struct buf *data;
	int rc;

	if (r->space.archived != reactivate)
		return req_err(r, PERR_CONFLICT, r->space.archived ?
		    "the space is already archived" : "the space is not "
		    "archived");
	data = space_data(id, NULL);
	if (reactivate)
		rc = db_commandf(j, dc, stmt, "i", id) ||
		    space_emit(j, dc, id, type, data) ||
		    space_contacts_changed(j, dc, id, 0) ? -1 : 0;
	else
		rc = space_emit(j, dc, id, type, data) ||
		    space_contacts_changed(j, dc, id, 0) ||
		    db_commandf(j, dc, stmt, "i", id) ? -1 : 0;
	buf_free(data);
	return rc;
}

/*
 * Deleting a space takes with it everything that was said or shared in
 * it, wherever a client could read it back: its rows and what cascades
 * from them (participants, files, comments, the discussion, tokens), mail
 * about it not sent yet (sent mail is the mail log), the content the audit
 * log quoted (titles, file names: the rows stay, saying who did what), and
 * every event about it. What remains is one space.deleted per user who had
 * been told anything of the space or reads it now, naming only its id, so
 * that clients drop it; and for a network, contacts.changed.
 *
 * The order matters. The space goes before its events: its row is locked
 * (space_open) and deleting it waits for whoever still holds one of its
 * participants' rows (accepting an invitation does), so by the time its
 * events are deleted, every transaction that could add one has committed,
 * and none can start (they all need the space). Events are appended last,
 * as everywhere (event.h): the event_seq lock is not held while waiting.
 */
static int
delete_tx(struct req *r, struct db_conn *dc)
{
	struct db_job *j = &r->job;
	int64_t id = r->space.space;
	char *readers, *contacts, data[32];
	PGresult *res;
	int rc;

	if (strcmp(req_str(r, "confirm"), "yes") != 0)
		return req_err(r, PERR_INVALID, "deleting a space cannot be "
		    "undone: confirm with confirm=yes");
	if ((res = db_queryf(j, dc, "space_delete_audience", "i", id)) == NULL)
		return -1;
	readers = xstrdup(db_get(res, 0, "readers"));
	contacts = xstrdup(db_get(res, 0, "contacts"));
	PQclear(res);
	snprintf(data, sizeof data, "space=%lld", (long long)id);
	rc = db_commandf(j, dc, "space_delete_mail", "i", id) ||
	    db_commandf(j, dc, "space_delete_audit", "i", id) ||
	    db_commandf(j, dc, "space_delete", "i", id) ||
	    (res = db_queryf(j, dc, "space_delete_events", "i", id)) == NULL ?
	    -1 : 0;
	if (rc == 0) {
		rc = db_commandf(j, dc, "space_tombstone", "issss", id,
		    "space.deleted", data, readers, db_get(res, 0, "told"));
		PQclear(res);
	}
	if (rc == 0 && strcmp(contacts, "{}") != 0)
		rc = db_commandf(j, dc, "space_tombstone", "issss", id,
		    "contacts.changed", data, contacts, "{}");
	free(readers);
	free(contacts);
	return rc;
}

/* The table --------------------------------------------------------------- */

static const struct cmd_arg create_args[] = {
	ARG("title", ARG_LINE, 1, 200),
	ARG("description", ARG_PROSE, 0, 10000),
	ARG("externals_invite", ARG_BOOL, 0, 1),
	ARG("network", ARG_BOOL, 0, 1),
	ARG("workspace", ARG_ID, 0, 20),
	{ NULL }
};

static const struct cmd_arg space_args[] = {
	ARG("space", ARG_ID, 1, 20),
	{ NULL }
};

static const struct cmd_arg edit_args[] = {
	ARG("space", ARG_ID, 1, 20),
	ARG("title", ARG_LINE, 0, 200),
	ARG("description", ARG_PROSE, 0, 10000),
	ARG("externals_invite", ARG_BOOL, 0, 1),
	{ NULL }
};

static const struct cmd_arg delete_args[] = {
	ARG("space", ARG_ID, 1, 20),
	ARG("confirm", ARG_ATOM, 1, 8),
	{ NULL }
};

const struct cmd cmd_space_table[] = {
	{ "SPACE.CREATE", CMD_VERIFIED, AREA_SPACES, TARGET_WORKSPACE, 0,
	  create_args, "create a space in one of your workspaces",
	  .size = sizeof(struct invite_req), .prepare = invite_prepare_inviter,
	  .tx = create_tx, .destroy = invite_destroy,
	  .audit = "space.create",
	  .flags = CMD_RID },
	{ "SPACE.LIST", CMD_SESSION, AREA_SPACES, TARGET_SELF, 0, NULL,
	  "the spaces you are in",
	  .stmt = "space_list", .result = list_result },
	{ "SPACE.SHOW", CMD_SESSION, AREA_SPACES, TARGET_SPACE, SPACE_SEE,
	  space_args, "a space and its participants",
	  .tx = show_tx },
	{ "SPACE.EDIT", CMD_VERIFIED, AREA_SPACES, TARGET_SPACE, SPACE_MANAGE,
	  edit_args, "change a space's title, description or settings",
	  .tx = edit_tx, .audit = "space.edit",
	  .flags = CMD_RID },
	{ "SPACE.ARCHIVE", CMD_VERIFIED, AREA_SPACES, TARGET_SPACE,
	  SPACE_KEEPER, space_args,
	  "archive a space: externals lose access, nothing is deleted",
	  .tx = lifecycle_tx, .audit = "space.archived",
	  .flags = CMD_RID },
	{ "SPACE.REACTIVATE", CMD_VERIFIED, AREA_SPACES, TARGET_SPACE,
	  SPACE_KEEPER, space_args, "bring an archived space back",
	  .tx = lifecycle_tx, .audit = "space.reactivated",
	  .flags = CMD_RID, .variant = 1 },
	{ "SPACE.DELETE", CMD_VERIFIED, AREA_SPACES, TARGET_SPACE,
	  SPACE_CREATOR, delete_args,
	  "delete a space for good (its creator only)",
	  .tx = delete_tx, .audit = "space.deleted",
	  .flags = CMD_RID },
	{ NULL }
};
