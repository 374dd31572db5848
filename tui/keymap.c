#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "keymap.h"

#define FN(k)	(KEYMAP_FN + (k))
#define C(c)	KEYMAP_CTRL(c)

#define SCREEN	KM_SCREEN
#define LIST	KM_LIST
#define EDIT	KM_EDIT
#define CMD	KM_CMDLINE

/* Order matters twice: first match wins, and help lists in this order. */
const struct keybind keymap[] = {
	{ '?',			SCREEN,	A_HELP,			"?" },
	{ ':',			SCREEN,	A_COMMAND,		":" },
	{ '/',			LIST,	A_FILTER,		"/" },
	{ 'j',			LIST,	A_DOWN,			"j" },
	{ FN(KEY_DOWN),		LIST,	A_DOWN,			"Down" },
	{ 'k',			LIST,	A_UP,			"k" },
	{ FN(KEY_UP),		LIST,	A_UP,			"Up" },
	{ FN(KEY_NPAGE),	LIST,	A_PAGE_DOWN,		"PgDn" },
	{ ' ',			LIST,	A_PAGE_DOWN,		"Space" },
	{ FN(KEY_PPAGE),	LIST,	A_PAGE_UP,		"PgUp" },
	{ 'g',			LIST,	A_FIRST,		"g" },
	{ FN(KEY_HOME),		LIST,	A_FIRST,		"Home" },
	{ 'G',			LIST,	A_LAST,			"G" },
	{ FN(KEY_END),		LIST,	A_LAST,			"End" },
	{ '\n',			LIST,	A_OPEN,			"Enter" },
	{ '\r',			LIST,	A_OPEN,			NULL },
	{ FN(KEY_ENTER),	LIST,	A_OPEN,			NULL },
	{ '\t',			SCREEN,	A_NEXT_PANE,		"Tab" },
	{ FN(KEY_BTAB),		SCREEN,	A_PREV_PANE,		"S-Tab" },
	{ '1',			SCREEN,	A_VIEW_OVERVIEW,	"1" },
	{ '2',			SCREEN,	A_VIEW_ACTIVITY,	"2" },
	{ '3',			SCREEN,	A_VIEW_PEOPLE,		"3" },
	{ '4',			SCREEN,	A_VIEW_SPACES,		"4" },
	{ '5',			SCREEN,	A_VIEW_NETWORKS,	"5" },
	{ '6',			SCREEN,	A_VIEW_CONTACTS,	"6" },
	{ 'w',			SCREEN,	A_NEXT_WORKSPACE,	"w" },
	{ 0x1b,			SCREEN,	A_CANCEL,		"Esc" },
	{ C('l'),		SCREEN,	A_REDRAW,		"C-l" },
	{ 'q',			SCREEN,	A_QUIT,			"q" },

	{ '\n',			EDIT,	A_ACCEPT,		"Enter" },
	{ '\r',			EDIT,	A_ACCEPT,		NULL },
	{ FN(KEY_ENTER),	EDIT,	A_ACCEPT,		NULL },
	{ 0x1b,			EDIT,	A_ABORT,		"Esc" },
	{ C('g'),		EDIT,	A_ABORT,		"C-g" },
	{ '\t',			CMD,	A_COMPLETE,		"Tab" },
	{ FN(KEY_UP),		CMD,	A_HISTORY_PREV,		"Up" },
	{ C('p'),		CMD,	A_HISTORY_PREV,		"C-p" },
	{ FN(KEY_DOWN),		CMD,	A_HISTORY_NEXT,		"Down" },
	{ C('n'),		CMD,	A_HISTORY_NEXT,		"C-n" },
	{ FN(KEY_LEFT),		EDIT,	A_EDIT_LEFT,		"Left" },
	{ C('b'),		EDIT,	A_EDIT_LEFT,		"C-b" },
	{ FN(KEY_RIGHT),	EDIT,	A_EDIT_RIGHT,		"Right" },
	{ C('f'),		EDIT,	A_EDIT_RIGHT,		"C-f" },
	{ FN(KEY_HOME),		EDIT,	A_EDIT_HOME,		"Home" },
	{ C('a'),		EDIT,	A_EDIT_HOME,		"C-a" },
	{ FN(KEY_END),		EDIT,	A_EDIT_END,		"End" },
	{ C('e'),		EDIT,	A_EDIT_END,		"C-e" },
	{ FN(KEY_BACKSPACE),	EDIT,	A_EDIT_BACKSPACE,	"Backspace" },
	{ 0x7f,			EDIT,	A_EDIT_BACKSPACE,	NULL },
	{ C('h'),		EDIT,	A_EDIT_BACKSPACE,	NULL },
	{ FN(KEY_DC),		EDIT,	A_EDIT_DELETE,		"Delete" },
	{ C('d'),		EDIT,	A_EDIT_DELETE,		"C-d" },
	{ C('w'),		EDIT,	A_EDIT_KILL_WORD,	"C-w" },
	{ C('u'),		EDIT,	A_EDIT_KILL_HOME,	"C-u" },
	{ C('k'),		EDIT,	A_EDIT_KILL_END,	"C-k" },

	{ 'n',			KM_SPACES | KM_SPACE, A_SPACE_NEW, "n" },
	{ 'e',			KM_SPACE, A_SPACE_EDIT,		"e" },
	{ 'E',			KM_SPACE, A_SPACE_DESCRIBE,	"E" },
	{ 'X',			KM_SPACE, A_SPACE_EXTERNALS,	"X" },
	{ 'L',			KM_SPACE, A_SPACE_LINK,		"L" },
	{ 'A',			KM_SPACE, A_SPACE_ARCHIVE,	"A" },
	{ 'D',			KM_SPACE, A_SPACE_DELETE,	"D" },
	{ 'i',			KM_SPACE, A_INVITE,		"i" },
	{ 'R',			KM_SPACE, A_RESEND,		"R" },
	{ 'm',			KM_SPACE, A_REMIND,		"m" },
	{ 'M',			KM_SPACE, A_REMIND_LINK,	"M" },
	{ 'r',			KM_SPACE, A_REVOKE,		"r" },
	{ 'a',			KM_SPACE, A_GRANT,		"a" },
	{ 'd',			KM_SPACE, A_DENY,		"d" },
	{ 'p',			KM_SPACE, A_PROFILE,		"p" },
	{ 'f',			KM_SPACE | KM_FILES, A_FILES,	"f" },
	{ 'U',			KM_SPACE | KM_FILES, A_UPLOAD,	"U" },
	{ 'S',			KM_FILES, A_DOWNLOAD,		"S" },
	{ 'c',			KM_FILES, A_COMMENT,		"c" },
	{ 'x',			KM_FILES, A_FILE_DELETE,	"x" },

	{ 'y',			KM_DIALOG, A_YES,		"y" },
	{ 'Y',			KM_DIALOG, A_YES,		NULL },
	{ 'n',			KM_DIALOG, A_NO,		"n" },
	{ 'N',			KM_DIALOG, A_NO,		NULL },
	{ 0x1b,			KM_DIALOG, A_NO,		"Esc" },

	{ '?',			KM_OVERLAY, A_CLOSE,		"?" },
	{ 'q',			KM_OVERLAY, A_CLOSE,		"q" },
	{ 0x1b,			KM_OVERLAY, A_CLOSE,		"Esc" },
	{ 'j',			KM_OVERLAY, A_DOWN,		"j" },
	{ FN(KEY_DOWN),		KM_OVERLAY, A_DOWN,		"Down" },
	{ 'k',			KM_OVERLAY, A_UP,		"k" },
	{ FN(KEY_UP),		KM_OVERLAY, A_UP,		"Up" },
	{ C('l'),		KM_OVERLAY, A_REDRAW,		"C-l" },
};
const size_t keymap_len = sizeof keymap / sizeof keymap[0];

static const char *const descriptions[A_COUNT] = {
	[A_NONE] = "",
	[A_QUIT] = "quit",
	[A_HELP] = "this help",
	[A_REDRAW] = "redraw the screen",
	[A_COMMAND] = "enter a command (:help lists them)",
	[A_FILTER] = "filter the list as you type",
	[A_CANCEL] = "clear the filter, close what is open",
	[A_NEXT_PANE] = "focus the next pane",
	[A_PREV_PANE] = "focus the previous pane",
	[A_VIEW_OVERVIEW] = "overview: account, workspaces, connection",
	[A_VIEW_ACTIVITY] = "activity: what happened, newest first",
	[A_VIEW_PEOPLE] = "people of the current workspace",
	[A_VIEW_SPACES] = "spaces",
	[A_VIEW_NETWORKS] = "business networks",
	[A_VIEW_CONTACTS] = "professional contacts",
	[A_NEXT_WORKSPACE] = "switch to the next workspace",
	[A_UP] = "move up",
	[A_DOWN] = "move down",
	[A_PAGE_UP] = "page up",
	[A_PAGE_DOWN] = "page down",
	[A_FIRST] = "first item",
	[A_LAST] = "last item",
	[A_OPEN] = "open the selected item",
	[A_EDIT_LEFT] = "cursor left",
	[A_EDIT_RIGHT] = "cursor right",
	[A_EDIT_HOME] = "start of the line",
	[A_EDIT_END] = "end of the line",
	[A_EDIT_BACKSPACE] = "delete the character before the cursor",
	[A_EDIT_DELETE] = "delete the character under the cursor",
	[A_EDIT_KILL_WORD] = "delete the word before the cursor",
	[A_EDIT_KILL_HOME] = "delete to the start of the line",
	[A_EDIT_KILL_END] = "delete to the end of the line",
	[A_ACCEPT] = "accept",
	[A_ABORT] = "cancel",
	[A_COMPLETE] = "complete the command or name",
	[A_HISTORY_PREV] = "previous command",
	[A_HISTORY_NEXT] = "next command",
	[A_YES] = "yes",
	[A_NO] = "no",
	[A_CLOSE] = "close",
	[A_SPACE_NEW] = "create a space",
	[A_SPACE_EDIT] = "rename the space",
	[A_SPACE_DESCRIBE] = "edit the space's description",
	[A_SPACE_EXTERNALS] = "let externals invite others, or stop them",
	[A_SPACE_LINK] = "get the space's shareable link",
	[A_SPACE_ARCHIVE] = "archive the space, or bring it back",
	[A_SPACE_DELETE] = "delete the space for good (its creator)",
	[A_INVITE] = "invite people by e-mail, with a message",
	[A_RESEND] = "send the selected invitation again (new link)",
	[A_REMIND] = "remind the selected invitee by e-mail",
	[A_REMIND_LINK] = "a new invitation link to pass on by hand",
	[A_REVOKE] = "revoke the selected participant's access",
	[A_GRANT] = "grant access back, or grant a request",
	[A_DENY] = "turn the selected access request down",
	[A_PROFILE] = "edit the selected profile (name, company, job title)",
	[A_FILES] = "switch between the space's people and its files",
	[A_UPLOAD] = "upload a file into the space",
	[A_DOWNLOAD] = "save the selected file",
	[A_COMMENT] = "comment on the selected file",
	[A_FILE_DELETE] = "delete the selected file",
};

enum action
keymap_lookup(int key, unsigned where)
{
	for (size_t i = 0; i < keymap_len; i++)
		if (keymap[i].key == key && (keymap[i].where & where))
			return keymap[i].action;
	return A_NONE;
}

const char *
keymap_describe(enum action a)
{
	return a < A_COUNT && descriptions[a] != NULL ? descriptions[a] : "";
}

/* The entry for action a in out[0..n), or NULL. */
static struct keyhelp *
help_find(struct keyhelp *out, size_t n, enum action a)
{
	for (size_t i = 0; i < n; i++)
		if (out[i].action == a)
			return &out[i];
	return NULL;
}

/*
 * A key is listed only where it really does this action: an earlier row
 * for the same key in an overlapping context would win the lookup.
 */
static int
help_reaches(size_t row, unsigned where)
{
	return keymap_lookup(keymap[row].key, where) == keymap[row].action;
}

size_t
keymap_help(unsigned where, struct keyhelp *out, size_t max)
{
	struct keyhelp *h;
	size_t n = 0, len;

	for (size_t i = 0; i < keymap_len; i++) {
		const struct keybind *b = &keymap[i];

		if (!(b->where & where) || b->label == NULL ||
		    !help_reaches(i, where))
			continue;
		if ((h = help_find(out, n, b->action)) == NULL) {
			if (n == max)
				continue;
			h = &out[n++];
			h->action = b->action;
			h->text = keymap_describe(b->action);
			h->keys[0] = '\0';
		}
		len = strlen(h->keys);
		snprintf(h->keys + len, sizeof h->keys - len, "%s%s",
		    len > 0 ? ", " : "", b->label);
	}
	return n;
}
