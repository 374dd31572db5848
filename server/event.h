/*
 * Appending events (worker side). An event is addressed to one user, to the
 * members of one workspace, or both (pass 0 for neither); its data is
 * protocol-encoded params, pushed as `* EVENT seq=N type=T <data>`.
 *
 * Call it last in a mutation's transaction: appending takes the event_seq
 * row lock until commit (sql/001_init.sql says why).
 */
#ifndef AGORA_EVENT_H
#define AGORA_EVENT_H

#include <stdint.h>

struct buf;
struct db_conn;
struct db_job;

int event_emit(struct db_job *, struct db_conn *, const char *type,
    int64_t workspace_id, int64_t user_id, struct buf *data);

/* Who did what, from where: one row of audit_log. actor/session 0: none. */
int audit_record(struct db_job *, struct db_conn *, int64_t actor,
    int64_t session, const char *address, const char *action,
    const char *target, const char *detail);


#endif
