/*
 * A growable byte buffer. Data is appended at the end and drained from the
 * front. A buffer may have a limit: appends past it are dropped and the
 * buffer remembers it overflowed, so a caller fed by the network checks once
 * (buf_overflowed) instead of after every append. Storage is allocated on
 * first use and can be released when empty, which keeps idle connections
 * small.
 */
#ifndef AGORA_BUF_H
#define AGORA_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf;

struct buf *buf_new(size_t limit);	/* limit 0: no limit */
void buf_free(struct buf *);
void buf_set_limit(struct buf *, size_t);

void buf_add(struct buf *, const void *, size_t);
void buf_add_str(struct buf *, const char *);
void buf_add_char(struct buf *, char);
void buf_printf(struct buf *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

const char *buf_data(const struct buf *);	/* not NUL-terminated */
size_t buf_len(const struct buf *);
/* NUL-terminated view of the content, valid until the next change. */
const char *buf_cstr(struct buf *);
/* Move the content out as a NUL-terminated string; the buffer is emptied. */
char *buf_take(struct buf *);

void buf_drain(struct buf *, size_t);
void buf_reset(struct buf *);		/* empty, clears the overflow flag */
void buf_release(struct buf *);		/* free storage if empty */
int buf_overflowed(const struct buf *);

#endif
