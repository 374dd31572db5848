#include <errno.h>
#include <malloc.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>

#include "bus.h"
#include "cmd.h"
#include "config.h"
#include "conn.h"
#include "db.h"
#include "ev.h"
#include "lane.h"
#include "limit.h"
#include "log.h"
#include "migrate.h"
#include "outbox.h"
#include "presence.h"
#include "scheduler.h"
#include "server.h"
#include "throttle.h"
#include "tls.h"
#include "xmalloc.h"

#define ACCEPTS_PER_TURN	64
#define SOCKET_SNDBUF		(256 * 1024)
#define DRAIN_TIMEOUT_MS	10000

static struct config	*server_cf;
static const char	*server_cf_path;
static SSL_CTX		*server_ctx;
static struct ev_io	 listen_io;
static struct ev_io	 signal_io;
static struct ev_timer	*drain_timer;
static int64_t		 drain_deadline;

const struct config *
server_config(void)
{
	return server_cf;
}

static void
server_log_level(const struct config *cf)
{
	enum log_level level;

	if (log_level_parse(cf->log_level, &level) == 0)
		log_set_level(level);
	else
		log_warnx("log_level \"%s\" unknown; keeping the current one",
		    cf->log_level);
}

/* "host:port" or "[v6]:port" */
static int
split_listen(const char *s, char **host, char **port)
{
	const char *colon;

	if (*s == '[') {
		const char *end = strchr(s, ']');

		if (end == NULL || end[1] != ':')
			return -1;
		*host = xstrndup(s + 1, (size_t)(end - s - 1));
		*port = xstrdup(end + 2);
		return 0;
	}
	if ((colon = strrchr(s, ':')) == NULL)
		return -1;
	*host = xstrndup(s, (size_t)(colon - s));
	*port = xstrdup(colon + 1);
	return 0;
}

static int
server_listen(const char *addr, char **cause)
{
	struct addrinfo hints, *res, *ai;
	char *host = NULL, *port = NULL;
	int fd = -1, on = 1, rc;

	if (split_listen(addr, &host, &port) != 0) {
		xasprintf(cause, "listen: expected host:port, got \"%s\"", addr);
		return -1;
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	rc = getaddrinfo(*host != '\0' ? host : NULL, port, &hints, &res);
	free(host);
	free(port);
	if (rc != 0) {
		xasprintf(cause, "listen %s: %s", addr, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, ai->ai_protocol);
		if (fd == -1)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
		    listen(fd, 1024) == 0)
			break;
		close(fd);
		fd = -1;
	}
	if (fd == -1)
		xasprintf(cause, "listen %s: %s", addr, strerror(errno));
	freeaddrinfo(res);
	return fd;
}

static void
server_accept(struct ev_io *io, int events)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char host[NI_MAXHOST];
	int fd, on = 1, sndbuf = SOCKET_SNDBUF;

	for (int i = 0; i < ACCEPTS_PER_TURN; i++) {
		len = sizeof ss;
		fd = accept4(io->fd, (struct sockaddr *)&ss, &len,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno != EAGAIN && errno != EINTR &&
			    errno != ECONNABORTED)
				log_warn("accept");
			return;
		}
		if (conn_count() >= server_cf->max_clients) {
			log_warnx("max_clients (%ld) reached: connection "
			    "refused", server_cf->max_clients);
			close(fd);
			continue;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
		/* Without a cap the kernel grows a stalled client's send
		 * buffer to megabytes, unseen by max_output. */
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
		if (getnameinfo((struct sockaddr *)&ss, len, host, sizeof host,
		    NULL, 0, NI_NUMERICHOST) != 0)
			snprintf(host, sizeof host, "unknown");
		conn_new(fd, host, server_ctx);
	}
	ev_wake_soon();		/* more may be waiting */
}

static void
server_reload(void)
{
	struct config next;
	const char *which;
	char *cause = NULL;
	SSL_CTX *ctx;

	log_info("SIGHUP: reloading %s", server_cf_path);
	if (config_load(server_cf_path, &next, &cause) != 0) {
		log_warnx("reload failed, keeping the running configuration: "
		    "%s", cause);
		free(cause);
		return;
	}
	if (config_restart_needed(server_cf, &next, &which))
		log_warnx("%s changed: restart agorad to apply it", which);
	ctx = tls_server_ctx(next.cert, next.key, &cause);
	if (ctx == NULL) {
		log_warnx("reload: keeping the old certificate: %s", cause);
		free(cause);
		config_free(&next);
		return;
	}
	SSL_CTX_free(server_ctx);	/* live connections hold their own ref */
	server_ctx = ctx;
	config_apply_reloadable(server_cf, &next);
	config_free(&next);
	server_log_level(server_cf);
	conn_configure(server_cf);
	throttle_configure(server_cf);
	limit_configure(server_cf);
	outbox_configure(server_cf, server_cf_path);
	log_info("reloaded configuration and certificate");
}

static void
server_drain_tick(void *arg)
{
	int open = conn_drain();

	if ((open == 0 && db_pending() == 0) ||
	    ev_now_ms() >= drain_deadline) {
		if (open > 0)
			log_warnx("shutdown: closing %d connections that did "
			    "not finish in time", open);
		ev_stop();
	}
}

static void
server_shutdown(int sig)
{
	if (drain_timer != NULL)
		return;
	log_info("%s: finishing requests in flight, then stopping",
	    strsignal(sig));
	presence_stop();
	scheduler_stop();
	ev_io_del(&listen_io);
	close(listen_io.fd);
	drain_deadline = ev_now_ms() + DRAIN_TIMEOUT_MS;
	drain_timer = ev_timer_add(20, 1, server_drain_tick, NULL);
	server_drain_tick(NULL);
}

static void
server_signal(struct ev_io *io, int events)
{
	struct signalfd_siginfo si;

	while (read(io->fd, &si, sizeof si) == sizeof si) {
		if (si.ssi_signo == SIGHUP)
			server_reload();
		else
			server_shutdown((int)si.ssi_signo);
	}
}

/* Replies go out and new database work goes to the workers, once a turn. */
static void
server_before_sleep(void)
{
	conn_before_sleep();
	db_flush();
}

static void
server_sweep(void *arg)
{
	conn_sweep();
}

/* Blocks the signals in every thread (workers inherit the mask) and
 * delivers them to the loop through a signalfd. */
static int
server_signals(void)
{
	sigset_t set;
	int fd;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0)
		fatalx("pthread_sigmask");
	if ((fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) == -1)
		fatal("signalfd");
	return fd;
}

/* Thousands of clients need thousands of descriptors: take what we may. */
static void
server_raise_nofile(const struct config *cf)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur < (rlim_t)cf->max_clients + 64)
		log_warnx("only %llu file descriptors: fewer than max_clients "
		    "(%ld) can connect", (unsigned long long)rl.rlim_cur,
		    cf->max_clients);
}

static void
server_migrate(const struct config *cf)
{
	char *cause = NULL;
	PGconn *pg;
	int n;

	if ((pg = db_connect_once(cf->database, &cause)) == NULL)
		fatalx("%s", cause);
	if ((n = migrate_run(pg, &cause)) < 0)
		fatalx("%s", cause);
	if (n > 0)
		log_info("applied %d migration(s)", n);
	PQfinish(pg);
}

int
server_run(const char *path, struct config *cf)
{
	char *cause = NULL;
	int lfd, sfd;

	server_cf = cf;
	server_cf_path = path;
	server_log_level(cf);
	sfd = server_signals();
	server_raise_nofile(cf);
	/* Each worker thread would otherwise keep a malloc arena of its own
	 * (tens of MB after a burst); two are plenty for our allocations. */
	mallopt(M_ARENA_MAX, 2);
	if ((server_ctx = tls_server_ctx(cf->cert, cf->key, &cause)) == NULL)
		fatalx("%s", cause);
	server_migrate(cf);
	session_cmds_init(cf->scrypt_n);

	ev_init();
	conn_configure(cf);
	throttle_configure(cf);
	limit_configure(cf);
	lane_start((int)cf->password_workers);
	if ((lfd = server_listen(cf->listen, &cause)) == -1)
		fatalx("%s", cause);
	ev_io_set(&listen_io, lfd, server_accept);
	ev_io_want(&listen_io, EV_READ);
	ev_io_set(&signal_io, sfd, server_signal);
	ev_io_want(&signal_io, EV_READ);
	if (db_start(cf->database, (int)cf->db_workers, &cause) != 0 ||
	    bus_start(cf->database, &cause) != 0 ||
	    outbox_start(cf->database, cf, path, &cause) != 0)
		fatalx("%s", cause);
	ev_timer_add(1000, 1, server_sweep, NULL);
	presence_start();
	scheduler_start();
	ev_before_sleep(server_before_sleep);
	log_info("agorad %s listening on %s", AGORA_VERSION, cf->listen);

	ev_run();

	scheduler_stop();
	presence_free();
	outbox_stop();
	bus_stop();
	db_stop();
	lane_stop();
	conn_free_all();
	ev_io_del(&signal_io);
	close(sfd);
	ev_free();
	SSL_CTX_free(server_ctx);
	session_cmds_free();
	log_info("stopped");
	return 0;
}
