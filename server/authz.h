/*
 * Authorization: the one place that says what a role lets its holder do
 * in a workspace (DESIGN §2.1, §7).
 *
 * A role is a row of the roles table (sql/011_roles.sql): a scope for
 * each data area and yes or no for each settings area. The four built-in
 * roles are rows like any custom role will be. A session holds the role
 * of each of its workspaces (session.h), read with the session.
 *
 * Every verb declares the area it acts in and its target (cmd.h). The
 * dispatcher checks a verb whose target is a workspace (workspace=)
 * against the caller's role there before anything runs. Record-level
 * grants add to a role and never subtract (DESIGN §7): a space's
 * participants reach it whatever their role, by participation, which the
 * request core checks in the request's transaction (space_open), and
 * someone who is not a member of the space's workspace (an external)
 * reaches it the same way. Roles' team and all scopes, which reach
 * records one holds no grant on, come with teams (issue 13); until then a
 * role decides what its holder may do in the workspace itself (create a
 * space there), and the grants decide the rest.
 */
#ifndef AGORA_AUTHZ_H
#define AGORA_AUTHZ_H

#include <stdint.h>

/* The order of the roles table's columns and of authz_area_names. */
enum authz_area {
	AREA_NONE,		/* none: a session, a membership or a record-level
			   grant (a space's participant) is enough */
	AREA_SPACES,
	AREA_CONTACTS,
	AREA_CONVERSATIONS,
	AREA_CALENDAR,
	AREA_TASKS,
	AREA_OPPORTUNITIES,
	AREA_ANALYTICS,
	AREA_BILLING,		/* settings areas: scope none or all */
	AREA_USERS,
	AREA_INTEGRATIONS,
	AREA_COUNT
};

enum authz_scope {
	SCOPE_NONE,
	SCOPE_OWN,	/* records the caller owns or takes part in */
	SCOPE_TEAM,	/* ... or someone sharing a team with them does */
	SCOPE_ALL
};

/* A role as a session holds it. */
struct authz_role {
	char		 name[64];
	unsigned char	 scope[AREA_COUNT];	/* enum authz_scope */
};

/* The area's name, as a column of roles ("spaces", "billing"). */
const char *authz_area_name(enum authz_area);
/* "none", "own", "team", "all" to a scope; -1 for anything else. */
int authz_scope_parse(const char *);

/* Whether the role lets its holder act in area at all. */
int authz_allows(const struct authz_role *, enum authz_area);

/* The SQL columns of roles r, for a query that reads a role with
   authz_role_read. */
#define AUTHZ_ROLE_COLUMNS \
	" r.name AS role, r.spaces, r.contacts, r.conversations, r.calendar," \
	" r.tasks, r.opportunities, r.analytics," \
	" CASE WHEN r.billing THEN 'all' ELSE 'none' END AS billing," \
	" CASE WHEN r.users THEN 'all' ELSE 'none' END AS users," \
	" CASE WHEN r.integrations THEN 'all' ELSE 'none' END AS integrations"

struct pg_result;
/* Row i of a result with AUTHZ_ROLE_COLUMNS. */
void authz_role_read(struct authz_role *, const struct pg_result *, int row);

/* What a caller refused by their role is told. */
#define AUTHZ_REFUSED	"your role does not allow this"

#endif
