#include <stdio.h>
#include <string.h>

#include "link.h"
#include "xmalloc.h"

char *
link_format(const char *base, const char *kind, const char *token)
{
	char *s;

	xasprintf(&s, "agora://%s/%s/%s", base, kind, token);
	return s;
}

int
link_token(const char *text, const char *kind, char token[TOKEN_HEX_LEN + 1])
{
	const char *t = text, *slash;
	char digest[TOKEN_DIGEST_LEN + 1];

	if (strncmp(text, "agora://", 8) == 0) {
		/* agora://HOST:PORT/KIND/TOKEN: the host part is the
		   client's business; the kind must match. */
		if ((slash = strchr(text + 8, '/')) == NULL ||
		    strncmp(slash + 1, kind, strlen(kind)) != 0 ||
		    slash[1 + strlen(kind)] != '/')
			return -1;
		t = slash + 2 + strlen(kind);
	}
	if (token_digest(t, digest) != 0)
		return -1;
	snprintf(token, TOKEN_HEX_LEN + 1, "%s", t);
	return 0;
}
