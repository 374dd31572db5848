/*
 * The model's core: the account, its workspaces and their people, the
 * spaces, and the activity feed. Contacts are in model-contact.c, the
 * open conversation in model-chat.c.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "i18n.h"
#include "model-priv.h"
#include "xmalloc.h"

int
model_parse(struct parsed *p, const char *line)
{
	const char *why;

	p->copy = xstrdup(line);
	if (proto_parse(p->copy, strlen(p->copy), &p->m, &why) != 0) {
		free(p->copy);
		p->copy = NULL;
		return -1;
	}
	return 0;
}

int
model_first(struct parsed *p, char *const *lines, size_t n, const char *word)
{
	if (n == 0 || model_parse(p, lines[0]) != 0)
		return -1;
	if (strcmp(p->m.word, word) != 0) {
		free(p->copy);
		return -1;
	}
	return 0;
}

/* A parameter's value, copied; "" when absent. */
static char *
model_dup(const struct proto_msg *m, const char *key)
{
	const char *v = proto_get(m, key);

	return xstrdup(v != NULL ? v : "");
}

long
model_long(const struct proto_msg *pm, const char *key)
{
	int64_t v;

	return proto_get_i64(pm, key, 0, INT64_MAX, &v) == 0 ? (long)v : 0;
}

int
model_flag(const struct proto_msg *pm, const char *key)
{
	const char *v = proto_get(pm, key);

	return v != NULL && strcmp(v, "1") == 0;
}

int64_t
model_id(const struct proto_msg *pm, const char *key)
{
	int64_t v;

	return proto_get_i64(pm, key, 1, INT64_MAX, &v) == 0 ? v : 0;
}

const char *
model_someone(const struct proto_msg *pm, const char *key)
{
	const char *v = proto_get(pm, key);

	return v != NULL ? v : _("someone");
}

const char *
model_space_title(struct model *m, int64_t id)
{
	struct space *sp = model_space(m, id);

	return sp != NULL ? sp->title : _("a space");
}

/*
 * The format for key in a table of { key, format } pairs, translated, or
 * fallback: every format of the table has fallback's directives, so the
 * compiler checks the call against fallback.
 */
static const char *model_format(const char *const (*)[2], size_t,
    const char *key, const char *fallback) __attribute__((format_arg(4)));

static const char *
model_format(const char *const (*t)[2], size_t n, const char *key,
    const char *fallback)
{
	for (size_t i = 0; key != NULL && i < n; i++)
		if (strcmp(t[i][0], key) == 0)
			return _(t[i][1]);
	return fallback;
}

int
model_fill(const struct model_kind *k, const struct proto_msg *pm, void *v)
{
	const char *val;
	char **s;

	for (const struct model_field *f = k->fields; f->key != NULL; f++) {
		void *at = (char *)v + f->off;

		val = proto_get(pm, f->key);
		switch (f->type) {
		case MODEL_ID:
			if ((*(int64_t *)at = model_id(pm, f->key)) == 0)
				return -1;
			break;
		case MODEL_I64:
			*(int64_t *)at = model_long(pm, f->key);
			break;
		case MODEL_LONG:
			*(long *)at = model_long(pm, f->key);
			break;
		case MODEL_FLAG:
			*(int *)at = model_flag(pm, f->key);
			break;
		case MODEL_TEXT:
		case MODEL_OPT:
		case MODEL_BODY:
			s = at;
			free(*s);
			*s = val != NULL ? xstrdup(val) : f->type == MODEL_TEXT ?
			    xstrdup("") : NULL;
			if (val == NULL && f->type == MODEL_BODY)
				return -1;
			break;
		}
	}
	return 0;
}

void
model_clear(const struct model_kind *k, void *v)
{
	for (const struct model_field *f = k->fields; f->key != NULL; f++) {
		char **s = (void *)((char *)v + f->off);

		if (f->type >= MODEL_TEXT)
			free(*s);
	}
	if (k->free != NULL)
		k->free(v);
}

void
model_free_all(void *v, size_t n, const struct model_kind *k)
{
	for (size_t i = 0; i < n; i++)
		model_clear(k, (char *)v + i * k->size);
	free(v);
}

void *
model_lines(char *const *lines, size_t n, const struct model_kind *k)
{
	char *v = xcalloc(n + 1, k->size);
	struct parsed p;
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		if (model_parse(&p, lines[i]) != 0)
			break;
		rc = strcmp(p.m.word, k->word) != 0 ||
		    model_fill(k, &p.m, v + i * k->size);
		free(p.copy);
		if (rc != 0) {
			model_clear(k, v + i * k->size);
			break;
		}
	}
	if (i == n)
		return v;
	model_free_all(v, i, k);
	return NULL;
}

static const struct model_field member_fields[] = {
	MODEL_FIELD(member, user, MODEL_ID),
	MODEL_FIELD(member, name, MODEL_TEXT),
	MODEL_FIELD(member, email, MODEL_TEXT),
	MODEL_FIELD(member, role, MODEL_TEXT),
	{ NULL }
};
static const struct model_kind member_kind = {
	"MEMBER", sizeof (struct member), member_fields, NULL
};

static void
workspace_free(void *v)
{
	struct workspace *w = v;

	model_free_all(w->members, w->nmembers, &member_kind);
}

static const struct model_field workspace_fields[] = {
	MODEL_FIELD(workspace, id, MODEL_ID),
	MODEL_FIELD(workspace, name, MODEL_TEXT),
	MODEL_FIELD(workspace, role, MODEL_TEXT),
	MODEL_FIELD(workspace, plan, MODEL_TEXT),
	{ NULL }
};
static const struct model_kind workspace_kind = {
	"WORKSPACE", sizeof (struct workspace), workspace_fields,
	workspace_free
};

static const struct model_field participant_fields[] = {
	MODEL_FIELD(participant, user, MODEL_ID),
	MODEL_FIELD(participant, name, MODEL_TEXT),
	MODEL_FIELD(participant, email, MODEL_TEXT),
	MODEL_FIELD(participant, company, MODEL_TEXT),
	MODEL_FIELD(participant, job_title, MODEL_TEXT),
	MODEL_FIELD(participant, own_name, MODEL_OPT),
	MODEL_FIELD(participant, own_company, MODEL_OPT),
	MODEL_FIELD(participant, own_job_title, MODEL_OPT),
	MODEL_FIELD(participant, role, MODEL_TEXT),
	MODEL_FIELD(participant, status, MODEL_TEXT),
	MODEL_FIELD(participant, invited, MODEL_I64),
	MODEL_FIELD(participant, active, MODEL_I64),
	MODEL_FIELD(participant, overdue, MODEL_FLAG),
	{ NULL }
};
static const struct model_kind participant_kind = {
	"PARTICIPANT", sizeof (struct participant), participant_fields, NULL
};

static void
people_free(struct space *sp)
{
	model_free_all(sp->people_list, sp->npeople, &participant_kind);
	sp->people_list = NULL;
	sp->npeople = 0;
	sp->loaded = 0;
}

static const struct model_field file_fields[] = {
	MODEL_FIELD(file_entry, id, MODEL_ID),
	MODEL_FIELD(file_entry, name, MODEL_TEXT),
	{ "uploader_name", MODEL_TEXT, offsetof(struct file_entry, uploader) },
	MODEL_FIELD(file_entry, size, MODEL_I64),
	MODEL_FIELD(file_entry, comments, MODEL_LONG),
	MODEL_FIELD(file_entry, created, MODEL_I64),
	{ NULL }
};
static const struct model_kind file_kind = {
	"FILE", sizeof (struct file_entry), file_fields, NULL
};

static void
files_free(struct space *sp)
{
	model_free_all(sp->files, sp->nfiles, &file_kind);
	sp->files = NULL;
	sp->nfiles = 0;
	sp->files_loaded = 0;
}

static void
space_free(void *v)
{
	struct space *sp = v;

	people_free(sp);
	files_free(sp);
	free(sp->warning);
}

static const struct model_field space_fields[] = {
	MODEL_FIELD(space, id, MODEL_ID),
	MODEL_FIELD(space, workspace, MODEL_I64),
	MODEL_FIELD(space, title, MODEL_TEXT),
	MODEL_FIELD(space, description, MODEL_TEXT),
	MODEL_FIELD(space, role, MODEL_TEXT),
	MODEL_FIELD(space, archived, MODEL_FLAG),
	MODEL_FIELD(space, externals_invite, MODEL_FLAG),
	MODEL_FIELD(space, people, MODEL_LONG),
	MODEL_FIELD(space, pending, MODEL_LONG),
	MODEL_FIELD(space, overdue, MODEL_LONG),
	MODEL_FIELD(space, requests, MODEL_LONG),
	MODEL_FIELD(space, network, MODEL_FLAG),
	{ NULL }
};
static const struct model_kind space_kind = {
	"SPACE", sizeof (struct space), space_fields, space_free
};

/* The activity feed's entries are made here, not parsed. */
static const struct model_field activity_fields[] = {
	MODEL_FIELD(activity, type, MODEL_TEXT),
	MODEL_FIELD(activity, text, MODEL_TEXT),
	{ NULL }
};
static const struct model_kind activity_kind = {
	NULL, sizeof (struct activity), activity_fields, NULL
};

void
model_init(struct model *m)
{
	memset(m, 0, sizeof *m);
	m->dirty = DIRTY_ALL;
}

void
model_free(struct model *m)
{
	model_free_all(m->ws, m->nws, &workspace_kind);
	model_free_all(m->spaces, m->nspaces, &space_kind);
	model_free_all(m->act, m->nact, &activity_kind);
	free(m->email);
	free(m->name);
	model_contacts_free(m);
	model_candidates_free(m);
	model_chat_free(m);
	memset(m, 0, sizeof *m);
}

struct workspace *
model_workspace(struct model *m)
{
	return m->cur < m->nws ? &m->ws[m->cur] : NULL;
}

void
model_select(struct model *m, size_t i)
{
	if (i < m->nws && i != m->cur) {
		m->cur = i;
		m->dirty |= DIRTY_ALL;
	}
}

size_t
model_find_workspace(const struct model *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->nws; i++)
		if (strcmp(m->ws[i].name, name) == 0)
			break;
	return i;
}

static struct workspace *
find_ws(struct model *m, int64_t id)
{
	for (size_t i = 0; i < m->nws; i++)
		if (m->ws[i].id == id)
			return &m->ws[i];
	return NULL;
}

/* Takes the members of old into w if old had them loaded. */
static void
adopt_members(struct workspace *w, struct workspace *old)
{
	if (old == NULL || !old->loaded)
		return;
	w->members = old->members;
	w->nmembers = old->nmembers;
	w->loaded = 1;
	old->members = NULL;
	old->nmembers = 0;
}

int
model_whoami(struct model *m, char *const *lines, size_t n)
{
	struct workspace *cur = model_workspace(m), *ws = NULL;
	struct parsed p;
	int64_t user;
	size_t sel = 0;

	if (model_first(&p, lines, n, "USER") != 0)
		return -1;
	if ((user = model_id(&p.m, "id")) == 0 || (ws = model_lines(lines + 1,
	    n - 1, &workspace_kind)) == NULL) {
		free(p.copy);
		return -1;
	}
	for (size_t i = 0; i < n - 1; i++) {
		adopt_members(&ws[i], find_ws(m, ws[i].id));
		if (cur != NULL && ws[i].id == cur->id)
			sel = i;
	}
	model_free_all(m->ws, m->nws, &workspace_kind);
	free(m->email);
	free(m->name);
	m->ws = ws;
	m->nws = n - 1;
	m->cur = sel;
	m->user = user;
	m->email = model_dup(&p.m, "email");
	m->name = model_dup(&p.m, "name");
	free(p.copy);
	m->dirty |= DIRTY_ALL;
	return 0;
}

/* Sorted by name ignoring ASCII case, then by id, like the server. */
static int
member_cmp(const struct member *a, const struct member *b)
{
	int c = strcasecmp(a->name, b->name);

	if (c != 0)
		return c;
	return a->user < b->user ? -1 : a->user > b->user;
}

int
model_members(struct model *m, int64_t id, char *const *lines, size_t n)
{
	struct workspace *w = find_ws(m, id);
	struct member *mbs;

	if (w == NULL)
		return 0;	/* left it meanwhile: nothing to show */
	if ((mbs = model_lines(lines, n, &member_kind)) == NULL)
		return -1;
	model_free_all(w->members, w->nmembers, &member_kind);
	w->members = mbs;
	w->nmembers = n;
	w->loaded = 1;
	if (w == model_workspace(m))
		m->dirty |= DIRTY_MAIN;
	return 0;
}

/* Adds mb (taking its strings) or replaces the member with its id. */
static void
member_upsert(struct workspace *w, struct member *mb)
{
	size_t i;

	for (i = 0; i < w->nmembers; i++) {
		if (w->members[i].user == mb->user) {
			model_clear(&member_kind, &w->members[i]);
			memmove(&w->members[i], &w->members[i + 1],
			    (w->nmembers - i - 1) * sizeof *w->members);
			w->nmembers--;
			break;
		}
	}
	w->members = xreallocarray(w->members, w->nmembers + 1,
	    sizeof *w->members);
	for (i = 0; i < w->nmembers; i++)
		if (member_cmp(mb, &w->members[i]) < 0)
			break;
	memmove(&w->members[i + 1], &w->members[i],
	    (w->nmembers - i) * sizeof *w->members);
	w->members[i] = *mb;
	w->nmembers++;
}

static const char *
ws_name(struct model *m, const struct proto_msg *pm)
{
	struct workspace *w = find_ws(m, model_id(pm, "workspace"));

	return w != NULL ? w->name : _("a workspace");
}

static char *
member_added(struct model *m, const char *type, const struct proto_msg *pm)
{
	struct workspace *w;
	struct member mb = { 0 };
	int64_t id;
	char *text;

	xasprintf(&text, _("%s joined %s as %s"), model_someone(pm, "name"),
	    ws_name(m, pm), proto_get(pm, "role") ? proto_get(pm, "role") :
	    "member");
	if (proto_get_i64(pm, "workspace", 1, INT64_MAX, &id) != 0 ||
	    proto_get_i64(pm, "user", 1, INT64_MAX, &mb.user) != 0)
		return text;
	if ((w = find_ws(m, id)) == NULL) {
		if (mb.user == m->user)
			m->stale = 1;	/* we joined a workspace */
		return text;
	}
	if (!w->loaded)
		return text;
	(void)model_fill(&member_kind, pm, &mb);	/* its user is known */
	member_upsert(w, &mb);
	if (w == model_workspace(m))
		m->dirty |= DIRTY_MAIN;
	return text;
}

/* Spaces ------------------------------------------------------------------ */

struct space *
model_space(struct model *m, int64_t id)
{
	for (size_t i = 0; i < m->nspaces; i++)
		if (m->spaces[i].id == id)
			return &m->spaces[i];
	return NULL;
}

/* What only other replies tell of a space (its files, its unread count)
   moves from old to sp. */
static void
space_keep(struct space *sp, struct space *old)
{
	sp->files = old->files;
	sp->nfiles = old->nfiles;
	sp->files_loaded = old->files_loaded;
	sp->unread = old->unread;
	old->files = NULL;
	old->nfiles = 0;
}

int
model_spaces(struct model *m, char *const *lines, size_t n)
{
	struct space *v, *old;

	if ((v = model_lines(lines, n, &space_kind)) == NULL)
		return -1;
	for (size_t k = 0; k < n; k++) {
		/* The people shown stay until SPACE.SHOW again, so the
		   screen (and its selection) does not empty meanwhile. */
		if ((old = model_space(m, v[k].id)) != NULL) {
			v[k].people_list = old->people_list;
			v[k].npeople = old->npeople;
			v[k].loaded = old->loaded;
			v[k].warning = old->warning;
			old->people_list = NULL;
			old->npeople = 0;
			old->warning = NULL;
			space_keep(&v[k], old);
		}
	}
	model_free_all(m->spaces, m->nspaces, &space_kind);
	m->spaces = v;
	m->nspaces = n;
	m->spaces_stale = 0;
	m->dirty |= DIRTY_SIDEBAR | DIRTY_MAIN;
	return 0;
}

int
model_space_show(struct model *m, char *const *lines, size_t n,
    const char *warning)
{
	struct space fresh = { 0 }, *sp;
	struct participant *v = NULL;
	struct parsed p;

	if (model_first(&p, lines, n, "SPACE") != 0)
		return -1;
	if (model_fill(&space_kind, &p.m, &fresh) != 0 ||
	    (v = model_lines(lines + 1, n - 1, &participant_kind)) == NULL) {
		free(p.copy);
		model_clear(&space_kind, &fresh);
		return -1;
	}
	free(p.copy);
	if ((sp = model_space(m, fresh.id)) == NULL) {
		/* Not listed (yet): list it. */
		m->spaces = xreallocarray(m->spaces, m->nspaces + 1,
		    sizeof *m->spaces);
		sp = &m->spaces[m->nspaces++];
		memset(sp, 0, sizeof *sp);
		m->spaces_stale = 1;
	}
	fresh.people_list = v;
	fresh.npeople = n - 1;
	fresh.loaded = 1;
	fresh.warning = warning != NULL ? xstrdup(warning) : NULL;
	space_keep(&fresh, sp);
	model_clear(&space_kind, sp);
	*sp = fresh;
	m->dirty |= DIRTY_SIDEBAR | DIRTY_MAIN;
	return 0;
}

static void
space_remove(struct model *m, struct space *sp)
{
	size_t i = (size_t)(sp - m->spaces);

	model_clear(&space_kind, sp);
	memmove(&m->spaces[i], &m->spaces[i + 1],
	    (m->nspaces - i - 1) * sizeof *m->spaces);
	m->nspaces--;
	m->dirty |= DIRTY_SIDEBAR | DIRTY_MAIN;
}

#define NTEXTS(t)	(sizeof (t) / sizeof (t)[0])

static const char *const space_texts[][2] = {
	{ "space.created", N_("space \u201c%s\u201d created") },
	{ "space.updated", N_("space \u201c%s\u201d updated") },
	{ "space.archived", N_("space \u201c%s\u201d archived") },
	{ "space.reactivated", N_("space \u201c%s\u201d reactivated") },
	{ "space.deleted", N_("space \u201c%s\u201d deleted") },
	{ "space.revoked", N_("space \u201c%s\u201d revoked") },
	{ "space.granted", N_("space \u201c%s\u201d granted") },
	{ "space.left", N_("space \u201c%s\u201d left") },
};

/* A space event: the list changes; its text for the activity feed. */
static char *
space_event(struct model *m, const char *type, const struct proto_msg *pm)
{
	struct space *sp = model_space(m, model_id(pm, "space"));
	const char *title = proto_get(pm, "title");
	char *text;

	/* A deleted space's tombstone reaches everyone it was ever told to
	   (agora-protocol(7)): for one not on this screen it is no news. */
	if (sp == NULL && strcmp(type, "space.deleted") == 0)
		return NULL;
	if (title == NULL)
		title = sp != NULL ? sp->title : _("a space");
	xasprintf(&text, model_format(space_texts, NTEXTS(space_texts), type,
	    _("space \u201c%s\u201d changed")), title);
	if (strcmp(type, "space.deleted") == 0 ||
	    strcmp(type, "space.revoked") == 0 ||
	    strcmp(type, "space.left") == 0 ||
	    (strcmp(type, "space.archived") == 0 && sp != NULL &&
	    strcmp(sp->role, "external") == 0)) {
		if (sp != NULL)
			space_remove(m, sp);
		return text;
	}
	if (sp != NULL && strcmp(type, "space.updated") == 0) {
		free(sp->title);
		sp->title = xstrdup(title);
		/* SPACE.NETWORK's says only what it changed. */
		if (proto_get(pm, "description") != NULL) {
			free(sp->description);
			sp->description = model_dup(pm, "description");
		}
		if (proto_get(pm, "externals_invite") != NULL)
			sp->externals_invite = model_flag(pm,
			    "externals_invite");
		if (proto_get(pm, "network") != NULL &&
		    model_flag(pm, "network") != sp->network) {
			/* Everyone's role changed with it: ask again. */
			sp->network = model_flag(pm, "network");
			sp->loaded = 0;
			m->spaces_stale = 1;
		}
	} else if (sp != NULL && strcmp(type, "space.archived") == 0)
		sp->archived = 1;
	else if (sp != NULL && strcmp(type, "space.reactivated") == 0)
		sp->archived = 0;
	else
		m->spaces_stale = 1;	/* new to us: SPACE.LIST tells all */
	m->dirty |= DIRTY_SIDEBAR | DIRTY_MAIN;
	return text;
}

/* By what became of the participant: the event, or their status. */
static const char *const participant_texts[][2] = {
	{ "added", N_("%s added in \u201c%s\u201d") },
	{ "invited", N_("%s invited in \u201c%s\u201d") },
	{ "active", N_("%s active in \u201c%s\u201d") },
	{ "pending", N_("%s pending in \u201c%s\u201d") },
	{ "requested", N_("%s requested in \u201c%s\u201d") },
	{ "revoked", N_("%s revoked in \u201c%s\u201d") },
	{ "denied", N_("%s denied in \u201c%s\u201d") },
	{ "left", N_("%s left in \u201c%s\u201d") },
};

/* Someone came into a space, or their status changed. */
static char *
participant_event(struct model *m, const char *type,
    const struct proto_msg *pm)
{
	const char *who = model_someone(pm, "email");
	const char *name = proto_get(pm, "name"), *own = proto_get(pm,
	    "own_name"), *what = proto_get(pm, "status");
	int64_t id = model_id(pm, "space");
	struct space *sp = model_space(m, id);
	char *text;

	if (strcmp(type, "participant.added") == 0)
		what = what != NULL && strcmp(what, "active") == 0 ? "added" :
		    "invited";
	if (strcmp(type, "participant.updated") == 0 && name != NULL &&
	    own != NULL)
		/* A profile: the name as the space knows them, and theirs
		   when the space set its own. */
		xasprintf(&text, _("profile of %s in \u201c%s\u201d: %s (their "
		    "own name: %s)"), who, model_space_title(m, id), name, own);
	else if (strcmp(type, "participant.updated") == 0 && name != NULL)
		xasprintf(&text, _("profile of %s in \u201c%s\u201d: %s"), who,
		    model_space_title(m, id), name);
	else
		xasprintf(&text, model_format(participant_texts,
		    NTEXTS(participant_texts), what, _("%s changed in "
		    "\u201c%s\u201d")), who, model_space_title(m, id));
	/* Counts and people are the server's to say: ask again. */
	if (sp != NULL)
		sp->loaded = 0;
	m->spaces_stale = 1;
	m->dirty |= DIRTY_SIDEBAR | DIRTY_MAIN;
	return text;
}

int
model_files(struct model *m, int64_t id, char *const *lines, size_t n)
{
	struct space *sp = model_space(m, id);
	struct file_entry *v;

	if (sp == NULL)
		return 0;
	if ((v = model_lines(lines, n, &file_kind)) == NULL)
		return -1;
	files_free(sp);
	sp->files = v;
	sp->nfiles = n;
	sp->files_loaded = 1;
	m->dirty |= DIRTY_MAIN;
	return 0;
}

/* A file came, went, or was commented on: the list is asked again. */
static char *
file_event(struct model *m, const char *type, const struct proto_msg *pm)
{
	int64_t id = model_id(pm, "space");
	struct space *sp = model_space(m, id);
	const char *name = proto_get(pm, "name"), *body = proto_get(pm, "body");
	char *text;

	if (sp != NULL)
		sp->files_loaded = 0;
	if (strcmp(type, "comment.added") == 0) {
		/* The comments on screen: asked again (view-space.c). */
		m->comments_stale = 1;
		xasprintf(&text, _("comment in \u201c%s\u201d: %s"),
		    model_space_title(m, id), body != NULL ? body : "");
	} else
		xasprintf(&text, strcmp(type, "file.added") == 0 ?
		    _("file %s added in \u201c%s\u201d") :
		    _("file %s deleted in \u201c%s\u201d"), name != NULL ? name :
		    "", model_space_title(m, id));
	m->dirty |= DIRTY_MAIN;
	return text;
}

/* Events ---------------------------------------------------------------- */

/* An event of a type this client does not know: its parameters as sent. */
static char *
generic_text(const struct proto_msg *pm)
{
	struct buf *b = buf_new(0);
	char *text;

	buf_add_str(b, proto_get(pm, "type"));
	for (size_t i = 0; i < pm->nparams; i++) {
		if (strcmp(pm->params[i].key, "seq") == 0 ||
		    strcmp(pm->params[i].key, "type") == 0)
			continue;
		buf_printf(b, " %s=%s", pm->params[i].key,
		    pm->params[i].value);
	}
	text = buf_take(b);
	buf_free(b);
	return text;
}

static char *
session_event(struct model *m, const char *type, const struct proto_msg *pm)
{
	const char *v = proto_get(pm, "address");
	char *text;

	if (strcmp(type, "session.logout") == 0)
		return xstrdup(_("signed out (a session ended)"));
	xasprintf(&text, _("signed in from %s"), v != NULL ? v : "?");
	return text;
}

/* Who applies an event, by the start of its type: the first that fits. */
static const struct {
	const char	*prefix;
	char		*(*apply)(struct model *, const char *type,
			    const struct proto_msg *);
} model_events[] = {
	{ "member.added", member_added },
	{ "session.login", session_event },
	{ "session.logout", session_event },
	{ "space.", space_event },
	{ "participant.", participant_event },
	{ "file.", file_event },
	{ "comment.", file_event },
	{ "contact", model_contact_event },
	{ "presence", model_contact_event },
	{ "message.", model_chat_event },
	{ "conversation.", model_chat_event },
};

static char *
event_text(struct model *m, const char *type, const struct proto_msg *pm)
{
	for (size_t i = 0; i < sizeof model_events / sizeof model_events[0];
	    i++)
		if (strncmp(type, model_events[i].prefix,
		    strlen(model_events[i].prefix)) == 0)
			return model_events[i].apply(m, type, pm);
	return generic_text(pm);
}

static void
activity_add(struct model *m, int64_t seq, const char *type, char *text)
{
	if (m->nact == MODEL_ACTIVITY_MAX) {
		model_clear(&activity_kind, &m->act[0]);
		memmove(&m->act[0], &m->act[1], (m->nact - 1) * sizeof *m->act);
		m->nact--;
	}
	if (m->nact == 0 || (m->nact & (m->nact - 1)) == 0)
		m->act = xreallocarray(m->act, m->nact == 0 ? 1 : m->nact * 2,
		    sizeof *m->act);
	m->act[m->nact].seq = seq;
	m->act[m->nact].type = xstrdup(type);
	m->act[m->nact].text = text;
	m->nact++;
}

int
model_event(struct model *m, const char *line)
{
	const char *type;
	struct parsed p;
	int64_t seq;
	char *text;

	if (model_parse(&p, line) != 0)
		return -1;
	if (strcmp(p.m.word, "EVENT") != 0 ||
	    proto_get_i64(&p.m, "seq", 1, INT64_MAX, &seq) != 0 ||
	    (type = proto_get(&p.m, "type")) == NULL) {
		free(p.copy);
		return -1;
	}
	if (seq <= m->seq) {
		free(p.copy);
		return 0;
	}
	m->seq = seq;
	/* Some events are state (presence, read marks), not news. */
	if ((text = event_text(m, type, &p.m)) != NULL)
		activity_add(m, seq, type, text);
	m->dirty |= DIRTY_MAIN;
	free(p.copy);
	return 1;
}
