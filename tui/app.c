/*
 * The full-screen client's loop: one poll over the terminal and the
 * server's socket. Keys go through the key map (keymap.c) to actions;
 * pushed events update the model, and the screen redraws what they made
 * dirty, with no key pressed.
 */
#include <curses.h>
#include <errno.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "clock.h"
#include "keymap.h"
#include "paths.h"
#include "xmalloc.h"

#define APP_HISTORY_MAX	200

/* SIGINT, SIGTERM, SIGHUP: leave through the front door, so the terminal
   is restored and the session kept. */
static volatile sig_atomic_t app_signal;

static void
app_on_signal(int sig)
{
	app_signal = sig;
}

static void
app_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = app_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

void
app_status(struct app *a, int error, const char *fmt, ...)
{
	va_list ap;

	free(a->status);
	va_start(ap, fmt);
	if (xvasprintf(&a->status, fmt, ap) < 0)
		a->status = NULL;
	va_end(ap);
	a->status_error = error;
	a->model.dirty |= DIRTY_STATUS | DIRTY_HEADER;
}

void
app_notice(struct app *a, int error, const char *text)
{
	free(a->notice);
	a->notice = text != NULL ? xstrdup(text) : NULL;
	a->notice_error = error;
	a->model.dirty |= DIRTY_MAIN;
}

void
app_prompt(struct app *a, const char *label, int secret, app_prompt_fn *done)
{
	picker_stop(a);		/* offered for another field */
	field_free(&a->input);
	field_init(&a->input, secret ? 1024 : 0);
	a->input.secret = secret;
	a->prompt = label;
	a->prompt_done = done;
	a->mode = MODE_PROMPT;
	a->model.dirty |= DIRTY_ALL;
}

void
app_ask(struct app *a, const char *question, app_dialog_fn *done)
{
	free(a->dialog);
	a->dialog = xstrdup(question);
	a->dialog_done = done;
	a->mode = MODE_DIALOG;
	a->model.dirty |= DIRTY_ALL;
}

struct listview *
app_focused_list(struct app *a)
{
	return a->focus == PANE_SIDEBAR ? &a->side : &a->list[a->view];
}

void
app_set_view(struct app *a, enum view v)
{
	if (v != VIEW_CHAT && a->mode == MODE_COMPOSE)
		a->mode = MODE_NORMAL;	/* what is typed stays there */
	if (a->view != v) {
		a->view = v;
		a->model.dirty |= DIRTY_MAIN | DIRTY_SIDEBAR | DIRTY_STATUS;
		if (a->notice != NULL && !a->notice_error)
			app_notice(a, 0, NULL);	/* a link shown: done with */
	}
	sidebar_follow(a);
	if (v == VIEW_PEOPLE && model_workspace(&a->model) != NULL &&
	    !model_workspace(&a->model)->loaded)
		link_members(a);
}

static void
app_next_workspace(struct app *a)
{
	struct model *m = &a->model;

	if (m->nws < 2) {
		app_status(a, 0, "%s", m->nws == 0 ? "no workspace" :
		    "this is your only workspace");
		return;
	}
	model_select(m, (m->cur + 1) % m->nws);
	view_sync(a);
	if (!model_workspace(m)->loaded)
		link_members(a);
	app_status(a, 0, "workspace %s", model_workspace(m)->name);
}

static unsigned app_screen_context(const struct app *);

/* Where the focus is, as key map context bits. */
static unsigned
app_context(const struct app *a)
{
	switch (a->mode) {
	case MODE_COMMAND:
		return KM_EDIT | KM_CMDLINE;
	case MODE_FILTER:
		return KM_EDIT;
	case MODE_PROMPT:
		return KM_EDIT | (a->picker.on ? KM_PICK : 0);
	case MODE_COMPOSE:
		return KM_EDIT | KM_COMPOSE;
	case MODE_DIALOG:
		return KM_DIALOG;
	case MODE_HELP:
		return KM_OVERLAY;
	case MODE_NORMAL:
		break;
	}
	return app_screen_context(a);
}

/* The screen's keys where the focus is: the view's own when it has it. */
static unsigned
app_screen_context(const struct app *a)
{
	unsigned where = KM_SCREEN | KM_LIST;

	if (a->focus == PANE_SIDEBAR)
		return where | KM_SIDEBAR | (sidebar_contact(a) != 0 ?
		    KM_CONTACT : 0);
	switch (a->view) {
	case VIEW_SPACES:
		return where | KM_SPACES;
	case VIEW_SPACE:
		return where | KM_SPACE;
	case VIEW_FILES:
		return where | KM_FILES;
	case VIEW_NETWORKS:
		return where | KM_NETWORKS;
	case VIEW_CONTACTS:
		return where | KM_CONTACT;
	case VIEW_CONTACT:
		return where | KM_CONTACT_MENU;
	case VIEW_CHAT:
		/* Not a list: its keys scroll the history. */
		return KM_SCREEN | KM_CHAT;
	default:
		return where;
	}
}

unsigned
app_help_context(const struct app *a)
{
	return a->mode == MODE_HELP ? app_screen_context(a) : app_context(a);
}

static void
app_end_input(struct app *a)
{
	picker_stop(a);
	field_free(&a->input);
	field_init(&a->input, 0);
	a->mode = MODE_NORMAL;
	a->prompt = NULL;
	a->model.dirty |= DIRTY_ALL;
	curs_set(0);
}

static void
app_refilter(struct app *a)
{
	struct listview *lv = app_focused_list(a);

	free(lv->filter);
	lv->filter = xstrdup(a->input.text);
	view_sync(a);
	a->model.dirty |= DIRTY_SIDEBAR | DIRTY_MAIN;
}

/* Enter, Esc and history in the bottom line's field. */
static void
app_input_action(struct app *a, enum action act)
{
	const char *h;
	char *text;
	app_prompt_fn *done;

	switch (act) {
	case A_ACCEPT:
		text = xstrdup(a->input.text);
		if (a->mode == MODE_COMMAND) {
			history_add(&a->history, text);
			app_end_input(a);
			command_run(a, text);
		} else if (a->mode == MODE_PROMPT) {
			done = a->prompt_done;
			app_end_input(a);
			done(a, text);
		} else
			app_end_input(a);	/* the filter stays */
		freezero_str(text);
		break;
	case A_ABORT:
		if (a->mode == MODE_FILTER) {
			field_clear(&a->input);
			app_refilter(a);
		}
		if (a->mode == MODE_PROMPT && a->state == LINK_LOGIN) {
			a->state = LINK_STOPPED;
			app_status(a, 1, "not logged in (:connect to try "
			    "again, q to quit)");
		}
		history_reset(&a->history);
		app_end_input(a);
		break;
	case A_COMPLETE:
		command_complete(a);
		break;
	case A_HISTORY_PREV:
	case A_HISTORY_NEXT:
		h = act == A_HISTORY_PREV ? history_prev(&a->history,
		    a->input.text) : history_next(&a->history);
		if (h != NULL)
			field_set(&a->input, h);
		break;
	default:
		break;
	}
}

static const enum field_op edit_ops[A_EDIT_KILL_END - A_EDIT_LEFT + 1] = {
	[A_EDIT_LEFT - A_EDIT_LEFT] = FIELD_LEFT,
	[A_EDIT_RIGHT - A_EDIT_LEFT] = FIELD_RIGHT,
	[A_EDIT_HOME - A_EDIT_LEFT] = FIELD_HOME,
	[A_EDIT_END - A_EDIT_LEFT] = FIELD_END,
	[A_EDIT_BACKSPACE - A_EDIT_LEFT] = FIELD_BACKSPACE,
	[A_EDIT_DELETE - A_EDIT_LEFT] = FIELD_DELETE,
	[A_EDIT_KILL_WORD - A_EDIT_LEFT] = FIELD_KILL_WORD,
	[A_EDIT_KILL_HOME - A_EDIT_LEFT] = FIELD_KILL_HOME,
	[A_EDIT_KILL_END - A_EDIT_LEFT] = FIELD_KILL_END,
};

int
app_field_edit(struct field *f, enum action act)
{
	if (act < A_EDIT_LEFT || act > A_EDIT_KILL_END)
		return 0;
	return field_edit(f, edit_ops[act - A_EDIT_LEFT]);
}

static void
app_input_key(struct app *a, int key, enum action act)
{
	int changed = 0;

	if (act >= A_EDIT_LEFT && act <= A_EDIT_KILL_END)
		changed = app_field_edit(&a->input, act);
	else if (act == A_PICK || act == A_PICK_NEXT || act == A_PICK_PREV) {
		picker_action(a, act);
		changed = act == A_PICK;
	} else if (act != A_NONE) {
		app_input_action(a, act);
		a->model.dirty |= DIRTY_STATUS;
		return;
	} else if (key < KEYMAP_FN && field_insert(&a->input,
	    (wchar_t)key) == 0)
		changed = 1;
	else
		beep();
	if (changed) {
		if (a->mode == MODE_COMMAND)
			history_reset(&a->history);
		if (a->mode == MODE_FILTER)
			app_refilter(a);
		if (a->mode == MODE_PROMPT)
			picker_typed(a);
	}
	a->model.dirty |= DIRTY_STATUS;
}

static const enum listview_move list_moves[] = {
	[A_UP - A_UP] = LISTVIEW_UP,
	[A_DOWN - A_UP] = LISTVIEW_DOWN,
	[A_PAGE_UP - A_UP] = LISTVIEW_PAGE_UP,
	[A_PAGE_DOWN - A_UP] = LISTVIEW_PAGE_DOWN,
	[A_FIRST - A_UP] = LISTVIEW_FIRST,
	[A_LAST - A_UP] = LISTVIEW_LAST,
};

static void
app_screen_action(struct app *a, enum action act)
{
	struct listview *lv = app_focused_list(a);

	switch (act) {
	case A_QUIT:
		a->quit = 1;
		break;
	case A_HELP:
		a->mode = MODE_HELP;
		a->help_top = 0;
		break;
	case A_REDRAW:
		clearok(curscr, TRUE);
		break;
	case A_COMMAND:
		app_end_input(a);
		a->mode = MODE_COMMAND;
		curs_set(1);
		break;
	case A_FILTER:
		app_end_input(a);
		field_set(&a->input, lv->filter != NULL ? lv->filter : "");
		a->mode = MODE_FILTER;
		curs_set(1);
		break;
	case A_CANCEL:
		if (a->notice != NULL && !a->notice_error)
			app_notice(a, 0, NULL);
		if (lv->filter != NULL && *lv->filter != '\0') {
			field_clear(&a->input);
			app_refilter(a);
		}
		break;
	case A_NEXT_PANE:
	case A_PREV_PANE:
		a->focus = a->focus == PANE_SIDEBAR ? PANE_MAIN : PANE_SIDEBAR;
		break;
	case A_VIEW_OVERVIEW:
	case A_VIEW_ACTIVITY:
	case A_VIEW_PEOPLE:
	case A_VIEW_SPACES:
	case A_VIEW_NETWORKS:
	case A_VIEW_CONTACTS:
		app_set_view(a, (enum view)(act - A_VIEW_OVERVIEW));
		a->focus = PANE_MAIN;
		break;
	case A_NEXT_WORKSPACE:
		app_next_workspace(a);
		break;
	case A_UP:
	case A_DOWN:
	case A_PAGE_UP:
	case A_PAGE_DOWN:
	case A_FIRST:
	case A_LAST:
		if (a->focus == PANE_MAIN && a->view == VIEW_CHAT) {
			chat_action(a, act);
			return;
		}
		if (listview_move(lv, list_moves[act - A_UP])) {
			view_remember(a);
			a->model.dirty |= a->focus == PANE_SIDEBAR ?
			    DIRTY_SIDEBAR : DIRTY_MAIN;
		}
		return;		/* nothing else changed */
	case A_OPEN:
		if (a->focus == PANE_SIDEBAR)
			sidebar_open(a);
		else
			view_open(a);
		break;
	case A_SPACE_NEW:
	case A_SPACE_EDIT:
	case A_SPACE_DESCRIBE:
	case A_SPACE_EXTERNALS:
	case A_SPACE_LINK:
	case A_SPACE_ARCHIVE:
	case A_SPACE_DELETE:
	case A_SPACE_LEAVE:
	case A_INVITE:
	case A_RESEND:
	case A_REMIND:
	case A_REMIND_LINK:
	case A_REVOKE:
	case A_GRANT:
	case A_DENY:
	case A_PROFILE:
	case A_FILES:
	case A_UPLOAD:
	case A_DOWNLOAD:
	case A_COMMENT:
	case A_FILE_DELETE:
	case A_DISCUSSION:
	case A_NETWORK:
		space_action(a, act);
		break;
	case A_NETWORK_NEW:
	case A_MENU:
	case A_CONVERSATION:
	case A_ALWAYS_ADD:
	case A_ALWAYS_COLLABORATOR:
		contact_action(a, act);
		break;
	case A_COMPOSE:
		chat_action(a, act);
		break;
	default:
		break;
	}
	a->model.dirty |= DIRTY_ALL;
}

static void
app_key(struct app *a, int key)
{
	enum action act;

	if (key == KEYMAP_FN + KEY_RESIZE) {
		a->model.dirty |= DIRTY_ALL;
		return;
	}
	if (a->too_small) {
		if (key == 'q')
			a->quit = 1;
		return;
	}
	act = keymap_lookup(key, app_context(a));
	switch (a->mode) {
	case MODE_COMMAND:
	case MODE_FILTER:
	case MODE_PROMPT:
		app_input_key(a, key, act);
		break;
	case MODE_DIALOG:
		if (act == A_YES || act == A_NO) {
			app_dialog_fn *done = a->dialog_done;

			a->mode = MODE_NORMAL;
			a->model.dirty |= DIRTY_ALL;
			done(a, act == A_YES);
		}
		break;
	case MODE_HELP:
		if (act == A_CLOSE)
			a->mode = MODE_NORMAL;
		else if (act == A_DOWN)
			a->help_top++;
		else if (act == A_UP && a->help_top > 0)
			a->help_top--;
		else if (act == A_REDRAW)
			clearok(curscr, TRUE);
		a->model.dirty |= DIRTY_ALL;
		break;
	case MODE_COMPOSE:
		chat_compose_key(a, key, act);
		break;
	case MODE_NORMAL:
		app_screen_action(a, act);
		break;
	}
}

/* Everything the terminal has for us, without waiting. */
static void
app_read_keys(struct app *a)
{
	wint_t wc;
	int rc, key, next;

	/* All of them before drawing once: a paste or a held key must
	   not cost a frame per key. */
	while ((rc = get_wch(&wc)) != ERR && !a->quit) {
		key = rc == KEY_CODE_YES ? KEYMAP_FN + (int)wc : (int)wc;
		/*
		 * Alt-x reaches us as Esc and x in one read. Only a pair the
		 * key map knows where the focus is becomes one key: an Esc
		 * typed by hand comes alone, and anything else stays two.
		 */
		if (key == 0x1b && (rc = get_wch(&wc)) != ERR) {
			next = rc == KEY_CODE_YES ? KEYMAP_FN + (int)wc :
			    (int)wc;
			if (next < KEYMAP_FN && keymap_lookup(KEYMAP_ALT +
			    next, app_context(a)) != A_NONE)
				app_key(a, KEYMAP_ALT + next);
			else {
				app_key(a, key);
				if (!a->quit)
					app_key(a, next);
			}
			continue;
		}
		app_key(a, key);
	}
}

static int
app_timeout(const struct app *a)
{
	int64_t left;

	if (a->state != LINK_WAITING)
		return -1;
	left = a->retry_at - clock_ms();
	return left < 0 ? 0 : left > 60000 ? 60000 : (int)left;
}

static void
app_loop(struct app *a)
{
	struct pollfd pfd[2];
	nfds_t n;

	while (!a->quit && app_signal == 0) {
		link_poll(a);
		screen_draw(a);
		chat_after_draw(a);
		pfd[0].fd = STDIN_FILENO;
		pfd[0].events = POLLIN;
		pfd[0].revents = 0;
		n = 1;
		if (link_fd(a) >= 0) {
			pfd[1].fd = link_fd(a);
			pfd[1].events = POLLIN | (link_want_write(a) ? POLLOUT : 0);
			pfd[1].revents = 0;
			n = 2;
		}
		if (poll(pfd, n, app_timeout(a)) == -1 && errno != EINTR)
			break;
		/* After EINTR too: a resize arrives as SIGWINCH, and curses
		   turns it into KEY_RESIZE. */
		app_read_keys(a);
		link_timer(a);
	}
}

static void
app_init(struct app *a, const struct cli_opts *o)
{
	memset(a, 0, sizeof *a);
	a->opts = o;
	model_init(&a->model);
	listview_init(&a->side);
	for (size_t i = 0; i < VIEW_COUNT; i++)
		listview_init(&a->list[i]);
	field_init(&a->input, 0);
	field_init(&a->compose, APP_COMPOSE_MAX);
	a->compose.multiline = 1;
	history_init(&a->history, APP_HISTORY_MAX);
	a->email = o->email != NULL ? xstrdup(o->email) : NULL;
	a->view = VIEW_OVERVIEW;
	a->focus = PANE_SIDEBAR;
	a->exit_status = EX_OK;
	srandom((unsigned)(clock_ms() ^ getpid()));
}

static void
app_free(struct app *a)
{
	link_free(a);		/* may give unsent messages back to drafts */
	chat_view_free(a);
	model_free(&a->model);
	free(a->networks);
	free(a->picker.asked);
	free(a->side_entries);
	listview_free(&a->side);
	for (size_t i = 0; i < VIEW_COUNT; i++)
		listview_free(&a->list[i]);
	field_free(&a->input);
	history_free(&a->history);
	free(a->email);
	free(a->dialog);
	free(a->scratch);
	free(a->scratch2);
	for (size_t i = 0; i < a->ncomments; i++)
		free(a->comments[i]);
	free(a->comments);
	free(a->notice);
	free(a->status);
}

int
app_run(const struct cli_opts *o)
{
	struct app a;
	int status;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "agora: the full-screen client needs a "
		    "terminal; see agora --help for the commands\n");
		return EX_USAGE;
	}
	app_init(&a, o);
	if ((a.token_path = paths_state("session")) == NULL) {
		fprintf(stderr, "agora: no home directory for the session: "
		    "set HOME or XDG_STATE_HOME\n");
		app_free(&a);
		return EX_CONFIG;
	}
	screen_init();
	app_signals();		/* after curses, which sets its own */
	view_sync(&a);
	link_start(&a);
	app_loop(&a);
	screen_end();
	status = app_signal != 0 ? 128 + app_signal : a.exit_status;
	app_free(&a);
	return status;
}
