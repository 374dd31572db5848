/*
 * The subcommands' table and what every one shares: the options parsed
 * from its entry, its usage and --help, the connection, the saved session,
 * errors as exit statuses. The session subcommands (ping, login, whoami,
 * logout) are here too.
 */
#include <ctype.h>
#include <signal.h>
#include <stdarg.h>
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
#include "log.h"
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

/* ERR codes as exit statuses; any other is EX_PROTOCOL. */
static const struct {
	const char	*code;
	int		 status;
} cli_err_statuses[] = {
	{ "auth_failed", EX_NOPERM }, { "auth_required", EX_NOPERM },
	{ "forbidden", EX_NOPERM }, { "rate_limited", EX_TEMPFAIL },
	{ "unavailable", EX_TEMPFAIL }, { "shutting_down", EX_TEMPFAIL },
	{ "invalid", EX_DATAERR }, { "bad_request", EX_DATAERR },
	{ "conflict", EX_DATAERR }, { "quota_exceeded", EX_DATAERR },
	{ "not_found", EX_NOINPUT }, { "plan_required", CLI_EX_PLAN },
};

int
cli_reply_fail(const char *what, struct client_reply *r)
{
	const char *msg = client_reply_get(r, "msg");
	char *safe = text_sanitize(msg != NULL ? msg : r->code,
	    strlen(msg != NULL ? msg : r->code), 0);
	int status = EX_PROTOCOL;

	for (size_t i = 0; i < sizeof cli_err_statuses /
	    sizeof cli_err_statuses[0]; i++)
		if (strcmp(r->code, cli_err_statuses[i].code) == 0)
			status = cli_err_statuses[i].status;

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
	fprintf(tty, _("%s [yes/no] "), question);
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
			*status = cli_fail(EX_NOPERM, _("%s not trusted "
			    "(fingerprint %s); run agora on a terminal to "
			    "accept it, or use --ca"), server,
			    client_fingerprint(l.client));
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

struct client *
cli_connect_link(const struct cli_opts *o, const char *link, int *status)
{
	char *server = server_from_link(link);
	struct client *c;

	if (server == NULL) {
		*status = cli_fail(EX_USAGE, _("not an agora link: %s"), link);
		return NULL;
	}
	c = cli_connect_to(o, server, status);
	free(server);
	return c;
}

/* Connected, for a subcommand that names the account by --email. */
static struct client *
cli_connect_email(const struct cli_opts *o, int *status)
{
	if (o->email == NULL) {
		*status = cli_fail(EX_USAGE, _("no e-mail: use --email or "
		    "email = in the config file"));
		return NULL;
	}
	return cli_connect_to(o, NULL, status);
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
cli_ping(const struct cli_opts *o, const struct cli_args *a)
{
	struct client_reply *r;
	struct client *c;
	int status;

	if ((c = cli_connect_to(o, NULL, &status)) == NULL)
		return status;
	if ((r = cli_call(o, c, "ping", &status, "PING", NULL)) != NULL) {
		printf(_("%s: alive\n"), o->server);
		client_reply_free(r);
	}
	client_close(c);
	return status;
}

struct client_reply *
cli_call(const struct cli_opts *o, struct client *c, const char *what,
    int *status, const char *verb, ...)
{
	const char *kv[16] = { NULL }, *k, *v;
	struct client *own = NULL;
	struct client_reply *r;
	size_t n = 0;
	va_list ap;

	va_start(ap, verb);
	while ((k = va_arg(ap, const char *)) != NULL)
		if ((v = va_arg(ap, const char *)) != NULL) {
			if (n == 14)
				fatalx("%s: too many parameters", verb);
			kv[n++] = k;
			kv[n++] = v;
		}
	va_end(ap);
	if (c == NULL && (c = own = cli_session(o, status)) == NULL)
		return NULL;
	r = client_call(c, verb, kv[0], kv[1], kv[2], kv[3], kv[4], kv[5],
	    kv[6], kv[7], kv[8], kv[9], kv[10], kv[11], kv[12], kv[13], NULL);
	if (own != NULL)
		client_close(own);
	if (r == NULL)
		*status = cli_fail(EX_UNAVAILABLE, _("%s: no answer"), what);
	else if (!r->ok)
		*status = cli_reply_fail(what, r);
	else {
		*status = EX_OK;
		return r;
	}
	return NULL;
}

int
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
		return cli_fail(EX_USAGE, _("not an agora link: %s"), link);
	if ((c = cli_connect_to(o, server, &status)) == NULL) {
		free(server);
		return status;
	}
	if ((r = cli_call(o, c, "login", &status, "LOGIN.TOKEN", "link", link,
	    NULL)) != NULL) {
		if ((status = cli_keep_session(r)) == EX_OK)
			printf(_("logged in to %s\n"), server);
		client_reply_free(r);
	}
	free(server);
	client_close(c);
	return status;
}

static int
cli_login(const struct cli_opts *o, const struct cli_args *a)
{
	struct client_reply *r;
	struct client *c;
	char *pw;
	int status;

	if (cli_opt(a, "link") != NULL)
		return cli_login_link(o, cli_opt(a, "link"));
	if ((c = cli_connect_email(o, &status)) == NULL)
		return status;
	if ((pw = cli_password(_("Password: "))) == NULL || *pw == '\0') {
		free(pw);
		client_close(c);
		return cli_fail(EX_NOINPUT, _("no password given (no password "
		    "yet? ask for a login link: agora login-link)"));
	}
	r = cli_call(o, c, "login", &status, "LOGIN", "email", o->email,
	    "password", pw, NULL);
	freezero_str(pw);
	if (r != NULL) {
		if ((status = cli_keep_session(r)) == EX_OK)
			printf(_("logged in to %s as %s\n"), o->server,
			    o->email);
		client_reply_free(r);
	}
	client_close(c);
	return status;
}

/* agora login-link: asks for a one-time login link by e-mail. */
static int
cli_login_link_ask(const struct cli_opts *o, const struct cli_args *a)
{
	struct client_reply *r;
	struct client *c;
	int status;

	if ((c = cli_connect_email(o, &status)) == NULL)
		return status;
	if ((r = cli_call(o, c, "login-link", &status, "LOGIN.LINK", "email",
	    o->email, NULL)) != NULL) {
		printf(_("if %s has an account, a login link is on its way\n"),
		    o->email);
		client_reply_free(r);
	}
	client_close(c);
	return status;
}

char *
cli_session_path(int *status)
{
	char *path = paths_state("session");

	if (path == NULL)
		*status = cli_fail(EX_CONFIG, _("no home directory for the "
		    "session: set HOME or XDG_STATE_HOME"));
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
		*status = cli_fail(EX_NOPERM, "%s", rc == 1 ? _("not logged "
		    "in: run agora login") : cause);
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
		*status = r == NULL ? cli_fail(EX_UNAVAILABLE, _("no answer "
		    "from %s"), o->server) : cli_reply_fail("session", r);
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
		cli_json_members(&m);
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
cli_whoami(const struct cli_opts *o, const struct cli_args *a)
{
	struct client_reply *r;
	int status, first = 1, json = a->json;

	if ((r = cli_call(o, NULL, "whoami", &status, "WHOAMI", NULL)) == NULL)
		return status;
	if (json)
		putchar('{');
	for (size_t i = 0; i < r->ndata; i++)
		whoami_line(r->data[i], json, &first);
	if (json)
		printf("]}\n");
	client_reply_free(r);
	return EX_OK;
}

static int
cli_logout(const struct cli_opts *o, const struct cli_args *a)
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
	if ((r = cli_call(o, c, "logout", &status, "LOGOUT", NULL)) != NULL) {
		client_reply_free(r);
		tokenfile_remove(path);
		printf(_("logged out\n"));
	}
	free(path);
	client_close(c);
	return status;
}

static const struct cli_cmd cli_session_cmds[] = {
	{ "ping", cli_ping, N_("check that the server answers"), NULL, NULL },
	{ "login", cli_login, N_("log in (the password from the terminal "
	    "or stdin)"), CLI_OPTIONS({ "link", "LINK", N_("with a one-time "
	    "login link from an e-mail instead") }), NULL },
	{ "login-link", cli_login_link_ask, N_("e-mail me a one-time login "
	    "link"),
	    NULL, NULL },
	{ "whoami", cli_whoami, N_("the user and their workspaces"),
	    CLI_OPTIONS(CLI_JSON), NULL },
	{ "logout", cli_logout, N_("end the saved session"), NULL, NULL },
	{ 0 }
};

/* Every domain's subcommands, in the order agora --help lists them. */
static const struct cli_cmd *const cli_tables[] = {
	cli_session_cmds, cli_space_cmds, cli_file_cmds, cli_network_cmds,
	cli_message_cmds,
};

static const struct cli_option cli_global_options[] = {
	{ "server", "HOST:PORT", N_("the server") },
	{ "email", "E", N_("the account, for login and the screen") },
	{ "ca", "FILE", N_("check the server's certificate against this CA "
	    "file") },
	{ "json", NULL, N_("JSON, for the commands that have --json") },
	{ 0 }
};

/* The i-th subcommand of all the tables, or NULL past the last. */
static const struct cli_cmd *
cli_cmd_at(size_t i)
{
	for (size_t t = 0; t < sizeof cli_tables / sizeof cli_tables[0]; t++)
		for (const struct cli_cmd *c = cli_tables[t]; c->usage != NULL;
		    c++)
			if (i-- == 0)
				return c;
	return NULL;
}

/* The length of usage's words ("space edit" in "space edit SPACE
   TITLE"); its operands counted into *min and *max (-1: no limit). */
static size_t
cli_words(const char *usage, int *min, int *max)
{
	const char *w = usage;
	size_t len, name = 0;

	*min = *max = 0;
	for (; *w != '\0'; w += len + (w[len] == ' ')) {
		len = strcspn(w, " ");
		if (*w != '[' && !isupper((unsigned char)*w)) {
			name = (size_t)(w - usage) + len;
			continue;
		}
		*min += *w != '[';
		if (len > 3 && strncmp(w + len - 3, "...", 3) == 0)
			*max = -1;
		else if (*max >= 0)
			(*max)++;
	}
	return name;
}

/* How many of argv's words c's are (1 or 2), or 0; with group, whether
   c is in the group argv[0] ("space list" in "space"). */
static int
cli_match(const struct cli_cmd *c, int argc, char **argv, int group)
{
	size_t n = strlen(argv[0]), len;
	int min, max;

	len = cli_words(c->usage, &min, &max);
	if (n > len || strncmp(c->usage, argv[0], n) != 0)
		return 0;
	if (group || n == len)
		return n < len && c->usage[n] == ' ' ? group : !group;
	if (c->usage[n] != ' ' || argc < 2 || strlen(argv[1]) != len - n - 1)
		return 0;
	return strncmp(c->usage + n + 1, argv[1], len - n - 1) == 0 ? 2 : 0;
}

/* The option that arg (its first len bytes) names: exactly, or as the
   unique prefix of one, as getopt_long takes it; -1 for none, -2 for
   several. */
static int
option_find(const struct cli_option *opts, const char *arg, size_t len)
{
	int found = -1;

	for (int i = 0; opts != NULL && opts[i].name != NULL; i++) {
		if (strncmp(opts[i].name, arg, len) != 0)
			continue;
		if (opts[i].name[len] == '\0')
			return i;
		found = found == -1 ? i : -2;
	}
	return found;
}

/*
 * Options anywhere among the operands, as GNU getopt_long takes them:
 * --name, --name=value or --name value, "--" ending the options, "-"
 * alone an operand. With stop, the first operand ends the options (what
 * follows is the command's). The values go to values by the options'
 * index, the operands to the front of argv; returns how many, -1 for
 * --help, -2 after an error in *cause.
 */
static int
cli_parse(const struct cli_option *opts, int stop, int argc, char **argv,
    const char **values, char **cause)
{
	const char *arg, *eq;
	int n = 0, k = -1, only = 0;
	size_t len;

	*cause = NULL;
	for (int i = 0; i < argc; i++) {
		arg = argv[i];
		if (only || arg[0] != '-' || arg[1] == '\0') {
			argv[n++] = argv[i];
			only |= stop;
			continue;
		}
		if (strcmp(arg, "--") == 0) {
			only = 1;
			continue;
		}
		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0)
			return -1;
		arg += 2;
		len = (eq = strchr(arg, '=')) != NULL ? (size_t)(eq - arg) :
		    strlen(arg);
		if (argv[i][1] != '-' || (k = option_find(opts, arg, len)) < 0) {
			xasprintf(cause, argv[i][1] == '-' && k == -2 ?
			    _("ambiguous option %s") : _("unknown option %s"),
			    argv[i]);
			return -2;
		}
		if (k >= CLI_OPTIONS_MAX)
			fatalx("over CLI_OPTIONS_MAX options");
		if (opts[k].value == NULL && eq != NULL)
			xasprintf(cause, _("--%s takes no value"),
			    opts[k].name);
		else if (opts[k].value == NULL || eq != NULL)
			values[k] = eq != NULL ? eq + 1 : "";
		else if (i + 1 < argc)
			values[k] = argv[++i];
		else
			xasprintf(cause, _("--%s needs a value"), opts[k].name);
		if (*cause != NULL)
			return -2;
	}
	return n;
}

const char *
cli_opt(const struct cli_args *a, const char *name)
{
	int k = option_find(a->cmd->options, name, strlen(name));

	if (k < 0 || strcmp(a->cmd->options[k].name, name) != 0)
		fatalx("agora %s has no option --%s", a->name, name);
	return a->values[k];
}

/* "agora USAGE [--option V]...". */
static void
cli_synopsis(FILE *f, const char *usage, const struct cli_option *o)
{
	fprintf(f, "agora%s%s", *usage != '\0' ? " " : "", usage);
	for (; o != NULL && o->name != NULL; o++)
		fprintf(f, " [--%s%s%s]", o->name, o->value != NULL ? " " : "",
		    o->value != NULL ? o->value : "");
}

/* One "  --name V   help" line each, and --help. */
static void
cli_options_help(FILE *f, const struct cli_option *o)
{
	char head[64];

	for (; o != NULL && o->name != NULL; o++) {
		snprintf(head, sizeof head, "--%s%s%s", o->name, o->value !=
		    NULL ? " " : "", o->value != NULL ? o->value : "");
		fprintf(f, "  %-26s %s\n", head, _(o->help));
	}
	fprintf(f, "  %-26s %s\n", "--help", _("this help"));
}

int
cli_usage(const struct cli_args *a)
{
	fprintf(stderr, "agora: %s", _("usage: "));
	cli_synopsis(stderr, a->cmd->usage, a->cmd->options);
	fputc('\n', stderr);
	return EX_USAGE;
}

/* Every subcommand (or the group's), its usage and summary. */
static void
cli_list(FILE *f, int argc, char **argv)
{
	const struct cli_cmd *c;

	for (size_t i = 0; (c = cli_cmd_at(i)) != NULL; i++)
		if (argc == 0 || cli_match(c, argc, argv, 1))
			fprintf(f, "  %-26s %s\n", c->usage,
			    _(c->summary));
}

static void
cli_help(FILE *f)
{
	fputs(_("usage: "), f);
	cli_synopsis(f, "", cli_global_options);
	fputs(_(" [command [operands] [options]]\nWithout a command, the "
	    "full-screen client; with one, that command, for scripts.\n\n"
	    "Options:\n"), f);
	cli_options_help(f, cli_global_options);
	fputs(_("\nCommands:\n"), f);
	cli_list(f, 0, NULL);
	fputs(_("\nagora COMMAND --help: its options; agora(1) says more.\n"
	    "Defaults come from $XDG_CONFIG_HOME/agora/config (server =, "
	    "email =, ca =).\n"), f);
}

int
cli_global(struct cli_opts *o, int argc, char **argv, int *status)
{
	const char *v[CLI_OPTIONS_MAX] = { NULL };
	char *cause;
	int n = cli_parse(cli_global_options, 1, argc - 1, argv + 1, v, &cause);

	if (n < 0) {
		*status = n == -1 ? EX_OK : cli_fail(EX_USAGE, _("%s; see "
		    "agora --help"), cause);
		if (n == -1)
			cli_help(stdout);
		free(cause);
		return -1;
	}
	/* By cli_global_options' order; the config file's stay if none. */
	o->server = v[0] != NULL ? v[0] : o->server;
	o->email = v[1] != NULL ? v[1] : o->email;
	o->ca_file = v[2] != NULL ? v[2] : o->ca_file;
	o->json = v[3] != NULL;
	memmove(argv, argv + 1, (size_t)n * sizeof *argv);
	return n;
}

/* argv[0] names no subcommand: a group's usage or help, or unknown. */
static int
cli_group(int argc, char **argv)
{
	const struct cli_cmd *c;

	for (size_t i = 0; (c = cli_cmd_at(i)) != NULL; i++)
		if (cli_match(c, 1, argv, 1))
			break;
	if (c == NULL) {
		cli_fail(EX_USAGE, _("unknown command \"%s\""), argv[0]);
		cli_help(stderr);
		return EX_USAGE;
	}
	if (argc > 1 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)) {
		printf(_("usage: agora %s COMMAND ...\n"), argv[0]);
		cli_list(stdout, 1, argv);
		return EX_OK;
	}
	return cli_fail(EX_USAGE, _("usage: agora %s COMMAND ...; see agora "
	    "%s --help"), argv[0], argv[0]);
}

int
cli_run(const struct cli_opts *o, int argc, char **argv)
{
	const struct cli_cmd *c;
	struct cli_args a = { 0 };
	char *cause;
	int words = 0, k, min, max;

	signal(SIGPIPE, SIG_IGN);
	for (size_t i = 0; (c = cli_cmd_at(i)) != NULL; i++)
		if ((words = cli_match(c, argc, argv, 0)) > 0)
			break;
	if (c == NULL)
		return cli_group(argc, argv);
	a.cmd = c;
	snprintf(a.name, sizeof a.name, "%.*s", (int)cli_words(c->usage, &min,
	    &max), c->usage);
	a.ops = argv + words;
	a.n = cli_parse(c->options, 0, argc - words, a.ops, a.values, &cause);
	if (a.n == -1) {
		fputs(_("usage: "), stdout);
		cli_synopsis(stdout, c->usage, c->options);
		printf("\n%s\n", _(c->summary));
		cli_options_help(stdout, c->options);
		return EX_OK;
	}
	if (a.n == -2) {
		k = cli_fail(EX_USAGE, _("%s: %s; see agora %s --help"),
		    a.name, cause, a.name);
		free(cause);
		return k;
	}
	if (a.n < min || (max >= 0 && a.n > max))
		return cli_usage(&a);
	/* --json before the command counts for those that have it. */
	if ((k = option_find(c->options, "json", 4)) >= 0 &&
	    strcmp(c->options[k].name, "json") == 0)
		a.json = o->json || a.values[k] != NULL;
	return c->run(o, &a);
}
