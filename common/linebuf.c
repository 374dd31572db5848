#include <stdlib.h>
#include <string.h>

#include "linebuf.h"
#include "log.h"
#include "xmalloc.h"

#define LINEBUF_INITIAL	1024

/*
 * Bytes not yet taken are data[start .. end). Taking a line only moves start;
 * linebuf_space moves what is left (at most one partial line when the caller
 * takes every line before reading more) to the front. So every byte is
 * copied at most once, and the storage never needs more than the longest
 * acceptable line with its CR LF: max_line + 2 bytes (linebuf_cap).
 *
 * A partial line that reaches that size without an LF is over the limit
 * whatever comes next. Its first bytes are saved in prefix, its bytes are
 * dropped and the buffer enters discard mode, in which committed bytes are
 * thrown away up to and including the next LF. While discarding nothing is
 * kept, so the buffer does not grow.
 */
struct linebuf {
	char	*data;
	size_t	 size;
	size_t	 start;
	size_t	 end;
	size_t	 scanned;	/* [start, scanned) holds no LF */
	size_t	 max_line;
	int	 discarding;
	int	 toolong;	/* prefix holds an overlong line to report */
	size_t	 prefixlen;
	char	 prefix[LINEBUF_TOOLONG_PREFIX + 1];
};

static size_t
linebuf_cap(const struct linebuf *lb)
{
	return lb->max_line + 2;
}

struct linebuf *
linebuf_new(size_t max_line)
{
	struct linebuf	*lb;

	lb = xcalloc(1, sizeof *lb);
	linebuf_set_max(lb, max_line);
	return lb;
}

void
linebuf_free(struct linebuf *lb)
{
	if (lb == NULL)
		return;
	free(lb->data);
	free(lb);
}

void
linebuf_set_max(struct linebuf *lb, size_t max_line)
{
	if (max_line > ((size_t)-1) / 2)
		fatalx("linebuf: line limit %zu too large", max_line);
	lb->max_line = max_line;
}

static void
linebuf_empty(struct linebuf *lb)
{
	lb->start = lb->end = lb->scanned = 0;
}

/*
 * The partial line in data[start .. end) is over the limit: keep its first
 * bytes for linebuf_next to report and drop the rest up to the next LF.
 */
static void
linebuf_drop_long(struct linebuf *lb)
{
	size_t	 n;

	n = lb->end - lb->start;
	if (n > LINEBUF_TOOLONG_PREFIX)
		n = LINEBUF_TOOLONG_PREFIX;
	memcpy(lb->prefix, lb->data + lb->start, n);
	lb->prefix[n] = '\0';
	lb->prefixlen = n;
	lb->toolong = 1;
	lb->discarding = 1;
	linebuf_empty(lb);
}

char *
linebuf_space(struct linebuf *lb, size_t *avail)
{
	size_t	 cap, newsize, pending;

	cap = linebuf_cap(lb);
	if (lb->data == NULL) {
		lb->size = cap < LINEBUF_INITIAL ? cap : LINEBUF_INITIAL;
		lb->data = xmalloc(lb->size);
		linebuf_empty(lb);
	}

	if (lb->discarding) {
		/* Nothing is kept while discarding: offer the whole buffer. */
		linebuf_empty(lb);
		*avail = lb->size;
		return lb->data;
	}

	if (lb->start != 0) {
		pending = lb->end - lb->start;
		memmove(lb->data, lb->data + lb->start, pending);
		lb->scanned -= lb->start;
		lb->start = 0;
		lb->end = pending;
	}

	if (lb->end == lb->size) {
		if (lb->size < cap) {
			newsize = lb->size * 2;
			if (newsize > cap)
				newsize = cap;
		} else if (memchr(lb->data + lb->scanned, '\n',
		    lb->end - lb->scanned) == NULL) {
			/*
			 * Full at the limit with no LF: the caller committed
			 * again without taking lines, and this partial line is
			 * over the limit. Drop it now rather than grow.
			 */
			linebuf_drop_long(lb);
			*avail = lb->size;
			return lb->data;
		} else {
			/*
			 * Full of complete lines the caller has not taken.
			 * Growing is the only way to honour "at least one
			 * byte"; the caller, not the peer, controls how much,
			 * by not calling linebuf_next before reading more.
			 */
			newsize = lb->size * 2;
		}
		lb->data = xreallocarray(lb->data, 1, newsize);
		lb->size = newsize;
	}

	*avail = lb->size - lb->end;
	return lb->data + lb->end;
}

void
linebuf_commit(struct linebuf *lb, size_t n)
{
	char	*lf;

	if (n == 0)
		return;
	if (lb->data == NULL || n > lb->size - lb->end)
		fatalx("linebuf_commit: %zu bytes, more than offered", n);

	if (!lb->discarding) {
		lb->end += n;
		return;
	}

	/* start == end == 0 here: see linebuf_space. */
	lf = memchr(lb->data + lb->end, '\n', n);
	if (lf == NULL)
		return;
	lb->discarding = 0;
	lb->start = lb->scanned = (size_t)(lf - lb->data) + 1;
	lb->end += n;
	if (lb->start == lb->end)
		linebuf_empty(lb);
}

void
linebuf_feed(struct linebuf *lb, const char *data, size_t len)
{
	char	*p;
	size_t	 avail;

	while (len > 0) {
		p = linebuf_space(lb, &avail);
		if (avail > len)
			avail = len;
		memcpy(p, data, avail);
		linebuf_commit(lb, avail);
		data += avail;
		len -= avail;
	}
}

enum linebuf_result
linebuf_next(struct linebuf *lb, char **line, size_t *len)
{
	char	*s, *lf;
	size_t	 n;

	if (lb->toolong) {
		lb->toolong = 0;
		*line = lb->prefix;
		*len = lb->prefixlen;
		return LINEBUF_TOOLONG;
	}
	if (lb->start == lb->end)
		return LINEBUF_NONE;

	lf = memchr(lb->data + lb->scanned, '\n', lb->end - lb->scanned);
	if (lf == NULL) {
		lb->scanned = lb->end;
		/*
		 * Without its LF this line is already more than max_line
		 * + CR: it cannot be acceptable whatever follows.
		 */
		if (lb->end - lb->start <= lb->max_line + 1)
			return LINEBUF_NONE;
		linebuf_drop_long(lb);
		lb->toolong = 0;
		*line = lb->prefix;
		*len = lb->prefixlen;
		return LINEBUF_TOOLONG;
	}

	s = lb->data + lb->start;
	n = (size_t)(lf - s);
	if (n > 0 && s[n - 1] == '\r')
		n--;
	lb->start = lb->scanned = (size_t)(lf - lb->data) + 1;
	if (lb->start == lb->end)
		linebuf_empty(lb);	/* the bytes stay until the next call */

	if (n > lb->max_line) {
		/* Complete but too long: report it, it is already dropped. */
		if (n > LINEBUF_TOOLONG_PREFIX)
			n = LINEBUF_TOOLONG_PREFIX;
		s[n] = '\0';
		*line = s;
		*len = n;
		return LINEBUF_TOOLONG;
	}
	s[n] = '\0';
	*line = s;
	*len = n;
	return LINEBUF_LINE;
}

size_t
linebuf_pending(const struct linebuf *lb)
{
	return lb->end - lb->start;
}

void
linebuf_release(struct linebuf *lb)
{
	if (lb->start != lb->end)
		return;
	free(lb->data);
	lb->data = NULL;
	lb->size = 0;
	linebuf_empty(lb);
}
