/*
 * agora: the terminal client. With no command, the full-screen client
 * (app.c); with one, a subcommand for scripts (cli.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "app.h"
#include "cli.h"
#include "paths.h"
#include "str.h"
#include "xmalloc.h"

/* key = value lines; unknown keys are errors, like agorad.conf. */
static int
read_config(struct cli_opts *o, char **store)
{
	char *path = paths_config("config"), *line = NULL, *eq, *k, *v;
	size_t cap = 0;
	int lineno = 0, rc = 0;
	FILE *f;

	if (path == NULL || (f = fopen(path, "r")) == NULL) {
		if (path != NULL && errno != ENOENT) {
			fprintf(stderr, "agora: %s: %s\n", path,
			    strerror(errno));
			rc = -1;
		}
		free(path);
		return rc;
	}
	while (rc == 0 && getline(&line, &cap, f) != -1) {
		lineno++;
		k = str_trim(line);
		if (*k == '\0' || *k == '#')
			continue;
		if ((eq = strchr(k, '=')) == NULL) {
			fprintf(stderr, _("agora: %s:%d: expected key = "
			    "value\n"), path, lineno);

			rc = -1;
			break;
		}
		*eq = '\0';
		k = str_trim(k);
		v = str_trim(eq + 1);
		if (strcmp(k, "server") == 0)
			o->server = store[0] = xstrdup(v);
		else if (strcmp(k, "email") == 0)
			o->email = store[1] = xstrdup(v);
		else if (strcmp(k, "ca") == 0)
			o->ca_file = store[2] = xstrdup(v);
		else {
			fprintf(stderr, _("agora: %s:%d: unknown option "
			    "\"%s\"\n"), path, lineno, k);

			rc = -1;
		}
	}
	free(line);
	fclose(f);
	free(path);
	return rc;
}

int
main(int argc, char **argv)
{
	struct cli_opts o = { 0 };
	char *store[3] = { NULL, NULL, NULL };
	int rc;

	/* The locale: widths of text (wcwidth), curses' wide characters and
	   the language of every text. */
	i18n_init();
	if (read_config(&o, store) != 0)
		return EX_CONFIG;
	/* The options before the command; what follows is the command's. */
	if ((argc = cli_global(&o, argc, argv, &rc)) == 0)
		rc = app_run(&o);
	else if (argc > 0)
		rc = cli_run(&o, argc, argv);
	for (size_t i = 0; i < 3; i++)
		free(store[i]);
	return rc;
}
