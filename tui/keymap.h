/*
 * Every key the client understands, in one table (keymap.c): what it does
 * and where. The screen looks keys up here, and the help overlay ("?") is
 * generated from the same table, so the help can never disagree with what
 * the keys do. After calcurse's keys.c.
 *
 * A key is a Unicode code point (what get_wch returns as a character;
 * control keys are their C0 code, Ctrl-L is 12) or a curses function key
 * (KEY_UP, KEY_RESIZE, ...) with KEYMAP_FN added, because the two ranges
 * overlap. No curses calls here; the KEY_* numbers come from <curses.h>.
 */
#ifndef AGORA_KEYMAP_H
#define AGORA_KEYMAP_H

#include <stddef.h>

#define KEYMAP_FN	0x01000000
#define KEYMAP_CTRL(c)	((c) & 0x1f)
/* Alt (Meta) with a key: the terminal sends Esc, then the key. */
#define KEYMAP_ALT	0x02000000

/* Where a binding applies: the focused thing's context bits. */
#define KM_SCREEN	0x01	/* the main screen, whichever pane */
#define KM_LIST		0x02	/* the focused pane is a list */
#define KM_SIDEBAR	0x04	/* the sidebar has the focus */
#define KM_EDIT		0x08	/* a text field has the focus */
#define KM_CMDLINE	0x10	/* ... and it is the ":" command line */
#define KM_DIALOG	0x20	/* a yes/no question */
#define KM_OVERLAY	0x40	/* the help overlay */
#define KM_SPACES	0x80	/* the main pane shows the spaces list */
#define KM_SPACE	0x100	/* the main pane shows one space */
#define KM_FILES	0x200	/* the main pane shows a space's files */
#define KM_NETWORKS	0x400	/* the main pane shows the networks list */
#define KM_CONTACT	0x800	/* a professional contact is selected */
#define KM_CONTACT_MENU	0x1000	/* the main pane shows one contact */
#define KM_CHAT		0x2000	/* the main pane shows a conversation */
#define KM_COMPOSE	0x4000	/* ... and its message field has the focus */
#define KM_PICK		0x8000	/* a field that offers people to pick */

/*
 * The screen's views (app.h's struct view_ops, registered in views.c).
 * A key row names the view whose action hook runs it; VIEW_NONE: app.c.
 */
enum view {
	VIEW_NONE,
	VIEW_OVERVIEW,
	VIEW_ACTIVITY,
	VIEW_PEOPLE,
	VIEW_SPACES,
	VIEW_NETWORKS,
	VIEW_CONTACTS,
	VIEW_SPACE,		/* one space */
	VIEW_FILES,		/* that space's files */
	VIEW_CONTACT,		/* one contact's menu */
	VIEW_CHAT,		/* the conversation open (model.chat) */
	VIEW_COUNT
};

enum action {
	A_NONE,
	A_QUIT,
	A_HELP,
	A_REDRAW,
	A_COMMAND,
	A_FILTER,
	A_CANCEL,
	A_NEXT_PANE,
	A_PREV_PANE,
	A_VIEW_OVERVIEW,
	A_VIEW_ACTIVITY,
	A_VIEW_PEOPLE,
	A_VIEW_SPACES,
	A_VIEW_NETWORKS,
	A_VIEW_CONTACTS,
	A_NEXT_WORKSPACE,
	A_UP,
	A_DOWN,
	A_PAGE_UP,
	A_PAGE_DOWN,
	A_FIRST,
	A_LAST,
	A_OPEN,
	A_EDIT_LEFT,
	A_EDIT_RIGHT,
	A_EDIT_HOME,
	A_EDIT_END,
	A_EDIT_BACKSPACE,
	A_EDIT_DELETE,
	A_EDIT_KILL_WORD,
	A_EDIT_KILL_HOME,
	A_EDIT_KILL_END,
	A_ACCEPT,
	A_ABORT,
	A_COMPLETE,
	A_HISTORY_PREV,
	A_HISTORY_NEXT,
	A_YES,
	A_NO,
	A_CLOSE,
	A_SPACE_NEW,
	A_SPACE_EDIT,
	A_SPACE_DESCRIBE,
	A_SPACE_EXTERNALS,
	A_SPACE_LINK,
	A_SPACE_ARCHIVE,
	A_SPACE_DELETE,
	A_SPACE_LEAVE,
	A_INVITE,
	A_RESEND,
	A_REMIND,
	A_REMIND_LINK,
	A_REVOKE,
	A_GRANT,
	A_DENY,
	A_PROFILE,
	A_FILES,
	A_UPLOAD,
	A_DOWNLOAD,
	A_COMMENT,
	A_FILE_DELETE,
	A_NETWORK_NEW,
	A_NETWORK,
	A_DISCUSSION,
	A_MENU,
	A_CONVERSATION,
	A_ALWAYS_ADD,
	A_ALWAYS_COLLABORATOR,
	A_COMPOSE,
	A_SEND,
	A_NEWLINE,
	A_LEAVE,
	A_EDIT_UP,
	A_EDIT_DOWN,
	A_PICK,
	A_PICK_NEXT,
	A_PICK_PREV,
	A_COUNT
};

struct keybind {
	int		 key;
	unsigned	 where;		/* KM_* bits */
	enum action	 action;
	const char	*label;		/* the key as the help shows it */
	enum view	 view;		/* whose action hook runs it */
};

/* One line of help: the keys for an action, and what it does. */
struct keyhelp {
	char		 keys[48];	/* "j, Down" */
	const char	*text;
	enum action	 action;
};

/*
 * The action bound to key where any of the context bits in where apply;
 * A_NONE if none. Earlier table rows win.
 */
enum action keymap_lookup(int key, unsigned where);
/* The row itself, or NULL. */
const struct keybind *keymap_find(int key, unsigned where);
/*
 * The help for the context where: one entry per action that has a key
 * there, in table order, keys joined. Returns how many were written.
 */
size_t keymap_help(unsigned where, struct keyhelp *, size_t max);
/* What an action does, for help and errors. */
const char *keymap_describe(enum action);
/* Its ":" command, or NULL (editing keys and the like have none). */
const char *keymap_name(enum action);

/* The table itself, for tests and the man page generator. */
extern const struct keybind keymap[];
extern const size_t keymap_len;

/*
 * How agora(1) and the help list the keys: a subsection per context. The
 * screen's comes first, then each view's (views.c), then these.
 */
struct keysection {
	unsigned	 where;
	const char	*title;
};
extern const struct keysection keymap_screen_section;
extern const struct keysection keymap_sections[];
extern const size_t keymap_nsections;

#endif
