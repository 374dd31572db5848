/*
 * Line framing for the protocol: bytes in, LF-terminated lines out, with a
 * hard limit on line length. Memory use never exceeds the limit plus a small
 * constant, whatever the peer sends.
 *
 * A line longer than the limit is reported once (LINEBUF_TOOLONG, with its
 * first bytes so the caller can still find the tag) and its remaining bytes
 * are discarded up to and including the next LF; the lines after it are
 * framed normally, so the connection stays usable.
 */
#ifndef AGORA_LINEBUF_H
#define AGORA_LINEBUF_H

#include <stddef.h>

struct linebuf;

enum linebuf_result {
	LINEBUF_NONE,		/* no complete line buffered */
	LINEBUF_LINE,		/* a line */
	LINEBUF_TOOLONG		/* a line over the limit was dropped */
};

/* The prefix handed back with LINEBUF_TOOLONG is at most this long. */
#define LINEBUF_TOOLONG_PREFIX 64

struct linebuf *linebuf_new(size_t max_line);
void linebuf_free(struct linebuf *);
void linebuf_set_max(struct linebuf *, size_t max_line);

/*
 * Where to read the next bytes to: returns a pointer to *avail writable bytes
 * (always at least 1). After writing n bytes there, call linebuf_commit.
 */
char *linebuf_space(struct linebuf *, size_t *avail);
void linebuf_commit(struct linebuf *, size_t n);
/* Copying convenience: linebuf_space + memcpy + linebuf_commit in a loop. */
void linebuf_feed(struct linebuf *, const char *, size_t);

/*
 * Takes the next line. On LINEBUF_LINE, *line is the line without its LF and
 * without a CR before the LF, NUL-terminated and writable (proto_parse
 * decodes in place); *len excludes the NUL. On LINEBUF_TOOLONG, *line is the
 * start of the overlong line (at most LINEBUF_TOOLONG_PREFIX bytes), also
 * NUL-terminated. Either view is valid until the next call to any linebuf
 * function on this buffer.
 */
enum linebuf_result linebuf_next(struct linebuf *, char **line, size_t *len);

size_t linebuf_pending(const struct linebuf *);	/* bytes buffered */
void linebuf_release(struct linebuf *);		/* free storage if empty */

#endif
