/*
 * Private conversations and space discussions for scripts: agora msg,
 * messages, read and conversations. A conversation is named by a contact
 * (a user id, or a professional contact's e-mail address: see
 * cli_contact_id) or by --space SPACE. Message bodies from other users are
 * sanitised, line feeds kept; JSON carries them as they came, escaped.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "buf.h"
#include "cli.h"
#include "client.h"
#include "proto.h"
#include "text.h"
#include "xmalloc.h"

/*
 * All of standard input as a body: CR LF read as LF, and the line feeds
 * at the end dropped, since a file's last line ends with one. Read no
 * further than the limit allows, so a huge input fails here rather than
 * as a line the server refuses. NULL with *status said.
 */
static char *
body_stdin(int *status)
{
	struct buf *b = buf_new(PROTO_MESSAGE_MAX + 2);
	char chunk[4096], *body, *w;
	size_t n, len;

	while (!buf_overflowed(b) &&
	    (n = fread(chunk, 1, sizeof chunk, stdin)) > 0)
		buf_add(b, chunk, n);
	if (ferror(stdin)) {
		*status = cli_fail(EX_IOERR, _("msg: standard input: %s"),
		    strerror(errno));
		buf_free(b);
		return NULL;
	}
	len = buf_len(b);
	if (buf_overflowed(b) || (len > 0 &&
	    memchr(buf_data(b), '\0', len) != NULL)) {
		*status = cli_fail(EX_DATAERR, buf_overflowed(b) ?
		    P_("msg: the message is over %d byte", "msg: the message "
		    "is over %d bytes", PROTO_MESSAGE_MAX) : _("msg: the "
		    "message holds a NUL byte"), PROTO_MESSAGE_MAX);
		buf_free(b);
		return NULL;
	}
	body = buf_take(b);
	buf_free(b);
	for (w = body, len = 0; body[len] != '\0'; len++)
		if (!(body[len] == '\r' && body[len + 1] == '\n'))
			*w++ = body[len];
	while (w > body && w[-1] == '\n')
		w--;
	*w = '\0';
	if (w - body > PROTO_MESSAGE_MAX) {
		*status = cli_fail(EX_DATAERR, P_("msg: the message is over "
		    "%d byte", "msg: the message is over %d bytes",
		    PROTO_MESSAGE_MAX), PROTO_MESSAGE_MAX);
		free(body);
		return NULL;
	}
	return body;
}

/*
 * The saved session, and the contact's user id (caller frees) unless
 * --space names the conversation (*id NULL): both go to cli_call, as
 * "space" and as the contact's key, and the one not given is left out.
 * The connection, or NULL with *status said.
 */
static struct client *
conv_open(const struct cli_opts *o, const struct cli_args *a, char **id,
    int *status)
{
	struct client *c;

	*id = NULL;
	if ((c = cli_session(o, status)) == NULL || cli_opt(a, "space") != NULL)
		return c;
	if ((*id = cli_contact_id(c, a->ops[0], status)) == NULL) {
		client_close(c);
		return NULL;
	}
	return c;
}

/* Whether the conversation is named once: by CONTACT (before the text,
   for msg) or by --space. */
static int
conv_named(const struct cli_args *a)
{
	int text = strcmp(a->name, "msg") == 0;

	return (a->n - text == 1) != (cli_opt(a, "space") != NULL);
}

/* agora msg CONTACT TEXT | msg --space SPACE TEXT (TEXT - : stdin) */
static int
cli_msg(const struct cli_opts *o, const struct cli_args *a)
{
	const char *text = a->ops[a->n - 1];
	struct client_reply *r;
	struct client *c;
	char *body, *id;
	int status;

	if (!conv_named(a))
		return cli_usage(a);
	if (strcmp(text, "-") == 0) {
		if ((body = body_stdin(&status)) == NULL)
			return status;
	} else
		body = xstrdup(text);
	if ((c = conv_open(o, a, &id, &status)) != NULL && (r = cli_call(o, c,
	    "msg", &status, "MSG.SEND", "space", cli_opt(a, "space"), "to", id,
	    "body", body, NULL)) != NULL) {
		printf("%s\n", client_reply_get(r, "id"));
		client_reply_free(r);
	}
	free(id);
	free(body);
	client_close(c);
	return status;
}

/* "ID  DATE TIME  NAME", then the body's lines indented: all sanitised. */
static void
message_print(const struct proto_msg *m)
{
	const char *name = proto_get(m, "name"), *body = proto_get(m, "body");
	const char *at = proto_get(m, "at"), *id = proto_get(m, "id");
	char when[32] = "", *safe, *line, *next;
	struct tm tm;
	time_t t;

	if (at != NULL) {
		t = (time_t)strtoll(at, NULL, 10);
		if (localtime_r(&t, &tm) != NULL)
			strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
	}
	safe = text_sanitize(name != NULL ? name : "", name != NULL ?
	    strlen(name) : 0, 0);
	printf("%-6s %s  %s\n", id != NULL ? id : "", when, safe);
	free(safe);
	safe = text_sanitize(body != NULL ? body : "", body != NULL ?
	    strlen(body) : 0, TEXT_MULTILINE);
	for (line = safe; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		printf("    %s\n", line);
	}
	free(safe);
}

/* MSG.LIST's reply: the messages as they came (oldest first). */
static void
messages_print(const struct client_reply *r, int json)
{
	struct proto_msg m;
	const char *why, *more = client_reply_get(r, "more");
	char *copy, *oldest = NULL;

	if (json) {
		/* {"conversation":..., "more":..., ..., "messages":[...]} */
		putchar('{');
		cli_json_members(&r->msg);
		printf("%s\"messages\":", r->msg.nparams > 0 ? "," : "");
		cli_json_array(r);
		printf("}\n");
		return;
	}
	for (size_t i = 0; i < r->ndata; i++) {
		copy = xstrdup(r->data[i]);
		if (proto_parse(copy, strlen(copy), &m, &why) == 0)
			message_print(&m);
		free(copy);
	}
	if (more != NULL && strcmp(more, "1") == 0 && r->ndata > 0 &&
	    (oldest = client_line_get(r->data[0], "id")) != NULL)
		fprintf(stderr, _("agora: older messages: --before %s\n"),
		    oldest);
	free(oldest);
}

/* agora messages CONTACT|--space SPACE [--before ID] [--limit N] [--json] */
static int
cli_messages(const struct cli_opts *o, const struct cli_args *a)
{
	struct client_reply *r;
	struct client *c;
	char *id;
	int status;

	if (!conv_named(a))
		return cli_usage(a);
	if ((c = conv_open(o, a, &id, &status)) != NULL && (r = cli_call(o, c,
	    "messages", &status, "MSG.LIST", "space", cli_opt(a, "space"),
	    "with", id, "before", cli_opt(a, "before"), "limit", cli_opt(a,
	    "limit"), NULL)) != NULL) {
		messages_print(r, a->json);
		client_reply_free(r);
	}
	free(id);
	client_close(c);
	return status;
}

/* MSG.READ up to the newest message; nothing to do when there is none. */
static int
read_newest(struct client *c, const char *space, const char *id)
{
	struct client_reply *r;
	char *newest = NULL;
	int status;

	if ((r = cli_call(NULL, c, "read", &status, "MSG.LIST", "space", space,
	    "with", id, "limit", "1", NULL)) == NULL)
		return status;
	if (r->ndata > 0)
		newest = client_line_get(r->data[r->ndata - 1], "id");
	client_reply_free(r);
	if (newest == NULL)
		return EX_OK;
	r = cli_call(NULL, c, "read", &status, "MSG.READ", "space", space,
	    "with", id, "upto", newest, NULL);
	free(newest);
	client_reply_free(r);
	return status;
}

/* agora read CONTACT|--space SPACE */
static int
cli_read(const struct cli_opts *o, const struct cli_args *a)
{
	struct client *c;
	char *id;
	int status;

	if (!conv_named(a))
		return cli_usage(a);
	if ((c = conv_open(o, a, &id, &status)) != NULL)
		status = read_newest(c, cli_opt(a, "space"), id);
	free(id);
	client_close(c);
	return status;
}

/* agora conversations [--json]: newest first, as the server sends them. */
static int
cli_conversations(const struct cli_opts *o, const struct cli_args *a)
{
	static const char *const direct[] = { "id", "unread", "kind", "with",
		"name", NULL };
	static const char *const space[] = { "id", "unread", "kind", "space",
		"title", NULL };
	static const int widths[] = { 6, 6, 6, 6, 0 };
	struct client_reply *r, one;
	char *kind;
	int status;

	if ((r = cli_call(o, NULL, "conversations", &status, "CONV.LIST",
	    NULL)) == NULL)
		return status;
	if (a->json)
		cli_print_lines(r, 1, NULL, NULL);
	else
		for (size_t i = 0; i < r->ndata; i++) {
			/* Each line's columns by its kind. */
			one = *r;
			one.data = r->data + i;
			one.ndata = 1;
			kind = client_line_get(r->data[i], "kind");
			cli_print_lines(&one, 0, kind != NULL &&
			    strcmp(kind, "space") == 0 ? space : direct, widths);
			free(kind);
		}
	client_reply_free(r);
	return EX_OK;
}

#define CLI_SPACE { "space", "SPACE", N_("the space's discussion, not " \
	"CONTACT's") }
const struct cli_cmd cli_message_cmds[] = {
	{ "msg [CONTACT] TEXT", cli_msg, N_("write to a contact or a space "
	    "(TEXT -: stdin)"), CLI_OPTIONS(CLI_SPACE), NULL },
	{ "messages [CONTACT]", cli_messages, N_("a conversation, oldest "
	    "first"), CLI_OPTIONS(CLI_SPACE, { "before", "ID", N_("those "
	    "before message ID") }, { "limit", "N", N_("at most N of them") },
	    CLI_JSON), NULL },
	{ "read [CONTACT]", cli_read, N_("mark a conversation read"),
	    CLI_OPTIONS(CLI_SPACE), NULL },
	{ "conversations", cli_conversations, N_("your conversations, newest "
	    "first"), CLI_OPTIONS(CLI_JSON), NULL },
	{ 0 }
};
