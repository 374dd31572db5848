/*
 * The list state under every view: the selection must stay on a real row
 * and on screen whatever happens to the items, the filter or the window.
 */
#include <check.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>

#include "listview.h"
#include "check-run.h"

#define NITEMS(a) (sizeof (a) / sizeof (a)[0])

static const char *people[] = {
	"Alice Martin",		/* 0 */
	"Zoë Lefèvre",		/* 1 */
	"Bob",			/* 2 */
	"ZOE",			/* 3 */
	"élodie",		/* 4 */
	"Zoé",			/* 5 */
};

static const char *
label(void *ctx, size_t i)
{
	const char **labels = ctx;

	return labels[i];
}

/* Numbered labels "0" .. "n-1", for lists longer than a screen. */
static char numbers[64][4];
static const char *numbered[64];

static void
setup_numbers(void)
{
	for (size_t i = 0; i < NITEMS(numbered); i++) {
		snprintf(numbers[i], sizeof numbers[i], "%zu", i);
		numbered[i] = numbers[i];
	}
}

/* The invariants listview.h promises after every call. */
static void
assert_valid(const struct listview *lv)
{
	size_t maxtop;

	if (lv->nrows == 0) {
		ck_assert_uint_eq(lv->sel, 0);
		ck_assert_uint_eq(lv->top, 0);
		ck_assert_uint_eq(listview_selected(lv), (size_t)-1);
		return;
	}
	ck_assert_uint_lt(lv->sel, lv->nrows);
	ck_assert_uint_le(lv->top, lv->sel);
	ck_assert_uint_lt(listview_selected(lv), lv->nitems);
	if (lv->height == 0)
		return;
	ck_assert_uint_lt(lv->sel, lv->top + lv->height);
	maxtop = lv->nrows > lv->height ? lv->nrows - lv->height : 0;
	ck_assert_uint_le(lv->top, maxtop);
}

static void
list_numbers(struct listview *lv, size_t n, size_t height)
{
	listview_init(lv);
	listview_resize(lv, height);
	listview_update(lv, n, label, numbered, (size_t)-1);
	assert_valid(lv);
}

static void
assert_at(const struct listview *lv, size_t sel, size_t top)
{
	ck_assert_uint_eq(lv->sel, sel);
	ck_assert_uint_eq(lv->top, top);
	assert_valid(lv);
}

START_TEST(moves_stop_at_edges)
{
	struct listview lv;

	list_numbers(&lv, 10, 5);
	assert_at(&lv, 0, 0);
	ck_assert_int_eq(listview_move(&lv, LISTVIEW_UP), 0);
	assert_at(&lv, 0, 0);
	ck_assert_int_eq(listview_move(&lv, LISTVIEW_DOWN), 1);
	assert_at(&lv, 1, 0);
	for (int i = 0; i < 3; i++)
		listview_move(&lv, LISTVIEW_DOWN);
	assert_at(&lv, 4, 0);
	ck_assert_int_eq(listview_move(&lv, LISTVIEW_DOWN), 1);
	assert_at(&lv, 5, 1);			/* scrolled by one */
	for (int i = 0; i < 4; i++)
		listview_move(&lv, LISTVIEW_DOWN);
	assert_at(&lv, 9, 5);
	ck_assert_int_eq(listview_move(&lv, LISTVIEW_DOWN), 0);
	assert_at(&lv, 9, 5);
	ck_assert_uint_eq(listview_selected(&lv), 9);
	listview_free(&lv);
}
END_TEST

START_TEST(page_moves)
{
	/* height 5: pages of 4, the view moving with the selection */
	static const size_t down[][2] = {
		{ 4, 4 }, { 8, 8 }, { 12, 12 }, { 16, 16 }, { 20, 18 },
		{ 22, 18 },
	};
	static const size_t up[][2] = {
		{ 18, 14 }, { 14, 10 }, { 10, 6 }, { 6, 2 }, { 2, 0 },
		{ 0, 0 },
	};
	struct listview lv;

	list_numbers(&lv, 23, 5);
	for (size_t i = 0; i < NITEMS(down); i++) {
		ck_assert_int_eq(listview_move(&lv, LISTVIEW_PAGE_DOWN), 1);
		assert_at(&lv, down[i][0], down[i][1]);
	}
	ck_assert_int_eq(listview_move(&lv, LISTVIEW_PAGE_DOWN), 0);
	assert_at(&lv, 22, 18);
	for (size_t i = 0; i < NITEMS(up); i++) {
		ck_assert_int_eq(listview_move(&lv, LISTVIEW_PAGE_UP), 1);
		assert_at(&lv, up[i][0], up[i][1]);
	}
	ck_assert_int_eq(listview_move(&lv, LISTVIEW_PAGE_UP), 0);

	/* height 1 still moves, by one row */
	listview_resize(&lv, 1);
	ck_assert_int_eq(listview_move(&lv, LISTVIEW_PAGE_DOWN), 1);
	assert_at(&lv, 1, 1);
	listview_free(&lv);
}
END_TEST

START_TEST(first_last)
{
	struct listview lv;

	list_numbers(&lv, 23, 5);
	ck_assert_int_eq(listview_move(&lv, LISTVIEW_FIRST), 0);
	ck_assert_int_eq(listview_move(&lv, LISTVIEW_LAST), 1);
	assert_at(&lv, 22, 18);
	ck_assert_int_eq(listview_move(&lv, LISTVIEW_LAST), 0);
	ck_assert_int_eq(listview_move(&lv, LISTVIEW_FIRST), 1);
	assert_at(&lv, 0, 0);
	listview_free(&lv);
}
END_TEST

START_TEST(resize_keeps_selection_visible)
{
	struct listview lv;

	list_numbers(&lv, 23, 10);
	listview_move(&lv, LISTVIEW_LAST);
	assert_at(&lv, 22, 13);
	listview_resize(&lv, 5);		/* shrink: still on screen */
	assert_at(&lv, 22, 18);
	listview_resize(&lv, 30);		/* grow: no empty rows below */
	assert_at(&lv, 22, 0);

	listview_resize(&lv, 10);
	listview_move(&lv, LISTVIEW_FIRST);
	listview_select_item(&lv, 12);
	assert_at(&lv, 12, 3);
	listview_resize(&lv, 3);
	assert_at(&lv, 12, 10);
	listview_resize(&lv, 20);
	assert_at(&lv, 12, 3);
	listview_free(&lv);
}
END_TEST

START_TEST(update_fewer_clamps)
{
	struct listview lv;

	list_numbers(&lv, 23, 5);
	listview_move(&lv, LISTVIEW_LAST);
	listview_update(&lv, 10, label, numbered, (size_t)-1);
	assert_at(&lv, 9, 5);
	ck_assert_uint_eq(lv.nrows, 10);
	ck_assert_uint_eq(listview_selected(&lv), 9);

	/* the kept item is gone: clamped as well */
	listview_update(&lv, 4, label, numbered, 9);
	assert_at(&lv, 3, 0);

	listview_update(&lv, 0, label, numbered, (size_t)-1);
	assert_at(&lv, 0, 0);
	ck_assert_uint_eq(lv.nrows, 0);
	listview_free(&lv);
}
END_TEST

START_TEST(update_keeps_item_after_insert)
{
	static const char *before[] = { "b", "d", "f", "h", "j" };
	static const char *after[] = { "a", "b", "c", "d", "e", "f", "g",
	    "h", "i", "j" };
	struct listview lv;

	listview_init(&lv);
	listview_resize(&lv, 3);
	listview_update(&lv, NITEMS(before), label, before, (size_t)-1);
	ck_assert_int_eq(listview_select_item(&lv, 3), 1);	/* "h" */
	assert_at(&lv, 3, 1);

	/* "h" is item 7 now: the caller says so through keep */
	listview_update(&lv, NITEMS(after), label, after, 7);
	ck_assert_uint_eq(listview_selected(&lv), 7);
	ck_assert_str_eq(after[listview_selected(&lv)], "h");
	assert_at(&lv, 7, 5);

	/* (size_t)-1 keeps the row instead, whichever item is there */
	listview_update(&lv, NITEMS(before), label, before, (size_t)-1);
	assert_at(&lv, 4, 2);
	listview_free(&lv);
}
END_TEST

START_TEST(match_folds_code_points)
{
	ck_assert_int_eq(listview_match("Zoë Lefèvre", "zoë"), 1);
	ck_assert_int_eq(listview_match("Zoë Lefèvre", "LEFÈVRE"), 1);
	ck_assert_int_eq(listview_match("élodie", "ÉLODIE"), 1);
	ck_assert_int_eq(listview_match("ÉLODIE", "élo"), 1);
	ck_assert_int_eq(listview_match("ZOE", "zoë"), 0);
	ck_assert_int_eq(listview_match("Zoé", "zoë"), 0);
	ck_assert_int_eq(listview_match("Bob", "bobby"), 0);
	ck_assert_int_eq(listview_match("Bob", "OB"), 1);
	ck_assert_int_eq(listview_match("Bob", ""), 1);
	ck_assert_int_eq(listview_match("", ""), 1);
	ck_assert_int_eq(listview_match("", "a"), 0);
	ck_assert_int_eq(listview_match("ΑΘΗΝΑ", "αθήνα"), 0);
	ck_assert_int_eq(listview_match("ΑΘΉΝΑ", "αθήνα"), 1);
	/* not UTF-8: bytes compare as themselves, never as letters */
	ck_assert_int_eq(listview_match("a\xff" "b", "\xff"), 1);
	ck_assert_int_eq(listview_match("a\xff" "b", "\xfe"), 0);
	ck_assert_int_eq(listview_match("caf\xc3", "CAF\xc3"), 1);
	ck_assert_int_eq(listview_match("caf\xc3", "\xc3\xa9"), 0);
	/* a needle byte never matches the middle of a label character */
	ck_assert_int_eq(listview_match("é", "\xa9"), 0);
}
END_TEST

START_TEST(filter_narrows_and_maps)
{
	struct listview lv;

	listview_init(&lv);
	listview_resize(&lv, 3);
	listview_update(&lv, NITEMS(people), label, people, (size_t)-1);

	listview_filter(&lv, "zoë", label, people);
	ck_assert_uint_eq(lv.nrows, 1);
	ck_assert_uint_eq(listview_item(&lv, 0), 1);
	assert_valid(&lv);

	listview_filter(&lv, "zo", label, people);
	ck_assert_uint_eq(lv.nrows, 3);
	ck_assert_uint_eq(listview_item(&lv, 0), 1);
	ck_assert_uint_eq(listview_item(&lv, 1), 3);
	ck_assert_uint_eq(listview_item(&lv, 2), 5);
	ck_assert_uint_eq(listview_selected(&lv), 1);	/* kept */
	assert_valid(&lv);

	listview_filter(&lv, "ÉLODIE", label, people);
	ck_assert_uint_eq(lv.nrows, 1);
	ck_assert_uint_eq(listview_selected(&lv), 4);
	assert_valid(&lv);

	listview_filter(&lv, "nobody", label, people);
	ck_assert_uint_eq(lv.nrows, 0);
	assert_valid(&lv);
	ck_assert_int_eq(listview_move(&lv, LISTVIEW_DOWN), 0);

	/* items change under a filter: it is applied to the new ones */
	listview_filter(&lv, "o", label, people);
	ck_assert_uint_eq(lv.nrows, 5);
	listview_update(&lv, 3, label, people, (size_t)-1);
	ck_assert_uint_eq(lv.nrows, 2);
	ck_assert_uint_eq(listview_item(&lv, 1), 2);
	assert_valid(&lv);
	listview_free(&lv);
}
END_TEST

START_TEST(clear_filter_keeps_selection)
{
	struct listview lv;

	listview_init(&lv);
	listview_resize(&lv, 2);
	listview_update(&lv, NITEMS(people), label, people, (size_t)-1);
	listview_filter(&lv, "zo", label, people);
	listview_move(&lv, LISTVIEW_LAST);
	ck_assert_uint_eq(listview_selected(&lv), 5);
	assert_at(&lv, 2, 1);

	listview_filter(&lv, NULL, label, people);
	ck_assert_uint_eq(lv.nrows, NITEMS(people));
	ck_assert_ptr_null(lv.map);
	ck_assert_uint_eq(listview_selected(&lv), 5);
	assert_at(&lv, 5, 4);

	/* "" clears too */
	listview_filter(&lv, "zo", label, people);
	listview_move(&lv, LISTVIEW_UP);
	ck_assert_uint_eq(listview_selected(&lv), 3);
	listview_filter(&lv, "", label, people);
	ck_assert_uint_eq(lv.nrows, NITEMS(people));
	ck_assert_uint_eq(listview_selected(&lv), 3);
	assert_valid(&lv);
	listview_free(&lv);
}
END_TEST

START_TEST(select_filtered_out_item)
{
	struct listview lv;

	listview_init(&lv);
	listview_resize(&lv, 5);
	listview_update(&lv, NITEMS(people), label, people, (size_t)-1);
	listview_filter(&lv, "zo", label, people);
	ck_assert_int_eq(listview_select_item(&lv, 5), 1);
	ck_assert_uint_eq(lv.sel, 2);
	ck_assert_int_eq(listview_select_item(&lv, 2), 0);	/* "Bob" */
	ck_assert_int_eq(listview_select_item(&lv, 4), 0);
	ck_assert_int_eq(listview_select_item(&lv, 99), 0);
	ck_assert_uint_eq(listview_selected(&lv), 5);
	assert_valid(&lv);
	listview_free(&lv);
}
END_TEST

START_TEST(empty_list)
{
	static const enum listview_move moves[] = { LISTVIEW_UP,
	    LISTVIEW_DOWN, LISTVIEW_PAGE_UP, LISTVIEW_PAGE_DOWN,
	    LISTVIEW_FIRST, LISTVIEW_LAST };
	struct listview lv;

	listview_init(&lv);
	assert_valid(&lv);
	listview_update(&lv, 0, label, people, (size_t)-1);
	listview_resize(&lv, 5);
	for (size_t i = 0; i < NITEMS(moves); i++) {
		ck_assert_int_eq(listview_move(&lv, moves[i]), 0);
		assert_valid(&lv);
	}
	ck_assert_int_eq(listview_select_item(&lv, 0), 0);
	listview_filter(&lv, "x", label, people);
	assert_valid(&lv);
	listview_update(&lv, 0, label, people, 0);
	assert_valid(&lv);
	listview_free(&lv);
}
END_TEST

START_TEST(height_zero)
{
	static const enum listview_move moves[] = { LISTVIEW_DOWN,
	    LISTVIEW_PAGE_DOWN, LISTVIEW_LAST, LISTVIEW_PAGE_UP, LISTVIEW_UP,
	    LISTVIEW_PAGE_DOWN, LISTVIEW_FIRST };
	struct listview lv;

	/* no resize yet: the list gets its items before its first layout */
	listview_init(&lv);
	listview_update(&lv, 23, label, numbered, (size_t)-1);
	for (size_t i = 0; i < NITEMS(moves); i++) {
		ck_assert_int_eq(listview_move(&lv, moves[i]), 1);
		assert_valid(&lv);
	}
	listview_move(&lv, LISTVIEW_LAST);
	listview_filter(&lv, "1", label, numbered);
	assert_valid(&lv);
	ck_assert_uint_eq(listview_selected(&lv), 21);
	listview_resize(&lv, 5);
	assert_at(&lv, lv.nrows - 1, lv.nrows - 5);
	listview_resize(&lv, 0);
	assert_valid(&lv);
	listview_free(&lv);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("listview");
	TCase *tc = tcase_create("listview");

	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
		return 77;	/* no UTF-8 locale: towlower cannot fold */
	setup_numbers();
	tcase_add_test(tc, moves_stop_at_edges);
	tcase_add_test(tc, page_moves);
	tcase_add_test(tc, first_last);
	tcase_add_test(tc, resize_keeps_selection_visible);
	tcase_add_test(tc, update_fewer_clamps);
	tcase_add_test(tc, update_keeps_item_after_insert);
	tcase_add_test(tc, match_folds_code_points);
	tcase_add_test(tc, filter_narrows_and_maps);
	tcase_add_test(tc, clear_filter_keeps_selection);
	tcase_add_test(tc, select_filtered_out_item);
	tcase_add_test(tc, empty_list);
	tcase_add_test(tc, height_zero);
	suite_add_tcase(s, tc);
	return check_run(s);
}
