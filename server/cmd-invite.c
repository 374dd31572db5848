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
#include "invite.h"
#include "limit.h"
#include "link.h"
#include "outbox.h"
#include "plan.h"
#include "proto.h"
#include "server.h"
#include "session.h"
#include "space.h"
#include "str.h"
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

struct invite_job {
	struct db_job	 job;
	struct inviter	 iv;
	int64_t		 session;
	int64_t		 who;		/* RESEND, REMIND: the invitee */
	char		 address[64];
	char		*inviter;	/* iv.name */
	char		*message;	/* iv.message */
	char		*base;		/* iv.base */
	char		**emails;
	size_t		 nemails;
	int		 by_link;	/* REMIND how=link */
};

static void
invite_destroy(struct db_job *j)
{
	struct invite_job *ij = (struct invite_job *)j;

	for (size_t i = 0; i < ij->nemails; i++)
		free(ij->emails[i]);
	free(ij->emails);
	free(ij->inviter);
	free(ij->message);
	free(ij->base);
}

static const char *
idp(struct inviter *iv, int slot, int64_t v)
{
	return str_i64(iv->ids[slot], v);
}

char *
invite_base(void)
{
	/* Links name the address clients use to reach this server. */
	return xstrdup(config_public_address(server_config()));
}

static struct invite_job *
invite_job_new(struct cmd_ctx *ctx)
{
	struct invite_job *ij = xcalloc(1, sizeof *ij);
	const struct session *s = conn_session(ctx->conn);
	const char *m = proto_get(ctx->msg, "message");

	ij->session = s->session_id;
	ij->inviter = xstrdup(s->name);
	ij->message = xstrdup(m != NULL ? m : "");
	ij->base = invite_base();
	snprintf(ij->address, sizeof ij->address, "%s",
	    conn_address(ctx->conn));
	ij->iv.job = &ij->job;
	ij->iv.user = s->user_id;
	ij->iv.name = ij->inviter;
	ij->iv.message = ij->message;
	ij->iv.base = ij->base;
	proto_get_i64(ctx->msg, "space", 0, INT64_MAX, &ij->iv.space);
	proto_get_i64(ctx->msg, "user", 0, INT64_MAX, &ij->who);
	ij->job.destroy = invite_destroy;
	return ij;
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

char *
invite_link_new(struct db_job *j, struct db_conn *dc, const char *base,
    const char *kind, int64_t user, int64_t space, int mailed)
{
	char token[TOKEN_HEX_LEN + 1], digest[TOKEN_DIGEST_LEN + 1];
	char u[STR_I64_LEN], s[STR_I64_LEN], life[STR_I64_LEN];
	const char *params[6] = { digest, str_i64(u, user),
	    str_i64(s, space), str_i64(life, INVITE_LIFETIME), kind,
	    mailed ? "true" : "false" };
	char *link;

	if (token_new(token) != 0 || token_digest(token, digest) != 0) {
		j->status = DB_FAILED;
		return NULL;
	}
	link = db_command(j, dc, "invite_token", 6, params) != 0 ? NULL :
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
invite_quote(struct buf *b, const char *who, const char *message)
{
	const char *p = message, *nl;

	if (*message == '\0')
		return;
	buf_printf(b, "%s wrote:\n\n", who);
	for (; *p != '\0'; p = *nl != '\0' ? nl + 1 : nl) {
		nl = p + strcspn(p, "\n");
		buf_printf(b, "> %.*s\n", (int)(nl - p), p);
	}
	buf_add_str(b, "\n");
}

/* The invitation (or reminder) e-mail with a fresh link. */
static int
invite_mail(struct inviter *iv, struct db_conn *dc,
    const struct space_access *a, int64_t user, const char *to,
    const char *message, int reminder)
{
	struct buf *body;
	char *link, *subject;
	int rc;

	if ((link = invite_link(iv, dc, user, 1)) == NULL)
		return -1;
	body = buf_new(0);
	xasprintf(&subject, "%s%s invited you to \u201c%s\u201d",
	    reminder ? "Reminder: " : "", iv->name, a->title);
	buf_printf(body, "%s invited you to the space \u201c%s\u201d on "
	    "agora.\n\n", iv->name, a->title);
	invite_quote(body, iv->name, message);
	buf_printf(body, "To join, open this link with agora:\n\n"
	    "    agora accept %s\n\n"
	    "It works once, and for 30 days. You can set a password then, "
	    "or come in without one.\n", link);
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
	struct buf *body = buf_new(0);
	char *subject;
	int rc;

	xasprintf(&subject, "%s added you to \u201c%s\u201d", iv->name,
	    a->title);
	buf_printf(body, "%s added you to the space \u201c%s\u201d on "
	    "agora. It is in your sidebar now.\n\n", iv->name, a->title);
	invite_quote(body, iv->name, iv->message);
	rc = outbox_mail(iv->job, dc, a->workspace, a->space, to, subject,
	    buf_cstr(body));
	free(subject);
	buf_free(body);
	return rc;
}

static int
participant_event(struct inviter *iv, struct db_conn *dc,
    const char *type, int64_t user, const char *email, const char *role,
    const char *status)
{
	struct buf *data = buf_new(0);
	int rc;

	proto_add_i64(data, "space", iv->space);
	proto_add_i64(data, "user", user);
	proto_add(data, "email", email);
	proto_add(data, "role", role);
	proto_add(data, "status", status);
	rc = space_emit(iv->job, dc, iv->space, type, data);
	buf_free(data);
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
	const char *pair[2] = { idp(iv, 3, iv->user), idp(iv, 2, user) };
	PGresult *r;
	int collab;

	if ((r = db_query(iv->job, dc, "invite_collaborator", 2, pair)) == NULL)
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
	const char *find[2] = { email, idp(iv, 0, a->workspace) };
	PGresult *r;
	int64_t user;

	if ((r = db_query(iv->job, dc, "invite_user", 2, find)) == NULL)
		return 0;
	*member = PQntuples(r) > 0 && strcmp(db_get(r, 0, "member"), "t") == 0;
	user = PQntuples(r) > 0 ? db_get_i64(r, 0, "id") : 0;
	PQclear(r);
	if (user == 0) {
		if ((r = db_query(iv->job, dc, "invite_new_user", 1,
		    &email)) == NULL)
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
	const char *add[6], *role, *status, *acting;
	PGresult *r;
	int64_t user;
	int member, limited;

	if ((user = invite_person(iv, dc, a, email, &member)) == 0)
		return -1;
	add[0] = idp(iv, 1, iv->space);
	add[1] = idp(iv, 2, user);
	if ((r = db_query(j, dc, "invite_participant", 2, add)) == NULL)
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
	add[2] = role;
	add[3] = status;
	add[4] = idp(iv, 3, iv->user);
	add[5] = iv->message;
	if (db_command(j, dc, "invite_add", 6, add) != 0 ||
	    (strcmp(status, "active") == 0 ? added_mail(iv, dc, a, email) :
	    invite_mail(iv, dc, a, user, email, iv->message, 0)) != 0 ||
	    participant_event(iv, dc, "participant.added", user, email,
	    acting, status) != 0 ||
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
	const char *me[1] = { idp(iv, 3, iv->user) };
	PGresult *r;
	int rc = 0;

	if ((r = db_query(iv->job, dc, "invite_always", 1, me)) == NULL)
		return -1;
	for (int i = 0; i < PQntuples(r) && rc == 0; i++)
		rc = invite_one(iv, dc, a, db_get(r, i, "email"), 1);
	PQclear(r);
	return rc;
}

/* The final line, with the size warning SPACE.SHOW gives. */
static int
invite_ok(struct invite_job *ij, struct db_conn *dc)
{
	const char *id[1] = { idp(&ij->iv, 0, ij->iv.space) };
	PGresult *r;
	int64_t people;

	if ((r = db_query(&ij->job, dc, "invite_count", 1, id)) == NULL)
		return -1;
	people = db_get_i64(r, 0, "people");
	PQclear(r);
	if (db_commit(&ij->job, dc) != 0)
		return -1;
	proto_begin(ij->job.out, ij->job.tag, "OK");
	proto_add_i64(ij->job.out, "people", people);
	if (people > 15)
		proto_add(ij->job.out, "warning", "more than 15 participants: "
		    "past the recommended size for a space");
	proto_end(ij->job.out);
	return 0;
}

static void
invite_run(struct db_job *j, struct db_conn *dc)
{
	struct invite_job *ij = (struct invite_job *)j;
	struct space_access a;
	char target[32];

	if (db_begin(j, dc) != 0 ||
	    space_open(j, dc, ij->iv.space, ij->iv.user, SPACE_INVITE,
	    &a) != 0)
		return;
	for (size_t i = 0; i < ij->nemails; i++)
		if (invite_one(&ij->iv, dc, &a, ij->emails[i], 0) != 0)
			return;
	snprintf(target, sizeof target, "space %lld", (long long)ij->iv.space);
	if (audit_record(j, dc, ij->iv.user, ij->session, ij->address, "invite",
	    target, NULL) != 0)
		return;
	invite_ok(ij, dc);
}

static enum cmd_result
cmd_invite(struct cmd_ctx *ctx)
{
	struct invite_job *ij;
	const char *why;
	size_t n;
	char **emails;

	if ((emails = emails_split(proto_get(ctx->msg, "emails"), &n,
	    &why)) == NULL)
		return cmd_err(ctx, PERR_INVALID, why);
	ij = invite_job_new(ctx);
	ij->emails = emails;
	ij->nemails = n;
	return cmd_submit(ctx, &ij->job, invite_run, NULL);
}

/* INVITE.RESEND and INVITE.REMIND: an invitation still pending. */
static void
again_run(struct db_job *j, struct db_conn *dc, int resend)
{
	struct invite_job *ij = (struct invite_job *)j;
	struct inviter *iv = &ij->iv;
	const char *who[2] = { idp(iv, 0, iv->space), idp(iv, 1, ij->who) };
	const char *drop[2] = { who[1], who[0] };
	struct space_access a;
	char *email = NULL, *message = NULL, *link = NULL, role[16];
	PGresult *r;
	int rc = -1;

	if (db_begin(j, dc) != 0 ||
	    space_open(j, dc, iv->space, iv->user, SPACE_MANAGE, &a) != 0 ||
	    (r = db_query(j, dc, "invite_pending", 2, who)) == NULL)
		return;
	if (PQntuples(r) == 0) {
		PQclear(r);
		proto_err(j->out, j->tag, PERR_NOT_FOUND, "no pending "
		    "invitation for this person in this space");
		return;
	}
	email = xstrdup(db_get(r, 0, "email"));
	message = xstrdup(db_get(r, 0, "message"));
	snprintf(role, sizeof role, "%s", db_get(r, 0, "role"));
	PQclear(r);
	if (!ij->by_link && (rc = invite_mail_allowed(j, dc, email, 0)) != 0)
		goto out;
	rc = -1;
	if (resend)
		rc = db_command(j, dc, "invite_tokens_drop", 2, drop) != 0 ||
		    db_command(j, dc, "invite_renew", 2, who) != 0 ||
		    invite_mail(iv, dc, &a, ij->who, email, message, 0) != 0 ||
		    participant_event(iv, dc, "participant.updated", ij->who,
		    email, role, "pending") != 0 ? -1 : 0;
	else if (ij->by_link)
		rc = (link = invite_link(iv, dc, ij->who, 0)) == NULL ? -1 : 0;
	else
		rc = invite_mail(iv, dc, &a, ij->who, email, message, 1);
	if (rc == 0 && db_commit(j, dc) == 0) {
		proto_begin(j->out, j->tag, "OK");
		if (link != NULL)
			proto_add(j->out, "link", link);
		proto_end(j->out);
	}
out:
	free(link);
	free(email);
	free(message);
}

static void
resend_run(struct db_job *j, struct db_conn *dc)
{
	again_run(j, dc, 1);
}

static void
remind_run(struct db_job *j, struct db_conn *dc)
{
	again_run(j, dc, 0);
}

static enum cmd_result
cmd_invite_resend(struct cmd_ctx *ctx)
{
	return cmd_submit(ctx, &invite_job_new(ctx)->job, resend_run, NULL);
}

static enum cmd_result
cmd_invite_remind(struct cmd_ctx *ctx)
{
	const char *how = proto_get(ctx->msg, "how");
	struct invite_job *ij;

	if (how != NULL && strcmp(how, "email") != 0 &&
	    strcmp(how, "link") != 0)
		return cmd_err(ctx, PERR_INVALID, "how is email or link");
	ij = invite_job_new(ctx);
	ij->by_link = how != NULL && strcmp(how, "link") == 0;
	return cmd_submit(ctx, &ij->job, remind_run, NULL);
}

static const struct cmd_arg invite_args[] = {
	{ "space", ARG_INT, 1, 20 },
	{ "emails", ARG_TEXT, 1, 16384 },
	{ "message", ARG_PROSE, 0, 2000 },
	{ NULL, 0, 0, 0 }
};

static const struct cmd_arg again_args[] = {
	{ "space", ARG_INT, 1, 20 },
	{ "user", ARG_INT, 1, 20 },
	{ NULL, 0, 0, 0 }
};

static const struct cmd_arg remind_args[] = {
	{ "space", ARG_INT, 1, 20 },
	{ "user", ARG_INT, 1, 20 },
	{ "how", ARG_ATOM, 0, 8 },
	{ NULL, 0, 0, 0 }
};

const struct cmd cmd_invite_table[] = {
	{ "INVITE", cmd_invite, CMD_VERIFIED, PERM_NONE, invite_args,
	  "invite people into a space by e-mail", CMD_RID },
	{ "INVITE.RESEND", cmd_invite_resend, CMD_VERIFIED, PERM_NONE, again_args,
	  "send an invitation again with a new link", CMD_RID },
	{ "INVITE.REMIND", cmd_invite_remind, CMD_VERIFIED, PERM_NONE, remind_args,
	  "remind a pending invitee, or get a link to pass on", CMD_RID },
	{ NULL, NULL, CMD_PUBLIC, 0, NULL, NULL, 0 }
};
