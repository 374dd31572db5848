#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "ev.h"
#include "log.h"
#include "xmalloc.h"

#define EV_MAX_EVENTS 256

struct ev_timer {
	int64_t		 due;
	int64_t		 period;
	ev_timer_cb	*cb;
	void		*arg;
	int		 dead;
	struct ev_timer	*next;
};

static int ev_fd = -1;
static int ev_stopping;
static int ev_soon;
static struct ev_timer *ev_timers;
static void (*ev_hook)(void);

int64_t
ev_now_ms(void)
{
	return clock_ms();
}

void
ev_init(void)
{
	if ((ev_fd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		fatal("epoll_create1");
	ev_stopping = 0;
}

static void
ev_timers_reap(void)
{
	struct ev_timer **tp = &ev_timers, *t;

	while ((t = *tp) != NULL) {
		if (t->dead) {
			*tp = t->next;
			free(t);
		} else
			tp = &t->next;
	}
}

void
ev_free(void)
{
	for (struct ev_timer *t = ev_timers; t != NULL; t = t->next)
		t->dead = 1;
	ev_timers_reap();
	if (ev_fd != -1)
		close(ev_fd);
	ev_fd = -1;
}

void
ev_io_set(struct ev_io *io, int fd, ev_io_cb *cb)
{
	io->fd = fd;
	io->events = 0;
	io->cb = cb;
}

void
ev_io_want(struct ev_io *io, int events)
{
	struct epoll_event ee;
	int op;

	if (events == io->events)
		return;
	memset(&ee, 0, sizeof ee);
	ee.events = ((events & EV_READ) ? EPOLLIN : 0) |
	    ((events & EV_WRITE) ? EPOLLOUT : 0);
	ee.data.ptr = io;
	if (io->events == 0)
		op = EPOLL_CTL_ADD;
	else if (events == 0)
		op = EPOLL_CTL_DEL;
	else
		op = EPOLL_CTL_MOD;
	if (epoll_ctl(ev_fd, op, io->fd, &ee) == -1)
		fatal("epoll_ctl fd %d", io->fd);
	io->events = events;
}

void
ev_io_del(struct ev_io *io)
{
	ev_io_want(io, 0);
}

struct ev_timer *
ev_timer_add(int64_t ms, int periodic, ev_timer_cb *cb, void *arg)
{
	struct ev_timer *t = xcalloc(1, sizeof *t);

	t->due = ev_now_ms() + ms;
	t->period = periodic ? ms : 0;
	t->cb = cb;
	t->arg = arg;
	t->next = ev_timers;
	ev_timers = t;
	return t;
}

/* Deferred: a timer may delete itself (or another) from its callback. */
void
ev_timer_del(struct ev_timer *t)
{
	if (t != NULL)
		t->dead = 1;
}

void
ev_before_sleep(void (*hook)(void))
{
	ev_hook = hook;
}

void
ev_stop(void)
{
	ev_stopping = 1;
}

void
ev_wake_soon(void)
{
	ev_soon = 1;
}

static int
ev_timeout(void)
{
	int64_t now = ev_now_ms(), next = -1;

	if (ev_soon)
		return 0;
	for (struct ev_timer *t = ev_timers; t != NULL; t = t->next) {
		if (t->dead)
			continue;
		if (next == -1 || t->due < next)
			next = t->due;
	}
	if (next == -1)
		return -1;
	return next <= now ? 0 : (int)(next - now);
}

static void
ev_run_timers(void)
{
	int64_t now = ev_now_ms();

	for (struct ev_timer *t = ev_timers; t != NULL; t = t->next) {
		if (t->dead || t->due > now)
			continue;
		if (t->period > 0)
			t->due = now + t->period;
		else
			t->dead = 1;
		t->cb(t->arg);
	}
	ev_timers_reap();
}

void
ev_run(void)
{
	struct epoll_event events[EV_MAX_EVENTS];
	int n;

	while (!ev_stopping) {
		if (ev_hook != NULL)
			ev_hook();
		if (ev_stopping)
			break;
		n = epoll_wait(ev_fd, events, EV_MAX_EVENTS, ev_timeout());
		ev_soon = 0;
		if (n == -1) {
			if (errno == EINTR)
				continue;
			fatal("epoll_wait");
		}
		for (int i = 0; i < n; i++) {
			struct ev_io *io = events[i].data.ptr;
			int what = 0;

			if (events[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP))
				what |= EV_READ;
			if (events[i].events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
				what |= EV_WRITE;
			io->cb(io, what);
		}
		ev_run_timers();
	}
}
