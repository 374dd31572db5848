/*
 * What bringing someone into a space shares between cmd-invite.c (INVITE
 * and its reminders) and cmd-participant.c (granting an access request).
 */
#ifndef AGORA_INVITE_H
#define AGORA_INVITE_H

#include <stdint.h>

#include "cmd.h"
#include "request.h"

struct buf;
struct db_conn;
struct db_job;
struct space_access;

/* Who invites: the request's job, the space, the inviter and their words. */
struct inviter {
	struct db_job	*job;
	int64_t		 space;
	int64_t		 user;
	const char	*name;		/* for the e-mails */
	const char	*message;	/* "" for none */
	const char	*base;		/* HOST:PORT for links */
};

/* A request that invites: the inviter, and for INVITE its addresses. */
struct invite_req {
	struct req	 req;
	struct inviter	 iv;
	char		*name;		/* iv.name */
	char		*base;		/* iv.base */
	char		**emails;
	size_t		 nemails;
};

/* HOST:PORT, the address clients reach this server by (caller frees). */
char *invite_base(void);
/* A verb's prepare and destroy hooks for an invite_req: the inviter's
   name and the links' base, which only the loop thread may read. */
enum cmd_result invite_prepare_inviter(struct req *, struct cmd_ctx *);
void invite_destroy(struct req *);

/*
 * Worker, in the caller's transaction, after space_open on a space just
 * made: invites every professional contact the inviter always adds to new
 * spaces (INVITED data lines). Each must still accept. 0, or -1.
 */
int invite_always(struct inviter *, struct db_conn *,
    const struct space_access *);

/* How long an invitation or activation link works, in seconds. */
#define INVITE_LIFETIME	(30 * 86400)

/*
 * Worker, in the caller's transaction: a new single-use link of kind
 * (LINK_INVITE or LINK_ACTIVATE) that brings user into space. base is
 * HOST:PORT. The link (caller frees), or NULL (status set).
 */
char *invite_link_new(struct db_job *, struct db_conn *, const char *base,
    const char *kind, int64_t user, int64_t space, int mailed);

/*
 * Worker, before a mail to a third party: 0 if it may be sent (and it is
 * counted: limit_mail_to), 1 if that address had enough lately (then,
 * unless quiet, the reply is the refusal, and nothing else), or -1.
 */
int invite_mail_allowed(struct db_job *, struct db_conn *, const char *to,
    int quiet);

/* 1 if e is an e-mail address we send to (nothing that bends a header). */
int invite_email_ok(const char *e);

/* A personal message, quoted for an e-mail body ("> " lines). */
void invite_quote(struct buf *, const char *lang, const char *who,
    const char *message);

#endif
