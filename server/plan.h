/*
 * Plans. A workspace is on plan free, premium or pro (agorad workspace
 * plan). A user "has a paid plan" while they are a member of at least one
 * workspace on premium or pro: that is what business networks and their
 * features (professional contacts, invitation preferences) need.
 */
#ifndef AGORA_PLAN_H
#define AGORA_PLAN_H

#include <stdint.h>

struct db_conn;
struct req;

/* What a free user is told when they reach for a paid feature. */
#define PLAN_NEEDED	"business networks need a paid plan (premium or pro)"

/*
 * Worker, in the request's transaction: every plan check. A space's
 * feature (a business network) needs its workspace on a paid plan; the
 * caller's own (professional contacts) needs them to be a member of a
 * workspace on one. 0, or -1 with plan_required written (or the job's
 * status set). The database is asked, not the session, so that a plan
 * just changed counts at once.
 */
int plan_require_workspace(struct req *, struct db_conn *, int64_t workspace);
int plan_require_user(struct req *, struct db_conn *);

/* SQL: true while the user whose id is the expression col has a paid plan. */
#define PAID_SQL(col) \
	"EXISTS (SELECT 1 FROM memberships pm JOIN workspaces pw" \
	" ON pw.id = pm.workspace_id WHERE pm.user_id = " col \
	" AND pw.plan <> 'free')"

#endif
