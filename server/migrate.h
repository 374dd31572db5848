/*
 * Schema migrations: sql/NNN_name.sql, compiled into agorad (sql/embed-sql.py)
 * and applied in order, each once, in its own transaction, recorded in
 * schema_migrations. An advisory lock makes concurrent runs (several nodes
 * starting at once) safe.
 */
#ifndef AGORA_MIGRATE_H
#define AGORA_MIGRATE_H

#include <libpq-fe.h>

struct migration {
	int		 version;
	const char	*name;
	const char	*sql;
};

extern const struct migration migrations[];	/* ends with version 0 */

/* Applies what is pending. Returns how many were applied, or -1. */
int migrate_run(PGconn *, char **cause);
int migrate_latest(void);

#endif
