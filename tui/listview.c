#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include "listview.h"
#include "utf8.h"
#include "xmalloc.h"

/*
 * Invariants, restored by listview_clamp after every change: sel < nrows
 * (0 when there are no rows); when height > 0, top <= sel < top + height
 * and top <= max(0, nrows - height), so the last page is full rather than
 * showing empty rows below the end of the list. When height is 0 (no
 * layout yet) only top <= sel is kept; the first resize places the view.
 */

/* A byte that is not UTF-8 folds to itself, outside the code point range. */
#define LISTVIEW_RAW 0x110000

static void
listview_clamp(struct listview *lv)
{
	size_t maxtop;

	if (lv->nrows == 0) {
		lv->sel = lv->top = 0;
		return;
	}
	if (lv->sel >= lv->nrows)
		lv->sel = lv->nrows - 1;
	if (lv->sel < lv->top)
		lv->top = lv->sel;
	if (lv->height == 0)
		return;
	if (lv->sel - lv->top >= lv->height)
		lv->top = lv->sel - lv->height + 1;
	maxtop = lv->nrows > lv->height ? lv->nrows - lv->height : 0;
	if (lv->top > maxtop)
		lv->top = maxtop;
}

static int
listview_filtering(const struct listview *lv)
{
	return lv->filter != NULL && *lv->filter != '\0';
}

static const char *
listview_label(listview_label_fn *label, void *ctx, size_t i)
{
	const char *s;

	if (label == NULL || (s = label(ctx, i)) == NULL)
		return "";
	return s;
}

/* Rebuilds the row map for nitems items; sel and top are left alone. */
static void
listview_apply(struct listview *lv, size_t nitems, listview_label_fn *label,
    void *ctx)
{
	size_t i;

	lv->nitems = nitems;
	if (!listview_filtering(lv)) {
		free(lv->map);
		lv->map = NULL;
		lv->nrows = nitems;
		return;
	}
	/* One spare slot so that a filter over no items still has a map. */
	lv->map = xreallocarray(lv->map, nitems + 1, sizeof *lv->map);
	lv->nrows = 0;
	for (i = 0; i < nitems; i++) {
		if (listview_match(listview_label(label, ctx, i), lv->filter))
			lv->map[lv->nrows++] = i;
	}
}

/* The row showing item, or (size_t)-1. The map is in item order. */
static size_t
listview_find(const struct listview *lv, size_t item)
{
	size_t lo = 0, hi = lv->nrows, mid;

	if (lv->map == NULL)
		return item < lv->nrows ? item : (size_t)-1;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (lv->map[mid] == item)
			return mid;
		if (lv->map[mid] < item)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (size_t)-1;
}

void
listview_init(struct listview *lv)
{
	memset(lv, 0, sizeof *lv);
}

void
listview_free(struct listview *lv)
{
	free(lv->map);
	free(lv->filter);
	memset(lv, 0, sizeof *lv);
}

void
listview_update(struct listview *lv, size_t nitems, listview_label_fn *label,
    void *ctx, size_t keep)
{
	size_t row;

	listview_apply(lv, nitems, label, ctx);
	if (keep != (size_t)-1 && (row = listview_find(lv, keep)) != (size_t)-1)
		lv->sel = row;
	listview_clamp(lv);
}

void
listview_filter(struct listview *lv, const char *filter,
    listview_label_fn *label, void *ctx)
{
	size_t keep = listview_selected(lv);

	free(lv->filter);
	lv->filter = NULL;
	if (filter != NULL && *filter != '\0')
		lv->filter = xstrdup(filter);
	listview_update(lv, lv->nitems, label, ctx, keep);
}

void
listview_resize(struct listview *lv, size_t height)
{
	lv->height = height;
	listview_clamp(lv);
}

/*
 * A page moves the selection and the view together, as less and mutt do,
 * so the selected row stays where it was on the screen unless the end of
 * the list is reached. One row of overlap keeps the reader's place.
 */
static void
listview_page(struct listview *lv, int down)
{
	size_t page = lv->height > 1 ? lv->height - 1 : 1;

	if (down) {
		lv->sel = lv->nrows - lv->sel > page ? lv->sel + page :
		    lv->nrows - 1;
		lv->top += page;	/* top <= sel < nrows: no overflow */
	} else {
		lv->sel = lv->sel > page ? lv->sel - page : 0;
		lv->top = lv->top > page ? lv->top - page : 0;
	}
}

int
listview_move(struct listview *lv, enum listview_move m)
{
	size_t sel = lv->sel, top = lv->top;

	if (lv->nrows == 0)
		return 0;
	switch (m) {
	case LISTVIEW_UP:
		if (lv->sel > 0)
			lv->sel--;
		break;
	case LISTVIEW_DOWN:
		if (lv->sel + 1 < lv->nrows)
			lv->sel++;
		break;
	case LISTVIEW_PAGE_UP:
		listview_page(lv, 0);
		break;
	case LISTVIEW_PAGE_DOWN:
		listview_page(lv, 1);
		break;
	case LISTVIEW_FIRST:
		lv->sel = 0;
		break;
	case LISTVIEW_LAST:
		lv->sel = lv->nrows - 1;
		break;
	}
	listview_clamp(lv);
	return lv->sel != sel || lv->top != top;
}

int
listview_select_item(struct listview *lv, size_t item)
{
	size_t row;

	if ((row = listview_find(lv, item)) == (size_t)-1)
		return 0;
	lv->sel = row;
	listview_clamp(lv);
	return 1;
}

size_t
listview_selected(const struct listview *lv)
{
	if (lv->nrows == 0)
		return (size_t)-1;
	return listview_item(lv, lv->sel);
}

size_t
listview_item(const struct listview *lv, size_t row)
{
	return lv->map != NULL ? lv->map[row] : row;
}

/*
 * The next character of s (len bytes left, at least 1) folded to lower
 * case; returns the bytes it took. towlower needs a UTF-8 LC_CTYPE for
 * anything beyond ASCII: setting the locale is the program's job.
 */
static size_t
listview_fold(const char *s, size_t len, uint32_t *c)
{
	uint32_t cp;
	size_t n;

	if ((n = utf8_decode(s, len, &cp)) == 0) {
		*c = LISTVIEW_RAW + (unsigned char)*s;
		return 1;
	}
	*c = (uint32_t)towlower((wint_t)cp);
	return n;
}

/* 1 if needle, folded, starts s. */
static int
listview_match_at(const char *s, size_t slen, const char *needle,
    size_t nlen)
{
	uint32_t a, b;
	size_t i = 0, j = 0;

	while (j < nlen) {
		if (i == slen)
			return 0;
		i += listview_fold(s + i, slen - i, &a);
		j += listview_fold(needle + j, nlen - j, &b);
		if (a != b)
			return 0;
	}
	return 1;
}

int
listview_match(const char *label, const char *needle)
{
	size_t llen, nlen, i, n;
	uint32_t c;

	if (needle == NULL || *needle == '\0')
		return 1;
	if (label == NULL)
		return 0;
	llen = strlen(label);
	nlen = strlen(needle);
	/* Start only at character boundaries, as the needle does. */
	for (i = 0; i < llen; i += n) {
		if (listview_match_at(label + i, llen - i, needle, nlen))
			return 1;
		n = listview_fold(label + i, llen - i, &c);
	}
	return 0;
}
