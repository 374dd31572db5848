/*
 * What the frame holds: the sidebar (the workspace's views, then the
 * sections for spaces, business networks and professional contacts) and
 * the main area's views (spaces in view-space.c, contacts in
 * view-contact.c, conversations in view-chat.c). Each list is a listview
 * over model items; the selection follows its item (by id or seq) when
 * events change the list.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "screen.h"
#include "text.h"
#include "xmalloc.h"

static const char *const titles[VIEW_COUNT] = {
	[VIEW_OVERVIEW] = "Overview",
	[VIEW_ACTIVITY] = "Activity",
	[VIEW_PEOPLE] = "People",
	[VIEW_SPACES] = "Spaces",
	[VIEW_NETWORKS] = "Business networks",
	[VIEW_CONTACTS] = "Professional contacts",
	[VIEW_SPACE] = "Space",
	[VIEW_FILES] = "Files",
	[VIEW_CONTACT] = "Contact",
	[VIEW_CHAT] = "Conversation",
};

const char *
view_title(struct app *a, enum view v)
{
	struct space *sp;

	struct contact *c;

	if (v == VIEW_SPACE && (sp = model_space(&a->model, a->space)) != NULL)
		return sp->title;
	if (v == VIEW_CONTACT && (c = model_contact(&a->model, a->contact)) !=
	    NULL)
		return c->name;
	if (v == VIEW_CHAT)
		return chat_title(a);
	return v < VIEW_COUNT ? titles[v] : "";
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
	struct model *m = &a->model;

	switch (v) {
	case VIEW_ACTIVITY:
		return activity_at(m, item)->seq;
	case VIEW_PEOPLE:
		return model_workspace(m)->members[item].user;
	case VIEW_OVERVIEW:
		return m->ws[item].id;
	case VIEW_SPACES:
	case VIEW_NETWORKS:
	case VIEW_SPACE:
	case VIEW_FILES:
		return space_view_key(a, v, item);
	case VIEW_CONTACTS:
	case VIEW_CONTACT:
		return contact_view_key(a, v, item);
	default:
		return (int64_t)item;
	}
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
	struct model *m = &a->model;
	struct workspace *w = model_workspace(m);

	sidebar_sync(a);
	view_list_sync(a, VIEW_OVERVIEW, m->nws, workspace_label, m);
	view_list_sync(a, VIEW_ACTIVITY, m->nact, activity_label, m);
	view_list_sync(a, VIEW_PEOPLE, w != NULL ? w->nmembers : 0,
	    member_label, m);
	space_views_sync(a);
	contact_views_sync(a);
	chat_sync(a);
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

static int
draw_line(int y, int x, int w, const char *label, const char *value)
{
	char *s;

	xasprintf(&s, "%-12s %s", label, value);
	screen_text(y, x, w, s, A_NORMAL);
	free(s);
	return y + 1;
}

static const char *
state_text(const struct app *a)
{
	switch (a->state) {
	case LINK_ONLINE:
		return "online";
	case LINK_CONNECTING:
		return "connecting";
	case LINK_LOGIN:
		return "waiting for the password";
	case LINK_WAITING:
		return "offline, reconnecting";
	case LINK_STOPPED:
		return "not connected";
	}
	return "";
}

static void
draw_overview(struct app *a, int y, int x, int h, int w)
{
	struct model *m = &a->model;
	char *s;
	int y0 = y;

	xasprintf(&s, "%s <%s>", m->name != NULL ? m->name : "not logged in",
	    m->email != NULL ? m->email : a->email != NULL ? a->email : "?");
	y = draw_line(y, x, w, "Account", s);
	free(s);
	y = draw_line(y, x, w, "Server", a->opts->server != NULL ?
	    a->opts->server : "none");
	y = draw_line(y, x, w, "Certificate", a->opts->ca_file != NULL ?
	    "checked against the CA file" : "pinned in known_hosts");
	y = draw_line(y, x, w, "Connection", state_text(a));
	xasprintf(&s, "%lld", (long long)m->seq);
	y = draw_line(y, x, w, "Last event", s);
	free(s);
	y++;
	screen_text(y++, x, w, "WORKSPACES (Enter switches)", A_BOLD);
	if (m->nws == 0)
		screen_text(y, x + 1, w - 1, m->user == 0 ? "log in to see "
		    "your workspaces" : "none", screen_attr(PAIR_DIM, A_DIM));
	view_list_draw(a, &a->list[VIEW_OVERVIEW], y, x, h - (y - y0), w,
	    row_workspace);
}

void
view_empty(int y, int x, int w, const char *what)
{
	screen_text(y, x + 1, w - 1, what, screen_attr(PAIR_DIM, A_DIM));
}

/* The notice, wrapped; returns the rows it took (and one blank). */
static int
draw_notice(const char *p, int error, int y, int x, int h, int w)
{
	int rows = 0;
	size_t n;
	char *s;

	while (*p != '\0' && rows < h - 1) {
		n = text_wrap(p, (size_t)w);
		s = xstrndup(p, n);
		screen_text(y + rows++, x, w, s, error ?
		    screen_attr(PAIR_ERROR, A_BOLD) : A_BOLD);
		free(s);
		p += n;
		if (*p == ' ' || *p == '\n')
			p++;
	}
	return rows + 1;
}

void
view_draw_main(struct app *a, int y, int x, int h, int w)
{
	struct workspace *ws = model_workspace(&a->model);
	char *s;
	int n;

	screen_clear(y, x, h, w);
	if (a->notice != NULL) {
		n = draw_notice(a->notice, a->notice_error, y, x, h, w);
		y += n;
		h -= n;
	}
	switch (a->view) {
	case VIEW_OVERVIEW:
		draw_overview(a, y, x, h, w);
		break;
	case VIEW_ACTIVITY:
		screen_text(y, x, w, "      SEQ  WHAT", A_BOLD);
		if (a->model.nact == 0)
			view_empty(y + 1, x, w, "nothing has happened yet");
		view_list_draw(a, &a->list[VIEW_ACTIVITY], y + 1, x, h - 1, w,
		    row_activity);
		break;
	case VIEW_PEOPLE:
		/* The rows start after the one-column marker. */
		xasprintf(&s, " %-*s%-*sROLE", (w - 1) * 2 / 5, "NAME",
		    (w - 1) - (w - 1) * 2 / 5 - 12, "E-MAIL");
		screen_text(y, x, w, s, A_BOLD);
		free(s);
		if (ws == NULL || !ws->loaded)
			view_empty(y + 1, x, w, ws == NULL ? "no workspace" :
			    "loading...");
		view_list_draw(a, &a->list[VIEW_PEOPLE], y + 1, x, h - 1, w,
		    row_member);
		break;
	case VIEW_SPACES:
		space_list_draw(a, y, x, h, w);
		break;
	case VIEW_SPACE:
		space_draw(a, y, x, h, w);
		break;
	case VIEW_FILES:
		files_draw(a, y, x, h, w);
		break;
	case VIEW_NETWORKS:
		networks_draw(a, y, x, h, w);
		break;
	case VIEW_CONTACTS:
		contacts_draw(a, y, x, h, w);
		break;
	case VIEW_CONTACT:
		contact_draw(a, y, x, h, w);
		break;
	case VIEW_CHAT:
		chat_draw(a, y, x, h, w);
		break;
	case VIEW_COUNT:
		break;
	}
}

/* Enter on the main list. */
void
view_open(struct app *a)
{
	struct listview *lv = &a->list[a->view];
	size_t item = listview_selected(lv);
	struct member *mb;

	if (item == (size_t)-1)
		return;
	switch (a->view) {
	case VIEW_OVERVIEW:
		model_select(&a->model, item);
		view_sync(a);
		link_members(a);
		app_status(a, 0, "workspace %s", a->model.ws[item].name);
		break;
	case VIEW_PEOPLE:
		mb = &model_workspace(&a->model)->members[item];
		app_status(a, 0, "%s <%s>, %s", mb->name, mb->email, mb->role);
		break;
	case VIEW_ACTIVITY:
		app_status(a, 0, "%s", activity_at(&a->model, item)->text);
		break;
	case VIEW_SPACES:
	case VIEW_NETWORKS:
	case VIEW_SPACE:
	case VIEW_FILES:
		space_views_open(a);
		break;
	case VIEW_CONTACTS:
	case VIEW_CONTACT:
		contact_views_open(a);
		break;
	default:
		break;
	}
}
