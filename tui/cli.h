/*
 * The non-interactive subcommands (agora ping, login, space list, ...):
 * the same client library as the screen, for scripts. Exit codes follow
 * sysexits(3); errors are one line on standard error.
 */
#ifndef AGORA_CLI_H
#define AGORA_CLI_H

#include "i18n.h"

struct cli_opts {
	const char	*server;	/* host:port */
	const char	*email;
	const char	*ca_file;	/* NULL: trust on first use */
	int		 json;
};

/*
 * A subcommand: one entry in its domain's table (cli_session_cmds in
 * cli.c, cli_space_cmds in cli-space.c, ...), which ends with { 0 }. Its
 * usage is its words, then its operands in capitals ("[X]" optional,
 * "X..." one or more): "ping", "space edit SPACE TITLE". cli_run finds
 * the entry by its words, parses the options against the entry's,
 * checks the operands against its usage and answers --help from it; run
 * holds only the semantics. Two words make a group: "agora space --help"
 * lists its members.
 */
struct cli_option {
	const char	*name;		/* --name */
	const char	*value;		/* the value's name ("N"); NULL: a flag */
	const char	*help;
};
/* An entry's options, ending the array for it. */
#define CLI_OPTIONS(...) ((const struct cli_option[]){ __VA_ARGS__, { 0 } })
#define CLI_JSON \
	{ "json", NULL, N_("JSON, the values as the server sent them") }
#define CLI_OPTIONS_MAX	8

struct cli_args;
struct cli_cmd {
	const char		*usage;
	int			(*run)(const struct cli_opts *,
				    const struct cli_args *);
	const char		*summary;
	const struct cli_option	*options;	/* NULL: none */
	const char		*verb;		/* for a run shared by entries */
};
struct cli_args {
	const struct cli_cmd	*cmd;
	char			 name[32];	/* its words: "space list" */
	char			**ops;		/* the operands */
	int			 n;
	int			 json;		/* --json, here or before */
	const char		*values[CLI_OPTIONS_MAX]; /* by option */
};
/* The value of --name, "" for a flag given, or NULL if not given. */
const char *cli_opt(const struct cli_args *, const char *name);
/* The usage line on standard error; returns EX_USAGE. */
int cli_usage(const struct cli_args *);

/* The options before the command into o: how many words are left (the
   command's, moved to the front of argv), or -1 with *status (EX_OK
   after --help). */
int cli_global(struct cli_opts *o, int argc, char **argv, int *status);
/* Runs the subcommand in argv[0] (and argv[1]); returns the exit status. */
int cli_run(const struct cli_opts *, int argc, char **argv);

/* For the subcommands (cli.c, cli-space.c). */
struct client;
struct client_reply;

/* One line "agora: ..." on standard error; returns status. */
int cli_fail(int status, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* An ERR reply as that line and its exit status; frees the reply. */
int cli_reply_fail(const char *what, struct client_reply *);
/* The exit status of ERR code=plan_required: not in sysexits(3). */
#define CLI_EX_PLAN	79
/* verb with the key/value pairs that follow, up to a NULL key (a pair
   whose value is NULL is left out), on c, or on the saved session when c
   is NULL: the OK reply, or NULL with *status said under what. */
struct client_reply *cli_call(const struct cli_opts *, struct client *c,
    const char *what, int *status, const char *verb, ...)
    __attribute__((sentinel));
/* Saves the token of a reply that opened a session: EX_OK, or not. */
int cli_keep_session(struct client_reply *);
/* Connected and checked (CA file, or known_hosts asking on the terminal);
   server overrides o->server when not NULL. */
struct client *cli_connect_to(const struct cli_opts *, const char *server,
    int *status);
/* Connected to the server a link names (not the configured one). */
struct client *cli_connect_link(const struct cli_opts *, const char *link,
    int *status);
/* Connected, with the saved session resumed. */
struct client *cli_session(const struct cli_opts *, int *status);
/* The saved session's file (caller frees), or NULL with *status. */
char *cli_session_path(int *status);
/* A password from the terminal without echo, or a line of standard
   input; NULL if none. An empty line is "" (caller frees). */
char *cli_password(const char *prompt);
/* A JSON string, escaped, on standard output. */
void cli_json_string(const char *);
/* Data lines as JSON objects, or rows of these columns (a width of 0:
   the last column, not padded). */
void cli_print_lines(const struct client_reply *, int json,
    const char *const *cols, const int *widths);
/* cli_print_lines for the reply of cli_call, which it frees: EX_OK, or
   *status if r is NULL. */
int cli_print_reply(struct client_reply *r, const int *status, int json,
    const char *const *cols, const int *widths);
/* Data lines as a JSON array of objects, nothing after it: for inside
   an object. */
void cli_json_array(const struct client_reply *);

/* The domains' subcommands. */
extern const struct cli_cmd cli_space_cmds[], cli_file_cmds[],
    cli_network_cmds[], cli_message_cmds[];
/* A line's parameters as JSON members, without the braces, to add more
   (cli-space.c). */
struct proto_msg;
void cli_json_members(const struct proto_msg *);
/* The user id of who: a user id as it is, or the e-mail address of one of
   the caller's professional contacts (looked up with CONTACTS). NULL with
   *status said when it names no contact. Caller frees. */
char *cli_contact_id(struct client *, const char *who, int *status);

#endif
