/*
 * The links agorad sends people: agora://HOST:PORT/KIND/TOKEN, where
 * HOST:PORT is where clients reach this server and TOKEN a single-use
 * token (token.h) of which the database keeps only the SHA-256. The
 * client takes a link as it is (agora accept LINK) and the server takes
 * the token back from it.
 */
#ifndef AGORA_LINK_H
#define AGORA_LINK_H

#include "token.h"

#define LINK_INVITE	"invite"	/* join a space */
#define LINK_LOGIN	"login"		/* a one-time login */
#define LINK_SPACE	"space"		/* a space's shareable access link */
#define LINK_ACTIVATE	"activate"	/* access granted: come in */

/* The link (caller frees). base: "HOST:PORT". */
char *link_format(const char *base, const char *kind, const char *token);
/*
 * The token of a link of this kind, or of a bare token; 0, or -1 if text
 * is neither.
 */
int link_token(const char *text, const char *kind,
    char token[TOKEN_HEX_LEN + 1]);

#endif
