/*
 * The text field behind every prompt: whatever is typed, pasted or
 * killed, the text stays valid UTF-8, the cursor stays on a character
 * boundary, and the visible slice never cuts a character or loses the
 * cursor.
 */
#include <check.h>
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "field.h"
#include "text.h"
#include "utf8.h"
#include "check-run.h"

#define ACUTE	"\xcc\x81"	/* U+0301 COMBINING ACUTE ACCENT */

static struct field f;

static void
setup(void)
{
	field_init(&f, 0);
}

static void
teardown(void)
{
	field_free(&f);
}

/* Sets the text and puts the cursor at byte offset at. */
static void
set_at(const char *s, size_t at)
{
	field_set(&f, s);
	ck_assert_int_eq(field_edit(&f, FIELD_HOME), f.len > 0);
	while (f.cursor < at)
		ck_assert_int_eq(field_edit(&f, FIELD_RIGHT), 1);
	ck_assert_uint_eq(f.cursor, at);
}

static void
assert_text(const char *s, size_t cursor)
{
	ck_assert_str_eq(f.text, s);
	ck_assert_uint_eq(f.len, strlen(s));
	ck_assert_uint_eq(f.cursor, cursor);
}

/* The view of a cols-wide field, and its bytes as a string. */
static struct field_view
layout(size_t cols, char *out, size_t outlen)
{
	struct field_view v;

	field_layout(&f, cols, &v);
	ck_assert_uint_lt(v.len, outlen);
	memcpy(out, f.text + v.start, v.len);
	out[v.len] = '\0';
	return v;
}

START_TEST(insert_ascii)
{
	ck_assert_str_eq(f.text, "");
	ck_assert_int_eq(field_insert(&f, L'a'), 0);
	ck_assert_int_eq(field_insert(&f, L'b'), 0);
	ck_assert_int_eq(field_insert(&f, L' '), 0);
	ck_assert_int_eq(field_insert(&f, L'~'), 0);
	assert_text("ab ~", 4);
}
END_TEST

START_TEST(insert_multibyte)
{
	static const wchar_t in[] = { 0xe9, 0xdf, 0x6f22, 0x5b57, 0x1f600 };

	for (size_t i = 0; i < sizeof in / sizeof in[0]; i++)
		ck_assert_int_eq(field_insert(&f, in[i]), 0);
	assert_text("éß漢字😀", 14);
	/* In the middle: after é, before ß. */
	field_edit(&f, FIELD_HOME);
	field_edit(&f, FIELD_RIGHT);
	ck_assert_int_eq(field_insert(&f, 0x20ac), 0);	/* € */
	assert_text("é€ß漢字😀", 5);
}
END_TEST

START_TEST(move_by_character)
{
	static const size_t stops[] = { 10, 6, 3, 1, 0 };

	field_set(&f, "aé漢😀");
	ck_assert_uint_eq(f.cursor, 10);
	ck_assert_int_eq(field_edit(&f, FIELD_RIGHT), 0);
	for (size_t i = 1; i < 5; i++) {
		ck_assert_int_eq(field_edit(&f, FIELD_LEFT), 1);
		ck_assert_uint_eq(f.cursor, stops[i]);
	}
	ck_assert_int_eq(field_edit(&f, FIELD_LEFT), 0);
	for (size_t i = 4; i-- > 0;) {
		ck_assert_int_eq(field_edit(&f, FIELD_RIGHT), 1);
		ck_assert_uint_eq(f.cursor, stops[i]);
	}
}
END_TEST

/* e + U+0301 is one character: one step, one deletion. */
START_TEST(combining_sequence)
{
	field_set(&f, "ae" ACUTE "x");
	ck_assert_uint_eq(f.len, 5);
	field_edit(&f, FIELD_LEFT);
	ck_assert_uint_eq(f.cursor, 4);
	field_edit(&f, FIELD_LEFT);
	ck_assert_uint_eq(f.cursor, 1);
	field_edit(&f, FIELD_RIGHT);
	ck_assert_uint_eq(f.cursor, 4);
	ck_assert_int_eq(field_edit(&f, FIELD_BACKSPACE), 1);
	assert_text("ax", 1);
	/* Typed as two keys, the accent joins the e before it. */
	field_edit(&f, FIELD_LEFT);
	ck_assert_int_eq(field_insert(&f, L'e'), 0);
	ck_assert_int_eq(field_insert(&f, 0x301), 0);
	assert_text("e" ACUTE "ax", 3);
	field_edit(&f, FIELD_HOME);
	ck_assert_int_eq(field_edit(&f, FIELD_DELETE), 1);
	assert_text("ax", 0);
}
END_TEST

/* Variation selectors and joiners are zero-width too. */
START_TEST(zero_width_joiners)
{
	field_set(&f, "\xe2\x9d\xa4\xef\xb8\x8f!");	/* ❤ U+FE0F ! */
	field_edit(&f, FIELD_LEFT);
	field_edit(&f, FIELD_LEFT);
	ck_assert_uint_eq(f.cursor, 0);
	field_set(&f, "\xf0\x9f\x91\xa8\xe2\x80\x8d");	/* 👨 ZWJ */
	ck_assert_int_eq(field_edit(&f, FIELD_BACKSPACE), 1);
	assert_text("", 0);
}
END_TEST

/* A combining mark with nothing before it would start a character. */
START_TEST(combining_at_start_refused)
{
	ck_assert_int_eq(field_insert(&f, 0x301), -1);
	assert_text("", 0);
	field_set(&f, ACUTE "ab");
	assert_text("ab", 2);
	field_edit(&f, FIELD_HOME);
	ck_assert_int_eq(field_insert(&f, 0x200d), -1);
	assert_text("ab", 0);
}
END_TEST

START_TEST(backspace_both_ends)
{
	field_set(&f, "漢字😀");
	field_edit(&f, FIELD_HOME);
	ck_assert_int_eq(field_edit(&f, FIELD_BACKSPACE), 0);
	assert_text("漢字😀", 0);
	field_edit(&f, FIELD_END);
	ck_assert_int_eq(field_edit(&f, FIELD_BACKSPACE), 1);
	assert_text("漢字", 6);
	ck_assert_int_eq(field_edit(&f, FIELD_BACKSPACE), 1);
	ck_assert_int_eq(field_edit(&f, FIELD_BACKSPACE), 1);
	ck_assert_int_eq(field_edit(&f, FIELD_BACKSPACE), 0);
	assert_text("", 0);
}
END_TEST

START_TEST(delete_both_ends)
{
	field_set(&f, "ßé");
	ck_assert_int_eq(field_edit(&f, FIELD_DELETE), 0);
	assert_text("ßé", 4);
	field_edit(&f, FIELD_HOME);
	ck_assert_int_eq(field_edit(&f, FIELD_DELETE), 1);
	assert_text("é", 0);
	ck_assert_int_eq(field_edit(&f, FIELD_DELETE), 1);
	ck_assert_int_eq(field_edit(&f, FIELD_DELETE), 0);
	assert_text("", 0);
}
END_TEST

START_TEST(delete_in_middle)
{
	set_at("漢字😀é", 3);
	ck_assert_int_eq(field_edit(&f, FIELD_DELETE), 1);
	assert_text("漢😀é", 3);
	ck_assert_int_eq(field_edit(&f, FIELD_BACKSPACE), 1);
	assert_text("😀é", 0);
	field_edit(&f, FIELD_RIGHT);
	ck_assert_int_eq(field_edit(&f, FIELD_DELETE), 1);
	assert_text("😀", 4);
	ck_assert(utf8_valid(f.text, f.len, NULL));
}
END_TEST

START_TEST(word_left)
{
	static const size_t stops[] = { 9, 2, 0 };

	field_set(&f, "  héllo wörld  ");
	for (size_t i = 0; i < 3; i++) {
		ck_assert_int_eq(field_edit(&f, FIELD_WORD_LEFT), 1);
		ck_assert_uint_eq(f.cursor, stops[i]);
	}
	ck_assert_int_eq(field_edit(&f, FIELD_WORD_LEFT), 0);
	/* From inside a word: to its start. */
	set_at("abc déf", 7);
	field_edit(&f, FIELD_WORD_LEFT);
	ck_assert_uint_eq(f.cursor, 4);
}
END_TEST

START_TEST(word_right)
{
	field_set(&f, "  héllo wörld  ");
	field_edit(&f, FIELD_HOME);
	ck_assert_int_eq(field_edit(&f, FIELD_WORD_RIGHT), 1);
	ck_assert_uint_eq(f.cursor, 8);		/* after héllo */
	ck_assert_int_eq(field_edit(&f, FIELD_WORD_RIGHT), 1);
	ck_assert_uint_eq(f.cursor, 15);	/* after wörld */
	ck_assert_int_eq(field_edit(&f, FIELD_WORD_RIGHT), 1);
	ck_assert_uint_eq(f.cursor, 17);	/* trailing spaces */
	ck_assert_int_eq(field_edit(&f, FIELD_WORD_RIGHT), 0);
	/* A combining accent is part of its word. */
	set_at("ne" ACUTE "e x", 1);
	field_edit(&f, FIELD_WORD_RIGHT);
	ck_assert_uint_eq(f.cursor, 5);
}
END_TEST

START_TEST(kill_word)
{
	field_set(&f, "git commit  -m");
	ck_assert_int_eq(field_edit(&f, FIELD_KILL_WORD), 1);
	assert_text("git commit  ", 12);
	ck_assert_int_eq(field_edit(&f, FIELD_KILL_WORD), 1);
	assert_text("git ", 4);
	/* From inside a word: only the part before the cursor. */
	field_set(&f, "say héllo");
	field_edit(&f, FIELD_LEFT);
	field_edit(&f, FIELD_LEFT);
	ck_assert_int_eq(field_edit(&f, FIELD_KILL_WORD), 1);
	assert_text("say lo", 4);
	field_edit(&f, FIELD_HOME);
	ck_assert_int_eq(field_edit(&f, FIELD_KILL_WORD), 0);
	assert_text("say lo", 0);
}
END_TEST

START_TEST(kill_home_and_end)
{
	set_at("héllo wörld", 7);
	ck_assert_int_eq(field_edit(&f, FIELD_KILL_END), 1);
	assert_text("héllo ", 7);
	ck_assert_int_eq(field_edit(&f, FIELD_KILL_END), 0);
	field_edit(&f, FIELD_LEFT);
	ck_assert_int_eq(field_edit(&f, FIELD_KILL_HOME), 1);
	assert_text(" ", 0);
	ck_assert_int_eq(field_edit(&f, FIELD_KILL_HOME), 0);
}
END_TEST

START_TEST(home_and_end)
{
	field_set(&f, "漢 x");
	ck_assert_int_eq(field_edit(&f, FIELD_END), 0);
	ck_assert_int_eq(field_edit(&f, FIELD_HOME), 1);
	ck_assert_uint_eq(f.cursor, 0);
	ck_assert_int_eq(field_edit(&f, FIELD_HOME), 0);
	ck_assert_int_eq(field_edit(&f, FIELD_END), 1);
	ck_assert_uint_eq(f.cursor, 5);
}
END_TEST

START_TEST(max_enforced)
{
	field_free(&f);
	field_init(&f, 5);
	ck_assert_int_eq(field_insert_str(&f, "abcd"), 0);
	ck_assert_int_eq(field_insert(&f, 0xe9), -1);	/* two bytes */
	assert_text("abcd", 4);
	field_edit(&f, FIELD_HOME);
	ck_assert_int_eq(field_insert(&f, L'e'), 0);
	ck_assert_int_eq(field_insert(&f, L'x'), -1);
	assert_text("eabcd", 1);
	/* A paste stops at the first character that does not fit. */
	field_set(&f, "ab漢cd");
	assert_text("ab漢", 5);
}
END_TEST

START_TEST(max_default)
{
	for (size_t i = 0; i < 4096; i++)
		ck_assert_int_eq(field_insert(&f, L'a'), 0);
	ck_assert_int_eq(field_insert(&f, L'a'), -1);
	ck_assert_uint_eq(f.len, 4096);
	ck_assert_uint_eq(strlen(f.text), 4096);
}
END_TEST

START_TEST(controls_refused)
{
	static const wchar_t bad[] = { 0, 0x07, L'\t', L'\n', 0x1b, 0x7f,
	    0x80, 0x9b, 0x9f, 0xd800, 0xdfff, 0x110000, (wchar_t)-1 };

	field_set(&f, "ok");
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ck_assert_msg(field_insert(&f, bad[i]) == -1,
		    "accepted U+%04lX", (unsigned long)bad[i]);
		assert_text("ok", 2);
	}
	/* Just past the ranges: fine. */
	ck_assert_int_eq(field_insert(&f, 0xa0), 0);
	ck_assert_int_eq(field_insert(&f, 0xe000), 0);
	ck_assert_int_eq(field_insert(&f, 0x10ffff), 0);
	ck_assert_uint_eq(f.len, 2 + 2 + 3 + 4);
}
END_TEST

START_TEST(set_drops_invalid)
{
	field_set(&f, "old text");
	/* ESC, an overlong NUL, a truncated sequence, 8-bit CSI, DEL */
	field_set(&f, "a\x1b[31mb\xc0\x80" "c\xe6\x9d\xc2\x9b" "d\x7f" "e");
	assert_text("a[31mbcde", 9);
	ck_assert_uint_eq(f.scroll, 0);
	field_set(&f, "");
	assert_text("", 0);
}
END_TEST

START_TEST(insert_str)
{
	set_at("<>", 1);
	ck_assert_int_eq(field_insert_str(&f, "héllo 世界"), 0);
	assert_text("<héllo 世界>", 14);
	/* A refused character fails the paste; the rest goes in. */
	ck_assert_int_eq(field_insert_str(&f, "a\nb\xff"), -1);
	assert_text("<héllo 世界ab>", 16);
}
END_TEST

START_TEST(layout_scrolls_right_while_typing)
{
	static const char *shown[] = { "a", "ab", "abc", "abcd", "bcde",
	    "cdef", "defg", "efgh" };
	struct field_view v;
	char out[64];

	for (size_t i = 0; i < 8; i++) {
		field_insert(&f, (wchar_t)(L'a' + i));
		v = layout(5, out, sizeof out);
		ck_assert_str_eq(out, shown[i]);
		ck_assert_uint_eq(v.start, i < 4 ? 0 : i - 3);
		ck_assert_uint_eq(v.cursor_col, i < 4 ? i + 1 : 4);
	}
}
END_TEST

START_TEST(layout_scrolls_back_left)
{
	struct field_view v;
	char out[64];

	field_set(&f, "abcdefgh");
	v = layout(5, out, sizeof out);
	ck_assert_uint_eq(v.start, 4);
	/* Left within the window: no scrolling. */
	for (int i = 0; i < 4; i++)
		field_edit(&f, FIELD_LEFT);
	v = layout(5, out, sizeof out);
	ck_assert_uint_eq(v.start, 4);
	ck_assert_uint_eq(v.cursor_col, 0);
	ck_assert_str_eq(out, "efgh");
	/* One more: the window follows. */
	field_edit(&f, FIELD_LEFT);
	v = layout(5, out, sizeof out);
	ck_assert_uint_eq(v.start, 3);
	ck_assert_str_eq(out, "defgh");
	field_edit(&f, FIELD_HOME);
	v = layout(5, out, sizeof out);
	ck_assert_uint_eq(v.start, 0);
	ck_assert_uint_eq(v.cursor_col, 0);
	ck_assert_str_eq(out, "abcde");
	ck_assert_uint_eq(f.scroll, 0);
}
END_TEST

/* 漢 takes two columns: it is shown whole or not at all. */
START_TEST(layout_wide_at_right_edge)
{
	struct field_view v;
	char out[64];

	field_set(&f, "abc漢d");
	field_edit(&f, FIELD_HOME);
	v = layout(4, out, sizeof out);
	ck_assert_uint_eq(v.start, 0);
	ck_assert_uint_eq(v.len, 3);
	ck_assert_str_eq(out, "abc");
	/* On 漢 it must fit whole: two columns from column 2. */
	field_edit(&f, FIELD_RIGHT);
	field_edit(&f, FIELD_RIGHT);
	field_edit(&f, FIELD_RIGHT);
	v = layout(4, out, sizeof out);
	ck_assert_uint_eq(v.start, 1);
	ck_assert_uint_eq(v.len, 5);
	ck_assert_uint_eq(v.cursor_col, 2);
	/* At the end: "漢d" plus the cursor column. */
	field_edit(&f, FIELD_END);
	v = layout(4, out, sizeof out);
	ck_assert_str_eq(out, "漢d");
	ck_assert_uint_eq(v.cursor_col, 3);
	/* Two columns wide: room for 漢 alone under the cursor. */
	field_edit(&f, FIELD_LEFT);
	field_edit(&f, FIELD_LEFT);
	v = layout(2, out, sizeof out);
	ck_assert_str_eq(out, "漢");
	ck_assert_uint_eq(v.cursor_col, 0);
}
END_TEST

START_TEST(layout_after_kill)
{
	struct field_view v;
	char out[64];

	field_set(&f, "abcdefghij");
	v = layout(5, out, sizeof out);
	ck_assert_str_eq(out, "ghij");
	for (int i = 0; i < 3; i++)
		field_edit(&f, FIELD_BACKSPACE);
	v = layout(5, out, sizeof out);
	ck_assert_str_eq(out, "defg");
	ck_assert_uint_eq(v.start, 3);
	ck_assert_uint_eq(v.cursor_col, 4);
	field_set(&f, "one two three four");
	layout(8, out, sizeof out);
	field_edit(&f, FIELD_KILL_WORD);
	field_edit(&f, FIELD_KILL_WORD);
	v = layout(8, out, sizeof out);
	ck_assert_str_eq(out, "ne two ");
	ck_assert_uint_eq(v.cursor_col, 7);
	field_edit(&f, FIELD_KILL_HOME);
	v = layout(8, out, sizeof out);
	ck_assert_uint_eq(v.start, 0);
	ck_assert_uint_eq(v.len, 0);
	ck_assert_uint_eq(v.cursor_col, 0);
}
END_TEST

/*
 * The random session found this: with the window scrolled up to the
 * cursor, a mark typed there joins the character before it, and scroll
 * was left between the two, inside a character.
 */
START_TEST(layout_mark_at_scroll)
{
	struct field_view v;
	char out[64];

	field_set(&f, "a漢");
	v = layout(2, out, sizeof out);
	ck_assert_uint_eq(v.start, 4);
	ck_assert_int_eq(field_insert(&f, 0xfe0f), 0);
	v = layout(2, out, sizeof out);
	ck_assert_uint_eq(v.start, 7);
	ck_assert_uint_eq(v.len, 0);
	ck_assert_uint_eq(v.cursor_col, 0);
	field_edit(&f, FIELD_LEFT);
	v = layout(2, out, sizeof out);
	ck_assert_str_eq(out, "漢\xef\xb8\x8f");
}
END_TEST

/* A '*' per character, whatever its width or its marks. */
START_TEST(layout_secret)
{
	struct field_view v;
	char out[64];

	f.secret = 1;
	field_set(&f, "漢字e" ACUTE "b");
	v = layout(4, out, sizeof out);
	ck_assert_uint_eq(v.start, 3);
	ck_assert_str_eq(out, "字e" ACUTE "b");
	ck_assert_uint_eq(v.cursor_col, 3);
	field_edit(&f, FIELD_HOME);
	v = layout(4, out, sizeof out);
	ck_assert_uint_eq(v.start, 0);
	ck_assert_uint_eq(v.len, f.len);
	field_edit(&f, FIELD_END);
	field_edit(&f, FIELD_LEFT);
	v = layout(4, out, sizeof out);
	ck_assert_uint_eq(v.cursor_col, 3);
	ck_assert_uint_eq(v.start, 0);
}
END_TEST

/*
 * What a secret field deletes does not stay behind in its buffer (the
 * bytes past the NUL), nor in the buffer it outgrew.
 */
START_TEST(secret_wiped)
{
	f.secret = 1;
	set_at("hunter2", 3);
	ck_assert_int_eq(field_edit(&f, FIELD_KILL_HOME), 1);
	ck_assert_mem_eq(f.text, "ter2\0\0\0\0", 8);
	field_edit(&f, FIELD_RIGHT);
	ck_assert_int_eq(field_edit(&f, FIELD_KILL_END), 1);
	ck_assert_mem_eq(f.text, "t\0\0\0\0\0\0\0", 8);
	field_set(&f, "hunter2");
	field_clear(&f);
	ck_assert_mem_eq(f.text, "\0\0\0\0\0\0\0\0", 8);
	for (int i = 0; i < 200; i++)
		ck_assert_int_eq(field_insert(&f, L'x'), 0);
	ck_assert_uint_eq(strlen(f.text), 200);
}
END_TEST

/* field_free leaves nothing behind, and may be called twice. */
START_TEST(free_secret)
{
	f.secret = 1;
	field_set(&f, "correct horse battery staple");
	field_free(&f);
	ck_assert_ptr_null(f.text);
	ck_assert_uint_eq(f.len, 0);
	ck_assert_uint_eq(f.cap, 0);
	ck_assert_int_eq(f.secret, 0);
	field_free(&f);
	field_init(&f, 0);	/* for teardown */
}
END_TEST

/*
 * A long random edit session: after every step the invariants hold, and
 * the view agrees with text_width about columns.
 */
static void
assert_invariants(size_t cols)
{
	struct field_view v;
	char out[4200], *before;
	uint32_t cp;
	size_t cell = 1;
	int w;

	ck_assert(utf8_valid(f.text, f.len, NULL));
	ck_assert_uint_eq(strlen(f.text), f.len);
	ck_assert_uint_le(f.cursor, f.len);
	if (f.cursor < f.len) {
		ck_assert(utf8_decode(f.text + f.cursor, f.len - f.cursor,
		    &cp) > 0);
		w = wcwidth((wchar_t)cp);
		ck_assert_int_ne(w, 0);
		cell = w < 1 ? 1 : (size_t)w;
	}
	v = layout(cols, out, sizeof out);
	ck_assert_uint_le(text_width(out), cols);
	ck_assert_uint_le(v.start, f.cursor);
	ck_assert_uint_ge(v.start + v.len, f.cursor);
	before = strndup(f.text + v.start, f.cursor - v.start);
	ck_assert_uint_eq(v.cursor_col, text_width(before));
	free(before);
	ck_assert_uint_le(v.cursor_col + cell, cols);
}

START_TEST(random_session)
{
	static const wchar_t chars[] = { L'a', L' ', 0xe9, 0x301, 0x6f22,
	    0x1f600, 0xfe0f, 0x200d, 0x1b, L'z' };
	uint32_t seed = 12345;

	field_free(&f);
	field_init(&f, 40);
	for (int i = 0; i < 20000; i++) {
		seed = seed * 1103515245 + 12345;
		if ((seed >> 16) % 3 == 0)
			field_edit(&f, (enum field_op)((seed >> 8) % 11));
		else
			field_insert(&f, chars[(seed >> 4) % 10]);
		assert_invariants(2 + (seed >> 20) % 9);
	}
}
END_TEST


/* The message field: line feeds ------------------------------------------ */

START_TEST(multiline_line_feeds)
{
	/* A one-line field has no use for them. */
	ck_assert_int_eq(field_insert(&f, L'\n'), -1);
	ck_assert_int_eq(field_insert_str(&f, "a\nb"), -1);
	assert_text("ab", 2);
	field_clear(&f);
	f.multiline = 1;
	ck_assert_int_eq(field_insert(&f, L'a'), 0);
	ck_assert_int_eq(field_insert(&f, L'\n'), 0);
	ck_assert_int_eq(field_insert(&f, L'b'), 0);
	/* A paste keeps its lines; other controls still go. */
	ck_assert_int_eq(field_insert_str(&f, "c\nd"), 0);
	assert_text("a\nbc\nd", 6);
	ck_assert_int_eq(field_insert_str(&f, "\r\x1b" "e"), -1);
	assert_text("a\nbc\nde", 7);
	/* A line feed at the start is fine: it is not a mark. */
	field_set(&f, "\nx");
	assert_text("\nx", 2);
}
END_TEST

START_TEST(multiline_line_edits)
{
	f.multiline = 1;
	field_set(&f, "first line\nsecond line");
	f.cursor = 14;				/* "sec|ond" */
	ck_assert_int_eq(field_edit(&f, FIELD_HOME), 1);
	ck_assert_uint_eq(f.cursor, 11);
	ck_assert_int_eq(field_edit(&f, FIELD_END), 1);
	ck_assert_uint_eq(f.cursor, 22);
	f.cursor = 5;				/* "first| line" */
	ck_assert_int_eq(field_edit(&f, FIELD_END), 1);
	ck_assert_uint_eq(f.cursor, 10);	/* before the line feed */
	/* C-u and C-k stop at the line's ends. */
	f.cursor = 14;
	ck_assert_int_eq(field_edit(&f, FIELD_KILL_HOME), 1);
	assert_text("first line\nond line", 11);
	ck_assert_int_eq(field_edit(&f, FIELD_KILL_END), 1);
	assert_text("first line\n", 11);
	ck_assert_int_eq(field_edit(&f, FIELD_KILL_END), 0);
	/* Backspace at a line's start joins it to the one before. */
	ck_assert_int_eq(field_edit(&f, FIELD_BACKSPACE), 1);
	assert_text("first line", 10);
	/* A line feed separates words. */
	field_set(&f, "one\ntwo");
	f.cursor = 4;
	ck_assert_int_eq(field_edit(&f, FIELD_WORD_LEFT), 1);
	ck_assert_uint_eq(f.cursor, 0);
	ck_assert_int_eq(field_edit(&f, FIELD_WORD_RIGHT), 1);
	ck_assert_uint_eq(f.cursor, 3);
}
END_TEST

/* The rows of f in cols, checked against want ("|" between rows), and
   where the cursor is. */
static void
assert_rows(size_t cols, const char *want, size_t crow, size_t ccol)
{
	struct field_row *v;
	size_t n, r, c;
	char got[256];
	size_t len = 0;

	v = field_rows(&f, cols, &n, &r, &c);
	for (size_t i = 0; i < n && len < sizeof got; i++)
		len += (size_t)snprintf(got + len, sizeof got - len, "%s%.*s",
		    i > 0 ? "|" : "", (int)v[i].len, f.text + v[i].start);
	free(v);
	ck_assert_str_eq(got, want);
	ck_assert_uint_eq(r, crow);
	ck_assert_uint_eq(c, ccol);
}

START_TEST(rows_break_and_wrap)
{
	f.multiline = 1;
	assert_rows(5, "", 0, 0);
	/* Four columns a row: the fifth is the cursor's. */
	field_set(&f, "abcdef\n\ngh");
	assert_rows(5, "abcd|ef||gh", 3, 2);
	/* At a soft break the cursor starts the next row... */
	f.cursor = 4;
	assert_rows(5, "abcd|ef||gh", 1, 0);
	/* ... at a line feed it ends its row. */
	f.cursor = 6;
	assert_rows(5, "abcd|ef||gh", 1, 2);
	f.cursor = 7;
	assert_rows(5, "abcd|ef||gh", 2, 0);
	/* A row full to the last column but one, and the cursor after it. */
	field_set(&f, "abcd");
	assert_rows(5, "abcd", 0, 4);
	/* A wide character is never cut: it goes to the next row. */
	field_set(&f, "\xe6\xbc\xa2\xe5\xad\x97\xe6\xbc\xa2");	/* 漢字漢 */
	assert_rows(4, "\xe6\xbc\xa2|\xe5\xad\x97|\xe6\xbc\xa2", 2, 2);
}
END_TEST

START_TEST(rows_move_up_down)
{
	f.multiline = 1;
	field_set(&f, "abcdef\n\ngh");
	ck_assert_int_eq(field_move_row(&f, 5, -1), 1);
	ck_assert_uint_eq(f.cursor, 7);		/* the empty line */
	ck_assert_int_eq(field_move_row(&f, 5, -1), 1);
	ck_assert_uint_eq(f.cursor, 4);		/* "ef" */
	ck_assert_int_eq(field_move_row(&f, 5, -1), 1);
	ck_assert_uint_eq(f.cursor, 0);
	ck_assert_int_eq(field_move_row(&f, 5, -1), 0);
	f.cursor = 3;				/* "abc|d" */
	ck_assert_int_eq(field_move_row(&f, 5, 1), 1);
	ck_assert_uint_eq(f.cursor, 6);		/* the end of "ef" */
	f.cursor = 10;
	ck_assert_int_eq(field_move_row(&f, 5, 1), 0);
	/* The end of a row broken softly is the next row's start: the
	   cursor stops before its last character instead. */
	field_set(&f, "\xe6\xbc\xa2\xe6\xbc\xa2" "abc");	/* 漢漢abc */
	assert_rows(4, "\xe6\xbc\xa2|\xe6\xbc\xa2" "a|bc", 2, 2);
	ck_assert_int_eq(field_move_row(&f, 4, -1), 1);
	ck_assert_uint_eq(f.cursor, 6);
	ck_assert_int_eq(field_move_row(&f, 4, -1), 1);
	ck_assert_uint_eq(f.cursor, 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("field");
	TCase *tc = tcase_create("field");

	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
		return 77;	/* no UTF-8 locale: cannot measure widths */
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, insert_ascii);
	tcase_add_test(tc, insert_multibyte);
	tcase_add_test(tc, move_by_character);
	tcase_add_test(tc, combining_sequence);
	tcase_add_test(tc, zero_width_joiners);
	tcase_add_test(tc, combining_at_start_refused);
	tcase_add_test(tc, backspace_both_ends);
	tcase_add_test(tc, delete_both_ends);
	tcase_add_test(tc, delete_in_middle);
	tcase_add_test(tc, word_left);
	tcase_add_test(tc, word_right);
	tcase_add_test(tc, kill_word);
	tcase_add_test(tc, kill_home_and_end);
	tcase_add_test(tc, home_and_end);
	tcase_add_test(tc, max_enforced);
	tcase_add_test(tc, max_default);
	tcase_add_test(tc, controls_refused);
	tcase_add_test(tc, set_drops_invalid);
	tcase_add_test(tc, insert_str);
	tcase_add_test(tc, layout_scrolls_right_while_typing);
	tcase_add_test(tc, layout_scrolls_back_left);
	tcase_add_test(tc, layout_wide_at_right_edge);
	tcase_add_test(tc, layout_after_kill);
	tcase_add_test(tc, layout_mark_at_scroll);
	tcase_add_test(tc, layout_secret);
	tcase_add_test(tc, secret_wiped);
	tcase_add_test(tc, free_secret);
	tcase_add_test(tc, random_session);
	tcase_add_test(tc, multiline_line_feeds);
	tcase_add_test(tc, multiline_line_edits);
	tcase_add_test(tc, rows_break_and_wrap);
	tcase_add_test(tc, rows_move_up_down);
	suite_add_tcase(s, tc);
	return check_run(s);
}
