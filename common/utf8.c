#include <stddef.h>

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
int
utf8_valid(const char *s, size_t len, size_t *bad)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, need, k;
	unsigned char		 c, lo, hi;

	while (i < len) {
		c = p[i];
		if (c < 0x80) {
			i++;
			continue;
		}

		lo = 0x80;
		hi = 0xbf;
		if (c >= 0xc2 && c <= 0xdf)
			need = 1;
		else if (c >= 0xe0 && c <= 0xef) {
			need = 2;
			if (c == 0xe0)
				lo = 0xa0;	/* overlong below U+0800 */
			else if (c == 0xed)
				hi = 0x9f;	/* surrogates D800..DFFF */
		} else if (c >= 0xf0 && c <= 0xf4) {
			need = 3;
			if (c == 0xf0)
				lo = 0x90;	/* overlong below U+10000 */
			else if (c == 0xf4)
				hi = 0x8f;	/* above U+10FFFF */
		} else
			goto fail;	/* 80..BF, C0, C1, F5..FF */

		if (len - i - 1 < need)
			goto fail;
		if (p[i + 1] < lo || p[i + 1] > hi)
			goto fail;
		for (k = 2; k <= need; k++) {
			if (p[i + k] < 0x80 || p[i + k] > 0xbf)
				goto fail;
		}
		i += need + 1;
	}
	return 1;

fail:
	if (bad != NULL)
		*bad = i;
	return 0;
}
