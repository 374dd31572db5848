/*
 * Business networks and professional contacts for scripts: agora network
 * flag|unflag, contacts, contact show|prefs and candidates. A free user
 * asking for a network feature gets the server's plan_required as one line
 * and exit status CLI_EX_PLAN. Text from other users is sanitised; JSON
 * carries it as it came, escaped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>

#include "cli.h"
#include "client.h"
#include "proto.h"
#include "text.h"
#include "xmalloc.h"

/* agora network flag|unflag SPACE */
static int
cli_network(const struct cli_opts *o, const struct cli_args *a)
{
	struct client_reply *r;
	int status, flag = strcmp(a->name, "network flag") == 0;

	if ((r = cli_call(o, NULL, a->name, &status, "SPACE.NETWORK", "space",
	    a->ops[0], "network", flag ? "1" : "0", NULL)) == NULL)
		return status;
	printf(flag ? _("space %s is a business network\n") : _("space %s is "
	    "no longer a business network\n"), a->ops[0]);
	client_reply_free(r);
	return EX_OK;
}

static int
cli_contacts(const struct cli_opts *o, const struct cli_args *a)
{
	static const char *const cols[] = { "user", "online", "unread",
		"networks", "email", "name", NULL };
	static const int widths[] = { 6, 6, 6, 8, 32, 0 };
	int status;

	return cli_print_reply(cli_call(o, NULL, "contacts", &status,
	    "CONTACTS", NULL), &status, a->json, cols, widths);
}

/*
 * By e-mail through CONTACTS: the one list that has every contact's
 * address (INVITE.CANDIDATES needs a space and leaves out its people).
 * Someone who is not a contact is named by their user id.
 */
char *
cli_contact_id(struct client *c, const char *who, int *status)
{
	struct client_reply *r;
	char *email, *id = NULL;

	if (*who != '\0' && strspn(who, "0123456789") == strlen(who))
		return xstrdup(who);
	if (strchr(who, '@') == NULL) {
		*status = cli_fail(EX_NOINPUT, _("\"%s\" is not a user id or "
		    "an e-mail address"), who);
		return NULL;
	}
	if ((r = cli_call(NULL, c, who, status, "CONTACTS", NULL)) == NULL)
		return NULL;
	for (size_t i = 0; i < r->ndata && id == NULL; i++) {
		if ((email = client_line_get(r->data[i], "email")) != NULL &&
		    strcasecmp(email, who) == 0)
			id = client_line_get(r->data[i], "user");
		free(email);
	}
	client_reply_free(r);
	if (id == NULL)
		*status = cli_fail(EX_NOINPUT, _("%s is not one of your "
		    "professional contacts: give their user id"), who);
	return id;
}

/* "label  value", the label translated in a column of 20 (by width,
   not bytes), the value sanitised. */
static void
show_row(const char *label, const char *value)
{
	char *safe = text_sanitize(value, strlen(value), 0);

	label = _(label);
	printf("%s%*s%s\n", label, 21 - (int)text_width(label), "", safe);
	free(safe);
}

static void
show_field(const struct proto_msg *m, const char *label, const char *key)
{
	const char *v = proto_get(m, key);

	show_row(label, v != NULL ? v : "");
}

static void
show_flag(const struct proto_msg *m, const char *label, const char *key)
{
	const char *v = proto_get(m, key);

	show_row(label, v != NULL && strcmp(v, "1") == 0 ? _("on") : _("off"));
}

static void
show_prefs(const struct proto_msg *m)
{
	show_flag(m, N_("always-add"), "always_add");
	show_flag(m, N_("always-collaborator"), "always_collaborator");
}

/* Runs f on the reply's first data line, parsed; 0, or -1 if none. */
static int
first_line(const struct client_reply *r, void (*f)(const struct proto_msg *))
{
	struct proto_msg m;
	const char *why;
	char *copy;
	int rc = -1;

	if (r->ndata == 0)
		return -1;
	copy = xstrdup(r->data[0]);
	if (proto_parse(copy, strlen(copy), &m, &why) == 0) {
		f(&m);
		rc = 0;
	}
	free(copy);
	return rc;
}

static void
show_contact(const struct proto_msg *m)
{
	show_field(m, N_("user"), "user");
	show_field(m, N_("name"), "name");
	show_field(m, N_("email"), "email");
	show_field(m, N_("company"), "company");
	show_field(m, N_("job title"), "job_title");
	show_flag(m, N_("online"), "online");
	show_field(m, N_("unread"), "unread");
	show_prefs(m);
}

/* The CONTACT line, then the networks in common. */
static void
contact_print(const struct client_reply *r, int json)
{
	struct client_reply nets = *r;

	nets.data = r->data + (r->ndata > 0);
	nets.ndata = r->ndata - (r->ndata > 0);
	if (json) {
		/* {"user":..., "networks":"2", ..., "in_common":[{"space":...,
		   "title":...}]}: "networks" is already the CONTACT line's. */
		putchar('{');
		printf("%s\"in_common\":", first_line(r, cli_json_members) ==
		    0 ? "," : "");
		cli_json_array(&nets);
		printf("}\n");
		return;
	}
	first_line(r, show_contact);
	printf(_("networks in common:\n"));
	cli_print_lines(&nets, 0, (const char *const[]){ "space", "title",
	    NULL }, (const int[]){ 6, 0 });
}

/* on|off as 1|0; NULL for anything else. */
static const char *
on_off(const char *v)
{
	if (strcmp(v, "on") == 0)
		return "1";
	if (strcmp(v, "off") == 0)
		return "0";
	return NULL;
}

/* Sets the preferences given, if any, then shows them. */
static int
contact_prefs(struct client *c, const struct cli_args *a, const char *who)
{
	static const char *const opts[] = { "always-add",
		"always-collaborator" };
	const char *v[2];
	struct client_reply *r = NULL;
	char *id;
	int status;

	for (size_t i = 0; i < 2; i++)
		if ((v[i] = cli_opt(a, opts[i])) != NULL &&
		    (v[i] = on_off(v[i])) == NULL)
			return cli_fail(EX_USAGE, _("contact prefs: say on "
			    "or off"));
	if ((id = cli_contact_id(c, who, &status)) == NULL)
		return status;
	if ((v[0] == NULL && v[1] == NULL) || (r = cli_call(NULL, c,
	    "contact prefs", &status, "CONTACT.PREFS", "user", id,
	    "always_add", v[0], "always_collaborator", v[1], NULL)) != NULL) {
		client_reply_free(r);
		r = cli_call(NULL, c, "contact prefs", &status, "CONTACT.SHOW",
		    "user", id, NULL);
	}
	free(id);
	if (r == NULL)
		return status;
	first_line(r, show_prefs);
	client_reply_free(r);
	return EX_OK;
}

/* contact show|prefs CONTACT */
static int
cli_contact(const struct cli_opts *o, const struct cli_args *a)
{
	struct client_reply *r;
	struct client *c;
	char *id = NULL;
	int status;

	if ((c = cli_session(o, &status)) == NULL)
		return status;
	if (strcmp(a->name, "contact prefs") == 0)
		status = contact_prefs(c, a, a->ops[0]);
	else if ((id = cli_contact_id(c, a->ops[0], &status)) != NULL &&
	    (r = cli_call(NULL, c, "contact", &status, "CONTACT.SHOW", "user",
	    id, NULL)) != NULL) {
		contact_print(r, a->json);
		client_reply_free(r);
	}
	free(id);
	client_close(c);
	return status;
}

/* agora candidates SPACE [PREFIX] [--limit N] [--json] */
static int
cli_candidates(const struct cli_opts *o, const struct cli_args *a)
{
	static const char *const cols[] = { "user", "contact", "email",
		"name", NULL };
	static const int widths[] = { 6, 7, 32, 0 };
	int status;

	return cli_print_reply(cli_call(o, NULL, "candidates", &status,
	    "INVITE.CANDIDATES", "space", a->ops[0], "prefix", a->n == 2 ?
	    a->ops[1] : NULL, "limit", cli_opt(a, "limit"), NULL), &status,
	    a->json, cols, widths);
}

const struct cli_cmd cli_network_cmds[] = {
	{ "network flag SPACE", cli_network, N_("make a space a business "
	    "network"), NULL, NULL },
	{ "network unflag SPACE", cli_network, N_("make it an ordinary space "
	    "again"), NULL, NULL },
	{ "contacts", cli_contacts, N_("your professional contacts"),
	    CLI_OPTIONS(CLI_JSON), NULL },
	{ "contact show CONTACT", cli_contact, N_("a contact, and the "
	    "networks in common"), CLI_OPTIONS(CLI_JSON), NULL },
	{ "contact prefs CONTACT", cli_contact, N_("set, then print, the "
	    "invitation preferences"), CLI_OPTIONS({ "always-add", "on|off",
	    N_("invite them to every space you create") },
	    { "always-collaborator", "on|off", N_("make them a collaborator "
	    "wherever you add them") }), NULL },
	{ "candidates SPACE [PREFIX]", cli_candidates, N_("whom you could "
	    "invite to a space"), CLI_OPTIONS({ "limit", "N", N_("at most N "
	    "of them") }, CLI_JSON), NULL },
	{ 0 }
};
