#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model.h"
#include "proto.h"
#include "xmalloc.h"

/* Lines are parsed in place, so every parse works on a copy. */
struct parsed {
	char		*copy;
	struct proto_msg m;
};

static int
parse(struct parsed *p, const char *line)
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

static char *
dup_param(const struct proto_msg *m, const char *key)
{
	const char *v = proto_get(m, key);

	return xstrdup(v != NULL ? v : "");
}

static void
member_free(struct member *mb)
{
	free(mb->name);
	free(mb->email);
	free(mb->role);
}

static void
workspace_free(struct workspace *w)
{
	for (size_t i = 0; i < w->nmembers; i++)
		member_free(&w->members[i]);
	free(w->members);
	free(w->name);
	free(w->role);
	free(w->plan);
}

static void
activity_free(struct activity *a)
{
	free(a->type);
	free(a->text);
}

void
model_init(struct model *m)
{
	memset(m, 0, sizeof *m);
	m->dirty = DIRTY_ALL;
}

void
model_free(struct model *m)
{
	for (size_t i = 0; i < m->nws; i++)
		workspace_free(&m->ws[i]);
	free(m->ws);
	for (size_t i = 0; i < m->nact; i++)
		activity_free(&m->act[i]);
	free(m->act);
	free(m->email);
	free(m->name);
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
	struct workspace *ws = xcalloc(n, sizeof *ws);
	int64_t cur = model_workspace(m) ? model_workspace(m)->id : 0, user = 0;
	char *email = NULL, *name = NULL;
	size_t nws = 0, sel = 0;
	struct parsed p;
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++) {
		if (parse(&p, lines[i]) != 0) {
			rc = -1;
			break;
		}
		if (strcmp(p.m.word, "USER") == 0) {
			free(email);
			free(name);
			email = dup_param(&p.m, "email");
			name = dup_param(&p.m, "name");
			if (proto_get_i64(&p.m, "id", 1, INT64_MAX, &user) != 0)
				rc = -1;
		} else if (strcmp(p.m.word, "WORKSPACE") == 0) {
			struct workspace *w = &ws[nws];

			if (proto_get_i64(&p.m, "id", 1, INT64_MAX, &w->id) != 0)
				rc = -1;
			w->name = dup_param(&p.m, "name");
			w->role = dup_param(&p.m, "role");
			w->plan = dup_param(&p.m, "plan");
			nws++;
		}
		free(p.copy);
	}
	if (rc != 0 || user == 0) {
		for (size_t i = 0; i < nws; i++)
			workspace_free(&ws[i]);
		free(ws);
		free(email);
		free(name);
		return -1;
	}
	for (size_t i = 0; i < nws; i++) {
		adopt_members(&ws[i], find_ws(m, ws[i].id));
		if (ws[i].id == cur)
			sel = i;
	}
	for (size_t i = 0; i < m->nws; i++)
		workspace_free(&m->ws[i]);
	free(m->ws);
	free(m->email);
	free(m->name);
	m->ws = ws;
	m->nws = nws;
	m->cur = nws > 0 ? sel : 0;
	m->user = user;
	m->email = email;
	m->name = name;
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

static int
member_parse(const struct proto_msg *pm, struct member *mb)
{
	memset(mb, 0, sizeof *mb);
	if (strcmp(pm->word, "MEMBER") != 0 ||
	    proto_get_i64(pm, "user", 1, INT64_MAX, &mb->user) != 0)
		return -1;
	mb->name = dup_param(pm, "name");
	mb->email = dup_param(pm, "email");
	mb->role = dup_param(pm, "role");
	return 0;
}

int
model_members(struct model *m, int64_t id, char *const *lines, size_t n)
{
	struct workspace *w = find_ws(m, id);
	struct member *mbs;
	struct parsed p;
	size_t k = 0;

	if (w == NULL)
		return 0;	/* left it meanwhile: nothing to show */
	mbs = xcalloc(n, sizeof *mbs);
	for (; k < n; k++) {
		if (parse(&p, lines[k]) != 0)
			break;
		if (member_parse(&p.m, &mbs[k]) != 0) {
			member_free(&mbs[k]);
			free(p.copy);
			break;
		}
		free(p.copy);
	}
	if (k < n) {
		while (k-- > 0)
			member_free(&mbs[k]);
		free(mbs);
		return -1;
	}
	for (size_t i = 0; i < w->nmembers; i++)
		member_free(&w->members[i]);
	free(w->members);
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
			member_free(&w->members[i]);
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
	int64_t id;
	struct workspace *w;

	if (proto_get_i64(pm, "workspace", 1, INT64_MAX, &id) == 0 &&
	    (w = find_ws(m, id)) != NULL)
		return w->name;
	return "a workspace";
}

static char *
member_added(struct model *m, const struct proto_msg *pm)
{
	struct workspace *w;
	struct member mb;
	int64_t id;
	char *text;

	xasprintf(&text, "%s joined %s as %s", proto_get(pm, "name") ?
	    proto_get(pm, "name") : "someone", ws_name(m, pm),
	    proto_get(pm, "role") ? proto_get(pm, "role") : "member");
	memset(&mb, 0, sizeof mb);
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
	mb.name = dup_param(pm, "name");
	mb.email = dup_param(pm, "email");
	mb.role = dup_param(pm, "role");
	member_upsert(w, &mb);
	if (w == model_workspace(m))
		m->dirty |= DIRTY_MAIN;
	return text;
}

/* An event of a type this client does not know: its parameters as sent. */
static char *
generic_text(const struct proto_msg *pm)
{
	size_t len = strlen(pm->word) + 1;
	char *text, *p;

	for (size_t i = 0; i < pm->nparams; i++)
		len += strlen(pm->params[i].key) + pm->params[i].len + 2;
	p = text = xmalloc(len + 1);
	p = stpcpy(p, proto_get(pm, "type"));
	for (size_t i = 0; i < pm->nparams; i++) {
		if (strcmp(pm->params[i].key, "seq") == 0 ||
		    strcmp(pm->params[i].key, "type") == 0)
			continue;
		p += sprintf(p, " %s=%s", pm->params[i].key,
		    pm->params[i].value);
	}
	return text;
}

static char *
event_text(struct model *m, const char *type, const struct proto_msg *pm)
{
	const char *v;
	char *text;

	if (strcmp(type, "member.added") == 0)
		return member_added(m, pm);
	if (strcmp(type, "session.login") == 0) {
		v = proto_get(pm, "address");
		xasprintf(&text, "signed in from %s", v != NULL ? v : "?");
		return text;
	}
	if (strcmp(type, "session.logout") == 0)
		return xstrdup("signed out (a session ended)");
	return generic_text(pm);
}

static void
activity_add(struct model *m, int64_t seq, const char *type, char *text)
{
	if (m->nact == MODEL_ACTIVITY_MAX) {
		activity_free(&m->act[0]);
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

	if (parse(&p, line) != 0)
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
	activity_add(m, seq, type, event_text(m, type, &p.m));
	m->dirty |= DIRTY_MAIN;
	free(p.copy);
	return 1;
}
