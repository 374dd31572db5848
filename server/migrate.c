#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "migrate.h"
#include "xmalloc.h"

/* Any constant shared by every agorad: the lock that serialises them. */
#define MIGRATE_LOCK "4247435701"

static int
migrate_begin(PGconn *pg, char **cause)
{
	if (db_run(pg, "BEGIN", 0, NULL, NULL, cause) != 0)
		return -1;
	return db_run(pg, "SELECT pg_advisory_xact_lock(" MIGRATE_LOCK ")", 0,
	    NULL, NULL, cause);
}

static void
migrate_abort(PGconn *pg)
{
	PQclear(PQexecParams(pg, "ROLLBACK", 0, NULL, NULL, NULL, NULL, 0));
}

/*
 * A migration is a script of many statements, so it goes through the
 * simple-query protocol (PQexec). Only text compiled into agorad from sql/
 * ever reaches this call; no input from anyone does.
 */
static int
migrate_one(PGconn *pg, const struct migration *m, char **cause)
{
	char version[16], *why = NULL;
	const char *params[2] = { version, m->name };
	PGresult *r;
	int applied;

	snprintf(version, sizeof version, "%d", m->version);
	if (migrate_begin(pg, &why) != 0)
		goto fail;
	if (db_run(pg, "SELECT 1 FROM schema_migrations WHERE version = $1", 1,
	    params, &r, &why) != 0)
		goto fail;
	applied = PQntuples(r) > 0;
	PQclear(r);
	if (applied) {
		migrate_abort(pg);
		return 0;
	}
	r = PQexec(pg, m->sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK &&
	    PQresultStatus(r) != PGRES_TUPLES_OK) {
		xasprintf(&why, "%s", PQresultErrorMessage(r));
		PQclear(r);
		goto fail;
	}
	PQclear(r);
	if (db_run(pg, "INSERT INTO schema_migrations (version, name) "
	    "VALUES ($1, $2)", 2, params, NULL, &why) != 0 ||
	    db_run(pg, "COMMIT", 0, NULL, NULL, &why) != 0)
		goto fail;
	log_info("migration %03d_%s applied", m->version, m->name);
	return 1;
fail:
	migrate_abort(pg);
	xasprintf(cause, "migration %03d_%s: %s", m->version, m->name,
	    why != NULL ? why : "failed");
	free(why);
	return -1;
}

int
migrate_run(PGconn *pg, char **cause)
{
	char *why = NULL;
	int n = 0, rc;

	if (migrate_begin(pg, &why) != 0 ||
	    db_run(pg, "CREATE TABLE IF NOT EXISTS schema_migrations ("
	    "version integer PRIMARY KEY, name text NOT NULL, "
	    "applied_at timestamptz NOT NULL DEFAULT now())", 0, NULL, NULL,
	    &why) != 0 ||
	    db_run(pg, "COMMIT", 0, NULL, NULL, &why) != 0) {
		migrate_abort(pg);
		xasprintf(cause, "schema_migrations: %s", why);
		free(why);
		return -1;
	}
	for (const struct migration *m = migrations; m->version != 0; m++) {
		if ((rc = migrate_one(pg, m, cause)) < 0)
			return -1;
		n += rc;
	}
	return n;
}

int
migrate_latest(void)
{
	int v = 0;

	for (const struct migration *m = migrations; m->version != 0; m++)
		v = m->version;
	return v;
}
