#include <stdint.h>
#include <stdlib.h>

#include <openssl/evp.h>

#include "base64.h"
#include "xmalloc.h"

void
base64_encode(const unsigned char *in, size_t len, char *out)
{
	EVP_EncodeBlock((unsigned char *)out, in, (int)len);
}

static int
base64_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '+' || c == '/';
}

unsigned char *
base64_decode(const char *in, size_t len, size_t *outlen)
{
	unsigned char *out;
	size_t pad = 0;
	int n;

	if (len % 4 != 0 || len > INT32_MAX)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		if (in[i] == '=' && i + 2 >= len)
			pad++;
		else if (pad > 0 || !base64_char(in[i]))
			return NULL;
	}
	out = xmalloc(len / 4 * 3 + 1);
	/* EVP_DecodeBlock counts the padding as zero bytes: take it off. */
	if ((n = EVP_DecodeBlock(out, (const unsigned char *)in,
	    (int)len)) < 0 || (size_t)n < pad) {
		free(out);
		return NULL;
	}
	*outlen = (size_t)n - pad;
	return out;
}
