#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "config.h"
#include "throttle.h"

/*
 * Addresses are kept in a small open-addressed table: a bucket is looked
 * for among PROBE slots from the address's hash, and when all are taken
 * by others the one idle longest is given to the newcomer. An attacker
 * with enough addresses to push a bucket out could as well use the fresh
 * buckets of those addresses; the global bucket bounds them all.
 */
#define SLOTS	4096
#define PROBE	8

struct bucket {
	char	 address[64];	/* "" : free */
	double	 tokens;
	int64_t	 at;		/* ms of the last refill */
};

static struct bucket	 slots[SLOTS];
static struct bucket	 global;
static double		 rate = 10, burst = 50;	/* per address */
static double		 global_rate = 500, global_burst = 2500;

void
throttle_configure(const struct config *cf)
{
	rate = (double)cf->guest_rate;
	burst = (double)cf->guest_burst;
	global_rate = (double)cf->guest_global_rate;
	global_burst = global_rate * 5;
}

static uint32_t
hash(const char *s)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static struct bucket *
bucket_find(const char *address, int64_t now)
{
	uint32_t h = hash(address);
	struct bucket *oldest = NULL;

	for (int i = 0; i < PROBE; i++) {
		struct bucket *b = &slots[(h + (uint32_t)i) % SLOTS];

		if (strcmp(b->address, address) == 0)
			return b;
		if (oldest == NULL || b->at < oldest->at)
			oldest = b;
	}
	snprintf(oldest->address, sizeof oldest->address, "%s", address);
	oldest->tokens = burst;
	oldest->at = now;
	return oldest;
}

static void
refill(struct bucket *b, double r, double cap, int64_t now)
{
	if (now > b->at)
		b->tokens += (double)(now - b->at) * r / 1000.0;
	if (b->tokens > cap)
		b->tokens = cap;
	b->at = now;
}

int
throttle_allow(const char *address)
{
	int64_t now = clock_ms();
	struct bucket *b = bucket_find(address, now);

	refill(b, rate, burst, now);
	refill(&global, global_rate, global_burst, now);
	if (b->tokens < 1 || global.tokens < 1)
		return 0;
	b->tokens -= 1;
	global.tokens -= 1;
	return 1;
}
