/*
 * Trust on first use, like ssh's known_hosts: the SHA-256 fingerprint of
 * each server's certificate, pinned the first time the user accepts it.
 * File: $XDG_CONFIG_HOME/agora/known_hosts, one "host:port FINGERPRINT"
 * per line, "#" comments.
 */
#ifndef AGORA_TRUST_H
#define AGORA_TRUST_H

enum trust {
	TRUST_UNKNOWN,		/* never seen: ask the user */
	TRUST_MATCH,		/* pinned, and this is it */
	TRUST_CHANGED		/* pinned, and this is NOT it: refuse */
};

/*
 * Looks server (host:port) up. -1 with *cause if the file cannot be read
 * or is malformed (a damaged pin must not read as "unknown").
 */
int trust_check(const char *path, const char *server, const char *fingerprint,
    enum trust *, char **cause);
/* Adds the pin (creating the file 0600 and its directory 0700). */
int trust_pin(const char *path, const char *server, const char *fingerprint,
    char **cause);

#endif
