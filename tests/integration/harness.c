/*
 * The integration test harness: see harness.h.
 */
#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <netinet/in.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "harness.h"
#include "proto.h"
#include "xmalloc.h"

#define HARNESS_MAX_NODES    8
#define HARNESS_MAX_ARGS     32
#define HARNESS_MAX_PARAMS   16
#define HARNESS_START_MS     30000 /* agorad serve until it greets */
#define HARNESS_STOP_MS      20000 /* agorad drains for 10 s at most */
#define HARNESS_TEST_TIMEOUT 120   /* seconds per test (Check) */
#define HARNESS_LOG_TAIL     3000  /* log bytes shown in a failure */

struct agorad {
	char *dir;
	char *conf;
	char *cert;
	char *key;
	char *log;
	char *pidfile;
	char *init_output; /* what agorad init printed */
	char port[8];
	pid_t pid; /* 0: not running */
};

/* The cluster, set up once in the parent and inherited by each test. */
static struct {
	pid_t parent;       /* owns the cluster; 0: not yet */
	int ready;          /* harness_setup finished */
	char dir[64];       /* the temporary directory, or "" */
	const char *agorad; /* $AGORAD */
	char *bindir;
	char *pgdata;
	char *sockdir;
	char *pidsdir;
	char *pglog;
	char *conninfo;
	char port[8];
	int as_postgres; /* root: PostgreSQL runs as postgres */
	uid_t pg_uid;
	gid_t pg_gid;
	int watchdog_fd;
} h = { .watchdog_fd = -1 };

static struct agorad *nodes[HARNESS_MAX_NODES];
static unsigned int counter;

static void sinks_teardown(void);

int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

const char *
i64s(int64_t v)
{
	static char bufs[8][24];
	static int next;
	char *b = bufs[next++ % 8];

	snprintf(b, sizeof bufs[0], "%lld", (long long)v);
	return b;
}

char *
file_read(const char *path)
{
	struct buf *b;
	char tmp[8192], *s;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	b = buf_new(0);
	while ((n = read(fd, tmp, sizeof tmp)) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		buf_add(b, tmp, (size_t)n);
	}
	close(fd);
	buf_add_char(b, '\0');
	s = buf_take(b);
	buf_free(b);
	return s;
}

static void
file_append(const char *path, const char *text)
{
	size_t len = strlen(text), off = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	ck_assert_msg(fd != -1, "%s: %s", path, strerror(errno));
	while (off < len) {
		n = write(fd, text + off, len - off);
		if (n == -1 && errno == EINTR)
			continue;
		ck_assert_msg(n > 0, "%s: %s", path, strerror(errno));
		off += (size_t)n;
	}
	close(fd);
}

static void
write_all(int fd, const char *data, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, data, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return; /* the reader went away: its status says */
		data += n;
		len -= (size_t)n;
	}
}

/* The last bytes of s, for failure messages. */
static const char *
tail(const char *s)
{
	size_t len;

	if (s == NULL)
		return "(none)";
	len = strlen(s);
	return len > HARNESS_LOG_TAIL ? s + len - HARNESS_LOG_TAIL : s;
}

/* A TCP port nobody listens on now: bind port 0 and read what we got. */
static void
free_port(char port[8])
{
	struct sockaddr_in sin;
	socklen_t len = sizeof sin;
	int fd;

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_msg(fd != -1, "socket: %s", strerror(errno));
	ck_assert_msg(bind(fd, (struct sockaddr *)&sin, sizeof sin) == 0,
	    "bind: %s", strerror(errno));
	ck_assert_msg(getsockname(fd, (struct sockaddr *)&sin, &len) == 0,
	    "getsockname: %s", strerror(errno));
	snprintf(port, 8, "%u", (unsigned int)ntohs(sin.sin_port));
	close(fd);
}

/* The child side of a fork: default signals, nothing blocked. */
static void
child_signals(void)
{
	sigset_t none;

	signal(SIGPIPE, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

pid_t
harness_spawn(char *const argv[], const char *log)
{
	pid_t parent = getpid(), pid;
	int fd, devnull;

	pid = fork();
	ck_assert_msg(pid != -1, "fork: %s", strerror(errno));
	if (pid == 0) {
		/* If the test dies, so does what it started. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(126);
		child_signals();
		fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
		devnull = open("/dev/null", O_RDWR);
		if (fd == -1 || devnull == -1)
			_exit(126);
		dup2(devnull, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		execvp(argv[0], argv);
		_exit(127);
	}
	return pid;
}

/*
 * Runs argv (no shell) and waits for it. input goes to its standard input;
 * its standard output and error go to *output, or to /dev/null. as_postgres:
 * through runuser when we are root, since PostgreSQL refuses to run as
 * root. detach: in a session of its own, so that Check's killpg of a test's
 * process group does not reach a postmaster started by that test.
 *
 * Returns the exit status, 128 + N if killed by signal N, -1 if it could
 * not be run. No ck_assert here: cleanup runs this after Check is done.
 */
static int
run(char *const argv[], int as_postgres, int detach, const char *input,
    char **output)
{
	char *av[HARNESS_MAX_ARGS + 5], tmp[4096];
	struct buf *b;
	size_t n = 0, i;
	ssize_t got;
	pid_t pid;
	int in[2], out[2], status, devnull;

	if (output != NULL)
		*output = NULL;
	if (as_postgres && h.as_postgres) {
		av[n++] = "runuser";
		av[n++] = "-u";
		av[n++] = "postgres";
		av[n++] = "--";
	}
	for (i = 0; argv[i] != NULL; i++) {
		if (n == HARNESS_MAX_ARGS + 4)
			return -1;
		av[n++] = argv[i];
	}
	av[n] = NULL;

	if (pipe2(in, O_CLOEXEC) == -1)
		return -1;
	if (pipe2(out, O_CLOEXEC) == -1) {
		close(in[0]);
		close(in[1]);
		return -1;
	}
	if ((pid = fork()) == -1) {
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		return -1;
	}
	if (pid == 0) {
		child_signals();
		if (detach)
			setsid();
		if ((devnull = open("/dev/null", O_RDWR)) == -1)
			_exit(126);
		dup2(input != NULL ? in[0] : devnull, STDIN_FILENO);
		dup2(output != NULL ? out[1] : devnull, STDOUT_FILENO);
		dup2(output != NULL ? out[1] : devnull, STDERR_FILENO);
		/* PostgreSQL's tools want a working directory they can see. */
		if (h.dir[0] != '\0' && chdir(h.dir) == -1)
			_exit(126);
		execvp(av[0], av);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	/* Inputs are a line or two: they fit the pipe, no deadlock. */
	if (input != NULL)
		write_all(in[1], input, strlen(input));
	close(in[1]);
	b = buf_new(0);
	while ((got = read(out[0], tmp, sizeof tmp)) != 0) {
		if (got == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		buf_add(b, tmp, (size_t)got);
	}
	close(out[0]);
	while (waitpid(pid, &status, 0) == -1) {
		if (errno != EINTR) {
			buf_free(b);
			return -1;
		}
	}
	if (output != NULL) {
		buf_add_char(b, '\0');
		*output = buf_take(b);
	}
	buf_free(b);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

/*
 * PostgreSQL's programs: pg_config --bindir if initdb is there, else the
 * newest /usr/lib/postgresql/N/bin (Debian does not put them in PATH).
 */
static char *
pg_find_bindir(void)
{
	char *argv[] = { "pg_config", "--bindir", NULL };
	char *out = NULL, *path, *best = NULL, *end;
	struct dirent *de;
	DIR *d;
	long v, bestv = -1;

	if (run(argv, 0, 0, NULL, &out) == 0) {
		out[strcspn(out, "\r\n")] = '\0';
		xasprintf(&path, "%s/initdb", out);
		if (access(path, X_OK) == 0) {
			free(path);
			return out;
		}
		free(path);
	}
	free(out);
	if ((d = opendir("/usr/lib/postgresql")) == NULL)
		return NULL;
	while ((de = readdir(d)) != NULL) {
		errno = 0;
		v = strtol(de->d_name, &end, 10);
		if (errno != 0 || end == de->d_name || *end != '\0' ||
		    v <= bestv)
			continue;
		xasprintf(
		    &path, "/usr/lib/postgresql/%s/bin/initdb", de->d_name);
		if (access(path, X_OK) == 0) {
			bestv = v;
			free(best);
			xasprintf(
			    &best, "/usr/lib/postgresql/%s/bin", de->d_name);
		}
		free(path);
	}
	closedir(d);
	return best;
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	remove(path);
	return 0;
}

/* Whether process pid's command line mentions our directory. */
static int
pid_is_ours(long pid)
{
	char *path, buf[8192];
	ssize_t n;
	int fd;

	xasprintf(&path, "/proc/%ld/cmdline", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	free(path);
	if (fd == -1)
		return 0;
	n = read(fd, buf, sizeof buf);
	close(fd);
	return n > 0 && memmem(buf, (size_t)n, h.dir, strlen(h.dir)) != NULL;
}

/* Kills agorad processes that tests left behind (their pid files). */
static void
kill_strays(void)
{
	struct dirent *de;
	DIR *d;
	char *path, *end;
	long pid;

	if (h.pidsdir == NULL || (d = opendir(h.pidsdir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		errno = 0;
		pid = strtol(de->d_name, &end, 10);
		if (errno != 0 || end == de->d_name || *end != '\0' || pid <= 1)
			continue;
		if (pid_is_ours(pid))
			kill((pid_t)pid, SIGKILL);
		xasprintf(&path, "%s/%s", h.pidsdir, de->d_name);
		unlink(path);
		free(path);
	}
	closedir(d);
}

/*
 * Leaves nothing behind: agorad processes, the postmaster, the directory.
 * Safe to call more than once and from the watchdog.
 */
static void
harness_cleanup(void)
{
	char *pidfile;

	if (h.dir[0] == '\0' || access(h.dir, F_OK) != 0)
		return;
	kill_strays();
	if (h.pgdata != NULL && h.bindir != NULL) {
		xasprintf(&pidfile, "%s/postmaster.pid", h.pgdata);
		if (access(pidfile, F_OK) == 0) {
			char *ctl, *argv[9];

			xasprintf(&ctl, "%s/pg_ctl", h.bindir);
			argv[0] = ctl;
			argv[1] = "-w";
			argv[2] = "-D";
			argv[3] = h.pgdata;
			argv[4] = "-m";
			argv[5] = "immediate";
			argv[6] = "stop";
			argv[7] = NULL;
			run(argv, 1, 0, NULL, NULL);
			free(ctl);
		}
		free(pidfile);
	}
	if (getenv("HARNESS_KEEP") != NULL)
		fprintf(stderr, "harness: kept %s\n", h.dir);
	else
		nftw(h.dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void
harness_atexit(void)
{
	if (h.parent != 0 && getpid() == h.parent) {
		harness_cleanup();
		h.dir[0] = '\0';
	}
}

static void
harness_on_signal(int sig)
{
	if (h.parent != 0 && getpid() == h.parent) {
		harness_cleanup();
		h.dir[0] = '\0';
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * A process in a session of its own that cleans up once the parent and
 * every test child are gone, however they went (even SIGKILL): it waits
 * for EOF on a pipe whose write end only they hold.
 */
static void
watchdog_start(void)
{
	pid_t pid;
	char c;
	int p[2], devnull;

	ck_assert_msg(pipe2(p, O_CLOEXEC) == 0, "pipe: %s", strerror(errno));
	pid = fork();
	ck_assert_msg(pid != -1, "fork: %s", strerror(errno));
	if (pid == 0) {
		setsid();
		child_signals();
		signal(SIGINT, SIG_IGN);
		signal(SIGTERM, SIG_IGN);
		close(p[1]);
		if ((devnull = open("/dev/null", O_RDWR)) != -1) {
			dup2(devnull, STDIN_FILENO);
			dup2(devnull, STDOUT_FILENO);
			dup2(devnull, STDERR_FILENO);
		}
		while (read(p[0], &c, 1) == -1 && errno == EINTR)
			;
		harness_cleanup();
		_exit(0);
	}
	close(p[0]);
	h.watchdog_fd = p[1];
}

static void
pg_write_conf(void)
{
	char *path, *text;

	xasprintf(&path, "%s/postgresql.conf", h.pgdata);
	/* Unix socket only; fast rather than durable: a throwaway. */
	xasprintf(&text,
	    "\n# integration tests\n"
	    "listen_addresses = ''\n"
	    "port = %s\n"
	    "unix_socket_directories = '%s'\n"
	    "fsync = off\n"
	    "synchronous_commit = off\n"
	    "full_page_writes = off\n"
	    "max_connections = 200\n",
	    h.port, h.sockdir);
	file_append(path, text);
	free(text);
	free(path);
}

void
harness_setup(void)
{
	struct passwd *pw;
	PGconn *pg;
	char *initdb, *out = NULL;
	int rc;

	if (h.ready)
		return;
	ck_assert_msg(h.dir[0] == '\0', "the cluster failed to start earlier");
	if (h.parent == 0)
		h.parent = getpid();
	h.agorad = getenv("AGORAD");
	ck_assert_msg(h.agorad != NULL && access(h.agorad, X_OK) == 0,
	    "AGORAD must name the agorad executable");
	h.bindir = pg_find_bindir();
	ck_assert_msg(
	    h.bindir != NULL, "no PostgreSQL server programs (initdb) found");

	snprintf(h.dir, sizeof h.dir, "/tmp/agora-it.XXXXXX");
	ck_assert_msg(mkdtemp(h.dir) != NULL, "mkdtemp: %s", strerror(errno));
	xasprintf(&h.pgdata, "%s/pg", h.dir);
	xasprintf(&h.sockdir, "%s/run", h.dir);
	xasprintf(&h.pidsdir, "%s/pids", h.dir);
	xasprintf(&h.pglog, "%s/pg.log", h.dir);
	ck_assert(mkdir(h.sockdir, 0700) == 0 && mkdir(h.pidsdir, 0700) == 0);
	if (geteuid() == 0) {
		pw = getpwnam("postgres");
		ck_assert_msg(pw != NULL,
		    "as root, PostgreSQL needs a postgres user to run as");
		h.as_postgres = 1;
		h.pg_uid = pw->pw_uid;
		h.pg_gid = pw->pw_gid;
		ck_assert(chown(h.dir, h.pg_uid, h.pg_gid) == 0 &&
		    chown(h.sockdir, h.pg_uid, h.pg_gid) == 0);
	}
	free_port(h.port);
	xasprintf(&h.conninfo, "host=%s port=%s dbname=agora user=agora",
	    h.sockdir, h.port);

	/* The watchdog's copy of h must know every path by now. */
	watchdog_start();

	xasprintf(&initdb, "%s/initdb", h.bindir);
	{
		char *argv[] = { initdb, "-D", h.pgdata, "-U", "postgres",
			"--auth=trust", "-E", "UTF8", "--no-locale", "-N",
			NULL };

		rc = run(argv, 1, 0, NULL, &out);
	}
	free(initdb);
	ck_assert_msg(rc == 0, "initdb: exit %d: %s", rc, tail(out));
	free(out);
	pg_write_conf();
	pg_start();

	pg = pg_connect("postgres");
	pg_must(pg, "CREATE ROLE agora LOGIN");
	pg_must(pg, "CREATE DATABASE agora OWNER agora");
	PQfinish(pg);
	h.ready = 1;
}

/* The cluster outlives test cases: it goes when the program exits. */
void
harness_teardown(void)
{
}

void
harness_test_setup(void)
{
	PGconn *pg;
	PGresult *r;

	/* A test (in a child of Check's) dies with the runner, whatever
	 * killed it; its agorad nodes die with it (agorad_start). */
	if (getpid() != h.parent) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != h.parent)
			_exit(1);
	}
	/* A failed test may have left PostgreSQL stopped or locked out. */
	if (!pg_is_up())
		pg_start();
	pg = pg_connect("postgres");
	pg_must(pg, "ALTER DATABASE agora CONNECTION LIMIT -1");
	PQfinish(pg);
	pg = pg_connect("agora");
	r = PQexec(pg, "SELECT to_regclass('public.login_failures') IS NULL");
	ck_assert(PQresultStatus(r) == PGRES_TUPLES_OK);
	if (strcmp(PQgetvalue(r, 0, 0), "f") == 0)
		pg_must(pg, "DELETE FROM login_failures");
	PQclear(r);
	PQfinish(pg);
}

void
harness_test_teardown(void)
{
	for (size_t i = 0; i < HARNESS_MAX_NODES; i++) {
		if (nodes[i] != NULL)
			agorad_free(nodes[i]);
	}
	sinks_teardown();
}

TCase *
harness_tcase(const char *name)
{
	TCase *tc = tcase_create(name);

	tcase_add_unchecked_fixture(tc, harness_setup, harness_teardown);
	tcase_add_checked_fixture(
	    tc, harness_test_setup, harness_test_teardown);
	tcase_set_timeout(tc, HARNESS_TEST_TIMEOUT);
	return tc;
}

int
harness_run(Suite *s)
{
	struct sigaction sa;
	SRunner *sr;
	int failed;

	h.parent = getpid();
	signal(SIGPIPE, SIG_IGN);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = harness_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	atexit(harness_atexit);

	sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);

	harness_cleanup();
	h.dir[0] = '\0';
	if (h.watchdog_fd != -1)
		close(h.watchdog_fd);
	free(h.bindir);
	free(h.pgdata);
	free(h.sockdir);
	free(h.pidsdir);
	free(h.pglog);
	free(h.conninfo);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* PostgreSQL. */

const char *
pg_conninfo(void)
{
	return h.conninfo;
}

char *
pg_conninfo_for(const char *dbname)
{
	char *s;

	xasprintf(&s, "host=%s port=%s dbname=%s user=agora", h.sockdir, h.port,
	    dbname);
	return s;
}

static void
pg_ctl(const char *what, const char *mode)
{
	char *ctl, *out = NULL, *argv[16];
	size_t n = 0;
	int rc;

	xasprintf(&ctl, "%s/pg_ctl", h.bindir);
	argv[n++] = ctl;
	argv[n++] = "-w";
	argv[n++] = "-t";
	argv[n++] = "60";
	argv[n++] = "-D";
	argv[n++] = h.pgdata;
	argv[n++] = "-l";
	argv[n++] = h.pglog;
	if (mode != NULL) {
		argv[n++] = "-m";
		argv[n++] = (char *)mode;
	}
	argv[n++] = (char *)what;
	argv[n] = NULL;
	rc = run(argv, 1, strcmp(what, "start") == 0, NULL, &out);
	free(ctl);
	ck_assert_msg(rc == 0, "pg_ctl %s: exit %d: %s", what, rc, tail(out));
	free(out);
}

void
pg_start(void)
{
	pg_ctl("start", NULL);
}

void
pg_stop(void)
{
	pg_ctl("stop", "fast");
}

void
pg_restart(void)
{
	pg_stop();
	pg_start();
}

int
pg_is_up(void)
{
	char *ci;
	PGconn *pg;
	int up;

	xasprintf(&ci,
	    "host=%s port=%s dbname=postgres user=postgres connect_timeout=5",
	    h.sockdir, h.port);
	pg = PQconnectdb(ci);
	free(ci);
	up = PQstatus(pg) == CONNECTION_OK;
	PQfinish(pg);
	return up;
}

PGconn *
pg_connect(const char *dbname)
{
	char *ci;
	PGconn *pg;

	xasprintf(&ci,
	    "host=%s port=%s dbname=%s user=postgres connect_timeout=10",
	    h.sockdir, h.port, dbname);
	pg = PQconnectdb(ci);
	free(ci);
	ck_assert_msg(PQstatus(pg) == CONNECTION_OK, "connecting to %s: %s",
	    dbname, PQerrorMessage(pg));
	return pg;
}

void
pg_must(PGconn *pg, const char *sql)
{
	PGresult *r = PQexec(pg, sql);
	ExecStatusType st = PQresultStatus(r);

	ck_assert_msg(st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK, "%s: %s",
	    sql, PQresultErrorMessage(r));
	PQclear(r);
}

static PGresult *
pg_vquery(const char *sql, va_list ap)
{
	const char *params[HARNESS_MAX_PARAMS], *p;
	PGresult *r;
	PGconn *pg;
	ExecStatusType st;
	int n = 0;

	while ((p = va_arg(ap, const char *)) != NULL) {
		ck_assert(n < HARNESS_MAX_PARAMS);
		params[n++] = p;
	}
	pg = pg_connect("agora");
	r = PQexecParams(pg, sql, n, NULL, params, NULL, NULL, 0);
	st = PQresultStatus(r);
	ck_assert_msg(st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK, "%s: %s",
	    sql, PQresultErrorMessage(r));
	PQfinish(pg);
	return r;
}

void
pg_exec(const char *sql, ...)
{
	va_list ap;

	va_start(ap, sql);
	PQclear(pg_vquery(sql, ap));
	va_end(ap);
}

int64_t
pg_i64(const char *sql, ...)
{
	PGresult *r;
	va_list ap;
	long long v;
	char *end;

	va_start(ap, sql);
	r = pg_vquery(sql, ap);
	va_end(ap);
	ck_assert_msg(
	    PQntuples(r) == 1 && PQnfields(r) == 1 && !PQgetisnull(r, 0, 0),
	    "%s: expected one value, got %d rows", sql, PQntuples(r));
	errno = 0;
	v = strtoll(PQgetvalue(r, 0, 0), &end, 10);
	ck_assert_msg(errno == 0 && *end == '\0',
	    "%s: \"%s\" is not an integer", sql, PQgetvalue(r, 0, 0));
	PQclear(r);
	return v;
}

char *
pg_text(const char *sql, ...)
{
	PGresult *r;
	va_list ap;
	char *s = NULL;

	va_start(ap, sql);
	r = pg_vquery(sql, ap);
	va_end(ap);
	if (PQntuples(r) > 0 && !PQgetisnull(r, 0, 0))
		s = xstrdup(PQgetvalue(r, 0, 0));
	PQclear(r);
	return s;
}

/* agorad nodes. */

static int
agorad_runv(
    struct agorad *a, const char *input, char **output, char *const args[])
{
	char *argv[HARNESS_MAX_ARGS + 4];
	size_t n = 0;

	argv[n++] = (char *)h.agorad;
	argv[n++] = "-c";
	argv[n++] = a->conf;
	for (size_t i = 0; args[i] != NULL; i++) {
		ck_assert(n < HARNESS_MAX_ARGS + 2);
		argv[n++] = args[i];
	}
	argv[n] = NULL;
	return run(argv, 0, 0, input, output);
}

int
harness_exec(char *const argv[], const char *input, char **output)
{
	return run(argv, 0, 0, input, output);
}

int
agorad_run(struct agorad *a, const char *input, char **output, ...)
{
	char *args[HARNESS_MAX_ARGS + 1], *p;
	size_t n = 0;
	va_list ap;

	va_start(ap, output);
	while ((p = va_arg(ap, char *)) != NULL) {
		ck_assert(n < HARNESS_MAX_ARGS);
		args[n++] = p;
	}
	va_end(ap);
	args[n] = NULL;
	return agorad_runv(a, input, output, args);
}

struct agorad *
agorad_new(const char *database)
{
	struct agorad *a = xcalloc(1, sizeof *a);
	char *listen, *out = NULL;
	size_t i;
	int rc;

	ck_assert_msg(h.ready, "the cluster is not running");
	for (i = 0; i < HARNESS_MAX_NODES && nodes[i] != NULL; i++)
		;
	ck_assert_msg(i < HARNESS_MAX_NODES, "too many agorad nodes");
	nodes[i] = a;

	xasprintf(&a->dir, "%s/node.%ld.%u", h.dir, (long)getpid(), ++counter);
	xasprintf(&a->conf, "%s/agorad.conf", a->dir);
	xasprintf(&a->cert, "%s/cert.pem", a->dir);
	xasprintf(&a->key, "%s/key.pem", a->dir);
	xasprintf(&a->log, "%s/agorad.log", a->dir);
	free_port(a->port);
	xasprintf(&listen, "127.0.0.1:%s", a->port);
	rc = agorad_run(a, NULL, &out, "init", "--dir", a->dir, "--database",
	    database != NULL ? database : h.conninfo, "--listen", listen, NULL);
	free(listen);
	ck_assert_msg(rc == 0, "agorad init: exit %d: %s", rc, tail(out));
	a->init_output = out;

	/* Fast hashing, and no limit on failures, logged-out requests or
	 * mail from 127.0.0.1, which every test shares; tests of the limits
	 * set their own. */
	agorad_set(a, "scrypt_n = 1024");
	agorad_set(a, "login_address_limit = 100000");
	agorad_set(a, "guest_rate = 1000000");
	agorad_set(a, "guest_burst = 1000000");
	agorad_set(a, "guest_global_rate = 1000000");
	agorad_set(a, "mail_recipient_limit = 100000");
	return a;
}

void
agorad_set(struct agorad *a, const char *fmt, ...)
{
	char *line, *text;
	va_list ap;

	va_start(ap, fmt);
	xvasprintf(&line, fmt, ap);
	va_end(ap);
	xasprintf(&text, "%s\n", line);
	file_append(a->conf, text);
	free(text);
	free(line);
}

void
agorad_unset(struct agorad *a, const char *line)
{
	struct buf *b = buf_new(0);
	char *text, *p, *nl;
	size_t len = strlen(line);
	int fd;

	text = file_read(a->conf);
	ck_assert_msg(text != NULL, "%s: %s", a->conf, strerror(errno));
	for (p = text; *p != '\0'; p = nl) {
		if ((nl = strchr(p, '\n')) != NULL)
			nl++;
		else
			nl = p + strlen(p);
		if ((size_t)(nl - p) == len + 1 && strncmp(p, line, len) == 0)
			continue;
		buf_add(b, p, (size_t)(nl - p));
	}
	free(text);
	fd = open(a->conf, O_WRONLY | O_TRUNC | O_CLOEXEC);
	ck_assert_msg(fd != -1, "%s: %s", a->conf, strerror(errno));
	write_all(fd, buf_data(b), buf_len(b));
	close(fd);
	buf_free(b);
}

int64_t
agorad_user_add(struct agorad *a, const char *email, const char *name,
    const char *password, const char *workspace, const char *role)
{
	char *args[HARNESS_MAX_ARGS], *input, *out = NULL, *p, *end;
	size_t n = 0;
	long long id;
	int rc;

	args[n++] = "user";
	args[n++] = "add";
	args[n++] = "--email";
	args[n++] = (char *)email;
	args[n++] = "--name";
	args[n++] = (char *)name;
	if (workspace != NULL) {
		args[n++] = "--workspace";
		args[n++] = (char *)workspace;
	}
	if (role != NULL) {
		args[n++] = "--role";
		args[n++] = (char *)role;
	}
	args[n] = NULL;
	xasprintf(&input, "%s\n", password);
	rc = agorad_runv(a, input, &out, args);
	free(input);
	ck_assert_msg(
	    rc == 0, "agorad user add %s: exit %d: %s", email, rc, tail(out));
	p = strstr(out, "added user ");
	ck_assert_msg(p != NULL, "agorad user add: unexpected output: %s", out);
	errno = 0;
	id = strtoll(p + strlen("added user "), &end, 10);
	ck_assert_msg(errno == 0 && id > 0 && *end == ' ',
	    "agorad user add: no user id in: %s", out);
	free(out);
	return id;
}

void
agorad_start(struct agorad *a)
{
	struct client *c;
	char *argv[] = { (char *)h.agorad, "-c", a->conf, "serve", NULL };
	char *cause = NULL, *log;
	int64_t deadline;
	pid_t pid;
	int fd, status;

	ck_assert_msg(a->pid == 0, "agorad is already running");
	pid = harness_spawn(argv, a->log);
	a->pid = pid;
	free(a->pidfile);
	xasprintf(&a->pidfile, "%s/%ld", h.pidsdir, (long)pid);
	if ((fd = open(a->pidfile, O_WRONLY | O_CREAT | O_CLOEXEC, 0600)) != -1)
		close(fd);

	deadline = now_ms() + HARNESS_START_MS;
	for (;;) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			a->pid = 0;
			unlink(a->pidfile);
			log = agorad_log(a);
			ck_abort_msg("agorad serve exited (status 0x%x) before "
				     "greeting; log:\n%s",
			    status, tail(log));
		}
		if ((c = harness_try_connect(a, &cause)) != NULL) {
			client_close(c);
			break;
		}
		if (now_ms() > deadline) {
			log = agorad_log(a);
			ck_abort_msg("agorad serve did not greet within %d ms: "
				     "%s; log:\n%s",
			    HARNESS_START_MS, cause, tail(log));
		}
		free(cause);
		cause = NULL;
		sleep_ms(50);
	}
}

static int
agorad_reap(struct agorad *a, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;
	pid_t got;
	int status, rc;

	for (;;) {
		got = waitpid(a->pid, &status, WNOHANG);
		if (got == a->pid) {
			rc = WIFEXITED(status) ? WEXITSTATUS(status)
					       : 128 + WTERMSIG(status);
			break;
		}
		if (got == -1 && errno != EINTR) {
			rc = -1;
			break;
		}
		if (now_ms() > deadline) {
			kill(a->pid, SIGKILL);
			while (
			    waitpid(a->pid, &status, 0) == -1 && errno == EINTR)
				;
			rc = -1;
			break;
		}
		sleep_ms(10);
	}
	a->pid = 0;
	if (a->pidfile != NULL)
		unlink(a->pidfile);
	return rc;
}

int
agorad_stop(struct agorad *a)
{
	ck_assert_msg(a->pid != 0, "agorad is not running");
	kill(a->pid, SIGTERM);
	return agorad_reap(a, HARNESS_STOP_MS);
}

void
agorad_kill(struct agorad *a)
{
	ck_assert_msg(a->pid != 0, "agorad is not running");
	kill(a->pid, SIGKILL);
	agorad_reap(a, HARNESS_STOP_MS);
}

void
agorad_signal(struct agorad *a, int sig)
{
	ck_assert_msg(a->pid != 0, "agorad is not running");
	ck_assert_msg(kill(a->pid, sig) == 0, "kill: %s", strerror(errno));
}

int
agorad_running(struct agorad *a)
{
	int status;

	if (a->pid == 0)
		return 0;
	if (waitpid(a->pid, &status, WNOHANG) == a->pid) {
		a->pid = 0;
		unlink(a->pidfile);
		return 0;
	}
	return 1;
}

void
agorad_free(struct agorad *a)
{
	if (a == NULL)
		return;
	if (a->pid != 0) {
		kill(a->pid, SIGKILL);
		agorad_reap(a, HARNESS_STOP_MS);
	}
	for (size_t i = 0; i < HARNESS_MAX_NODES; i++) {
		if (nodes[i] == a)
			nodes[i] = NULL;
	}
	free(a->dir);
	free(a->conf);
	free(a->cert);
	free(a->key);
	free(a->log);
	free(a->pidfile);
	free(a->init_output);
	free(a);
}

const char *
agorad_dir(const struct agorad *a)
{
	return a->dir;
}

const char *
agorad_conf(const struct agorad *a)
{
	return a->conf;
}

const char *
agorad_port(const struct agorad *a)
{
	return a->port;
}

const char *
agorad_cert(const struct agorad *a)
{
	return a->cert;
}

const char *
agorad_key(const struct agorad *a)
{
	return a->key;
}

const char *
agorad_init_output(const struct agorad *a)
{
	return a->init_output;
}

char *
agorad_log(struct agorad *a)
{
	char *s = file_read(a->log);

	return s != NULL ? s : xstrdup("");
}

int
agorad_log_count(struct agorad *a, const char *needle)
{
	char *log = agorad_log(a);
	const char *p = log;
	int n = 0;

	while ((p = strstr(p, needle)) != NULL) {
		n++;
		p += strlen(needle);
	}
	free(log);
	return n;
}

int
agorad_log_wait(struct agorad *a, const char *needle, int count, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;

	for (;;) {
		if (agorad_log_count(a, needle) >= count)
			return 0;
		if (now_ms() > deadline)
			return -1;
		sleep_ms(20);
	}
}

void
harness_stop_clean(const char *file, int line, struct agorad *a)
{
	char *log;
	int rc;

	rc = agorad_stop(a);
	if (rc != 0) {
		log = agorad_log(a);
		ck_abort_msg("%s:%d: agorad did not exit cleanly (status %d); "
			     "log:\n%s",
		    file, line, rc, tail(log));
	}
}

/* Clients. */

struct client *
harness_try_connect(struct agorad *a, char **cause)
{
	return harness_try_connect_from(a, NULL, cause);
}

struct client *
harness_try_connect_from(struct agorad *a, const char *source, char **cause)
{
	struct client_opts o;

	memset(&o, 0, sizeof o);
	o.source = source;
	o.host = "127.0.0.1";
	o.port = a->port;
	o.ca_file = a->cert;
	o.timeout_ms = HARNESS_TIMEOUT;
	return client_connect(&o, cause);
}

struct client *
harness_connect_at(const char *file, int line, struct agorad *a)
{
	return harness_connect_from_at(file, line, a, NULL);
}

struct client *
harness_connect_from_at(const char *file, int line, struct agorad *a,
    const char *source)
{
	struct client *c;
	char *cause = NULL;

	c = harness_try_connect_from(a, source, &cause);
	ck_assert_msg(c != NULL, "%s:%d: connect: %s", file, line, cause);
	return c;
}

struct client *
harness_login_at(const char *file, int line, struct agorad *a,
    const char *email, const char *password, char **token)
{
	struct client *c = harness_connect_at(file, line, a);
	struct client_reply *r;
	const char *t;

	r = client_call(c, "LOGIN", "email", email, "password", password, NULL);
	r = harness_expect_ok(file, line, r);
	t = client_reply_get(r, "token");
	ck_assert_msg(
	    t != NULL, "%s:%d: LOGIN: no token in \"%s\"", file, line, r->line);
	if (token != NULL)
		*token = xstrdup(t);
	client_reply_free(r);
	return c;
}

char *
harness_email(const char *base)
{
	char *s;

	xasprintf(&s, "%s.%ld.%u.%lld@example.com", base, (long)getpid(),
	    ++counter, (long long)(time(NULL) % 100000));
	return s;
}

char *
harness_workspace(const char *base)
{
	char *w = harness_email("ws"), *s;

	xasprintf(&s, "%s %s", base, w);
	free(w);
	return s;
}

void
harness_participant(int64_t space, int64_t user, const char *role,
    const char *status)
{
	char s[24], u[24];

	snprintf(s, sizeof s, "%lld", (long long)space);
	snprintf(u, sizeof u, "%lld", (long long)user);
	pg_exec("INSERT INTO participants (space_id, user_id, role, status)"
	    " VALUES ($1, $2, $3, $4)", s, u, role, status, NULL);
}

void
harness_big_messages(int64_t space, int64_t sender, int n, int events)
{
	static const char messages[] =
	    "WITH conv AS (INSERT INTO conversations (kind, space_id)"
	    " VALUES ('space', $1::bigint) ON CONFLICT (space_id)"
	    " DO UPDATE SET kind = EXCLUDED.kind RETURNING id),"
	    " msg AS (INSERT INTO messages (conversation_id, sender_id, body)"
	    " SELECT conv.id, $2::bigint, repeat('\"', $4::int)"
	    " FROM conv, generate_series(1, $3::int) g ORDER BY g"
	    " RETURNING id, conversation_id,"
	    " extract(epoch FROM created_at)::bigint AS at) ";
	char s[24], u[24], k[24], len[24], *sql;

	snprintf(s, sizeof s, "%lld", (long long)space);
	snprintf(u, sizeof u, "%lld", (long long)sender);
	snprintf(k, sizeof k, "%d", n);
	snprintf(len, sizeof len, "%d", HARNESS_BIG_BODY);
	if (events)
		xasprintf(&sql, "%s INSERT INTO events (type, space_id, data)"
		    " SELECT 'message.new', $1::bigint, format('id=%%s"
		    " conversation=%%s kind=space from=%%s name=\"%%s\""
		    " space=%%s at=%%s body=\"%%s\"', id, conversation_id,"
		    " $2::bigint, (SELECT name FROM users"
		    " WHERE id = $2::bigint), $1::bigint, at,"
		    " repeat('\\\"', $4::int)) FROM msg ORDER BY id",
		    messages);
	else
		xasprintf(&sql, "%s SELECT count(*) FROM msg", messages);
	pg_exec(sql, s, u, k, len, NULL);
	free(sql);
}

struct client_reply *
harness_expect_ok(const char *file, int line, struct client_reply *r)
{
	ck_assert_msg(
	    r != NULL, "%s:%d: no reply (timeout or closed)", file, line);
	ck_assert_msg(
	    r->ok, "%s:%d: expected OK, got \"%s\"", file, line, r->line);
	return r;
}

void
harness_expect_err(
    const char *file, int line, struct client_reply *r, const char *code)
{
	ck_assert_msg(
	    r != NULL, "%s:%d: no reply (timeout or closed)", file, line);
	ck_assert_msg(!r->ok && strcmp(r->code, code) == 0,
	    "%s:%d: expected ERR code=%s, got \"%s\"", file, line, code,
	    r->line);
	client_reply_free(r);
}

struct client_reply *
harness_raw(struct client *c, const char *tag, const char *line)
{
	client_send_raw(c, line, strlen(line));
	client_send_raw(c, "\n", 1);
	return client_wait(c, tag, HARNESS_TIMEOUT);
}

/* Lines. */

static int
line_parse(const char *line, char **copy, struct proto_msg *msg)
{
	const char *why;

	*copy = xstrdup(line);
	if (proto_parse(*copy, strlen(*copy), msg, &why) != 0) {
		free(*copy);
		*copy = NULL;
		return -1;
	}
	return 0;
}

char *
line_get(const char *line, const char *key)
{
	struct proto_msg msg;
	const char *v;
	char *copy, *s = NULL;

	if (line_parse(line, &copy, &msg) != 0)
		return NULL;
	if ((v = proto_get(&msg, key)) != NULL)
		s = xstrdup(v);
	free(copy);
	return s;
}

char *
line_word(const char *line)
{
	struct proto_msg msg;
	char *copy, *s;

	if (line_parse(line, &copy, &msg) != 0)
		return NULL;
	s = xstrdup(msg.word);
	free(copy);
	return s;
}

int64_t
line_i64(const char *line, const char *key)
{
	long long v;
	char *s, *end;

	s = line_get(line, key);
	ck_assert_msg(s != NULL, "no %s in \"%s\"", key, line);
	errno = 0;
	v = strtoll(s, &end, 10);
	ck_assert_msg(errno == 0 && end != s && *end == '\0',
	    "%s is not a number in \"%s\"", key, line);
	free(s);
	return v;
}

int
line_is(const char *line, const char *key, const char *value)
{
	char *s = line_get(line, key);
	int same = s != NULL && strcmp(s, value) == 0;

	free(s);
	return same;
}

char *
event_wait(struct client *c, const char *type, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms, left;
	char *ev;

	for (;;) {
		left = deadline - now_ms();
		if (left < 0)
			return NULL;
		if ((ev = client_next_event(c, (int)left)) == NULL)
			return NULL;
		if (line_is(ev, "type", type))
			return ev;
		free(ev);
	}
}

int
harness_wait_closed(struct client *c, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms, left;

	for (;;) {
		if (client_closed(c))
			return 0;
		left = deadline - now_ms();
		if (left <= 0)
			return -1;
		free(client_next_event(c, (int)left));
	}
}

int
tcp_connect(const char *port)
{
	struct sockaddr_in sin;
	int fd;

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((unsigned short)strtol(port, NULL, 10));
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_msg(fd != -1, "socket: %s", strerror(errno));
	ck_assert_msg(connect(fd, (struct sockaddr *)&sin, sizeof sin) == 0,
	    "connect to port %s: %s", port, strerror(errno));
	return fd;
}

int
tcp_wait_closed(int fd, int timeout_ms)
{
	struct pollfd pfd;
	int64_t start = now_ms(), left;
	char tmp[4096];
	ssize_t n;

	for (;;) {
		left = start + timeout_ms - now_ms();
		if (left <= 0)
			return -1;
		pfd.fd = fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (poll(&pfd, 1, (int)left) <= 0)
			continue;
		n = read(fd, tmp, sizeof tmp);
		if (n == 0 || (n == -1 && errno != EINTR && errno != EAGAIN))
			return (int)(now_ms() - start);
	}
}

/* SMTP sinks and maildirs. */

#define HARNESS_MAX_SINKS 4
#define SINK_START_MS     20000

struct smtp_sink {
	char port[8];
	char *url;
	char *dir;     /* holds the maildir and the log */
	char *maildir;
	char *log;
	pid_t pid; /* 0: not running */
};

static struct smtp_sink *sinks[HARNESS_MAX_SINKS];

/* The first python3 with aiosmtpd: PATH's may be a virtualenv without it. */
static const char *
sink_python(void)
{
	static const char *found;
	static const char *const candidates[] = { "python3",
		"/usr/bin/python3" };

	if (found != NULL)
		return found;
	for (size_t i = 0; i < 2; i++) {
		char *argv[] = { (char *)candidates[i], "-c", "import aiosmtpd",
			NULL };

		if (run(argv, 0, 0, NULL, NULL) == 0)
			return found = candidates[i];
	}
	ck_abort_msg("no python3 with the aiosmtpd module (python3-aiosmtpd)");
	return NULL;
}

struct smtp_sink *
smtp_sink_new(void)
{
	struct smtp_sink *k = xcalloc(1, sizeof *k);
	size_t i;

	ck_assert_msg(h.ready, "the cluster is not running");
	for (i = 0; i < HARNESS_MAX_SINKS && sinks[i] != NULL; i++)
		;
	ck_assert_msg(i < HARNESS_MAX_SINKS, "too many SMTP sinks");
	sinks[i] = k;
	free_port(k->port);
	xasprintf(&k->url, "smtp://127.0.0.1:%s", k->port);
	xasprintf(&k->dir, "%s/smtp.%ld.%u", h.dir, (long)getpid(), ++counter);
	xasprintf(&k->maildir, "%s/maildir", k->dir);
	xasprintf(&k->log, "%s/aiosmtpd.log", k->dir);
	ck_assert_msg(mkdir(k->dir, 0700) == 0, "%s: %s", k->dir,
	    strerror(errno));
	return k;
}

static int
accepts(const char *port)
{
	struct sockaddr_in sin;
	int fd, ok;

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((unsigned short)strtol(port, NULL, 10));
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return 0;
	ok = connect(fd, (struct sockaddr *)&sin, sizeof sin) == 0;
	close(fd);
	return ok;
}

void
harness_wait_listening(pid_t *pid, const char *port, const char *log,
    const char *what, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;
	char *text;
	int status;

	while (!accepts(port)) {
		if (waitpid(*pid, &status, WNOHANG) == *pid) {
			*pid = 0;
			text = file_read(log);
			ck_abort_msg("%s exited (status 0x%x): %s", what, status,
			    tail(text));
		}
		ck_assert_msg(now_ms() < deadline, "%s did not accept "
		    "connections within %d ms", what, timeout_ms);
		sleep_ms(50);
	}
}

void
smtp_sink_start(struct smtp_sink *k)
{
	const char *python = sink_python();
	char *listen;
	char *argv[] = { (char *)python, "-m", "aiosmtpd", "-n", "-l", NULL,
		"-c", "aiosmtpd.handlers.Mailbox", k->maildir, NULL };

	ck_assert_msg(k->pid == 0, "the SMTP sink is already running");
	xasprintf(&listen, "127.0.0.1:%s", k->port);
	argv[5] = listen;
	k->pid = harness_spawn(argv, k->log);
	free(listen);
	harness_wait_listening(&k->pid, k->port, k->log, "aiosmtpd",
	    SINK_START_MS);
}

void
smtp_sink_stop(struct smtp_sink *k)
{
	int64_t deadline = now_ms() + 5000;
	int status;

	if (k->pid == 0)
		return;
	kill(k->pid, SIGTERM);
	while (waitpid(k->pid, &status, WNOHANG) != k->pid) {
		if (now_ms() > deadline) {
			kill(k->pid, SIGKILL);
			while (waitpid(k->pid, &status, 0) == -1 &&
			    errno == EINTR)
				;
			break;
		}
		sleep_ms(10);
	}
	k->pid = 0;
}

void
smtp_sink_free(struct smtp_sink *k)
{
	if (k == NULL)
		return;
	smtp_sink_stop(k);
	for (size_t i = 0; i < HARNESS_MAX_SINKS; i++) {
		if (sinks[i] == k)
			sinks[i] = NULL;
	}
	free(k->url);
	free(k->dir);
	free(k->maildir);
	free(k->log);
	free(k);
}

static void
sinks_teardown(void)
{
	for (size_t i = 0; i < HARNESS_MAX_SINKS; i++) {
		if (sinks[i] != NULL)
			smtp_sink_free(sinks[i]);
	}
}

const char *
smtp_sink_url(const struct smtp_sink *k)
{
	return k->url;
}

const char *
smtp_sink_maildir(const struct smtp_sink *k)
{
	return k->maildir;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **
maildir_list(const char *dir)
{
	static const char *const subs[] = { "new", "cur" };
	char **list = xcalloc(1, sizeof *list), *path;
	size_t n = 0;
	struct dirent *de;
	DIR *d;

	for (size_t i = 0; i < 2; i++) {
		xasprintf(&path, "%s/%s", dir, subs[i]);
		d = opendir(path);
		free(path);
		if (d == NULL)
			continue;
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			list = xreallocarray(list, n + 2, sizeof *list);
			xasprintf(&list[n++], "%s/%s/%s", dir, subs[i],
			    de->d_name);
		}
		closedir(d);
	}
	list[n] = NULL;
	qsort(list, n, sizeof *list, cmp_str);
	return list;
}

void
maildir_list_free(char **list)
{
	if (list == NULL)
		return;
	for (size_t i = 0; list[i] != NULL; i++)
		free(list[i]);
	free(list);
}

int
maildir_count(const char *dir)
{
	char **list = maildir_list(dir);
	int n = 0;

	while (list[n] != NULL)
		n++;
	maildir_list_free(list);
	return n;
}

int
maildir_wait(const char *dir, int n, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;

	for (;;) {
		if (maildir_count(dir) >= n)
			return 0;
		if (now_ms() > deadline)
			return -1;
		sleep_ms(50);
	}
}

struct mail {
	char *head; /* as written, with the blank line's break */
	char *body; /* decoded, LF line ends */
};

static char *
lf_only(const char *s)
{
	char *out = xmalloc(strlen(s) + 1);
	size_t n = 0;

	for (; *s != '\0'; s++) {
		if (s[0] == '\r' && s[1] == '\n')
			continue;
		out[n++] = *s;
	}
	out[n] = '\0';
	return out;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Quoted-printable (RFC 2045) of LF text: soft breaks go, =XX decoded. */
static char *
qp_decode(const char *s)
{
	char *out = xmalloc(strlen(s) + 1);
	size_t n = 0;

	while (*s != '\0') {
		if (s[0] == '=' && s[1] == '\n')
			s += 2;
		else if (s[0] == '=' && hexval(s[1]) >= 0 && hexval(s[2]) >= 0) {
			out[n++] = (char)(hexval(s[1]) * 16 + hexval(s[2]));
			s += 3;
		} else
			out[n++] = *s++;
	}
	out[n] = '\0';
	return out;
}

struct mail *
mail_read(const char *path)
{
	struct mail *m = xcalloc(1, sizeof *m);
	char *raw = file_read(path), *text, *sep, *cte;

	ck_assert_msg(raw != NULL, "%s: %s", path, strerror(errno));
	text = lf_only(raw);
	sep = strstr(text, "\n\n");
	ck_assert_msg(sep != NULL, "%s: no end of header", path);
	/* The head as written: up to the blank line in raw. */
	{
		char *rsep = strstr(raw, "\r\n\r\n"), *lsep = strstr(raw, "\n\n");
		char *end = rsep != NULL && (lsep == NULL || rsep < lsep) ?
		    rsep + 2 : lsep + 1;

		m->head = xstrndup(raw, (size_t)(end - raw));
	}
	m->body = xstrdup(sep + 2);
	cte = mail_header(m, "Content-Transfer-Encoding");
	if (cte != NULL && strcasecmp(cte, "quoted-printable") == 0) {
		char *d = qp_decode(m->body);

		free(m->body);
		m->body = d;
	}
	free(cte);
	free(text);
	free(raw);
	return m;
}

void
mail_free(struct mail *m)
{
	if (m == NULL)
		return;
	free(m->head);
	free(m->body);
	free(m);
}

const char *
mail_head(const struct mail *m)
{
	return m->head;
}

const char *
mail_body(const struct mail *m)
{
	return m->body;
}

char *
mail_header_raw(const struct mail *m, const char *name)
{
	char *head = lf_only(m->head), *line, *next, *value = NULL;
	size_t len = strlen(name);
	struct buf *b;

	for (line = head; *line != '\0'; line = next) {
		next = line + strcspn(line, "\n");
		if (*next == '\n')
			next++;
		if (strncasecmp(line, name, len) != 0 || line[len] != ':')
			continue;
		b = buf_new(0);
		line += len + 1;
		line += strspn(line, " \t");
		buf_add(b, line, strcspn(line, "\n"));
		/* Continuation lines: unfolding drops only the line break. */
		while (*next == ' ' || *next == '\t') {
			buf_add(b, next, strcspn(next, "\n"));
			next += strcspn(next, "\n");
			if (*next == '\n')
				next++;
		}
		value = buf_take(b);
		buf_free(b);
		break;
	}
	free(head);
	return value;
}

static size_t
b64_decode(const char *s, size_t n, struct buf *out)
{
	static const char set[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned int acc = 0;
	int bits = 0;
	size_t o = 0;

	for (size_t i = 0; i < n && s[i] != '='; i++) {
		const char *p = memchr(set, s[i], sizeof set - 1);

		if (p == NULL)
			continue;
		acc = (acc << 6) | (unsigned int)(p - set);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf_add_char(out, (char)((acc >> bits) & 0xff));
			o++;
		}
	}
	return o;
}

/* One encoded word at s ("=?UTF-8?B?...?="): its length, 0 if none.
 * Its decoding goes to out unless out is NULL. */
static size_t
encoded_word(const char *s, struct buf *out)
{
	const char *q1, *q2, *end;

	if (strncmp(s, "=?", 2) != 0 || (q1 = strchr(s + 2, '?')) == NULL ||
	    (q2 = strchr(q1 + 1, '?')) == NULL || q2 != q1 + 2 ||
	    (end = strstr(q2 + 1, "?=")) == NULL)
		return 0;
	if (q1[1] != 'B' && q1[1] != 'b' && q1[1] != 'Q' && q1[1] != 'q')
		return 0;
	if (out == NULL)
		;
	else if (q1[1] == 'B' || q1[1] == 'b')
		b64_decode(q2 + 1, (size_t)(end - q2 - 1), out);
	else {
		for (const char *p = q2 + 1; p < end; p++) {
			if (*p == '_')
				buf_add_char(out, ' ');
			else if (*p == '=' && p + 2 < end &&
			    hexval(p[1]) >= 0 && hexval(p[2]) >= 0) {
				buf_add_char(out,
				    (char)(hexval(p[1]) * 16 + hexval(p[2])));
				p += 2;
			} else
				buf_add_char(out, *p);
		}
	}
	return (size_t)(end + 2 - s);
}

char *
mail_header(const struct mail *m, const char *name)
{
	char *raw = mail_header_raw(m, name), *out;
	struct buf *b;
	const char *p;
	int after_word = 0;

	if (raw == NULL)
		return NULL;
	b = buf_new(0);
	for (p = raw; *p != '\0';) {
		size_t n, ws = strspn(p, " \t");

		/* White space between two encoded words is not text. */
		if (ws > 0 && after_word && encoded_word(p + ws, NULL) == 0)
			after_word = 0;
		if (ws > 0 && after_word) {
			p += ws;
			continue;
		}
		if ((n = encoded_word(p, b)) > 0) {
			p += n;
			after_word = 1;
			continue;
		}
		buf_add_char(b, *p++);
		after_word = 0;
	}
	out = buf_take(b);
	buf_free(b);
	free(raw);
	return out;
}

struct mail *
maildir_next(const char *dir, int *seen)
{
	struct mail *m;
	char **list;

	ck_assert_msg(maildir_wait(dir, *seen + 1, HARNESS_TIMEOUT) == 0,
	    "no e-mail number %d in %s", *seen + 1, dir);
	list = maildir_list(dir);
	m = mail_read(list[(*seen)++]);
	maildir_list_free(list);
	return m;
}

char *
mail_link(const struct mail *m)
{
	const char *p = strstr(mail_body(m), "agora://");

	ck_assert_msg(p != NULL, "no link in:\n%s", mail_body(m));
	return xstrndup(p, strcspn(p, " \n"));
}
