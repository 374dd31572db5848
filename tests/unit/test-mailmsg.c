/*
 * server/mailmsg.c: the checks that keep headers whole, the Subject's
 * RFC 2047 encoding, the body's line ends and transfer encoding, and the
 * exact bytes of a message.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check-run.h"
#include "mailmsg.h"
#include "outbox.h"
#include "utf8.h"

/* "ça marche — déjà" */
#define UTF8_TEXT "\xc3\xa7" "a marche \xe2\x80\x94 d\xc3\xa9j\xc3\xa0"

static int
b64_value(char c)
{
	static const char set[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = strchr(set, c);

	return c != '\0' && p != NULL ? (int)(p - set) : -1;
}

/* Appends the decoding of n base64 characters at s to out. */
static size_t
b64_decode(const char *s, size_t n, char *out)
{
	size_t o = 0;
	unsigned int acc = 0;
	int bits = 0;

	for (size_t i = 0; i < n && s[i] != '='; i++) {
		int v = b64_value(s[i]);

		ck_assert_int_ge(v, 0);
		acc = (acc << 6) | (unsigned int)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (char)((acc >> bits) & 0xff);
		}
	}
	return o;
}

/*
 * Decodes a Subject value made of encoded words on folded lines; checks
 * that each word is at most 75 characters and holds whole characters.
 */
static char *
subject_decode(const char *v)
{
	char *out = calloc(1, strlen(v) + 1);
	size_t o = 0;
	const char *p = v;

	while (*p != '\0') {
		const char *end;
		size_t n;

		if (strncmp(p, "\r\n ", 3) == 0) {
			p += 3;
			continue;
		}
		ck_assert_msg(strncmp(p, "=?UTF-8?B?", 10) == 0, "at \"%s\"", p);
		end = strstr(p + 10, "?=");
		ck_assert_ptr_nonnull(end);
		ck_assert_int_le(end + 2 - p, 75);
		n = b64_decode(p + 10, (size_t)(end - p - 10), out + o);
		ck_assert_msg(utf8_valid(out + o, n, NULL),
		    "an encoded word splits a character");
		o += n;
		p = end + 2;
	}
	out[o] = '\0';
	return out;
}

/* Asserts a refusal with a cause, and frees the cause. */
static void
refused(int rc, char **cause)
{
	ck_assert_int_eq(rc, -1);
	ck_assert_ptr_nonnull(*cause);
	free(*cause);
	*cause = NULL;
}

START_TEST(addresses)
{
	static const char *good[] = { "a@b", "alice@example.com",
		"first.last+tag@sub.example.org", "j\xc3\xb6rg@example.de" };
	static const char *bad[] = { "", "nobody", "@example.com", "a@",
		"a@b@c", "a b@example.com", "a@example.com\r\nBcc: x@y",
		"a@example.com\n", "a\r@example.com", "<a@example.com>",
		"a@example.com,b@example.com", "\"a\"@example.com",
		"a\t@example.com", "a@exa\x7fmple.com", "\xff@example.com",
		"a@(comment)example.com" };
	char long_addr[300], *cause;

	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		cause = NULL;
		ck_assert_msg(mailmsg_check_address(good[i], &cause) == 0,
		    "refused \"%s\": %s", good[i], cause);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cause = NULL;
		ck_assert_msg(mailmsg_check_address(bad[i], &cause) == -1,
		    "accepted \"%s\"", bad[i]);
		ck_assert_ptr_nonnull(cause);
		free(cause);
	}
	memset(long_addr, 'a', sizeof long_addr);
	memcpy(long_addr + 243, "@example.com", 13);	/* 255 bytes */
	refused(mailmsg_check_address(long_addr, &cause), &cause);
	memmove(long_addr, long_addr + 1, strlen(long_addr));	/* 254 */
	ck_assert_int_eq(mailmsg_check_address(long_addr, &cause), 0);
}
END_TEST

START_TEST(subject_and_body_checks)
{
	char *cause = NULL, big[MAILMSG_SUBJECT_MAX + 2];

	ck_assert_int_eq(mailmsg_check_subject("", &cause), 0);
	ck_assert_int_eq(mailmsg_check_subject("tab\there " UTF8_TEXT, &cause),
	    0);
	refused(mailmsg_check_subject("a\r\nBcc: x@y", &cause), &cause);
	refused(mailmsg_check_subject("a\nb", &cause), &cause);
	refused(mailmsg_check_subject("a\rb", &cause), &cause);
	refused(mailmsg_check_subject("bell\a", &cause), &cause);
	refused(mailmsg_check_subject("\xc3(", &cause), &cause);
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	refused(mailmsg_check_subject(big, &cause), &cause);

	ck_assert_int_eq(mailmsg_check_body("a\r\nb\nc\rd\te\f", &cause), 0);
	refused(mailmsg_check_body("esc \x1b[2J", &cause), &cause);
	refused(mailmsg_check_body("\xed\xa0\x80", &cause), &cause);
}
END_TEST

START_TEST(dates)
{
	char d[64];

	mailmsg_date(0, d, sizeof d);
	ck_assert_str_eq(d, "Thu, 01 Jan 1970 00:00:00 +0000");
	mailmsg_date(1700000000, d, sizeof d);
	ck_assert_str_eq(d, "Tue, 14 Nov 2023 22:13:20 +0000");
	mailmsg_date(951782400, d, sizeof d);	/* a leap day */
	ck_assert_str_eq(d, "Tue, 29 Feb 2000 00:00:00 +0000");
}
END_TEST

START_TEST(subjects)
{
	char *v, *d, long_ascii[200], many[400];

	v = mailmsg_subject("Invitation to Acme");
	ck_assert_str_eq(v, "Invitation to Acme");
	free(v);
	v = mailmsg_subject("");
	ck_assert_str_eq(v, "");
	free(v);

	v = mailmsg_subject("\xc3\xa7" "a");
	ck_assert_str_eq(v, "=?UTF-8?B?w6dh?=");
	free(v);

	/* What looks like an encoded word must not be read as one. */
	v = mailmsg_subject("=?UTF-8?B?w6dh?=");
	ck_assert_str_ne(v, "=?UTF-8?B?w6dh?=");
	d = subject_decode(v);
	ck_assert_str_eq(d, "=?UTF-8?B?w6dh?=");
	free(d);
	free(v);

	v = mailmsg_subject("agora: test message " UTF8_TEXT);
	d = subject_decode(v);
	ck_assert_str_eq(d, "agora: test message " UTF8_TEXT);
	free(d);
	free(v);

	/* Too long for one line, even in ASCII: folded words. */
	memset(long_ascii, 'a', sizeof long_ascii - 1);
	long_ascii[sizeof long_ascii - 1] = '\0';
	v = mailmsg_subject(long_ascii);
	ck_assert_ptr_nonnull(strstr(v, "\r\n "));
	d = subject_decode(v);
	ck_assert_str_eq(d, long_ascii);
	free(d);
	free(v);

	/* Two-byte characters after an odd byte: no word may split one. */
	many[0] = 'x';
	for (size_t i = 1; i + 2 < sizeof many; i += 2)
		memcpy(many + i, "\xc3\xa9", 2);
	many[sizeof many - 1] = '\0';
	v = mailmsg_subject(many);
	d = subject_decode(v);
	ck_assert_str_eq(d, many);
	free(d);
	free(v);

	/* A tab is allowed in a subject, and encoded. */
	v = mailmsg_subject("a\tb");
	d = subject_decode(v);
	ck_assert_str_eq(d, "a\tb");
	free(d);
	free(v);
}
END_TEST

static char *
build(const char *to, const char *subject, const char *body, size_t *len,
    char **cause)
{
	struct mailmsg m = {
		.from = "agora@example.org",
		.to = to,
		.subject = subject,
		.body = body,
		.message_id = "agora.7.1700000000@example.org",
		.date = 1700000000,
	};

	return mailmsg_build(&m, len, cause);
}

START_TEST(exact_message)
{
	char *msg, *cause = NULL;
	size_t len;

	msg = build("bob@example.com", "You are invited",
	    "Hello Bob,\n\nJoin us: https://agora.example/i/abc?x=1\n", &len,
	    &cause);
	ck_assert_ptr_nonnull(msg);
	ck_assert_str_eq(msg,
	    "Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"
	    "From: agora@example.org\r\n"
	    "To: bob@example.com\r\n"
	    "Subject: You are invited\r\n"
	    "Message-ID: <agora.7.1700000000@example.org>\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: 8bit\r\n"
	    "Auto-Submitted: auto-generated\r\n"
	    "\r\n"
	    "Hello Bob,\r\n"
	    "\r\n"
	    "Join us: https://agora.example/i/abc?x=1\r\n");
	ck_assert_uint_eq(len, strlen(msg));
	free(msg);
}
END_TEST

/* No bare CR or LF anywhere; every line within 998 bytes. */
static void
assert_crlf_lines(const char *msg, size_t max)
{
	const char *line = msg;

	for (const char *p = msg; *p != '\0'; p++) {
		if (*p == '\r') {
			ck_assert_msg(p[1] == '\n', "bare CR at %zu",
			    (size_t)(p - msg));
			ck_assert_uint_le((size_t)(p - line), max);
			line = p + 2;
		} else
			ck_assert_msg(*p != '\n' || (p > msg && p[-1] == '\r'),
			    "bare LF at %zu", (size_t)(p - msg));
	}
}

START_TEST(line_ends)
{
	char *msg, *cause = NULL;
	size_t len;

	msg = build("bob@example.com", UTF8_TEXT,
	    "one\ntwo\r\nthree\rfour\n\n.\nlast", &len, &cause);
	ck_assert_ptr_nonnull(msg);
	assert_crlf_lines(msg, 998);
	ck_assert_ptr_nonnull(strstr(msg,
	    "\r\n\r\none\r\ntwo\r\nthree\r\nfour\r\n\r\n.\r\nlast\r\n"));
	ck_assert_ptr_nonnull(strstr(msg, "Subject: =?UTF-8?B?"));
	ck_assert_ptr_nonnull(strstr(msg, "Content-Transfer-Encoding: 8bit"));
	/* The body's UTF-8 goes as it is (8bit). */
	free(msg);
	msg = build("bob@example.com", "x", UTF8_TEXT, &len, &cause);
	ck_assert_ptr_nonnull(strstr(msg, "\r\n\r\n" UTF8_TEXT "\r\n"));
	free(msg);
	/* An empty body is an empty body. */
	msg = build("bob@example.com", "x", "", &len, &cause);
	ck_assert_uint_ge(len, 5);
	ck_assert_str_eq(msg + len - 5, "d\r\n\r\n");
	free(msg);
}
END_TEST

/* Soft line breaks removed, =XX decoded. */
static char *
qp_decode(const char *s)
{
	char *out = calloc(1, strlen(s) + 1);
	size_t o = 0;

	while (*s != '\0') {
		if (s[0] == '=' && s[1] == '\r' && s[2] == '\n')
			s += 3;
		else if (s[0] == '=') {
			unsigned int v;

			ck_assert_int_eq(sscanf(s + 1, "%2X", &v), 1);
			out[o++] = (char)v;
			s += 3;
		} else
			out[o++] = *s++;
	}
	return out;
}

/* s with CR LF line ends, ending with one. */
static char *
to_crlf(const char *s)
{
	char *out = calloc(1, 2 * strlen(s) + 3);
	size_t o = 0;

	for (; *s != '\0'; s++) {
		if (*s == '\n')
			out[o++] = '\r';
		out[o++] = *s;
	}
	out[o++] = '\r';
	out[o++] = '\n';
	return out;
}

START_TEST(long_lines_quoted_printable)
{
	static const char head[] = "x=1 " UTF8_TEXT " \n";
	static const char tail[] = "\ttrailing tab\t\nend";
	char body[3000], *msg, *text, *decoded, *cause = NULL, *want;
	size_t len;

	/* 998 bytes fit as they are. */
	memset(body, 'a', 998);
	body[998] = '\0';
	msg = build("bob@example.com", "x", body, &len, &cause);
	ck_assert_ptr_nonnull(strstr(msg, "Content-Transfer-Encoding: 8bit"));
	assert_crlf_lines(msg, 998);
	free(msg);

	/* 999 do not: the body becomes quoted-printable, lines of 76. */
	memcpy(body, head, sizeof head - 1);
	memset(body + sizeof head - 1, 'b', 999);
	memcpy(body + sizeof head - 1 + 999, tail, sizeof tail);
	msg = build("bob@example.com", "x", body, &len, &cause);
	ck_assert_ptr_nonnull(msg);
	ck_assert_ptr_nonnull(
	    strstr(msg, "Content-Transfer-Encoding: quoted-printable\r\n"));
	text = strstr(msg, "\r\n\r\n") + 4;
	assert_crlf_lines(text, 76);
	for (const char *p = text; *p != '\0'; p++)
		ck_assert_msg((unsigned char)*p < 0x80, "8-bit byte in QP");
	/* "=" and the trailing space and tab are encoded. */
	ck_assert_ptr_nonnull(strstr(text, "x=3D1 "));
	ck_assert_ptr_nonnull(strstr(text, "=C3=A7a"));
	ck_assert_ptr_nonnull(strstr(text, "=20\r\n"));
	ck_assert_ptr_nonnull(strstr(text, "tab=09\r\n"));
	/* Decoded, it is the original with CR LF line ends. */
	decoded = qp_decode(text);
	want = to_crlf(body);
	ck_assert_str_eq(decoded, want);
	free(want);
	free(decoded);
	free(msg);
}
END_TEST

START_TEST(header_injection_refused)
{
	static const char *tos[] = { "bob@example.com\r\nBcc: eve@evil.example",
		"bob@example.com\nBcc: eve@evil.example",
		"bob@example.com\rX: y" };
	char *msg, *cause;
	size_t len;

	for (size_t i = 0; i < sizeof tos / sizeof tos[0]; i++) {
		cause = NULL;
		msg = build(tos[i], "x", "y", &len, &cause);
		ck_assert_ptr_null(msg);
		ck_assert_ptr_nonnull(cause);
		free(cause);
	}
	cause = NULL;
	msg = build("bob@example.com", "Hi\r\nBcc: eve@evil.example", "y", &len,
	    &cause);
	ck_assert_ptr_null(msg);
	ck_assert_ptr_nonnull(cause);
	free(cause);
	cause = NULL;
	msg = build("bob@example.com", "Hi\nBcc: eve@evil.example", "y", &len,
	    &cause);
	ck_assert_ptr_null(msg);
	free(cause);
}
END_TEST

/* What outbox_mail checks before it queues anything. */
START_TEST(enqueue_refuses_injection)
{
	char *cause = NULL;

	ck_assert_int_eq(outbox_check("bob@example.com", "Hi " UTF8_TEXT,
			     "Body\n", &cause),
	    0);
	refused(outbox_check("bob@example.com\r\nBcc: eve@evil.example", "Hi",
		    "Body", &cause),
	    &cause);
	refused(outbox_check("bob@example.com", "Hi\r\nBcc: eve@evil.example",
		    "Body", &cause),
	    &cause);
	refused(outbox_check("bob@example.com", "Hi\nX-Evil: 1", "Body",
		    &cause),
	    &cause);
	refused(outbox_check("bob@example.com", "Hi", "\xff", &cause), &cause);
}
END_TEST

START_TEST(unix_line_ends)
{
	const char msg[] = "A: b\r\n\r\nx\ry\r\nz\r\n";
	size_t n;
	char *u = mailmsg_unix(msg, sizeof msg - 1, &n);

	ck_assert_str_eq(u, "A: b\n\nx\ry\nz\n");
	ck_assert_uint_eq(n, strlen(u));
	free(u);
}
END_TEST

static Suite *
mailmsg_suite(void)
{
	Suite *s = suite_create("mailmsg");
	TCase *tc = tcase_create("mailmsg");

	tcase_add_test(tc, addresses);
	tcase_add_test(tc, subject_and_body_checks);
	tcase_add_test(tc, dates);
	tcase_add_test(tc, subjects);
	tcase_add_test(tc, exact_message);
	tcase_add_test(tc, line_ends);
	tcase_add_test(tc, long_lines_quoted_printable);
	tcase_add_test(tc, header_injection_refused);
	tcase_add_test(tc, enqueue_refuses_injection);
	tcase_add_test(tc, unix_line_ends);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_run(mailmsg_suite());
}
