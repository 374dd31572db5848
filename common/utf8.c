#include <stddef.h>
#include <stdint.h>

#include "utf8.h"

/*
 * The well-formed byte sequences of RFC 3629, section 4 (also Table 3-7 of
 * the Unicode standard). The second byte's range depends on the first: that
 * is what excludes overlong forms (E0, F0), surrogates (ED) and code points
 * above U+10FFFF (F4). C0, C1 and F5..FF never start a sequence.
 *
 * On failure *bad is the offset of the first byte of the sequence that is
 * not well formed (a stray continuation byte, a lead byte that cannot start
 * a sequence, or the lead of a truncated or out-of-range sequence), so that
 * the bytes before it are always valid UTF-8.
 */
size_t
utf8_decode(const char *s, size_t len, uint32_t *cp)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 need, k;
	unsigned char		 c, lo = 0x80, hi = 0xbf;
	uint32_t		 v;

	if (len == 0)
		return 0;
	c = p[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		need = 1;
		v = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 2;
		v = c & 0x0f;
		if (c == 0xe0)
			lo = 0xa0;	/* overlong below U+0800 */
		else if (c == 0xed)
			hi = 0x9f;	/* surrogates D800..DFFF */
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 3;
		v = c & 0x07;
		if (c == 0xf0)
			lo = 0x90;	/* overlong below U+10000 */
		else if (c == 0xf4)
			hi = 0x8f;	/* above U+10FFFF */
	} else
		return 0;	/* 80..BF, C0, C1, F5..FF */
	if (len - 1 < need || p[1] < lo || p[1] > hi)
		return 0;
	for (k = 1; k <= need; k++) {
		if (p[k] < 0x80 || p[k] > 0xbf)
			return 0;
		v = v << 6 | (p[k] & 0x3f);
	}
	*cp = v;
	return need + 1;
}

int
utf8_valid(const char *s, size_t len, size_t *bad)
{
	size_t		 i = 0, n;
	uint32_t	 cp;

	while (i < len) {
		if ((n = utf8_decode(s + i, len - i, &cp)) == 0) {
			if (bad != NULL)
				*bad = i;
			return 0;
		}
		i += n;
	}
	return 1;
}
