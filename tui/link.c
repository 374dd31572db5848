/*
 * The connection's life in the full-screen client: connect and check the
 * certificate, resume the saved session or ask for the password, load what
 * the screen shows, then keep it current from pushed events. When the
 * connection drops the screen keeps everything it shows, the status line
 * says so, and the client reconnects with backoff and catches up with SYNC.
 *
 * Bringing a session up (resume or login, WHOAMI, SYNC) waits for each
 * reply, with a timeout, after the screen has said what it is doing; once
 * online, requests are answered in the loop (link_poll).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "app.h"
#include "base64.h"
#include "client.h"
#include "clock.h"
#include "hex.h"
#include "paths.h"
#include "tokenfile.h"
#include "xmalloc.h"

#define LINK_TIMEOUT_MS		10000
#define LINK_CONNECT_MS		5000
#define LINK_BACKOFF_MIN_MS	500
#define LINK_BACKOFF_MAX_MS	30000

static void link_authenticate(struct app *);
static void link_ask_password(struct app *);

int
link_fd(const struct app *a)
{
	return a->link.client != NULL ? client_fd(a->link.client) : -1;
}

int
link_want_write(const struct app *a)
{
	return a->link.client != NULL && client_want_write(a->link.client);
}

/*
 * The answers that will not come on this connection. Each asker is told
 * (with NULL), except, when keep, a change sent once: it waits without a
 * tag to go again, with the same rid, once the session is back
 * (link_resend). The server answers it from the reply it kept if it had
 * made the change, so a drop neither loses it nor makes it twice.
 */
static void
link_forget_pending(struct app *a, int keep)
{
	struct pending gone[APP_PENDING_MAX];
	size_t n = 0, i = 0;

	while (i < a->npending) {
		struct pending *p = &a->pending[i];

		free(p->tag);
		p->tag = NULL;
		if (keep && p->line != NULL && !p->resent) {
			i++;
			continue;
		}
		gone[n++] = *p;
		*p = a->pending[--a->npending];
	}
	/* Told once the table is consistent: a teller may ask again. */
	for (i = 0; i < n; i++) {
		freezero_str(gone[i].line);
		gone[i].fn(a, NULL, gone[i].arg);
	}
}

/* Closes the link; keep: the changes in flight wait for the next. */
static void
link_close(struct app *a, int keep)
{
	link_forget_pending(a, keep);
	server_link_free(&a->link);
}

/* The session is back: the changes the last connection left unanswered
   go again, once. */
static void
link_resend(struct app *a)
{
	for (size_t i = 0; i < a->npending; i++) {
		struct pending *p = &a->pending[i];

		if (p->tag != NULL)
			continue;
		const char *tag = client_resend(a->link.client, p->line);

		p->resent = 1;
		if (tag != NULL)
			p->tag = xstrdup(tag);
	}
}

void
link_free(struct app *a)
{
	link_close(a, 0);
	free(a->token_path);
	a->token_path = NULL;
}

/* The next delay: doubling from LINK_BACKOFF_MIN_MS, with jitter. */
static int
link_backoff(struct app *a)
{
	int d = a->backoff_ms == 0 ? LINK_BACKOFF_MIN_MS : a->backoff_ms * 2;

	if (d > LINK_BACKOFF_MAX_MS)
		d = LINK_BACKOFF_MAX_MS;
	a->backoff_ms = d;
	/* Up to a quarter less, so clients of one server do not all return
	   in the same millisecond after it restarts. */
	return d - (int)(random() % (d / 4 + 1));
}

void
link_lost(struct app *a, const char *why)
{
	int delay = link_backoff(a);

	link_close(a, 1);
	a->state = LINK_WAITING;
	a->retry_at = clock_ms() + delay;
	app_status(a, 1, "connection lost (%s); reconnecting in %.1f s", why,
	    delay / 1000.0);
}

void
link_timer(struct app *a)
{
	if (a->state == LINK_WAITING && clock_ms() >= a->retry_at)
		link_start(a);
}

#define LINK_PAIRS_MAX 6

/*
 * Sends verb with the pairs of key, value in ap (a NULL value leaves its
 * pair out; a NULL key ends them), answered in the loop.
 */
static int
link_vrequest(struct app *a, const char *verb, int keep, link_reply_fn *fn,
    void *arg, va_list ap)
{
	const char *k[LINK_PAIRS_MAX + 1] = { NULL }, *v[LINK_PAIRS_MAX + 1];
	const char *key, *value, *tag;
	struct pending *p;
	size_t n = 0;

	if (a->link.client == NULL || a->npending == APP_PENDING_MAX)
		return -1;
	while ((key = va_arg(ap, const char *)) != NULL) {
		value = va_arg(ap, const char *);
		if (value != NULL && n < LINK_PAIRS_MAX) {
			k[n] = key;
			v[n++] = value;
		}
	}
	k[n] = NULL;
	tag = client_send(a->link.client, verb, k[0], v[0], k[1], v[1], k[2],
	    v[2], k[3], v[3], k[4], v[4], k[5], v[5], NULL);
	if (tag == NULL)
		return -1;
	p = &a->pending[a->npending++];
	p->tag = xstrdup(tag);
	p->line = keep ? client_last_request(a->link.client) : NULL;
	p->resent = 0;
	p->fn = fn;
	p->arg = arg;
	return 0;
}

int
link_request(struct app *a, const char *verb, link_reply_fn *fn, void *arg,
    ...)
{
	va_list ap;
	int rc;

	va_start(ap, arg);
	rc = link_vrequest(a, verb, 0, fn, arg, ap);
	va_end(ap);
	return rc;
}

int
link_change(struct app *a, const char *verb, link_reply_fn *fn, void *arg,
    ...)
{
	va_list ap;
	int rc;

	va_start(ap, arg);
	rc = link_vrequest(a, verb, 1, fn, arg, ap);
	va_end(ap);
	return rc;
}

int
link_request_id(struct app *a, const char *verb, const char *key,
    int64_t id, link_reply_fn *fn, void *arg)
{
	char text[24];

	snprintf(text, sizeof text, "%lld", (long long)id);
	if (a->state != LINK_ONLINE)
		return -1;
	return link_request(a, verb, fn, arg, key, text, NULL);
}

void
link_loaded(struct app *a, const struct client_reply *r, const char *what,
    int rc)
{
	if (!r->ok || rc != 0)
		app_status(a, 1, "%s: %s", what, r->ok ? "unreadable reply" :
		    link_error(r));
	view_sync(a);
}

static link_reply_fn link_action_reply;

void
link_action(struct app *a, const char *done, const char *verb, ...)
{
	char *arg;
	va_list ap;
	int rc;

	if (a->state != LINK_ONLINE || a->link.client == NULL) {
		app_status(a, 1, "not connected: try again when online");
		return;
	}
	if (a->npending == APP_PENDING_MAX) {
		app_status(a, 1, "busy: try again in a moment");
		return;
	}
	arg = xstrdup(done);
	va_start(ap, verb);
	rc = link_vrequest(a, verb, 1, link_action_reply, arg, ap);
	va_end(ap);
	if (rc != 0) {
		free(arg);
		return;
	}
	app_status(a, 0, "%s...", verb);
}

/* What an action's reply says: done, counts of its lines, a link, a
   warning; or the error. */
static void
link_action_say(struct app *a, const char *done, const struct client_reply *r)
{
	const char *link = client_reply_get(r, "link");
	const char *warning = client_reply_get(r, "warning");
	size_t skipped = 0;

	if (!r->ok && strcmp(r->code, "plan_required") == 0) {
		/* Not a slip to retry: what the user needs, said in full. */
		char *text;

		xasprintf(&text, "Not done: %s. A workspace's plan is changed "
		    "by the administrator of its server.", link_error(r));
		/* Not an error to keep: gone with Esc or another view. */
		app_notice(a, 0, text);
		free(text);
		app_status(a, 1, "a paid plan is needed (see above)");
		return;
	}
	if (!r->ok) {
		app_status(a, 1, "%s", link_error(r));
		return;
	}
	for (size_t i = 0; i < r->ndata; i++)
		if (strstr(r->data[i], " SKIPPED ") != NULL)
			skipped++;
	if (link != NULL) {
		/* Whole, where it can be copied from: a status line would
		   cut it. */
		char *text;

		xasprintf(&text, "%s: %s", done, link);
		app_notice(a, 0, text);
		free(text);
		app_status(a, 0, "%s: above the list", done);
	}
	else if (r->ndata > 0)
		app_status(a, warning != NULL, "%s: %zu%s%s%s", done,
		    r->ndata - skipped, skipped > 0 ? " (some were already "
		    "in)" : "", warning != NULL ? "; " : "", warning != NULL ?
		    warning : "");
	else
		app_status(a, 0, "%s", done);
}

static void
link_action_reply(struct app *a, const struct client_reply *r, void *done)
{
	if (r != NULL)
		link_action_say(a, done, r);
	free(done);
}

/* A reply waited for; NULL (and the link lost) if none came. */
static struct client_reply *
link_call(struct app *a, const char *verb, const char *k1, const char *v1,
    const char *k2, const char *v2)
{
	struct client_reply *r;
	const char *tag;

	if (a->link.client == NULL) {
		link_lost(a, "not connected");
		return NULL;
	}
	tag = client_send(a->link.client, verb, k1, v1, k2, v2, NULL);
	if (tag == NULL || (r = client_wait(a->link.client, tag,
	    LINK_TIMEOUT_MS)) == NULL) {
		link_lost(a, client_closed(a->link.client) ? "closed by the "
		    "server" : "no answer");
		return NULL;
	}
	return r;
}

const char *
link_error(const struct client_reply *r)
{
	const char *m = client_reply_get(r, "msg");

	return m != NULL ? m : r->code;
}

int64_t
link_reply_i64(const struct client_reply *r, const char *key)
{
	const char *v = client_reply_get(r, key);

	return v != NULL ? strtoll(v, NULL, 10) : -1;
}

/*
 * SYNC from the model's seq until the server has nothing more. A page
 * is cut by its rows or its bytes (agora-protocol(7)) and says more=1:
 * the next one starts at its seq=, the last event it holds.
 */
static int
link_sync(struct app *a)
{
	struct client_reply *r;
	char since[24];
	int64_t seq, from;
	int more;

	do {
		from = a->model.seq;
		snprintf(since, sizeof since, "%lld", (long long)from);
		if ((r = link_call(a, "SYNC", "since", since, NULL, NULL)) ==
		    NULL)
			return -1;
		if (!r->ok) {
			app_status(a, 1, "sync: %s", link_error(r));
			client_reply_free(r);
			return -1;
		}
		for (size_t i = 0; i < r->ndata; i++)
			model_event(&a->model, r->data[i]);
		/* Behind us: the server's database was restored from an
		   older backup. Start over from where it is. */
		if ((seq = link_reply_i64(r, "seq")) >= 0 && seq < a->model.seq)
			a->model.seq = seq;
		more = link_reply_i64(r, "more") == 1;
		client_reply_free(r);
		/* Past the page even if one of its events was not
		   understood; a page that moves nothing ends the loop. */
		if (more && seq > a->model.seq)
			a->model.seq = seq;
		if (more && a->model.seq <= from) {
			app_status(a, 1, "sync: the server's pages do not "
			    "move on");
			return -1;
		}
	} while (more);
	return 0;
}

static int
link_whoami_reply(struct app *a, const struct client_reply *r)
{
	if (!r->ok || model_whoami(&a->model, r->data, r->ndata) != 0) {
		app_status(a, 1, "whoami: %s", r->ok ? "unreadable reply" :
		    link_error(r));
		return -1;
	}
	a->session = link_reply_i64(r, "session");
	a->model.stale = 0;
	view_sync(a);
	return 0;
}

/* The user's workspaces changed: WHOAMI again, in the loop. */
static void
link_whoami_again(struct app *a, const struct client_reply *r, void *arg)
{
	struct workspace *w;

	if (r == NULL)
		return;
	link_whoami_reply(a, r);
	if ((w = model_workspace(&a->model)) != NULL && !w->loaded)
		members_load(a);
}

/* Logged in: load everything the screen shows, then go live. */
static void
link_load(struct app *a, int resumed)
{
	struct client_reply *r;
	int rc;

	if ((r = link_call(a, "WHOAMI", NULL, NULL, NULL, NULL)) == NULL)
		return;
	rc = link_whoami_reply(a, r);
	client_reply_free(r);
	if (rc != 0 || link_sync(a) != 0) {
		if (a->link.client != NULL)
			link_lost(a, "could not load");
		return;
	}
	a->state = LINK_ONLINE;
	a->backoff_ms = 0;
	link_resend(a);
	app_notice(a, 0, NULL);
	a->model.dirty |= DIRTY_ALL;
	view_sync(a);
	/* The people and spaces come after the first paint: a workspace of
	   thousands should not hold the screen back. */
	view_load(a, 1);
	app_status(a, 0, resumed ? "connected to %s" : "logged in to %s",
	    a->opts->server);
}

static void
link_login_done(struct app *a, const char *password)
{
	struct client_reply *r;
	char *cause = NULL;

	if (a->link.client == NULL || client_closed(a->link.client)) {
		/* The server hung up while the user typed: start again. */
		link_close(a, 1);
		link_start(a);
		return;
	}
	if ((r = link_call(a, "LOGIN", "email", a->email, "password",
	    password)) == NULL)
		return;
	if (!r->ok) {
		if (strcmp(r->code, "auth_failed") == 0)
			app_status(a, 1, "wrong e-mail or password");
		else
			app_status(a, 1, "login: %s", link_error(r));
		client_reply_free(r);
		link_ask_password(a);
		return;
	}
	if (tokenfile_save(a->token_path, client_reply_get(r, "token"),
	    &cause) != 0) {
		app_status(a, 1, "the session cannot be kept: %s", cause);
		free(cause);
	}
	client_reply_free(r);
	link_load(a, 0);
}

static void
link_ask_password(struct app *a)
{
	a->state = LINK_LOGIN;
	if (!a->status_error)
		app_status(a, 0, "log in to %s as %s", a->opts->server,
		    a->email);
	app_prompt(a, "Password: ", 1, link_login_done);
}

static void link_ask_email(struct app *);

static void
link_email_done(struct app *a, const char *email)
{
	if (*email == '\0' || strchr(email, ' ') != NULL) {
		app_status(a, 1, "an e-mail address, please");
		link_ask_email(a);
		return;
	}
	free(a->email);
	a->email = xstrdup(email);
	link_ask_password(a);
}

static void
link_ask_email(struct app *a)
{
	a->state = LINK_LOGIN;
	app_prompt(a, "E-mail: ", 0, link_email_done);
}

/* Resumes the saved session if there is a usable one, else asks. */
static void
link_authenticate(struct app *a)
{
	struct client_reply *r;
	char *token = NULL, *cause = NULL;
	int rc;

	rc = tokenfile_load(a->token_path, &token, &cause);
	if (rc == -1) {
		char *text;

		xasprintf(&text, "The saved session was not used: %s. Log in "
		    "again; the new session file will be private.", cause);
		app_notice(a, 1, text);
		app_status(a, 1, "the saved session was not used (see above)");
		free(text);
		free(cause);
	}
	if (rc == 0) {
		r = link_call(a, "SESSION.RESUME", "token", token, NULL, NULL);
		freezero_str(token);
		if (r == NULL)
			return;
		if (r->ok) {
			client_reply_free(r);
			link_load(a, 1);
			return;
		}
		if (strcmp(r->code, "auth_required") != 0 &&
		    strcmp(r->code, "invalid") != 0) {
			/* unavailable, shutting_down: the server's trouble,
			   not the session's. */
			link_lost(a, link_error(r));
			client_reply_free(r);
			return;
		}
		client_reply_free(r);
		tokenfile_remove(a->token_path);
		app_status(a, 1, "the saved session has ended; log in again");
	}
	if (a->email != NULL)
		link_ask_password(a);
	else
		link_ask_email(a);
}

static void
link_trust_answer(struct app *a, int yes)
{
	char *cause = NULL;

	if (a->link.client == NULL) {
		/* The connection went while the question was up. */
		if (yes)
			link_start(a);
		return;
	}
	if (!yes) {
		link_close(a, 0);
		a->state = LINK_STOPPED;
		app_status(a, 1, "%s is not trusted: not connected (:connect "
		    "to be asked again)", a->opts->server);
		return;
	}
	if (server_pin(&a->link, a->opts->server, &cause) != 0) {
		link_close(a, 0);
		a->state = LINK_STOPPED;
		app_status(a, 1, "%s", cause);
		free(cause);
		return;
	}
	link_authenticate(a);
}

void
link_start(struct app *a)
{
	char *cause = NULL, *text;

	link_close(a, 1);
	a->state = LINK_CONNECTING;
	app_status(a, 0, "connecting to %s...", a->opts->server != NULL ?
	    a->opts->server : "?");
	screen_draw(a);
	if (server_open(a->opts->server, a->opts->ca_file, LINK_CONNECT_MS,
	    &a->link, &cause) != 0) {
		link_lost(a, cause);
		free(cause);
		return;
	}
	switch (a->link.trust) {
	case TRUST_MATCH:
		link_authenticate(a);
		break;
	case TRUST_UNKNOWN:
		text = server_unknown_text(&a->link, a->opts->server);
		app_ask(a, text, link_trust_answer);
		free(text);
		break;
	case TRUST_CHANGED:
		text = server_changed_text(&a->link, a->opts->server);
		link_close(a, 0);
		a->state = LINK_STOPPED;
		app_notice(a, 1, text);
		app_status(a, 1, "refused: the server's certificate has "
		    "changed (see above)");
		free(text);
		break;
	}
}

static void
link_replies(struct app *a)
{
	struct client_reply *r;
	size_t i = 0;

	while (i < a->npending) {
		if (a->pending[i].tag == NULL || (r = client_take_reply(
		    a->link.client, a->pending[i].tag)) == NULL) {
			i++;
			continue;
		}
		struct pending p = a->pending[i];

		a->pending[i] = a->pending[--a->npending];
		p.fn(a, r, p.arg);
		free(p.tag);
		freezero_str(p.line);
		client_reply_free(r);
	}
}

/* Our own session was ended elsewhere (agora logout, another client). */
static int
link_ended(struct app *a, const char *line)
{
	char *copy = xstrdup(line);
	struct proto_msg m;
	const char *why, *type;
	int64_t s;
	int ended;

	ended = proto_parse(copy, strlen(copy), &m, &why) == 0 &&
	    (type = proto_get(&m, "type")) != NULL &&
	    strcmp(type, "session.logout") == 0 &&
	    proto_get_i64(&m, "session", 1, INT64_MAX, &s) == 0 &&
	    s == a->session;
	free(copy);
	return ended;
}

/* Returns 1 if the event changed the model. */
static int
link_event(struct app *a, const char *line)
{
	if (strncmp(line, "* BYE", 5) == 0)
		return 0;	/* the close follows */
	if (model_event(&a->model, line) != 1)
		return 0;
	if (a->model.stale) {
		a->model.stale = 0;
		link_request(a, "WHOAMI", link_whoami_again, NULL, NULL);
	}
	if (link_ended(a, line)) {
		tokenfile_remove(a->token_path);
		app_status(a, 1, "this session was logged out elsewhere; log "
		    "in again");
		link_ask_password(a);
	}
	return 1;
}

/* The events queued so far; the views are brought up to date once. */
static void
link_events(struct app *a)
{
	char *line;
	int changed = 0;

	while (a->link.client != NULL &&
	    (line = client_next_event(a->link.client, 0)) != NULL) {
		changed |= link_event(a, line);
		free(line);
	}
	if (changed) {
		view_sync(a);
		view_load(a, 0);
	}
}

/*
 * Reads what the socket has and applies it. Also called before every
 * poll(): a reply waited for while bringing the session up may have
 * brought events along, and they must not wait for the next byte.
 */
void
link_poll(struct app *a)
{
	if (a->link.client == NULL)
		return;
	client_flush(a->link.client, 0);
	if (client_pump(a->link.client) != 0 ||
	    client_closed(a->link.client)) {
		link_events(a);		/* what arrived before the close */
		link_lost(a, "closed by the server");
		return;
	}
	link_events(a);
	if (a->link.client != NULL)
		link_replies(a);
}

/* Files: the screen waits for each chunk's answer ---------------------- */

#define LINK_CHUNK_MAX	32768

/* One blocking request; NULL with the error in the status line. */
static struct client_reply *
file_call(struct app *a, const char *what, const char *verb, const char *k1,
    const char *v1, const char *k2, const char *v2, const char *k3,
    const char *v3, const char *k4, const char *v4)
{
	struct client_reply *r;
	const char *tag;

	if (a->state != LINK_ONLINE || a->link.client == NULL) {
		app_status(a, 1, "%s: not connected", what);
		return NULL;
	}
	tag = client_send(a->link.client, verb, k1, v1, k2, v2, k3, v3, k4, v4,
	    NULL);
	if (tag == NULL || (r = client_wait(a->link.client, tag,
	    LINK_TIMEOUT_MS)) == NULL) {
		link_lost(a, "no answer");
		return NULL;
	}
	if (!r->ok) {
		app_status(a, 1, "%s: %s", what, link_error(r));
		client_reply_free(r);
		return NULL;
	}
	return r;
}

static int
sha256_file(FILE *f, char hex[65])
{
	unsigned char buf[65536], md[32];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t n;

	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		EVP_DigestUpdate(ctx, buf, n);
	EVP_DigestFinal_ex(ctx, md, NULL);
	EVP_MD_CTX_free(ctx);
	hex_encode(md, sizeof md, hex);
	rewind(f);
	return ferror(f) ? -1 : 0;
}

void
link_upload(struct app *a, int64_t space, const char *path)
{
	char hex[65], size[24], sid[24], at[24], *file = NULL, *b64;
	unsigned char *buf = xmalloc(LINK_CHUNK_MAX);
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	struct client_reply *r;
	long long done = 0;
	struct stat st;
	FILE *f;
	size_t n;

	if ((f = fopen(path, "rb")) == NULL || fstat(fileno(f), &st) != 0 ||
	    !S_ISREG(st.st_mode) || sha256_file(f, hex) != 0) {
		app_status(a, 1, "%s: %s", path, f == NULL ? strerror(errno) :
		    "not a regular file");
		goto out;
	}
	snprintf(size, sizeof size, "%lld", (long long)st.st_size);
	snprintf(sid, sizeof sid, "%lld", (long long)space);
	if ((r = file_call(a, "upload", "FILE.BEGIN", "space", sid, "name",
	    name, "size", size, "sha256", hex)) == NULL)
		goto out;
	file = xstrdup(client_reply_get(r, "file"));
	client_reply_free(r);
	b64 = xmalloc(BASE64_LEN(LINK_CHUNK_MAX) + 1);
	while ((n = fread(buf, 1, LINK_CHUNK_MAX, f)) > 0) {
		base64_encode(buf, n, b64);
		snprintf(at, sizeof at, "%lld", done);
		app_status(a, 0, "uploading %s: %lld of %s bytes", name, done,
		    size);
		screen_draw(a);
		if ((r = file_call(a, "upload", "FILE.CHUNK", "file", file,
		    "offset", at, "data", b64, NULL, NULL)) == NULL)
			break;
		client_reply_free(r);
		done += (long long)n;
	}
	free(b64);
	if (done == (long long)st.st_size && (r = file_call(a, "upload",
	    "FILE.END", "file", file, NULL, NULL, NULL, NULL, NULL,
	    NULL)) != NULL) {
		client_reply_free(r);
		app_status(a, 0, "uploaded %s (%s bytes)", name, size);
	}
out:
	if (f != NULL)
		fclose(f);
	free(file);
	free(buf);
}

/* Appends the chunks of file to f; the server's checksum in *sha. */
static int
download_chunks(struct app *a, const char *file, FILE *f, char **sha)
{
	struct client_reply *r;
	long long offset = 0, size = 1;
	unsigned char *bytes;
	char at[24], *copy;
	const char *data, *why;
	struct proto_msg m;
	size_t n;

	while (offset < size) {
		snprintf(at, sizeof at, "%lld", offset);
		if ((r = file_call(a, "save", "FILE.GET", "file", file,
		    "offset", at, NULL, NULL, NULL, NULL)) == NULL)
			return -1;
		size = strtoll(client_reply_get(r, "size"), NULL, 10);
		free(*sha);
		*sha = xstrdup(client_reply_get(r, "sha256"));
		bytes = NULL;
		n = 0;
		copy = r->ndata > 0 ? xstrdup(r->data[0]) : NULL;
		if (copy != NULL && proto_parse(copy, strlen(copy), &m,
		    &why) == 0 && (data = proto_get(&m, "data")) != NULL)
			bytes = base64_decode(data, strlen(data), &n);
		free(copy);
		client_reply_free(r);
		if ((n == 0 && offset < size) || (n > 0 && (bytes == NULL ||
		    fwrite(bytes, 1, n, f) != n))) {
			free(bytes);
			app_status(a, 1, "save: the download broke off");
			return -1;
		}
		free(bytes);
		offset += (long long)n;
	}
	return 0;
}

void
link_download(struct app *a, int64_t id, const char *path)
{
	char file[24], hex[65], *tmp, *sha = NULL;
	FILE *f;

	snprintf(file, sizeof file, "%lld", (long long)id);
	xasprintf(&tmp, "%s.part", path);
	if ((f = fopen(tmp, "w+b")) == NULL) {
		app_status(a, 1, "%s: %s", tmp, strerror(errno));
		free(tmp);
		return;
	}
	app_status(a, 0, "saving to %s...", path);
	screen_draw(a);
	if (download_chunks(a, file, f, &sha) == 0) {
		fflush(f);
		rewind(f);
		if (sha256_file(f, hex) != 0 || strcmp(hex, sha) != 0)
			app_status(a, 1, "save: the checksum does not match; "
			    "nothing saved");
		else if (rename(tmp, path) != 0)
			app_status(a, 1, "%s: %s", path, strerror(errno));
		else
			app_status(a, 0, "saved %s", path);
	}
	fclose(f);
	unlink(tmp);		/* gone after the rename; else not wanted */
	free(sha);
	free(tmp);
}
