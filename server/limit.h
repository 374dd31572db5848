/*
 * Counting attempts per key over a window, for the requests that cost
 * someone else something (an e-mail sent) and need no session: a one-time
 * login link, an access request. Attempts are rows of login_failures
 * (sql/001_init.sql), which LOGIN already prunes, so the counts hold
 * across agorad nodes.
 */
#ifndef AGORA_LIMIT_H
#define AGORA_LIMIT_H

struct db_conn;
struct db_job;

/*
 * Worker, in the caller's transaction: records one attempt for key and
 * sets *over if there were already max or more within window seconds.
 * 0, or -1 (status set).
 */
int limit_attempt(struct db_job *, struct db_conn *, const char *key,
    long max, long window, int *over);

#endif
