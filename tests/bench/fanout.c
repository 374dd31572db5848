/*
 * agora-fanout: how long a message takes to reach everyone in a
 * discussion, for agora and for an IRC server, measured the same way by
 * the same program in the same epoll loop.
 *
 * One sender and N receivers, all over TLS. agora: every connection takes
 * over its own user's session (SESSION.RESUME with a token from a file);
 * the sender writes MSG.SEND space=ID body=..., the receivers get
 * "* EVENT ... type=message.new ... body=...". IRC: every connection
 * registers (NICK, USER) and joins one channel; the sender writes PRIVMSG
 * and the receivers get it.
 *
 * Messages go one at a time: the next is sent when the previous one has
 * reached every receiver (for agora, also when the sender has its OK), and
 * --gap-ms after that. Each body starts with "FANOUT:<number>:", the rest
 * is filler up to --size bytes. Times come from CLOCK_MONOTONIC: the send
 * is stamped just before the request is queued and written; a delivery is
 * stamped when epoll_wait returns with the receiver's socket readable, so
 * the generator's own work on the other receivers in that batch is not
 * counted against the server. Per delivery: receive - send; per message:
 * the last receiver's receive - send ("last"); for agora also the OK to
 * the sender ("ack"). The first --warmup messages are not counted.
 * Over the counted messages it also reads CPU time: its own, that of each
 * --watch NAME=PID,... group (the servers), and the busy time of the
 * whole machine (/proc/stat), which shows what else ran meanwhile.
 *
 * Output: one line on stdout, key=value pairs split on spaces, like
 * agora-bench's. Progress and errors go to stderr. Exit status 0 when
 * nothing was lost and nothing went wrong.
 */
#include <sys/epoll.h>
#include <sys/resource.h>

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "client.h"
#include "irc.h"
#include "loadgen.h"
#include "log.h"
#include "tls.h"
#include "xmalloc.h"

#define FO_BATCH_DEFAULT 100
#define FO_READY_MS	 60000 /* for one batch to be readied */
#define FO_SETTLE_MS	 1000  /* quiet time after everyone is ready */
#define FO_CONNECT_MS	 10000
#define FO_EPOLL_EVENTS	 256
#define FO_SIZE_MAX	 400 /* IRC: the whole line within 512 bytes */
#define FO_MARK		 "FANOUT:"
#define FO_ERRORS_SHOWN	 10
#define FO_WATCH_MAX	 4 /* --watch NAME=PIDS */

enum fo_proto { FO_AGORA, FO_IRC };

static const char *const fo_proto_names[] = { "agora", "irc" };

enum fo_state {
	PEER_CONNECTED,	 /* agora: SESSION.RESUME sent; IRC: NICK, USER */
	PEER_REGISTERED, /* IRC: welcomed (001), JOIN sent */
	PEER_READY	 /* resumed, or in the channel (366) */
};

struct fanout;

/* Processes whose CPU time is reported as NAME_cpu_s: the servers. */
struct fo_watch {
	const char *name;
	const char *pids; /* comma-separated */
	double start;
	double used;
};

struct fo_peer {
	struct fanout *f;
	long index; /* 0: the sender */
	int fd;
	int polling_out; /* EPOLLOUT registered */
	int dead;
	enum fo_state state;
	struct client *c;     /* agora */
	const char *tag;      /* agora: the request in flight, or NULL */
	struct irc *irc;      /* IRC */
	long last;	      /* the last message it got; -1: none */
	int64_t now;	      /* when its socket was seen readable */
};

struct fanout {
	enum fo_proto proto;
	const char *host;
	const char *port;
	const char *ca_file;
	const char *tokens_file;
	const char *space;
	const char *channel;
	struct fo_watch watch[FO_WATCH_MAX];
	int nwatch;
	long receivers;
	long messages;
	long warmup;
	long size;
	long gap_ms;
	long timeout_s;
	long batch;

	char **tokens; /* agora: one per peer, the sender's first */
	char *fingerprint;
	SSL_CTX *irc_ctx;
	int epfd;
	struct fo_peer *peers; /* receivers + 1 */
	long npeers;	       /* connected so far */
	long alive;	       /* receivers still connected */

	/* The message in flight. */
	long seq; /* its number; -1 before the first */
	int in_flight;
	int acked;  /* agora: the sender has its reply */
	int failed; /* agora: the reply was an error */
	long expected;
	long got;
	int64_t sent_at;
	int64_t last_at;
	int64_t deadline;
	int64_t next_at; /* when the next may go */
	char *body;

	struct hist *delivery;
	struct hist *last;
	struct hist *ack;
	uint64_t deliveries; /* counted ones */
	uint64_t lost;
	uint64_t late;
	uint64_t errors;
	uint64_t timeouts;

	int64_t measure_start;
	int64_t measure_end;
	double gen_cpu_start;
	double machine_cpu_start;
	double gen_cpu_s;
	double machine_cpu_s;
};

static void usage(void) __attribute__((noreturn));

static const char fo_filler[] =
    "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do "
    "eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim "
    "ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut "
    "aliquip ex ea commodo consequat. Duis aute irure dolor in "
    "reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla "
    "pariatur. Excepteur sint occaecat cupidatat non proident, sunt in "
    "culpa qui officia deserunt mollit anim id est laborum.";

static void
fo_error(struct fanout *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Counts an error; the first few are shown. */
static void
fo_error(struct fanout *f, const char *fmt, ...)
{
	va_list ap;

	if (f->errors++ >= FO_ERRORS_SHOWN)
		return;
	fprintf(stderr, "agora-fanout: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- CPU time -------------------------------------------------------- */

/* user + system seconds of the processes in a comma-separated pid list. */
static double
fo_pids_cpu(const char *list)
{
	char path[64], line[1024], *p, *copy, *rest, *pid;
	unsigned long long ut, st, ticks = 0;
	FILE *fp;

	if (list == NULL)
		return 0;
	rest = copy = xstrdup(list);
	while ((pid = strsep(&rest, ",")) != NULL) {
		if (*pid == '\0')
			continue;
		snprintf(path, sizeof path, "/proc/%s/stat", pid);
		if ((fp = fopen(path, "r")) == NULL)
			continue;
		if (fgets(line, sizeof line, fp) != NULL &&
		    (p = strrchr(line, ')')) != NULL &&
		    sscanf(p + 2,
			"%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
			&ut, &st) == 2)
			ticks += ut + st;
		fclose(fp);
	}
	free(copy);
	return (double)ticks / (double)sysconf(_SC_CLK_TCK);
}

/* Busy seconds of all CPUs together, from /proc/stat: everything that ran,
 * the generator and the servers included. */
static double
fo_machine_cpu(void)
{
	unsigned long long user, nice, sys, idle, iowait, irq, softirq, steal;
	FILE *fp;
	int n;

	if ((fp = fopen("/proc/stat", "r")) == NULL)
		return 0;
	n = fscanf(fp, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &user,
	    &nice, &sys, &idle, &iowait, &irq, &softirq, &steal);
	fclose(fp);
	if (n != 8)
		return 0;
	return (double)(user + nice + sys + irq + softirq) /
	    (double)sysconf(_SC_CLK_TCK);
}

static double
fo_self_cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	    (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* ---- the message in flight ------------------------------------------ */

static int
fo_counted(const struct fanout *f, long seq)
{
	return seq >= f->warmup;
}

/* Closes the message in flight: what did not arrive is lost. */
static void
fo_complete(struct fanout *f, int64_t now)
{
	if (fo_counted(f, f->seq)) {
		if (!f->failed && f->got == f->expected && f->expected > 0)
			hist_add(f->last, (uint64_t)(f->last_at - f->sent_at) /
				1000);
		f->lost += (uint64_t)(f->expected - f->got);
	}
	f->in_flight = 0;
	f->next_at = now + (int64_t)f->gap_ms * 1000000;
	if (f->seq == f->warmup + f->messages - 1) {
		f->measure_end = now;
		for (int i = 0; i < f->nwatch; i++)
			f->watch[i].used = fo_pids_cpu(f->watch[i].pids) -
			    f->watch[i].start;
		f->gen_cpu_s = fo_self_cpu() - f->gen_cpu_start;
		f->machine_cpu_s = fo_machine_cpu() - f->machine_cpu_start;
	}
}

static void
fo_check(struct fanout *f, int64_t now)
{
	if (f->in_flight && f->acked &&
	    (f->failed || f->got >= f->expected))
		fo_complete(f, now);
}

/* A receiver's copy of message seq arrived at now. */
static void
fo_delivered(struct fanout *f, struct fo_peer *p, long seq, int64_t now)
{
	if (p->index == 0)
		return; /* the sender's own copy (agora) */
	if (f->in_flight && seq == f->seq && p->last < seq) {
		p->last = seq;
		f->got++;
		f->last_at = now;
		if (fo_counted(f, seq)) {
			hist_add(f->delivery,
			    now > f->sent_at ?
				(uint64_t)(now - f->sent_at) / 1000 :
				0);
			f->deliveries++;
		}
		fo_check(f, now);
	} else if (seq < f->seq || (!f->in_flight && seq == f->seq)) {
		f->late++; /* after its message timed out: counted lost */
		if (seq > p->last)
			p->last = seq;
	} else
		fo_error(f, "receiver %ld: message %ld again or out of order",
		    p->index, seq);
}

/* The message number in a body that carries FO_MARK, or -1. */
static long
fo_body_seq(const char *text)
{
	const char *m;
	char *end;
	long seq;

	if ((m = strstr(text, FO_MARK)) == NULL)
		return -1;
	m += strlen(FO_MARK);
	if (!isdigit((unsigned char)*m))
		return -1;
	errno = 0;
	seq = strtol(m, &end, 10);
	if (errno != 0 || *end != ':')
		return -1;
	return seq;
}

/* ---- connections ------------------------------------------------------ */

static void
fo_watch(struct fanout *f, struct fo_peer *p)
{
	struct epoll_event ev;
	int want;

	want = f->proto == FO_AGORA ? client_want_write(p->c) :
				      irc_want_write(p->irc);
	if (want == p->polling_out)
		return;
	memset(&ev, 0, sizeof ev);
	ev.events = EPOLLIN | (want ? EPOLLOUT : 0);
	ev.data.ptr = p;
	if (epoll_ctl(f->epfd, EPOLL_CTL_MOD, p->fd, &ev) == -1)
		loadgen_die("epoll_ctl: %s", strerror(errno));
	p->polling_out = want;
}

static void
fo_lose(struct fanout *f, struct fo_peer *p, const char *why)
{
	if (p->dead)
		return;
	if (p->index == 0)
		loadgen_die("the sender lost its connection: %s", why);
	fo_error(f, "receiver %ld lost its connection: %s", p->index, why);
	epoll_ctl(f->epfd, EPOLL_CTL_DEL, p->fd, NULL);
	p->dead = 1;
	if (p->state == PEER_READY)
		f->alive--;
	if (f->in_flight && p->last < f->seq) {
		f->expected--;
		fo_check(f, loadgen_now());
	}
}

/* Writes what p has queued and watches for what it waits on. */
static void
fo_flush(struct fanout *f, struct fo_peer *p)
{
	int rc;

	if (p->dead)
		return;
	rc = f->proto == FO_AGORA ? client_flush(p->c, 0) : irc_flush(p->irc);
	if (rc == -1)
		fo_lose(f, p, "write failed");
	else
		fo_watch(f, p);
}

static void
fo_add(struct fanout *f, struct fo_peer *p)
{
	struct epoll_event ev;

	memset(&ev, 0, sizeof ev);
	ev.events = EPOLLIN;
	ev.data.ptr = p;
	if (epoll_ctl(f->epfd, EPOLL_CTL_ADD, p->fd, &ev) == -1)
		loadgen_die("epoll_ctl: %s", strerror(errno));
}

/* ---- agora ------------------------------------------------------------ */

static void
fo_agora_connect(struct fanout *f, struct fo_peer *p)
{
	struct client_opts opts;
	char *cause = NULL;

	memset(&opts, 0, sizeof opts);
	opts.host = f->host;
	opts.port = f->port;
	opts.timeout_ms = FO_CONNECT_MS;
	/* As agora-bench: the first verifies against the CA file, the
	 * others pin the certificate it saw. */
	if (f->fingerprint == NULL)
		opts.ca_file = f->ca_file;
	else
		opts.fingerprint = f->fingerprint;
	if ((p->c = client_connect(&opts, &cause)) == NULL)
		loadgen_die("client %ld: %s", p->index, cause);
	if (f->fingerprint == NULL)
		f->fingerprint = xstrdup(client_fingerprint(p->c));
	p->fd = client_fd(p->c);
	fo_add(f, p);
	if ((p->tag = client_send(p->c, "SESSION.RESUME", "token",
		 f->tokens[p->index], NULL)) == NULL)
		fo_lose(f, p, "closed");
	fo_flush(f, p);
}

static void
fo_agora_reply(struct fanout *f, struct fo_peer *p, struct client_reply *r)
{
	if (p->state != PEER_READY) {
		if (!r->ok)
			loadgen_die("client %ld: SESSION.RESUME: %s", p->index,
			    r->line);
		p->state = PEER_READY;
		if (p->index > 0)
			f->alive++;
		return;
	}
	/* The sender's MSG.SEND. */
	if (!r->ok) {
		fo_error(f, "MSG.SEND: %s", r->line);
		f->failed = 1;
	} else if (fo_counted(f, f->seq))
		hist_add(f->ack, p->now > f->sent_at ?
			(uint64_t)(p->now - f->sent_at) / 1000 :
			0);
	f->acked = 1;
	fo_check(f, p->now);
}

static void
fo_agora_service(struct fanout *f, struct fo_peer *p)
{
	struct client_reply *r;
	char *line;
	long seq;
	int lost;

	lost = client_pump(p->c) == -1;
	if (p->tag != NULL && (r = client_take_reply(p->c, p->tag)) != NULL) {
		p->tag = NULL;
		fo_agora_reply(f, p, r);
		client_reply_free(r);
	}
	while ((line = client_next_event(p->c, 0)) != NULL) {
		if (strncmp(line, "* EVENT ", 8) == 0 &&
		    strstr(line, " type=message.new ") != NULL) {
			if ((seq = fo_body_seq(line)) >= 0)
				fo_delivered(f, p, seq, p->now);
			else if (p->index != 0)
				fo_error(f, "receiver %ld: a message not ours",
				    p->index);
		}
		free(line);
	}
	if (lost) {
		fo_lose(f, p, "connection closed");
		return;
	}
	fo_flush(f, p);
}

static void
fo_agora_send(struct fanout *f, struct fo_peer *s)
{
	if ((s->tag = client_send(s->c, "MSG.SEND", "space", f->space, "body",
		 f->body, NULL)) == NULL)
		fo_lose(f, s, "closed");
}

/* ---- IRC -------------------------------------------------------------- */

static void
fo_irc_nick(const struct fo_peer *p, char *nick, size_t len)
{
	if (p->index == 0)
		snprintf(nick, len, "fsend");
	else
		snprintf(nick, len, "r%ld", p->index);
}

static void
fo_irc_connect(struct fanout *f, struct fo_peer *p)
{
	char nick[16], *cause = NULL;

	p->irc = irc_connect(f->irc_ctx, 1, f->host, f->port, FO_CONNECT_MS,
	    &cause);
	if (p->irc == NULL)
		loadgen_die("client %ld: %s", p->index, cause);
	p->fd = irc_fd(p->irc);
	fo_add(f, p);
	fo_irc_nick(p, nick, sizeof nick);
	irc_printf(p->irc, "NICK %s", nick);
	irc_printf(p->irc, "USER %s 0 * :agora fanout", nick);
	fo_flush(f, p);
}

/*
 * One line from the server: ":prefix COMMAND params :trailing". Only what
 * the benchmark needs: PING, the welcome, the end of the channel's names
 * (the JOIN is done), the channel's messages, and errors.
 */
static void
fo_irc_line(void *arg, char *line, size_t len)
{
	struct fo_peer *p = arg;
	struct fanout *f = p->f;
	char *cmd = line, *rest;
	long seq;

	if (line[0] == ':') {
		if ((cmd = strchr(line, ' ')) == NULL)
			return;
		cmd++;
	}
	if ((rest = strchr(cmd, ' ')) != NULL)
		*rest++ = '\0';
	else
		rest = cmd + strlen(cmd);
	if (strcmp(cmd, "PRIVMSG") == 0) {
		if ((seq = fo_body_seq(rest)) >= 0)
			fo_delivered(f, p, seq, p->now);
		else
			fo_error(f, "receiver %ld: a message not ours",
			    p->index);
	} else if (strcmp(cmd, "PING") == 0)
		irc_printf(p->irc, "PONG %s", rest);
	else if (strcmp(cmd, "001") == 0 && p->state == PEER_CONNECTED) {
		p->state = PEER_REGISTERED;
		irc_printf(p->irc, "JOIN %s", f->channel);
	} else if (strcmp(cmd, "366") == 0 && p->state == PEER_REGISTERED) {
		p->state = PEER_READY;
		if (p->index > 0)
			f->alive++;
	} else if (strcmp(cmd, "ERROR") == 0 ||
	    (strlen(cmd) == 3 && (cmd[0] == '4' || cmd[0] == '5')))
		fo_error(f, "client %ld: %s %s", p->index, cmd, rest);
	(void)len;
}

static void
fo_irc_service(struct fanout *f, struct fo_peer *p)
{
	if (irc_pump(p->irc, fo_irc_line, p) == -1) {
		fo_lose(f, p, irc_error(p->irc));
		return;
	}
	fo_flush(f, p);
}

static void
fo_irc_send(struct fanout *f, struct fo_peer *s)
{
	irc_printf(s->irc, "PRIVMSG %s :%s", f->channel, f->body);
}

/* ---- the loop --------------------------------------------------------- */

/* One epoll_wait, then every ready connection served. */
static void
fo_poll(struct fanout *f, int timeout_ms)
{
	struct epoll_event evs[FO_EPOLL_EVENTS];
	int64_t now;
	int n;

	n = epoll_wait(f->epfd, evs, FO_EPOLL_EVENTS, timeout_ms);
	if (n == -1) {
		if (errno == EINTR)
			return;
		loadgen_die("epoll_wait: %s", strerror(errno));
	}
	now = loadgen_now();
	for (int i = 0; i < n; i++) {
		struct fo_peer *p = evs[i].data.ptr;

		if (p->dead)
			continue;
		p->now = now;
		if (f->proto == FO_AGORA)
			fo_agora_service(f, p);
		else
			fo_irc_service(f, p);
	}
}

static int
fo_poll_timeout(int64_t until)
{
	int64_t left = until - loadgen_now();

	if (left <= 0)
		return 0;
	return left > 100000000 ? 100 : (int)(left / 1000000) + 1;
}

static long
fo_unready(const struct fanout *f, long from)
{
	long n = 0;

	for (long i = from; i < f->npeers; i++)
		if (!f->peers[i].dead && f->peers[i].state != PEER_READY)
			n++;
	return n;
}

/*
 * Connects everyone, a batch at a time: each connection of a batch is made
 * (TCP and TLS), then the batch is readied together (SESSION.RESUME; or
 * registration and JOIN) while every earlier connection keeps being read,
 * as an IRC server sends each JOIN to everyone already in the channel.
 */
static void
fo_connect_all(struct fanout *f)
{
	long total = f->receivers + 1, from;
	int64_t deadline;

	while (f->npeers < total) {
		from = f->npeers;
		while (f->npeers < total && f->npeers - from < f->batch) {
			struct fo_peer *p = &f->peers[f->npeers];

			p->f = f;
			p->index = f->npeers++;
			p->last = -1;
			if (f->proto == FO_AGORA)
				fo_agora_connect(f, p);
			else
				fo_irc_connect(f, p);
		}
		deadline = loadgen_now() + (int64_t)FO_READY_MS * 1000000;
		while (fo_unready(f, from) > 0 && loadgen_now() < deadline)
			fo_poll(f, fo_poll_timeout(deadline));
		if (fo_unready(f, from) > 0)
			loadgen_die("%ld of clients %ld..%ld not ready within "
				    "%d s",
			    fo_unready(f, from), from, f->npeers - 1,
			    FO_READY_MS / 1000);
		if (f->peers[0].dead)
			loadgen_die("the sender could not be readied");
	}
	deadline = loadgen_now() + (int64_t)FO_SETTLE_MS * 1000000;
	while (loadgen_now() < deadline)
		fo_poll(f, fo_poll_timeout(deadline));
}

/* The body of message seq: the mark, then filler up to --size bytes. */
static void
fo_make_body(struct fanout *f, long seq)
{
	size_t n, want = (size_t)f->size;
	int len;

	len = snprintf(f->body, want + 1, "%s%ld:", FO_MARK, seq);
	if (len < 0)
		loadgen_die("snprintf failed");
	for (n = (size_t)len; n < want; n++)
		f->body[n] = fo_filler[(n - (size_t)len) % (sizeof fo_filler - 1)];
	if (n > (size_t)len && f->body[n - 1] == ' ')
		f->body[n - 1] = '.';
	f->body[n] = '\0';
}

static void
fo_send(struct fanout *f)
{
	struct fo_peer *s = &f->peers[0];

	f->seq++;
	fo_make_body(f, f->seq);
	if (f->seq == f->warmup) {
		for (int i = 0; i < f->nwatch; i++)
			f->watch[i].start = fo_pids_cpu(f->watch[i].pids);
		f->gen_cpu_start = fo_self_cpu();
		f->machine_cpu_start = fo_machine_cpu();
		f->measure_start = loadgen_now();
	}
	f->in_flight = 1;
	f->acked = f->proto == FO_IRC; /* IRC says nothing back */
	f->failed = 0;
	f->expected = f->alive;
	f->got = 0;
	f->sent_at = loadgen_now();
	f->deadline = f->sent_at + (int64_t)f->timeout_s * 1000000000;
	if (f->proto == FO_AGORA)
		fo_agora_send(f, s);
	else
		fo_irc_send(f, s);
	fo_flush(f, s);
}

static void
fo_run(struct fanout *f)
{
	long total = f->warmup + f->messages;
	int64_t now, until;

	f->seq = -1;
	f->next_at = loadgen_now();
	for (;;) {
		now = loadgen_now();
		if (f->in_flight && now >= f->deadline) {
			fprintf(stderr, "agora-fanout: message %ld: %ld of %ld "
					"receivers after %ld s%s\n",
			    f->seq, f->got, f->expected, f->timeout_s,
			    f->acked ? "" : ", no reply to the sender");
			if (!f->acked)
				f->errors++;
			f->timeouts++;
			f->acked = 1;
			fo_complete(f, now);
		}
		if (!f->in_flight) {
			if (f->seq + 1 >= total)
				break;
			if (now >= f->next_at) {
				fo_send(f);
				continue;
			}
		}
		until = f->in_flight ? f->deadline : f->next_at;
		fo_poll(f, fo_poll_timeout(until));
	}
}

static void
fo_report(struct fanout *f, double connect_s)
{
	double seconds;

	seconds = (double)(f->measure_end - f->measure_start) / 1e9;
	printf("proto=%s receivers=%ld messages=%ld size=%ld gap_ms=%ld "
	       "deliveries=%" PRIu64 " lost=%" PRIu64 " late=%" PRIu64
	       " timeouts=%" PRIu64 " errors=%" PRIu64 " p50_us=%" PRIu64
	       " p99_us=%" PRIu64 " max_us=%" PRIu64 " last_p50_us=%" PRIu64
	       " last_p99_us=%" PRIu64 " last_max_us=%" PRIu64,
	    fo_proto_names[f->proto], f->receivers, f->messages, f->size,
	    f->gap_ms, f->deliveries, f->lost, f->late, f->timeouts,
	    f->errors, hist_quantile(f->delivery, 0.50),
	    hist_quantile(f->delivery, 0.99), hist_max(f->delivery),
	    hist_quantile(f->last, 0.50), hist_quantile(f->last, 0.99),
	    hist_max(f->last));
	if (f->proto == FO_AGORA)
		printf(" ack_p50_us=%" PRIu64 " ack_p99_us=%" PRIu64
		       " ack_max_us=%" PRIu64,
		    hist_quantile(f->ack, 0.50), hist_quantile(f->ack, 0.99),
		    hist_max(f->ack));
	printf(" seconds=%.3f msgs_per_s=%.0f deliveries_per_s=%.0f", seconds, seconds > 0 ? (double)f->messages / seconds : 0,
	    seconds > 0 ? (double)f->deliveries / seconds : 0);
	for (int i = 0; i < f->nwatch; i++)
		printf(" %s_cpu_s=%.2f", f->watch[i].name, f->watch[i].used);
	printf(" gen_cpu_s=%.2f machine_cpu_s=%.2f connect_s=%.2f\n",
	    f->gen_cpu_s, f->machine_cpu_s, connect_s);
}

/* ---- setup ------------------------------------------------------------ */

/* One token a line: the sender's, then one per receiver. */
static void
fo_read_tokens(struct fanout *f)
{
	FILE *fp;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long count = 0, want = f->receivers + 1;

	if ((fp = fopen(f->tokens_file, "r")) == NULL)
		loadgen_die("%s: %s", f->tokens_file, strerror(errno));
	f->tokens = xcalloc((size_t)want, sizeof *f->tokens);
	while (count < want && (n = getline(&line, &cap, fp)) != -1) {
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n > 0)
			f->tokens[count++] = xstrdup(line);
	}
	if (line != NULL)
		OPENSSL_cleanse(line, cap);
	free(line);
	fclose(fp);
	if (count < want)
		loadgen_die("%s: %ld tokens, %ld needed (the sender and %ld "
			    "receivers)",
		    f->tokens_file, count, want, f->receivers);
}

static void
fo_free(struct fanout *f)
{
	for (long i = 0; i < f->npeers; i++) {
		client_close(f->peers[i].c);
		irc_close(f->peers[i].irc);
	}
	free(f->peers);
	if (f->tokens != NULL) {
		for (long i = 0; i <= f->receivers; i++)
			if (f->tokens[i] != NULL)
				freezero_str(f->tokens[i]);
		free(f->tokens);
	}
	SSL_CTX_free(f->irc_ctx);
	free(f->fingerprint);
	free(f->body);
	hist_free(f->delivery);
	hist_free(f->last);
	hist_free(f->ack);
	close(f->epfd);
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: agora-fanout --proto agora|irc --port P --ca FILE\n"
	    "           [--host H] [--receivers N] [--messages M] "
	    "[--warmup W]\n"
	    "           [--size BYTES] [--gap-ms MS] [--timeout S] "
	    "[--batch B]\n"
	    "           [--watch NAME=PID,... (up to 4)]\n"
	    "       agora: --space ID --tokens FILE (the sender's token, "
	    "then one per receiver)\n"
	    "       irc:   [--channel NAME] (default #fanout)\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "proto", required_argument, NULL, 'P' },
		{ "host", required_argument, NULL, 'h' },
		{ "port", required_argument, NULL, 'p' },
		{ "ca", required_argument, NULL, 'C' },
		{ "receivers", required_argument, NULL, 'n' },
		{ "messages", required_argument, NULL, 'm' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "size", required_argument, NULL, 's' },
		{ "gap-ms", required_argument, NULL, 'g' },
		{ "timeout", required_argument, NULL, 't' },
		{ "batch", required_argument, NULL, 'b' },
		{ "space", required_argument, NULL, 'S' },
		{ "tokens", required_argument, NULL, 'T' },
		{ "channel", required_argument, NULL, 'c' },
		{ "watch", required_argument, NULL, 'W' },
		{ NULL, 0, NULL, 0 }
	};
	struct fanout f;
	char *cause = NULL;
	int64_t t0;
	double connect_s;
	char *eq;
	int ch, proto = -1;

	/* A dropped client must not kill the generator; ignoring SIGPIPE
	 * also spares the client library its per-call signal guard. */
	signal(SIGPIPE, SIG_IGN);
	memset(&f, 0, sizeof f);
	f.host = "127.0.0.1";
	f.channel = "#fanout";
	f.receivers = 100;
	f.messages = 200;
	f.warmup = 10;
	f.size = 100;
	f.timeout_s = 10;
	f.batch = FO_BATCH_DEFAULT;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'P':
			if (strcmp(optarg, "agora") == 0)
				proto = FO_AGORA;
			else if (strcmp(optarg, "irc") == 0)
				proto = FO_IRC;
			else
				usage();
			break;
		case 'h':
			f.host = optarg;
			break;
		case 'p':
			f.port = optarg;
			break;
		case 'C':
			f.ca_file = optarg;
			break;
		case 'n':
			f.receivers = loadgen_number(
			    optarg, 1, 100000, "--receivers");
			break;
		case 'm':
			f.messages =
			    loadgen_number(optarg, 1, 1000000, "--messages");
			break;
		case 'w':
			f.warmup = loadgen_number(optarg, 0, 10000, "--warmup");
			break;
		case 's':
			f.size = loadgen_number(optarg, 32, FO_SIZE_MAX, "--size");
			break;
		case 'g':
			f.gap_ms = loadgen_number(optarg, 0, 60000, "--gap-ms");
			break;
		case 't':
			f.timeout_s = loadgen_number(optarg, 1, 3600, "--timeout");
			break;
		case 'b':
			f.batch = loadgen_number(optarg, 1, 10000, "--batch");
			break;
		case 'S':
			f.space = optarg;
			break;
		case 'T':
			f.tokens_file = optarg;
			break;
		case 'c':
			f.channel = optarg;
			break;
		case 'W':
			if (f.nwatch == FO_WATCH_MAX ||
			    (eq = strchr(optarg, '=')) == NULL ||
			    eq == optarg)
				usage();
			*eq = '\0';
			f.watch[f.nwatch].name = optarg;
			f.watch[f.nwatch++].pids = eq + 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc || proto == -1 || f.port == NULL)
		usage();
	f.proto = (enum fo_proto)proto;
	if (f.ca_file == NULL)
		loadgen_die("--ca FILE is needed to verify the server");
	if (f.proto == FO_AGORA && (f.space == NULL || f.tokens_file == NULL))
		loadgen_die("--proto agora needs --space and --tokens");

	log_init("agora-fanout", 0, LOG_LEVEL_WARN);
	loadgen_raise_nofile(f.receivers + 1);
	if ((f.epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		loadgen_die("epoll_create1: %s", strerror(errno));
	if (f.proto == FO_AGORA)
		fo_read_tokens(&f);
	else if ((f.irc_ctx = tls_client_ctx(f.ca_file, &cause)) == NULL)
		loadgen_die("%s", cause);
	f.peers = xcalloc((size_t)f.receivers + 1, sizeof *f.peers);
	f.body = xmalloc((size_t)f.size + 1);
	f.delivery = hist_new();
	f.last = hist_new();
	f.ack = hist_new();

	t0 = loadgen_now();
	fo_connect_all(&f);
	connect_s = (double)(loadgen_now() - t0) / 1e9;
	fprintf(stderr, "agora-fanout: %s: sender and %ld receivers ready in "
			"%.2f s\n",
	    fo_proto_names[f.proto], f.alive, connect_s);

	fo_run(&f);
	fo_report(&f, connect_s);
	fflush(stdout);
	fo_free(&f);
	return f.errors == 0 && f.lost == 0 ? 0 : 1;
}
