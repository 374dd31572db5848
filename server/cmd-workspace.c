/*
 * Workspaces: MEMBERS, the people of one workspace.
 */
#include "cmd.h"
#include "db.h"
#include "proto.h"
#include "request.h"

/*
 * The dispatcher checked the caller's membership by the session
 * (TARGET_WORKSPACE); the statement checks it again in the database: the
 * caller's own membership row (me) is joined first, so a workspace the
 * caller is not in reads exactly like one that does not exist (no rows).
 * A workspace the caller is in always has a row: the caller's own.
 */
const struct db_stmt workspace_stmts[] = {
	{ "workspace_members",
	  "SELECT u.id, u.email, u.name, m.role FROM memberships me"
	  " JOIN memberships m ON m.workspace_id = me.workspace_id"
	  " JOIN users u ON u.id = m.user_id"
	  " WHERE me.workspace_id = $1::bigint AND me.user_id = $2::bigint"
	  " ORDER BY lower(u.name), u.id" },
	{ NULL, NULL }
};

static void
members_result(struct db_job *j, const PGresult *r)
{
	static const char *const cols[] = {
		"user=id", "email", "name", "role", NULL
	};
	int rows = PQntuples(r);

	if (rows == 0) {
		proto_err(j->out, j->tag, PERR_NOT_FOUND, "no such workspace");
		return;
	}
	for (int i = 0; i < rows; i++)
		req_row(j->out, j->tag, "MEMBER", r, i, cols);
	req_ok_i64(j->out, j->tag, "count", rows);
}

static enum cmd_result
members_prepare(struct req *r, struct cmd_ctx *ctx)
{
	db_job_params(&r->job, "ii", r->workspace, r->user);
	return CMD_PENDING;
}

static const struct cmd_arg members_args[] = {
	ARG("workspace", ARG_ID, 1, 20),
	{ NULL }
};

const struct cmd cmd_workspace_table[] = {
	{ "MEMBERS", CMD_VERIFIED, AREA_NONE, TARGET_WORKSPACE, 0, members_args,
	  "the members of a workspace",
	  .stmt = "workspace_members", .result = members_result,
	  .prepare = members_prepare },
	{ NULL }
};
