#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cmd.h"
#include "conn.h"
#include "event.h"
#include "log.h"
#include "request.h"
#include "session.h"
#include "xmalloc.h"

/*
 * The bound value of key. A key the verb's schema does not have is a bug;
 * it reads as absent (and is logged) rather than ending the process for
 * everyone connected.
 */
static const struct req_value *
req_value(const struct req *r, const char *key)
{
	static const struct req_value absent;
	size_t i = 0;

	for (const struct cmd_arg *a = r->cmd->args; a != NULL &&
	    a->key != NULL; a++, i++)
		if (strcmp(a->key, key) == 0)
			return &r->values[i];
	log_warnx("bug: %s has no parameter %s", r->cmd->verb, key);
	return &absent;
}

const char *
req_str(const struct req *r, const char *key)
{
	return req_value(r, key)->text;
}

int
req_has(const struct req *r, const char *key)
{
	return req_str(r, key) != NULL;
}

int64_t
req_int(const struct req *r, const char *key)
{
	return req_value(r, key)->n;
}

int
req_bool(const struct req *r, const char *key)
{
	const struct req_value *v = req_value(r, key);

	return v->text == NULL ? -1 : (int)v->n;
}

int
req_err(struct req *r, enum proto_err code, const char *msg)
{
	proto_err(r->job.out, r->job.tag, code, msg);
	return -1;
}

void
req_ok_i64(struct buf *out, const char *tag, const char *key, int64_t v)
{
	proto_begin(out, tag, "OK");
	proto_add_i64(out, key, v);
	proto_end(out);
}

static void
req_err_vbegin(struct buf *out, const char *tag, enum proto_err code,
    const char *fmt, va_list ap)
{
	char *msg;

	xvasprintf(&msg, fmt, ap);
	proto_begin(out, tag, "ERR");
	proto_add(out, "code", proto_err_name(code));
	proto_add(out, "msg", msg);
	free(msg);
}

void
req_err_begin(struct buf *out, const char *tag, enum proto_err code,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	req_err_vbegin(out, tag, code, fmt, ap);
	va_end(ap);
}

int
req_errf(struct req *r, enum proto_err code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	req_err_vbegin(r->job.out, r->job.tag, code, fmt, ap);
	va_end(ap);
	proto_end(r->job.out);
	return -1;
}

#define REQ_BOOLOID	16	/* PostgreSQL's type bool (pg_type.h) */

void
req_row(struct buf *out, const char *tag, const char *word,
    const PGresult *res, int row, const char *const *cols)
{
	char key[PROTO_WORD_MAX + 1];

	proto_begin(out, tag, word);
	for (; *cols != NULL; cols++) {
		const char *eq = strchr(*cols, '='), *col = eq ? eq + 1 : *cols;

		snprintf(key, sizeof key, "%.*s", eq ? (int)(eq - *cols) :
		    (int)strlen(*cols), *cols);
		proto_add(out, key, PQftype(res, PQfnumber(res, col)) ==
		    REQ_BOOLOID ? db_get_flag(res, row, col) :
		    db_get(res, row, col));
	}
	proto_end(out);
}

void
req_target(struct req *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->target, sizeof r->target, fmt, ap);
	va_end(ap);
}

/* The values of a checked message, by the schema's order, in one block. */
static void
req_bind(struct req *r, const struct proto_msg *msg)
{
	size_t nargs = 0, size = 1;
	char *p;

	for (const struct cmd_arg *a = r->cmd->args; a != NULL &&
	    a->key != NULL; a++)
		nargs++;
	r->values = xcalloc(nargs + 1, sizeof *r->values);
	for (size_t i = 0; i < msg->nparams; i++)
		size += msg->params[i].len + 1;
	p = r->text = xmalloc(size);
	r->size_text = size;
	for (size_t i = 0; i < msg->nparams; i++) {
		const struct proto_param *pp = &msg->params[i];
		struct req_value *v = r->values;
		const struct cmd_arg *a = r->cmd->args;

		/* Every key is in the schema (the dispatcher checked), but
		   rid=, which every verb takes (rid.h). */
		if (strcmp(pp->key, "rid") == 0)
			continue;
		for (; strcmp(a->key, pp->key) != 0; a++)
			v++;
		memcpy(p, pp->value, pp->len + 1);
		v->text = p;
		v->len = pp->len;
		/* Numbers are known to parse: the schema was checked. */
		v->n = strtoll(p, NULL, 10);
		p += pp->len + 1;
	}
}

struct req *
req_new(const struct cmd *cmd, const struct proto_msg *msg,
    struct conn *conn)
{
	const struct session *s = conn_session(conn);
	struct req *r = xcalloc(1, cmd->size != 0 ? cmd->size : sizeof *r);

	r->cmd = cmd;
	r->page = cmd_page_bytes();
	snprintf(r->address, sizeof r->address, "%s", conn_address(conn));
	req_bind(r, msg);
	if (s != NULL) {
		r->user = s->user_id;
		r->session = s->session_id;
		r->verified = s->verified;
	}
	r->job.destroy = req_destroy;
	return r;
}

void
req_destroy(struct db_job *j)
{
	struct req *r = (struct req *)j;

	if (r->cmd->destroy != NULL)
		r->cmd->destroy(r);
	free(r->values);
	/* The values may hold a password. */
	freezero(r->text, r->size_text);
	free(r->detail);
}

/* The role first, then what the verb needs of the caller in the space:
   whoever's role stops them is told that, whatever else they are. */
int
req_open_space(struct req *r, struct db_conn *dc, int64_t space, int need)
{
	/*
	 * A participant reaches the space by that record-level grant,
	 * whatever their role: grants add to a role's scope and never
	 * subtract from it (DESIGN §7). So the role is not asked here yet;
	 * it will be where a role's team or all scope reaches spaces its
	 * holder is not in, between these two steps.
	 */
	if (space_open(&r->job, dc, space, r->user, &r->space) != 0 ||
	    space_admit(&r->job, dc, r->user, (enum space_need)need,
	    &r->space) != 0)
		return -1;
	r->workspace = r->space.workspace;
	req_target(r, "space %lld", (long long)space);
	return 0;
}

static int
req_open(struct req *r, struct db_conn *dc)
{
	switch (r->cmd->target) {
	case TARGET_SPACE:
		return req_open_space(r, dc, req_int(r, "space"), r->cmd->need);
	case TARGET_OBJECT:
		return r->cmd->open(r, dc);
	case TARGET_WORKSPACE:
		/* The dispatcher resolved it and checked the caller's role. */
		req_target(r, "workspace %lld", (long long)r->workspace);
		return 0;
	default:
		return 0;
	}
}

void
req_run(struct db_job *j, struct db_conn *dc)
{
	struct req *r = (struct req *)j;
	const struct cmd *c = r->cmd;

	/* A run may be a second one (db.h): start from the inputs. */
	r->target[0] = '\0';
	r->action = NULL;
	free(r->detail);
	r->detail = NULL;
	if (db_begin(j, dc) != 0 || req_open(r, dc) != 0 || c->tx(r, dc) != 0)
		return;
	if (buf_len(j->out) == 0)
		proto_ok(j->out, j->tag);
	if (r->action == NULL)
		r->action = c->audit;
	if (r->action != NULL && audit_record(j, dc, r->user, r->session,
	    r->address, r->action, r->target[0] != '\0' ? r->target : NULL,
	    r->detail) != 0)
		return;
	db_commit(j, dc);
}
