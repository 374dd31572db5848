/*
 * A TCP proxy for tests, in a thread: forwards between one client and a
 * node, and, when armed, drops the connection at the first bytes the
 * server sends after the client has sent something: the reply to a
 * change, which the server sends only after it committed (the bytes are
 * TLS: the proxy cannot tell which request they carry, so the client must
 * be quiet but for the one). The next connection is forwarded
 * as it comes.
 */
#ifndef AGORA_TEST_PROXY_H
#define AGORA_TEST_PROXY_H

#include <pthread.h>

struct proxy {
	int		 listen;
	char		 port[8];
	const char	*to;
	pthread_t	 thread;
	int		 armed;		/* under lock */
	int		 drops;		/* under lock */
	int		 quit;		/* under lock */
	pthread_mutex_t	 lock;
};

void proxy_start(struct proxy *, const char *port);	/* px->port: its */
void proxy_stop(struct proxy *);
/* Fields marked "under lock", read and written. */
int proxy_get(struct proxy *, int *field);
void proxy_set(struct proxy *, int *field, int);

#endif
