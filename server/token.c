#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "hex.h"
#include "token.h"

static const char digits[] = "0123456789abcdef";

int
token_new(char token[TOKEN_HEX_LEN + 1])
{
	unsigned char raw[TOKEN_HEX_LEN / 2];

	if (RAND_bytes(raw, sizeof raw) != 1)
		return -1;
	hex_encode(raw, sizeof raw, token);
	return 0;
}

int
token_digest(const char *token, char digest[TOKEN_DIGEST_LEN + 1])
{
	unsigned char md[32];
	unsigned int mdlen = sizeof md;

	if (strlen(token) != TOKEN_HEX_LEN ||
	    strspn(token, digits) != TOKEN_HEX_LEN)
		return -1;
	if (EVP_Digest(token, TOKEN_HEX_LEN, md, &mdlen, EVP_sha256(),
	    NULL) != 1)
		return -1;
	digest[0] = '\\';
	digest[1] = 'x';
	hex_encode(md, sizeof md, digest + 2);
	return 0;
}
