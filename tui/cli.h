/*
 * The non-interactive subcommands (agora ping, login, whoami, logout): the
 * same client library as the screen, for scripts. Exit codes follow
 * sysexits(3); errors are one line on standard error.
 */
#ifndef AGORA_CLI_H
#define AGORA_CLI_H

struct cli_opts {
	const char	*server;	/* host:port */
	const char	*email;
	const char	*ca_file;	/* NULL: trust on first use */
	int		 json;
};

/* Runs argv[0] (a subcommand); returns the exit status. */
int cli_run(const struct cli_opts *, int argc, char **argv);
int cli_known(const char *subcommand);

#endif
