/*
 * A terminal for end-to-end tests: a program run in a detached tmux
 * session, driven with send-keys and read with capture-pane (tmux's own
 * regress/ tests work the same way).
 *
 * Each struct tmux is a private tmux server on a socket in a temporary
 * directory of its own (never the user's server), started without a
 * configuration file. The directory also holds config/ and state/, given
 * to the program as XDG_CONFIG_HOME and XDG_STATE_HOME, and the file that
 * receives the program's standard error (sanitizer reports land there).
 *
 * A tmux server daemonises, so Check's kill of a test's process group does
 * not reach it. tmux_free kills it; if the test dies first, a watchdog
 * process (in a process group of its own, waiting for the test to close a
 * pipe) kills the server and removes the directory. HARNESS_KEEP=1 keeps
 * the directory, as it does the harness's.
 *
 * The program runs under sh, in that directory: when it exits, the pane
 * shows "NAME exited STATUS" (NAME being the program's base name), and
 * stays. The script (run.sh) stays in the directory too.
 *
 * Every helper that can fail asserts with the caller's file and line; a
 * wait that times out fails with the last capture of the pane and what
 * the program wrote to standard error. tmux_new raises Check's limit on
 * failure messages (4 KB) so that a whole capture fits.
 */
#ifndef AGORA_TMUX_H
#define AGORA_TMUX_H

/* How long a wait lasts by default, and how often it looks, in ms. */
#define TMUX_WAIT_MS 10000
#define TMUX_POLL_MS 50

struct tmux;

/* A private server (not running until tmux_run) and its directory. */
#define tmux_new() tmux_new_at(__FILE__, __LINE__)
struct tmux *tmux_new_at(const char *, int);
/* Kills the server (and what runs in it), removes the directory. */
void tmux_free(struct tmux *);

const char *tmux_dir(const struct tmux *);
const char *tmux_config_home(const struct tmux *); /* <dir>/config */
const char *tmux_state_home(const struct tmux *);  /* <dir>/state */

/*
 * Runs argv (argv[0] found in PATH) in a cols x rows pane with LANG=C.UTF-8
 * (and LC_ALL, LC_CTYPE and LANGUAGE unset: English, the msgids),
 * XDG_CONFIG_HOME, XDG_STATE_HOME, TERM=term (NULL: tmux's default) and
 * then env (NULL, or "VAR=value" strings ending with NULL). The first call
 * starts the server; later ones replace what runs in the pane (whatever
 * its state) and leave its size as it is. Standard error goes to a file,
 * emptied at each run.
 */
#define tmux_run(t, cols, rows, term, env, argv)                               \
	tmux_run_at(__FILE__, __LINE__, (t), (cols), (rows), (term), (env),   \
	    (argv))
void tmux_run_at(const char *, int, struct tmux *, int cols, int rows,
    const char *term, char *const env[], char *const argv[]);

/* Types text as it is (send-keys -l). */
#define tmux_type(t, text) tmux_type_at(__FILE__, __LINE__, (t), (text))
void tmux_type_at(const char *, int, struct tmux *, const char *text);
/* Presses one key named as tmux names it: Enter, Escape, Tab, BTab, Up,
 * PageDown, C-l, q... */
#define tmux_key(t, key) tmux_key_at(__FILE__, __LINE__, (t), (key))
void tmux_key_at(const char *, int, struct tmux *, const char *key);
/* Resizes the window (and so the pane) to cols x rows. */
#define tmux_resize(t, cols, rows)                                             \
	tmux_resize_at(__FILE__, __LINE__, (t), (cols), (rows))
void tmux_resize_at(const char *, int, struct tmux *, int cols, int rows);

/*
 * The pane as text, one line per row, trailing spaces trimmed by tmux;
 * with escapes, attributes and colours as SGR sequences (capture-pane -e).
 * The result belongs to t and lasts until the next call on t.
 */
#define tmux_capture(t, escapes)                                               \
	tmux_capture_at(__FILE__, __LINE__, (t), (escapes))
const char *tmux_capture_at(const char *, int, struct tmux *, int escapes);

/*
 * Waits until the pane shows needle at least count times (tmux_wait: once;
 * tmux_wait_gone: until it does not show it at all). Returns the capture
 * that satisfied the wait (as tmux_capture). Fails after timeout_ms
 * (TMUX_WAIT_MS for the short forms) showing the last capture.
 */
#define tmux_wait(t, needle)                                                   \
	tmux_wait_at(__FILE__, __LINE__, (t), (needle), 1, TMUX_WAIT_MS)
#define tmux_wait_count(t, needle, count)                                      \
	tmux_wait_at(__FILE__, __LINE__, (t), (needle), (count), TMUX_WAIT_MS)
#define tmux_wait_ms(t, needle, ms)                                            \
	tmux_wait_at(__FILE__, __LINE__, (t), (needle), 1, (ms))
#define tmux_wait_gone(t, needle)                                              \
	tmux_wait_at(__FILE__, __LINE__, (t), (needle), 0, TMUX_WAIT_MS)
const char *tmux_wait_at(const char *, int, struct tmux *, const char *needle,
    int count, int timeout_ms);

/* Waits for "NAME exited N" and returns N. */
#define tmux_wait_exit(t) tmux_wait_exit_at(__FILE__, __LINE__, (t))
int tmux_wait_exit_at(const char *, int, struct tmux *);

/* What the program wrote to standard error in this run (caller frees). */
char *tmux_stderr(const struct tmux *);

/* Occurrences of needle in s. */
int tmux_count(const char *s, const char *needle);
/*
 * Line n (0-based) of a capture, without the newline, in a static buffer
 * (valid until the next call); "" past the end.
 */
const char *tmux_line(const char *capture, int n);
/* The line number of the first line containing needle, or -1. */
int tmux_find_line(const char *capture, const char *needle);

#endif
