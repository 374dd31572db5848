/*
 * Workspaces: MEMBERS, the people of one workspace.
 */
#include <stdio.h>

#include "cmd.h"
#include "conn.h"
#include "db.h"
#include "proto.h"
#include "session.h"
#include "xmalloc.h"

/*
 * Authorization is in the statement: the caller's own membership row (me)
 * is joined first, so a workspace the caller is not in reads exactly like
 * one that does not exist — no rows — and the two cannot be told apart.
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

struct members_job {
	struct db_job	 job;
	char		 workspace[24];
	char		 user[24];
};

static void
members_result(struct db_job *j, const PGresult *r)
{
	int rows = PQntuples(r);

	if (rows == 0) {
		proto_err(j->out, j->tag, PERR_NOT_FOUND, "no such workspace");
		return;
	}
	for (int i = 0; i < rows; i++) {
		proto_begin(j->out, j->tag, "MEMBER");
		proto_add(j->out, "user", db_get(r, i, "id"));
		proto_add(j->out, "email", db_get(r, i, "email"));
		proto_add(j->out, "name", db_get(r, i, "name"));
		proto_add(j->out, "role", db_get(r, i, "role"));
		proto_end(j->out);
	}
	proto_begin(j->out, j->tag, "OK");
	proto_add_i64(j->out, "count", rows);
	proto_end(j->out);
}

static enum cmd_result
cmd_members(struct cmd_ctx *ctx)
{
	struct members_job *mj = xcalloc(1, sizeof *mj);
	int64_t workspace = 0;

	/* Checked by the schema (ARG_INT, required) before we run. */
	proto_get_i64(ctx->msg, "workspace", 0, INT64_MAX, &workspace);
	snprintf(mj->workspace, sizeof mj->workspace, "%lld",
	    (long long)workspace);
	snprintf(mj->user, sizeof mj->user, "%lld",
	    (long long)conn_session(ctx->conn)->user_id);
	mj->job.stmt = "workspace_members";
	mj->job.nparams = 2;
	mj->job.params[0] = mj->workspace;
	mj->job.params[1] = mj->user;
	return cmd_submit_read(ctx, &mj->job, members_result);
}

static const struct cmd_arg members_args[] = {
	{ "workspace", ARG_INT, 1, 20 },
	{ NULL, 0, 0, 0 }
};

const struct cmd cmd_workspace_table[] = {
	{ "MEMBERS", cmd_members, CMD_VERIFIED, PERM_NONE, members_args,
	  "the members of a workspace", 0 },
	{ NULL, NULL, CMD_PUBLIC, 0, NULL, NULL, 0 }
};
