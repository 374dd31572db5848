/*
 * A thin epoll loop (after redis ae.c): file descriptors, a few timers, and
 * a before-sleep hook where queued output is flushed. Single-threaded: only
 * the loop thread calls these functions.
 */
#ifndef AGORA_EV_H
#define AGORA_EV_H

#include <stdint.h>

#define EV_READ		0x1
#define EV_WRITE	0x2

struct ev_io;
typedef void ev_io_cb(struct ev_io *, int events);

/* Embedded in its owner, so registering an fd allocates nothing. */
struct ev_io {
	int		 fd;
	int		 events;	/* currently registered */
	ev_io_cb	*cb;
};

struct ev_timer;
typedef void ev_timer_cb(void *);

void ev_init(void);
void ev_free(void);
void ev_io_set(struct ev_io *, int fd, ev_io_cb *);
/* Registers, changes or (events 0) removes interest in the fd. */
void ev_io_want(struct ev_io *, int events);
void ev_io_del(struct ev_io *);

struct ev_timer *ev_timer_add(int64_t ms, int periodic, ev_timer_cb *, void *);
void ev_timer_del(struct ev_timer *);

void ev_before_sleep(void (*)(void));
/* Runs until ev_stop. The before-sleep hook returning work makes the loop
 * poll without sleeping: see ev_wake_soon. */
void ev_run(void);
void ev_stop(void);
/* The next turn must not sleep (work was deferred for fairness). */
void ev_wake_soon(void);
int64_t ev_now_ms(void);	/* monotonic */

#endif
