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
#include "db.h"
#include "event.h"
#include "plan.h"
#include "proto.h"
#include "request.h"
#include "space.h"

const struct db_stmt network_stmts[] = {
	{ "network_set",
	  "UPDATE spaces SET network = $2::boolean, updated_at = now()"
	  " WHERE id = $1::bigint" },
	{ NULL, NULL }
};

/*
 * Flags or un-flags; contacts.changed reaches everyone in it either way
 * (before the change for un-flagging: after it no one is in a network).
 */
static int
network_tx(struct req *r, struct db_conn *dc)
{
	struct db_job *j = &r->job;
	int on = req_bool(r, "network");
	struct buf *data;
	int rc;

	if (on && plan_require_workspace(r, dc, r->space.workspace) != 0)
		return -1;
	if (r->space.network == on)
		return req_err(r, PERR_CONFLICT, on ? "the space is already a "
		    "business network" : "the space is not a business network");
	data = buf_new(0);
	proto_add_i64(data, "space", r->space.space);
	proto_add(data, "title", r->space.title);
	proto_add(data, "network", on ? "1" : "0");
	rc = (!on && space_contacts_changed(j, dc, r->space.space, 0)) ||
	    db_commandf(j, dc, "network_set", "ib", r->space.space, on) ||
	    space_emit(j, dc, r->space.space, "space.updated", data) ||
	    (on && space_contacts_changed(j, dc, r->space.space, 0)) ? -1 : 0;
	buf_free(data);
	r->action = on ? "space.network" : "space.unnetwork";
	if (rc == 0) {
		proto_begin(j->out, j->tag, "OK");
		proto_add(j->out, "network", on ? "1" : "0");
		proto_end(j->out);
	}
	return rc;
}

static const struct cmd_arg network_args[] = {
	ARG("space", ARG_ID, 1, 20),
	ARG("network", ARG_BOOL, 1, 1),
	{ NULL }
};

const struct cmd cmd_network_table[] = {
	{ "SPACE.NETWORK", CMD_VERIFIED, AREA_SPACES, TARGET_SPACE,
	  SPACE_MANAGE, network_args,
	  "flag a space as a business network (paid plans), or un-flag it",
	  .tx = network_tx, .audit = "space.network",
	  .flags = CMD_RID },
	{ NULL }
};
