/*
 * Text from the server on its way to the terminal. Anything another user
 * typed (names, titles, messages) goes through text_sanitize before it is
 * drawn, so no control character or escape sequence ever reaches the
 * terminal; widths are in terminal columns (CJK and most emoji take two).
 * No curses here: views call these, and the unit tests too.
 */
#ifndef AGORA_TEXT_H
#define AGORA_TEXT_H

#include <stddef.h>

/* Keep line feeds (multi-line bodies); otherwise they are shown as ^J. */
#define TEXT_MULTILINE	0x1

/*
 * A copy that is safe to print: C0 controls and DEL in caret notation
 * (ESC as ^[), C1 controls and the invisible format characters that can
 * reorder or hide text (bidi overrides, zero-width marks) as <U+XXXX>, and
 * bytes that are not UTF-8 as U+FFFD. The caller frees it.
 */
char *text_sanitize(const char *, size_t len, int flags);

/* Columns a sanitised string takes. Needs an UTF-8 LC_CTYPE. */
size_t text_width(const char *);
/* Bytes of the longest prefix that fits in cols, never half a character. */
size_t text_fit(const char *, size_t cols);
/*
 * Bytes of the first line when s is wrapped at cols columns: up to the
 * last space that fits, or a hard break when a word is longer than a line,
 * or up to a line feed. The caller skips one space or line feed after it.
 */
size_t text_wrap(const char *, size_t cols);

#endif
