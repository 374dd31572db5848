/*
 * The frame of the full-screen client: the header, the box around the
 * sidebar and the main area (drawn with the terminal's alternate character
 * set, so TERM=vt100 gets boxes too), the status line, the bottom line
 * (":" command, "/" filter, prompts), and what goes over them: the help
 * overlay generated from the key map, and the yes/no dialog. Only the
 * parts the model marked dirty are drawn again.
 */
#include <curses.h>
#include <langinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "keymap.h"
#include "screen.h"
#include "text.h"
#include "xmalloc.h"


static int screen_colors;
static int screen_utf8;

void
screen_init(void)
{
	const char *nc = getenv("NO_COLOR");

	screen_utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	initscr();
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	/* https://no-color.org: any non-empty value turns colour off. */
	if (has_colors() && (nc == NULL || *nc == '\0')) {
		start_color();
		use_default_colors();
		init_pair(PAIR_HEADER, COLOR_WHITE, COLOR_BLUE);
		init_pair(PAIR_ERROR, COLOR_RED, -1);
		init_pair(PAIR_ONLINE, COLOR_GREEN, -1);
		init_pair(PAIR_DIM, COLOR_CYAN, -1);
		init_pair(PAIR_HEAD_OK, COLOR_GREEN, COLOR_BLUE);
		init_pair(PAIR_HEAD_ALERT, COLOR_WHITE, COLOR_RED);
		screen_colors = 1;
	}
}

void
screen_end(void)
{
	endwin();
}

attr_t
screen_attr(int pair, attr_t mono)
{
	return screen_colors ? (attr_t)COLOR_PAIR(pair) : mono;
}

void
screen_text(int y, int x, int w, const char *raw, attr_t attr)
{
	char *safe;
	size_t fit, width;

	if (w <= 0)
		return;
	safe = text_sanitize(raw, strlen(raw), 0);
	fit = text_fit(safe, (size_t)w);
	safe[fit] = '\0';
	width = text_width(safe);
	attron(attr);
	mvaddstr(y, x, safe);
	for (size_t i = width; i < (size_t)w; i++)
		addch(' ');
	attroff(attr);
	free(safe);
}

const char *
screen_symbol(enum symbol s)
{
	static const char *const utf8[] = { "\u25cf", "\u25cb", "\u26a0" };
	static const char *const ascii[] = { "*", "o", "!" };

	return screen_utf8 ? utf8[s] : ascii[s];
}

void
screen_clear(int y, int x, int h, int w)
{
	for (int r = 0; r < h; r++) {
		move(y + r, x);
		for (int c = 0; c < w; c++)
			addch(' ');
	}
}

static int
sidebar_width(int cols)
{
	int w = cols / 4;

	return w < 24 ? 24 : w > 40 ? 40 : w;
}

/* The connection's state for the header, and how to show it there. */
static const char *
link_label(const struct app *a, attr_t *attr)
{
	static const struct {
		const char	*what;
		int		 pair;
		attr_t		 mono;
	} states[] = {
		[LINK_CONNECTING] = { N_("connecting"), PAIR_HEADER, A_REVERSE },
		[LINK_LOGIN] = { N_("log in"), PAIR_HEADER, A_REVERSE },
		[LINK_ONLINE] = { N_("online"), PAIR_HEAD_OK, A_REVERSE },
		[LINK_WAITING] = { N_("offline"), PAIR_HEAD_ALERT, A_NORMAL },
		[LINK_STOPPED] = { N_("not connected"), PAIR_HEAD_ALERT,
		    A_NORMAL },
	};
	static char label[32];

	*attr = screen_attr(states[a->state].pair, states[a->state].mono) |
	    A_BOLD;
	snprintf(label, sizeof label, "%s %s", screen_symbol(a->state ==
	    LINK_ONLINE ? SYM_ONLINE : SYM_OFFLINE), _(states[a->state].what));
	return label;
}

static void
draw_header(struct app *a, int cols)
{
	struct workspace *w = model_workspace(&a->model);
	attr_t bar = screen_attr(PAIR_HEADER, A_REVERSE), st;
	const char *state = link_label(a, &st);
	int sw = (int)text_width(state) + 2;
	char *left;

	xasprintf(&left, " agora \u00b7 %s \u00b7 %s%s%s", a->opts->server ?
	    a->opts->server : _("no server"), a->model.name != NULL ?
	    a->model.name : _("not logged in"), w != NULL ? " \u00b7 " : "",
	    w != NULL ? w->name : "");
	screen_text(0, 0, cols - sw, left, bar);
	screen_text(0, cols - sw, sw, " ", bar);
	screen_text(0, cols - sw + 1, sw - 1, state, st);
	free(left);
}

/* A title in a horizontal border line: "┌ TITLE ───". */
static void
border_title(int y, int x, int w, const char *title, int focused)
{
	if (w < 6)
		return;
	mvaddch(y, x, ' ');
	screen_text(y, x + 1, (int)text_width(title) < w - 4 ?
	    (int)text_width(title) : w - 4, title, focused ? A_REVERSE | A_BOLD :
	    A_BOLD);
	addch(' ');
}

/* A box's border, in the terminal's line-drawing characters. */
static void
draw_border(int y, int x, int h, int w)
{
	mvaddch(y, x, ACS_ULCORNER);
	mvhline(y, x + 1, ACS_HLINE, w - 2);
	mvaddch(y, x + w - 1, ACS_URCORNER);
	mvvline(y + 1, x, ACS_VLINE, h - 2);
	mvvline(y + 1, x + w - 1, ACS_VLINE, h - 2);
	mvaddch(y + h - 1, x, ACS_LLCORNER);
	mvhline(y + h - 1, x + 1, ACS_HLINE, w - 2);
	mvaddch(y + h - 1, x + w - 1, ACS_LRCORNER);
}

static void
draw_frame(struct app *a, int rows, int cols)
{
	int top = 1, bot = rows - 3, sw = sidebar_width(cols);
	struct workspace *w = model_workspace(&a->model);

	draw_border(top, 0, bot - top + 1, cols);
	mvaddch(top, sw, ACS_TTEE);
	mvvline(top + 1, sw, ACS_VLINE, bot - top - 1);
	mvaddch(bot, sw, ACS_BTEE);
	border_title(top, 1, sw - 1, w != NULL ? w->name : "agora",
	    a->focus == PANE_SIDEBAR);
	border_title(top, sw + 1, cols - sw - 2, view_title(a, a->view),
	    a->focus == PANE_MAIN);
}

static void
draw_status(struct app *a, int rows, int cols)
{
	/* TRANSLATORS: the keys' names (?, :, q) stay as they are. */
	const char *hint = _("? help  : command  q quit ");
	int hw = (int)text_width(hint);
	attr_t attr = a->status_error ? screen_attr(PAIR_ERROR, A_BOLD) :
	    A_NORMAL;

	screen_text(rows - 2, 0, cols - hw, a->status != NULL ? a->status : "",
	    attr);
	screen_text(rows - 2, cols - hw, hw, hint, screen_attr(PAIR_DIM,
	    A_NORMAL));
}

/* The bottom line: an input field with its label, or the filter in use. */
static void
draw_bottom(struct app *a, int rows, int cols)
{
	struct listview *lv = app_focused_list(a);
	struct field_view v;
	const char *label = "";
	int lw, y = rows - 1;

	switch (a->mode) {
	case MODE_COMMAND:
		label = ":";
		break;
	case MODE_FILTER:
		label = "/";
		break;
	case MODE_PROMPT:
		label = a->prompt;
		break;
	case MODE_COMPOSE:
		/* The field is in the main area; here, how to get out. */
		screen_text(y, 0, cols, _("writing a message: Esc leaves the "
		    "field, Tab the sidebar"), screen_attr(PAIR_DIM,
		    A_NORMAL));
		return;
	default:
		if (lv->filter != NULL && *lv->filter != '\0') {
			char *s;

			xasprintf(&s, _("filter: %s  (/ to change, Esc to "
			    "clear)"), lv->filter);
			screen_text(y, 0, cols, s, A_NORMAL);
			free(s);
		} else
			screen_clear(y, 0, 1, cols);
		return;
	}
	lw = (int)text_width(label);
	screen_text(y, 0, lw, label, A_BOLD);
	field_layout(&a->input, (size_t)(cols - lw), &v);
	screen_clear(y, lw, 1, cols - lw);
	move(y, lw);
	if (a->input.secret) {
		for (size_t i = 0; i < v.cols; i++)
			addch('*');
	} else
		addnstr(a->input.text + v.start, (int)v.len);
	move(y, lw + (int)v.cursor_col);
}

static void
draw_too_small(struct app *a, int rows, int cols)
{
	char line[96];
	int y = rows / 2 - 1;

	erase();
	snprintf(line, sizeof line, _("Terminal too small: %dx%d."), cols,
	    rows);
	screen_text(y < 0 ? 0 : y, 0, cols, line, A_BOLD);
	snprintf(line, sizeof line, _("agora needs at least %dx%d."),
	    APP_MIN_COLS, APP_MIN_LINES);
	if (y + 1 < rows)
		screen_text(y + 1, 0, cols, line, A_NORMAL);
	if (y + 2 < rows)
		screen_text(y + 2, 0, cols, _("Enlarge the window, or press q "
		    "to quit."), A_NORMAL);
	a->too_small = 1;
	curs_set(0);
}

/* A box in the middle of the screen; returns its inner width. */
static int
draw_box(int rows, int cols, int h, int w, int *y, int *x, const char *title)
{
	*y = (rows - h) / 2;
	*x = (cols - w) / 2;
	screen_clear(*y, *x, h, w);
	draw_border(*y, *x, h, w);
	border_title(*y, *x + 1, w - 2, title, 1);
	return w - 4;
}

static void
draw_help(struct app *a, int rows, int cols)
{
	struct keyhelp kh[A_COUNT];
	size_t n = keymap_help(app_help_context(a), kh, A_COUNT), ncmd = 0;
	const char *args, *text;
	int w = cols - 8 > 76 ? 76 : cols - 8, h = rows - 6, y, x, inner, line;
	char *title, *s;

	while (command_help(ncmd, &args) != NULL)
		ncmd++;
	xasprintf(&title, _("Keys: %s"), view_title(a, a->view));
	inner = draw_box(rows, cols, h, w, &y, &x, title);
	free(title);
	if (a->help_top > n + ncmd + 1)
		a->help_top = n + ncmd + 1;
	line = 0;
	for (size_t i = a->help_top; i < n + ncmd + 1 && line < h - 3; i++) {
		if (i < n)
			xasprintf(&s, "%-18s %s", kh[i].keys, kh[i].text);
		else if (i == n)
			s = xstrdup(_("Commands (after :)"));
		else {
			text = command_help(i - n - 1, &args);
			xasprintf(&s, ":%-17s %s", args, text);
		}
		screen_text(y + 1 + line++, x + 2, inner, s, i == n ? A_BOLD :
		    A_NORMAL);
		free(s);
	}
	screen_text(y + h - 2, x + 2, inner, _("Esc, q or ? closes; j and k "
	    "scroll"), screen_attr(PAIR_DIM, A_NORMAL));
}

static void
draw_dialog(struct app *a, int rows, int cols)
{
	int w = cols - 8 > 72 ? 72 : cols - 8, h = 0, y, x, inner;
	const char *p;
	size_t n;

	/* Count the lines first, to size the box. */
	for (p = a->dialog; *p != '\0'; h++) {
		n = text_wrap(p, (size_t)(w - 4));
		p += n;
		if (*p == ' ' || *p == '\n')
			p++;
	}
	h += 4;
	inner = draw_box(rows, cols, h, w, &y, &x, _("Question"));
	view_wrap(a->dialog, y + 1, x + 2, inner, h - 4, A_NORMAL);
	/* TRANSLATORS: y and n are the keys, whatever the language. */
	screen_text(y + h - 2, x + 2, inner, _("[y] yes    [n] no"), A_BOLD);
}

void
screen_draw(struct app *a)
{
	unsigned d = a->model.dirty;
	int rows, cols, sw;

	getmaxyx(stdscr, rows, cols);
	if (rows < APP_MIN_LINES || cols < APP_MIN_COLS) {
		draw_too_small(a, rows, cols);
		a->model.dirty = DIRTY_ALL;
		refresh();
		return;
	}
	if (a->too_small) {
		a->too_small = 0;
		d = DIRTY_ALL;
	}
	if (a->mode == MODE_HELP || a->mode == MODE_DIALOG)
		d = DIRTY_ALL;		/* overlays cover everything */
	if (d == 0)
		return;
	sw = sidebar_width(cols);
	if (d == DIRTY_ALL)
		erase();
	if (d & DIRTY_HEADER)
		draw_header(a, cols);
	/* The frame's titles change with the view and the focus, which
	   dirty both panes; a move in one list leaves the frame alone. */
	if ((d & (DIRTY_SIDEBAR | DIRTY_MAIN)) == (DIRTY_SIDEBAR | DIRTY_MAIN))
		draw_frame(a, rows, cols);
	if (d & DIRTY_SIDEBAR)
		sidebar_draw(a, 2, 1, rows - 5, sw - 1);
	if (a->mode == MODE_PROMPT && picker_on(a))
		d |= DIRTY_MAIN;	/* the people offered go over it */
	if (d & DIRTY_MAIN)
		view_draw_main(a, 2, sw + 1, rows - 5, cols - sw - 2);
	if (a->mode == MODE_PROMPT && picker_on(a))
		picker_draw(a, 2, sw + 1, rows - 5, cols - sw - 2);
	if (d & DIRTY_STATUS)
		draw_status(a, rows, cols);
	if (a->mode == MODE_HELP)
		draw_help(a, rows, cols);
	else if (a->mode == MODE_DIALOG)
		draw_dialog(a, rows, cols);
	draw_bottom(a, rows, cols);
	if (a->mode == MODE_COMPOSE)
		move(a->cursor_y, a->cursor_x);
	curs_set(a->mode == MODE_COMMAND || a->mode == MODE_FILTER ||
	    a->mode == MODE_PROMPT || a->mode == MODE_COMPOSE);
	a->model.dirty = 0;
	refresh();
}
