#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "buf.h"
#include "bus.h"
#include "conn.h"
#include "db.h"
#include "log.h"
#include "proto.h"
#include "session.h"
#include "xmalloc.h"

#define BUS_BATCH	1000
#define BUS_BATCH_SQL	"1000"	/* the same, for the query text */
#define BUS_RETRY_MS	1000

struct bus_event {
	int64_t		 seq;
	int64_t		*readers;	/* who reads it, ascending */
	size_t		 nreaders;	/* (the view event_readers) */
	int64_t		 ends_session;	/* session.logout: the session */
	char		*line;		/* "* EVENT ...\n" */
};

struct bus_job {
	struct db_job	 job;
	size_t		 n;
	struct bus_event *ev;
};

static const char	*bus_conninfo;
static pthread_t	 bus_thread;
static int		 bus_quit_fd = -1;
static int64_t		 bus_last;	/* bus thread only (after start) */
static PGconn		*bus_first;	/* from bus_start, for the thread */

static void
bus_push_one(struct conn *c, void *arg)
{
	const struct bus_event *e = arg;
	const struct session *s = conn_session(c);

	if (s == NULL)
		return;
	/* Queued whatever is queued already: a batch of big events can
	 * be megabytes, and conn.c closes a connection that stays over
	 * max_output (one that does not read), not one that gets a burst. */
	buf_add_str(conn_out(c), e->line);
	/* A session ended anywhere ends on every connection holding it. */
	if (e->ends_session != 0 && s->session_id == e->ends_session)
		conn_set_session(c, NULL);
}

/* The signed-in connections of one batch, by user: who to look at. */
struct bus_reader {
	int64_t		 user_id;
	struct conn	*conn;
};

struct bus_readers {
	struct bus_reader *v;
	size_t		 n, cap;
};

static void
bus_reader_add(struct conn *c, void *arg)
{
	struct bus_readers *rs = arg;
	const struct session *s = conn_session(c);

	if (s == NULL)
		return;
	if (rs->n == rs->cap) {
		rs->cap = rs->cap == 0 ? 64 : rs->cap * 2;
		rs->v = xreallocarray(rs->v, rs->cap, sizeof *rs->v);
	}
	rs->v[rs->n].user_id = s->user_id;
	rs->v[rs->n++].conn = c;
}

static int
bus_reader_cmp(const void *a, const void *b)
{
	const struct bus_reader *x = a, *y = b;

	return (x->user_id > y->user_id) - (x->user_id < y->user_id);
}

/* The first reader of user (rs sorted), or rs->n if none. */
static size_t
bus_reader_find(const struct bus_readers *rs, int64_t user)
{
	size_t lo = 0, hi = rs->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (rs->v[mid].user_id < user)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < rs->n && rs->v[lo].user_id == user ? lo : rs->n;
}

/* e to every signed-in connection of user. */
static void
bus_push_user(const struct bus_readers *rs, struct bus_event *e,
    int64_t user)
{
	for (size_t k = bus_reader_find(rs, user);
	    k < rs->n && rs->v[k].user_id == user; k++)
		bus_push_one(rs->v[k].conn, e);
}

/*
 * A batch can hold a thousand events for a thousand connections. Rather
 * than ask every connection about every event, index the signed-in
 * connections by user once per batch, and give each event to the
 * connections of its readers.
 */
static void
bus_deliver(struct db_job *j)
{
	struct bus_job *bj = (struct bus_job *)j;
	struct bus_readers rs = { NULL, 0, 0 };

	conn_foreach(bus_reader_add, &rs);
	if (rs.n > 1)	/* qsort's array may not be NULL, even empty */
		qsort(rs.v, rs.n, sizeof *rs.v, bus_reader_cmp);
	for (size_t i = 0; i < bj->n; i++) {
		struct bus_event *e = &bj->ev[i];

		for (size_t u = 0; u < e->nreaders; u++)
			bus_push_user(&rs, e, e->readers[u]);
		free(e->readers);
		free(e->line);
	}
	free(rs.v);
	free(bj->ev);
	free(bj);
}

/*
 * A listening connection; with mark, live events start after the latest
 * one now (LISTEN came first, so nothing after the mark is missed).
 */
static PGconn *
bus_connect(int mark)
{
	static const char *const listen[] = { "LISTEN agora_events",
	    "LISTEN agora_roles", NULL };
	PGconn *pg = db_listen(bus_conninfo, "agorad-bus", "event bus", listen);
	PGresult *r;
	int ok;

	if (pg == NULL)
		return NULL;
	if (mark) {
		r = PQexecParams(pg, "SELECT last FROM event_seq", 0, NULL,
		    NULL, NULL, NULL, 0);
		if ((ok = PQresultStatus(r) == PGRES_TUPLES_OK &&
		    PQntuples(r) == 1))
			bus_last = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
		PQclear(r);
		if (!ok) {
			PQfinish(pg);
			return NULL;
		}
	}
	log_info("event bus: listening from seq %lld", (long long)bus_last);
	return pg;
}

static char *
bus_format(PGresult *r, int row)
{
	struct buf *b = buf_new(0);
	char *line;

	proto_begin(b, PROTO_UNTAGGED, "EVENT");
	proto_add(b, "seq", PQgetvalue(r, row, 0));
	proto_add(b, "type", PQgetvalue(r, row, 1));
	if (*PQgetvalue(r, row, 2) != '\0')
		proto_add_raw(b, PQgetvalue(r, row, 2));
	proto_end(b);
	line = buf_take(b);
	buf_free(b);
	return line;
}

/* The session a session.logout event ends, from its formatted line. */
static int64_t
bus_ended_session(const char *type, const char *line)
{
	struct proto_msg msg;
	const char *why;
	char *copy;
	size_t len;
	int64_t sid = 0;

	if (strcmp(type, "session.logout") != 0)
		return 0;
	len = strcspn(line, "\n");
	copy = xstrndup(line, len);
	if (proto_parse(copy, len, &msg, &why) != 0 ||
	    proto_get_i64(&msg, "session", 1, INT64_MAX, &sid) != 0)
		sid = 0;
	free(copy);
	return sid;
}

/*
 * An event's readers from their text, "{1,2,3}" (or "{}" for none).
 */
static int64_t *
bus_readers_parse(const char *text, size_t *n)
{
	size_t cap = 1;
	int64_t *v;

	for (const char *p = text; *p != '\0'; p++)
		cap += *p == ',';
	v = xcalloc(cap, sizeof *v);
	*n = 0;
	for (const char *p = text; *p != '\0' && *n < cap; ) {
		char *end;

		p += strspn(p, "{},");
		if (*p == '\0')
			break;
		v[(*n)++] = strtoll(p, &end, 10);
		if (end == p)
			break;
		p = end;
	}
	return v;
}

/* Reads every event after bus_last and posts them to the loop. */
static int
bus_fetch(PGconn *pg)
{
	char *cause = NULL;
	PGresult *r;
	int n;

	do {
		struct bus_job *bj;

		/* Each event's readers as they are now, committed: the
		   view SYNC reads too (sql/012_event_readers.sql). */
		if (db_runf(pg, "SELECT seq, type, data, ARRAY(SELECT"
		    " DISTINCT er.user_id FROM event_readers er"
		    " WHERE er.seq = e.seq ORDER BY er.user_id) AS readers"
		    " FROM events e WHERE seq > $1::bigint ORDER BY seq"
		    " LIMIT " BUS_BATCH_SQL, &r, &cause, "i", bus_last) != 0) {
			log_warnx("event bus: %s", cause);
			free(cause);
			return -1;
		}
		if ((n = PQntuples(r)) == 0) {
			PQclear(r);
			break;
		}
		bj = xcalloc(1, sizeof *bj);
		bj->ev = xcalloc((size_t)n, sizeof *bj->ev);
		bj->n = (size_t)n;
		bj->job.done = bus_deliver;
		for (int i = 0; i < n; i++) {
			struct bus_event *e = &bj->ev[i];

			e->seq = strtoll(PQgetvalue(r, i, 0), NULL, 10);
			e->line = bus_format(r, i);
			e->readers = bus_readers_parse(PQgetvalue(r, i, 3),
			    &e->nreaders);
			e->ends_session = bus_ended_session(PQgetvalue(r, i, 1),
			    e->line);
		}
		bus_last = bj->ev[n - 1].seq;
		PQclear(r);
		db_post(&bj->job);
	} while (n == BUS_BATCH);
	return 0;
}

/* The users whose roles changed, for the loop to read again. */
struct bus_roles {
	struct db_job	 job;
	int64_t		*users;
	size_t		 n;		/* 0: everyone */
};

static void
bus_roles_done(struct db_job *j)
{
	struct bus_roles *br = (struct bus_roles *)j;

	session_refresh(br->users, br->n);
	free(br->users);
	free(br);
}

static struct bus_roles *
bus_roles_new(void)
{
	struct bus_roles *br = xcalloc(1, sizeof *br);

	br->job.done = bus_roles_done;
	return br;
}

/* A notification on agora_roles: its payload is a user id. */
static void
bus_roles_add(struct bus_roles *br, const char *payload)
{
	char *end;
	long long id = strtoll(payload, &end, 10);

	if (end == payload || *end != '\0' || id <= 0)
		return;
	br->users = xreallocarray(br->users, br->n + 1, sizeof *br->users);
	br->users[br->n++] = id;
}

static void *
bus_main(void *arg)
{
	PGconn *pg = bus_first;
	PGnotify *note;
	struct bus_roles *roles;
	int first = bus_first == NULL, notified;

	for (;;) {
		if (pg == NULL) {
			/* At start, only what comes next matters; after a
			 * reconnect, catch up on what happened meanwhile. */
			if ((pg = bus_connect(first)) == NULL) {
				if (db_wait(bus_quit_fd, NULL, BUS_RETRY_MS,
				    "event bus"))
					break;
				continue;
			}
			/* Roles may have changed while we were away. */
			if (!first)
				db_post(&bus_roles_new()->job);
			first = 0;
			if (bus_fetch(pg) != 0)
				goto lost;
		}
		if (db_wait(bus_quit_fd, pg, -1, "event bus"))
			break;
		if (PQconsumeInput(pg) == 0)
			goto lost;
		notified = 0;
		roles = NULL;
		while ((note = PQnotifies(pg)) != NULL) {
			if (strcmp(note->relname, "agora_roles") != 0)
				notified = 1;
			else {
				if (roles == NULL)
					roles = bus_roles_new();
				bus_roles_add(roles, note->extra);
			}
			PQfreemem(note);
		}
		if (roles != NULL && roles->n > 0)
			db_post(&roles->job);
		else
			free(roles);
		if (notified && bus_fetch(pg) != 0)
			goto lost;
		continue;
lost:
		log_warnx("event bus: lost the database: %s",
		    PQerrorMessage(pg));
		PQfinish(pg);
		pg = NULL;
	}
	PQfinish(pg);
	return NULL;
}

int
bus_start(const char *conninfo, char **cause)
{
	bus_conninfo = conninfo;
	/*
	 * Where live events start is fixed here, before the loop serves
	 * anyone: an event a client causes in its first moments must not
	 * fall before the mark. With the database away, the thread finds
	 * the mark when it connects.
	 */
	bus_first = bus_connect(1);
	if ((bus_quit_fd = eventfd(0, EFD_CLOEXEC)) == -1) {
		xasprintf(cause, "eventfd: %s", strerror(errno));
		return -1;
	}
	if (pthread_create(&bus_thread, NULL, bus_main, NULL) != 0) {
		xasprintf(cause, "cannot start the event bus thread");
		return -1;
	}
	return 0;
}

void
bus_stop(void)
{
	uint64_t one = 1;

	if (bus_quit_fd == -1)
		return;
	if (write(bus_quit_fd, &one, sizeof one) != sizeof one)
		log_warn("event bus: eventfd write");
	pthread_join(bus_thread, NULL);
	close(bus_quit_fd);
	bus_quit_fd = -1;
}
