#include <stdio.h>
#include <string.h>

#include <libpq-fe.h>

#include "authz.h"
#include "db.h"

static const char *const authz_area_names[AREA_COUNT] = {
	"none", "spaces", "contacts", "conversations", "calendar", "tasks",
	"opportunities", "analytics", "billing", "users", "integrations"
};

static const char *const authz_scope_names[] = {
	"none", "own", "team", "all"
};

const char *
authz_area_name(enum authz_area area)
{
	return authz_area_names[area];
}

int
authz_scope_parse(const char *s)
{
	for (size_t i = 0; i < sizeof authz_scope_names /
	    sizeof authz_scope_names[0]; i++)
		if (strcmp(s, authz_scope_names[i]) == 0)
			return (int)i;
	return -1;
}

int
authz_allows(const struct authz_role *role, enum authz_area area)
{
	return area == AREA_NONE || role->scope[area] != SCOPE_NONE;
}

void
authz_role_read(struct authz_role *role, const PGresult *r, int row)
{
	snprintf(role->name, sizeof role->name, "%s", db_get(r, row, "role"));
	role->scope[AREA_NONE] = SCOPE_OWN;
	for (int a = AREA_NONE + 1; a < AREA_COUNT; a++) {
		int s = authz_scope_parse(db_get(r, row, authz_area_names[a]));

		/* The domain role_scope admits nothing else. */
		role->scope[a] = s < 0 ? SCOPE_NONE : (unsigned char)s;
	}
}
