#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base64.h"
#include "buf.h"
#include "mailmsg.h"
#include "utf8.h"
#include "xmalloc.h"

/* RFC 2047: an encoded word is at most 75 characters and a line holding
 * one at most 76. "=?UTF-8?B?" + base64 + "?=" after "Subject: " stays
 * within 76 when each word encodes at most 39 bytes (52 characters). */
#define SUBJECT_CHUNK	39
#define SUBJECT_PLAIN	(78 - 9)	/* fits after "Subject: " */
/* RFC 2045: encoded quoted-printable lines are at most 76 characters. */
#define QP_LINE		76

int
mailmsg_check_address(const char *s, char **cause)
{
	static const char specials[] = "<>()[],;:\"\\";
	size_t len = strlen(s);
	const char *at;

	if (len == 0 || len > MAILMSG_ADDRESS_MAX) {
		xasprintf(cause, "an address is 1 to %d bytes",
		    MAILMSG_ADDRESS_MAX);
		return -1;
	}
	if (!utf8_valid(s, len, NULL)) {
		xasprintf(cause, "the address is not UTF-8");
		return -1;
	}
	for (const char *p = s; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if (c <= ' ' || c == 0x7f || strchr(specials, c) != NULL) {
			xasprintf(cause, "the address may not contain white "
			    "space, control characters or any of %s",
			    specials);
			return -1;
		}
	}
	at = strchr(s, '@');
	if (at == NULL || at == s || at[1] == '\0' ||
	    strchr(at + 1, '@') != NULL) {
		xasprintf(cause, "an address is local-part@domain");
		return -1;
	}
	return 0;
}

/* UTF-8 without control characters but those in allow. */
static int
check_text(const char *what, const char *s, size_t max, const char *allow,
    char **cause)
{
	size_t len = strlen(s);

	if (len > max) {
		xasprintf(cause, "the %s is longer than %zu bytes", what, max);
		return -1;
	}
	if (!utf8_valid(s, len, NULL)) {
		xasprintf(cause, "the %s is not UTF-8", what);
		return -1;
	}
	for (const char *p = s; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if ((c < 0x20 || c == 0x7f) && strchr(allow, c) == NULL) {
			xasprintf(cause, "the %s contains a control character "
			    "(0x%02x)", what, c);
			return -1;
		}
	}
	return 0;
}

int
mailmsg_check_subject(const char *s, char **cause)
{
	return check_text("subject", s, MAILMSG_SUBJECT_MAX, "\t", cause);
}

int
mailmsg_check_body(const char *s, char **cause)
{
	return check_text("body", s, MAILMSG_BODY_MAX, "\t\r\n\f", cause);
}

void
mailmsg_date(time_t t, char *out, size_t size)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
	    "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr",
	    "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(out, size, "%s, %02d %s %04d %02d:%02d:%02d +0000",
	    days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static int
subject_is_plain(const char *s)
{
	size_t len = strlen(s);

	if (len > SUBJECT_PLAIN || strstr(s, "=?") != NULL)
		return 0;
	for (const char *p = s; *p != '\0'; p++)
		if (*p < 0x20 || *p > 0x7e)
			return 0;
	return 1;
}

/*
 * Short printable ASCII goes as it is. Anything else becomes a run of
 * B-encoded words, each holding whole UTF-8 characters (RFC 2047 forbids
 * splitting one), on lines of their own; a decoder drops the folding
 * white space between adjacent encoded words.
 */
char *
mailmsg_subject(const char *s)
{
	struct buf *b = buf_new(0);
	size_t len = strlen(s), off = 0;
	char *out, word[BASE64_LEN(SUBJECT_CHUNK) + 1];

	if (subject_is_plain(s)) {
		buf_add_str(b, s);
		goto done;
	}
	while (off < len) {
		size_t n = 0, step;
		uint32_t cp;

		while (off + n < len) {
			step = utf8_decode(s + off + n, len - off - n, &cp);
			if (step == 0)
				step = 1;	/* checked before */
			if (n + step > SUBJECT_CHUNK)
				break;
			n += step;
		}
		base64_encode((const unsigned char *)s + off, n, word);
		buf_printf(b, "%s=?UTF-8?B?%s?=", off > 0 ? "\r\n " : "", word);
		off += n;
	}
done:
	out = buf_take(b);
	buf_free(b);
	return out;
}

/* The next line of text at *p: its length; *p moves past its line end. */
static size_t
next_line(const char **p, int *more)
{
	const char *s = *p;
	size_t n = strcspn(s, "\r\n");

	*more = s[n] != '\0';
	if (s[n] == '\r' && s[n + 1] == '\n')
		*p = s + n + 2;
	else if (s[n] != '\0')
		*p = s + n + 1;
	else
		*p = s + n;
	return n;
}

static int
body_needs_qp(const char *body)
{
	const char *p = body;
	int more = 1;

	while (*p != '\0' && more)
		if (next_line(&p, &more) > MAILMSG_LINE_MAX)
			return 1;
	return 0;
}

/* One line of text as quoted-printable lines of at most 76 characters. */
static void
qp_line(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t col = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		int last = i + 1 == n;
		char tok[3];
		size_t tlen = 1;

		if (c == '=' || c >= 0x7f || (c < 0x20 && c != '\t') ||
		    (last && (c == ' ' || c == '\t'))) {
			tok[0] = '=';
			tok[1] = hex[c >> 4];
			tok[2] = hex[c & 15];
			tlen = 3;
		} else
			tok[0] = (char)c;
		/* Room for the token, and for a soft break after it unless
		 * it ends the line. */
		if (col + tlen + (last ? 0 : 1) > QP_LINE) {
			buf_add_str(b, "=\r\n");
			col = 0;
		}
		buf_add(b, tok, tlen);
		col += tlen;
	}
	buf_add_str(b, "\r\n");
}

static void
body_add(struct buf *b, const char *body, int qp)
{
	const char *p = body, *line;
	size_t n;
	int more = 1;

	while (*p != '\0' && more) {
		line = p;
		n = next_line(&p, &more);
		if (qp)
			qp_line(b, line, n);
		else {
			buf_add(b, line, n);
			buf_add_str(b, "\r\n");
		}
	}
}

char *
mailmsg_build(const struct mailmsg *m, size_t *len, char **cause)
{
	struct buf *b;
	char date[64], *subject, *out;
	int qp;

	if (mailmsg_check_address(m->from, cause) != 0 ||
	    mailmsg_check_address(m->to, cause) != 0 ||
	    mailmsg_check_address(m->message_id, cause) != 0 ||
	    mailmsg_check_subject(m->subject, cause) != 0 ||
	    mailmsg_check_body(m->body, cause) != 0)
		return NULL;
	qp = body_needs_qp(m->body);
	mailmsg_date(m->date, date, sizeof date);
	subject = mailmsg_subject(m->subject);
	b = buf_new(0);
	buf_printf(b, "Date: %s\r\n", date);
	buf_printf(b, "From: %s\r\n", m->from);
	buf_printf(b, "To: %s\r\n", m->to);
	buf_printf(b, "Subject: %s\r\n", subject);
	buf_printf(b, "Message-ID: <%s>\r\n", m->message_id);
	buf_add_str(b, "MIME-Version: 1.0\r\n");
	buf_add_str(b, "Content-Type: text/plain; charset=UTF-8\r\n");
	buf_printf(b, "Content-Transfer-Encoding: %s\r\n",
	    qp ? "quoted-printable" : "8bit");
	/* RFC 3834: no vacation replies to a robot. */
	buf_add_str(b, "Auto-Submitted: auto-generated\r\n");
	buf_add_str(b, "\r\n");
	body_add(b, m->body, qp);
	free(subject);
	*len = buf_len(b);
	out = buf_take(b);
	buf_free(b);
	return out;
}

char *
mailmsg_unix(const char *msg, size_t len, size_t *outlen)
{
	char *out = xmalloc(len + 1);
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		if (msg[i] == '\r' && i + 1 < len && msg[i + 1] == '\n')
			continue;
		out[n++] = msg[i];
	}
	out[n] = '\0';
	*outlen = n;
	return out;
}
