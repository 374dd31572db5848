#include <string.h>

#include "plan.h"
#include "request.h"

const struct db_stmt plan_stmts[] = {
	{ "plan_workspace",
	  "SELECT plan <> 'free' AS paid FROM workspaces WHERE id = $1::bigint" },
	{ "plan_user",
	  "SELECT " PAID_SQL("$1::bigint") " AS paid" },
	{ NULL, NULL }
};

/* Runs stmt on id; refuses with msg unless it says paid. */
static int
plan_require(struct req *r, struct db_conn *dc, const char *stmt,
    int64_t id, const char *msg)
{
	PGresult *res;
	int paid;

	if ((res = db_queryf(&r->job, dc, stmt, "i", id)) == NULL)
		return -1;
	paid = PQntuples(res) == 1 && strcmp(db_get(res, 0, "paid"), "t") == 0;
	PQclear(res);
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
