#include <sys/resource.h>

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "loadgen.h"
#include "xmalloc.h"

#define HIST_LINEAR  1024
#define HIST_SUB     512
#define HIST_OCTAVES 32
#define HIST_BUCKETS (HIST_LINEAR + HIST_OCTAVES * HIST_SUB)

struct hist {
	uint64_t n;
	uint64_t max;
	uint64_t bucket[HIST_BUCKETS];
};

struct hist *
hist_new(void)
{
	return xcalloc(1, sizeof(struct hist));
}

void
hist_free(struct hist *h)
{
	free(h);
}

static size_t
hist_index(uint64_t us)
{
	unsigned int msb, octave;

	if (us < HIST_LINEAR)
		return (size_t)us;
	msb = 63 - (unsigned int)__builtin_clzll(us); /* >= 10 */
	octave = msb - 10;
	if (octave >= HIST_OCTAVES)
		return HIST_BUCKETS - 1;
	return HIST_LINEAR + (size_t)octave * HIST_SUB +
	    (size_t)((us >> (msb - 9)) - HIST_SUB);
}

/* The lower bound of bucket i. */
static uint64_t
hist_value(size_t i)
{
	size_t octave, sub;

	if (i < HIST_LINEAR)
		return i;
	octave = (i - HIST_LINEAR) / HIST_SUB;
	sub = (i - HIST_LINEAR) % HIST_SUB;
	return (uint64_t)(HIST_SUB + sub) << (octave + 1);
}

void
hist_add(struct hist *h, uint64_t us)
{
	h->bucket[hist_index(us)]++;
	if (us > h->max)
		h->max = us;
	h->n++;
}

uint64_t
hist_count(const struct hist *h)
{
	return h->n;
}

uint64_t
hist_max(const struct hist *h)
{
	return h->max;
}

uint64_t
hist_quantile(const struct hist *h, double q)
{
	uint64_t want, seen = 0;

	if (h->n == 0)
		return 0;
	want = (uint64_t)(q * (double)h->n);
	if (want >= h->n)
		want = h->n - 1;
	for (size_t i = 0; i < HIST_BUCKETS; i++) {
		seen += h->bucket[i];
		if (seen > want)
			return hist_value(i);
	}
	return h->max;
}

int64_t
loadgen_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void
loadgen_die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", program_invocation_short_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

long
loadgen_number(const char *s, long min, long max, const char *what)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || n < min || n > max)
		loadgen_die(
		    "%s must be a number from %ld to %ld", what, min, max);
	return n;
}

void
loadgen_raise_nofile(long n)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		loadgen_die("getrlimit: %s", strerror(errno));
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			loadgen_die("setrlimit: %s", strerror(errno));
	}
	if (rl.rlim_cur < (rlim_t)n + 32)
		loadgen_die("%ld connections need %ld descriptors; the limit "
			    "is %llu",
		    n, n + 32, (unsigned long long)rl.rlim_cur);
}
