/*
 * SYNC: the events a client missed while it was away, from the same log
 * that live pushes come from (bus.c).
 */
#include "cmd.h"
#include "config.h"
#include "db.h"
#include "proto.h"
#include "request.h"
#include "server.h"

/*
 * Who reads which event is the view event_readers (sql/012), which the
 * event bus asks too. One statement reads the high-water mark and the
 * events in the same snapshot: every event up to the mark is committed
 * (seqs are handed out under a lock held until commit), so a client
 * resuming from it misses nothing. The mark comes on every row, and alone
 * on one row when there are no events.
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
	  "   WHERE v.seq > $1::bigint AND v.seq IN (SELECT er.seq"
	  "    FROM event_readers er WHERE er.user_id = $2::bigint"
	  "    AND er.seq > $1::bigint)"
	  "   ORDER BY v.seq LIMIT $3::int) w"
	  "  WHERE past < $4::bigint) e ON true"
	  " ORDER BY e.seq" },
	{ NULL, NULL }
};

/* The page's bound in events, read from the configuration on the loop
   thread. */
struct sync_job {
	struct req	 req;
	long		 max;		/* events */
};

static void
sync_result(struct db_job *j, const PGresult *r)
{
	struct sync_job *sj = (struct sync_job *)j;
	int64_t last = req_int(&sj->req, "since"), seq = 0;
	int rows = PQntuples(r), n = 0, i;

	for (i = 0; i < rows; i++) {
		if (db_isnull(r, i, "seq"))
			continue;
		if (n == sj->max || cmd_page_full(j->out, sj->req.page, n))
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
sync_prepare(struct req *r, struct cmd_ctx *ctx)
{
	struct sync_job *sj = (struct sync_job *)r;

	sj->max = server_config()->sync_limit;
	db_job_params(&r->job, "iiii", req_int(r, "since"), r->user,
	    (int64_t)sj->max + 1, (int64_t)r->page);
	return CMD_PENDING;
}

static const struct cmd_arg sync_args[] = {
	ARG("since", ARG_INT, 1, 20),
	{ NULL }
};

const struct cmd cmd_events_table[] = {
	{ "SYNC", CMD_SESSION, AREA_NONE, TARGET_SELF, 0, sync_args,
	  "events since a sequence number",
	  .size = sizeof(struct sync_job), .prepare = sync_prepare,
	  .stmt = "sync_events", .result = sync_result },
	{ NULL }
};
