/*
 * Who is in a space and how: PARTICIPANT.REVOKE, PARTICIPANT.GRANT (back
 * after a revocation, or in after an access request), PARTICIPANT.DENY,
 * PARTICIPANT.EDIT (one's own profile, or how the space knows an external),
 * SPACE.LEAVE, and the space's shareable link: SPACE.LINK to get it,
 * ACCESS.REQUEST for whoever follows it.
 *
 * A revoked participant hears it at once (space.revoked, to them alone)
 * and from then on every space verb tells them "this space link is not
 * valid"; the others see them no more.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "buf.h"
#include "cmd.h"
#include "config.h"
#include "conn.h"
#include "db.h"
#include "event.h"
#include "hex.h"
#include "invite.h"
#include "limit.h"
#include "link.h"
#include "outbox.h"
#include "proto.h"
#include "server.h"
#include "session.h"
#include "space.h"
#include "str.h"
#include "xmalloc.h"

const struct db_stmt participant_stmts[] = {
	{ "participant_get",
	  "SELECT participant_role(p.role, s.network) AS role, p.status,"
	  " u.email, u.name FROM participants p"
	  " JOIN users u ON u.id = p.user_id JOIN spaces s ON s.id = p.space_id"
	  " WHERE p.space_id = $1::bigint AND p.user_id = $2::bigint" },
	{ "participant_status",
	  "UPDATE participants SET status = $3"
	  " WHERE space_id = $1::bigint AND user_id = $2::bigint" },
	{ "participant_delete",
	  "DELETE FROM participants"
	  " WHERE space_id = $1::bigint AND user_id = $2::bigint" },
	{ "participant_tokens_drop",
	  "DELETE FROM tokens WHERE used_at IS NULL AND space_id = $1::bigint"
	  " AND user_id = $2::bigint" },
	/* One's own profile, and what every space had set of its own for
	   the fields one changed. */
	{ "participant_profile",
	  "UPDATE users SET name = coalesce($2, name),"
	  " company = coalesce($3, company),"
	  " job_title = coalesce($4, job_title) WHERE id = $1::bigint" },
	{ "participant_local_clear",
	  "UPDATE participants SET"
	  " local_name = CASE WHEN $2::text IS NULL THEN local_name END,"
	  " local_company = CASE WHEN $3::text IS NULL THEN local_company END,"
	  " local_job_title = CASE WHEN $4::text IS NULL"
	  "  THEN local_job_title END"
	  " WHERE user_id = $1::bigint AND (local_name IS NOT NULL"
	  "  OR local_company IS NOT NULL OR local_job_title IS NOT NULL)" },
	/* An external as one space knows them. Not given: as it was; empty,
	   or the person's own value: the person's own from now on. */
	{ "participant_local",
	  "UPDATE participants p SET"
	  " local_name = CASE WHEN $3::text IS NULL THEN p.local_name"
	  "  WHEN btrim($3) = '' OR $3 = u.name THEN NULL ELSE $3 END,"
	  " local_company = CASE WHEN $4::text IS NULL THEN p.local_company"
	  "  WHEN btrim($4) = '' OR $4 = u.company THEN NULL ELSE $4 END,"
	  " local_job_title = CASE WHEN $5::text IS NULL THEN p.local_job_title"
	  "  WHEN btrim($5) = '' OR $5 = u.job_title THEN NULL ELSE $5 END"
	  " FROM users u WHERE u.id = p.user_id AND p.space_id = $1::bigint"
	  " AND p.user_id = $2::bigint"
	  " RETURNING u.email," SPACE_PROFILE_COLUMNS },
	{ "space_link_get",
	  "UPDATE spaces SET link_token = coalesce(link_token, $2)"
	  " WHERE id = $1::bigint RETURNING link_token" },
	{ "space_by_link",
	  "SELECT id, title, workspace_id FROM spaces"
	  " WHERE link_token = $1 AND archived_at IS NULL FOR UPDATE" },
	{ "request_user",
	  "SELECT u.id, EXISTS (SELECT 1 FROM memberships m WHERE"
	  " m.workspace_id = $2::bigint AND m.user_id = u.id) AS member"
	  " FROM users u WHERE lower(u.email) = lower($1)" },
	/* Whoever asks has not shown that the address is theirs: the name
	   they give is how this space knows the request, not the account's,
	   whose name is its address until its owner gives one (as INVITE's
	   newcomers). */
	{ "request_new_user",
	  "INSERT INTO users (email, name) VALUES ($1, $1) RETURNING id" },
	{ "request_add",
	  "INSERT INTO participants (space_id, user_id, role, status,"
	  " local_name) VALUES ($1::bigint, $2::bigint, $3, 'requested', $4)" },
	{ "space_managers",
	  "SELECT u.email FROM participants p JOIN users u ON u.id = p.user_id"
	  " JOIN spaces s ON s.id = p.space_id"
	  " WHERE p.space_id = $1::bigint AND p.status = 'active'"
	  " AND participant_role(p.role, s.network) <> 'external'"
	  " ORDER BY u.id" },
	{ NULL, NULL }
};

struct part_job {
	struct db_job	 job;
	int64_t		 user;		/* the caller; 0 for ACCESS.REQUEST */
	int64_t		 session;
	int64_t		 space;
	int64_t		 who;		/* the participant acted on */
	char		 address[64];
	char		*base;		/* HOST:PORT for links */
	char		*name, *company, *job_title;
	char		*email;		/* ACCESS.REQUEST */
	char		*link;		/* ACCESS.REQUEST: its token */
	long		 limit_mail;	/* ACCESS.REQUEST: per address, */
	long		 limit_from;	/* per client, */
	long		 window;	/* per this many seconds */
	int		 verified;	/* the caller's address is proven */
	int		 renamed;	/* PARTICIPANT.EDIT: one's own name */
	char		 ids[2][STR_I64_LEN];
};

static void
part_destroy(struct db_job *j)
{
	struct part_job *pj = (struct part_job *)j;

	free(pj->base);
	free(pj->name);
	free(pj->company);
	free(pj->job_title);
	free(pj->email);
	free(pj->link);
}

static char *
dup_param(const struct proto_msg *m, const char *key)
{
	const char *v = proto_get(m, key);

	return v != NULL ? xstrdup(v) : NULL;
}

static struct part_job *
part_job_new(struct cmd_ctx *ctx)
{
	struct part_job *pj = xcalloc(1, sizeof *pj);
	const struct session *s = conn_session(ctx->conn);

	if (s != NULL) {
		pj->user = s->user_id;
		pj->session = s->session_id;
		pj->verified = s->verified;
	}
	snprintf(pj->address, sizeof pj->address, "%s",
	    conn_address(ctx->conn));
	pj->base = xstrdup(config_public_address(server_config()));
	proto_get_i64(ctx->msg, "space", 0, INT64_MAX, &pj->space);
	proto_get_i64(ctx->msg, "user", 0, INT64_MAX, &pj->who);
	pj->name = dup_param(ctx->msg, "name");
	pj->company = dup_param(ctx->msg, "company");
	pj->job_title = dup_param(ctx->msg, "job_title");
	pj->email = dup_param(ctx->msg, "email");
	pj->job.destroy = part_destroy;
	return pj;
}

static int
part_audit(struct part_job *pj, struct db_conn *dc, const char *action)
{
	char target[64];

	snprintf(target, sizeof target, "space %lld user %lld",
	    (long long)pj->space, (long long)pj->who);
	return audit_record(&pj->job, dc, pj->user, pj->session, pj->address,
	    action, target, NULL);
}

/* participant.updated (or another type) about who, to the space. */
static int
part_event(struct part_job *pj, struct db_conn *dc, const char *type,
    const char *email, const char *role, const char *status)
{
	struct buf *data = buf_new(0);
	int rc;

	proto_add_i64(data, "space", pj->space);
	proto_add_i64(data, "user", pj->who);
	proto_add(data, "email", email);
	proto_add(data, "role", role);
	proto_add(data, "status", status);
	rc = space_emit(&pj->job, dc, pj->space, type, data);
	buf_free(data);
	return rc;
}

/* An event to the participant alone (they may no longer see the space). */
static int
part_tell(struct part_job *pj, struct db_conn *dc, const char *type)
{
	struct buf *data = buf_new(0);
	int rc;

	proto_add_i64(data, "space", pj->space);
	rc = space_emit_to(&pj->job, dc, pj->space, pj->who, type, data);
	buf_free(data);
	return rc;
}

/*
 * Opens the space for a manager and reads the participant acted on:
 * 0 with *row (caller clears), or -1 with the reply written.
 */
static int
part_open(struct part_job *pj, struct db_conn *dc, struct space_access *a,
    PGresult **row)
{
	const char *ids[2] = { str_i64(pj->ids[0], pj->space),
	    str_i64(pj->ids[1], pj->who) };

	if (db_begin(&pj->job, dc) != 0 ||
	    space_open(&pj->job, dc, pj->space, pj->user, SPACE_MANAGE, a) != 0 ||
	    (*row = db_query(&pj->job, dc, "participant_get", 2, ids)) == NULL)
		return -1;
	if (PQntuples(*row) == 0) {
		PQclear(*row);
		proto_err(pj->job.out, pj->job.tag, PERR_NOT_FOUND, "no such "
		    "participant in this space");
		return -1;
	}
	return 0;
}

static int
set_status(struct part_job *pj, struct db_conn *dc, const char *status)
{
	const char *p[3] = { pj->ids[0], pj->ids[1], status };

	return db_command(&pj->job, dc, "participant_status", 3, p);
}

/* PARTICIPANT.REVOKE ------------------------------------------------------ */

static void
revoke_run(struct db_job *j, struct db_conn *dc)
{
	struct part_job *pj = (struct part_job *)j;
	const char *ids[2] = { pj->ids[0], pj->ids[1] };
	struct space_access a;
	PGresult *r;
	int rc;

	if (part_open(pj, dc, &a, &r) != 0)
		return;
	if (pj->who == a.creator || strcmp(db_get(r, 0, "status"),
	    "revoked") == 0) {
		proto_err(j->out, j->tag, pj->who == a.creator ?
		    PERR_FORBIDDEN : PERR_CONFLICT, pj->who == a.creator ?
		    "the space's creator cannot be revoked" : "already revoked");
		PQclear(r);
		return;
	}
	/* Tell them first, while the space still has them. */
	rc = part_tell(pj, dc, "space.revoked") != 0 ||
	    set_status(pj, dc, "revoked") != 0 ||
	    db_command(j, dc, "participant_tokens_drop", 2, ids) != 0 ||
	    part_event(pj, dc, "participant.updated", db_get(r, 0, "email"),
	    db_get(r, 0, "role"), "revoked") != 0 ||
	    space_contacts_changed(j, dc, pj->space, pj->who) != 0 ||
	    part_audit(pj, dc, "participant.revoke") != 0 ||
	    db_commit(j, dc) != 0;
	PQclear(r);
	if (rc == 0)
		proto_ok(j->out, j->tag);
}

/* PARTICIPANT.GRANT, PARTICIPANT.DENY --------------------------------------- */

/* An access request granted: an activation link by e-mail. */
static int
activation_mail(struct part_job *pj, struct db_conn *dc,
    const struct space_access *a, const char *to)
{
	struct buf *body;
	char *link, *subject;
	int rc;

	if (invite_mail_allowed(&pj->job, dc, to, 0) != 0 ||
	    (link = invite_link_new(&pj->job, dc, pj->base, LINK_ACTIVATE,
	    pj->who, pj->space, 1)) == NULL)
		return -1;
	body = buf_new(0);
	xasprintf(&subject, "You have access to \u201c%s\u201d", a->title);
	buf_printf(body, "Your request to join the space \u201c%s\u201d was "
	    "granted. To come in, run:\n\n    agora accept %s\n\nThe link "
	    "works once, and for 30 days.\n", a->title, link);
	rc = outbox_mail(&pj->job, dc, a->workspace, a->space, to, subject,
	    buf_cstr(body));
	free(link);
	free(subject);
	buf_free(body);
	return rc;
}

static void
grant_run(struct db_job *j, struct db_conn *dc)
{
	struct part_job *pj = (struct part_job *)j;
	struct space_access a;
	const char *status, *now;
	PGresult *r;
	int rc;

	if (part_open(pj, dc, &a, &r) != 0)
		return;
	status = db_get(r, 0, "status");
	if (strcmp(status, "revoked") != 0 && strcmp(status, "requested") != 0) {
		proto_err(j->out, j->tag, PERR_CONFLICT, "only a revoked "
		    "participant or an access request can be granted");
		PQclear(r);
		return;
	}
	/* Back after a revocation: in at once. After a request: an
	   activation link, and pending until it is used. */
	now = strcmp(status, "revoked") == 0 ? "active" : "pending";
	rc = set_status(pj, dc, now) != 0 ||
	    (strcmp(now, "active") == 0 ? part_tell(pj, dc,
	    "space.granted") : activation_mail(pj, dc, &a,
	    db_get(r, 0, "email"))) != 0 ||
	    part_event(pj, dc, "participant.updated", db_get(r, 0, "email"),
	    db_get(r, 0, "role"), now) != 0 ||
	    space_contacts_changed(j, dc, pj->space, 0) != 0 ||
	    part_audit(pj, dc, "participant.grant") != 0 ||
	    db_commit(j, dc) != 0;
	PQclear(r);
	if (rc == 0) {
		proto_begin(j->out, j->tag, "OK");
		proto_add(j->out, "status", now);
		proto_end(j->out);
	}
}

static void
deny_run(struct db_job *j, struct db_conn *dc)
{
	struct part_job *pj = (struct part_job *)j;
	const char *ids[2] = { pj->ids[0], pj->ids[1] };
	struct space_access a;
	PGresult *r;
	int rc;

	if (part_open(pj, dc, &a, &r) != 0)
		return;
	if (strcmp(db_get(r, 0, "status"), "requested") != 0) {
		proto_err(j->out, j->tag, PERR_CONFLICT, "no access request "
		    "from this person");
		PQclear(r);
		return;
	}
	rc = part_event(pj, dc, "participant.removed", db_get(r, 0, "email"),
	    db_get(r, 0, "role"), "denied") != 0 ||
	    db_command(j, dc, "participant_delete", 2, ids) != 0 ||
	    part_audit(pj, dc, "participant.deny") != 0 ||
	    db_commit(j, dc) != 0;
	PQclear(r);
	if (rc == 0)
		proto_ok(j->out, j->tag);
}

/* SPACE.LEAVE ------------------------------------------------------------- */

/*
 * A participant leaves of their own accord: their row goes (whoever
 * invites them again starts afresh), they are told first, on all their
 * connections, and the others see them go. The creator cannot leave: the
 * space would have no one to answer for it.
 */
static void
leave_run(struct db_job *j, struct db_conn *dc)
{
	struct part_job *pj = (struct part_job *)j;
	const char *ids[2] = { str_i64(pj->ids[0], pj->space),
	    str_i64(pj->ids[1], pj->user) };
	struct space_access a;
	PGresult *r;
	int rc;

	pj->who = pj->user;
	if (db_begin(j, dc) != 0 ||
	    space_open(j, dc, pj->space, pj->user, SPACE_SEE, &a) != 0 ||
	    (r = db_query(j, dc, "participant_get", 2, ids)) == NULL)
		return;
	if (a.creator == pj->user) {
		proto_err(j->out, j->tag, PERR_FORBIDDEN, "the space's creator "
		    "cannot leave it; archive or delete it instead");
		PQclear(r);
		return;
	}
	rc = part_tell(pj, dc, "space.left") != 0 ||
	    space_contacts_changed(j, dc, pj->space, pj->user) != 0 ||
	    db_command(j, dc, "participant_tokens_drop", 2, ids) != 0 ||
	    db_command(j, dc, "participant_delete", 2, ids) != 0 ||
	    part_event(pj, dc, "participant.removed", db_get(r, 0, "email"),
	    db_get(r, 0, "role"), "left") != 0 ||
	    part_audit(pj, dc, "space.leave") != 0 ||
	    db_commit(j, dc) != 0;
	PQclear(r);
	if (rc == 0)
		proto_ok(j->out, j->tag);
}

/* PARTICIPANT.EDIT -------------------------------------------------------- */

/*
 * One's own profile: the account, everywhere. The person has the last
 * word: what a space had set of its own for the fields they change goes,
 * in every space, and every space that shows them hears it.
 */
static int
edit_own(struct part_job *pj, struct db_conn *dc)
{
	const char *upd[4] = { pj->ids[1], pj->name, pj->company,
	    pj->job_title };

	return db_command(&pj->job, dc, "participant_profile", 4, upd) != 0 ||
	    db_command(&pj->job, dc, "participant_local_clear", 4, upd) != 0 ||
	    space_profile_changed(&pj->job, dc, pj->who) != 0 ? -1 : 0;
}

/*
 * An external's profile as this space knows them (or an unproven
 * account's own): the space's alone (see SPACE_PROFILE_COLUMNS). Their
 * account, and every other space, stay as they are. row: participant_get's.
 */
static int
edit_known(struct part_job *pj, struct db_conn *dc, const PGresult *row)
{
	const char *upd[5] = { pj->ids[0], pj->ids[1], pj->name, pj->company,
	    pj->job_title };
	struct buf *data;
	PGresult *u;
	int rc;

	if ((u = db_query(&pj->job, dc, "participant_local", 5, upd)) == NULL)
		return -1;
	data = buf_new(0);
	proto_add_i64(data, "space", pj->space);
	proto_add_i64(data, "user", pj->who);
	proto_add(data, "email", db_get(u, 0, "email"));
	proto_add(data, "role", db_get(row, 0, "role"));
	proto_add(data, "status", db_get(row, 0, "status"));
	space_profile_add(data, u, 0);
	rc = space_emit(&pj->job, dc, pj->space, "participant.updated", data);
	buf_free(data);
	PQclear(u);
	return rc;
}

static void
edit_run(struct db_job *j, struct db_conn *dc)
{
	struct part_job *pj = (struct part_job *)j;
	const char *ids[2] = { str_i64(pj->ids[0], pj->space),
	    str_i64(pj->ids[1], pj->who) };
	struct space_access a;
	PGresult *r;
	int rc, own;

	if (db_begin(j, dc) != 0 ||
	    space_open(j, dc, pj->space, pj->user, SPACE_SEE, &a) != 0 ||
	    (r = db_query(j, dc, "participant_get", 2, ids)) == NULL)
		return;
	/* Who an external does not see in SPACE.SHOW (access requests,
	   the revoked) is not in the space as far as they can tell. */
	if (PQntuples(r) == 0 || (!a.manager &&
	    strcmp(db_get(r, 0, "status"), "active") != 0 &&
	    strcmp(db_get(r, 0, "status"), "pending") != 0)) {
		proto_err(j->out, j->tag, PERR_NOT_FOUND, "no such participant "
		    "in this space");
		PQclear(r);
		return;
	}
	/* Anyone their own; the owner's side the externals' too, as the
	   space knows them. */
	if (strcmp(db_get(r, 0, "status"), "revoked") == 0 ||
	    (pj->who != pj->user && (!a.manager || a.archived ||
	    strcmp(db_get(r, 0, "role"), "external") != 0))) {
		proto_err(j->out, j->tag, PERR_FORBIDDEN, "you may edit your "
		    "own profile, and the owner's side how the space knows its "
		    "externals");
		PQclear(r);
		return;
	}
	/* An account whose address is not proven reaches only this space:
	   so does what its holder says of it, until the address is proven. */
	own = pj->who == pj->user && pj->verified;
	rc = (own ? edit_own(pj, dc) : edit_known(pj, dc, r)) != 0 ||
	    part_audit(pj, dc, "participant.edit") != 0 ||
	    db_commit(j, dc) != 0;
	PQclear(r);
	if (rc == 0) {
		pj->renamed = own && pj->name != NULL;
		proto_ok(j->out, j->tag);
	}
}

/* One's own new name: this connection's WHOAMI (and the name its
   invitations go out under) says it at once. */
static void
edit_finish(struct db_job *j, struct conn *conn)
{
	struct part_job *pj = (struct part_job *)j;
	struct session *s = conn_session(conn);

	if (pj->renamed && s != NULL && s->user_id == pj->user) {
		free(s->name);
		s->name = xstrdup(pj->name);
	}
}

/* SPACE.LINK, ACCESS.REQUEST ------------------------------------------------ */

static void
link_run(struct db_job *j, struct db_conn *dc)
{
	struct part_job *pj = (struct part_job *)j;
	unsigned char raw[32];
	char token[65], *link;
	const char *p[2] = { str_i64(pj->ids[0], pj->space), token };
	struct space_access a;
	PGresult *r;

	if (db_begin(j, dc) != 0 ||
	    space_open(j, dc, pj->space, pj->user, SPACE_INVITE, &a) != 0)
		return;
	/* Made once; everyone allowed gets the same link afterwards. */
	if (RAND_bytes(raw, sizeof raw) != 1) {
		j->status = DB_FAILED;
		return;
	}
	hex_encode(raw, sizeof raw, token);
	if ((r = db_query(j, dc, "space_link_get", 2, p)) == NULL)
		return;
	link = link_format(pj->base, LINK_SPACE, db_get(r, 0, "link_token"));
	PQclear(r);
	if (db_commit(j, dc) == 0) {
		proto_begin(j->out, j->tag, "OK");
		proto_add(j->out, "link", link);
		proto_end(j->out);
	}
	free(link);
}

/* The people who can grant access hear of a request. */
static int
request_mail(struct part_job *pj, struct db_conn *dc, const PGresult *sp)
{
	const char *id[1] = { pj->ids[0] };
	struct buf *body;
	char *subject;
	PGresult *m;
	int rc = 0;

	if ((m = db_query(&pj->job, dc, "space_managers", 1, id)) == NULL)
		return -1;
	body = buf_new(0);
	xasprintf(&subject, "%s asks for access to \u201c%s\u201d", pj->email,
	    db_get(sp, 0, "title"));
	buf_printf(body, "%s%s%s%s asked for access to the space \u201c%s\u201d "
	    "through its link.\n\nReview the request in agora (the space's "
	    "people list), or grant it with:\n\n    agora grant %s %s\n",
	    pj->name != NULL ? pj->name : "", pj->name != NULL ? " <" : "",
	    pj->email, pj->name != NULL ? ">" : "", db_get(sp, 0, "title"),
	    pj->ids[0], pj->ids[1]);
	for (int i = 0; rc == 0 && i < PQntuples(m); i++)
		rc = outbox_mail(&pj->job, dc, db_get_i64(sp, 0,
		    "workspace_id"), pj->space, db_get(m, i, "email"),
		    subject, buf_cstr(body));
	free(subject);
	buf_free(body);
	PQclear(m);
	return rc;
}

/* Someone new asks in: a requested participant, the managers told. */
static int
request_new(struct part_job *pj, struct db_conn *dc, const PGresult *sp)
{
	const char *find[2] = { pj->email, str_i64(pj->ids[1],
	    db_get_i64(sp, 0, "workspace_id")) }, *add[4], *mk[1];
	PGresult *r;
	int member = 0;

	if ((r = db_query(&pj->job, dc, "request_user", 2, find)) == NULL)
		return -1;
	if (PQntuples(r) > 0) {
		pj->who = db_get_i64(r, 0, "id");
		member = strcmp(db_get(r, 0, "member"), "t") == 0;
	}
	PQclear(r);
	/* Someone with an account goes by their own name; for a newcomer
	   the space keeps the one given, as its own. */
	add[3] = NULL;
	if (pj->who == 0) {
		mk[0] = pj->email;
		if ((r = db_query(&pj->job, dc, "request_new_user", 1,
		    mk)) == NULL)
			return -1;
		pj->who = db_get_i64(r, 0, "id");
		PQclear(r);
		add[3] = pj->name;
	}
	add[0] = pj->ids[0];
	add[1] = str_i64(pj->ids[1], pj->who);
	add[2] = member ? "internal" : "external";
	return db_command(&pj->job, dc, "request_add", 4, add) != 0 ||
	    request_mail(pj, dc, sp) != 0 ||
	    part_event(pj, dc, "participant.added", pj->email, add[2],
	    "requested") != 0 ? -1 : 0;
}

/* A request mails the space's managers: not too often, from anyone. */
static int
request_limited(struct part_job *pj, struct db_conn *dc, long *retry)
{
	struct limit_rule rules[2];
	int rc;

	rules[0].key = limit_key("request", pj->email, NULL);
	rules[0].max = pj->limit_mail;
	rules[1].key = limit_key("requestaddr", pj->address, NULL);
	rules[1].max = pj->limit_from;
	rules[0].window = rules[1].window = pj->window;
	rc = limit_attempt(&pj->job, dc, rules, 2, retry);
	limit_rules_free(rules, 2);
	return rc;
}

static void
request_run(struct db_job *j, struct db_conn *dc)
{
	struct part_job *pj = (struct part_job *)j;
	const char *by[1] = { pj->link };
	const char *ids[2];
	PGresult *sp, *r;
	long retry;
	int rc = 0;

	if (db_begin(j, dc) != 0 || request_limited(pj, dc, &retry) != 0)
		return;
	if (retry > 0) {
		if (db_commit(j, dc) == 0)
			limit_refuse(j, "access requests", retry);
		return;
	}
	if ((sp = db_query(j, dc, "space_by_link", 1, by)) == NULL)
		return;
	if (PQntuples(sp) == 0) {
		PQclear(sp);
		/* The attempt stays counted: links are not to be guessed. */
		if (db_commit(j, dc) == 0)
			proto_err(j->out, j->tag, PERR_NOT_FOUND, SPACE_CLOSED);
		return;
	}
	pj->space = db_get_i64(sp, 0, "id");
	ids[0] = str_i64(pj->ids[0], pj->space);
	ids[1] = pj->email;
	/* Already known to the space (invited, in, asked, revoked): nothing
	   more happens, and the answer is the same, so that a link does not
	   tell who is in a space. */
	if ((r = db_query(j, dc, "request_user", 2, (const char *[]){
	    pj->email, ids[0] })) == NULL) {
		PQclear(sp);
		return;
	}
	if (PQntuples(r) > 0) {
		const char *pg[2] = { ids[0], db_get(r, 0, "id") };
		PGresult *p = db_query(j, dc, "participant_get", 2, pg);

		if (p == NULL)
			rc = -1;
		else if (PQntuples(p) > 0)
			rc = 1;
		PQclear(p);
	}
	PQclear(r);
	if (rc == 0)
		rc = request_new(pj, dc, sp);
	PQclear(sp);
	if (rc >= 0 && db_commit(j, dc) == 0)
		proto_ok(j->out, j->tag);
}

/* Handlers ---------------------------------------------------------------- */

static enum cmd_result
cmd_revoke(struct cmd_ctx *ctx)
{
	return cmd_submit(ctx, &part_job_new(ctx)->job, revoke_run, NULL);
}

static enum cmd_result
cmd_grant(struct cmd_ctx *ctx)
{
	return cmd_submit(ctx, &part_job_new(ctx)->job, grant_run, NULL);
}

static enum cmd_result
cmd_deny(struct cmd_ctx *ctx)
{
	return cmd_submit(ctx, &part_job_new(ctx)->job, deny_run, NULL);
}

static enum cmd_result
cmd_leave(struct cmd_ctx *ctx)
{
	return cmd_submit(ctx, &part_job_new(ctx)->job, leave_run, NULL);
}

static enum cmd_result
cmd_edit(struct cmd_ctx *ctx)
{
	const char *name = proto_get(ctx->msg, "name");
	struct part_job *pj;

	if (name == NULL && proto_get(ctx->msg, "company") == NULL &&
	    proto_get(ctx->msg, "job_title") == NULL)
		return cmd_err(ctx, PERR_INVALID, "nothing to change: give "
		    "name, company or job_title");
	pj = part_job_new(ctx);
	/* One's own name cannot be empty; an empty one for someone else
	   gives them back their own in this space. */
	if (pj->who == pj->user && name != NULL &&
	    name[strspn(name, " ")] == '\0') {
		part_destroy(&pj->job);
		free(pj);
		return cmd_err(ctx, PERR_INVALID, "a name cannot be empty");
	}
	return cmd_submit(ctx, &pj->job, edit_run, edit_finish);
}

static enum cmd_result
cmd_space_link(struct cmd_ctx *ctx)
{
	return cmd_submit(ctx, &part_job_new(ctx)->job, link_run, NULL);
}

static enum cmd_result
cmd_access_request(struct cmd_ctx *ctx)
{
	const char *link = proto_get(ctx->msg, "link");
	const char *email = proto_get(ctx->msg, "email"), *slash;
	struct part_job *pj;

	if (!invite_email_ok(email))
		return cmd_err(ctx, PERR_INVALID, "that is not an e-mail "
		    "address");
	/* agora://HOST:PORT/space/TOKEN, or the token alone. */
	if (strncmp(link, "agora://", 8) == 0) {
		if ((slash = strchr(link + 8, '/')) == NULL ||
		    strncmp(slash, "/" LINK_SPACE "/", strlen(LINK_SPACE) + 2))
			return cmd_err(ctx, PERR_INVALID, "that is not a space "
			    "link");
		link = slash + strlen(LINK_SPACE) + 2;
	}
	if (strlen(link) != 64 || strspn(link, "0123456789abcdef") != 64)
		return cmd_err(ctx, PERR_INVALID, "that is not a space link");
	pj = part_job_new(ctx);
	/* A blank name is none. */
	if (pj->name != NULL && pj->name[strspn(pj->name, " ")] == '\0') {
		free(pj->name);
		pj->name = NULL;
	}
	pj->link = xstrdup(link);
	pj->limit_mail = server_config()->login_account_limit;
	pj->limit_from = server_config()->login_address_limit;
	pj->window = server_config()->login_window;
	return cmd_submit(ctx, &pj->job, request_run, NULL);
}

static const struct cmd_arg who_args[] = {
	{ "space", ARG_INT, 1, 20 },
	{ "user", ARG_INT, 1, 20 },
	{ NULL, 0, 0, 0 }
};

static const struct cmd_arg edit_args[] = {
	{ "space", ARG_INT, 1, 20 },
	{ "user", ARG_INT, 1, 20 },
	{ "name", ARG_LINE, 0, 200 },
	{ "company", ARG_LINE, 0, 200 },
	{ "job_title", ARG_LINE, 0, 200 },
	{ NULL, 0, 0, 0 }
};

static const struct cmd_arg space_args[] = {
	{ "space", ARG_INT, 1, 20 },
	{ NULL, 0, 0, 0 }
};

static const struct cmd_arg request_args[] = {
	{ "link", ARG_TEXT, 1, 512 },
	{ "email", ARG_TEXT, 1, 254 },
	{ "name", ARG_LINE, 0, 200 },
	{ NULL, 0, 0, 0 }
};

const struct cmd cmd_participant_table[] = {
	{ "PARTICIPANT.REVOKE", cmd_revoke, CMD_VERIFIED, PERM_NONE, who_args,
	  "take someone's access to a space away", CMD_RID },
	{ "PARTICIPANT.GRANT", cmd_grant, CMD_VERIFIED, PERM_NONE, who_args,
	  "give access back, or grant an access request", CMD_RID },
	{ "PARTICIPANT.DENY", cmd_deny, CMD_VERIFIED, PERM_NONE, who_args,
	  "turn an access request down", CMD_RID },
	{ "PARTICIPANT.EDIT", cmd_edit, CMD_SESSION, PERM_NONE, edit_args,
	  "change one's own profile, or how the space knows an external", CMD_RID },
	{ "SPACE.LEAVE", cmd_leave, CMD_SESSION, PERM_NONE, space_args,
	  "leave a space (anyone but its creator)", CMD_RID },
	{ "SPACE.LINK", cmd_space_link, CMD_VERIFIED, PERM_NONE, space_args,
	  "the space's shareable link (not an invitation)", CMD_RID },
	{ "ACCESS.REQUEST", cmd_access_request, CMD_GUEST, PERM_NONE, request_args,
	  "ask for access to a space through its link", 0 },
	{ NULL, NULL, CMD_PUBLIC, 0, NULL, NULL, 0 }
};
