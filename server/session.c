#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "conn.h"
#include "db.h"
#include "proto.h"
#include "session.h"
#include "log.h"
#include "xmalloc.h"

void
session_free(struct session *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->nws; i++) {
		free(s->ws[i].name);
		free(s->ws[i].plan);
	}
	free(s->ws);
	free(s->email);
	free(s->name);
	free(s->phone);
	free(s);
}

const struct authz_role *
session_role(const struct session *s, int64_t workspace_id)
{
	for (size_t i = 0; i < s->nws; i++)
		if (s->ws[i].id == workspace_id)
			return &s->ws[i].role;
	return NULL;
}


struct session *
session_load(struct db_job *j, struct db_conn *dc, int64_t user_id,
    int64_t session_id)
{
	struct session *s;
	PGresult *r;

	if ((r = db_queryf(j, dc, "user_get", "i", user_id)) == NULL)
		return NULL;
	if (PQntuples(r) != 1) {
		PQclear(r);
		j->status = DB_FAILED;	/* the session row outlived its user */
		return NULL;
	}
	s = xcalloc(1, sizeof *s);
	s->user_id = db_get_i64(r, 0, "id");
	s->session_id = session_id;
	s->email = xstrdup(db_get(r, 0, "email"));
	s->name = xstrdup(db_get(r, 0, "name"));
	if (!db_isnull(r, 0, "phone"))
		s->phone = xstrdup(db_get(r, 0, "phone"));
	s->verified = db_get_bool(r, 0, "verified");
	PQclear(r);

	if ((r = db_queryf(j, dc, "user_workspaces", "i", user_id)) == NULL) {
		session_free(s);
		return NULL;
	}
	s->nws = (size_t)PQntuples(r);
	if (s->nws > 0)
		s->ws = xcalloc(s->nws, sizeof *s->ws);
	for (size_t i = 0; i < s->nws; i++) {
		s->ws[i].id = db_get_i64(r, (int)i, "id");
		s->ws[i].name = xstrdup(db_get(r, (int)i, "name"));
		authz_role_read(&s->ws[i].role, r, (int)i);
		s->ws[i].plan = xstrdup(db_get(r, (int)i, "plan"));
	}
	PQclear(r);
	return s;
}

void
session_describe(const struct session *s, struct buf *out, const char *tag)
{
	proto_begin(out, tag, "USER");
	proto_add_i64(out, "id", s->user_id);
	proto_add(out, "email", s->email);
	proto_add(out, "name", s->name);
	if (s->phone != NULL)
		proto_add(out, "phone", s->phone);
	proto_add(out, "verified", s->verified ? "1" : "0");
	proto_end(out);
	for (size_t i = 0; i < s->nws; i++) {
		proto_begin(out, tag, "WORKSPACE");
		proto_add_i64(out, "id", s->ws[i].id);
		proto_add(out, "name", s->ws[i].name);
		proto_add(out, "role", s->ws[i].role.name);
		proto_add(out, "plan", s->ws[i].plan);
		proto_end(out);
	}
}

struct refresh_job {
	struct db_job	 job;
	int64_t		 user;
	int64_t		 session;
	struct session	*fresh;
};

static void
refresh_run(struct db_job *j, struct db_conn *dc)
{
	struct refresh_job *rj = (struct refresh_job *)j;

	session_free(rj->fresh);
	rj->fresh = session_load(j, dc, rj->user, rj->session);
}

/* Loop thread: the connection takes the fresh session if it still holds
   the one that was read again. */
static void
refresh_done(struct db_job *j)
{
	struct refresh_job *rj = (struct refresh_job *)j;
	struct conn *c = conn_find(j->conn_id);
	const struct session *s = c != NULL ? conn_session(c) : NULL;

	if (j->status == DB_OK && s != NULL && s->session_id == rj->session) {
		conn_set_session(c, rj->fresh);
		rj->fresh = NULL;
	} else if (j->status != DB_OK)
		log_warnx("a session was not read again; it keeps its roles "
		    "until it logs in");
	session_free(rj->fresh);
	free(rj);
}

struct refresh_want {
	const int64_t	*users;
	size_t		 n;
};

static void
refresh_one(struct conn *c, void *arg)
{
	const struct refresh_want *w = arg;
	const struct session *s = conn_session(c);
	struct refresh_job *rj;
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < w->n && w->users[i] != s->user_id; i++)
		;
	if (w->n > 0 && i == w->n)
		return;
	rj = xcalloc(1, sizeof *rj);
	rj->user = s->user_id;
	rj->session = s->session_id;
	rj->job.conn_id = conn_id(c);
	rj->job.run = refresh_run;
	rj->job.done = refresh_done;
	db_submit(&rj->job);
}

void
session_refresh(const int64_t *users, size_t n)
{
	struct refresh_want w = { users, n };

	conn_foreach(refresh_one, &w);
}
