/*
 * The full-screen client end to end: the real agora binary in a tmux pane
 * (tmux.h), against a real agorad and PostgreSQL (harness.h). Each test
 * looks at what the screen shows, sends keys as a user would, and ends
 * with q: agora must exit 0 with nothing from the sanitizers on its
 * standard error, and agorad must stop cleanly.
 */
#include <sys/stat.h>

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "proxy.h"
#include "tmux.h"
#include "xmalloc.h"

#define PASSWORD "correct horse"
#define NAME	 "Alice Martin"

/* What the frame is drawn with: Unicode (a UTF-8 terminal that can), or
 * the letters of the alternate character set as tmux captures them. */
struct box {
	const char *ul, *ur, *ll, *lr, *v, *tt, *bt;
};
static const struct box box_unicode = { "\u250c", "\u2510", "\u2514",
	"\u2518", "\u2502", "\u252c", "\u2534" };
static const struct box box_acs = { "l", "k", "m", "j", "x", "w", "v" };

static struct agorad *node;
static struct tmux *tm;
static char *email, *fp, *known_hosts, *session;
static char server[64], ws[32];
static int64_t alice;
static char *const no_env[] = { NULL };

static void
setup(void)
{
	struct client *c;

	harness_test_setup();
	node = agorad_new(NULL);
	agorad_start(node);
	email = harness_email("alice");
	/* Workspaces are found by name in a database all tests share. */
	snprintf(ws, sizeof ws, "Acme%ld", (long)getpid());
	alice = agorad_user_add(node, email, NAME, PASSWORD, ws, "admin");
	snprintf(server, sizeof server, "127.0.0.1:%s", agorad_port(node));
	/* What the client must show and pin. */
	c = harness_connect(node);
	fp = xstrdup(client_fingerprint(c));
	client_close(c);
	tm = tmux_new();
	xasprintf(&known_hosts, "%s/agora/known_hosts", tmux_config_home(tm));
	xasprintf(&session, "%s/agora/session", tmux_state_home(tm));
}

static void
teardown(void)
{
	tmux_free(tm);
	free(email);
	free(fp);
	free(known_hosts);
	free(session);
	agorad_stop_clean(node);
	agorad_free(node);
	harness_test_teardown();
}

/* agora --server ... --email ... in a cols x rows pane. */
static void
agora_run(int cols, int rows, const char *term, char *const env[])
{
	char *argv[] = { getenv("AGORA"), "--server", server, "--email", email,
		NULL };

	ck_assert_msg(argv[0] != NULL, "AGORA is not set");
	tmux_run(tm, cols, rows, term, env, argv);
}

static void
write_file(const char *path, const char *text)
{
	char *dir = xstrdup(path);
	FILE *f;

	*strrchr(dir, '/') = '\0';
	ck_assert_msg(mkdir(dir, 0700) == 0 || errno == EEXIST, "mkdir %s: %s",
	    dir, strerror(errno));
	free(dir);
	ck_assert_msg((f = fopen(path, "w")) != NULL, "%s: %s", path,
	    strerror(errno));
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

/* The server is known: no question at start. */
static void
pin(void)
{
	char *line;

	xasprintf(&line, "%s %s\n", server, fp);
	write_file(known_hosts, line);
	free(line);
}

/* At the password prompt: log in and wait until online. */
#define log_in() log_in_at(__FILE__, __LINE__)
static void
log_in_at(const char *file, int line)
{
	tmux_wait_at(file, line, tm, "Password:", 1, TMUX_WAIT_MS);
	tmux_type_at(file, line, tm, PASSWORD);
	tmux_key_at(file, line, tm, "Enter");
	tmux_wait_at(file, line, tm, "\u25cf online", 1, TMUX_WAIT_MS);
}

/* q, then exit status 0 and nothing from ASan, LSan or UBSan. */
#define quit_clean() quit_clean_at(__FILE__, __LINE__)
static void
quit_clean_at(const char *file, int line)
{
	char *err;
	int rc;

	tmux_key_at(file, line, tm, "q");
	rc = tmux_wait_exit_at(file, line, tm);
	err = tmux_stderr(tm);
	ck_assert_msg(rc == 0, "%s:%d: agora exited %d; standard error:\n%s",
	    file, line, rc, err);
	ck_assert_msg(strstr(err, "ERROR: AddressSanitizer") == NULL &&
		strstr(err, "ERROR: LeakSanitizer") == NULL &&
		strstr(err, "runtime error:") == NULL,
	    "%s:%d: sanitizer report on agora's standard error:\n%s", file,
	    line, err);
	free(err);
}

/* Columns of s[0..len): every character the client draws here is one
 * column wide, so code points. */
static size_t
cols_of(const char *s, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	}
	return n;
}

static int
starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* The column of needle in line, or -1. */
static int
col_of(const char *line, const char *needle)
{
	const char *p = strstr(line, needle);

	return p != NULL ? (int)cols_of(line, (size_t)(p - line)) : -1;
}

/*
 * What is wrong with the frame in capture for a cols x rows terminal
 * (caller frees), or NULL: header, top border with corners and the
 * sidebar's tee, side borders on every row at the last column, bottom
 * border, status line with the key hint.
 */
static char *
frame_problem(const char *cap, int cols, int rows, const struct box *b)
{
	char *why = NULL, *l;
	int n = tmux_count(cap, "\n");

	if (n != rows)
		xasprintf(&why, "%d lines, not %d", n, rows);
	for (int r = 0; r < rows && why == NULL; r++) {
		l = xstrdup(tmux_line(cap, r));
		if (r == 0) {
			if (strstr(l, " agora \u00b7 ") == NULL)
				xasprintf(&why, "no header: %s", l);
		} else if (r == rows - 2) {
			if (!ends_with(l, "? help  : command  q quit"))
				xasprintf(&why, "no key hint: %s", l);
		} else if (r < rows - 2 && (int)cols_of(l, strlen(l)) != cols)
			xasprintf(&why, "line %d is %zu columns wide, not %d",
			    r, cols_of(l, strlen(l)), cols);
		else if (r == 1 && (!starts_with(l, b->ul) ||
		    !ends_with(l, b->ur) || strstr(l, b->tt) == NULL))
			xasprintf(&why, "top border: %s", l);
		else if (r == rows - 3 && (!starts_with(l, b->ll) ||
		    !ends_with(l, b->lr) || strstr(l, b->bt) == NULL))
			xasprintf(&why, "bottom border: %s", l);
		else if (r > 1 && r < rows - 3 && (!starts_with(l, b->v) ||
		    !ends_with(l, b->v)))
			xasprintf(&why, "side borders on line %d: %s", r, l);
		free(l);
	}
	return why;
}

/* Waits until the frame is whole at cols x rows; returns the capture. */
#define wait_frame(cols, rows, b) \
	wait_frame_at(__FILE__, __LINE__, (cols), (rows), (b))
static const char *
wait_frame_at(const char *file, int line, int cols, int rows,
    const struct box *b)
{
	int64_t deadline = now_ms() + TMUX_WAIT_MS;
	const char *cap;
	char *why;

	for (;;) {
		cap = tmux_capture_at(file, line, tm, 0);
		if ((why = frame_problem(cap, cols, rows, b)) == NULL)
			return cap;
		if (now_ms() > deadline)
			ck_abort_msg("%s:%d: no whole %dx%d frame: %s; the pane "
				     "shows:\n%s",
			    file, line, cols, rows, why, cap);
		free(why);
		sleep_ms(TMUX_POLL_MS);
	}
}

/* Whether an SGR sequence in s sets a colour (3x, 4x, 9x, 10x, 38, 48;
 * 39 and 49, back to the default, are not colours). */
static int
has_colour(const char *s)
{
	const char *p = s, *end;
	long v;
	char *q;

	while ((p = strstr(p, "\033[")) != NULL) {
		p += 2;
		end = p + strspn(p, "0123456789;");
		if (*end != 'm')
			continue;
		for (q = (char *)p; q < end;) {
			v = strtol(q, &q, 10);
			if ((v >= 30 && v <= 38) || (v >= 40 && v <= 48) ||
			    (v >= 90 && v <= 97) || (v >= 100 && v <= 107))
				return 1;
			if (*q == ';')
				q++;
		}
		p = end;
	}
	return 0;
}

/*
 * The SGR parameters in force where text starts in line (an -e capture):
 * the sequences right before it, as ";"-separated numbers in out.
 */
static void
sgr_before(const char *line, const char *text, char *out, size_t len)
{
	const char *p = strstr(line, text), *start;

	out[0] = '\0';
	ck_assert_msg(p != NULL, "\"%s\" not in %s", text, line);
	while (p > line && p[-1] == 'm') {
		for (start = p - 1; start > line && start[0] != '\033'; start--)
			;
		if (start[0] != '\033' || start[1] != '[')
			break;
		/* Prepended: the earlier sequence comes first. */
		char tmp[128];

		snprintf(tmp, sizeof tmp, "%.*s;%s", (int)(p - 1 - start - 2),
		    start + 2, out);
		snprintf(out, len, "%s", tmp);
		p = start;
	}
}

/* Whether the ";"-separated list has the number v. */
static int
sgr_has(const char *list, int v)
{
	char *q = (char *)list;
	long n;

	while (*q != '\0') {
		n = strtol(q, &q, 10);
		if (n == v)
			return 1;
		if (*q != ';')
			break;
		q++;
	}
	return 0;
}

/*
 * The text of the dialog box from the line holding from to the line
 * holding to (excluded), joined without separators: a long word, such as
 * a fingerprint, is cut over several lines.
 */
static char *
dialog_text(const char *cap, const char *from, const char *to)
{
	int first = tmux_find_line(cap, from), last = tmux_find_line(cap, to);
	int left, n;
	char *out = xstrdup(""), *tmp, *l, *p, *end;

	ck_assert_msg(first >= 0 && last > first, "no \"%s\" .. \"%s\" in:\n%s",
	    from, to, cap);
	/* The box's left border: "│ " before from. */
	l = xstrdup(tmux_line(cap, first));
	left = col_of(l, from);
	free(l);
	for (int r = first; r < last; r++) {
		l = xstrdup(tmux_line(cap, r));
		/* To the column where the text starts... */
		for (p = l, n = 0; *p != '\0' && n < left; p++) {
			if (((unsigned char)p[1] & 0xc0) != 0x80)
				n++;
		}
		/* ... and to the box's right border. */
		if ((end = strstr(p, "\u2502")) != NULL)
			*end = '\0';
		while (*p == ' ')
			p++;
		for (end = p + strlen(p); end > p && end[-1] == ' '; end--)
			;
		*end = '\0';
		if (r == first)
			p += strlen(from);
		while (*p == ' ')
			p++;
		xasprintf(&tmp, "%s%s", out, p);
		free(out);
		out = tmp;
		free(l);
	}
	return out;
}

/* s without spaces, line ends and vertical box lines: text wrapped over
 * several lines (or cut inside a word) reads as one (caller frees). */
static char *
squeeze(const char *s)
{
	char *out = xmalloc(strlen(s) + 1), *w = out;

	while (*s != '\0') {
		if (*s == ' ' || *s == '\n')
			s++;
		else if (starts_with(s, "\u2502"))
			s += strlen("\u2502");
		else
			*w++ = *s++;
	}
	*w = '\0';
	return out;
}

/*
 * The main area of a capture: on each line, what lies between the second
 * vertical box line (the sidebar's right edge) and the last, so text
 * wrapped in the main area reads on without the sidebar in between
 * (caller frees).
 */
static char *
main_area(const char *s)
{
	char *out = xmalloc(strlen(s) + 1), *w = out;
	const char *bar = "\u2502", *eol, *a, *b, *p;

	for (; *s != '\0'; s = *eol != '\0' ? eol + 1 : eol) {
		eol = s + strcspn(s, "\n");
		if ((a = strstr(s, bar)) == NULL || a >= eol ||
		    (a = strstr(a + strlen(bar), bar)) == NULL || a >= eol)
			continue;
		a += strlen(bar);
		for (b = NULL, p = a; (p = strstr(p, bar)) != NULL && p < eol;
		    p += strlen(bar))
			b = p;
		if (b == NULL)
			continue;
		memcpy(w, a, (size_t)(b - a));
		w += b - a;
		*w++ = '\n';
	}
	*w = '\0';
	return out;
}

/* Whether path exists. */
static int
exists(const char *path)
{
	return access(path, F_OK) == 0;
}

START_TEST(test_trust_first_use)
{
	const char *s;
	char *shown, *text, *want;

	/* No: not connected, nothing pinned. */
	agora_run(100, 30, NULL, no_env);
	/* The dialog's last line: the capture may catch a frame half
	   drawn, and the rows above it come first. */
	s = tmux_wait(tm, "[y] yes");
	ck_assert_msg(strstr(s, server) != NULL, "server not named:\n%s", s);
	shown = dialog_text(s, "SHA-256 fingerprint:", "Trust it");
	ck_assert_msg(strcmp(shown, fp) == 0,
	    "the dialog shows fingerprint \"%s\", the server has \"%s\"",
	    shown, fp);
	free(shown);
	tmux_key(tm, "n");
	s = tmux_wait(tm, "\u25cb not connected");
	ck_assert_ptr_nonnull(strstr(s, "is not trusted"));
	ck_assert_ptr_null(strstr(s, "Password:"));
	ck_assert_msg(!exists(known_hosts), "%s was written", known_hosts);
	quit_clean();

	/* Asked again; yes: pinned, then the password. */
	agora_run(100, 30, NULL, no_env);
	tmux_wait(tm, "[y] yes");
	tmux_key(tm, "y");
	s = tmux_wait(tm, "Password:");
	ck_assert_ptr_null(strstr(s, "is not known"));
	text = file_read(known_hosts);
	xasprintf(&want, "%s %s\n", server, fp);
	ck_assert_msg(text != NULL && strcmp(text, want) == 0,
	    "%s holds \"%s\", not \"%s\"", known_hosts, text, want);
	free(text);
	free(want);
	tmux_key(tm, "Escape");
	tmux_wait(tm, "not logged in (:connect");
	quit_clean();

	/* Pinned: straight to the password. */
	agora_run(100, 30, NULL, no_env);
	s = tmux_wait(tm, "Password:");
	ck_assert_msg(strstr(s, "is not known") == NULL, "asked again:\n%s", s);
	log_in();
	quit_clean();
}
END_TEST

/* A pin that does not match: refused, and no password is asked. */
START_TEST(test_trust_changed)
{
	const char *other = "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:"
			    "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF";
	char *line, *text;
	const char *s;

	xasprintf(&line, "%s %s\n", server, other);
	write_file(known_hosts, line);
	agora_run(100, 30, NULL, no_env);
	/* The status line comes after the main area in a frame. */
	s = tmux_wait(tm, "changed (see above)");
	ck_assert_msg(strstr(s, "Password:") == NULL &&
		strstr(s, "is not known") == NULL,
	    "asked something:\n%s", s);
	ck_assert_ptr_nonnull(strstr(s, "\u25cb not connected"));
	text = file_read(known_hosts);
	ck_assert_str_eq(text, line);
	free(text);
	free(line);
	quit_clean();
}
END_TEST

/*
 * The whole "HAS CHANGED" warning is on screen (the new fingerprint, the
 * risk, the line to remove from which file), however it is wrapped: it is
 * about 250 columns long, far more than the status line.
 */
START_TEST(test_trust_changed_explained)
{
	const char *other = "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:"
			    "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF";
	char *line, *flat, *area;
	const char *s;

	xasprintf(&line, "%s %s\n", server, other);
	write_file(known_hosts, line);
	free(line);
	agora_run(100, 30, NULL, no_env);
	/* The status line comes after the main area in a frame. */
	s = tmux_wait(tm, "changed (see above)");
	/* However the client wraps it, the whole warning must be there. */
	area = main_area(s);
	flat = squeeze(area);
	free(area);
	ck_assert_msg(strstr(flat, fp) != NULL &&
		strstr(flat, "intercepting") != NULL &&
		strstr(flat, known_hosts) != NULL,
	    "the warning is cut (no new fingerprint, no \"intercepting\", "
	    "or no %s); the screen shows:\n%s", known_hosts, s);
	free(flat);
	quit_clean();
}
END_TEST

START_TEST(test_login)
{
	struct stat st;
	const char *s;
	char *want;

	pin();
	agora_run(100, 30, NULL, no_env);
	tmux_wait(tm, "Password:");
	tmux_type(tm, PASSWORD);
	/* One star per character, and not the password. */
	xasprintf(&want, "\nPassword: %.*s\n", (int)strlen(PASSWORD),
	    "****************************************");
	s = tmux_wait(tm, want);
	free(want);
	ck_assert_msg(strstr(s, PASSWORD) == NULL, "the password shows:\n%s",
	    s);
	tmux_key(tm, "Enter");
	s = tmux_wait(tm, "\u25cf online");
	ck_assert_msg(strstr(tmux_line(s, 0), NAME) != NULL,
	    "the header has no name: %s", tmux_line(s, 0));
	ck_assert_ptr_nonnull(strstr(tmux_line(s, 0), ws));
	ck_assert_ptr_nonnull(strstr(s, "logged in to"));
	ck_assert_ptr_null(strstr(s, PASSWORD));
	ck_assert_msg(stat(session, &st) == 0, "%s: %s", session,
	    strerror(errno));
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	quit_clean();

	/* The session is resumed: nothing asked. */
	agora_run(100, 30, NULL, no_env);
	s = tmux_wait(tm, "\u25cf online");
	ck_assert_msg(strstr(s, "Password:") == NULL &&
		strstr(s, "connected to") != NULL,
	    "not resumed:\n%s", s);
	ck_assert_ptr_nonnull(strstr(tmux_line(s, 0), NAME));
	quit_clean();
}
END_TEST

/*
 * The same screen in French: LANG=fr_FR.UTF-8 and the build's catalog
 * (AGORA_LOCALEDIR, from tests/meson.build) give the frame, the overview
 * and the status line in French, and nothing is cut out of place.
 */
START_TEST(test_french)
{
	char *const fr_env[] = { "LANG=fr_FR.UTF-8", NULL };
	const char *s;

	pin();
	agora_run(100, 30, NULL, no_env);
	log_in();
	quit_clean();

	/* The session is resumed: no password prompt. */
	agora_run(100, 30, NULL, fr_env);
	s = tmux_wait(tm, "\u25cf en ligne");
	ck_assert_ptr_nonnull(strstr(tmux_line(s, 0), NAME));
	tmux_wait(tm, "ESPACES DE TRAVAIL (Entr\u00e9e pour changer)");
	s = tmux_wait(tm, "? aide  : commande  q quitter");
	ck_assert_msg(strstr(s, "Compte") != NULL &&
		strstr(s, "Dernier \u00e9v\u00e9nement") != NULL &&
		strstr(s, "Accueil") != NULL && strstr(s, "ESPACES") != NULL,
	    "no French overview:\n%s", s);
	ck_assert_msg(strstr(s, "Overview") == NULL &&
		strstr(s, "? help") == NULL, "English left:\n%s", s);
	/* The help, from the key table. */
	tmux_key(tm, "?");
	s = tmux_wait(tm, "Touches\u00a0: Accueil");
	ck_assert_ptr_nonnull(strstr(s, "cette aide"));
	tmux_key(tm, "Escape");
	quit_clean();
}
END_TEST

/* The question about an unknown certificate, in French. */
START_TEST(test_french_trust)
{
	char *const fr_env[] = { "LANG=fr_FR.UTF-8", NULL };
	const char *s;

	agora_run(100, 30, NULL, fr_env);
	s = tmux_wait(tm, "[y] oui    [n] non");
	ck_assert_msg(strstr(s, "n'est pas connu.") != NULL &&
		strstr(s, "Empreinte SHA-256") != NULL &&
		strstr(s, "Lui faire confiance") != NULL,
	    "no French question:\n%s", s);
	ck_assert_msg(strstr(s, "is not known") == NULL &&
		strstr(s, "Trust it") == NULL, "English left:\n%s", s);
	tmux_key(tm, "n");
	quit_clean();
	ck_assert_msg(!exists(known_hosts), "%s was written", known_hosts);
}
END_TEST

/* A space in French: the list's and the participants' headings, the
   counts (one person: the singular), the keys under the description. */
START_TEST(test_french_space)
{
	char *const fr_env[] = { "LANG=fr_FR.UTF-8", NULL };
	struct client *c = harness_login(node, email, PASSWORD, NULL);
	const char *s;

	client_reply_free(call_ok(c, "SPACE.CREATE", "title", "Salle ronde",
	    NULL));
	client_close(c);
	pin();
	agora_run(110, 30, NULL, no_env);
	log_in();
	quit_clean();

	agora_run(110, 30, NULL, fr_env);
	tmux_wait(tm, "\u25cf en ligne");
	tmux_key(tm, "4");
	s = tmux_wait(tm, "Salle ronde");
	ck_assert_msg(strstr(s, "TITRE") != NULL && strstr(s, "R\u00d4LE") !=
	    NULL && strstr(s, "TITLE") == NULL, "no French list:\n%s", s);
	tmux_key(tm, "Enter");
	s = tmux_wait(tm, "STATUT            ACTIVIT\u00c9");
	ck_assert_msg(strstr(s, "vous\u00a0: propri\u00e9taire \u00b7 "
		"1 personne \u00b7 0 en attente") != NULL &&
		strstr(s, "f\u00a0: fichiers") != NULL,
	    "no French space:\n%s", s);
	ck_assert_msg(strstr(s, "LAST SEEN") == NULL && strstr(s, "people") ==
	    NULL && strstr(s, "f: files") == NULL, "English left:\n%s", s);
	quit_clean();
}
END_TEST

START_TEST(test_wrong_password)
{
	const char *s;

	pin();
	agora_run(100, 30, NULL, no_env);
	tmux_wait(tm, "Password:");
	tmux_type(tm, "not the password");
	tmux_key(tm, "Enter");
	s = tmux_wait(tm, "wrong e-mail or password");
	ck_assert_ptr_null(strstr(s, "not the password"));
	/* Asked again, with an empty field. */
	ck_assert_msg(strcmp(tmux_line(s, 29), "Password:") == 0,
	    "no empty prompt on the last line:\n%s", s);
	ck_assert_msg(!exists(session), "a session was saved");
	tmux_type(tm, PASSWORD);
	tmux_key(tm, "Enter");
	s = tmux_wait(tm, "\u25cf online");
	ck_assert_ptr_nonnull(strstr(tmux_line(s, 0), NAME));
	ck_assert_ptr_null(strstr(s, "wrong e-mail"));
	quit_clean();
}
END_TEST

/* A token file others can read is not used: the password is asked. */
START_TEST(test_readable_token_refused)
{
	struct stat st;
	const char *s;

	pin();
	agora_run(160, 30, NULL, no_env);
	log_in();
	quit_clean();
	ck_assert_int_eq(chmod(session, 0644), 0);

	agora_run(160, 30, NULL, no_env);
	s = tmux_wait(tm, "Password:");
	ck_assert_msg(strstr(s, "other users can read it") != NULL,
	    "no reason given:\n%s", s);
	ck_assert_ptr_null(strstr(s, "\u25cf online"));
	log_in();
	/* The new file is private again, as the message promised. */
	ck_assert_int_eq(stat(session, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	quit_clean();
}
END_TEST

/* Lines of the main list: the row holding name, or -1. */
static int
row_of(const char *cap, const char *name)
{
	return tmux_find_line(cap, name);
}

START_TEST(test_navigation)
{
	const char *s;
	char *e[3], *want;
	int a, b, c, d;

	/* Out of name order, and one in lower case: the list is sorted
	   ignoring case. */
	e[0] = harness_email("dave");
	e[1] = harness_email("bob");
	e[2] = harness_email("carol");
	agorad_user_add(node, e[0], "Dave Dunn", PASSWORD, ws, "member");
	agorad_user_add(node, e[1], "bob Brown", PASSWORD, ws, "member");
	agorad_user_add(node, e[2], "Carol Chen", PASSWORD, ws, "manager");
	pin();
	agora_run(100, 30, NULL, no_env);
	log_in();

	tmux_key(tm, "3");
	s = tmux_wait(tm, "Dave Dunn");
	ck_assert_ptr_nonnull(strstr(tmux_line(s, 1), " People "));
	a = row_of(s, "\u2502>" NAME);
	b = row_of(s, " bob Brown");
	c = row_of(s, " Carol Chen");
	d = row_of(s, " Dave Dunn");
	ck_assert_msg(a > 1 && b == a + 1 && c == b + 1 && d == c + 1,
	    "not in name order (rows %d %d %d %d):\n%s", a, b, c, d, s);

	/* j and k move the marker. */
	tmux_key(tm, "j");
	s = tmux_wait(tm, ">bob Brown");
	ck_assert_ptr_null(strstr(s, ">" NAME));
	tmux_key(tm, "j");
	s = tmux_wait(tm, ">Carol Chen");
	ck_assert_ptr_null(strstr(s, ">bob Brown"));
	tmux_key(tm, "k");
	s = tmux_wait(tm, ">bob Brown");
	ck_assert_ptr_null(strstr(s, ">Carol Chen"));

	/* Tab: now k moves the sidebar's marker, not the list's. */
	ck_assert_ptr_nonnull(strstr(s, ">  People"));
	tmux_key(tm, "Tab");
	tmux_key(tm, "k");
	s = tmux_wait(tm, ">  Activity");
	ck_assert_ptr_nonnull(strstr(s, ">bob Brown"));
	ck_assert_ptr_nonnull(strstr(tmux_line(s, 1), " People "));
	/* Enter opens the entry's view. */
	tmux_key(tm, "Enter");
	s = tmux_wait(tm, " Activity \u2500");
	ck_assert_ptr_null(strstr(tmux_line(s, 1), " People "));
	ck_assert_ptr_nonnull(strstr(s, "SEQ  WHAT"));

	/* The filter narrows the list; Esc clears it. */
	tmux_key(tm, "3");
	tmux_wait(tm, " People \u2500");
	tmux_key(tm, "/");
	tmux_type(tm, "car");
	s = tmux_wait(tm, "\n/car\n");
	s = tmux_wait_gone(tm, "Dave Dunn");
	ck_assert_msg(strstr(s, "Carol Chen") != NULL &&
		strstr(s, "bob Brown") == NULL &&
		tmux_count(s, NAME) == 1 /* the header's */,
	    "filter \"car\":\n%s", s);
	tmux_key(tm, "Enter");
	s = tmux_wait(tm, "filter: car");
	ck_assert_msg(strstr(s, "Dave Dunn") == NULL,
	    "the filter went with Enter:\n%s", s);
	tmux_key(tm, "Escape");
	s = tmux_wait(tm, "Dave Dunn");
	ck_assert_ptr_nonnull(strstr(s, "bob Brown"));
	ck_assert_ptr_null(strstr(s, "filter:"));

	/* The command line, its completion and errors (its history:
	   test_command_history). */
	tmux_key(tm, ":");
	tmux_type(tm, "view activity");
	tmux_key(tm, "Enter");
	s = tmux_wait(tm, " Activity \u2500");
	ck_assert_msg(strstr(s, "SEQ  WHAT") != NULL &&
		strstr(s, "E-MAIL") == NULL,
	    "not the activity view:\n%s", s);
	tmux_key(tm, ":");
	tmux_type(tm, "wor");
	tmux_key(tm, "Tab");
	/* ":workspace " (tmux trims the space), then the name. */
	tmux_wait(tm, "\n:workspace\n");
	tmux_key(tm, "Tab");
	xasprintf(&want, "\n:workspace %s\n", ws);
	tmux_wait(tm, want);
	free(want);
	tmux_key(tm, "Enter");
	/* The status line, not the command line just sent. */
	xasprintf(&want, "\nworkspace %s ", ws);
	tmux_wait(tm, want);
	free(want);
	tmux_key(tm, ":");
	tmux_type(tm, "frobnicate");
	tmux_key(tm, "Enter");
	tmux_wait(tm, "unknown command \"frobnicate\"");
	quit_clean();
	for (int i = 0; i < 3; i++)
		free(e[i]);
}
END_TEST

/*
 * Up and Down in the ":" line show the recalled command at once, not at
 * the next key that happens to redraw.
 */
START_TEST(test_command_history)
{
	const char *s;

	pin();
	agora_run(100, 30, NULL, no_env);
	log_in();
	tmux_key(tm, ":");
	tmux_type(tm, "view activity");
	tmux_key(tm, "Enter");
	tmux_wait(tm, " Activity \u2500");
	tmux_key(tm, ":");
	tmux_type(tm, "view people");
	tmux_key(tm, "Enter");
	tmux_wait(tm, " People \u2500");

	/* Newest first; Down comes back to what was being typed. */
	tmux_key(tm, ":");
	tmux_type(tm, "vi");
	tmux_wait(tm, "\n:vi\n");
	tmux_key(tm, "Up");
	tmux_wait(tm, "\n:view people\n");
	tmux_key(tm, "Up");
	tmux_wait(tm, "\n:view activity\n");
	tmux_key(tm, "Down");
	tmux_wait(tm, "\n:view people\n");
	tmux_key(tm, "Down");
	tmux_wait(tm, "\n:vi\n");
	tmux_key(tm, "Up");
	tmux_key(tm, "Up");
	tmux_wait(tm, "\n:view activity\n");
	tmux_key(tm, "Enter");
	s = tmux_wait(tm, " Activity \u2500");
	ck_assert_ptr_nonnull(strstr(s, "SEQ  WHAT"));
	quit_clean();
}
END_TEST

/* The help overlay lists the key map. */
START_TEST(test_help)
{
	const char *s;
	char *l;
	int r;

	pin();
	agora_run(100, 30, NULL, no_env);
	log_in();
	tmux_key(tm, "?");
	s = tmux_wait(tm, "Keys:");
	/* Keys of one action on one line, with its description. */
	r = tmux_find_line(s, "j, Down");
	ck_assert_msg(r > 0, "no \"j, Down\" in:\n%s", s);
	l = xstrdup(tmux_line(s, r));
	ck_assert_msg(col_of(l, "move down") > col_of(l, "j, Down"),
	    "line: %s", l);
	free(l);
	r = tmux_find_line(s, "k, Up");
	ck_assert_msg(r > 0 && strstr(tmux_line(s, r), "move up") != NULL,
	    "no k, Up line in:\n%s", s);
	ck_assert_ptr_nonnull(strstr(s, "Tab "));
	ck_assert_ptr_nonnull(strstr(s, "focus the next pane"));
	tmux_key(tm, "Escape");
	s = tmux_wait_gone(tm, "Keys:");
	ck_assert_ptr_null(strstr(s, "move down"));
	wait_frame(100, 30, &box_unicode);
	quit_clean();
}
END_TEST

/* Nothing of the frame: no box, no header, no key hint. */
static void
expect_no_frame(const char *s)
{
	const char *parts[] = { "\u250c", "\u2510", "\u2514", "\u2518",
		"\u2502", "\u2500", "? help", " agora \u00b7 " };

	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
		ck_assert_msg(strstr(s, parts[i]) == NULL,
		    "\"%s\" on a screen that is too small:\n%s", parts[i], s);
}

START_TEST(test_resize)
{
	const char *s;

	pin();
	agora_run(80, 24, NULL, no_env);
	log_in();
	wait_frame(80, 24, &box_unicode);
	tmux_resize(tm, 200, 60);
	s = wait_frame(200, 60, &box_unicode);
	ck_assert_ptr_nonnull(strstr(tmux_line(s, 0), "\u25cf online"));
	tmux_resize(tm, 60, 20);
	s = tmux_wait(tm, "Terminal too small: 60x20");
	expect_no_frame(s);
	tmux_resize(tm, 100, 30);
	s = wait_frame(100, 30, &box_unicode);
	ck_assert_ptr_nonnull(strstr(tmux_line(s, 0), NAME));
	ck_assert_ptr_null(strstr(s, "too small"));
	quit_clean();
}
END_TEST

/* Events show without a key pressed. */
START_TEST(test_live)
{
	struct client *c;
	const char *s;
	char *e, *want;
	int64_t seq;

	pin();
	agora_run(100, 30, NULL, no_env);
	log_in();
	tmux_key(tm, "3");
	tmux_wait(tm, "\u2502>" NAME);
	e = harness_email("zed");
	agorad_user_add(node, e, "Zed Newcomer", PASSWORD, ws, "member");
	s = tmux_wait(tm, " Zed Newcomer");
	ck_assert_int_gt(tmux_find_line(s, " Zed Newcomer"),
	    tmux_find_line(s, ">" NAME));
	free(e);

	tmux_key(tm, "2");
	s = tmux_wait(tm, "SEQ  WHAT");
	/* Our own login is there already. */
	ck_assert_ptr_nonnull(strstr(s, "signed in from 127.0.0.1"));
	ck_assert_ptr_nonnull(strstr(s, "Zed Newcomer joined"));
	c = harness_login(node, email, PASSWORD, NULL);
	/* This login's event, by its number. */
	seq = pg_i64("SELECT max(seq) FROM events WHERE type = "
		     "'session.login' AND user_id = $1",
	    i64s(alice), NULL);
	xasprintf(&want, " %lld  signed in from 127.0.0.1", (long long)seq);
	tmux_wait(tm, want);
	free(want);
	client_close(c);
	quit_clean();
}
END_TEST

/* agorad restarts: the screen keeps what it shows and comes back. */
START_TEST(test_server_restart)
{
	const char *s;
	char *e, *port;

	e = harness_email("bob");
	agorad_user_add(node, e, "Bob Baker", PASSWORD, ws, "member");
	free(e);
	pin();
	agora_run(100, 30, NULL, no_env);
	log_in();
	tmux_key(tm, "3");
	tmux_wait(tm, "Bob Baker");
	port = xstrdup(agorad_port(node));

	ck_assert_int_eq(agorad_stop(node), 0);
	s = tmux_wait(tm, "connection lost");
	ck_assert_msg(strstr(s, "Bob Baker") != NULL &&
		strstr(s, ">" NAME) != NULL,
	    "the people went with the connection:\n%s", s);
	ck_assert_ptr_null(strstr(tmux_line(s, 0), "\u25cf online"));

	agorad_start(node);
	/* Same node, same config: the same port. */
	ck_assert_str_eq(agorad_port(node), port);
	free(port);
	/* Backoff doubles from 0.5 s while the server is away. */
	s = tmux_wait_ms(tm, "\u25cf online", 30000);
	ck_assert_msg(strstr(s, "Bob Baker") != NULL &&
		strstr(s, ">" NAME) != NULL,
	    "the people are gone after reconnecting:\n%s", s);
	ck_assert_ptr_nonnull(strstr(s, "connected to"));
	quit_clean();
}
END_TEST

/*
 * Away while 200 messages of 16,384 quotes (6.5 MiB of events) were
 * written in a space: back, the client catches up through SYNC's pages
 * (bounded in bytes, more=1) and comes online, the last of them in its
 * activity. A SYNC that answered them in one reply got it dropped, again
 * at every reconnection. Then the discussion loads back to its start.
 */
START_TEST(test_catch_up)
{
	struct client *c = harness_login(node, email, PASSWORD, NULL);
	struct client_reply *r;
	const char *s;
	char *e, *want;
	int64_t bob, space, seq;

	e = harness_email("bob");
	bob = agorad_user_add(node, e, "Bob Baker", PASSWORD, ws, "member");
	free(e);
	r = call_ok(c, "SPACE.CREATE", "title", "Big talk", NULL);
	space = line_i64(r->line, "space");
	client_reply_free(r);
	client_close(c);
	harness_participant(space, bob, "internal", "active");
	pin();
	agora_run(100, 30, NULL, no_env);
	log_in();

	ck_assert_int_eq(agorad_stop(node), 0);
	tmux_wait(tm, "connection lost");
	harness_big_messages(space, bob, 200, 1);
	seq = pg_i64("SELECT max(seq) FROM events WHERE space_id = $1",
	    i64s(space), NULL);
	agorad_start(node);
	s = tmux_wait_ms(tm, "\u25cf online", 30000);
	ck_assert_ptr_nonnull(strstr(s, "connected to"));
	/* The newest at the top of the activity. */
	tmux_key(tm, "2");
	tmux_wait(tm, "SEQ  WHAT");
	tmux_key(tm, "g");
	xasprintf(&want, " %lld  Bob Baker wrote in \u201cBig talk\u201d",
	    (long long)seq);
	tmux_wait(tm, want);
	free(want);
	/* Their discussion pages back by bytes (MSG.LIST's more=1) to the
	   first of them. */
	tmux_key(tm, "4");
	tmux_wait(tm, "Big talk");
	tmux_key(tm, "Enter");
	tmux_wait(tm, "PARTICIPANT");
	tmux_key(tm, "t");
	tmux_wait(tm, "\"\"\"\"\"\"\"\"\"\"");
	tmux_key(tm, "Escape");
	tmux_key(tm, "g");
	tmux_wait_ms(tm, "the beginning of the conversation", 60000);
	ck_assert_int_eq(agorad_log_count(node, "output queue full"), 0);
	quit_clean();
}
END_TEST

/* A display name made to attack the terminal arrives inert. */
START_TEST(test_hostile_name)
{
	/* C1 CSI + "2J" would clear the screen; RLO reverses what follows;
	   tab and CR move the cursor; the last part only looks like an
	   escape sequence. ESC and DEL cannot come: the protocol drops
	   them. */
	const char *hostile = "Mallory \xc2\x9b" "2J\xe2\x80\xae" "\t\r"
			      "^[[31mred";
	const char *inert = "Mallory <U+009B>2J<U+202E>^I^M^[[31mred";
	const char *s;
	char *e, *l, *ref;
	int64_t id;
	int r, rr;

	e = harness_email("mallory");
	id = agorad_user_add(node, e, "Mallory", PASSWORD, ws, "member");
	pg_exec("UPDATE users SET name = $1 WHERE id = $2", hostile, i64s(id),
	    NULL);
	pin();
	agora_run(140, 30, NULL, no_env);
	log_in();
	tmux_key(tm, "3");
	s = tmux_wait(tm, "<U+009B>");
	ck_assert_msg(strstr(s, inert) != NULL, "not \"%s\" in:\n%s", inert,
	    s);
	ck_assert_ptr_null(strstr(s, "\xc2\x9b"));
	ck_assert_ptr_null(strstr(s, "\xe2\x80\xae"));
	ck_assert_ptr_null(strchr(s, '\t'));
	ck_assert_ptr_null(strchr(s, '\r'));
	/* Its row is as wide as the others, border in place, and its
	   columns line up with our own row's. */
	r = tmux_find_line(s, inert);
	rr = tmux_find_line(s, ">" NAME);
	l = xstrdup(tmux_line(s, r));
	ref = xstrdup(tmux_line(s, rr));
	ck_assert_msg(cols_of(l, strlen(l)) == 140 && ends_with(l, "\u2502"),
	    "row shifted: %s", l);
	ck_assert_msg(col_of(l, "mallory.") == col_of(ref, "alice.") &&
		col_of(l, "member") == col_of(ref, "admin"),
	    "columns do not line up:\n%s\n%s", ref, l);
	free(l);
	free(ref);
	free(e);
	wait_frame(140, 30, &box_unicode);
	quit_clean();
}
END_TEST

/* TERM=vt100: boxes from the alternate character set. */
START_TEST(test_vt100)
{
	const char *s;
	char *top;

	pin();
	agora_run(100, 30, "vt100", no_env);
	log_in();
	/* tmux captures ACS as the letters the application sent... */
	s = wait_frame(100, 30, &box_acs);
	ck_assert_ptr_null(strstr(s, "\u2502"));
	/* ... and with -e shows they were sent as line drawing (SO). */
	s = tmux_capture(tm, 1);
	top = xstrdup(tmux_line(s, 1));
	ck_assert_msg(starts_with(top, "\016l") ||
		strstr(top, "\016l") != NULL,
	    "top border not in the alternate set: %s", top);
	free(top);
	quit_clean();
}
END_TEST

/* Colour, and NO_COLOR (https://no-color.org). */
START_TEST(test_no_color)
{
	char *const nc[] = { "NO_COLOR=1", NULL };
	const char *s;
	char *l;

	pin();
	agora_run(100, 30, NULL, no_env);
	log_in();
	s = tmux_capture(tm, 1);
	l = xstrdup(tmux_line(s, 0));
	ck_assert_msg(has_colour(l), "no colour in the header: %s", l);
	free(l);
	quit_clean();

	agora_run(100, 30, NULL, nc);
	tmux_wait(tm, "\u25cf online");
	s = tmux_capture(tm, 1);
	ck_assert_msg(!has_colour(s), "colour with NO_COLOR:\n%s", s);
	/* The header bar is still set apart, in reverse video. */
	ck_assert_msg(strstr(tmux_line(s, 0), "\033[7m") != NULL,
	    "header: %s", tmux_line(s, 0));
	quit_clean();
}
END_TEST

/*
 * The connection state in the header is red when not connected (white on
 * red, or red on the bar), never green like "online".
 */
START_TEST(test_state_colours)
{
	char sgr[256];
	const char *s;
	char *l;

	/* Not trusted: not connected. */
	agora_run(100, 30, NULL, no_env);
	tmux_wait(tm, "[y] yes");
	tmux_key(tm, "n");
	tmux_wait(tm, "\u25cb not connected");
	s = tmux_capture(tm, 1);
	l = xstrdup(tmux_line(s, 0));
	sgr_before(l, "\u25cb not connected", sgr, sizeof sgr);
	ck_assert_msg((sgr_has(sgr, 31) || sgr_has(sgr, 41)) &&
	    !sgr_has(sgr, 32) && !sgr_has(sgr, 42),
	    "\"not connected\" drawn with SGR %s (31/41 are red, 32/42 "
	    "green): %s", sgr, l);
	free(l);
	quit_clean();
}
END_TEST

/* A space's files: listed, a file's comments shown, one added with c,
   and another participant's comment arriving without a key. */
START_TEST(test_space_files)
{
	const char *sha = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e"
	    "73043362938b9824";	/* of "hello" */
	struct client *c = harness_login(node, email, PASSWORD, NULL);
	struct client_reply *r;
	char *space, *file;

	r = call_ok(c, "SPACE.CREATE", "title", "Files room", NULL);
	space = xstrdup(client_reply_get(r, "space"));
	client_reply_free(r);
	r = call_ok(c, "FILE.BEGIN", "space", space, "name", "hello.txt",
	    "size", "5", "sha256", sha, NULL);
	file = xstrdup(client_reply_get(r, "file"));
	client_reply_free(r);
	client_reply_free(call_ok(c, "FILE.CHUNK", "file", file, "offset", "0",
	    "data", "aGVsbG8=", NULL));
	client_reply_free(call_ok(c, "FILE.END", "file", file, NULL));

	pin();
	agora_run(110, 30, NULL, no_env);
	log_in();
	tmux_key(tm, "4");
	tmux_wait(tm, "Files room");
	tmux_key(tm, "Enter");
	tmux_wait(tm, "PARTICIPANT");
	tmux_key(tm, "f");
	tmux_wait(tm, "hello.txt");
	tmux_key(tm, "Enter");
	tmux_wait(tm, "COMMENTS: none yet");
	tmux_key(tm, "c");
	tmux_wait(tm, "Comment:");
	tmux_type(tm, "Typed on screen");
	tmux_key(tm, "Enter");
	tmux_wait(tm, "Typed on screen");
	/* From elsewhere, with no key pressed here. */
	client_reply_free(call_ok(c, "COMMENT.ADD", "file", file, "body",
	    "Sent by the protocol", NULL));
	tmux_wait(tm, "Sent by the protocol");
	quit_clean();
	client_close(c);
	free(space);
	free(file);
}
END_TEST

/*
 * The owner names an invitee with p: the space's name for them, shown
 * with their own beside it; their account keeps its own.
 */
START_TEST(test_space_profile_form)
{
	struct client *c = harness_login(node, email, PASSWORD, NULL);
	struct client_reply *r;
	char *space, *name;

	r = call_ok(c, "SPACE.CREATE", "title", "Profiles room", NULL);
	space = xstrdup(client_reply_get(r, "space"));
	client_reply_free(r);
	client_reply_free(call_ok(c, "INVITE", "space", space, "emails",
	    "yan@example.org", NULL));
	client_close(c);

	pin();
	agora_run(110, 30, NULL, no_env);
	log_in();
	tmux_key(tm, "4");
	tmux_wait(tm, "Profiles room");
	tmux_key(tm, "Enter");
	tmux_wait(tm, "yan@example.org");
	tmux_key(tm, "j");
	tmux_key(tm, "p");
	tmux_wait(tm, "Name here (empty: their own):");
	tmux_key(tm, "C-u");
	tmux_type(tm, "Yan (Globex)");
	tmux_key(tm, "Enter");
	tmux_wait(tm, "Company here (empty: their own):");
	tmux_key(tm, "Enter");
	tmux_wait(tm, "Job title here (empty: their own):");
	tmux_key(tm, "Enter");
	tmux_wait(tm, "profile saved");
	tmux_wait(tm, "Yan (Globex) (yan@example.org)");
	tmux_key(tm, "Enter");
	tmux_wait(tm, "as this space knows them; their own: yan@example.org");
	name = pg_text("SELECT name FROM users WHERE email = 'yan@example.org'",
	    NULL);
	ck_assert_str_eq(name, "yan@example.org");
	free(name);
	quit_clean();
	free(space);
}
END_TEST

/* :view with a name that is no view, and completing view names. */
START_TEST(test_view_names)
{
	pin();
	agora_run(100, 30, NULL, no_env);
	log_in();
	tmux_key(tm, ":");
	tmux_type(tm, "view nowhere");
	tmux_key(tm, "Enter");
	tmux_wait(tm, "no view \"nowhere\"");
	tmux_key(tm, ":");
	tmux_type(tm, "view ac");
	tmux_key(tm, "Tab");
	tmux_wait(tm, ":view activity");
	tmux_key(tm, "Enter");
	tmux_wait(tm, "SEQ  WHAT");
	quit_clean();
}
END_TEST

/*
 * Issue 4 on screen: Alice invites and revokes with keys while Bob, a
 * colleague in the same space, watches the participant list change on his
 * own screen without touching a key.
 */
START_TEST(test_space_invite_revoke_live)
{
	struct tmux *alice_tm = tm, *bob_tm = tmux_new();
	char *bob = harness_email("bob"), *line, *path, *argv[6];
	struct client *c;
	struct client_reply *r;
	int64_t space;

	agorad_user_add(node, bob, "Bob Colleague", PASSWORD, ws, "member");
	c = harness_login(node, email, PASSWORD, NULL);
	r = call_ok(c, "SPACE.CREATE", "title", "Globex renewal", NULL);
	space = strtoll(client_reply_get(r, "space"), NULL, 10);
	client_reply_free(r);
	client_reply_free(call_ok(c, "INVITE", "space", i64s(space), "emails",
	    bob, NULL));
	client_close(c);

	/* Bob: his own known_hosts and session, in a second tmux. */
	xasprintf(&path, "%s/agora/known_hosts", tmux_config_home(bob_tm));
	xasprintf(&line, "%s %s\n", server, fp);
	write_file(path, line);
	free(line);
	free(path);
	argv[0] = getenv("AGORA");
	argv[1] = "--server";
	argv[2] = server;
	argv[3] = "--email";
	argv[4] = bob;
	argv[5] = NULL;
	tmux_run(bob_tm, 110, 30, NULL, no_env, argv);
	tm = bob_tm;
	log_in();
	tmux_key(bob_tm, "4");
	tmux_wait(bob_tm, "Globex renewal");
	tmux_key(bob_tm, "Enter");
	tmux_wait(bob_tm, "PARTICIPANT");
	tmux_wait(bob_tm, "Bob Colleague");

	/* Alice invites with keys. */
	tm = alice_tm;
	pin();
	agora_run(110, 30, NULL, no_env);
	log_in();
	tmux_key(tm, "4");
	tmux_wait(tm, "Globex renewal");
	tmux_key(tm, "Enter");
	tmux_wait(tm, "PARTICIPANT");
	tmux_key(tm, "i");
	tmux_wait(tm, "Invite (e-mail addresses):");
	tmux_type(tm, "zed@example.org");
	tmux_key(tm, "Enter");
	tmux_wait(tm, "Message (Enter for none):");
	tmux_type(tm, "Bienvenue");
	tmux_key(tm, "Enter");
	tmux_wait(tm, "invited: 1");
	tmux_wait(tm, "zed@example.org");
	/* Bob sees the newcomer, pending, without a key. */
	tmux_wait(bob_tm, "zed@example.org");
	ck_assert_ptr_nonnull(strstr(tmux_line(tmux_capture(bob_tm, 0),
	    tmux_find_line(tmux_capture(bob_tm, 0), "zed@example.org")),
	    "pending"));

	/* Alice revokes the invitee: owner, Bob, then zed. */
	tmux_key(tm, "j");
	tmux_key(tm, "j");
	tmux_key(tm, "r");
	tmux_wait(tm, "Revoke the access of zed@example.org");
	tmux_key(tm, "y");
	tmux_wait(tm, "access revoked");
	/* Both see the status change: the owner's side sees revocations. */
	tmux_wait(tm, "revoked");
	tmux_wait(bob_tm, "revoked");
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM participants p JOIN"
	    " users u ON u.id = p.user_id WHERE u.email = 'zed@example.org'"
	    " AND p.status = 'revoked'", NULL), 1);
	/* Now Bob himself: the space leaves his screen at once. */
	tmux_key(tm, "k");
	tmux_key(tm, "r");
	tmux_wait(tm, "[y] yes");
	tmux_key(tm, "y");
	tmux_wait(bob_tm, "no longer available");
	tmux_wait_gone(bob_tm, "Globex renewal");
	quit_clean();
	tm = bob_tm;
	quit_clean();
	tm = alice_tm;
	tmux_free(bob_tm);
	free(bob);
}
END_TEST

/*
 * W in a space someone else created: the user withdraws, the space leaves
 * their screen, and the server has no participant row for them any more.
 * The key was bound and listed but routed nowhere (issue 11).
 */
START_TEST(test_space_leave)
{
	char *carol = harness_email("carol");
	struct client *c;
	struct client_reply *r;
	int64_t space;

	agorad_user_add(node, carol, "Carol Owner", PASSWORD, ws, "member");
	c = harness_login(node, carol, PASSWORD, NULL);
	r = call_ok(c, "SPACE.CREATE", "title", "Leaving room", NULL);
	space = strtoll(client_reply_get(r, "space"), NULL, 10);
	client_reply_free(r);
	client_reply_free(call_ok(c, "INVITE", "space", i64s(space), "emails",
	    email, NULL));
	client_close(c);

	pin();
	agora_run(110, 30, NULL, no_env);
	log_in();
	tmux_key(tm, "4");
	tmux_wait(tm, "Leaving room");
	tmux_key(tm, "Enter");
	tmux_wait(tm, "PARTICIPANT");
	tmux_wait(tm, "Carol Owner");
	tmux_key(tm, "W");
	tmux_wait(tm, "Leave \u201cLeaving room\u201d?");
	tmux_key(tm, "y");
	tmux_wait_gone(tm, "Leaving room");
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM participants WHERE"
	    " user_id = $1 AND space_id = $2", i64s(alice), i64s(space),
	    NULL), 0);
	quit_clean();
	free(carol);
}
END_TEST

/*
 * Every key's action is a ":" command too: where its key is not, it says
 * so; an argument fills the prompt the key would open.
 */
START_TEST(test_command_actions)
{
	struct client *c = harness_login(node, email, PASSWORD, NULL);

	client_reply_free(call_ok(c, "SPACE.CREATE", "title", "Command room",
	    NULL));
	client_close(c);
	pin();
	agora_run(110, 30, NULL, no_env);
	log_in();
	tmux_key(tm, ":");
	tmux_type(tm, "invite zed@example.org");
	tmux_key(tm, "Enter");
	tmux_wait(tm, ":invite is not for here");
	tmux_key(tm, "4");
	tmux_wait(tm, "Command room");
	tmux_key(tm, "Enter");
	tmux_wait(tm, "PARTICIPANT");
	tmux_key(tm, ":");
	tmux_type(tm, "inv");
	tmux_key(tm, "Tab");
	tmux_wait(tm, ":invite");
	tmux_type(tm, "zed@example.org");
	tmux_key(tm, "Enter");
	tmux_wait(tm, "Message (Enter for none):");
	tmux_key(tm, "Enter");
	tmux_wait(tm, "invited: 1");
	tmux_wait(tm, "zed@example.org");
	quit_clean();
}
END_TEST

/*
 * The connection drops after the server made a change and before its
 * reply came: the client connects again, resumes, and sends the change
 * once more with its rid. The server answers from the reply it kept:
 * the status line says it was done, and it was done once.
 */
START_TEST(test_change_survives_drop)
{
	struct client *c = harness_login(node, email, PASSWORD, NULL);
	struct proxy px;
	char direct[sizeof server];

	client_reply_free(call_ok(c, "SPACE.CREATE", "title", "Quiet room",
	    NULL));
	client_close(c);
	proxy_start(&px, agorad_port(node));
	snprintf(direct, sizeof direct, "%s", server);
	snprintf(server, sizeof server, "127.0.0.1:%s", px.port);
	pin();
	agora_run(100, 30, NULL, no_env);
	log_in();
	tmux_key(tm, "4");
	tmux_wait(tm, "Quiet room");
	tmux_key(tm, ":");
	tmux_type(tm, "new Dropped room");
	tmux_wait(tm, ":new Dropped room");
	/* Armed last: the loads are long answered, the client is quiet,
	   and the next bytes it sends are the change. */
	proxy_set(&px, &px.armed, 1);
	tmux_key(tm, "Enter");
	/* Without the retry, the status would stay at "connection lost" or
	   "connected to": the reply of the first try never came. */
	tmux_wait(tm, "space created");
	tmux_wait(tm, "Dropped room");
	ck_assert_int_eq(proxy_get(&px, &px.drops), 1);
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM spaces WHERE title = $1",
	    "Dropped room", NULL), 1);
	quit_clean();
	proxy_stop(&px);
	snprintf(server, sizeof server, "%s", direct);
}
END_TEST

static Suite *
screen_suite(void)
{
	Suite *s = suite_create("screen");
	TCase *tc = harness_tcase("screen");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_trust_first_use);
	tcase_add_test(tc, test_trust_changed);
	tcase_add_test(tc, test_trust_changed_explained);
	tcase_add_test(tc, test_login);
	tcase_add_test(tc, test_french);
	tcase_add_test(tc, test_french_trust);
	tcase_add_test(tc, test_french_space);
	tcase_add_test(tc, test_wrong_password);
	tcase_add_test(tc, test_readable_token_refused);
	tcase_add_test(tc, test_navigation);
	tcase_add_test(tc, test_command_history);
	tcase_add_test(tc, test_help);
	tcase_add_test(tc, test_resize);
	tcase_add_test(tc, test_live);
	tcase_add_test(tc, test_server_restart);
	tcase_add_test(tc, test_catch_up);
	tcase_add_test(tc, test_hostile_name);
	tcase_add_test(tc, test_vt100);
	tcase_add_test(tc, test_no_color);
	tcase_add_test(tc, test_state_colours);
	tcase_add_test(tc, test_space_invite_revoke_live);
	tcase_add_test(tc, test_view_names);
	tcase_add_test(tc, test_space_files);
	tcase_add_test(tc, test_space_profile_form);
	tcase_add_test(tc, test_space_leave);
	tcase_add_test(tc, test_command_actions);
	tcase_add_test(tc, test_change_survives_drop);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return harness_run(screen_suite());
}
