/*
 * What every space verb needs before its own work, on the worker thread in
 * the job's transaction: who the caller is in the space and whether that
 * allows the request (space_open), and telling every participant about a
 * change (space_emit).
 *
 * Space events are addressed to each participant's user, one row each, so
 * a participant who is revoked simply receives nothing more. A discussion's
 * messages, many and to many, are one row naming the space and no user
 * (space_emit_shared), whose readers the event bus and SYNC look up.
 * Every row names its space (events.space_id), so that SPACE.DELETE
 * removes them all by that column: an event about a space is written
 * through these functions, never event_emit.
 */
#ifndef AGORA_SPACE_H
#define AGORA_SPACE_H

#include <stdint.h>

struct buf;
struct db_conn;
struct db_job;
struct pg_result;

/* What a request needs of the caller. */
enum space_need {
	SPACE_SEE,		/* an active participant (externals: not archived) */
	SPACE_MANAGE,		/* ... a manager, space not archived */
	SPACE_MANAGE_ARCHIVED,	/* ... a manager, archived or not */
	SPACE_KEEPER,		/* ... owner or internal, archived or not */
	SPACE_INVITE,		/* ... a manager, or an external where the
				   space lets them; not archived */
	SPACE_CREATOR		/* the creator, archived or not */
};

struct space_access {
	int64_t	 space;
	int64_t	 workspace;
	int64_t	 creator;
	char	 role[16];	/* as acting: owner, internal, collaborator,
				   external (participant_role in SQL) */
	int	 archived;
	int	 externals_invite;
	int	 network;	/* a business network */
	int	 manager;	/* anyone but an external */
	int	 keeper;	/* owner or internal: may archive */
	char	 title[201];
};

/* The reply to anyone a space is closed to, whatever the reason. */
#define SPACE_CLOSED	"this space link is not valid"

/*
 * Locks the space's row for the rest of the transaction and reads the
 * caller's part in it (space_open); then checks the caller against need
 * and marks them active now (space_admit). Two steps, so that the request
 * core checks the caller's role in between (request.c). Each: 0, or -1
 * when the reply is written (ERR) or the job failed (status set).
 */
int space_open(struct db_job *, struct db_conn *, int64_t space,
    int64_t user, struct space_access *);
int space_admit(struct db_job *, struct db_conn *, int64_t user,
    enum space_need, const struct space_access *);
/* 0 if the space is not archived, or -1 with the reply that says so:
   changes wait for it to be reactivated. */
int space_active(struct db_job *, const struct space_access *);

/*
 * An event of type with data to every active participant (externals too
 * unless the space is archived). data: encoded parameters, or NULL.
 */
int space_emit(struct db_job *, struct db_conn *, int64_t space,
    const char *type, struct buf *data);
/*
 * The same, as one row naming the space: who receives it is decided when
 * it is delivered or replayed (the view space_readers). For what is sent
 * often to many (a discussion's messages); an event about who is in the
 * space must reach those who were in it at the time: space_emit.
 */
int space_emit_shared(struct db_job *, struct db_conn *, int64_t space,
    const char *type, struct buf *data);
/* The same event to one user (one who is leaving, say). */
int space_emit_to(struct db_job *, struct db_conn *, int64_t space,
    int64_t user, const char *type, struct buf *data);

/* The data of an event about user as a participant of space (caller
   frees), and the event of type with it, to the space. */
struct buf *space_participant_data(int64_t space, int64_t user,
    const char *email, const char *role, const char *status);
int space_participant_emit(struct db_job *, struct db_conn *,
    const char *type, int64_t space, int64_t user, const char *email,
    const char *role, const char *status);

/*
 * A participant as a space knows them. The space's people (its owner's
 * side) may set an external's name, company and job title for that space
 * alone (participants.local_*); the space shows those, and the person's
 * own values (users) wherever it set none. Beside each value the space
 * set, its listings and events also give the person's own (own_name=,
 * own_company=, own_job_title=), so that no one mistakes the space's word
 * for the person's. The columns, for a query that joins participants p
 * and users u.
 */
#define SPACE_PROFILE_COLUMNS \
	" coalesce(p.local_name, u.name) AS name," \
	" coalesce(p.local_company, u.company) AS company," \
	" coalesce(p.local_job_title, u.job_title) AS job_title," \
	" CASE WHEN p.local_name IS NOT NULL THEN u.name END AS own_name," \
	" CASE WHEN p.local_company IS NOT NULL THEN u.company END" \
	"  AS own_company," \
	" CASE WHEN p.local_job_title IS NOT NULL THEN u.job_title END" \
	"  AS own_job_title"

/* Above this many participants a space is past the recommended size. */
#define SPACE_RECOMMENDED	15

/* `TAG OK people=N`, and past the recommended size, a warning. */
void space_people_ok(struct buf *, const char *tag, int64_t people);

/* The parameters name, company, job_title (and own_* where the space set
   its own) of row i, a row with SPACE_PROFILE_COLUMNS. */
void space_profile_add(struct buf *, const struct pg_result *, int row);

/*
 * The person's own profile changed: participant.updated, with the profile
 * as each space knows them, in every space where user is active or
 * invited (pending). 0, or -1.
 */
int space_profile_changed(struct db_job *, struct db_conn *, int64_t user);

/*
 * If the space is a business network: contacts.changed to everyone active
 * in it and to leaving (a user id, or 0), whose professional contacts may
 * just have changed. Call it after the change, or before it for a change
 * that ends the network (un-flagging).
 */
int space_contacts_changed(struct db_job *, struct db_conn *, int64_t space,
    int64_t leaving);

#endif
