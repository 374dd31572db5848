/*
 * The full-screen client: its state, shared by the loop (app.c), the
 * connection (link.c), the ":" commands (command.c), the frame (screen.c)
 * and the views (views.c). Only these files use curses.
 */
#ifndef AGORA_APP_H
#define AGORA_APP_H

#include <curses.h>
#include <stdint.h>

#include "cli.h"
#include "connect.h"
#include "field.h"
#include "history.h"
#include "i18n.h"
#include "keymap.h"
#include "listview.h"
#include "model.h"
#include "proto.h"

/* Smallest terminal the layout is drawn in. */
#define APP_MIN_COLS	80
#define APP_MIN_LINES	24

/* The message field holds more than the server takes, so that a long
   paste is not cut but refused, with its size, when sent. */
#define APP_COMPOSE_MAX		(4 * PROTO_MESSAGE_MAX)

enum link_state {
	LINK_CONNECTING,	/* connecting, resuming, loading */
	LINK_LOGIN,		/* waiting for the user's e-mail or password */
	LINK_ONLINE,
	LINK_WAITING,		/* lost: reconnecting at retry_at */
	LINK_STOPPED		/* refused (certificate) or not trusted */
};

/* A row of the sidebar: a section header, or an entry of one. */
struct side_entry {
	enum view	 view;		/* what Enter opens */
	int		 header;
	int64_t		 space;		/* VIEW_SPACE: which */
	int64_t		 user;		/* a contact's row: whose */
	const char	*label;		/* static text; NULL: from the model */
};

enum pane {
	PANE_SIDEBAR,
	PANE_MAIN,
	PANE_COUNT
};

/* What the bottom line is doing. */
enum mode {
	MODE_NORMAL,
	MODE_COMMAND,		/* ":" */
	MODE_FILTER,		/* "/" on the focused list */
	MODE_PROMPT,		/* e-mail or password */
	MODE_DIALOG,		/* a yes/no question */
	MODE_HELP,		/* the key overlay */
	MODE_COMPOSE		/* the conversation's message field */
};

struct app;
typedef void app_prompt_fn(struct app *, const char *text);
typedef void app_dialog_fn(struct app *, int yes);

/* What runs the actions first to last: app.c's table, or a view's. */
struct view_action {
	enum action	 first;
	enum action	 last;
	void		(*run)(struct app *, enum action);
};

/*
 * A view of the main area. views.c registers them in one table, indexed
 * by enum view, from which the digit keys (go), the ":view" names, the
 * titles and the help's sections come. Its key rows (keymap.c) name it,
 * and its actions table runs them. A hook left NULL does nothing.
 */
struct view_ops {
	const char	*name;		/* for :view; NULL: reached otherwise */
	const char	*title;
	enum action	 go;		/* the key that shows it, or A_NONE */
	unsigned	 where;		/* its key map context (KM_*) */
	const char	*section;	/* the help's title for its keys */
	int		 list;		/* 0: the list keys go to actions */
	const char	*(*title_of)(struct app *);	/* else title */
	size_t		 state;		/* the size of app.vstate's, zeroed */
	void		(*init)(struct app *);	/* after it is made */
	void		(*enter)(struct app *);		/* it is shown */
	void		(*sync)(struct app *);		/* the model changed */
	/* Asks the server for what it shows: all after logging in, else
	   what events made stale. */
	void		(*load)(struct app *, int all);
	int64_t		(*key)(struct app *, size_t item);
	void		(*open)(struct app *);		/* Enter */
	void		(*draw)(struct app *, int y, int x, int h, int w);
	/* Whether the sidebar's row e is what it shows. */
	int		(*shows)(struct app *, const struct side_entry *);
	void		(*free)(struct app *);	/* what its state holds */
	const struct view_action *actions;	/* ends with A_NONE */
};
extern const struct view_ops *const views[VIEW_COUNT];
/* The entry of table for action, or NULL. */
const struct view_action *view_action_find(const struct view_action *,
    enum action);
/* The help's sections: the screen, each view's, then the fields'. */
size_t view_sections(struct keysection *, size_t max);

struct client_reply;
typedef void link_reply_fn(struct app *, const struct client_reply *,
    void *arg);

/* A request in flight (link_request, link_change). */
struct pending {
	char		*tag;		/* NULL: waits for the link to return */
	char		*line;		/* a change: what goes again */
	int		 resent;
	link_reply_fn	*fn;
	void		*arg;
};

#define APP_PENDING_MAX 16

struct app {
	const struct cli_opts	*opts;
	struct model		 model;

	struct server_link	 link;
	enum link_state		 state;
	int64_t			 retry_at;	/* ms, clock_ms() */
	int			 backoff_ms;
	char			*token_path;
	int64_t			 session;
	struct pending		 pending[APP_PENDING_MAX];
	size_t			 npending;

	enum view		 view;
	enum pane		 focus;
	struct listview		 side;
	struct side_entry	*side_entries;
	size_t			 nside;
	struct listview		 list[VIEW_COUNT];
	int64_t			 selkey[VIEW_COUNT];	/* what each list's
							   selection shows */
	void			*vstate[VIEW_COUNT];	/* each view's own,
							   from its init */

	enum mode		 mode;
	struct field		 input;		/* the bottom line */
	struct history		 history;
	const char		*prompt;	/* its label */
	app_prompt_fn		*prompt_done;
	char			*email;		/* typed at the prompt */
	char			*dialog;	/* the question */
	app_dialog_fn		*dialog_done;
	size_t			 help_top;
	int			 cursor_y;	/* the message field's cursor,
						   drawn */
	int			 cursor_x;

	char			*notice;	/* a long message over the main
						   area, until the next login */
	int			 notice_error;
	char			*status;	/* the status line */
	int			 status_error;
	int			 too_small;
	int			 quit;
	int			 exit_status;
};

/* app.c */
void app_status(struct app *, int error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A message too long for the status line (NULL removes it), shown above
   the main area until the next login; error draws it as one. */
void app_notice(struct app *, int error, const char *);
void app_prompt(struct app *, const char *label, int secret,
    app_prompt_fn *);
void app_ask(struct app *, const char *question, app_dialog_fn *);
void app_set_view(struct app *, enum view);
/* Makes workspace i (of model.ws) the current one. */
void app_workspace(struct app *, size_t i);
/* The list the focused pane shows. */
struct listview *app_focused_list(struct app *);
/* The key map context whose keys the help overlay lists. */
unsigned app_help_context(const struct app *);
/* Runs an action of view v (VIEW_NONE: of app.c), as its key would. */
void app_action(struct app *, enum view, enum action);
/* What app.c runs itself: the key rows that name no view. */
extern const struct view_action app_actions[];

/* link.c: the connection's life. */
void link_start(struct app *);		/* connect now */
void link_lost(struct app *, const char *why);
void link_poll(struct app *);		/* the socket is ready */
void link_timer(struct app *);		/* retry_at came */
int link_fd(const struct app *);	/* -1 when not connected */
int link_want_write(const struct app *);
/*
 * A request answered in the loop: verb with pairs of key, value (a NULL
 * value leaves its pair out), then NULL. fn is called once, with the
 * reply or with NULL when none will come (the connection went); it owns
 * arg from then on. -1 (fn not called) if it could not be sent.
 */
int link_request(struct app *, const char *verb, link_reply_fn *,
    void *arg, ...) __attribute__((sentinel));
/*
 * The same for a change: if the connection drops before the reply, the
 * request goes again with the same rid once the session is back (once),
 * and fn has the reply of the first, whichever of the two made it.
 */
int link_change(struct app *, const char *verb, link_reply_fn *,
    void *arg, ...) __attribute__((sentinel));
/* verb key=id, when online. */
int link_request_id(struct app *, const char *verb, const char *key,
    int64_t id, link_reply_fn *, void *arg);
/* A list's reply read into the model with rc (0: read): the status line
   says what went wrong, and the views follow. */
void link_loaded(struct app *, const struct client_reply *,
    const char *what, int rc);
/* A reply's msg=, or its code; a number in it, or -1. */
const char *link_error(const struct client_reply *);
int64_t link_reply_i64(const struct client_reply *, const char *key);
/* Uploads path into the open space, or downloads file to path: the
   screen waits, the status line says how it went. */
void link_upload(struct app *, int64_t space, const char *path);
void link_download(struct app *, int64_t file, const char *path);
/*
 * A change (link_change) whose reply only needs telling: done (on OK)
 * or the error in the status line, with any warning or link the reply
 * carries. Pairs of key, value (a NULL value leaves its pair out), then
 * NULL.
 */
void link_action(struct app *, const char *done, const char *verb, ...)
    __attribute__((sentinel));
void link_free(struct app *);

/* command.c: the ":" line. */
void command_run(struct app *, const char *line);
void command_complete(struct app *);
/* The i-th command for the help: command.c's own, then the key map's
   named actions; NULL at the end. */
const char *command_help(size_t i, const char **args);

/* screen.c: the frame. */
void screen_init(void);
void screen_end(void);
void screen_draw(struct app *);

/* views.c: what is inside the frame. */
const char *view_title(struct app *, enum view);
void view_sync(struct app *);		/* list sizes from the model */
void view_remember(struct app *);	/* after the selection moved */
void view_draw_main(struct app *, int y, int x, int h, int w);
/* Enter on the main list. */
void view_open(struct app *);
/* Shared by the views: a list drawn row by row, an empty list's line. */
typedef void view_row_fn(struct app *, size_t item, int y, int x, int w,
    attr_t);
void view_list_draw(struct app *, struct listview *, int y, int x, int h,
    int w, view_row_fn *);
void view_empty(int y, int x, int w, const char *);
/* Text wrapped to w in at most max rows; the rows it took. */
int view_wrap(const char *, int y, int x, int w, int max, attr_t);
void view_list_sync(struct app *, enum view, size_t n, listview_label_fn *,
    void *);
/* The item a view's row shows, as a key that survives changes. */
int64_t view_key(struct app *, enum view, size_t item);

/* The views (each file's ops, registered in views.c). */
extern const struct view_ops view_none, view_overview, view_activity,
    view_people;
extern const struct view_ops view_spaces, view_networks, view_space,
    view_files;			/* view-space.c */
extern const struct view_ops view_contacts, view_contact;	/* view-contact.c */
extern const struct view_ops view_chat;				/* view-chat.c */

/* Every view's load hook (all: after logging in). */
void view_load(struct app *, int all);
void members_load(struct app *);	/* MEMBERS of the workspace */

/* view-chat.c: the conversation, and its message field. */
/* Opens the conversation with a user or a space's discussion. */
void chat_open(struct app *, enum chat_kind, int64_t peer);
/* The message field; a typed character into it. */
struct field *chat_field(struct app *);
void chat_compose_insert(struct app *, int key);
/* After drawing: marks read what the user has seen, loads older
   messages when the oldest loaded shows. */
void chat_after_draw(struct app *);

/* view-contact.c: the invite field's people (of a space): start, whether
   on, follow the text, pick, draw. */
void picker_start(struct app *, int64_t space);
int picker_on(const struct app *);
void picker_stop(struct app *);
void picker_typed(struct app *);
void picker_action(struct app *, enum action);
void picker_draw(struct app *, int y, int x, int h, int w);

/* view-space.c: opens space id in the main area (and loads its people). */
void space_show(struct app *, int64_t id);

/* sidebar.c */
void sidebar_sync(struct app *);
void sidebar_draw(struct app *, int y, int x, int h, int w);
void sidebar_open(struct app *);	/* Enter */
void sidebar_follow(struct app *);	/* select the current view's row */
/* The contact the sidebar's selected row is, or 0. */
int64_t sidebar_contact(const struct app *);

/* The full-screen client; returns the exit status. */
int app_run(const struct cli_opts *);

#endif
