/*
 * What the load generators (agora-bench, agora-fanout) share, so that they
 * measure the same way: the clock (CLOCK_MONOTONIC, nanoseconds), the
 * latency histogram, and their small chores (dying with a message, checked
 * numbers, the descriptor limit).
 *
 * The histogram counts microseconds, exact below 1,024 us, then 512
 * buckets per doubling (under 0.2 % error) up to 2^41 us. Its size is
 * fixed, so recording a sample never allocates.
 */
#ifndef AGORA_BENCH_LOADGEN_H
#define AGORA_BENCH_LOADGEN_H

#include <stdint.h>

struct hist;

struct hist *hist_new(void);
void hist_free(struct hist *);
void hist_add(struct hist *, uint64_t us);
uint64_t hist_count(const struct hist *);
uint64_t hist_max(const struct hist *);
/* The latency below which a fraction q of the samples fall; 0 if none. */
uint64_t hist_quantile(const struct hist *, double q);

/* Nanoseconds on the monotonic clock. */
int64_t loadgen_now(void);
/* "PROGRAM: message" on stderr, then exit(1). */
void loadgen_die(const char *, ...)
    __attribute__((noreturn, format(printf, 1, 2)));
/* s as a whole number from min to max, or die naming what. */
long loadgen_number(const char *s, long min, long max, const char *what);
/* Raises the descriptor limit to the hard limit; dies if n connections
 * (and a few more descriptors) still do not fit. */
void loadgen_raise_nofile(long n);

#endif
