/*
 * E-mail messages as bytes: the checks an outbox row must pass and the
 * RFC 5322 message built from it. Pure functions (no clock, no hostname,
 * no I/O), so the exact output is unit-tested (tests/unit/test-mailmsg.c).
 *
 * Every message is a single text/plain part in UTF-8: Date, From, To,
 * Subject (RFC 2047 B-encoded when it is not short plain ASCII),
 * Message-ID, MIME-Version, Content-Type, Content-Transfer-Encoding and
 * Auto-Submitted, then the body. Line ends are CR LF. The body goes as
 * 8bit when every line fits in 998 bytes, else as quoted-printable; SMTP
 * dot-stuffing is the transport's business (libcurl does it).
 */
#ifndef AGORA_MAILMSG_H
#define AGORA_MAILMSG_H

#include <stddef.h>
#include <time.h>

#define MAILMSG_ADDRESS_MAX	254		/* RFC 5321 path limit */
#define MAILMSG_SUBJECT_MAX	2048		/* bytes of UTF-8 (folded) */
#define MAILMSG_BODY_MAX	(1024 * 1024)	/* bytes of UTF-8 */
#define MAILMSG_LINE_MAX	998		/* RFC 5322, without CR LF */

struct mailmsg {
	const char	*from;		/* an address (addr-spec) */
	const char	*to;		/* an address (addr-spec) */
	const char	*subject;	/* UTF-8, one line */
	const char	*body;		/* UTF-8; LF, CR LF or CR line ends */
	const char	*message_id;	/* id-left@id-right, no brackets */
	time_t		 date;
};

/*
 * The checks, each 0 or -1 with *cause. An address is at most 254 bytes of
 * UTF-8, one "@" with something on both sides, and no white space, control
 * characters or any of <>()[],;:"\ (what would let it escape a header
 * or an SMTP command: CR and LF above all). A subject is one line of
 * UTF-8 without control characters other than tab; a body is UTF-8 without
 * control characters other than tab, CR, LF and form feed.
 */
int mailmsg_check_address(const char *, char **cause);
int mailmsg_check_subject(const char *, char **cause);
int mailmsg_check_body(const char *, char **cause);

/*
 * The whole message, NUL-terminated, with its length in *len; NULL with
 * *cause if an input fails its check. The caller frees it.
 */
char *mailmsg_build(const struct mailmsg *, size_t *len, char **cause);

/* The Subject field's value as written, folded with CR LF SP. */
char *mailmsg_subject(const char *subject);
/* "Tue, 03 Feb 2026 10:04:05 +0000" (RFC 5322, in UTC, English names). */
void mailmsg_date(time_t, char *out, size_t size);
/*
 * The same message with LF line ends (a maildir file holds messages in
 * the local convention, as mail readers expect). Caller frees.
 */
char *mailmsg_unix(const char *msg, size_t len, size_t *outlen);

#endif
