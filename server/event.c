#include <stdio.h>
#include <string.h>

#include "buf.h"
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

/* An id as a parameter: NULL for 0. */
static const char *
id_param(int64_t id, char *tmp, size_t size)
{
	if (id == 0)
		return NULL;
	snprintf(tmp, size, "%lld", (long long)id);
	return tmp;
}

int
event_emit(struct db_job *j, struct db_conn *dc, const char *type,
    int64_t workspace_id, int64_t user_id, struct buf *data)
{
	char ws[24], user[24];
	const char *params[4];

	params[0] = type;
	params[1] = id_param(workspace_id, ws, sizeof ws);
	params[2] = id_param(user_id, user, sizeof user);
	/* Stored without the space proto_add puts before each param. */
	params[3] = data != NULL ? buf_cstr(data) : "";
	params[3] += strspn(params[3], " ");
	return db_command(j, dc, "event_insert", 4, params);
}

int
audit_record(struct db_job *j, struct db_conn *dc, int64_t actor,
    int64_t session, const char *address, const char *action,
    const char *target, const char *detail)
{
	char a[24], s[24];
	const char *params[6];

	params[0] = id_param(actor, a, sizeof a);
	params[1] = id_param(session, s, sizeof s);
	params[2] = address;
	params[3] = action;
	params[4] = target;
	params[5] = detail;
	return db_command(j, dc, "audit_insert", 6, params);
}
