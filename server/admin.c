#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <curl/curl.h>
#include <libpq-fe.h>

#include "admin.h"
#include "buf.h"
#include "config.h"
#include "db.h"
#include "i18n.h"
#include "log.h"
#include "migrate.h"
#include "outbox.h"
#include "password.h"
#include "proto.h"
#include "tls.h"
#include "utf8.h"
#include "xmalloc.h"

#define PASSWORD_MIN 8
#define CERT_DAYS 825
#define USER_USAGE	"usage: agorad user add --email E --name N " \
			"[--phone P] [--workspace W] [--role R]"

static int
admin_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
admin_fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "agorad: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

/* Reports a failure's cause and frees it: 1, for main. */
static int
admin_cause(char *cause)
{
	admin_fail("%s", cause);
	free(cause);
	return 1;
}

/* The configuration at path: 0, or -1 (said). */
static int
admin_config(const char *path, struct config *cf)
{
	char *cause = NULL;

	if (config_load(path, cf, &cause) == 0)
		return 0;
	admin_cause(cause);
	return -1;
}

/* The database: a connection, or NULL (said). */
static PGconn *
admin_connect(const struct config *cf)
{
	char *cause = NULL;
	PGconn *pg;

	if ((pg = db_connect_once(cf->database, &cause)) == NULL)
		admin_cause(cause);
	return pg;
}

/* The configuration at path and its database: a connection, or NULL
 * (said; nothing left to free). */
static PGconn *
admin_open(const char *path, struct config *cf)
{
	PGconn *pg;

	if (admin_config(path, cf) != 0)
		return NULL;
	if ((pg = admin_connect(cf)) == NULL)
		config_free(cf);
	return pg;
}

static int
admin_migrate_db(const struct config *cf)
{
	char *cause = NULL;
	PGconn *pg;
	int n;

	if ((pg = admin_connect(cf)) == NULL)
		return -1;
	n = migrate_run(pg, &cause);
	PQfinish(pg);
	if (n < 0) {
		admin_cause(cause);
		return -1;
	}
	printf("schema at version %d (%d migration%s applied)\n",
	    migrate_latest(), n, n == 1 ? "" : "s");
	return 0;
}

static char *
abs_path(const char *dir, const char *file)
{
	char real[PATH_MAX], *out;

	if (realpath(dir, real) == NULL)
		return NULL;
	xasprintf(&out, "%s/%s", real, file);
	return out;
}

static int
init_cert(const struct config *cf, char **names, size_t nnames)
{
	const char *defaults[] = { "localhost", "127.0.0.1", "::1" };
	const char *all[64];
	size_t n = 0;
	char *cause = NULL;

	if (access(cf->cert, F_OK) == 0 && access(cf->key, F_OK) == 0) {
		printf("keeping the existing certificate %s\n", cf->cert);
		return 0;
	}
	for (size_t i = 0; i < nnames && n < 60; i++)
		all[n++] = names[i];
	for (size_t i = 0; i < 3; i++)
		all[n++] = defaults[i];
	if (tls_make_self_signed(cf->cert, cf->key, all, n, CERT_DAYS,
	    &cause) != 0) {
		admin_cause(cause);
		return -1;
	}
	printf("wrote a self-signed certificate %s (key %s)\n", cf->cert,
	    cf->key);
	return 0;
}

int
admin_init(const char *path, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "database", required_argument, NULL, 'D' },
		{ "listen", required_argument, NULL, 'l' },
		{ "name", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 }
	};
	struct config cf;
	const char *dir = ".";
	char *names[32], *cause = NULL;
	size_t nnames = 0;
	int ch, rc = 1;

	config_defaults(&cf);
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			dir = optarg;
			break;
		case 'D':
			free(cf.database);
			cf.database = xstrdup(optarg);
			break;
		case 'l':
			free(cf.listen);
			cf.listen = xstrdup(optarg);
			break;
		case 'n':
			if (nnames == 32) {
				config_free(&cf);
				return admin_fail("at most 32 --name options");
			}
			names[nnames++] = optarg;
			break;
		default:
			config_free(&cf);
			return admin_fail("usage: agorad init [--dir DIR] "
			    "[--database CONNINFO] [--listen HOST:PORT] "
			    "[--name HOSTNAME]...");
		}
	}
	if (access(path, F_OK) == 0) {
		config_free(&cf);
		return admin_fail("%s exists: not overwriting it (use "
		    "`agorad migrate` to update the database)", path);
	}
	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		config_free(&cf);
		return admin_fail("%s: %s", dir, strerror(errno));
	}
	free(cf.cert);
	free(cf.key);
	free(cf.mail_dir);
	cf.cert = abs_path(dir, "cert.pem");
	cf.key = abs_path(dir, "key.pem");
	/* The data directory: mail waits there until SMTP is set up. */
	cf.mail_dir = abs_path(dir, "maildir");
	if (cf.cert == NULL || cf.key == NULL || cf.mail_dir == NULL) {
		admin_fail("%s: %s", dir, strerror(errno));
		goto out;
	}
	if (init_cert(&cf, names, nnames) != 0)
		goto out;
	if (config_write(path, &cf, &cause) != 0) {
		admin_cause(cause);
		goto out;
	}
	printf("wrote %s\n", path);
	if (admin_migrate_db(&cf) != 0)
		goto out;
	rc = 0;
out:
	config_free(&cf);
	return rc;
}

int
admin_migrate(const char *path, int argc, char **argv)
{
	struct config cf;
	int rc;

	if (admin_config(path, &cf) != 0)
		return 1;
	rc = admin_migrate_db(&cf) == 0 ? 0 : 1;
	config_free(&cf);
	return rc;
}

/*
 * The password comes from the terminal with echo off (asked twice), or as
 * one line on standard input for scripts; never from argv or environment.
 */
static char *
read_line(FILE *f)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if ((n = getline(&line, &cap, f)) == -1) {
		free(line);
		return NULL;
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	return line;
}

static char *
read_password_tty(FILE *tty, const char *prompt)
{
	struct termios old, quiet;
	char *pw;

	fputs(prompt, stderr);
	fflush(stderr);
	if (tcgetattr(fileno(tty), &old) != 0)
		return NULL;
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
	pw = read_line(tty);
	tcsetattr(fileno(tty), TCSAFLUSH, &old);
	fputc('\n', stderr);
	return pw;
}

static char *
read_password(void)
{
	char *pw, *again;

	if (!isatty(STDIN_FILENO))
		return read_line(stdin);
	if ((pw = read_password_tty(stdin, "Password: ")) == NULL)
		return NULL;
	if ((again = read_password_tty(stdin, "Again: ")) == NULL ||
	    strcmp(pw, again) != 0) {
		fprintf(stderr, "agorad: the passwords differ\n");
		freezero_str(pw);
		freezero_str(again);
		return NULL;
	}
	freezero_str(again);
	return pw;
}

struct user_add {
	const char	*email;
	const char	*name;
	const char	*phone;
	const char	*workspace;
	const char	*role;
};

static int
user_add_check(const struct user_add *u)
{
	static const char *roles[] = { "owner", "admin", "manager", "member" };
	int ok = 0;

	if (u->email == NULL || u->name == NULL)
		return admin_fail(USER_USAGE);
	if (strchr(u->email, '@') == NULL || strlen(u->email) > 254 ||
	    !proto_is_atom(u->email, strlen(u->email)))
		return admin_fail("\"%s\" is not an e-mail address", u->email);
	if (!utf8_valid(u->name, strlen(u->name), NULL) || *u->name == '\0')
		return admin_fail("the name must be non-empty UTF-8");
	for (const char *p = u->name; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return admin_fail("the name must not contain control "
			    "characters");
	for (size_t i = 0; i < 4; i++)
		ok |= strcmp(u->role, roles[i]) == 0;
	if (!ok)
		return admin_fail("role must be owner, admin, manager or "
		    "member");
	if (u->role != NULL && strcmp(u->role, "member") != 0 &&
	    u->workspace == NULL)
		return admin_fail("--role needs --workspace");
	return 0;
}

/* One statement, parameters as for db_runf: 0, or -1 (said). */
static int
sql(PGconn *pg, const char *q, PGresult **out, const char *fmt, ...)
{
	char *cause = NULL;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = db_vrunf(pg, q, out, &cause, fmt, ap);
	va_end(ap);
	if (rc == 0)
		return 0;
	if (strstr(cause, "users_email_key") != NULL)
		admin_fail("a user with this e-mail already exists");
	else
		admin_fail("%s", cause);
	free(cause);
	return -1;
}

/* Creates the user, and the workspace if new, in one transaction. */
static int
user_add_tx(PGconn *pg, const struct user_add *u, const char *hash)
{
	char user[24], ws[24];
	PGresult *r;
	struct buf *b;
	int rc;

	if (sql(pg, "BEGIN", NULL, "") != 0 ||
	    sql(pg, "INSERT INTO users (email, name, phone, password_hash,"
	    " verified_at) VALUES ($1, $2, $3, $4, now()) RETURNING id", &r,
	    "ssss", u->email, u->name, u->phone, hash) != 0)
		return -1;
	snprintf(user, sizeof user, "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	if (u->workspace != NULL) {
		if (sql(pg, "WITH found AS (SELECT id FROM workspaces "
		    "WHERE lower(name) = lower($1)), made AS ("
		    "INSERT INTO workspaces (name) SELECT $1 WHERE NOT EXISTS "
		    "(SELECT 1 FROM found) RETURNING id) "
		    "SELECT id FROM found UNION ALL SELECT id FROM made", &r,
		    "s", u->workspace) != 0)
			return -1;
		snprintf(ws, sizeof ws, "%s", PQgetvalue(r, 0, 0));
		PQclear(r);
		b = buf_new(0);
		proto_add(b, "workspace", ws);
		proto_add(b, "user", user);
		proto_add(b, "name", u->name);
		proto_add(b, "email", u->email);
		proto_add(b, "role", u->role);
		rc = sql(pg, "INSERT INTO memberships (workspace_id, user_id, "
		    "role) VALUES ($1, $2, $3)", NULL, "sss", ws, user,
		    u->role) != 0 ||
		    sql(pg, "INSERT INTO events (type, workspace_id, data) "
		    "VALUES ('member.added', $1, $2)", NULL, "sd", ws, b) != 0;
		buf_free(b);
		if (rc != 0)
			return -1;
	}
	if (sql(pg, "INSERT INTO audit_log (action, target, detail) "
	    "VALUES ('user.add', $2::text, 'user ' || $1::text)", NULL, "ss",
	    user, u->email) != 0 ||
	    sql(pg, "COMMIT", NULL, "") != 0)
		return -1;
	printf("added user %s <%s>%s%s\n", user, u->email,
	    u->workspace != NULL ? " to " : "",
	    u->workspace != NULL ? u->workspace : "");
	return 0;
}

/*
 * The settings agorad shows and sets, each with an audit row: a
 * workspace's plan; the language agora writes to a user in, or a
 * workspace's, which its users without one of their own and its invitees
 * get (sql/014_languages.sql; a user's "default": none of their own).
 */
struct admin_setting {
	const char	*action;	/* audit_log's, "user.lang" */
	const char	*what;		/* what the name names */
	const char	*label;		/* before the value shown */
	const char	*get;		/* $1 the name: id, value */
	const char	*set;		/* $1 the id, $2 the value */
};

static const struct admin_setting setting_plan = { "workspace.plan",
	"workspace", "plan ", "SELECT id, plan AS value FROM workspaces "
	"WHERE lower(name) = lower($1)",
	"UPDATE workspaces SET plan = $2 WHERE id = $1::bigint" };
static const struct admin_setting setting_lang[2] = {
	{ "workspace.lang", "workspace", "", "SELECT id, lang AS value FROM "
	  "workspaces WHERE lower(name) = lower($1)",
	  "UPDATE workspaces SET lang = $2 WHERE id = $1::bigint" },
	{ "user.lang", "user", "", "SELECT id, coalesce(lang, 'default') AS "
	  "value FROM users WHERE lower(email) = lower($1)",
	  "UPDATE users SET lang = $2 WHERE id = $1::bigint" },
};

/* Shows the setting of name, or sets it to value (and says what it was). */
static int
admin_setting(const char *path, const struct admin_setting *st,
    const char *name, const char *value)
{
	struct config cf;
	char *detail;
	PGresult *r = NULL;
	PGconn *pg;
	int rc = 1;

	if ((pg = admin_open(path, &cf)) == NULL)
		return 1;
	if (sql(pg, st->get, &r, "s", name) != 0)
		goto out;
	if (PQntuples(r) == 0) {
		admin_fail("no %s \"%s\"", st->what, name);
		goto out;
	}
	if (value == NULL) {
		printf("%s: %s%s\n", name, st->label, db_get(r, 0, "value"));
		rc = 0;
		goto out;
	}
	xasprintf(&detail, "%s -> %s", db_get(r, 0, "value"), value);
	if (sql(pg, "BEGIN", NULL, "") == 0 &&
	    sql(pg, st->set, NULL, "ss", db_get(r, 0, "id"),
	    strcmp(value, "default") == 0 ? NULL : value) == 0 &&
	    sql(pg, "INSERT INTO audit_log (action, target, detail) VALUES "
	    "($1, split_part($1, '.', 1) || ' ' || $2, $3)", NULL, "sss",
	    st->action, db_get(r, 0, "id"), detail) == 0 &&
	    sql(pg, "COMMIT", NULL, "") == 0) {
		printf("%s: %s%s (was %s)\n", name, st->label, value,
		    db_get(r, 0, "value"));
		rc = 0;
	}
	free(detail);
out:
	PQclear(r);
	PQfinish(pg);
	config_free(&cf);
	return rc;
}

/* agorad user lang EMAIL [LANG|default], agorad workspace lang NAME [LANG] */
static int
admin_lang(const char *path, int argc, char **argv, int user)
{
	const char *lang = argc == 4 ? argv[3] : NULL;

	if (argc < 3 || argc > 4 || argv[2][0] == '-' || (lang != NULL &&
	    i18n_lang(lang) == NULL && !(user && strcmp(lang, "default") == 0)))
		return admin_fail("usage: agorad %s lang %s [LANG%s] (LANG: %s)",
		    user ? "user" : "workspace", user ? "EMAIL" : "NAME",
		    user ? "|default" : "", i18n_lang_list());
	return admin_setting(path, &setting_lang[user], argv[2], lang);
}

int
admin_user(const char *path, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "email", required_argument, NULL, 'e' },
		{ "name", required_argument, NULL, 'n' },
		{ "phone", required_argument, NULL, 'p' },
		{ "workspace", required_argument, NULL, 'w' },
		{ "role", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 }
	};
	struct user_add u = { .role = "member" };
	struct config cf;
	char *pw, *hash;
	PGconn *pg;
	int ch, rc = 1;

	if (argc >= 2 && strcmp(argv[1], "lang") == 0)
		return admin_lang(path, argc, argv, 1);
	if (argc < 2 || strcmp(argv[1], "add") != 0)
		return admin_fail(USER_USAGE);
	argc--;
	argv++;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'e': u.email = optarg; break;
		case 'n': u.name = optarg; break;
		case 'p': u.phone = optarg; break;
		case 'w': u.workspace = optarg; break;
		case 'r': u.role = optarg; break;
		default: u.email = NULL; break;
		}
	}
	if (user_add_check(&u) != 0 || admin_config(path, &cf) != 0)
		return 1;
	if ((pw = read_password()) == NULL) {
		config_free(&cf);
		return admin_fail("no password given");
	}
	if (strlen(pw) < PASSWORD_MIN || strlen(pw) > PASSWORD_MAX ||
	    !utf8_valid(pw, strlen(pw), NULL)) {
		freezero_str(pw);
		config_free(&cf);
		return admin_fail("the password must be %d to %d bytes of UTF-8",
		    PASSWORD_MIN, PASSWORD_MAX);
	}
	hash = password_hash(pw, cf.scrypt_n);
	freezero_str(pw);
	if (hash == NULL) {
		config_free(&cf);
		return admin_fail("cannot hash the password");
	}
	if ((pg = admin_connect(&cf)) != NULL) {
		rc = user_add_tx(pg, &u, hash) == 0 ? 0 : 1;
		PQfinish(pg);
	}
	free(hash);
	config_free(&cf);
	return rc;
}

/*
 * Queues one message for the running server to deliver, so that an
 * administrator sees the mail settings work end to end.
 */
int
admin_mail_test(const char *path, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "to", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 }
	};
	struct config cf;
	const char *to = NULL, *lang;
	char host[256], *body, *cause = NULL, *where;
	PGconn *pg;
	int64_t id;
	int ch;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 't':
			to = optarg;
			break;
		default:
			to = NULL;
			optind = argc;
			break;
		}
	}
	if (to == NULL || optind != argc)
		return admin_fail("usage: agorad mail-test --to ADDRESS");
	if ((pg = admin_open(path, &cf)) == NULL)
		return 1;
	if (gethostname(host, sizeof host) != 0)
		snprintf(host, sizeof host, "localhost");
	host[sizeof host - 1] = '\0';
	id = -1;
	/* In the recipient's language, as every mail: this tests that too. */
	if ((lang = outbox_lang_pg(pg, 0, to, &cause)) != NULL) {
		/* UTF-8 on purpose: the test shows whether non-ASCII survives
		 * the trip. */
		xasprintf(&body, i18n_text(lang,
		    "This is a test message from agorad %s on %s, queued by\n"
		    "`agorad mail-test`.\n"
		    "\n"
		    "If you can read it, e-mail from agora works: \u00e7a "
		    "marche.\n"),
		    AGORA_VERSION, host);
		id = outbox_mail_pg(pg, 0, to, i18n_text(lang,
		    "agora: test message \u2014 \u00e7a marche"), body,
		    &cause);
		free(body);
	}
	PQfinish(pg);
	if (id < 0) {
		admin_fail("not queued: %s", cause);
		free(cause);
		config_free(&cf);
		return 1;
	}
	where = outbox_destination(&cf, path);
	printf("queued test message %lld to %s\n", (long long)id, to);
	if (*cf.smtp_url != '\0')
		printf("agorad serve sends it through %s\n", where);
	else
		printf("no smtp_url: agorad serve writes it to %s\n", where);
	free(where);
	config_free(&cf);
	return 0;
}

/* agorad workspace crm: the CRM webhook of a workspace (sql/004_crm.sql). */

#define CRM_URL_MAX	2048
#define CRM_TOKEN_MAX	4096
#define CRM_USAGE	"usage: agorad workspace crm NAME [--url URL | --off]"

/*
 * An https:// URL curl can parse, with a host, without white space or
 * control characters. *where gets it without user info, query or
 * fragment, for output and the audit log. 0, or -1 (said).
 */
static int
crm_url_check(const char *url, char **where)
{
	CURLU *u;
	char *host = NULL, *port = NULL, *path = NULL;
	int rc = -1;

	if (strncmp(url, "https://", 8) != 0 || strlen(url) > CRM_URL_MAX) {
		admin_fail("the URL must start with https:// and be at most %d "
		    "bytes", CRM_URL_MAX);
		return -1;
	}
	for (const char *p = url; *p != '\0'; p++) {
		if ((unsigned char)*p <= ' ' || *p == 0x7f) {
			admin_fail("the URL may not contain white space or "
			    "control characters");
			return -1;
		}
	}
	if ((u = curl_url()) == NULL)
		fatalx("curl_url: out of memory");
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    *host == '\0') {
		admin_fail("\"%s\" is not a URL with a host", url);
		goto out;
	}
	curl_url_get(u, CURLUPART_PORT, &port, 0);
	curl_url_get(u, CURLUPART_PATH, &path, 0);
	xasprintf(where, "https://%s%s%s%s", host, port != NULL ? ":" : "",
	    port != NULL ? port : "", path != NULL ? path : "");
	rc = 0;
out:
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_url_cleanup(u);
	return rc;
}

/*
 * The bearer token: from the terminal with echo off (asked once: it is
 * pasted, not typed), or the first line of standard input; never from
 * argv or the environment, where other users could read it.
 */
static char *
crm_read_token(const char *workspace)
{
	char *prompt, *token;

	if (!isatty(STDIN_FILENO))
		return read_line(stdin);
	xasprintf(&prompt, "Bearer token for %s: ", workspace);
	token = read_password_tty(stdin, prompt);
	free(prompt);
	return token;
}

/* Visible ASCII, no spaces: it goes into an HTTP header as it is. */
static int
crm_token_check(const char *token)
{
	size_t len = strlen(token);

	if (len == 0 || len > CRM_TOKEN_MAX)
		return admin_fail("the token must be 1 to %d bytes",
		    CRM_TOKEN_MAX);
	for (const char *p = token; *p != '\0'; p++)
		if (*p < 0x21 || *p > 0x7e)
			return admin_fail("the token must be printable ASCII "
			    "without spaces");
	return 0;
}

/* The workspace's id and plan into id and plan; 0, or -1 (said). */
static int
crm_workspace(PGconn *pg, const char *name, char *id, size_t idsize,
    char *plan, size_t plansize)
{
	PGresult *r;

	if (sql(pg, "SELECT id, plan FROM workspaces WHERE lower(name) = "
	    "lower($1)", &r, "s", name) != 0)
		return -1;
	if (PQntuples(r) == 0) {
		PQclear(r);
		admin_fail("no workspace \"%s\"", name);
		return -1;
	}
	snprintf(id, idsize, "%s", db_get(r, 0, "id"));
	snprintf(plan, plansize, "%s", db_get(r, 0, "plan"));
	PQclear(r);
	return 0;
}

static int
crm_show(PGconn *pg, const char *name, const char *id, const char *plan)
{
	char *where = NULL;
	PGresult *r;

	if (sql(pg, "SELECT url, to_char(updated_at AT TIME ZONE 'UTC', "
	    "'YYYY-MM-DD HH24:MI \"UTC\"') AS since FROM crm_webhooks "
	    "WHERE workspace_id = $1::bigint", &r, "s", id) != 0)
		return 1;
	if (PQntuples(r) == 0)
		printf("%s (plan %s): no CRM webhook\n", name, plan);
	else if (crm_url_check(db_get(r, 0, "url"), &where) == 0)
		printf("%s (plan %s): invitations posted to %s (set %s)\n",
		    name, plan, where, db_get(r, 0, "since"));
	free(where);
	PQclear(r);
	return 0;
}

static int
crm_set(PGconn *pg, const char *name, const char *id, const char *plan,
    const char *url, const char *where, const char *token)
{
	if (sql(pg, "BEGIN", NULL, "") != 0 ||
	    sql(pg, "INSERT INTO crm_webhooks (workspace_id, url, token) "
	    "VALUES ($1::bigint, $2, $3) ON CONFLICT (workspace_id) DO UPDATE "
	    "SET url = EXCLUDED.url, token = EXCLUDED.token, "
	    "updated_at = now()", NULL, "sss", id, url, token) != 0 ||
	    sql(pg, "INSERT INTO audit_log (action, target, detail) VALUES "
	    "('workspace.crm', $1::text, 'webhook set: ' || $2::text)", NULL,
	    "ss", name, where) != 0 ||
	    sql(pg, "COMMIT", NULL, "") != 0)
		return 1;
	printf("%s: invitations will be posted to %s\n", name, where);
	if (strcmp(plan, "pro") != 0)
		printf("note: %s is on plan %s; only workspaces on plan pro "
		    "post to their CRM\n", name, plan);
	return 0;
}

static int
crm_off(PGconn *pg, const char *name, const char *id)
{
	PGresult *r;
	int gone;

	if (sql(pg, "BEGIN", NULL, "") != 0 ||
	    sql(pg, "DELETE FROM crm_webhooks WHERE workspace_id = $1::bigint "
	    "RETURNING workspace_id", &r, "s", id) != 0)
		return 1;
	gone = PQntuples(r) > 0;
	PQclear(r);
	if ((gone && sql(pg, "INSERT INTO audit_log (action, target, detail) "
	    "VALUES ('workspace.crm', $1::text, 'webhook removed')", NULL, "s",
	    name) != 0) || sql(pg, "COMMIT", NULL, "") != 0)
		return 1;
	printf(gone ? "%s: CRM webhook removed; nothing more is posted\n" :
	    "%s had no CRM webhook\n", name);
	return 0;
}

/* agorad workspace plan NAME [free|premium|pro] */
static int
admin_plan(const char *path, int argc, char **argv)
{
	static const char *const plans[] = { "free", "premium", "pro" };
	const char *plan = argc == 4 ? argv[3] : NULL;
	int known = plan == NULL;

	for (size_t i = 0; i < sizeof plans / sizeof plans[0]; i++)
		known = known || strcmp(plan, plans[i]) == 0;
	if (argc < 3 || argc > 4 || argv[2][0] == '-' || !known)
		return admin_fail("usage: agorad workspace plan NAME "
		    "[free|premium|pro]");
	return admin_setting(path, &setting_plan, argv[2], plan);
}

/*
 * agorad workspace crm NAME [--url URL | --off]: sets (the token on
 * standard input), removes or shows a workspace's CRM webhook.
 * agorad workspace plan NAME [PLAN]: see admin_plan.
 */
int
admin_workspace(const char *path, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "url", required_argument, NULL, 'u' },
		{ "off", no_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 }
	};
	struct config cf;
	const char *url = NULL, *name;
	char *where = NULL, *token = NULL, id[24], plan[16];
	PGconn *pg;
	int ch, off = 0, bad = 0, rc = 1;

	if (argc >= 2 && strcmp(argv[1], "plan") == 0)
		return admin_plan(path, argc, argv);
	if (argc >= 2 && strcmp(argv[1], "lang") == 0)
		return admin_lang(path, argc, argv, 0);
	/* NAME comes first: main's getopt stops at the first operand. */
	if (argc < 3 || strcmp(argv[1], "crm") != 0 || argv[2][0] == '-')
		return admin_fail(CRM_USAGE);
	name = argv[2];
	argc -= 2;
	argv += 2;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'u': url = optarg; break;
		case 'o': off = 1; break;
		default: bad = 1; break;
		}
	}
	if (bad || optind != argc || (url != NULL && off))
		return admin_fail(CRM_USAGE);
	if (url != NULL && crm_url_check(url, &where) != 0)
		return 1;
	if ((pg = admin_open(path, &cf)) == NULL) {
		free(where);
		return 1;
	}
	if (crm_workspace(pg, name, id, sizeof id, plan, sizeof plan) != 0)
		goto out;
	if (off)
		rc = crm_off(pg, name, id);
	else if (url == NULL)
		rc = crm_show(pg, name, id, plan);
	else if ((token = crm_read_token(name)) == NULL)
		admin_fail("no token given");
	else if (crm_token_check(token) == 0)
		rc = crm_set(pg, name, id, plan, url, where, token);
out:
	freezero_str(token);
	PQfinish(pg);
	free(where);
	config_free(&cf);
	return rc;
}
