/*
 * Business networks: SPACE.NETWORK flags a space as a network or un-flags
 * it. (SPACE.CREATE network=1 makes one at once, in cmd-space.c.)
 *
 * Flagging needs the space's workspace on a paid plan; un-flagging does
 * not, so that a workspace that went back to free can still undo it. In a
 * network everyone but the owner acts as a collaborator (participant_role
 * in SQL), so nothing is rewritten here: un-flagging gives everyone back
 * the role they had, and the professional contacts the network made go.
 */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "cmd.h"
#include "conn.h"
#include "db.h"
#include "event.h"
#include "plan.h"
#include "proto.h"
#include "session.h"
#include "space.h"
#include "str.h"
#include "xmalloc.h"

const struct db_stmt network_stmts[] = {
	{ "network_set",
	  "UPDATE spaces SET network = $2::boolean, updated_at = now()"
	  " WHERE id = $1::bigint" },
	{ NULL, NULL }
};

struct network_job {
	struct db_job	 job;
	int64_t		 user;
	int64_t		 session;
	int64_t		 space;
	int		 network;	/* the wanted state */
	char		 address[64];
};

/* Flags or un-flags; contacts.changed reaches everyone in it either way. */
static int
network_switch(struct network_job *nj, struct db_conn *dc,
    const struct space_access *a)
{
	struct db_job *j = &nj->job;
	char sid[STR_I64_LEN], target[32];
	const char *set[2] = { str_i64(sid, nj->space),
	    nj->network ? "true" : "false" };
	struct buf *data = buf_new(0);
	int rc;

	proto_add_i64(data, "space", nj->space);
	proto_add(data, "title", a->title);
	proto_add(data, "network", nj->network ? "1" : "0");
	snprintf(target, sizeof target, "space %lld", (long long)nj->space);
	rc = (!nj->network && space_contacts_changed(j, dc, nj->space, 0)) ||
	    db_command(j, dc, "network_set", 2, set) != 0 ||
	    space_emit(j, dc, nj->space, "space.updated", data) != 0 ||
	    (nj->network && space_contacts_changed(j, dc, nj->space, 0)) ||
	    audit_record(j, dc, nj->user, nj->session, nj->address,
	    nj->network ? "space.network" : "space.unnetwork", target,
	    NULL) != 0 ? -1 : 0;
	buf_free(data);
	return rc;
}

static void
network_run(struct db_job *j, struct db_conn *dc)
{
	struct network_job *nj = (struct network_job *)j;
	struct space_access a;

	if (db_begin(j, dc) != 0 ||
	    space_open(j, dc, nj->space, nj->user, SPACE_MANAGE, &a) != 0)
		return;
	if (nj->network && !a.paid) {
		proto_err(j->out, j->tag, PERR_PLAN_REQUIRED, PLAN_NEEDED);
		return;
	}
	if (a.network == nj->network) {
		proto_err(j->out, j->tag, PERR_CONFLICT, a.network ?
		    "the space is already a business network" :
		    "the space is not a business network");
		return;
	}
	if (network_switch(nj, dc, &a) != 0 || db_commit(j, dc) != 0)
		return;
	proto_begin(j->out, j->tag, "OK");
	proto_add(j->out, "network", nj->network ? "1" : "0");
	proto_end(j->out);
}

static enum cmd_result
cmd_space_network(struct cmd_ctx *ctx)
{
	const struct session *s = conn_session(ctx->conn);
	struct network_job *nj;
	int64_t v = 0;

	if (!space_flag_ok(ctx->msg, "network"))
		return cmd_err(ctx, PERR_INVALID, "network is 0 or 1");
	nj = xcalloc(1, sizeof *nj);
	nj->user = s->user_id;
	nj->session = s->session_id;
	snprintf(nj->address, sizeof nj->address, "%s",
	    conn_address(ctx->conn));
	proto_get_i64(ctx->msg, "space", 0, INT64_MAX, &nj->space);
	proto_get_i64(ctx->msg, "network", 0, 1, &v);
	nj->network = (int)v;
	return cmd_submit(ctx, &nj->job, network_run, NULL);
}

static const struct cmd_arg network_args[] = {
	{ "space", ARG_INT, 1, 20 },
	{ "network", ARG_INT, 1, 1 },
	{ NULL, 0, 0, 0 }
};

const struct cmd cmd_network_table[] = {
	{ "SPACE.NETWORK", cmd_space_network, CMD_VERIFIED, PERM_NONE, network_args,
	  "flag a space as a business network (paid plans), or un-flag it", CMD_RID },
	{ NULL, NULL, CMD_PUBLIC, 0, NULL, NULL, 0 }
};
