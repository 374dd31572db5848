/*
 * Bringing people into a space: INVITE (several addresses at once, with a
 * personal message), INVITE.RESEND (a new link; the old one stops
 * working) and INVITE.REMIND (a reminder e-mail, or a link to pass on by
 * hand).
 *
 * Members of the space's workspace who have an account come in at once as
 * internal participants and are told by e-mail. Everyone else becomes a
 * pending external participant (an account without a password is made
 * for a newcomer) and gets a single-use invitation link by e-mail.
 * Either way, a workspace on plan pro with a CRM webhook gets the
 * invitation as an activity (outbox_crm_invitation).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "buf.h"
#include "cmd.h"
#include "config.h"
#include "conn.h"
#include "db.h"
#include "event.h"
#include "i18n.h"
#include "invite.h"
#include "limit.h"
#include "link.h"
#include "outbox.h"
#include "plan.h"
#include "proto.h"
#include "server.h"
#include "request.h"
#include "session.h"
#include "space.h"
#include "token.h"
#include "xmalloc.h"

#define INVITE_MAX_EMAILS	50
#define EMAIL_MAX		254

const struct db_stmt invite_stmts[] = {
	{ "invite_user",
	  "SELECT u.id, EXISTS (SELECT 1 FROM memberships m WHERE"
	  " m.workspace_id = $2::bigint AND m.user_id = u.id) AS member"
	  " FROM users u WHERE lower(u.email) = lower($1)" },
	/* A newcomer's name is their address until they say otherwise. */
	{ "invite_new_user",
	  "INSERT INTO users (email, name) VALUES ($1, $1) RETURNING id" },
	{ "invite_participant",
	  "SELECT role, status FROM participants"
	  " WHERE space_id = $1::bigint AND user_id = $2::bigint" },
	{ "invite_add",
	  "INSERT INTO participants (space_id, user_id, role, status,"
	  " invited_by, message) VALUES ($1::bigint, $2::bigint, $3, $4,"
	  " $5::bigint, $6)" },
	{ "invite_token",
	  "INSERT INTO tokens (hash, kind, user_id, space_id, expires_at,"
	  " mailed) VALUES ($1::bytea, $5, $2::bigint, $3::bigint,"
	  " now() + make_interval(secs => $4::int), $6::boolean)" },
	{ "invite_tokens_drop",
	  "DELETE FROM tokens WHERE kind = 'invite' AND used_at IS NULL"
	  " AND user_id = $1::bigint AND space_id = $2::bigint" },
	{ "invite_renew",
	  "UPDATE participants SET invited_at = now()"
	  " WHERE space_id = $1::bigint AND user_id = $2::bigint" },
	{ "invite_pending",
	  "SELECT u.email, u.name, p.message,"
	  " participant_role(p.role, s.network) AS role FROM participants p"
	  " JOIN users u ON u.id = p.user_id"
	  " JOIN spaces s ON s.id = p.space_id WHERE p.space_id = $1::bigint"
	  " AND p.user_id = $2::bigint AND p.status = 'pending'" },
	/* The inviter's contact, whom they always make a collaborator. */
	{ "invite_collaborator",
	  "SELECT 1 FROM contact_prefs cp JOIN professional_contacts pc"
	  " ON pc.user_id = cp.user_id AND pc.contact_id = cp.contact_id"
	  " WHERE cp.user_id = $1::bigint AND cp.contact_id = $2::bigint"
	  " AND cp.always_collaborator AND " PAID_SQL("cp.user_id") },
	/* The inviter's contacts they always add to a new space. */
	{ "invite_always",
	  "SELECT u.email FROM contact_prefs cp JOIN professional_contacts pc"
	  " ON pc.user_id = cp.user_id AND pc.contact_id = cp.contact_id"
	  " JOIN users u ON u.id = cp.contact_id"
	  " WHERE cp.user_id = $1::bigint AND cp.always_add"
	  " AND " PAID_SQL("cp.user_id") " ORDER BY u.id" },
	{ "invite_count",
	  "SELECT count(*) AS people FROM participants WHERE"
	  " space_id = $1::bigint AND status IN ('active', 'pending')" },
	{ NULL, NULL }
};

void
invite_destroy(struct req *r)
{
	struct invite_req *ir = (struct invite_req *)r;

	for (size_t i = 0; i < ir->nemails; i++)
		free(ir->emails[i]);
	free(ir->emails);
	free(ir->name);
	free(ir->base);
}

char *
invite_base(void)
{
	/* Links name the address clients use to reach this server. */
	return xstrdup(config_public_address(server_config()));
}

enum cmd_result
invite_prepare_inviter(struct req *r, struct cmd_ctx *ctx)
{
	struct invite_req *ir = (struct invite_req *)r;

	ir->name = xstrdup(conn_session(ctx->conn)->name);
	ir->base = invite_base();
	ir->iv.job = &r->job;
	/* SPACE.CREATE's is the new one, set once it is made. */
	ir->iv.space = r->cmd->target == TARGET_SPACE ? req_int(r, "space") : 0;
	ir->iv.user = r->user;
	ir->iv.name = ir->name;
	ir->iv.message = "";
	ir->iv.base = ir->base;
	return CMD_PENDING;
}

/*
 * A plausible address: local@domain.tld, no spaces, controls, quotes,
 * commas or angle brackets (nothing that could bend a mail header).
 */
int
invite_email_ok(const char *e)
{
	const char *at = strchr(e, '@');
	size_t len = strlen(e);

	if (len < 3 || len > EMAIL_MAX || at == NULL || at == e ||
	    strchr(at + 1, '@') != NULL || strchr(at, '.') == NULL ||
	    at[1] == '.' || e[len - 1] == '.')
		return 0;
	for (const unsigned char *p = (const unsigned char *)e; *p; p++)
		if (*p <= ' ' || *p == 0x7f || strchr("\"'<>(),;:\\[]", *p))
			return 0;
	return 1;
}

/* Splits "a@x, b@y c@z" into distinct addresses; NULL with *why if bad. */
static char **
emails_split(const char *list, size_t *n, const char **why)
{
	char *copy = xstrdup(list), *tok, *save = NULL, **v = NULL;
	size_t i;

	*n = 0;
	*why = NULL;
	for (tok = strtok_r(copy, ", \t\n", &save); tok != NULL && !*why;
	    tok = strtok_r(NULL, ", \t\n", &save)) {
		if (!invite_email_ok(tok))
			*why = "an address is not valid";
		else if (*n == INVITE_MAX_EMAILS)
			*why = "at most 50 addresses at once";
		else {
			for (i = 0; i < *n; i++)
				if (strcasecmp(v[i], tok) == 0)
					break;
			if (i < *n)
				continue;	/* the same address twice */
			v = xreallocarray(v, *n + 1, sizeof *v);
			v[(*n)++] = xstrdup(tok);
		}
	}
	free(copy);
	if (*n == 0 && *why == NULL)
		*why = "no address given";
	if (*why != NULL) {
		for (i = 0; i < *n; i++)
			free(v[i]);
		free(v);
		*n = 0;
		return NULL;
	}
	return v;
}

static enum cmd_result
invite_prepare(struct req *r, struct cmd_ctx *ctx)
{
	struct invite_req *ir = (struct invite_req *)r;
	const char *why;

	if ((ir->emails = emails_split(req_str(r, "emails"), &ir->nemails,
	    &why)) == NULL)
		return cmd_err(ctx, PERR_INVALID, why);
	invite_prepare_inviter(r, ctx);
	if (req_has(r, "message"))
		ir->iv.message = req_str(r, "message");
	return CMD_PENDING;
}

char *
invite_link_new(struct db_job *j, struct db_conn *dc, const char *base,
    const char *kind, int64_t user, int64_t space, int mailed)
{
	char token[TOKEN_HEX_LEN + 1], digest[TOKEN_DIGEST_LEN + 1];
	char *link;

	if (token_new(token) != 0 || token_digest(token, digest) != 0) {
		j->status = DB_FAILED;
		return NULL;
	}
	link = db_commandf(j, dc, "invite_token", "siiisb", digest, user,
	    space, (int64_t)INVITE_LIFETIME, kind, mailed) != 0 ? NULL :
	    link_format(base, kind, token);
	OPENSSL_cleanse(token, sizeof token);
	return link;
}
/* mailed: 0 for a link handed to the inviter, which proves nothing
   about the invitee's address (cmd-link.c). */
static char *
invite_link(struct inviter *iv, struct db_conn *dc, int64_t user, int mailed)
{
	return invite_link_new(iv->job, dc, iv->base, LINK_INVITE, user,
	    iv->space, mailed);
}

int
invite_mail_allowed(struct db_job *j, struct db_conn *dc, const char *to,
    int quiet)
{
	long retry;

	if (limit_mail_to(j, dc, to, &retry) != 0)
		return -1;
	if (retry == 0)
		return 0;
	if (!quiet) {
		buf_reset(j->out);	/* nothing of it happens */
		limit_refuse_mail(j, to, retry);
	}
	return 1;
}

void
invite_quote(struct buf *b, const char *lang, const char *who,
    const char *message)
{
	const char *p = message, *nl;

	if (*message == '\0')
		return;
	buf_printf(b, i18n_text(lang, "%s wrote:\n\n"), who);
	for (; *p != '\0'; p = *nl != '\0' ? nl + 1 : nl) {
		nl = p + strcspn(p, "\n");
		buf_printf(b, "> %.*s\n", (int)(nl - p), p);
	}
	buf_add_str(b, "\n");
}

/* The invitation (or reminder) e-mail with a fresh link, in the
   invitee's language. */
static int
invite_mail(struct inviter *iv, struct db_conn *dc,
    const struct space_access *a, int64_t user, const char *to,
    const char *message, int reminder)
{
	int days = INVITE_LIFETIME / 86400;
	const char *lang;
	struct buf *body;
	char *link, *subject;
	int rc;

	if ((lang = outbox_lang(iv->job, dc, a->workspace, to)) == NULL ||
	    (link = invite_link(iv, dc, user, 1)) == NULL)
		return -1;
	body = buf_new(0);
	xasprintf(&subject, reminder ?
	    i18n_text(lang, "Reminder: %s invited you to \u201c%s\u201d") :
	    i18n_text(lang, "%s invited you to \u201c%s\u201d"),
	    iv->name, a->title);
	buf_printf(body, i18n_text(lang, "%s invited you to the space "
	    "\u201c%s\u201d on agora.\n\n"), iv->name, a->title);
	invite_quote(body, lang, iv->name, message);
	buf_printf(body, i18n_text(lang, "To join, open this link with agora:"
	    "\n\n    agora accept %s\n\n"), link);
	buf_printf(body, i18n_ntext(lang, "It works once, and for %d day. You "
	    "can set a password then, or come in without one.\n", "It works "
	    "once, and for %d days. You can set a password then, or come in "
	    "without one.\n", days), days);
	rc = outbox_mail(iv->job, dc, a->workspace, a->space, to, subject,
	    buf_cstr(body));
	free(subject);
	free(link);
	buf_free(body);
	return rc;
}

/* A colleague added at once is told so. */
static int
added_mail(struct inviter *iv, struct db_conn *dc,
    const struct space_access *a, const char *to)
{
	const char *lang;
	struct buf *body;
	char *subject;
	int rc;

	if ((lang = outbox_lang(iv->job, dc, a->workspace, to)) == NULL)
		return -1;
	body = buf_new(0);
	xasprintf(&subject, i18n_text(lang, "%s added you to \u201c%s\u201d"),
	    iv->name, a->title);
	buf_printf(body, i18n_text(lang, "%s added you to the space "
	    "\u201c%s\u201d on agora. It is in your sidebar now.\n\n"),
	    iv->name, a->title);
	invite_quote(body, lang, iv->name, iv->message);
	rc = outbox_mail(iv->job, dc, a->workspace, a->space, to, subject,
	    buf_cstr(body));
	free(subject);
	buf_free(body);
	return rc;
}

/*
 * Who comes in, and how. A workspace member with an account comes in at
 * once, unless auto: an invitation made for the inviter by their "always
 * add" preference still waits for acceptance. A professional contact the
 * inviter always makes a collaborator is one. Writes role and status.
 */
static int
invite_terms(struct inviter *iv, struct db_conn *dc, int64_t user,
    int member, int automatic, const char **role, const char **status)
{
	PGresult *r;
	int collab;

	if ((r = db_queryf(iv->job, dc, "invite_collaborator", "ii", iv->user,
	    user)) == NULL)
		return -1;
	collab = PQntuples(r) > 0;
	PQclear(r);
	*role = collab ? "collaborator" : member ? "internal" : "external";
	*status = member && !automatic ? "active" : "pending";
	return 0;
}

/* The person with this address, made if new; 0 (status set) on failure. */
static int64_t
invite_person(struct inviter *iv, struct db_conn *dc,
    const struct space_access *a, const char *email, int *member)
{
	PGresult *r;
	int64_t user;

	if ((r = db_queryf(iv->job, dc, "invite_user", "si", email,
	    a->workspace)) == NULL)
		return 0;
	*member = PQntuples(r) > 0 && db_get_bool(r, 0, "member");
	user = PQntuples(r) > 0 ? db_get_i64(r, 0, "id") : 0;
	PQclear(r);
	if (user == 0) {
		if ((r = db_queryf(iv->job, dc, "invite_new_user", "s",
		    email)) == NULL)
			return 0;
		user = db_get_i64(r, 0, "id");
		PQclear(r);
	}
	return user;
}

/* One address of INVITE: adds its data line; 0, or -1 to roll back. */
static int
invite_one(struct inviter *iv, struct db_conn *dc,
    const struct space_access *a, const char *email, int automatic)
{
	struct db_job *j = iv->job;
	const char *role, *status, *acting;
	PGresult *r;
	int64_t user;
	int member, limited;

	if ((user = invite_person(iv, dc, a, email, &member)) == 0)
		return -1;
	if ((r = db_queryf(j, dc, "invite_participant", "ii", iv->space,
	    user)) == NULL)
		return -1;
	if (PQntuples(r) > 0) {
		/* Already there (or revoked: GRANT brings them back). */
		proto_begin(j->out, j->tag, "SKIPPED");
		proto_add(j->out, "email", email);
		proto_add(j->out, "status", db_get(r, 0, "status"));
		proto_end(j->out);
		PQclear(r);
		return 0;
	}
	PQclear(r);
	/* Every address gets a mail: not too many to one mailbox. An
	   automatic invitation is left out rather than refused. */
	if ((limited = invite_mail_allowed(j, dc, email, automatic)) != 0) {
		if (limited < 0 || !automatic)
			return -1;
		proto_begin(j->out, j->tag, "SKIPPED");
		proto_add(j->out, "email", email);
		proto_add(j->out, "status", "rate_limited");
		proto_end(j->out);
		return 0;
	}
	if (invite_terms(iv, dc, user, member, automatic, &role, &status) != 0)
		return -1;
	/* Stored as given; shown as they will act (participant_role). */
	acting = a->network && strcmp(role, "owner") != 0 ? "collaborator" :
	    role;
	if (db_commandf(j, dc, "invite_add", "iissis", iv->space, user, role,
	    status, iv->user, iv->message) != 0 ||
	    (strcmp(status, "active") == 0 ? added_mail(iv, dc, a, email) :
	    invite_mail(iv, dc, a, user, email, iv->message, 0)) != 0 ||
	    space_participant_emit(j, dc, "participant.added", iv->space, user,
	    email, acting, status) != 0 ||
	    (strcmp(status, "active") == 0 &&
	    space_contacts_changed(j, dc, iv->space, 0) != 0) ||
	    outbox_crm_invitation(j, dc, iv->space, iv->user, email, acting,
	    status, iv->message) != 0)
		return -1;
	proto_begin(j->out, j->tag, "INVITED");
	proto_add(j->out, "email", email);
	proto_add_i64(j->out, "user", user);
	proto_add(j->out, "role", acting);
	proto_add(j->out, "status", status);
	proto_end(j->out);
	return 0;
}

int
invite_always(struct inviter *iv, struct db_conn *dc,
    const struct space_access *a)
{
	PGresult *r;
	int rc = 0;

	if ((r = db_queryf(iv->job, dc, "invite_always", "i", iv->user)) ==
	    NULL)
		return -1;
	for (int i = 0; i < PQntuples(r) && rc == 0; i++)
		rc = invite_one(iv, dc, a, db_get(r, i, "email"), 1);
	PQclear(r);
	return rc;
}

/* INVITE: every address, then the final line with the size warning
   SPACE.SHOW gives. */
static int
invite_tx(struct req *r, struct db_conn *dc)
{
	struct invite_req *ir = (struct invite_req *)r;
	int64_t people;

	for (size_t i = 0; i < ir->nemails; i++)
		if (invite_one(&ir->iv, dc, &r->space, ir->emails[i], 0) != 0)
			return -1;
	if (db_valuef(&r->job, dc, "invite_count", "people", &people, "i",
	    r->space.space) != 0)
		return -1;
	space_people_ok(r->job.out, r->job.tag, people);
	return 0;
}

/* INVITE.RESEND (variant 1) and INVITE.REMIND: an invitation still
   pending. */
static int
again_tx(struct req *r, struct db_conn *dc)
{
	int resend = r->cmd->variant;
	struct invite_req *ir = (struct invite_req *)r;
	struct inviter *iv = &ir->iv;
	struct db_job *j = &r->job;
	int64_t who = req_int(r, "user");
	int by_link = !resend && strcmp(req_str(r, "how") != NULL ?
	    req_str(r, "how") : "", "link") == 0;
	char *email, *message, *link = NULL, role[16];
	PGresult *res;
	int rc;

	if ((res = db_queryf(j, dc, "invite_pending", "ii", iv->space,
	    who)) == NULL)
		return -1;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return req_err(r, PERR_NOT_FOUND, "no pending invitation for "
		    "this person in this space");
	}
	email = xstrdup(db_get(res, 0, "email"));
	message = xstrdup(db_get(res, 0, "message"));
	snprintf(role, sizeof role, "%s", db_get(res, 0, "role"));
	PQclear(res);
	if (!by_link && invite_mail_allowed(j, dc, email, 0) != 0)
		rc = -1;
	else if (resend)
		rc = db_commandf(j, dc, "invite_tokens_drop", "ii", who,
		    iv->space) != 0 || db_commandf(j, dc, "invite_renew",
		    "ii", iv->space, who) != 0 || invite_mail(iv, dc,
		    &r->space, who, email, message, 0) != 0 ||
		    space_participant_emit(j, dc, "participant.updated",
		    iv->space, who, email, role, "pending") != 0 ? -1 : 0;
	else if (by_link)
		rc = (link = invite_link(iv, dc, who, 0)) == NULL ? -1 : 0;
	else
		rc = invite_mail(iv, dc, &r->space, who, email, message, 1);
	if (rc == 0) {
		proto_begin(j->out, j->tag, "OK");
		if (link != NULL)
			proto_add(j->out, "link", link);
		proto_end(j->out);
	}
	free(link);
	free(email);
	free(message);
	return rc;
}

static const struct cmd_arg invite_args[] = {
	ARG("space", ARG_ID, 1, 20),
	ARG("emails", ARG_TEXT, 1, 16384),
	ARG("message", ARG_PROSE, 0, 2000),
	{ NULL }
};

static const struct cmd_arg again_args[] = {
	ARG("space", ARG_ID, 1, 20),
	ARG("user", ARG_ID, 1, 20),
	{ NULL }
};

static const struct cmd_arg remind_args[] = {
	ARG("space", ARG_ID, 1, 20),
	ARG("user", ARG_ID, 1, 20),
	ARG("how", ARG_ENUM, 0, 8, .values = "email|link"),
	{ NULL }
};

const struct cmd cmd_invite_table[] = {
	{ "INVITE", CMD_VERIFIED, AREA_SPACES, TARGET_SPACE, SPACE_INVITE,
	  invite_args, "invite people into a space by e-mail",
	  .size = sizeof(struct invite_req), .prepare = invite_prepare,
	  .tx = invite_tx, .destroy = invite_destroy, .audit = "invite",
	  .flags = CMD_RID },
	{ "INVITE.RESEND", CMD_VERIFIED, AREA_SPACES, TARGET_SPACE,
	  SPACE_MANAGE, again_args, "send an invitation again with a new link",
	  .size = sizeof(struct invite_req), .prepare = invite_prepare_inviter,
	  .tx = again_tx, .destroy = invite_destroy,
	  .flags = CMD_RID, .variant = 1 },
	{ "INVITE.REMIND", CMD_VERIFIED, AREA_SPACES, TARGET_SPACE,
	  SPACE_MANAGE, remind_args,
	  "remind a pending invitee, or get a link to pass on",
	  .size = sizeof(struct invite_req), .prepare = invite_prepare_inviter,
	  .tx = again_tx, .destroy = invite_destroy,
	  .flags = CMD_RID },
	{ NULL }
};
