/*
 * agora-bench: a load generator for agorad. N TLS clients, each keeping
 * --depth requests in flight (pipelined), all driven by one epoll loop
 * through the non-blocking side of the client library (client_send,
 * client_flush, client_pump, client_take_reply).
 *
 * One LOGIN is made; every other client takes over that session with
 * SESSION.RESUME, so N clients cost one scrypt hash, not N. The
 * database-backed read is SYNC since=<latest>: it returns no events but runs
 * its queries.
 *
 * Output is one line per run on stdout, key=value pairs that read well and
 * parse with a split on spaces. Progress and errors go to stderr.
 *
 * --mode flood measures what a flood of logged-out requests does to a
 * logged-in user: client 1 logs in and asks SPACE.LIST, one at a time,
 * first alone (the baseline), then while the other clients send, as fast
 * as they are answered, ACCEPT with made-up links and a password
 * (--flood accept: what an attacker tried) or LOGIN for made-up accounts
 * (--flood login: a password checked each time). Its line gives the
 * user's latencies in both phases and how the flood was answered.
 *
 * The password is read from the file named by AGORA_BENCH_PASSWORD_FILE, or
 * from standard input; never from the command line.
 */
#include <sys/epoll.h>

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "client.h"
#include "loadgen.h"
#include "log.h"
#include "xmalloc.h"

#define BENCH_DEPTH_MAX    1000
#define BENCH_CLIENTS_MAX  1000000
#define BENCH_BATCH        100   /* clients connected, then readied */
#define BENCH_READY_MS     30000 /* for one batch to be readied */
#define BENCH_DRAIN_MS     3000  /* for replies in flight at the end */
#define BENCH_SYNC_PAGES   1000  /* SYNC pages read to find the latest */
#define BENCH_EPOLL_EVENTS 256

enum bench_mode {
	MODE_PING, MODE_WHOAMI, MODE_SYNC, MODE_MIXED, MODE_IDLE, MODE_FLOOD
};

static const char *const bench_mode_names[] = { "ping", "whoami", "sync",
	"mixed", "idle", "flood" };

enum bench_kind {
	KIND_PING, KIND_WHOAMI, KIND_SYNC, KIND_RESUME, KIND_SPACES,
	KIND_ACCEPT, KIND_LOGIN
};

/* A request in flight: the tag is the client's, valid until taken. */
struct bench_flight {
	const char *tag;
	int64_t sent; /* ns */
};

struct bench_client {
	struct client *c;
	int fd;
	int polling_out; /* EPOLLOUT registered */
	int dead;
	struct bench_flight *ring; /* depth entries */
	size_t head;
	size_t inflight;
	unsigned int turn; /* mixed: which verb next */
};

struct bench {
	enum bench_mode mode;
	const char *host;
	const char *port;
	const char *ca_file;
	const char *email;
	long nclients;
	long depth;
	long seconds;
	long warmup;
	long batch;

	char *fingerprint; /* pinned after the first */
	char *token;
	char since[24]; /* SYNC since= */

	int epfd;
	struct bench_client *clients;
	long nconnected;
	long nalive;

	int issuing;          /* replies start new requests */
	int64_t window_start; /* ns */
	int64_t window_end;
	uint64_t errors;   /* ERR replies, lost clients */
	struct hist *hist; /* replies inside the window */

	/* --mode flood */
	enum bench_kind flood;  /* KIND_ACCEPT or KIND_LOGIN */
	int flooding;           /* the other clients send */
	uint64_t rng;           /* made-up links and addresses */
	uint64_t flood_replies; /* inside the window, by answer: */
	uint64_t flood_not_found, flood_limited, flood_refused, flood_other;
};

static void usage(void) __attribute__((noreturn));

/* Reads one line: from AGORA_BENCH_PASSWORD_FILE, or standard input. */
static char *
bench_password(void)
{
	struct termios old, quiet;
	const char *path;
	FILE *f = stdin;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int tty = 0;

	if ((path = getenv("AGORA_BENCH_PASSWORD_FILE")) != NULL &&
	    *path != '\0') {
		if ((f = fopen(path, "r")) == NULL)
			loadgen_die("%s: %s", path, strerror(errno));
	} else if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0) {
		tty = 1;
		fputs("Password: ", stderr);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	n = getline(&line, &cap, f);
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	if (f != stdin)
		fclose(f);
	if (n == -1) {
		free(line);
		loadgen_die("no password (AGORA_BENCH_PASSWORD_FILE or stdin)");
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	return line;
}

static int
bench_needs_session(enum bench_mode mode)
{
	return mode == MODE_WHOAMI || mode == MODE_SYNC || mode == MODE_MIXED ||
	    mode == MODE_FLOOD;
}

static struct client *
bench_connect(struct bench *b, int first)
{
	struct client_opts opts;
	struct client *c;
	char *cause = NULL;

	memset(&opts, 0, sizeof opts);
	opts.host = b->host;
	opts.port = b->port;
	/*
	 * The first connection verifies the chain and host against the CA
	 * file; the others pin the certificate it saw, which is as strict
	 * and spares loading the file into a new context per client.
	 */
	if (first || b->fingerprint == NULL)
		opts.ca_file = b->ca_file;
	else
		opts.fingerprint = b->fingerprint;
	if ((c = client_connect(&opts, &cause)) == NULL)
		loadgen_die("client %ld: %s", b->nconnected + 1, cause);
	return c;
}

/* The first client logs in and finds where the event log ends. */
static void
bench_login(struct bench *b, struct client *c)
{
	struct client_reply *r;
	const char *v, *more;
	char *pw;
	int page, done;

	if (bench_needs_session(b->mode)) {
		pw = bench_password();
		r = client_call(
		    c, "LOGIN", "email", b->email, "password", pw, NULL);
		freezero_str(pw);
		if (r == NULL)
			loadgen_die("LOGIN: no reply");
		if (!r->ok || (v = client_reply_get(r, "token")) == NULL)
			loadgen_die("LOGIN failed: %s", r->line);
		b->token = xstrdup(v);
		client_reply_free(r);
	}
	snprintf(b->since, sizeof b->since, "0");
	if (b->mode != MODE_SYNC && b->mode != MODE_MIXED)
		return;
	for (page = 0; page < BENCH_SYNC_PAGES; page++) {
		r = client_call(c, "SYNC", "since", b->since, NULL);
		if (r == NULL)
			loadgen_die("SYNC: no reply");
		if (!r->ok || (v = client_reply_get(r, "seq")) == NULL)
			loadgen_die("SYNC failed: %s", r->line);
		snprintf(b->since, sizeof b->since, "%s", v);
		more = client_reply_get(r, "more");
		done = more == NULL || strcmp(more, "1") != 0;
		client_reply_free(r);
		if (done)
			return;
	}
	loadgen_die(
	    "SYNC: the event log is over %d pages long", BENCH_SYNC_PAGES);
}

static void
bench_watch(struct bench *b, struct bench_client *bc)
{
	struct epoll_event ev;
	int want;

	want = client_want_write(bc->c);
	if (want == bc->polling_out)
		return;
	memset(&ev, 0, sizeof ev);
	ev.events = EPOLLIN | (want ? EPOLLOUT : 0);
	ev.data.ptr = bc;
	if (epoll_ctl(b->epfd, EPOLL_CTL_MOD, bc->fd, &ev) == -1)
		loadgen_die("epoll_ctl: %s", strerror(errno));
	bc->polling_out = want;
}

static void
bench_lose(struct bench *b, struct bench_client *bc)
{
	if (bc->dead)
		return;
	fprintf(stderr, "agora-bench: a client lost its connection\n");
	epoll_ctl(b->epfd, EPOLL_CTL_DEL, bc->fd, NULL);
	bc->dead = 1;
	b->errors++;
	b->nalive--;
}

/* xorshift64: made-up tokens need not be unpredictable, only distinct. */
static uint64_t
bench_random(struct bench *b)
{
	b->rng ^= b->rng << 13;
	b->rng ^= b->rng >> 7;
	b->rng ^= b->rng << 17;
	return b->rng;
}

/* One request of the flood: a made-up link, or a made-up account. */
static const char *
bench_flood_send(struct bench *b, struct bench_client *bc,
    enum bench_kind kind)
{
	char link[65], email[64];

	if (kind == KIND_LOGIN) {
		snprintf(email, sizeof email, "flood%016" PRIx64 "@flood.invalid",
		    bench_random(b));
		return client_send(bc->c, "LOGIN", "email", email, "password",
		    "xxxxxxxxxxxx", NULL);
	}
	for (int i = 0; i < 4; i++)
		snprintf(link + 16 * i, sizeof link - 16 * (size_t)i,
		    "%016" PRIx64, bench_random(b));
	return client_send(bc->c, "ACCEPT", "link", link, "password",
	    "xxxxxxxxxxxx", NULL);
}

/* Queues one request on bc; the caller flushes. */
static void
bench_issue(
    struct bench *b, struct bench_client *bc, enum bench_kind kind, int64_t now)
{
	struct bench_flight *f;
	const char *tag = NULL;

	switch (kind) {
	case KIND_PING:
		tag = client_send(bc->c, "PING", NULL);
		break;
	case KIND_WHOAMI:
		tag = client_send(bc->c, "WHOAMI", NULL);
		break;
	case KIND_SYNC:
		tag = client_send(bc->c, "SYNC", "since", b->since, NULL);
		break;
	case KIND_RESUME:
		tag = client_send(
		    bc->c, "SESSION.RESUME", "token", b->token, NULL);
		break;
	case KIND_SPACES:
		tag = client_send(bc->c, "SPACE.LIST", NULL);
		break;
	case KIND_ACCEPT:
	case KIND_LOGIN:
		tag = bench_flood_send(b, bc, kind);
		break;
	}
	if (tag == NULL) {
		bench_lose(b, bc);
		return;
	}
	f = &bc->ring[(bc->head + bc->inflight) % (size_t)b->depth];
	f->tag = tag;
	f->sent = now;
	bc->inflight++;
}

static enum bench_kind
bench_next_kind(struct bench *b, struct bench_client *bc)
{
	static const enum bench_kind mixed[] = { KIND_PING, KIND_WHOAMI,
		KIND_SYNC };

	switch (b->mode) {
	case MODE_FLOOD:
		return bc == &b->clients[0] ? KIND_SPACES : b->flood;
	case MODE_WHOAMI:
		return KIND_WHOAMI;
	case MODE_SYNC:
		return KIND_SYNC;
	case MODE_MIXED:
		return mixed[bc->turn++ % 3];
	default:
		return KIND_PING;
	}
}

static void
bench_record(struct bench *b, int64_t sent, int64_t now)
{
	uint64_t us;

	if (now < b->window_start || now >= b->window_end)
		return;
	us = now > sent ? (uint64_t)(now - sent) / 1000 : 0;
	hist_add(b->hist, us);
}

/* How the flood was answered, inside the window. */
static void
bench_flood_count(struct bench *b, const struct client_reply *r, int64_t now)
{
	if (now < b->window_start || now >= b->window_end)
		return;
	b->flood_replies++;
	if (r->ok)
		b->flood_other++;
	else if (strcmp(r->code, "not_found") == 0)
		b->flood_not_found++;
	else if (strcmp(r->code, "rate_limited") == 0)
		b->flood_limited++;
	else if (strcmp(r->code, "auth_failed") == 0)
		b->flood_refused++;
	else
		b->flood_other++;
}

/* Reads what bc has, takes its finished replies in order, refills. */
static void
bench_service(struct bench *b, struct bench_client *bc)
{
	struct client_reply *r;
	struct bench_flight *f;
	int64_t now;
	int lost;

	lost = client_pump(bc->c) == -1;
	now = loadgen_now();
	while (bc->inflight > 0) {
		f = &bc->ring[bc->head];
		if ((r = client_take_reply(bc->c, f->tag)) == NULL)
			break;
		if (b->mode == MODE_FLOOD && bc != &b->clients[0])
			bench_flood_count(b, r, now);
		else if (!r->ok) {
			if (b->errors++ < 10)
				fprintf(stderr, "agora-bench: %s\n", r->line);
		} else
			bench_record(b, f->sent, now);
		client_reply_free(r);
		bc->head = (bc->head + 1) % (size_t)b->depth;
		bc->inflight--;
		if (b->issuing && !lost && (bc == &b->clients[0] ||
		    b->mode != MODE_FLOOD || b->flooding))
			bench_issue(b, bc, bench_next_kind(b, bc), now);
	}
	if (lost) {
		bench_lose(b, bc);
		return;
	}
	if (client_flush(bc->c, 0) == -1) {
		bench_lose(b, bc);
		return;
	}
	bench_watch(b, bc);
}

/* Runs the loop until the deadline, or until nothing is in flight. */
static void
bench_loop(struct bench *b, int64_t deadline, int until_quiet)
{
	struct epoll_event evs[BENCH_EPOLL_EVENTS];
	int64_t left;
	int n, timeout;

	for (;;) {
		if (until_quiet) {
			long busy = 0;

			for (long i = 0; i < b->nconnected; i++)
				if (!b->clients[i].dead &&
				    b->clients[i].inflight > 0)
					busy++;
			if (busy == 0)
				return;
		}
		if ((left = deadline - loadgen_now()) <= 0)
			return;
		timeout = left > 100000000 ? 100 : (int)(left / 1000000) + 1;
		n = epoll_wait(b->epfd, evs, BENCH_EPOLL_EVENTS, timeout);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			loadgen_die("epoll_wait: %s", strerror(errno));
		}
		for (int i = 0; i < n; i++) {
			struct bench_client *bc = evs[i].data.ptr;

			if (!bc->dead)
				bench_service(b, bc);
		}
	}
}

/*
 * Connects the clients a batch at a time: each one is connected (TLS
 * handshake and greeting), then the batch is readied together, with a
 * SESSION.RESUME or a PING each, so at most one batch of requests is in
 * flight while the others wait.
 */
static void
bench_connect_all(struct bench *b)
{
	struct epoll_event ev;
	struct bench_client *bc;
	enum bench_kind kind;
	long from;
	int64_t now;

	kind = b->token != NULL ? KIND_RESUME : KIND_PING;
	b->issuing = 0;
	while (b->nconnected < b->nclients) {
		from = b->nconnected;
		while (b->nconnected < b->nclients &&
		    b->nconnected - from < b->batch) {
			bc = &b->clients[b->nconnected];
			if (bc->c == NULL)
				bc->c = bench_connect(b, b->nconnected == 0);
			bc->fd = client_fd(bc->c);
			bc->ring = xcalloc((size_t)b->depth, sizeof *bc->ring);
			memset(&ev, 0, sizeof ev);
			ev.events = EPOLLIN;
			ev.data.ptr = bc;
			if (epoll_ctl(b->epfd, EPOLL_CTL_ADD, bc->fd, &ev) ==
			    -1)
				loadgen_die("epoll_ctl: %s", strerror(errno));
			b->nconnected++;
			b->nalive++;
			if (b->fingerprint == NULL)
				b->fingerprint =
				    xstrdup(client_fingerprint(bc->c));
		}
		now = loadgen_now();
		for (long i = from; i < b->nconnected; i++) {
			bc = &b->clients[i];
			/* The flood comes from logged-out clients. */
			bench_issue(b, bc, b->mode == MODE_FLOOD && i > 0 ?
			    KIND_PING : kind, now);
			if (!bc->dead && client_flush(bc->c, 0) == -1)
				bench_lose(b, bc);
			if (!bc->dead)
				bench_watch(b, bc);
		}
		bench_loop(
		    b, loadgen_now() + (int64_t)BENCH_READY_MS * 1000000, 1);
		for (long i = from; i < b->nconnected; i++)
			if (!b->clients[i].dead && b->clients[i].inflight > 0)
				loadgen_die("client %ld: no answer to %s within "
					  "%d s",
				    i + 1,
				    kind == KIND_RESUME ? "SESSION.RESUME"
							: "PING",
				    BENCH_READY_MS / 1000);
		if (b->errors > 0)
			loadgen_die("%llu client(s) could not be readied",
			    (unsigned long long)b->errors);
	}
}

static void
bench_close_all(struct bench *b)
{
	for (long i = 0; i < b->nclients; i++) {
		client_close(b->clients[i].c);
		free(b->clients[i].ring);
	}
	free(b->clients);
	b->clients = NULL;
}

/*
 * One measured window: the first n clients fill their depth, replies
 * start new requests until the window ends, then what is in flight
 * drains.
 */
static void
bench_window(struct bench *b, long n)
{
	struct bench_client *bc;
	int64_t start;

	b->issuing = 1;
	start = loadgen_now();
	b->window_start = start + (int64_t)b->warmup * 1000000000;
	b->window_end = b->window_start + (int64_t)b->seconds * 1000000000;
	for (long i = 0; i < n; i++) {
		bc = &b->clients[i];
		for (long d = 0; d < b->depth && !bc->dead; d++)
			bench_issue(b, bc, bench_next_kind(b, bc), start);
		if (!bc->dead && client_flush(bc->c, 0) == -1)
			bench_lose(b, bc);
		if (!bc->dead)
			bench_watch(b, bc);
	}
	bench_loop(b, b->window_end, 0);
	b->issuing = 0;
	bench_loop(b, loadgen_now() + (int64_t)BENCH_DRAIN_MS * 1000000, 1);
}

static void
bench_run(struct bench *b, double connect_s)
{
	double window;

	bench_window(b, b->nconnected);
	window = (double)(b->window_end - b->window_start) / 1e9;

	printf("mode=%s clients=%ld depth=%ld seconds=%ld ops=%" PRIu64
	       " ops_per_s=%.0f p50_us=%" PRIu64 " p99_us=%" PRIu64
	       " max_us=%" PRIu64 " errors=%" PRIu64 " connect_s=%.2f\n",
	    bench_mode_names[b->mode], b->nclients, b->depth, b->seconds,
	    hist_count(b->hist), (double)hist_count(b->hist) / window,
	    hist_quantile(b->hist, 0.50), hist_quantile(b->hist, 0.99),
	    hist_max(b->hist), b->errors, connect_s);
}

/* One phase of --mode flood: the window, with or without the flood. */
static void
bench_flood_phase(struct bench *b, int flooding)
{
	hist_free(b->hist);
	b->hist = hist_new();
	b->flooding = flooding;
	bench_window(b, flooding ? b->nconnected : 1);
}

/*
 * Flood: the user alone, then the user under the flood; one line with
 * both, so that the figure carries its own baseline.
 */
static void
bench_flood(struct bench *b, double connect_s)
{
	uint64_t base_p50, base_p99, base_max, base_n;
	double window = (double)b->seconds;

	bench_flood_phase(b, 0);
	base_n = hist_count(b->hist);
	base_p50 = hist_quantile(b->hist, 0.50);
	base_p99 = hist_quantile(b->hist, 0.99);
	base_max = hist_max(b->hist);
	bench_flood_phase(b, 1);
	printf("mode=flood flood=%s clients=%ld seconds=%ld"
	       " alone_ops=%" PRIu64 " alone_p50_us=%" PRIu64
	       " alone_p99_us=%" PRIu64 " alone_max_us=%" PRIu64
	       " flooded_ops=%" PRIu64 " flooded_p50_us=%" PRIu64
	       " flooded_p99_us=%" PRIu64 " flooded_max_us=%" PRIu64
	       " flood_per_s=%.0f not_found=%" PRIu64 " rate_limited=%" PRIu64
	       " auth_failed=%" PRIu64 " other=%" PRIu64 " errors=%" PRIu64
	       " connect_s=%.2f\n",
	    b->flood == KIND_LOGIN ? "login" : "accept", b->nclients - 1,
	    b->seconds, base_n, base_p50, base_p99, base_max,
	    hist_count(b->hist), hist_quantile(b->hist, 0.50),
	    hist_quantile(b->hist, 0.99), hist_max(b->hist),
	    (double)b->flood_replies / window, b->flood_not_found,
	    b->flood_limited, b->flood_refused, b->flood_other, b->errors,
	    connect_s);
}

/*
 * Idle: the clients are connected and have answered a PING; they stay open
 * and silent while the driver looks at the server's memory.
 */
static void
bench_idle(struct bench *b, double connect_s)
{
	printf("ready clients=%ld\n", b->nalive);
	fflush(stdout);
	bench_loop(b, loadgen_now() + (int64_t)b->seconds * 1000000000, 0);
	printf("mode=idle clients=%ld alive=%ld seconds=%ld errors=%" PRIu64
	       " connect_s=%.2f\n",
	    b->nclients, b->nalive, b->seconds, b->errors, connect_s);
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: agora-bench [--host H] [--port P] [--ca FILE] [--email E]\n"
	    "           [--clients N] [--depth D] [--seconds S] [--warmup S]\n"
	    "           [--batch B] [--mode ping|whoami|sync|mixed|idle|flood]\n"
	    "           [--flood accept|login]\n"
	    "The password comes from the file named by "
	    "AGORA_BENCH_PASSWORD_FILE, or stdin.\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "host", required_argument, NULL, 'h' },
		{ "port", required_argument, NULL, 'p' },
		{ "ca", required_argument, NULL, 'C' },
		{ "email", required_argument, NULL, 'e' },
		{ "clients", required_argument, NULL, 'n' },
		{ "depth", required_argument, NULL, 'd' },
		{ "seconds", required_argument, NULL, 's' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "batch", required_argument, NULL, 'b' },
		{ "mode", required_argument, NULL, 'm' },
		{ "flood", required_argument, NULL, 'f' }, { NULL, 0, NULL, 0 }
	};
	struct bench b;
	int64_t t0;
	double connect_s;
	size_t i;
	int ch;

	/* A dropped client must not kill the generator; ignoring SIGPIPE
	 * also spares the client library its per-call signal guard. */
	signal(SIGPIPE, SIG_IGN);
	memset(&b, 0, sizeof b);
	b.mode = MODE_PING;
	b.host = "127.0.0.1";
	b.port = "7443";
	b.nclients = 1;
	b.depth = 1;
	b.seconds = 10;
	b.warmup = 2;
	b.batch = BENCH_BATCH;
	b.flood = KIND_ACCEPT;
	b.rng = (uint64_t)loadgen_now() | 1;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			b.host = optarg;
			break;
		case 'p':
			b.port = optarg;
			break;
		case 'C':
			b.ca_file = optarg;
			break;
		case 'e':
			b.email = optarg;
			break;
		case 'n':
			b.nclients = loadgen_number(
			    optarg, 1, BENCH_CLIENTS_MAX, "--clients");
			break;
		case 'd':
			b.depth =
			    loadgen_number(optarg, 1, BENCH_DEPTH_MAX, "--depth");
			break;
		case 's':
			b.seconds = loadgen_number(optarg, 1, 86400, "--seconds");
			break;
		case 'w':
			b.warmup = loadgen_number(optarg, 0, 3600, "--warmup");
			break;
		case 'b':
			b.batch = loadgen_number(optarg, 1, 10000, "--batch");
			break;
		case 'f':
			if (strcmp(optarg, "accept") == 0)
				b.flood = KIND_ACCEPT;
			else if (strcmp(optarg, "login") == 0)
				b.flood = KIND_LOGIN;
			else
				usage();
			break;
		case 'm':
			for (i = 0; i < sizeof bench_mode_names /
				 sizeof bench_mode_names[0];
			     i++)
				if (strcmp(optarg, bench_mode_names[i]) == 0)
					break;
			if (i ==
			    sizeof bench_mode_names /
				sizeof bench_mode_names[0])
				usage();
			b.mode = (enum bench_mode)i;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if (bench_needs_session(b.mode) && b.email == NULL)
		loadgen_die("--mode %s needs --email", bench_mode_names[b.mode]);
	if (b.ca_file == NULL)
		loadgen_die("--ca FILE is needed to verify the server");

	log_init("agora-bench", 0, LOG_LEVEL_WARN);
	loadgen_raise_nofile(b.nclients);
	if ((b.epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		loadgen_die("epoll_create1: %s", strerror(errno));
	b.clients = xcalloc((size_t)b.nclients, sizeof *b.clients);
	b.hist = hist_new();

	t0 = loadgen_now();
	b.clients[0].c = bench_connect(&b, 1);
	bench_login(&b, b.clients[0].c);
	bench_connect_all(&b);
	connect_s = (double)(loadgen_now() - t0) / 1e9;
	fprintf(stderr, "agora-bench: %ld clients ready in %.2f s\n", b.nalive,
	    connect_s);

	if (b.mode == MODE_IDLE)
		bench_idle(&b, connect_s);
	else if (b.mode == MODE_FLOOD) {
		if (b.nclients < 2)
			loadgen_die("--mode flood needs --clients 2 or more: "
			    "the user and the flood");
		bench_flood(&b, connect_s);
	} else
		bench_run(&b, connect_s);
	fflush(stdout);

	bench_close_all(&b);
	close(b.epfd);
	hist_free(b.hist);
	free(b.fingerprint);
	if (b.token != NULL)
		freezero_str(b.token);
	return b.errors == 0 ? 0 : 1;
}
