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

static int
cli_fail(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
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
	if (strcmp(code, "invalid") == 0 || strcmp(code, "bad_request") == 0)
		return EX_DATAERR;
	return EX_PROTOCOL;
}

static int
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
static struct client *
cli_connect(const struct cli_opts *o, int *status)
{
	struct server_link l;
	struct client *c;
	char *cause = NULL, *text = NULL;

	if (server_open(o->server, o->ca_file, 0, &l, &cause) != 0) {
		*status = cli_fail(o->server == NULL ||
		    strchr(o->server, ':') == NULL ? EX_USAGE : EX_UNAVAILABLE,
		    "%s", cause);
		free(cause);
		return NULL;
	}
	if (l.trust == TRUST_CHANGED) {
		text = server_changed_text(&l, o->server);
		*status = cli_fail(EX_NOPERM, "%s", text);
		goto fail;
	}
	if (l.trust == TRUST_UNKNOWN) {
		text = server_unknown_text(&l, o->server);
		if (!cli_confirm(text)) {
			*status = cli_fail(EX_NOPERM, "%s not trusted (fingerprint "
			    "%s); run agora on a terminal to accept it, or use "
			    "--ca", o->server, client_fingerprint(l.client));
			goto fail;
		}
		free(text);
		text = NULL;
		if (server_pin(&l, o->server, &cause) != 0) {
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
static char *
cli_password(void)
{
	struct termios old, quiet;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int tty = isatty(STDIN_FILENO);

	if (tty) {
		fputs("Password: ", stderr);
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
cli_ping(const struct cli_opts *o)
{
	struct client_reply *r;
	struct client *c;
	int status;

	if ((c = cli_connect(o, &status)) == NULL)
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

static int
cli_login(const struct cli_opts *o)
{
	struct client_reply *r;
	struct client *c;
	char *pw, *path, *cause = NULL;
	int status;

	if (o->email == NULL)
		return cli_fail(EX_USAGE, "no e-mail: use --email or email = in "
		    "the config file");
	if ((path = paths_state("session")) == NULL)
		return cli_fail(EX_CONFIG, "no home directory for the session");
	if ((c = cli_connect(o, &status)) == NULL) {
		free(path);
		return status;
	}
	if ((pw = cli_password()) == NULL) {
		free(path);
		client_close(c);
		return cli_fail(EX_NOINPUT, "no password given");
	}
	r = client_call(c, "LOGIN", "email", o->email, "password", pw, NULL);
	freezero_str(pw);
	if (r == NULL)
		status = cli_fail(EX_UNAVAILABLE, "no answer from %s", o->server);
	else if (!r->ok)
		status = cli_reply_fail("login", r);
	else {
		if (tokenfile_save(path, client_reply_get(r, "token"),
		    &cause) != 0) {
			status = cli_fail(EX_CANTCREAT, "%s", cause);
			free(cause);
		} else {
			printf("logged in to %s as %s\n", o->server, o->email);
			status = EX_OK;
		}
		client_reply_free(r);
	}
	free(path);
	client_close(c);
	return status;
}

/* Connects and resumes the saved session. */
static struct client *
cli_resume(const struct cli_opts *o, char **path, int *status)
{
	struct client_reply *r;
	struct client *c;
	char *token = NULL, *cause = NULL;
	int rc;

	if ((*path = paths_state("session")) == NULL) {
		*status = cli_fail(EX_CONFIG, "no home directory for the session");
		return NULL;
	}
	if ((rc = tokenfile_load(*path, &token, &cause)) != 0) {
		*status = rc == 1 ? cli_fail(EX_NOPERM, "not logged in: run "
		    "agora login") : cli_fail(EX_NOPERM, "%s", cause);
		free(cause);
		return NULL;
	}
	if ((c = cli_connect(o, status)) == NULL) {
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

static void
json_string(const char *s)
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
			json_string(m.params[i].key);
			putchar(':');
			json_string(m.params[i].value);
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
cli_whoami(const struct cli_opts *o)
{
	struct client_reply *r;
	struct client *c;
	char *path = NULL;
	int status, first = 1;

	if ((c = cli_resume(o, &path, &status)) == NULL) {
		free(path);
		return status;
	}
	if ((r = client_call(c, "WHOAMI", NULL)) == NULL)
		status = cli_fail(EX_UNAVAILABLE, "no answer");
	else if (!r->ok)
		status = cli_reply_fail("whoami", r);
	else {
		if (o->json)
			putchar('{');
		for (size_t i = 0; i < r->ndata; i++)
			whoami_line(r->data[i], o->json, &first);
		if (o->json)
			printf("]}\n");
		client_reply_free(r);
		status = EX_OK;
	}
	free(path);
	client_close(c);
	return status;
}

static int
cli_logout(const struct cli_opts *o)
{
	struct client_reply *r;
	struct client *c;
	char *path = NULL;
	int status;

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

static const struct {
	const char	*name;
	int		(*fn)(const struct cli_opts *);
} cli_cmds[] = {
	{ "ping", cli_ping },
	{ "login", cli_login },
	{ "whoami", cli_whoami },
	{ "logout", cli_logout },
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
			return cli_cmds[i].fn(o);
	return cli_fail(EX_USAGE, "unknown command \"%s\"", argv[0]);
}
