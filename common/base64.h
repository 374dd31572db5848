/*
 * Base64 (RFC 4648, standard alphabet, padded) for file contents on the
 * wire: the server and the client share these.
 */
#ifndef AGORA_BASE64_H
#define AGORA_BASE64_H

#include <stddef.h>

/* Characters base64_encode writes for len bytes, without the NUL. */
#define BASE64_LEN(len)	(4 * (((len) + 2) / 3))

/* Writes BASE64_LEN(len) characters and a NUL to out. */
void base64_encode(const unsigned char *in, size_t len, char *out);
/*
 * Strict decoding: a length that is a multiple of 4, the alphabet only,
 * padding only at the end. The bytes (caller frees) and *outlen, or NULL.
 */
unsigned char *base64_decode(const char *in, size_t len, size_t *outlen);

#endif
