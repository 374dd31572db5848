/*
 * E-mail and CRM webhooks through the outbox table (sql/002_spaces.sql,
 * sql/004_crm.sql).
 *
 * A handler that must send mail calls outbox_mail inside its own
 * transaction, on its database worker: the row exists if and only if the
 * change that caused it committed. A trigger NOTIFYs agora_outbox.
 *
 * `agorad serve` runs one mail worker thread (outbox_start) with its own
 * PostgreSQL connection. It LISTENs on agora_outbox and wakes on a
 * notification, at the next due row's time, or to quit; it claims due
 * mail rows, delivers them through libcurl over SMTP (smtp_url) or, with
 * no smtp_url, into a maildir (mail_dir), and records the outcome on each
 * row. Failures are retried with exponential backoff, forever, except a
 * message the server keeps refusing (SMTP 5xx), which is marked failed
 * after a few tries; no row is deleted, but for the mail about a space
 * not sent yet when the space is deleted (SPACE.DELETE). Delivery is at
 * least once:
 * see outbox.c for the claiming rules and when a message may go twice.
 *
 * The same worker POSTs the webhook rows (the CRM activity log) over
 * HTTPS, with the workspace's bearer token read at the time of the send;
 * outbox.c has the rules. Nothing of this runs on the event loop.
 */
#ifndef AGORA_OUTBOX_H
#define AGORA_OUTBOX_H

#include <stdint.h>

#include <libpq-fe.h>

struct config;
struct db_conn;
struct db_job;

/*
 * Checks an e-mail for the outbox: to must be an address, subject one line
 * (no CR or LF: no header injection), body UTF-8 text (mailmsg.h has the
 * rules). 0, or -1 with *cause.
 */
int outbox_check(const char *to, const char *subject, const char *body,
    char **cause);

/*
 * Worker side, in the caller's transaction: queues a plain-text e-mail.
 * workspace_id 0: none; space_id: the space the mail is about (its
 * deletion drops the mail if not sent yet), or 0. Returns 0, or -1 if the
 * mail fails outbox_check (logged; the job's status becomes DB_FAILED) or
 * the INSERT fails (status as db_command sets it). Either way the caller
 * rolls back.
 */
int outbox_mail(struct db_job *, struct db_conn *, int64_t workspace_id,
    int64_t space_id, const char *to, const char *subject, const char *body);

/*
 * Worker side: the language to write to `to` in (for i18n_text): theirs
 * (users.lang), else that of the workspace the mail is about (an invitee
 * has no account yet), else that of their first workspace, else English.
 * workspace_id 0: none. NULL if the query fails (status set).
 */
const char *outbox_lang(struct db_job *, struct db_conn *,
    int64_t workspace_id, const char *to);
/* The same on a connection of one's own: NULL with *cause. */
const char *outbox_lang_pg(PGconn *, int64_t workspace_id, const char *to,
    char **cause);

/* The same on a connection of one's own (admin subcommands, blocking):
 * the new row's id, or -1 with *cause. */
int64_t outbox_mail_pg(PGconn *, int64_t workspace_id, const char *to,
    const char *subject, const char *body, char **cause);

/*
 * Worker side, in the caller's transaction (INVITE): queues the CRM
 * activity for one invitation, a JSON object POSTed to the workspace's
 * webhook, if the space's workspace is on plan pro and has one (else
 * nothing). 0, or -1 (status set; the caller rolls back).
 */
int outbox_crm_invitation(struct db_job *, struct db_conn *, int64_t space,
    int64_t inviter, const char *email, const char *role,
    const char *status, const char *message);

/*
 * Where mail goes under this configuration, for people: "smtp://host:25"
 * (without any user or password the URL may hold) or the maildir's new/
 * directory. config_file resolves a relative mail_dir. Caller frees.
 */
char *outbox_destination(const struct config *, const char *config_file);

/* The worker. outbox_configure (loop thread) hands it the mail options
 * again after SIGHUP; it applies them from its next batch. */
int outbox_start(const char *conninfo, const struct config *,
    const char *config_file, char **cause);
void outbox_configure(const struct config *, const char *config_file);
/* Interrupts a delivery in progress (the row is released, not counted
 * as a failure), records what was delivered, joins the thread. */
void outbox_stop(void);

#endif
