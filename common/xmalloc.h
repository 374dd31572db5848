/*
 * Allocation helpers that never return NULL: running out of memory is not a
 * condition agora tries to survive, so every caller is spared the check.
 */
#ifndef AGORA_XMALLOC_H
#define AGORA_XMALLOC_H

#include <stdarg.h>
#include <stddef.h>

void *xmalloc(size_t);
void *xcalloc(size_t, size_t);
void *xreallocarray(void *, size_t, size_t);
char *xstrdup(const char *);
char *xstrndup(const char *, size_t);
int xasprintf(char **, const char *, ...) __attribute__((format(printf, 2, 3)));
int xvasprintf(char **, const char *, va_list) __attribute__((format(printf, 2, 0)));
/* Wipes the memory before freeing it: for passwords and tokens. */
void freezero(void *, size_t);
void freezero_str(char *);

#endif
