/*
 * The command line's memory and its Tab completion. No curses.
 *
 * History is a bounded list of entered lines, oldest first, browsed with
 * Up/Down like a shell's: history_prev from the line being edited walks
 * back, history_next walks forward and finally returns the line that was
 * being edited before browsing started.
 */
#ifndef AGORA_HISTORY_H
#define AGORA_HISTORY_H

#include <stddef.h>

struct history {
	char	**lines;
	size_t	  n;
	size_t	  max;		/* oldest lines are dropped beyond it */
	size_t	  pos;		/* n when not browsing */
	char	 *draft;	/* the line being edited when browsing began */
};

void history_init(struct history *, size_t max);
void history_free(struct history *);
/*
 * Adds a line entered by the user and stops browsing. Empty lines, lines
 * of only spaces and a repeat of the newest line are not added.
 */
void history_add(struct history *, const char *);
/*
 * The previous (older) line, or NULL at the oldest. current is the field's
 * text now: saved as the draft when browsing starts.
 */
const char *history_prev(struct history *, const char *current);
/* The next (newer) line; past the newest, the draft; NULL when not browsing. */
const char *history_next(struct history *);
/* Stops browsing (the user edited or cancelled). */
void history_reset(struct history *);

/*
 * Completion of word among candidates (UTF-8, compared bytewise, case-
 * sensitively for ASCII letters only when the word has an upper-case letter,
 * like smart-case search). Returns how many candidates start with word;
 * *common gets their longest common prefix (at least word; caller frees),
 * or NULL when there is no match. Never splits a UTF-8 character.
 */
size_t history_complete(const char *word, const char *const *candidates, size_t n,
    char **common);

#endif
