/*
 * What every space verb needs before its own work, on the worker thread in
 * the job's transaction: who the caller is in the space and whether that
 * allows the request (space_open), and telling every participant about a
 * change (space_emit).
 *
 * Space events are addressed to each participant's user, one row each, so
 * the event bus and SYNC need nothing new, and a participant who is
 * revoked simply receives nothing more.
 */
#ifndef AGORA_SPACE_H
#define AGORA_SPACE_H

#include <stdint.h>

struct buf;
struct db_conn;
struct db_job;

/* What a request needs of the caller. */
enum space_need {
	SPACE_SEE,		/* an active participant (externals: not archived) */
	SPACE_MANAGE,		/* ... owner or internal, space not archived */
	SPACE_MANAGE_ARCHIVED,	/* ... owner or internal, archived or not */
	SPACE_CREATOR		/* the creator, archived or not */
};

struct space_access {
	int64_t	 space;
	int64_t	 workspace;
	int64_t	 creator;
	char	 role[16];	/* owner, internal, external */
	int	 archived;
	int	 externals_invite;
	int	 manager;	/* owner or internal */
	char	 title[201];
};

/* The reply to anyone a space is closed to, whatever the reason. */
#define SPACE_CLOSED	"this space link is not valid"

/*
 * Locks the space's row for the rest of the transaction, checks the
 * caller against need and marks the caller active now. 0, or -1 when the
 * reply is written (ERR) or the job failed (status set).
 */
int space_open(struct db_job *, struct db_conn *, int64_t space,
    int64_t user, enum space_need, struct space_access *);

/*
 * An event of type with data to every active participant (externals too
 * unless the space is archived). data: encoded parameters, or NULL.
 */
int space_emit(struct db_job *, struct db_conn *, int64_t space,
    const char *type, struct buf *data);
/* The same event to one user (one who is leaving, say). */
int space_emit_to(struct db_job *, struct db_conn *, int64_t user,
    const char *type, struct buf *data);

#endif
