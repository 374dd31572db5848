/*
 * SYNC: the events a client missed while it was away, from the same log
 * that live pushes come from (bus.c).
 */
#include <stdio.h>
#include <stdlib.h>

#include "buf.h"
#include "cmd.h"
#include "config.h"
#include "conn.h"
#include "db.h"
#include "proto.h"
#include "server.h"
#include "session.h"
#include "xmalloc.h"

/* Visibility here must match bus_visible in bus.c. */
const struct db_stmt sync_stmts[] = {
	{ "sync_events",
	  "SELECT seq, type, data FROM events"
	  " WHERE seq > $1::bigint AND (user_id = $2::bigint"
	  "  OR workspace_id IN (SELECT workspace_id FROM memberships"
	  "   WHERE user_id = $2::bigint))"
	  " ORDER BY seq LIMIT $3::int" },
	{ "sync_latest", "SELECT last FROM event_seq" },
	{ NULL, NULL }
};

struct sync_job {
	struct db_job	 job;
	int64_t		 since;
	int64_t		 user;
	long		 limit;
};

static void
sync_run(struct db_job *j, struct db_conn *dc)
{
	struct sync_job *sj = (struct sync_job *)j;
	char since[24], user[24], limit[24];
	const char *params[3] = { since, user, limit };
	int64_t last = sj->since;
	PGresult *r;
	int n;

	snprintf(since, sizeof since, "%lld", (long long)sj->since);
	snprintf(user, sizeof user, "%lld", (long long)sj->user);
	snprintf(limit, sizeof limit, "%ld", sj->limit);
	/* Read the high-water mark first: every event up to it is
	 * committed, so a client resuming from it misses nothing. */
	if ((r = db_query(j, dc, "sync_latest", 0, NULL)) == NULL)
		return;
	if (db_get_i64(r, 0, "last") > last)
		last = db_get_i64(r, 0, "last");
	PQclear(r);
	if ((r = db_query(j, dc, "sync_events", 3, params)) == NULL)
		return;
	n = PQntuples(r);
	for (int i = 0; i < n; i++) {
		proto_begin(j->out, j->tag, "EVENT");
		proto_add(j->out, "seq", db_get(r, i, "seq"));
		proto_add(j->out, "type", db_get(r, i, "type"));
		if (*db_get(r, i, "data") != '\0')
			proto_add_raw(j->out, db_get(r, i, "data"));
		proto_end(j->out);
	}
	/* A full page stops at its last row; otherwise the client has seen
	 * everything up to the mark (or a later row committed meanwhile). */
	if (n == sj->limit || (n > 0 && db_get_i64(r, n - 1, "seq") > last))
		last = db_get_i64(r, n - 1, "seq");
	PQclear(r);
	proto_begin(j->out, j->tag, "OK");
	proto_add_i64(j->out, "seq", last);
	proto_add_i64(j->out, "more", n == sj->limit);
	proto_end(j->out);
}

static enum cmd_result
cmd_sync(struct cmd_ctx *ctx)
{
	struct sync_job *sj = xcalloc(1, sizeof *sj);

	proto_get_i64(ctx->msg, "since", 0, INT64_MAX, &sj->since);
	sj->user = conn_session(ctx->conn)->user_id;
	sj->limit = server_config()->sync_limit;
	return cmd_submit(ctx, &sj->job, sync_run, NULL);
}

static const struct cmd_arg sync_args[] = {
	{ "since", ARG_INT, 1, 20 },
	{ NULL, 0, 0, 0 }
};

const struct cmd cmd_events_table[] = {
	{ "SYNC", cmd_sync, 1, PERM_NONE, sync_args,
	  "events since a sequence number" },
	{ NULL, NULL, 0, 0, NULL, NULL }
};
