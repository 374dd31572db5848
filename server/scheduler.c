/*
 * The scheduler (DESIGN.md section 7: scheduled jobs run in agorad,
 * claimed with FOR UPDATE SKIP LOCKED so that several nodes do each job
 * once).
 *
 * Every SCHED_TICK_MS the loop sends one database job, unless the last one
 * is still out. It reads which jobs are due (a row of schedule whose
 * due_at has passed) and, for each, in a transaction of its own: claims
 * the row with FOR UPDATE SKIP LOCKED, due_at checked again under the
 * lock; does the work; moves due_at on by the job's interval; commits.
 * Another node ticking at the same moment skips the locked row, and once
 * this one has committed the row is no longer due: each run happens once,
 * on one node. A run that fails rolls back whole, so the job stays due and
 * the next tick, here or on another node, tries again; so does a tick the
 * database was away for.
 *
 * A job's work must be safe to run at any moment beside requests: the
 * upload purge skips the rows a request holds (file_purge).
 *
 * What a job needs of the configuration is copied into the database job
 * on the loop thread, where SIGHUP changes it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "db.h"
#include "ev.h"
#include "file.h"
#include "log.h"
#include "presence.h"
#include "rid.h"
#include "scheduler.h"
#include "server.h"
#include "xmalloc.h"

#define SCHED_TICK_MS		5000
#define SCHED_JOBS_MAX		16	/* due jobs looked at in one tick */

const struct db_stmt sched_stmts[] = {
	{ "sched_due",
	  "SELECT job FROM schedule WHERE due_at <= now() ORDER BY job"
	  " LIMIT 16" },
	{ "sched_claim",
	  "SELECT job FROM schedule WHERE job = $1 AND due_at <= now()"
	  " FOR UPDATE SKIP LOCKED" },
	{ "sched_done",
	  "UPDATE schedule"
	  " SET due_at = now() + $2::bigint * interval '1 second',"
	  " last_run_at = now(), last_node = $3 WHERE job = $1" },
	{ NULL, NULL }
};

struct sched_job {
	struct db_job	 job;
	long		 upload_expiry;
	char		 node[64];	/* presence_node() */
	char		 note[128];	/* what a run did, logged after it */
};

/* A job: its row's name, how often it runs, and its work (worker side, in
   the claiming transaction: 0, or -1 with the job's status set). */
struct sched_def {
	const char	*name;
	const char	*interval;	/* seconds, as a parameter */
	int		(*run)(struct sched_job *, struct db_conn *);
};

/* Unfinished uploads older than upload_expiry (cmd-file.c). An upload
   goes between upload_expiry and upload_expiry plus an hour after it
   began. */
static int
sched_uploads_purge(struct sched_job *sj, struct db_conn *dc)
{
	long n = 0;

	if (file_purge(&sj->job, dc, sj->upload_expiry, &n) != 0)
		return -1;
	if (n > 0)
		snprintf(sj->note, sizeof sj->note, "deleted %ld unfinished "
		    "upload%s", n, n == 1 ? "" : "s");
	return 0;
}

/* Replies kept for retries (rid.h), once past RID_KEEP. */
static int
sched_replies_purge(struct sched_job *sj, struct db_conn *dc)
{
	long n = 0;

	if (rid_purge(&sj->job, dc, &n) != 0)
		return -1;
	if (n > 0)
		snprintf(sj->note, sizeof sj->note, "deleted %ld stored "
		    "repl%s", n, n == 1 ? "y" : "ies");
	return 0;
}

static const struct sched_def sched_defs[] = {
	{ "uploads.purge", "3600", sched_uploads_purge },
	{ "replies.purge", "3600", sched_replies_purge },
};
#define SCHED_NDEFS (sizeof sched_defs / sizeof sched_defs[0])

/* Worker side ------------------------------------------------------------ */

static void
sched_run_one(struct sched_job *sj, struct db_conn *dc,
    const struct sched_def *d)
{
	struct db_job *j = &sj->job;
	int64_t claimed;

	if (db_begin(j, dc) != 0 || db_valuef(j, dc, "sched_claim", NULL,
	    &claimed, "s", d->name) != 0)
		return;
	if (!claimed) {		/* another node has it, or has run it */
		db_rollback(dc);
		return;
	}
	sj->note[0] = '\0';
	if (d->run(sj, dc) != 0 ||
	    db_commandf(j, dc, "sched_done", "sss", d->name, d->interval,
	    sj->node) != 0 ||
	    db_commit(j, dc) != 0)
		return;
	if (sj->note[0] != '\0')
		log_info("scheduler: %s: %s", d->name, sj->note);
}

static void
sched_run(struct db_job *j, struct db_conn *dc)
{
	struct sched_job *sj = (struct sched_job *)j;
	const struct sched_def *due[SCHED_JOBS_MAX];
	size_t ndue = 0;
	PGresult *r;

	if ((r = db_query(j, dc, "sched_due", 0, NULL)) == NULL)
		return;
	/* A job this build does not know (a newer node's) is left to it. */
	for (int i = 0; i < PQntuples(r) && ndue < SCHED_JOBS_MAX; i++) {
		const char *name = db_get(r, i, "job");

		for (size_t d = 0; d < SCHED_NDEFS; d++)
			if (strcmp(name, sched_defs[d].name) == 0)
				due[ndue++] = &sched_defs[d];
	}
	PQclear(r);
	for (size_t i = 0; i < ndue; i++) {
		sched_run_one(sj, dc, due[i]);
		if (j->status == DB_UNAVAILABLE)
			return;
		if (j->status != DB_OK) {
			log_warnx("scheduler: %s failed; it stays due",
			    due[i]->name);
			db_rollback(dc);
			j->status = DB_OK;
		}
	}
}

/* Loop side -------------------------------------------------------------- */

static struct ev_timer	*sched_timer;
static int		 sched_inflight;

static void
sched_job_done(struct db_job *j)
{
	sched_inflight = 0;
	free(j);
}

static void
sched_tick(void *arg)
{
	struct sched_job *sj;

	if (sched_inflight || sched_timer == NULL)
		return;
	sj = xcalloc(1, sizeof *sj);
	sj->upload_expiry = server_config()->upload_expiry;
	snprintf(sj->node, sizeof sj->node, "%s", presence_node());
	sj->job.run = sched_run;
	sj->job.done = sched_job_done;
	sched_inflight = 1;
	db_submit(&sj->job);
}

void
scheduler_start(void)
{
	sched_timer = ev_timer_add(SCHED_TICK_MS, 1, sched_tick, NULL);
	sched_tick(NULL);
}

void
scheduler_stop(void)
{
	if (sched_timer == NULL)
		return;
	ev_timer_del(sched_timer);
	sched_timer = NULL;
}
