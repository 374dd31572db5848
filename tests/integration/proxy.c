/* The test proxy: see proxy.h. */
#include <sys/socket.h>

#include <netinet/in.h>

#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "harness.h"
#include "proxy.h"

int
proxy_get(struct proxy *p, int *field)
{
	int v;

	pthread_mutex_lock(&p->lock);
	v = *field;
	pthread_mutex_unlock(&p->lock);
	return v;
}

void
proxy_set(struct proxy *p, int *field, int v)
{
	pthread_mutex_lock(&p->lock);
	*field = v;
	pthread_mutex_unlock(&p->lock);
}

/* Forwards one connection until either side closes or it is dropped. */
static void
proxy_forward(struct proxy *px, int cfd, int sfd)
{
	char b[16384];
	int sent_after_arm = 0;

	for (;;) {
		struct pollfd pfd[2] = { { cfd, POLLIN, 0 }, { sfd, POLLIN, 0 } };
		ssize_t n;

		if (proxy_get(px, &px->quit))
			return;
		if (poll(pfd, 2, 100) <= 0)
			continue;
		if (pfd[0].revents != 0) {
			if ((n = read(cfd, b, sizeof b)) <= 0 ||
			    write(sfd, b, (size_t)n) != n)
				return;
			if (proxy_get(px, &px->armed))
				sent_after_arm = 1;
		}
		if (pfd[1].revents != 0) {
			if ((n = read(sfd, b, sizeof b)) <= 0)
				return;
			if (sent_after_arm) {
				pthread_mutex_lock(&px->lock);
				px->armed = 0;
				px->drops++;
				pthread_mutex_unlock(&px->lock);
				return;
			}
			if (write(cfd, b, (size_t)n) != n)
				return;
		}
	}
}

static void *
proxy_main(void *arg)
{
	struct proxy *px = arg;

	while (!proxy_get(px, &px->quit)) {
		struct pollfd pfd = { px->listen, POLLIN, 0 };
		int cfd, sfd;

		if (poll(&pfd, 1, 100) <= 0)
			continue;
		if ((cfd = accept(px->listen, NULL, NULL)) == -1)
			continue;
		if ((sfd = tcp_connect(px->to)) != -1) {
			proxy_forward(px, cfd, sfd);
			close(sfd);
		}
		close(cfd);
	}
	return NULL;
}

void
proxy_start(struct proxy *px, const char *to)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof sin;

	memset(px, 0, sizeof *px);
	pthread_mutex_init(&px->lock, NULL);
	px->to = to;
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_ne(px->listen = socket(AF_INET, SOCK_STREAM, 0), -1);
	ck_assert_int_eq(bind(px->listen, (struct sockaddr *)&sin,
	    sizeof sin), 0);
	ck_assert_int_eq(listen(px->listen, 4), 0);
	ck_assert_int_eq(getsockname(px->listen, (struct sockaddr *)&sin,
	    &len), 0);
	snprintf(px->port, sizeof px->port, "%u", ntohs(sin.sin_port));
	ck_assert_int_eq(pthread_create(&px->thread, NULL, proxy_main, px), 0);
}

void
proxy_stop(struct proxy *px)
{
	proxy_set(px, &px->quit, 1);
	pthread_join(px->thread, NULL);
	close(px->listen);
	pthread_mutex_destroy(&px->lock);
}

