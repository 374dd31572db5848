/*
 * A terminal for end-to-end tests: see tmux.h.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "harness.h"
#include "tmux.h"
#include "xmalloc.h"

#define TMUX_MAX_ARGS 24
#define TMUX_SESSION  "main"
/* How long the pane stays after the program exits, in s: until the
 * server is killed, in practice. */
#define TMUX_LINGER 600
/* Check cuts failure messages at 4 KB by default; a capture of a large
 * pane in box-drawing characters is several times that. */
#define TMUX_MSG_MAX (256 * 1024)

struct tmux {
	char *dir;
	char *sock;
	char *conf;
	char *config_home;
	char *state_home;
	char *errfile;
	char *script;
	char *name;    /* the program's base name, for "NAME exited N" */
	char *capture; /* the last one */
	int started;
	int watch_fd; /* closing it wakes the watchdog */
	pid_t watchdog;
};

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	remove(path);
	return 0;
}

/*
 * The watchdog: waits until nobody holds the pipe's write end any more,
 * which happens when the test closes it (tmux_free) or dies, then kills
 * the server and removes the directory. It runs in a process group of its
 * own, so that Check's kill of the test's group spares it.
 */
static void __attribute__((noreturn))
tmux_watch(int fd, const char *sock, const char *dir)
{
	char c;
	pid_t pid;
	int devnull, status;

	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGTERM, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	setpgid(0, 0);
	if (dup2(fd, STDIN_FILENO) == -1)
		_exit(1);
	closefrom(STDERR_FILENO + 1);
	/* Nobody writes: read returns at EOF (or fails for good). */
	while (read(STDIN_FILENO, &c, 1) == -1 && errno == EINTR)
		;
	if ((pid = fork()) == 0) {
		if ((devnull = open("/dev/null", O_RDWR)) != -1) {
			dup2(devnull, STDIN_FILENO);
			dup2(devnull, STDOUT_FILENO);
			dup2(devnull, STDERR_FILENO);
		}
		execlp("tmux", "tmux", "-S", sock, "kill-server", (char *)NULL);
		_exit(127);
	}
	if (pid > 0) {
		while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
			;
	}
	if (getenv("HARNESS_KEEP") != NULL)
		fprintf(stderr, "tmux: kept %s\n", dir);
	else
		nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	_exit(0);
}

static char *
tmux_mkdir(const char *file, int line, const char *dir, const char *name)
{
	char *path;

	xasprintf(&path, "%s/%s", dir, name);
	ck_assert_msg(mkdir(path, 0700) == 0, "%s:%d: mkdir %s: %s", file,
	    line, path, strerror(errno));
	return path;
}

static void
tmux_write_file(const char *file, int line, const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_msg(f != NULL, "%s:%d: %s: %s", file, line, path,
	    strerror(errno));
	fputs(text, f);
	ck_assert_msg(fclose(f) == 0, "%s:%d: %s: %s", file, line, path,
	    strerror(errno));
}

struct tmux *
tmux_new_at(const char *file, int line)
{
	struct tmux *t = xcalloc(1, sizeof *t);
	char tmpl[] = "/tmp/agora-tmux-XXXXXX";
	int fds[2];
	pid_t pid;

	ck_assert_msg(mkdtemp(tmpl) != NULL, "%s:%d: mkdtemp: %s", file, line,
	    strerror(errno));
	t->dir = xstrdup(tmpl);
	xasprintf(&t->sock, "%s/tmux.sock", t->dir);
	xasprintf(&t->conf, "%s/tmux.conf", t->dir);
	xasprintf(&t->errfile, "%s/stderr", t->dir);
	xasprintf(&t->script, "%s/run.sh", t->dir);
	t->config_home = tmux_mkdir(file, line, t->dir, "config");
	t->state_home = tmux_mkdir(file, line, t->dir, "state");
	t->capture = xstrdup("");
	check_set_max_msg_size(TMUX_MSG_MAX);
	/* No status line: the pane is the whole window. */
	tmux_write_file(file, line, t->conf, "set -g status off\n");
	/* Set inside tmux; with -S it is not consulted, but a client that
	 * sees it may refuse to start a session. */
	unsetenv("TMUX");

	ck_assert_msg(pipe2(fds, O_CLOEXEC) == 0, "%s:%d: pipe: %s", file, line,
	    strerror(errno));
	pid = fork();
	ck_assert_msg(pid != -1, "%s:%d: fork: %s", file, line,
	    strerror(errno));
	if (pid == 0) {
		close(fds[1]);
		tmux_watch(fds[0], t->sock, t->dir);
	}
	/* Here too, so that the group is set before a test can fail. */
	setpgid(pid, pid);
	close(fds[0]);
	t->watch_fd = fds[1];
	t->watchdog = pid;
	return t;
}

void
tmux_free(struct tmux *t)
{
	int status;

	if (t == NULL)
		return;
	/* The watchdog does the work, as it would if the test had died. */
	close(t->watch_fd);
	while (waitpid(t->watchdog, &status, 0) == -1 && errno == EINTR)
		;
	free(t->dir);
	free(t->sock);
	free(t->conf);
	free(t->config_home);
	free(t->state_home);
	free(t->errfile);
	free(t->script);
	free(t->name);
	free(t->capture);
	free(t);
}

const char *
tmux_dir(const struct tmux *t)
{
	return t->dir;
}

const char *
tmux_config_home(const struct tmux *t)
{
	return t->config_home;
}

const char *
tmux_state_home(const struct tmux *t)
{
	return t->state_home;
}

/* Runs tmux with args (NULL-terminated); returns its exit status. */
static int
tmux_cmd(struct tmux *t, char **out, char *const args[])
{
	char *argv[TMUX_MAX_ARGS + 8];
	size_t n = 0;

	argv[n++] = "tmux";
	argv[n++] = "-u"; /* UTF-8 whatever the locale */
	argv[n++] = "-S";
	argv[n++] = t->sock;
	argv[n++] = "-f";
	argv[n++] = t->conf;
	for (size_t i = 0; args[i] != NULL; i++) {
		ck_assert(i < TMUX_MAX_ARGS);
		argv[n++] = args[i];
	}
	argv[n] = NULL;
	return harness_exec(argv, NULL, out);
}

static void
tmux_must(const char *file, int line, struct tmux *t, char *const args[])
{
	char *out = NULL;
	int rc;

	rc = tmux_cmd(t, &out, args);
	ck_assert_msg(rc == 0, "%s:%d: tmux %s: exit %d: %s", file, line,
	    args[0], rc, out != NULL ? out : "");
	free(out);
}

/* s quoted for sh: '...' with each ' as '\''. */
static void
sh_quote(struct buf *b, const char *s)
{
	buf_add_char(b, '\'');
	for (; *s != '\0'; s++) {
		if (*s == '\'')
			buf_add_str(b, "'\\''");
		else
			buf_add_char(b, *s);
	}
	buf_add_char(b, '\'');
}

static void
sh_assign(struct buf *b, const char *name, const char *value)
{
	char *s;

	xasprintf(&s, "%s=%s", name, value);
	buf_add_char(b, ' ');
	sh_quote(b, s);
	free(s);
}

/*
 * The script the pane runs: the program with its environment, standard
 * error to the file, then the exit status. Kept in the directory, so that
 * with HARNESS_KEEP one can run it again by hand.
 */
static char *
tmux_script(struct tmux *t, const char *term, char *const env[],
    char *const argv[])
{
	struct buf *b = buf_new(0);
	char *s;

	buf_add_str(b, "# written by tests/integration/tmux.c\n");
	buf_add_str(b, "env -u LC_ALL -u LC_CTYPE -u LANGUAGE");

	sh_assign(b, "LANG", "C.UTF-8");
	sh_assign(b, "XDG_CONFIG_HOME", t->config_home);
	sh_assign(b, "XDG_STATE_HOME", t->state_home);
	if (term != NULL)
		sh_assign(b, "TERM", term);
	for (size_t i = 0; env != NULL && env[i] != NULL; i++) {
		buf_add_char(b, ' ');
		sh_quote(b, env[i]);
	}
	for (size_t i = 0; argv[i] != NULL; i++) {
		buf_add_char(b, ' ');
		sh_quote(b, argv[i]);
	}
	buf_add_str(b, " 2>");
	sh_quote(b, t->errfile);
	buf_printf(b, "\necho \"%s exited $?\"\nexec sleep %d\n", t->name,
	    TMUX_LINGER);
	buf_add_char(b, '\0');
	s = buf_take(b);
	buf_free(b);
	return s;
}

void
tmux_run_at(const char *file, int line, struct tmux *t, int cols, int rows,
    const char *term, char *const env[], char *const argv[])
{
	char *script, x[16], y[16];
	const char *slash;

	free(t->name);
	slash = strrchr(argv[0], '/');
	t->name = xstrdup(slash != NULL ? slash + 1 : argv[0]);
	script = tmux_script(t, term, env, argv);
	tmux_write_file(file, line, t->script, script);
	free(script);
	tmux_write_file(file, line, t->errfile, "");

	if (!t->started) {
		snprintf(x, sizeof x, "%d", cols);
		snprintf(y, sizeof y, "%d", rows);
		char *args[] = { "new-session", "-d", "-s", TMUX_SESSION, "-c",
			t->dir, "-x", x, "-y", y, "sh", t->script, NULL };

		tmux_must(file, line, t, args);
		t->started = 1;
	} else {
		/* -k: whatever runs there now (the pane's sleep) goes. */
		char *args[] = { "respawn-pane", "-k", "-t", TMUX_SESSION, "-c",
			t->dir, "sh", t->script, NULL };

		tmux_must(file, line, t, args);
	}
}

void
tmux_type_at(const char *file, int line, struct tmux *t, const char *text)
{
	char *args[] = { "send-keys", "-t", TMUX_SESSION, "-l", "--",
		(char *)text, NULL };

	tmux_must(file, line, t, args);
}

void
tmux_key_at(const char *file, int line, struct tmux *t, const char *key)
{
	char *args[] = { "send-keys", "-t", TMUX_SESSION, (char *)key, NULL };

	tmux_must(file, line, t, args);
}

void
tmux_resize_at(const char *file, int line, struct tmux *t, int cols, int rows)
{
	char x[16], y[16];
	char *args[] = { "resize-window", "-t", TMUX_SESSION, "-x", x, "-y", y,
		NULL };

	snprintf(x, sizeof x, "%d", cols);
	snprintf(y, sizeof y, "%d", rows);
	tmux_must(file, line, t, args);
}

const char *
tmux_capture_at(const char *file, int line, struct tmux *t, int escapes)
{
	char *args[] = { "capture-pane", "-p", "-t", TMUX_SESSION,
		escapes ? "-e" : NULL, NULL };
	char *out = NULL;
	int rc;

	ck_assert_msg(t->started, "%s:%d: nothing runs in tmux yet", file,
	    line);
	rc = tmux_cmd(t, &out, args);
	ck_assert_msg(rc == 0, "%s:%d: tmux capture-pane: exit %d: %s", file,
	    line, rc, out != NULL ? out : "");
	free(t->capture);
	t->capture = out;
	return out;
}

int
tmux_count(const char *s, const char *needle)
{
	size_t len = strlen(needle);
	int n = 0;

	if (len == 0)
		return 0;
	while ((s = strstr(s, needle)) != NULL) {
		n++;
		s += len;
	}
	return n;
}

const char *
tmux_wait_at(const char *file, int line, struct tmux *t, const char *needle,
    int count, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;
	char *marker, *err, *what;
	const char *s;
	int n, exited;

	xasprintf(&marker, "%s exited ", t->name != NULL ? t->name : "?");
	for (;;) {
		s = tmux_capture_at(file, line, t, 0);
		n = tmux_count(s, needle);
		if (count == 0 ? n == 0 : n >= count)
			break;
		/* The program is gone: no use waiting, and its standard
		 * error says why. */
		exited = strstr(s, marker) != NULL &&
		    strstr(needle, " exited") == NULL;
		if (exited || now_ms() > deadline) {
			if (count == 0)
				xasprintf(&what, "\"%s\" to go", needle);
			else if (count > 1)
				xasprintf(&what, "\"%s\" %d times", needle,
				    count);
			else
				xasprintf(&what, "\"%s\"", needle);
			err = tmux_stderr(t);
			ck_abort_msg("%s:%d: %s %s (%d ms); the pane shows:\n"
				     "%s\nstandard error:\n%s",
			    file, line, exited ? "the program exited while "
			    "waiting for" : "timed out waiting for", what,
			    timeout_ms, s, err);
		}
		sleep_ms(TMUX_POLL_MS);
	}
	free(marker);
	return s;
}

int
tmux_wait_exit_at(const char *file, int line, struct tmux *t)
{
	char *marker;
	const char *s, *p;
	long v;
	char *end;

	xasprintf(&marker, "%s exited ", t->name != NULL ? t->name : "?");
	s = tmux_wait_at(file, line, t, marker, 1, TMUX_WAIT_MS);
	p = strstr(s, marker) + strlen(marker);
	errno = 0;
	v = strtol(p, &end, 10);
	ck_assert_msg(errno == 0 && end != p, "%s:%d: no status after \"%s\"",
	    file, line, marker);
	free(marker);
	return (int)v;
}

char *
tmux_stderr(const struct tmux *t)
{
	char *s = file_read(t->errfile);

	return s != NULL ? s : xstrdup("");
}

const char *
tmux_line(const char *capture, int n)
{
	static char line[8192];
	const char *p = capture, *nl;
	size_t len;

	for (; n > 0 && p != NULL; n--) {
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	}
	if (p == NULL)
		return "";
	nl = strchr(p, '\n');
	len = nl != NULL ? (size_t)(nl - p) : strlen(p);
	if (len >= sizeof line)
		len = sizeof line - 1;
	memcpy(line, p, len);
	line[len] = '\0';
	return line;
}

int
tmux_find_line(const char *capture, const char *needle)
{
	const char *hit = strstr(capture, needle), *p;
	int n = 0;

	if (hit == NULL)
		return -1;
	for (p = capture; p < hit; p++) {
		if (*p == '\n')
			n++;
	}
	return n;
}
