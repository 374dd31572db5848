/*
 * Drawing helpers shared by the frame (screen.c) and the views (views.c).
 * Every string goes through screen_text, which sanitises it: nothing drawn
 * here can put a control character or escape sequence on the terminal.
 */
#ifndef AGORA_SCREEN_H
#define AGORA_SCREEN_H

#include <curses.h>

#define PAIR_HEADER	1
#define PAIR_ERROR	2
#define PAIR_ONLINE	3
#define PAIR_DIM	4
#define PAIR_HEAD_OK	5	/* on the header bar */
#define PAIR_HEAD_ALERT	6

/* A colour pair, or mono when colour is off (NO_COLOR, or none). */
attr_t screen_attr(int pair, attr_t mono);
/* raw, sanitised, cut to w columns and padded with spaces to w. */
void screen_text(int y, int x, int w, const char *raw, attr_t);
void screen_clear(int y, int x, int h, int w);

/* Marks drawn in UTF-8 when the locale is, else in ASCII. */
enum symbol {
	SYM_ONLINE,		/* ● */
	SYM_OFFLINE,		/* ○ */
	SYM_WARNING		/* ⚠ */
};
const char *screen_symbol(enum symbol);

#endif
