/*
 * Presence: whether a user is signed in on any agorad node now.
 *
 * Each node counts its signed-in connections per user in the presence
 * table and refreshes its row in nodes every PRESENCE_BEAT_MS; a node not
 * seen for PRESENCE_DEAD_S seconds is dead, and what it counted no longer
 * makes anyone online. Every node sweeps dead nodes on its heartbeat.
 *
 * The `presence user=ID online=0|1` events to a user's professional
 * contacts are decided in SQL, in one transaction per change, with the
 * user's row locked: online before and after are compared, where online
 * means a presence row on any node still in nodes. A dead node's rows
 * still count until it is swept, and the sweep announces its users
 * offline, so each user's events alternate 1, 0, 1... whichever nodes
 * make them. (CONTACTS' online= is stricter: a dead node stops counting
 * at once, before the sweep tells anyone.)
 */
#ifndef AGORA_PRESENCE_H
#define AGORA_PRESENCE_H

#include <stdint.h>

#define PRESENCE_BEAT_MS	5000
#define PRESENCE_DEAD_S		"15"

/* SQL: true while the user whose id is the expression col is online. */
#define PRESENCE_ONLINE_SQL(col) \
	"EXISTS (SELECT 1 FROM presence pr JOIN nodes nd" \
	" ON nd.id = pr.node_id WHERE pr.user_id = " col \
	" AND nd.seen_at > now() - interval '" PRESENCE_DEAD_S " seconds')"

/* Loop thread, after db_start: a new node id, its row, the heartbeat. */
void presence_start(void);
/* Shutdown begins: this node's rows go, its users are announced offline;
 * later changes are ignored. The job counts in db_pending. */
void presence_stop(void);
/* After the loop: no more jobs; frees the counts. */
void presence_free(void);

/* A connection gained (add) or lost (remove) a session of user. */
void presence_add(int64_t user);
void presence_remove(int64_t user);

/* This node's id (32 hex digits), for logs. */
const char *presence_node(void);

#endif
