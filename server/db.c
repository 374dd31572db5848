#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "db.h"
#include "ev.h"
#include "lane.h"
#include "log.h"
#include "rid.h"
#include "xmalloc.h"

/* After a failed connection attempt, jobs fail fast for this long. */
#define DB_RETRY_MS	500
/* Read jobs sent in one pipeline. Small enough that the statements fit in
 * the socket buffer, so sending them all before reading cannot deadlock. */
#define DB_BATCH_MAX	32

struct db_conn {
	int		 id;
	PGconn		*pg;
	int64_t		 last_try;	/* ms, monotonic */
	int		 committing;	/* COMMIT was sent for this run */
	int		 deferred;	/* run reached its COMMIT (a rid's) */
	pthread_t	 thread;
};

struct db_queue {
	struct db_job	*head, *tail;
};

static const char	*db_conninfo;
static struct db_conn	*db_conns;
static int		 db_nconns;

static pthread_mutex_t	 db_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	 db_cond = PTHREAD_COND_INITIALIZER;
static struct db_queue	 db_todo;	/* under db_lock */
static pthread_mutex_t	 db_done_lock = PTHREAD_MUTEX_INITIALIZER;
static struct db_queue	 db_done;	/* under db_done_lock */
static int		 db_quit;	/* under db_lock */
static int		 db_inflight;	/* loop thread only */
static int		 db_efd = -1;
static struct ev_io	 db_io;

static void
queue_push(struct db_queue *q, struct db_job *j)
{
	j->next = NULL;
	if (q->tail != NULL)
		q->tail->next = j;
	else
		q->head = j;
	q->tail = j;
}

static struct db_job *
queue_pop(struct db_queue *q)
{
	struct db_job *j = q->head;

	if (j != NULL) {
		q->head = j->next;
		if (q->head == NULL)
			q->tail = NULL;
		j->next = NULL;
	}
	return j;
}

/* Server notices ("relation already exists, skipping") are debug noise. */
static void
db_notice(void *arg, const char *message)
{
	log_debug("database: %.*s", (int)strcspn(message, "\n"), message);
}

/*
 * The user's conninfo comes last, expanded in place of dbname, so anything
 * it sets overrides our defaults.
 */
PGconn *
db_open(const char *conninfo, const char *name)
{
	static const char *const keys[] = { "connect_timeout",
	    "application_name", "dbname", NULL };
	const char *values[] = { "5", name, conninfo, NULL };
	PGconn *pg = PQconnectdbParams(keys, values, 1);

	PQsetNoticeProcessor(pg, db_notice, NULL);
	return pg;
}

struct db_prepare {
	PGconn	 *pg;
	char	**cause;
};

static int
db_prepare_one(const struct db_stmt *s, void *arg)
{
	struct db_prepare *p = arg;
	PGresult *r = PQprepare(p->pg, s->name, s->sql, 0, NULL);
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK;

	if (!ok && p->cause != NULL)
		xasprintf(p->cause, "preparing %s: %s", s->name,
		    PQresultErrorMessage(r));
	PQclear(r);
	return ok ? 0 : -1;
}

static int
db_prepare_all(PGconn *pg, char **cause)
{
	struct db_prepare p = { pg, cause };

	return db_stmts_each(db_prepare_one, &p);
}

int
db_run(PGconn *pg, const char *sql, int n, const char *const *params,
    PGresult **out, char **cause)
{
	PGresult *r = PQexecParams(pg, sql, n, NULL, params, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(r);

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		xasprintf(cause, "%s", PQresultErrorMessage(r));
		PQclear(r);
		return -1;
	}
	if (out != NULL)
		*out = r;
	else
		PQclear(r);
	return 0;
}

static int db_params_v(const char **, char [][24], const char *, va_list);

int
db_vrunf(PGconn *pg, const char *sql, PGresult **out, char **cause,
    const char *fmt, va_list ap)
{
	const char *params[DB_PARAMS_MAX];
	char text[DB_PARAMS_MAX][24];
	int n = db_params_v(params, text, fmt, ap);

	return db_run(pg, sql, n, params, out, cause);
}

int
db_runf(PGconn *pg, const char *sql, PGresult **out, char **cause,
    const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = db_vrunf(pg, sql, out, cause, fmt, ap);
	va_end(ap);
	return rc;
}

PGconn *
db_connect_once(const char *conninfo, char **cause)
{
	PGconn *pg = db_open(conninfo, "agorad");

	if (PQstatus(pg) != CONNECTION_OK) {
		xasprintf(cause, "database: %s", PQerrorMessage(pg));
		PQfinish(pg);
		return NULL;
	}
	return pg;
}

PGconn *
db_listen(const char *conninfo, const char *name, const char *who,
    const char *const *channels)
{
	PGconn *pg = db_open(conninfo, name);
	char *cause = NULL;

	if (PQstatus(pg) != CONNECTION_OK) {
		log_warnx("%s: cannot connect: %s", who, PQerrorMessage(pg));
		PQfinish(pg);
		return NULL;
	}
	for (; *channels != NULL; channels++) {
		if (db_run(pg, *channels, 0, NULL, NULL, &cause) != 0) {
			log_warnx("%s: LISTEN: %s", who, cause);
			free(cause);
			PQfinish(pg);
			return NULL;
		}
	}
	return pg;
}

int
db_wait(int quit_fd, PGconn *pg, int timeout_ms, const char *who)
{
	struct pollfd pfd[2] = {
		{ .fd = quit_fd, .events = POLLIN },
		{ .fd = pg != NULL ? PQsocket(pg) : -1, .events = POLLIN },
	};

	if (poll(pfd, pg != NULL ? 2 : 1, timeout_ms) == -1 && errno != EINTR)
		log_warn("%s: poll", who);
	return (pfd[0].revents & POLLIN) != 0;
}

/* Worker thread: a usable connection, or -1 while the database is away. */
static int
db_ensure(struct db_conn *dc)
{
	char *cause = NULL;
	int64_t now;

	if (dc->pg != NULL && PQstatus(dc->pg) == CONNECTION_OK)
		return 0;
	now = clock_ms();
	if (dc->last_try != 0 && now - dc->last_try < DB_RETRY_MS)
		return -1;
	dc->last_try = now;
	if (dc->pg != NULL)
		PQfinish(dc->pg);
	dc->pg = db_open(db_conninfo, "agorad");
	if (PQstatus(dc->pg) != CONNECTION_OK) {
		log_warnx("db worker %d: cannot connect: %s", dc->id,
		    PQerrorMessage(dc->pg));
		return -1;
	}
	if (db_prepare_all(dc->pg, &cause) != 0) {
		log_warnx("db worker %d: %s", dc->id, cause);
		free(cause);
		PQfinish(dc->pg);
		dc->pg = NULL;
		return -1;
	}
	log_info("db worker %d: connected", dc->id);
	return 0;
}

static int db_simple(struct db_job *, struct db_conn *, const char *);

/*
 * The COMMIT of a job with a rid, held back by db_commit: run writes its
 * reply after db_commit returns (most runs do), so only now is it known,
 * and it is stored just before COMMIT, in the same transaction. A run
 * that failed after reaching db_commit is rolled back instead (it would
 * have answered an error anyway). A run that hands the job to the lane
 * has no final reply yet: none may commit first (rid.h), and the tests
 * walk every flagged verb.
 */
static void
db_commit_stored(struct db_job *j, struct db_conn *dc)
{
	dc->deferred = 0;
	if (j->cpu != NULL)
		fatalx("db: a job with a rid committed before its lane step");
	if (j->status != DB_OK || rid_store(j, dc) != 0)
		return;
	dc->committing = 1;
	db_simple(j, dc, "COMMIT");
}

static void
db_run_job(struct db_conn *dc, struct db_job *j)
{
	for (int attempt = 0; attempt < 2; attempt++) {
		if (db_ensure(dc) != 0) {
			j->status = DB_UNAVAILABLE;
			return;
		}
		j->status = DB_OK;
		dc->committing = dc->deferred = 0;
		if (j->out != NULL)
			buf_reset(j->out);
		j->run(j, dc);
		if (dc->deferred && PQstatus(dc->pg) == CONNECTION_OK)
			db_commit_stored(j, dc);
		if (PQstatus(dc->pg) == CONNECTION_OK) {
			/* A run that failed half-way leaves no transaction. */
			db_rollback(dc);
			return;
		}
		/* Lost the server. Unless COMMIT was sent, nothing happened. */
		j->status = DB_UNAVAILABLE;
		if (dc->committing)
			return;
		dc->last_try = 0;
	}
}

/* A connection we no longer trust the state of: reconnect next time. */
static void
db_drop(struct db_conn *dc)
{
	PQfinish(dc->pg);
	dc->pg = NULL;
	dc->last_try = 0;
}

static void
db_read_result(struct db_job *j, PGresult *r)
{
	ExecStatusType st = PQresultStatus(r);

	if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
		j->status = DB_OK;
		j->result(j, r);
	} else if (st == PGRES_PIPELINE_ABORTED) {
		j->status = DB_UNAVAILABLE;	/* another statement failed */
	} else {
		j->status = DB_FAILED;
		log_warnx("db: %s: %s", j->stmt, PQresultErrorMessage(r));
	}
}

/*
 * Sends the batch's statements in pipeline mode and reads their results
 * in order. Returns -1 if the connection failed (nothing was changed, so
 * the caller may send them again), 0 otherwise.
 */
static int
db_pipeline(struct db_conn *dc, struct db_job **batch, int n)
{
	PGconn *pg = dc->pg;
	PGresult *r;

	if (PQenterPipelineMode(pg) != 1)
		return -1;
	for (int i = 0; i < n; i++) {
		struct db_job *j = batch[i];

		buf_reset(j->out);
		if (PQsendQueryPrepared(pg, j->stmt, j->nparams, j->params,
		    NULL, NULL, 0) != 1)
			return -1;
	}
	if (PQpipelineSync(pg) != 1)
		return -1;
	for (int i = 0; i < n; i++) {
		if ((r = PQgetResult(pg)) == NULL)
			return -1;
		db_read_result(batch[i], r);
		PQclear(r);
		while ((r = PQgetResult(pg)) != NULL)	/* end of this one */
			PQclear(r);
	}
	r = PQgetResult(pg);
	if (PQresultStatus(r) != PGRES_PIPELINE_SYNC) {
		PQclear(r);
		return -1;
	}
	PQclear(r);
	return PQexitPipelineMode(pg) == 1 ? 0 : -1;
}

static void
db_run_reads(struct db_conn *dc, struct db_job **batch, int n)
{
	for (int attempt = 0; attempt < 2; attempt++) {
		if (db_ensure(dc) != 0)
			break;
		if (db_pipeline(dc, batch, n) == 0) {
			/* A statement that failed aborted the ones after it:
			 * they did nothing wrong, so run them again alone. */
			for (int i = 0; i < n; i++)
				if (batch[i]->status == DB_UNAVAILABLE)
					db_run_reads(dc, &batch[i], 1);
			return;
		}
		log_warnx("db worker %d: pipeline failed: %s", dc->id,
		    PQerrorMessage(dc->pg));
		db_drop(dc);
	}
	for (int i = 0; i < n; i++)
		batch[i]->status = DB_UNAVAILABLE;
}

/* Waits for work: one job, or up to DB_BATCH_MAX read jobs. */
static int
db_take(struct db_job **batch)
{
	int n = 0;

	pthread_mutex_lock(&db_lock);
	while (db_todo.head == NULL && !db_quit)
		pthread_cond_wait(&db_cond, &db_lock);
	if (db_todo.head != NULL) {
		batch[n++] = queue_pop(&db_todo);
		while (batch[0]->stmt != NULL && n < DB_BATCH_MAX &&
		    db_todo.head != NULL && db_todo.head->stmt != NULL)
			batch[n++] = queue_pop(&db_todo);
	}
	pthread_mutex_unlock(&db_lock);
	return n;
}

/* Hands finished jobs to the loop; wakes it only if it has none yet. */
static void
db_finish(struct db_job **batch, int n)
{
	uint64_t one = 1;
	int wake;

	pthread_mutex_lock(&db_done_lock);
	wake = db_done.head == NULL;
	for (int i = 0; i < n; i++)
		queue_push(&db_done, batch[i]);
	pthread_mutex_unlock(&db_done_lock);
	if (wake && write(db_efd, &one, sizeof one) != sizeof one)
		log_warn("db: eventfd write");
}

/* A job whose run asked for the lane goes there: 1, or 0 to finish it. */
static int
db_to_lane(struct db_job *j)
{
	if (j->cpu == NULL)
		return 0;
	if (j->status == DB_OK && lane_push(j) == 0)
		return 1;
	if (j->status == DB_OK)
		j->status = DB_BUSY;
	j->cpu = NULL;
	return 0;
}

void
db_requeue(struct db_job *j)
{
	/* A cpu step that failed ends the job: the next run would find its
	   status reset and go on without what the step was to make. */
	if (j->status != DB_OK) {
		db_finish(&j, 1);
		return;
	}
	pthread_mutex_lock(&db_lock);
	queue_push(&db_todo, j);
	pthread_cond_signal(&db_cond);
	pthread_mutex_unlock(&db_lock);
}

static void *
db_worker(void *arg)
{
	struct db_conn *dc = arg;
	struct db_job *batch[DB_BATCH_MAX];
	int n;

	while ((n = db_take(batch)) > 0) {
		if (batch[0]->stmt != NULL)
			db_run_reads(dc, batch, n);
		else {
			db_run_job(dc, batch[0]);
			if (db_to_lane(batch[0]))
				continue;
		}
		db_finish(batch, n);
	}
	return NULL;
}

/* Loop thread: finished jobs. */
static void
db_io_cb(struct ev_io *io, int events)
{
	struct db_queue done;
	struct db_job *j;
	uint64_t n;

	if (read(db_efd, &n, sizeof n) == -1 && errno != EAGAIN)
		log_warn("db: eventfd read");
	pthread_mutex_lock(&db_done_lock);
	done = db_done;
	db_done.head = db_done.tail = NULL;
	pthread_mutex_unlock(&db_done_lock);
	while ((j = queue_pop(&done)) != NULL) {
		if (j->submitted)
			db_inflight--;
		j->done(j);
	}
}

int
db_start(const char *conninfo, int workers, char **cause)
{
	db_conninfo = conninfo;
	db_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (db_efd == -1) {
		xasprintf(cause, "eventfd: %s", strerror(errno));
		return -1;
	}
	ev_io_set(&db_io, db_efd, db_io_cb);
	ev_io_want(&db_io, EV_READ);
	db_quit = 0;
	db_nconns = workers;
	db_conns = xcalloc(workers, sizeof *db_conns);
	for (int i = 0; i < workers; i++) {
		db_conns[i].id = i;
		/* Connect up front so the first requests need not wait; a
		 * database that is down now is retried per job. */
		db_ensure(&db_conns[i]);
		if (pthread_create(&db_conns[i].thread, NULL, db_worker,
		    &db_conns[i]) != 0)
			fatalx("pthread_create");
	}
	return 0;
}

void
db_stop(void)
{
	db_flush();
	pthread_mutex_lock(&db_lock);
	db_quit = 1;
	pthread_cond_broadcast(&db_cond);
	pthread_mutex_unlock(&db_lock);
	for (int i = 0; i < db_nconns; i++) {
		pthread_join(db_conns[i].thread, NULL);
		PQfinish(db_conns[i].pg);
	}
	/* Workers drained the queue before quitting; finish those jobs. */
	db_io_cb(&db_io, EV_READ);
	ev_io_del(&db_io);
	close(db_efd);
	db_efd = -1;
	free(db_conns);
	db_conns = NULL;
	db_nconns = 0;
}

/*
 * Jobs submitted during a loop turn wait here and go to the workers
 * together in db_flush, before the loop sleeps: one lock and one wake-up
 * per turn rather than per request, and whole batches for the pipeline.
 */
static struct db_queue	 db_outbox;	/* loop thread only */
static int		 db_noutbox;

void
db_submit(struct db_job *j)
{
	db_inflight++;
	j->submitted = 1;
	queue_push(&db_outbox, j);
	db_noutbox++;
}

void
db_flush(void)
{
	if (db_outbox.head == NULL)
		return;
	pthread_mutex_lock(&db_lock);
	if (db_todo.tail != NULL)
		db_todo.tail->next = db_outbox.head;
	else
		db_todo.head = db_outbox.head;
	db_todo.tail = db_outbox.tail;
	if (db_noutbox > 1)
		pthread_cond_broadcast(&db_cond);
	else
		pthread_cond_signal(&db_cond);
	pthread_mutex_unlock(&db_lock);
	db_outbox.head = db_outbox.tail = NULL;
	db_noutbox = 0;
}

/* Any thread. The job's done step runs on the loop thread. */
void
db_post(struct db_job *j)
{
	j->submitted = 0;
	db_finish(&j, 1);
}

int
db_pending(void)
{
	return db_inflight;
}

PGconn *
db_pg(struct db_conn *dc)
{
	return dc->pg;
}

/*
 * r if its statement (what, for the log) succeeded. Otherwise NULL, r
 * cleared and the job's status saying whether the database went away or
 * refused the statement.
 */
static PGresult *
db_checked(struct db_job *j, struct db_conn *dc, PGresult *r,
    const char *what)
{
	ExecStatusType st = PQresultStatus(r);

	if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
		return r;
	if (PQstatus(dc->pg) != CONNECTION_OK)
		j->status = DB_UNAVAILABLE;
	else {
		j->status = DB_FAILED;
		log_warnx("db: %s: %s", what, PQresultErrorMessage(r));
	}
	PQclear(r);
	return NULL;
}

PGresult *
db_query(struct db_job *j, struct db_conn *dc, const char *stmt, int nparams,
    const char *const *params)
{
	return db_checked(j, dc, PQexecPrepared(dc->pg, stmt, nparams, params,
	    NULL, NULL, 0), stmt);
}

int
db_command(struct db_job *j, struct db_conn *dc, const char *stmt,
    int nparams, const char *const *params)
{
	PGresult *r = db_query(j, dc, stmt, nparams, params);

	PQclear(r);
	return r != NULL ? 0 : -1;
}

/* fmt's parameters from ap into params, numbers into text. */
static int
db_params_v(const char **params, char text[][24], const char *fmt,
    va_list ap)
{
	int n = 0;

	for (; fmt[n] != '\0'; n++) {
		struct buf *data;
		int64_t v;
		int b;

		if (n == DB_PARAMS_MAX)
			fatalx("db: more than %d parameters", DB_PARAMS_MAX);
		switch (fmt[n]) {
		case 'i':
		case 'n':
			v = va_arg(ap, int64_t);
			snprintf(text[n], sizeof text[n], "%lld", (long long)v);
			params[n] = fmt[n] == 'n' && v == 0 ? NULL : text[n];
			break;
		case 's':
			params[n] = va_arg(ap, const char *);
			break;
		case 'b':
			b = va_arg(ap, int);
			params[n] = b < 0 ? NULL : b ? "true" : "false";
			break;
		case 'd':
			/* Stored without the space proto_add puts before
			   each param. */
			data = va_arg(ap, struct buf *);
			params[n] = data != NULL ? buf_cstr(data) : "";
			params[n] += strspn(params[n], " ");
			break;
		default:
			fatalx("db: bad parameter format %c", fmt[n]);
		}
	}
	return n;
}

static PGresult *
db_vqueryf(struct db_job *j, struct db_conn *dc, const char *stmt,
    const char *fmt, va_list ap)
{
	const char *params[DB_PARAMS_MAX];
	char text[DB_PARAMS_MAX][24];
	int n = db_params_v(params, text, fmt, ap);

	return db_query(j, dc, stmt, n, params);
}

PGresult *
db_queryf(struct db_job *j, struct db_conn *dc, const char *stmt,
    const char *fmt, ...)
{
	PGresult *r;
	va_list ap;

	va_start(ap, fmt);
	r = db_vqueryf(j, dc, stmt, fmt, ap);
	va_end(ap);
	return r;
}

int
db_commandf(struct db_job *j, struct db_conn *dc, const char *stmt,
    const char *fmt, ...)
{
	PGresult *r;
	va_list ap;

	va_start(ap, fmt);
	r = db_vqueryf(j, dc, stmt, fmt, ap);
	va_end(ap);
	PQclear(r);
	return r != NULL ? 0 : -1;
}

int
db_valuef(struct db_job *j, struct db_conn *dc, const char *stmt,
    const char *col, int64_t *v, const char *fmt, ...)
{
	PGresult *r;
	va_list ap;

	va_start(ap, fmt);
	r = db_vqueryf(j, dc, stmt, fmt, ap);
	va_end(ap);
	if (r == NULL)
		return -1;
	if (col == NULL)
		*v = PQntuples(r);
	else
		*v = PQntuples(r) > 0 ? db_get_i64(r, 0, col) : 0;
	PQclear(r);
	return 0;
}

void
db_job_params(struct db_job *j, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	j->nparams = db_params_v(j->params, j->text, fmt, ap);
	va_end(ap);
}

/* Transaction control has no parameters; plain statements, no user data. */
static int
db_simple(struct db_job *j, struct db_conn *dc, const char *sql)
{
	PGresult *r = db_checked(j, dc, PQexecParams(dc->pg, sql, 0, NULL, NULL,
	    NULL, NULL, 0), sql);

	PQclear(r);
	return r != NULL ? 0 : -1;
}

int
db_begin(struct db_job *j, struct db_conn *dc)
{
	if (db_simple(j, dc, "BEGIN") != 0)
		return -1;
	return j->rid != NULL ? rid_claim(j, dc) : 0;
}

int
db_commit(struct db_job *j, struct db_conn *dc)
{
	if (j->rid != NULL) {
		dc->deferred = 1;	/* db_commit_stored */
		return 0;
	}
	dc->committing = 1;
	return db_simple(j, dc, "COMMIT");
}

void
db_rollback(struct db_conn *dc)
{
	PGresult *r;

	if (PQtransactionStatus(dc->pg) == PQTRANS_IDLE)
		return;
	r = PQexecParams(dc->pg, "ROLLBACK", 0, NULL, NULL, NULL, NULL, 0);
	PQclear(r);
}

static int
db_col(const PGresult *r, const char *col)
{
	int c = PQfnumber(r, col);

	if (c < 0)
		fatalx("db: no column %s", col);
	return c;
}

const char *
db_get(const PGresult *r, int row, const char *col)
{
	return PQgetvalue(r, row, db_col(r, col));
}

int
db_isnull(const PGresult *r, int row, const char *col)
{
	return PQgetisnull(r, row, db_col(r, col));
}

int
db_get_bool(const PGresult *r, int row, const char *col)
{
	return strcmp(db_get(r, row, col), "t") == 0;
}

const char *
db_get_flag(const PGresult *r, int row, const char *col)
{
	return db_get_bool(r, row, col) ? "1" : "0";
}

int64_t
db_get_i64(const PGresult *r, int row, const char *col)
{
	const char *v = db_get(r, row, col);
	char *end;
	long long n;

	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0')
		fatalx("db: column %s is not an integer", col);
	return n;
}
