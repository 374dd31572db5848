/*
 * What bringing someone into a space shares between cmd-invite.c (INVITE
 * and its reminders) and cmd-participant.c (granting an access request).
 */
#ifndef AGORA_INVITE_H
#define AGORA_INVITE_H

#include <stdint.h>

struct buf;
struct db_conn;
struct db_job;

/* How long an invitation or activation link works, in seconds. */
#define INVITE_LIFETIME	(30 * 86400)

/*
 * Worker, in the caller's transaction: a new single-use link of kind
 * (LINK_INVITE or LINK_ACTIVATE) that brings user into space. base is
 * HOST:PORT. The link (caller frees), or NULL (status set).
 */
char *invite_link_new(struct db_job *, struct db_conn *, const char *base,
    const char *kind, int64_t user, int64_t space);

/* 1 if e is an e-mail address we send to (nothing that bends a header). */
int invite_email_ok(const char *e);

/* A personal message, quoted for an e-mail body ("> " lines). */
void invite_quote(struct buf *, const char *who, const char *message);

#endif
