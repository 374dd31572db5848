/*
 * agorad: the agora server and its administration subcommands.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "admin.h"
#include "config.h"
#include "i18n.h"
#include "log.h"
#include "server.h"

#define DEFAULT_CONFIG "/etc/agora/agorad.conf"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: agorad [-c config] command [options]\n"
	    "\n"
	    "  init [--dir DIR] [--database CONNINFO] [--listen HOST:PORT]\n"
	    "       [--name HOSTNAME]...   write a config and a certificate,\n"
	    "                              create the schema\n"
	    "  migrate                     apply pending schema migrations\n"
	    "  user add --email E --name N [--phone P] [--workspace W]\n"
	    "       [--role owner|admin|manager|member]\n"
	    "                              add a user (password on stdin)\n"
	    "  user lang EMAIL [en|fr|default]\n"
	    "                              show or set the language of a\n"
	    "                              user's mail\n"
	    "  mail-test --to ADDRESS      queue a test e-mail\n"
	    "  workspace crm NAME [--url URL | --off]\n"
	    "                              show, set (token on stdin) or remove\n"
	    "                              a workspace's CRM webhook\n"
	    "  workspace plan NAME [free|premium|pro]\n"
	    "                              show or set a workspace's plan\n"
	    "  workspace lang NAME [en|fr]  show or set a workspace's language\n"
	    "  serve                       run the server\n"
	    "  version                     print the version\n"
	    "\n"
	    "The config defaults to %s. See agorad(8).\n", DEFAULT_CONFIG);
}

static int
serve(const char *path)
{
	struct config cf;
	char *cause = NULL;
	enum log_level level = LOG_LEVEL_INFO;
	int rc;

	if (config_load(path, &cf, &cause) != 0) {
		fprintf(stderr, "agorad: %s\n", cause);
		free(cause);
		return 1;
	}
	log_level_parse(cf.log_level, &level);
	log_init("agorad", strcmp(cf.log, "syslog") == 0, level);
	rc = server_run(path, &cf);
	config_free(&cf);
	return rc;
}

int
main(int argc, char **argv)
{
	const char *path = DEFAULT_CONFIG, *cmd;
	int ch;

	log_init("agorad", 0, LOG_LEVEL_INFO);
	/* Mails go in each recipient's language; agorad itself stays in C. */
	i18n_bind();
	while ((ch = getopt(argc, argv, "+c:h")) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		usage(stderr);
		return 1;
	}
	cmd = argv[0];
	optind = 1;
	if (strcmp(cmd, "serve") == 0)
		return serve(path);
	if (strcmp(cmd, "init") == 0)
		return admin_init(path, argc, argv);
	if (strcmp(cmd, "migrate") == 0)
		return admin_migrate(path, argc, argv);
	if (strcmp(cmd, "user") == 0)
		return admin_user(path, argc, argv);
	if (strcmp(cmd, "mail-test") == 0)
		return admin_mail_test(path, argc, argv);
	if (strcmp(cmd, "workspace") == 0)
		return admin_workspace(path, argc, argv);
	if (strcmp(cmd, "version") == 0) {
		printf("agorad %s\n", AGORA_VERSION);
		return 0;
	}
	if (strcmp(cmd, "help") == 0) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "agorad: unknown command \"%s\"\n", cmd);
	usage(stderr);
	return 1;
}
