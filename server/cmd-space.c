/*
 * Spaces: SPACE.CREATE, SPACE.LIST, SPACE.SHOW, SPACE.EDIT, SPACE.ARCHIVE,
 * SPACE.REACTIVATE, SPACE.DELETE. Who may do what is decided in space.c
 * (space_open) inside each request's transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cmd.h"
#include "conn.h"
#include "db.h"
#include "event.h"
#include "invite.h"
#include "plan.h"
#include "proto.h"
#include "session.h"
#include "space.h"
#include "str.h"
#include "xmalloc.h"

/* Above this many participants a space is past the recommended size. */
#define SPACE_RECOMMENDED	15

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
	/* The workspace's plan, if the caller is a member of it. */
	{ "space_plan",
	  "SELECT w.plan FROM workspaces w JOIN memberships m"
	  " ON m.workspace_id = w.id"
	  " WHERE w.id = $1::bigint AND m.user_id = $2::bigint" },
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
	  " FROM participants p JOIN spaces s ON s.id = p.space_id"
	  " WHERE p.user_id = $1::bigint AND p.status = 'active'"
	  " AND (s.archived_at IS NULL"
	  "  OR participant_role(p.role, s.network) <> 'external')"
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

struct space_job {
	struct db_job	 job;
	int64_t		 user;
	int64_t		 session;
	int64_t		 space;
	int64_t		 workspace;
	char		 address[64];
	char		*title;		/* NULL: unchanged */
	char		*description;	/* NULL: unchanged */
	char		*name;		/* SPACE.CREATE: the creator's, */
	char		*base;		/* and links, for invitations */
	int		 externals;	/* -1: unchanged */
	int		 network;	/* SPACE.CREATE network=1 */
	char		 text[3][STR_I64_LEN];	/* ids as parameters */
};

static void
space_job_destroy(struct db_job *j)
{
	struct space_job *sj = (struct space_job *)j;

	free(sj->title);
	free(sj->description);
	free(sj->name);
	free(sj->base);
}

static char *
dup_param(const struct proto_msg *m, const char *key)
{
	const char *v = proto_get(m, key);

	return v != NULL ? xstrdup(v) : NULL;
}

static struct space_job *
space_job_new(struct cmd_ctx *ctx)
{
	struct space_job *sj = xcalloc(1, sizeof *sj);
	const struct session *s = conn_session(ctx->conn);
	int64_t v;

	sj->user = s->user_id;
	sj->session = s->session_id;
	snprintf(sj->address, sizeof sj->address, "%s",
	    conn_address(ctx->conn));
	proto_get_i64(ctx->msg, "space", 0, INT64_MAX, &sj->space);
	sj->title = dup_param(ctx->msg, "title");
	sj->description = dup_param(ctx->msg, "description");
	sj->externals = -1;
	if (proto_get_i64(ctx->msg, "externals_invite", 0, 1, &v) == 0)
		sj->externals = (int)v;
	if (proto_get_i64(ctx->msg, "network", 0, 1, &v) == 0)
		sj->network = (int)v;
	sj->job.destroy = space_job_destroy;
	return sj;
}

static const char *
id_text(struct space_job *sj, int slot, int64_t v)
{
	return str_i64(sj->text[slot], v);
}

static int
space_audit(struct space_job *sj, struct db_conn *dc, const char *action,
    const char *detail)
{
	char target[32];

	snprintf(target, sizeof target, "space %lld", (long long)sj->space);
	return audit_record(&sj->job, dc, sj->user, sj->session, sj->address,
	    action, target, detail);
}

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
		"title", "description", "role", "people", "pending", "overdue",
		"requests"
	};

	proto_begin(out, tag, "SPACE");
	proto_add(out, "id", db_get(r, i, "id"));
	for (size_t c = 0; c < sizeof cols / sizeof cols[0]; c++)
		proto_add(out, cols[c], db_get(r, i, cols[c]));
	proto_add(out, "workspace", db_get(r, i, "workspace_id"));
	proto_add(out, "creator", db_get(r, i, "creator_id"));
	proto_add(out, "archived", strcmp(db_get(r, i, "archived"), "t") == 0 ?
	    "1" : "0");
	proto_add(out, "externals_invite", strcmp(db_get(r, i,
	    "externals_invite"), "t") == 0 ? "1" : "0");
	proto_add(out, "network", strcmp(db_get(r, i, "network"), "t") == 0 ?
	    "1" : "0");
	proto_end(out);
}

/* A 0-or-1 parameter is absent, 0 or 1. */
int
space_flag_ok(const struct proto_msg *m, const char *key)
{
	const char *v = proto_get(m, key);

	return v == NULL || strcmp(v, "0") == 0 || strcmp(v, "1") == 0;
}

/* What the schema cannot say about a space's fields; NULL if all is well. */
static const char *
space_fields_check(const struct proto_msg *m)
{
	const char *title = proto_get(m, "title");

	if (title != NULL && title[strspn(title, " ")] == '\0')
		return "a space needs a title";
	if (!space_flag_ok(m, "externals_invite"))
		return "externals_invite is 0 or 1";
	if (!space_flag_ok(m, "network"))
		return "network is 0 or 1";
	return NULL;
}

/* SPACE.CREATE ------------------------------------------------------------ */

/* The workspace allows the space: 0, or -1 with the reply (or status). */
static int
create_allowed(struct space_job *sj, struct db_conn *dc)
{
	struct db_job *j = &sj->job;
	const char *who[2] = { id_text(sj, 0, sj->workspace),
	    id_text(sj, 1, sj->user) };
	PGresult *r;
	int free_plan;

	if ((r = db_query(j, dc, "space_plan", 2, who)) == NULL)
		return -1;
	if (PQntuples(r) == 0) {
		PQclear(r);
		proto_err(j->out, j->tag, PERR_NOT_FOUND, "no such workspace");
		return -1;
	}
	free_plan = strcmp(db_get(r, 0, "plan"), "free") == 0;
	PQclear(r);
	if (sj->network && free_plan) {
		proto_err(j->out, j->tag, PERR_PLAN_REQUIRED, PLAN_NEEDED);
		return -1;
	}
	return 0;
}

/* The contacts the creator always adds to a new space, invited. */
static int
create_invite(struct space_job *sj, struct db_conn *dc)
{
	struct inviter iv = { .job = &sj->job, .space = sj->space,
	    .user = sj->user, .name = sj->name, .message = "",
	    .base = sj->base };
	struct space_access a;

	return space_open(&sj->job, dc, sj->space, sj->user, SPACE_SEE,
	    &a) != 0 || invite_always(&iv, dc, &a) != 0 ? -1 : 0;
}

static void
create_run(struct db_job *j, struct db_conn *dc)
{
	struct space_job *sj = (struct space_job *)j;
	const char *ins[6], *owner[2];
	struct buf *data;
	PGresult *r;
	int rc;

	if (db_begin(j, dc) != 0 || create_allowed(sj, dc) != 0)
		return;
	ins[0] = id_text(sj, 0, sj->workspace);
	ins[1] = id_text(sj, 1, sj->user);
	ins[2] = sj->title;
	ins[3] = sj->description != NULL ? sj->description : "";
	ins[4] = sj->externals == 1 ? "true" : "false";
	ins[5] = sj->network ? "true" : "false";
	if ((r = db_query(j, dc, "space_create", 6, ins)) == NULL)
		return;
	sj->space = db_get_i64(r, 0, "id");
	PQclear(r);
	owner[0] = id_text(sj, 2, sj->space);
	owner[1] = ins[1];
	data = space_data(sj->space, sj->title);
	proto_add(data, "network", sj->network ? "1" : "0");
	rc = db_command(j, dc, "space_add_owner", 2, owner) != 0 ||
	    space_emit(j, dc, sj->space, "space.created", data) != 0 ||
	    create_invite(sj, dc) != 0 ||
	    space_audit(sj, dc, "space.create", sj->title) != 0 ||
	    db_commit(j, dc) != 0;
	buf_free(data);
	if (rc)
		return;
	proto_begin(j->out, j->tag, "OK");
	proto_add_i64(j->out, "space", sj->space);
	proto_end(j->out);
}

static enum cmd_result
cmd_space_create(struct cmd_ctx *ctx)
{
	const struct session *s = conn_session(ctx->conn);
	struct space_job *sj;
	const char *why;
	int64_t ws = 0;

	if ((why = space_fields_check(ctx->msg)) != NULL)
		return cmd_err(ctx, PERR_INVALID, why);
	if (proto_get(ctx->msg, "workspace") != NULL)
		proto_get_i64(ctx->msg, "workspace", 0, INT64_MAX, &ws);
	else if (s->nws == 1)
		ws = s->ws[0].id;
	else
		return cmd_err(ctx, PERR_INVALID, s->nws == 0 ? "you are in "
		    "no workspace" : "say which workspace: workspace=ID");
	sj = space_job_new(ctx);
	sj->workspace = ws;
	sj->name = xstrdup(s->name);
	sj->base = invite_base();
	return cmd_submit(ctx, &sj->job, create_run, NULL);
}

/* SPACE.LIST -------------------------------------------------------------- */

static void
list_result(struct db_job *j, const PGresult *r)
{
	int rows = PQntuples(r);

	for (int i = 0; i < rows; i++)
		space_line(j->out, j->tag, r, i);
	proto_begin(j->out, j->tag, "OK");
	proto_add_i64(j->out, "count", rows);
	proto_end(j->out);
}

static enum cmd_result
cmd_space_list(struct cmd_ctx *ctx)
{
	struct space_job *sj = space_job_new(ctx);

	sj->job.stmt = "space_list";
	sj->job.nparams = 1;
	sj->job.params[0] = id_text(sj, 0, sj->user);
	return cmd_submit_read(ctx, &sj->job, list_result);
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
	proto_add(out, "overdue", strcmp(db_get(r, i, "overdue"), "t") == 0 ?
	    "1" : "0");
	proto_end(out);
}

/* The final line of SHOW (and of verbs that change who is in a space). */
static void
space_ok(struct buf *out, const char *tag, int64_t people)
{
	proto_begin(out, tag, "OK");
	proto_add_i64(out, "people", people);
	if (people > SPACE_RECOMMENDED)
		proto_add(out, "warning", "more than 15 participants: "
		    "past the recommended size for a space");
	proto_end(out);
}

static void
show_run(struct db_job *j, struct db_conn *dc)
{
	struct space_job *sj = (struct space_job *)j;
	struct space_access a;
	const char *get[2], *who[2];
	PGresult *r, *p;
	int64_t people;

	if (db_begin(j, dc) != 0 ||
	    space_open(j, dc, sj->space, sj->user, SPACE_SEE, &a) != 0)
		return;
	get[0] = id_text(sj, 0, sj->space);
	get[1] = a.role;
	who[0] = get[0];
	who[1] = a.manager ? "true" : "false";
	if ((r = db_query(j, dc, "space_get", 2, get)) == NULL)
		return;
	if ((p = db_query(j, dc, "space_people", 2, who)) == NULL) {
		PQclear(r);
		return;
	}
	if (db_commit(j, dc) == 0) {
		space_line(j->out, j->tag, r, 0);
		for (int i = 0; i < PQntuples(p); i++)
			person_line(j->out, j->tag, p, i);
		people = db_get_i64(r, 0, "people");
		space_ok(j->out, j->tag, people);
	}
	PQclear(r);
	PQclear(p);
}

static enum cmd_result
cmd_space_show(struct cmd_ctx *ctx)
{
	struct space_job *sj = space_job_new(ctx);

	return cmd_submit(ctx, &sj->job, show_run, NULL);
}

/* SPACE.EDIT -------------------------------------------------------------- */

static void
edit_run(struct db_job *j, struct db_conn *dc)
{
	struct space_job *sj = (struct space_job *)j;
	struct space_access a;
	const char *upd[4];
	struct buf *data;
	PGresult *r;
	int rc;

	if (db_begin(j, dc) != 0 ||
	    space_open(j, dc, sj->space, sj->user, SPACE_MANAGE, &a) != 0)
		return;
	upd[0] = id_text(sj, 0, sj->space);
	upd[1] = sj->title;
	upd[2] = sj->description;
	upd[3] = sj->externals < 0 ? NULL : sj->externals ? "true" : "false";
	if ((r = db_query(j, dc, "space_update", 4, upd)) == NULL)
		return;
	data = space_data(sj->space, db_get(r, 0, "title"));
	proto_add(data, "description", db_get(r, 0, "description"));
	proto_add(data, "externals_invite", strcmp(db_get(r, 0,
	    "externals_invite"), "t") == 0 ? "1" : "0");
	PQclear(r);
	rc = space_emit(j, dc, sj->space, "space.updated", data) != 0 ||
	    space_audit(sj, dc, "space.edit", NULL) != 0 ||
	    db_commit(j, dc) != 0;
	buf_free(data);
	if (rc == 0)
		proto_ok(j->out, j->tag);
}

static enum cmd_result
cmd_space_edit(struct cmd_ctx *ctx)
{
	struct space_job *sj;
	const char *why;

	if (proto_get(ctx->msg, "title") == NULL &&
	    proto_get(ctx->msg, "description") == NULL &&
	    proto_get(ctx->msg, "externals_invite") == NULL)
		return cmd_err(ctx, PERR_INVALID, "nothing to change: give "
		    "title, description or externals_invite");
	if ((why = space_fields_check(ctx->msg)) != NULL)
		return cmd_err(ctx, PERR_INVALID, why);
	sj = space_job_new(ctx);
	return cmd_submit(ctx, &sj->job, edit_run, NULL);
}

/* SPACE.ARCHIVE, SPACE.REACTIVATE, SPACE.DELETE ---------------------------- */

/* Tells everyone first: the event must reach the externals too, before
   archiving takes the space from them. (Deleting: delete_run.) */
static void
lifecycle_run(struct db_job *j, struct db_conn *dc, enum space_need need,
    const char *stmt, const char *type, int want_archived)
{
	struct space_job *sj = (struct space_job *)j;
	struct space_access a;
	const char *id[1];
	struct buf *data;
	int rc;

	if (db_begin(j, dc) != 0 ||
	    space_open(j, dc, sj->space, sj->user, need, &a) != 0)
		return;
	if (want_archived >= 0 && a.archived != want_archived) {
		proto_err(j->out, j->tag, PERR_CONFLICT, a.archived ?
		    "the space is already archived" : "the space is not "
		    "archived");
		return;
	}
	id[0] = id_text(sj, 0, sj->space);
	data = space_data(sj->space, NULL);
	/* Archived or gone, a network no longer makes contacts. */
	if (strcmp(type, "space.reactivated") == 0)
		rc = db_command(j, dc, stmt, 1, id) != 0 ||
		    space_emit(j, dc, sj->space, type, data) != 0 ||
		    space_contacts_changed(j, dc, sj->space, 0) != 0;
	else
		rc = space_emit(j, dc, sj->space, type, data) != 0 ||
		    space_contacts_changed(j, dc, sj->space, 0) != 0 ||
		    db_command(j, dc, stmt, 1, id) != 0;
	buf_free(data);
	if (rc || space_audit(sj, dc, type, NULL) != 0 ||
	    db_commit(j, dc) != 0)
		return;
	proto_ok(j->out, j->tag);
}

static void
archive_run(struct db_job *j, struct db_conn *dc)
{
	lifecycle_run(j, dc, SPACE_KEEPER, "space_archive",
	    "space.archived", 0);
}

static void
reactivate_run(struct db_job *j, struct db_conn *dc)
{
	lifecycle_run(j, dc, SPACE_KEEPER, "space_reactivate",
	    "space.reactivated", 1);
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
static void
delete_run(struct db_job *j, struct db_conn *dc)
{
	struct space_job *sj = (struct space_job *)j;
	struct space_access a;
	const char *id[1] = { id_text(sj, 0, sj->space) };
	const char *tomb[5];
	char *readers = NULL, *contacts = NULL;
	struct buf *data;
	PGresult *r;
	int rc;

	if (db_begin(j, dc) != 0 ||
	    space_open(j, dc, sj->space, sj->user, SPACE_CREATOR, &a) != 0 ||
	    (r = db_query(j, dc, "space_delete_audience", 1, id)) == NULL)
		return;
	readers = xstrdup(db_get(r, 0, "readers"));
	contacts = xstrdup(db_get(r, 0, "contacts"));
	PQclear(r);
	data = space_data(sj->space, NULL);
	tomb[0] = id[0];
	tomb[2] = buf_cstr(data) + strspn(buf_cstr(data), " ");
	rc = db_command(j, dc, "space_delete_mail", 1, id) != 0 ||
	    db_command(j, dc, "space_delete_audit", 1, id) != 0 ||
	    db_command(j, dc, "space_delete", 1, id) != 0 ||
	    (r = db_query(j, dc, "space_delete_events", 1, id)) == NULL;
	if (rc == 0) {
		tomb[1] = "space.deleted";
		tomb[3] = readers;
		tomb[4] = db_get(r, 0, "told");
		rc = db_command(j, dc, "space_tombstone", 5, tomb) != 0;
		PQclear(r);
	}
	if (rc == 0 && strcmp(contacts, "{}") != 0) {
		tomb[1] = "contacts.changed";
		tomb[3] = contacts;
		tomb[4] = "{}";
		rc = db_command(j, dc, "space_tombstone", 5, tomb) != 0;
	}
	buf_free(data);
	free(readers);
	free(contacts);
	if (rc || space_audit(sj, dc, "space.deleted", NULL) != 0 ||
	    db_commit(j, dc) != 0)
		return;
	proto_ok(j->out, j->tag);
}

static enum cmd_result
cmd_space_archive(struct cmd_ctx *ctx)
{
	return cmd_submit(ctx, &space_job_new(ctx)->job, archive_run, NULL);
}

static enum cmd_result
cmd_space_reactivate(struct cmd_ctx *ctx)
{
	return cmd_submit(ctx, &space_job_new(ctx)->job, reactivate_run, NULL);
}

static enum cmd_result
cmd_space_delete(struct cmd_ctx *ctx)
{
	if (strcmp(proto_get(ctx->msg, "confirm"), "yes") != 0)
		return cmd_err(ctx, PERR_INVALID, "deleting a space cannot be "
		    "undone: confirm with confirm=yes");
	return cmd_submit(ctx, &space_job_new(ctx)->job, delete_run, NULL);
}

/* The table --------------------------------------------------------------- */

static const struct cmd_arg create_args[] = {
	{ "title", ARG_LINE, 1, 200 },
	{ "description", ARG_PROSE, 0, 10000 },
	{ "externals_invite", ARG_INT, 0, 1 },
	{ "network", ARG_INT, 0, 1 },
	{ "workspace", ARG_INT, 0, 20 },
	{ NULL, 0, 0, 0 }
};

static const struct cmd_arg space_args[] = {
	{ "space", ARG_INT, 1, 20 },
	{ NULL, 0, 0, 0 }
};

static const struct cmd_arg edit_args[] = {
	{ "space", ARG_INT, 1, 20 },
	{ "title", ARG_LINE, 0, 200 },
	{ "description", ARG_PROSE, 0, 10000 },
	{ "externals_invite", ARG_INT, 0, 1 },
	{ NULL, 0, 0, 0 }
};

static const struct cmd_arg delete_args[] = {
	{ "space", ARG_INT, 1, 20 },
	{ "confirm", ARG_ATOM, 1, 8 },
	{ NULL, 0, 0, 0 }
};

const struct cmd cmd_space_table[] = {
	{ "SPACE.CREATE", cmd_space_create, CMD_VERIFIED, PERM_NONE, create_args,
	  "create a space in one of your workspaces", CMD_RID },
	{ "SPACE.LIST", cmd_space_list, CMD_SESSION, PERM_NONE, NULL,
	  "the spaces you are in", 0 },
	{ "SPACE.SHOW", cmd_space_show, CMD_SESSION, PERM_NONE, space_args,
	  "a space and its participants", 0 },
	{ "SPACE.EDIT", cmd_space_edit, CMD_VERIFIED, PERM_NONE, edit_args,
	  "change a space's title, description or settings", CMD_RID },
	{ "SPACE.ARCHIVE", cmd_space_archive, CMD_VERIFIED, PERM_NONE, space_args,
	  "archive a space: externals lose access, nothing is deleted", CMD_RID },
	{ "SPACE.REACTIVATE", cmd_space_reactivate, CMD_VERIFIED, PERM_NONE, space_args,
	  "bring an archived space back", CMD_RID },
	{ "SPACE.DELETE", cmd_space_delete, CMD_VERIFIED, PERM_NONE, delete_args,
	  "delete a space for good (its creator only)", CMD_RID },
	{ NULL, NULL, CMD_PUBLIC, 0, NULL, NULL, 0 }
};
