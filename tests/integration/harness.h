/*
 * The integration test harness: a throwaway PostgreSQL cluster per test
 * program, real agorad processes on loopback, and helpers for talking to
 * them through the client library (common/client.h).
 *
 * Check runs each test in a child process (CK_FORK). The cluster belongs to
 * the parent: harness_setup is an unchecked fixture, and the cluster is
 * stopped and its directory removed when the parent exits, on SIGINT or
 * SIGTERM, and by a watchdog process if the parent dies any other way.
 * Each test starts its own agorad nodes; harness_test_teardown kills what a
 * test left running, and Check kills the test's process group after every
 * test, so a failed or crashed test leaves nothing behind.
 *
 * Every helper that can fail asserts (ck_assert) with a message naming the
 * caller's file and line: a test reads as a script.
 *
 * By hand: AGORAD=build/server/agorad build/tests/test-events (as root,
 * PostgreSQL runs as the postgres user through runuser). HARNESS_KEEP=1
 * keeps the temporary directory (the cluster, each node's config and log)
 * for a post-mortem; CK_FORK=no runs the tests in one process for gdb.
 */
#ifndef AGORA_HARNESS_H
#define AGORA_HARNESS_H

#include <check.h>
#include <stdint.h>
#include <sys/types.h>

#include <libpq-fe.h>

#include "client.h"

/* A password good enough for agorad user add (8 bytes or more). */
#define HARNESS_PASSWORD "correct horse battery staple"
/* Per-call timeout for replies and events, in ms. */
#define HARNESS_TIMEOUT 10000

/*
 * Runs suite with the cluster fixture on every test case, CK_ENV output,
 * and cleanup at the end. Returns the exit status for main.
 */
int harness_run(Suite *);
/* A test case with the harness fixtures and a generous timeout. */
TCase *harness_tcase(const char *name);

/* Fixtures (added by harness_tcase). */
void harness_setup(void);         /* unchecked: the cluster */
void harness_teardown(void);      /* unchecked */
void harness_test_setup(void);    /* checked: PG up, limits reset */
void harness_test_teardown(void); /* checked: nodes left are killed */

/* The cluster. */
const char *pg_conninfo(void); /* for agorad: database agora */
/* The same for another database of the cluster (caller frees). */
char *pg_conninfo_for(const char *dbname);
void pg_stop(void); /* pg_ctl stop -m fast */
void pg_start(void);
void pg_restart(void);
int pg_is_up(void);
/*
 * SQL as the superuser in database agora. Parameters are const char *,
 * terminated by NULL (pass "" or a value, never NULL in the middle).
 */
void pg_exec(const char *sql, ...) __attribute__((sentinel));
/* The single value of a one-row, one-column result. */
int64_t pg_i64(const char *sql, ...) __attribute__((sentinel));
/* Same as text (caller frees); NULL for SQL NULL or no row. */
char *pg_text(const char *sql, ...) __attribute__((sentinel));
/* A superuser connection of its own, e.g. to hold a lock (PQfinish it). */
PGconn *pg_connect(const char *dbname);
void pg_must(PGconn *, const char *sql);

/* agorad nodes. */
struct agorad;

/*
 * A new node: `agorad init` in a directory of its own, listening on a free
 * port on 127.0.0.1, on database (NULL: the harness's). Then test defaults
 * are appended to its config: cheap scrypt, no address rate limit.
 */
struct agorad *agorad_new(const char *database);
/* Appends "line" to the config; later lines override earlier ones. */
void agorad_set(struct agorad *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Removes every config line that is exactly line. */
void agorad_unset(struct agorad *, const char *line);
/*
 * Runs `agorad -c CONFIG ARGS...` (NULL-terminated) with input on its
 * standard input (NULL: /dev/null). *output (if not NULL) gets standard
 * output and error together. Returns the exit status, 128 + N if killed by
 * signal N.
 */
int agorad_run(struct agorad *, const char *input, char **output, ...)
    __attribute__((sentinel));
/*
 * Runs argv (argv[0] a path, the environment inherited) with input on its
 * standard input (NULL: /dev/null); *output as for agorad_run.
 */
int harness_exec(char *const argv[], const char *input, char **output);
/* `agorad user add`; workspace and role may be NULL. Returns the user id. */
int64_t agorad_user_add(struct agorad *, const char *email, const char *name,
    const char *password, const char *workspace, const char *role);
/*
 * Starts argv (argv[0] searched in PATH) in the background: standard input
 * /dev/null, standard output and error appended to log. It dies with the
 * test. Returns its pid.
 */
pid_t harness_spawn(char *const argv[], const char *log);
/*
 * Waits until something accepts TCP connections on 127.0.0.1:port. Fails
 * the test, showing log's tail, if *pid exits first (then *pid is 0) or
 * after timeout_ms. what names it in messages.
 */
void harness_wait_listening(pid_t *pid, const char *port, const char *log,
    const char *what, int timeout_ms);
/* `agorad serve`, stderr to the node's log; waits until it greets. */
void agorad_start(struct agorad *);
/*
 * SIGTERM, then waits (20 s at most, then SIGKILL). Returns the exit
 * status: 0 is a clean exit, which under ASan also means no leaks; 128 + N
 * if killed by signal N; -1 if it had to be killed.
 */
int agorad_stop(struct agorad *);
void agorad_kill(struct agorad *); /* SIGKILL and reap */
void agorad_signal(struct agorad *, int sig);
int agorad_running(struct agorad *);
void agorad_free(struct agorad *); /* kills it if running */

const char *agorad_dir(const struct agorad *);
const char *agorad_conf(const struct agorad *);
const char *agorad_port(const struct agorad *);
const char *agorad_cert(const struct agorad *);
const char *agorad_key(const struct agorad *);
const char *agorad_init_output(const struct agorad *); /* what init said */

/* The node's log (everything agorad serve wrote); caller frees. */
char *agorad_log(struct agorad *);
int agorad_log_count(struct agorad *, const char *needle);
/* Waits until needle occurs at least count times; 0, or -1 on timeout. */
int agorad_log_wait(
    struct agorad *, const char *needle, int count, int timeout_ms);

/* Asserts a clean exit, showing the log's tail if not. */
#define agorad_stop_clean(a) harness_stop_clean(__FILE__, __LINE__, (a))
void harness_stop_clean(const char *, int, struct agorad *);

/* Clients. */
struct client *harness_try_connect(struct agorad *, char **cause);
#define harness_connect(a) harness_connect_at(__FILE__, __LINE__, (a))
struct client *harness_connect_at(const char *, int, struct agorad *);
/* The same from another loopback address (say "127.0.0.2"): another
   client address as agorad sees it. */
struct client *harness_try_connect_from(struct agorad *, const char *source,
    char **cause);
#define harness_connect_from(a, source)                                        \
	harness_connect_from_at(__FILE__, __LINE__, (a), (source))
struct client *harness_connect_from_at(const char *, int, struct agorad *,
    const char *source);
/* Connects and logs in; *token (if not NULL) gets the token (free it). */
#define harness_login(a, email, pw, token)                                     \
	harness_login_at(__FILE__, __LINE__, (a), (email), (pw), (token))
struct client *harness_login_at(const char *, int, struct agorad *,
    const char *email, const char *password, char **token);
/* A unique e-mail address for this test, from base ("alice"). */
char *harness_email(const char *base);
/* A unique workspace name for this test, from base ("Acme"). */
char *harness_workspace(const char *base);
/* user made a participant of space straight in the database (setup). */
void harness_participant(int64_t space, int64_t user, const char *role,
    const char *status);
/*
 * n messages of HARNESS_BIG_BODY double quotes (the longest body, twice
 * as long once escaped) from sender in space's discussion, straight in
 * the database, in one statement, in id order. With events, each gets the
 * message.new event MSG.SEND would write (one row for the space, as
 * cmd-message.c's send_event), in the same order, so readers connected
 * get them as one burst and SYNC replays them.
 */
#define HARNESS_BIG_BODY 16384
void harness_big_messages(int64_t space, int64_t sender, int n, int events);

/* Replies. expect_ok returns the reply (free it); expect_err frees it. */
#define expect_ok(r)           harness_expect_ok(__FILE__, __LINE__, (r))
#define expect_err(r, code)    harness_expect_err(__FILE__, __LINE__, (r), (code))
#define call_ok(c, ...)        expect_ok(client_call((c), __VA_ARGS__))
#define call_err(c, code, ...) expect_err(client_call((c), __VA_ARGS__), (code))
#define ping_ok(c)             client_reply_free(call_ok((c), "PING", NULL))
struct client_reply *harness_expect_ok(
    const char *, int, struct client_reply *);
void harness_expect_err(
    const char *, int, struct client_reply *, const char *code);
/* Sends one raw line (LF added) and waits for the reply under tag. */
struct client_reply *harness_raw(
    struct client *, const char *tag, const char *line);

/* Lines ("TAG WORD key=value ..."), parsed with proto_parse. */
char *line_get(const char *line, const char *key);   /* caller frees */
char *line_word(const char *line);                   /* caller frees */
int64_t line_i64(const char *line, const char *key); /* asserts */
int line_is(const char *line, const char *key, const char *value);

/*
 * The next pushed event of the given type, skipping others; NULL if none
 * arrived within timeout_ms. Caller frees.
 */
char *event_wait(struct client *, const char *type, int timeout_ms);
/* Reads events until the connection closes; 0, or -1 on timeout. */
int harness_wait_closed(struct client *, int timeout_ms);

/* Plain TCP (not TLS) to a node, blocking: for garbage and timeouts. */
int tcp_connect(const char *port);
/* Reads until EOF or error; ms until then, or -1 after timeout_ms. */
int tcp_wait_closed(int fd, int timeout_ms);

/*
 * An SMTP sink: `python3 -m aiosmtpd` with its Mailbox handler, which
 * writes every message it accepts into a maildir (with X-MailFrom and
 * X-RcptTo headers giving the envelope). The python3 used is the first of
 * PATH's and /usr/bin's that has the aiosmtpd module. Sinks left running
 * are stopped by harness_test_teardown.
 */
struct smtp_sink;
/* A free port and a directory of its own; not started yet. */
struct smtp_sink *smtp_sink_new(void);
/* Starts it (again) on its port; waits until it accepts connections. */
void smtp_sink_start(struct smtp_sink *);
void smtp_sink_stop(struct smtp_sink *);
void smtp_sink_free(struct smtp_sink *); /* stops it if running */
const char *smtp_sink_url(const struct smtp_sink *); /* smtp://127.0.0.1:N */
const char *smtp_sink_maildir(const struct smtp_sink *);

/* Messages in a maildir (new/ and cur/). */
int maildir_count(const char *dir);
/* Their paths, sorted, NULL-terminated; free with maildir_list_free. */
char **maildir_list(const char *dir);
void maildir_list_free(char **);
/* Waits until dir holds at least n messages: 0, or -1 on timeout. */
int maildir_wait(const char *dir, int n, int timeout_ms);

/* One message file, parsed (CR LF or LF line ends). */
struct mail;
/*
 * The message after the *seen first of dir (in name order), waiting for
 * it; *seen is counted up. Asserts. Free with mail_free.
 */
struct mail *maildir_next(const char *dir, int *seen);
/* The first agora:// link in a message's body (asserts; caller frees). */
char *mail_link(const struct mail *);
struct mail *mail_read(const char *path); /* asserts */
void mail_free(struct mail *);
/* A header field's value, unfolded: as written, or with RFC 2047 encoded
 * words decoded (B or Q, UTF-8). NULL if absent. Caller frees. */
char *mail_header_raw(const struct mail *, const char *name);
char *mail_header(const struct mail *, const char *name);
/* The header section as written (with its line ends). */
const char *mail_head(const struct mail *);
/* The body with LF line ends, quoted-printable decoded if it was. */
const char *mail_body(const struct mail *);

/* Small things. */
int64_t now_ms(void);
void sleep_ms(int);
const char *i64s(int64_t);         /* one of a few static buffers */
char *file_read(const char *path); /* NUL-terminated; caller frees */

#endif
