#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "keymap.h"

#define FN(k)	(KEYMAP_FN + (k))
#define C(c)	KEYMAP_CTRL(c)
#define M(c)	(KEYMAP_ALT + (c))

#define SCREEN	KM_SCREEN
#define LIST	KM_LIST
#define EDIT	KM_EDIT
#define CMD	KM_CMDLINE
#define CHAT	KM_CHAT
#define COMPOSE	KM_COMPOSE
/* The rows app.c runs; the others name their view. */
#define APP	VIEW_NONE

/* Key, where, action, help label (NULL: not listed), whose view. Order
   matters twice: first match wins, and help lists in this order. */
const struct keybind keymap[] = {
	{ '?', SCREEN, A_HELP, "?", APP },
	{ ':', SCREEN, A_COMMAND, ":", APP },
	{ '/', LIST, A_FILTER, "/", APP },
	{ 'j', LIST | CHAT, A_DOWN, "j", APP },
	{ FN(KEY_DOWN), LIST | CHAT, A_DOWN, "Down", APP },
	{ 'k', LIST | CHAT, A_UP, "k", APP },
	{ FN(KEY_UP), LIST | CHAT, A_UP, "Up", APP },
	{ FN(KEY_NPAGE), LIST | CHAT | COMPOSE, A_PAGE_DOWN, "PgDn", APP },
	{ ' ', LIST | CHAT, A_PAGE_DOWN, "Space", APP },
	{ FN(KEY_PPAGE), LIST | CHAT | COMPOSE, A_PAGE_UP, "PgUp", APP },
	{ 'g', LIST | CHAT, A_FIRST, "g", APP },
	{ FN(KEY_HOME), LIST | CHAT, A_FIRST, "Home", APP },
	{ 'G', LIST | CHAT, A_LAST, "G", APP },
	{ FN(KEY_END), LIST | CHAT, A_LAST, "End", APP },
	{ '\n', LIST, A_OPEN, "Enter", APP },
	{ '\r', LIST, A_OPEN, NULL, APP },
	{ FN(KEY_ENTER), LIST, A_OPEN, NULL, APP },
	{ '\r', CHAT, A_COMPOSE, "Enter", VIEW_CHAT },
	{ '\n', CHAT, A_COMPOSE, NULL, VIEW_CHAT },
	{ FN(KEY_ENTER), CHAT, A_COMPOSE, NULL, VIEW_CHAT },
	{ 'i', CHAT, A_COMPOSE, "i", VIEW_CHAT },
	{ '\t', SCREEN, A_NEXT_PANE, "Tab", APP },
	{ FN(KEY_BTAB), SCREEN, A_PREV_PANE, "S-Tab", APP },
	{ '1', SCREEN, A_VIEW_OVERVIEW, "1", APP },
	{ '2', SCREEN, A_VIEW_ACTIVITY, "2", APP },
	{ '3', SCREEN, A_VIEW_PEOPLE, "3", APP },
	{ '4', SCREEN, A_VIEW_SPACES, "4", APP },
	{ '5', SCREEN, A_VIEW_NETWORKS, "5", APP },
	{ '6', SCREEN, A_VIEW_CONTACTS, "6", APP },
	{ 'w', SCREEN, A_NEXT_WORKSPACE, "w", APP },
	{ 0x1b, SCREEN, A_CANCEL, "Esc", APP },
	{ C('l'), SCREEN, A_REDRAW, "C-l", APP },
	{ 'q', SCREEN, A_QUIT, "q", APP },

	/* The message field: Enter sends; a line feed is C-j (with nonl()
	   the terminal's Enter is \r, C-j \n) or Alt-Enter. */
	{ '\r', COMPOSE, A_SEND, "Enter", VIEW_CHAT },
	{ FN(KEY_ENTER), COMPOSE, A_SEND, NULL, VIEW_CHAT },
	{ '\n', COMPOSE, A_NEWLINE, "C-j", VIEW_CHAT },
	{ M('\r'), COMPOSE, A_NEWLINE, "M-Enter", VIEW_CHAT },
	{ 0x1b, COMPOSE, A_LEAVE, "Esc", VIEW_CHAT },
	{ C('g'), COMPOSE, A_LEAVE, "C-g", VIEW_CHAT },
	{ '\t', COMPOSE, A_NEXT_PANE, "Tab", VIEW_CHAT },
	{ FN(KEY_UP), COMPOSE, A_EDIT_UP, "Up", VIEW_CHAT },
	{ FN(KEY_DOWN), COMPOSE, A_EDIT_DOWN, "Down", VIEW_CHAT },

	{ '\t', KM_PICK, A_PICK, "Tab", APP },
	{ FN(KEY_DOWN), KM_PICK, A_PICK_NEXT, "Down", APP },
	{ C('n'), KM_PICK, A_PICK_NEXT, "C-n", APP },
	{ FN(KEY_UP), KM_PICK, A_PICK_PREV, "Up", APP },
	{ C('p'), KM_PICK, A_PICK_PREV, "C-p", APP },

	{ '\n', EDIT, A_ACCEPT, "Enter", APP },
	{ '\r', EDIT, A_ACCEPT, NULL, APP },
	{ FN(KEY_ENTER), EDIT, A_ACCEPT, NULL, APP },
	{ 0x1b, EDIT, A_ABORT, "Esc", APP },
	{ C('g'), EDIT, A_ABORT, "C-g", APP },
	{ '\t', CMD, A_COMPLETE, "Tab", APP },
	{ FN(KEY_UP), CMD, A_HISTORY_PREV, "Up", APP },
	{ C('p'), CMD, A_HISTORY_PREV, "C-p", APP },
	{ FN(KEY_DOWN), CMD, A_HISTORY_NEXT, "Down", APP },
	{ C('n'), CMD, A_HISTORY_NEXT, "C-n", APP },
	{ FN(KEY_LEFT), EDIT, A_EDIT_LEFT, "Left", APP },
	{ C('b'), EDIT, A_EDIT_LEFT, "C-b", APP },
	{ FN(KEY_RIGHT), EDIT, A_EDIT_RIGHT, "Right", APP },
	{ C('f'), EDIT, A_EDIT_RIGHT, "C-f", APP },
	{ FN(KEY_HOME), EDIT, A_EDIT_HOME, "Home", APP },
	{ C('a'), EDIT, A_EDIT_HOME, "C-a", APP },
	{ FN(KEY_END), EDIT, A_EDIT_END, "End", APP },
	{ C('e'), EDIT, A_EDIT_END, "C-e", APP },
	{ FN(KEY_BACKSPACE), EDIT, A_EDIT_BACKSPACE, "Backspace", APP },
	{ 0x7f, EDIT, A_EDIT_BACKSPACE, NULL, APP },
	{ C('h'), EDIT, A_EDIT_BACKSPACE, NULL, APP },
	{ FN(KEY_DC), EDIT, A_EDIT_DELETE, "Delete", APP },
	{ C('d'), EDIT, A_EDIT_DELETE, "C-d", APP },
	{ C('w'), EDIT, A_EDIT_KILL_WORD, "C-w", APP },
	{ C('u'), EDIT, A_EDIT_KILL_HOME, "C-u", APP },
	{ C('k'), EDIT, A_EDIT_KILL_END, "C-k", APP },

	{ 'n', KM_SPACES | KM_SPACE, A_SPACE_NEW, "n", VIEW_SPACE },
	{ 'e', KM_SPACE, A_SPACE_EDIT, "e", VIEW_SPACE },
	{ 'E', KM_SPACE, A_SPACE_DESCRIBE, "E", VIEW_SPACE },
	{ 'X', KM_SPACE, A_SPACE_EXTERNALS, "X", VIEW_SPACE },
	{ 'L', KM_SPACE, A_SPACE_LINK, "L", VIEW_SPACE },
	{ 'A', KM_SPACE, A_SPACE_ARCHIVE, "A", VIEW_SPACE },
	{ 'D', KM_SPACE, A_SPACE_DELETE, "D", VIEW_SPACE },
	{ 'W', KM_SPACE, A_SPACE_LEAVE, "W", VIEW_SPACE },
	{ 'i', KM_SPACE, A_INVITE, "i", VIEW_SPACE },
	{ 'R', KM_SPACE, A_RESEND, "R", VIEW_SPACE },
	{ 'm', KM_SPACE, A_REMIND, "m", VIEW_SPACE },
	{ 'M', KM_SPACE, A_REMIND_LINK, "M", VIEW_SPACE },
	{ 'r', KM_SPACE, A_REVOKE, "r", VIEW_SPACE },
	{ 'a', KM_SPACE, A_GRANT, "a", VIEW_SPACE },
	{ 'd', KM_SPACE, A_DENY, "d", VIEW_SPACE },
	{ 'p', KM_SPACE, A_PROFILE, "p", VIEW_SPACE },
	{ 'f', KM_SPACE | KM_FILES, A_FILES, "f", VIEW_SPACE },
	{ 'U', KM_SPACE | KM_FILES, A_UPLOAD, "U", VIEW_SPACE },
	{ 'S', KM_FILES, A_DOWNLOAD, "S", VIEW_SPACE },
	{ 'c', KM_FILES, A_COMMENT, "c", VIEW_SPACE },
	{ 'x', KM_FILES, A_FILE_DELETE, "x", VIEW_SPACE },
	{ 't', KM_SPACE, A_DISCUSSION, "t", VIEW_SPACE },
	{ 'N', KM_SPACE, A_NETWORK, "N", VIEW_SPACE },
	{ 'n', KM_NETWORKS, A_NETWORK_NEW, "n", VIEW_NETWORKS },
	{ 'm', KM_CONTACT, A_MENU, "m", VIEW_CONTACTS },
	{ 't', KM_CONTACT | KM_CONTACT_MENU, A_CONVERSATION, "t",
	    VIEW_CONTACTS },
	{ 'a', KM_CONTACT_MENU, A_ALWAYS_ADD, "a", VIEW_CONTACT },
	{ 'c', KM_CONTACT_MENU, A_ALWAYS_COLLABORATOR, "c", VIEW_CONTACT },

	{ 'y', KM_DIALOG, A_YES, "y", APP },
	{ 'Y', KM_DIALOG, A_YES, NULL, APP },
	{ 'n', KM_DIALOG, A_NO, "n", APP },
	{ 'N', KM_DIALOG, A_NO, NULL, APP },
	{ 0x1b, KM_DIALOG, A_NO, "Esc", APP },

	{ '?', KM_OVERLAY, A_CLOSE, "?", APP },
	{ 'q', KM_OVERLAY, A_CLOSE, "q", APP },
	{ 0x1b, KM_OVERLAY, A_CLOSE, "Esc", APP },
	{ 'j', KM_OVERLAY, A_DOWN, "j", APP },
	{ FN(KEY_DOWN), KM_OVERLAY, A_DOWN, "Down", APP },
	{ 'k', KM_OVERLAY, A_UP, "k", APP },
	{ FN(KEY_UP), KM_OVERLAY, A_UP, "Up", APP },
	{ C('l'), KM_OVERLAY, A_REDRAW, "C-l", APP },
};
const size_t keymap_len = sizeof keymap / sizeof keymap[0];

const struct keysection keymap_screen_section = {
	KM_SCREEN | KM_LIST | KM_SIDEBAR, "On the screen"
};
const struct keysection keymap_sections[] = {
	{ KM_EDIT, "In a text field (command line, filter, prompts, message)" },
	{ KM_CMDLINE, "In the command line, also" },
	{ KM_COMPOSE, "In a message field, also" },
	{ KM_PICK, "In the invite field, also" },
	{ KM_DIALOG, "In a question" },
	{ KM_OVERLAY, "In the help overlay" },
};
const size_t keymap_nsections = sizeof keymap_sections /
    sizeof keymap_sections[0];

static const struct {
	const char	*text;
	const char	*name;
} actions[A_COUNT] = {
#define ACTION(name, text, command) { text, command },
	KEYMAP_ACTIONS
#undef ACTION
};

const struct keybind *
keymap_find(int key, unsigned where)
{
	for (size_t i = 0; i < keymap_len; i++)
		if (keymap[i].key == key && (keymap[i].where & where))
			return &keymap[i];
	return NULL;
}

enum action
keymap_lookup(int key, unsigned where)
{
	const struct keybind *b = keymap_find(key, where);

	return b != NULL ? b->action : A_NONE;
}

const char *
keymap_name(enum action a)
{
	return a < A_COUNT ? actions[a].name : NULL;
}

const char *
keymap_describe(enum action a)
{
	const char *text = a < A_COUNT ? actions[a].text : NULL;

	/* _("") would be the catalog's header. */
	return text != NULL && *text != '\0' ? _(text) : "";
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
