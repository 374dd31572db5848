/*
 * A text field: the editing model behind every form, prompt and the
 * command line (one line), and the message field of a conversation
 * (multiline: line feeds allowed, laid out in rows by field_rows). No
 * curses here: the screen maps keys to field_edit operations and draws
 * what field_layout (or field_rows) says is visible.
 *
 * The text is UTF-8 and always valid; the cursor is a byte offset that is
 * always on a character boundary. A "character" for cursor movement and
 * deletion is a code point together with the zero-width code points that
 * follow it (combining accents, variation selectors, joiners), so é typed
 * as e + U+0301 moves and deletes as one. Widths are terminal columns
 * (text_width): CJK ideographs and most emoji take two.
 */
#ifndef AGORA_FIELD_H
#define AGORA_FIELD_H

#include <stddef.h>
#include <wchar.h>

struct field {
	char	*text;		/* NUL-terminated, owned */
	size_t	 len;		/* bytes, without the NUL */
	size_t	 cap;
	size_t	 cursor;	/* byte offset, 0..len */
	size_t	 scroll;	/* byte offset of the first visible byte */
	size_t	 max;		/* most bytes the text may hold; 0: 4096 */
	int	 secret;	/* shown as one '*' per character */
	int	 multiline;	/* line feeds may be typed and pasted */
};

/* In the order of the editing keys' actions (A_EDIT_LEFT on, keymap.h). */
enum field_op {
	FIELD_LEFT,		/* one character */
	FIELD_RIGHT,
	FIELD_HOME,		/* of the line the cursor is on */
	FIELD_END,
	FIELD_BACKSPACE,	/* delete the character before the cursor */
	FIELD_DELETE,		/* delete the character under the cursor */
	FIELD_KILL_WORD,	/* delete back to the start of the word (^W) */
	FIELD_KILL_HOME,	/* delete from the line's start to the cursor */
	FIELD_KILL_END,		/* delete from the cursor to the line's end */
	FIELD_WORD_LEFT,	/* to the start of this or the previous word */
	FIELD_WORD_RIGHT	/* past the end of this or the next word */
};

/* What to draw: text[start, start + len) from column 0, cursor at col. */
struct field_view {
	size_t	 start;
	size_t	 len;
	size_t	 cursor_col;
	size_t	 cols;		/* columns the slice takes (secret: one
				   per character, so draw that many '*') */
};

void field_init(struct field *, size_t max);
/* Frees the text, zeroing it first when the field is secret. */
void field_free(struct field *);
/* Replaces the text (invalid UTF-8 or controls are dropped), cursor at end. */
void field_set(struct field *, const char *);
void field_clear(struct field *);

/*
 * Inserts one typed character at the cursor. Returns 0, or -1 (and changes
 * nothing) for a control character (C0, DEL, C1; a line feed is allowed
 * in a multiline field), a value that is not a
 * Unicode scalar value, a zero-width character at the very start (it
 * would have nothing to attach to), or when the text would exceed max.
 */
int field_insert(struct field *, wchar_t);
/* Inserts a string (a paste): each character as field_insert; -1 if any fails. */
int field_insert_str(struct field *, const char *);
/* Returns 1 if the text or cursor changed, 0 if the operation did nothing. */
int field_edit(struct field *, enum field_op);

/*
 * The visible slice for a field cols columns wide (cols >= 2), adjusting
 * scroll so that the cursor is visible, with one column kept free after
 * the text for the cursor at the end. A double-width character never
 * straddles the right edge. For a secret field start/len still index text,
 * and cursor_col counts one column per character.
 */
void field_layout(struct field *, size_t cols, struct field_view *);

/* One row of a multiline field: text[start, start + len), no line feed. */
struct field_row {
	size_t	 start;
	size_t	 len;
};

/*
 * The rows of the text in cols columns (cols >= 2): a line feed ends a
 * row, and a line wider than cols - 1 columns goes on in the next row
 * (the last column is kept for the cursor), a character never cut.
 * Returns the rows (*nrows >= 1; caller frees) and where the cursor is.
 */
struct field_row *field_rows(const struct field *, size_t cols,
    size_t *nrows, size_t *cursor_row, size_t *cursor_col);
/*
 * Moves the cursor one row up (dir < 0) or down, to the column nearest
 * where it was, in the rows field_rows gives for cols. Returns 1 if it
 * moved, 0 on the first (last) row.
 */
int field_move_row(struct field *, size_t cols, int dir);

#endif
