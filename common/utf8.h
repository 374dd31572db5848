#ifndef AGORA_UTF8_H
#define AGORA_UTF8_H

#include <stddef.h>
#include <stdint.h>

/*
 * Strict UTF-8 validation (RFC 3629): no overlong forms, no surrogates,
 * nothing above U+10FFFF. Returns 1 if valid, 0 otherwise; *bad, if not
 * NULL, gets the offset of the first invalid byte.
 */
int utf8_valid(const char *, size_t, size_t *bad);

/*
 * Decodes one well-formed sequence at s (by the same rules): returns its
 * length (1 to 4) with the code point in *cp, or 0 if s does not start
 * with one (or len is 0).
 */
size_t utf8_decode(const char *s, size_t len, uint32_t *cp);

#endif
