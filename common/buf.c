#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "log.h"
#include "xmalloc.h"

#define BUF_INITIAL	256

/*
 * The content is data[off .. off + len). Draining only moves off forward;
 * the drained prefix is reclaimed when an append needs the room (see
 * buf_make_room). Storage is NULL until the first append and again after
 * buf_release.
 *
 * With a limit, len never exceeds it and the allocation never exceeds
 * limit + 1 (the extra byte is for the NUL of buf_cstr and buf_take).
 */
struct buf {
	char	*data;
	size_t	 off;
	size_t	 len;
	size_t	 size;
	size_t	 limit;
	int	 overflow;
};

struct buf *
buf_new(size_t limit)
{
	struct buf	*b;

	b = xcalloc(1, sizeof *b);
	b->limit = limit;
	return b;
}

void
buf_free(struct buf *b)
{
	if (b == NULL)
		return;
	free(b->data);
	free(b);
}

void
buf_set_limit(struct buf *b, size_t limit)
{
	b->limit = limit;
}

/*
 * Whether n more bytes may be appended. Once the buffer has overflowed,
 * nothing more is accepted until buf_reset: otherwise a later, smaller
 * append could land after a dropped one and the content would silently
 * miss a piece in the middle (half a protocol line, say).
 */
static int
buf_accept(struct buf *b, size_t n)
{
	if (b->overflow)
		return 0;
	if (b->limit != 0) {
		if (b->len > b->limit || n > b->limit - b->len) {
			b->overflow = 1;
			return 0;
		}
	} else if (n > SIZE_MAX - 1 - b->len)
		fatalx("buf: %zu + %zu bytes overflows", b->len, n);
	return 1;
}

/*
 * Makes room for n more bytes after the content (the caller has checked
 * len + n against the limit, so len + n + 1 cannot overflow).
 *
 * Moving the content to the front costs len bytes. It is done only when the
 * drained prefix is at least as large as the content, when the buffer is
 * about to be reallocated anyway, or when growing in place would pass the
 * limit: the first case charges the copy to bytes already drained, the
 * second to the geometric growth, so buf_add and buf_drain stay O(1)
 * amortised. (The third only happens near the limit.)
 */
static void
buf_make_room(struct buf *b, size_t n)
{
	size_t	 want, cap, newsize;

	if (b->size - b->off - b->len >= n)
		return;

	want = b->len + n;
	cap = b->limit != 0 ? b->limit + 1 : SIZE_MAX;
	if (b->off != 0 &&
	    (b->off >= b->len || want > b->size || b->off + want > cap)) {
		memmove(b->data, b->data + b->off, b->len);
		b->off = 0;
		if (b->size - b->len >= n)
			return;
	}

	newsize = b->size != 0 ? b->size : BUF_INITIAL;
	while (newsize < b->off + want) {
		if (newsize > SIZE_MAX / 2) {
			newsize = b->off + want;
			break;
		}
		newsize *= 2;
	}
	if (newsize > cap)
		newsize = cap;	/* off + want <= cap, see above */
	b->data = xreallocarray(b->data, 1, newsize);
	b->size = newsize;
}

void
buf_add(struct buf *b, const void *data, size_t n)
{
	if (n == 0 || !buf_accept(b, n))
		return;
	buf_make_room(b, n);
	memcpy(b->data + b->off + b->len, data, n);
	b->len += n;
}

void
buf_add_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_add_char(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatalx("buf_printf: bad format");
	if (n == 0 || !buf_accept(b, (size_t)n))
		return;

	/* One more byte for the NUL vsnprintf writes; it is not content. */
	buf_make_room(b, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(b->data + b->off + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

const char *
buf_data(const struct buf *b)
{
	if (b->data == NULL)
		return "";
	return b->data + b->off;
}

size_t
buf_len(const struct buf *b)
{
	return b->len;
}

const char *
buf_cstr(struct buf *b)
{
	if (b->len == 0)
		return "";
	/* With a limit, len <= limit and the allocation may reach limit + 1. */
	buf_make_room(b, 1);
	b->data[b->off + b->len] = '\0';
	return b->data + b->off;
}

char *
buf_take(struct buf *b)
{
	char	*s;

	if (b->len == 0) {
		buf_release(b);
		return xstrdup("");
	}
	if (b->off != 0) {
		memmove(b->data, b->data + b->off, b->len);
		b->off = 0;
	}
	buf_make_room(b, 1);
	b->data[b->len] = '\0';
	s = b->data;
	b->data = NULL;
	b->off = b->len = b->size = 0;
	return s;
}

void
buf_drain(struct buf *b, size_t n)
{
	if (n > b->len)
		fatalx("buf_drain: %zu bytes, only %zu buffered", n, b->len);
	b->len -= n;
	if (b->len == 0)
		b->off = 0;
	else
		b->off += n;
}

void
buf_reset(struct buf *b)
{
	b->off = b->len = 0;
	b->overflow = 0;
}

void
buf_release(struct buf *b)
{
	if (b->len != 0)
		return;
	free(b->data);
	b->data = NULL;
	b->off = b->size = 0;
}

int
buf_overflowed(const struct buf *b)
{
	return b->overflow;
}
