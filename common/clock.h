#ifndef AGORA_CLOCK_H
#define AGORA_CLOCK_H

#include <stdint.h>

/* Milliseconds on the monotonic clock: for timeouts and durations. */
int64_t clock_ms(void);

#endif
