/*
 * Counting attempts per key over a window, for what costs someone else
 * something: a password guessed, an e-mail sent to a mailbox. Attempts
 * are rows of login_failures (sql/001_init.sql), pruned by LOGIN, so the
 * counts hold across agorad nodes. Keys name what is counted:
 *
 *   pair:EMAIL|ADDR  failed logins at one account from one address
 *   acct:EMAIL       failed logins at one account, from anywhere
 *   addr:ADDR        failed logins from one address, at any account
 *   link:...         login links asked for (the same three shapes)
 *   mailto:EMAIL     e-mails requests made agora send to an address
 *   pwset:USER       wrong current passwords given to PASSWORD.SET
 *   request:...      access requests (by e-mail, requestaddr: by address)
 *
 * Counting an account per address, beside a higher limit for all
 * addresses together, keeps an attacker elsewhere from locking its owner
 * out. Flooding is the throttle's business (throttle.h), not this one's.
 */
#ifndef AGORA_LIMIT_H
#define AGORA_LIMIT_H

#include <stddef.h>

struct config;
struct db_conn;
struct db_job;

struct limit_rule {
	char	*key;
	long	 max;		/* attempts allowed within window */
	long	 window;	/* seconds */
};

/* Limits read from the configuration (loop thread, start and SIGHUP). */
void limit_configure(const struct config *);

/* A key: prefix, then a and b (may be NULL) joined by '|', lower-case. */
char *limit_key(const char *prefix, const char *a, const char *b);

/*
 * Worker, in the caller's transaction: whether any of the rules is at its
 * limit. *retry: 0 if none is, else the seconds until all are under
 * theirs. 0, or -1 (status set).
 */
int limit_check(struct db_job *, struct db_conn *, const struct limit_rule *,
    size_t n, long *retry);
/* Worker: one attempt recorded under every rule's key. 0, or -1. */
int limit_add(struct db_job *, struct db_conn *, const struct limit_rule *,
    size_t n);
/*
 * Worker: limit_check, then the attempt recorded whatever the answer (a
 * request refused still counts: links are not to be guessed faster by
 * asking more). 0, or -1.
 */
int limit_attempt(struct db_job *, struct db_conn *,
    const struct limit_rule *, size_t n, long *retry);
/*
 * Worker: before an e-mail to a third party (an invitation, a reminder,
 * an activation link), the recipient's count (mail_recipient_limit in
 * agorad.conf); the mail is counted only if it may be sent. 0 with
 * *retry 0 (send it) or > 0 (do not), or -1.
 */
int limit_mail_to(struct db_job *, struct db_conn *, const char *email,
    long *retry);

/* "ERR code=rate_limited msg="too many WHAT; try again in ..." retry=N". */
void limit_refuse(struct db_job *, const char *what, long retry);
/* The same for a mail limit: "too many e-mails to EMAIL lately; ..." */
void limit_refuse_mail(struct db_job *, const char *email, long retry);

void limit_rules_free(struct limit_rule *, size_t n);

#endif
