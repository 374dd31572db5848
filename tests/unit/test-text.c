/*
 * The sanitiser stands between other users and the terminal: hostile
 * strings go in, nothing that a terminal would act on comes out.
 */
#include <check.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "check-run.h"

static char *
clean(const char *s)
{
	return text_sanitize(s, strlen(s), 0);
}

/* No byte a terminal acts on: C0, DEL, and C1 in its UTF-8 form. */
static void
assert_inert(const char *out)
{
	for (const unsigned char *p = (const unsigned char *)out; *p; p++) {
		ck_assert_msg(*p >= 0x20 && *p != 0x7f, "control byte 0x%02x "
		    "in \"%s\"", *p, out);
		if (*p == 0xc2)
			ck_assert_msg(p[1] < 0x80 || p[1] > 0x9f,
			    "C1 control in \"%s\"", out);
	}
}

START_TEST(plain_text_unchanged)
{
	static const char *ok[] = { "Alice Martin", "Zoë Lefèvre",
	    "« Réseaux d'affaires »", "東京 Office", "Straße 🔑", "" };

	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		char *out = clean(ok[i]);

		ck_assert_str_eq(out, ok[i]);
		free(out);
	}
}
END_TEST

START_TEST(hostile_strings)
{
	static const struct { const char *in, *out; } cases[] = {
		/* clear screen, set title, colours, cursor moves */
		{ "\x1b[2J\x1b[H", "^[[2J^[[H" },
		{ "\x1b]0;pwned\x07", "^[]0;pwned^G" },
		{ "Bob\x1b[31m red", "Bob^[[31m red" },
		/* 8-bit CSI and OSC (C1 controls, U+009B and U+009D) */
		{ "\xc2\x9b" "2J", "<U+009B>2J" },
		{ "\xc2\x9d" "0;x", "<U+009D>0;x" },
		/* carriage return to overwrite, backspace, DEL, NUL-free */
		{ "safe\rEVIL", "safe^MEVIL" },
		{ "ab\bc\x7f", "ab^Hc^?" },
		{ "line\nbreak\ttab", "line^Jbreak^Itab" },
		/* Trojan Source: right-to-left override, isolates, ZWSP */
		{ "admin\xe2\x80\xae" "txt.exe", "admin<U+202E>txt.exe" },
		{ "\xe2\x81\xa6x\xe2\x81\xa9", "<U+2066>x<U+2069>" },
		{ "a\xe2\x80\x8b" "b", "a<U+200B>b" },
		{ "\xef\xbb\xbfhi", "<U+FEFF>hi" },
		/* not UTF-8: overlong ESC, lone continuation, truncated */
		{ "\xc0\x9b" "x", "\xef\xbf\xbd\xef\xbf\xbdx" },
		{ "\x80", "\xef\xbf\xbd" },
		{ "\xe6\x9d", "\xef\xbf\xbd\xef\xbf\xbd" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *out = clean(cases[i].in);

		ck_assert_str_eq(out, cases[i].out);
		assert_inert(out);
		free(out);
	}
}
END_TEST

START_TEST(embedded_nul)
{
	char *out = text_sanitize("a\0b", 3, 0);

	ck_assert_str_eq(out, "a^@b");
	free(out);
}
END_TEST

START_TEST(multiline_keeps_newlines_only)
{
	char *out = text_sanitize("one\ntwo\r\n\x1b[K", 12, TEXT_MULTILINE);

	ck_assert_str_eq(out, "one\ntwo^M\n^[[K");
	free(out);
}
END_TEST

/* Every single byte, and every byte after ESC: always inert. */
START_TEST(every_byte)
{
	char in[3] = { 0x1b, 0, 0 };

	for (int c = 0; c < 256; c++) {
		char *out;

		in[1] = (char)c;
		out = text_sanitize(in + 1, 1, 0);
		assert_inert(out);
		free(out);
		out = text_sanitize(in, 2, 0);
		assert_inert(out);
		free(out);
	}
}
END_TEST

START_TEST(widths)
{
	ck_assert_uint_eq(text_width("Alice"), 5);
	ck_assert_uint_eq(text_width("Zoë"), 3);
	ck_assert_uint_eq(text_width("東京"), 4);
	ck_assert_uint_eq(text_width("🔑"), 2);
	ck_assert_uint_eq(text_width("e\xcc\x81"), 1);	/* e + combining acute */
	ck_assert_uint_eq(text_width(""), 0);
}
END_TEST

START_TEST(fit_never_splits)
{
	ck_assert_uint_eq(text_fit("Alice", 3), 3);
	ck_assert_uint_eq(text_fit("Alice", 10), 5);
	ck_assert_uint_eq(text_fit("東京", 3), 3);	/* one wide char */
	ck_assert_uint_eq(text_fit("東京", 1), 0);
	ck_assert_uint_eq(text_fit("Zoë", 3), 4);
	ck_assert_uint_eq(text_fit("Zoë", 2), 2);
	ck_assert_uint_eq(text_fit("a🔑b", 2), 1);
	ck_assert_uint_eq(text_fit("a🔑b", 3), 5);
}
END_TEST

START_TEST(wrap_at_words)
{
	const char *s = "The certificate of host is not known";

	ck_assert_uint_eq(text_wrap(s, 100), strlen(s));
	ck_assert_uint_eq(text_wrap(s, 14), 3);		/* "The" */
	ck_assert_uint_eq(text_wrap(s, 15), 15);	/* "The certificate" */
	ck_assert_uint_eq(text_wrap(s, 17), 15);	/* not "...te o" */
	ck_assert_uint_eq(text_wrap(s, 18), 18);	/* "... of" */
	ck_assert_uint_eq(text_wrap("ab\ncd", 10), 2);	/* a line feed first */
	ck_assert_uint_eq(text_wrap("", 10), 0);
}
END_TEST

START_TEST(wrap_long_words)
{
	/* No space: a hard break, on a character boundary. */
	ck_assert_uint_eq(text_wrap("AB:CD:EF:01:23", 5), 5);
	ck_assert_uint_eq(text_wrap("東京東京", 3), 3);
	/* Never nothing, even when not one character fits. */
	ck_assert_uint_eq(text_wrap("東京", 1), 3);
	ck_assert_uint_eq(text_wrap("x", 0), 1);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("text");
	TCase *tc = tcase_create("text");

	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
		return 77;	/* no UTF-8 locale: cannot measure widths */
	tcase_add_test(tc, plain_text_unchanged);
	tcase_add_test(tc, hostile_strings);
	tcase_add_test(tc, embedded_nul);
	tcase_add_test(tc, multiline_keeps_newlines_only);
	tcase_add_test(tc, every_byte);
	tcase_add_test(tc, widths);
	tcase_add_test(tc, fit_never_splits);
	tcase_add_test(tc, wrap_at_words);
	tcase_add_test(tc, wrap_long_words);
	suite_add_tcase(s, tc);
	return check_run(s);
}
