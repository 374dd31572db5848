/*
 * The CRM activity log end to end: `agorad workspace crm` (the token on
 * standard input, never in argv), INVITE queueing one webhook per invited
 * address when the workspace is on plan pro and has a webhook, and the
 * outbox worker POSTing it to a real HTTPS server: a small python3
 * http.server with ssl, serving the node's own self-signed certificate
 * (which crm_ca_file names), that records each request (method, path,
 * headers, body) to a file and answers the status its status file says.
 *
 * Retries wait 1 s, then 2 s (mail_retry_min and mail_retry_max), as in
 * test-mail.c; no test asserts on timing.
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <netinet/in.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "xmalloc.h"

#define CRM_WAIT_MS	60000
#define SINK_START_MS	20000
#define TOKEN		"tok_3f9a.B-_~+/=Zq"
#define TOKEN2		"tok_rotated_77"

/*
 * The sink: each request goes to DIR/req.N.json (written whole, then
 * renamed) as {"method", "path", "headers", "body"}; the reply's status is
 * the number in DIR/status (200 if none). HTTP/1.1, so that curl may keep
 * the connection.
 */
static const char sink_py[] =
    "import http.server, json, os, ssl, sys\n"
    "port, cert, key, out = int(sys.argv[1]), sys.argv[2], sys.argv[3], "
    "sys.argv[4]\n"
    "class H(http.server.BaseHTTPRequestHandler):\n"
    "    protocol_version = 'HTTP/1.1'\n"
    "    def log_message(self, *a): pass\n"
    "    def handle_one(self):\n"
    "        n = int(self.headers.get('Content-Length', '0'))\n"
    "        body = self.rfile.read(n).decode('utf-8', 'replace')\n"
    "        reqs = [f for f in os.listdir(out) if f.startswith('req.')]\n"
    "        rec = {'method': self.command, 'path': self.path,\n"
    "               'headers': {k.lower(): v for k, v in "
    "self.headers.items()},\n"
    "               'body': body}\n"
    "        tmp = os.path.join(out, 'tmp')\n"
    "        with open(tmp, 'w', encoding='utf-8') as f: json.dump(rec, f)\n"
    "        os.rename(tmp, os.path.join(out, 'req.%03d.json' % "
    "len(reqs)))\n"
    "        try: code = int(open(os.path.join(out, 'status')).read())\n"
    "        except OSError: code = 200\n"
    "        reply = b'{\"ok\":true}'\n"
    "        self.send_response(code)\n"
    "        self.send_header('Content-Type', 'application/json')\n"
    "        self.send_header('Content-Length', str(len(reply)))\n"
    "        self.end_headers()\n"
    "        self.wfile.write(reply)\n"
    "    do_POST = do_GET = do_PUT = handle_one\n"
    "s = http.server.HTTPServer(('127.0.0.1', port), H)\n"
    "ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)\n"
    "ctx.load_cert_chain(cert, key)\n"
    "s.socket = ctx.wrap_socket(s.socket, server_side=True)\n"
    "s.serve_forever()\n";

/*
 * Checks one recorded request: argv[1] the file, then pairs of a path
 * into it ("headers.authorization", "json.space.title": json is the body
 * parsed) and the value wanted, as text ("=~RE" for a regular expression
 * the whole value must match). Prints what differs; exit 0 if nothing.
 */
static const char check_py[] =
    "import json, re, sys\n"
    "rec = json.load(open(sys.argv[1], encoding='utf-8'))\n"
    "rec['json'] = json.loads(rec['body'])\n"
    "bad = 0\n"
    "for path, want in zip(sys.argv[2::2], sys.argv[3::2]):\n"
    "    v = rec\n"
    "    for k in path.split('.'):\n"
    "        v = v.get(k) if isinstance(v, dict) else None\n"
    "    got = v if isinstance(v, str) else json.dumps(v)\n"
    "    ok = re.fullmatch(want[2:], got) if want.startswith('=~') "
    "else got == want\n"
    "    if not ok:\n"
    "        print('%s: %r, not %r' % (path, got, want)); bad = 1\n"
    "sys.exit(bad)\n";

struct sink {
	char	 port[8];
	char	*dir;
	char	*script, *checker;
	char	*url;		/* https://127.0.0.1:PORT/hooks/agora?key=... */
	pid_t	 pid;
};

static struct agorad *node;
static char *ws, *alice, *bob;
static int counter;

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

static void
free_port(char *out)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof sin;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert(fd != -1);
	ck_assert(bind(fd, (struct sockaddr *)&sin, sizeof sin) == 0);
	ck_assert(getsockname(fd, (struct sockaddr *)&sin, &len) == 0);
	snprintf(out, 8, "%u", ntohs(sin.sin_port));
	close(fd);
}

static struct sink *
sink_new(void)
{
	struct sink *k = xcalloc(1, sizeof *k);

	free_port(k->port);
	xasprintf(&k->dir, "%s/crm-sink.%ld.%d", agorad_dir(node),
	    (long)getpid(), ++counter);
	ck_assert_msg(mkdir(k->dir, 0700) == 0, "%s: %s", k->dir,
	    strerror(errno));
	xasprintf(&k->script, "%s/sink.py", agorad_dir(node));
	xasprintf(&k->checker, "%s/check.py", agorad_dir(node));
	write_file(k->script, sink_py);
	write_file(k->checker, check_py);
	/* A query and user info the log must not show. */
	xasprintf(&k->url, "https://127.0.0.1:%s/hooks/agora?key=qsecret",
	    k->port);
	return k;
}

static void
sink_start(struct sink *k)
{
	char *argv[] = { "python3", k->script, k->port,
		(char *)agorad_cert(node), (char *)agorad_key(node), k->dir,
		NULL };
	char *log;

	ck_assert_msg(k->pid == 0, "the sink is running");
	xasprintf(&log, "%s/sink.log", k->dir);
	k->pid = harness_spawn(argv, log);
	harness_wait_listening(&k->pid, k->port, log, "the HTTPS sink",
	    SINK_START_MS);
	free(log);
}

static void
sink_stop(struct sink *k)
{
	if (k->pid == 0)
		return;
	kill(k->pid, SIGKILL);
	while (waitpid(k->pid, NULL, 0) == -1 && errno == EINTR)
		;
	k->pid = 0;
}

static void
sink_free(struct sink *k)
{
	sink_stop(k);
	free(k->dir);
	free(k->script);
	free(k->checker);
	free(k->url);
	free(k);
}

static void
sink_status(struct sink *k, int code)
{
	char *path, text[16];

	xasprintf(&path, "%s/status", k->dir);
	snprintf(text, sizeof text, "%d", code);
	write_file(path, text);
	free(path);
}

static int
sink_count(struct sink *k)
{
	struct dirent *de;
	DIR *d = opendir(k->dir);
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL)
		n += strncmp(de->d_name, "req.", 4) == 0;
	closedir(d);
	return n;
}

static int
sink_wait(struct sink *k, int n, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;

	while (sink_count(k) < n) {
		if (now_ms() > deadline)
			return -1;
		sleep_ms(50);
	}
	return 0;
}

static char *
sink_request(struct sink *k, int i)
{
	char *path;

	xasprintf(&path, "%s/req.%03d.json", k->dir, i);
	return path;
}

/* Request i against pairs (path, wanted value), NULL-terminated. */
static void
sink_check(struct sink *k, int i, ...)
{
	char *argv[64], *out = NULL, *file = sink_request(k, i);
	size_t n = 0;
	va_list ap;
	int rc;

	argv[n++] = "python3";
	argv[n++] = k->checker;
	argv[n++] = file;
	va_start(ap, i);
	while (n < 62 && (argv[n] = va_arg(ap, char *)) != NULL)
		n++;
	va_end(ap);
	argv[n] = NULL;
	rc = harness_exec(argv, NULL, &out);
	ck_assert_msg(rc == 0, "request %d: %s", i, out);
	free(out);
	free(file);
}

static void
setup(void)
{
	node = agorad_new(NULL);
	ws = harness_workspace("Acme");
	alice = harness_email("alice");
	bob = harness_email("bob");
	/* Quotes, a backslash and UTF-8 in the inviter's name. */
	agorad_user_add(node, alice, "Alice \"Al\" O'Brien \\ \xc3\xa9",
	    HARNESS_PASSWORD, ws, "owner");
	agorad_user_add(node, bob, "Bob Chen", HARNESS_PASSWORD, ws,
	    "member");
	agorad_set(node, "mail_retry_min = 1");
	agorad_set(node, "mail_retry_max = 2");
	agorad_set(node, "crm_ca_file = %s", agorad_cert(node));
	pg_exec("DELETE FROM outbox", NULL);
}

static void
teardown(void)
{
	if (node != NULL && agorad_running(node))
		agorad_stop_clean(node);
	free(ws);
	free(alice);
	free(bob);
	node = NULL;
}

static void
set_plan(const char *plan)
{
	pg_exec("UPDATE workspaces SET plan = $2 WHERE name = $1", ws, plan,
	    NULL);
}

/* agorad workspace crm WS --url url, token on standard input. */
static void
crm_set(const char *url, const char *token)
{
	char *out, *input;
	int rc;

	xasprintf(&input, "%s\n", token);
	rc = agorad_run(node, input, &out, "workspace", "crm", ws, "--url",
	    url, NULL);
	ck_assert_msg(rc == 0, "workspace crm: exit %d: %s", rc, out);
	ck_assert_msg(strstr(out, token) == NULL, "the token was shown: %s",
	    out);
	free(out);
	free(input);
}

static int64_t
space_new(struct client *c, const char *title)
{
	struct client_reply *r = call_ok(c, "SPACE.CREATE", "title", title,
	    NULL);
	int64_t id = strtoll(client_reply_get(r, "space"), NULL, 10);

	client_reply_free(r);
	return id;
}

static int64_t
webhooks(void)
{
	return pg_i64("SELECT count(*) FROM outbox WHERE kind = 'webhook'",
	    NULL);
}

/* Waits until the query (no parameter) returns true. */
static int
wait_true(const char *sql, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;

	while (pg_i64(sql, NULL) == 0) {
		if (now_ms() > deadline)
			return -1;
		sleep_ms(50);
	}
	return 0;
}

static void
assert_log_clean(const char *secret)
{
	char *log = agorad_log(node);

	ck_assert_msg(strstr(log, secret) == NULL, "\"%s\" in the log",
	    secret);
	free(log);
}

#define HOSTILE_TITLE                                                          \
	"Deal \"Q3\" \\ </script> {\"x\":1} \xe2\x80\xa8 \xc3\xa7"         \
	"a \xf0\x9f\x98\x80"
#define HOSTILE_MESSAGE                                                        \
	"Hi \"you\",\n\tsee \\u0000 and \\\" here\n}{\"type\":\"evil\"}"

/* Plan pro and a webhook: one POST per invited address, none for one
 * skipped, with the token, the JSON and an idempotency key. */
START_TEST(test_pro_posts_each_invitation)
{
	struct sink *k = sink_new();
	struct client *a;
	struct client_reply *r;
	char *carol = harness_email("carol"), *emails, *path, *space;
	int64_t id;

	set_plan("pro");
	crm_set(k->url, TOKEN);
	sink_start(k);
	agorad_start(node);
	a = harness_login(node, alice, HARNESS_PASSWORD, NULL);
	id = space_new(a, HOSTILE_TITLE);
	/* Bob is already in once invited: the second time he is SKIPPED. */
	client_reply_free(call_ok(a, "INVITE", "space", i64s(id), "emails",
	    bob, NULL));
	ck_assert_int_eq(sink_wait(k, 1, CRM_WAIT_MS), 0);
	xasprintf(&emails, "%s, %s", carol, bob);
	r = call_ok(a, "INVITE", "space", i64s(id), "emails", emails,
	    "message", HOSTILE_MESSAGE, NULL);
	ck_assert_uint_eq(r->ndata, 2);
	client_reply_free(r);
	ck_assert_int_eq(sink_wait(k, 2, CRM_WAIT_MS), 0);
	ck_assert_int_eq(wait_true("SELECT bool_and(sent_at IS NOT NULL)::int"
	    " FROM outbox WHERE kind = 'webhook'", CRM_WAIT_MS), 0);
	ck_assert_int_eq(webhooks(), 2);

	xasprintf(&space, "%lld", (long long)id);
	sink_check(k, 0, "method", "POST", "path", "/hooks/agora?key=qsecret",
	    "headers.authorization", "Bearer " TOKEN,
	    "headers.content-type", "application/json",
	    "headers.idempotency-key", "=~agora-outbox-[0-9]+",
	    "json.type", "invitation",
	    "json.space.id", space,
	    "json.space.title", HOSTILE_TITLE,
	    "json.invitee.email", bob,
	    "json.invitee.role", "internal",
	    "json.invitee.status", "active",
	    "json.inviter.email", alice,
	    "json.inviter.name", "Alice \"Al\" O'Brien \\ \xc3\xa9",
	    "json.message", "",
	    "json.at", "=~20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]"
	    ":[0-6][0-9]Z", NULL);
	sink_check(k, 1, "method", "POST",
	    "headers.authorization", "Bearer " TOKEN,
	    "json.space.title", HOSTILE_TITLE,
	    "json.invitee.email", carol,
	    "json.invitee.role", "external",
	    "json.invitee.status", "pending",
	    "json.message", HOSTILE_MESSAGE, NULL);
	/* One delivery each, and a different key for each. */
	sleep_ms(3000);
	ck_assert_int_eq(sink_count(k), 2);
	path = sink_request(k, 0);
	{
		char *text = file_read(path), *other;

		free(path);
		path = sink_request(k, 1);
		other = file_read(path);
		ck_assert_ptr_nonnull(strstr(text, "agora-outbox-"));
		ck_assert_str_ne(strstr(text, "agora-outbox-"),
		    strstr(other, "agora-outbox-"));
		free(text);
		free(other);
	}
	free(path);
	/* The log names the endpoint without its query. */
	ck_assert_int_eq(agorad_log_count(node, "/hooks/agora: sent"), 2);
	assert_log_clean(TOKEN);
	assert_log_clean("qsecret");
	client_close(a);
	agorad_stop_clean(node);
	sink_free(k);
	free(space);
	free(emails);
	free(carol);
}
END_TEST

/* A webhook on a workspace not on plan pro: no row, no POST. Then no
 * webhook on plan pro: none either. */
START_TEST(test_free_plan_or_no_webhook_posts_nothing)
{
	struct sink *k = sink_new();
	struct client *a;
	char *carol = harness_email("carol"), *dave = harness_email("dave");
	char *out;
	int64_t id;

	set_plan("premium");
	crm_set(k->url, TOKEN);
	sink_start(k);
	agorad_start(node);
	a = harness_login(node, alice, HARNESS_PASSWORD, NULL);
	id = space_new(a, "Free deal");
	client_reply_free(call_ok(a, "INVITE", "space", i64s(id), "emails",
	    carol, NULL));
	ck_assert_int_eq(webhooks(), 0);

	set_plan("pro");
	ck_assert_int_eq(agorad_run(node, NULL, &out, "workspace", "crm", ws,
	    "--off", NULL), 0);
	free(out);
	client_reply_free(call_ok(a, "INVITE", "space", i64s(id), "emails",
	    dave, NULL));
	ck_assert_int_eq(webhooks(), 0);
	/* The invitation mails went; nothing reached the sink. */
	ck_assert_int_eq(wait_true("SELECT (count(*) = 2 AND bool_and(sent_at"
	    " IS NOT NULL))::int FROM outbox WHERE kind = 'mail'",
	    CRM_WAIT_MS), 0);
	sleep_ms(1000);
	ck_assert_int_eq(sink_count(k), 0);
	client_close(a);
	agorad_stop_clean(node);
	sink_free(k);
	free(carol);
	free(dave);
}
END_TEST

/* The CRM is down: the activity waits, tried again; the token is
 * rotated meanwhile; once up, it gets it once, with the new token. */
START_TEST(test_sink_down_then_up)
{
	struct sink *k = sink_new();
	struct client *a;
	char *carol = harness_email("carol"), *err;
	int64_t id, attempts;

	set_plan("pro");
	crm_set(k->url, TOKEN);
	agorad_start(node);
	a = harness_login(node, alice, HARNESS_PASSWORD, NULL);
	id = space_new(a, "Later deal");
	client_reply_free(call_ok(a, "INVITE", "space", i64s(id), "emails",
	    carol, NULL));
	ck_assert_int_eq(webhooks(), 1);
	ck_assert_int_eq(wait_true("SELECT (attempts >= 2)::int FROM outbox "
	    "WHERE kind = 'webhook'", CRM_WAIT_MS), 0);
	err = pg_text("SELECT last_error FROM outbox WHERE kind = 'webhook'",
	    NULL);
	ck_assert_msg(err != NULL && *err != '\0', "no last_error");
	free(err);
	ck_assert_int_eq(pg_i64("SELECT (sent_at IS NULL AND failed_at IS "
	    "NULL)::int FROM outbox WHERE kind = 'webhook'", NULL), 1);

	crm_set(k->url, TOKEN2);
	sink_start(k);
	ck_assert_int_eq(sink_wait(k, 1, CRM_WAIT_MS), 0);
	ck_assert_int_eq(wait_true("SELECT (sent_at IS NOT NULL)::int FROM "
	    "outbox WHERE kind = 'webhook'", CRM_WAIT_MS), 0);
	sink_check(k, 0, "headers.authorization", "Bearer " TOKEN2,
	    "json.invitee.email", carol, NULL);
	attempts = pg_i64("SELECT attempts FROM outbox WHERE kind = 'webhook'",
	    NULL);
	/* Longer than the longest retry: it does not go again. */
	sleep_ms(5000);
	ck_assert_int_eq(sink_count(k), 1);
	ck_assert_int_eq(pg_i64("SELECT attempts FROM outbox WHERE kind = "
	    "'webhook'", NULL), attempts);
	assert_log_clean(TOKEN);
	assert_log_clean(TOKEN2);
	client_close(a);
	agorad_stop_clean(node);
	sink_free(k);
	free(carol);
}
END_TEST

/* 401 from the CRM: refused three times, then failed and left alone. A
 * 503 before it is only a passing failure. */
START_TEST(test_refused_for_good)
{
	struct sink *k = sink_new();
	struct client *a;
	char *carol = harness_email("carol"), *err;
	int64_t id;

	set_plan("pro");
	crm_set(k->url, TOKEN);
	sink_status(k, 503);
	sink_start(k);
	agorad_start(node);
	a = harness_login(node, alice, HARNESS_PASSWORD, NULL);
	id = space_new(a, "Refused deal");
	client_reply_free(call_ok(a, "INVITE", "space", i64s(id), "emails",
	    carol, NULL));
	ck_assert_int_eq(sink_wait(k, 3, CRM_WAIT_MS), 0);
	ck_assert_int_eq(pg_i64("SELECT (failed_at IS NULL)::int FROM outbox "
	    "WHERE kind = 'webhook'", NULL), 1);
	err = pg_text("SELECT last_error FROM outbox WHERE kind = 'webhook'",
	    NULL);
	ck_assert_msg(err != NULL && strstr(err, "503") != NULL,
	    "last_error \"%s\"", err);
	free(err);

	sink_status(k, 401);
	ck_assert_int_eq(wait_true("SELECT (failed_at IS NOT NULL)::int FROM "
	    "outbox WHERE kind = 'webhook'", CRM_WAIT_MS), 0);
	err = pg_text("SELECT last_error FROM outbox WHERE kind = 'webhook'",
	    NULL);
	ck_assert_msg(err != NULL && strstr(err, "401") != NULL &&
	    strstr(err, TOKEN) == NULL, "last_error \"%s\"", err);
	free(err);
	ck_assert_int_eq(agorad_log_count(node, "giving up"), 1);
	{
		int64_t tries = pg_i64("SELECT attempts FROM outbox WHERE "
		    "kind = 'webhook'", NULL);
		int posts = sink_count(k);

		ck_assert_int_ge(tries, 3);
		ck_assert_int_eq(posts, tries);
		sleep_ms(4000);
		ck_assert_int_eq(sink_count(k), posts);
		ck_assert_int_eq(pg_i64("SELECT attempts FROM outbox WHERE "
		    "kind = 'webhook'", NULL), tries);
	}
	ck_assert_int_eq(pg_i64("SELECT (sent_at IS NULL)::int FROM outbox "
	    "WHERE kind = 'webhook'", NULL), 1);
	assert_log_clean(TOKEN);
	client_close(a);
	agorad_stop_clean(node);
	sink_free(k);
	free(carol);
}
END_TEST

/* The subcommand: the token from standard input only, never shown or
 * audited; bad URLs refused; --off stops even what is queued. */
START_TEST(test_admin_subcommand)
{
	struct sink *k = sink_new();
	struct client *a;
	char *out, *carol = harness_email("carol"), *v;
	int64_t id;

	/* No such option: a token in argv is refused, nothing is stored. */
	ck_assert_int_eq(agorad_run(node, TOKEN "\n", &out, "workspace", "crm",
	    ws, "--url", k->url, "--token", TOKEN, NULL), 1);
	ck_assert_ptr_nonnull(strstr(out, "usage"));
	free(out);
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM crm_webhooks c JOIN "
	    "workspaces w ON w.id = c.workspace_id WHERE w.name = $1", ws,
	    NULL), 0);
	/* No token, bad tokens, bad URLs, unknown workspace, both options. */
	ck_assert_int_eq(agorad_run(node, NULL, &out, "workspace", "crm", ws,
	    "--url", k->url, NULL), 1);
	ck_assert_ptr_nonnull(strstr(out, "no token"));
	free(out);
	ck_assert_int_eq(agorad_run(node, "two words\n", &out, "workspace",
	    "crm", ws, "--url", k->url, NULL), 1);
	ck_assert_ptr_nonnull(strstr(out, "printable ASCII"));
	free(out);
	ck_assert_int_eq(agorad_run(node, TOKEN "\n", &out, "workspace", "crm",
	    ws, "--url", "http://crm.example.com/hook", NULL), 1);
	ck_assert_ptr_nonnull(strstr(out, "https://"));
	free(out);
	ck_assert_int_eq(agorad_run(node, TOKEN "\n", &out, "workspace", "crm",
	    ws, "--url", "https://crm.example.com/a b", NULL), 1);
	free(out);
	ck_assert_int_eq(agorad_run(node, TOKEN "\n", &out, "workspace", "crm",
	    "No such workspace", "--url", k->url, NULL), 1);
	ck_assert_ptr_nonnull(strstr(out, "no workspace"));
	free(out);
	ck_assert_int_eq(agorad_run(node, NULL, &out, "workspace", "crm", ws,
	    "--url", k->url, "--off", NULL), 1);
	free(out);
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM crm_webhooks c JOIN "
	    "workspaces w ON w.id = c.workspace_id WHERE w.name = $1", ws,
	    NULL), 0);

	/* Set, on the free plan: told it will not post. CR LF is trimmed. */
	ck_assert_int_eq(agorad_run(node, TOKEN "\r\n", &out, "workspace",
	    "crm", ws, "--url", k->url, NULL), 0);
	ck_assert_ptr_null(strstr(out, TOKEN));
	ck_assert_ptr_null(strstr(out, "qsecret"));
	ck_assert_ptr_nonnull(strstr(out, "plan free"));
	free(out);
	v = pg_text("SELECT token FROM crm_webhooks c JOIN workspaces w ON "
	    "w.id = c.workspace_id WHERE w.name = $1", ws, NULL);
	ck_assert_str_eq(v, TOKEN);
	free(v);
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM audit_log WHERE action "
	    "= 'workspace.crm' AND target = $1 AND detail NOT LIKE '%' || $2 || "
	    "'%' AND detail NOT LIKE '%qsecret%'", ws, TOKEN, NULL), 1);
	/* Shown without the token or the query. */
	ck_assert_int_eq(agorad_run(node, NULL, &out, "workspace", "crm", ws,
	    NULL), 0);
	ck_assert_msg(strstr(out, "https://127.0.0.1:") != NULL &&
	    strstr(out, "/hooks/agora") != NULL && strstr(out, TOKEN) == NULL &&
	    strstr(out, "qsecret") == NULL, "%s", out);
	free(out);

	/* Queued while the CRM is down, then --off: given up, never sent. */
	set_plan("pro");
	agorad_start(node);
	a = harness_login(node, alice, HARNESS_PASSWORD, NULL);
	id = space_new(a, "Off deal");
	client_reply_free(call_ok(a, "INVITE", "space", i64s(id), "emails",
	    carol, NULL));
	ck_assert_int_eq(webhooks(), 1);
	ck_assert_int_eq(wait_true("SELECT (attempts >= 1)::int FROM outbox "
	    "WHERE kind = 'webhook'", CRM_WAIT_MS), 0);
	ck_assert_int_eq(agorad_run(node, NULL, &out, "workspace", "crm", ws,
	    "--off", NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "removed"));
	free(out);
	sink_start(k);
	ck_assert_int_eq(wait_true("SELECT (failed_at IS NOT NULL)::int FROM "
	    "outbox WHERE kind = 'webhook'", CRM_WAIT_MS), 0);
	v = pg_text("SELECT last_error FROM outbox WHERE kind = 'webhook'",
	    NULL);
	ck_assert_msg(strstr(v, "no CRM webhook") != NULL, "%s", v);
	free(v);
	client_reply_free(call_ok(a, "INVITE", "space", i64s(id), "emails",
	    bob, NULL));
	ck_assert_int_eq(webhooks(), 1);
	sleep_ms(2000);
	ck_assert_int_eq(sink_count(k), 0);
	ck_assert_int_eq(agorad_run(node, NULL, &out, "workspace", "crm", ws,
	    "--off", NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "had no CRM webhook"));
	free(out);
	assert_log_clean(TOKEN);
	client_close(a);
	agorad_stop_clean(node);
	sink_free(k);
	free(carol);
}
END_TEST

static Suite *
crm_suite(void)
{
	Suite *s = suite_create("crm");
	TCase *tc = harness_tcase("crm");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_pro_posts_each_invitation);
	tcase_add_test(tc, test_free_plan_or_no_webhook_posts_nothing);
	tcase_add_test(tc, test_sink_down_then_up);
	tcase_add_test(tc, test_refused_for_good);
	tcase_add_test(tc, test_admin_subcommand);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return harness_run(crm_suite());
}
