/*
 * The agora line protocol (see agora-protocol(7)): parsing and formatting of
 * lines, the limits, and the error codes. Shared by agorad and every client,
 * so both sides agree on one grammar.
 *
 *   line    = word SP word *(SP param) [CR] LF
 *   request = tag SP verb params          tag  = 1*32(ALNUM)
 *   reply   = tag SP TYPE params          data lines, then OK or ERR
 *   push    = "*" SP TYPE params          HELLO, EVENT, untagged ERR
 *   param   = key "=" value               key  = 1*64([A-Za-z0-9_.-])
 *   value   = atom / quoted               atom = 1*([A-Za-z0-9._@:+/-])
 *   quoted  = DQUOTE *(char / "\" ( DQUOTE / "\" / "n" / "r" / "t" )) DQUOTE
 *
 * A line is UTF-8; it holds no control characters (a tab, CR or LF inside a
 * value travels as an escape). Runs of spaces separate words.
 */
#ifndef AGORA_PROTO_H
#define AGORA_PROTO_H

#include <stddef.h>
#include <stdint.h>

struct buf;

#define PROTO_VERSION		1
#define PROTO_LINE_MAX_DEFAULT	(64 * 1024)	/* bytes, without CRLF */
#define PROTO_LINE_MAX_MIN	512		/* smallest configurable limit */
#define PROTO_LINE_MAX_MAX	(16 * 1024 * 1024)
#define PROTO_TAG_MAX		32
#define PROTO_WORD_MAX		64		/* verbs, types and keys */
#define PROTO_PARAMS_MAX	64		/* parameters on one line */
#define PROTO_MESSAGE_MAX	16384		/* bytes of a MSG.SEND body */
#define PROTO_UNTAGGED		"*"

/* Error codes, in the order of the table in proto.c and agora-protocol(7). */
enum proto_err {
	PERR_BAD_REQUEST,	/* the line does not parse */
	PERR_LINE_TOO_LONG,	/* the line is over the limit */
	PERR_UNKNOWN_VERB,
	PERR_AUTH_REQUIRED,	/* the verb needs a session */
	PERR_AUTH_FAILED,	/* wrong e-mail or password */
	PERR_FORBIDDEN,		/* the session may not do this */
	PERR_NOT_FOUND,
	PERR_CONFLICT,
	PERR_INVALID,		/* a parameter is missing or not acceptable */
	PERR_RATE_LIMITED,
	PERR_PLAN_REQUIRED,
	PERR_QUOTA_EXCEEDED,	/* a workspace's storage is full */
	PERR_UNAVAILABLE,	/* the database is unreachable: retry later */
	PERR_SHUTTING_DOWN,	/* the server is stopping: reconnect */
	PERR_INTERNAL,
	PERR_COUNT
};

const char *proto_err_name(enum proto_err);
int proto_err_parse(const char *, enum proto_err *);

struct proto_param {
	const char *key;
	const char *value;	/* decoded, NUL-terminated */
	size_t len;		/* of value */
};

struct proto_msg {
	const char *tag;	/* tag, or "*" */
	const char *word;	/* verb of a request; type of a reply or push */
	size_t nparams;
	struct proto_param params[PROTO_PARAMS_MAX];
};

/*
 * Parses one line (as returned by linebuf_next: no LF, NUL-terminated at
 * line[len]) in place: tokens are NUL-terminated and quoted values decoded
 * inside the line, so msg points into line and is valid as long as line is.
 * Returns 0, or -1 with *why set to a static English message. On error,
 * msg->tag is still set when the first word is a valid tag (so the error can
 * be answered under it), NULL otherwise.
 */
int proto_parse(char *line, size_t len, struct proto_msg *, const char **why);

int proto_valid_tag(const char *);	/* 1..32 of [A-Za-z0-9] */
int proto_is_atom(const char *, size_t);

/* Parameter lookup; NULL if absent. */
const char *proto_get(const struct proto_msg *, const char *key);
/* Checked integer parameter: 0, or -1 if absent, malformed or out of range. */
int proto_get_i64(const struct proto_msg *, const char *key, int64_t min,
    int64_t max, int64_t *out);

/*
 * Formatting. A line is built with proto_begin, any number of proto_add*,
 * and proto_end (which appends LF). Values are written as atoms when they
 * can be and quoted and escaped otherwise; control characters that have no
 * escape are dropped, so output always parses.
 */
void proto_begin(struct buf *, const char *tag, const char *word);
void proto_add(struct buf *, const char *key, const char *value);
void proto_addn(struct buf *, const char *key, const char *value, size_t);
void proto_add_i64(struct buf *, const char *key, int64_t);
/* Appends " " and already-encoded params (e.g. stored event data). */
void proto_add_raw(struct buf *, const char *params);
void proto_end(struct buf *);
/* Just a value, atom or quoted, with no key. */
void proto_put_value(struct buf *, const char *, size_t);

/* Whole final lines. */
void proto_ok(struct buf *, const char *tag);
void proto_err(struct buf *, const char *tag, enum proto_err, const char *msg);

#endif
