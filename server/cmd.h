/*
 * The command table: one entry per verb, saying who may call it and which
 * parameters it takes. cmd_dispatch enforces all of that before a handler
 * runs, so handlers hold only the semantics (after ngIRCd's command table).
 */
#ifndef AGORA_CMD_H
#define AGORA_CMD_H

#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "authz.h"
#include "proto.h"

struct buf;
struct conn;
struct db_conn;
struct db_job;

enum cmd_result {
	CMD_DONE,	/* the reply is written */
	CMD_PENDING	/* a database job will write it */
};

enum arg_type {
	ARG_TEXT,	/* any UTF-8 up to max bytes */
	ARG_LINE,	/* one line of text: names, titles; no controls */
	ARG_PROSE,	/* text of several lines: LF and tab, no other controls */
	ARG_ATOM,	/* an atom (tokens, e-mail addresses) */
	ARG_INT,	/* a decimal integer from lo to hi (hi 0: INT64_MAX) */
	ARG_ID,		/* a row's id: a decimal integer from 0 */
	ARG_BOOL,	/* 0 or 1; absent reads as -1 (req_bool) */
	ARG_ENUM	/* one of the words of values ("a|b|c") */
};

/*
 * A parameter a verb takes. The dispatcher checks every parameter of a
 * request against its verb's list before anything runs, and binds them
 * into the request (request.h), so a handler reads values that are known
 * to be well-formed and in range.
 */
struct cmd_arg {
	const char	*key;
	enum arg_type	 type;
	int		 required;
	size_t		 max;		/* bytes; 0: the line limit */
	size_t		 chars;		/* text: characters; 0: no limit */
	int64_t		 lo, hi;	/* ARG_INT */
	const char	*values;	/* ARG_ENUM */
	int		 oneof;		/* >0: exactly one of the parameters
					   with this number is given */
};

/* An entry of a schema: ARG(key, type, required, max bytes, more...). */
#define ARG(k, t, req, bytes, ...) \
	{ .key = (k), .type = (t), .required = (req), .max = (bytes), __VA_ARGS__ }

/*
 * Who may call a verb. A session whose user has not yet proven their
 * e-mail address (an account made through a link that was handed over,
 * not mailed: agora-protocol(7), SECURITY) reaches only the space it came
 * in by: space verbs check participation, and every other verb needs a
 * proven address.
 */
enum cmd_auth {
	CMD_PUBLIC,	/* anyone, and it costs nothing: PING */
	CMD_GUEST,	/* anyone; throttled per address while logged out */
	CMD_SESSION,	/* a session, its address proven or not */
	CMD_VERIFIED	/* a session whose user's address is proven */
};

/*
 * What a verb acts on, which says where its authorization is decided
 * (authz.h). Every verb names one: the table test fails on TARGET_UNSET.
 */
enum cmd_target {
	TARGET_UNSET,
	TARGET_LINK,		/* logged out: a link or token the handler checks */
	TARGET_SELF,		/* the caller's own account, events, records */
	TARGET_WORKSPACE,	/* workspace=: the dispatcher checks the
				   caller's membership and role there */
	TARGET_SPACE,		/* space=: opened in the request's
				   transaction by the core (space_open) */
	TARGET_OBJECT		/* something in a space, opened by the
				   verb's own open hook (a file) */
};

/*
 * What else a verb declares. CMD_RID: it changes something, and a request
 * with rid= gets its reply stored and a retry answered from it (rid.h).
 * Verbs without it accept rid= and ignore it.
 */
#define CMD_RID		0x1

struct cmd_ctx;
struct req;
typedef enum cmd_result cmd_handler(struct cmd_ctx *);

/*
 * A verb. Most verbs are a transaction: tx holds their semantics, and the
 * core (request.c) begins, opens the target, runs tx, records the audit
 * row and commits. A verb that is one read-only statement sets stmt and
 * result; its parameter is the caller's id, unless prepare gives them.
 * Others give their own run (paged
 * reads, the two-step password verbs). prepare runs on the loop thread
 * before the job is sent, for what only the loop may read (the
 * configuration, the connection); it may answer at once.
 */
struct cmd {
	const char		*verb;
	enum cmd_auth		 auth;
	enum authz_area		 area;
	enum cmd_target		 target;
	int			 need;		/* TARGET_SPACE: enum space_need;
						   TARGET_OBJECT: the open
						   hook's (cmd-file.c) */
	const struct cmd_arg	*args;		/* ends with { NULL } */
	const char		*summary;	/* one line, for docs */
	unsigned		 flags;		/* CMD_RID */
	int			 variant;	/* which of the verbs sharing
						   its hooks this one is */

	cmd_handler		*handler;	/* all of it, on the loop */
	size_t			 size;		/* of the job: struct req or
						   a struct starting with one */
	enum cmd_result		(*prepare)(struct req *, struct cmd_ctx *);
	int			(*open)(struct req *, struct db_conn *);
	int			(*tx)(struct req *, struct db_conn *);
	void			(*run)(struct db_job *, struct db_conn *);
	const char		*stmt;
	void			(*result)(struct db_job *, const PGresult *);
	void			(*finish)(struct db_job *, struct conn *);
	void			(*destroy)(struct req *);
	const char		*audit;		/* tx: the action recorded */
};

struct cmd_ctx {
	struct conn		*conn;
	const char		*tag;
	const struct proto_msg	*msg;
	const struct cmd	*cmd;
	int64_t			 workspace;	/* TARGET_WORKSPACE: resolved */
	const char		*rid;	/* a flagged verb's rid=, or NULL */
};

/* Runs one parsed request line. */
enum cmd_result cmd_dispatch(struct conn *, const struct proto_msg *);
/* Runs a request whose every check is passed (rid.c, after its lookup). */
enum cmd_result cmd_run(struct cmd_ctx *);

/*
 * Paged replies (SYNC, MSG.LIST) are bounded in bytes as well as in rows:
 * a page takes rows until its lines reach the budget, the row that
 * reaches it being the last, and then says more=1 as if it had been cut
 * by its row limit. One row always goes, however large (an event or a
 * message is bounded by what its request could carry), so paging always
 * moves on and SYNC always makes progress.
 *
 * The budget relates to max_output, the output bound in conn.c: what a
 * client may leave unread. A page is CMD_PAGE_BYTES, a sixteenth of
 * max_output's default (4 MiB), or a quarter of max_output if that is
 * less, so a reply of one page stays well under the bound even with
 * input paused at its high-water mark (also a quarter): one reply alone
 * is never what gets a client that reads dropped.
 */
#define CMD_PAGE_BYTES		(256 * 1024)
/* The budget as configured now (loop thread: give it to the job). */
size_t cmd_page_bytes(void);
/* Whether a page of n rows, its lines in out, is full. */
int cmd_page_full(const struct buf *out, size_t budget, int n);

/* Handler helpers. */
struct buf *cmd_out(struct cmd_ctx *);
enum cmd_result cmd_ok(struct cmd_ctx *);
enum cmd_result cmd_err(struct cmd_ctx *, enum proto_err, const char *msg);
/* Loop thread: a request's job is back (rid.c ends some itself). */
void cmd_job_done(struct db_job *);

/*
 * A domain: its verbs and its prepared statements (either may be NULL).
 * cmd.c lists every domain once; the command table and the statements
 * prepared on each database connection (db.c) both come from that list.
 */
struct cmd_domain {
	const struct cmd	*cmds;		/* ends with { NULL } */
	const struct db_stmt	*stmts;		/* ends with { NULL, NULL } */
};

/* cmd-session.c: the hash checked for unknown accounts (made at start). */
void session_cmds_init(long scrypt_n);
void session_cmds_free(void);

/* Every command, for lookups and generated documentation. */
const struct cmd *cmd_find(const char *verb);
/* Calls fn for every command in the table. */
void cmd_foreach(void (*fn)(const struct cmd *, void *), void *);

#endif
