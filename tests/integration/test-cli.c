/*
 * The agora subcommands (ping, login, whoami, logout) as a script runs
 * them: the real binary, a real agorad, exit codes from sysexits(3).
 */
#include <check.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>

#include "harness.h"
#include "xmalloc.h"

static struct agorad *node;
static char *email, server[64], xdg[64], session_path[128];

static void
setup(void)
{
	char cfg[96], state[96];

	harness_test_setup();
	node = agorad_new(NULL);
	agorad_start(node);
	email = harness_email("cli");
	/* An 8-bit CSI and a right-to-left override: both pass the
	 * protocol (neither is a C0 control) and both must reach the
	 * terminal inert. */
	agorad_user_add(node, email, "Zoë \xc2\x9b" "31mLef\xe2\x80\xae" "èvre",
	    "correct horse", "Acme", "admin");
	snprintf(server, sizeof server, "127.0.0.1:%s", agorad_port(node));
	snprintf(xdg, sizeof xdg, "/tmp/agora-cli-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(xdg));
	snprintf(cfg, sizeof cfg, "%s/config", xdg);
	snprintf(state, sizeof state, "%s/state", xdg);
	setenv("XDG_CONFIG_HOME", cfg, 1);
	setenv("XDG_STATE_HOME", state, 1);
	snprintf(session_path, sizeof session_path, "%s/agora/session", state);
}

static void
teardown(void)
{
	char *argv[] = { "rm", "-rf", xdg, NULL };

	harness_stop_clean(__FILE__, __LINE__, node);
	agorad_free(node);
	free(email);
	harness_exec(argv, NULL, NULL);
	harness_test_teardown();
}

/* Runs agora with the node's CA and the given arguments. */
static int
agora(const char *input, char **out, const char *a1, const char *a2)
{
	char *argv[] = { getenv("AGORA"), "--server", server, "--ca",
	    (char *)agorad_cert(node), "--email", email, (char *)a1,
	    (char *)a2, NULL };

	return harness_exec(argv, input, out);
}

/* The same with any arguments (NULL-terminated), and the XDG
   directories of another user when home is not NULL. */
static int
agorav(const char *home, const char *input, char **out, ...)
{
	char *argv[16] = { getenv("AGORA"), "--server", server, "--ca",
	    (char *)agorad_cert(node), "--email", email };
	char cfg[160], state[160], *old_cfg, *old_state;
	size_t n = 7;
	va_list ap;
	int rc;

	va_start(ap, out);
	while (n < 15 && (argv[n] = va_arg(ap, char *)) != NULL)
		n++;
	va_end(ap);
	argv[n] = NULL;
	old_cfg = xstrdup(getenv("XDG_CONFIG_HOME"));
	old_state = xstrdup(getenv("XDG_STATE_HOME"));
	if (home != NULL) {
		snprintf(cfg, sizeof cfg, "%s/%s/config", xdg, home);
		snprintf(state, sizeof state, "%s/%s/state", xdg, home);
		setenv("XDG_CONFIG_HOME", cfg, 1);
		setenv("XDG_STATE_HOME", state, 1);
	}
	rc = harness_exec(argv, input, out);
	setenv("XDG_CONFIG_HOME", old_cfg, 1);
	setenv("XDG_STATE_HOME", old_state, 1);
	free(old_cfg);
	free(old_state);
	return rc;
}

static void
expect_output(const char *out, const char *want)
{
	ck_assert_msg(out != NULL && strstr(out, want) != NULL,
	    "expected \"%s\" in output:\n%s", want, out != NULL ? out : "");
}

/* How often needle occurs in s. */
static int
count_in(const char *s, const char *needle)
{
	int n = 0;

	for (const char *p = s; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

START_TEST(test_ping)
{
	char *out;

	ck_assert_int_eq(agora(NULL, &out, "ping", NULL), EX_OK);
	expect_output(out, "alive");
	free(out);
}
END_TEST

START_TEST(test_login_whoami_logout)
{
	struct stat st;
	char *out;

	ck_assert_int_eq(agora(NULL, &out, "whoami", NULL), EX_NOPERM);
	expect_output(out, "not logged in");
	free(out);
	ck_assert_int_eq(agora("correct horse\n", &out, "login", NULL), EX_OK);
	expect_output(out, "logged in");
	free(out);
	ck_assert_int_eq(stat(session_path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);

	ck_assert_int_eq(agora(NULL, &out, "whoami", NULL), EX_OK);
	/* the hostile display name arrives inert */
	expect_output(out, "Zoë <U+009B>31mLef<U+202E>èvre <");
	ck_assert_ptr_null(strstr(out, "\xc2\x9b"));
	ck_assert_ptr_null(strstr(out, "\xe2\x80\xae"));
	expect_output(out, "Acme (admin)");
	free(out);

	ck_assert_int_eq(agora(NULL, &out, "whoami", "--json"), EX_OK);
	/* JSON carries the name as it is: a program, not a terminal,
	 * reads it. */
	expect_output(out, "\"name\":\"Zoë \xc2\x9b" "31mLef\xe2\x80\xae" "èvre\"");
	expect_output(out, "\"workspaces\":[{\"id\":");
	expect_output(out, "\"role\":\"admin\"");
	free(out);

	ck_assert_int_eq(agora(NULL, &out, "logout", NULL), EX_OK);
	free(out);
	ck_assert_int_eq(stat(session_path, &st), -1);
	ck_assert_int_eq(agora(NULL, &out, "whoami", NULL), EX_NOPERM);
	free(out);
}
END_TEST

START_TEST(test_wrong_password)
{
	char *out;

	ck_assert_int_eq(agora("wrong\n", &out, "login", NULL), EX_NOPERM);
	expect_output(out, "auth_failed");
	free(out);
	ck_assert_int_eq(agora("", &out, "login", NULL), EX_NOINPUT);
	free(out);
}
END_TEST

START_TEST(test_readable_token_refused)
{
	char *out;

	ck_assert_int_eq(agora("correct horse\n", &out, "login", NULL), EX_OK);
	free(out);
	ck_assert_int_eq(chmod(session_path, 0644), 0);
	ck_assert_int_eq(agora(NULL, &out, "whoami", NULL), EX_NOPERM);
	expect_output(out, "other users can read it");
	free(out);
}
END_TEST

/* Without a CA file and without a terminal, an unknown server is refused. */
START_TEST(test_unknown_certificate_refused)
{
	char *argv[] = { getenv("AGORA"), "--server", server, "ping", NULL };
	char *out;

	ck_assert_int_eq(harness_exec(argv, NULL, &out), EX_NOPERM);
	expect_output(out, "not trusted");
	free(out);
}
END_TEST

START_TEST(test_usage)
{
	char *argv[] = { getenv("AGORA"), "frobnicate", NULL };
	char *out;

	ck_assert_int_eq(harness_exec(argv, NULL, &out), EX_USAGE);
	expect_output(out, "unknown command");
	free(out);
}
END_TEST

/* Runs agora with up to three arguments, no server needed. */
static int
agora_bare(char **out, const char *a1, const char *a2, const char *a3)
{
	char *argv[] = { getenv("AGORA"), (char *)a1, (char *)a2, (char *)a3,
	    NULL };

	return harness_exec(argv, NULL, out);
}

static int
man_char(char c)
{
	return isalnum((unsigned char)c) || c == '-';
}

/* Whether w is in s as a whole: "login" is not in "login-link". */
static int
has_word(const char *s, const char *w)
{
	size_t n = strlen(w);

	for (const char *p = s; (p = strstr(p, w)) != NULL; p++)
		if ((p == s || !man_char(p[-1])) && !man_char(p[n]))
			return 1;
	return 0;
}

/*
 * The item heads (the lines after .TP) of agora(1)'s section, one a line,
 * as a reader sees them: without the macro, quotes and font changes, "\-"
 * as "-", blanks as one space.
 */
static char *
man_heads(const char *section)
{
	const char *path = getenv("AGORA_MAN");
	char *page, *from, *end, *heads, *w, *line;
	size_t n = 0;
	FILE *f;

	ck_assert_msg(path != NULL, "AGORA_MAN is not set");
	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	page = xcalloc(1, 1 << 20);
	n = fread(page, 1, (1 << 20) - 1, f);
	fclose(f);
	ck_assert_uint_gt(n, 0);
	ck_assert_ptr_nonnull(from = strstr(page, section));
	if ((end = strstr(from + 1, "\n.SH ")) != NULL)
		*end = '\0';
	heads = w = xcalloc(1, strlen(from) + 1);
	for (line = strstr(from, "\n.TP\n"); line != NULL;
	    line = strstr(line, "\n.TP\n")) {
		line += 5;
		line += strcspn(line, " \n");	/* the macro */
		for (; *line != '\0' && *line != '\n'; line++) {
			if (*line == '"')
				continue;
			if (line[0] == '\\' && line[1] == 'f' && line[2] != '\0') {
				line += 2;
				continue;
			}
			if (line[0] == '\\' && line[1] == '-')
				line++;
			if (*line != ' ' || (w > heads && w[-1] != ' '))
				*w++ = *line;
		}
		*w++ = '\n';
	}
	free(page);
	return heads;
}

/* The line of heads that names words, or NULL. */
static char *
man_head(char *heads, const char *words)
{
	char *line, *next;

	for (line = heads; *line != '\0'; line = next + 1) {
		next = strchr(line, '\n');
		*next = '\0';
		if (has_word(line, words)) {
			*next = '\n';
			return line;
		}
		*next = '\n';
	}
	return NULL;
}

/*
 * Every option a --help lists ("  --name ...") is in agora(1)'s head for
 * the command (or, with words NULL, in its OPTIONS), so the page names
 * what the table has.
 */
static void
expect_man_options(char *heads, const char *words, const char *help)
{
	char opt[64], *head = NULL, *end;
	size_t n;

	if (words != NULL) {
		head = man_head(heads, words);
		ck_assert_msg(head != NULL, "agora(1) has no item for \"%s\"",
		    words);
		end = strchr(head, '\n');
		*end = '\0';
	}
	for (const char *p = help; (p = strstr(p, "\n  --")) != NULL; p++) {
		n = strcspn(p + 3, " \n");
		ck_assert_uint_lt(n, sizeof opt);
		memcpy(opt, p + 3, n);
		opt[n] = '\0';
		if (strcmp(opt, "--help") == 0)
			continue;
		ck_assert_msg(has_word(head != NULL ? head : heads, opt),
		    "agora(1) lacks %s for \"%s\"", opt, words != NULL ? words :
		    "agora");
	}
	if (head != NULL)
		*end = '\n';
}

/*
 * agora --help lists every subcommand of the table; each one's --help
 * prints its own usage and options and exits 0, and agora(1) has an item
 * for it naming each of its options.
 */
START_TEST(test_help)
{
	char *out, *sub, *line, *next, *heads, *words, *w, *group;
	int n = 0;

	ck_assert_int_eq(agora_bare(&out, "--help", NULL, NULL), EX_OK);
	heads = man_heads(".SH OPTIONS\n");
	expect_man_options(heads, NULL, out);
	free(heads);
	heads = man_heads(".SH COMMANDS\n");
	ck_assert_ptr_nonnull(line = strstr(out, "\nCommands:\n"));
	for (line += 11; *line == ' '; line = next + 1, n++) {
		next = strchr(line, '\n');
		*next = '\0';
		/* "  space edit SPACE TITLE   summary": the usage's words */
		words = xstrdup(line + 2);
		*strstr(words, "  ") = '\0';
		for (w = words; islower((unsigned char)*w); w += *w == ' ')
			w += strcspn(w, " ");
		w[w > words && w[-1] == ' ' ? -1 : 0] = '\0';
		w = strchr(words, ' ');
		if (w != NULL) {
			group = xstrdup(words);
			group[w - words] = '\0';
			ck_assert_int_eq(agora_bare(&sub, group, w + 1, "--help"),
			    EX_OK);
			ck_assert_int_eq(agora_bare(NULL, group, "--help", NULL),
			    EX_OK);
			free(group);
		} else
			ck_assert_int_eq(agora_bare(&sub, words, "--help",
			    NULL), EX_OK);
		ck_assert_msg(strncmp(sub, "usage: agora ", 13) == 0 &&
		    strncmp(sub + 13, words, strlen(words)) == 0,
		    "agora %s --help:\n%s", words, sub);
		expect_man_options(heads, words, sub);
		free(sub);
		free(words);
	}
	ck_assert_int_gt(n, 30);
	free(heads);
	free(out);
}
END_TEST

/* An option a subcommand does not have, or a value missing: the error
   names the subcommand and its --help. */
START_TEST(test_unknown_option)
{
	char *out;

	ck_assert_int_eq(agora_bare(&out, "space", "list", "--frob"),
	    EX_USAGE);
	expect_output(out, "space list: unknown option --frob");
	expect_output(out, "see agora space list --help");
	free(out);
	ck_assert_int_eq(agora_bare(&out, "whoami", "--link", NULL), EX_USAGE);
	expect_output(out, "whoami: unknown option --link");
	free(out);
	ck_assert_int_eq(agora_bare(&out, "messages", "--limit", NULL),
	    EX_USAGE);
	expect_output(out, "--limit needs a value");
	free(out);
	ck_assert_int_eq(agora_bare(&out, "--frob", "ping", NULL), EX_USAGE);
	expect_output(out, "unknown option --frob; see agora --help");
	free(out);
	ck_assert_int_eq(agora_bare(&out, "space", "show", NULL), EX_USAGE);
	expect_output(out, "usage: agora space show SPACE [--json]");
	free(out);
	ck_assert_int_eq(agora_bare(&out, "space", "frob", NULL), EX_USAGE);
	expect_output(out, "see agora space --help");
	free(out);
}
END_TEST

/* The space commands end to end: create, list, show, invite, accept the
   e-mailed link as the invitee, revoke and grant, the shareable link. */
START_TEST(test_spaces)
{
	char *out, *id, *maildir, *link, *invitee = harness_email("newbie");
	char *user;
	struct mail *m;
	int seen = 0;

	agorad_user_add(node, "cli-colleague@example.com", "Colleague",
	    "correct horse", "Acme", "member");
	ck_assert_int_eq(agora("correct horse\n", &out, "login", NULL), EX_OK);
	free(out);
	ck_assert_int_eq(agorav(NULL, NULL, &id, "space", "create",
	    "Globex renewal", "--description", "Q4 \xe2\x80\x94 deal", NULL),
	    EX_OK);
	id[strcspn(id, "\n")] = '\0';
	ck_assert_int_gt(atoi(id), 0);
	ck_assert_int_eq(agorav(NULL, NULL, &out, "space", "list", NULL),
	    EX_OK);
	expect_output(out, "owner");
	expect_output(out, "Globex renewal");
	free(out);
	ck_assert_int_eq(agorav(NULL, NULL, &out, "space", "list", "--json",
	    NULL), EX_OK);
	expect_output(out, "[{\"id\":");
	expect_output(out, "\"description\":\"Q4 \xe2\x80\x94 deal\"");
	free(out);
	ck_assert_int_eq(agorav(NULL, NULL, &out, "invite", id,
	    "cli-colleague@example.com", invitee, "--message", "Bonjour",
	    NULL), EX_OK);
	expect_output(out, "internal  active");
	expect_output(out, "external  pending");
	free(out);
	ck_assert_int_eq(agorav(NULL, NULL, &out, "invite", id, "nobody",
	    NULL), EX_DATAERR);
	free(out);

	/* The invitee follows the e-mailed link, choosing a password. */
	xasprintf(&maildir, "%s/maildir", agorad_dir(node));
	m = maildir_next(maildir, &seen);	/* the colleague's notice */
	mail_free(m);
	m = maildir_next(maildir, &seen);
	link = mail_link(m);
	mail_free(m);
	ck_assert_int_eq(agorav("newbie", "newbie's password\n", &out,
	    "accept", link, "--name", "New Bie", NULL), EX_OK);
	expect_output(out, "you are in space");
	free(out);
	ck_assert_int_eq(agorav("newbie", NULL, &out, "space", "show", id,
	    NULL), EX_OK);
	expect_output(out, "New Bie");
	free(out);
	ck_assert_int_eq(agorav("newbie", NULL, &out, "accept", link, NULL),
	    EX_NOINPUT);		/* once only */
	expect_output(out, "not valid");
	free(out);

	/* Revoked: the space is gone for them; granted: back. */
	user = pg_text("SELECT id::text FROM users WHERE email = $1", invitee,
	    NULL);
	ck_assert_int_eq(agorav(NULL, NULL, &out, "revoke", id, user, NULL),
	    EX_OK);
	free(out);
	ck_assert_int_eq(agorav("newbie", NULL, &out, "space", "show", id,
	    NULL), EX_NOINPUT);
	expect_output(out, "this space link is not valid");
	free(out);
	ck_assert_int_eq(agorav(NULL, NULL, &out, "grant", id, user, NULL),
	    EX_OK);
	free(out);
	ck_assert_int_eq(agorav("newbie", NULL, &out, "space", "show", id,
	    NULL), EX_OK);
	free(out);

	/* Someone still pending: reminded (a link to pass on), resent,
	   and their profile filled in from the owner's side. */
	ck_assert_int_eq(agorav(NULL, NULL, &out, "invite", id,
	    "pending.one@example.org", NULL), EX_OK);
	free(out);
	free(user);
	user = pg_text("SELECT id::text FROM users WHERE email ="
	    " 'pending.one@example.org'", NULL);
	ck_assert_int_eq(agorav(NULL, NULL, &out, "remind", id, user,
	    "--link", NULL), EX_OK);
	expect_output(out, "/invite/");
	free(out);
	ck_assert_int_eq(agorav(NULL, NULL, &out, "resend", id, user, NULL),
	    EX_OK);
	free(out);
	ck_assert_int_eq(agorav(NULL, NULL, &out, "profile", id, user,
	    "--company", "Globex", "--job-title", "Buyer", NULL), EX_OK);
	free(out);
	/* Someone else's profile: as this space knows them, not their
	   account's. */
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM participants WHERE"
	    " local_company = 'Globex' AND local_job_title = 'Buyer'", NULL), 1);
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM users WHERE company ="
	    " 'Globex'", NULL), 0);
	ck_assert_int_eq(agorav(NULL, NULL, &out, "profile", id, user, NULL),
	    EX_USAGE);
	free(out);

	/* The shareable link, and asking through it. */
	free(link);
	ck_assert_int_eq(agorav(NULL, NULL, &link, "space", "link", id, NULL),
	    EX_OK);
	link[strcspn(link, "\n")] = '\0';
	ck_assert_int_eq(agorav("stranger", NULL, &out, "request-access",
	    link, "--email", "stranger@example.org", NULL), EX_OK);
	expect_output(out, "access requested");
	free(out);
	ck_assert_int_eq(agorav(NULL, NULL, &out, "space", "delete", id,
	    NULL), EX_USAGE);	/* no --yes */
	free(out);
	ck_assert_int_eq(agorav(NULL, NULL, &out, "space", "delete", id,
	    "--yes", NULL), EX_OK);
	free(out);
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM spaces WHERE id = "
	    "$1::bigint", id, NULL), 0);
	free(user);
	free(link);
	free(maildir);
	free(invitee);
	free(id);
}
END_TEST

/* A file up and down through the commands, checked byte for byte, and a
   comment on it. */
START_TEST(test_files)
{
	char *out, *id, *file, path[160], back[160], *a, *b;
	unsigned char data[70000];
	FILE *f;

	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (unsigned char)(i * 131 + i / 256);
	data[0] = 0;
	snprintf(path, sizeof path, "%s/blob.bin", xdg);
	snprintf(back, sizeof back, "%s/back.bin", xdg);
	ck_assert_ptr_nonnull(f = fopen(path, "wb"));
	ck_assert_uint_eq(fwrite(data, 1, sizeof data, f), sizeof data);
	fclose(f);
	ck_assert_int_eq(agora("correct horse\n", &out, "login", NULL), EX_OK);
	free(out);
	ck_assert_int_eq(agorav(NULL, NULL, &id, "space", "create", "Files",
	    NULL), EX_OK);
	id[strcspn(id, "\n")] = '\0';
	ck_assert_int_eq(agorav(NULL, NULL, &file, "file", "upload", id, path,
	    "--name", "Proposal v2.bin", NULL), EX_OK);
	file[strcspn(file, "\n")] = '\0';
	ck_assert_int_eq(agorav(NULL, NULL, &out, "file", "list", id, NULL),
	    EX_OK);
	expect_output(out, "Proposal v2.bin");
	expect_output(out, "70000");
	free(out);
	ck_assert_int_eq(agorav(NULL, NULL, &out, "file", "get", file, back,
	    NULL), EX_OK);
	free(out);
	a = file_read(path);
	b = file_read(back);
	ck_assert(memcmp(a, b, sizeof data) == 0);
	free(a);
	free(b);
	ck_assert_int_eq(agorav(NULL, NULL, &out, "comment", file,
	    "Looks good \xe2\x80\x94 merci", NULL), EX_OK);
	free(out);
	ck_assert_int_eq(agorav(NULL, NULL, &out, "comments", file, NULL),
	    EX_OK);
	expect_output(out, "Looks good \xe2\x80\x94 merci");
	free(out);
	/* Many pages of comments come out as one list. */
	pg_exec("INSERT INTO file_comments (file_id, author_id, body) SELECT"
	    " $1, author_id, 'page ' || g || ' ' || repeat('x', 3000) FROM"
	    " file_comments, generate_series(1, 300) g WHERE file_id = $1",
	    file, NULL);
	ck_assert_int_eq(agorav(NULL, NULL, &out, "comments", file, "--json",
	    NULL), EX_OK);
	ck_assert_int_eq(count_in(out, "\"body\":"), 301);
	expect_output(out, "\"body\":\"page 300 ");
	ck_assert_int_eq(out[0], '[');
	free(out);
	ck_assert_int_eq(agorav(NULL, NULL, &out, "file", "get", "999999",
	    back, NULL), EX_NOINPUT);
	free(out);
	ck_assert_int_eq(agorav(NULL, NULL, &out, "file", "upload", id,
	    "/nonexistent/file", NULL), EX_NOINPUT);
	free(out);
	free(file);
	free(id);
}
END_TEST

/* agorav in French: LC_ALL as a French user's shell sets it, for the
   length of one run. */
static int
agora_fr(char **out, const char *a1, const char *a2, const char *a3)
{
	char *old = xstrdup(getenv("LC_ALL") != NULL ? getenv("LC_ALL") : "");
	int rc;

	setenv("LC_ALL", "fr_FR.UTF-8", 1);
	rc = agorav(NULL, NULL, out, a1, a2, a3, NULL);
	setenv("LC_ALL", old, 1);
	free(old);
	return rc;
}

/*
 * In fr_FR.UTF-8 the client's own texts (--help, messages, errors) are
 * French, and --json, for scripts, is the same bytes in both languages.
 */
START_TEST(test_french)
{
	char *out, *json;

	ck_assert_int_eq(agora_fr(&out, "whoami", NULL, NULL), EX_NOPERM);
	expect_output(out, "non connecté");
	free(out);
	ck_assert_int_eq(agora("correct horse\n", &out, "login", NULL), EX_OK);
	free(out);
	ck_assert_int_eq(agorav(NULL, NULL, &out, "space", "create", "Salle",
	    NULL), EX_OK);
	free(out);
	ck_assert_int_eq(agorav(NULL, NULL, &json, "space", "list", "--json",
	    NULL), EX_OK);
	expect_output(json, "\"title\":\"Salle\"");
	ck_assert_int_eq(agora_fr(&out, "space", "list", "--json"), EX_OK);
	ck_assert_str_eq(out, json);
	free(out);
	free(json);
	ck_assert_int_eq(agora_fr(&out, "space", "list", "--help"), EX_OK);
	expect_output(out, "les espaces dont vous faites partie");
	ck_assert_ptr_null(strstr(out, "the spaces you are in"));
	free(out);
	ck_assert_int_eq(agora_fr(&out, "space", "frob", NULL), EX_USAGE);
	expect_output(out, "voir agora space --help");
	free(out);
	ck_assert_int_eq(agora_fr(&out, "logout", NULL, NULL), EX_OK);
	expect_output(out, "déconnecté");
	free(out);
}
END_TEST

static Suite *
cli_suite(void)
{
	Suite *s = suite_create("cli");
	TCase *tc = harness_tcase("cli");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_ping);
	tcase_add_test(tc, test_login_whoami_logout);
	tcase_add_test(tc, test_wrong_password);
	tcase_add_test(tc, test_readable_token_refused);
	tcase_add_test(tc, test_unknown_certificate_refused);
	tcase_add_test(tc, test_usage);
	tcase_add_test(tc, test_spaces);
	tcase_add_test(tc, test_files);
	tcase_add_test(tc, test_french);
	suite_add_tcase(s, tc);
	/* No server: the table, its --help and agora(1). */
	tc = harness_tcase("help");
	tcase_add_test(tc, test_help);
	tcase_add_test(tc, test_unknown_option);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return harness_run(cli_suite());
}
