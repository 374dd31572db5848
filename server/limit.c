#include <stdio.h>

#include "db.h"
#include "limit.h"
#include "str.h"

const struct db_stmt limit_stmts[] = {
	{ "limit_count",
	  "SELECT count(*) AS n FROM login_failures WHERE key = $1"
	  " AND at > now() - make_interval(secs => $2::int)" },
	{ "limit_add",
	  "INSERT INTO login_failures (key) VALUES ($1)" },
	{ NULL, NULL }
};

int
limit_attempt(struct db_job *j, struct db_conn *dc, const char *key,
    long max, long window, int *over)
{
	char w[STR_I64_LEN];
	const char *count[2] = { key, str_i64(w, window) };
	PGresult *r;

	if ((r = db_query(j, dc, "limit_count", 2, count)) == NULL)
		return -1;
	*over = db_get_i64(r, 0, "n") >= max;
	PQclear(r);
	return db_command(j, dc, "limit_add", 1, &key);
}
