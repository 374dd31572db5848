/*
 * The ":" command line: a table of commands, each with what its argument
 * completes from, and every action of the key map by its name (keymap.c),
 * run as its key would. The help overlay lists the table; Tab completes
 * verbs, then names.
 */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "xmalloc.h"

enum complete_from {
	FROM_NOTHING,
	FROM_VIEWS,
	FROM_WORKSPACES,
	FROM_CONTACTS
};

struct command {
	const char		*verb;
	const char		*args;		/* for help */
	enum complete_from	 from;
	void			(*run)(struct app *, const char *arg);
	enum action		 act;		/* else this, as its key would */
	const char		*help;
};

/* The views :view can name (a space, its files: from the sidebar). */
static void
cmd_view(struct app *a, const char *arg)
{
	for (size_t v = 0; v < VIEW_COUNT; v++) {
		if (views[v]->name != NULL && strcmp(arg, views[v]->name) == 0) {
			app_set_view(a, (enum view)v);
			a->focus = PANE_MAIN;
			return;
		}
	}
	app_status(a, 1, _("no view \"%s\" (Tab completes)"), arg);
}

static void
cmd_workspace(struct app *a, const char *arg)
{
	size_t i = model_find_workspace(&a->model, arg);

	if (i < a->model.nws)
		app_workspace(a, i);
	else
		app_status(a, 1, _("no workspace \"%s\" (Tab completes)"),
		    arg);
}

/* The length of who if arg names them (alone, or before a space). */
static size_t
names(const char *arg, const char *who)
{
	size_t len = strlen(who);

	return strncmp(arg, who, len) == 0 && (arg[len] == '\0' ||
	    arg[len] == ' ') ? len : 0;
}

/*
 * The conversation with a professional contact, by name or e-mail; a
 * text after the name is sent there, as if typed into its field.
 */
static void
cmd_msg(struct app *a, const char *arg)
{
	struct model *m = &a->model;
	size_t len, best = 0, who = m->ncontacts;

	/* The longest name that fits: "Bob Chen hi" is Bob Chen's. */
	for (size_t i = 0; i < m->ncontacts; i++) {
		if ((len = names(arg, m->contacts[i].name)) == 0)
			len = names(arg, m->contacts[i].email);
		if (len > best) {
			best = len;
			who = i;
		}
	}
	if (who < m->ncontacts) {
		chat_open(a, CHAT_DIRECT, m->contacts[who].user);
		arg += best + strspn(arg + best, " ");
		if (*arg != '\0') {
			field_set(chat_field(a), arg);
			app_action(a, VIEW_CHAT, A_SEND);
		}
		return;
	}
	app_status(a, 1, _("no professional contact \"%s\" (Tab completes)"),
	    arg);
}

static void
cmd_connect(struct app *a, const char *arg)
{
	(void)arg;
	if (a->state == LINK_ONLINE) {
		app_status(a, 0, _("already connected"));

		return;
	}
	link_start(a);
}

static const struct command commands[] = {
	{ "connect", "connect", FROM_NOTHING, cmd_connect, A_NONE,
	  N_("connect again now (after a refusal or while waiting)") },
	{ "help", "help", FROM_NOTHING, NULL, A_HELP,
	  N_("the keys and commands") },
	{ "msg", "msg NAME [TEXT]", FROM_CONTACTS, cmd_msg, A_NONE,
	  N_("the conversation with the professional contact NAME (sends "
	  "TEXT)") },
	{ "quit", "quit", FROM_NOTHING, NULL, A_QUIT, N_("quit agora") },
	{ "redraw", "redraw", FROM_NOTHING, NULL, A_REDRAW,
	  N_("redraw the screen") },
	/* TRANSLATORS: the views' names are what :view takes, in English. */
	{ "view", "view NAME", FROM_VIEWS, cmd_view, A_NONE,
	  N_("overview, activity, people, spaces, networks, contacts") },
	{ "workspace", "workspace NAME", FROM_WORKSPACES, cmd_workspace,
	  A_NONE, N_("switch to the workspace called NAME") },
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

const char *
command_help(size_t i, const char **args)
{
	if (i < NCOMMANDS) {
		*args = commands[i].args;
		return _(commands[i].help);
	}
	/* Then the key map's actions by name, as agora(1) lists them. */
	for (int act = A_NONE + 1; act < A_COUNT; act++) {
		if ((*args = keymap_name((enum action)act)) != NULL &&
		    i-- == NCOMMANDS)
			return keymap_describe((enum action)act);
	}
	return NULL;
}

/* The command for verb, also as an unambiguous prefix ("q", "ws"...). */
static const struct command *
command_find(const char *verb, size_t len)
{
	const struct command *found = NULL;

	for (size_t i = 0; i < NCOMMANDS; i++) {
		if (strlen(commands[i].verb) == len &&
		    strncmp(commands[i].verb, verb, len) == 0)
			return &commands[i];
		if (strncmp(commands[i].verb, verb, len) == 0)
			found = found == NULL ? &commands[i] : &commands[NCOMMANDS];
	}
	return found == &commands[NCOMMANDS] ? NULL : found;
}

/* The action a key does, by its name (keymap_name), also as an
   unambiguous prefix; A_NONE if none. */
static enum action
command_find_action(const char *verb, size_t len)
{
	enum action found = A_NONE;
	const char *name;

	for (int i = A_NONE + 1; i < A_COUNT; i++) {
		if ((name = keymap_name((enum action)i)) == NULL ||
		    strncmp(name, verb, len) != 0)
			continue;
		if (strlen(name) == len)
			return (enum action)i;
		found = found == A_NONE ? (enum action)i : A_COUNT;
	}
	return found == A_COUNT ? A_NONE : found;
}

/*
 * A key's action by its name, where its key would work: the same view
 * runs it. An argument fills the prompt it opens and answers it, so
 * ":invite dana@globex.example" asks only for the message.
 */
static int
command_action(struct app *a, const char *verb, size_t len, const char *arg)
{
	enum action act = command_find_action(verb, len);
	unsigned where = app_help_context(a);
	const struct keybind *b = NULL;

	if (act == A_NONE)
		return -1;
	for (size_t i = 0; i < keymap_len && b == NULL; i++)
		if (keymap[i].action == act && (keymap[i].where & where))
			b = &keymap[i];
	if (b == NULL) {
		app_status(a, 1, _(":%s is not for here: %s"), keymap_name(act),
		    keymap_describe(act));
		return 0;
	}
	app_action(a, b->view, act);
	if (*arg != '\0' && a->mode == MODE_PROMPT) {
		field_set(&a->input, arg);
		app_action(a, VIEW_NONE, A_ACCEPT);
	}
	return 0;
}

void
command_run(struct app *a, const char *line)
{
	const struct command *c;
	const char *arg;
	size_t len;

	line += strspn(line, " ");
	if (*line == '\0')
		return;
	len = strcspn(line, " ");
	arg = line + len + strspn(line + len, " ");
	if ((c = command_find(line, len)) == NULL) {
		if (command_action(a, line, len, arg) != 0)
			app_status(a, 1, _("unknown command \"%.*s\" (:help "
			    "lists them)"), (int)len, line);
		return;
	}
	line += len;
	line += strspn(line, " ");
	if (c->from != FROM_NOTHING && *line == '\0') {
		app_status(a, 1, _("usage: :%s"), c->args);
		return;
	}
	if (c->run != NULL)
		c->run(a, line);
	else
		app_action(a, VIEW_NONE, c->act);
}

/* The names an argument completes from; *n of them (caller frees). */
static const char **
command_candidates(struct app *a, enum complete_from from, size_t *n)
{
	const char **v;

	*n = 0;
	if (from == FROM_VIEWS) {
		v = xcalloc(VIEW_COUNT, sizeof *v);
		for (size_t i = 0; i < VIEW_COUNT; i++)
			if (views[i]->name != NULL)
				v[(*n)++] = views[i]->name;
		return v;
	}
	v = xcalloc(a->model.nws + a->model.ncontacts + 1, sizeof *v);
	if (from == FROM_WORKSPACES)
		for (size_t i = 0; i < a->model.nws; i++)
			v[(*n)++] = a->model.ws[i].name;
	if (from == FROM_CONTACTS)
		for (size_t i = 0; i < a->model.ncontacts; i++)
			v[(*n)++] = a->model.contacts[i].name;
	return v;
}

/* Replaces the input from byte off on with text (+ " " if final). */
static void
command_replace(struct app *a, size_t off, const char *text, int final)
{
	char *line;

	xasprintf(&line, "%.*s%s%s", (int)off, a->input.text, text,
	    final ? " " : "");
	field_set(&a->input, line);
	free(line);
}

void
command_complete(struct app *a)
{
	const char *text = a->input.text, *arg;
	const char *verbs[NCOMMANDS + A_COUNT], **cands;
	const struct command *c;
	size_t n, matches, lead = strspn(text, " "), len;
	char *common = NULL;

	len = strcspn(text + lead, " ");
	if (text[lead + len] == '\0') {		/* still the verb */
		for (n = 0; n < NCOMMANDS; n++)
			verbs[n] = commands[n].verb;
		for (int i = A_NONE + 1; i < A_COUNT; i++)
			if (keymap_name((enum action)i) != NULL)
				verbs[n++] = keymap_name((enum action)i);
		matches = history_complete(text + lead, verbs, n, &common);
		if (matches > 0)
			command_replace(a, lead, common, matches == 1);
	} else {
		if ((c = command_find(text + lead, len)) == NULL)
			return;
		arg = text + lead + len;
		arg += strspn(arg, " ");
		cands = command_candidates(a, c->from, &n);
		matches = history_complete(arg, cands, n, &common);
		if (matches > 0)
			command_replace(a, (size_t)(arg - text), common, 0);
		free(cands);
	}
	if (matches == 0)
		app_status(a, 1, _("no completion"));
	else if (matches > 1)
		app_status(a, 0, P_("%zu possibility", "%zu possibilities",
		    matches), matches);
	free(common);
	a->model.dirty |= DIRTY_STATUS;
}
