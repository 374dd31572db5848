/*
 * Professional contacts in the model: the list CONTACTS gives (or that
 * the user has no paid plan for it), each contact's networks in common
 * (CONTACT.SHOW), and the invitation candidates of the invite form.
 * Events keep it current: presence flips the online mark, contact.prefs
 * the preferences, and contacts.changed makes the list stale (the server
 * says who the contacts are; the client does not guess).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model-priv.h"

static const struct model_field contact_fields[] = {
	MODEL_FIELD(contact, user, MODEL_ID),
	MODEL_FIELD(contact, name, MODEL_TEXT),
	MODEL_FIELD(contact, email, MODEL_TEXT),
	MODEL_FIELD(contact, company, MODEL_TEXT),
	MODEL_FIELD(contact, job_title, MODEL_TEXT),
	MODEL_FIELD(contact, online, MODEL_FLAG),
	MODEL_FIELD(contact, networks, MODEL_LONG),
	MODEL_FIELD(contact, always_add, MODEL_FLAG),
	MODEL_FIELD(contact, always_collaborator, MODEL_FLAG),
	MODEL_FIELD(contact, unread, MODEL_LONG),
	{ NULL }
};
static const struct model_kind contact_kind = {
	"CONTACT", sizeof (struct contact), contact_fields, NULL
};

static const struct model_field network_fields[] = {
	MODEL_FIELD(common_network, space, MODEL_ID),
	MODEL_FIELD(common_network, title, MODEL_TEXT),
	{ NULL }
};
static const struct model_kind network_kind = {
	"NETWORK", sizeof (struct common_network), network_fields, NULL
};

static const struct model_field candidate_fields[] = {
	MODEL_FIELD(candidate, user, MODEL_ID),
	MODEL_FIELD(candidate, name, MODEL_TEXT),
	MODEL_FIELD(candidate, email, MODEL_TEXT),
	MODEL_FIELD(candidate, contact, MODEL_FLAG),
	{ NULL }
};
static const struct model_kind candidate_kind = {
	"CANDIDATE", sizeof (struct candidate), candidate_fields, NULL
};

static void
common_free(struct model *m)
{
	model_free_all(m->common, m->ncommon, &network_kind);
	m->common = NULL;
	m->ncommon = 0;
}

void
model_contacts_free(struct model *m)
{
	model_free_all(m->contacts, m->ncontacts, &contact_kind);
	m->contacts = NULL;
	m->ncontacts = 0;
	common_free(m);
}

void
model_candidates_free(struct model *m)
{
	model_free_all(m->cands, m->ncands, &candidate_kind);
	m->cands = NULL;
	m->ncands = 0;
}

struct contact *
model_contact(struct model *m, int64_t user)
{
	for (size_t i = 0; i < m->ncontacts; i++)
		if (m->contacts[i].user == user)
			return &m->contacts[i];
	return NULL;
}

/* By name ignoring ASCII case, then by id: the sidebar's order. */
static int
contact_cmp(const void *x, const void *y)
{
	const struct contact *a = x, *b = y;
	int c = strcasecmp(a->name, b->name);

	if (c != 0)
		return c;
	return a->user < b->user ? -1 : a->user > b->user;
}

/* Whether v[0..n) has user already. */
static int
contact_listed(const struct contact *v, size_t n, int64_t user)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].user == user)
			return 1;
	return 0;
}

/* What events newer than the reply's mark said of c stays (see model.h). */
static void
contact_keep_newer(struct contact *c, const struct contact *old, int64_t mark)
{
	if (old == NULL)
		return;
	if (old->online_seq > mark) {
		c->online = old->online;
		c->online_seq = old->online_seq;
	}
	if (old->prefs_seq > mark) {
		c->always_add = old->always_add;
		c->always_collaborator = old->always_collaborator;
		c->prefs_seq = old->prefs_seq;
	}
}

int
model_contacts(struct model *m, char *const *lines, size_t n, int64_t mark)
{
	struct contact *v;
	size_t k = 0;

	if ((v = model_lines(lines, n, &contact_kind)) == NULL)
		return -1;
	/* Each contact once, whatever the server sends. */
	for (size_t i = 0; i < n; i++) {
		if (contact_listed(v, k, v[i].user))
			model_clear(&contact_kind, &v[i]);
		else
			v[k++] = v[i];
	}
	qsort(v, k, sizeof *v, contact_cmp);
	for (size_t i = 0; i < k; i++)
		contact_keep_newer(&v[i], model_contact(m, v[i].user), mark);
	model_free_all(m->contacts, m->ncontacts, &contact_kind);
	m->contacts = v;
	m->ncontacts = k;
	m->contacts_state = CONTACTS_LOADED;
	m->contacts_stale = 0;
	m->dirty |= DIRTY_SIDEBAR | DIRTY_MAIN;
	return 0;
}

void
model_contacts_refused(struct model *m)
{
	model_contacts_free(m);
	m->common_of = 0;
	m->contacts_state = CONTACTS_PLAN_REQUIRED;
	m->contacts_stale = 0;
	m->dirty |= DIRTY_SIDEBAR | DIRTY_MAIN;
}

/* Replaces what the list says of c->user with c (taking its strings). */
static void
contact_update(struct model *m, struct contact *c, int64_t mark)
{
	struct contact *old = model_contact(m, c->user);

	if (old == NULL) {
		model_clear(&contact_kind, c);
		m->contacts_stale = 1;	/* new to us: CONTACTS tells all */
		return;
	}
	contact_keep_newer(c, old, mark);
	model_clear(&contact_kind, old);
	*old = *c;
}

int
model_contact_show(struct model *m, char *const *lines, size_t n,
    int64_t mark)
{
	struct common_network *v = NULL;
	struct contact c = { 0 };
	struct parsed p;

	if (model_first(&p, lines, n, "CONTACT") != 0)
		return -1;
	if (model_fill(&contact_kind, &p.m, &c) != 0 ||
	    (v = model_lines(lines + 1, n - 1, &network_kind)) == NULL) {
		free(p.copy);
		model_clear(&contact_kind, &c);
		return -1;
	}
	free(p.copy);
	common_free(m);
	m->common = v;
	m->ncommon = n - 1;
	m->common_of = c.user;
	contact_update(m, &c, mark);
	m->dirty |= DIRTY_SIDEBAR | DIRTY_MAIN;
	return 0;
}

int
model_candidates(struct model *m, char *const *lines, size_t n)
{
	struct candidate *v;

	if ((v = model_lines(lines, n, &candidate_kind)) == NULL)
		return -1;
	model_candidates_free(m);
	m->cands = v;
	m->ncands = n;
	m->dirty |= DIRTY_MAIN;
	return 0;
}

void
model_candidates_clear(struct model *m)
{
	model_candidates_free(m);
	m->dirty |= DIRTY_MAIN;
}

char *
model_contact_event(struct model *m, const char *type,
    const struct proto_msg *pm)
{
	struct contact *c = model_contact(m, model_id(pm, "user"));

	if (strcmp(type, "contacts.changed") == 0) {
		m->contacts_stale = 1;
		return NULL;
	}
	if (strcmp(type, "presence") == 0) {
		if (c != NULL) {
			c->online = model_flag(pm, "online");
			c->online_seq = model_id(pm, "seq");
		}
		m->dirty |= DIRTY_SIDEBAR;
		return NULL;
	}
	if (strcmp(type, "contact.prefs") == 0) {
		if (c != NULL) {
			c->prefs_seq = model_id(pm, "seq");
			if (proto_get(pm, "always_add") != NULL)
				c->always_add = model_flag(pm, "always_add");
			if (proto_get(pm, "always_collaborator") != NULL)
				c->always_collaborator = model_flag(pm,
				    "always_collaborator");
		}
		m->dirty |= DIRTY_SIDEBAR;
		return NULL;
	}
	/* A contact.* this version does not know: as sent. */
	return NULL;
}
