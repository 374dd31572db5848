/*
 * Opening a checked connection to the server, for the screen and the
 * subcommands alike: against the CA file when there is one, otherwise
 * against the fingerprint pinned in known_hosts (trust on first use).
 * Asking the user is the caller's business: a question on the terminal
 * for the subcommands, a dialog for the screen.
 */
#ifndef AGORA_CONNECT_H
#define AGORA_CONNECT_H

#include "trust.h"

struct client;

struct server_link {
	struct client	*client;
	enum trust	 trust;		/* TRUST_MATCH when a CA file is used */
	char		*known_hosts;	/* its path, for pinning and messages */
};

/*
 * Connects to server ("host:port") within timeout_ms (0: the library's
 * default) and looks the certificate up. 0 with *link filled, or -1 with
 * *cause (caller frees) when the server cannot be reached, the CA check
 * fails, or known_hosts cannot be read.
 */
int server_open(const char *server, const char *ca_file, int timeout_ms,
    struct server_link *, char **cause);
/* Pins the connected server's fingerprint; 0, or -1 with *cause. */
int server_pin(struct server_link *, const char *server, char **cause);
/* Closes the client and frees the path. */
void server_link_free(struct server_link *);

/*
 * The server a link from an e-mail names: "HOST:PORT" of
 * agora://HOST:PORT/KIND/TOKEN (caller frees), or NULL if text is not
 * such a link.
 */
char *server_from_link(const char *text);

/* The question to ask about an unknown certificate (caller frees). */
char *server_unknown_text(const struct server_link *, const char *server);
/* The loud refusal for a changed certificate (caller frees). */
char *server_changed_text(const struct server_link *, const char *server);

#endif
