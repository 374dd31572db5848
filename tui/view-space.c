/*
 * Spaces on screen: the list of the user's spaces (view 4), the list of
 * those that are business networks (view 5), and one space (from the
 * sidebar or Enter in a list): its title and description,
 * the counts, the size warning, then its participants with role, status
 * (⚠ on an invitation pending for 7 days or more) and last activity.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "buf.h"
#include "client.h"
#include "keymap.h"
#include "screen.h"
#include "str.h"
#include "text.h"
#include "xmalloc.h"

/* The profile form's fields: name, company, job title. */
#define PROFILE_FIELDS	3

/* What the four views keep: VIEW_SPACE's state. */
struct space_views {
	int64_t		 space;		/* what VIEW_SPACE shows */
	size_t		*networks;	/* VIEW_NETWORKS: item -> index
					   in model.spaces */
	size_t		 nnetworks;
	char		*answers[PROFILE_FIELDS]; /* a form's, so far */
	size_t		 step;		/* the profile form's field asked */
	int64_t		 target;	/* the user or file an action is
					   about */
	int64_t		 comments_file;	/* whose comments show */
	char		**comments;	/* "name: body", raw */
	size_t		 ncomments;
	int64_t		 comments_after; /* the last one's id */
	enum action	 asked;		/* what the question or prompt is
					   for */
};

static struct space_views *
sv(struct app *a)
{
	return a->vstate[VIEW_SPACE];
}

static struct space *
open_space(struct app *a)
{
	return model_space(&a->model, sv(a)->space);
}

/* The space item i of the spaces list, or of the networks list, shows. */
static struct space *
listed(struct app *a, enum view v, size_t i)
{
	return &a->model.spaces[v == VIEW_NETWORKS ? sv(a)->networks[i] : i];
}

static const char *
space_label(void *ctx, size_t i)
{
	return listed(ctx, VIEW_SPACES, i)->title;
}

static const char *
network_label(void *ctx, size_t i)
{
	return listed(ctx, VIEW_NETWORKS, i)->title;
}

/* "name email", and their own name if the space gave them another, for
   the filter. */
static const char *
participant_label(void *ctx, size_t i)
{
	static char *label;
	struct app *a = ctx;
	struct participant *p = &open_space(a)->people_list[i];

	free(label);
	xasprintf(&label, "%s %s%s%s", p->name, p->email, p->own_name != NULL ?
	    " " : "", p->own_name != NULL ? p->own_name : "");
	return label;
}

static const char *
file_label(void *ctx, size_t i)
{
	return open_space(ctx)->files[i].name;
}

static int64_t
key_spaces(struct app *a, size_t item)
{
	return listed(a, VIEW_SPACES, item)->id;
}

static int64_t
key_networks(struct app *a, size_t item)
{
	return listed(a, VIEW_NETWORKS, item)->id;
}

static int64_t
key_space(struct app *a, size_t item)
{
	return open_space(a)->people_list[item].user;
}

static int64_t
key_files(struct app *a, size_t item)
{
	return open_space(a)->files[item].id;
}

/* Both lists: the networks are those of the spaces that are one. */
static void
sync_spaces(struct app *a)
{
	struct space_views *s = sv(a);

	view_list_sync(a, VIEW_SPACES, a->model.nspaces, space_label, a);
	s->networks = xreallocarray(s->networks, a->model.nspaces + 1,
	    sizeof *s->networks);
	s->nnetworks = 0;
	for (size_t i = 0; i < a->model.nspaces; i++)
		if (a->model.spaces[i].network)
			s->networks[s->nnetworks++] = i;
	view_list_sync(a, VIEW_NETWORKS, s->nnetworks, network_label, a);
}

/* Its people and its files. */
static void
sync_space(struct app *a)
{
	struct space *sp = open_space(a);

	view_list_sync(a, VIEW_SPACE, sp != NULL ? sp->npeople : 0,
	    participant_label, a);
	view_list_sync(a, VIEW_FILES, sp != NULL ? sp->nfiles : 0,
	    file_label, a);
	if ((a->view == VIEW_SPACE || a->view == VIEW_FILES) && sp == NULL) {
		/* Deleted, archived for us, or revoked: it is gone. */
		app_status(a, 1, _("the space is no longer available to you"));
		app_set_view(a, VIEW_SPACES);
	}
}

/* Requests ------------------------------------------------------------- */

static void
spaces_reply(struct app *a, const struct client_reply *r, void *arg)
{
	if (r != NULL)
		link_loaded(a, r, _("spaces"), r->ok ? model_spaces(&a->model,
		    r->data, r->ndata) : 0);
}

/* What the server is asked again: the list (all, or when stale). */
static void
load_spaces(struct app *a, int all)
{
	if (!all && !a->model.spaces_stale)
		return;
	if (a->state == LINK_ONLINE)
		link_request(a, "SPACE.LIST", spaces_reply, NULL, NULL);
	a->model.spaces_stale = 0;
}

static void
space_reply(struct app *a, const struct client_reply *r, void *arg)
{
	struct space *sp;

	if (r == NULL)
		return;
	if (!r->ok && strcmp(r->code, "not_found") == 0 &&
	    (sp = model_space(&a->model, (int64_t)(intptr_t)arg)) != NULL) {
		/* Closed to us since (revoked, archived): it goes. */
		app_status(a, 1, "%s: %s", sp->title, link_error(r));
		a->model.spaces_stale = 1;
		view_sync(a);
	} else
		link_loaded(a, r, _("space"), r->ok ? model_space_show(
		    &a->model, r->data, r->ndata, client_reply_get(r,
		    "warning")) : 0);
	load_spaces(a, 0);
}

static void
space_load(struct app *a, int64_t id)
{
	link_request_id(a, "SPACE.SHOW", "space", id, space_reply,
	    (void *)(intptr_t)id);
}

static void
files_reply(struct app *a, const struct client_reply *r, void *arg)
{
	if (r != NULL)
		link_loaded(a, r, _("files"), r->ok ? model_files(&a->model,
		    (int64_t)(intptr_t)arg, r->data, r->ndata) : 0);
}

static void
files_load(struct app *a, int64_t id)
{
	link_request_id(a, "FILE.LIST", "space", id, files_reply,
	    (void *)(intptr_t)id);
}

static void
comments_clear(struct space_views *s)
{
	for (size_t i = 0; i < s->ncomments; i++)
		free(s->comments[i]);
	free(s->comments);
	s->comments = NULL;
	s->ncomments = 0;
	s->comments_after = 0;
}

static link_reply_fn comments_reply;

/* The next page of a file's comments, after the last one shown. */
static void
comments_page(struct app *a, int64_t file)
{
	char f[STR_I64_LEN], after[STR_I64_LEN];

	if (a->state == LINK_ONLINE)
		link_request(a, "COMMENT.LIST", comments_reply,
		    (void *)(intptr_t)file, "file", str_i64(f, file), "after",
		    str_i64(after, sv(a)->comments_after), NULL);
}

static void
comments_load(struct app *a, int64_t file)
{
	sv(a)->comments_file = file;
	comments_clear(sv(a));
	comments_page(a, file);
}

/* A page of comments: added to those shown; more=1 asks for the next. */
static void
comments_reply(struct app *a, const struct client_reply *r, void *arg)
{
	struct space_views *s = sv(a);
	int64_t file = (int64_t)(intptr_t)arg, last = s->comments_after;
	char *name, *body, *id;

	if (r == NULL || file != s->comments_file)
		return;		/* another file was chosen meanwhile */
	if (!r->ok) {
		app_status(a, 1, _("comments: %s"), link_error(r));
		return;
	}
	s->comments = xreallocarray(s->comments, s->ncomments + r->ndata + 1,
	    sizeof *s->comments);
	for (size_t i = 0; i < r->ndata; i++) {
		id = client_line_get(r->data[i], "id");
		name = client_line_get(r->data[i], "name");
		body = client_line_get(r->data[i], "body");
		/* A page asked for before the file was opened again. */
		if (id != NULL && strtoll(id, NULL, 10) > last && name != NULL &&
		    body != NULL) {
			last = strtoll(id, NULL, 10);
			xasprintf(&s->comments[s->ncomments++], "%s: %s", name,
			    body);
		}
		free(id);
		free(name);
		free(body);
	}
	a->model.dirty |= DIRTY_MAIN;
	if (last > s->comments_after) {
		s->comments_after = last;
		if (link_reply_i64(r, "more") == 1)
			comments_page(a, file);
	}
}

/* The space on screen: its people, or its files and their comments. */
static void
load_space(struct app *a, int all)
{
	struct space *sp = open_space(a);

	if (a->view == VIEW_SPACE && (all || (sp != NULL && !sp->loaded)))
		space_load(a, sv(a)->space);
	if (!all && a->view == VIEW_FILES && sp != NULL && !sp->files_loaded)
		files_load(a, sv(a)->space);
	if (a->model.comments_stale && sv(a)->comments_file != 0)
		comments_load(a, sv(a)->comments_file);
	a->model.comments_stale = 0;
}

void
space_show(struct app *a, int64_t id)
{
	struct space *sp = model_space(&a->model, id);

	if (sp == NULL)
		return;
	sv(a)->space = id;
	sv(a)->comments_file = 0;
	if (!sp->loaded)
		space_load(a, id);
	app_set_view(a, VIEW_SPACE);
	view_sync(a);
	if (sp->warning != NULL)
		app_status(a, 0, "%s", sp->warning);
}

/* Drawing --------------------------------------------------------------- */

/* "now", "5 min", "3 h", "12 d": how long ago, in a few columns. */
static void
ago(char *buf, size_t size, int64_t then)
{
	int64_t d = (int64_t)time(NULL) - then;

	if (then == 0)
		snprintf(buf, size, "-");
	else if (d < 60)
		snprintf(buf, size, "%s", _("now"));
	else if (d < 3600)
		snprintf(buf, size, _("%lld min"), (long long)(d / 60));
	else if (d < 86400)
		snprintf(buf, size, _("%lld h"), (long long)(d / 3600));
	else
		snprintf(buf, size, _("%lld d"), (long long)(d / 86400));
}

/*
 * A list's header: the first label over a column of width w1 after a
 * one-column marker, then the others (one string, its columns spaced as
 * the rows' are).
 */
static void
list_head(int y, int x, int w, int w1, const char *first, const char *rest)
{
	screen_text(y, x, w, "", A_BOLD);
	screen_text(y, x + 1, w1, first, A_BOLD);
	screen_text(y, x + 1 + w1, w - 1 - w1, rest, A_BOLD);
}

/* A row of the spaces or networks list (the one on screen). */
static void
row_space(struct app *a, size_t i, int y, int x, int w, attr_t attr)
{
	struct space *sp = listed(a, a->view, i);
	int tw = w - 40 > 20 ? w - 40 : 20;
	char counts[64];

	snprintf(counts, sizeof counts, "%-12s %4ld %7ld %1s %s", sp->role,
	    sp->people, sp->pending, sp->overdue > 0 ?
	    screen_symbol(SYM_WARNING) : "", sp->archived ? _("archived") :
	    sp->network ? _("network") : "");
	screen_text(y, x, tw, "", attr);
	screen_text(y, x, tw - 1, sp->title, attr);
	screen_text(y, x + tw, w - tw, counts, attr);
}

static void
space_list_draw(struct app *a, int y, int x, int h, int w)
{
	int networks = a->view == VIEW_NETWORKS;

	list_head(y, x, w, w - 1 - 40 > 20 ? w - 1 - 40 : 20, _("TITLE"),
	    /* TRANSLATORS: the spaces list's headings after the title:
	       keep each where the English one starts (the role, then
	       numbers). */
	    _("ROLE         PEOPLE PENDING"));
	if (networks && sv(a)->nnetworks == 0)
		view_empty(y + 1, x, w, _("No business networks yet: n creates "
		    "one, N in a space makes it one (with a paid plan)."));
	else if (!networks && a->model.nspaces == 0)
		view_empty(y + 1, x, w, _("No spaces yet. Create one with "
		    "agora space create."));
	view_list_draw(a, &a->list[a->view], y + 1, x, h - 1, w, row_space);
}

static void
row_person(struct app *a, size_t i, int y, int x, int w, attr_t attr)
{
	struct participant *p = &open_space(a)->people_list[i];
	int nw = w - 42 > 16 ? w - 42 : 16;
	char status[48], seen[24], *name;

	if (strcmp(p->status, "pending") == 0 && p->invited != 0 &&
	    time(NULL) - p->invited >= 86400) {
		/* How long the invitation has waited; ⚠ from 7 days. */
		ago(seen, sizeof seen, p->invited);
		snprintf(status, sizeof status, "%s %s%s%s", p->status, seen,
		    p->overdue ? " " : "", p->overdue ?
		    screen_symbol(SYM_WARNING) : "");
	} else
		snprintf(status, sizeof status, "%s", p->status);
	ago(seen, sizeof seen, p->active);
	screen_text(y, x, nw, "", attr);
	/* Someone who has not said their name yet goes by their address;
	   a name the space set, with the person's own beside it. */
	if (p->own_name != NULL) {
		xasprintf(&name, "%s (%s)", p->name, p->own_name);
		screen_text(y, x, nw - 1, name, attr);
		free(name);
	} else
		screen_text(y, x, nw - 1, strcmp(p->name, p->email) == 0 ?
		    p->email : p->name, attr);
	screen_text(y, x + nw, 14, p->role, attr);
	screen_text(y, x + nw + 14, 18, status, attr);
	screen_text(y, x + nw + 32, w - nw - 32, seen, attr);
}

/* The title, description and counts; returns the rows used. */
static int
space_head(struct app *a, struct space *sp, int y, int x, int h, int w)
{
	struct buf *b = buf_new(0);
	int rows = 0;

	buf_printf(b, "%s%s", sp->title, sp->archived ? _("  (archived)") :
	    "");
	screen_text(y + rows++, x, w, buf_cstr(b), A_BOLD);
	/* At most three lines of the description. */
	rows += view_wrap(sp->description, y + rows, x, w, h - 5 < 3 ? h - 5 :
	    3, A_NORMAL);
	buf_reset(b);
	buf_printf(b, _("you: %s"), sp->role);
	if (sp->network)
		buf_add_str(b, _(" \u00b7 business network"));
	buf_printf(b, P_(" \u00b7 %ld person", " \u00b7 %ld people",
	    sp->people), sp->people);
	buf_printf(b, P_(" \u00b7 %ld pending", " \u00b7 %ld pending",
	    sp->pending), sp->pending);
	if (sp->overdue > 0)
		buf_printf(b, " %s", screen_symbol(SYM_WARNING));
	if (sp->requests > 0)
		buf_add_str(b, _(" \u00b7 access requests: yes"));
	if (sp->externals_invite)
		buf_add_str(b, _(" \u00b7 externals may invite"));
	screen_text(y + rows++, x, w, buf_cstr(b), screen_attr(PAIR_DIM,
	    A_NORMAL));
	/* Where else to go from here, and whether anyone wrote. */
	buf_reset(b);
	if (sp->unread > 0)
		buf_printf(b, P_("f: files \u00b7 t: discussion, %ld new",
		    "f: files \u00b7 t: discussion, %ld new", sp->unread),
		    sp->unread);
	else
		buf_add_str(b, _("f: files \u00b7 t: discussion"));
	screen_text(y + rows++, x, w, buf_cstr(b), sp->unread > 0 ? A_BOLD :
	    screen_attr(PAIR_DIM, A_NORMAL));
	buf_free(b);
	if (sp->warning != NULL)
		screen_text(y + rows++, x, w, sp->warning,
		    screen_attr(PAIR_ERROR, A_BOLD));
	return rows;
}

static void
space_draw(struct app *a, int y, int x, int h, int w)
{
	struct space *sp = open_space(a);
	int used;

	if (sp == NULL) {
		view_empty(y, x, w, _("This space is not available."));
		return;
	}
	used = space_head(a, sp, y, x, h, w) + 1;
	list_head(y + used, x, w, w - 1 - 42 > 16 ? w - 1 - 42 : 16,
	    _("PARTICIPANT"),
	    /* TRANSLATORS: the participants' headings after the first:
	       keep each where the English one starts (columns of 14 and
	       18). */
	    _("ROLE          STATUS            LAST SEEN"));
	if (!sp->loaded && sp->npeople == 0)
		view_empty(y + used + 1, x, w, _("loading..."));
	view_list_draw(a, &a->list[VIEW_SPACE], y + used + 1, x,
	    h - used - 1, w, row_person);
}

static void
row_file(struct app *a, size_t i, int y, int x, int w, attr_t attr)
{
	struct file_entry *f = &open_space(a)->files[i];
	int nw = w - 40 > 16 ? w - 40 : 16;
	char size[24], comments[24];

	if (f->size >= 1048576)
		snprintf(size, sizeof size, _("%.1f MiB"), f->size / 1048576.0);
	else if (f->size >= 1024)
		snprintf(size, sizeof size, _("%.1f KiB"), f->size / 1024.0);
	else
		snprintf(size, sizeof size, _("%lld B"), (long long)f->size);
	snprintf(comments, sizeof comments, "%ld", f->comments);
	screen_text(y, x, nw, "", attr);
	screen_text(y, x, nw - 1, f->name, attr);
	screen_text(y, x + nw, 12, size, attr);
	screen_text(y, x + nw + 12, 10, comments, attr);
	screen_text(y, x + nw + 22, w - nw - 22, f->uploader, attr);
}

/* The comments of the chosen file, the newest at the bottom. */
static void
comments_draw(struct app *a, int y, int x, int h, int w)
{
	size_t first = sv(a)->ncomments > (size_t)(h - 1) ? sv(a)->ncomments -
	    (size_t)(h - 1) : 0;

	screen_text(y, x, w, sv(a)->ncomments == 0 ? _("COMMENTS: none yet "
	    "(c comments)") : _("COMMENTS"), A_BOLD);
	/* One line each: a long comment is cut, line feeds shown as ^J. */
	for (size_t i = first; i < sv(a)->ncomments && (int)(i - first) < h - 1;
	    i++)
		screen_text(y + 1 + (int)(i - first), x + 1, w - 1,
		    sv(a)->comments[i], A_NORMAL);
}

static void
files_draw(struct app *a, int y, int x, int h, int w)
{
	struct space *sp = open_space(a);
	int lh;
	char *head;

	if (sp == NULL) {
		view_empty(y, x, w, _("This space is not available."));
		return;
	}
	xasprintf(&head, _("%s \u00b7 files (f: people)"), sp->title);
	screen_text(y, x, w, head, A_BOLD);
	free(head);
	list_head(y + 2, x, w, w - 1 - 40 > 16 ? w - 1 - 40 : 16, _("FILE"),
	    /* TRANSLATORS: the files' headings after the first: keep each
	       where the English one starts (columns of 12 and 10). */
	    _("SIZE        COMMENTS  UPLOADED BY"));
	if (sp->nfiles == 0)
		view_empty(y + 3, x, w, sp->files_loaded ? _("No files yet: U "
		    "uploads one.") : _("loading..."));
	/* The list above, the chosen file's comments (Enter) below. */
	lh = sv(a)->comments_file != 0 ? (h - 3) / 2 : h - 3;
	view_list_draw(a, &a->list[VIEW_FILES], y + 3, x, lh, w, row_file);
	if (sv(a)->comments_file != 0)
		comments_draw(a, y + 3 + lh, x, h - 3 - lh, w);
}

/* Enter ------------------------------------------------------------------ */

/* In either list: the space. */
static void
open_spaces(struct app *a)
{
	space_show(a, view_key(a, a->view, listview_selected(
	    &a->list[a->view])));
}

static void
open_files(struct app *a)
{
	struct file_entry *f = &open_space(a)->files[listview_selected(
	    &a->list[VIEW_FILES])];
	char *size, *comments;

	xasprintf(&size, P_("%lld byte", "%lld bytes", f->size),
	    (long long)f->size);
	xasprintf(&comments, P_("%ld comment", "%ld comments", f->comments),
	    f->comments);
	app_status(a, 0, _("%s: %s, %s (c comments, S saves)"), f->name, size,
	    comments);
	free(size);
	free(comments);
	comments_load(a, f->id);
}

/* "name <email>, job title, company", and how they call themselves if
   the space set any of it. */
static void
open_person(struct app *a)
{
	struct participant *p = &open_space(a)->people_list[listview_selected(
	    &a->list[VIEW_SPACE])];
	struct buf *b = buf_new(0);
	const char *name, *job, *company;

	buf_printf(b, "%s <%s>%s%s%s%s", p->name, p->email,
	    *p->job_title != '\0' ? ", " : "", p->job_title,
	    *p->company != '\0' ? ", " : "", p->company);
	if (p->own_name != NULL || p->own_company != NULL ||
	    p->own_job_title != NULL) {
		name = p->own_name != NULL ? p->own_name : p->name;
		job = p->own_job_title != NULL ? p->own_job_title :
		    p->job_title;
		company = p->own_company != NULL ? p->own_company : p->company;
		buf_printf(b, _(" (as this space knows them; their own: "
		    "%s%s%s%s%s)"), name, *job != '\0' ? ", " : "", job,
		    *company != '\0' ? ", " : "", company);
	}
	app_status(a, 0, "%s", buf_cstr(b));
	buf_free(b);
}

/* Actions ----------------------------------------------------------------- */

/* The item of list v under the cursor (of n), or -1 and the status says
   why (what). */
static size_t
selected(struct app *a, enum view v, size_t n, const char *what)
{
	size_t item = listview_selected(&a->list[v]);

	if (item == (size_t)-1 || item >= n) {
		app_status(a, 1, "%s", what);
		return (size_t)-1;
	}
	return item;
}

/*
 * The answer to the prompt of the action asked: nothing if empty, but
 * for a description, which it clears.
 */
static void
prompt_done(struct app *a, const char *text)
{
	struct space_views *s = sv(a);
	int network = s->asked == A_NETWORK_NEW;
	char id[STR_I64_LEN];

	if (*text == '\0' && s->asked != A_SPACE_DESCRIBE)
		return;
	str_i64(id, s->asked == A_COMMENT ? s->target : s->space);
	switch (s->asked) {
	case A_SPACE_NEW:
	case A_NETWORK_NEW:
		link_action(a, network ? _("business network created") :
		    _("space created"), "SPACE.CREATE", "title", text,
		    "network", network ? "1" : NULL, NULL);
		break;
	case A_SPACE_EDIT:
		link_action(a, _("renamed"), "SPACE.EDIT", "space", id, "title",
		    text, NULL);
		break;
	case A_SPACE_DESCRIBE:
		link_action(a, _("description saved"), "SPACE.EDIT", "space",
		    id, "description", text, NULL);
		break;
	case A_UPLOAD:
		link_upload(a, s->space, text);
		break;
	case A_DOWNLOAD:
		link_download(a, s->target, text);
		break;
	case A_COMMENT:
		if (text[strspn(text, " ")] != '\0')
			link_action(a, _("comment added"), "COMMENT.ADD",
			    "file", id, "body", text, NULL);
		break;
	default:
		break;
	}
}

/* A new space or business network: its title. */
static void
space_new(struct app *a, enum action action)
{
	sv(a)->asked = action;
	app_prompt(a, action == A_NETWORK_NEW ? _("Title of the new business "
	    "network: ") : _("Title of the new space: "), 0, prompt_done);
}

static void
invite_message_done(struct app *a, const char *message)
{
	char id[STR_I64_LEN];

	link_action(a, _("invited"), "INVITE", "space", str_i64(id,
	    sv(a)->space), "emails", sv(a)->answers[0], "message",
	    *message != '\0' ? message : NULL, NULL);
}

static void
invite_emails_done(struct app *a, const char *emails)
{
	if (emails[strspn(emails, " ,")] == '\0')
		return;
	free(sv(a)->answers[0]);
	sv(a)->answers[0] = xstrdup(emails);
	app_prompt(a, _("Message (Enter for none): "), 0, invite_message_done);
}

/*
 * The profile form: name, company, job title, each prefilled. One's own
 * is one's account, prefilled with one's own values; someone else's (an
 * external, from the owner's side) is how this space knows them, and an
 * empty answer gives them back their own here. A field's values are
 * char * members of struct participant, at these offsets.
 */
static const struct profile_field {
	const char	*prompt;	/* for oneself */
	const char	*prompt_other;
	size_t		 own;		/* their own, or NULL */
	size_t		 shown;		/* as this space knows them */
} profile_fields[PROFILE_FIELDS] = {
	{ N_("Name: "), N_("Name here (empty: their own): "),
	    offsetof(struct participant, own_name),
	    offsetof(struct participant, name) },
	{ N_("Company: "), N_("Company here (empty: their own): "),
	    offsetof(struct participant, own_company),
	    offsetof(struct participant, company) },
	{ N_("Job title: "), N_("Job title here (empty: their own): "),
	    offsetof(struct participant, own_job_title),
	    offsetof(struct participant, job_title) },
};

static struct participant *
target_person(struct app *a)
{
	struct space *sp = open_space(a);

	for (size_t i = 0; sp != NULL && i < sp->npeople; i++)
		if (sp->people_list[i].user == sv(a)->target)
			return &sp->people_list[i];
	return NULL;
}

static int
target_self(struct app *a)
{
	return sv(a)->target == a->model.user;
}

/* What field i starts from: for oneself one's own value, not the one a
   space set. */
static const char *
profile_value(struct app *a, const struct participant *p, size_t i)
{
	const char *base = (const char *)p;
	const char *own = *(char *const *)(base + profile_fields[i].own);

	if (target_self(a) && own != NULL)
		return own;
	return *(char *const *)(base + profile_fields[i].shown);
}

static void profile_done(struct app *, const char *);

static void
profile_ask(struct app *a, size_t i)
{
	struct participant *p = target_person(a);

	sv(a)->step = i;
	app_prompt(a, target_self(a) ? _(profile_fields[i].prompt) :
	    _(profile_fields[i].prompt_other), 0, profile_done);
	if (p != NULL)
		field_set(&a->input, profile_value(a, p, i));
}

/*
 * For oneself, a field left as it was is not sent: one's own edit of a
 * field wins over what any space had set (agora-protocol(7)); and one's
 * own empty name is left as it was (the server refuses one). Someone
 * else's, empty, is their own again in this space.
 */
static void
profile_done(struct app *a, const char *value)
{
	struct space_views *s = sv(a);
	struct participant *p = target_person(a);
	char **v = s->answers, space[STR_I64_LEN], user[STR_I64_LEN];
	int changed = 0;

	free(v[s->step]);
	v[s->step] = xstrdup(value);
	if (s->step + 1 < PROFILE_FIELDS) {
		profile_ask(a, s->step + 1);
		return;
	}
	for (size_t i = 0; i < PROFILE_FIELDS; i++) {
		if (target_self(a) && ((i == 0 && v[i][strspn(v[i], " ")] ==
		    '\0') || (p != NULL && strcmp(v[i], profile_value(a, p,
		    i)) == 0))) {
			free(v[i]);
			v[i] = NULL;
		}
		changed |= v[i] != NULL;
	}
	if (!changed)
		app_status(a, 0, _("nothing changed"));
	else
		link_action(a, _("profile saved"), "PARTICIPANT.EDIT", "space",
		    str_i64(space, s->space), "user", str_i64(user, s->target),
		    "name", v[0], "company", v[1], "job_title", v[2], NULL);
}

/* The requests about the selected person, and what the status says
   once done. */
static const struct person_request {
	enum action	 action;
	const char	*verb;
	const char	*how;		/* INVITE.REMIND's, or NULL */
	const char	*done;
} person_requests[] = {
	{ A_RESEND, "INVITE.RESEND", NULL, N_("invitation sent again") },
	{ A_REMIND, "INVITE.REMIND", NULL, N_("reminder sent") },
	{ A_REMIND_LINK, "INVITE.REMIND", "link", N_("a link to pass on") },
	{ A_REVOKE, "PARTICIPANT.REVOKE", NULL, N_("access revoked") },
	{ A_GRANT, "PARTICIPANT.GRANT", NULL, N_("access granted") },
	{ A_DENY, "PARTICIPANT.DENY", NULL, N_("request turned down") },
};

static void
person_request(struct app *a, enum action action)
{
	const struct person_request *q = person_requests, *end = q +
	    sizeof person_requests / sizeof *q;
	char space[STR_I64_LEN], user[STR_I64_LEN];

	while (q < end && q->action != action)
		q++;
	if (q < end)
		link_action(a, _(q->done), q->verb, "space", str_i64(space,
		    sv(a)->space), "user", str_i64(user, sv(a)->target),
		    "how", q->how, NULL);
}

/*
 * A yes to the question the action asked (ask): its request, made from
 * the space and the person or file as they are now.
 */
static void
answer(struct app *a, int yes)
{
	struct space *sp = open_space(a);
	char id[STR_I64_LEN];

	if (!yes || sp == NULL)
		return;		/* gone meanwhile: the status said so */
	str_i64(id, sp->id);
	switch (sv(a)->asked) {
	case A_REVOKE:
	case A_DENY:
		person_request(a, sv(a)->asked);
		break;
	case A_FILE_DELETE:
		link_action(a, _("file deleted"), "FILE.DELETE", "file",
		    str_i64(id, sv(a)->target), NULL);
		break;
	case A_SPACE_DELETE:
		link_action(a, _("deleted"), "SPACE.DELETE", "space", id,
		    "confirm", "yes", NULL);
		break;
	case A_SPACE_LEAVE:
		link_action(a, _("left"), "SPACE.LEAVE", "space", id, NULL);
		break;
	case A_SPACE_ARCHIVE:
		link_action(a, sp->archived ? _("reactivated") : _("archived"),
		    sp->archived ? "SPACE.REACTIVATE" : "SPACE.ARCHIVE",
		    "space", id, NULL);
		break;
	case A_NETWORK:
		link_action(a, sp->network ? _("no longer a business network") :
		    _("now a business network"), "SPACE.NETWORK", "space", id,
		    "network", sp->network ? "0" : "1", NULL);
		break;
	case A_SPACE_EXTERNALS:
		link_action(a, sp->externals_invite ? _("externals may no "
		    "longer invite") : _("externals may invite"), "SPACE.EDIT",
		    "space", id, "externals_invite", sp->externals_invite ?
		    "0" : "1", NULL);
		break;
	default:
		break;
	}
}

/* The question of action: names from the server in it are sanitised
   with the rest. */
static void __attribute__((format(printf, 3, 4)))
ask(struct app *a, enum action action, const char *fmt, ...)
{
	va_list ap;
	char *q, *safe;

	va_start(ap, fmt);
	xvasprintf(&q, fmt, ap);
	va_end(ap);
	safe = text_sanitize(q, strlen(q), 0);
	sv(a)->asked = action;
	app_ask(a, safe, answer);
	free(safe);
	free(q);
}

/* Keys on a person in the list. */
static void
person_action(struct app *a, enum action action)
{
	struct space *sp = open_space(a);
	struct participant *p;
	size_t item;

	if (sp == NULL || (item = selected(a, VIEW_SPACE, sp->npeople,
	    _("select a participant first"))) == (size_t)-1)
		return;
	p = &sp->people_list[item];
	sv(a)->target = p->user;
	if (action == A_REVOKE)
		ask(a, action, _("Revoke the access of %s? They lose the "
		    "space at once."), p->email);
	else if (action == A_DENY)
		ask(a, action, _("Turn down the request of %s?"), p->email);
	else if (action == A_PROFILE)
		profile_ask(a, 0);
	else
		person_request(a, action);
}

/* Keys of the files view (and f, U from the space). */
static void
file_action(struct app *a, enum action action)
{
	struct space *sp = open_space(a);
	struct file_entry *f;
	size_t item;

	if (sp == NULL)
		return;
	sv(a)->asked = action;
	if (action == A_FILES) {
		sv(a)->comments_file = 0;
		app_set_view(a, a->view == VIEW_FILES ? VIEW_SPACE :
		    VIEW_FILES);
		if (a->view == VIEW_FILES && !sp->files_loaded)
			files_load(a, sp->id);
		return;
	}
	if (action == A_UPLOAD) {
		app_prompt(a, _("Upload (path of the file): "), 0, prompt_done);
		return;
	}
	if ((item = selected(a, VIEW_FILES, sp->nfiles,
	    _("select a file first"))) == (size_t)-1)
		return;
	f = &sp->files[item];
	sv(a)->target = f->id;
	if (action == A_DOWNLOAD) {
		app_prompt(a, _("Save as: "), 0, prompt_done);
		field_set(&a->input, f->name);
	} else if (action == A_COMMENT)
		app_prompt(a, _("Comment: "), 0, prompt_done);
	else if (action == A_FILE_DELETE)
		ask(a, action, _("Delete the file %s for everyone?"), f->name);
}

/* Keys about the space on screen itself. */
static void
space_action(struct app *a, enum action action)
{
	struct space *sp = open_space(a);
	char id[STR_I64_LEN], *one;

	if (sp == NULL)
		return;
	sv(a)->asked = action;
	switch (action) {
	case A_SPACE_EDIT:
		app_prompt(a, _("Title: "), 0, prompt_done);
		field_set(&a->input, sp->title);
		break;
	case A_SPACE_DESCRIBE:
		/* The field is one line: line breaks become spaces. */
		one = xstrdup(sp->description);
		for (char *p = one; *p != '\0'; p++)
			if (*p == '\n' || *p == '\t')
				*p = ' ';
		app_prompt(a, _("Description (one line): "), 0, prompt_done);
		field_set(&a->input, one);
		free(one);
		break;
	case A_SPACE_EXTERNALS:
		ask(a, action, sp->externals_invite ? _("Stop externals "
		    "inviting others into \u201c%s\u201d?") : _("Let externals "
		    "invite others into \u201c%s\u201d?"), sp->title);
		break;
	case A_SPACE_LINK:
		link_action(a, _("shareable link"), "SPACE.LINK", "space",
		    str_i64(id, sp->id), NULL);
		break;
	case A_SPACE_ARCHIVE:
		ask(a, action, sp->archived ? _("Bring \u201c%s\u201d back? "
		    "Externals get their access again.") : _("Archive "
		    "\u201c%s\u201d? Externals lose access; nothing is "
		    "deleted."), sp->title);
		break;
	case A_SPACE_DELETE:
		ask(a, action, _("Delete \u201c%s\u201d for good? Everything "
		    "in it goes, for everyone."), sp->title);
		break;
	case A_SPACE_LEAVE:
		ask(a, action, _("Leave \u201c%s\u201d? Only a new invitation "
		    "brings you back."), sp->title);
		break;
	case A_INVITE:
		app_prompt(a, _("Invite (e-mail addresses): "), 0,
		    invite_emails_done);
		picker_start(a, sv(a)->space);
		break;
	case A_DISCUSSION:
		chat_open(a, CHAT_SPACE, sp->id);
		break;
	case A_NETWORK:
		ask(a, action, sp->network ? _("Stop \u201c%s\u201d being a "
		    "business network? Its participants get back the roles "
		    "they had.") : _("Make \u201c%s\u201d a business network? "
		    "Every participant but its owner becomes a collaborator, "
		    "and they become your professional contacts."), sp->title);
		break;
	default:
		break;
	}
}

static const struct view_action space_actions[] = {
	{ A_SPACE_NEW, A_SPACE_NEW, space_new },
	{ A_SPACE_EDIT, A_NETWORK, space_action },
	{ A_RESEND, A_PROFILE, person_action },
	{ A_FILES, A_FILE_DELETE, file_action },
	{ A_NONE, A_NONE, NULL }
};

static const struct view_action network_actions[] = {
	{ A_NETWORK_NEW, A_NETWORK_NEW, space_new },
	{ A_NONE, A_NONE, NULL }
};

/* The row of the space on screen. */
static int
shows_space(struct app *a, const struct side_entry *e)
{
	return e->view == VIEW_SPACE && e->space == sv(a)->space;
}

static void
space_views_free(struct app *a)
{
	struct space_views *s = sv(a);

	free(s->networks);
	for (size_t i = 0; i < PROFILE_FIELDS; i++)
		free(s->answers[i]);
	comments_clear(s);
}

static const char *
title_space(struct app *a)
{
	struct space *sp = open_space(a);

	return sp != NULL ? sp->title : _("Space");
}

const struct view_ops view_spaces = {
	.name = "spaces",
	.title = N_("Spaces"),
	.go = A_VIEW_SPACES,
	.where = KM_SPACES,
	.section = "In the spaces list, also",
	.list = 1,
	.sync = sync_spaces,
	.key = key_spaces,
	.open = open_spaces,
	.draw = space_list_draw,
	.load = load_spaces,
	.actions = space_actions,
};

const struct view_ops view_networks = {
	.name = "networks",
	.title = N_("Business networks"),
	.go = A_VIEW_NETWORKS,
	.where = KM_NETWORKS,
	.section = "In the networks list, also",
	.list = 1,
	.key = key_networks,
	.open = open_spaces,
	.draw = space_list_draw,
	.actions = network_actions,
};

const struct view_ops view_space = {
	.title = N_("Space"),
	.where = KM_SPACE,
	.section = "In a space, also",
	.list = 1,
	.title_of = title_space,
	.state = sizeof (struct space_views),
	.sync = sync_space,
	.load = load_space,
	.key = key_space,
	.open = open_person,
	.draw = space_draw,
	.shows = shows_space,
	.free = space_views_free,
	.actions = space_actions,
};

const struct view_ops view_files = {
	.title = N_("Files"),
	.where = KM_FILES,
	.section = "In a space's files, also",
	.list = 1,
	.key = key_files,
	.open = open_files,
	.draw = files_draw,
	.shows = shows_space,
	.actions = space_actions,
};
