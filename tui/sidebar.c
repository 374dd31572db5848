/*
 * The sidebar: the current workspace's own views, then the sections
 * SPACES (the user's spaces, live), NETWORKS (the spaces flagged as
 * business networks) and PROFESSIONAL CONTACTS (each contact once, with
 * an online mark and the messages they sent that are not read yet).
 * Its rows are rebuilt from the model after every change (sidebar_sync),
 * and the selection stays on the same entry.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "screen.h"
#include "xmalloc.h"

#define SIDE_NONE	_("none yet")
#define SIDE_NO_PLAN	_("needs a paid plan")

static void
side_add(struct app *a, enum view v, int header, int64_t space, int64_t user,
    const char *label)
{
	struct side_entry *e;

	/* Room doubles at each power of two. */
	if ((a->nside & (a->nside - 1)) == 0)
		a->side_entries = xreallocarray(a->side_entries, a->nside == 0 ?
		    1 : a->nside * 2, sizeof *a->side_entries);
	e = &a->side_entries[a->nside++];
	e->view = v;
	e->header = header;
	e->space = space;
	e->user = user;
	e->label = label;
}

static const char *
side_label(void *ctx, size_t i)
{
	struct app *a = ctx;
	const struct side_entry *e = &a->side_entries[i];
	struct workspace *w;
	struct contact *c;
	struct space *sp;

	if (e->label != NULL)
		return e->label;
	if (e->user != 0)
		return (c = model_contact(&a->model, e->user)) != NULL ?
		    c->name : "";
	if (e->view == VIEW_SPACE)
		return (sp = model_space(&a->model, e->space)) != NULL ?
		    sp->title : "";
	return (w = model_workspace(&a->model)) != NULL ? w->name :
	    _("WORKSPACE");
}

/* Two entries are the same entry: same view, space, contact and kind. */
static int
side_same(const struct side_entry *x, const struct side_entry *y)
{
	return x->view == y->view && x->space == y->space &&
	    x->user == y->user && x->header == y->header;
}

/* The spaces of one section: networks or not. */
static void
side_spaces(struct app *a, int network)
{
	struct model *m = &a->model;
	size_t n = 0;

	for (size_t i = 0; i < m->nspaces; i++) {
		if (m->spaces[i].network != network)
			continue;
		side_add(a, VIEW_SPACE, 0, m->spaces[i].id, 0, NULL);
		n++;
	}
	if (n == 0)
		side_add(a, network ? VIEW_NETWORKS : VIEW_SPACES, 0, 0, 0,
		    SIDE_NONE);
}

static void
side_contacts(struct app *a)
{
	struct model *m = &a->model;

	/* Free users may be in networks, but get no contacts: say why
	   rather than show an empty list. */
	if (m->contacts_state == CONTACTS_PLAN_REQUIRED) {
		side_add(a, VIEW_CONTACTS, 0, 0, 0, SIDE_NO_PLAN);
		return;
	}
	for (size_t i = 0; i < m->ncontacts; i++)
		side_add(a, VIEW_CHAT, 0, 0, m->contacts[i].user, NULL);
	if (m->ncontacts == 0)
		side_add(a, VIEW_CONTACTS, 0, 0, 0, SIDE_NONE);
}

void
sidebar_sync(struct app *a)
{
	size_t sel = listview_selected(&a->side), keep = (size_t)-1;
	struct side_entry was = { VIEW_OVERVIEW, 1, 0, 0, NULL };
	int had = sel != (size_t)-1 && sel < a->nside;

	if (had)
		was = a->side_entries[sel];
	a->nside = 0;
	free(a->side_entries);
	a->side_entries = NULL;
	side_add(a, VIEW_OVERVIEW, 1, 0, 0, NULL);
	side_add(a, VIEW_OVERVIEW, 0, 0, 0, _("Overview"));
	side_add(a, VIEW_ACTIVITY, 0, 0, 0, _("Activity"));
	side_add(a, VIEW_PEOPLE, 0, 0, 0, _("People"));
	side_add(a, VIEW_SPACES, 1, 0, 0, _("SPACES"));
	side_spaces(a, 0);
	side_add(a, VIEW_NETWORKS, 1, 0, 0, _("NETWORKS"));
	side_spaces(a, 1);
	side_add(a, VIEW_CONTACTS, 1, 0, 0, _("PROFESSIONAL CONTACTS"));
	side_contacts(a);
	for (size_t i = 0; had && i < a->nside; i++)
		if (side_same(&a->side_entries[i], &was))
			keep = i;
	listview_update(&a->side, a->nside, side_label, a, keep);
}

int64_t
sidebar_contact(const struct app *a)
{
	size_t i = listview_selected(&a->side);

	return i != (size_t)-1 ? a->side_entries[i].user : 0;
}

void
sidebar_open(struct app *a)
{
	size_t i = listview_selected(&a->side);
	const struct side_entry *e;

	if (i == (size_t)-1)
		return;
	e = &a->side_entries[i];
	if (e->user != 0)
		chat_open(a, CHAT_DIRECT, e->user);
	else if (e->view == VIEW_SPACE)
		space_show(a, e->space);
	else
		app_set_view(a, e->view);
	/* The conversation opens with its field ready (chat_open). */
	if (a->mode != MODE_COMPOSE)
		a->focus = PANE_MAIN;
	a->model.dirty |= DIRTY_SIDEBAR | DIRTY_MAIN;
}

/* Whether e is the row of what the main area shows: the view says;
   a list of its own is entered at its section's header. */
static int
side_shows(struct app *a, const struct side_entry *e)
{
	if (views[a->view]->shows != NULL)
		return views[a->view]->shows(a, e);
	return e->view == a->view && e->header;
}

void
sidebar_follow(struct app *a)
{
	size_t sel = listview_selected(&a->side);
	const struct side_entry *e;

	if (sel != (size_t)-1) {
		e = &a->side_entries[sel];
		/* Already on one of its entries. */
		if (side_shows(a, e) || (e->view == a->view &&
		    e->view != VIEW_SPACE && e->view != VIEW_CHAT))
			return;
	}
	for (size_t i = 0; i < a->nside; i++) {
		if (side_shows(a, &a->side_entries[i])) {
			listview_select_item(&a->side, i);
			return;
		}
	}
}

/* A space's marks in the sidebar: ⚠ for invitations pending 7 days or
   more, + for access requests waiting (both for those who can act). */
static void
side_marks(const struct space *sp, char *buf, size_t size)
{
	buf[0] = '\0';
	if (sp == NULL || strcmp(sp->role, "external") == 0)
		return;
	snprintf(buf, size, "%s%s%s", sp->overdue > 0 || sp->requests > 0 ?
	    " " : "", sp->overdue > 0 ? screen_symbol(SYM_WARNING) : "",
	    sp->requests > 0 ? "+" : "");
}

/* The right end of a contact's or a space's row: the messages not read
   yet, then the online mark. */
static int
side_right(const struct contact *c, const struct space *sp, int is_contact,
    int y, int x, int w, attr_t attr)
{
	long unread = c != NULL ? c->unread : sp != NULL ? sp->unread : 0;
	char num[24];
	int nw;

	if (unread == 0 && !is_contact)
		return 0;
	snprintf(num, sizeof num, unread > 999 ? " 999+" : unread > 0 ?
	    " %ld" : "", unread);
	nw = (int)strlen(num);
	if (nw + 2 > w)
		return 0;
	screen_text(y, x + w - nw - 2, nw, num, attr | A_BOLD);
	screen_text(y, x + w - 2, 2, c != NULL && c->online ? " " : "  ",
	    attr);
	if (c != NULL && c->online)
		screen_text(y, x + w - 1, 1, screen_symbol(SYM_ONLINE), attr |
		    screen_attr(PAIR_ONLINE, A_BOLD));
	return nw + 2;
}

void
sidebar_draw(struct app *a, int y, int x, int h, int w)
{
	struct listview *lv = &a->side;
	const struct side_entry *e;
	const struct contact *c;
	const struct space *sp;
	char marks[16], *s;
	attr_t attr;
	int rw, ry;

	listview_resize(lv, (size_t)h);
	screen_clear(y, x, h, w);
	for (size_t r = lv->top; r < lv->nrows && r < lv->top + (size_t)h;
	    r++) {
		e = &a->side_entries[listview_item(lv, r)];
		ry = y + (int)(r - lv->top);
		attr = r != lv->sel ? A_NORMAL : a->focus == PANE_SIDEBAR ?
		    A_REVERSE : A_BOLD;
		if (e->header)
			attr |= A_BOLD;
		else if (e->label != NULL && (strcmp(e->label, SIDE_NONE) ==
		    0 || strcmp(e->label, SIDE_NO_PLAN) == 0))
			attr |= screen_attr(PAIR_DIM, A_DIM);
		c = e->user != 0 ? model_contact(&a->model, e->user) : NULL;
		sp = e->user == 0 && e->view == VIEW_SPACE && !e->header ?
		    model_space(&a->model, e->space) : NULL;
		rw = side_right(c, sp, e->user != 0, ry, x, w, attr);
		side_marks(sp, marks, sizeof marks);
		xasprintf(&s, "%s%s%s%s", r == lv->sel ? ">" : " ",
		    e->header ? "" : "  ", side_label(a, listview_item(lv, r)),
		    marks);
		screen_text(ry, x, w - rw, s, attr);
		free(s);
	}
}
