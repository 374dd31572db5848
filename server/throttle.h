/*
 * Throttling the verbs anyone may call (CMD_GUEST: LOGIN, ACCEPT, the
 * login links, access requests): a token bucket per client address and
 * one for everyone together, in the loop thread's memory, checked before
 * a request costs a database round trip or a password hash. A flood from
 * one address, or from many, is answered rate_limited at once; what is
 * counted in the database (failed logins, mail sent: limit.h) is about
 * accounts and mailboxes, across nodes.
 */
#ifndef AGORA_THROTTLE_H
#define AGORA_THROTTLE_H

struct config;

/* Rates from the configuration (at start and on SIGHUP). */
void throttle_configure(const struct config *);
/* 1: the request may go on (a token was taken), 0: refuse it. */
int throttle_allow(const char *address);

#endif
