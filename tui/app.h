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

enum view {
	VIEW_OVERVIEW,
	VIEW_ACTIVITY,
	VIEW_PEOPLE,
	VIEW_SPACES,
	VIEW_NETWORKS,
	VIEW_CONTACTS,
	VIEW_SPACE,		/* one space: a->space */
	VIEW_FILES,		/* that space's files */
	VIEW_CONTACT,		/* one contact's menu: a->contact */
	VIEW_CHAT,		/* the conversation open (model.chat) */
	VIEW_COUNT
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

/* A request in flight, answered in the loop. */
enum request {
	REQ_WHOAMI,
	REQ_MEMBERS,
	REQ_SPACES,
	REQ_SPACE,
	REQ_FILES,
	REQ_COMMENTS,
	REQ_CONTACTS,
	REQ_CONTACT,
	REQ_CONVERSATIONS,
	REQ_MESSAGES,		/* arg: the chat's gen */
	REQ_SEND,
	REQ_READ,
	REQ_CANDIDATES,		/* arg: the picker's gen */
	REQ_ACTION
};

struct pending {
	char		*tag;
	enum request	 kind;
	int64_t		 arg;
	enum chat_kind	 chat;		/* REQ_SEND, REQ_READ: with arg, the
					   conversation */
	char		*done;		/* REQ_ACTION: what to say on OK */
	char		*text;		/* REQ_SEND: the body, back into the
					   field if it is not sent */
};

/* What was typed to a conversation not on screen. */
struct draft {
	enum chat_kind	 kind;
	int64_t		 peer;
	char		*text;
};

/* The people the invite field offers (INVITE.CANDIDATES). */
struct picker {
	int		 on;		/* the field offers people */
	unsigned	 gen;		/* counts requests: older replies
					   are dropped */
	int		 busy;		/* one on its way */
	char		*asked;		/* the prefix it was for */
	size_t		 sel;		/* highlighted in model.cands */
};

/* Where the conversation's history is scrolled to. */
struct chat_scroll {
	int		 follow;	/* at the newest, staying there */
	int		 to_top;	/* at the oldest, loading older ones
					   until there are no more */
	int64_t		 msg;		/* else: the message at the top... */
	int		 row;		/* ... and its row there (-1: the
					   "new" line above it) */
	int		 at_top;	/* the oldest loaded shows */
	int64_t		 last_shown;	/* the newest message on screen */
	int		 cols;		/* the history's size, last drawn */
	int		 rows;
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
	int64_t			 contact;	/* whom VIEW_CONTACT shows */
	size_t			*networks;	/* VIEW_NETWORKS: item ->
						   index in model.spaces */
	size_t			 nnetworks;
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
	int64_t			 comments_after; /* the last one's id */
	app_dialog_fn		*dialog_done;
	size_t			 help_top;

	struct field		 compose;	/* the open conversation's */
	char			*compose_note;	/* over it: why it is back */
	struct draft		*drafts;
	size_t			 ndrafts;
	struct chat_scroll	 scroll;
	int			 cursor_y;	/* the compose cursor, drawn */
	int			 cursor_x;
	struct picker		 picker;

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
/* An editing action (A_EDIT_LEFT .. A_EDIT_KILL_END) on a field;
   returns 1 if it changed. */
int app_field_edit(struct field *, enum action);

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
void link_contacts(struct app *);	/* CONTACTS */
void link_contact(struct app *, int64_t);	/* CONTACT.SHOW */
void link_conversations(struct app *);	/* CONV.LIST */
/* MSG.LIST of the open conversation: the newest page, or (older) the
   page before the oldest loaded. */
void link_messages(struct app *, int older);
/* MSG.SEND of body to the open conversation; 0, or -1 (not sent, and
   the status line says why) when not connected. */
int link_message_send(struct app *, const char *body);
void link_message_read(struct app *, int64_t upto);	/* MSG.READ */
/* INVITE.CANDIDATES for the open space, names starting with prefix. */
void link_candidates(struct app *, const char *prefix);
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

/* view-chat.c: the conversation, and its message field. */
/* Opens the conversation with a user or a space's discussion. */
void chat_open(struct app *, enum chat_kind, int64_t peer);
void chat_draw(struct app *, int y, int x, int h, int w);
const char *chat_title(struct app *);
/* Keys: in the history (A_UP .. A_LAST, A_COMPOSE), in the field. */
void chat_action(struct app *, enum action);
void chat_compose_key(struct app *, int key, enum action);
/* After drawing: marks read what the user has seen, loads older
   messages when the oldest loaded shows. */
void chat_after_draw(struct app *);
/* A message that did not go: its text back into its field. */
void chat_unsent(struct app *, enum chat_kind, int64_t peer,
    const char *text, const char *why);
void chat_view_free(struct app *);
/* After the model changed: the discussion of a space gone is closed. */
void chat_sync(struct app *);

/* view-contact.c: professional contacts, the networks list. */
void contact_views_sync(struct app *);
int64_t contact_view_key(struct app *, enum view, size_t item);
void contacts_draw(struct app *, int y, int x, int h, int w);
void contact_draw(struct app *, int y, int x, int h, int w);
void contact_views_open(struct app *);
/* A contact key (A_MENU .. A_ALWAYS_COLLABORATOR, A_NETWORK_NEW) on the
   selected contact (sidebar, contacts list or the menu on screen). */
void contact_action(struct app *, int action);
/* The invite field's people: start, follow the text, pick, draw. */
void picker_start(struct app *);
void picker_stop(struct app *);
void picker_typed(struct app *);
void picker_action(struct app *, enum action);
void picker_draw(struct app *, int y, int x, int h, int w);

/* view-space.c: the spaces list and one space. */
void space_views_sync(struct app *);
int64_t space_view_key(struct app *, enum view, size_t item);
void space_list_draw(struct app *, int y, int x, int h, int w);
void networks_draw(struct app *, int y, int x, int h, int w);
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
/* The contact the sidebar's selected row is, or 0. */
int64_t sidebar_contact(const struct app *);

/* The full-screen client; returns the exit status. */
int app_run(const struct cli_opts *);

#endif
