#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "field.h"
#include "log.h"
#include "utf8.h"
#include "xmalloc.h"

/* The limit when field_init is given 0, and the first allocation. */
#define FIELD_MAX_DEFAULT	4096
#define FIELD_CAP_MIN		64

/*
 * Invariants, relied on throughout: text[0, len) is valid UTF-8 and
 * text[len] is NUL; len < cap <= max + 1; cursor and scroll are character
 * boundaries in 0..len; and no character starts with a zero-width code
 * point (field_insert refuses one at offset 0), so every character is a
 * base of width one or two followed by zero or more zero-width marks.
 */

static size_t
field_decode(const struct field *f, size_t at, uint32_t *cp)
{
	size_t n;

	if ((n = utf8_decode(f->text + at, f->len - at, cp)) == 0)
		fatalx("field: invalid UTF-8 at offset %zu", at);
	return n;
}

static int
field_zero_width(const struct field *f, size_t at)
{
	uint32_t cp;

	field_decode(f, at, &cp);
	return wcwidth((wchar_t)cp) == 0;
}

/* The start of the code point before at (> 0). */
static size_t
field_cp_start(const struct field *f, size_t at)
{
	do
		at--;
	while (at > 0 && ((unsigned char)f->text[at] & 0xc0) == 0x80);
	return at;
}

/* The boundary after the character at at: its base and any marks. */
static size_t
field_next(const struct field *f, size_t at)
{
	uint32_t cp;

	if (at >= f->len)
		return f->len;
	at += field_decode(f, at, &cp);
	while (at < f->len && field_zero_width(f, at))
		at += field_decode(f, at, &cp);
	return at;
}

static size_t
field_prev(const struct field *f, size_t at)
{
	if (at == 0)
		return 0;
	at = field_cp_start(f, at);
	while (at > 0 && field_zero_width(f, at))
		at = field_cp_start(f, at);
	return at;
}

/*
 * Columns of the character at at: its base's width (the marks add none),
 * or one for a secret field, which shows a '*' per character. A base
 * wcwidth does not know still takes a column on the terminal.
 */
static size_t
field_char_width(const struct field *f, size_t at)
{
	uint32_t cp;
	int w;

	if (f->secret)
		return 1;
	field_decode(f, at, &cp);
	w = wcwidth((wchar_t)cp);
	return w < 1 ? 1 : (size_t)w;
}

static size_t
field_width(const struct field *f, size_t from, size_t to)
{
	size_t w = 0;

	while (from < to) {
		w += field_char_width(f, from);
		from = field_next(f, from);
	}
	return w;
}

/* Words are runs of anything but spaces, tabs and line feeds. */
static int
field_is_space(const struct field *f, size_t at)
{
	return f->text[at] == ' ' || f->text[at] == '\t' ||
	    f->text[at] == '\n';
}

/* The start and end of the line the cursor is on (one line feed apart);
   a one-line field has one line. */
static size_t
field_line_start(const struct field *f)
{
	size_t at = f->cursor;

	while (at > 0 && f->text[at - 1] != '\n')
		at--;
	return at;
}

static size_t
field_line_end(const struct field *f)
{
	return f->cursor + strcspn(f->text + f->cursor, "\n");
}

static size_t
field_word_start(const struct field *f)
{
	size_t at = f->cursor, p;

	while (at > 0 && field_is_space(f, p = field_prev(f, at)))
		at = p;
	while (at > 0 && !field_is_space(f, p = field_prev(f, at)))
		at = p;
	return at;
}

static size_t
field_word_end(const struct field *f)
{
	size_t at = f->cursor;

	while (at < f->len && field_is_space(f, at))
		at = field_next(f, at);
	while (at < f->len && !field_is_space(f, at))
		at = field_next(f, at);
	return at;
}

/*
 * Makes room for need bytes. A new buffer rather than realloc, so that
 * the old copy of a secret is wiped rather than left in freed memory.
 */
static void
field_grow(struct field *f, size_t need)
{
	size_t cap = f->cap;
	char *text;

	if (need <= cap)
		return;
	while (cap < need)
		cap *= 2;
	if (cap > f->max + 1)
		cap = f->max + 1;
	text = xmalloc(cap);
	memcpy(text, f->text, f->len + 1);
	if (f->secret)
		freezero(f->text, f->cap);
	else
		free(f->text);
	f->text = text;
	f->cap = cap;
}

/* Inserts n bytes of valid UTF-8 at the cursor, if max allows. */
static int
field_put(struct field *f, const char *s, size_t n)
{
	if (n > f->max - f->len)
		return -1;
	field_grow(f, f->len + n + 1);
	memmove(f->text + f->cursor + n, f->text + f->cursor,
	    f->len - f->cursor + 1);
	memcpy(f->text + f->cursor, s, n);
	f->len += n;
	/*
	 * Keep scroll on the same character. A mark typed where scroll is
	 * joins the character before, off screen: scroll moves past it too.
	 */
	if (f->scroll > f->cursor ||
	    (f->scroll == f->cursor && field_zero_width(f, f->cursor)))
		f->scroll += n;
	f->cursor += n;
	return 0;
}

/* Deletes text[from, to) and leaves the cursor at from. */
static int
field_cut(struct field *f, size_t from, size_t to)
{
	size_t n = to - from;

	if (n == 0)
		return 0;
	memmove(f->text + from, f->text + to, f->len - to + 1);
	f->len -= n;
	if (f->secret)
		explicit_bzero(f->text + f->len + 1, n);
	f->cursor = from;
	if (f->scroll > from)
		f->scroll = from;
	return 1;
}

static int
field_move(struct field *f, size_t to)
{
	if (to == f->cursor)
		return 0;
	f->cursor = to;
	return 1;
}

/* UTF-8 for a Unicode scalar value; returns its length. */
static size_t
field_encode(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Anything but controls (C0, DEL, C1), surrogates and beyond U+10FFFF. */
static int
field_allowed(uint32_t cp)
{
	if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
		return 0;
	if (cp >= 0xd800 && cp <= 0xdfff)
		return 0;
	return cp <= 0x10ffff;
}

void
field_init(struct field *f, size_t max)
{
	memset(f, 0, sizeof *f);
	f->max = max == 0 ? FIELD_MAX_DEFAULT : max;
	f->cap = f->max + 1 < FIELD_CAP_MIN ? f->max + 1 : FIELD_CAP_MIN;
	f->text = xmalloc(f->cap);
	f->text[0] = '\0';
}

void
field_free(struct field *f)
{
	if (f->secret)
		freezero(f->text, f->cap);
	else
		free(f->text);
	memset(f, 0, sizeof *f);
}

void
field_set(struct field *f, const char *s)
{
	field_clear(f);
	(void)field_insert_str(f, s);
}

void
field_clear(struct field *f)
{
	if (f->secret)
		explicit_bzero(f->text, f->len);
	f->text[0] = '\0';
	f->len = f->cursor = f->scroll = 0;
}

/*
 * A zero-width code point (a combining accent, say) at the very start
 * would have nothing to join; refusing it keeps every character starting
 * with a base, so that inserting before one cannot split a character.
 */
int
field_insert(struct field *f, wchar_t wc)
{
	uint32_t cp = (uint32_t)wc;
	char buf[4];

	if ((unsigned long)wc > 0x10ffff ||
	    (!field_allowed(cp) && !(cp == '\n' && f->multiline)))
		return -1;
	if (f->cursor == 0 && wcwidth((wchar_t)cp) == 0)
		return -1;
	return field_put(f, buf, field_encode(cp, buf));
}

/*
 * Bytes that are not UTF-8 and refused characters are skipped; the
 * paste stops at the first character that does not fit, rather than
 * going on with whatever smaller ones follow and leaving holes.
 */
int
field_insert_str(struct field *f, const char *s)
{
	size_t len = strlen(s), i = 0, n;
	uint32_t cp;
	int ret = 0;

	while (i < len) {
		if ((n = utf8_decode(s + i, len - i, &cp)) == 0) {
			ret = -1;
			i++;
			continue;
		}
		if (field_insert(f, (wchar_t)cp) != 0) {
			ret = -1;
			if ((field_allowed(cp) || (cp == '\n' &&
			    f->multiline)) && n > f->max - f->len)
				break;
		}
		i += n;
	}
	return ret;
}

int
field_edit(struct field *f, enum field_op op)
{
	switch (op) {
	case FIELD_LEFT:
		return field_move(f, field_prev(f, f->cursor));
	case FIELD_RIGHT:
		return field_move(f, field_next(f, f->cursor));
	case FIELD_WORD_LEFT:
		return field_move(f, field_word_start(f));
	case FIELD_WORD_RIGHT:
		return field_move(f, field_word_end(f));
	case FIELD_HOME:
		return field_move(f, field_line_start(f));
	case FIELD_END:
		return field_move(f, field_line_end(f));
	case FIELD_BACKSPACE:
		return field_cut(f, field_prev(f, f->cursor), f->cursor);
	case FIELD_DELETE:
		return field_cut(f, f->cursor, field_next(f, f->cursor));
	case FIELD_KILL_WORD:
		return field_cut(f, field_word_start(f), f->cursor);
	case FIELD_KILL_HOME:
		return field_cut(f, field_line_start(f), f->cursor);
	case FIELD_KILL_END:
		return field_cut(f, f->cursor, field_line_end(f));
	}
	fatalx("field_edit: unknown operation %d", (int)op);
}

/*
 * Scrolls right until the cursor fits: the text before it and the cell
 * under it (one column past the end). With cols >= 2 even a wide
 * character fits once scroll reaches the cursor.
 */
static void
field_scroll_to_cursor(struct field *f, size_t cols)
{
	size_t w, cell;

	cell = f->cursor == f->len ? 1 : field_char_width(f, f->cursor);
	w = field_width(f, f->scroll, f->cursor) + cell;
	while (w > cols && f->scroll < f->cursor) {
		w -= field_char_width(f, f->scroll);
		f->scroll = field_next(f, f->scroll);
	}
}

/*
 * Scrolls back left while the whole rest of the text, and the cursor
 * after it, still fits: after a kill shortened the text, the field shows
 * as much as it can rather than empty columns on the right. The cursor
 * stays visible, since it is somewhere in what fits.
 */
static void
field_scroll_back(struct field *f, size_t cols)
{
	size_t w, cw, p;

	if (f->scroll == 0)
		return;
	w = field_width(f, f->scroll, f->len) + 1;
	while (f->scroll > 0) {
		p = field_prev(f, f->scroll);
		cw = field_char_width(f, p);
		if (w + cw > cols)
			break;
		w += cw;
		f->scroll = p;
	}
}

/* The end of the characters from from that fit in cols, none cut. */
static size_t
field_fit(const struct field *f, size_t from, size_t cols)
{
	size_t w = 0, cw;

	while (from < f->len) {
		cw = field_char_width(f, from);
		if (w + cw > cols)
			break;
		w += cw;
		from = field_next(f, from);
	}
	return from;
}

void
field_layout(struct field *f, size_t cols, struct field_view *v)
{
	if (f->scroll > f->cursor)
		f->scroll = f->cursor;
	field_scroll_to_cursor(f, cols);
	field_scroll_back(f, cols);
	v->start = f->scroll;
	v->len = field_fit(f, f->scroll, cols) - f->scroll;
	v->cursor_col = field_width(f, f->scroll, f->cursor);
	v->cols = field_width(f, v->start, v->start + v->len);
}

/* Rows ---------------------------------------------------------------- */

static void
field_row_add(struct field_row **v, size_t *n, size_t start, size_t end)
{
	if ((*n & (*n - 1)) == 0)
		*v = xreallocarray(*v, *n == 0 ? 1 : *n * 2, sizeof **v);
	(*v)[*n].start = start;
	(*v)[*n].len = end - start;
	(*n)++;
}

struct field_row *
field_rows(const struct field *f, size_t cols, size_t *nrows,
    size_t *cursor_row, size_t *cursor_col)
{
	struct field_row *v = NULL;
	size_t n = 0, start = 0, at = 0, w = 0, cw;

	while (at < f->len) {
		if (f->text[at] == '\n') {
			field_row_add(&v, &n, start, at);
			start = ++at;
			w = 0;
			continue;
		}
		cw = field_char_width(f, at);
		if (w + cw > cols - 1 && at > start) {
			field_row_add(&v, &n, start, at);
			start = at;
			w = 0;
			continue;
		}
		w += cw;
		at = field_next(f, at);
	}
	field_row_add(&v, &n, start, f->len);
	/* The last row starting at or before the cursor: at a soft break
	   the cursor is at the start of the next row. */
	*cursor_row = 0;
	for (size_t r = 0; r < n && v[r].start <= f->cursor; r++)
		*cursor_row = r;
	*cursor_col = field_width(f, v[*cursor_row].start, f->cursor);
	*nrows = n;
	return v;
}

int
field_move_row(struct field *f, size_t cols, int dir)
{
	size_t n, row, col, w = 0, at, end, cw;
	struct field_row *v = field_rows(f, cols, &n, &row, &col);

	if ((dir < 0 && row == 0) || (dir > 0 && row + 1 >= n)) {
		free(v);
		return 0;
	}
	row = dir < 0 ? row - 1 : row + 1;
	at = v[row].start;
	end = v[row].start + v[row].len;
	while (at < end && w + (cw = field_char_width(f, at)) <= col) {
		w += cw;
		at = field_next(f, at);
	}
	/* The end of a row broken softly is the next row's start. */
	if (at == end && at > v[row].start && row + 1 < n &&
	    v[row + 1].start == end)
		at = field_prev(f, at);
	free(v);
	return field_move(f, at);
}
