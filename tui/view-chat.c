/*
 * The conversation view, one for a private conversation and a space's
 * discussion: the history (sender, time, the body wrapped, a "new" line
 * before the first message not read when it opened), and the message
 * field under it.
 *
 * The history is laid out in rows for the width at hand at every draw.
 * Where it is scrolled to is kept as a message and a row in it, not as a
 * row number, so that older messages loaded above and new ones arriving
 * below leave the rows on screen where they are; at the newest it stays
 * there as messages arrive. What the user has seen, with the view
 * focused, is marked read (MSG.READ up to the last message shown).
 *
 * What is typed is never lost: a message that fails, or whose answer
 * the dropped connection took, comes back into its field, and the field
 * of a conversation left for another is kept as a draft.
 */
#include <curses.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "buf.h"
#include "client.h"
#include "proto.h"
#include "screen.h"
#include "str.h"
#include "text.h"
#include "xmalloc.h"

/* What was typed to a conversation not on screen, or sent to one. */
struct draft {
	enum chat_kind	 kind;
	int64_t		 peer;
	char		*text;
};

/* Where the history is scrolled to. */
struct chat_scroll {
	int		 follow;	/* at the newest, staying there */
	int		 to_top;	/* at the oldest, loading older ones
					   until there are no more */
	int64_t		 msg;		/* else: the message at the top... */
	int		 row;		/* ... and its row there (-1: the
					   "new" line above it) */
	int		 at_top;	/* the oldest loaded shows */
	int64_t		 last_shown;	/* the newest message on screen */
	int		 cols;		/* the history's size, last drawn */
	int		 rows;
};

/* What the view keeps. */
struct chat_view {
	struct field	 compose;	/* the open conversation's */
	char		*compose_note;	/* over it: why it is back */
	struct draft	*drafts;
	size_t		 ndrafts;
	struct chat_scroll scroll;
};

static struct chat_view *
ch(struct app *a)
{
	return a->vstate[VIEW_CHAT];
}

/* The message field grows to this many rows, then scrolls. */
#define CHAT_FIELD_ROWS	6
/* Bodies are indented under their sender. */
#define CHAT_INDENT	2

enum row_kind {
	ROW_TOP,		/* older messages, or the beginning */
	ROW_NEW,		/* the "new" line */
	ROW_HEAD,		/* sender and time */
	ROW_BODY
};

struct row {
	enum row_kind	 kind;
	size_t		 msg;		/* index in chat.msgs */
	size_t		 off;		/* ROW_BODY: bytes of safe[msg] */
	size_t		 len;
};

/* The history in rows: safe[] are the bodies as they may be drawn. */
struct layout {
	struct row	*rows;
	size_t		 nrows;
	size_t		*start;		/* each message's first row */
	char		**safe;
	size_t		 nmsgs;
};

static void
layout_add(struct layout *l, enum row_kind kind, size_t msg, size_t off,
    size_t len)
{
	if ((l->nrows & (l->nrows - 1)) == 0)
		l->rows = xreallocarray(l->rows, l->nrows == 0 ? 1 :
		    l->nrows * 2, sizeof *l->rows);
	l->rows[l->nrows++] = (struct row){ kind, msg, off, len };
}

/*
 * A body as it may be drawn: tabs as spaces (a tab would move the
 * cursor), then sanitised keeping the line feeds, so no control
 * character or escape sequence in it reaches the terminal.
 */
static char *
body_safe(const char *body)
{
	struct buf *b = buf_new(0);
	char *safe;

	for (const char *p = body; *p != '\0'; p++) {
		if (*p == '\t')
			buf_add_str(b, "    ");
		else
			buf_add_char(b, *p);
	}
	safe = text_sanitize(buf_cstr(b), buf_len(b), TEXT_MULTILINE);
	buf_free(b);
	return safe;
}

static void
layout_build(struct app *a, int cols, struct layout *l)
{
	struct chat *c = &a->model.chat;
	size_t n, w = cols > CHAT_INDENT + 1 ? (size_t)(cols - CHAT_INDENT) : 1;
	const char *p;

	memset(l, 0, sizeof *l);
	l->nmsgs = c->nmsgs;
	l->start = xcalloc(c->nmsgs + 1, sizeof *l->start);
	l->safe = xcalloc(c->nmsgs + 1, sizeof *l->safe);
	layout_add(l, ROW_TOP, 0, 0, 0);
	for (size_t i = 0; i < c->nmsgs; i++) {
		l->start[i] = l->nrows;
		if (c->msgs[i].id == c->first_unread)
			layout_add(l, ROW_NEW, i, 0, 0);
		layout_add(l, ROW_HEAD, i, 0, 0);
		l->safe[i] = body_safe(c->msgs[i].body);
		p = l->safe[i];
		do {
			n = text_wrap(p, w);
			layout_add(l, ROW_BODY, i, (size_t)(p - l->safe[i]), n);
			p += n;
			if (*p == ' ' || *p == '\n')
				p++;
		} while (*p != '\0');
	}
}

static void
layout_free(struct layout *l)
{
	for (size_t i = 0; i < l->nmsgs; i++)
		free(l->safe[i]);
	free(l->safe);
	free(l->start);
	free(l->rows);
}

/* The last top row that still fills the window. */
static size_t
layout_max_top(const struct layout *l, int height)
{
	return l->nrows > (size_t)height ? l->nrows - (size_t)height : 0;
}

/* The row at the top of the window, from where it is scrolled to. */
static size_t
layout_top(struct app *a, const struct layout *l, int height)
{
	struct chat *c = &a->model.chat;
	size_t max = layout_max_top(l, height), i;
	long top;

	if (ch(a)->scroll.to_top)
		return 0;
	if (ch(a)->scroll.follow || c->nmsgs == 0)
		return max;
	for (i = 0; i < c->nmsgs && c->msgs[i].id < ch(a)->scroll.msg; i++)
		;
	if (i == c->nmsgs)
		return max;
	top = (long)l->start[i] + ch(a)->scroll.row;
	return top < 0 ? 0 : (size_t)top > max ? max : (size_t)top;
}

/* Scrolled so that row top is at the top of the window. */
static void
layout_anchor(struct app *a, const struct layout *l, size_t top, int height)
{
	struct chat *c = &a->model.chat;
	size_t i = 0;

	if (top >= layout_max_top(l, height) || c->nmsgs == 0) {
		ch(a)->scroll.follow = 1;
		return;
	}
	ch(a)->scroll.follow = 0;
	/* The message whose rows hold top; rows above the first message
	   count back from it. */
	while (i + 1 < c->nmsgs && l->start[i + 1] <= top)
		i++;
	ch(a)->scroll.msg = c->msgs[i].id;
	ch(a)->scroll.row = (int)((long)top - (long)l->start[i]);
}

static const char *
chat_title(struct app *a)
{
	struct chat *c = &a->model.chat;
	static char *title;
	struct contact *ct;
	struct space *sp;

	free(title);
	title = NULL;
	if (c->kind == CHAT_SPACE && (sp = model_space(&a->model, c->peer)) !=
	    NULL)
		xasprintf(&title, _("%s \u00b7 discussion"), sp->title);
	else if (c->kind == CHAT_DIRECT && (ct = model_contact(&a->model,
	    c->peer)) != NULL)
		title = xstrdup(ct->name);
	else {
		/* Not a contact (a shared space): the name they sign with. */
		for (size_t i = 0; i < c->nmsgs && title == NULL; i++)
			if (c->msgs[i].from == c->peer)
				title = xstrdup(c->msgs[i].name);
	}
	return title != NULL ? title : _("Conversation");
}

/* Requests ------------------------------------------------------------- */

static void chat_unsent(struct app *, enum chat_kind, int64_t, const char *,
    const char *);

/* A MSG.SEND or MSG.READ on its way: whose, and the body sent (a draft
   of the conversation it goes to). */
static struct draft *
chat_req(const struct chat *c, const char *text)
{
	struct draft *q = xmalloc(sizeof *q);

	*q = (struct draft){ c->kind, c->peer, text != NULL ? xstrdup(text) :
	    NULL };
	return q;
}

static void
chat_req_free(struct draft *q)
{
	free(q->text);
	free(q);
}

/* The key naming the open conversation in MSG.*: with= or space=. */
static const char *
chat_key(enum chat_kind kind)
{
	return kind == CHAT_SPACE ? "space" : "with";
}

static void
conversations_reply(struct app *a, const struct client_reply *r, void *arg)
{
	if (r != NULL)
		link_loaded(a, r, _("conversations"), r->ok ?
		    model_conversations(&a->model, r->data, r->ndata) : 0);
}

static void
chat_page_reply(struct app *a, const struct client_reply *r, void *arg)
{
	struct chat *c = &a->model.chat;

	if (r == NULL || (unsigned)(uintptr_t)arg != c->gen)
		return;		/* another conversation since */
	c->loading = 0;
	if (!r->ok || model_chat_page(&a->model, r->data, r->ndata,
	    r->line) != 0)
		app_status(a, 1, _("messages: %s"), r->ok ?
		    _("unreadable reply") : link_error(r));
	a->model.dirty |= DIRTY_MAIN;
}

/* MSG.LIST of the open conversation: the newest page, or (older) the
   page before the oldest loaded. */
static void
chat_load(struct app *a, int older)
{
	struct chat *c = &a->model.chat;
	char peer[STR_I64_LEN], before[STR_I64_LEN];

	if (c->kind == CHAT_NONE || c->loading || a->state != LINK_ONLINE ||
	    (older && (!c->loaded || !c->more || c->nmsgs == 0)))
		return;
	if (link_request(a, "MSG.LIST", chat_page_reply,
	    (void *)(uintptr_t)c->gen, chat_key(c->kind), str_i64(peer,
	    c->peer), "before", older ? str_i64(before, c->msgs[0].id) : NULL,
	    NULL) == 0)
		c->loading = 1;
}

/* Not sent, or no answer (the connection dropped): the text comes back
   to send again. */
static void
chat_send_reply(struct app *a, const struct client_reply *r, void *arg)
{
	struct draft *q = arg;

	if (r == NULL)
		chat_unsent(a, q->kind, q->peer, q->text, _("the connection "
		    "dropped before the server answered"));
	else if (!r->ok)
		chat_unsent(a, q->kind, q->peer, q->text, link_error(r));
	else
		app_status(a, 0, _("sent"));
	chat_req_free(q);
}

/* MSG.SEND of body to the open conversation; 0, or -1 (not sent, and
   the status line says why). */
static int
chat_send(struct app *a, const char *body)
{
	struct chat *c = &a->model.chat;
	struct draft *q;
	char peer[STR_I64_LEN];

	if (a->state != LINK_ONLINE) {
		app_status(a, 1, _("not connected: the message stays in the "
		    "field; Enter sends it once online"));
		return -1;
	}
	q = chat_req(c, body);
	if (link_change(a, "MSG.SEND", chat_send_reply, q, c->kind ==
	    CHAT_SPACE ? "space" : "to", str_i64(peer, c->peer), "body", body,
	    NULL) != 0) {
		chat_req_free(q);
		app_status(a, 1, _("busy: the message stays in the field; try "
		    "again in a moment"));
		return -1;
	}
	return 0;
}

static void
chat_read_reply(struct app *a, const struct client_reply *r, void *arg)
{
	struct draft *q = arg;
	int64_t unread = r != NULL ? link_reply_i64(r, "unread") : -1;

	if (r != NULL && r->ok && unread >= 0)
		model_unread(&a->model, q->kind, q->peer, (long)unread);
	else if (r != NULL && !r->ok)
		app_status(a, 1, _("marking read: %s"), link_error(r));
	chat_req_free(q);
}

/* MSG.READ of the open conversation up to upto. */
static void
chat_read(struct app *a, int64_t upto)
{
	struct chat *c = &a->model.chat;
	struct draft *q;
	char peer[STR_I64_LEN], id[STR_I64_LEN];

	if (a->state != LINK_ONLINE)
		return;
	q = chat_req(c, NULL);
	if (link_request(a, "MSG.READ", chat_read_reply, q, chat_key(c->kind),
	    str_i64(peer, c->peer), "upto", str_i64(id, upto), NULL) == 0)
		c->read_upto = upto;
	else
		chat_req_free(q);
}

/* Drafts ---------------------------------------------------------------- */

static struct draft *
draft_find(struct app *a, enum chat_kind kind, int64_t peer)
{
	struct chat_view *c = ch(a);

	for (size_t i = 0; i < c->ndrafts; i++)
		if (c->drafts[i].kind == kind && c->drafts[i].peer == peer)
			return &c->drafts[i];
	return NULL;
}

/* text, then what is already there after a line feed: both kept. */
static char *
draft_join(const char *text, const char *already)
{
	char *s;

	if (*already == '\0')
		return xstrdup(text);
	xasprintf(&s, "%s\n%s", text, already);
	return s;
}

/* Keeps text as the draft of (kind, peer), before any draft there. */
static void
draft_keep(struct app *a, enum chat_kind kind, int64_t peer, const char *text)
{
	struct draft *d = draft_find(a, kind, peer);
	char *s;

	if (*text == '\0')
		return;
	if (d == NULL) {
		ch(a)->drafts = xreallocarray(ch(a)->drafts, ch(a)->ndrafts + 1,
		    sizeof *d);
		d = &ch(a)->drafts[ch(a)->ndrafts++];
		*d = (struct draft){ kind, peer, xstrdup("") };
	}
	s = draft_join(text, d->text);
	free(d->text);
	d->text = s;
}

/* The field: to the end of the text, on its last row. */
static void
compose_set(struct app *a, const char *text)
{
	field_set(&ch(a)->compose, text);
	a->model.dirty |= DIRTY_MAIN;
}

static void
compose_start(struct app *a)
{
	a->mode = MODE_COMPOSE;
	a->focus = PANE_MAIN;
	a->model.dirty |= DIRTY_ALL;
}

void
chat_open(struct app *a, enum chat_kind kind, int64_t peer)
{
	struct chat *c = &a->model.chat;
	struct draft *d;

	if (c->kind != kind || c->peer != peer) {
		if (c->kind != CHAT_NONE)
			draft_keep(a, c->kind, c->peer, ch(a)->compose.text);
		field_clear(&ch(a)->compose);
		free(ch(a)->compose_note);
		ch(a)->compose_note = NULL;
		model_chat_open(&a->model, kind, peer);
		if ((d = draft_find(a, kind, peer)) != NULL) {
			compose_set(a, d->text);
			free(d->text);
			*d = ch(a)->drafts[--ch(a)->ndrafts];
		}
		memset(&ch(a)->scroll, 0, sizeof ch(a)->scroll);
		ch(a)->scroll.follow = 1;
		chat_load(a, 0);
	}
	app_set_view(a, VIEW_CHAT);
	compose_start(a);
}

/* A message that did not go: its text back into its field. */
static void
chat_unsent(struct app *a, enum chat_kind kind, int64_t peer,
    const char *text, const char *why)
{
	struct chat *c = &a->model.chat;
	char *s;

	if (c->kind == kind && c->peer == peer) {
		s = draft_join(text, ch(a)->compose.text);
		compose_set(a, s);
		free(s);
		free(ch(a)->compose_note);
		/* What to do first: the reason may be cut. */
		xasprintf(&ch(a)->compose_note, _("not sent, back here (Enter "
		    "tries again): %s"), why);
	} else
		draft_keep(a, kind, peer, text);
	app_status(a, 1, _("message not sent: %s"), why);
}

static void
chat_view_init(struct app *a)
{
	field_init(&ch(a)->compose, APP_COMPOSE_MAX);
	ch(a)->compose.multiline = 1;
}

static void
chat_view_free(struct app *a)
{
	struct chat_view *c = ch(a);

	for (size_t i = 0; i < c->ndrafts; i++)
		free(c->drafts[i].text);
	free(c->drafts);
	free(c->compose_note);
	field_free(&c->compose);
}

/* After logging in: the unread counts, and what was on its way for the
   open conversation went with the old connection. */
static void
chat_view_load(struct app *a, int all)
{
	if (!all)
		return;
	if (a->state == LINK_ONLINE)
		link_request(a, "CONV.LIST", conversations_reply, NULL, NULL);
	if (a->model.chat.kind != CHAT_NONE) {
		a->model.chat.loading = 0;
		if (!a->model.chat.loaded)
			chat_load(a, 0);
	}
}

struct field *
chat_field(struct app *a)
{
	return &ch(a)->compose;
}

static void
chat_sync(struct app *a)
{
	struct chat *c = &a->model.chat;

	if (c->kind != CHAT_SPACE || model_space(&a->model, c->peer) != NULL ||
	    a->model.spaces_stale)
		return;
	/* Its space is gone (deleted, revoked): so is the discussion. */
	draft_keep(a, c->kind, c->peer, ch(a)->compose.text);
	field_clear(&ch(a)->compose);
	model_chat_close(&a->model);
	if (a->view == VIEW_CHAT) {
		if (a->mode == MODE_COMPOSE)
			a->mode = MODE_NORMAL;
		app_status(a, 1, _("the space is no longer available to you"));
		app_set_view(a, VIEW_SPACES);
	}
}

/* Drawing --------------------------------------------------------------- */

/* "14:05" today, else "23 Nov 14:05". */
static void
when(char *buf, size_t size, int64_t at)
{
	time_t t = (time_t)at, now = time(NULL);
	struct tm tm, today;

	localtime_r(&t, &tm);
	localtime_r(&now, &today);
	if (tm.tm_year == today.tm_year && tm.tm_yday == today.tm_yday)
		strftime(buf, size, "%H:%M", &tm);
	else
		/* TRANSLATORS: a message's day and time, for strftime(3):
		   the day, the month's short name, the time. */
		strftime(buf, size, _("%d %b %H:%M"), &tm);
}

static void
draw_row(struct app *a, const struct layout *l, size_t r, int y, int x,
    int w)
{
	struct chat *c = &a->model.chat;
	const struct row *row = &l->rows[r];
	const struct message *msg = &c->msgs[row->msg];
	attr_t dim = screen_attr(PAIR_DIM, A_DIM);
	char time[32], *s, *name;
	int nw;

	switch (row->kind) {
	case ROW_TOP:
		screen_text(y, x, w, !c->loaded ? _("loading...") :
		    c->loading ? _("loading older messages...") : c->more ?
		    _("older messages: scroll up to see them") : c->nmsgs == 0 ?
		    _("No messages yet: write the first one below.") :
		    _("the beginning of the conversation"), dim);
		break;
	case ROW_NEW:
		attron(screen_attr(PAIR_ERROR, A_BOLD));
		mvhline(y, x, ACS_HLINE, w);
		attroff(screen_attr(PAIR_ERROR, A_BOLD));
		screen_text(y, x + 2, (int)text_width(_(" new ")), _(" new "),
		    screen_attr(PAIR_ERROR, A_BOLD));
		break;
	case ROW_HEAD:
		when(time, sizeof time, msg->at);
		name = text_sanitize(msg->name, strlen(msg->name), 0);
		nw = (int)text_width(name) < w - 14 ? (int)text_width(name) :
		    w - 14;
		screen_text(y, x, w, "", A_NORMAL);
		/* Our own messages are set apart from the others'. */
		screen_text(y, x, nw, name, A_BOLD | (msg->from ==
		    a->model.user ? screen_attr(PAIR_DIM, A_NORMAL) :
		    A_NORMAL));
		screen_text(y, x + nw + 2, w - nw - 2, time, dim);
		free(name);
		break;
	case ROW_BODY:
		s = xstrndup(l->safe[row->msg] + row->off, row->len);
		screen_text(y, x, CHAT_INDENT, "", A_NORMAL);
		screen_text(y, x + CHAT_INDENT, w - CHAT_INDENT, s, A_NORMAL);
		free(s);
		break;
	}
}

/* The line over the field: who it goes to, the keys, or trouble. */
static void
draw_compose_bar(struct app *a, int y, int x, int w)
{
	size_t len = ch(a)->compose.len;
	char *s;

	mvhline(y, x, ACS_HLINE, w);
	if (len > PROTO_MESSAGE_MAX)
		xasprintf(&s, _(" %zu bytes: %zu over the limit of %d; shorten "
		    "it "), len, len - PROTO_MESSAGE_MAX, PROTO_MESSAGE_MAX);
	else if (ch(a)->compose_note != NULL)
		xasprintf(&s, " %s ", ch(a)->compose_note);
	else if (a->mode == MODE_COMPOSE)
		s = xstrdup(_(" Enter sends \u00b7 C-j new line \u00b7 Esc "
		    "leaves the field "));
	else if (!ch(a)->scroll.follow)
		s = xstrdup(_(" G: the newest \u00b7 Enter writes "));
	else
		s = xstrdup(_(" Enter writes a message "));
	screen_text(y, x + 1, (int)text_width(s) < w - 2 ? (int)text_width(s) :
	    w - 2, s, len > PROTO_MESSAGE_MAX || ch(a)->compose_note != NULL ?
	    screen_attr(PAIR_ERROR, A_BOLD) : screen_attr(PAIR_DIM,
	    A_NORMAL));
	free(s);
}

/* The field's rows that show, the cursor's among them. */
static void
draw_compose(struct app *a, int y, int x, int h, int w)
{
	struct field_row *rows;
	size_t n, crow, ccol, first;
	int shown;

	rows = field_rows(&ch(a)->compose, (size_t)w, &n, &crow, &ccol);
	shown = n < CHAT_FIELD_ROWS ? (int)n : CHAT_FIELD_ROWS;
	if (shown > h)
		shown = h;
	first = crow >= (size_t)shown ? crow - (size_t)shown + 1 : 0;
	for (int r = 0; r < shown; r++) {
		screen_clear(y + r, x, 1, w);
		move(y + r, x);
		addnstr(ch(a)->compose.text + rows[first + (size_t)r].start,
		    (int)rows[first + (size_t)r].len);
	}
	if (ch(a)->compose.len == 0 && a->mode != MODE_COMPOSE)
		screen_text(y, x, w, _("(Enter or i to write)"), screen_attr(
		    PAIR_DIM, A_DIM));
	a->cursor_y = y + (int)(crow - first);
	a->cursor_x = x + (int)ccol;
	free(rows);
}

static void
chat_draw(struct app *a, int y, int x, int h, int w)
{
	struct chat *c = &a->model.chat;
	struct field_row *rows;
	struct layout l;
	size_t n, crow, ccol, top;
	int fh, hh, below;

	if (c->kind == CHAT_NONE) {
		view_empty(y, x, w, _("No conversation is open."));
		return;
	}
	/* The field's height first: the history gets the rest. */
	rows = field_rows(&ch(a)->compose, (size_t)w, &n, &crow, &ccol);
	free(rows);
	fh = n < CHAT_FIELD_ROWS ? (int)n : CHAT_FIELD_ROWS;
	hh = h - fh - 1;
	if (hh < 1)
		hh = 1;
	layout_build(a, w, &l);
	top = layout_top(a, &l, hh);
	ch(a)->scroll.cols = w;
	ch(a)->scroll.rows = hh;
	ch(a)->scroll.at_top = top == 0;
	ch(a)->scroll.last_shown = 0;
	/* A short history sits on the field, as the newest always does. */
	below = l.nrows < (size_t)hh ? hh - (int)l.nrows : 0;
	for (size_t r = top; r < l.nrows && r < top + (size_t)hh; r++) {
		draw_row(a, &l, r, y + below + (int)(r - top), x, w);
		if (l.rows[r].kind != ROW_TOP)
			ch(a)->scroll.last_shown = c->msgs[l.rows[r].msg].id;
	}
	layout_free(&l);
	draw_compose_bar(a, y + hh, x, w);
	draw_compose(a, y + hh + 1, x, h - hh - 1, w);
}

/* After a draw: read marks and older messages -------------------------- */

void
chat_after_draw(struct app *a)
{
	struct chat *c = &a->model.chat;
	int focused;

	/* Not on screen (or the terminal too small to show it): nothing
	   is being read. */
	if (a->view != VIEW_CHAT || c->kind == CHAT_NONE || a->too_small) {
		c->reading = 0;
		return;
	}
	focused = a->focus == PANE_MAIN && (a->mode == MODE_NORMAL ||
	    a->mode == MODE_COMPOSE);
	c->reading = focused && ch(a)->scroll.follow && c->loaded;
	if (focused && c->loaded && ch(a)->scroll.last_shown > c->read_upto)
		chat_read(a, ch(a)->scroll.last_shown);
	/* The oldest loaded shows: the page before it. */
	if (ch(a)->scroll.at_top && c->loaded && c->more && !c->loading)
		chat_load(a, 1);
}

/* Keys ------------------------------------------------------------------ */

static void
chat_compose(struct app *a, enum action act)
{
	compose_start(a);
}

/* The list keys scroll the history. */
static void
chat_scroll(struct app *a, enum action act)
{
	struct layout l;
	size_t top, step;
	int h = ch(a)->scroll.rows > 0 ? ch(a)->scroll.rows : 1;

	if (ch(a)->scroll.cols == 0)
		return;		/* not drawn yet */
	layout_build(a, ch(a)->scroll.cols, &l);
	top = layout_top(a, &l, h);
	if (act == A_FIRST || act == A_LAST)
		top = act == A_FIRST ? 0 : layout_max_top(&l, h);
	else {
		/* A row, or a page (a row of it stays on screen). */
		step = act == A_UP || act == A_DOWN || h == 1 ? 1 :
		    (size_t)(h - 1);
		if (act == A_UP || act == A_PAGE_UP)
			top = top > step ? top - step : 0;
		else
			top += step;
	}
	layout_anchor(a, &l, top, h);
	/* g goes to the very first message, however many pages away. */
	ch(a)->scroll.to_top = act == A_FIRST;
	if (ch(a)->scroll.to_top)
		ch(a)->scroll.follow = 0;
	layout_free(&l);
	a->model.dirty |= DIRTY_MAIN;
}

static void
compose_send(struct app *a, enum action act)
{
	const char *t = ch(a)->compose.text;

	a->model.dirty |= DIRTY_MAIN | DIRTY_STATUS;
	if (t[strspn(t, " \t\n")] == '\0') {
		app_status(a, 1, _("nothing to send"));
		return;
	}
	if (ch(a)->compose.len > PROTO_MESSAGE_MAX) {
		app_status(a, 1, _("not sent: the message is %zu bytes, and at "
		    "most %d go in one; shorten it"), ch(a)->compose.len,
		    PROTO_MESSAGE_MAX);
		return;
	}
	if (a->model.chat.kind == CHAT_NONE || chat_send(a, t) != 0)
		return;		/* the text stays, the status says why */
	field_clear(&ch(a)->compose);
	free(ch(a)->compose_note);
	ch(a)->compose_note = NULL;
	ch(a)->scroll.follow = 1;	/* to see it arrive */
	ch(a)->scroll.to_top = 0;
	app_status(a, 0, _("sending..."));
}

/* The message field's own keys. */
static void
compose_action(struct app *a, enum action act)
{
	a->model.dirty |= DIRTY_MAIN | DIRTY_STATUS;
	switch (act) {
	case A_NEWLINE:
		if (field_insert(&ch(a)->compose, '\n') != 0)
			beep();
		break;
	case A_LEAVE:
	case A_NEXT_PANE:
		a->mode = MODE_NORMAL;
		if (act == A_NEXT_PANE)
			a->focus = PANE_SIDEBAR;
		a->model.dirty |= DIRTY_ALL;
		break;
	case A_EDIT_UP:
	case A_EDIT_DOWN:
		if (ch(a)->scroll.cols >= 2)
			field_move_row(&ch(a)->compose,
			    (size_t)ch(a)->scroll.cols, act == A_EDIT_UP ?
			    -1 : 1);
		break;
	default:
		break;
	}
}

void
chat_compose_insert(struct app *a, int key)
{
	a->model.dirty |= DIRTY_MAIN | DIRTY_STATUS;
	if (key >= KEYMAP_FN || field_insert(&ch(a)->compose,
	    (wchar_t)key) != 0)
		beep();
}

static const struct view_action chat_actions[] = {
	{ A_COMPOSE, A_COMPOSE, chat_compose },
	{ A_UP, A_LAST, chat_scroll },
	{ A_SEND, A_SEND, compose_send },
	{ A_NEWLINE, A_EDIT_DOWN, compose_action },
	{ A_NEXT_PANE, A_NEXT_PANE, compose_action },
	{ A_NONE, A_NONE, NULL }
};

/* The sidebar's row of the conversation: the contact, or the space. */
static int
chat_shows(struct app *a, const struct side_entry *e)
{
	const struct chat *c = &a->model.chat;

	if (c->kind == CHAT_SPACE)
		return e->view == VIEW_SPACE && e->space == c->peer;
	return e->user != 0 && e->user == c->peer;
}

const struct view_ops view_chat = {
	.title = N_("Conversation"),
	.where = KM_CHAT,
	.section = "In a conversation, also",
	.title_of = chat_title,
	.state = sizeof (struct chat_view),
	.init = chat_view_init,
	.sync = chat_sync,
	.load = chat_view_load,
	.draw = chat_draw,
	.shows = chat_shows,
	.free = chat_view_free,
	.actions = chat_actions,
};
