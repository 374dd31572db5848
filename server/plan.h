/*
 * Plans. A workspace is on plan free, premium or pro (agorad workspace
 * plan). A user "has a paid plan" while they are a member of at least one
 * workspace on premium or pro: that is what business networks and their
 * features (professional contacts, invitation preferences) need.
 */
#ifndef AGORA_PLAN_H
#define AGORA_PLAN_H

/* What a free user is told when they reach for a paid feature. */
#define PLAN_NEEDED	"business networks need a paid plan (premium or pro)"

/* SQL: true while the user whose id is the expression col has a paid plan. */
#define PAID_SQL(col) \
	"EXISTS (SELECT 1 FROM memberships pm JOIN workspaces pw" \
	" ON pw.id = pm.workspace_id WHERE pm.user_id = " col \
	" AND pw.plan <> 'free')"

#endif
