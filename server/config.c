#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "mailmsg.h"
#include "str.h"
#include "xmalloc.h"

enum opt_type { OPT_STRING, OPT_NUMBER, OPT_BOOL };

struct opt {
	const char	*name;
	enum opt_type	 type;
	size_t		 offset;
	const char	*def;		/* default, as text */
	long		 min, max;
	int		 reloadable;	/* SIGHUP applies it */
	const char	*help;		/* one line for the generated file */
	/* A string's further rule: 0, or -1 with *cause; may be NULL. */
	int		(*check)(const char *, char **cause);
};

#define S(f) OPT_STRING, offsetof(struct config, f)
#define N(f) OPT_NUMBER, offsetof(struct config, f)
#define B(f) OPT_BOOL, offsetof(struct config, f)

static int check_smtp_url(const char *, char **);
static int check_mail_from(const char *, char **);

static const struct opt opts[] = {
	{ "listen", S(listen), "127.0.0.1:7443", 0, 0, 0,
	  "address and port to accept TLS clients on", NULL },
	{ "public_address", S(public_address), "", 0, 0, 1,
	  "host:port clients reach this server at, for links in e-mails "
	  "(empty: listen)", NULL },
	{ "database", S(database), "dbname=agora", 0, 0, 0,
	  "libpq connection string", NULL },
	{ "cert", S(cert), "/etc/agora/cert.pem", 0, 0, 1,
	  "TLS certificate chain (PEM)", NULL },
	{ "key", S(key), "/etc/agora/key.pem", 0, 0, 1,
	  "TLS private key (PEM)", NULL },
	{ "log", S(log), "stderr", 0, 0, 0,
	  "stderr or syslog", NULL },
	{ "log_level", S(log_level), "info", 0, 0, 1,
	  "warn, info or debug", NULL },
	{ "db_workers", N(db_workers), "4", 1, 64, 0,
	  "database connections, one worker thread each", NULL },
	{ "max_clients", N(max_clients), "10000", 1, 1000000, 1,
	  "connections accepted at once", NULL },
	{ "max_line", N(max_line), "65536", 512, 16777216, 1,
	  "longest request line in bytes", NULL },
	{ "max_output", N(max_output), "4194304", 65536, 1073741824, 1,
	  "bytes queued to a client that does not read before it is dropped",
	  NULL },
	{ "handshake_timeout", N(handshake_timeout), "10", 1, 3600, 1,
	  "seconds to complete the TLS handshake", NULL },
	{ "idle_timeout", N(idle_timeout), "900", 5, 86400 * 7, 1,
	  "seconds without a request before a client is dropped", NULL },
	{ "session_lifetime", N(session_lifetime), "2592000", 60, 31536000, 1,
	  "seconds a login session lasts", NULL },
	{ "login_account_limit", N(login_account_limit), "5", 1, 100000, 1,
	  "failed logins per account from one client address per window",
	  NULL },
	{ "login_account_global_limit", N(login_account_global_limit), "50",
	  1, 100000, 1,
	  "failed logins per account from all addresses per window", NULL },
	{ "login_address_limit", N(login_address_limit), "20", 1, 100000, 1,
	  "failed logins per client address per window", NULL },
	{ "login_window", N(login_window), "900", 1, 86400, 1,
	  "seconds over which failed logins are counted", NULL },
	{ "guest_rate", N(guest_rate), "10", 1, 1000000, 1,
	  "requests per second from one address to the verbs that need no "
	  "session (LOGIN, ACCEPT, ...)", NULL },
	{ "guest_burst", N(guest_burst), "50", 1, 1000000, 1,
	  "such requests one address may make at once before guest_rate "
	  "applies", NULL },
	{ "guest_global_rate", N(guest_global_rate), "500", 1, 1000000, 1,
	  "requests per second from all addresses together to those verbs",
	  NULL },
	{ "password_workers", N(password_workers), "1", 1, 64, 0,
	  "threads that hash and check passwords, apart from db_workers",
	  NULL },
	{ "mail_recipient_limit", N(mail_recipient_limit), "10", 1, 100000, 1,
	  "e-mails that requests (invitations, reminders, login links) may "
	  "send to one address per mail_recipient_window", NULL },
	{ "mail_recipient_window", N(mail_recipient_window), "3600", 60,
	  604800, 1, "seconds over which mail_recipient_limit counts", NULL },
	{ "scrypt_n", N(scrypt_n), "16384", 1024, 1048576, 0,
	  "scrypt cost for new password hashes (a power of two)", NULL },
	{ "sync_limit", N(sync_limit), "1000", 1, 100000, 1,
	  "events returned by one SYNC", NULL },
	{ "file_max_size", N(file_max_size), "10485760", 1024, 1073741824, 1,
	  "largest file in bytes that can be uploaded to a space", NULL },
	{ "storage_quota", N(storage_quota), "10737418240", 0,
	  1125899906842624L, 1,
	  "bytes the files of one workspace may take, unfinished uploads "
	  "included; 0: no limit", NULL },
	{ "upload_expiry", N(upload_expiry), "86400", 60, 2592000, 1,
	  "seconds after which an unfinished upload is deleted", NULL },
	{ "smtp_url", S(smtp_url), "", 0, 0, 1,
	  "SMTP server, smtp://host:port or smtps://host:port; empty: write "
	  "mail to mail_dir", check_smtp_url },
	{ "smtp_user", S(smtp_user), "", 0, 0, 1,
	  "SMTP login name; empty: no authentication", NULL },
	{ "smtp_password", S(smtp_password), "", 0, 0, 1,
	  "SMTP password", NULL },
	{ "smtp_starttls", B(smtp_starttls), "no", 0, 1, 1,
	  "yes: an smtp:// server must switch to TLS (STARTTLS)", NULL },
	{ "mail_from", S(mail_from), "", 0, 0, 1,
	  "sender address; empty: agora@ and this host's name",
	  check_mail_from },
	{ "mail_dir", S(mail_dir), "maildir", 0, 0, 1,
	  "maildir for mail while smtp_url is empty; relative to this file's "
	  "directory", NULL },
	{ "mail_retry_min", N(mail_retry_min), "30", 1, 86400, 1,
	  "seconds before an e-mail is tried again, doubled at each failure",
	  NULL },
	{ "mail_retry_max", N(mail_retry_max), "3600", 1, 604800, 1,
	  "longest wait in seconds between two tries of an e-mail", NULL },
	{ "crm_ca_file", S(crm_ca_file), "", 0, 0, 1,
	  "CA certificates (PEM) to verify CRM webhook servers with; empty: "
	  "the system's; relative to this file's directory", NULL },
};
#define NOPTS (sizeof opts / sizeof opts[0])

/* An option's field; const only to the callers that only read it. */
static char **
opt_str(const struct config *c, const struct opt *o)
{
	return (char **)((const char *)c + o->offset);
}

static long *
opt_num(const struct config *c, const struct opt *o)
{
	return (long *)((const char *)c + o->offset);
}

static int
check_smtp_url(const char *v, char **cause)
{
	if (*v == '\0')
		return 0;
	if (strncasecmp(v, "smtp://", 7) != 0 &&
	    strncasecmp(v, "smtps://", 8) != 0) {
		xasprintf(cause,
		    "smtp_url must start with smtp:// or smtps://");
		return -1;
	}
	for (const char *p = v; *p != '\0'; p++) {
		if ((unsigned char)*p <= ' ' || *p == 0x7f) {
			xasprintf(cause, "smtp_url may not contain white space "
			    "or control characters");
			return -1;
		}
	}
	return 0;
}

static int
check_mail_from(const char *v, char **cause)
{
	char *why = NULL;

	if (*v == '\0' || mailmsg_check_address(v, &why) == 0)
		return 0;
	xasprintf(cause, "mail_from: %s", why);
	free(why);
	return -1;
}

static int
parse_bool(const char *v, long *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

static int
opt_set(struct config *c, const struct opt *o, const char *value, char **cause)
{
	char *end;
	long n;

	if (o->type == OPT_BOOL) {
		if (parse_bool(value, opt_num(c, o)) != 0) {
			xasprintf(cause, "%s must be yes or no", o->name);
			return -1;
		}
		return 0;
	}
	if (o->type == OPT_STRING) {
		if (o->check != NULL && o->check(value, cause) != 0)
			return -1;
		free(*opt_str(c, o));
		*opt_str(c, o) = xstrdup(value);
		return 0;
	}
	errno = 0;
	n = strtol(value, &end, 10);
	if (errno != 0 || end == value || *end != '\0' || n < o->min ||
	    n > o->max) {
		xasprintf(cause, "%s must be a number from %ld to %ld",
		    o->name, o->min, o->max);
		return -1;
	}
	if (strcmp(o->name, "scrypt_n") == 0 && (n & (n - 1)) != 0) {
		xasprintf(cause, "scrypt_n must be a power of two");
		return -1;
	}
	*opt_num(c, o) = n;
	return 0;
}

static const struct opt *
opt_find(const char *name)
{
	for (size_t i = 0; i < NOPTS; i++)
		if (strcmp(opts[i].name, name) == 0)
			return &opts[i];
	return NULL;
}

void
config_defaults(struct config *c)
{
	memset(c, 0, sizeof *c);
	for (size_t i = 0; i < NOPTS; i++)
		if (opt_set(c, &opts[i], opts[i].def, NULL) != 0)
			abort();	/* a bad default is a programming error */
}

void
config_free(struct config *c)
{
	for (size_t i = 0; i < NOPTS; i++) {
		if (opts[i].type == OPT_STRING) {
			free(*opt_str(c, &opts[i]));
			*opt_str(c, &opts[i]) = NULL;
		}
	}
}

/* A value may be double-quoted to keep spaces (libpq conninfo needs them). */
static int
unquote(char *v, char **cause, int lineno)
{
	size_t len = strlen(v);

	if (len == 0 || v[0] != '"')
		return 0;
	if (len < 2 || v[len - 1] != '"') {
		xasprintf(cause, "line %d: unterminated quoted value", lineno);
		return -1;
	}
	memmove(v, v + 1, len - 2);
	v[len - 2] = '\0';
	return 0;
}

static int
config_parse_line(struct config *c, char *line, int lineno, char **cause)
{
	const struct opt *o;
	char *eq, *key, *value, *why = NULL;

	key = str_trim(line);
	if (*key == '\0' || *key == '#')
		return 0;
	if ((eq = strchr(key, '=')) == NULL) {
		xasprintf(cause, "line %d: expected key = value", lineno);
		return -1;
	}
	*eq = '\0';
	key = str_trim(key);
	value = str_trim(eq + 1);
	if (unquote(value, cause, lineno) != 0)
		return -1;
	if ((o = opt_find(key)) == NULL) {
		xasprintf(cause, "line %d: unknown option \"%s\"", lineno, key);
		return -1;
	}
	if (opt_set(c, o, value, &why) != 0) {
		xasprintf(cause, "line %d: %s", lineno, why);
		free(why);
		return -1;
	}
	return 0;
}

int
config_load(const char *path, struct config *c, char **cause)
{
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	int lineno = 0, rc = 0;

	config_defaults(c);
	if ((f = fopen(path, "r")) == NULL) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		config_free(c);
		return -1;
	}
	while (rc == 0 && getline(&line, &cap, f) != -1) {
		char *why = NULL;

		lineno++;
		if (config_parse_line(c, line, lineno, &why) != 0) {
			xasprintf(cause, "%s:%s", path, why);
			free(why);
			rc = -1;
		}
	}
	free(line);
	fclose(f);
	if (rc != 0)
		config_free(c);
	return rc;
}

int
config_write(const char *path, const struct config *c, char **cause)
{
	struct buf *b = buf_new(0);
	int fd, ok;

	buf_printf(b, "# agorad configuration: see agorad.conf(5).\n");
	for (size_t i = 0; i < NOPTS; i++) {
		const struct opt *o = &opts[i];

		buf_printf(b, "\n# %s\n", o->help);
		if (o->type == OPT_STRING)
			buf_printf(b, "%s = \"%s\"\n", o->name, *opt_str(c, o));
		else if (o->type == OPT_BOOL)
			buf_printf(b, "%s = %s\n", o->name,
			    *opt_num(c, o) ? "yes" : "no");
		else
			buf_printf(b, "%s = %ld\n", o->name, *opt_num(c, o));
	}
	/* The file names the database: keep it from other users. */
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ok = fd != -1 && write(fd, buf_data(b), buf_len(b)) ==
	    (ssize_t)buf_len(b);
	/* A failed write's errno is the one to tell, not close's. */
	if (fd != -1 && close(fd) != 0 && ok)
		ok = 0;
	if (!ok)
		xasprintf(cause, "%s: %s", path, strerror(errno));
	buf_free(b);
	return ok ? 0 : -1;
}

int
config_restart_needed(const struct config *a, const struct config *b,
    const char **which)
{
	for (size_t i = 0; i < NOPTS; i++) {
		const struct opt *o = &opts[i];
		int same;

		if (o->reloadable)
			continue;
		if (o->type == OPT_STRING)
			same = strcmp(*opt_str(a, o), *opt_str(b, o)) == 0;
		else
			same = *opt_num(a, o) == *opt_num(b, o);
		if (!same) {
			*which = o->name;
			return 1;
		}
	}
	return 0;
}

void
config_apply_reloadable(struct config *cur, const struct config *new)
{
	for (size_t i = 0; i < NOPTS; i++) {
		const struct opt *o = &opts[i];

		if (!o->reloadable)
			continue;
		if (o->type == OPT_STRING) {
			free(*opt_str(cur, o));
			*opt_str(cur, o) = xstrdup(*opt_str(new, o));
		} else
			*opt_num(cur, o) = *opt_num(new, o);
	}
}

char *
config_path(const char *file, const char *value)
{
	char *dir, *slash, *abs, *out;

	if (*value == '/')
		return xstrdup(value);
	dir = xstrdup(file);
	if ((slash = strrchr(dir, '/')) != NULL) {
		if (slash == dir)
			slash[1] = '\0';
		else
			*slash = '\0';
	} else {
		free(dir);
		dir = xstrdup(".");
	}
	if ((abs = realpath(dir, NULL)) != NULL) {
		free(dir);
		dir = abs;
	}
	if (*value == '\0')
		out = xstrdup(dir);
	else
		xasprintf(&out, "%s%s%s", dir,
		    dir[strlen(dir) - 1] == '/' ? "" : "/", value);
	free(dir);
	return out;
}

const char *
config_public_address(const struct config *cf)
{
	return cf->public_address != NULL && *cf->public_address != '\0' ?
	    cf->public_address : cf->listen;
}
