#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <termios.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "client.h"
#include "connect.h"
#include "paths.h"
#include "proto.h"
#include "text.h"
#include "tokenfile.h"
#include "trust.h"
#include "xmalloc.h"

int
cli_fail(int status, const char *fmt, ...)
{
	va_list ap;

	fputs("agora: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return status;
}

/* An ERR reply as an exit status. */
static int
cli_err_status(const char *code)
{
	if (strcmp(code, "auth_failed") == 0 ||
	    strcmp(code, "auth_required") == 0 ||
	    strcmp(code, "forbidden") == 0)
		return EX_NOPERM;
	if (strcmp(code, "rate_limited") == 0 ||
	    strcmp(code, "unavailable") == 0 ||
	    strcmp(code, "shutting_down") == 0)
		return EX_TEMPFAIL;
	if (strcmp(code, "invalid") == 0 || strcmp(code, "bad_request") == 0 ||
	    strcmp(code, "conflict") == 0 ||
	    strcmp(code, "quota_exceeded") == 0)
		return EX_DATAERR;
	if (strcmp(code, "not_found") == 0)
		return EX_NOINPUT;
	if (strcmp(code, "plan_required") == 0)
		return CLI_EX_PLAN;
	return EX_PROTOCOL;
}

int
cli_reply_fail(const char *what, struct client_reply *r)
{
	const char *msg = client_reply_get(r, "msg");
	char *safe = text_sanitize(msg != NULL ? msg : r->code,
	    strlen(msg != NULL ? msg : r->code), 0);
	int status = cli_err_status(r->code);

	cli_fail(status, "%s: %s (%s)", what, safe, r->code);
	free(safe);
	client_reply_free(r);
	return status;
}

struct client_reply *
cli_reply_check(const char *what, struct client_reply *r, int *status)
{
	if (r == NULL)
		*status = cli_fail(EX_UNAVAILABLE, "%s: no answer", what);
	else if (!r->ok)
		*status = cli_reply_fail(what, r);
	else {
		*status = EX_OK;
		return r;
	}
	return NULL;
}

/* Asks on the terminal; 1 for yes. Refuses when there is no terminal. */
static int
cli_confirm(const char *question)
{
	char answer[16];
	FILE *tty = fopen("/dev/tty", "r+");
	int yes;

	if (tty == NULL)
		return 0;
	fprintf(tty, "%s [yes/no] ", question);
	fflush(tty);
	yes = fgets(answer, sizeof answer, tty) != NULL &&
	    strcmp(answer, "yes\n") == 0;
	fclose(tty);
	return yes;
}

/*
 * Connects and checks the server: against the CA file, or against the
 * fingerprint pinned in known_hosts, asking on the terminal the first time.
 */
struct client *
cli_connect_to(const struct cli_opts *o, const char *server, int *status)
{
	struct server_link l;
	struct client *c;
	char *cause = NULL, *text = NULL;

	if (server == NULL)
		server = o->server;
	if (server_open(server, o->ca_file, 0, &l, &cause) != 0) {
		*status = cli_fail(server == NULL ||
		    strchr(server, ':') == NULL ? EX_USAGE : EX_UNAVAILABLE,
		    "%s", cause);
		free(cause);
		return NULL;
	}
	if (l.trust == TRUST_CHANGED) {
		text = server_changed_text(&l, server);
		*status = cli_fail(EX_NOPERM, "%s", text);
		goto fail;
	}
	if (l.trust == TRUST_UNKNOWN) {
		text = server_unknown_text(&l, server);
		if (!cli_confirm(text)) {
			*status = cli_fail(EX_NOPERM, "%s not trusted (fingerprint "
			    "%s); run agora on a terminal to accept it, or use "
			    "--ca", server, client_fingerprint(l.client));
			goto fail;
		}
		free(text);
		text = NULL;
		if (server_pin(&l, server, &cause) != 0) {
			*status = cli_fail(EX_CANTCREAT, "%s", cause);
			free(cause);
			goto fail;
		}
	}
	c = l.client;
	l.client = NULL;
	server_link_free(&l);
	return c;
fail:
	free(text);
	server_link_free(&l);
	return NULL;
}

/* From the terminal without echo, or one line of standard input. */
char *
cli_password(const char *prompt)
{
	struct termios old, quiet;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int tty = isatty(STDIN_FILENO);

	if (tty) {
		fputs(prompt, stderr);
		tcgetattr(STDIN_FILENO, &old);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	n = getline(&line, &cap, stdin);
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	if (n <= 0) {
		free(line);
		return NULL;
	}
	line[strcspn(line, "\r\n")] = '\0';
	return line;
}

static int
cli_ping(const struct cli_opts *o, int argc, char **argv)
{
	struct client_reply *r;
	struct client *c;
	int status;

	(void)argv;
	if (argc > 1)
		return cli_fail(EX_USAGE, "usage: agora ping");
	if ((c = cli_connect_to(o, NULL, &status)) == NULL)
		return status;
	if ((r = client_call(c, "PING", NULL)) == NULL) {
		client_close(c);
		return cli_fail(EX_UNAVAILABLE, "no answer from %s", o->server);
	}
	status = r->ok ? EX_OK : cli_reply_fail("ping", r);
	if (r->ok) {
		printf("%s: alive\n", o->server);
		client_reply_free(r);
	}
	client_close(c);
	return status;
}

/* Keeps the token of a reply that opened a session. */
static int
cli_keep_session(struct client_reply *r)
{
	char *path, *cause = NULL;
	int status;

	if ((path = cli_session_path(&status)) == NULL)
		return status;
	status = EX_OK;
	if (tokenfile_save(path, client_reply_get(r, "token"), &cause) != 0) {
		status = cli_fail(EX_CANTCREAT, "%s", cause);
		free(cause);
	}
	free(path);
	return status;
}

/* agora login --link LINK: a one-time login link from an e-mail. */
static int
cli_login_link(const struct cli_opts *o, const char *link)
{
	struct client_reply *r;
	struct client *c;
	char *server;
	int status;

	if ((server = server_from_link(link)) == NULL)
		return cli_fail(EX_USAGE, "not an agora link: %s", link);
	if ((c = cli_connect_to(o, server, &status)) == NULL) {
		free(server);
		return status;
	}
	if ((r = client_call(c, "LOGIN.TOKEN", "link", link, NULL)) == NULL)
		status = cli_fail(EX_UNAVAILABLE, "no answer from %s", server);
	else if (!r->ok)
		status = cli_reply_fail("login", r);
	else {
		if ((status = cli_keep_session(r)) == EX_OK)
			printf("logged in to %s\n", server);
		client_reply_free(r);
	}
	free(server);
	client_close(c);
	return status;
}

static int
cli_login(const struct cli_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "link", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 }
	};
	struct client_reply *r;
	struct client *c;
	const char *link = NULL;
	char *pw;
	int status, ch;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		if (ch != 'l')
			return cli_fail(EX_USAGE, "usage: agora login "
			    "[--link LINK]");
		link = optarg;
	}
	if (optind < argc)
		return cli_fail(EX_USAGE, "usage: agora login [--link LINK]");
	if (link != NULL)
		return cli_login_link(o, link);
	if (o->email == NULL)
		return cli_fail(EX_USAGE, "no e-mail: use --email or email = in "
		    "the config file");
	if ((c = cli_connect_to(o, NULL, &status)) == NULL)
		return status;
	if ((pw = cli_password("Password: ")) == NULL || *pw == '\0') {
		free(pw);
		client_close(c);
		return cli_fail(EX_NOINPUT, "no password given (no password "
		    "yet? ask for a login link: agora login-link)");
	}
	r = client_call(c, "LOGIN", "email", o->email, "password", pw, NULL);
	freezero_str(pw);
	if (r == NULL)
		status = cli_fail(EX_UNAVAILABLE, "no answer from %s", o->server);
	else if (!r->ok)
		status = cli_reply_fail("login", r);
	else {
		if ((status = cli_keep_session(r)) == EX_OK)
			printf("logged in to %s as %s\n", o->server, o->email);
		client_reply_free(r);
	}
	client_close(c);
	return status;
}

/* agora login-link: asks for a one-time login link by e-mail. */
static int
cli_login_link_ask(const struct cli_opts *o, int argc, char **argv)
{
	struct client_reply *r;
	struct client *c;
	int status;

	(void)argv;
	if (argc > 1)
		return cli_fail(EX_USAGE, "usage: agora login-link");
	if (o->email == NULL)
		return cli_fail(EX_USAGE, "no e-mail: use --email or email = in "
		    "the config file");
	if ((c = cli_connect_to(o, NULL, &status)) == NULL)
		return status;
	if ((r = client_call(c, "LOGIN.LINK", "email", o->email, NULL)) == NULL)
		status = cli_fail(EX_UNAVAILABLE, "no answer from %s", o->server);
	else if (!r->ok)
		status = cli_reply_fail("login-link", r);
	else {
		printf("if %s has an account, a login link is on its way\n",
		    o->email);
		client_reply_free(r);
		status = EX_OK;
	}
	client_close(c);
	return status;
}

char *
cli_session_path(int *status)
{
	char *path = paths_state("session");

	if (path == NULL)
		*status = cli_fail(EX_CONFIG, "no home directory for the "
		    "session: set HOME or XDG_STATE_HOME");
	return path;
}

/*
 * The session again on a new connection, for client_call's one retry
 * after a dropped connection: the token is read from its file once more.
 */
static int
cli_resume_again(struct client *c, void *arg)
{
	struct client_reply *r;
	char *token = NULL, *cause = NULL;
	int ok;

	if (tokenfile_load(arg, &token, &cause) != 0) {
		free(cause);
		return -1;
	}
	r = client_call(c, "SESSION.RESUME", "token", token, NULL);
	freezero_str(token);
	ok = r != NULL && r->ok;
	client_reply_free(r);
	return ok ? 0 : -1;
}

/* Connects and resumes the saved session. */
static struct client *
cli_resume(const struct cli_opts *o, char **path, int *status)
{
	struct client_reply *r;
	struct client *c;
	char *token = NULL, *cause = NULL;
	int rc;

	if ((*path = cli_session_path(status)) == NULL)
		return NULL;
	if ((rc = tokenfile_load(*path, &token, &cause)) != 0) {
		*status = rc == 1 ? cli_fail(EX_NOPERM, "not logged in: run "
		    "agora login") : cli_fail(EX_NOPERM, "%s", cause);
		free(cause);
		return NULL;
	}
	if ((c = cli_connect_to(o, NULL, status)) == NULL) {
		freezero_str(token);
		return NULL;
	}
	r = client_call(c, "SESSION.RESUME", "token", token, NULL);
	freezero_str(token);
	if (r == NULL || !r->ok) {
		*status = r == NULL ? cli_fail(EX_UNAVAILABLE, "no answer from "
		    "%s", o->server) : cli_reply_fail("session", r);
		client_close(c);
		return NULL;
	}
	client_reply_free(r);
	return c;
}

struct client *
cli_session(const struct cli_opts *o, int *status)
{
	/* Lives as long as the process: a subcommand is one session. */
	static char *path;
	struct client *c;

	free(path);
	path = NULL;
	if ((c = cli_resume(o, &path, status)) != NULL)
		client_set_resume(c, cli_resume_again, path);
	return c;
}

void
cli_json_string(const char *s)
{
	putchar('"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

/* Prints one data line of WHOAMI, as text or as a JSON object. */
static void
whoami_line(const char *raw, int json, int *first_ws)
{
	char *line = xstrdup(raw), *safe;
	struct proto_msg m;
	const char *why;

	if (proto_parse(line, strlen(line), &m, &why) != 0) {
		free(line);
		return;
	}
	if (json) {
		int user = strcmp(m.word, "USER") == 0;

		if (!user)
			printf("%s{", *first_ws ? "" : ",");
		for (size_t i = 0; i < m.nparams; i++) {
			printf("%s", i > 0 ? "," : "");
			cli_json_string(m.params[i].key);
			putchar(':');
			cli_json_string(m.params[i].value);
		}
		if (user)
			printf(",\"workspaces\":[");
		else {
			putchar('}');
			*first_ws = 0;
		}
	} else {
		const char *name = proto_get(&m, "name");

		if (name == NULL)
			name = "";
		safe = text_sanitize(name, strlen(name), 0);
		if (strcmp(m.word, "USER") == 0)
			printf("%s <%s>\n", safe, proto_get(&m, "email"));
		else
			printf("  %s (%s)\n", safe, proto_get(&m, "role"));
		free(safe);
	}
	free(line);
}

static int
cli_whoami(const struct cli_opts *o, int argc, char **argv)
{
	struct client_reply *r;
	struct client *c;
	struct cli_args ca;
	int status, first = 1, json = o->json;

	if (cli_args(argc, argv, &ca) != argc)
		return cli_fail(EX_USAGE, "usage: agora whoami [--json]");
	json |= ca.json;
	if ((c = cli_session(o, &status)) == NULL)
		return status;
	if ((r = client_call(c, "WHOAMI", NULL)) == NULL)
		status = cli_fail(EX_UNAVAILABLE, "no answer");
	else if (!r->ok)
		status = cli_reply_fail("whoami", r);
	else {
		if (json)
			putchar('{');
		for (size_t i = 0; i < r->ndata; i++)
			whoami_line(r->data[i], json, &first);
		if (json)
			printf("]}\n");
		client_reply_free(r);
		status = EX_OK;
	}
	client_close(c);
	return status;
}

static int
cli_logout(const struct cli_opts *o, int argc, char **argv)
{
	struct client_reply *r;
	struct client *c;
	char *path = NULL;
	int status;

	(void)argv;
	if (argc > 1)
		return cli_fail(EX_USAGE, "usage: agora logout");
	if ((c = cli_resume(o, &path, &status)) == NULL) {
		/* A session the server no longer knows is logged out. */
		if (status == EX_NOPERM && path != NULL)
			tokenfile_remove(path);
		free(path);
		return status;
	}
	if ((r = client_call(c, "LOGOUT", NULL)) == NULL)
		status = cli_fail(EX_UNAVAILABLE, "no answer");
	else if (!r->ok)
		status = cli_reply_fail("logout", r);
	else {
		client_reply_free(r);
		tokenfile_remove(path);
		printf("logged out\n");
		status = EX_OK;
	}
	free(path);
	client_close(c);
	return status;
}

int
cli_args(int argc, char **argv, struct cli_args *a)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "message", required_argument, NULL, 'm' },
		{ "description", required_argument, NULL, 'd' },
		{ "email", required_argument, NULL, 'e' },
		{ "name", required_argument, NULL, 'n' },
		{ "company", required_argument, NULL, 'c' },
		{ "job-title", required_argument, NULL, 't' },
		{ "link", no_argument, NULL, 'l' },
		{ "network", no_argument, NULL, 'N' },
		{ "space", required_argument, NULL, 's' },
		{ "before", required_argument, NULL, 'b' },
		{ "limit", required_argument, NULL, 'L' },
		{ "always-add", required_argument, NULL, 'A' },
		{ "always-collaborator", required_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	memset(a, 0, sizeof *a);
	optind = 0;	/* GNU getopt: start over on a new argv */
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'j': a->json = 1; break;
		case 'm': a->message = optarg; break;
		case 'd': a->description = optarg; break;
		case 'e': a->email = optarg; break;
		case 'n': a->name = optarg; break;
		case 'c': a->company = optarg; break;
		case 't': a->job_title = optarg; break;
		case 'l': a->link = 1; break;
		case 'N': a->network = 1; break;
		case 's': a->space = optarg; break;
		case 'b': a->before = optarg; break;
		case 'L': a->limit = optarg; break;
		case 'A': a->always_add = optarg; break;
		case 'C': a->always_collaborator = optarg; break;
		default: return -1;
		}
	}
	return optind;
}

static const struct {
	const char	*name;
	int		(*fn)(const struct cli_opts *, int, char **);
} cli_cmds[] = {
	{ "ping", cli_ping },
	{ "login", cli_login },
	{ "login-link", cli_login_link_ask },
	{ "whoami", cli_whoami },
	{ "logout", cli_logout },
	{ "space", cli_space },
	{ "invite", cli_invite },
	{ "accept", cli_accept },
	{ "request-access", cli_request_access },
	{ "revoke", cli_participant },
	{ "grant", cli_participant },
	{ "deny", cli_participant },
	{ "resend", cli_participant },
	{ "remind", cli_participant },
	{ "profile", cli_profile },
	{ "file", cli_file },
	{ "comment", cli_comment },
	{ "comments", cli_comment },
	{ "network", cli_network },
	{ "contacts", cli_contacts },
	{ "contact", cli_contact },
	{ "candidates", cli_candidates },
	{ "msg", cli_msg },
	{ "messages", cli_messages },
	{ "read", cli_read },
	{ "conversations", cli_conversations },
};

int
cli_known(const char *name)
{
	for (size_t i = 0; i < sizeof cli_cmds / sizeof cli_cmds[0]; i++)
		if (strcmp(cli_cmds[i].name, name) == 0)
			return 1;
	return 0;
}

int
cli_run(const struct cli_opts *o, int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	for (size_t i = 0; i < sizeof cli_cmds / sizeof cli_cmds[0]; i++)
		if (strcmp(cli_cmds[i].name, argv[0]) == 0)
			return cli_cmds[i].fn(o, argc, argv);
	return cli_fail(EX_USAGE, "unknown command \"%s\"", argv[0]);
}
