/*
 * Idempotent requests (DESIGN.md §5; agora-protocol(7), IDEMPOTENT
 * REQUESTS). A request to a verb marked CMD_RID in the command table may
 * carry rid=, 32 lower-case hex digits its client chose at random. The
 * final reply is stored with it, for its user, in the mutation's own
 * transaction; a retry with the same rid, on any node, is answered from
 * what was stored and runs nothing.
 *
 * Three places take part, each in one call:
 * - cmd_dispatch hands a flagged request with a rid to rid_dispatch,
 *   which looks the reply up first and answers it, or runs the handler;
 * - cmd_start gives the verb's job its copy (rid_new);
 * - db_begin claims the rid (rid_claim) as the transaction's first
 *   statement, and the job's COMMIT, held back until run has written the
 *   reply, is preceded by rid_store (db.c).
 * A retry that arrives while the first is still running waits in
 * rid_claim for the first's transaction to end, then is answered from
 * what it stored (or runs, if it rolled back): it never runs twice.
 *
 * Only what committed is stored: a request refused before it changed
 * anything is not, and a retry of it runs again (harmlessly: nothing
 * changed). Replies are kept RID_KEEP seconds, then purged by the
 * scheduler (rid_purge), within the hour after.
 */
#ifndef AGORA_RID_H
#define AGORA_RID_H

#include <stdint.h>

#include "cmd.h"

#define RID_HEX_LEN	32
#define RID_KEEP	(24 * 3600)	/* seconds */

struct db_conn;
struct db_job;
struct rid;

extern const struct db_stmt rid_stmts[];

/* Whether s is a well-formed rid: RID_HEX_LEN lower-case hex digits. */
int rid_valid(const char *s);

/* Loop thread: a flagged request with ctx->rid, after every check. */
enum cmd_result rid_dispatch(struct cmd_ctx *);

/* Loop thread: the rid of ctx for its job (cmd_start); freed with
   rid_free (cmd.c, when the job is done). */
struct rid *rid_new(const struct cmd_ctx *);
void rid_free(struct rid *);
/* Whether the job was answered from a stored reply (rid_claim): its
   finish step must not run, since nothing ran. */
int rid_replayed(const struct rid *);

/*
 * Worker, right after BEGIN: claims the job's rid. 0 if this job is the
 * one to run; -1 if the rid was used already, with the stored reply (or
 * a conflict) written in j->out for run to return with.
 */
int rid_claim(struct db_job *, struct db_conn *);
/* Worker, just before COMMIT: the reply in j->out stored. 0, or -1 with
   the job's status set. */
int rid_store(struct db_job *, struct db_conn *);
/* Worker, in the caller's transaction: deletes the replies past RID_KEEP;
   *purged gets how many. 0, or -1 with the job's status set. */
int rid_purge(struct db_job *, struct db_conn *, long *purged);

#endif
