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
				printf("%s{", first ? "" : ",");
				cli_json_members(&m);
				putchar('}');
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

int
cli_print_reply(struct client_reply *r, const int *status, int json,
    const char *const *cols, const int *widths)
{
	if (r == NULL)
		return *status;
	cli_print_lines(r, json, cols, widths);
	client_reply_free(r);
	return EX_OK;
}

void
cli_json_array(const struct client_reply *r)
{
	print_lines(r, 1, NULL, NULL);
}

/* The final line's warning, if any, on standard error. */
static void
warn_reply(const struct client_reply *r)
{
	const char *w = client_reply_get(r, "warning");
	char *safe;

	if (w != NULL) {
		safe = text_sanitize(w, strlen(w), 0);
		fprintf(stderr, _("agora: warning: %s\n"), safe);
		free(safe);
	}
}

static int
space_list(const struct cli_opts *o, const struct cli_args *a)
{
	static const char *const cols[] = { "id", "role", "people",
		"pending", "overdue", "title", NULL };
	static const int widths[] = { 6, 9, 6, 7, 7, 0 };
	int status;

	return cli_print_reply(cli_call(o, NULL, "space list", &status,
	    "SPACE.LIST", NULL), &status, a->json, cols, widths);
}

static int
space_show(const struct cli_opts *o, const struct cli_args *a)
{
	static const char *const cols[] = { "user", "role", "status",
		"overdue", "email", "name", NULL };
	static const int widths[] = { 6, 9, 10, 7, 32, 0 };
	struct client_reply *r;
	int status;

	if ((r = cli_call(o, NULL, "space show", &status, "SPACE.SHOW",
	    "space", a->ops[0], NULL)) == NULL)
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

/* What a change answers with: the space's id (create), its link (link);
   r NULL: *status. */
static int
space_changed(struct client_reply *r, const int *status)
{
	if (r == NULL)
		return *status;
	if (client_reply_get(r, "space") != NULL)
		printf("%s\n", client_reply_get(r, "space"));
	if (client_reply_get(r, "link") != NULL)
		printf("%s\n", client_reply_get(r, "link"));
	client_reply_free(r);
	return EX_OK;
}

static int
space_create(const struct cli_opts *o, const struct cli_args *a)
{
	int status;

	return space_changed(cli_call(o, NULL, a->name, &status,
	    "SPACE.CREATE", "title", a->ops[0], "description", cli_opt(a,
	    "description"), "network", cli_opt(a, "network") != NULL ? "1" :
	    NULL, NULL), &status);
}

static int
space_edit(const struct cli_opts *o, const struct cli_args *a)
{
	int status;

	return space_changed(cli_call(o, NULL, a->name, &status, "SPACE.EDIT",
	    "space", a->ops[0], "title", a->ops[1], "description", cli_opt(a,
	    "description"), NULL), &status);
}

/* link, archive, reactivate, leave, delete: the entry's verb on a space. */
static int
space_one(const struct cli_opts *o, const struct cli_args *a)
{
	int status, del = strcmp(a->cmd->verb, "SPACE.DELETE") == 0;

	if (del && cli_opt(a, "yes") == NULL)
		return cli_usage(a);
	return space_changed(cli_call(o, NULL, a->name, &status, a->cmd->verb,
	    "space", a->ops[0], "confirm", del ? "yes" : NULL, NULL), &status);
}

static int
cli_invite(const struct cli_opts *o, const struct cli_args *a)
{
	static const char *const cols[] = { "email", "role", "status", NULL };
	static const int widths[] = { 40, 9, 0 };
	struct client_reply *r;
	struct buf *emails;
	int status;

	emails = buf_new(0);
	for (int i = 1; i < a->n; i++)
		buf_printf(emails, "%s%s", i > 1 ? " " : "", a->ops[i]);
	r = cli_call(o, NULL, "invite", &status, "INVITE", "space", a->ops[0],
	    "emails", buf_cstr(emails), "message", cli_opt(a, "message"), NULL);
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
	int status, how = strcmp(a->name, "remind") == 0 &&
	    cli_opt(a, "link") != NULL;

	if ((r = cli_call(o, NULL, a->name, &status, a->cmd->verb, "space",
	    a->ops[0], "user", a->ops[1], "how", how ? "link" : NULL, NULL)) ==
	    NULL)
		return status;
	/* remind --link: a link to pass on by hand. */
	if ((link = client_reply_get(r, "link")) != NULL)
		printf("%s\n", link);
	client_reply_free(r);
	return EX_OK;
}

/* profile SPACE USER [--name N] [--company C] [--job-title J]: only
   what was given changes. */
static int
cli_profile(const struct cli_opts *o, const struct cli_args *a)
{
	const char *name = cli_opt(a, "name"), *company = cli_opt(a, "company");
	const char *job = cli_opt(a, "job-title");
	struct client_reply *r;
	int status;

	if (name == NULL && company == NULL && job == NULL)
		return cli_fail(EX_USAGE, _("profile: give --name, --company "
		    "or --job-title"));
	r = cli_call(o, NULL, "profile", &status, "PARTICIPANT.EDIT", "space",
	    a->ops[0], "user", a->ops[1], "name", name, "company", company,
	    "job_title", job, NULL);
	client_reply_free(r);
	return status;
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
		    (c = cli_connect_link(o, link, &status)) != NULL)
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
	const char *name = cli_opt(a, "name"), *link = a->ops[0];
	struct client_reply *r;
	struct client *c;
	char *pw = NULL;
	int status, resumed;

	/* Logged in: the session is the proof. Otherwise the password of
	   the account, if the address has one, or a new one (empty: come in
	   without, and ask for a login link next time). */
	if ((c = accept_resume(o, link)) != NULL)
		resumed = 1;
	else if ((c = cli_connect_link(o, link, &status)) == NULL)
		return status;
	else {
		resumed = 0;
		pw = cli_password(_("Password (the account's, if this "
		    "address has one; else a new one, or empty for none): "));
	}
	r = cli_call(o, c, "accept", &status, "ACCEPT", "link", link,
	    "password", pw != NULL && *pw != '\0' ? pw : NULL, "name", name,
	    NULL);
	if (pw != NULL)
		freezero_str(pw);
	client_close(c);
	if (r == NULL)
		return status;
	status = client_reply_get(r, "token") != NULL ? cli_keep_session(r) :
	    EX_OK;
	if (status == EX_OK)
		printf(resumed ? _("you are in space %s\n") : _("you are in "
		    "space %s, and logged in\n"), client_reply_get(r, "space"));
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
		return cli_fail(EX_USAGE, _("request-access: say who asks: "
		    "--email E"));
	if ((c = cli_connect_link(o, a->ops[0], &status)) == NULL)
		return status;
	r = cli_call(o, c, a->name, &status, "ACCESS.REQUEST", "link",
	    a->ops[0], "email", email, "name", name, NULL);
	client_close(c);
	if (r == NULL)
		return status;
	printf(_("access requested; the space's owner has been told\n"));
	client_reply_free(r);
	return EX_OK;
}

const struct cli_cmd cli_space_cmds[] = {
	{ "space list", space_list, N_("the spaces you are in"),
	    CLI_OPTIONS(CLI_JSON), NULL },
	{ "space show SPACE", space_show, N_("a space and its participants"),
	    CLI_OPTIONS(CLI_JSON), NULL },
	{ "space create TITLE", space_create, N_("create a space, print its "
	    "id"), CLI_OPTIONS({ "description", "D", N_("what it is for") },
	    { "network", NULL, N_("a business network from the start") }),
	    NULL },
	{ "space edit SPACE TITLE", space_edit, N_("change a space's title"),
	    CLI_OPTIONS({ "description", "D", N_("and what it is for") }),
	    NULL },
	{ "space link SPACE", space_one, N_("print a space's shareable link"),
	    NULL, "SPACE.LINK" },
	{ "space archive SPACE", space_one, N_("archive a space"), NULL,
	    "SPACE.ARCHIVE" },
	{ "space reactivate SPACE", space_one, N_("bring an archived space "
	    "back"), NULL, "SPACE.REACTIVATE" },
	{ "space leave SPACE", space_one, N_("leave a space"), NULL,
	    "SPACE.LEAVE" },
	{ "space delete SPACE", space_one, N_("delete a space for good"),
	    CLI_OPTIONS({ "yes", NULL, N_("yes: without it nothing "
	    "happens") }), "SPACE.DELETE" },
	{ "invite SPACE EMAIL...", cli_invite, N_("invite people by e-mail"),
	    CLI_OPTIONS({ "message", "M", N_("a word in the invitation") },
	    CLI_JSON), NULL },
	{ "accept LINK", cli_accept, N_("accept an invitation (asks for a "
	    "password)"), CLI_OPTIONS({ "name", "N", N_("your name") }), NULL },
	{ "request-access LINK", cli_request_access, N_("ask to join a space "
	    "by its shareable link"), CLI_OPTIONS({ "email", "E", N_("who "
	    "asks") }, { "name", "N", N_("their name") }), NULL },
	{ "revoke SPACE USER", cli_participant, N_("take someone's access "
	    "away"), NULL, "PARTICIPANT.REVOKE" },
	{ "grant SPACE USER", cli_participant, N_("give access back, or grant "
	    "a request"), NULL, "PARTICIPANT.GRANT" },
	{ "deny SPACE USER", cli_participant, N_("turn an access request "
	    "down"), NULL, "PARTICIPANT.DENY" },
	{ "resend SPACE USER", cli_participant, N_("send an invitation again, "
	    "with a new link"), NULL, "INVITE.RESEND" },
	{ "remind SPACE USER", cli_participant, N_("remind a pending invitee"),
	    CLI_OPTIONS({ "link", NULL, N_("print a new invitation link to "
	    "pass on by hand") }), "INVITE.REMIND" },
	{ "profile SPACE USER", cli_profile, N_("edit yours, or how a space "
	    "knows an external"), CLI_OPTIONS({ "name", "N", N_("the name") },
	    { "company", "C", N_("the company") }, { "job-title", "J",
	    N_("the job title") }), NULL },
	{ 0 }
};
