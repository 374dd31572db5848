/*
 * Spaces on screen: the list of the user's spaces (view 4), the list of
 * those that are business networks (view 5), and one space (from the
 * sidebar or Enter in a list): its title and description,
 * the counts, the size warning, then its participants with role, status
 * (⚠ on an invitation pending for 7 days or more) and last activity.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "client.h"
#include "keymap.h"
#include "screen.h"
#include "text.h"
#include "xmalloc.h"

/* What the four views keep: VIEW_SPACE's state. */
struct space_views {
	int64_t		 space;		/* what VIEW_SPACE shows */
	size_t		*networks;	/* VIEW_NETWORKS: item -> index
					   in model.spaces */
	size_t		 nnetworks;
	char		*scratch;	/* a form's earlier answers */
	char		*scratch2;
	int64_t		 target;	/* the user or file an action is
					   about */
	int64_t		 comments_file;	/* whose comments show */
	char		**comments;	/* "name: body", raw */
	size_t		 ncomments;
	int64_t		 comments_after; /* the last one's id */
	enum action	 asked;		/* what the question is for */
	char		 ids[2][24];	/* space_id, target_id */
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

static const char *
space_label(void *ctx, size_t i)
{
	return ((struct model *)ctx)->spaces[i].title;
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

/* "title", for the filter of the networks list. */
static const char *
network_label(void *ctx, size_t i)
{
	struct app *a = ctx;

	return a->model.spaces[sv(a)->networks[i]].title;
}

static int64_t
key_spaces(struct app *a, size_t item)
{
	return a->model.spaces[item].id;
}

static int64_t
key_networks(struct app *a, size_t item)
{
	return a->model.spaces[sv(a)->networks[item]].id;
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

static void
sync_spaces(struct app *a)
{
	view_list_sync(a, VIEW_SPACES, a->model.nspaces, space_label,
	    &a->model);
}

static void
sync_networks(struct app *a)
{
	sv(a)->networks = xreallocarray(sv(a)->networks, a->model.nspaces + 1,
	    sizeof *sv(a)->networks);
	sv(a)->nnetworks = 0;
	for (size_t i = 0; i < a->model.nspaces; i++)
		if (a->model.spaces[i].network)
			sv(a)->networks[sv(a)->nnetworks++] = i;
	view_list_sync(a, VIEW_NETWORKS, sv(a)->nnetworks, network_label, a);
}

static void
sync_space(struct app *a)
{
	struct space *sp = open_space(a);

	view_list_sync(a, VIEW_SPACE, sp != NULL ? sp->npeople : 0,
	    participant_label, a);
	if ((a->view == VIEW_SPACE || a->view == VIEW_FILES) && sp == NULL) {
		/* Deleted, archived for us, or revoked: it is gone. */
		app_status(a, 1, "the space is no longer available to you");
		app_set_view(a, VIEW_SPACES);
	}
}

static void
sync_files(struct app *a)
{
	struct space *sp = open_space(a);

	view_list_sync(a, VIEW_FILES, sp != NULL ? sp->nfiles : 0,
	    file_label, a);
}

/* Requests ------------------------------------------------------------- */

static void
spaces_reply(struct app *a, const struct client_reply *r, void *arg)
{
	if (r != NULL)
		link_loaded(a, r, "spaces", r->ok ? model_spaces(&a->model,
		    r->data, r->ndata) : 0);
}

/* What the server is asked again: the list (all, or when stale), the
   space on screen (its people, or its files and their comments). */
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
	if (r->ok) {
		if (model_space_show(&a->model, r->data, r->ndata,
		    client_reply_get(r, "warning")) != 0)
			app_status(a, 1, "space: unreadable reply");
	} else if (strcmp(r->code, "not_found") == 0 &&
	    (sp = model_space(&a->model, (int64_t)(intptr_t)arg)) != NULL) {
		/* Closed to us since (revoked, archived): it goes. */
		app_status(a, 1, "%s: %s", sp->title, link_error(r));
		a->model.spaces_stale = 1;
	} else
		app_status(a, 1, "space: %s", link_error(r));
	view_sync(a);
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
		link_loaded(a, r, "files", r->ok ? model_files(&a->model,
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
	char f[24], after[24];

	snprintf(f, sizeof f, "%lld", (long long)file);
	snprintf(after, sizeof after, "%lld",
	    (long long)sv(a)->comments_after);
	if (a->state == LINK_ONLINE)
		link_request(a, "COMMENT.LIST", comments_reply,
		    (void *)(intptr_t)file, "file", f, "after", after, NULL);
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
		app_status(a, 1, "comments: %s", link_error(r));
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

static void
load_space(struct app *a, int all)
{
	struct space *sp = open_space(a);

	if (a->view == VIEW_SPACE && (all || (sp != NULL && !sp->loaded)))
		space_load(a, sv(a)->space);
}

static void
load_files(struct app *a, int all)
{
	struct space *sp = open_space(a);

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

/* "now", "5 min", "3 h", "12 d": how long ago, in a few columns. */
static void
ago(char *buf, size_t size, int64_t then)
{
	int64_t d = (int64_t)time(NULL) - then;

	if (then == 0)
		snprintf(buf, size, "-");
	else if (d < 60)
		snprintf(buf, size, "now");
	else if (d < 3600)
		snprintf(buf, size, "%lld min", (long long)(d / 60));
	else if (d < 86400)
		snprintf(buf, size, "%lld h", (long long)(d / 3600));
	else
		snprintf(buf, size, "%lld d", (long long)(d / 86400));
}

/* A row of the spaces or networks list. */
static void
space_row(struct space *sp, int y, int x, int w, attr_t attr)
{
	int tw = w - 40 > 20 ? w - 40 : 20;
	char counts[64];

	snprintf(counts, sizeof counts, "%-12s %4ld %7ld %1s %s", sp->role,
	    sp->people, sp->pending, sp->overdue > 0 ?
	    screen_symbol(SYM_WARNING) : "", sp->archived ? "archived" :
	    sp->network ? "network" : "");
	screen_text(y, x, tw, "", attr);
	screen_text(y, x, tw - 1, sp->title, attr);
	screen_text(y, x + tw, w - tw, counts, attr);
}

static void
row_space(struct app *a, size_t i, int y, int x, int w, attr_t attr)
{
	space_row(&a->model.spaces[i], y, x, w, attr);
}

static void
row_network(struct app *a, size_t i, int y, int x, int w, attr_t attr)
{
	space_row(&a->model.spaces[sv(a)->networks[i]], y, x, w, attr);
}

static void
space_list_head(int y, int x, int w)
{
	int tw = w - 1 - 40 > 20 ? w - 1 - 40 : 20;
	char *head;

	xasprintf(&head, " %-*s%-12s %4s %7s", tw, "TITLE", "ROLE", "PEOPLE",
	    "PENDING");
	screen_text(y, x, w, head, A_BOLD);
	free(head);
}

static void
space_list_draw(struct app *a, int y, int x, int h, int w)
{
	space_list_head(y, x, w);
	if (a->model.nspaces == 0)
		view_empty(y + 1, x, w, "No spaces yet. Create one with "
		    "agora space create.");
	view_list_draw(a, &a->list[VIEW_SPACES], y + 1, x, h - 1, w,
	    row_space);
}

static void
networks_draw(struct app *a, int y, int x, int h, int w)
{
	space_list_head(y, x, w);
	if (sv(a)->nnetworks == 0)
		view_empty(y + 1, x, w, "No business networks yet: n creates "
		    "one, N in a space makes it one (with a paid plan).");
	view_list_draw(a, &a->list[VIEW_NETWORKS], y + 1, x, h - 1, w,
	    row_network);
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
		snprintf(status, sizeof status, "pending %s%s%s", seen,
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
	char *s;
	int rows = 0;

	xasprintf(&s, "%s%s", sp->title, sp->archived ? "  (archived)" : "");
	screen_text(y + rows++, x, w, s, A_BOLD);
	free(s);
	/* At most three lines of the description. */
	rows += view_wrap(sp->description, y + rows, x, w, h - 5 < 3 ? h - 5 :
	    3, A_NORMAL);
	xasprintf(&s, "you: %s%s \u00b7 %ld people \u00b7 %ld pending"
	    "%s%s%s%s%s", sp->role, sp->network ?
	    " \u00b7 business network" : "", sp->people, sp->pending,
	    sp->overdue > 0 ? " " : "",
	    sp->overdue > 0 ? screen_symbol(SYM_WARNING) : "",
	    sp->requests > 0 ? " \u00b7 access requests: " : "",
	    sp->requests > 0 ? "yes" : "", sp->externals_invite ?
	    " \u00b7 externals may invite" : "");
	screen_text(y + rows++, x, w, s, screen_attr(PAIR_DIM, A_NORMAL));
	free(s);
	/* Where else to go from here, and whether anyone wrote. */
	if (sp->unread > 0)
		xasprintf(&s, "f: files \u00b7 t: discussion, %ld new",
		    sp->unread);
	else
		s = xstrdup("f: files \u00b7 t: discussion");
	screen_text(y + rows++, x, w, s, sp->unread > 0 ? A_BOLD :
	    screen_attr(PAIR_DIM, A_NORMAL));
	free(s);
	if (sp->warning != NULL)
		screen_text(y + rows++, x, w, sp->warning,
		    screen_attr(PAIR_ERROR, A_BOLD));
	return rows;
}

static void
space_draw(struct app *a, int y, int x, int h, int w)
{
	struct space *sp = open_space(a);
	int used, nw = w - 1 - 42 > 16 ? w - 1 - 42 : 16;
	char *head;

	if (sp == NULL) {
		view_empty(y, x, w, "This space is not available.");
		return;
	}
	used = space_head(a, sp, y, x, h, w) + 1;
	xasprintf(&head, " %-*s%-14s%-18s%s", nw, "PARTICIPANT", "ROLE",
	    "STATUS", "LAST SEEN");
	screen_text(y + used, x, w, head, A_BOLD);
	free(head);
	if (!sp->loaded && sp->npeople == 0)
		view_empty(y + used + 1, x, w, "loading...");
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
		snprintf(size, sizeof size, "%.1f MiB", f->size / 1048576.0);
	else if (f->size >= 1024)
		snprintf(size, sizeof size, "%.1f KiB", f->size / 1024.0);
	else
		snprintf(size, sizeof size, "%lld B", (long long)f->size);
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

	screen_text(y, x, w, sv(a)->ncomments == 0 ? "COMMENTS: none yet (c "
	    "comments)" : "COMMENTS", A_BOLD);
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
	int nw = w - 1 - 40 > 16 ? w - 1 - 40 : 16, lh;
	char *head;

	if (sp == NULL) {
		view_empty(y, x, w, "This space is not available.");
		return;
	}
	xasprintf(&head, "%s \u00b7 files (f: people)", sp->title);
	screen_text(y, x, w, head, A_BOLD);
	free(head);
	xasprintf(&head, " %-*s%-12s%-10s%s", nw, "FILE", "SIZE", "COMMENTS",
	    "UPLOADED BY");
	screen_text(y + 2, x, w, head, A_BOLD);
	free(head);
	if (sp->nfiles == 0)
		view_empty(y + 3, x, w, sp->files_loaded ? "No files yet: U "
		    "uploads one." : "loading...");
	/* The list above, the chosen file's comments (Enter) below. */
	lh = sv(a)->comments_file != 0 ? (h - 3) / 2 : h - 3;
	view_list_draw(a, &a->list[VIEW_FILES], y + 3, x, lh, w, row_file);
	if (sv(a)->comments_file != 0)
		comments_draw(a, y + 3 + lh, x, h - 3 - lh, w);
}

/*
 * " (as this space knows them; their own: name, job title, company)"
 * when the space set any of its own, else "" (caller frees).
 */
static char *
own_profile(const struct participant *p)
{
	const char *name, *job, *company;
	char *s;

	if (p->own_name == NULL && p->own_company == NULL &&
	    p->own_job_title == NULL)
		return xstrdup("");
	name = p->own_name != NULL ? p->own_name : p->name;
	job = p->own_job_title != NULL ? p->own_job_title : p->job_title;
	company = p->own_company != NULL ? p->own_company : p->company;
	xasprintf(&s, " (as this space knows them; their own: %s%s%s%s%s)",
	    name, *job != '\0' ? ", " : "", job, *company != '\0' ? ", " : "",
	    company);
	return s;
}

static void
open_spaces(struct app *a)
{
	space_show(a, a->model.spaces[listview_selected(
	    &a->list[VIEW_SPACES])].id);
}

static void
open_networks(struct app *a)
{
	space_show(a, a->model.spaces[sv(a)->networks[listview_selected(
	    &a->list[VIEW_NETWORKS])]].id);
}

static void
open_files(struct app *a)
{
	struct file_entry *f = &open_space(a)->files[listview_selected(
	    &a->list[VIEW_FILES])];

	app_status(a, 0, "%s: %lld bytes, %ld comments (c comments, S saves)",
	    f->name, (long long)f->size, f->comments);
	comments_load(a, f->id);
}

static void
open_person(struct app *a)
{
	struct participant *p = &open_space(a)->people_list[listview_selected(
	    &a->list[VIEW_SPACE])];
	char *own = own_profile(p);

	app_status(a, 0, "%s <%s>%s%s%s%s%s", p->name, p->email,
	    *p->job_title != '\0' ? ", " : "", p->job_title,
	    *p->company != '\0' ? ", " : "", p->company, own);
	free(own);
}

/* Actions ----------------------------------------------------------------- */

/* The open space's id and the target's, as text for a request. */
static const char *
space_id(struct app *a)
{
	snprintf(sv(a)->ids[0], sizeof sv(a)->ids[0], "%lld",
	    (long long)sv(a)->space);
	return sv(a)->ids[0];
}

static const char *
target_id(struct app *a)
{
	snprintf(sv(a)->ids[1], sizeof sv(a)->ids[1], "%lld",
	    (long long)sv(a)->target);
	return sv(a)->ids[1];
}

/* The participant under the cursor, or NULL (and the status says why). */
static struct participant *
selected(struct app *a)
{
	struct space *sp = open_space(a);
	size_t item = listview_selected(&a->list[VIEW_SPACE]);

	if (sp == NULL || item == (size_t)-1 || item >= sp->npeople) {
		app_status(a, 1, "select a participant first");
		return NULL;
	}
	return &sp->people_list[item];
}

static void
new_space_done(struct app *a, const char *title)
{
	if (*title != '\0')
		link_action(a, "space created", "SPACE.CREATE", "title", title,
		    NULL);
}

static void
rename_done(struct app *a, const char *title)
{
	if (*title != '\0')
		link_action(a, "renamed", "SPACE.EDIT", "space", space_id(a),
		    "title", title, NULL);
}

static void
describe_done(struct app *a, const char *text)
{
	/* An empty description is allowed: it clears it. */
	link_action(a, "description saved", "SPACE.EDIT", "space",
	    space_id(a), "description", text, NULL);
}

static void
invite_message_done(struct app *a, const char *message)
{
	link_action(a, "invited", "INVITE", "space", space_id(a),
	    "emails", sv(a)->scratch, "message", *message != '\0' ? message :
	    NULL, NULL);
	free(sv(a)->scratch);
	sv(a)->scratch = NULL;
}

static void
invite_emails_done(struct app *a, const char *emails)
{
	if (emails[strspn(emails, " ,")] == '\0')
		return;
	free(sv(a)->scratch);
	sv(a)->scratch = xstrdup(emails);
	app_prompt(a, "Message (Enter for none): ", 0, invite_message_done);
}

/*
 * The profile form: name, company, job title, each prefilled. One's own
 * is one's account, prefilled with one's own values; someone else's (an
 * external, from the owner's side) is how this space knows them, and an
 * empty answer gives them back their own here.
 */
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

/* What the form starts from: for oneself one's own value, not the one a
   space set. */
static const char *
form_value(struct app *a, const char *own, const char *shown)
{
	return target_self(a) && own != NULL ? own : shown;
}

/* The prompt (kept by app_prompt: literals only). */
static const char *
form_prompt(struct app *a, const char *own, const char *known)
{
	return target_self(a) ? own : known;
}

/* For oneself, a field left as it was is not sent: one's own edit of a
   field wins over what any space had set (agora-protocol(7)). */
static const char *
form_changed(struct app *a, const char *value, const char *own,
    const char *shown)
{
	if (value == NULL || !target_self(a))
		return value;
	return strcmp(value, form_value(a, own, shown)) == 0 ? NULL : value;
}

static void
job_done(struct app *a, const char *job_title)
{
	struct participant *p = target_person(a);
	const char *name = sv(a)->scratch2, *company = sv(a)->scratch;

	/* One's own empty name is left as it was (the server refuses one);
	   someone else's, empty, is their own again in this space. */
	if (target_self(a) && name != NULL && name[strspn(name, " ")] == '\0')
		name = NULL;
	if (p != NULL) {
		name = form_changed(a, name, p->own_name, p->name);
		company = form_changed(a, company, p->own_company, p->company);
		job_title = form_changed(a, job_title, p->own_job_title,
		    p->job_title);
	}
	if (name == NULL && company == NULL && job_title == NULL)
		app_status(a, 0, "nothing changed");
	else
		link_action(a, "profile saved", "PARTICIPANT.EDIT", "space",
		    space_id(a), "user", target_id(a), "name", name, "company",
		    company, "job_title", job_title, NULL);
	free(sv(a)->scratch);
	free(sv(a)->scratch2);
	sv(a)->scratch = sv(a)->scratch2 = NULL;
}

static void
company_done(struct app *a, const char *company)
{
	struct participant *p = target_person(a);

	free(sv(a)->scratch);
	sv(a)->scratch = xstrdup(company);
	app_prompt(a, form_prompt(a, "Job title: ",
	    "Job title here (empty: their own): "), 0, job_done);
	if (p != NULL)
		field_set(&a->input, form_value(a, p->own_job_title,
		    p->job_title));
}

static void
name_done(struct app *a, const char *name)
{
	struct participant *p = target_person(a);

	free(sv(a)->scratch2);
	sv(a)->scratch2 = xstrdup(name);
	app_prompt(a, form_prompt(a, "Company: ",
	    "Company here (empty: their own): "), 0, company_done);
	if (p != NULL)
		field_set(&a->input, form_value(a, p->own_company, p->company));
}

/* One request about the selected person, after a yes if asked. */
static void
person_request(struct app *a, const char *verb, const char *done)
{
	link_action(a, done, verb, "space", space_id(a), "user",
	    target_id(a), NULL);
}

/*
 * A yes to the question the action asked (ask): its request, made from
 * the space and the person or file as they are now.
 */
static void
answer(struct app *a, int yes)
{
	struct space *sp = open_space(a);

	if (!yes)
		return;
	switch (sv(a)->asked) {
	case A_REVOKE:
		person_request(a, "PARTICIPANT.REVOKE", "access revoked");
		break;
	case A_DENY:
		person_request(a, "PARTICIPANT.DENY", "request turned down");
		break;
	case A_FILE_DELETE:
		link_action(a, "file deleted", "FILE.DELETE", "file",
		    target_id(a), NULL);
		break;
	case A_SPACE_DELETE:
		link_action(a, "deleted", "SPACE.DELETE", "space",
		    space_id(a), "confirm", "yes", NULL);
		break;
	case A_SPACE_LEAVE:
		link_action(a, "left", "SPACE.LEAVE", "space", space_id(a),
		    NULL);
		break;
	case A_SPACE_ARCHIVE:
		if (sp != NULL)
			link_action(a, sp->archived ? "reactivated" :
			    "archived", sp->archived ? "SPACE.REACTIVATE" :
			    "SPACE.ARCHIVE", "space", space_id(a), NULL);
		break;
	case A_NETWORK:
		if (sp != NULL)
			link_action(a, sp->network ? "no longer a business "
			    "network" : "now a business network",
			    "SPACE.NETWORK", "space", space_id(a), "network",
			    sp->network ? "0" : "1", NULL);
		break;
	case A_SPACE_EXTERNALS:
		if (sp != NULL)
			link_action(a, sp->externals_invite ? "externals may "
			    "no longer invite" : "externals may invite",
			    "SPACE.EDIT", "space", space_id(a),
			    "externals_invite", sp->externals_invite ? "0" :
			    "1", NULL);
		break;
	default:
		break;
	}
}

/* The question of action, naming someone or something from the server,
   sanitised: before, the name, after. */
static void
ask(struct app *a, enum action action, const char *before, const char *name,
    const char *after)
{
	char *safe = text_sanitize(name, strlen(name), 0), *q;

	sv(a)->asked = action;
	xasprintf(&q, "%s%s%s", before, safe, after);
	app_ask(a, q, answer);
	free(q);
	free(safe);
}

/* Keys on a person in the list. */
static void
person_action(struct app *a, enum action action)
{
	struct participant *p;
	if (open_space(a) == NULL || (p = selected(a)) == NULL)
		return;
	sv(a)->target = p->user;
	switch (action) {
	case A_RESEND:
		person_request(a, "INVITE.RESEND", "invitation sent again");
		break;
	case A_REMIND:
		person_request(a, "INVITE.REMIND", "reminder sent");
		break;
	case A_GRANT:
		person_request(a, "PARTICIPANT.GRANT", "access granted");
		break;
	case A_REVOKE:
		ask(a, action, "Revoke the access of ", p->email, "? They lose "
		    "the space at once.");
		break;
	case A_DENY:
		ask(a, action, "Turn down the request of ", p->email, "?");
		break;
	case A_PROFILE:
		app_prompt(a, form_prompt(a, "Name: ",
		    "Name here (empty: their own): "), 0, name_done);
		field_set(&a->input, form_value(a, p->own_name, p->name));
		break;
	case A_REMIND_LINK:
		link_action(a, "a link to pass on", "INVITE.REMIND", "space",
		    space_id(a), "user", target_id(a), "how", "link", NULL);
		break;
	default:
		break;
	}
}

static struct file_entry *
selected_file(struct app *a)
{
	struct space *sp = open_space(a);
	size_t item = listview_selected(&a->list[VIEW_FILES]);

	if (sp == NULL || item == (size_t)-1 || item >= sp->nfiles) {
		app_status(a, 1, "select a file first");
		return NULL;
	}
	return &sp->files[item];
}

static void
upload_done(struct app *a, const char *path)
{
	if (*path != '\0')
		link_upload(a, sv(a)->space, path);
}

static void
save_done(struct app *a, const char *path)
{
	if (*path != '\0')
		link_download(a, sv(a)->target, path);
}

static void
comment_done(struct app *a, const char *body)
{
	if (body[strspn(body, " ")] != '\0')
		link_action(a, "comment added", "COMMENT.ADD", "file",
		    target_id(a), "body", body, NULL);
}

/* Keys of the files view (and f, U from the space). */
static void
file_action(struct app *a, enum action action)
{
	struct space *sp = open_space(a);
	struct file_entry *f;

	if (sp == NULL)
		return;
	if (action == A_FILES) {
		sv(a)->comments_file = 0;
		app_set_view(a, a->view == VIEW_FILES ? VIEW_SPACE :
		    VIEW_FILES);
		if (a->view == VIEW_FILES && !sp->files_loaded)
			files_load(a, sp->id);
		return;
	}
	if (action == A_UPLOAD) {
		app_prompt(a, "Upload (path of the file): ", 0, upload_done);
		return;
	}
	if ((f = selected_file(a)) == NULL)
		return;
	sv(a)->target = f->id;
	if (action == A_DOWNLOAD) {
		app_prompt(a, "Save as: ", 0, save_done);
		field_set(&a->input, f->name);
	} else if (action == A_COMMENT)
		app_prompt(a, "Comment: ", 0, comment_done);
	else if (action == A_FILE_DELETE)
		ask(a, action, "Delete the file ", f->name, " for everyone?");
}

static void
space_new(struct app *a, enum action action)
{
	(void)action;
	app_prompt(a, "Title of the new space: ", 0, new_space_done);
}

static void
new_network_done(struct app *a, const char *title)
{
	if (*title != '\0')
		link_action(a, "business network created", "SPACE.CREATE",
		    "title", title, "network", "1", NULL);
}

static void
network_new(struct app *a, enum action action)
{
	(void)action;
	app_prompt(a, "Title of the new business network: ", 0,
	    new_network_done);
}

/* Keys about the space on screen itself. */
static void
space_action(struct app *a, enum action action)
{
	struct space *sp = open_space(a);

	if (sp == NULL)
		return;
	switch (action) {
	case A_SPACE_EDIT:
		app_prompt(a, "Title: ", 0, rename_done);
		field_set(&a->input, sp->title);
		break;
	case A_SPACE_DESCRIBE: {
		/* The field is one line: line breaks become spaces. */
		char *one = xstrdup(sp->description);

		for (char *p = one; *p != '\0'; p++)
			if (*p == '\n' || *p == '\t')
				*p = ' ';
		app_prompt(a, "Description (one line): ", 0, describe_done);
		field_set(&a->input, one);
		free(one);
		break;
	}
	case A_SPACE_EXTERNALS:
		ask(a, action, sp->externals_invite ? "Stop externals inviting "
		    "others into \u201c" : "Let externals invite others into "
		    "\u201c", sp->title, "\u201d?");
		break;
	case A_SPACE_LINK:
		link_action(a, "shareable link", "SPACE.LINK", "space",
		    space_id(a), NULL);
		break;
	case A_SPACE_ARCHIVE:
		ask(a, action, sp->archived ? "Bring \u201c" : "Archive \u201c",
		    sp->title, sp->archived ? "\u201d back? Externals get "
		    "their access again." : "\u201d? Externals lose access; "
		    "nothing is deleted.");
		break;
	case A_SPACE_DELETE:
		ask(a, action, "Delete \u201c", sp->title, "\u201d for good? "
		    "Everything in it goes, for everyone.");
		break;
	case A_SPACE_LEAVE:
		ask(a, action, "Leave \u201c", sp->title, "\u201d? Only a new "
		    "invitation brings you back.");
		break;
	case A_INVITE:
		app_prompt(a, "Invite (e-mail addresses): ", 0,
		    invite_emails_done);
		picker_start(a, sv(a)->space);
		break;
	case A_DISCUSSION:
		chat_open(a, CHAT_SPACE, sp->id);
		break;
	case A_NETWORK:
		ask(a, action, sp->network ? "Stop \u201c" : "Make \u201c",
		    sp->title, sp->network ? "\u201d being a business network? Its "
		    "participants get back the roles they had." : "\u201d a "
		    "business network? Every participant but its owner becomes "
		    "a collaborator, and they become your professional "
		    "contacts.");
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
	{ A_NETWORK_NEW, A_NETWORK_NEW, network_new },
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
	free(s->scratch);
	free(s->scratch2);
	comments_clear(s);
}

static const char *
title_space(struct app *a)
{
	struct space *sp = open_space(a);

	return sp != NULL ? sp->title : "Space";
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
	.sync = sync_networks,
	.key = key_networks,
	.open = open_networks,
	.draw = networks_draw,
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
	.sync = sync_files,
	.load = load_files,
	.key = key_files,
	.open = open_files,
	.draw = files_draw,
	.shows = shows_space,
	.actions = space_actions,
};
