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

/*
 * Every action, once: A_ and its name, what it does (for the help and
 * errors) and its ":" command (NULL: editing keys and the like have
 * none). enum action and keymap.c's texts both come from this list.
 */
#define KEYMAP_ACTIONS \
	ACTION(NONE, "", NULL) \
	/* app.c's: the screen's, the views' keys, the lists', the fields' */ \
	ACTION(QUIT, N_("quit"), NULL) \
	ACTION(HELP, N_("this help"), NULL) \
	ACTION(REDRAW, N_("redraw the screen"), NULL) \
	ACTION(COMMAND, N_("enter a command (:help lists them)"), NULL) \
	ACTION(FILTER, N_("filter the list as you type"), "filter") \
	ACTION(CANCEL, N_("clear the filter, close what is open"), NULL) \
	ACTION(NEXT_PANE, N_("focus the next pane"), NULL) \
	ACTION(PREV_PANE, N_("focus the previous pane"), NULL) \
	ACTION(NEXT_WORKSPACE, N_("switch to the next workspace"), \
	    "next-workspace") \
	ACTION(OPEN, N_("open the selected item"), "open") \
	ACTION(VIEW_OVERVIEW, N_("overview: account, workspaces, connection"), \
	    NULL) \
	ACTION(VIEW_ACTIVITY, N_("activity: what happened, newest first"), \
	    NULL) \
	ACTION(VIEW_PEOPLE, N_("people of the current workspace"), NULL) \
	ACTION(VIEW_SPACES, N_("spaces"), NULL) \
	ACTION(VIEW_NETWORKS, N_("business networks"), NULL) \
	ACTION(VIEW_CONTACTS, N_("professional contacts"), NULL) \
	ACTION(UP, N_("move up"), NULL) \
	ACTION(DOWN, N_("move down"), NULL) \
	ACTION(PAGE_UP, N_("page up"), NULL) \
	ACTION(PAGE_DOWN, N_("page down"), NULL) \
	ACTION(FIRST, N_("first item; in a conversation, the oldest"), NULL) \
	ACTION(LAST, N_("last item; in a conversation, the newest"), NULL) \
	ACTION(EDIT_LEFT, N_("cursor left"), NULL) \
	ACTION(EDIT_RIGHT, N_("cursor right"), NULL) \
	ACTION(EDIT_HOME, N_("start of the line"), NULL) \
	ACTION(EDIT_END, N_("end of the line"), NULL) \
	ACTION(EDIT_BACKSPACE, N_("delete the character before the cursor"), \
	    NULL) \
	ACTION(EDIT_DELETE, N_("delete the character under the cursor"), NULL) \
	ACTION(EDIT_KILL_WORD, N_("delete the word before the cursor"), NULL) \
	ACTION(EDIT_KILL_HOME, N_("delete to the start of the line"), NULL) \
	ACTION(EDIT_KILL_END, N_("delete to the end of the line"), NULL) \
	ACTION(ACCEPT, N_("accept"), NULL) \
	ACTION(ABORT, N_("cancel"), NULL) \
	ACTION(COMPLETE, N_("complete the command or name"), NULL) \
	ACTION(HISTORY_PREV, N_("previous command"), NULL) \
	ACTION(HISTORY_NEXT, N_("next command"), NULL) \
	ACTION(YES, N_("yes"), NULL) \
	ACTION(NO, N_("no"), NULL) \
	ACTION(CLOSE, N_("close"), NULL) \
	ACTION(PICK, N_("put the highlighted person into the field"), NULL) \
	ACTION(PICK_NEXT, N_("highlight the next person"), NULL) \
	ACTION(PICK_PREV, N_("highlight the previous person"), NULL) \
	/* view-space.c's: the space, then a person in it, then its files */ \
	ACTION(SPACE_NEW, N_("create a space"), "new") \
	ACTION(SPACE_EDIT, N_("rename the space"), "rename") \
	ACTION(SPACE_DESCRIBE, N_("edit the space's description"), "describe") \
	ACTION(SPACE_EXTERNALS, N_("let externals invite others, or stop " \
	    "them"), "externals") \
	ACTION(SPACE_LINK, N_("get the space's shareable link"), "link") \
	ACTION(SPACE_ARCHIVE, N_("archive the space, or bring it back"), \
	    "archive") \
	ACTION(SPACE_DELETE, N_("delete the space for good (its creator)"), \
	    "delete") \
	ACTION(SPACE_LEAVE, N_("withdraw: leave the space (not its creator)"), \
	    "leave") \
	ACTION(INVITE, N_("invite people by e-mail, with a message"), \
	    "invite") \
	ACTION(DISCUSSION, N_("the space's discussion"), "discussion") \
	ACTION(NETWORK, N_("make the space a business network, or stop it " \
	    "being one"), "network") \
	ACTION(RESEND, N_("send the selected invitation again (new link)"), \
	    "resend") \
	ACTION(REMIND, N_("remind the selected invitee by e-mail"), "remind") \
	ACTION(REMIND_LINK, N_("a new invitation link to pass on by hand"), \
	    "remind-link") \
	ACTION(REVOKE, N_("revoke the selected participant's access"), \
	    "revoke") \
	ACTION(GRANT, N_("grant access back, or grant a request"), "grant") \
	ACTION(DENY, N_("turn the selected access request down"), "deny") \
	ACTION(PROFILE, N_("edit the selected profile (name, company, job " \
	    "title)"), "profile") \
	ACTION(FILES, N_("switch between the space's people and its files"), \
	    "files") \
	ACTION(UPLOAD, N_("upload a file into the space"), "upload") \
	ACTION(DOWNLOAD, N_("save the selected file"), "save") \
	ACTION(COMMENT, N_("comment on the selected file"), "comment") \
	ACTION(FILE_DELETE, N_("delete the selected file"), "delete-file") \
	ACTION(NETWORK_NEW, N_("create a business network (a paid plan)"), \
	    "new-network") \
	/* view-contact.c's */ \
	ACTION(MENU, N_("the contact's menu: networks in common, invitation " \
	    "preferences"), "menu") \
	ACTION(CONVERSATION, N_("the private conversation with the contact"), \
	    "conversation") \
	ACTION(ALWAYS_ADD, N_("always add them to new spaces: on or off"), \
	    "always-add") \
	ACTION(ALWAYS_COLLABORATOR, N_("always make them a collaborator: on " \
	    "or off"), "always-collaborator") \
	/* view-chat.c's: its own, then the message field's */ \
	ACTION(COMPOSE, N_("write a message"), "write") \
	ACTION(SEND, N_("send the message"), NULL) \
	ACTION(NEWLINE, N_("a new line in the message"), NULL) \
	ACTION(LEAVE, N_("leave the field (what is typed stays)"), NULL) \
	ACTION(EDIT_UP, N_("cursor up a row"), NULL) \
	ACTION(EDIT_DOWN, N_("cursor down a row"), NULL)

enum action {
#define ACTION(name, text, command) A_##name,
	KEYMAP_ACTIONS
#undef ACTION
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
