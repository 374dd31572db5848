/*
 * What the frame holds: the sidebar (the workspace's views, then the
 * sections for spaces, business networks and professional contacts) and
 * the main area's views (spaces in view-space.c, contacts in
 * view-contact.c, conversations in view-chat.c). Each list is a listview
 * over model items; the selection follows its item (by id or seq) when
 * events change the list.
 */
#include <curses.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "app.h"
#include "client.h"
#include "screen.h"
#include "text.h"
#include "xmalloc.h"

/* The table: a view is its file's ops, registered here once. */
const struct view_ops *const views[VIEW_COUNT] = {
	[VIEW_NONE] = &view_none,
	[VIEW_OVERVIEW] = &view_overview,
	[VIEW_ACTIVITY] = &view_activity,
	[VIEW_PEOPLE] = &view_people,
	[VIEW_SPACES] = &view_spaces,
	[VIEW_NETWORKS] = &view_networks,
	[VIEW_CONTACTS] = &view_contacts,
	[VIEW_SPACE] = &view_space,
	[VIEW_FILES] = &view_files,
	[VIEW_CONTACT] = &view_contact,
	[VIEW_CHAT] = &view_chat,
};

const struct view_action *
view_action_find(const struct view_action *t, enum action act)
{
	for (; t != NULL && t->first != A_NONE; t++)
		if (act >= t->first && act <= t->last)
			return t;
	return NULL;
}

size_t
view_sections(struct keysection *out, size_t max)
{
	size_t n = 0;

	if (n < max)
		out[n++] = keymap_screen_section;
	for (size_t v = 0; v < VIEW_COUNT && n < max; v++) {
		if (views[v]->section == NULL)
			continue;
		out[n].where = views[v]->where;
		out[n++].title = views[v]->section;
	}
	for (size_t i = 0; i < keymap_nsections && n < max; i++)
		out[n++] = keymap_sections[i];
	return n;
}

const char *
view_title(struct app *a, enum view v)
{
	if (views[v]->title_of != NULL)
		return views[v]->title_of(a);
	return *views[v]->title != '\0' ? _(views[v]->title) : "";

}

/* Activity is shown newest first: row item i is act[nact - 1 - i]. */
static struct activity *
activity_at(struct model *m, size_t i)
{
	return &m->act[m->nact - 1 - i];
}

static const char *
activity_label(void *ctx, size_t i)
{
	return activity_at(ctx, i)->text;
}

/* "name email", for the filter. */
static const char *
member_label(void *ctx, size_t i)
{
	static char *label;
	struct member *mb = &model_workspace(ctx)->members[i];

	free(label);
	xasprintf(&label, "%s %s", mb->name, mb->email);
	return label;
}

static const char *
workspace_label(void *ctx, size_t i)
{
	return ((struct model *)ctx)->ws[i].name;
}

int64_t
view_key(struct app *a, enum view v, size_t item)
{
	return views[v]->key != NULL ? views[v]->key(a, item) : (int64_t)item;
}

/* The item now showing key, or (size_t)-1. */
static size_t
view_find(struct app *a, enum view v, size_t n, int64_t key)
{
	for (size_t i = 0; i < n; i++)
		if (view_key(a, v, i) == key)
			return i;
	return (size_t)-1;
}

void
view_list_sync(struct app *a, enum view v, size_t n, listview_label_fn *fn,
    void *ctx)
{
	struct listview *lv = &a->list[v];
	size_t keep = (size_t)-1, sel;

	if (lv->nitems > 0 && n > 0)
		keep = view_find(a, v, n, a->selkey[v]);
	listview_update(lv, n, fn, ctx, keep);
	if ((sel = listview_selected(lv)) != (size_t)-1)
		a->selkey[v] = view_key(a, v, sel);
}

void
view_sync(struct app *a)
{
	sidebar_sync(a);
	for (size_t v = 0; v < VIEW_COUNT; v++)
		if (views[v]->sync != NULL)
			views[v]->sync(a);
}

void
view_load(struct app *a, int all)
{
	for (size_t v = 0; v < VIEW_COUNT; v++)
		if (views[v]->load != NULL)
			views[v]->load(a, all);
}

/* MEMBERS of the current workspace, when online. */
static void
members_reply(struct app *a, const struct client_reply *r, void *arg)
{
	if (r != NULL)
		link_loaded(a, r, _("people"), r->ok ? model_members(&a->model,
		    (int64_t)(intptr_t)arg, r->data, r->ndata) : 0);
}

void
members_load(struct app *a)
{
	struct workspace *w = model_workspace(&a->model);

	if (w != NULL)
		link_request_id(a, "MEMBERS", "workspace", w->id,
		    members_reply, (void *)(intptr_t)w->id);
}

static void
sync_overview(struct app *a)
{
	view_list_sync(a, VIEW_OVERVIEW, a->model.nws, workspace_label,
	    &a->model);
}

static void
sync_activity(struct app *a)
{
	view_list_sync(a, VIEW_ACTIVITY, a->model.nact, activity_label,
	    &a->model);
}

static void
sync_people(struct app *a)
{
	struct workspace *w = model_workspace(&a->model);

	view_list_sync(a, VIEW_PEOPLE, w != NULL ? w->nmembers : 0,
	    member_label, &a->model);
}

static int64_t
key_overview(struct app *a, size_t item)
{
	return a->model.ws[item].id;
}

static int64_t
key_activity(struct app *a, size_t item)
{
	return activity_at(&a->model, item)->seq;
}

static int64_t
key_people(struct app *a, size_t item)
{
	return model_workspace(&a->model)->members[item].user;
}

/* After a move: remember what the selection shows. */
void
view_remember(struct app *a)
{
	struct listview *lv = &a->list[a->view];
	size_t sel = listview_selected(lv);

	if (sel != (size_t)-1)
		a->selkey[a->view] = view_key(a, a->view, sel);
}

/* The attribute and marker of a row: ">" so it shows without colour. */
static attr_t
row_attr(struct app *a, struct listview *lv, size_t row, enum pane pane)
{
	if (lv->nrows == 0 || row != lv->sel)
		return A_NORMAL;
	return a->focus == pane ? A_REVERSE : A_BOLD;
}

void
view_list_draw(struct app *a, struct listview *lv, int y, int x, int h,
    int w, view_row_fn *draw_row)
{
	listview_resize(lv, (size_t)(h > 0 ? h : 0));
	for (size_t r = lv->top; r < lv->nrows && r < lv->top + (size_t)h;
	    r++) {
		int ry = y + (int)(r - lv->top);

		mvaddstr(ry, x, r == lv->sel ? ">" : " ");
		draw_row(a, listview_item(lv, r), ry, x + 1, w - 1,
		    row_attr(a, lv, r, PANE_MAIN));
	}
}

static void
row_workspace(struct app *a, size_t i, int y, int x, int w, attr_t attr)
{
	struct workspace *ws = &a->model.ws[i];
	char *s;

	xasprintf(&s, "%s %-28.28s %-8s %s", i == a->model.cur ? "*" : " ",
	    "", ws->role, ws->plan);
	screen_text(y, x, w, s, attr);
	screen_text(y, x + 2, w < 30 ? w - 2 : 28, ws->name, attr);
	free(s);
}

static void
row_activity(struct app *a, size_t i, int y, int x, int w, attr_t attr)
{
	struct activity *act = activity_at(&a->model, i);
	char seq[24];

	snprintf(seq, sizeof seq, "%8lld  ", (long long)act->seq);
	screen_text(y, x, 10, seq, attr | screen_attr(PAIR_DIM, A_NORMAL));
	screen_text(y, x + 10, w - 10, act->text, attr);
}

static void
row_member(struct app *a, size_t i, int y, int x, int w, attr_t attr)
{
	struct member *mb = &model_workspace(&a->model)->members[i];
	int nw = w * 2 / 5, ew = w - nw - 12;

	/* A cut name or address keeps a column of space after it. */
	screen_text(y, x, nw, "", attr);
	screen_text(y, x, nw - 1, mb->name, attr);
	screen_text(y, x + nw, ew, "", attr);
	screen_text(y, x + nw, ew - 1, mb->email, attr);
	screen_text(y, x + nw + ew, 12, mb->role, attr);
}

/* label in a column lw wide (in any language), then value. */
static int
draw_line(int y, int x, int w, int lw, const char *label, const char *value)
{
	screen_text(y, x, w, "", A_NORMAL);
	screen_text(y, x, lw, label, A_NORMAL);
	if (w > lw + 1)
		screen_text(y, x + lw + 1, w - lw - 1, value, A_NORMAL);
	return y + 1;
}

static void
draw_overview(struct app *a, int y, int x, int h, int w)
{
	static const char *const labels[] = { N_("Account"), N_("Server"),
	    N_("Certificate"), N_("Connection"), N_("Last event") };
	static const char *const states[] = {
		[LINK_CONNECTING] = N_("connecting"),
		[LINK_LOGIN] = N_("waiting for the password"),
		[LINK_ONLINE] = N_("online"),
		[LINK_WAITING] = N_("offline, reconnecting"),
		[LINK_STOPPED] = N_("not connected"),
	};
	struct model *m = &a->model;
	char *s;
	int y0 = y, lw = 12, l;

	/* The labels' column: as wide as the widest, 12 at least. */
	for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
		if ((l = (int)text_width(_(labels[i]))) > lw)
			lw = l;
	xasprintf(&s, "%s <%s>", m->name != NULL ? m->name :
	    _("not logged in"), m->email != NULL ? m->email : a->email !=
	    NULL ? a->email : "?");
	y = draw_line(y, x, w, lw, _(labels[0]), s);
	free(s);
	y = draw_line(y, x, w, lw, _(labels[1]), a->opts->server != NULL ?
	    a->opts->server : _("none"));
	y = draw_line(y, x, w, lw, _(labels[2]), a->opts->ca_file != NULL ?
	    _("checked against the CA file") : _("pinned in known_hosts"));
	y = draw_line(y, x, w, lw, _(labels[3]), _(states[a->state]));
	xasprintf(&s, "%lld", (long long)m->seq);
	y = draw_line(y, x, w, lw, _(labels[4]), s);
	free(s);
	y++;
	screen_text(y++, x, w, _("WORKSPACES (Enter switches)"), A_BOLD);
	if (m->nws == 0)
		screen_text(y, x + 1, w - 1, m->user == 0 ? _("log in to see "
		    "your workspaces") : _("none"), screen_attr(PAIR_DIM,
		    A_DIM));
	view_list_draw(a, &a->list[VIEW_OVERVIEW], y, x, h - (y - y0), w,
	    row_workspace);
}

void
view_empty(int y, int x, int w, const char *what)
{
	screen_text(y, x + 1, w - 1, what, screen_attr(PAIR_DIM, A_DIM));
}

int
view_wrap(const char *p, int y, int x, int w, int max, attr_t attr)
{
	int rows = 0;
	size_t n;
	char *s;

	while (*p != '\0' && rows < max) {
		n = text_wrap(p, (size_t)w);
		s = xstrndup(p, n);
		screen_text(y + rows++, x, w, s, attr);
		free(s);
		p += n;
		if (*p == ' ' || *p == '\n')
			p++;
	}
	return rows;
}

void
view_draw_main(struct app *a, int y, int x, int h, int w)
{
	int n;

	screen_clear(y, x, h, w);
	if (a->notice != NULL) {
		/* Wrapped, and a blank row under it. */
		n = view_wrap(a->notice, y, x, w, h - 1, a->notice_error ?
		    screen_attr(PAIR_ERROR, A_BOLD) : A_BOLD) + 1;
		y += n;
		h -= n;
	}
	if (views[a->view]->draw != NULL)
		views[a->view]->draw(a, y, x, h, w);
}

/* Enter on the main list. */
void
view_open(struct app *a)
{
	if (listview_selected(&a->list[a->view]) != (size_t)-1 &&
	    views[a->view]->open != NULL)
		views[a->view]->open(a);
}

static void
draw_activity(struct app *a, int y, int x, int h, int w)
{
	/* TRANSLATORS: the headings of the activity's columns; the first
	   (the event's number) is 10 columns wide. */
	screen_text(y, x, w, _("      SEQ  WHAT"), A_BOLD);
	if (a->model.nact == 0)
		view_empty(y + 1, x, w, _("nothing has happened yet"));
	view_list_draw(a, &a->list[VIEW_ACTIVITY], y + 1, x, h - 1, w,
	    row_activity);
}

static void
draw_people(struct app *a, int y, int x, int h, int w)
{
	struct workspace *ws = model_workspace(&a->model);
	int nw = (w - 1) * 2 / 5, ew = (w - 1) - nw - 12;

	/* The columns of row_member, after the one-column marker. */
	screen_text(y, x, w, "", A_BOLD);
	screen_text(y, x + 1, nw - 1, _("NAME"), A_BOLD);
	screen_text(y, x + 1 + nw, ew - 1, _("E-MAIL"), A_BOLD);
	screen_text(y, x + 1 + nw + ew, 12, _("ROLE"), A_BOLD);
	if (ws == NULL || !ws->loaded)
		view_empty(y + 1, x, w, ws == NULL ? _("no workspace") :
		    _("loading..."));
	view_list_draw(a, &a->list[VIEW_PEOPLE], y + 1, x, h - 1, w,
	    row_member);
}

static void
open_overview(struct app *a)
{
	app_workspace(a, listview_selected(&a->list[VIEW_OVERVIEW]));
}

static void
open_activity(struct app *a)
{
	app_status(a, 0, "%s", activity_at(&a->model,
	    listview_selected(&a->list[VIEW_ACTIVITY]))->text);
}

static void
open_people(struct app *a)
{
	struct member *mb = &model_workspace(&a->model)->members[
	    listview_selected(&a->list[VIEW_PEOPLE])];

	app_status(a, 0, "%s <%s>, %s", mb->name, mb->email, mb->role);
}

static void
load_people(struct app *a, int all)
{
	if (all)
		members_load(a);
}

static void
enter_people(struct app *a)
{
	struct workspace *w = model_workspace(&a->model);

	if (w != NULL && !w->loaded)
		members_load(a);
}

/* The workspace's own views are entries of the sidebar, not sections. */
static int
shows_entry(struct app *a, const struct side_entry *e)
{
	return e->view == a->view && !e->header;
}

/* Not a view: what app.c's own key rows are named by. */
const struct view_ops view_none = { .title = "" };

const struct view_ops view_overview = {
	.name = "overview",
	.title = N_("Overview"),
	.go = A_VIEW_OVERVIEW,
	.list = 1,
	.sync = sync_overview,
	.key = key_overview,
	.open = open_overview,
	.draw = draw_overview,
	.shows = shows_entry,
};

const struct view_ops view_activity = {
	.name = "activity",
	.title = N_("Activity"),
	.go = A_VIEW_ACTIVITY,
	.list = 1,
	.sync = sync_activity,
	.key = key_activity,
	.open = open_activity,
	.draw = draw_activity,
	.shows = shows_entry,
};

const struct view_ops view_people = {
	.name = "people",
	.title = N_("People"),
	.go = A_VIEW_PEOPLE,
	.list = 1,
	.enter = enter_people,
	.sync = sync_people,
	.load = load_people,
	.key = key_people,
	.open = open_people,
	.draw = draw_people,
	.shows = shows_entry,
};
