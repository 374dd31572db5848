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

/*
 * Visibility here must match bus_visible in bus.c: a row for the user, for
 * one of their workspaces, or a space's shared row (one naming a space and
 * no user) while they read the space (space_readers), as the bus finds
 * them. A row for one user that names a space is that user's alone: the
 * space is named so that deleting it deletes the row. One statement reads the
 * high-water mark and the events in the same snapshot: every event up to
 * the mark is committed (seqs are handed out under a lock held until
 * commit), so a client resuming from it misses nothing. The mark comes on
 * every row, and alone on one row when there are no events.
 *
 * A page is bounded in rows (sync_limit) and in bytes ($4, cmd.h). The
 * statement reads one event more than a page may hold, and only while
 * the data of the events before the previous one is under the budget:
 * sync_result cuts by the lines it writes, which are longer than the
 * data, so the event after its last is always here if there is one (and
 * it says more=1), and events far past the budget are not read.
 */
const struct db_stmt sync_stmts[] = {
	{ "sync_events",
	  "SELECT m.last AS mark, e.seq, e.type, e.data"
	  " FROM event_seq m LEFT JOIN LATERAL ("
	  "  SELECT seq, type, data FROM ("
	  "   SELECT v.seq, v.type, v.data, coalesce(sum(octet_length(v.data))"
	  "   OVER (ORDER BY v.seq ROWS BETWEEN UNBOUNDED PRECEDING"
	  "   AND 2 PRECEDING), 0) AS past"
	  "   FROM events v"
	  "   WHERE v.seq > $1::bigint AND (v.user_id = $2::bigint"
	  "    OR v.workspace_id IN (SELECT m.workspace_id FROM memberships m"
	  "     WHERE m.user_id = $2::bigint)"
	  "    OR (v.user_id IS NULL AND v.space_id IN (SELECT r.space_id"
	  "     FROM space_readers r WHERE r.user_id = $2::bigint)))"
	  "   ORDER BY v.seq LIMIT $3::int) w"
	  "  WHERE past < $4::bigint) e ON true"
	  " ORDER BY e.seq" },
	{ NULL, NULL }
};

struct sync_job {
	struct db_job	 job;
	char		 since[24];
	char		 user[24];
	char		 limit[24];
	char		 bytes[24];
	long		 max;
	size_t		 page;		/* the byte budget */
};

static void
sync_result(struct db_job *j, const PGresult *r)
{
	struct sync_job *sj = (struct sync_job *)j;
	int64_t last = strtoll(sj->since, NULL, 10), seq = 0;
	int rows = PQntuples(r), n = 0, i;

	for (i = 0; i < rows; i++) {
		if (db_isnull(r, i, "seq"))
			continue;
		if (n == sj->max || cmd_page_full(j->out, sj->page, n))
			break;
		seq = db_get_i64(r, i, "seq");
		proto_begin(j->out, j->tag, "EVENT");
		proto_add(j->out, "seq", db_get(r, i, "seq"));
		proto_add(j->out, "type", db_get(r, i, "type"));
		if (*db_get(r, i, "data") != '\0')
			proto_add_raw(j->out, db_get(r, i, "data"));
		proto_end(j->out);
		n++;
	}
	/*
	 * A page cut by its rows or its bytes (events left over) stops at
	 * its last event; otherwise the client has seen everything up to
	 * the mark. A since beyond the mark (a database restored from
	 * backup) is answered with the mark, to start over.
	 */
	if (i < rows)
		last = seq;
	else if (rows > 0)
		last = db_get_i64(r, 0, "mark");
	proto_begin(j->out, j->tag, "OK");
	proto_add_i64(j->out, "seq", last);
	proto_add_i64(j->out, "more", i < rows);
	proto_end(j->out);
}

static enum cmd_result
cmd_sync(struct cmd_ctx *ctx)
{
	struct sync_job *sj = xcalloc(1, sizeof *sj);
	int64_t since = 0;

	proto_get_i64(ctx->msg, "since", 0, INT64_MAX, &since);
	sj->max = server_config()->sync_limit;
	snprintf(sj->since, sizeof sj->since, "%lld", (long long)since);
	snprintf(sj->user, sizeof sj->user, "%lld",
	    (long long)conn_session(ctx->conn)->user_id);
	snprintf(sj->limit, sizeof sj->limit, "%ld", sj->max + 1);
	sj->page = cmd_page_bytes();
	snprintf(sj->bytes, sizeof sj->bytes, "%zu", sj->page);
	sj->job.stmt = "sync_events";
	sj->job.nparams = 4;
	sj->job.params[0] = sj->since;
	sj->job.params[1] = sj->user;
	sj->job.params[2] = sj->limit;
	sj->job.params[3] = sj->bytes;
	return cmd_submit_read(ctx, &sj->job, sync_result);
}

static const struct cmd_arg sync_args[] = {
	{ "since", ARG_INT, 1, 20 },
	{ NULL, 0, 0, 0 }
};

const struct cmd cmd_events_table[] = {
	{ "SYNC", cmd_sync, CMD_SESSION, PERM_NONE, sync_args,
	  "events since a sequence number", 0 },
	{ NULL, NULL, CMD_PUBLIC, 0, NULL, NULL, 0 }
};
