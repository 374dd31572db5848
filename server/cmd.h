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

#include "proto.h"

struct buf;
struct conn;
struct db_conn;
struct db_job;

enum cmd_result {
	CMD_DONE,	/* the reply is written */
	CMD_PENDING	/* a database job will write it */
};

/*
 * Permission areas (DESIGN §2.1). Roles grant them in role_allows (cmd.c).
 * Issue 2's verbs need none beyond a session; later verbs name theirs.
 */
enum perm {
	PERM_NONE,
	PERM_SETTINGS_USERS,
	PERM_SETTINGS_BILLING,
	PERM_SETTINGS_INTEGRATIONS
};

enum arg_type {
	ARG_TEXT,	/* any UTF-8 up to max bytes */
	ARG_LINE,	/* one line of text: names, titles; no controls */
	ARG_PROSE,	/* text of several lines: LF and tab, no other controls */
	ARG_ATOM,	/* an atom (tokens, e-mail addresses) */
	ARG_INT		/* a decimal integer from 0 to INT64_MAX */
};

struct cmd_arg {
	const char	*key;
	enum arg_type	 type;
	int		 required;
	size_t		 max;		/* bytes; 0: the line limit */
};

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
 * What else a verb declares. CMD_RID: it changes something, and a request
 * with rid= gets its reply stored and a retry answered from it (rid.h).
 * Verbs without it accept rid= and ignore it.
 */
#define CMD_RID		0x1

struct cmd_ctx;
typedef enum cmd_result cmd_handler(struct cmd_ctx *);

struct cmd {
	const char		*verb;
	cmd_handler		*handler;
	enum cmd_auth		 auth;
	enum perm		 perm;
	const struct cmd_arg	*args;		/* ends with { NULL } */
	const char		*summary;	/* one line, for docs */
	unsigned		 flags;		/* CMD_RID */
};

struct cmd_ctx {
	struct conn		*conn;
	const char		*tag;
	const struct proto_msg	*msg;
	const struct cmd	*cmd;
	const char		*rid;	/* a flagged verb's rid=, or NULL */
};

/* Runs one parsed request line. */
enum cmd_result cmd_dispatch(struct conn *, const struct proto_msg *);

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
/*
 * Sends job to the database workers. run writes the reply into job->out;
 * finish (optional) then runs on the loop thread with the connection, if
 * it is still there, before the reply is queued.
 */
enum cmd_result cmd_submit(struct cmd_ctx *, struct db_job *,
    void (*run)(struct db_job *, struct db_conn *),
    void (*finish)(struct db_job *, struct conn *));

/* Loop thread: a job of cmd_submit's is back (rid.c ends some itself). */
void cmd_job_done(struct db_job *);

/*
 * The same for a job that is one read-only statement (j->stmt, j->params
 * set by the caller): result formats its rows. Such jobs are batched.
 */
enum cmd_result cmd_submit_read(struct cmd_ctx *, struct db_job *,
    void (*result)(struct db_job *, const PGresult *));

/* The verbs, by domain file. */
extern const struct cmd cmd_core_table[];	/* cmd.c */
extern const struct cmd cmd_session_table[];	/* cmd-session.c */
extern const struct cmd cmd_events_table[];	/* cmd-events.c */
extern const struct cmd cmd_workspace_table[];	/* cmd-workspace.c */
extern const struct cmd cmd_space_table[];	/* cmd-space.c */
extern const struct cmd cmd_invite_table[];	/* cmd-invite.c */
extern const struct cmd cmd_link_table[];	/* cmd-link.c */
extern const struct cmd cmd_participant_table[]; /* cmd-participant.c */
extern const struct cmd cmd_file_table[];	/* cmd-file.c */
extern const struct cmd cmd_network_table[];	/* cmd-network.c */
extern const struct cmd cmd_contact_table[];	/* cmd-contact.c */
extern const struct cmd cmd_message_table[];	/* cmd-message.c */

/* cmd-session.c: the hash checked for unknown accounts (made at start). */
void session_cmds_init(long scrypt_n);
void session_cmds_free(void);

/* Every command, for lookups and generated documentation. */
const struct cmd *cmd_find(const char *verb);
/* Calls fn for every command in the table. */
void cmd_foreach(void (*fn)(const struct cmd *, void *), void *);
/* Whether a workspace role grants a permission area. */
int role_allows(const char *role, enum perm);

#endif
