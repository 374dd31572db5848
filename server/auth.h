/*
 * Opening a session, for every way in: LOGIN (a password), SESSION.RESUME
 * (a token), and the single-use links (cmd-link.c: an accepted invitation,
 * a one-time login link). A job that ends in a session embeds struct
 * auth_job first; auth_finish hands the session to the connection.
 */
#ifndef AGORA_AUTH_H
#define AGORA_AUTH_H

#include <stdint.h>

#include "db.h"
#include "token.h"

struct conn;
struct session;

struct auth_job {
	struct db_job	 job;
	char		*email;
	char		*password;
	char		 token[TOKEN_HEX_LEN + 1];
	char		 address[64];
	long		 account_limit;
	long		 address_limit;
	long		 window;
	long		 lifetime;
	struct session	*session;	/* result, handed to the connection */
};

/* Fills the limits from the configuration (loop thread). */
void auth_job_init(struct auth_job *, struct conn *);
/* job.destroy: frees and wipes what struct auth_job holds. */
void auth_destroy(struct db_job *);
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

#endif
