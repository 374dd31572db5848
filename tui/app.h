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
#include "listview.h"
#include "model.h"

/* Smallest terminal the layout is drawn in. */
#define APP_MIN_COLS	80
#define APP_MIN_LINES	24

enum link_state {
	LINK_CONNECTING,	/* connecting, resuming, loading */
	LINK_LOGIN,		/* waiting for the user's e-mail or password */
	LINK_ONLINE,
	LINK_WAITING,		/* lost: reconnecting at retry_at */
	LINK_STOPPED		/* refused (certificate) or not trusted */
};

enum view {
	VIEW_OVERVIEW,
	VIEW_ACTIVITY,
	VIEW_PEOPLE,
	VIEW_SPACES,
	VIEW_NETWORKS,
	VIEW_CONTACTS,
	VIEW_SPACE,		/* one space: a->space */
	VIEW_FILES,		/* that space's files */
	VIEW_COUNT
};

/* A row of the sidebar: a section header, or an entry of one. */
struct side_entry {
	enum view	 view;		/* what Enter opens */
	int		 header;
	int64_t		 space;		/* VIEW_SPACE: which */
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
	MODE_HELP		/* the key overlay */
};

struct app;
typedef void app_prompt_fn(struct app *, const char *text);
typedef void app_dialog_fn(struct app *, int yes);

/* A request in flight, answered in the loop. */
enum request {
	REQ_WHOAMI,
	REQ_MEMBERS,
	REQ_SPACES,
	REQ_SPACE,
	REQ_FILES,
	REQ_COMMENTS,
	REQ_ACTION
};

struct pending {
	char		*tag;
	enum request	 kind;
	int64_t		 arg;
	char		*done;		/* REQ_ACTION: what to say on OK */
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
	int64_t			 space;		/* the space VIEW_SPACE shows */
	struct listview		 list[VIEW_COUNT];
	int64_t			 selkey[VIEW_COUNT];	/* what each list's
							   selection shows */

	enum mode		 mode;
	struct field		 input;		/* the bottom line */
	struct history		 history;
	const char		*prompt;	/* its label */
	app_prompt_fn		*prompt_done;
	char			*email;		/* typed at the prompt */
	char			*dialog;	/* the question */
	char			*scratch;	/* a form's earlier answers */
	char			*scratch2;
	int64_t			 target;	/* the user an action is about */
	int64_t			 comments_file;	/* whose comments are shown */
	char			**comments;	/* "name: body", raw */
	size_t			 ncomments;
	app_dialog_fn		*dialog_done;
	size_t			 help_top;

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
/* The list the focused pane shows. */
struct listview *app_focused_list(struct app *);
/* The key map context whose keys the help overlay lists. */
unsigned app_help_context(const struct app *);

/* link.c: the connection's life. */
void link_start(struct app *);		/* connect now */
void link_lost(struct app *, const char *why);
void link_poll(struct app *);		/* the socket is ready */
void link_timer(struct app *);		/* retry_at came */
int link_fd(const struct app *);	/* -1 when not connected */
int link_want_write(const struct app *);
void link_members(struct app *);	/* load the current workspace's */
void link_spaces(struct app *);		/* SPACE.LIST */
void link_space(struct app *, int64_t);	/* SPACE.SHOW */
void link_files(struct app *, int64_t);	/* FILE.LIST */
void link_comments(struct app *, int64_t);	/* COMMENT.LIST of a file */
/* Uploads path into the open space, or downloads file to path: the
   screen waits, the status line says how it went. */
void link_upload(struct app *, const char *path);
void link_download(struct app *, int64_t file, const char *path);
/*
 * A request whose reply only needs telling: done (on OK) or the error in
 * the status line, with any warning or link the reply carries. Pairs of
 * key, value (a NULL value leaves its pair out), then NULL.
 */
void link_action(struct app *, const char *done, const char *verb, ...)
    __attribute__((sentinel));
void link_free(struct app *);

/* command.c: the ":" line. */
void command_run(struct app *, const char *line);
void command_complete(struct app *);
const char *command_help(size_t i, const char **args);	/* NULL at end */

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
void view_list_sync(struct app *, enum view, size_t n, listview_label_fn *,
    void *);
/* The item a view's row shows, as a key that survives changes. */
int64_t view_key(struct app *, enum view, size_t item);

/* view-space.c: the spaces list and one space. */
void space_views_sync(struct app *);
int64_t space_view_key(struct app *, enum view, size_t item);
void space_list_draw(struct app *, int y, int x, int h, int w);
void space_draw(struct app *, int y, int x, int h, int w);
void files_draw(struct app *, int y, int x, int h, int w);
void space_views_open(struct app *);
/* A space key (keymap.h's A_SPACE_* .. A_PROFILE). */
void space_action(struct app *, int action);
/* Opens space id in the main area (and loads its people). */
void space_show(struct app *, int64_t id);

/* sidebar.c */
void sidebar_sync(struct app *);
void sidebar_draw(struct app *, int y, int x, int h, int w);
void sidebar_open(struct app *);	/* Enter */
void sidebar_follow(struct app *);	/* select the current view's row */

/* The full-screen client; returns the exit status. */
int app_run(const struct cli_opts *);

#endif
