/*
 * Opening a session, for every way in: LOGIN (a password), SESSION.RESUME
 * (a token), and the single-use links (cmd-link.c: an accepted invitation,
 * a one-time login link). A job that ends in a session embeds struct
 * auth_job first (itself a request, request.h); auth_finish hands the
 * session to the connection.
 */
#ifndef AGORA_AUTH_H
#define AGORA_AUTH_H

#include <stdint.h>

#include "db.h"
#include "request.h"
#include "token.h"

struct conn;
struct limit_rule;
struct session;

struct auth_job {
	struct req	 req;
	char		*email;
	char		*password;
	char		 token[TOKEN_HEX_LEN + 1];
	char		*stored;	/* the account's password hash */
	int64_t		 user;		/* the account the password is for */
	int		 verified;	/* auth_verify_cpu: it matched */
	long		 account_limit;	/* per account and address */
	long		 account_global_limit;
	long		 address_limit;
	long		 window;
	long		 prune_window;	/* the longest any count uses */
	long		 lifetime;
	struct session	*session;	/* result, handed to the connection */
};

/* Fills the limits from the configuration (loop thread). */
void auth_job_init(struct auth_job *);
/* The verb's destroy: frees and wipes what struct auth_job holds. */
void auth_destroy(struct req *);
/* job.finish: the new session becomes the connection's. */
void auth_finish(struct db_job *, struct conn *);
/*
 * Worker, inside the caller's transaction: a new session for user (its
 * row, event and audit record), token in aj->token. The session id, or
 * -1 (status set).
 */
int64_t auth_session_open(struct auth_job *, struct db_conn *, int64_t user);
/*
 * Worker, after COMMIT: loads the session for the connection and writes
 * "OK token=... user=... session=..." plus extra (encoded params or NULL).
 * 0, or -1 (status set).
 */
int auth_reply(struct auth_job *, struct db_conn *, int64_t user,
    int64_t sid, const char *extra);

/* The counts a password guess at aj->email from aj->address is held to:
   per account and address, per account, per address (limit.h). */
size_t auth_login_rules(const struct auth_job *, struct limit_rule *);
/* Worker: *limited set and the reply written if they are at a limit. */
int auth_login_limited(struct auth_job *, struct db_conn *, int *limited);
/* Lane (job->cpu): aj->password against aj->stored; sets aj->verified. */
void auth_verify_cpu(struct db_job *);
/* Worker, own transaction: a wrong password counted, audited, and the
   reply (auth_failed, msg) written. 0, or -1. */
int auth_login_failed(struct auth_job *, struct db_conn *, const char *msg);
/* Worker, in the caller's transaction: a good password forgives. */
int auth_login_forgiven(struct auth_job *, struct db_conn *);

#endif
