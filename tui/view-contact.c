/*
 * Professional contacts on screen: their list (view 6), one contact's
 * menu (m: the networks in common and the two invitation preferences,
 * each toggled with its key), and the people the invite field offers as
 * the user types (contacts first, as INVITE.CANDIDATES orders them).
 */
#include <curses.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "client.h"
#include "screen.h"
#include "str.h"
#include "text.h"
#include "xmalloc.h"

/* The people the invite field offers (INVITE.CANDIDATES). */
struct picker {
	int		 on;		/* the field offers people */
	int64_t		 space;		/* to invite into this space */
	unsigned	 gen;		/* counts requests: older replies
					   are dropped */
	int		 busy;		/* one on its way */
	char		*asked;		/* the prefix it was for */
	size_t		 sel;		/* highlighted in model.cands */
};

/* What VIEW_CONTACTS keeps, for the two views and the picker. */
struct contact_views {
	int64_t		 contact;	/* whom VIEW_CONTACT shows */
	struct picker	 picker;
};

static struct contact_views *
cv(struct app *a)
{
	return a->vstate[VIEW_CONTACTS];
}

static struct picker *
pk(struct app *a)
{
	return &cv(a)->picker;
}

static void contact_load(struct app *, int64_t);

/* "name email", for the filter. */
static const char *
contact_label(void *ctx, size_t i)
{
	static char *label;
	struct contact *c = &((struct model *)ctx)->contacts[i];

	free(label);
	xasprintf(&label, "%s %s", c->name, c->email);
	return label;
}

static const char *
common_label(void *ctx, size_t i)
{
	return ((struct model *)ctx)->common[i].title;
}

/* The networks in common with the contact on screen, if loaded. */
static size_t
common_count(struct app *a)
{
	return a->model.common_of == cv(a)->contact ? a->model.ncommon : 0;
}

static int64_t
key_contacts(struct app *a, size_t item)
{
	return a->model.contacts[item].user;
}

static int64_t
key_contact(struct app *a, size_t item)
{
	return a->model.common[item].space;
}

/* The list, and the menu's networks in common. */
static void
sync_contacts(struct app *a)
{
	struct model *m = &a->model;

	view_list_sync(a, VIEW_CONTACTS, m->ncontacts, contact_label, m);
	view_list_sync(a, VIEW_CONTACT, common_count(a), common_label, m);
	if (a->view == VIEW_CONTACT && m->contacts_state != CONTACTS_UNKNOWN &&
	    !m->contacts_stale && model_contact(m, cv(a)->contact) == NULL) {
		app_status(a, 1, _("no longer one of your professional "
		    "contacts"));
		app_set_view(a, VIEW_CONTACTS);
	}
}

/* Requests ------------------------------------------------------------- */

/* A reply's seq= (the events' mark it was read at), or 0. */
static int64_t
reply_mark(const struct client_reply *r)
{
	int64_t seq = link_reply_i64(r, "seq");

	return seq > 0 ? seq : 0;
}

static void
contacts_reply(struct app *a, const struct client_reply *r, void *arg)
{
	if (r == NULL)
		return;
	if (!r->ok && strcmp(r->code, "plan_required") == 0) {
		model_contacts_refused(&a->model);
		view_sync(a);
	} else
		link_loaded(a, r, _("contacts"), r->ok ? model_contacts(
		    &a->model, r->data, r->ndata, reply_mark(r)) : 0);
	/* The contact's menu on screen: its networks in common again. */
	if (a->view == VIEW_CONTACT)
		contact_load(a, cv(a)->contact);
}

/* All after logging in (what was on its way for the picker went with
   the old connection), or when stale. */
static void
load_contacts(struct app *a, int all)
{
	if (all)
		pk(a)->busy = 0;
	if (!all && !a->model.contacts_stale)
		return;
	if (a->state == LINK_ONLINE)
		link_request(a, "CONTACTS", contacts_reply, NULL, NULL);
	a->model.contacts_stale = 0;
}

static void
contact_reply(struct app *a, const struct client_reply *r, void *arg)
{
	if (r == NULL)
		return;
	if (!r->ok && strcmp(r->code, "not_found") == 0) {
		/* No longer a contact: the list says so once asked. */
		if (a->view == VIEW_CONTACT &&
		    cv(a)->contact == (int64_t)(intptr_t)arg)
			app_status(a, 1, _("no longer one of your professional "
			    "contacts"));
		a->model.contacts_stale = 1;
		view_sync(a);
	} else
		link_loaded(a, r, _("contact"), r->ok ? model_contact_show(
		    &a->model, r->data, r->ndata, reply_mark(r)) : 0);
	load_contacts(a, 0);
}

static void
contact_load(struct app *a, int64_t user)
{
	link_request_id(a, "CONTACT.SHOW", "user", user, contact_reply,
	    (void *)(intptr_t)user);
}

static void
row_contact(struct app *a, size_t i, int y, int x, int w, attr_t attr)
{
	struct contact *c = &a->model.contacts[i];
	int nw = (w - 2 - 28) / 2, ew = w - 2 - 28 - nw;
	char counts[64];

	snprintf(counts, sizeof counts, "%8ld %7ld  %-3s %-3s", c->networks,
	    c->unread, c->always_add ? _("yes") : "-", c->always_collaborator ?
	    _("yes") : "-");
	screen_text(y, x, 2, "", attr);
	if (c->online)
		screen_text(y, x, 1, screen_symbol(SYM_ONLINE), attr |
		    screen_attr(PAIR_ONLINE, A_BOLD));
	screen_text(y, x + 2, nw, "", attr);
	screen_text(y, x + 2, nw - 1, c->name, attr);
	screen_text(y, x + 2 + nw, ew, "", attr);
	screen_text(y, x + 2 + nw, ew - 1, c->email, attr);
	screen_text(y, x + 2 + nw + ew, 28, counts, attr);
}

static void
contacts_draw(struct app *a, int y, int x, int h, int w)
{
	int nw = (w - 1 - 2 - 28) / 2, ew = w - 1 - 2 - 28 - nw;

	/* The columns of row_contact, one to the right. */
	screen_text(y, x, w, "", A_BOLD);
	screen_text(y, x + 3, nw, _("NAME"), A_BOLD);
	screen_text(y, x + 3 + nw, ew, _("E-MAIL"), A_BOLD);
	/* TRANSLATORS: the contacts' headings after the e-mail; the
	   numbers are right-aligned under the first two, "yes" or "-"
	   under the two last (always add, always collaborator): keep
	   each heading where the English one starts. */
	screen_text(y, x + 3 + nw + ew, 28, _("NETWORKS  UNREAD  ADD COL"),
	    A_BOLD);
	if (a->model.contacts_state == CONTACTS_PLAN_REQUIRED)
		view_empty(y + 1, x, w, _("Professional contacts need a paid "
		    "plan (premium or pro). You can still join the business "
		    "networks you are invited to."));
	else if (a->model.ncontacts == 0)
		view_empty(y + 1, x, w, a->model.contacts_state ==
		    CONTACTS_UNKNOWN ? _("loading...") : _("No professional "
		    "contacts yet: they are the people who joined a business "
		    "network you are in."));
	view_list_draw(a, &a->list[VIEW_CONTACTS], y + 1, x, h - 1, w,
	    row_contact);
}

static void
row_common(struct app *a, size_t i, int y, int x, int w, attr_t attr)
{
	screen_text(y, x, w, a->model.common[i].title, attr);
}

static void
contact_draw(struct app *a, int y, int x, int h, int w)
{
	struct contact *c = model_contact(&a->model, cv(a)->contact);
	int row = y, ow;
	char *s;

	if (c == NULL) {
		view_empty(y, x, w, _("This contact is not available."));
		return;
	}
	screen_text(row, x, w, c->name, A_BOLD);
	if (c->online) {
		xasprintf(&s, "%s %s ", screen_symbol(SYM_ONLINE), _("online"));
		ow = (int)text_width(s);
		screen_text(row, x + w - ow, ow, s, screen_attr(PAIR_ONLINE,
		    A_BOLD));
		free(s);
	}
	row++;
	xasprintf(&s, "%s%s%s%s%s", c->email, *c->job_title != '\0' ?
	    " \u00b7 " : "", c->job_title, *c->company != '\0' ? ", " : "",
	    c->company);
	screen_text(row++, x, w, s, screen_attr(PAIR_DIM, A_NORMAL));
	free(s);
	row++;
	screen_text(row++, x, w, _("INVITATION PREFERENCES"), A_BOLD);
	xasprintf(&s, _("  [%s] always add to new spaces (a)"), c->always_add ?
	    "x" : " ");
	screen_text(row++, x, w, s, A_NORMAL);
	free(s);
	xasprintf(&s, _("  [%s] always make collaborator (c)"),
	    c->always_collaborator ? "x" : " ");
	screen_text(row++, x, w, s, A_NORMAL);
	free(s);
	screen_text(row++, x, w, _("  t: the private conversation"), A_NORMAL);
	row++;
	screen_text(row++, x, w, _("NETWORKS IN COMMON (Enter opens one)"),
	    A_BOLD);
	if (common_count(a) == 0)
		view_empty(row, x, w, a->model.common_of == cv(a)->contact ?
		    _("none") : _("loading..."));
	view_list_draw(a, &a->list[VIEW_CONTACT], row, x, h - (row - y), w,
	    row_common);
}

static void
open_contacts(struct app *a)
{
	chat_open(a, CHAT_DIRECT, a->model.contacts[listview_selected(
	    &a->list[VIEW_CONTACTS])].user);
}

static void
open_contact(struct app *a)
{
	size_t item = listview_selected(&a->list[VIEW_CONTACT]);

	if (item < a->model.ncommon)
		space_show(a, a->model.common[item].space);
}

/* Actions ----------------------------------------------------------------- */

/* The contact the keys are about: the sidebar's, the list's, the menu's. */
static int64_t
selected_contact(struct app *a)
{
	size_t item;

	if (a->focus == PANE_SIDEBAR)
		return sidebar_contact(a);
	if (a->view == VIEW_CONTACT)
		return cv(a)->contact;
	if (a->view == VIEW_CONTACTS &&
	    (item = listview_selected(&a->list[VIEW_CONTACTS])) != (size_t)-1)
		return a->model.contacts[item].user;
	return 0;
}

/* CONTACT.PREFS with one preference turned over. */
static void
toggle(struct app *a, struct contact *c, const char *key, int now,
    const char *done)
{
	char user[STR_I64_LEN];

	link_action(a, done, "CONTACT.PREFS", "user", str_i64(user, c->user),
	    key, now ? "0" : "1", NULL);
}

static void
contact_action(struct app *a, enum action action)
{
	int64_t user = selected_contact(a);
	struct contact *c = model_contact(&a->model, user);

	if (c == NULL) {
		app_status(a, 1, _("select a professional contact first"));
		return;
	}
	switch (action) {
	case A_MENU:
		cv(a)->contact = user;
		contact_load(a, user);
		app_set_view(a, VIEW_CONTACT);
		a->focus = PANE_MAIN;
		view_sync(a);
		break;
	case A_CONVERSATION:
		chat_open(a, CHAT_DIRECT, user);
		break;
	case A_ALWAYS_ADD:
		toggle(a, c, "always_add", c->always_add, c->always_add ?
		    _("always add to new spaces: off") :
		    _("always add to new spaces: on"));
		break;
	case A_ALWAYS_COLLABORATOR:
		toggle(a, c, "always_collaborator", c->always_collaborator,
		    c->always_collaborator ? _("always make collaborator: off") :
		    _("always make collaborator: on"));
		break;
	default:
		break;
	}
}

static const struct view_action contact_actions[] = {
	{ A_MENU, A_ALWAYS_COLLABORATOR, contact_action },
	{ A_NONE, A_NONE, NULL }
};

static void
contact_views_free(struct app *a)
{
	free(pk(a)->asked);
}

static const char *
title_contact(struct app *a)
{
	struct contact *c = model_contact(&a->model, cv(a)->contact);

	return c != NULL ? c->name : _("Contact");
}

static int
shows_contact(struct app *a, const struct side_entry *e)
{
	return e->user != 0 && e->user == cv(a)->contact;
}

const struct view_ops view_contacts = {
	.name = "contacts",
	.title = N_("Professional contacts"),
	.go = A_VIEW_CONTACTS,
	.where = KM_CONTACT,
	.section = "On a professional contact (sidebar or list), also",
	.list = 1,
	.state = sizeof (struct contact_views),
	.sync = sync_contacts,
	.load = load_contacts,
	.key = key_contacts,
	.open = open_contacts,
	.draw = contacts_draw,
	.free = contact_views_free,
	.actions = contact_actions,
};

const struct view_ops view_contact = {
	.title = N_("Contact"),
	.where = KM_CONTACT_MENU,
	.section = "In a contact's menu, also",
	.list = 1,
	.title_of = title_contact,
	.key = key_contact,
	.open = open_contact,
	.draw = contact_draw,
	.shows = shows_contact,
	.actions = contact_actions,
};

/* The invite field's people --------------------------------------------- */

/* What the people are looked up by: the text after the last comma. */
static const char *
picker_prefix(struct app *a)
{
	const char *t = a->input.text, *comma = strrchr(t, ',');

	t = comma != NULL ? comma + 1 : t;
	return t + strspn(t, " ");
}

void
picker_start(struct app *a, int64_t space)
{
	pk(a)->on = 1;
	pk(a)->space = space;
	pk(a)->sel = 0;
	free(pk(a)->asked);
	pk(a)->asked = NULL;
	model_candidates_clear(&a->model);
	picker_typed(a);
}

int
picker_on(const struct app *a)
{
	return ((const struct contact_views *)a->vstate[VIEW_CONTACTS])->
	    picker.on;
}

void
picker_stop(struct app *a)
{
	if (!pk(a)->on)
		return;
	pk(a)->on = 0;
	pk(a)->gen++;	/* what is on its way is not wanted */
	free(pk(a)->asked);
	pk(a)->asked = NULL;
	model_candidates_clear(&a->model);
	a->model.dirty |= DIRTY_ALL;
}

static void
picker_reply(struct app *a, const struct client_reply *r, void *arg)
{
	pk(a)->busy = 0;
	if (r == NULL || !pk(a)->on || (unsigned)(uintptr_t)arg !=
	    pk(a)->gen)
		return;
	if (!r->ok || model_candidates(&a->model, r->data, r->ndata) != 0) {
		/* The field still takes addresses: say why none are offered. */
		app_status(a, 1, _("no one to offer: %s"), r->ok ?
		    _("unreadable reply") : link_error(r));
		model_candidates_clear(&a->model);
	}
	pk(a)->sel = 0;
	picker_typed(a);	/* typed on meanwhile: ask again */
}

/* INVITE.CANDIDATES for the open space, names starting with prefix. */
static void
picker_ask(struct app *a, const char *prefix)
{
	char space[STR_I64_LEN];

	if (a->state == LINK_ONLINE && link_request(a, "INVITE.CANDIDATES",
	    picker_reply, (void *)(uintptr_t)++pk(a)->gen, "space",
	    str_i64(space, pk(a)->space),
	    "prefix", *prefix != '\0' ? prefix : NULL, "limit", "10",
	    NULL) == 0) {
		pk(a)->busy = 1;
		free(pk(a)->asked);
		pk(a)->asked = xstrdup(prefix);
	}
}

/* One request at a time: when it comes back, the text is looked at
   again (picker_reply), so what the user typed meanwhile is caught up with. */
void
picker_typed(struct app *a)
{
	const char *prefix;

	if (!pk(a)->on || pk(a)->busy)
		return;
	prefix = picker_prefix(a);
	if (pk(a)->asked != NULL && strcmp(pk(a)->asked, prefix) == 0)
		return;
	picker_ask(a, prefix);
}

void
picker_action(struct app *a, enum action act)
{
	struct model *m = &a->model;
	size_t keep;
	char *text;

	a->model.dirty |= DIRTY_MAIN;
	if (act == A_PICK_NEXT && pk(a)->sel + 1 < m->ncands)
		pk(a)->sel++;
	else if (act == A_PICK_PREV && pk(a)->sel > 0)
		pk(a)->sel--;
	else if (act == A_PICK) {
		if (pk(a)->sel >= m->ncands) {
			app_status(a, 1, _("no one to pick: type an address"));
			return;
		}
		/* The typed start of a name becomes the whole address. */
		keep = (size_t)(picker_prefix(a) - a->input.text);
		xasprintf(&text, "%.*s%s, ", (int)keep, a->input.text,
		    m->cands[pk(a)->sel].email);
		field_set(&a->input, text);
		free(text);
		pk(a)->sel = 0;
		picker_typed(a);
	}
}

void
picker_draw(struct app *a, int y, int x, int h, int w)
{
	const char *title = _(" People to invite: Tab picks, Up and Down "
	    "choose ");
	struct model *m = &a->model;
	size_t n = m->ncands > 10 ? 10 : m->ncands;
	int bh = (int)(n > 0 ? n : 1) + 2, by;
	char *s;

	if (bh > h)
		return;
	by = y + h - bh;
	screen_clear(by, x, bh, w);
	mvhline(by, x, ACS_HLINE, w);
	screen_text(by, x + 1, (int)text_width(title) < w - 2 ?
	    (int)text_width(title) : w - 2, title, A_BOLD);
	for (size_t i = 0; i < n; i++) {
		xasprintf(&s, "%s%s <%s>%s", i == pk(a)->sel ? ">" : " ",
		    m->cands[i].name, m->cands[i].email, m->cands[i].contact ?
		    _("  \u00b7 professional contact") : "");
		screen_text(by + 1 + (int)i, x, w, s, i == pk(a)->sel ?
		    A_REVERSE : A_NORMAL);
		free(s);
	}
	if (n == 0)
		view_empty(by + 1, x, w, pk(a)->busy ? _("looking...") :
		    _("no one matches: type the address"));
	mvhline(by + bh - 1, x, ACS_HLINE, w);
}
