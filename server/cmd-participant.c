/*
 * Who is in a space and how: PARTICIPANT.REVOKE, PARTICIPANT.GRANT (back
 * after a revocation, or in after an access request), PARTICIPANT.DENY,
 * PARTICIPANT.EDIT (one's own profile, or how the space knows an external),
 * SPACE.LEAVE, and the space's shareable link: SPACE.LINK to get it,
 * ACCESS.REQUEST for whoever follows it.
 *
 * A revoked participant hears it at once (space.revoked, to them alone)
 * and from then on every space verb tells them "this space link is not
 * valid"; the others see them no more.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "buf.h"
#include "cmd.h"
#include "config.h"
#include "conn.h"
#include "db.h"
#include "hex.h"
#include "i18n.h"
#include "invite.h"
#include "limit.h"
#include "link.h"
#include "outbox.h"
#include "proto.h"
#include "request.h"
#include "server.h"
#include "session.h"
#include "space.h"
#include "xmalloc.h"

const struct db_stmt participant_stmts[] = {
	{ "participant_get",
	  "SELECT participant_role(p.role, s.network) AS role, p.status,"
	  " u.email, u.name FROM participants p"
	  " JOIN users u ON u.id = p.user_id JOIN spaces s ON s.id = p.space_id"
	  " WHERE p.space_id = $1::bigint AND p.user_id = $2::bigint" },
	{ "participant_status",
	  "UPDATE participants SET status = $3"
	  " WHERE space_id = $1::bigint AND user_id = $2::bigint" },
	{ "participant_delete",
	  "DELETE FROM participants"
	  " WHERE space_id = $1::bigint AND user_id = $2::bigint" },
	{ "participant_tokens_drop",
	  "DELETE FROM tokens WHERE used_at IS NULL AND space_id = $1::bigint"
	  " AND user_id = $2::bigint" },
	/* One's own profile, and what every space had set of its own for
	   the fields one changed. */
	{ "participant_profile",
	  "UPDATE users SET name = coalesce($2, name),"
	  " company = coalesce($3, company),"
	  " job_title = coalesce($4, job_title) WHERE id = $1::bigint" },
	{ "participant_local_clear",
	  "UPDATE participants SET"
	  " local_name = CASE WHEN $2::text IS NULL THEN local_name END,"
	  " local_company = CASE WHEN $3::text IS NULL THEN local_company END,"
	  " local_job_title = CASE WHEN $4::text IS NULL"
	  "  THEN local_job_title END"
	  " WHERE user_id = $1::bigint AND (local_name IS NOT NULL"
	  "  OR local_company IS NOT NULL OR local_job_title IS NOT NULL)" },
	/* An external as one space knows them. Not given: as it was; empty,
	   or the person's own value: the person's own from now on. */
	{ "participant_local",
	  "UPDATE participants p SET"
	  " local_name = CASE WHEN $3::text IS NULL THEN p.local_name"
	  "  WHEN btrim($3) = '' OR $3 = u.name THEN NULL ELSE $3 END,"
	  " local_company = CASE WHEN $4::text IS NULL THEN p.local_company"
	  "  WHEN btrim($4) = '' OR $4 = u.company THEN NULL ELSE $4 END,"
	  " local_job_title = CASE WHEN $5::text IS NULL THEN p.local_job_title"
	  "  WHEN btrim($5) = '' OR $5 = u.job_title THEN NULL ELSE $5 END"
	  " FROM users u WHERE u.id = p.user_id AND p.space_id = $1::bigint"
	  " AND p.user_id = $2::bigint"
	  " RETURNING u.email," SPACE_PROFILE_COLUMNS },
	{ "space_link_get",
	  "UPDATE spaces SET link_token = coalesce(link_token, $2)"
	  " WHERE id = $1::bigint RETURNING link_token" },
	{ "space_by_link",
	  "SELECT id, title, workspace_id FROM spaces"
	  " WHERE link_token = $1 AND archived_at IS NULL FOR UPDATE" },
	{ "request_user",
	  "SELECT u.id, EXISTS (SELECT 1 FROM memberships m WHERE"
	  " m.workspace_id = $2::bigint AND m.user_id = u.id) AS member"
	  " FROM users u WHERE lower(u.email) = lower($1)" },
	/* Whoever asks has not shown that the address is theirs: the name
	   they give is how this space knows the request, not the account's,
	   whose name is its address until its owner gives one (as INVITE's
	   newcomers). */
	{ "request_new_user",
	  "INSERT INTO users (email, name) VALUES ($1, $1) RETURNING id" },
	{ "request_add",
	  "INSERT INTO participants (space_id, user_id, role, status,"
	  " local_name) VALUES ($1::bigint, $2::bigint, $3, 'requested', $4)" },
	{ "space_managers",
	  "SELECT u.email FROM participants p JOIN users u ON u.id = p.user_id"
	  " JOIN spaces s ON s.id = p.space_id"
	  " WHERE p.space_id = $1::bigint AND p.status = 'active'"
	  " AND participant_role(p.role, s.network) <> 'external'"
	  " ORDER BY u.id" },
	{ NULL, NULL }
};

/*
 * Every verb here acts on one participant of one space, and some send
 * links: the job keeps both, and what only the loop thread may read.
 */
struct part_job {
	struct req	 req;
	int64_t		 space;
	int64_t		 who;		/* the participant acted on */
	PGresult	*row;		/* who, as participant_get reads them */
	char		*base;		/* HOST:PORT for links */
	char		 token[TOKEN_HEX_LEN + 1];	/* ACCESS.REQUEST */
	const char	*name;		/* ACCESS.REQUEST: NULL if blank */
	long		 limit_mail;	/* ACCESS.REQUEST: per address, */
	long		 limit_from;	/* per client, */
	long		 window;	/* per this many seconds */
	int		 renamed;	/* PARTICIPANT.EDIT: one's own name */
};

static enum cmd_result
part_prepare(struct req *r, struct cmd_ctx *ctx)
{
	struct part_job *pj = (struct part_job *)r;

	pj->base = xstrdup(config_public_address(server_config()));
	return CMD_PENDING;
}

static void
part_destroy(struct req *r)
{
	struct part_job *pj = (struct part_job *)r;

	free(pj->base);
	PQclear(pj->row);
}

/* Who is acted on where; the audit row names both. */
static void
part_set(struct part_job *pj, int64_t space, int64_t who)
{
	pj->space = space;
	pj->who = who;
	req_target(&pj->req, "space %lld user %lld", (long long)space,
	    (long long)who);
}

/* Reads who in the space the core opened into pj->row: 0, or -1 with
   the reply written. */
static int
part_get(struct part_job *pj, struct db_conn *dc, int64_t who)
{
	part_set(pj, pj->req.space.space, who);
	PQclear(pj->row);
	if ((pj->row = db_queryf(&pj->req.job, dc, "participant_get", "ii",
	    pj->space, pj->who)) == NULL)
		return -1;
	if (PQntuples(pj->row) == 0)
		return req_err(&pj->req, PERR_NOT_FOUND, "no such participant "
		    "in this space");
	return 0;
}

/* A column of pj->row. */
static const char *
part_col(const struct part_job *pj, const char *col)
{
	return db_get(pj->row, 0, col);
}

/* An event of type about who, to the space: now in status. */
static int
part_event(struct part_job *pj, struct db_conn *dc, const char *type,
    const char *status)
{
	return space_participant_emit(&pj->req.job, dc, type, pj->space,
	    pj->who, part_col(pj, "email"), part_col(pj, "role"), status);
}

/* An event to the participant alone (they may no longer see the space). */
static int
part_tell(struct part_job *pj, struct db_conn *dc, const char *type)
{
	struct buf *data = buf_new(0);
	int rc;

	proto_add_i64(data, "space", pj->space);
	rc = space_emit_to(&pj->req.job, dc, pj->space, pj->who, type, data);
	buf_free(data);
	return rc;
}

static int
part_status(struct part_job *pj, struct db_conn *dc, const char *status)
{
	return db_commandf(&pj->req.job, dc, "participant_status", "iis",
	    pj->space, pj->who, status);
}

/* PARTICIPANT.REVOKE ------------------------------------------------------ */

static int
revoke_tx(struct req *r, struct db_conn *dc)
{
	struct part_job *pj = (struct part_job *)r;

	if (part_get(pj, dc, req_int(r, "user")) != 0)
		return -1;
	if (pj->who == r->space.creator)
		return req_err(r, PERR_FORBIDDEN, "the space's creator cannot "
		    "be revoked");
	if (strcmp(part_col(pj, "status"), "revoked") == 0)
		return req_err(r, PERR_CONFLICT, "already revoked");
	/* Tell them first, while the space still has them. */
	return part_tell(pj, dc, "space.revoked") ||
	    part_status(pj, dc, "revoked") ||
	    db_commandf(&r->job, dc, "participant_tokens_drop", "ii",
	    pj->space, pj->who) ||
	    part_event(pj, dc, "participant.updated", "revoked") ||
	    space_contacts_changed(&r->job, dc, pj->space, pj->who) ? -1 : 0;
}

/* PARTICIPANT.GRANT, PARTICIPANT.DENY --------------------------------------- */

/* An access request granted: an activation link by e-mail, in the
   requester's language. */
static int
activation_mail(struct part_job *pj, struct db_conn *dc, const char *to)
{
	struct db_job *j = &pj->req.job;
	const struct space_access *a = &pj->req.space;
	int days = INVITE_LIFETIME / 86400;
	const char *lang;
	struct buf *body;
	char *link, *subject;
	int rc;

	if (invite_mail_allowed(j, dc, to, 0) != 0 ||
	    (lang = outbox_lang(j, dc, a->workspace, to)) == NULL ||
	    (link = invite_link_new(j, dc, pj->base, LINK_ACTIVATE, pj->who,
	    pj->space, 1)) == NULL)
		return -1;
	body = buf_new(0);
	xasprintf(&subject, i18n_text(lang, "You have access to "
	    "\u201c%s\u201d"), a->title);
	buf_printf(body, i18n_text(lang, "Your request to join the space "
	    "\u201c%s\u201d was granted. To come in, run:\n\n    agora "
	    "accept %s\n\n"), a->title, link);
	buf_printf(body, i18n_ntext(lang, "The link works once, and for %d "
	    "day.\n", "The link works once, and for %d days.\n", days), days);
	rc = outbox_mail(j, dc, a->workspace, a->space, to, subject,
	    buf_cstr(body));
	free(link);
	free(subject);
	buf_free(body);
	return rc;
}

static int
grant_tx(struct req *r, struct db_conn *dc)
{
	struct part_job *pj = (struct part_job *)r;
	const char *now;
	int revoked;

	if (part_get(pj, dc, req_int(r, "user")) != 0)
		return -1;
	revoked = strcmp(part_col(pj, "status"), "revoked") == 0;
	if (!revoked && strcmp(part_col(pj, "status"), "requested") != 0)
		return req_err(r, PERR_CONFLICT, "only a revoked participant "
		    "or an access request can be granted");
	/* Back after a revocation: in at once. After a request: an
	   activation link, and pending until it is used. */
	now = revoked ? "active" : "pending";
	if (part_status(pj, dc, now) ||
	    (revoked ? part_tell(pj, dc, "space.granted") :
	    activation_mail(pj, dc, part_col(pj, "email"))) ||
	    part_event(pj, dc, "participant.updated", now) ||
	    space_contacts_changed(&r->job, dc, pj->space, 0))
		return -1;
	proto_begin(r->job.out, r->job.tag, "OK");
	proto_add(r->job.out, "status", now);
	proto_end(r->job.out);
	return 0;
}

static int
deny_tx(struct req *r, struct db_conn *dc)
{
	struct part_job *pj = (struct part_job *)r;

	if (part_get(pj, dc, req_int(r, "user")) != 0)
		return -1;
	if (strcmp(part_col(pj, "status"), "requested") != 0)
		return req_err(r, PERR_CONFLICT, "no access request from this "
		    "person");
	return part_event(pj, dc, "participant.removed", "denied") ||
	    db_commandf(&r->job, dc, "participant_delete", "ii", pj->space,
	    pj->who) ? -1 : 0;
}

/* SPACE.LEAVE ------------------------------------------------------------- */

/*
 * A participant leaves of their own accord: their row goes (whoever
 * invites them again starts afresh), they are told first, on all their
 * connections, and the others see them go. The creator cannot leave: the
 * space would have no one to answer for it.
 */
static int
leave_tx(struct req *r, struct db_conn *dc)
{
	struct part_job *pj = (struct part_job *)r;
	struct db_job *j = &r->job;

	if (part_get(pj, dc, r->user) != 0)
		return -1;
	if (r->space.creator == r->user)
		return req_err(r, PERR_FORBIDDEN, "the space's creator cannot "
		    "leave it; archive or delete it instead");
	return part_tell(pj, dc, "space.left") ||
	    space_contacts_changed(j, dc, pj->space, pj->who) ||
	    db_commandf(j, dc, "participant_tokens_drop", "ii", pj->space,
	    pj->who) ||
	    db_commandf(j, dc, "participant_delete", "ii", pj->space,
	    pj->who) ||
	    part_event(pj, dc, "participant.removed", "left") ? -1 : 0;
}

/* PARTICIPANT.EDIT -------------------------------------------------------- */

/*
 * One's own profile: the account, everywhere. The person has the last
 * word: what a space had set of its own for the fields they change goes,
 * in every space, and every space that shows them hears it.
 */
static int
edit_own(struct part_job *pj, struct db_conn *dc)
{
	struct req *r = &pj->req;
	const char *name = req_str(r, "name"), *company = req_str(r,
	    "company"), *job_title = req_str(r, "job_title");

	return db_commandf(&r->job, dc, "participant_profile", "isss",
	    pj->who, name, company, job_title) ||
	    db_commandf(&r->job, dc, "participant_local_clear", "isss",
	    pj->who, name, company, job_title) ||
	    space_profile_changed(&r->job, dc, pj->who) ? -1 : 0;
}

/*
 * An external's profile as this space knows them (or an unproven
 * account's own): the space's alone (see SPACE_PROFILE_COLUMNS). Their
 * account, and every other space, stay as they are.
 */
static int
edit_known(struct part_job *pj, struct db_conn *dc)
{
	struct req *r = &pj->req;
	struct buf *data;
	PGresult *u;
	int rc;

	if ((u = db_queryf(&r->job, dc, "participant_local", "iisss",
	    pj->space, pj->who, req_str(r, "name"), req_str(r, "company"),
	    req_str(r, "job_title"))) == NULL)
		return -1;
	data = space_participant_data(pj->space, pj->who, db_get(u, 0,
	    "email"), part_col(pj, "role"), part_col(pj, "status"));
	space_profile_add(data, u, 0);
	rc = space_emit(&r->job, dc, pj->space, "participant.updated", data);
	buf_free(data);
	PQclear(u);
	return rc;
}

static int
edit_tx(struct req *r, struct db_conn *dc)
{
	struct part_job *pj = (struct part_job *)r;
	const char *name = req_str(r, "name"), *status;
	int rc, own;

	pj->renamed = 0;	/* a run may be a second one (db.h) */
	/* Checked once the space is open: whoever may not act on it hears
	   that first. */
	if (name == NULL && !req_has(r, "company") && !req_has(r, "job_title"))
		return req_err(r, PERR_INVALID, "nothing to change: give "
		    "name, company or job_title");
	/* One's own name cannot be empty; an empty one for someone else
	   gives them back their own in this space. */
	if (req_int(r, "user") == r->user && name != NULL &&
	    name[strspn(name, " ")] == '\0')
		return req_err(r, PERR_INVALID, "a name cannot be empty");
	if (part_get(pj, dc, req_int(r, "user")) != 0)
		return -1;
	status = part_col(pj, "status");
	/* Who an external does not see in SPACE.SHOW (access requests,
	   the revoked) is not in the space as far as they can tell. */
	if (!r->space.manager && strcmp(status, "active") != 0 &&
	    strcmp(status, "pending") != 0)
		return req_err(r, PERR_NOT_FOUND, "no such participant in this "
		    "space");
	/* Anyone their own; the owner's side the externals' too, as the
	   space knows them. */
	if (strcmp(status, "revoked") == 0 || (pj->who != r->user &&
	    (!r->space.manager || r->space.archived ||
	    strcmp(part_col(pj, "role"), "external") != 0)))
		return req_err(r, PERR_FORBIDDEN, "you may edit your own "
		    "profile, and the owner's side how the space knows its "
		    "externals");
	/* An account whose address is not proven reaches only this space:
	   so does what its holder says of it, until the address is proven. */
	own = pj->who == r->user && r->verified;
	rc = own ? edit_own(pj, dc) : edit_known(pj, dc);
	pj->renamed = rc == 0 && own && req_has(r, "name");
	return rc;
}

/* One's own new name: this connection's WHOAMI (and the name its
   invitations go out under) says it at once. */
static void
edit_finish(struct db_job *j, struct conn *conn)
{
	struct part_job *pj = (struct part_job *)j;
	struct session *s = conn_session(conn);

	if (pj->renamed && s != NULL && s->user_id == pj->req.user) {
		free(s->name);
		s->name = xstrdup(req_str(&pj->req, "name"));
	}
}

/* SPACE.LINK, ACCESS.REQUEST ------------------------------------------------ */

/* Made once; everyone allowed gets the same link afterwards. */
static int
link_tx(struct req *r, struct db_conn *dc)
{
	struct part_job *pj = (struct part_job *)r;
	struct db_job *j = &r->job;
	unsigned char raw[32];
	char token[65], *link;
	PGresult *res;

	if (RAND_bytes(raw, sizeof raw) != 1) {
		j->status = DB_FAILED;
		return -1;
	}
	hex_encode(raw, sizeof raw, token);
	if ((res = db_queryf(j, dc, "space_link_get", "is", r->space.space,
	    token)) == NULL)
		return -1;
	link = link_format(pj->base, LINK_SPACE, db_get(res, 0, "link_token"));
	PQclear(res);
	proto_begin(j->out, j->tag, "OK");
	proto_add(j->out, "link", link);
	proto_end(j->out);
	free(link);
	return 0;
}

static enum cmd_result
request_prepare(struct req *r, struct cmd_ctx *ctx)
{
	struct part_job *pj = (struct part_job *)r;
	const struct config *cf = server_config();

	if (!invite_email_ok(req_str(r, "email")))
		return cmd_err(ctx, PERR_INVALID, "that is not an e-mail "
		    "address");
	/* agora://HOST:PORT/space/TOKEN, or the token alone. */
	if (link_token(req_str(r, "link"), LINK_SPACE, pj->token) != 0)
		return cmd_err(ctx, PERR_INVALID, "that is not a space link");
	/* A blank name is none. */
	pj->name = req_str(r, "name");
	if (pj->name != NULL && pj->name[strspn(pj->name, " ")] == '\0')
		pj->name = NULL;
	pj->limit_mail = cf->login_account_limit;
	pj->limit_from = cf->login_address_limit;
	pj->window = cf->login_window;
	return part_prepare(r, ctx);
}

/* The people who can grant access hear of a request, each in their
   language. */
static int
request_mail(struct part_job *pj, struct db_conn *dc, const PGresult *sp)
{
	struct db_job *j = &pj->req.job;
	const char *email = req_str(&pj->req, "email");
	const char *title = db_get(sp, 0, "title"), *to, *lang;
	int64_t ws = db_get_i64(sp, 0, "workspace_id");
	struct buf *body;
	char *subject, *who;
	PGresult *m;
	int rc = 0;

	if ((m = db_queryf(j, dc, "space_managers", "i", pj->space)) == NULL)
		return -1;
	if (pj->name != NULL)
		xasprintf(&who, "%s <%s>", pj->name, email);
	else
		who = xstrdup(email);
	body = buf_new(0);
	for (int i = 0; rc == 0 && i < PQntuples(m); i++) {
		to = db_get(m, i, "email");
		if ((lang = outbox_lang(j, dc, ws, to)) == NULL) {
			rc = -1;
			break;
		}
		buf_reset(body);
		xasprintf(&subject, i18n_text(lang, "%s asks for access to "
		    "\u201c%s\u201d"), email, title);
		buf_printf(body, i18n_text(lang, "%s asked for access to the "
		    "space \u201c%s\u201d through its link.\n\nReview the "
		    "request in agora (the space's people list), or grant it "
		    "with:\n\n    agora grant %lld %lld\n"), who, title,
		    (long long)pj->space, (long long)pj->who);
		rc = outbox_mail(j, dc, ws, pj->space, to, subject,
		    buf_cstr(body));
		free(subject);
	}
	free(who);
	buf_free(body);
	PQclear(m);
	return rc;
}

/*
 * Someone new to the space asks in: a requested participant, the
 * managers told. Someone with an account goes by their own name; for a
 * newcomer the space keeps the one given, as its own.
 */
static int
request_new(struct part_job *pj, struct db_conn *dc, const PGresult *sp,
    int member)
{
	struct db_job *j = &pj->req.job;
	const char *email = req_str(&pj->req, "email"), *name = NULL;
	const char *role = member ? "internal" : "external";
	PGresult *r;

	if (pj->who == 0) {
		if ((r = db_queryf(j, dc, "request_new_user", "s",
		    email)) == NULL)
			return -1;
		part_set(pj, pj->space, db_get_i64(r, 0, "id"));
		PQclear(r);
		name = pj->name;
	}
	return db_commandf(j, dc, "request_add", "iiss", pj->space, pj->who,
	    role, name) ||
	    request_mail(pj, dc, sp) ||
	    space_participant_emit(j, dc, "participant.added", pj->space,
	    pj->who, email, role, "requested") ? -1 : 0;
}

/* A request mails the space's managers: not too often, from anyone. */
static int
request_limited(struct part_job *pj, struct db_conn *dc, long *retry)
{
	struct limit_rule rules[2];
	int rc;

	rules[0].key = limit_key("request", req_str(&pj->req, "email"), NULL);
	rules[0].max = pj->limit_mail;
	rules[1].key = limit_key("requestaddr", pj->req.address, NULL);
	rules[1].max = pj->limit_from;
	rules[0].window = rules[1].window = pj->window;
	rc = limit_attempt(&pj->req.job, dc, rules, 2, retry);
	limit_rules_free(rules, 2);
	return rc;
}

/*
 * Refusals here return 0, to be committed: the attempt stays counted,
 * as links are not to be guessed. Someone already known to the space
 * (invited, in, asked, revoked) changes nothing and gets the same
 * answer, so that a link does not tell who is in a space.
 */
static int
request_tx(struct req *r, struct db_conn *dc)
{
	struct part_job *pj = (struct part_job *)r;
	struct db_job *j = &r->job;
	PGresult *sp, *u;
	int64_t known;
	long retry;
	int rc = 0, member = 0;

	if (request_limited(pj, dc, &retry) != 0)
		return -1;
	if (retry > 0) {
		limit_refuse(j, "access requests", retry);
		return 0;
	}
	if ((sp = db_queryf(j, dc, "space_by_link", "s", pj->token)) == NULL)
		return -1;
	if (PQntuples(sp) == 0) {
		PQclear(sp);
		req_err(r, PERR_NOT_FOUND, SPACE_CLOSED);
		return 0;
	}
	part_set(pj, db_get_i64(sp, 0, "id"), 0);
	if ((u = db_queryf(j, dc, "request_user", "si", req_str(r, "email"),
	    db_get_i64(sp, 0, "workspace_id"))) == NULL)
		rc = -1;
	else if (PQntuples(u) > 0) {
		part_set(pj, pj->space, db_get_i64(u, 0, "id"));
		member = db_get_bool(u, 0, "member");
		rc = db_valuef(j, dc, "participant_get", NULL, &known, "ii",
		    pj->space, pj->who) != 0 ? -1 : known > 0;
	}
	PQclear(u);
	if (rc == 0)
		rc = request_new(pj, dc, sp, member);
	PQclear(sp);
	return rc < 0 ? -1 : 0;
}

/* The table --------------------------------------------------------------- */

static const struct cmd_arg who_args[] = {
	ARG("space", ARG_ID, 1, 20),
	ARG("user", ARG_ID, 1, 20),
	{ NULL }
};

static const struct cmd_arg edit_args[] = {
	ARG("space", ARG_ID, 1, 20),
	ARG("user", ARG_ID, 1, 20),
	ARG("name", ARG_LINE, 0, 200),
	ARG("company", ARG_LINE, 0, 200),
	ARG("job_title", ARG_LINE, 0, 200),
	{ NULL }
};

static const struct cmd_arg space_args[] = {
	ARG("space", ARG_ID, 1, 20),
	{ NULL }
};

static const struct cmd_arg request_args[] = {
	ARG("link", ARG_TEXT, 1, 512),
	ARG("email", ARG_TEXT, 1, 254),
	ARG("name", ARG_LINE, 0, 200),
	{ NULL }
};

/* Every verb's job is a part_job. */
#define PART	.size = sizeof(struct part_job), .destroy = part_destroy

const struct cmd cmd_participant_table[] = {
	{ "PARTICIPANT.REVOKE", CMD_VERIFIED, AREA_SPACES, TARGET_SPACE,
	  SPACE_MANAGE, who_args, "take someone's access to a space away",
	  PART, .tx = revoke_tx, .audit = "participant.revoke",
	  .flags = CMD_RID },
	{ "PARTICIPANT.GRANT", CMD_VERIFIED, AREA_SPACES, TARGET_SPACE,
	  SPACE_MANAGE, who_args,
	  "give access back, or grant an access request",
	  PART, .prepare = part_prepare, .tx = grant_tx,
	  .audit = "participant.grant",
	  .flags = CMD_RID },
	{ "PARTICIPANT.DENY", CMD_VERIFIED, AREA_SPACES, TARGET_SPACE,
	  SPACE_MANAGE, who_args, "turn an access request down",
	  PART, .tx = deny_tx, .audit = "participant.deny",
	  .flags = CMD_RID },
	{ "PARTICIPANT.EDIT", CMD_SESSION, AREA_SPACES, TARGET_SPACE,
	  SPACE_SEE, edit_args,
	  "change one's own profile, or how the space knows an external",
	  PART, .tx = edit_tx, .finish = edit_finish,
	  .audit = "participant.edit",
	  .flags = CMD_RID },
	{ "SPACE.LEAVE", CMD_SESSION, AREA_SPACES, TARGET_SPACE, SPACE_SEE,
	  space_args, "leave a space (anyone but its creator)",
	  PART, .tx = leave_tx, .audit = "space.leave",
	  .flags = CMD_RID },
	{ "SPACE.LINK", CMD_VERIFIED, AREA_SPACES, TARGET_SPACE, SPACE_INVITE,
	  space_args, "the space's shareable link (not an invitation)",
	  PART, .prepare = part_prepare, .tx = link_tx,
	  .flags = CMD_RID },
	{ "ACCESS.REQUEST", CMD_GUEST, AREA_NONE, TARGET_LINK, 0, request_args,
	  "ask for access to a space through its link",
	  PART, .prepare = request_prepare, .tx = request_tx },
	{ NULL }
};
