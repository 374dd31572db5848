#include "plan.h"
#include "request.h"

const struct db_stmt plan_stmts[] = {
	{ "plan_workspace",
	  "SELECT (plan <> 'free')::int AS paid FROM workspaces"
	  " WHERE id = $1::bigint" },
	{ "plan_user",
	  "SELECT (" PAID_SQL("$1::bigint") ")::int AS paid" },
	{ NULL, NULL }
};

/* Runs stmt on id; refuses with msg unless it says paid. */
static int
plan_require(struct req *r, struct db_conn *dc, const char *stmt,
    int64_t id, const char *msg)
{
	int64_t paid;

	/* No row (no such workspace) reads as 0. */
	if (db_valuef(&r->job, dc, stmt, "paid", &paid, "i", id) != 0)
		return -1;
	return paid ? 0 : req_err(r, PERR_PLAN_REQUIRED, msg);
}

int
plan_require_workspace(struct req *r, struct db_conn *dc, int64_t workspace)
{
	return plan_require(r, dc, "plan_workspace", workspace, PLAN_NEEDED);
}

int
plan_require_user(struct req *r, struct db_conn *dc)
{
	return plan_require(r, dc, "plan_user", r->user, "professional "
	    "contacts need a paid plan (premium or pro)");
}
