#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "check-run.h"

START_TEST(test_empty)
{
	struct buf	*b = buf_new(0);
	char		*s;

	ck_assert_uint_eq(buf_len(b), 0);
	ck_assert_ptr_nonnull(buf_data(b));
	ck_assert_str_eq(buf_cstr(b), "");
	ck_assert_int_eq(buf_overflowed(b), 0);
	s = buf_take(b);
	ck_assert_str_eq(s, "");
	free(s);
	buf_release(b);
	buf_drain(b, 0);
	buf_add(b, NULL, 0);
	ck_assert_uint_eq(buf_len(b), 0);
	ck_assert_str_eq(buf_cstr(b), "");
	buf_free(b);
	buf_free(NULL);
}
END_TEST

START_TEST(test_add)
{
	struct buf	*b = buf_new(0);

	buf_add(b, "abc", 3);
	buf_add_str(b, "def");
	buf_add_char(b, 'g');
	buf_printf(b, "-%d-%s-", 42, "x");
	ck_assert_uint_eq(buf_len(b), 13);
	ck_assert_mem_eq(buf_data(b), "abcdefg-42-x-", 13);
	ck_assert_str_eq(buf_cstr(b), "abcdefg-42-x-");
	/* Binary content, NUL included. */
	buf_add(b, "\0z", 2);
	ck_assert_uint_eq(buf_len(b), 15);
	ck_assert_mem_eq(buf_data(b) + 13, "\0z", 2);
	buf_printf(b, "%s", "");
	ck_assert_uint_eq(buf_len(b), 15);
	buf_free(b);
}
END_TEST

START_TEST(test_grow)
{
	struct buf	*b = buf_new(0);
	size_t		 i;
	const char	*d;
	char		 big[5000];

	for (i = 0; i < 100000; i++)
		buf_add_char(b, (char)('a' + i % 26));
	ck_assert_uint_eq(buf_len(b), 100000);
	d = buf_data(b);
	for (i = 0; i < 100000; i++) {
		if (d[i] != 'a' + (int)(i % 26))
			ck_abort_msg("byte %zu is %d", i, d[i]);
	}
	ck_assert_uint_eq(strlen(buf_cstr(b)), 100000);

	buf_reset(b);
	memset(big, 'q', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	buf_printf(b, "<%s>", big);
	ck_assert_uint_eq(buf_len(b), sizeof big + 1);
	ck_assert_int_eq(buf_data(b)[0], '<');
	ck_assert_int_eq(buf_data(b)[sizeof big], '>');
	buf_free(b);
}
END_TEST

START_TEST(test_drain)
{
	struct buf	*b = buf_new(0);

	buf_add_str(b, "hello world");
	buf_drain(b, 6);
	ck_assert_uint_eq(buf_len(b), 5);
	ck_assert_str_eq(buf_cstr(b), "world");
	buf_add_str(b, "!!");
	ck_assert_str_eq(buf_cstr(b), "world!!");
	buf_drain(b, 7);
	ck_assert_uint_eq(buf_len(b), 0);
	ck_assert_str_eq(buf_cstr(b), "");
	buf_add_str(b, "again");
	ck_assert_str_eq(buf_cstr(b), "again");
	buf_free(b);
}
END_TEST

/*
 * A queue in steady state: content must stay intact across compactions.
 * (Plain ifs in the loops: ck_assert records every passing check.)
 */
START_TEST(test_drain_queue)
{
	struct buf	*b = buf_new(0);
	size_t		 i, head = 0, tail = 0;
	char		 c;

	for (i = 0; i < 200000; i++) {
		c = (char)(tail++ % 251);
		buf_add(b, &c, 1);
		if (i % 3 != 0) {
			if ((unsigned char)buf_data(b)[0] != head % 251)
				ck_abort_msg("head %zu is wrong", head);
			buf_drain(b, 1);
			head++;
		}
	}
	ck_assert_uint_eq(buf_len(b), tail - head);
	for (i = 0; i < buf_len(b); i++) {
		if ((unsigned char)buf_data(b)[i] != (head + i) % 251)
			ck_abort_msg("byte %zu is wrong", i);
	}
	buf_free(b);
}
END_TEST

START_TEST(test_limit)
{
	struct buf	*b = buf_new(10);

	buf_add(b, "12345678", 8);
	ck_assert_int_eq(buf_overflowed(b), 0);
	buf_add(b, "abc", 3);		/* 11 > 10: dropped */
	ck_assert_int_eq(buf_overflowed(b), 1);
	ck_assert_uint_eq(buf_len(b), 8);
	ck_assert_str_eq(buf_cstr(b), "12345678");
	/* Would fit, but the buffer overflowed: dropped too. */
	buf_add_char(b, 'x');
	ck_assert_uint_eq(buf_len(b), 8);

	buf_reset(b);
	ck_assert_int_eq(buf_overflowed(b), 0);
	ck_assert_uint_eq(buf_len(b), 0);
	buf_add(b, "0123456789", 10);	/* exactly the limit */
	ck_assert_int_eq(buf_overflowed(b), 0);
	ck_assert_str_eq(buf_cstr(b), "0123456789");
	buf_add_char(b, 'x');
	ck_assert_int_eq(buf_overflowed(b), 1);
	ck_assert_str_eq(buf_cstr(b), "0123456789");

	buf_reset(b);
	buf_printf(b, "%s", "01234567890");
	ck_assert_int_eq(buf_overflowed(b), 1);
	ck_assert_uint_eq(buf_len(b), 0);

	buf_reset(b);
	buf_set_limit(b, 0);
	buf_add(b, "0123456789abcdef", 16);
	ck_assert_int_eq(buf_overflowed(b), 0);
	ck_assert_uint_eq(buf_len(b), 16);
	buf_set_limit(b, 4);		/* under the content: no more adds */
	buf_add_char(b, 'x');
	ck_assert_int_eq(buf_overflowed(b), 1);
	ck_assert_uint_eq(buf_len(b), 16);
	buf_free(b);
}
END_TEST

/* Draining makes room again under the limit (compaction at the limit). */
START_TEST(test_limit_drain)
{
	struct buf	*b = buf_new(100);
	char		 chunk[100];
	size_t		 i, round;

	for (round = 0; round < 50; round++) {
		for (i = 0; i < sizeof chunk; i++)
			chunk[i] = (char)('A' + (round + i) % 26);
		buf_add(b, chunk, 60);
		ck_assert_int_eq(buf_overflowed(b), 0);
		ck_assert_uint_eq(buf_len(b), 60);
		buf_drain(b, 30);
		buf_add(b, chunk + 60, 40);
		ck_assert_int_eq(buf_overflowed(b), 0);
		ck_assert_uint_eq(buf_len(b), 70);
		ck_assert_mem_eq(buf_data(b), chunk + 30, 70);
		buf_add(b, chunk, 30);		/* exactly 100 */
		ck_assert_int_eq(buf_overflowed(b), 0);
		ck_assert_uint_eq(strlen(buf_cstr(b)), 100);
		buf_drain(b, 100);
	}
	buf_free(b);
}
END_TEST

START_TEST(test_take)
{
	struct buf	*b = buf_new(0);
	char		*s;

	buf_add_str(b, "xxhello");
	buf_drain(b, 2);
	s = buf_take(b);
	ck_assert_str_eq(s, "hello");
	free(s);
	ck_assert_uint_eq(buf_len(b), 0);
	ck_assert_str_eq(buf_cstr(b), "");
	buf_add_str(b, "next");
	s = buf_take(b);
	ck_assert_str_eq(s, "next");
	free(s);
	buf_free(b);
}
END_TEST

START_TEST(test_take_limit)
{
	struct buf	*b = buf_new(5);
	char		*s;

	buf_add_str(b, "12345");
	s = buf_take(b);
	ck_assert_str_eq(s, "12345");
	free(s);
	buf_free(b);
}
END_TEST

START_TEST(test_release)
{
	struct buf	*b = buf_new(0);

	buf_add_str(b, "keep");
	buf_release(b);			/* not empty: no effect */
	ck_assert_str_eq(buf_cstr(b), "keep");
	buf_drain(b, 4);
	buf_release(b);
	ck_assert_uint_eq(buf_len(b), 0);
	ck_assert_str_eq(buf_cstr(b), "");
	buf_add_str(b, "reused");
	ck_assert_str_eq(buf_cstr(b), "reused");
	buf_free(b);
}
END_TEST

START_TEST(test_drain_too_much)
{
	struct buf	*b = buf_new(0);

	buf_add_str(b, "abc");
	buf_drain(b, 4);		/* fatalx: exits 1 */
}
END_TEST

static int
forking(void)
{
	const char	*s = getenv("CK_FORK");

	return s == NULL || strcmp(s, "no") != 0;
}

static Suite *
buf_suite(void)
{
	Suite	*s = suite_create("buf");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_add);
	tcase_add_test(tc, test_grow);
	tcase_add_test(tc, test_drain);
	tcase_add_test(tc, test_drain_queue);
	tcase_add_test(tc, test_limit);
	tcase_add_test(tc, test_limit_drain);
	tcase_add_test(tc, test_take);
	tcase_add_test(tc, test_take_limit);
	tcase_add_test(tc, test_release);
	/* fatalx exits: only testable when each test runs in a child. */
	if (forking())
		tcase_add_exit_test(tc, test_drain_too_much, 1);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_run(buf_suite());
}
