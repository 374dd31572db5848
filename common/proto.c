#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "log.h"
#include "proto.h"
#include "utf8.h"

/*
 * Indexed by enum proto_err; the names are part of the protocol. A code
 * added to the enum without a name here leaves a NULL hole, which
 * proto_err_name turns into fatalx and the unit test catches.
 */
static const char *proto_err_names[] = {
	[PERR_BAD_REQUEST] = "bad_request",
	[PERR_LINE_TOO_LONG] = "line_too_long",
	[PERR_UNKNOWN_VERB] = "unknown_verb",
	[PERR_AUTH_REQUIRED] = "auth_required",
	[PERR_AUTH_FAILED] = "auth_failed",
	[PERR_FORBIDDEN] = "forbidden",
	[PERR_NOT_FOUND] = "not_found",
	[PERR_CONFLICT] = "conflict",
	[PERR_INVALID] = "invalid",
	[PERR_RATE_LIMITED] = "rate_limited",
	[PERR_PLAN_REQUIRED] = "plan_required",
	[PERR_QUOTA_EXCEEDED] = "quota_exceeded",
	[PERR_UNAVAILABLE] = "unavailable",
	[PERR_SHUTTING_DOWN] = "shutting_down",
	[PERR_INTERNAL] = "internal",
};
_Static_assert(sizeof proto_err_names / sizeof proto_err_names[0] ==
    PERR_COUNT, "proto_err_names must name every enum proto_err");

const char *
proto_err_name(enum proto_err code)
{
	if ((unsigned)code >= PERR_COUNT || proto_err_names[code] == NULL)
		fatalx("proto_err_name: bad code %d", (int)code);
	return proto_err_names[code];
}

int
proto_err_parse(const char *s, enum proto_err *out)
{
	size_t	 i;

	for (i = 0; i < PERR_COUNT; i++) {
		if (proto_err_names[i] != NULL &&
		    strcmp(s, proto_err_names[i]) == 0) {
			*out = (enum proto_err)i;
			return 0;
		}
	}
	return -1;
}

/* Character classes, ASCII only and independent of the locale. */
static int
proto_isalnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
	    (c >= 'a' && c <= 'z');
}

/* Verbs, types and keys. */
static int
proto_isword(unsigned char c)
{
	return proto_isalnum(c) || c == '.' || c == '_' || c == '-';
}

static int
proto_isatomc(unsigned char c)
{
	if (proto_isalnum(c))
		return 1;
	switch (c) {
	case '.':
	case '_':
	case '@':
	case ':':
	case '+':
	case '/':
	case '-':
		return 1;
	}
	return 0;
}

static int
proto_iscntrl(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

static int
proto_tag_ok(const char *s, size_t len)
{
	size_t	 i;

	if (len == 0 || len > PROTO_TAG_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		if (!proto_isalnum((unsigned char)s[i]))
			return 0;
	}
	return 1;
}

int
proto_valid_tag(const char *s)
{
	return proto_tag_ok(s, strlen(s));
}

int
proto_is_atom(const char *s, size_t len)
{
	size_t	 i;

	if (len == 0)
		return 0;
	for (i = 0; i < len; i++) {
		if (!proto_isatomc((unsigned char)s[i]))
			return 0;
	}
	return 1;
}

/*
 * Decodes the quoted string starting at *pp (on its opening quote) in place:
 * the decoded bytes are written from the quote onwards, always behind the
 * read position, and NUL-terminated. On success *pp is left after the
 * closing quote. The line is known to hold no control characters.
 */
static const char *
proto_unquote(char **pp, char *end, size_t *len)
{
	char	*r = *pp + 1, *w = *pp;

	while (r < end) {
		if (*r == '"') {
			*w = '\0';
			*len = (size_t)(w - *pp);
			*pp = r + 1;
			return NULL;
		}
		if (*r != '\\') {
			*w++ = *r++;
			continue;
		}
		if (++r == end)
			break;
		switch (*r) {
		case '"':
		case '\\':
			*w++ = *r;
			break;
		case 'n':
			*w++ = '\n';
			break;
		case 'r':
			*w++ = '\r';
			break;
		case 't':
			*w++ = '\t';
			break;
		default:
			return "unknown escape";
		}
		r++;
	}
	return "unterminated quoted string";
}

/*
 * Everything is checked before anything is decoded, in the order of the
 * line: UTF-8 and control characters over the whole line, then the tag, the
 * word, and each parameter. The tag is NUL-terminated first so that an error
 * further on can still be answered under it.
 */
int
proto_parse(char *line, size_t len, struct proto_msg *msg, const char **why)
{
	char			*p, *end = line + len, *key, *value;
	struct proto_param	*pp;
	size_t			 n, i, vlen;
	int			 tagged;
	const char		*error;

	msg->tag = NULL;
	msg->word = NULL;
	msg->nparams = 0;

	for (n = 0; n < len && line[n] != ' '; n++)
		/* nothing */;
	tagged = proto_tag_ok(line, n) ||
	    (n == 1 && line[0] == PROTO_UNTAGGED[0]);

	if (!utf8_valid(line, len, NULL)) {
		error = "invalid UTF-8";
		goto fail;
	}
	for (i = 0; i < len; i++) {
		if (line[i] == '\0') {
			error = "NUL byte in line";
			goto fail;
		}
		if (proto_iscntrl((unsigned char)line[i])) {
			error = "control character in line";
			goto fail;
		}
	}

	if (len == 0) {
		error = "empty line";
		goto fail;
	}
	if (line[0] == ' ') {
		error = "leading space";
		goto fail;
	}
	if (!tagged) {
		error = "invalid tag";
		goto fail;
	}
	/*
	 * Each token is NUL-terminated over the space that ends it (or at
	 * line[len]), and p moves past that space.
	 */
	p = line + n;
	*p = '\0';
	msg->tag = line;
	if (p < end)
		p++;

	/* The verb or type. */
	while (p < end && *p == ' ')
		p++;
	if (p == end) {
		error = "missing verb";
		goto fail;
	}
	for (n = 0; p + n < end && p[n] != ' '; n++) {
		if (!proto_isword((unsigned char)p[n])) {
			error = "invalid verb";
			goto fail;
		}
	}
	if (n > PROTO_WORD_MAX) {
		error = "verb too long";
		goto fail;
	}
	p[n] = '\0';
	msg->word = p;
	p += n;
	if (p < end)
		p++;

	for (;;) {
		while (p < end && *p == ' ')
			p++;
		if (p == end)
			break;
		if (msg->nparams == PROTO_PARAMS_MAX) {
			error = "too many parameters";
			goto fail;
		}

		key = p;
		while (p < end && proto_isword((unsigned char)*p))
			p++;
		if (p == end || *p == ' ') {
			error = "parameter without '='";
			goto fail;
		}
		if (*p != '=' || p == key) {
			error = "invalid key";
			goto fail;
		}
		if (p - key > PROTO_WORD_MAX) {
			error = "key too long";
			goto fail;
		}
		*p++ = '\0';
		for (i = 0; i < msg->nparams; i++) {
			if (strcmp(msg->params[i].key, key) == 0) {
				error = "duplicate parameter";
				goto fail;
			}
		}

		value = p;
		if (p < end && *p == '"') {
			if ((error = proto_unquote(&p, end, &vlen)) != NULL)
				goto fail;
			if (p < end && *p != ' ') {
				error = "no space after quoted string";
				goto fail;
			}
		} else {
			while (p < end && proto_isatomc((unsigned char)*p))
				p++;
			if (p == value || (p < end && *p != ' ')) {
				error = "invalid value";
				goto fail;
			}
			vlen = (size_t)(p - value);
			*p = '\0';	/* a space, or line[len] */
		}
		if (p < end)
			p++;		/* the space, or a NUL written on it */

		pp = &msg->params[msg->nparams++];
		pp->key = key;
		pp->value = value;
		pp->len = vlen;
	}
	return 0;

fail:
	if (tagged && msg->tag == NULL) {
		line[n] = '\0';
		msg->tag = line;
	}
	msg->word = NULL;
	msg->nparams = 0;
	*why = error;
	return -1;
}

static const struct proto_param *
proto_find(const struct proto_msg *msg, const char *key)
{
	size_t	 i;

	for (i = 0; i < msg->nparams; i++) {
		if (strcmp(msg->params[i].key, key) == 0)
			return &msg->params[i];
	}
	return NULL;
}

const char *
proto_get(const struct proto_msg *msg, const char *key)
{
	const struct proto_param	*pp;

	if ((pp = proto_find(msg, key)) == NULL)
		return NULL;
	return pp->value;
}

/*
 * Strict decimal: an optional '-' and at least one digit, nothing else. The
 * value is accumulated negatively so that INT64_MIN parses too.
 */
int
proto_get_i64(const struct proto_msg *msg, const char *key, int64_t min,
    int64_t max, int64_t *out)
{
	const struct proto_param	*pp;
	const char			*s;
	size_t				 i = 0;
	int64_t				 v = 0;
	int				 d, neg = 0;

	if ((pp = proto_find(msg, key)) == NULL)
		return -1;
	s = pp->value;
	if (pp->len > 0 && s[0] == '-') {
		neg = 1;
		i++;
	}
	if (i == pp->len)
		return -1;
	for (; i < pp->len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		d = s[i] - '0';
		if (v < (INT64_MIN + d) / 10)
			return -1;
		v = v * 10 - d;
	}
	if (!neg) {
		if (v == INT64_MIN)
			return -1;
		v = -v;
	}
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

void
proto_begin(struct buf *b, const char *tag, const char *word)
{
	buf_add_str(b, tag != NULL ? tag : PROTO_UNTAGGED);
	buf_add_char(b, ' ');
	buf_add_str(b, word);
}

/*
 * Writes a quoted string. Bytes that are not valid UTF-8 become U+FFFD and
 * control characters without an escape are dropped: the peer would reject
 * the whole line otherwise.
 */
static void
proto_put_quoted(struct buf *b, const char *s, size_t len)
{
	const char	*run;
	size_t		 i, bad;
	unsigned char	 c;

	buf_add_char(b, '"');
	while (len > 0) {
		if (!utf8_valid(s, len, &bad)) {
			if (bad == 0) {
				buf_add(b, "\xef\xbf\xbd", 3);
				s++;
				len--;
				continue;
			}
		} else
			bad = len;

		/* s[0 .. bad) is valid UTF-8. */
		run = s;
		for (i = 0; i < bad; i++) {
			c = (unsigned char)s[i];
			if (!proto_iscntrl(c) && c != '"' && c != '\\')
				continue;
			buf_add(b, run, (size_t)(s + i - run));
			run = s + i + 1;
			switch (c) {
			case '"':
				buf_add(b, "\\\"", 2);
				break;
			case '\\':
				buf_add(b, "\\\\", 2);
				break;
			case '\n':
				buf_add(b, "\\n", 2);
				break;
			case '\r':
				buf_add(b, "\\r", 2);
				break;
			case '\t':
				buf_add(b, "\\t", 2);
				break;
			}
		}
		buf_add(b, run, (size_t)(s + bad - run));
		s += bad;
		len -= bad;
	}
	buf_add_char(b, '"');
}

void
proto_put_value(struct buf *b, const char *value, size_t len)
{
	if (proto_is_atom(value, len))
		buf_add(b, value, len);
	else
		proto_put_quoted(b, value, len);
}

void
proto_addn(struct buf *b, const char *key, const char *value, size_t len)
{
	buf_add_char(b, ' ');
	buf_add_str(b, key);
	buf_add_char(b, '=');
	proto_put_value(b, value, len);
}

void
proto_add(struct buf *b, const char *key, const char *value)
{
	if (value == NULL)
		value = "";
	proto_addn(b, key, value, strlen(value));
}

void
proto_add_i64(struct buf *b, const char *key, int64_t v)
{
	buf_printf(b, " %s=%" PRId64, key, v);
}

void
proto_add_raw(struct buf *b, const char *params)
{
	if (params == NULL || *params == '\0')
		return;
	buf_add_char(b, ' ');
	buf_add_str(b, params);
}

void
proto_end(struct buf *b)
{
	buf_add_char(b, '\n');
}

void
proto_ok(struct buf *b, const char *tag)
{
	proto_begin(b, tag, "OK");
	proto_end(b);
}

/* msg is always quoted: it is prose, even when it is a single word. */
void
proto_err(struct buf *b, const char *tag, enum proto_err code,
    const char *msg)
{
	proto_begin(b, tag, "ERR");
	proto_add(b, "code", proto_err_name(code));
	if (msg != NULL) {
		buf_add_str(b, " msg=");
		proto_put_quoted(b, msg, strlen(msg));
	}
	proto_end(b);
}
