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
/* r if it is an OK reply; else NULL with *status said (no answer, or
   the ERR), r freed. */
struct client_reply *cli_reply_check(const char *what, struct client_reply *r,
    int *status);
/* Connected and checked (CA file, or known_hosts asking on the terminal);
   server overrides o->server when not NULL. */
struct client *cli_connect_to(const struct cli_opts *, const char *server,
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
/*
 * Options after the subcommand: --json, --message M, --description D,
 * --email E, --name N, --company C, --job-title J, --link, --network,
 * --space S, --before ID, --limit N, --always-add on|off,
 * --always-collaborator on|off. Returns the index of the first operand in
 * argv, or -1 after a usage error (printed).
 */
struct cli_args {
	int		 json;
	const char	*message;
	const char	*description;
	const char	*email;
	const char	*name;
	const char	*company;
	const char	*job_title;
	int		 link;		/* --link (remind) */
	int		 network;	/* --network (space create) */
	const char	*space;		/* --space (msg, messages, read) */
	const char	*before;	/* --before (messages) */
	const char	*limit;		/* --limit (messages, candidates) */
	const char	*always_add;	/* --always-add (contact prefs) */
	const char	*always_collaborator;
};
int cli_args(int argc, char **argv, struct cli_args *);

/* The operands after the options of argv[0]'s subcommand (options may
   come anywhere): *n of them, or NULL after a usage error. */
char **cli_operands(int argc, char **argv, struct cli_args *, int *n);
/* Data lines as JSON objects, or rows of these columns (a width of 0:
   the last column, not padded). */
void cli_print_lines(const struct client_reply *, int json,
    const char *const *cols, const int *widths);
/* Data lines as a JSON array of objects, nothing after it: for inside
   an object. */
void cli_json_array(const struct client_reply *);

/* cli-space.c: the space subcommands. */
int cli_space(const struct cli_opts *, int argc, char **argv);
int cli_invite(const struct cli_opts *, int argc, char **argv);
int cli_accept(const struct cli_opts *, int argc, char **argv);
int cli_request_access(const struct cli_opts *, int argc, char **argv);
int cli_participant(const struct cli_opts *, int argc, char **argv);
int cli_profile(const struct cli_opts *, int argc, char **argv);
/* cli-file.c */
int cli_file(const struct cli_opts *, int argc, char **argv);
int cli_comment(const struct cli_opts *, int argc, char **argv);
/* A line's parameters as one JSON object, or as its members without the
   braces, to add more (cli-space.c). */
struct proto_msg;
void cli_json_object(const struct proto_msg *);
void cli_json_members(const struct proto_msg *);
/* cli-network.c: networks, professional contacts, invitation candidates. */
int cli_network(const struct cli_opts *, int argc, char **argv);
int cli_contacts(const struct cli_opts *, int argc, char **argv);
int cli_contact(const struct cli_opts *, int argc, char **argv);
int cli_candidates(const struct cli_opts *, int argc, char **argv);
/* The user id of who: a user id as it is, or the e-mail address of one of
   the caller's professional contacts (looked up with CONTACTS). NULL with
   *status said when it names no contact. Caller frees. */
char *cli_contact_id(struct client *, const char *who, int *status);
/* cli-message.c: private conversations and space discussions. */
int cli_msg(const struct cli_opts *, int argc, char **argv);
int cli_messages(const struct cli_opts *, int argc, char **argv);
int cli_read(const struct cli_opts *, int argc, char **argv);
int cli_conversations(const struct cli_opts *, int argc, char **argv);

#endif
