/*
 * The outbox: queueing e-mail in the caller's transaction, and the mail
 * worker that delivers it and the CRM webhooks (see outbox.h).
 *
 * Claiming. A worker takes up to OUTBOX_BATCH due rows with
 *
 *	SELECT ... FOR UPDATE SKIP LOCKED
 *
 * and, in the same short statement, moves their next_attempt_at forward by
 * a lease (OUTBOX_LEASE seconds) before committing. It then sends with no
 * transaction open and no row lock held, and records each message's
 * outcome in its own UPDATE right after its delivery. We chose a lease over
 * "claim, send, update, commit" in one transaction because a send may take
 * up to SMTP_TIMEOUT seconds per message: holding row locks and an open
 * transaction that long would hold back VACUUM, and a lost connection
 * would undo the record of every message of the batch, which would all go
 * again. With the lease, a row's next_attempt_at is in the
 * future from the moment it is claimed, so no worker on any node sees it
 * as due until the lease ends; SKIP LOCKED keeps two workers that look at
 * the same moment from both taking it (the second skips the locked row, or
 * sees the new next_attempt_at once the first commits). The lease outlasts
 * the longest possible batch, every send being bounded by SMTP_TIMEOUT.
 *
 * At least once. A message can go twice only if its outcome is not
 * recorded: agorad crashes (or is killed) between the delivery and the
 * UPDATE, or the database is unreachable from then until the lease ends.
 * After a lost connection the worker reconnects and records outcomes it
 * still holds before anything else. The lease also bounds how long a crash
 * delays the rest of a claimed batch. Each message keeps its Message-ID and
 * Date from one try to the next, so a duplicate is recognisable.
 *
 * Retries. A failed try adds one to attempts, keeps the error in
 * last_error and waits mail_retry_min seconds doubled for each earlier
 * failure, at most mail_retry_max (defaults 30 s and 1 h). A 5xx reply to
 * RCPT or to the message's data is a refusal of this message; a message
 * refused on its OUTBOX_REFUSED_TRIES-th try or later gets failed_at and
 * is not tried again (a refusal can be a passing misconfiguration of the
 * far end, hence the few tries). Everything else (network, TLS, 4xx,
 * authentication, a 5xx to the greeting, EHLO or MAIL FROM, a maildir that
 * cannot be written) is about the path rather than the message and is
 * retried for ever.
 *
 * Shutdown interrupts a delivery in progress through curl's progress
 * callback; the rows not yet delivered are released (next_attempt_at set
 * to now) without counting a try.
 *
 * Webhooks. Rows of kind 'webhook' (the CRM activity log, queued by
 * INVITE) share the queue, the claim, the lease and the backoff. The
 * body is JSON, POSTed over HTTPS only, TLS verified (crm_ca_file may
 * name the CAs), redirects not followed, within WEBHOOK_TIMEOUT. The URL
 * and the bearer token are those the workspace has in crm_webhooks at
 * the time of the send, read just before it: a rotated token or a moved
 * endpoint applies to what is queued, and a row whose workspace no longer
 * has a webhook is marked failed. A 2xx reply is success. A 4xx reply
 * other than 408 and 429 refuses this message, like an SMTP 5xx to RCPT:
 * failed on the OUTBOX_REFUSED_TRIES-th try. Everything else (network,
 * TLS, timeouts, 3xx, 408, 429, 5xx) is retried for ever. Each POST
 * carries "Idempotency-Key: agora-outbox-ID", the same on every try, so
 * that the far end can drop a duplicate, as a Message-ID lets a mail
 * reader do. The token is never logged, nor stored in last_error: that
 * holds curl's error or the reply's status line, never the reply's body
 * (an echoing endpoint would put the token there).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <libpq-fe.h>

#include "buf.h"
#include "config.h"
#include "db.h"
#include "i18n.h"
#include "log.h"
#include "mailmsg.h"
#include "outbox.h"
#include "xmalloc.h"

#define OUTBOX_BATCH		10	/* rows claimed at once */
#define OUTBOX_RETRY_MS		1000	/* between reconnection attempts */
#define OUTBOX_IDLE_MS		60000	/* longest sleep without a NOTIFY */
#define SMTP_CONNECT_TIMEOUT	15	/* seconds */
#define SMTP_TIMEOUT		60	/* seconds for one message, in all */
/* Seconds a claim lasts: longer than the slowest batch. */
#define OUTBOX_LEASE		(OUTBOX_BATCH * SMTP_TIMEOUT + 60)
#define OUTBOX_REFUSED_TRIES	3
#define OUTBOX_ERROR_MAX	500	/* bytes of last_error */
#define WEBHOOK_CONNECT_TIMEOUT	15	/* seconds */
/* Seconds for one POST, in all: at most SMTP_TIMEOUT, which the lease
 * is counted in. */
#define WEBHOOK_TIMEOUT		30

/* $5: the space the mail is about, if any: deleting the space deletes
   the mail if it is not sent yet. */
static const char outbox_insert_sql[] =
    "INSERT INTO outbox (kind, recipient, subject, body, workspace_id,"
    " space_id) VALUES ('mail', $1, $2, $3, $4, $5::bigint) RETURNING id";

/* $1 the recipient, $2 the workspace the mail is about (outbox_lang). */
static const char outbox_lang_sql[] =
    "SELECT COALESCE("
    " (SELECT lang FROM users WHERE lower(email) = lower($1)),"
    " (SELECT lang FROM workspaces WHERE id = $2::bigint),"
    " (SELECT w.lang FROM users u"
    "  JOIN memberships m ON m.user_id = u.id"
    "  JOIN workspaces w ON w.id = m.workspace_id"
    "  WHERE lower(u.email) = lower($1)"
    "  ORDER BY m.created_at, w.id LIMIT 1)) AS lang";

/*
 * The CRM activity for one invitation, if the space's workspace is on plan
 * pro and has a webhook; no row otherwise. PostgreSQL writes the JSON
 * (json_build_object escapes every string), so no text of a user's can
 * break out of its string. $1 space, $2 inviter, $3 to $6 the invitee's
 * address, role and status, and the message.
 */
static const char outbox_crm_invitation_sql[] =
    "INSERT INTO outbox (kind, recipient, body, workspace_id, space_id) "
    "SELECT 'webhook', c.url, json_build_object("
    " 'type', 'invitation',"
    " 'space', json_build_object('id', s.id, 'title', s.title),"
    " 'invitee', json_build_object('email', $3::text, 'role', $4::text,"
    "  'status', $5::text),"
    " 'inviter', json_build_object('email', u.email, 'name', u.name),"
    " 'message', $6::text,"
    " 'at', to_char(now() AT TIME ZONE 'UTC',"
    "  'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'))::text, w.id, s.id "
    "FROM spaces s JOIN workspaces w ON w.id = s.workspace_id"
    " JOIN crm_webhooks c ON c.workspace_id = w.id"
    " JOIN users u ON u.id = $2::bigint "
    "WHERE s.id = $1::bigint AND w.plan = 'pro'";

/* The CTE is MATERIALIZED so the locking SELECT runs once, as written. */
static const char outbox_claim_sql[] =
    "WITH due AS MATERIALIZED ("
    " SELECT id FROM outbox"
    " WHERE sent_at IS NULL AND failed_at IS NULL"
    " AND next_attempt_at <= now()"
    " ORDER BY next_attempt_at, id LIMIT $2::int"
    " FOR UPDATE SKIP LOCKED) "
    "UPDATE outbox o SET next_attempt_at = now() + make_interval(secs =>"
    " $1::int) FROM due WHERE o.id = due.id "
    "RETURNING o.id, o.kind, o.recipient, o.subject, o.body, o.attempts,"
    " coalesce(o.workspace_id, 0) AS workspace_id,"
    " floor(extract(epoch FROM o.created_at))::bigint AS created";

/* A webhook's endpoint and credential, at the time of the send. */
static const char outbox_crm_sql[] =
    "SELECT url, token FROM crm_webhooks WHERE workspace_id = $1::bigint";

static const char outbox_sent_sql[] =
    "UPDATE outbox SET sent_at = now() WHERE id = $1";

/* A failure never overrides a success recorded by another worker (after
 * a lease ran out). */
static const char outbox_retry_sql[] =
    "UPDATE outbox SET attempts = attempts + 1, last_error = $2,"
    " next_attempt_at = now() + make_interval(secs => $3::int) "
    "WHERE id = $1 AND sent_at IS NULL";

static const char outbox_failed_sql[] =
    "UPDATE outbox SET attempts = attempts + 1, last_error = $2,"
    " failed_at = now() WHERE id = $1 AND sent_at IS NULL";

static const char outbox_release_sql[] =
    "UPDATE outbox SET next_attempt_at = now() "
    "WHERE id = ANY ($1::bigint[]) AND sent_at IS NULL AND failed_at IS NULL";

/* Milliseconds until the next row is due; NULL when none is waiting. */
static const char outbox_due_sql[] =
    "SELECT ceil(extract(epoch FROM min(next_attempt_at) - now()) * 1000)"
    "::bigint AS ms FROM outbox "
    "WHERE sent_at IS NULL AND failed_at IS NULL";

/* The mail options, as the worker uses them. */
struct outbox_cf {
	char		*smtp_url;	/* "": the maildir */
	char		*smtp_user;
	char		*smtp_password;
	int		 starttls;
	char		*from;		/* resolved: never empty */
	char		*domain;	/* of from, for Message-IDs */
	char		*maildir;	/* absolute */
	long		 retry_min, retry_max;
	char		*crm_ca_file;	/* absolute; "": the system's */
};

enum outbox_outcome {
	OUTCOME_NONE,		/* not tried yet */
	OUTCOME_SENT,
	OUTCOME_RETRY,
	OUTCOME_FAILED,		/* refused too often: give up */
	OUTCOME_ABORTED		/* interrupted by shutdown: release it */
};

/* A claimed row and, once tried, what came of it. */
struct outbox_row {
	int64_t			 id;
	int			 webhook;	/* kind: 0 mail, 1 webhook */
	int64_t			 workspace;	/* 0: none */
	int			 attempts;	/* failed tries before this */
	time_t			 created;
	char			*to;		/* mail: address; webhook: URL */
	char			*subject;
	char			*body;
	char			*token;		/* webhook, at send time */
	enum outbox_outcome	 outcome;
	int			 recorded;
	long			 delay;		/* OUTCOME_RETRY: seconds */
	char			*error;
};

/* One SMTP try: what curl reads from and writes to. It lives in the
 * worker, since curl may still call back while closing the connection. */
struct smtp_try {
	const char		*data;
	size_t			 len, off;
	char			 errbuf[CURL_ERROR_SIZE];
	char			 cmd[5];	/* the last command sent */
	char			 reply[256];	/* the last error reply */
	char			 reply_to[5];	/* the command it answered */
	int			 reply_code;
};

/* One webhook POST: the status line of the last reply, for last_error. */
struct http_try {
	char			 errbuf[CURL_ERROR_SIZE];
	char			 status[128];
};

struct outbox_worker {
	PGconn			*pg;
	struct smtp_try		 smtp;
	struct http_try		 http;
	struct outbox_cf	*cf;		/* the worker's own */
	struct outbox_row	 rows[OUTBOX_BATCH];
	int			 nrows;
	unsigned int		 seq;		/* maildir file names */
	char			 host[256];
};

static const char	*outbox_conninfo;
static pthread_t	 outbox_thread;
static int		 outbox_quit_fd = -1;
static atomic_int	 outbox_quitting;

static pthread_mutex_t	 outbox_cf_lock = PTHREAD_MUTEX_INITIALIZER;
/* The options SIGHUP set last, until the worker takes them: it never
 * shares the ones it sends with. Under outbox_cf_lock. */
static struct outbox_cf	*outbox_cf_next;
static char		*outbox_where;	/* loop thread: last logged */

/* Queueing. */

int
outbox_check(const char *to, const char *subject, const char *body,
    char **cause)
{
	char *why = NULL;

	if (mailmsg_check_address(to, &why) == 0 &&
	    mailmsg_check_subject(subject, &why) == 0 &&
	    mailmsg_check_body(body, &why) == 0)
		return 0;
	*cause = why;
	return -1;
}

/* A statement of the caller's transaction failed: the job says why. */
static int
outbox_failed(struct db_job *j, struct db_conn *dc, char *cause)
{
	if (PQstatus(db_pg(dc)) != CONNECTION_OK)
		j->status = DB_UNAVAILABLE;
	else {
		j->status = DB_FAILED;
		log_warnx("outbox: %s", cause);
	}
	free(cause);
	return -1;
}

/* Queues a checked mail: its id, or -1 with *cause. */
static int64_t
outbox_insert(PGconn *pg, int64_t workspace_id, int64_t space_id,
    const char *to, const char *subject, const char *body, char **cause)
{
	PGresult *r;
	int64_t id;

	if (db_runf(pg, outbox_insert_sql, &r, cause, "sssnn", to, subject,
	    body, workspace_id, space_id) != 0)
		return -1;
	id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return id;
}

int
outbox_mail(struct db_job *j, struct db_conn *dc, int64_t workspace_id,
    int64_t space_id, const char *to, const char *subject, const char *body)
{
	char *cause = NULL;

	if (outbox_check(to, subject, body, &cause) != 0) {
		log_warnx("outbox: not queueing a mail: %s", cause);
		free(cause);
		j->status = DB_FAILED;
		return -1;
	}
	if (outbox_insert(db_pg(dc), workspace_id, space_id, to, subject, body,
	    &cause) < 0)
		return outbox_failed(j, dc, cause);
	return 0;
}

int64_t
outbox_mail_pg(PGconn *pg, int64_t workspace_id, const char *to,
    const char *subject, const char *body, char **cause)
{
	if (outbox_check(to, subject, body, cause) != 0)
		return -1;
	return outbox_insert(pg, workspace_id, 0, to, subject, body, cause);
}

/* A language with no catalog (yet) reads as English. */
const char *
outbox_lang_pg(PGconn *pg, int64_t workspace_id, const char *to,
    char **cause)
{
	const char *lang = NULL;
	PGresult *r;

	if (db_runf(pg, outbox_lang_sql, &r, cause, "si", to,
	    workspace_id) != 0)
		return NULL;
	if (PQntuples(r) == 1 && !PQgetisnull(r, 0, 0))
		lang = i18n_lang(PQgetvalue(r, 0, 0));
	PQclear(r);
	return lang != NULL ? lang : "en";
}

const char *
outbox_lang(struct db_job *j, struct db_conn *dc, int64_t workspace_id,
    const char *to)
{
	char *cause = NULL;
	const char *lang = outbox_lang_pg(db_pg(dc), workspace_id, to, &cause);

	if (lang == NULL)
		outbox_failed(j, dc, cause);
	return lang;
}

int
outbox_crm_invitation(struct db_job *j, struct db_conn *dc, int64_t space,
    int64_t inviter, const char *email, const char *role,
    const char *status, const char *message)
{
	char *cause = NULL;

	if (db_runf(db_pg(dc), outbox_crm_invitation_sql, NULL, &cause,
	    "iissss", space, inviter, email, role, status, message) != 0)
		return outbox_failed(j, dc, cause);
	return 0;
}

/* Configuration. */

/* The URL without "user:password@", for logs and people. */
static char *
redact_url(const char *url)
{
	const char *auth = strstr(url, "://"), *at, *end;
	char *out;

	if (auth == NULL)
		return xstrdup(url);
	auth += 3;
	end = auth + strcspn(auth, "/?#");
	at = memchr(auth, '@', (size_t)(end - auth));
	for (const char *p = auth; at != NULL && p < end; p++)
		if (*p == '@')
			at = p;		/* the last one ends the user info */
	if (at == NULL)
		return xstrdup(url);
	xasprintf(&out, "%.*s%s", (int)(auth - url), url, at + 1);
	return out;
}

char *
outbox_destination(const struct config *cf, const char *config_file)
{
	char *dir, *out;

	if (*cf->smtp_url != '\0')
		return redact_url(cf->smtp_url);
	dir = config_path(config_file, cf->mail_dir);
	xasprintf(&out, "%s/new", dir);
	free(dir);
	return out;
}

static void
outbox_cf_free(struct outbox_cf *c)
{
	if (c == NULL)
		return;
	free(c->smtp_url);
	free(c->smtp_user);
	freezero_str(c->smtp_password);
	free(c->from);
	free(c->domain);
	free(c->maildir);
	free(c->crm_ca_file);
	free(c);
}

void
outbox_configure(const struct config *cf, const char *config_file)
{
	struct outbox_cf *next = xcalloc(1, sizeof *next), *old;
	char host[256], *where;

	next->smtp_url = xstrdup(cf->smtp_url);
	next->smtp_user = xstrdup(cf->smtp_user);
	next->smtp_password = xstrdup(cf->smtp_password);
	next->starttls = cf->smtp_starttls != 0;
	if (*cf->mail_from != '\0')
		next->from = xstrdup(cf->mail_from);
	else {
		if (gethostname(host, sizeof host) != 0)
			snprintf(host, sizeof host, "localhost");
		host[sizeof host - 1] = '\0';
		xasprintf(&next->from, "agora@%s", host);
	}
	next->domain = xstrdup(strchr(next->from, '@') + 1);
	next->maildir = config_path(config_file, cf->mail_dir);
	next->retry_min = cf->mail_retry_min;
	next->retry_max = cf->mail_retry_max;
	next->crm_ca_file = *cf->crm_ca_file != '\0' ?
	    config_path(config_file, cf->crm_ca_file) : xstrdup("");

	where = outbox_destination(cf, config_file);
	if (outbox_where == NULL || strcmp(outbox_where, where) != 0) {
		if (*next->smtp_url != '\0')
			log_info("mail: sending through %s as %s", where,
			    next->from);
		else
			log_info("mail: no smtp_url; writing mail to %s",
			    where);
	}
	free(outbox_where);
	outbox_where = where;

	pthread_mutex_lock(&outbox_cf_lock);
	old = outbox_cf_next;	/* never taken by the worker */
	outbox_cf_next = next;
	pthread_mutex_unlock(&outbox_cf_lock);
	outbox_cf_free(old);
}

/* The worker: rows. */

static void
row_clear(struct outbox_row *r)
{
	free(r->to);
	free(r->subject);
	free(r->body);
	freezero_str(r->token);
	free(r->error);
	memset(r, 0, sizeof *r);
}

static void
rows_clear(struct outbox_worker *w)
{
	for (int i = 0; i < w->nrows; i++)
		row_clear(&w->rows[i]);
	w->nrows = 0;
}

/* Printable ASCII, at most OUTBOX_ERROR_MAX bytes: safe in a log line
 * and in a text column whatever the server said. */
static char *
error_text(const char *s)
{
	size_t n = 0, len = strlen(s);
	char *out = xmalloc(len + 1);

	for (size_t i = 0; i < len && n < OUTBOX_ERROR_MAX; i++)
		out[n++] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : ' ';
	while (n > 0 && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
	return out;
}

/* One statement of the worker's, with parameters as for db_runf. */
static int
outbox_exec(struct outbox_worker *w, const char *sql, PGresult **out,
    const char *fmt, ...)
{
	char *cause = NULL;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = db_vrunf(w->pg, sql, out, &cause, fmt, ap);
	va_end(ap);
	if (rc != 0 && PQstatus(w->pg) == CONNECTION_OK)
		log_warnx("mail worker: %s", cause);
	free(cause);
	return rc;
}

/* Records one row's outcome. -1 if the database did not take it. */
static int
outbox_record(struct outbox_worker *w, struct outbox_row *row)
{
	/* By outcome; none: the row is released with the others. */
	static const struct {
		const char	*sql, *fmt;
	} rec[] = {
		[OUTCOME_SENT] = { outbox_sent_sql, "i" },
		[OUTCOME_RETRY] = { outbox_retry_sql, "isi" },
		[OUTCOME_FAILED] = { outbox_failed_sql, "is" },
		[OUTCOME_ABORTED] = { NULL, NULL },
	};
	const char *sql = rec[row->outcome].sql;

	if (sql == NULL)
		return 0;
	if (outbox_exec(w, sql, NULL, rec[row->outcome].fmt, row->id,
	    row->error, (int64_t)row->delay) != 0)
		return -1;
	row->recorded = 1;
	return 0;
}

/*
 * Records every outcome not recorded yet and gives back the rows not
 * tried, then forgets the batch. -1 (keeping what is still unrecorded)
 * if the database fails.
 */
static int
outbox_settle(struct outbox_worker *w)
{
	struct buf *ids;
	int rc, any = 0;

	for (int i = 0; i < w->nrows; i++) {
		struct outbox_row *row = &w->rows[i];

		if (!row->recorded && outbox_record(w, row) != 0)
			return -1;
	}
	ids = buf_new(0);
	buf_add_char(ids, '{');
	for (int i = 0; i < w->nrows; i++) {
		enum outbox_outcome o = w->rows[i].outcome;

		if (o != OUTCOME_NONE && o != OUTCOME_ABORTED)
			continue;
		buf_printf(ids, "%s%lld", any ? "," : "",
		    (long long)w->rows[i].id);
		any = 1;
	}
	buf_add_char(ids, '}');
	rc = any ? outbox_exec(w, outbox_release_sql, NULL, "s",
	    buf_cstr(ids)) : 0;
	buf_free(ids);
	if (rc == 0)
		rows_clear(w);
	return rc;
}

/* Claims due rows into w->rows: their number, or -1. */
static int
outbox_claim(struct outbox_worker *w)
{
	PGresult *r;
	int n;

	if (outbox_exec(w, outbox_claim_sql, &r, "ii", (int64_t)OUTBOX_LEASE,
	    (int64_t)OUTBOX_BATCH) != 0)
		return -1;
	n = PQntuples(r);
	for (int i = 0; i < n && i < OUTBOX_BATCH; i++) {
		struct outbox_row *row = &w->rows[i];

		memset(row, 0, sizeof *row);
		row->id = db_get_i64(r, i, "id");
		row->webhook = strcmp(db_get(r, i, "kind"), "webhook") == 0;
		row->workspace = db_get_i64(r, i, "workspace_id");
		row->attempts = (int)db_get_i64(r, i, "attempts");
		row->created = (time_t)db_get_i64(r, i, "created");
		row->to = xstrdup(db_get(r, i, "recipient"));
		row->subject = xstrdup(db_get(r, i, "subject"));
		row->body = xstrdup(db_get(r, i, "body"));
	}
	w->nrows = n < OUTBOX_BATCH ? n : OUTBOX_BATCH;
	PQclear(r);
	return w->nrows;
}

/* Milliseconds to sleep before the next due row, -1: forever, -2: lost. */
static int
outbox_next_due(struct outbox_worker *w)
{
	PGresult *r;
	int64_t ms;

	if (outbox_exec(w, outbox_due_sql, &r, "") != 0)
		return -2;
	if (db_isnull(r, 0, "ms"))
		ms = OUTBOX_IDLE_MS;
	else
		ms = db_get_i64(r, 0, "ms");
	PQclear(r);
	if (ms < 0)
		ms = 0;
	if (ms > OUTBOX_IDLE_MS)
		ms = OUTBOX_IDLE_MS;
	return (int)ms;
}

/* Backoff: retry_min doubled for each failure before, at most retry_max. */
static long
outbox_delay(const struct outbox_cf *cf, int failures)
{
	long d = cf->retry_min;

	for (int i = 0; i < failures && d < cf->retry_max; i++)
		d *= 2;
	return d < cf->retry_max ? d : cf->retry_max;
}

/* The worker: delivery into a maildir. */

/* RFC: a host name in a maildir file name has / and : escaped. */
static void
maildir_host(char *out, size_t size)
{
	char host[256];
	size_t n = 0;

	if (gethostname(host, sizeof host) != 0)
		snprintf(host, sizeof host, "localhost");
	host[sizeof host - 1] = '\0';
	for (const char *p = host; *p != '\0' && n + 5 < size; p++) {
		if (*p == '/')
			n += (size_t)snprintf(out + n, size - n, "\\057");
		else if (*p == ':')
			n += (size_t)snprintf(out + n, size - n, "\\072");
		else
			out[n++] = *p;
	}
	out[n] = '\0';
}

static int
maildir_mkdir(const char *path, char **error)
{
	if (mkdir(path, 0700) == 0 || errno == EEXIST)
		return 0;
	xasprintf(error, "mkdir %s: %s", path, strerror(errno));
	return -1;
}

static int
write_all_fd(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * The maildir rules: a unique name (time, microseconds, pid, sequence,
 * host), written in tmp/, synced, then renamed into new/, where a mail
 * reader finds only whole messages.
 */
static int
maildir_deliver(struct outbox_worker *w, const char *msg, size_t len,
    char **error)
{
	const char *dir = w->cf->maildir;
	char *sub[3], *name, *tmp = NULL, *new = NULL, *text;
	struct timeval tv;
	size_t tlen;
	int fd, rc = -1;

	xasprintf(&sub[0], "%s/tmp", dir);
	xasprintf(&sub[1], "%s/new", dir);
	xasprintf(&sub[2], "%s/cur", dir);
	if (maildir_mkdir(dir, error) != 0 || maildir_mkdir(sub[0], error) ||
	    maildir_mkdir(sub[1], error) || maildir_mkdir(sub[2], error))
		goto out;
	gettimeofday(&tv, NULL);
	xasprintf(&name, "%lld.M%06ldP%ldQ%u.%s", (long long)tv.tv_sec,
	    (long)tv.tv_usec, (long)getpid(), ++w->seq, w->host);
	xasprintf(&tmp, "%s/%s", sub[0], name);
	xasprintf(&new, "%s/%s", sub[1], name);
	free(name);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd == -1) {
		xasprintf(error, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	text = mailmsg_unix(msg, len, &tlen);
	if (write_all_fd(fd, text, tlen) != 0 || fsync(fd) != 0) {
		xasprintf(error, "%s: %s", tmp, strerror(errno));
		free(text);
		close(fd);
		unlink(tmp);
		goto out;
	}
	free(text);
	if (close(fd) != 0 || rename(tmp, new) != 0) {
		xasprintf(error, "%s: %s", new, strerror(errno));
		unlink(tmp);
		goto out;
	}
	/* The rename is durable once new/ is. */
	if ((fd = open(sub[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		fsync(fd);
		close(fd);
	}
	rc = 0;
out:
	for (int i = 0; i < 3; i++)
		free(sub[i]);
	free(tmp);
	free(new);
	return rc;
}

/* The worker: delivery over SMTP with libcurl. */

static size_t
smtp_read(char *dst, size_t size, size_t nmemb, void *arg)
{
	struct smtp_try *t = arg;
	size_t n = size * nmemb;

	if (n > t->len - t->off)
		n = t->len - t->off;
	memcpy(dst, t->data + t->off, n);
	t->off += n;
	return n;
}

/* Shutdown interrupts a transfer: curl calls this at least once a second. */
static int
smtp_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow,
    curl_off_t ultotal, curl_off_t ulnow)
{
	return atomic_load(&outbox_quitting) ? 1 : 0;
}

/*
 * Follows the dialogue to know what a refusal refused: the verb of each
 * command going out (only its first four letters are copied: AUTH carries
 * the password, which is never stored or logged) and the last 4xx or 5xx
 * reply coming in, with the verb it answered. The body goes out as data,
 * not as a command, so a reply to the end of the data answers "DATA".
 */
static int
smtp_debug(CURL *h, curl_infotype type, char *data, size_t size, void *arg)
{
	struct smtp_try *t = arg;
	size_t n;

	if (type == CURLINFO_HEADER_OUT) {
		for (n = 0; n < 4 && n < size && data[n] >= 'A' &&
		    data[n] <= 'Z'; n++)
			t->cmd[n] = data[n];
		t->cmd[n] = '\0';
		return 0;
	}
	/* Errors only: curl's QUIT after a refusal would hide the refusal. */
	if (type != CURLINFO_HEADER_IN || size < 3 ||
	    (data[0] != '4' && data[0] != '5') || data[1] < '0' ||
	    data[1] > '9' || data[2] < '0' || data[2] > '9')
		return 0;
	t->reply_code = (data[0] - '0') * 100 + (data[1] - '0') * 10 +
	    (data[2] - '0');
	memcpy(t->reply_to, t->cmd, sizeof t->reply_to);
	n = size < sizeof t->reply - 1 ? size : sizeof t->reply - 1;
	memcpy(t->reply, data, n);
	t->reply[n] = '\0';
	t->reply[strcspn(t->reply, "\r\n")] = '\0';
	return 0;
}

static enum outbox_outcome
smtp_deliver(struct outbox_worker *w, CURL *h, const struct outbox_row *row,
    const char *msg, size_t len, char **error)
{
	struct smtp_try *t = &w->smtp;
	struct curl_slist *rcpt;
	CURLcode rc;

	memset(t, 0, sizeof *t);
	t->data = msg;
	t->len = len;
	rcpt = curl_slist_append(NULL, row->to);
	if (rcpt == NULL)
		fatalx("curl_slist_append: out of memory");
	curl_easy_setopt(h, CURLOPT_URL, w->cf->smtp_url);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
#endif
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long)SMTP_CONNECT_TIMEOUT);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)SMTP_TIMEOUT);
	curl_easy_setopt(h, CURLOPT_MAIL_FROM, w->cf->from);
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, smtp_read);
	curl_easy_setopt(h, CURLOPT_READDATA, t);
	curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, t->errbuf);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, smtp_progress);
	curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
	curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, smtp_debug);
	curl_easy_setopt(h, CURLOPT_DEBUGDATA, t);
	if (*w->cf->smtp_user != '\0') {
		curl_easy_setopt(h, CURLOPT_USERNAME, w->cf->smtp_user);
		curl_easy_setopt(h, CURLOPT_PASSWORD, w->cf->smtp_password);
	}
	curl_easy_setopt(h, CURLOPT_USE_SSL,
	    w->cf->starttls ? (long)CURLUSESSL_ALL : (long)CURLUSESSL_NONE);

	rc = curl_easy_perform(h);
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, NULL);
	curl_slist_free_all(rcpt);
	t->data = NULL;	/* msg is the caller's; nothing more is read */
	t->len = t->off = 0;
	if (rc == CURLE_OK)
		return OUTCOME_SENT;
	if (rc == CURLE_ABORTED_BY_CALLBACK && atomic_load(&outbox_quitting))
		return OUTCOME_ABORTED;
	xasprintf(error, "%s%s%s%s", t->errbuf[0] != '\0' ? t->errbuf :
	    curl_easy_strerror(rc), t->reply[0] != '\0' ? " (" : "", t->reply,
	    t->reply[0] != '\0' ? ")" : "");
	/* The recipient or the message refused for good: a 5xx reply to
	 * RCPT or to the data. A 5xx anywhere else (greeting, EHLO, AUTH,
	 * STARTTLS, MAIL FROM) says more about our settings or the server
	 * than about this message: those are retried like any failure. */
	if (t->reply_code >= 500 && (strcmp(t->reply_to, "RCPT") == 0 ||
	    strcmp(t->reply_to, "DATA") == 0))
		return row->attempts + 1 >= OUTBOX_REFUSED_TRIES ?
		    OUTCOME_FAILED : OUTCOME_RETRY;
	return OUTCOME_RETRY;
}

/*
 * After a try: keeps the error (printable, bounded), sets the delay of a
 * retry and logs the outcome. what is "mail" or "webhook"; where names the
 * recipient (for a webhook, without anything secret the URL may hold).
 */
static void
outbox_outcome(struct outbox_worker *w, struct outbox_row *row,
    const char *what, const char *where, const char *sent, char *error)
{
	row->error = error != NULL ? error_text(error) : xstrdup("");
	free(error);

	switch (row->outcome) {
	case OUTCOME_SENT:
		log_info("%s %lld to %s: %s", what, (long long)row->id, where,
		    sent);
		break;
	case OUTCOME_RETRY:
		row->delay = outbox_delay(w->cf, row->attempts);
		log_warnx("%s %lld to %s: try %d failed: %s; next try in "
		    "%ld s", what, (long long)row->id, where,
		    row->attempts + 1, row->error, row->delay);
		break;
	case OUTCOME_FAILED:
		log_warnx("%s %lld to %s: refused on try %d; giving up: %s",
		    what, (long long)row->id, where, row->attempts + 1,
		    row->error);
		break;
	default:
		log_info("%s %lld to %s: interrupted by shutdown; it stays "
		    "queued", what, (long long)row->id, where);
		break;
	}
}

/* One mail row: builds its message and delivers it; fills the outcome. */
static void
outbox_deliver(struct outbox_worker *w, CURL *h, struct outbox_row *row)
{
	struct mailmsg m;
	char *msg, *msgid, *error = NULL;
	size_t len;

	xasprintf(&msgid, "agora.%lld.%lld@%s", (long long)row->id,
	    (long long)row->created, w->cf->domain);
	m.from = w->cf->from;
	m.to = row->to;
	m.subject = row->subject;
	m.body = row->body;
	m.message_id = msgid;
	m.date = row->created;
	if ((msg = mailmsg_build(&m, &len, &error)) == NULL)
		row->outcome = OUTCOME_RETRY;
	else if (h == NULL)
		row->outcome = maildir_deliver(w, msg, len, &error) == 0 ?
		    OUTCOME_SENT : OUTCOME_RETRY;
	else {
		log_debug("mail %lld to %s: sending", (long long)row->id,
		    row->to);
		row->outcome = smtp_deliver(w, h, row, msg, len, &error);
	}
	free(msg);
	free(msgid);
	outbox_outcome(w, row, "mail", row->to, h != NULL ? "sent" :
	    "written to the maildir", error);
}

/* The worker: webhooks over HTTPS with libcurl. */

/* A webhook's URL for logs: without user info, query or fragment, where
 * a secret may hide. Caller frees. */
static char *
webhook_where(const char *url)
{
	char *out = redact_url(url);

	out[strcspn(out, "?#")] = '\0';
	return out;
}

/* The reply's body is not kept: nothing reads it, and an endpoint that
 * echoes requests would hand back the token. */
static size_t
webhook_discard(char *data, size_t size, size_t nmemb, void *arg)
{
	return size * nmemb;
}

/* Keeps the status line of the last reply: "HTTP/1.1 401 Unauthorized". */
static size_t
webhook_header(char *data, size_t size, size_t nmemb, void *arg)
{
	struct http_try *t = arg;
	size_t len = size * nmemb, n;

	if (len >= 5 && memcmp(data, "HTTP/", 5) == 0) {
		n = len < sizeof t->status - 1 ? len : sizeof t->status - 1;
		memcpy(t->status, data, n);
		t->status[n] = '\0';
		t->status[strcspn(t->status, "\r\n")] = '\0';
	}
	return len;
}

/*
 * The workspace's webhook now: 0 (row->to is its URL, row->token its
 * token), 1 if it has none any more, -1 if the database is lost.
 */
static int
webhook_lookup(struct outbox_worker *w, struct outbox_row *row)
{
	char *token;
	PGresult *r;

	if (outbox_exec(w, outbox_crm_sql, &r, "i", row->workspace) != 0)
		return -1;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return 1;
	}
	free(row->to);
	row->to = xstrdup(db_get(r, 0, "url"));
	freezero_str(row->token);
	token = PQgetvalue(r, 0, PQfnumber(r, "token"));
	row->token = xstrdup(token);
	explicit_bzero(token, strlen(token));
	PQclear(r);
	return 0;
}

static struct curl_slist *
slist_add(struct curl_slist *l, const char *s)
{
	struct curl_slist *n = curl_slist_append(l, s);

	if (n == NULL)
		fatalx("curl_slist_append: out of memory");
	return n;
}

static enum outbox_outcome
webhook_post(struct outbox_worker *w, CURL *h, const struct outbox_row *row,
    char **error)
{
	struct http_try *t = &w->http;
	struct curl_slist *hdr = NULL;
	char key[64];
	long code = 0;
	CURLcode rc;

	memset(t, 0, sizeof *t);
	snprintf(key, sizeof key, "Idempotency-Key: agora-outbox-%lld",
	    (long long)row->id);
	hdr = slist_add(hdr, "Content-Type: application/json");
	hdr = slist_add(hdr, key);
	hdr = slist_add(hdr, "Expect:");	/* no 100-continue wait */
	curl_easy_setopt(h, CURLOPT_URL, row->to);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
#else
	curl_easy_setopt(h, CURLOPT_PROTOCOLS, (long)CURLPROTO_HTTPS);
#endif
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT,
	    (long)WEBHOOK_CONNECT_TIMEOUT);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)WEBHOOK_TIMEOUT);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (*w->cf->crm_ca_file != '\0')
		curl_easy_setopt(h, CURLOPT_CAINFO, w->cf->crm_ca_file);
	curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BEARER);
	curl_easy_setopt(h, CURLOPT_XOAUTH2_BEARER, row->token);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "agorad/" AGORA_VERSION);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, row->body);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
	    (curl_off_t)strlen(row->body));
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, webhook_discard);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, webhook_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, t);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, t->errbuf);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, smtp_progress);

	rc = curl_easy_perform(h);
	curl_easy_setopt(h, CURLOPT_XOAUTH2_BEARER, NULL);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(hdr);
	if (rc == CURLE_ABORTED_BY_CALLBACK && atomic_load(&outbox_quitting))
		return OUTCOME_ABORTED;
	if (rc != CURLE_OK) {
		xasprintf(error, "%s", t->errbuf[0] != '\0' ? t->errbuf :
		    curl_easy_strerror(rc));
		return OUTCOME_RETRY;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	if (code >= 200 && code <= 299)
		return OUTCOME_SENT;
	if (t->status[0] != '\0')
		xasprintf(error, "%s", t->status);
	else
		xasprintf(error, "HTTP status %ld", code);
	/* This message refused: the CRM will not take it as it is. 408
	 * (too slow) and 429 (too many) are about the moment, not the
	 * message; 3xx and 5xx about the far end. */
	if (code >= 400 && code <= 499 && code != 408 && code != 429)
		return row->attempts + 1 >= OUTBOX_REFUSED_TRIES ?
		    OUTCOME_FAILED : OUTCOME_RETRY;
	return OUTCOME_RETRY;
}

/*
 * One webhook row: finds the workspace's webhook and POSTs the body to it.
 * -1 if the database was lost before the send (the row stays untried).
 */
static int
webhook_deliver(struct outbox_worker *w, CURL *h, struct outbox_row *row)
{
	char *where, *error = NULL;
	int found;

	if ((found = webhook_lookup(w, row)) < 0)
		return -1;
	where = webhook_where(row->to);
	if (found == 1) {
		/* Removed by an administrator: queued posts go nowhere. */
		row->outcome = OUTCOME_FAILED;
		xasprintf(&error, "workspace %lld has no CRM webhook any more",
		    (long long)row->workspace);
	} else if (h == NULL) {
		row->outcome = OUTCOME_RETRY;
		xasprintf(&error, "curl_easy_init failed");
	} else {
		log_debug("webhook %lld to %s: posting", (long long)row->id,
		    where);
		row->outcome = webhook_post(w, h, row, &error);
	}
	outbox_outcome(w, row, "webhook", where, "sent", error);
	free(where);
	freezero_str(row->token);
	row->token = NULL;
	return 0;
}

/* Delivers the claimed batch. -1 if the database was lost on the way. */
static int
outbox_send_batch(struct outbox_worker *w)
{
	CURL *h = NULL, *web = NULL;
	int rc = 0;

	if (*w->cf->smtp_url != '\0' && (h = curl_easy_init()) == NULL) {
		log_warnx("mail worker: curl_easy_init failed");
		return 0;	/* the lease ends; they will be tried again */
	}
	for (int i = 0; i < w->nrows; i++) {
		struct outbox_row *row = &w->rows[i];

		if (atomic_load(&outbox_quitting))
			break;
		if (row->webhook) {
			/* One handle for the batch's webhooks: a CRM
			 * reached twice reuses its connection. */
			if (web == NULL && (web = curl_easy_init()) == NULL)
				log_warnx("mail worker: curl_easy_init "
				    "failed");
			if (webhook_deliver(w, web, row) != 0) {
				rc = -1;
				break;
			}
		} else
			outbox_deliver(w, h, row);
		if (row->outcome != OUTCOME_ABORTED &&
		    outbox_record(w, row) != 0) {
			rc = -1;
			break;
		}
	}
	curl_easy_cleanup(web);
	curl_easy_cleanup(h);	/* QUIT, and the connection closes */
	return rc;
}

/* The worker: the database connection and the loop. */

static PGconn *
outbox_connect(void)
{
	static const char *const listen[] = { "LISTEN agora_outbox", NULL };
	PGconn *pg = db_listen(outbox_conninfo, "agorad-mail", "mail worker",
	    listen);

	if (pg != NULL)
		log_info("mail worker: connected");
	return pg;
}

/* Waits for a notification, the quit signal or the timeout: 1 to quit. */
static int
outbox_wait(PGconn *pg, int timeout_ms)
{
	return db_wait(outbox_quit_fd, pg, timeout_ms, "mail worker") ||
	    atomic_load(&outbox_quitting);
}

/*
 * Forgets the notifications libpq has read: how many there were. Those it
 * read while running our own statements are no longer on the socket, so
 * poll would not report them: the loop looks for them before sleeping.
 */
static int
outbox_notified(PGconn *pg)
{
	PGnotify *note;
	int n = 0;

	while ((note = PQnotifies(pg)) != NULL) {
		PQfreemem(note);
		n++;
	}
	return n;
}

/* The options SIGHUP set since the last batch, if any. */
static void
outbox_snapshot(struct outbox_worker *w)
{
	pthread_mutex_lock(&outbox_cf_lock);
	if (outbox_cf_next != NULL) {
		outbox_cf_free(w->cf);
		w->cf = outbox_cf_next;
		outbox_cf_next = NULL;
	}
	pthread_mutex_unlock(&outbox_cf_lock);
}

static void *
outbox_main(void *arg)
{
	struct outbox_worker *w = arg;
	int n, ms;

	while (!atomic_load(&outbox_quitting)) {
		if (w->pg == NULL) {
			if ((w->pg = outbox_connect()) == NULL) {
				if (outbox_wait(NULL, OUTBOX_RETRY_MS))
					break;
				continue;
			}
		}
		/* Outcomes held since a lost connection go first. */
		if (outbox_settle(w) != 0)
			goto lost;
		outbox_notified(w->pg);	/* this claim answers them */
		outbox_snapshot(w);
		if ((n = outbox_claim(w)) < 0)
			goto lost;
		if (n > 0) {
			if (outbox_send_batch(w) != 0)
				goto lost;
			if (outbox_settle(w) != 0)
				goto lost;
			if (n == OUTBOX_BATCH)
				continue;	/* there may be more */
		}
		if ((ms = outbox_next_due(w)) == -2)
			goto lost;
		if (outbox_notified(w->pg) > 0)
			continue;	/* mail queued since the claim */
		if (outbox_wait(w->pg, ms))
			break;
		if (PQconsumeInput(w->pg) == 0)
			goto lost;
		continue;
lost:
		log_warnx("mail worker: lost the database: %s",
		    PQerrorMessage(w->pg));
		PQfinish(w->pg);
		w->pg = NULL;
		if (outbox_wait(NULL, OUTBOX_RETRY_MS))
			break;
	}
	if (w->pg != NULL && PQstatus(w->pg) == CONNECTION_OK &&
	    outbox_settle(w) != 0)
		log_warnx("mail worker: could not record the last outcomes: "
		    "those messages may be sent again");
	PQfinish(w->pg);
	rows_clear(w);
	outbox_cf_free(w->cf);
	free(w);
	return NULL;
}

int
outbox_start(const char *conninfo, const struct config *cf,
    const char *config_file, char **cause)
{
	struct outbox_worker *w;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		xasprintf(cause, "curl_global_init failed");
		return -1;
	}
	outbox_conninfo = conninfo;
	outbox_configure(cf, config_file);
	atomic_store(&outbox_quitting, 0);
	if ((outbox_quit_fd = eventfd(0, EFD_CLOEXEC)) == -1) {
		xasprintf(cause, "eventfd: %s", strerror(errno));
		return -1;
	}
	w = xcalloc(1, sizeof *w);
	maildir_host(w->host, sizeof w->host);
	if (pthread_create(&outbox_thread, NULL, outbox_main, w) != 0) {
		free(w);
		xasprintf(cause, "cannot start the mail worker thread");
		return -1;
	}
	return 0;
}

void
outbox_stop(void)
{
	uint64_t one = 1;

	if (outbox_quit_fd == -1)
		return;
	atomic_store(&outbox_quitting, 1);
	if (write(outbox_quit_fd, &one, sizeof one) != sizeof one)
		log_warn("mail worker: eventfd write");
	pthread_join(outbox_thread, NULL);
	close(outbox_quit_fd);
	outbox_quit_fd = -1;
	outbox_cf_free(outbox_cf_next);
	outbox_cf_next = NULL;
	free(outbox_where);
	outbox_where = NULL;
	curl_global_cleanup();
}
