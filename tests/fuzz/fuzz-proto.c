/*
 * libFuzzer target for the protocol codec: bytes go through linebuf in
 * chunks of varying size, every line is parsed, every parsed message is
 * formatted again and must parse back to the same thing. The raw bytes are
 * also parsed as one line and formatted as one value (which must parse,
 * whatever the bytes). Any broken property calls abort().
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "linebuf.h"
#include "log.h"
#include "proto.h"
#include "utf8.h"

#define FUZZ_MAX_LINE	256

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/*
 * Instead of log.c: an impossible state reached by the fuzzer is a crash
 * to report, not an exit.
 */
void
fatal(const char *fmt, ...)
{
	(void)fmt;
	abort();
}

void
fatalx(const char *fmt, ...)
{
	(void)fmt;
	abort();
}

static void
require(int cond)
{
	if (!cond)
		abort();
}

/* Parses a copy of exactly len + 1 bytes so reads past line[len] show. */
static char *
fuzz_copy(const char *data, size_t len)
{
	char	*s;

	s = malloc(len + 1);
	require(s != NULL);
	memcpy(s, data, len);
	s[len] = '\n';
	return s;
}

static void
fuzz_format(struct buf *b, const struct proto_msg *m)
{
	size_t	 i;

	buf_reset(b);
	proto_begin(b, m->tag, m->word);
	for (i = 0; i < m->nparams; i++)
		proto_addn(b, m->params[i].key, m->params[i].value,
		    m->params[i].len);
}

static int
fuzz_word_ok(const char *s)
{
	size_t	 n = strlen(s), i;

	if (n == 0 || n > PROTO_WORD_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		if (strchr("abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", s[i]) == NULL)
			return 0;
	}
	return 1;
}

static void
fuzz_check_msg(const struct proto_msg *m)
{
	size_t	 i, j;
	int64_t	 v;

	require(m->tag != NULL && m->word != NULL);
	require(proto_valid_tag(m->tag) || strcmp(m->tag, "*") == 0);
	require(fuzz_word_ok(m->word));
	require(m->nparams <= PROTO_PARAMS_MAX);
	for (i = 0; i < m->nparams; i++) {
		require(fuzz_word_ok(m->params[i].key));
		require(strlen(m->params[i].value) == m->params[i].len);
		require(utf8_valid(m->params[i].value, m->params[i].len, NULL));
		for (j = 0; j < i; j++)
			require(strcmp(m->params[i].key,
			    m->params[j].key) != 0);
		require(proto_get(m, m->params[i].key) == m->params[i].value);
		(void)proto_get_i64(m, m->params[i].key, INT64_MIN, INT64_MAX,
		    &v);
	}
}

static void
fuzz_line(char *line, size_t len)
{
	struct proto_msg	 m, m2;
	struct buf		*b, *b2;
	const char		*why = NULL;
	char			*copy;
	size_t			 i;

	if (proto_parse(line, len, &m, &why) != 0) {
		require(why != NULL && *why != '\0');
		require(m.tag == NULL || proto_valid_tag(m.tag) ||
		    strcmp(m.tag, "*") == 0);
		return;
	}
	fuzz_check_msg(&m);

	/* Format it again: it must parse back to the same message. */
	b = buf_new(0);
	fuzz_format(b, &m);
	copy = fuzz_copy(buf_data(b), buf_len(b));
	require(proto_parse(copy, buf_len(b), &m2, &why) == 0);
	fuzz_check_msg(&m2);
	require(strcmp(m.tag, m2.tag) == 0);
	require(strcmp(m.word, m2.word) == 0);
	require(m.nparams == m2.nparams);
	for (i = 0; i < m.nparams; i++) {
		require(strcmp(m.params[i].key, m2.params[i].key) == 0);
		require(m.params[i].len == m2.params[i].len);
		require(memcmp(m.params[i].value, m2.params[i].value,
		    m.params[i].len) == 0);
	}

	/* And formatting is canonical: the same bytes the second time. */
	b2 = buf_new(0);
	fuzz_format(b2, &m2);
	require(buf_len(b) == buf_len(b2));
	require(memcmp(buf_data(b), buf_data(b2), buf_len(b)) == 0);

	free(copy);
	buf_free(b2);
	buf_free(b);
}

/* Any bytes formatted as a value give a line that parses. */
static void
fuzz_value(const char *data, size_t size)
{
	struct proto_msg	 m;
	struct buf		*b = buf_new(0);
	const char		*why;
	char			*copy;
	size_t			 i;
	unsigned char		 c;

	proto_begin(b, "f1", "FUZZ");
	proto_addn(b, "v", data, size);
	proto_end(b);
	proto_err(b, "f2", PERR_INVALID, "x");	/* exercised, not parsed */
	copy = fuzz_copy(buf_data(b), buf_len(b));
	i = (size_t)((char *)memchr(copy, '\n', buf_len(b)) - copy);
	require(proto_parse(copy, i, &m, &why) == 0);
	require(m.nparams == 1);
	for (i = 0; i < m.params[0].len; i++) {
		c = (unsigned char)m.params[0].value[i];
		require(c >= 0x20 || c == '\n' || c == '\r' || c == '\t');
		require(c != 0x7f);
	}
	free(copy);
	buf_free(b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct linebuf		*lb;
	enum linebuf_result	 r;
	char			*p, *line, *copy;
	size_t			 off, n, avail, len;
	uint32_t		 seed;

	/* Through linebuf, in chunks whose sizes come from the data. */
	lb = linebuf_new(FUZZ_MAX_LINE);
	seed = (uint32_t)size * 2654435761u + (size > 0 ? data[0] : 0);
	for (off = 0; off < size; off += n) {
		seed = seed * 1103515245u + 12345u;
		n = 1 + (seed >> 16) % 97;
		if (n > size - off)
			n = size - off;
		p = linebuf_space(lb, &avail);
		/* Lines are taken after every commit: no growth past this. */
		require(avail >= 1);
		require(linebuf_pending(lb) + avail <= FUZZ_MAX_LINE + 2);
		if (n > avail)
			n = avail;
		memcpy(p, data + off, n);
		linebuf_commit(lb, n);
		while ((r = linebuf_next(lb, &line, &len)) != LINEBUF_NONE) {
			require(line[len] == '\0');
			if (r == LINEBUF_TOOLONG) {
				require(len <= LINEBUF_TOOLONG_PREFIX);
				continue;
			}
			require(len <= FUZZ_MAX_LINE);
			require(memchr(line, '\n', len) == NULL);
			fuzz_line(line, len);
		}
		require(linebuf_pending(lb) <= FUZZ_MAX_LINE + 1);
		if ((seed & 0x700) == 0)
			linebuf_release(lb);
	}
	linebuf_free(lb);

	/* The whole input as one line, whatever its length. */
	copy = fuzz_copy((const char *)data, size);
	fuzz_line(copy, size);
	free(copy);

	fuzz_value((const char *)data, size);
	return 0;
}
