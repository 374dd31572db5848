#ifndef AGORA_UTF8_H
#define AGORA_UTF8_H

#include <stddef.h>

/*
 * Strict UTF-8 validation (RFC 3629): no overlong forms, no surrogates,
 * nothing above U+10FFFF. Returns 1 if valid, 0 otherwise; *bad, if not
 * NULL, gets the offset of the first invalid byte.
 */
int utf8_valid(const char *, size_t, size_t *bad);

#endif
