#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "linebuf.h"
#include "check-run.h"

#define FEED(lb, s)	linebuf_feed((lb), (s), sizeof (s) - 1)

/* Takes the next result and checks it is a line equal to want[0 .. len). */
static void
expect_line(struct linebuf *lb, const char *want, size_t len)
{
	char	*line;
	size_t	 n;

	ck_assert_int_eq(linebuf_next(lb, &line, &n), LINEBUF_LINE);
	ck_assert_uint_eq(n, len);
	ck_assert_mem_eq(line, want, len);
	ck_assert_int_eq(line[n], '\0');
}

#define EXPECT_LINE(lb, s)	expect_line((lb), (s), sizeof (s) - 1)

static void
expect_toolong(struct linebuf *lb, const char *prefix, size_t len)
{
	char	*line;
	size_t	 n;

	ck_assert_int_eq(linebuf_next(lb, &line, &n), LINEBUF_TOOLONG);
	ck_assert_uint_eq(n, len);
	ck_assert_mem_eq(line, prefix, len);
	ck_assert_int_eq(line[n], '\0');
}

static void
expect_none(struct linebuf *lb)
{
	char	*line = NULL;
	size_t	 n = 0;

	ck_assert_int_eq(linebuf_next(lb, &line, &n), LINEBUF_NONE);
}

/* Allocation size as seen through linebuf_space on an empty buffer. */
static size_t
capacity(struct linebuf *lb)
{
	size_t	 avail;

	ck_assert_uint_eq(linebuf_pending(lb), 0);
	linebuf_space(lb, &avail);
	return avail;
}

START_TEST(test_lines)
{
	struct linebuf	*lb = linebuf_new(1024);

	expect_none(lb);
	ck_assert_uint_eq(linebuf_pending(lb), 0);
	FEED(lb, "A1 HELLO\nA2 PING x=1\n");
	EXPECT_LINE(lb, "A1 HELLO");
	EXPECT_LINE(lb, "A2 PING x=1");
	expect_none(lb);
	ck_assert_uint_eq(linebuf_pending(lb), 0);
	linebuf_free(lb);
	linebuf_free(NULL);
}
END_TEST

START_TEST(test_partial)
{
	struct linebuf	*lb = linebuf_new(1024);

	FEED(lb, "A1 SP");
	expect_none(lb);
	ck_assert_uint_eq(linebuf_pending(lb), 5);
	FEED(lb, "ACE.LIST");
	expect_none(lb);
	FEED(lb, "\nA2");
	EXPECT_LINE(lb, "A1 SPACE.LIST");
	expect_none(lb);
	ck_assert_uint_eq(linebuf_pending(lb), 2);
	FEED(lb, " X\n");
	EXPECT_LINE(lb, "A2 X");
	expect_none(lb);
	linebuf_free(lb);
}
END_TEST

START_TEST(test_crlf)
{
	struct linebuf	*lb = linebuf_new(1024);

	FEED(lb, "a\r\nb\n\r\n\n");
	EXPECT_LINE(lb, "a");
	EXPECT_LINE(lb, "b");
	EXPECT_LINE(lb, "");
	EXPECT_LINE(lb, "");
	expect_none(lb);

	/* CR is stripped only right before the LF. */
	FEED(lb, "a\rb\n\rc\n\r\r\n");
	EXPECT_LINE(lb, "a\rb");
	EXPECT_LINE(lb, "\rc");
	EXPECT_LINE(lb, "\r");
	/* CR and LF in different commits. */
	FEED(lb, "xy\r");
	expect_none(lb);
	FEED(lb, "\n");
	EXPECT_LINE(lb, "xy");
	/* A CR at the end of a line with no LF yet is kept for now. */
	FEED(lb, "z\r");
	expect_none(lb);
	FEED(lb, "q\n");
	EXPECT_LINE(lb, "z\rq");
	expect_none(lb);
	linebuf_free(lb);
}
END_TEST

START_TEST(test_nul)
{
	struct linebuf	*lb = linebuf_new(1024);

	FEED(lb, "a\0b\n\0\n");
	EXPECT_LINE(lb, "a\0b");
	EXPECT_LINE(lb, "\0");
	expect_none(lb);
	linebuf_free(lb);
}
END_TEST

START_TEST(test_space_commit)
{
	struct linebuf	*lb = linebuf_new(1024);
	char		*p;
	size_t		 avail;

	p = linebuf_space(lb, &avail);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_ge(avail, 1);
	memcpy(p, "A1 OK\nA2", 8);
	linebuf_commit(lb, 8);
	EXPECT_LINE(lb, "A1 OK");
	expect_none(lb);
	p = linebuf_space(lb, &avail);
	ck_assert_uint_ge(avail, 4);
	memcpy(p, " OK\n", 4);
	linebuf_commit(lb, 3);		/* only part of what was written */
	expect_none(lb);
	p = linebuf_space(lb, &avail);
	*p = '\n';
	linebuf_commit(lb, 1);
	EXPECT_LINE(lb, "A2 OK");
	linebuf_commit(lb, 0);
	expect_none(lb);
	linebuf_free(lb);
}
END_TEST

static void
fill(char *p, size_t n, char c)
{
	memset(p, c, n);
}

/* max_line bytes is fine, with LF or CRLF; one more is too long. */
START_TEST(test_max_exact)
{
	struct linebuf	*lb = linebuf_new(100);
	char		 s[200];

	fill(s, 100, 'x');
	s[100] = '\n';
	linebuf_feed(lb, s, 101);
	expect_line(lb, s, 100);
	expect_none(lb);

	s[100] = '\r';
	s[101] = '\n';
	linebuf_feed(lb, s, 102);
	expect_line(lb, s, 100);
	expect_none(lb);

	fill(s, 101, 'y');
	s[101] = '\n';
	linebuf_feed(lb, s, 102);
	expect_toolong(lb, s, LINEBUF_TOOLONG_PREFIX);
	expect_none(lb);

	s[101] = '\r';
	s[102] = '\n';
	linebuf_feed(lb, s, 103);
	expect_toolong(lb, s, LINEBUF_TOOLONG_PREFIX);
	expect_none(lb);

	/* The buffer works normally afterwards. */
	FEED(lb, "A1 OK\n");
	EXPECT_LINE(lb, "A1 OK");
	expect_none(lb);
	ck_assert_uint_le(capacity(lb), 102);
	linebuf_free(lb);
}
END_TEST

/* The whole line split over commits, each followed by linebuf_next. */
START_TEST(test_max_exact_split)
{
	struct linebuf	*lb = linebuf_new(100);
	char		 s[102];
	size_t		 i;

	fill(s, 100, 'x');
	s[100] = '\r';
	s[101] = '\n';
	for (i = 0; i < 101; i++) {
		linebuf_feed(lb, s + i, 1);
		expect_none(lb);
	}
	linebuf_feed(lb, s + 101, 1);
	expect_line(lb, s, 100);
	expect_none(lb);
	linebuf_free(lb);
}
END_TEST

/*
 * A long line arriving in many commits: reported once as soon as it is known
 * to be too long, with its start; its remaining bytes are dropped without
 * the buffer growing; the line after it comes out intact.
 */
START_TEST(test_toolong_span)
{
	struct linebuf	*lb = linebuf_new(100);
	char		 s[5000], *line, *p;
	size_t		 i, n, off, avail, reports = 0;
	enum linebuf_result r;

	memcpy(s, "T42 SPACE.CREATE name=\"", 23);
	for (i = 23; i < sizeof s; i++)
		s[i] = (char)('a' + i % 26);
	s[sizeof s - 1] = '\n';

	for (off = 0; off < sizeof s; off += n) {
		n = sizeof s - off < 37 ? sizeof s - off : 37;
		p = linebuf_space(lb, &avail);
		ck_assert_uint_le(linebuf_pending(lb) + avail, 102);
		if (n > avail)
			n = avail;
		memcpy(p, s + off, n);
		linebuf_commit(lb, n);
		while ((r = linebuf_next(lb, &line, &i)) != LINEBUF_NONE) {
			ck_assert_int_eq(r, LINEBUF_TOOLONG);
			ck_assert_uint_eq(i, LINEBUF_TOOLONG_PREFIX);
			ck_assert_mem_eq(line, s, LINEBUF_TOOLONG_PREFIX);
			ck_assert_int_eq(line[i], '\0');
			reports++;
		}
		ck_assert_uint_le(linebuf_pending(lb), 101);
	}
	ck_assert_uint_eq(reports, 1);
	expect_none(lb);
	ck_assert_uint_eq(linebuf_pending(lb), 0);

	FEED(lb, "T43 PING\r\n");
	EXPECT_LINE(lb, "T43 PING");
	expect_none(lb);
	ck_assert_uint_le(capacity(lb), 102);
	linebuf_free(lb);
}
END_TEST

/* The LF ending a discarded line and the next line in the same commit. */
START_TEST(test_toolong_then_lines)
{
	struct linebuf	*lb = linebuf_new(100);
	char		 s[300];

	fill(s, 250, 'z');
	memcpy(s, "A9 ", 3);
	linebuf_feed(lb, s, 150);
	expect_toolong(lb, s, LINEBUF_TOOLONG_PREFIX);
	expect_none(lb);
	linebuf_feed(lb, s + 150, 100);
	expect_none(lb);
	FEED(lb, "zz\nA1 OK\nA2 OK\nA3");
	EXPECT_LINE(lb, "A1 OK");
	EXPECT_LINE(lb, "A2 OK");
	expect_none(lb);
	ck_assert_uint_eq(linebuf_pending(lb), 2);
	FEED(lb, "\n");
	EXPECT_LINE(lb, "A3");
	linebuf_free(lb);
}
END_TEST

/* One feed with a long line and good lines, before any linebuf_next. */
START_TEST(test_toolong_one_feed)
{
	struct linebuf	*lb = linebuf_new(100);
	char		 s[400];
	size_t		 n;

	memcpy(s, "A0 OK\n", 6);
	fill(s + 6, 300, 'w');
	memcpy(s + 306, "\nA1 OK\r\nA2 OK\n", 14);
	n = 320;
	linebuf_feed(lb, s, n);
	EXPECT_LINE(lb, "A0 OK");
	expect_toolong(lb, s + 6, LINEBUF_TOOLONG_PREFIX);
	EXPECT_LINE(lb, "A1 OK");
	EXPECT_LINE(lb, "A2 OK");
	expect_none(lb);
	linebuf_free(lb);
}
END_TEST

/* Lines between 64 and max_line bytes, and short too-long lines. */
START_TEST(test_prefix_short)
{
	struct linebuf	*lb = linebuf_new(10);
	char		 s[100];

	FEED(lb, "0123456789\n");
	EXPECT_LINE(lb, "0123456789");
	FEED(lb, "0123456789a\n");
	expect_toolong(lb, "0123456789a", 11);
	FEED(lb, "A1 OK\n");
	EXPECT_LINE(lb, "A1 OK");
	expect_none(lb);

	linebuf_set_max(lb, 1000);
	fill(s, 99, 'm');
	s[99] = '\n';
	linebuf_feed(lb, s, 100);
	expect_line(lb, s, 99);
	linebuf_free(lb);
}
END_TEST

START_TEST(test_memory_bound)
{
	struct linebuf	*lb = linebuf_new(3000);
	char		 s[10000];
	size_t		 i;

	/* Starts small. */
	ck_assert_uint_le(capacity(lb), 1024);
	fill(s, sizeof s, 'k');
	for (i = 0; i < 50; i++) {
		linebuf_feed(lb, s, sizeof s);
		if (i == 0)
			expect_toolong(lb, s, LINEBUF_TOOLONG_PREFIX);
		expect_none(lb);
		ck_assert_uint_eq(linebuf_pending(lb), 0);
		ck_assert_uint_le(capacity(lb), 3002);
	}
	FEED(lb, "\nA1 OK\n");
	EXPECT_LINE(lb, "A1 OK");
	expect_none(lb);
	ck_assert_uint_le(capacity(lb), 3002);
	linebuf_free(lb);
}
END_TEST

START_TEST(test_release)
{
	struct linebuf	*lb = linebuf_new(1024);

	linebuf_release(lb);		/* nothing allocated yet */
	FEED(lb, "A1 OK\nA2 PART");
	linebuf_release(lb);		/* a line is buffered: kept */
	EXPECT_LINE(lb, "A1 OK");
	linebuf_release(lb);		/* a partial line: kept */
	ck_assert_uint_eq(linebuf_pending(lb), 7);
	FEED(lb, "\n");
	EXPECT_LINE(lb, "A2 PART");
	linebuf_release(lb);
	ck_assert_uint_eq(linebuf_pending(lb), 0);
	FEED(lb, "A3 OK\n");
	EXPECT_LINE(lb, "A3 OK");

	/* Released while discarding: still discards, still reports once. */
	linebuf_set_max(lb, 100);
	{
		char	 s[300];

		fill(s, sizeof s, 'd');
		linebuf_feed(lb, s, sizeof s);
		linebuf_release(lb);
		expect_toolong(lb, s, LINEBUF_TOOLONG_PREFIX);
		linebuf_release(lb);
		linebuf_feed(lb, s, sizeof s);
		expect_none(lb);
	}
	FEED(lb, "\nA4 OK\n");
	EXPECT_LINE(lb, "A4 OK");
	linebuf_free(lb);
}
END_TEST

/*
 * A caller that feeds many complete lines before taking any gets them all:
 * the buffer grows past the limit in that case (see linebuf_space).
 */
START_TEST(test_many_lines_undrained)
{
	struct linebuf	*lb = linebuf_new(100);
	char		 s[3000];
	size_t		 i;

	for (i = 0; i < 300; i++)
		memcpy(s + i * 10, "A123 PING\n", 10);
	linebuf_feed(lb, s, sizeof s);
	for (i = 0; i < 300; i++)
		EXPECT_LINE(lb, "A123 PING");
	expect_none(lb);
	linebuf_free(lb);
}
END_TEST

START_TEST(test_commit_too_much)
{
	struct linebuf	*lb = linebuf_new(100);
	size_t		 avail;

	linebuf_space(lb, &avail);
	linebuf_commit(lb, avail + 1);	/* fatalx: exits 1 */
}
END_TEST

static int
forking(void)
{
	const char	*s = getenv("CK_FORK");

	return s == NULL || strcmp(s, "no") != 0;
}

static Suite *
linebuf_suite(void)
{
	Suite	*s = suite_create("linebuf");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_lines);
	tcase_add_test(tc, test_partial);
	tcase_add_test(tc, test_crlf);
	tcase_add_test(tc, test_nul);
	tcase_add_test(tc, test_space_commit);
	tcase_add_test(tc, test_max_exact);
	tcase_add_test(tc, test_max_exact_split);
	tcase_add_test(tc, test_toolong_span);
	tcase_add_test(tc, test_toolong_then_lines);
	tcase_add_test(tc, test_toolong_one_feed);
	tcase_add_test(tc, test_prefix_short);
	tcase_add_test(tc, test_memory_bound);
	tcase_add_test(tc, test_release);
	tcase_add_test(tc, test_many_lines_undrained);
	/* fatalx exits: only testable when each test runs in a child. */
	if (forking())
		tcase_add_exit_test(tc, test_commit_too_much, 1);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_run(linebuf_suite());
}
