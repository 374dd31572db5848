/*
 * What the server knows about a logged-in connection: the user, the session
 * row, and the workspaces the user belongs to (for WHOAMI and for deciding
 * which pushed events the connection may see). Built by a database worker
 * at LOGIN or SESSION.RESUME and then owned by the connection.
 */
#ifndef AGORA_SESSION_H
#define AGORA_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "authz.h"

struct buf;
struct db_conn;
struct db_job;

struct session_ws {
	int64_t	 id;
	char			*name;
	char			*plan;
	struct authz_role	 role;	/* the user's there (authz.h) */
};

struct session {
	int64_t			 user_id;
	int64_t			 session_id;
	char			*email;
	char			*name;
	char			*phone;		/* NULL if none */
	int			 verified;	/* the address is proven */
	size_t			 nws;
	struct session_ws	*ws;
};

void session_free(struct session *);
/* The user's role in a workspace, or NULL if they are not a member. */
const struct authz_role *session_role(const struct session *,
    int64_t workspace_id);
/* Worker side: loads user and memberships; NULL on failure (status set). */
struct session *session_load(struct db_job *, struct db_conn *,
    int64_t user_id, int64_t session_id);
/*
 * Loop thread: the sessions of these users (n 0: of everyone signed in)
 * read again, for their workspaces, plans and roles changed
 * (sql/011_roles.sql notifies agora_roles; bus.c listens).
 */
void session_refresh(const int64_t *users, size_t n);
/* Writes the USER and WORKSPACE data lines of WHOAMI. */
void session_describe(const struct session *, struct buf *, const char *tag);

#endif
