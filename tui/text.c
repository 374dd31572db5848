#include <stdint.h>
#include <string.h>
#include <wchar.h>

#include "buf.h"
#include "text.h"
#include "utf8.h"

/*
 * Code points that are printable in principle but invisible, and can make
 * text lie about itself: bidi embeddings and overrides (the "Trojan
 * Source" characters), zero-width joiners and marks, the BOM.
 */
static int
text_is_format(uint32_t cp)
{
	return (cp >= 0x200b && cp <= 0x200f) ||
	    (cp >= 0x202a && cp <= 0x202e) ||
	    (cp >= 0x2060 && cp <= 0x2064) ||
	    (cp >= 0x2066 && cp <= 0x2069) ||
	    cp == 0xfeff;
}

char *
text_sanitize(const char *s, size_t len, int flags)
{
	struct buf *b = buf_new(0);
	size_t i = 0, n;
	uint32_t cp;
	char *out;

	while (i < len) {
		if ((n = utf8_decode(s + i, len - i, &cp)) == 0) {
			buf_add_str(b, "\xef\xbf\xbd");	/* U+FFFD */
			i++;
			continue;
		}
		if (cp == '\n' && (flags & TEXT_MULTILINE))
			buf_add_char(b, '\n');
		else if (cp < 0x20)
			buf_printf(b, "^%c", (char)(cp + 0x40));
		else if (cp == 0x7f)
			buf_add_str(b, "^?");
		else if ((cp >= 0x80 && cp <= 0x9f) || text_is_format(cp))
			buf_printf(b, "<U+%04X>", (unsigned)cp);
		else
			buf_add(b, s + i, n);
		i += n;
	}
	out = buf_take(b);
	buf_free(b);
	return out;
}

/* Columns of one printable code point; unknown ones count as one. */
static size_t
text_cp_width(uint32_t cp)
{
	int w = wcwidth((wchar_t)cp);

	return w < 0 ? 1 : (size_t)w;
}

size_t
text_width(const char *s)
{
	size_t len = strlen(s), i = 0, n, w = 0;
	uint32_t cp;

	while (i < len) {
		if ((n = utf8_decode(s + i, len - i, &cp)) == 0) {
			w++;
			i++;
			continue;
		}
		w += text_cp_width(cp);
		i += n;
	}
	return w;
}

size_t
text_fit(const char *s, size_t cols)
{
	size_t len = strlen(s), i = 0, n, w = 0, cw;
	uint32_t cp;

	while (i < len) {
		if ((n = utf8_decode(s + i, len - i, &cp)) == 0) {
			n = 1;
			cw = 1;
		} else
			cw = text_cp_width(cp);
		if (w + cw > cols)
			break;
		w += cw;
		i += n;
	}
	return i;
}

size_t
text_wrap(const char *s, size_t cols)
{
	size_t fit = text_fit(s, cols), nl, sp;

	nl = strcspn(s, "\n");
	if (nl <= fit)
		return nl;
	if (s[fit] == '\0' || s[fit] == ' ')
		return fit;
	for (sp = fit; sp > 0 && s[sp - 1] != ' '; sp--)
		;
	if (sp > 1)
		return sp - 1;
	/* No space to break at: cut the word, never to nothing. */
	if (fit == 0 && *s != '\0') {
		uint32_t cp;

		fit = utf8_decode(s, strlen(s), &cp);
		return fit > 0 ? fit : 1;
	}
	return fit;
}
