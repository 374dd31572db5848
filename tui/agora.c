/*
 * agora: the terminal client. With no command, the full-screen client
 * (app.c); with one, a subcommand for scripts (cli.c).
 */
#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "app.h"
#include "cli.h"
#include "paths.h"
#include "str.h"
#include "xmalloc.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: agora [--server HOST:PORT] [--email E] [--ca FILE] "
	    "[command]\n"
	    "  (no command)                 the full-screen client\n"
	    "  ping                         check that the server answers\n"
	    "  login [--link LINK]          log in (password from the "
	    "terminal or stdin,\n"
	    "                               or a one-time login link)\n"
	    "  login-link                   e-mail me a one-time login link\n"
	    "  whoami [--json]              the user and their workspaces\n"
	    "  logout                       end the saved session\n"
	    "  space list|show|create|edit|link|archive|reactivate|leave|delete "
	    "...\n"
	    "  invite SPACE EMAIL... [--message M]\n"
	    "  accept LINK [--name N]       accept an invitation (asks for "
	    "a password)\n"
	    "  request-access LINK --email E [--name N]\n"
	    "  revoke|grant|deny|resend SPACE USER   remind SPACE USER "
	    "[--link]\n"
	    "  profile SPACE USER [--name N] [--company C] [--job-title J]\n"
	    "  file list|upload|get|delete ...   comment FILE TEXT   "
	    "comments FILE\n"
	    "  network flag|unflag SPACE    make a space a business network "
	    "or not\n"
	    "  contacts [--json]            your professional contacts\n"
	    "  contact show|prefs CONTACT ...   candidates SPACE [PREFIX]\n"
	    "  msg CONTACT|--space SPACE TEXT   (TEXT - : standard input)\n"
	    "  messages CONTACT|--space SPACE [--before ID] [--limit N]\n"
	    "  read CONTACT|--space SPACE   conversations [--json]\n"
	    "See agora(1) for every command and option.\n"
	    "Defaults come from $XDG_CONFIG_HOME/agora/config "
	    "(server =, email =, ca =).\n");
}

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
			fprintf(stderr, "agora: %s:%d: expected key = value\n",
			    path, lineno);
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
			fprintf(stderr, "agora: %s:%d: unknown option \"%s\"\n",
			    path, lineno, k);
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
	static const struct option longopts[] = {
		{ "server", required_argument, NULL, 's' },
		{ "email", required_argument, NULL, 'e' },
		{ "ca", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct cli_opts o = { 0 };
	char *store[3] = { NULL, NULL, NULL };
	int ch, rc;

	/* Widths of text (wcwidth) and curses' wide characters need it. */
	setlocale(LC_ALL, "");
	if (read_config(&o, store) != 0)
		return EX_CONFIG;
	/* "+": stop at the command; what follows is the command's. */
	while ((ch = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (ch) {
		case 's': o.server = optarg; break;
		case 'e': o.email = optarg; break;
		case 'c': o.ca_file = optarg; break;
		case 'j': o.json = 1; break;
		case 'h': usage(stdout); rc = EX_OK; goto out;
		default: usage(stderr); rc = EX_USAGE; goto out;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		rc = app_run(&o);
	else if (!cli_known(argv[0])) {
		fprintf(stderr, "agora: unknown command \"%s\"\n", argv[0]);
		usage(stderr);
		rc = EX_USAGE;
	} else
		rc = cli_run(&o, argc, argv);
out:
	for (size_t i = 0; i < 3; i++)
		free(store[i]);
	return rc;
}
