/*
 * The database layer: a pool of worker threads, each owning one libpq
 * connection. The event loop never touches libpq: it submits jobs, a worker
 * runs the job's SQL with ordinary blocking calls (so a handler's
 * transaction reads as straight-line code), and the finished job comes back
 * to the loop through an eventfd, where its `done` step runs.
 *
 * We chose threads over asynchronous libpq because later handlers run
 * multi-statement transactions (check, update, append an event, audit)
 * whose callback chains would be hard to read and review; the loop stays
 * non-blocking either way.
 *
 * A job carries the id of the connection it answers, never a pointer: the
 * client may be gone when the job finishes (see conn_find).
 *
 * Workers reconnect by themselves after PostgreSQL restarts; while the
 * database is unreachable a job is not run and finishes with
 * DB_UNAVAILABLE, which handlers answer with `ERR code=unavailable`.
 */
#ifndef AGORA_DB_H
#define AGORA_DB_H

#include <stdarg.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "proto.h"

struct buf;
struct db_conn;
struct conn;
struct rid;

enum db_status {
	DB_OK,
	DB_UNAVAILABLE,		/* no connection to PostgreSQL */
	DB_FAILED,		/* a statement failed: a bug or a constraint */
	DB_BUSY			/* the lane (lane.h) is full: try again */
};

#define DB_PARAMS_MAX	8

struct db_job {
	uint64_t	 conn_id;	/* 0: not for a client */
	char		 tag[PROTO_TAG_MAX + 1];
	enum db_status	 status;
	struct buf	*out;		/* reply lines, written by run */
	/*
	 * Worker thread: the SQL, through the db_* helpers below, which set
	 * status. If the connection drops before COMMIT was sent, the job is
	 * run again on a new connection (PostgreSQL rolled it back), so run
	 * must start from its inputs: out is emptied before each run.
	 */
	void		(*run)(struct db_job *, struct db_conn *);
	/* Loop thread, after run. Must free the job. */
	void		(*done)(struct db_job *);
	/* For the submitter's use (cmd.c: the handler's last step). */
	void		(*finish)(struct db_job *, struct conn *);
	/* Frees what the job owns, not the job itself; may be NULL. */
	void		(*destroy)(struct db_job *);
	int		 submitted;	/* by db_submit: counted in db_pending */
	/*
	 * A request's rid= (rid.h), set by cmd_start: db_begin claims it,
	 * and db_commit holds the COMMIT back until run has returned, so
	 * that the reply run wrote is stored in the same transaction.
	 */
	struct rid	*rid;
	/*
	 * Work for the lane (lane.h), which holds no database connection:
	 * a run that sets cpu is not finished when it returns but handed to
	 * the lane, which calls cpu and gives the job back to the workers to
	 * run run again (cpu or the first run may have changed run). Such a
	 * run must leave nothing uncommitted: the transaction is rolled back.
	 */
	void		(*cpu)(struct db_job *);
	/*
	 * Instead of run, a job that is one read-only statement names it
	 * here. Workers send such jobs to PostgreSQL in batches (libpq
	 * pipeline mode): one round trip answers many clients. result then
	 * writes the reply from the rows (worker thread; status is DB_OK).
	 */
	const char	*stmt;
	int		 nparams;
	const char	*params[DB_PARAMS_MAX];
	char		 text[DB_PARAMS_MAX][24];	/* db_job_params */
	void		(*result)(struct db_job *, const PGresult *);
	struct db_job	*next;
};

/* A prepared statement: named, parameterised SQL. */
struct db_stmt {
	const char	*name;
	const char	*sql;
};

int db_start(const char *conninfo, int workers, char **cause);
/* Waits for queued jobs, stops the workers, closes the connections. */
void db_stop(void);
/* Queues a job; it reaches the workers at the next db_flush. */
void db_submit(struct db_job *);
/* Hands the queued jobs to the workers: called before the loop sleeps. */
void db_flush(void);
/* Hands a job straight to the loop (no SQL): used by other threads. */
void db_post(struct db_job *);
/* Any thread: a job back to the workers, to run again (the lane); one
   whose status is no longer DB_OK is finished instead. */
void db_requeue(struct db_job *);
int db_pending(void);	/* jobs submitted and not yet done */

/* Worker side. */
/* Runs the statement and expects it to succeed; NULL on failure. The
 * result, if any, must be PQclear'd. */
PGresult *db_query(struct db_job *, struct db_conn *, const char *stmt,
    int nparams, const char *const *params);
int db_command(struct db_job *, struct db_conn *, const char *stmt,
    int nparams, const char *const *params);
/*
 * The same with the parameters given by fmt, one letter each: i an
 * int64_t; n an int64_t, NULL if 0; s a string, NULL if NULL; b an int,
 * true or false, NULL if -1; d an event's data, a struct buf of params
 * ("" if NULL). No text slots to keep: numbers are written into the
 * call's own storage.
 */
PGresult *db_queryf(struct db_job *, struct db_conn *, const char *stmt,
    const char *fmt, ...);
int db_commandf(struct db_job *, struct db_conn *, const char *stmt,
    const char *fmt, ...);
/*
 * For a statement read for one number: *v is column col of its first row
 * (0 if it has none), or with col NULL how many rows it has. 0, or -1 with
 * the job failed.
 */
int db_valuef(struct db_job *, struct db_conn *, const char *stmt,
    const char *col, int64_t *v, const char *fmt, ...);
/* A batched read's parameters (stmt, nparams, params), as for db_queryf;
   numbers live in the job (text). */
void db_job_params(struct db_job *, const char *fmt, ...);
int db_begin(struct db_job *, struct db_conn *);
int db_commit(struct db_job *, struct db_conn *);
void db_rollback(struct db_conn *);
PGconn *db_pg(struct db_conn *);

/* Column by name; aborts on a missing column (a bug, not an input). */
const char *db_get(const PGresult *, int row, const char *col);
int db_isnull(const PGresult *, int row, const char *col);
int64_t db_get_i64(const PGresult *, int row, const char *col);
int db_get_bool(const PGresult *, int row, const char *col);
/* A boolean column as the protocol writes one: "1" or "0". */
const char *db_get_flag(const PGresult *, int row, const char *col);

/* Calls fn for every prepared statement until it returns nonzero, which
 * it returns. Defined beside the command table (cmd.c), which lists every
 * domain's statements. */
int db_stmts_each(int (*fn)(const struct db_stmt *, void *), void *);

/* A connection (maybe failed: check PQstatus) with our defaults; the
 * conninfo overrides them. */
PGconn *db_open(const char *conninfo, const char *application_name);
/* Blocking, outside the pool (admin subcommands, migrations): runs one
 * parameterised statement. 0, or -1 with *cause. */
int db_run(PGconn *, const char *sql, int nparams, const char *const *params,
    PGresult **out, char **cause);
/* The same with the parameters given by fmt, as for db_queryf. */
int db_runf(PGconn *, const char *sql, PGresult **out, char **cause,
    const char *fmt, ...);
int db_vrunf(PGconn *, const char *sql, PGresult **out, char **cause,
    const char *fmt, va_list);
/* Connects once, for the admin subcommands (no pool, blocking). */
PGconn *db_connect_once(const char *conninfo, char **cause);
/*
 * For a thread that waits on NOTIFY (the event bus, the mail worker): a
 * connection that listens to the channels ("LISTEN name" statements, NULL
 * last), or NULL, said in the log as who's.
 */
PGconn *db_listen(const char *conninfo, const char *application_name,
    const char *who, const char *const *listen);
/* Waits for pg's socket, quit_fd or the timeout: 1 if quit_fd is ready. */
int db_wait(int quit_fd, PGconn *pg, int timeout_ms, const char *who);


#endif
