/*
 * The key map is policy: which key does what, where. These tests read the
 * table as such: every action is reachable, no binding is dead, and the
 * help generated from it says exactly what a lookup does. And every row
 * is routed: its action is in the table of the view it names (views.c)
 * or in app.c's, so a bound key can never do nothing.
 */
#include <check.h>
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "keymap.h"
#include "check-run.h"

#define FN(k) (KEYMAP_FN + (k))

/* Every context the screen uses, as app.c builds them. */
static const unsigned contexts[] = {
	KM_SCREEN | KM_LIST | KM_SIDEBAR,
	KM_SCREEN | KM_LIST,
	KM_SCREEN | KM_LIST | KM_SPACES,
	KM_SCREEN | KM_LIST | KM_SPACE,
	KM_SCREEN | KM_LIST | KM_FILES,
	KM_SCREEN | KM_LIST | KM_NETWORKS,
	KM_SCREEN | KM_LIST | KM_SIDEBAR | KM_CONTACT,
	KM_SCREEN | KM_LIST | KM_CONTACT,
	KM_SCREEN | KM_LIST | KM_CONTACT_MENU,
	KM_SCREEN | KM_CHAT,
	KM_EDIT,
	KM_EDIT | KM_CMDLINE,
	KM_EDIT | KM_COMPOSE,
	KM_EDIT | KM_PICK,
	KM_DIALOG,
	KM_OVERLAY,
};
#define NCONTEXTS (sizeof contexts / sizeof contexts[0])

START_TEST(lookup_by_context)
{
	ck_assert_int_eq(keymap_lookup('j', KM_SCREEN | KM_LIST), A_DOWN);
	ck_assert_int_eq(keymap_lookup(FN(KEY_DOWN), KM_SCREEN | KM_LIST),
	    A_DOWN);
	/* Space keys only where a space (or the list) is on screen. */
	ck_assert_int_eq(keymap_lookup('i', KM_SCREEN | KM_LIST | KM_SPACE),
	    A_INVITE);
	ck_assert_int_eq(keymap_lookup('i', KM_SCREEN | KM_LIST), A_NONE);
	ck_assert_int_eq(keymap_lookup('n', KM_SCREEN | KM_LIST | KM_SPACES),
	    A_SPACE_NEW);
	ck_assert_int_eq(keymap_lookup('n', KM_DIALOG), A_NO);
	/* Typing a "j" or a "q" into a field is text, not a command. */
	ck_assert_int_eq(keymap_lookup('j', KM_EDIT), A_NONE);
	ck_assert_int_eq(keymap_lookup('q', KM_EDIT | KM_CMDLINE), A_NONE);
	ck_assert_int_eq(keymap_lookup('q', KM_SCREEN | KM_LIST), A_QUIT);
	/* Tab: panes on the screen, completion on the command line only. */
	ck_assert_int_eq(keymap_lookup('\t', KM_SCREEN | KM_LIST),
	    A_NEXT_PANE);
	ck_assert_int_eq(keymap_lookup('\t', KM_EDIT | KM_CMDLINE),
	    A_COMPLETE);
	ck_assert_int_eq(keymap_lookup('\t', KM_EDIT), A_NONE);
	/* Up browses history on the command line, moves in lists. */
	ck_assert_int_eq(keymap_lookup(FN(KEY_UP), KM_EDIT | KM_CMDLINE),
	    A_HISTORY_PREV);
	ck_assert_int_eq(keymap_lookup(FN(KEY_UP), KM_SCREEN | KM_LIST), A_UP);
	ck_assert_int_eq(keymap_lookup(0x1b, KM_EDIT), A_ABORT);
	ck_assert_int_eq(keymap_lookup(0x1b, KM_DIALOG), A_NO);
	ck_assert_int_eq(keymap_lookup(KEYMAP_CTRL('l'), KM_SCREEN), A_REDRAW);
	/* The message field: Enter sends, C-j and Alt-Enter break the
	   line, Esc leaves it; typed letters are text. */
	ck_assert_int_eq(keymap_lookup('\r', KM_EDIT | KM_COMPOSE), A_SEND);
	ck_assert_int_eq(keymap_lookup('\n', KM_EDIT | KM_COMPOSE),
	    A_NEWLINE);
	ck_assert_int_eq(keymap_lookup(KEYMAP_ALT + '\r', KM_EDIT |
	    KM_COMPOSE), A_NEWLINE);
	ck_assert_int_eq(keymap_lookup(0x1b, KM_EDIT | KM_COMPOSE), A_LEAVE);
	ck_assert_int_eq(keymap_lookup('q', KM_EDIT | KM_COMPOSE), A_NONE);
	ck_assert_int_eq(keymap_lookup(KEYMAP_CTRL('a'), KM_EDIT | KM_COMPOSE),
	    A_EDIT_HOME);
	/* The conversation's history scrolls with the list keys. */
	ck_assert_int_eq(keymap_lookup('k', KM_SCREEN | KM_CHAT), A_UP);
	ck_assert_int_eq(keymap_lookup('\r', KM_SCREEN | KM_CHAT), A_COMPOSE);
	ck_assert_int_eq(keymap_lookup('/', KM_SCREEN | KM_CHAT), A_NONE);
	/* m: a contact's menu, but a reminder in a space. */
	ck_assert_int_eq(keymap_lookup('m', KM_SCREEN | KM_LIST | KM_SIDEBAR |
	    KM_CONTACT), A_MENU);
	ck_assert_int_eq(keymap_lookup('m', KM_SCREEN | KM_LIST | KM_SIDEBAR),
	    A_NONE);
	ck_assert_int_eq(keymap_lookup('m', KM_SCREEN | KM_LIST | KM_SPACE),
	    A_REMIND);
	ck_assert_int_eq(keymap_lookup('\t', KM_EDIT | KM_PICK), A_PICK);
	/* A function key never matches the character with its number. */
	ck_assert_int_eq(keymap_lookup(KEY_DOWN, KM_SCREEN | KM_LIST), A_NONE);
}
END_TEST

START_TEST(every_action_reachable)
{
	for (int a = A_NONE + 1; a < A_COUNT; a++) {
		int found = 0;

		for (size_t i = 0; i < keymap_len && !found; i++)
			found = keymap[i].action == (enum action)a &&
			    keymap[i].label != NULL;
		ck_assert_msg(found, "action %d has no labelled key", a);
		ck_assert_msg(*keymap_describe((enum action)a) != '\0',
		    "action %d has no description", a);
	}
}
END_TEST

/* A row another row shadows in every context it applies in is dead. */
START_TEST(no_dead_bindings)
{
	for (size_t i = 0; i < keymap_len; i++) {
		int live = 0;

		for (size_t c = 0; c < NCONTEXTS; c++)
			if ((keymap[i].where & contexts[c]) &&
			    keymap_lookup(keymap[i].key, contexts[c]) ==
			    keymap[i].action)
				live = 1;
		ck_assert_msg(live, "row %zu (%s) never takes effect", i,
		    keymap[i].label != NULL ? keymap[i].label : "?");
	}
}
END_TEST

/*
 * A row runs what the table of its view (or app.c's) has for its action;
 * an action missing there would be a key that does nothing, as W once
 * was.
 */
START_TEST(every_row_is_routed)
{
	for (size_t i = 0; i < keymap_len; i++) {
		const struct keybind *b = &keymap[i];
		const struct view_action *t = b->view == VIEW_NONE ?
		    app_actions : views[b->view]->actions;

		ck_assert_msg(view_action_find(t, b->action) != NULL,
		    "row %zu (%s, \"%s\"): action %d is not handled by %s",
		    i, b->label != NULL ? b->label : "?",
		    keymap_describe(b->action), b->action, b->view ==
		    VIEW_NONE ? "app.c" : views[b->view]->title);
	}
	/* A view that is not a list is given the list keys (app_move). */
	for (size_t v = 1; v < VIEW_COUNT; v++) {
		if (views[v]->list)
			continue;
		for (int act = A_UP; act <= A_LAST; act++)
			ck_assert_msg(view_action_find(views[v]->actions,
			    (enum action)act) != NULL, "%s: no action %d",
			    views[v]->title, act);
	}
	/* A view's key shows it, and app.c runs it. */
	for (size_t v = 1; v < VIEW_COUNT; v++)
		if (views[v]->go != A_NONE)
			ck_assert(view_action_find(app_actions,
			    views[v]->go) != NULL);
}
END_TEST

START_TEST(help_is_the_table)
{
	struct keyhelp kh[A_COUNT];

	for (size_t c = 0; c < NCONTEXTS; c++) {
		size_t n = keymap_help(contexts[c], kh, A_COUNT);

		ck_assert_uint_gt(n, 0);
		for (size_t h = 0; h < n; h++) {
			ck_assert_str_ne(kh[h].text, "");
			/* Every key listed does what the line says. */
			for (size_t i = 0; i < keymap_len; i++) {
				const char *l = keymap[i].label;

				if (l == NULL || keymap[i].action != kh[h].action ||
				    !(keymap[i].where & contexts[c]) ||
				    strstr(kh[h].keys, l) == NULL)
					continue;
				ck_assert_int_eq(keymap_lookup(keymap[i].key,
				    contexts[c]), kh[h].action);
			}
		}
	}
}
END_TEST

START_TEST(help_joins_keys)
{
	struct keyhelp kh[A_COUNT];
	size_t n = keymap_help(KM_SCREEN | KM_LIST, kh, A_COUNT), i;

	for (i = 0; i < n && kh[i].action != A_DOWN; i++)
		;
	ck_assert_uint_lt(i, n);
	ck_assert_str_eq(kh[i].keys, "j, Down");
	ck_assert_str_eq(kh[i].text, "move down");
	/* Editing keys are not screen keys. */
	for (i = 0; i < n; i++)
		ck_assert_int_ne(kh[i].action, A_EDIT_BACKSPACE);
	n = keymap_help(KM_EDIT | KM_CMDLINE, kh, A_COUNT);
	for (i = 0; i < n && kh[i].action != A_COMPLETE; i++)
		;
	ck_assert_uint_lt(i, n);
	ck_assert_str_eq(kh[i].keys, "Tab");
}
END_TEST

START_TEST(help_respects_max)
{
	struct keyhelp kh[3];

	ck_assert_uint_eq(keymap_help(KM_SCREEN | KM_LIST, kh, 3), 3);
	ck_assert_int_eq(kh[0].action, A_HELP);
}
END_TEST

/*
 * agora(1) lists the keys as the overlay does, one ".B "keys"" line and
 * the description under it, section by section: a key added to the table
 * and not to the page fails here.
 */
START_TEST(man_page_lists_every_key)
{
	const char *path = getenv("AGORA_MAN");
	struct keyhelp kh[A_COUNT];
	struct keysection sec[32];
	size_t n, len, nsec = view_sections(sec, 32);
	char *page, *want;
	FILE *f;

	ck_assert_msg(path != NULL, "AGORA_MAN is not set");
	ck_assert_msg((f = fopen(path, "r")) != NULL, "%s", path);
	page = malloc(1 << 20);
	len = fread(page, 1, (1 << 20) - 1, f);
	page[len] = '\0';
	fclose(f);
	/* The page's subsections, in view_sections (man-keys writes
	   them): each there, with its keys. */
	for (size_t c = 0; c < nsec; c++) {
		ck_assert_int_ge(asprintf(&want, ".SS %s\n", sec[c].title), 0);
		ck_assert_msg(strstr(page, want) != NULL, "agora(1) lacks:\n%s",
		    want);
		free(want);
		n = keymap_help(sec[c].where, kh, A_COUNT);
		for (size_t i = 0; i < n; i++) {
			ck_assert_int_ge(asprintf(&want, ".B \"%s\"\n%s\n",
			    kh[i].keys, kh[i].text), 0);
			ck_assert_msg(strstr(page, want) != NULL,
			    "agora(1) lacks:\n%s", want);
			free(want);
		}
	}
	/* And every action with a name, as a ":" command. */
	for (int a = A_NONE + 1; a < A_COUNT; a++) {
		if (keymap_name((enum action)a) == NULL)
			continue;
		ck_assert_int_ge(asprintf(&want, ".B :%s\n%s\n",
		    keymap_name((enum action)a),
		    keymap_describe((enum action)a)), 0);
		ck_assert_msg(strstr(page, want) != NULL, "agora(1) lacks:\n%s",
		    want);
		free(want);
	}
	free(page);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("keymap");
	TCase *tc = tcase_create("keymap");

	tcase_add_test(tc, lookup_by_context);
	tcase_add_test(tc, every_action_reachable);
	tcase_add_test(tc, no_dead_bindings);
	tcase_add_test(tc, every_row_is_routed);
	tcase_add_test(tc, help_is_the_table);
	tcase_add_test(tc, help_joins_keys);
	tcase_add_test(tc, help_respects_max);
	tcase_add_test(tc, man_page_lists_every_key);
	suite_add_tcase(s, tc);
	return check_run(s);
}
