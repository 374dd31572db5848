#include <stdlib.h>
#include <string.h>

#include "history.h"
#include "xmalloc.h"

/*
 * Browsing is pos < n: lines[pos] is on the command line. The draft is
 * kept after browsing ends, because history_next hands it out as the
 * field's new text; it is replaced only when the next browse starts. So
 * a pointer returned by history_prev or history_next stays valid until
 * the next history_prev, history_add or history_free.
 */

void
history_init(struct history *h, size_t max)
{
	memset(h, 0, sizeof *h);
	h->max = max;
}

void
history_free(struct history *h)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		free(h->lines[i]);
	free(h->lines);
	free(h->draft);
	memset(h, 0, sizeof *h);
}

static int
history_blank(const char *s)
{
	return s[strspn(s, " \t\r\n\f\v")] == '\0';
}

void
history_add(struct history *h, const char *line)
{
	char *copy;

	history_reset(h);
	if (line == NULL || history_blank(line) || h->max == 0)
		return;
	if (h->n > 0 && strcmp(h->lines[h->n - 1], line) == 0)
		return;
	/* Copy first: line may be one of ours, from history_prev. */
	copy = xstrdup(line);
	if (h->n == h->max) {
		free(h->lines[0]);
		memmove(h->lines, h->lines + 1, (h->n - 1) * sizeof *h->lines);
		h->n--;
	} else
		h->lines = xreallocarray(h->lines, h->n + 1, sizeof *h->lines);
	h->lines[h->n++] = copy;
	h->pos = h->n;
}

const char *
history_prev(struct history *h, const char *current)
{
	char *draft;

	if (h->pos >= h->n) {
		if (h->n == 0)
			return NULL;
		/* Copy first: current may be the old draft. */
		draft = xstrdup(current != NULL ? current : "");
		free(h->draft);
		h->draft = draft;
		h->pos = h->n;
	}
	if (h->pos == 0)
		return NULL;
	return h->lines[--h->pos];
}

const char *
history_next(struct history *h)
{
	if (h->pos >= h->n)
		return NULL;
	if (++h->pos == h->n)
		return h->draft;
	return h->lines[h->pos];
}

void
history_reset(struct history *h)
{
	h->pos = h->n;
}

static int
complete_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* Length of the common prefix of a and b, folding ASCII case if asked. */
static size_t
complete_prefix(const char *a, const char *b, int fold)
{
	size_t i;

	for (i = 0; a[i] != '\0' && b[i] != '\0'; i++) {
		if (a[i] == b[i])
			continue;
		if (!fold || complete_lower((unsigned char)a[i]) !=
		    complete_lower((unsigned char)b[i]))
			break;
	}
	return i;
}

static int
complete_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * The spelling the common prefix is copied from: with case folded the
 * matches may disagree on case, so prefer one that keeps the case the user
 * typed (as readline does), else the first.
 */
static const char *
complete_model(const char *word, const char **match, size_t nmatch)
{
	size_t i, len = strlen(word);

	for (i = 0; i < nmatch; i++) {
		if (strncmp(match[i], word, len) == 0)
			return match[i];
	}
	return match[0];
}

size_t
history_complete(const char *word, const char *const *candidates, size_t n,
    char **common)
{
	const char **match, *model;
	size_t i, k, nmatch = 0, distinct, len, wlen;
	int fold;

	if (common != NULL)
		*common = NULL;
	if (word == NULL)
		word = "";
	wlen = strlen(word);
	/* Smart case: an upper-case letter typed means case matters. */
	fold = word[strcspn(word, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")] == '\0';

	match = xreallocarray(NULL, n + 1, sizeof *match);
	for (i = 0; i < n; i++) {
		if (candidates[i] != NULL &&
		    complete_prefix(candidates[i], word, fold) == wlen)
			match[nmatch++] = candidates[i];
	}
	if (nmatch == 0) {
		free(match);
		return 0;
	}

	model = complete_model(word, match, nmatch);
	len = strlen(model);
	for (i = 0; i < nmatch; i++) {
		if ((k = complete_prefix(model, match[i], fold)) < len)
			len = k;
	}
	/* Cut before a continuation byte would split a character. */
	while (len > wlen && ((unsigned char)model[len] & 0xc0) == 0x80)
		len--;
	if (common != NULL)
		*common = xstrndup(model, len);

	/* The same name offered twice is still one choice. */
	qsort(match, nmatch, sizeof *match, complete_cmp);
	distinct = 1;
	for (i = 1; i < nmatch; i++) {
		if (strcmp(match[i - 1], match[i]) != 0)
			distinct++;
	}
	free(match);
	return distinct;
}
