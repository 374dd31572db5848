#include "db.h"
#include "event.h"

const struct db_stmt event_stmts[] = {
	{ "event_insert",
	  "INSERT INTO events (type, workspace_id, user_id, data) "
	  "VALUES ($1, $2, $3, $4)" },
	{ "audit_insert",
	  "INSERT INTO audit_log (actor_id, session_id, address, action, "
	  "target, detail) VALUES ($1, $2, $3, $4, $5, $6)" },
	{ NULL, NULL }
};

int
event_emit(struct db_job *j, struct db_conn *dc, const char *type,
    int64_t workspace_id, int64_t user_id, struct buf *data)
{
	return db_commandf(j, dc, "event_insert", "snnd", type, workspace_id,
	    user_id, data);
}

int
audit_record(struct db_job *j, struct db_conn *dc, int64_t actor,
    int64_t session, const char *address, const char *action,
    const char *target, const char *detail)
{
	return db_commandf(j, dc, "audit_insert", "nnssss", actor, session,
	    address, action, target, detail);
}
