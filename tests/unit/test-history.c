/*
 * The command line's history and Tab completion: browsing must give back
 * what the user was typing, and completion must never hand back half a
 * character or a prefix that some match does not have.
 */
#include <check.h>
#include <locale.h>
#include <stdlib.h>

#include "history.h"
#include "check-run.h"

#define NITEMS(a) (sizeof (a) / sizeof (a)[0])

static void
add_all(struct history *h, const char *const *lines, size_t n)
{
	for (size_t i = 0; i < n; i++)
		history_add(h, lines[i]);
}

START_TEST(prev_next_restore_draft)
{
	static const char *lines[] = { "one", "two", "three" };
	struct history h;

	history_init(&h, 10);
	add_all(&h, lines, NITEMS(lines));
	ck_assert_ptr_null(history_next(&h));	/* not browsing */
	ck_assert_str_eq(history_prev(&h, "dra"), "three");
	ck_assert_str_eq(history_prev(&h, "three"), "two");
	ck_assert_str_eq(history_prev(&h, "two"), "one");
	ck_assert_ptr_null(history_prev(&h, "one"));	/* oldest */
	ck_assert_str_eq(history_next(&h), "two");
	ck_assert_str_eq(history_next(&h), "three");
	ck_assert_str_eq(history_next(&h), "dra");
	ck_assert_ptr_null(history_next(&h));	/* browsing is over */
	ck_assert_uint_eq(h.pos, h.n);

	/* a new browse saves a new draft */
	ck_assert_str_eq(history_prev(&h, "other"), "three");
	ck_assert_str_eq(history_next(&h), "other");
	history_free(&h);
}
END_TEST

START_TEST(empty_history)
{
	struct history h;

	history_init(&h, 10);
	ck_assert_ptr_null(history_prev(&h, "typed"));
	ck_assert_ptr_null(history_next(&h));
	history_reset(&h);
	ck_assert_uint_eq(h.n, 0);
	history_free(&h);
}
END_TEST

START_TEST(skip_blank_and_repeats)
{
	static const char *lines[] = { "", " ", "   ", "\t", " \t ", "/join x",
	    "/join x", "hello", "/join x", "/join x" };
	struct history h;

	history_init(&h, 10);
	add_all(&h, lines, NITEMS(lines));
	ck_assert_uint_eq(h.n, 3);
	ck_assert_str_eq(h.lines[0], "/join x");
	ck_assert_str_eq(h.lines[1], "hello");
	ck_assert_str_eq(h.lines[2], "/join x");
	/* spaces around text are the user's: the line is kept as typed */
	history_add(&h, " hello ");
	ck_assert_uint_eq(h.n, 4);
	ck_assert_str_eq(h.lines[3], " hello ");
	history_free(&h);
}
END_TEST

START_TEST(max_drops_oldest)
{
	static const char *lines[] = { "1", "2", "3", "4", "5" };
	struct history h;

	history_init(&h, 3);
	add_all(&h, lines, NITEMS(lines));
	ck_assert_uint_eq(h.n, 3);
	ck_assert_str_eq(history_prev(&h, ""), "5");
	ck_assert_str_eq(history_prev(&h, ""), "4");
	ck_assert_str_eq(history_prev(&h, ""), "3");
	ck_assert_ptr_null(history_prev(&h, ""));
	history_free(&h);

	history_init(&h, 0);			/* keeps nothing */
	history_add(&h, "x");
	ck_assert_uint_eq(h.n, 0);
	ck_assert_ptr_null(history_prev(&h, ""));
	history_free(&h);
}
END_TEST

START_TEST(reset_and_add_stop_browsing)
{
	struct history h;

	history_init(&h, 10);
	history_add(&h, "a");
	history_add(&h, "b");
	ck_assert_str_eq(history_prev(&h, "x"), "b");
	history_reset(&h);
	ck_assert_uint_eq(h.pos, h.n);
	ck_assert_ptr_null(history_next(&h));
	ck_assert_str_eq(history_prev(&h, "y"), "b");	/* from the newest */
	ck_assert_str_eq(history_prev(&h, "b"), "a");
	history_add(&h, "c");
	ck_assert_uint_eq(h.pos, h.n);
	ck_assert_ptr_null(history_next(&h));
	ck_assert_str_eq(history_prev(&h, ""), "c");
	/* even a line that is not kept ends the browse */
	history_add(&h, "c");
	ck_assert_ptr_null(history_next(&h));
	ck_assert_str_eq(history_prev(&h, ""), "c");
	history_add(&h, " ");
	ck_assert_ptr_null(history_next(&h));
	history_free(&h);
}
END_TEST

/* The caller may hand back what it was given; ASan watches the copies. */
START_TEST(own_pointers_handed_back)
{
	struct history h;
	const char *p;

	history_init(&h, 2);
	history_add(&h, "a");
	history_add(&h, "b");
	history_prev(&h, "draft");
	p = history_prev(&h, "b");		/* lines[0], dropped by the add */
	ck_assert_str_eq(p, "a");
	history_add(&h, p);
	ck_assert_uint_eq(h.n, 2);
	ck_assert_str_eq(h.lines[0], "b");
	ck_assert_str_eq(h.lines[1], "a");

	history_prev(&h, "new");
	p = history_next(&h);			/* the draft */
	ck_assert_str_eq(p, "new");
	ck_assert_str_eq(history_prev(&h, p), "a");
	ck_assert_str_eq(history_next(&h), "new");
	history_free(&h);
}
END_TEST

/* history_complete() in one call: the count, and the common prefix or NULL. */
static void
assert_complete(const char *word, const char *const *cand, size_t n,
    size_t count, const char *common)
{
	char *got = (char *)1;

	ck_assert_uint_eq(history_complete(word, cand, n, &got), count);
	if (common == NULL)
		ck_assert_ptr_null(got);
	else {
		ck_assert_ptr_nonnull(got);
		ck_assert_str_eq(got, common);
	}
	free(got);
}

START_TEST(complete_single)
{
	static const char *c[] = { "alice", "bob", "carol" };

	assert_complete("al", c, NITEMS(c), 1, "alice");
	assert_complete("alice", c, NITEMS(c), 1, "alice");
	assert_complete("b", c, NITEMS(c), 1, "bob");
}
END_TEST

START_TEST(complete_common_prefix)
{
	static const char *c[] = { "alice", "alina", "bob", "alistair" };

	assert_complete("a", c, NITEMS(c), 3, "ali");
	assert_complete("ali", c, NITEMS(c), 3, "ali");
	assert_complete("alin", c, NITEMS(c), 1, "alina");
	assert_complete("", c, NITEMS(c), 4, "");
}
END_TEST

START_TEST(complete_none)
{
	static const char *c[] = { "alice", "bob" };

	assert_complete("z", c, NITEMS(c), 0, NULL);
	assert_complete("alicia", c, NITEMS(c), 0, NULL);
	assert_complete("", c, 0, 0, NULL);
	ck_assert_uint_eq(history_complete("a", c, NITEMS(c), NULL), 1);
}
END_TEST

START_TEST(complete_smart_case)
{
	static const char *c[] = { "Alice", "Alina", "bob" };
	static const char *mixed[] = { "Alice", "alina", "ALF" };
	static const char *accents[] = { "Élodie", "élise" };

	/* lower case: any case matches, the candidates' spelling wins */
	assert_complete("al", c, NITEMS(c), 2, "Ali");
	assert_complete("B", c, NITEMS(c), 0, NULL);
	assert_complete("BOB", c, NITEMS(c), 0, NULL);
	/* an upper-case letter: exact */
	assert_complete("Al", c, NITEMS(c), 2, "Ali");
	assert_complete("AL", mixed, NITEMS(mixed), 1, "ALF");
	assert_complete("aL", mixed, NITEMS(mixed), 0, NULL);
	/* mixed spellings: the one that keeps the user's case leads */
	assert_complete("al", mixed, NITEMS(mixed), 3, "al");
	assert_complete("ali", mixed, NITEMS(mixed), 2, "ali");
	/* only ASCII letters fold: É is not é */
	assert_complete("é", accents, NITEMS(accents), 1, "élise");
}
END_TEST

START_TEST(complete_utf8_boundary)
{
	static const char *cafe[] = { "café", "cafè" };
	static const char *kanji[] = { "日本", "日曜" };
	static const char *emoji[] = { "🔑a", "🔒b" };

	/* é is c3 a9, è is c3 a8: bytewise they share "caf\xc3" */
	assert_complete("c", cafe, NITEMS(cafe), 2, "caf");
	assert_complete("caf", cafe, NITEMS(cafe), 2, "caf");
	assert_complete("", kanji, NITEMS(kanji), 2, "日");
	assert_complete("", emoji, NITEMS(emoji), 2, "");
}
END_TEST

START_TEST(complete_duplicates)
{
	static const char *c[] = { "bob", "bob", "carol", "bob" };
	static const char *d[] = { "bob", "bobby", "bob" };

	assert_complete("b", c, NITEMS(c), 1, "bob");
	assert_complete("b", d, NITEMS(d), 2, "bob");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("history");
	TCase *tc = tcase_create("history");

	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
		return 77;	/* no UTF-8 locale */
	tcase_add_test(tc, prev_next_restore_draft);
	tcase_add_test(tc, empty_history);
	tcase_add_test(tc, skip_blank_and_repeats);
	tcase_add_test(tc, max_drops_oldest);
	tcase_add_test(tc, reset_and_add_stop_browsing);
	tcase_add_test(tc, own_pointers_handed_back);
	tcase_add_test(tc, complete_single);
	tcase_add_test(tc, complete_common_prefix);
	tcase_add_test(tc, complete_none);
	tcase_add_test(tc, complete_smart_case);
	tcase_add_test(tc, complete_utf8_boundary);
	tcase_add_test(tc, complete_duplicates);
	suite_add_tcase(s, tc);
	return check_run(s);
}
