/*
 * The space subcommands, for scripts: agora space list|show|create|edit|
 * link|archive|reactivate|leave|delete, agora invite, accept, request-access,
 * revoke, grant and deny. Data goes to standard output (text, or JSON
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
space_show(const struct cli_opts *o, const struct cli_args *a,
    const char *space)
{
	static const char *const cols[] = { "user", "role", "status",
		"overdue", "email", "name", NULL };
	static const int widths[] = { 6, 9, 10, 7, 32, 0 };
	struct client_reply *r;
	int status;

	if ((r = session_call(o, "space show", &status, "SPACE.SHOW", "space",
	    space, NULL, NULL, NULL, NULL)) == NULL)
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

/* SPACE.CREATE with the options given (a key left NULL would end the
   pairs early, so they are packed). */
static struct client_reply *
space_create(const struct cli_opts *o, const struct cli_args *a,
    const char *title, int *status)
{
	const char *k[2] = { NULL }, *v[2] = { NULL };
	size_t n = 0;

	if (a->description != NULL) {
		k[n] = "description";
		v[n++] = a->description;
	}
	if (a->network) {
		k[n] = "network";
		v[n++] = "1";
	}
	return session_call(o, "space create", status, "SPACE.CREATE",
	    "title", title, k[0], v[0], k[1], v[1]);
}

/* create, edit, link, archive, reactivate, leave, delete: one request
   each. */
static int
space_change(const struct cli_opts *o, const struct cli_args *a,
    const char *what, int argc, char **argv)
{
	struct client_reply *r = NULL;
	const char *space = argc > 0 ? argv[0] : NULL;
	int status;

	if (strcmp(what, "create") == 0 && argc == 1)
		r = space_create(o, a, argv[0], &status);
	else if (strcmp(what, "edit") == 0 && argc == 2)
		r = session_call(o, "space edit", &status, "SPACE.EDIT",
		    "space", space, "title", argv[1], a->description != NULL ?
		    "description" : NULL, a->description);
	else if (strcmp(what, "link") == 0 && argc == 1)
		r = session_call(o, "space link", &status, "SPACE.LINK",
		    "space", space, NULL, NULL, NULL, NULL);
	else if (strcmp(what, "archive") == 0 && argc == 1)
		r = session_call(o, "space archive", &status, "SPACE.ARCHIVE",
		    "space", space, NULL, NULL, NULL, NULL);
	else if (strcmp(what, "reactivate") == 0 && argc == 1)
		r = session_call(o, "space reactivate", &status,
		    "SPACE.REACTIVATE", "space", space, NULL, NULL, NULL, NULL);
	else if (strcmp(what, "leave") == 0 && argc == 1)
		r = session_call(o, "space leave", &status, "SPACE.LEAVE",
		    "space", space, NULL, NULL, NULL, NULL);
	else if (strcmp(what, "delete") == 0 && argc == 2 &&
	    strcmp(argv[1], "--yes") == 0)
		r = session_call(o, "space delete", &status, "SPACE.DELETE",
		    "space", space, "confirm", "yes", NULL, NULL);
	else
		return cli_fail(EX_USAGE, "usage: agora space create TITLE "
		    "[--description D] [--network] | edit SPACE TITLE | "
		    "link SPACE | archive SPACE | reactivate SPACE | "
		    "leave SPACE | delete SPACE --yes");
	if (r == NULL)
		return status;
	if (client_reply_get(r, "space") != NULL)
		printf("%s\n", client_reply_get(r, "space"));
	if (client_reply_get(r, "link") != NULL)
		printf("%s\n", client_reply_get(r, "link"));
	client_reply_free(r);
	return EX_OK;
}

char **
cli_operands(int argc, char **argv, struct cli_args *a, int *n)
{
	int first = cli_args(argc, argv, a);

	if (first < 0)
		return NULL;
	*n = argc - first;
	return argv + first;
}

int
cli_space(const struct cli_opts *o, int argc, char **argv)
{
	struct cli_args a;
	char **ops;
	int n;

	if (argc < 2 || (ops = cli_operands(argc - 1, argv + 1, &a, &n)) == NULL)
		return cli_fail(EX_USAGE, "usage: agora space list|show|create|"
		    "edit|link|archive|reactivate|leave|delete ...");
	if (strcmp(argv[1], "list") == 0 && n == 0)
		return space_list(o, &a);
	if (strcmp(argv[1], "show") == 0 && n == 1)
		return space_show(o, &a, ops[0]);
	return space_change(o, &a, argv[1], n, ops);
}

int
cli_invite(const struct cli_opts *o, int argc, char **argv)
{
	static const char *const cols[] = { "email", "role", "status", NULL };
	static const int widths[] = { 40, 9, 0 };
	struct client_reply *r;
	struct cli_args a;
	struct buf *emails;
	char **ops;
	int n, status;

	if ((ops = cli_operands(argc, argv, &a, &n)) == NULL || n < 2)
		return cli_fail(EX_USAGE, "usage: agora invite SPACE EMAIL... "
		    "[--message M]");
	emails = buf_new(0);
	for (int i = 1; i < n; i++)
		buf_printf(emails, "%s%s", i > 1 ? " " : "", ops[i]);
	r = session_call(o, "invite", &status, "INVITE", "space", ops[0],
	    "emails", buf_cstr(emails), a.message != NULL ? "message" : NULL,
	    a.message);
	buf_free(emails);
	if (r == NULL)
		return status;
	cli_print_lines(r, a.json, cols, widths);
	warn_reply(r);
	client_reply_free(r);
	return EX_OK;
}

/* The verbs about one participant, by subcommand. */
static const struct {
	const char	*command;
	const char	*verb;
} person_verbs[] = {
	{ "revoke", "PARTICIPANT.REVOKE" },
	{ "grant", "PARTICIPANT.GRANT" },
	{ "deny", "PARTICIPANT.DENY" },
	{ "resend", "INVITE.RESEND" },
	{ "remind", "INVITE.REMIND" },
};

/* revoke, grant, deny, resend, remind [--link] SPACE USER */
int
cli_participant(const struct cli_opts *o, int argc, char **argv)
{
	const char *verb = NULL, *link;
	struct client_reply *r;
	struct cli_args a;
	char **ops;
	int n, status;

	for (size_t i = 0; i < sizeof person_verbs / sizeof person_verbs[0];
	    i++)
		if (strcmp(argv[0], person_verbs[i].command) == 0)
			verb = person_verbs[i].verb;
	if (verb == NULL || (ops = cli_operands(argc, argv, &a, &n)) == NULL ||
	    n != 2 || (a.link && strcmp(argv[0], "remind") != 0))
		return cli_fail(EX_USAGE, "usage: agora %s SPACE USER%s",
		    argv[0], strcmp(argv[0], "remind") == 0 ? " [--link]" : "");
	if ((r = session_call(o, argv[0], &status, verb, "space", ops[0],
	    "user", ops[1], a.link ? "how" : NULL, "link")) == NULL)
		return status;
	/* remind --link: a link to pass on by hand. */
	if ((link = client_reply_get(r, "link")) != NULL)
		printf("%s\n", link);
	client_reply_free(r);
	return EX_OK;
}

/* profile SPACE USER [--name N] [--company C] [--job-title J] */
int
cli_profile(const struct cli_opts *o, int argc, char **argv)
{
	const char *k[4] = { NULL }, *v[4] = { NULL };
	struct client_reply *r;
	struct client *c;
	struct cli_args a;
	char **ops;
	int n, status;
	size_t np = 0;

	if ((ops = cli_operands(argc, argv, &a, &n)) == NULL || n != 2)
		return cli_fail(EX_USAGE, "usage: agora profile SPACE USER "
		    "[--name N] [--company C] [--job-title J]");
	/* Only what was given changes: the pairs, packed. */
	if (a.name != NULL) {
		k[np] = "name";
		v[np++] = a.name;
	}
	if (a.company != NULL) {
		k[np] = "company";
		v[np++] = a.company;
	}
	if (a.job_title != NULL) {
		k[np] = "job_title";
		v[np++] = a.job_title;
	}
	if (np == 0)
		return cli_fail(EX_USAGE, "profile: give --name, --company or "
		    "--job-title");
	if ((c = cli_session(o, &status)) == NULL)
		return status;
	r = client_call(c, "PARTICIPANT.EDIT", "space", ops[0], "user", ops[1],
	    k[0], v[0], k[1], v[1], k[2], v[2], NULL);
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

int
cli_accept(const struct cli_opts *o, int argc, char **argv)
{
	struct client_reply *r;
	struct cli_args a;
	struct client *c;
	char **ops, *pw = NULL, *path, *cause = NULL;
	const char *token;
	int n, status, resumed;

	if ((ops = cli_operands(argc, argv, &a, &n)) == NULL || n != 1)
		return cli_fail(EX_USAGE, "usage: agora accept LINK [--name N]");
	/* Logged in: the session is the proof. Otherwise the password of
	   the account, if the address has one, or a new one (empty: come in
	   without, and ask for a login link next time). */
	if ((c = accept_resume(o, ops[0])) != NULL)
		resumed = 1;
	else if ((c = link_connect(o, ops[0], &status)) == NULL)
		return status;
	else {
		resumed = 0;
		pw = cli_password("Password (the account's, if this address "
		    "has one; else a new one, or empty for none): ");
	}
	r = client_call(c, "ACCEPT", "link", ops[0], pw != NULL && *pw != '\0' ?
	    "password" : NULL, pw, a.name != NULL ? "name" : NULL, a.name,
	    NULL);
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

int
cli_request_access(const struct cli_opts *o, int argc, char **argv)
{
	struct client_reply *r;
	struct cli_args a;
	struct client *c;
	const char *email;
	char **ops;
	int n, status;

	if ((ops = cli_operands(argc, argv, &a, &n)) == NULL || n != 1)
		return cli_fail(EX_USAGE, "usage: agora request-access LINK "
		    "--email E [--name N]");
	if ((email = a.email != NULL ? a.email : o->email) == NULL)
		return cli_fail(EX_USAGE, "request-access: say who asks: "
		    "--email E");
	if ((c = link_connect(o, ops[0], &status)) == NULL)
		return status;
	r = client_call(c, "ACCESS.REQUEST", "link", ops[0], "email", email,
	    a.name != NULL ? "name" : NULL, a.name, NULL);
	client_close(c);
	if (r == NULL)
		return cli_fail(EX_UNAVAILABLE, "request-access: no answer");
	if (!r->ok)
		return cli_reply_fail("request-access", r);
	printf("access requested; the space's owner has been told\n");
	client_reply_free(r);
	return EX_OK;
}
