#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "proto.h"
#include "check-run.h"

/*
 * Lines are parsed from a heap copy of exactly len + 1 bytes, the last being
 * LF as linebuf leaves it before writing the NUL: AddressSanitizer catches a
 * read past the end, and the parser must cope with line[len] not being NUL.
 */
struct parsed {
	char			*line;
	int			 rc;
	const char		*why;
	struct proto_msg	 msg;
};

static struct parsed *
parse_n(const char *s, size_t len)
{
	struct parsed	*p;

	p = calloc(1, sizeof *p);
	ck_assert_ptr_nonnull(p);
	p->line = malloc(len + 1);
	ck_assert_ptr_nonnull(p->line);
	memcpy(p->line, s, len);
	p->line[len] = '\n';
	p->why = "unset";
	p->rc = proto_parse(p->line, len, &p->msg, &p->why);
	return p;
}

static struct parsed *
parse(const char *s)
{
	return parse_n(s, strlen(s));
}

static void
parsed_free(struct parsed *p)
{
	free(p->line);
	free(p);
}

/* Parses s, expects success and returns the message for inspection. */
#define OK(p, s) do {							\
	(p) = parse(s);							\
	ck_assert_msg((p)->rc == 0, "\"%s\" rejected: %s", (s),	\
	    (p)->why);							\
} while (0)

/* Expects s to be rejected with reason why and tag (NULL: no tag). */
static void
expect_err_n(const char *s, size_t len, const char *why, const char *tag)
{
	struct parsed	*p = parse_n(s, len);

	ck_assert_msg(p->rc == -1, "\"%.*s\" accepted", (int)len, s);
	ck_assert_str_eq(p->why, why);
	if (tag == NULL)
		ck_assert_ptr_null(p->msg.tag);
	else {
		ck_assert_ptr_nonnull(p->msg.tag);
		ck_assert_str_eq(p->msg.tag, tag);
	}
	parsed_free(p);
}

static void
expect_err(const char *s, const char *why, const char *tag)
{
	expect_err_n(s, strlen(s), why, tag);
}

#define EXPECT_ERR_N(s, why, tag) \
	expect_err_n((s), sizeof (s) - 1, (why), (tag))

static void
check_param(const struct proto_msg *m, size_t i, const char *key,
    const char *value, size_t len)
{
	ck_assert_uint_lt(i, m->nparams);
	ck_assert_str_eq(m->params[i].key, key);
	ck_assert_uint_eq(m->params[i].len, len);
	ck_assert_mem_eq(m->params[i].value, value, len);
	ck_assert_int_eq(m->params[i].value[len], '\0');
}

#define PARAM(m, i, k, v) check_param((m), (i), (k), (v), sizeof (v) - 1)

static char *
repeat(char c, size_t n)
{
	char	*s = malloc(n + 1);

	ck_assert_ptr_nonnull(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

START_TEST(test_request)
{
	struct parsed	*p;

	OK(p, "A1 SPACE.CREATE name=dev title=\"Dev team\" n=-42");
	ck_assert_str_eq(p->msg.tag, "A1");
	ck_assert_str_eq(p->msg.word, "SPACE.CREATE");
	ck_assert_uint_eq(p->msg.nparams, 3);
	PARAM(&p->msg, 0, "name", "dev");
	PARAM(&p->msg, 1, "title", "Dev team");
	PARAM(&p->msg, 2, "n", "-42");
	/* Everything points into the line: parsing is in place. */
	ck_assert_ptr_eq(p->msg.tag, p->line);
	ck_assert(p->msg.word > p->line && p->msg.word < p->line + 48);
	ck_assert(p->msg.params[2].value < p->line + 48);
	parsed_free(p);

	OK(p, "x PING");
	ck_assert_str_eq(p->msg.tag, "x");
	ck_assert_str_eq(p->msg.word, "PING");
	ck_assert_uint_eq(p->msg.nparams, 0);
	parsed_free(p);

	/* Every atom character. */
	OK(p, "t1 X a=AZaz09._@:+/-");
	PARAM(&p->msg, 0, "a", "AZaz09._@:+/-");
	parsed_free(p);

	/* Every key and word character; keys are case-sensitive. */
	OK(p, "t1 a.b_c-D9 Key_.-9=1 key_.-9=2");
	ck_assert_str_eq(p->msg.word, "a.b_c-D9");
	PARAM(&p->msg, 0, "Key_.-9", "1");
	PARAM(&p->msg, 1, "key_.-9", "2");
	parsed_free(p);
}
END_TEST

START_TEST(test_untagged)
{
	struct parsed	*p;

	OK(p, "* HELLO proto=1 server=agorad/0.1.0");
	ck_assert_str_eq(p->msg.tag, "*");
	ck_assert_str_eq(p->msg.word, "HELLO");
	PARAM(&p->msg, 0, "proto", "1");
	PARAM(&p->msg, 1, "server", "agorad/0.1.0");
	parsed_free(p);

	OK(p, "* EVENT seq=17 type=space.created");
	ck_assert_str_eq(p->msg.word, "EVENT");
	PARAM(&p->msg, 1, "type", "space.created");
	parsed_free(p);

	expect_err("** HELLO", "invalid tag", NULL);
	expect_err("*a HELLO", "invalid tag", NULL);
}
END_TEST

START_TEST(test_escapes)
{
	struct parsed	*p;

	OK(p, "t1 X q=\"\\\"\" b=\"\\\\\" n=\"\\n\" r=\"\\r\" t=\"\\t\"");
	PARAM(&p->msg, 0, "q", "\"");
	PARAM(&p->msg, 1, "b", "\\");
	PARAM(&p->msg, 2, "n", "\n");
	PARAM(&p->msg, 3, "r", "\r");
	PARAM(&p->msg, 4, "t", "\t");
	parsed_free(p);

	OK(p, "t1 X v=\"a\\\"b\\\\c\\nd\\re\\tf\\\\\\\"\"");
	PARAM(&p->msg, 0, "v", "a\"b\\c\nd\re\tf\\\"");
	parsed_free(p);

	/* Spaces and '=' inside quotes are data. */
	OK(p, "t1 X v=\"  a = b  \" w=1");
	PARAM(&p->msg, 0, "v", "  a = b  ");
	PARAM(&p->msg, 1, "w", "1");
	parsed_free(p);

	expect_err("t1 X v=\"\\x\"", "unknown escape", "t1");
	expect_err("t1 X v=\"\\a\"", "unknown escape", "t1");
	expect_err("t1 X v=\"\\0\"", "unknown escape", "t1");
	expect_err("t1 X v=\"\\u00e9\"", "unknown escape", "t1");
	expect_err("t1 X v=\"\\N\"", "unknown escape", "t1");
	expect_err("t1 X v=\"\\ \"", "unknown escape", "t1");
	expect_err("t1 X v=\"\\'\"", "unknown escape", "t1");
}
END_TEST

START_TEST(test_quoted)
{
	struct parsed	*p;

	OK(p, "t1 X e=\"\" f=\"\"");
	PARAM(&p->msg, 0, "e", "");
	PARAM(&p->msg, 1, "f", "");
	parsed_free(p);

	OK(p, "t1 X u=\"caf\xc3\xa9 stra\xc3\x9f" "e \xe4\xb8\xad\xe6\x96\x87 "
	    "\xf0\x9f\x98\x80\"");
	PARAM(&p->msg, 0, "u", "caf\xc3\xa9 stra\xc3\x9f" "e "
	    "\xe4\xb8\xad\xe6\x96\x87 \xf0\x9f\x98\x80");
	parsed_free(p);

	/* Atom-looking content may be quoted too. */
	OK(p, "t1 X a=\"abc\"");
	PARAM(&p->msg, 0, "a", "abc");
	parsed_free(p);

	expect_err("t1 X v=\"abc", "unterminated quoted string", "t1");
	expect_err("t1 X v=\"", "unterminated quoted string", "t1");
	expect_err("t1 X v=\"abc\\\"", "unterminated quoted string", "t1");
	expect_err("t1 X v=\"abc\\", "unterminated quoted string", "t1");
	expect_err("t1 X v=\"a\" w=\"b", "unterminated quoted string", "t1");

	/* Something other than a space right after the closing quote. */
	expect_err("t1 X v=\"a\"b", "no space after quoted string", "t1");
	expect_err("t1 X v=\"a\"\"b\"", "no space after quoted string",
	    "t1");
	expect_err("t1 X v=\"a\"=", "no space after quoted string", "t1");
}
END_TEST

START_TEST(test_spaces)
{
	struct parsed	*p;

	OK(p, "t1    X   a=1     b=\"x y\"    ");
	ck_assert_str_eq(p->msg.tag, "t1");
	ck_assert_str_eq(p->msg.word, "X");
	ck_assert_uint_eq(p->msg.nparams, 2);
	PARAM(&p->msg, 0, "a", "1");
	PARAM(&p->msg, 1, "b", "x y");
	parsed_free(p);

	OK(p, "t1 X ");
	ck_assert_str_eq(p->msg.word, "X");
	ck_assert_uint_eq(p->msg.nparams, 0);
	parsed_free(p);

	expect_err(" t1 X", "leading space", NULL);
	expect_err(" ", "leading space", NULL);
	expect_err("", "empty line", NULL);
}
END_TEST

START_TEST(test_tag)
{
	char		 s[128];
	struct parsed	*p;
	char		*t32 = repeat('T', 32), *t33 = repeat('T', 33);

	snprintf(s, sizeof s, "%s X", t32);
	OK(p, s);
	ck_assert_str_eq(p->msg.tag, t32);
	parsed_free(p);

	snprintf(s, sizeof s, "%s X", t33);
	expect_err(s, "invalid tag", NULL);

	expect_err("a-1 X", "invalid tag", NULL);
	expect_err("a.1 X", "invalid tag", NULL);
	expect_err("\xc3\xa9 X", "invalid tag", NULL);
	expect_err("a=1 X", "invalid tag", NULL);
	expect_err("\"a\" X", "invalid tag", NULL);

	ck_assert_int_eq(proto_valid_tag("a"), 1);
	ck_assert_int_eq(proto_valid_tag("AZaz09"), 1);
	ck_assert_int_eq(proto_valid_tag(t32), 1);
	ck_assert_int_eq(proto_valid_tag(t33), 0);
	ck_assert_int_eq(proto_valid_tag(""), 0);
	ck_assert_int_eq(proto_valid_tag("*"), 0);
	ck_assert_int_eq(proto_valid_tag("a b"), 0);
	ck_assert_int_eq(proto_valid_tag("a_b"), 0);
	free(t32);
	free(t33);
}
END_TEST

START_TEST(test_verb)
{
	char		 s[128];
	struct parsed	*p;
	char		*w64 = repeat('V', 64), *w65 = repeat('V', 65);

	snprintf(s, sizeof s, "t1 %s", w64);
	OK(p, s);
	ck_assert_str_eq(p->msg.word, w64);
	parsed_free(p);
	snprintf(s, sizeof s, "t1 %s a=1", w64);
	OK(p, s);
	ck_assert_str_eq(p->msg.word, w64);
	parsed_free(p);

	snprintf(s, sizeof s, "t1 %s", w65);
	expect_err(s, "verb too long", "t1");
	snprintf(s, sizeof s, "t1 %s a=1", w65);
	expect_err(s, "verb too long", "t1");

	expect_err("t1", "missing verb", "t1");
	expect_err("t1 ", "missing verb", "t1");
	expect_err("t1    ", "missing verb", "t1");
	expect_err("*", "missing verb", "*");
	expect_err("t1 SP@CE", "invalid verb", "t1");
	expect_err("t1 a=1", "invalid verb", "t1");
	expect_err("t1 \"X\"", "invalid verb", "t1");
	expect_err("t1 SP\xc3\xa9", "invalid verb", "t1");
	free(w64);
	free(w65);
}
END_TEST

START_TEST(test_key)
{
	char		 s[256];
	struct parsed	*p;
	char		*k64 = repeat('k', 64), *k65 = repeat('k', 65);

	snprintf(s, sizeof s, "t1 X %s=v", k64);
	OK(p, s);
	PARAM(&p->msg, 0, k64, "v");
	ck_assert_str_eq(proto_get(&p->msg, k64), "v");
	parsed_free(p);

	snprintf(s, sizeof s, "t1 X %s=v", k65);
	expect_err(s, "key too long", "t1");

	expect_err("t1 X =v", "invalid key", "t1");
	expect_err("t1 X a=1 =v", "invalid key", "t1");
	expect_err("t1 X k@y=v", "invalid key", "t1");
	expect_err("t1 X k\"=v", "invalid key", "t1");
	expect_err("t1 X \"k\"=v", "invalid key", "t1");
	expect_err("t1 X k\xc3\xa9=v", "invalid key", "t1");

	expect_err("t1 X k", "parameter without '='", "t1");
	expect_err("t1 X k v", "parameter without '='", "t1");
	expect_err("t1 X a=1 k", "parameter without '='", "t1");

	expect_err("t1 X a=1 a=2", "duplicate parameter", "t1");
	expect_err("t1 X a=1 b=2 a=\"1\"", "duplicate parameter", "t1");
	free(k64);
	free(k65);
}
END_TEST

START_TEST(test_value)
{
	expect_err("t1 X k=", "invalid value", "t1");
	expect_err("t1 X k= v", "invalid value", "t1");
	expect_err("t1 X k=a\"b\"", "invalid value", "t1");
	expect_err("t1 X k=a=b", "invalid value", "t1");
	expect_err("t1 X k=caf\xc3\xa9", "invalid value", "t1");
	expect_err("t1 X k=a,b", "invalid value", "t1");
	expect_err("t1 X k=a\\n", "invalid value", "t1");
	expect_err("t1 X k=a b=", "invalid value", "t1");
}
END_TEST

START_TEST(test_params_max)
{
	struct buf	*b = buf_new(0);
	struct parsed	*p;
	int		 i;

	buf_add_str(b, "t1 X");
	for (i = 0; i < PROTO_PARAMS_MAX; i++)
		buf_printf(b, " k%d=%d", i, i);
	OK(p, buf_cstr(b));
	ck_assert_uint_eq(p->msg.nparams, PROTO_PARAMS_MAX);
	PARAM(&p->msg, 0, "k0", "0");
	PARAM(&p->msg, 63, "k63", "63");
	parsed_free(p);

	buf_add_str(b, "   ");		/* trailing spaces are not a param */
	OK(p, buf_cstr(b));
	ck_assert_uint_eq(p->msg.nparams, PROTO_PARAMS_MAX);
	parsed_free(p);

	buf_add_str(b, "k64=64");
	expect_err(buf_cstr(b), "too many parameters", "t1");
	buf_free(b);
}
END_TEST

START_TEST(test_utf8)
{
	/* Invalid UTF-8 anywhere, even inside quotes; the tag survives. */
	expect_err("t1 X v=\"\xc0\xaf\"", "invalid UTF-8", "t1");
	expect_err("t1 X v=\"\xed\xa0\x80\"", "invalid UTF-8", "t1");
	expect_err("t1 X v=\"\xf4\x90\x80\x80\"", "invalid UTF-8", "t1");
	expect_err("t1 X v=\"\xe4\xb8\"", "invalid UTF-8", "t1");
	expect_err("t1 X v=\"\x80\"", "invalid UTF-8", "t1");
	expect_err("t1 X v=\"\xff\"", "invalid UTF-8", "t1");
	expect_err("t1 X\xc3", "invalid UTF-8", "t1");
	expect_err("t1\xc3 X", "invalid UTF-8", NULL);
	expect_err("t1 X \xc3", "invalid UTF-8", "t1");
	expect_err("* EVENT v=\"\xc3\"", "invalid UTF-8", "*");
	expect_err("t\xc3\xa9 X", "invalid tag", NULL);
	expect_err("t\x80 X", "invalid UTF-8", NULL);
}
END_TEST

START_TEST(test_control)
{
	expect_err("t1 X v=\"a\tb\"", "control character in line", "t1");
	expect_err("t1\tX", "control character in line", NULL);
	expect_err("t1 X\t", "control character in line", "t1");
	expect_err("t1 X v=\"\x01\"", "control character in line", "t1");
	expect_err("t1 X v=\"\x1f\"", "control character in line", "t1");
	expect_err("t1 X v=\"\x7f\"", "control character in line", "t1");
	expect_err("t1 X v=\"a\rb\"", "control character in line", "t1");
	expect_err("t1 X v=\"a\nb\"", "control character in line", "t1");
	expect_err("t1 X\r", "control character in line", "t1");
	expect_err("\x1b[1m X", "control character in line", NULL);

	EXPECT_ERR_N("t1 X v=\"a\0b\"", "NUL byte in line", "t1");
	EXPECT_ERR_N("t1 X\0", "NUL byte in line", "t1");
	EXPECT_ERR_N("t1\0X", "NUL byte in line", NULL);
	EXPECT_ERR_N("\0", "NUL byte in line", NULL);
}
END_TEST

START_TEST(test_get)
{
	struct parsed	*p;

	OK(p, "t1 X a=1 b=\"two\" c=\"\"");
	ck_assert_str_eq(proto_get(&p->msg, "a"), "1");
	ck_assert_str_eq(proto_get(&p->msg, "b"), "two");
	ck_assert_str_eq(proto_get(&p->msg, "c"), "");
	ck_assert_ptr_null(proto_get(&p->msg, "d"));
	ck_assert_ptr_null(proto_get(&p->msg, "A"));
	ck_assert_ptr_null(proto_get(&p->msg, ""));
	parsed_free(p);
}
END_TEST

/* proto_get_i64 on a one-parameter line "t1 X v=<value>". */
static int
get_i64(const char *value, int64_t min, int64_t max, int64_t *out)
{
	char		 s[256];
	struct parsed	*p;
	int		 rc;

	snprintf(s, sizeof s, "t1 X v=%s", value);
	OK(p, s);
	rc = proto_get_i64(&p->msg, "v", min, max, out);
	ck_assert_int_eq(proto_get_i64(&p->msg, "w", min, max, out), -1);
	parsed_free(p);
	return rc;
}

START_TEST(test_get_i64)
{
	int64_t	 v;

	ck_assert_int_eq(get_i64("0", INT64_MIN, INT64_MAX, &v), 0);
	ck_assert_int_eq(v, 0);
	ck_assert_int_eq(get_i64("42", INT64_MIN, INT64_MAX, &v), 0);
	ck_assert_int_eq(v, 42);
	ck_assert_int_eq(get_i64("-17", INT64_MIN, INT64_MAX, &v), 0);
	ck_assert_int_eq(v, -17);
	ck_assert_int_eq(get_i64("007", INT64_MIN, INT64_MAX, &v), 0);
	ck_assert_int_eq(v, 7);
	ck_assert_int_eq(get_i64("\"12\"", INT64_MIN, INT64_MAX, &v), 0);
	ck_assert_int_eq(v, 12);
	ck_assert_int_eq(get_i64("9223372036854775807", INT64_MIN, INT64_MAX,
	    &v), 0);
	ck_assert(v == INT64_MAX);
	ck_assert_int_eq(get_i64("-9223372036854775808", INT64_MIN, INT64_MAX,
	    &v), 0);
	ck_assert(v == INT64_MIN);

	v = 99;
	ck_assert_int_eq(get_i64("9223372036854775808", INT64_MIN, INT64_MAX,
	    &v), -1);
	ck_assert_int_eq(get_i64("-9223372036854775809", INT64_MIN, INT64_MAX,
	    &v), -1);
	ck_assert_int_eq(get_i64("99999999999999999999", INT64_MIN, INT64_MAX,
	    &v), -1);
	ck_assert_int_eq(get_i64("+1", INT64_MIN, INT64_MAX, &v), -1);
	ck_assert_int_eq(get_i64("-", INT64_MIN, INT64_MAX, &v), -1);
	ck_assert_int_eq(get_i64("--1", INT64_MIN, INT64_MAX, &v), -1);
	ck_assert_int_eq(get_i64("1-", INT64_MIN, INT64_MAX, &v), -1);
	ck_assert_int_eq(get_i64("0x10", INT64_MIN, INT64_MAX, &v), -1);
	ck_assert_int_eq(get_i64("1e3", INT64_MIN, INT64_MAX, &v), -1);
	ck_assert_int_eq(get_i64("1.0", INT64_MIN, INT64_MAX, &v), -1);
	ck_assert_int_eq(get_i64("\"\"", INT64_MIN, INT64_MAX, &v), -1);
	ck_assert_int_eq(get_i64("\" 1\"", INT64_MIN, INT64_MAX, &v), -1);
	ck_assert_int_eq(get_i64("\"1 \"", INT64_MIN, INT64_MAX, &v), -1);
	ck_assert_int_eq(get_i64("\"\\t1\"", INT64_MIN, INT64_MAX, &v), -1);
	ck_assert_int_eq(v, 99);	/* untouched on failure */

	/* Range, bounds included. */
	ck_assert_int_eq(get_i64("1", 1, 10, &v), 0);
	ck_assert_int_eq(v, 1);
	ck_assert_int_eq(get_i64("10", 1, 10, &v), 0);
	ck_assert_int_eq(v, 10);
	ck_assert_int_eq(get_i64("0", 1, 10, &v), -1);
	ck_assert_int_eq(get_i64("11", 1, 10, &v), -1);
	ck_assert_int_eq(get_i64("-1", 0, INT64_MAX, &v), -1);
	ck_assert_int_eq(get_i64("-5", -5, -1, &v), 0);
	ck_assert_int_eq(v, -5);
}
END_TEST

START_TEST(test_err_names)
{
	static const char *names[] = { "bad_request", "line_too_long",
	    "unknown_verb", "auth_required", "auth_failed", "forbidden",
	    "not_found", "conflict", "invalid", "rate_limited",
	    "plan_required", "quota_exceeded", "unavailable", "shutting_down",
	    "internal" };
	enum proto_err	 e;
	int		 i;

	ck_assert_int_eq(sizeof names / sizeof names[0], PERR_COUNT);
	for (i = 0; i < PERR_COUNT; i++) {
		ck_assert_str_eq(proto_err_name((enum proto_err)i), names[i]);
		e = PERR_COUNT;
		ck_assert_int_eq(proto_err_parse(names[i], &e), 0);
		ck_assert_int_eq(e, i);
	}
	ck_assert_str_eq(proto_err_name(PERR_NOT_FOUND), "not_found");
	ck_assert_str_eq(proto_err_name(PERR_SHUTTING_DOWN), "shutting_down");
	ck_assert_int_eq(proto_err_parse("nope", &e), -1);
	ck_assert_int_eq(proto_err_parse("", &e), -1);
	ck_assert_int_eq(proto_err_parse("NOT_FOUND", &e), -1);
	ck_assert_int_eq(proto_err_parse("not_found ", &e), -1);
}
END_TEST

START_TEST(test_err_name_bad)
{
	proto_err_name(PERR_COUNT);	/* fatalx: exits 1 */
}
END_TEST

START_TEST(test_is_atom)
{
	ck_assert_int_eq(proto_is_atom("abc", 3), 1);
	ck_assert_int_eq(proto_is_atom("a.b_c@d:e+f/g-h", 15), 1);
	ck_assert_int_eq(proto_is_atom("", 0), 0);
	ck_assert_int_eq(proto_is_atom("a b", 3), 0);
	ck_assert_int_eq(proto_is_atom("a=b", 3), 0);
	ck_assert_int_eq(proto_is_atom("a\"", 2), 0);
	ck_assert_int_eq(proto_is_atom("a\\", 2), 0);
	ck_assert_int_eq(proto_is_atom("\xc3\xa9", 2), 0);
	ck_assert_int_eq(proto_is_atom("ab\0", 3), 0);
	ck_assert_int_eq(proto_is_atom("ab\0", 2), 1);
}
END_TEST

/* Formats one value under key "v" and compares the whole line. */
static void
expect_format(const char *value, size_t len, const char *want)
{
	struct buf	*b = buf_new(0);

	proto_begin(b, "t1", "X");
	proto_addn(b, "v", value, len);
	proto_end(b);
	ck_assert_str_eq(buf_cstr(b), want);
	buf_free(b);
}

#define FORMAT(v, want) expect_format((v), sizeof (v) - 1, (want))

START_TEST(test_format)
{
	struct buf	*b = buf_new(0);

	FORMAT("abc", "t1 X v=abc\n");
	FORMAT("a.b_c@d:e+f/g-h", "t1 X v=a.b_c@d:e+f/g-h\n");
	FORMAT("", "t1 X v=\"\"\n");
	FORMAT("a b", "t1 X v=\"a b\"\n");
	FORMAT("a=b", "t1 X v=\"a=b\"\n");
	FORMAT("\"", "t1 X v=\"\\\"\"\n");
	FORMAT("\\", "t1 X v=\"\\\\\"\n");
	FORMAT("a\nb", "t1 X v=\"a\\nb\"\n");
	FORMAT("a\rb", "t1 X v=\"a\\rb\"\n");
	FORMAT("a\tb", "t1 X v=\"a\\tb\"\n");
	FORMAT("say \"hi\\\"\r\n", "t1 X v=\"say \\\"hi\\\\\\\"\\r\\n\"\n");
	FORMAT("caf\xc3\xa9", "t1 X v=\"caf\xc3\xa9\"\n");
	/* Control characters without an escape are dropped. */
	FORMAT("a\x01" "b\x1b[0m\x7f" "c", "t1 X v=\"ab[0mc\"\n");
	FORMAT("a\0b", "t1 X v=\"ab\"\n");
	FORMAT("\x01", "t1 X v=\"\"\n");
	/* Bytes that are not UTF-8 become U+FFFD. */
	FORMAT("a\xff" "b", "t1 X v=\"a\xef\xbf\xbd" "b\"\n");
	FORMAT("\xc0\xaf", "t1 X v=\"\xef\xbf\xbd\xef\xbf\xbd\"\n");
	FORMAT("\xe4\xb8", "t1 X v=\"\xef\xbf\xbd\xef\xbf\xbd\"\n");

	proto_begin(b, "A7", "SPACE.LIST");
	proto_add(b, "name", "dev");
	proto_add(b, "title", "Dev team");
	proto_add(b, "none", NULL);
	proto_add_i64(b, "max", INT64_MAX);
	proto_add_i64(b, "min", INT64_MIN);
	proto_add_i64(b, "zero", 0);
	proto_add_raw(b, "x=1 y=\"2 3\"");
	proto_add_raw(b, "");
	proto_add_raw(b, NULL);
	proto_end(b);
	ck_assert_str_eq(buf_cstr(b), "A7 SPACE.LIST name=dev "
	    "title=\"Dev team\" none=\"\" max=9223372036854775807 "
	    "min=-9223372036854775808 zero=0 x=1 y=\"2 3\"\n");
	buf_reset(b);

	proto_begin(b, NULL, "EVENT");
	proto_end(b);
	proto_begin(b, PROTO_UNTAGGED, "HELLO");
	proto_put_value(b, "", 0);
	buf_add_char(b, ' ');
	proto_put_value(b, "v1", 2);
	proto_end(b);
	ck_assert_str_eq(buf_cstr(b), "* EVENT\n* HELLO\"\" v1\n");
	buf_free(b);
}
END_TEST

START_TEST(test_ok_err)
{
	struct buf	*b = buf_new(0);

	proto_ok(b, "A1");
	ck_assert_str_eq(buf_cstr(b), "A1 OK\n");
	buf_reset(b);

	proto_err(b, "A2", PERR_NOT_FOUND, "no such space");
	ck_assert_str_eq(buf_cstr(b),
	    "A2 ERR code=not_found msg=\"no such space\"\n");
	buf_reset(b);

	/* The message is quoted even when it could be an atom. */
	proto_err(b, "A3", PERR_FORBIDDEN, "forbidden");
	ck_assert_str_eq(buf_cstr(b),
	    "A3 ERR code=forbidden msg=\"forbidden\"\n");
	buf_reset(b);

	proto_err(b, "A4", PERR_INTERNAL, NULL);
	ck_assert_str_eq(buf_cstr(b), "A4 ERR code=internal\n");
	buf_reset(b);

	proto_err(b, PROTO_UNTAGGED, PERR_LINE_TOO_LONG, "a \"long\"\nline");
	ck_assert_str_eq(buf_cstr(b), "* ERR code=line_too_long "
	    "msg=\"a \\\"long\\\"\\nline\"\n");
	buf_free(b);
}
END_TEST

/*
 * Formats a line with one parameter per value, parses it back and checks
 * each value is what was written minus the dropped control characters.
 */
START_TEST(test_round_trip)
{
	static const char *values[] = {
		"plain", "", " ", "two words", "\"", "\\", "\\\"",
		"\"quoted\"", "back\\slash", "new\nline", "cr\rlf\n",
		"tab\there", "  leading and trailing  ", "a=b", "=",
		"caf\xc3\xa9", "stra\xc3\x9f" "e", "\xe4\xb8\xad\xe6\x96\x87",
		"\xf0\x9f\x98\x80", "\\n is not a newline", "\"\\\"\\\\\"",
		"mixed \"\xc3\xa9\"\t\\\r\n end", "ctl\x01\x02\x7f" "dropped",
		"@:+/-._", "-42", "x\x1b[31mred",
	};
	char		 all[128], want[128], key[16];
	struct buf	*b = buf_new(0);
	struct parsed	*p;
	size_t		 i, j, n;
	const char	*v;

	for (i = 0; i < sizeof all - 1; i++)
		all[i] = (char)(i + 1);
	all[sizeof all - 1] = '\0';

	proto_begin(b, "R1", "TEST");
	for (i = 0; i < sizeof values / sizeof values[0]; i++) {
		snprintf(key, sizeof key, "k%zu", i);
		proto_add(b, key, values[i]);
	}
	proto_add(b, "all", all);
	ck_assert_ptr_null(strchr(buf_cstr(b), '\n'));
	proto_end(b);
	n = buf_len(b);
	ck_assert_int_eq(buf_data(b)[n - 1], '\n');
	p = parse_n(buf_data(b), n - 1);
	ck_assert_msg(p->rc == 0, "%s: %s", buf_cstr(b), p->why);
	ck_assert_str_eq(p->msg.tag, "R1");
	ck_assert_str_eq(p->msg.word, "TEST");
	ck_assert_uint_eq(p->msg.nparams, sizeof values / sizeof values[0] + 1);

	for (i = 0; i < p->msg.nparams; i++) {
		v = i < p->msg.nparams - 1 ? values[i] : all;
		for (j = n = 0; v[j] != '\0'; j++) {
			if ((unsigned char)v[j] >= 0x20 && v[j] != 0x7f)
				want[n++] = v[j];
			else if (v[j] == '\n' || v[j] == '\r' || v[j] == '\t')
				want[n++] = v[j];
		}
		ck_assert_uint_eq(p->msg.params[i].len, n);
		ck_assert_mem_eq(p->msg.params[i].value, want, n);
	}
	parsed_free(p);
	buf_free(b);
}
END_TEST

/* Every printable byte pair and every escape, through format and parse. */
START_TEST(test_round_trip_pairs)
{
	struct buf	*b = buf_new(0);
	struct parsed	*p;
	char		 v[2];
	int		 i, j;
	static const char extra[] = "\t\n\r";

	for (i = 0x20; i < 0x7f + 3; i++) {
		for (j = 0x20; j < 0x7f + 3; j++) {
			v[0] = (char)(i < 0x7f ? i : extra[i - 0x7f]);
			v[1] = (char)(j < 0x7f ? j : extra[j - 0x7f]);
			buf_reset(b);
			proto_begin(b, "p", "X");
			proto_addn(b, "v", v, 2);
			p = parse_n(buf_data(b), buf_len(b));
			if (p->rc != 0 || p->msg.nparams != 1 ||
			    p->msg.params[0].len != 2 ||
			    memcmp(p->msg.params[0].value, v, 2) != 0)
				ck_abort_msg("round trip of %02x %02x: %s", i,
				    j, buf_cstr(b));
			parsed_free(p);
		}
	}
	buf_free(b);
}
END_TEST

/* Parsing a formatted line and formatting it again gives the same line. */
START_TEST(test_reformat)
{
	static const char *lines[] = {
		"A1 SPACE.CREATE name=dev title=\"Dev \\\"team\\\"\\n\"",
		"* EVENT seq=1 type=task.done body=\"caf\xc3\xa9\\t\\\\\"",
		"zz OK e=\"\"",
	};
	struct buf	*b = buf_new(0);
	struct parsed	*p;
	size_t		 i, j;

	for (i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		OK(p, lines[i]);
		buf_reset(b);
		proto_begin(b, p->msg.tag, p->msg.word);
		for (j = 0; j < p->msg.nparams; j++)
			proto_addn(b, p->msg.params[j].key,
			    p->msg.params[j].value, p->msg.params[j].len);
		ck_assert_str_eq(buf_cstr(b), lines[i]);
		parsed_free(p);
	}
	buf_free(b);
}
END_TEST

static int
forking(void)
{
	const char	*s = getenv("CK_FORK");

	return s == NULL || strcmp(s, "no") != 0;
}

static Suite *
proto_suite(void)
{
	Suite	*s = suite_create("proto");
	TCase	*tc;

	tc = tcase_create("parse");
	tcase_add_test(tc, test_request);
	tcase_add_test(tc, test_untagged);
	tcase_add_test(tc, test_escapes);
	tcase_add_test(tc, test_quoted);
	tcase_add_test(tc, test_spaces);
	tcase_add_test(tc, test_tag);
	tcase_add_test(tc, test_verb);
	tcase_add_test(tc, test_key);
	tcase_add_test(tc, test_value);
	tcase_add_test(tc, test_params_max);
	tcase_add_test(tc, test_utf8);
	tcase_add_test(tc, test_control);
	tcase_add_test(tc, test_get);
	tcase_add_test(tc, test_get_i64);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_test(tc, test_err_names);
	/* fatalx exits: only testable when each test runs in a child. */
	if (forking())
		tcase_add_exit_test(tc, test_err_name_bad, 1);
	suite_add_tcase(s, tc);

	tc = tcase_create("format");
	tcase_add_test(tc, test_is_atom);
	tcase_add_test(tc, test_format);
	tcase_add_test(tc, test_ok_err);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_round_trip_pairs);
	tcase_add_test(tc, test_reformat);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_run(proto_suite());
}
