/* The server's words as the screen shows them (labels.h). */
#include <string.h>

#include "i18n.h"
#include "labels.h"

/* What SQL's CHECKs allow (sql/001_init.sql, 002_spaces.sql,
   005_networks.sql) and the plans (server/plan.c). */
static const struct {
	const char	*word;
	const char	*label;
} labels[] = {
	/* TRANSLATORS: roles and statuses go into columns of 13 and 17
	   cells: keep them short. */
	{ "owner",		N_("owner") },
	{ "admin",		N_("admin") },
	{ "manager",		N_("manager") },
	{ "member",		N_("member") },
	{ "internal",		N_("internal") },
	{ "external",		N_("external") },
	{ "collaborator",	N_("collaborator") },
	{ "pending",		N_("pending") },
	{ "active",		N_("active") },
	{ "requested",		N_("requested") },
	{ "revoked",		N_("revoked") },
	{ "free",		N_("free") },
};

const char *
label_of(const char *word)
{
	for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
		if (strcmp(labels[i].word, word) == 0)
			return _(labels[i].label);
	return word;
}
