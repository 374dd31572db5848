/*
 * Conversations in the model: the one open on screen (a private
 * conversation or a space's discussion, the same machinery), and the
 * unread counts the sidebar shows, kept on the contact and the space.
 *
 * The open conversation's messages come from MSG.LIST pages (the newest
 * first, then older ones as the user scrolls back) and message.new
 * events, in any order and possibly twice (an event also replayed by
 * SYNC, a message both pushed and in a page): they are merged by id.
 */
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "model-priv.h"
#include "xmalloc.h"

static const struct model_field message_fields[] = {
	MODEL_FIELD(message, id, MODEL_ID),
	MODEL_FIELD(message, from, MODEL_ID),
	MODEL_FIELD(message, at, MODEL_I64),
	MODEL_FIELD(message, name, MODEL_TEXT),
	MODEL_FIELD(message, body, MODEL_BODY),
	{ NULL }
};
static const struct model_kind message_kind = {
	"MESSAGE", sizeof (struct message), message_fields, NULL
};

void
model_chat_free(struct model *m)
{
	struct chat *c = &m->chat;
	unsigned gen = c->gen;

	model_free_all(c->msgs, c->nmsgs, &message_kind);
	memset(c, 0, sizeof *c);
	c->gen = gen;
}

void
model_chat_open(struct model *m, enum chat_kind kind, int64_t peer)
{
	model_chat_free(m);
	m->chat.gen++;
	m->chat.kind = kind;
	m->chat.peer = peer;
	m->dirty |= DIRTY_MAIN;
}

void
model_chat_close(struct model *m)
{
	model_chat_open(m, CHAT_NONE, 0);
}

struct message *
model_chat_message(struct model *m, int64_t id)
{
	struct chat *c = &m->chat;
	size_t lo = 0, hi = c->nmsgs, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (c->msgs[mid].id == id)
			return &c->msgs[mid];
		if (c->msgs[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Takes msg's strings into the list, in id order; a duplicate is freed. */
static int
chat_insert(struct chat *c, struct message *msg)
{
	size_t i = c->nmsgs;

	/* Usually the newest (an event) or older than all (a page). */
	while (i > 0 && c->msgs[i - 1].id > msg->id)
		i--;
	if (i > 0 && c->msgs[i - 1].id == msg->id) {
		model_clear(&message_kind, msg);
		return 0;
	}
	c->msgs = xreallocarray(c->msgs, c->nmsgs + 1, sizeof *c->msgs);
	memmove(&c->msgs[i + 1], &c->msgs[i], (c->nmsgs - i) *
	    sizeof *c->msgs);
	c->msgs[i] = *msg;
	c->nmsgs++;
	return 1;
}

/* The first message after last_read that someone else wrote, or 0. */
static int64_t
chat_first_unread(const struct model *m)
{
	const struct chat *c = &m->chat;

	for (size_t i = 0; i < c->nmsgs; i++)
		if (c->msgs[i].id > c->last_read && c->msgs[i].from != m->user)
			return c->msgs[i].id;
	return 0;
}

int
model_chat_page(struct model *m, char *const *lines, size_t n,
    const char *final)
{
	struct chat *c = &m->chat;
	struct message *v;
	struct parsed f;

	if (model_parse(&f, final) != 0)
		return -1;
	if ((v = model_lines(lines, n, &message_kind)) == NULL) {
		free(f.copy);
		return -1;
	}
	for (size_t k = 0; k < n; k++)
		chat_insert(c, &v[k]);
	free(v);
	c->more = model_flag(&f.m, "more");
	c->loading = 0;
	if (!c->loaded) {
		c->loaded = 1;
		c->conversation = model_id(&f.m, "conversation");
		c->last_read = model_long(&f.m, "last_read");
		if (c->read_upto < c->last_read)
			c->read_upto = c->last_read;
		c->first_unread = chat_first_unread(m);
	}
	free(f.copy);
	m->dirty |= DIRTY_MAIN;
	return 0;
}

/* Where the unread count of a conversation is kept, or NULL. */
static long *
unread_at(struct model *m, enum chat_kind kind, int64_t peer)
{
	struct contact *ct;
	struct space *sp;

	if (kind == CHAT_DIRECT && (ct = model_contact(m, peer)) != NULL)
		return &ct->unread;
	if (kind == CHAT_SPACE && (sp = model_space(m, peer)) != NULL)
		return &sp->unread;
	return NULL;
}

void
model_unread(struct model *m, enum chat_kind kind, int64_t peer, long n)
{
	long *u = unread_at(m, kind, peer);

	if (u != NULL)
		*u = n;
	m->dirty |= DIRTY_SIDEBAR | DIRTY_MAIN;
}

int
model_conversations(struct model *m, char *const *lines, size_t n)
{
	struct parsed p;
	const char *kind;

	for (size_t i = 0; i < n; i++) {
		if (model_parse(&p, lines[i]) != 0)
			return -1;
		kind = proto_get(&p.m, "kind");
		if (strcmp(p.m.word, "CONVERSATION") != 0 || kind == NULL) {
			free(p.copy);
			return -1;
		}
		if (strcmp(kind, "direct") == 0)
			model_unread(m, CHAT_DIRECT, model_id(&p.m, "with"),
			    model_long(&p.m, "unread"));
		else if (strcmp(kind, "space") == 0)
			model_unread(m, CHAT_SPACE, model_id(&p.m, "space"),
			    model_long(&p.m, "unread"));
		free(p.copy);
	}
	return 0;
}

/* One more message not read yet. */
static void
unread_add(struct model *m, enum chat_kind kind, int64_t peer)
{
	long *u = unread_at(m, kind, peer);

	if (u != NULL)
		(*u)++;
}

/* Which conversation an event is about, from the user's side. */
static enum chat_kind
event_chat(struct model *m, const struct proto_msg *pm, int64_t *peer)
{
	const char *kind = proto_get(pm, "kind");
	int64_t from = model_id(pm, "from");

	*peer = 0;
	if (kind != NULL && strcmp(kind, "space") == 0) {
		*peer = model_id(pm, "space");
		return CHAT_SPACE;
	}
	if (kind == NULL) {
		/* conversation.read: with= or space= */
		if ((*peer = model_id(pm, "space")) != 0)
			return CHAT_SPACE;
		*peer = model_id(pm, "with");
		return CHAT_DIRECT;
	}
	*peer = from == m->user ? model_id(pm, "to") : from;
	return CHAT_DIRECT;
}

static char *
message_new(struct model *m, const struct proto_msg *pm)
{
	struct chat *c = &m->chat;
	struct message msg = { 0 };
	int64_t peer;
	enum chat_kind kind = event_chat(m, pm, &peer);
	char *text;

	if (model_fill(&message_kind, pm, &msg) != 0 || peer == 0) {
		model_clear(&message_kind, &msg);
		return NULL;
	}
	if (msg.from == m->user) {
		/* Ours (from this client or another): nothing to read. */
		if (c->kind == kind && c->peer == peer)
			chat_insert(c, &msg);
		else
			model_clear(&message_kind, &msg);
		m->dirty |= DIRTY_MAIN;
		return NULL;
	}
	if (c->kind == kind && c->peer == peer) {
		int64_t id = msg.id;

		if (c->conversation == 0)
			c->conversation = model_id(pm, "conversation");
		/* Read as it arrives when the user is watching; else the
		   "new" line goes before it, unless one is there already. */
		if (chat_insert(c, &msg) && !c->reading) {
			unread_add(m, kind, peer);
			if (c->first_unread == 0 && c->loaded)
				c->first_unread = id;
		}
	} else {
		model_clear(&message_kind, &msg);
		unread_add(m, kind, peer);
	}
	if (kind == CHAT_DIRECT)
		xasprintf(&text, _("%s wrote to you"), model_someone(pm, "name"));
	else
		xasprintf(&text, _("%s wrote in \u201c%s\u201d"),
		    model_someone(pm, "name"), model_space_title(m, peer));
	m->dirty |= DIRTY_SIDEBAR | DIRTY_MAIN;
	return text;
}

char *
model_chat_event(struct model *m, const char *type,
    const struct proto_msg *pm)
{
	struct chat *c = &m->chat;
	enum chat_kind kind;
	int64_t peer, upto;

	if (strcmp(type, "message.new") == 0)
		return message_new(m, pm);
	if (strcmp(type, "conversation.read") == 0) {
		kind = event_chat(m, pm, &peer);
		model_unread(m, kind, peer, model_long(pm, "unread"));
		/* Read elsewhere (another client of ours). */
		upto = model_long(pm, "upto");
		if (c->kind == kind && c->peer == peer && c->read_upto < upto)
			c->read_upto = upto;
	}
	return NULL;
}
