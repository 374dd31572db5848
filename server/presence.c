/*
 * Presence (presence.h says what online means and why events alternate).
 *
 * The loop counts this node's signed-in connections per user in a small
 * hash table. A change marks the user dirty; one job at a time carries
 * the dirty users' counts to the database (absolute counts, so a job that
 * is retried or overtaken writes the truth), refreshes this node's row
 * and, on the heartbeat, sweeps dead nodes. Keeping a single job in flight
 * means this node's writes never race each other; other nodes are kept in
 * step by the users' row locks.
 *
 * Lock order, everywhere: nodes rows, then users rows (ascending), then
 * the event_seq row (events are appended last, as event.h asks).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "buf.h"
#include "db.h"
#include "ev.h"
#include "hex.h"
#include "log.h"
#include "presence.h"
#include "proto.h"
#include "xmalloc.h"

/* Users carried by one job at most: keeps its transaction short. */
#define PRESENCE_BATCH	1000

const struct db_stmt presence_stmts[] = {
	{ "presence_beat",
	  "UPDATE nodes SET seen_at = now() WHERE id = $1 RETURNING id" },
	{ "presence_node_add",
	  "INSERT INTO nodes (id) VALUES ($1)" },
	{ "presence_lock",
	  "SELECT id FROM users WHERE id = ANY($1::bigint[])"
	  " ORDER BY id FOR NO KEY UPDATE" },
	/* Online as transitions see it: counted on a node not yet swept. */
	{ "presence_online",
	  "SELECT DISTINCT user_id FROM presence"
	  " WHERE user_id = ANY($1::bigint[])" },
	{ "presence_clear",
	  "DELETE FROM presence WHERE node_id = $1 AND user_id IN"
	  " (SELECT u FROM unnest($2::bigint[], $3::int[]) AS t (u, n)"
	  "  WHERE n = 0)" },
	{ "presence_set",
	  "INSERT INTO presence (node_id, user_id, connections)"
	  " SELECT $1, t.u, t.n FROM unnest($2::bigint[], $3::int[]) AS t (u, n)"
	  " JOIN users ON users.id = t.u WHERE t.n > 0"
	  " ON CONFLICT (node_id, user_id)"
	  " DO UPDATE SET connections = EXCLUDED.connections" },
	{ "presence_emit",
	  "INSERT INTO events (type, user_id, data)"
	  " SELECT 'presence', contact_id, $2 FROM professional_contacts"
	  " WHERE user_id = $1::bigint ORDER BY contact_id" },
	/* Nodes another node is refreshing or sweeping are skipped. The
	   presence rows are read before the cascade removes them. */
	{ "presence_sweep",
	  "WITH dead AS (DELETE FROM nodes WHERE id IN (SELECT id FROM nodes"
	  "  WHERE seen_at < now() - interval '" PRESENCE_DEAD_S " seconds'"
	  "  AND id <> $1 FOR UPDATE SKIP LOCKED) RETURNING id)"
	  " SELECT dead.id AS node, p.user_id FROM dead"
	  " LEFT JOIN presence p ON p.node_id = dead.id ORDER BY p.user_id" },
	{ "presence_leave",
	  "WITH gone AS (DELETE FROM nodes WHERE id = $1 RETURNING id)"
	  " SELECT gone.id AS node, p.user_id FROM gone"
	  " LEFT JOIN presence p ON p.node_id = gone.id ORDER BY p.user_id" },
	{ NULL, NULL }
};

/* One user's connections on this node. */
struct presence_user {
	int64_t			 user;
	int			 count;		/* signed in here now */
	int			 written;	/* in the database, as we know */
	int			 queued;	/* on the dirty list */
	struct presence_user	*next;		/* in its bucket */
};

enum presence_kind {
	PRESENCE_SYNC,		/* beat, counts, maybe a sweep */
	PRESENCE_GOODBYE	/* this node stops */
};

struct presence_job {
	struct db_job		 job;
	enum presence_kind	 kind;
	int			 sweep;
	size_t			 n;
	int64_t			*users;
	int64_t			*counts;
	int			 readded;	/* result: our row was gone */
};

static char			 node_id[33];
static struct presence_user	**buckets;
static size_t			 nbuckets;
static size_t			 nusers;
static struct presence_user	**dirty;
static size_t			 ndirty, dirty_size;
static struct ev_timer		*beat_timer;
static int			 inflight;	/* a job is with the database */
static int			 known;		/* our row was written once */
static int			 beat_due;	/* a heartbeat (and sweep) owed */
static int			 stopping;	/* 1: goodbye owed, 2: sent */
static int			 closed;	/* after the loop: no jobs */

static void presence_kick(void);

const char *
presence_node(void)
{
	return node_id;
}

/* The table ------------------------------------------------------------- */

static size_t
bucket_of(int64_t user, size_t n)
{
	uint64_t h = (uint64_t)user * 0x9e3779b97f4a7c15ULL;

	return (size_t)(h >> 32) & (n - 1);
}

static void
table_grow(void)
{
	size_t n = nbuckets == 0 ? 64 : nbuckets * 2;
	struct presence_user **b = xcalloc(n, sizeof *b), *u, *next;

	for (size_t i = 0; i < nbuckets; i++) {
		for (u = buckets[i]; u != NULL; u = next) {
			next = u->next;
			u->next = b[bucket_of(u->user, n)];
			b[bucket_of(u->user, n)] = u;
		}
	}
	free(buckets);
	buckets = b;
	nbuckets = n;
}

static struct presence_user *
table_find(int64_t user)
{
	struct presence_user *u;

	if (nbuckets == 0)
		return NULL;
	for (u = buckets[bucket_of(user, nbuckets)]; u != NULL; u = u->next)
		if (u->user == user)
			return u;
	return NULL;
}

static struct presence_user *
table_get(int64_t user)
{
	struct presence_user *u = table_find(user);
	size_t b;

	if (u != NULL)
		return u;
	if (nusers >= nbuckets)
		table_grow();
	u = xcalloc(1, sizeof *u);
	u->user = user;
	b = bucket_of(user, nbuckets);
	u->next = buckets[b];
	buckets[b] = u;
	nusers++;
	return u;
}

static void
table_drop(struct presence_user *u)
{
	struct presence_user **p = &buckets[bucket_of(u->user, nbuckets)];

	while (*p != u)
		p = &(*p)->next;
	*p = u->next;
	free(u);
	nusers--;
}

/* Nothing here and nothing in the database: forget the user. */
static void
table_tidy(struct presence_user *u)
{
	if (u->count == 0 && u->written == 0 && !u->queued)
		table_drop(u);
}

static void
mark_dirty(struct presence_user *u)
{
	if (u->queued)
		return;
	if (ndirty == dirty_size) {
		dirty_size = dirty_size == 0 ? 64 : dirty_size * 2;
		dirty = xreallocarray(dirty, dirty_size, sizeof *dirty);
	}
	dirty[ndirty++] = u;
	u->queued = 1;
}

/* Worker side ------------------------------------------------------------ */

/* "{1,2,3}": an array parameter. */
static char *
array_i64(const int64_t *v, size_t n)
{
	struct buf *b = buf_new(0);
	char *s;

	buf_add_char(b, '{');
	for (size_t i = 0; i < n; i++)
		buf_printf(b, "%s%lld", i > 0 ? "," : "", (long long)v[i]);
	buf_add_str(b, "}");
	buf_add_char(b, '\0');
	s = buf_take(b);
	buf_free(b);
	return s;
}

/* Which of the users (an array parameter) are online; -1 on failure. */
static int
online_set(struct db_job *j, struct db_conn *dc, const char *users,
    int64_t *ids, size_t n, int *online)
{
	PGresult *r;

	if ((r = db_queryf(j, dc, "presence_online", "s", users)) == NULL)
		return -1;
	for (size_t i = 0; i < n; i++)
		online[i] = 0;
	for (int row = 0; row < PQntuples(r); row++) {
		int64_t id = db_get_i64(r, row, "user_id");

		for (size_t i = 0; i < n; i++)
			if (ids[i] == id)
				online[i] = 1;
	}
	PQclear(r);
	return 0;
}

/* presence user=U online=X to U's professional contacts. */
static int
announce(struct db_job *j, struct db_conn *dc, int64_t user, int online)
{
	char data[64];

	snprintf(data, sizeof data, "user=%lld online=%d", (long long)user,
	    online);
	return db_commandf(j, dc, "presence_emit", "is", user, data);
}

/*
 * In the caller's transaction: every count of the job written, and each
 * user whose online state changed announced. Users are locked first, so
 * that a change made on another node at the same time waits and then sees
 * ours: the two cannot both announce (or both miss) a transition.
 */
static int
write_counts(struct presence_job *pj, struct db_conn *dc)
{
	struct db_job *j = &pj->job;
	char *users = array_i64(pj->users, pj->n);
	char *counts = array_i64(pj->counts, pj->n);
	int *before = xcalloc(pj->n, sizeof *before);
	int *after = xcalloc(pj->n, sizeof *after);
	int rc = -1;

	if (db_commandf(j, dc, "presence_lock", "s", users) != 0 ||
	    online_set(j, dc, users, pj->users, pj->n, before) != 0 ||
	    db_commandf(j, dc, "presence_clear", "sss", node_id, users,
	    counts) != 0 ||
	    db_commandf(j, dc, "presence_set", "sss", node_id, users,
	    counts) != 0 ||
	    online_set(j, dc, users, pj->users, pj->n, after) != 0)
		goto out;
	for (size_t i = 0; i < pj->n; i++)
		if (before[i] != after[i] &&
		    announce(j, dc, pj->users[i], after[i]) != 0)
			goto out;
	rc = 0;
out:
	free(users);
	free(counts);
	free(before);
	free(after);
	return rc;
}

/*
 * In the caller's transaction, after the nodes that counted them were
 * deleted: announces offline those of the rows' users (column user_id,
 * sorted, NULLs last) who are no longer counted anywhere.
 */
static int
announce_gone(struct db_job *j, struct db_conn *dc, const PGresult *r)
{
	int64_t *ids = xcalloc((size_t)PQntuples(r) + 1, sizeof *ids);
	size_t n = 0;
	char *users;
	int *online, rc = -1;

	for (int row = 0; row < PQntuples(r); row++) {
		int64_t id;

		if (db_isnull(r, row, "user_id"))
			continue;
		id = db_get_i64(r, row, "user_id");
		if (n == 0 || ids[n - 1] != id)
			ids[n++] = id;
	}
	if (n == 0) {
		free(ids);
		return 0;
	}
	users = array_i64(ids, n);
	online = xcalloc(n, sizeof *online);
	if (db_commandf(j, dc, "presence_lock", "s", users) != 0 ||
	    online_set(j, dc, users, ids, n, online) != 0)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (!online[i] && announce(j, dc, ids[i], 0) != 0)
			goto out;
	rc = 0;
out:
	free(users);
	free(online);
	free(ids);
	return rc;
}

/* This node's row refreshed, or made again if another node swept it. */
static int
beat(struct presence_job *pj, struct db_conn *dc)
{
	int64_t found;

	if (db_valuef(&pj->job, dc, "presence_beat", NULL, &found, "s",
	    node_id) != 0)
		return -1;
	if (found == 1)
		return 0;
	pj->readded = 1;
	return db_commandf(&pj->job, dc, "presence_node_add", "s", node_id);
}

/*
 * Deletes the dead nodes (sweep) or this one (goodbye) and tells their
 * users' contacts, in a transaction of its own.
 */
static void
drop_nodes(struct db_job *j, struct db_conn *dc, int sweep)
{
	PGresult *r;

	if (db_begin(j, dc) != 0 || (r = db_queryf(j, dc, sweep ?
	    "presence_sweep" : "presence_leave", "s", node_id)) == NULL)
		return;
	for (int i = 0; sweep && i < PQntuples(r); i++)
		if (i == 0 || strcmp(db_get(r, i, "node"),
		    db_get(r, i - 1, "node")) != 0)
			log_info("presence: node %s is gone (not seen for "
			    PRESENCE_DEAD_S " s): its users are offline here",
			    db_get(r, i, "node"));
	if (announce_gone(j, dc, r) == 0)
		db_commit(j, dc);
	PQclear(r);
}

static void
presence_run(struct db_job *j, struct db_conn *dc)
{
	struct presence_job *pj = (struct presence_job *)j;

	pj->readded = 0;
	if (pj->kind == PRESENCE_GOODBYE) {
		drop_nodes(j, dc, 0);
		return;
	}
	if (db_begin(j, dc) != 0 || beat(pj, dc) != 0 ||
	    (pj->n > 0 && write_counts(pj, dc) != 0) ||
	    db_commit(j, dc) != 0)
		return;
	/* Our counts are in: a failed sweep is tried again next beat. */
	if (pj->sweep)
		drop_nodes(j, dc, 1);
	if (j->status != DB_OK) {
		log_warnx("presence: sweeping dead nodes failed; will retry");
		j->status = DB_OK;
	}
}

/* Loop side -------------------------------------------------------------- */

static void
job_free(struct presence_job *pj)
{
	free(pj->users);
	free(pj->counts);
	free(pj);
}

static void
presence_done(struct db_job *j)
{
	struct presence_job *pj = (struct presence_job *)j;
	struct presence_user *u, *next;
	int ok = j->status == DB_OK;

	inflight = 0;
	if (closed) {
		job_free(pj);
		return;
	}
	if (pj->kind == PRESENCE_GOODBYE) {
		if (!ok)
			log_warnx("presence: could not remove this node's rows;"
			    " other nodes will sweep them");
		job_free(pj);
		return;
	}
	for (size_t i = 0; i < pj->n; i++) {
		if ((u = table_find(pj->users[i])) == NULL)
			continue;
		/* A failed COMMIT may have taken effect: unknown then. */
		u->written = ok ? (int)pj->counts[i] : -1;
		if (u->count != u->written)
			mark_dirty(u);
		else
			table_tidy(u);
	}
	if (ok && pj->readded) {
		/* Swept while alive: nothing of ours is in the database
		   any more; write it all again. */
		if (known)
			log_warnx("presence: another node swept this one; "
			    "writing its %zu users again", nusers);
		for (size_t b = 0; b < nbuckets; b++)
			for (u = buckets[b]; u != NULL; u = next) {
				next = u->next;
				u->written = 0;
				if (u->count > 0)
					mark_dirty(u);
				else
					table_tidy(u);
			}
	}
	if (ok)
		known = 1;
	else
		log_warnx("presence: could not update; will retry");
	job_free(pj);
	/* The database away, the next beat tries again (not at once). */
	if (ok || stopping)
		presence_kick();
}

/* Sends the next job if none is in flight and there is work. */
static void
presence_kick(void)
{
	struct presence_job *pj;
	struct presence_user *u;

	if (inflight || closed || stopping == 2)
		return;
	if (stopping) {
		pj = xcalloc(1, sizeof *pj);
		pj->kind = PRESENCE_GOODBYE;
		stopping = 2;	/* sent */
	} else {
		if (ndirty == 0 && !beat_due)
			return;
		pj = xcalloc(1, sizeof *pj);
		pj->kind = PRESENCE_SYNC;
		pj->sweep = beat_due;
		beat_due = 0;
		pj->users = xcalloc(ndirty > 0 ? ndirty : 1, sizeof *pj->users);
		pj->counts = xcalloc(ndirty > 0 ? ndirty : 1,
		    sizeof *pj->counts);
		/* Take from the end: what stays is the front of the list. */
		while (ndirty > 0 && pj->n < PRESENCE_BATCH) {
			u = dirty[--ndirty];
			u->queued = 0;
			if (u->count == u->written) {
				table_tidy(u);
				continue;
			}
			pj->users[pj->n] = u->user;
			pj->counts[pj->n++] = u->count;
		}
		if (pj->n == 0 && !pj->sweep) {
			job_free(pj);
			return;
		}
	}
	pj->job.run = presence_run;
	pj->job.done = presence_done;
	inflight = 1;
	db_submit(&pj->job);
}

static void
presence_tick(void *arg)
{
	beat_due = 1;
	presence_kick();
}

void
presence_start(void)
{
	unsigned char raw[16];

	if (RAND_bytes(raw, sizeof raw) != 1)
		fatalx("RAND_bytes failed");
	hex_encode(raw, sizeof raw, node_id);
	log_info("presence: this node is %s", node_id);
	beat_timer = ev_timer_add(PRESENCE_BEAT_MS, 1, presence_tick, NULL);
	beat_due = 1;
	presence_kick();
}

void
presence_stop(void)
{
	if (stopping || closed)
		return;
	stopping = 1;
	if (beat_timer != NULL) {
		ev_timer_del(beat_timer);
		beat_timer = NULL;
	}
	presence_kick();
}

void
presence_free(void)
{
	struct presence_user *u, *next;

	closed = 1;
	for (size_t b = 0; b < nbuckets; b++)
		for (u = buckets[b]; u != NULL; u = next) {
			next = u->next;
			free(u);
		}
	free(buckets);
	free(dirty);
	buckets = NULL;
	dirty = NULL;
	nbuckets = nusers = ndirty = dirty_size = 0;
}

static void
presence_change(int64_t user, int delta)
{
	struct presence_user *u;

	if (stopping || closed || user == 0)
		return;
	u = table_get(user);
	if (u->count + delta < 0) {
		log_warnx("presence: user %lld left more often than they came",
		    (long long)user);
		return;
	}
	u->count += delta;
	mark_dirty(u);
	presence_kick();
}

void
presence_add(int64_t user)
{
	presence_change(user, 1);
}

void
presence_remove(int64_t user)
{
	presence_change(user, -1);
}
