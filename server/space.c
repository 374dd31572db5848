#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "db.h"
#include "event.h"
#include "proto.h"
#include "space.h"

const struct db_stmt space_stmts[] = {
	/* The space first, locked: requests in one space queue up behind
	   each other, so a check made here still holds at COMMIT. */
	{ "space_access",
	  "WITH s AS (SELECT id, workspace_id, creator_id, externals_invite, title,"
	  "  network, archived_at IS NOT NULL AS archived FROM spaces"
	  "  WHERE id = $1::bigint FOR UPDATE)"
	  " SELECT s.*, participant_role(p.role, s.network) AS role FROM s"
	  " JOIN participants p ON p.space_id = s.id AND p.user_id = $2::bigint"
	  " JOIN space_readers r ON r.space_id = s.id AND r.user_id = p.user_id" },
	{ "space_touch",
	  "UPDATE participants SET last_active_at = now()"
	  " WHERE space_id = $1::bigint AND user_id = $2::bigint" },
	/* Every event about a space names it (space_id), so that deleting
	   the space deletes them (sql/010_space_content.sql). */
	{ "space_emit",
	  "INSERT INTO events (type, user_id, space_id, data)"
	  " SELECT $1, r.user_id, $2::bigint, $3 FROM space_readers r"
	  " WHERE r.space_id = $2::bigint ORDER BY r.user_id" },
	{ "space_emit_to",
	  "INSERT INTO events (type, user_id, space_id, data)"
	  " VALUES ($1, $2::bigint, $3::bigint, $4)" },
	{ "space_emit_shared",
	  "INSERT INTO events (type, space_id, data)"
	  " VALUES ($1, $2::bigint, $3)" },
	/* Everyone in a network, and whoever just left it. */
	{ "space_contacts_changed",
	  "INSERT INTO events (type, user_id, space_id, data)"
	  " SELECT 'contacts.changed', p.user_id, $1::bigint, $3"
	  " FROM participants p"
	  " JOIN spaces s ON s.id = p.space_id"
	  " WHERE p.space_id = $1::bigint AND s.network"
	  " AND (p.status = 'active' OR p.user_id = $2::bigint)"
	  " ORDER BY p.user_id" },
	/* The spaces that show this person, and how each knows them. */
	{ "space_profile_spaces",
	  "SELECT p.space_id, u.email, participant_role(p.role, s.network)"
	  " AS role, p.status," SPACE_PROFILE_COLUMNS
	  " FROM participants p JOIN users u ON u.id = p.user_id"
	  " JOIN spaces s ON s.id = p.space_id"
	  " WHERE p.user_id = $1::bigint AND p.status IN ('active', 'pending')"
	  " ORDER BY p.space_id" },
	{ NULL, NULL }
};

int
space_active(struct db_job *j, const struct space_access *a)
{
	if (!a->archived)
		return 0;
	proto_err(j->out, j->tag, PERR_CONFLICT, "the space is archived; "
	    "reactivate it first");
	return -1;
}

/* The reply for a caller who may see the space but not do this. */
static int
space_refuse(struct db_job *j, enum space_need need,
    const struct space_access *a)
{
	if ((need == SPACE_MANAGE || need == SPACE_INVITE) && a->archived)
		return space_active(j, a);
	if (need == SPACE_INVITE)
		proto_err(j->out, j->tag, PERR_FORBIDDEN, "this space does not "
		    "let external participants invite others");
	else if (need == SPACE_KEEPER)
		proto_err(j->out, j->tag, PERR_FORBIDDEN, a->manager ?
		    "collaborators cannot archive or reactivate a space: ask "
		    "its owner" : "only the space's owner and internals can "
		    "archive or reactivate it");
	else if (need == SPACE_CREATOR)
		proto_err(j->out, j->tag, PERR_FORBIDDEN, "only the space's "
		    "creator can do this");
	else
		proto_err(j->out, j->tag, PERR_FORBIDDEN, "only the space's "
		    "owner, internals and collaborators can do this");
	return -1;
}

static int
space_allows(enum space_need need, const struct space_access *a,
    int64_t user)
{
	switch (need) {
	case SPACE_SEE:
		return !a->archived || a->manager;
	case SPACE_MANAGE:
		return a->manager && !a->archived;
	case SPACE_MANAGE_ARCHIVED:
		return a->manager;
	case SPACE_KEEPER:
		return a->keeper;
	case SPACE_INVITE:
		return !a->archived && (a->manager || a->externals_invite);
	case SPACE_CREATOR:
		return a->creator == user;
	}
	return 0;
}

int
space_open(struct db_job *j, struct db_conn *dc, int64_t space,
    int64_t user, struct space_access *a)
{
	PGresult *r;
	int closed;

	memset(a, 0, sizeof *a);
	if ((r = db_queryf(j, dc, "space_access", "ii", space, user)) == NULL)
		return -1;
	/* Who may see a space is the view space_readers, which the event
	   bus and SYNC read too. */
	closed = PQntuples(r) == 0;
	if (!closed) {
		a->space = space;
		a->workspace = db_get_i64(r, 0, "workspace_id");
		a->creator = db_get_i64(r, 0, "creator_id");
		snprintf(a->role, sizeof a->role, "%s", db_get(r, 0, "role"));
		a->archived = db_get_bool(r, 0, "archived");
		a->externals_invite = db_get_bool(r, 0, "externals_invite");
		a->manager = strcmp(a->role, "external") != 0;
		a->keeper = strcmp(a->role, "owner") == 0 ||
		    strcmp(a->role, "internal") == 0;
		a->network = db_get_bool(r, 0, "network");
		snprintf(a->title, sizeof a->title, "%s", db_get(r, 0,
		    "title"));
	}
	PQclear(r);
	if (closed) {
		/* No space, not in it, not yet in, or revoked: one answer,
		   so that none can be told from another. */
		proto_err(j->out, j->tag, PERR_NOT_FOUND, SPACE_CLOSED);
		return -1;
	}
	return 0;
}

int
space_admit(struct db_job *j, struct db_conn *dc, int64_t user,
    enum space_need need, const struct space_access *a)
{
	if (!space_allows(need, a, user))
		return space_refuse(j, need, a);
	return db_commandf(j, dc, "space_touch", "ii", a->space, user);
}

int
space_emit(struct db_job *j, struct db_conn *dc, int64_t space,
    const char *type, struct buf *data)
{
	return db_commandf(j, dc, "space_emit", "sid", type, space, data);
}

int
space_emit_shared(struct db_job *j, struct db_conn *dc, int64_t space,
    const char *type, struct buf *data)
{
	return db_commandf(j, dc, "space_emit_shared", "sid", type, space,
	    data);
}

int
space_emit_to(struct db_job *j, struct db_conn *dc, int64_t space,
    int64_t user, const char *type, struct buf *data)
{
	return db_commandf(j, dc, "space_emit_to", "siid", type, user, space,
	    data);
}

struct buf *
space_participant_data(int64_t space, int64_t user, const char *email,
    const char *role, const char *status)
{
	struct buf *data = buf_new(0);

	proto_add_i64(data, "space", space);
	proto_add_i64(data, "user", user);
	proto_add(data, "email", email);
	proto_add(data, "role", role);
	proto_add(data, "status", status);
	return data;
}

int
space_participant_emit(struct db_job *j, struct db_conn *dc,
    const char *type, int64_t space, int64_t user, const char *email,
    const char *role, const char *status)
{
	struct buf *data = space_participant_data(space, user, email, role,
	    status);
	int rc;

	rc = space_emit(j, dc, space, type, data);
	buf_free(data);
	return rc;
}

int
space_contacts_changed(struct db_job *j, struct db_conn *dc, int64_t space,
    int64_t leaving)
{
	char data[32];

	snprintf(data, sizeof data, "space=%lld", (long long)space);
	return db_commandf(j, dc, "space_contacts_changed", "iis", space,
	    leaving, data);
}

void
space_people_ok(struct buf *out, const char *tag, int64_t people)
{
	proto_begin(out, tag, "OK");
	proto_add_i64(out, "people", people);
	if (people > SPACE_RECOMMENDED)
		proto_add(out, "warning", "more than 15 participants: past the "
		    "recommended size for a space");
	proto_end(out);
}

void
space_profile_add(struct buf *out, const PGresult *r, int i)
{
	static const char *const cols[][2] = {
		{ "name", "own_name" },
		{ "company", "own_company" },
		{ "job_title", "own_job_title" }
	};

	for (size_t c = 0; c < sizeof cols / sizeof cols[0]; c++)
		proto_add(out, cols[c][0], db_get(r, i, cols[c][0]));
	for (size_t c = 0; c < sizeof cols / sizeof cols[0]; c++)
		if (!db_isnull(r, i, cols[c][1]))
			proto_add(out, cols[c][1], db_get(r, i, cols[c][1]));
}

int
space_profile_changed(struct db_job *j, struct db_conn *dc, int64_t user)
{
	struct buf *data;
	PGresult *r;
	int rc = 0;

	if ((r = db_queryf(j, dc, "space_profile_spaces", "i", user)) == NULL)
		return -1;
	for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
		int64_t space = db_get_i64(r, i, "space_id");

		data = space_participant_data(space, user, db_get(r, i,
		    "email"), db_get(r, i, "role"), db_get(r, i, "status"));
		space_profile_add(data, r, i);
		rc = space_emit(j, dc, space, "participant.updated", data);
		buf_free(data);
	}
	PQclear(r);
	return rc;
}
