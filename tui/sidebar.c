/*
 * The sidebar: the current workspace's own views, then the sections
 * SPACES (the user's spaces, live), NETWORKS and PROFESSIONAL CONTACTS.
 * Its rows are rebuilt from the model after every change (sidebar_sync),
 * and the selection stays on the same entry.
 */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "screen.h"
#include "xmalloc.h"

static void
side_add(struct app *a, size_t *cap, enum view v, int header, int64_t space,
    const char *label)
{
	struct side_entry *e;

	if (a->nside == *cap) {
		*cap = *cap == 0 ? 16 : *cap * 2;
		a->side_entries = xreallocarray(a->side_entries, *cap,
		    sizeof *a->side_entries);
	}
	e = &a->side_entries[a->nside++];
	e->view = v;
	e->header = header;
	e->space = space;
	e->label = label;
}

static const char *
side_label(void *ctx, size_t i)
{
	struct app *a = ctx;
	const struct side_entry *e = &a->side_entries[i];
	struct workspace *w;
	struct space *sp;

	if (e->label != NULL)
		return e->label;
	if (e->view == VIEW_SPACE)
		return (sp = model_space(&a->model, e->space)) != NULL ?
		    sp->title : "";
	return (w = model_workspace(&a->model)) != NULL ? w->name :
	    "WORKSPACE";
}

/* Two entries are the same entry: same view, same space, same kind. */
static int
side_same(const struct side_entry *x, const struct side_entry *y)
{
	return x->view == y->view && x->space == y->space &&
	    x->header == y->header;
}

void
sidebar_sync(struct app *a)
{
	size_t sel = listview_selected(&a->side), cap = 0, keep = (size_t)-1;
	struct side_entry was = { VIEW_OVERVIEW, 1, 0, NULL };
	int had = sel != (size_t)-1 && sel < a->nside;
	struct model *m = &a->model;

	if (had)
		was = a->side_entries[sel];
	a->nside = 0;
	cap = 0;
	free(a->side_entries);
	a->side_entries = NULL;
	side_add(a, &cap, VIEW_OVERVIEW, 1, 0, NULL);
	side_add(a, &cap, VIEW_OVERVIEW, 0, 0, "Overview");
	side_add(a, &cap, VIEW_ACTIVITY, 0, 0, "Activity");
	side_add(a, &cap, VIEW_PEOPLE, 0, 0, "People");
	side_add(a, &cap, VIEW_SPACES, 1, 0, "SPACES");
	for (size_t i = 0; i < m->nspaces; i++)
		side_add(a, &cap, VIEW_SPACE, 0, m->spaces[i].id, NULL);
	if (m->nspaces == 0)
		side_add(a, &cap, VIEW_SPACES, 0, 0, "none yet");
	side_add(a, &cap, VIEW_NETWORKS, 1, 0, "NETWORKS");
	side_add(a, &cap, VIEW_NETWORKS, 0, 0, "none yet");
	side_add(a, &cap, VIEW_CONTACTS, 1, 0, "PROFESSIONAL CONTACTS");
	side_add(a, &cap, VIEW_CONTACTS, 0, 0, "none yet");
	for (size_t i = 0; had && i < a->nside; i++)
		if (side_same(&a->side_entries[i], &was))
			keep = i;
	listview_update(&a->side, a->nside, side_label, a, keep);
}

void
sidebar_open(struct app *a)
{
	size_t i = listview_selected(&a->side);
	const struct side_entry *e;

	if (i == (size_t)-1)
		return;
	e = &a->side_entries[i];
	if (e->view == VIEW_SPACE)
		space_show(a, e->space);
	else
		app_set_view(a, e->view);
	a->focus = PANE_MAIN;
	a->model.dirty |= DIRTY_SIDEBAR | DIRTY_MAIN;
}

void
sidebar_follow(struct app *a)
{
	size_t sel = listview_selected(&a->side);
	const struct side_entry *e;

	if (sel != (size_t)-1 && a->side_entries[sel].view == a->view &&
	    (a->view != VIEW_SPACE || a->side_entries[sel].space == a->space))
		return;		/* already on one of its entries */
	for (size_t i = 0; i < a->nside; i++) {
		e = &a->side_entries[i];
		/* The workspace's own views are entries; the sections are
		   entered at their header. */
		if (e->view == a->view && (a->view == VIEW_SPACE ?
		    e->space == a->space : e->header == (a->view >= VIEW_SPACES))) {
			listview_select_item(&a->side, i);
			return;
		}
	}
}

/* A space's marks in the sidebar: ⚠ for invitations pending 7 days or
   more, + for access requests waiting (both for those who can act). */
static const char *
side_marks(struct app *a, const struct side_entry *e)
{
	struct space *sp;

	if (e->view != VIEW_SPACE ||
	    (sp = model_space(&a->model, e->space)) == NULL ||
	    strcmp(sp->role, "external") == 0)
		return "";
	if (sp->overdue > 0 && sp->requests > 0)
		return " \u26a0+";
	return sp->overdue > 0 ? " \u26a0" : sp->requests > 0 ? " +" : "";
}

void
sidebar_draw(struct app *a, int y, int x, int h, int w)
{
	struct listview *lv = &a->side;
	const struct side_entry *e;
	attr_t attr;
	char *s;

	listview_resize(lv, (size_t)h);
	screen_clear(y, x, h, w);
	for (size_t r = lv->top; r < lv->nrows && r < lv->top + (size_t)h;
	    r++) {
		e = &a->side_entries[listview_item(lv, r)];
		attr = r != lv->sel ? A_NORMAL : a->focus == PANE_SIDEBAR ?
		    A_REVERSE : A_BOLD;
		if (e->header)
			attr |= A_BOLD;
		else if (e->label != NULL && strcmp(e->label, "none yet") == 0)
			attr |= screen_attr(PAIR_DIM, A_DIM);
		xasprintf(&s, "%s%s%s%s", r == lv->sel ? ">" : " ",
		    e->header ? "" : "  ", side_label(a, listview_item(lv, r)),
		    side_marks(a, e));
		screen_text(y + (int)(r - lv->top), x, w, s, attr);
		free(s);
	}
}
