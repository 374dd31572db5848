/*
 * The line protocol against a real agorad: the greeting, framing and its
 * limits, parsing errors and how each is answered, pipelining, and the
 * limit on consecutive malformed lines (CONN_MAX_BAD_LINES in conn.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "harness.h"
#include "xmalloc.h"

#define MAX_LINE      2048 /* the node's max_line */
#define BAD_LINES_MAX 100  /* CONN_MAX_BAD_LINES */

static struct agorad *node;
static char *email;

/* Every test: a node with a small line limit and one user. */
static void
setup(void)
{
	node = agorad_new(NULL);
	agorad_set(node, "max_line = %d", MAX_LINE);
	email = harness_email("proto");
	agorad_user_add(
	    node, email, "Proto User", HARNESS_PASSWORD, "Acme", "admin");
	agorad_start(node);
}

/* Whatever a test did, the server must still exit cleanly (no leaks). */
static void
teardown(void)
{
	if (node != NULL && agorad_running(node))
		agorad_stop_clean(node);
	free(email);
	email = NULL;
	node = NULL; /* freed by harness_test_teardown */
}

/* "TAG PING" padded with trailing spaces to exactly len bytes. */
static char *
padded_ping(const char *tag, size_t len)
{
	char *s = xmalloc(len + 1);
	int n;

	n = snprintf(s, len + 1, "%s PING", tag);
	ck_assert((size_t)n <= len);
	memset(s + n, ' ', len - (size_t)n);
	s[len] = '\0';
	return s;
}

START_TEST(test_greeting)
{
	struct client *c = harness_connect(node);

	ck_assert_str_eq(
	    client_greeting(c), "* HELLO proto=1 server=agorad/" AGORA_VERSION);
	ping_ok(c);
	client_close(c);
}
END_TEST

START_TEST(test_ping_and_case)
{
	struct client *c = harness_connect(node);
	struct client_reply *r;
	char want[64];

	r = call_ok(c, "PING", NULL);
	ck_assert_uint_eq(r->ndata, 0);
	snprintf(want, sizeof want, "%s OK", r->tag);
	ck_assert_str_eq(r->line, want);
	client_reply_free(r);
	/* Verbs are case-insensitive. */
	ping_ok(c);
	client_reply_free(call_ok(c, "ping", NULL));
	client_reply_free(call_ok(c, "Ping", NULL));
	r = expect_ok(harness_raw(c, "t1", "t1 pInG"));
	ck_assert_str_eq(r->line, "t1 OK");
	client_reply_free(r);
	client_close(c);

	/* Also for verbs that need a session, once logged in. */
	c = harness_login(node, email, HARNESS_PASSWORD, NULL);
	r = call_ok(c, "whoami", NULL);
	ck_assert_uint_ge(r->ndata, 1);
	client_reply_free(r);
	client_reply_free(call_ok(c, "Sync", "since", "0", NULL));
	client_close(c);
}
END_TEST

/* Checks that reply r is the answer to a request of kind k (see below). */
static void
check_kind(const struct client_reply *r, int k, int i)
{
	char *w;
	size_t j;

	ck_assert_msg(r->ok, "request %d: \"%s\"", i, r->line);
	switch (k) {
	case 0: /* PING: no data, a bare OK */
		ck_assert_msg(r->ndata == 0 && r->msg.nparams == 0,
		    "request %d (PING) got \"%s\" with %zu data lines", i,
		    r->line, r->ndata);
		break;
	case 1: /* WHOAMI: USER, WORKSPACE..., OK session= */
		ck_assert_msg(r->ndata >= 2,
		    "request %d (WHOAMI) got %zu data lines", i, r->ndata);
		for (j = 0; j < r->ndata; j++) {
			w = line_word(r->data[j]);
			ck_assert_msg(w != NULL &&
				strcmp(w, j == 0 ? "USER" : "WORKSPACE") == 0,
			    "request %d (WHOAMI): data line \"%s\"", i,
			    r->data[j]);
			free(w);
		}
		ck_assert_msg(client_reply_get(r, "session") != NULL,
		    "request %d (WHOAMI) got \"%s\"", i, r->line);
		break;
	case 2: /* SYNC: EVENT..., OK seq= more= */
		ck_assert_msg(
		    r->ndata >= 1, "request %d (SYNC) got no events", i);
		for (j = 0; j < r->ndata; j++) {
			w = line_word(r->data[j]);
			ck_assert_msg(w != NULL && strcmp(w, "EVENT") == 0,
			    "request %d (SYNC): data line \"%s\"", i,
			    r->data[j]);
			free(w);
		}
		ck_assert_msg(client_reply_get(r, "seq") != NULL &&
			client_reply_get(r, "more") != NULL,
		    "request %d (SYNC) got \"%s\"", i, r->line);
		break;
	}
}

/*
 * 200 requests written before any reply is read. All of them carry the
 * same tag, so the client library files the replies in the order they
 * arrive, each with the data lines that came before its final line: a
 * reply out of order, or data lines of one request among another's, shows
 * up as a reply of the wrong kind.
 */
START_TEST(test_pipelined)
{
	static const char *const lines[] = { "p PING", "p WHOAMI",
		"p SYNC since=0" };
	struct client *c;
	struct client_reply *r;
	const char *tags[200];
	struct buf *b;
	int kinds[200], i;

	c = harness_login(node, email, HARNESS_PASSWORD, NULL);
	b = buf_new(0);
	for (i = 0; i < 200; i++) {
		kinds[i] = (i * 7 + i / 5) % 3;
		buf_printf(b, "%s\n", lines[kinds[i]]);
	}
	client_send_raw(c, buf_data(b), buf_len(b));
	buf_free(b);
	for (i = 0; i < 200; i++) {
		r = client_wait(c, "p", HARNESS_TIMEOUT);
		ck_assert_msg(r != NULL, "no reply %d", i);
		check_kind(r, kinds[i], i);
		client_reply_free(r);
	}
	ck_assert_ptr_null(client_take_reply(c, "p"));

	/* The same with a tag each, through client_send. */
	for (i = 0; i < 200; i++) {
		if (kinds[i] == 0)
			tags[i] = client_send(c, "PING", NULL);
		else if (kinds[i] == 1)
			tags[i] = client_send(c, "WHOAMI", NULL);
		else
			tags[i] = client_send(c, "SYNC", "since", "0", NULL);
		ck_assert_ptr_nonnull(tags[i]);
	}
	for (i = 0; i < 200; i++) {
		r = client_wait(c, tags[i], HARNESS_TIMEOUT);
		ck_assert_msg(r != NULL, "no reply %d", i);
		check_kind(r, kinds[i], i);
		client_reply_free(r);
	}
	client_close(c);
}
END_TEST

START_TEST(test_line_too_long)
{
	struct client *c = harness_connect(node);
	struct client_reply *r;
	char *line;

	/* Exactly at the limit: fine. */
	line = padded_ping("t1", MAX_LINE);
	client_reply_free(expect_ok(harness_raw(c, "t1", line)));
	free(line);
	/* And with CRLF: the CR does not count. */
	line = padded_ping("t2", MAX_LINE);
	client_send_raw(c, line, strlen(line));
	client_reply_free(expect_ok(harness_raw(c, "t2", "\r")));
	free(line);

	/* One byte over, a bit over, far over: answered under the tag. */
	line = padded_ping("t3", MAX_LINE + 1);
	r = harness_raw(c, "t3", line);
	free(line);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->tag, "t3");
	expect_err(r, "line_too_long");
	ping_ok(c);

	line = padded_ping("t4", 3 * MAX_LINE);
	memset(line + 10, 'x', strlen(line) - 10);
	expect_err(harness_raw(c, "t4", line), "line_too_long");
	free(line);
	ping_ok(c);

	line = padded_ping("t5", 200 * 1024);
	expect_err(harness_raw(c, "t5", line), "line_too_long");
	free(line);

	/* The connection is still usable, for pipelined lines too. */
	client_reply_free(expect_ok(harness_raw(c, "t6", "t6 PING")));
	ping_ok(c);
	client_close(c);
}
END_TEST

START_TEST(test_line_too_long_untagged)
{
	struct client *c = harness_connect(node);
	struct client_reply *r;
	char *line;

	/* No space within the first bytes: there is no tag to answer. */
	line = xmalloc(MAX_LINE * 2 + 1);
	memset(line, 'x', MAX_LINE * 2);
	line[MAX_LINE * 2] = '\0';
	r = harness_raw(c, "*", line);
	free(line);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->tag, "*");
	ck_assert_msg(strncmp(r->line, "* ERR code=line_too_long", 24) == 0,
	    "got \"%s\"", r->line);
	client_reply_free(r);
	ping_ok(c);

	/* An invalid tag is no tag either. */
	line = padded_ping("bad-tag", MAX_LINE + 100);
	expect_err(harness_raw(c, "*", line), "line_too_long");
	free(line);
	ping_ok(c);
	client_close(c);
}
END_TEST

START_TEST(test_bad_utf8)
{
	static const char *const lines[] = {
		"t1 PING x=\"\xff\"",
		"t1 PING x=\"caf\xc3\"",          /* truncated sequence */
		"t1 PING x=\"\xc0\xaf\"",         /* overlong encoding */
		"t1 PING x=\"\xed\xa0\x80\"",     /* a surrogate */
		"t1 PING x=\"\xf4\x90\x80\x80\"", /* past U+10FFFF */
		"t1 PI\xe9NG",
	};
	struct client *c = harness_connect(node);
	struct client_reply *r;

	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		r = harness_raw(c, "t1", lines[i]);
		ck_assert_msg(r != NULL, "line %zu: no reply", i);
		ck_assert_msg(!r->ok && strcmp(r->code, "bad_request") == 0,
		    "line %zu: got \"%s\"", i, r->line);
		client_reply_free(r);
	}
	ping_ok(c);
	/* Valid UTF-8 in a value is fine (here: an unknown parameter). */
	expect_err(harness_raw(c, "t2",
		       "t2 PING x=\"Zo\xc3\xab \xe2\x82\xac "
		       "\xf0\x9f\x98\x80\""),
	    "invalid");
	client_close(c);
}
END_TEST

START_TEST(test_unknown_verb)
{
	struct client *c = harness_connect(node);
	struct client_reply *r;

	call_err(c, "unknown_verb", "FROBNICATE", NULL);
	call_err(c, "unknown_verb", "NO.SUCH.VERB", "x", "1", NULL);
	r = harness_raw(c, "t1", "t1 HELLO");
	ck_assert_ptr_nonnull(r);
	ck_assert_msg(strncmp(r->line, "t1 ERR code=unknown_verb", 24) == 0,
	    "got \"%s\"", r->line);
	client_reply_free(r);
	/* An unknown verb is not a malformed line, and is not fatal. */
	ping_ok(c);
	client_close(c);
}
END_TEST

START_TEST(test_auth_required)
{
	struct client *c = harness_connect(node);

	call_err(c, "auth_required", "WHOAMI", NULL);
	call_err(c, "auth_required", "SYNC", "since", "0", NULL);
	call_err(c, "auth_required", "LOGOUT", NULL);
	call_err(c, "auth_required", "whoami", NULL);
	ping_ok(c);
	client_close(c);
}
END_TEST

START_TEST(test_invalid_params)
{
	struct client *c = harness_connect(node);
	char *big, *hex;

	/* Missing. */
	call_err(c, "invalid", "LOGIN", "email", email, NULL);
	call_err(c, "invalid", "LOGIN", "password", HARNESS_PASSWORD, NULL);
	call_err(c, "invalid", "SESSION.RESUME", NULL);
	/* Unknown. */
	call_err(c, "invalid", "PING", "foo", "bar", NULL);
	call_err(c, "invalid", "LOGIN", "email", email, "password",
	    HARNESS_PASSWORD, "remember", "yes", NULL);
	/* Too long. */
	big = xmalloc(300);
	memset(big, 'a', 299);
	big[299] = '\0';
	memcpy(big + 280, "@example.com", 13);
	call_err(c, "invalid", "LOGIN", "email", big, "password",
	    HARNESS_PASSWORD, NULL);
	free(big);
	big = xmalloc(1100);
	memset(big, 'p', 1099);
	big[1099] = '\0';
	call_err(c, "invalid", "LOGIN", "email", email, "password", big, NULL);
	free(big);
	hex = xmalloc(66);
	memset(hex, 'a', 65);
	hex[65] = '\0';
	call_err(c, "invalid", "SESSION.RESUME", "token", hex, NULL);
	free(hex);
	/* Not an atom where one is needed. */
	call_err(c, "invalid", "SESSION.RESUME", "token", "not a token", NULL);
	ping_ok(c);
	client_close(c);

	c = harness_login(node, email, HARNESS_PASSWORD, NULL);
	call_err(c, "invalid", "SYNC", NULL);
	call_err(c, "invalid", "SYNC", "since", "abc", NULL);
	call_err(c, "invalid", "SYNC", "since", "-1", NULL);
	call_err(c, "invalid", "SYNC", "since", "1.5", NULL);
	call_err(c, "invalid", "SYNC", "since", "99999999999999999999", NULL);
	call_err(c, "invalid", "SYNC", "since", "0", "until", "5", NULL);
	call_err(c, "invalid", "WHOAMI", "verbose", "1", NULL);
	call_err(c, "invalid", "LOGOUT", "all", "1", NULL);
	/* None of that harmed the session. */
	client_reply_free(call_ok(c, "WHOAMI", NULL));
	client_close(c);
}
END_TEST

START_TEST(test_bad_quoting)
{
	static const char *const lines[] = {
		"t1 PING x=\"unterminated",           /* no closing quote */
		"t1 PING x=\"bad \\q escape\"",       /* unknown escape */
		"t1 PING x=\"trailing backslash\\\"", /* \" then nothing */
		"t1 PING x=\"a\"b",                   /* no space after */
		"t1 PING x=a\"b\"",                   /* quote in an atom */
		"t1 PING x=",                         /* empty value */
		"t1 PING =v",                         /* empty key */
		"t1 PING x",                          /* no '=' */
		"t1 PING x=a x=b",                    /* duplicate key */
		"t1 PING x=a,b",                      /* not an atom */
		"t1 PING x=\"tab\there\"",            /* raw control char */
		"t1 PING\tx=1",                       /* tab as a separator */
		"t1 PING x=\"nul\\0\"",               /* \0 is no escape */
		"t1 PI!NG",                           /* not a verb */
	};
	struct client *c = harness_connect(node);
	struct client_reply *r;

	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		r = harness_raw(c, "t1", lines[i]);
		ck_assert_msg(r != NULL, "\"%s\": no reply", lines[i]);
		ck_assert_msg(!r->ok && strcmp(r->code, "bad_request") == 0 &&
			strcmp(r->tag, "t1") == 0,
		    "\"%s\": got \"%s\"", lines[i], r->line);
		/* The error names the problem. */
		ck_assert_msg(client_reply_get(r, "msg") != NULL &&
			*client_reply_get(r, "msg") != '\0',
		    "\"%s\": got \"%s\"", lines[i], r->line);
		client_reply_free(r);
	}
	/* Well-formed escapes parse (and reach the handler: invalid). */
	expect_err(
	    harness_raw(c, "t2", "t2 PING x=\"q\\\" b\\\\ n\\n r\\r t\\t\""),
	    "invalid");
	ping_ok(c);
	client_close(c);
}
END_TEST

START_TEST(test_tag_only)
{
	struct client *c = harness_connect(node);
	struct client_reply *r;

	r = harness_raw(c, "t1", "t1");
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->tag, "t1");
	expect_err(r, "bad_request");
	expect_err(harness_raw(c, "t2", "t2 "), "bad_request");
	expect_err(harness_raw(c, "t3", "t3     "), "bad_request");
	ping_ok(c);
	client_close(c);
}
END_TEST

START_TEST(test_untagged_requests)
{
	struct client *c = harness_connect(node);
	struct client_reply *r;
	char tag[40];

	/* "*" is the server's; a request using it is answered untagged. */
	r = harness_raw(c, "*", "* PING");
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->tag, "*");
	expect_err(r, "bad_request");
	ping_ok(c);
	/* So are requests whose tag is not a tag. */
	expect_err(harness_raw(c, "*", "bad-tag PING"), "bad_request");
	expect_err(harness_raw(c, "*", " t1 PING"), "bad_request");
	memset(tag, 'a', 33);
	snprintf(tag + 33, sizeof tag - 33, " PING");
	expect_err(harness_raw(c, "*", tag), "bad_request");
	/* 32 characters is still a tag. */
	memset(tag, 'b', 32);
	tag[32] = '\0';
	client_send_raw(c, tag, 32);
	client_reply_free(expect_ok(harness_raw(c, tag, " PING")));
	client_close(c);
}
END_TEST

START_TEST(test_request_limits)
{
	struct client *c = harness_connect(node);
	struct buf *b;
	int i;

	/* 64 parameters parse (then PING refuses them); 65 do not. */
	b = buf_new(0);
	buf_printf(b, "t1 PING");
	for (i = 0; i < 64; i++)
		buf_printf(b, " k%d=v", i);
	expect_err(harness_raw(c, "t1", buf_cstr(b)), "invalid");
	buf_reset(b);
	buf_printf(b, "t2 PING");
	for (i = 0; i < 65; i++)
		buf_printf(b, " k%d=v", i);
	expect_err(harness_raw(c, "t2", buf_cstr(b)), "bad_request");
	/* A verb or key over 64 characters. */
	buf_reset(b);
	buf_printf(b, "t3 ");
	for (i = 0; i < 65; i++)
		buf_add_char(b, 'V');
	expect_err(harness_raw(c, "t3", buf_cstr(b)), "bad_request");
	buf_reset(b);
	buf_printf(b, "t4 PING ");
	for (i = 0; i < 65; i++)
		buf_add_char(b, 'k');
	buf_printf(b, "=v");
	expect_err(harness_raw(c, "t4", buf_cstr(b)), "bad_request");
	buf_free(b);
	ping_ok(c);
	client_close(c);
}
END_TEST

/* Malformed line number i, of several kinds; *tag gets its reply's tag. */
static void
bad_line(struct buf *b, int i, char *tag, size_t size)
{
	switch (i % 4) {
	case 0:
		snprintf(tag, size, "b%d", i);
		buf_printf(b, "b%d PING x=\"unterminated\n", i);
		break;
	case 1:
		snprintf(tag, size, "*");
		buf_printf(b, "!!! PING\n");
		break;
	case 2:
		snprintf(tag, size, "b%d", i);
		buf_printf(b, "b%d PING x=\"\xff\"\n", i);
		break;
	default:
		snprintf(tag, size, "b%d", i);
		buf_printf(b, "b%d PING ", i);
		for (int j = 0; j < MAX_LINE; j++)
			buf_add_char(b, 'x');
		buf_add_char(b, '\n');
		break;
	}
}

/* Sends n malformed lines and checks each is answered with an error. */
static void
send_bad_lines(struct client *c, int n)
{
	struct client_reply *r;
	struct buf *b = buf_new(0);
	char tags[BAD_LINES_MAX][16];
	int i;

	for (i = 0; i < n; i++)
		bad_line(b, i, tags[i], sizeof tags[i]);
	client_send_raw(c, buf_data(b), buf_len(b));
	buf_free(b);
	for (i = 0; i < n; i++) {
		r = client_wait(c, tags[i], HARNESS_TIMEOUT);
		ck_assert_msg(r != NULL, "bad line %d: no reply", i);
		ck_assert_msg(!r->ok, "bad line %d: got \"%s\"", i, r->line);
		client_reply_free(r);
	}
}

START_TEST(test_bad_lines_limit)
{
	struct client *c = harness_connect(node);

	/* One short of the limit, then a good line starts the count over. */
	send_bad_lines(c, BAD_LINES_MAX - 1);
	ping_ok(c);
	send_bad_lines(c, BAD_LINES_MAX - 1);
	/* Unknown verbs and bad parameters parse: they do not count. */
	call_err(c, "unknown_verb", "FROB", NULL);
	call_err(c, "invalid", "PING", "x", "1", NULL);
	send_bad_lines(c, BAD_LINES_MAX - 1);
	ping_ok(c);
	ck_assert_int_eq(agorad_log_count(node, "too many malformed lines"), 0);

	/* The 100th in a row: every error is sent, then the server closes,
	 * and the line after it is never answered. */
	send_bad_lines(c, BAD_LINES_MAX);
	client_send(c, "PING", NULL);
	ck_assert_int_eq(harness_wait_closed(c, HARNESS_TIMEOUT), 0);
	ck_assert_int_eq(agorad_log_wait(node, "too many malformed lines", 1,
			     HARNESS_TIMEOUT),
	    0);
	client_close(c);

	/* The server itself is fine. */
	c = harness_connect(node);
	ping_ok(c);
	client_close(c);
}
END_TEST

START_TEST(test_crlf)
{
	struct client *c = harness_connect(node);
	struct client_reply *r;
	char *line;

	r = expect_ok(harness_raw(c, "t1", "t1 PING\r"));
	ck_assert_str_eq(r->line, "t1 OK");
	client_reply_free(r);
	/* The CR is not part of the last value: the password matches. */
	xasprintf(&line, "t2 LOGIN email=%s password=\"%s\"\r", email,
	    HARNESS_PASSWORD);
	client_reply_free(expect_ok(harness_raw(c, "t2", line)));
	free(line);
	xasprintf(&line, "t3 LOGIN email=%s password=\"%s\" \r", email,
	    HARNESS_PASSWORD);
	client_reply_free(expect_ok(harness_raw(c, "t3", line)));
	free(line);
	r = expect_ok(harness_raw(c, "t4", "t4 WHOAMI\r"));
	ck_assert_uint_ge(r->ndata, 1);
	client_reply_free(r);
	/* A CR anywhere else is a control character. */
	expect_err(harness_raw(c, "t5", "t5 PI\rNG"), "bad_request");
	client_close(c);
}
END_TEST

START_TEST(test_blank_lines)
{
	struct client *c = harness_connect(node);
	struct client_reply *r;

	/* Blank lines are ignored: no reply at all, not even an error. */
	client_send_raw(c, "\n\r\n\n", 4);
	r = expect_ok(harness_raw(c, "t1", "t1 PING"));
	client_reply_free(r);
	ck_assert_ptr_null(client_take_reply(c, "*"));
	ck_assert_ptr_null(client_next_event(c, 200));
	client_close(c);
}
END_TEST

static Suite *
protocol_suite(void)
{
	Suite *s = suite_create("protocol");
	TCase *tc = harness_tcase("protocol");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_greeting);
	tcase_add_test(tc, test_ping_and_case);
	tcase_add_test(tc, test_pipelined);
	tcase_add_test(tc, test_line_too_long);
	tcase_add_test(tc, test_line_too_long_untagged);
	tcase_add_test(tc, test_bad_utf8);
	tcase_add_test(tc, test_unknown_verb);
	tcase_add_test(tc, test_auth_required);
	tcase_add_test(tc, test_invalid_params);
	tcase_add_test(tc, test_bad_quoting);
	tcase_add_test(tc, test_tag_only);
	tcase_add_test(tc, test_untagged_requests);
	tcase_add_test(tc, test_request_limits);
	tcase_add_test(tc, test_bad_lines_limit);
	tcase_add_test(tc, test_crlf);
	tcase_add_test(tc, test_blank_lines);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return harness_run(protocol_suite());
}
