/*
 * The full-screen client's loop: one poll over the terminal and the
 * server's socket. Keys go through the key map (keymap.c) to actions;
 * pushed events update the model, and the screen redraws what they made
 * dirty, with no key pressed.
 */
#include <curses.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
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
	if (views[v]->enter != NULL)
		views[v]->enter(a);
}

void
app_workspace(struct app *a, size_t i)
{
	model_select(&a->model, i);
	view_sync(a);
	if (!model_workspace(&a->model)->loaded)
		members_load(a);
	app_status(a, 0, _("workspace %s"), model_workspace(&a->model)->name);
}

/* The screen's keys where the focus is: the view's own when it has it. */
static unsigned
app_screen_context(const struct app *a)
{
	const struct view_ops *v = views[a->view];

	if (a->focus == PANE_SIDEBAR)
		return KM_SCREEN | KM_LIST | KM_SIDEBAR |
		    (sidebar_contact(a) != 0 ? KM_CONTACT : 0);
	/* A view that is not a list (the conversation) scrolls with them. */
	return KM_SCREEN | (v->list ? KM_LIST : 0) | v->where;
}

/* Where the focus is, as key map context bits: the bottom line's field,
   what is over the screen, or the screen. */
static unsigned
app_context(const struct app *a)
{
	static const unsigned modes[] = {
		[MODE_COMMAND] = KM_EDIT | KM_CMDLINE,
		[MODE_FILTER] = KM_EDIT,
		[MODE_PROMPT] = KM_EDIT,
		[MODE_DIALOG] = KM_DIALOG,
		[MODE_HELP] = KM_OVERLAY,
		[MODE_COMPOSE] = KM_EDIT | KM_COMPOSE
	};

	if (a->mode == MODE_NORMAL)
		return app_screen_context(a);
	return modes[a->mode] | (a->mode == MODE_PROMPT && picker_on(a) ?
	    KM_PICK : 0);
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

/* The field being typed in changed. */
static void
app_typed(struct app *a)
{
	if (a->mode == MODE_COMMAND)
		history_reset(&a->history);
	if (a->mode == MODE_FILTER)
		app_refilter(a);
	if (a->mode == MODE_PROMPT)
		picker_typed(a);
}

/* Enter, Esc, Tab and history in the bottom line's field. */
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
			app_status(a, 1, _("not logged in (:connect to try "
			    "again, q to quit)"));
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

/* The editing keys are the field's operations, in the same order. */
_Static_assert(A_EDIT_KILL_END - A_EDIT_LEFT == FIELD_KILL_END &&
    A_EDIT_HOME - A_EDIT_LEFT == FIELD_HOME && FIELD_LEFT == 0,
    "A_EDIT_LEFT..A_EDIT_KILL_END and enum field_op differ");

/* An editing key, in the bottom line or the message field. */
static void
app_edit(struct app *a, enum action act)
{
	enum field_op op = (enum field_op)(act - A_EDIT_LEFT);

	if (a->mode == MODE_COMPOSE) {
		a->model.dirty |= DIRTY_MAIN | DIRTY_STATUS;
		if (!field_edit(chat_field(a), op))
			beep();
	} else if (field_edit(&a->input, op))
		app_typed(a);
}

static void
app_pick(struct app *a, enum action act)
{
	picker_action(a, act);
	if (act == A_PICK)
		app_typed(a);
}

/* The list keys are the list's moves, in the same order. */
_Static_assert(A_LAST - A_UP == LISTVIEW_LAST && LISTVIEW_UP == 0,
    "A_UP..A_LAST and enum listview_move differ");

static void app_view_action(struct app *, enum view, enum action);

/* The list keys: the help's lines, the focused list, or a view that is
   not a list. */
static void
app_move(struct app *a, enum action act)
{
	struct listview *lv = app_focused_list(a);

	if (a->mode == MODE_HELP) {
		if (act == A_DOWN)
			a->help_top++;
		else if (act == A_UP && a->help_top > 0)
			a->help_top--;
		return;
	}
	if (a->focus == PANE_MAIN && !views[a->view]->list) {
		app_view_action(a, a->view, act);
		return;
	}
	if (listview_move(lv, (enum listview_move)(act - A_UP))) {
		view_remember(a);
		a->model.dirty |= a->focus == PANE_SIDEBAR ? DIRTY_SIDEBAR :
		    DIRTY_MAIN;
	}
}

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
	case A_NEXT_WORKSPACE:
		if (a->model.nws < 2)
			app_status(a, 0, "%s", a->model.nws == 0 ?
			    _("no workspace") : _("this is your only "
			    "workspace"));
		else
			app_workspace(a, (a->model.cur + 1) % a->model.nws);
		break;
	case A_OPEN:
		if (a->focus == PANE_SIDEBAR)
			sidebar_open(a);
		else
			view_open(a);
		break;
	default:
		break;
	}
}

/* A digit: the view whose key it is. */
static void
app_go(struct app *a, enum action act)
{
	for (size_t v = 0; v < VIEW_COUNT; v++) {
		if (views[v]->go == act) {
			app_set_view(a, (enum view)v);
			a->focus = PANE_MAIN;
			return;
		}
	}
}

static void
app_answer(struct app *a, enum action act)
{
	app_dialog_fn *done = a->dialog_done;

	a->mode = MODE_NORMAL;
	done(a, act == A_YES);
}

static void
app_close(struct app *a, enum action act)
{
	(void)act;
	a->mode = MODE_NORMAL;
}

/* What app.c runs itself: the key rows that name no view. */
const struct view_action app_actions[] = {
	{ A_QUIT, A_OPEN, app_screen_action },
	{ A_VIEW_OVERVIEW, A_VIEW_CONTACTS, app_go },
	{ A_UP, A_LAST, app_move },
	{ A_EDIT_LEFT, A_EDIT_KILL_END, app_edit },
	{ A_ACCEPT, A_HISTORY_NEXT, app_input_action },
	{ A_YES, A_NO, app_answer },
	{ A_CLOSE, A_CLOSE, app_close },
	{ A_PICK, A_PICK_PREV, app_pick },
	{ A_NONE, A_NONE, NULL }
};

/* Runs act from view v's table (VIEW_NONE: app.c's). */
static void
app_view_action(struct app *a, enum view v, enum action act)
{
	const struct view_action *va = view_action_find(v == VIEW_NONE ?
	    app_actions : views[v]->actions, act);

	if (va != NULL)
		va->run(a, act);
}

void
app_action(struct app *a, enum view v, enum action act)
{
	enum mode was = a->mode;

	app_view_action(a, v, act);
	/* Moving in a list changes nothing else; the fields redraw
	   their line. */
	if (was == MODE_COMMAND || was == MODE_FILTER || was == MODE_PROMPT)
		a->model.dirty |= DIRTY_STATUS;
	else if (was != MODE_COMPOSE && (act < A_UP || act > A_LAST ||
	    was == MODE_HELP))
		a->model.dirty |= DIRTY_ALL;
}

static void
app_key(struct app *a, int key)
{
	const struct keybind *b;

	if (key == KEYMAP_FN + KEY_RESIZE) {
		a->model.dirty |= DIRTY_ALL;
		return;
	}
	if (a->too_small) {
		if (key == 'q')
			a->quit = 1;
		return;
	}
	if ((b = keymap_find(key, app_context(a))) != NULL) {
		app_action(a, b->view, b->action);
		return;
	}
	/* No binding: a character typed into the field, or nothing. */
	switch (a->mode) {
	case MODE_COMMAND:
	case MODE_FILTER:
	case MODE_PROMPT:
		if (key < KEYMAP_FN && field_insert(&a->input,
		    (wchar_t)key) == 0)
			app_typed(a);
		else
			beep();
		a->model.dirty |= DIRTY_STATUS;
		break;
	case MODE_COMPOSE:
		chat_compose_insert(a, key);
		break;
	case MODE_HELP:
		a->model.dirty |= DIRTY_ALL;
		break;
	default:
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
	field_init(&a->input, 0);
	for (size_t v = 0; v < VIEW_COUNT; v++) {
		listview_init(&a->list[v]);
		if (views[v]->state > 0)
			a->vstate[v] = xcalloc(1, views[v]->state);
		if (views[v]->init != NULL)
			views[v]->init(a);
	}
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
	for (size_t v = 0; v < VIEW_COUNT; v++) {
		if (views[v]->free != NULL)
			views[v]->free(a);
		free(a->vstate[v]);
		listview_free(&a->list[v]);
	}
	model_free(&a->model);
	free(a->side_entries);
	listview_free(&a->side);
	field_free(&a->input);
	history_free(&a->history);
	free(a->email);
	free(a->dialog);
	free(a->notice);
	free(a->status);
}

int
app_run(const struct cli_opts *o)
{
	struct app a;
	int status;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, _("agora: the full-screen client needs a "
		    "terminal; see agora --help for the commands\n"));
		return EX_USAGE;
	}
	app_init(&a, o);
	if ((a.token_path = paths_state("session")) == NULL) {
		fprintf(stderr, _("agora: no home directory for the session: "
		    "set HOME or XDG_STATE_HOME\n"));

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
