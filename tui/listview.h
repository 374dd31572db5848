/*
 * The state of a scrolling list: which row is selected, which is at the
 * top, and which items pass the filter typed after "/". No curses and no
 * knowledge of what the items are: a view supplies each item's label
 * through a callback and draws rows top .. top + rows - 1 itself.
 *
 * Rows are filtered positions; listview_item maps a row back to the
 * caller's item index. With no filter, row i is item i.
 */
#ifndef AGORA_LISTVIEW_H
#define AGORA_LISTVIEW_H

#include <stddef.h>

/* The label of item i, matched against the filter. */
typedef const char *listview_label_fn(void *ctx, size_t i);

struct listview {
	size_t	 nitems;	/* items the caller has */
	size_t	 nrows;		/* rows that pass the filter */
	size_t	*map;		/* row -> item; NULL when there is no filter */
	size_t	 sel;		/* selected row (0 when nrows == 0) */
	size_t	 top;		/* first visible row */
	size_t	 height;	/* visible rows; 0 until the first layout */
	char	*filter;	/* NULL or "" for none */
};

enum listview_move {
	LISTVIEW_UP,
	LISTVIEW_DOWN,
	LISTVIEW_PAGE_UP,	/* by height - 1 rows, at least 1 */
	LISTVIEW_PAGE_DOWN,
	LISTVIEW_FIRST,
	LISTVIEW_LAST
};

void listview_init(struct listview *);
void listview_free(struct listview *);

/*
 * The items changed (now nitems of them): re-applies the filter, keeps
 * the selection on item keep if it still passes (pass (size_t)-1 to keep
 * the selected row's position instead), clamps sel and top.
 */
void listview_update(struct listview *, size_t nitems, listview_label_fn *,
    void *ctx, size_t keep);
/*
 * Sets the filter (NULL or "" clears it): case-insensitive substring match
 * on labels, folding case per code point (É matches é), then as update.
 */
void listview_filter(struct listview *, const char *filter,
    listview_label_fn *, void *ctx);
/* Visible rows changed (resize); keeps the selection visible. */
void listview_resize(struct listview *, size_t height);
/* Returns 1 if sel or top changed. */
int listview_move(struct listview *, enum listview_move);
/* Selects the row showing item i, if it passes; returns 1 if found. */
int listview_select_item(struct listview *, size_t item);

/* The selected item's index, or (size_t)-1 when there are no rows. */
size_t listview_selected(const struct listview *);
/* The item shown at row r (< nrows). */
size_t listview_item(const struct listview *, size_t row);

/* 1 if label contains needle, ignoring case; UTF-8 both. */
int listview_match(const char *label, const char *needle);

#endif
