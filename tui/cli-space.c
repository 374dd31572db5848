/*
 * The space subcommands, for scripts: agora space list|show|create|edit|
 * link|archive|reactivate|leave|delete, agora invite, accept, request-access,
 * revoke, grant, deny, resend, remind and profile. Data goes to standard output (text, or JSON
 * with --json), errors to standard error in one line, exit codes as
 * sysexits(3). Text from the server is sanitised; JSON carries it as it
 * came, escaped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>

#include "buf.h"
#include "cli.h"
#include "client.h"
#include "connect.h"
#include "proto.h"
#include "text.h"
#include "tokenfile.h"
#include "xmalloc.h"

void
cli_json_members(const struct proto_msg *m)
{
	for (size_t i = 0; i < m->nparams; i++) {
		printf("%s", i > 0 ? "," : "");
		cli_json_string(m->params[i].key);
		putchar(':');
		cli_json_string(m->params[i].value);
	}
}

void
cli_json_object(const struct proto_msg *m)
{
	putchar('{');
	cli_json_members(m);
	putchar('}');
}

/* A parameter, sanitised for the terminal, in a column of width w
   (w 0: the last column, not padded). */
static void
text_column(const struct proto_msg *m, const char *key, int w)
{
	const char *v = proto_get(m, key);
	char *safe = text_sanitize(v != NULL ? v : "", v != NULL ?
	    strlen(v) : 0, 0);
	size_t fit = w > 0 ? text_fit(safe, (size_t)w) : strlen(safe);

	safe[fit] = '\0';
	if (w > 0)
		printf("%s%*s", safe, w - (int)text_width(safe) + 1, "");
	else
		printf("%s", safe);
	free(safe);
}

/* Data lines as a JSON array (no line feed after it), or rows. */
static void
print_lines(const struct client_reply *r, int json,
    const char *const *cols, const int *widths)
{
	struct proto_msg m;
	const char *why;
	char *copy;
	int first = 1;

	if (json)
		putchar('[');
	for (size_t i = 0; i < r->ndata; i++) {
		copy = xstrdup(r->data[i]);
		if (proto_parse(copy, strlen(copy), &m, &why) == 0) {
			if (json) {
				printf("%s", first ? "" : ",");
				cli_json_object(&m);
			} else {
				for (size_t c = 0; cols[c] != NULL; c++)
					text_column(&m, cols[c], widths[c]);
				putchar('\n');
			}
			first = 0;
		}
		free(copy);
	}
	if (json)
		putchar(']');
}

void
cli_print_lines(const struct client_reply *r, int json,
    const char *const *cols, const int *widths)
{
	print_lines(r, json, cols, widths);
	if (json)
		putchar('\n');
}

void
cli_json_array(const struct client_reply *r)
{
	print_lines(r, 1, NULL, NULL);
}

/* Runs one request on the saved session; the reply (caller frees). */
static struct client_reply *
session_call(const struct cli_opts *o, const char *what, int *status,
    const char *verb, const char *k1, const char *v1, const char *k2,
    const char *v2, const char *k3, const char *v3)
{
	struct client_reply *r;
	struct client *c;

	if ((c = cli_session(o, status)) == NULL)
		return NULL;
	r = client_call(c, verb, k1, v1, k2, v2, k3, v3, NULL);
	client_close(c);
	if (r == NULL) {
		*status = cli_fail(EX_UNAVAILABLE, "%s: no answer", what);
		return NULL;
	}
	if (!r->ok) {
		*status = cli_reply_fail(what, r);
		return NULL;
	}
	*status = EX_OK;
	return r;
}

/* The final line's warning, if any, on standard error. */
static void
warn_reply(const struct client_reply *r)
{
	const char *w = client_reply_get(r, "warning");
	char *safe;

	if (w != NULL) {
		safe = text_sanitize(w, strlen(w), 0);
		fprintf(stderr, "agora: warning: %s\n", safe);
		free(safe);
	}
}

static int
space_list(const struct cli_opts *o, const struct cli_args *a)
{
	static const char *const cols[] = { "id", "role", "people",
		"pending", "overdue", "title", NULL };
	static const int widths[] = { 6, 9, 6, 7, 7, 0 };
	struct client_reply *r;
	int status;

	if ((r = session_call(o, "space list", &status, "SPACE.LIST", NULL,
	    NULL, NULL, NULL, NULL, NULL)) == NULL)
		return status;
	cli_print_lines(r, a->json, cols, widths);
	client_reply_free(r);
	return EX_OK;
}

static int
space_show(const struct cli_opts *o, const struct cli_args *a)
{
	static const char *const cols[] = { "user", "role", "status",
		"overdue", "email", "name", NULL };
	static const int widths[] = { 6, 9, 10, 7, 32, 0 };
	struct client_reply *r;
	int status;

	if ((r = session_call(o, "space show", &status, "SPACE.SHOW", "space",
	    a->ops[0], NULL, NULL, NULL, NULL)) == NULL)
		return status;
	if (!a->json) {
		/* The SPACE line first, then the people. */
		struct client_reply head = *r;

		head.ndata = r->ndata > 0 ? 1 : 0;
		cli_print_lines(&head, 0, (const char *const[]){ "id", "title",
		    NULL }, (const int[]){ 6, 0 });
		head.data = r->data + head.ndata;
		head.ndata = r->ndata - head.ndata;
		cli_print_lines(&head, 0, cols, widths);
	} else
		cli_print_lines(r, 1, cols, widths);
	warn_reply(r);
	client_reply_free(r);
	return EX_OK;
}

/* Runs a change; prints what it answers with: the space's id (create),
   its link (link). */
static int
space_change(const struct cli_opts *o, const char *what, const char *verb,
    const char *k1, const char *v1, const char *k2, const char *v2,
    const char *k3, const char *v3)
{
	struct client_reply *r;
	int status;

	if ((r = session_call(o, what, &status, verb, k1, v1, k2, v2, k3,
	    v3)) == NULL)
		return status;
	if (client_reply_get(r, "space") != NULL)
		printf("%s\n", client_reply_get(r, "space"));
	if (client_reply_get(r, "link") != NULL)
		printf("%s\n", client_reply_get(r, "link"));
	client_reply_free(r);
	return EX_OK;
}

/* SPACE.CREATE with the options given (a key left NULL would end the
   pairs early, so they are packed). */
static int
space_create(const struct cli_opts *o, const struct cli_args *a)
{
	const char *k[2] = { NULL }, *v[2] = { NULL };
	size_t n = 0;

	if ((v[n] = cli_opt(a, "description")) != NULL)
		k[n++] = "description";
	if (cli_opt(a, "network") != NULL) {
		k[n] = "network";
		v[n++] = "1";
	}
	return space_change(o, "space create", "SPACE.CREATE", "title",
	    a->ops[0], k[0], v[0], k[1], v[1]);
}

static int
space_edit(const struct cli_opts *o, const struct cli_args *a)
{
	const char *d = cli_opt(a, "description");

	return space_change(o, "space edit", "SPACE.EDIT", "space", a->ops[0],
	    "title", a->ops[1], d != NULL ? "description" : NULL, d);
}

/* link, archive, reactivate, leave, delete: the entry's verb on a space. */
static int
space_one(const struct cli_opts *o, const struct cli_args *a)
{
	int del = strcmp(a->cmd->verb, "SPACE.DELETE") == 0;

	if (del && cli_opt(a, "yes") == NULL)
		return cli_usage(a);
	return space_change(o, a->cmd->name, a->cmd->verb, "space", a->ops[0],
	    del ? "confirm" : NULL, "yes", NULL, NULL);
}

static int
cli_invite(const struct cli_opts *o, const struct cli_args *a)
{
	static const char *const cols[] = { "email", "role", "status", NULL };
	static const int widths[] = { 40, 9, 0 };
	const char *msg = cli_opt(a, "message");
	struct client_reply *r;
	struct buf *emails;
	int status;

	emails = buf_new(0);
	for (int i = 1; i < a->n; i++)
		buf_printf(emails, "%s%s", i > 1 ? " " : "", a->ops[i]);
	r = session_call(o, "invite", &status, "INVITE", "space", a->ops[0],
	    "emails", buf_cstr(emails), msg != NULL ? "message" : NULL, msg);
	buf_free(emails);
	if (r == NULL)
		return status;
	cli_print_lines(r, a->json, cols, widths);
	warn_reply(r);
	client_reply_free(r);
	return EX_OK;
}

/* revoke, grant, deny, resend, remind [--link] SPACE USER: the entry's
   verb. */
static int
cli_participant(const struct cli_opts *o, const struct cli_args *a)
{
	const char *link;
	struct client_reply *r;
	int status, how = strcmp(a->cmd->name, "remind") == 0 &&
	    cli_opt(a, "link") != NULL;

	if ((r = session_call(o, a->cmd->name, &status, a->cmd->verb, "space",
	    a->ops[0], "user", a->ops[1], how ? "how" : NULL, "link")) == NULL)
		return status;
	/* remind --link: a link to pass on by hand. */
	if ((link = client_reply_get(r, "link")) != NULL)
		printf("%s\n", link);
	client_reply_free(r);
	return EX_OK;
}

/* profile SPACE USER [--name N] [--company C] [--job-title J] */
static int
cli_profile(const struct cli_opts *o, const struct cli_args *a)
{
	static const char *const keys[] = { "name", "company", "job_title" };
	static const char *const opts[] = { "name", "company", "job-title" };
	const char *k[4] = { NULL }, *v[4] = { NULL };
	struct client_reply *r;
	struct client *c;
	int status;
	size_t np = 0;

	/* Only what was given changes: the pairs, packed. */
	for (size_t i = 0; i < 3; i++)
		if ((v[np] = cli_opt(a, opts[i])) != NULL)
			k[np++] = keys[i];
	if (np == 0)
		return cli_fail(EX_USAGE, "profile: give --name, --company or "
		    "--job-title");
	if ((c = cli_session(o, &status)) == NULL)
		return status;
	r = client_call(c, "PARTICIPANT.EDIT", "space", a->ops[0], "user",
	    a->ops[1], k[0], v[0], k[1], v[1], k[2], v[2], NULL);
	client_close(c);
	if (r == NULL)
		return cli_fail(EX_UNAVAILABLE, "profile: no answer");
	if (!r->ok)
		return cli_reply_fail("profile", r);
	client_reply_free(r);
	return EX_OK;
}

/* Connects to the server a link names (not the configured one). */
static struct client *
link_connect(const struct cli_opts *o, const char *link, int *status)
{
	char *server = server_from_link(link);
	struct client *c;

	if (server == NULL) {
		*status = cli_fail(EX_USAGE, "not an agora link: %s", link);
		return NULL;
	}
	c = cli_connect_to(o, server, status);
	free(server);
	return c;
}

/* Whether c's session is the account of --email (any, without one). */
static int
accept_same_user(const struct cli_opts *o, struct client *c)
{
	struct client_reply *r = client_call(c, "WHOAMI", NULL);
	char *email = NULL;
	int same;

	if (r != NULL && r->ok && r->ndata > 0)
		email = client_line_get(r->data[0], "email");
	same = email != NULL && (o->email == NULL ||
	    strcasecmp(email, o->email) == 0);
	free(email);
	client_reply_free(r);
	return same;
}

/*
 * If the link names the server the saved session is for, and the session
 * is the account of --email, that session proves the account (an
 * invitation link alone never opens one already in use). The token goes
 * only to the server it came from: a link could name anyone's. The
 * connection, logged in, or NULL.
 */
static struct client *
accept_resume(const struct cli_opts *o, const char *link)
{
	char *server = server_from_link(link), *path, *token = NULL;
	char *cause = NULL;
	struct client_reply *r = NULL;
	struct client *c = NULL;
	int status;

	if (server != NULL && o->server != NULL &&
	    strcmp(server, o->server) == 0 &&
	    (path = cli_session_path(&status)) != NULL) {
		if (tokenfile_load(path, &token, &cause) == 0 &&
		    (c = link_connect(o, link, &status)) != NULL)
			r = client_call(c, "SESSION.RESUME", "token", token,
			    NULL);
		freezero_str(token);
		free(cause);
		free(path);
	}
	free(server);
	if (c != NULL && (r == NULL || !r->ok || !accept_same_user(o, c))) {
		client_close(c);
		c = NULL;
	}
	client_reply_free(r);
	return c;
}

static int
cli_accept(const struct cli_opts *o, const struct cli_args *a)
{
	const char *token, *name = cli_opt(a, "name"), *link = a->ops[0];
	struct client_reply *r;
	struct client *c;
	char *pw = NULL, *path, *cause = NULL;
	int status, resumed;

	/* Logged in: the session is the proof. Otherwise the password of
	   the account, if the address has one, or a new one (empty: come in
	   without, and ask for a login link next time). */
	if ((c = accept_resume(o, link)) != NULL)
		resumed = 1;
	else if ((c = link_connect(o, link, &status)) == NULL)
		return status;
	else {
		resumed = 0;
		pw = cli_password("Password (the account's, if this address "
		    "has one; else a new one, or empty for none): ");
	}
	r = client_call(c, "ACCEPT", "link", link, pw != NULL && *pw != '\0' ?
	    "password" : NULL, pw, name != NULL ? "name" : NULL, name, NULL);
	if (pw != NULL)
		freezero_str(pw);
	client_close(c);
	if (r == NULL)
		return cli_fail(EX_UNAVAILABLE, "accept: no answer");
	if (!r->ok)
		return cli_reply_fail("accept", r);
	status = EX_OK;
	if ((token = client_reply_get(r, "token")) != NULL &&
	    (path = cli_session_path(&status)) != NULL) {
		if (tokenfile_save(path, token, &cause) != 0) {
			status = cli_fail(EX_CANTCREAT, "%s", cause);
			free(cause);
		}
		free(path);
	}
	if (status == EX_OK)
		printf("you are in space %s%s\n", client_reply_get(r, "space"),
		    resumed ? "" : ", and logged in");
	client_reply_free(r);
	return status;
}

static int
cli_request_access(const struct cli_opts *o, const struct cli_args *a)
{
	const char *email = cli_opt(a, "email"), *name = cli_opt(a, "name");
	struct client_reply *r;
	struct client *c;
	int status;

	if (email == NULL && (email = o->email) == NULL)
		return cli_fail(EX_USAGE, "request-access: say who asks: "
		    "--email E");
	if ((c = link_connect(o, a->ops[0], &status)) == NULL)
		return status;
	r = client_call(c, "ACCESS.REQUEST", "link", a->ops[0], "email", email,
	    name != NULL ? "name" : NULL, name, NULL);
	client_close(c);
	if (r == NULL)
		return cli_fail(EX_UNAVAILABLE, "request-access: no answer");
	if (!r->ok)
		return cli_reply_fail("request-access", r);
	printf("access requested; the space's owner has been told\n");
	client_reply_free(r);
	return EX_OK;
}

const struct cli_cmd cli_space_cmds[] = {
	{ .name = "space list", .run = space_list,
	  .summary = "the spaces you are in",
	  .options = CLI_OPTIONS(CLI_JSON) },
	{ .name = "space show", .operands = "SPACE", .run = space_show,
	  .summary = "a space and its participants",
	  .options = CLI_OPTIONS(CLI_JSON) },
	{ .name = "space create", .operands = "TITLE", .run = space_create,
	  .summary = "create a space and print its id",
	  .options = CLI_OPTIONS({ "description", "D", "what it is for" },
	      { "network", NULL, "a business network from the start" }) },
	{ .name = "space edit", .operands = "SPACE TITLE", .run = space_edit,
	  .summary = "change a space's title (and description)",
	  .options = CLI_OPTIONS({ "description", "D", "what it is for" }) },
	{ .name = "space link", .operands = "SPACE", .run = space_one,
	  .verb = "SPACE.LINK", .summary = "print a space's shareable link" },
	{ .name = "space archive", .operands = "SPACE", .run = space_one,
	  .verb = "SPACE.ARCHIVE", .summary = "archive a space" },
	{ .name = "space reactivate", .operands = "SPACE", .run = space_one,
	  .verb = "SPACE.REACTIVATE", .summary = "bring an archived space back" },
	{ .name = "space leave", .operands = "SPACE", .run = space_one,
	  .verb = "SPACE.LEAVE", .summary = "leave a space" },
	{ .name = "space delete", .operands = "SPACE", .run = space_one,
	  .verb = "SPACE.DELETE", .summary = "delete a space for good",
	  .options = CLI_OPTIONS({ "yes", NULL, "yes (without it, nothing "
	      "happens)" }) },
	{ .name = "invite", .operands = "SPACE EMAIL...", .run = cli_invite,
	  .summary = "invite people by e-mail",
	  .options = CLI_OPTIONS({ "message", "M", "a word in the invitation" },
	      CLI_JSON) },
	{ .name = "accept", .operands = "LINK", .run = cli_accept,
	  .summary = "accept an invitation (asks for a password)",
	  .options = CLI_OPTIONS({ "name", "N", "your name" }) },
	{ .name = "request-access", .operands = "LINK",
	  .run = cli_request_access,
	  .summary = "ask for access through a space's shareable link",
	  .options = CLI_OPTIONS({ "email", "E", "who asks" },
	      { "name", "N", "their name" }) },
	{ .name = "revoke", .operands = "SPACE USER", .run = cli_participant,
	  .verb = "PARTICIPANT.REVOKE", .summary = "take someone's access away" },
	{ .name = "grant", .operands = "SPACE USER", .run = cli_participant,
	  .verb = "PARTICIPANT.GRANT",
	  .summary = "give access back, or grant an access request" },
	{ .name = "deny", .operands = "SPACE USER", .run = cli_participant,
	  .verb = "PARTICIPANT.DENY", .summary = "turn an access request down" },
	{ .name = "resend", .operands = "SPACE USER", .run = cli_participant,
	  .verb = "INVITE.RESEND",
	  .summary = "send an invitation again, with a new link" },
	{ .name = "remind", .operands = "SPACE USER", .run = cli_participant,
	  .verb = "INVITE.REMIND", .summary = "remind a pending invitee",
	  .options = CLI_OPTIONS({ "link", NULL, "print a new invitation link "
	      "to pass on by hand, not an e-mail" }) },
	{ .name = "profile", .operands = "SPACE USER", .run = cli_profile,
	  .summary = "edit your profile, or how a space knows an external",
	  .options = CLI_OPTIONS({ "name", "N", "the name" },
	      { "company", "C", "the company" },
	      { "job-title", "J", "the job title" }) },
	{ .name = NULL }
};
