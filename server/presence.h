/*
 * Presence: whether a user is signed in on any agorad node now.
 *
 * Each node counts its signed-in connections per user in the presence
 * table and refreshes its row in nodes every PRESENCE_BEAT_MS; a node not
 * seen for PRESENCE_DEAD_S seconds is dead, and what it counted no longer
 * makes anyone online.
 */
#ifndef AGORA_PRESENCE_H
#define AGORA_PRESENCE_H

#define PRESENCE_BEAT_MS	5000
#define PRESENCE_DEAD_S		"15"

/* SQL: true while the user whose id is the expression col is online. */
#define PRESENCE_ONLINE_SQL(col) \
	"EXISTS (SELECT 1 FROM presence pr JOIN nodes nd" \
	" ON nd.id = pr.node_id WHERE pr.user_id = " col \
	" AND nd.seen_at > now() - interval '" PRESENCE_DEAD_S " seconds')"

#endif
