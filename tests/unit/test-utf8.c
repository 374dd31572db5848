#include <check.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "utf8.h"
#include "check-run.h"

/* Checks s (with an explicit length: some cases hold NUL) is valid. */
/*
 * Each case is checked on a heap copy of exactly len bytes, so that
 * AddressSanitizer reports any read past the end.
 */
static char *
copy(const char *s, size_t len)
{
	char	*p = malloc(len + 1);

	ck_assert_ptr_nonnull(p);
	memcpy(p, s, len);
	return p;
}

static void
valid(const char *str, size_t len)
{
	char	*s = copy(str, len);
	size_t	 bad = 12345;

	ck_assert_msg(utf8_valid(s, len, &bad) == 1, "rejected valid input "
	    "(%zu bytes, bad at %zu)", len, bad);
	ck_assert_uint_eq(bad, 12345);		/* untouched */
	ck_assert_int_eq(utf8_valid(s, len, NULL), 1);
	free(s);
}

/* Checks s is invalid, with the first bad sequence at offset at. */
static void
invalid(const char *str, size_t len, size_t at)
{
	char	*s = copy(str, len);
	size_t	 bad = 12345;

	ck_assert_msg(utf8_valid(s, len, &bad) == 0, "accepted invalid "
	    "input (%zu bytes)", len);
	ck_assert_uint_eq(bad, at);
	ck_assert_int_eq(utf8_valid(s, len, NULL), 0);
	/* The bytes before the bad offset are valid on their own. */
	ck_assert_int_eq(utf8_valid(s, at, NULL), 1);
	free(s);
}

#define VALID(s)	valid((s), sizeof (s) - 1)
#define INVALID(s, at)	invalid((s), sizeof (s) - 1, (at))

START_TEST(test_ascii)
{
	VALID("");
	VALID("hello, world");
	VALID("\0");			/* U+0000 is valid UTF-8 */
	VALID("\x01\x7f");
	ck_assert_int_eq(utf8_valid(NULL, 0, NULL), 1);
}
END_TEST

START_TEST(test_multibyte)
{
	VALID("\xc3\xa9");		/* é */
	VALID("stra\xc3\x9f" "e");	/* straße */
	VALID("\xe4\xb8\xad\xe6\x96\x87");	/* 中文 */
	VALID("\xf0\x9f\x98\x80");	/* U+1F600 */
	VALID("caf\xc3\xa9 \xf0\x9f\x8d\xb5 \xe6\x97\xa5");
}
END_TEST

/* The first and last code point of every sequence length and range. */
START_TEST(test_boundaries)
{
	VALID("\x7f");			/* U+007F */
	VALID("\xc2\x80");		/* U+0080 */
	VALID("\xdf\xbf");		/* U+07FF */
	VALID("\xe0\xa0\x80");		/* U+0800 */
	VALID("\xed\x9f\xbf");		/* U+D7FF */
	VALID("\xee\x80\x80");		/* U+E000 */
	VALID("\xef\xbf\xbf");		/* U+FFFF */
	VALID("\xf0\x90\x80\x80");	/* U+10000 */
	VALID("\xf3\xbf\xbf\xbf");	/* U+FFFFF */
	VALID("\xf4\x80\x80\x80");	/* U+100000 */
	VALID("\xf4\x8f\xbf\xbf");	/* U+10FFFF */
}
END_TEST

START_TEST(test_overlong)
{
	INVALID("\xc0\xaf", 0);		/* '/' in two bytes */
	INVALID("\xc0\x80", 0);		/* NUL in two bytes */
	INVALID("\xc1\xbf", 0);
	INVALID("\xe0\x80\xaf", 0);	/* '/' in three bytes */
	INVALID("\xe0\x9f\xbf", 0);	/* U+07FF in three bytes */
	INVALID("\xf0\x80\x80\xaf", 0);
	INVALID("\xf0\x8f\xbf\xbf", 0);	/* U+FFFF in four bytes */
	INVALID("ab\xc0\xaf", 2);
}
END_TEST

START_TEST(test_surrogates)
{
	INVALID("\xed\xa0\x80", 0);	/* U+D800 */
	INVALID("\xed\xaf\xbf", 0);	/* U+DBFF */
	INVALID("\xed\xb0\x80", 0);	/* U+DC00 */
	INVALID("\xed\xbf\xbf", 0);	/* U+DFFF */
	/* A CESU-8 pair for U+1F600. */
	INVALID("\xed\xa0\xbd\xed\xb8\x80", 0);
	INVALID("x\xed\xa0\x80", 1);
}
END_TEST

START_TEST(test_too_large)
{
	INVALID("\xf4\x90\x80\x80", 0);	/* U+110000 */
	INVALID("\xf4\xbf\xbf\xbf", 0);
	INVALID("\xf5\x80\x80\x80", 0);
	INVALID("\xf7\xbf\xbf\xbf", 0);
	INVALID("\xf8\x88\x80\x80\x80", 0);	/* old 5-byte form */
	INVALID("\xfc\x84\x80\x80\x80\x80", 0);	/* old 6-byte form */
	INVALID("\xfe", 0);
	INVALID("\xff", 0);
}
END_TEST

START_TEST(test_truncated)
{
	INVALID("\xc3", 0);
	INVALID("\xe2\x82", 0);		/* € without its last byte */
	INVALID("\xf0\x9f\x98", 0);
	INVALID("\xf0", 0);
	INVALID("abc\xe4\xb8", 3);
	/* A sequence cut short by an ASCII byte. */
	INVALID("\xc3" "a", 0);
	INVALID("\xe2\x28\xa1", 0);
	INVALID("\xe2\x82\x28", 0);
	INVALID("\xf0\x9f\x98 ", 0);
	INVALID("\xc3\xa9\xc3\xc3\xa9", 2);
	/* Cut by the length, the next byte being a good continuation. */
	invalid("\xc3\xa9", 1, 0);
	invalid("\xe4\xb8\xad", 2, 0);
	invalid("\xe4\xb8\xad", 1, 0);
	invalid("\xf0\x9f\x98\x80", 3, 0);
	invalid("ab\xf0\x9f\x98\x80", 5, 2);
}
END_TEST

START_TEST(test_continuation)
{
	INVALID("\x80", 0);
	INVALID("\xbf", 0);
	INVALID("a\x80", 1);
	INVALID("\xc3\xa9\xa9", 2);	/* one continuation too many */
	INVALID("\xf0\x9f\x98\x80\x80", 4);
	INVALID("\x80\x80\x80\x80", 0);
}
END_TEST

/*
 * A slow reference: decode by the bit patterns, then apply the rules on the
 * code point (shortest form, no surrogates, at most U+10FFFF).
 */
static int
ref_valid(const unsigned char *p, size_t len)
{
	size_t		 i = 0, n, k;
	unsigned long	 cp, min;

	while (i < len) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if ((p[i] & 0xe0) == 0xc0) {
			n = 1;
			cp = p[i] & 0x1f;
			min = 0x80;
		} else if ((p[i] & 0xf0) == 0xe0) {
			n = 2;
			cp = p[i] & 0x0f;
			min = 0x800;
		} else if ((p[i] & 0xf8) == 0xf0) {
			n = 3;
			cp = p[i] & 0x07;
			min = 0x10000;
		} else
			return 0;
		if (len - i - 1 < n)
			return 0;
		for (k = 1; k <= n; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += n + 1;
	}
	return 1;
}

/* Not ck_assert: it records every passing check, far too slow here. */
static void
check(const unsigned char *b, size_t len)
{
	if (utf8_valid((const char *)b, len, NULL) != ref_valid(b, len))
		ck_abort_msg("utf8_valid disagrees on %zu bytes %02x %02x %02x "
		    "%02x", len, b[0], len > 1 ? b[1] : 0, len > 2 ? b[2] : 0,
		    len > 3 ? b[3] : 0);
}

/*
 * Every 1- and 2-byte input; 3- and 4-byte inputs with every lead and second
 * byte (where the special ranges are) and the interesting later bytes.
 */
START_TEST(test_exhaustive)
{
	unsigned char	 b[4];
	unsigned	 i, j, k, l;
	static const unsigned char tails[] = { 0x00, 0x41, 0x7f, 0x80, 0x8f,
	    0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xff };

	for (i = 0; i < 256; i++) {
		b[0] = (unsigned char)i;
		check(b, 1);
		for (j = 0; j < 256; j++) {
			b[1] = (unsigned char)j;
			check(b, 2);
		}
	}
	for (i = 0x80; i < 256; i++) {
		b[0] = (unsigned char)i;
		for (j = 0; j < 256; j++) {
			b[1] = (unsigned char)j;
			for (k = 0; k < sizeof tails; k++) {
				b[2] = tails[k];
				check(b, 3);
			}
		}
	}
	for (i = 0xf0; i < 256; i++) {
		b[0] = (unsigned char)i;
		for (j = 0; j < 256; j++) {
			b[1] = (unsigned char)j;
			for (k = 0; k < sizeof tails; k++) {
				b[2] = tails[k];
				for (l = 0; l < sizeof tails; l++) {
					b[3] = tails[l];
					check(b, 4);
				}
			}
		}
	}
}
END_TEST

/* utf8_decode yields the code point and length, or 0 where utf8_valid fails. */
START_TEST(test_decode)
{
	static const struct { const char *s; size_t len; uint32_t cp; } ok[] = {
		{ "A", 1, 0x41 }, { "\xc3\xa9", 2, 0xe9 },
		{ "\xe6\x9d\xb1", 3, 0x6771 }, { "\xf0\x9f\x94\x91", 4, 0x1f511 },
		{ "\xf4\x8f\xbf\xbf", 4, 0x10ffff },
	};
	static const char *bad[] = { "\x80", "\xc0\xaf", "\xed\xa0\x80",
	    "\xf4\x90\x80\x80", "\xe6\x9d", "" };
	uint32_t cp;

	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		ck_assert_uint_eq(utf8_decode(ok[i].s, strlen(ok[i].s), &cp),
		    ok[i].len);
		ck_assert_uint_eq(cp, ok[i].cp);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_uint_eq(utf8_decode(bad[i], strlen(bad[i]), &cp), 0);
}
END_TEST

static Suite *
utf8_suite(void)
{
	Suite	*s = suite_create("utf8");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_ascii);
	tcase_add_test(tc, test_multibyte);
	tcase_add_test(tc, test_boundaries);
	tcase_add_test(tc, test_overlong);
	tcase_add_test(tc, test_surrogates);
	tcase_add_test(tc, test_too_large);
	tcase_add_test(tc, test_truncated);
	tcase_add_test(tc, test_continuation);
	tcase_add_test(tc, test_exhaustive);
	tcase_add_test(tc, test_decode);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_run(utf8_suite());
}
