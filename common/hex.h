#ifndef AGORA_HEX_H
#define AGORA_HEX_H

#include <stddef.h>

/* Lower-case hex; out has room for 2 * len + 1 bytes. */
void hex_encode(const unsigned char *in, size_t len, char *out);
/* The value of one hex digit (either case), or -1. */
int hex_value(int ch);
/* Exactly 2 * outlen hex digits (either case); 0, or -1 if malformed. */
int hex_decode(const char *in, size_t inlen, unsigned char *out,
    size_t outlen);

#endif
