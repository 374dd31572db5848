/*
 * The request core: what every verb's job starts with, and the runner that
 * does a verb's plumbing so that its handler holds only its semantics.
 *
 * The dispatcher (cmd.c) checks a request's parameters against its verb's
 * schema and binds them here, with who is asking (user, session, address):
 * the job owns copies of it all, freed by the core, so a handler copies
 * nothing and frees nothing. Worker-side, a verb with a tx hook runs as
 *
 *	BEGIN → open the target (space_open, or the verb's open hook) →
 *	tx → audit row → COMMIT
 *
 * and tx writes its events and its reply (into job.out: the reply is
 * sent only if COMMIT succeeds, so it still follows the commit); a tx
 * that writes none is answered OK.
 */
#ifndef AGORA_REQUEST_H
#define AGORA_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "proto.h"
#include "space.h"

struct cmd;

/* One bound parameter, in the order of the verb's schema. */
struct req_value {
	const char	*text;		/* NULL: absent */
	size_t		 len;
	int64_t		 n;		/* ARG_INT, ARG_ID, ARG_BOOL */
};

struct req {
	struct db_job		 job;		/* first: a request is a job */
	const struct cmd	*cmd;
	int64_t			 user;		/* 0: no session */
	int64_t			 session;
	int			 verified;	/* the user's address is proven */
	char			 address[64];
	struct req_value	*values;
	char			*text;		/* the values' text, one block */
	size_t			 size_text;
	size_t			 page;		/* paged replies' byte budget
						   (cmd_page_bytes) */

	/* The target, once opened (worker side). */
	int64_t			 workspace;	/* 0: none or not yet known */
	struct space_access	 space;		/* TARGET_SPACE, or an open hook
						   that opens a space */
	const char		*action;	/* audit: if not the verb's (a verb
						   with no .audit records a
						   row only if tx sets it) */
	char			 target[48];	/* audit: "space 12" */
	char			*detail;	/* audit: the details, or NULL */
};

/* Bound parameters, by key (a key not in the verb's schema is a bug). */
const char *req_str(const struct req *, const char *key);	/* NULL */
int req_has(const struct req *, const char *key);
int64_t req_int(const struct req *, const char *key);	/* 0 if absent */
int req_bool(const struct req *, const char *key);	/* -1 if absent */

/* Writes `TAG ERR` into the reply; returns -1, for `return req_err(...)`. */
int req_err(struct req *, enum proto_err, const char *msg);
int req_errf(struct req *, enum proto_err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Begins `TAG ERR code= msg=` for an error with more parameters that a
   client acts on (offset=, retry=): the caller adds them and ends it. */
void req_err_begin(struct buf *, const char *tag, enum proto_err,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* `TAG OK key=v`: the reply of a verb that answers with one number. */
void req_ok_i64(struct buf *, const char *tag, const char *key, int64_t v);
/*
 * `TAG word ...`, a data line from row i of a result: for each of cols
 * (which ends with NULL) "key", the column of that name, or "key=column";
 * a boolean column is written 1 or 0, as the protocol writes flags.
 */
void req_row(struct buf *, const char *tag, const char *word,
    const PGresult *, int row, const char *const *cols);
/* The audit row's target, printf-style. */
void req_target(struct req *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * The target is a space (space_open), and the caller's part in it must
 * meet need (space_admit). For open hooks, and for verbs whose target is
 * a space named some other way.
 */
int req_open_space(struct req *, struct db_conn *, int64_t space, int need);

/* cmd.c: builds a verb's request from a checked message (loop thread). */
struct req *req_new(const struct cmd *, const struct proto_msg *,
    struct conn *);
/* The core's run, for verbs with a tx hook (worker thread). */
void req_run(struct db_job *, struct db_conn *);
void req_destroy(struct db_job *);

#endif
