#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "buf.h"
#include "config.h"
#include "db.h"
#include "limit.h"
#include "proto.h"
#include "request.h"
#include "xmalloc.h"

const struct db_stmt limit_stmts[] = {
	/* The count, and when the max-th newest attempt leaves the window
	   (then fewer than max are left in it). */
	{ "limit_count",
	  "SELECT count(*) AS n, coalesce(ceil(extract(epoch FROM"
	  " (SELECT at FROM login_failures WHERE key = $1"
	  "   AND at > now() - make_interval(secs => $2::int)"
	  "   ORDER BY at DESC OFFSET $3::int - 1 LIMIT 1)"
	  " + make_interval(secs => $2::int) - now())), 0)::bigint AS retry"
	  " FROM login_failures WHERE key = $1"
	  " AND at > now() - make_interval(secs => $2::int)" },
	{ "limit_add",
	  "INSERT INTO login_failures (key) VALUES ($1)" },
	{ NULL, NULL }
};

static pthread_mutex_t	 limit_lock = PTHREAD_MUTEX_INITIALIZER;
static long		 mail_max = 10, mail_window = 3600;

void
limit_configure(const struct config *cf)
{
	pthread_mutex_lock(&limit_lock);
	mail_max = cf->mail_recipient_limit;
	mail_window = cf->mail_recipient_window;
	pthread_mutex_unlock(&limit_lock);
}

char *
limit_key(const char *prefix, const char *a, const char *b)
{
	char *key;

	xasprintf(&key, "%s:%s%s%s", prefix, a, b != NULL ? "|" : "",
	    b != NULL ? b : "");
	for (char *p = key; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return key;
}

int
limit_check(struct db_job *j, struct db_conn *dc,
    const struct limit_rule *rules, size_t n, long *retry)
{
	*retry = 0;
	for (size_t i = 0; i < n; i++) {
		PGresult *r;
		int64_t wait;

		if ((r = db_queryf(j, dc, "limit_count", "sii", rules[i].key,
		    (int64_t)rules[i].window, (int64_t)rules[i].max)) == NULL)
			return -1;
		if (db_get_i64(r, 0, "n") >= rules[i].max) {
			wait = db_get_i64(r, 0, "retry");
			if (wait < 1)
				wait = 1;
			if (wait > *retry)
				*retry = (long)wait;
		}
		PQclear(r);
	}
	return 0;
}

int
limit_add(struct db_job *j, struct db_conn *dc,
    const struct limit_rule *rules, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (db_commandf(j, dc, "limit_add", "s", rules[i].key) != 0)
			return -1;
	return 0;
}

int
limit_attempt(struct db_job *j, struct db_conn *dc,
    const struct limit_rule *rules, size_t n, long *retry)
{
	if (limit_check(j, dc, rules, n, retry) != 0)
		return -1;
	return limit_add(j, dc, rules, n);
}

int
limit_mail_to(struct db_job *j, struct db_conn *dc, const char *email,
    long *retry)
{
	struct limit_rule rule;
	int rc;

	pthread_mutex_lock(&limit_lock);
	rule.max = mail_max;
	rule.window = mail_window;
	pthread_mutex_unlock(&limit_lock);
	rule.key = limit_key("mailto", email, NULL);
	rc = limit_check(j, dc, &rule, 1, retry);
	if (rc == 0 && *retry == 0)
		rc = limit_add(j, dc, &rule, 1);
	free(rule.key);
	return rc;
}

/* "in 40 seconds", "in 3 minutes", "in 2 hours": rounded up. */
static void
limit_when(char *s, size_t len, long retry)
{
	if (retry < 60)
		snprintf(s, len, "%ld second%s", retry, retry == 1 ? "" : "s");
	else if (retry < 7200)
		snprintf(s, len, "%ld minutes", (retry + 59) / 60);
	else
		snprintf(s, len, "%ld hours", (retry + 3599) / 3600);
}

void
limit_refuse(struct db_job *j, const char *what, long retry)
{
	char when[32];

	limit_when(when, sizeof when, retry);
	req_err_begin(j->out, j->tag, PERR_RATE_LIMITED,
	    "too many %s; try again in %s", what, when);
	proto_add_i64(j->out, "retry", retry);
	proto_end(j->out);
}

void
limit_refuse_mail(struct db_job *j, const char *email, long retry)
{
	char *what;

	xasprintf(&what, "e-mails to %s lately", email);
	limit_refuse(j, what, retry);
	free(what);
}

void
limit_rules_free(struct limit_rule *rules, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(rules[i].key);
}
