/*
 * Private conversations and space discussions: MSG.SEND, MSG.LIST,
 * MSG.READ, CONV.LIST. Live delivery (on this node and on another one
 * sharing the database), persistence, paging, unread counts and read
 * positions, who may write to whom, body limits, and a space discussion
 * reaching its active participants only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "harness.h"
#include "xmalloc.h"

static struct agorad *node;
static char *ws, *alice, *bob, *carol, *dave, *eve, *frank;
static int64_t alice_id, bob_id, carol_id, dave_id, eve_id, frank_id;
static int64_t network, room;

/*
 * Alice's workspace is on pro. Her network has Bob active (so they are
 * professional contacts), Eve invited (pending) and Frank revoked; her
 * deal room, not a network, has Carol active: Alice and Carol share a
 * space. Dave knows nobody.
 */
static void
setup(void)
{
	struct client *a;
	struct client_reply *r;

	node = agorad_new(NULL);
	ws = harness_workspace("Acme");
	alice = harness_email("alice");
	bob = harness_email("bob");
	carol = harness_email("carol");
	dave = harness_email("dave");
	eve = harness_email("eve");
	frank = harness_email("frank");
	alice_id = agorad_user_add(node, alice, "Alice Martin",
	    HARNESS_PASSWORD, ws, "member");
	bob_id = agorad_user_add(node, bob, "Bob Chen", HARNESS_PASSWORD, ws,
	    "member");
	carol_id = agorad_user_add(node, carol, "Carol D\xc3\xad" "az",
	    HARNESS_PASSWORD, NULL, NULL);
	dave_id = agorad_user_add(node, dave, "Dave Nobody", HARNESS_PASSWORD,
	    NULL, NULL);
	eve_id = agorad_user_add(node, eve, "Eve Invited", HARNESS_PASSWORD,
	    NULL, NULL);
	frank_id = agorad_user_add(node, frank, "Frank Revoked",
	    HARNESS_PASSWORD, NULL, NULL);
	pg_exec("UPDATE workspaces SET plan = 'pro' WHERE name = $1", ws,
	    NULL);
	agorad_start(node);
	a = harness_login(node, alice, HARNESS_PASSWORD, NULL);
	r = call_ok(a, "SPACE.CREATE", "title", "Partners", "network", "1",
	    NULL);
	network = strtoll(client_reply_get(r, "space"), NULL, 10);
	client_reply_free(r);
	r = call_ok(a, "SPACE.CREATE", "title", "Deal room", NULL);
	room = strtoll(client_reply_get(r, "space"), NULL, 10);
	client_reply_free(r);
	client_close(a);
	harness_participant(network, bob_id, "internal", "active");
	harness_participant(network, eve_id, "external", "pending");
	harness_participant(network, frank_id, "external", "revoked");
	harness_participant(room, carol_id, "external", "active");
}

static void
teardown(void)
{
	if (node != NULL && agorad_running(node))
		agorad_stop_clean(node);
	free(ws);
	free(alice);
	free(bob);
	free(carol);
	free(dave);
	free(eve);
	free(frank);
	node = NULL;
}

static struct client *
login(const char *email)
{
	return harness_login(node, email, HARNESS_PASSWORD, NULL);
}

/* MSG.SEND key=id body=body; returns the message id. */
static int64_t
send_msg(struct client *c, const char *key, int64_t id, const char *body)
{
	struct client_reply *r = call_ok(c, "MSG.SEND", key, i64s(id), "body",
	    body, NULL);
	int64_t msg = line_i64(r->line, "id");

	ck_assert_int_gt(line_i64(r->line, "conversation"), 0);
	ck_assert_int_gt(line_i64(r->line, "at"), 0);
	client_reply_free(r);
	return msg;
}

/* The message.new event for message id (skipping others). */
static char *
wait_message(struct client *c, int64_t id)
{
	int64_t deadline = now_ms() + HARNESS_TIMEOUT;
	char *ev;

	for (;;) {
		ev = event_wait(c, "message.new", (int)(deadline - now_ms()));
		ck_assert_msg(ev != NULL, "no message.new for message %lld",
		    (long long)id);
		if (line_i64(ev, "id") == id)
			return ev;
		free(ev);
	}
}

/* A body parameter, decoded, compared with want. */
static void
assert_body(const char *line, const char *want)
{
	char *body = line_get(line, "body");

	ck_assert_ptr_nonnull(body);
	ck_assert_str_eq(body, want);
	free(body);
}

/* The CONVERSATION line of c's CONV.LIST for key=id (caller frees). */
static char *
conversation_line(struct client *c, const char *key, int64_t id)
{
	struct client_reply *r = call_ok(c, "CONV.LIST", NULL);
	char *found = NULL;

	ck_assert_int_eq(line_i64(r->line, "count"), (int64_t)r->ndata);
	for (size_t i = 0; i < r->ndata; i++)
		if (found == NULL && line_is(r->data[i], key, i64s(id)))
			found = xstrdup(r->data[i]);
	client_reply_free(r);
	return found;
}

/* The CONTACT line for user in c's CONTACTS (caller frees). */
static char *
contact_line(struct client *c, int64_t user)
{
	struct client_reply *r = call_ok(c, "CONTACTS", NULL);
	char *found = NULL;

	for (size_t i = 0; i < r->ndata; i++)
		if (line_i64(r->data[i], "user") == user)
			found = xstrdup(r->data[i]);
	client_reply_free(r);
	return found;
}

/*
 * Reads c's events up to a session.login for session sid (a marker sent
 * after what is checked); returns how many message.new came before it.
 * Events reach a connection in seq order, so one addressed to it before
 * the marker would have arrived first.
 */
static int
messages_before_login(struct client *c, int64_t sid)
{
	int64_t deadline = now_ms() + HARNESS_TIMEOUT;
	int n = 0;
	char *ev;

	for (;;) {
		ev = client_next_event(c, (int)(deadline - now_ms()));
		ck_assert_msg(ev != NULL, "no session.login marker");
		if (line_is(ev, "type", "message.new"))
			n++;
		if (line_is(ev, "type", "session.login") &&
		    line_is(ev, "session", i64s(sid))) {
			free(ev);
			return n;
		}
		free(ev);
	}
}

/* Logs in again as email (a marker event to that user); the session. */
static int64_t
marker_login(const char *email)
{
	struct client *c = harness_connect(node);
	struct client_reply *r = call_ok(c, "LOGIN", "email", email,
	    "password", HARNESS_PASSWORD, NULL);
	int64_t sid = line_i64(r->line, "session");

	client_reply_free(r);
	client_close(c);
	return sid;
}

START_TEST(test_direct_live_and_persisted)
{
	struct client *a = login(alice), *b = login(bob);
	struct client_reply *r;
	const char *body = "Hello Bob,\n\tthe contract is ready.\n\xe2\x9c\x93";
	int64_t id, conv;
	char *ev;

	id = send_msg(a, "to", bob_id, body);
	/* Live, to the recipient and to the sender's clients. */
	ev = wait_message(b, id);
	conv = line_i64(ev, "conversation");
	ck_assert(line_is(ev, "kind", "direct"));
	ck_assert_int_eq(line_i64(ev, "from"), alice_id);
	ck_assert_int_eq(line_i64(ev, "to"), bob_id);
	ck_assert(line_is(ev, "name", "Alice Martin"));
	ck_assert_int_gt(line_i64(ev, "at"), 0);
	assert_body(ev, body);
	free(ev);
	ev = wait_message(a, id);
	ck_assert_int_eq(line_i64(ev, "conversation"), conv);
	free(ev);
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM conversations WHERE"
	    " kind = 'direct' AND user_lo = least($1::bigint, $2::bigint)"
	    " AND user_hi = greatest($1::bigint, $2::bigint)", i64s(alice_id),
	    i64s(bob_id), NULL), 1);
	/* Persisted: Bob reconnects and reads it, unread. */
	client_close(b);
	b = login(bob);
	r = call_ok(b, "MSG.LIST", "with", i64s(alice_id), NULL);
	ck_assert_uint_eq(r->ndata, 1);
	ck_assert_int_eq(line_i64(r->data[0], "id"), id);
	ck_assert_int_eq(line_i64(r->data[0], "from"), alice_id);
	ck_assert(line_is(r->data[0], "name", "Alice Martin"));
	assert_body(r->data[0], body);
	ck_assert_int_eq(line_i64(r->line, "conversation"), conv);
	ck_assert_int_eq(line_i64(r->line, "count"), 1);
	ck_assert_int_eq(line_i64(r->line, "more"), 0);
	ck_assert_int_eq(line_i64(r->line, "last_read"), 0);
	ck_assert_int_eq(line_i64(r->line, "unread"), 1);
	client_reply_free(r);
	/* The sender has read what they wrote. */
	r = call_ok(a, "MSG.LIST", "with", i64s(bob_id), NULL);
	ck_assert_int_eq(line_i64(r->line, "last_read"), id);
	ck_assert_int_eq(line_i64(r->line, "unread"), 0);
	client_reply_free(r);
	/* Bob's answer goes into the same conversation. */
	ck_assert_int_gt(send_msg(b, "to", alice_id, "Thanks!"), id);
	r = call_ok(a, "MSG.LIST", "with", i64s(bob_id), NULL);
	ck_assert_int_eq(line_i64(r->line, "conversation"), conv);
	ck_assert_int_eq(line_i64(r->line, "count"), 2);
	ck_assert_int_eq(line_i64(r->line, "unread"), 1);
	client_reply_free(r);
	/* Nothing yet between Alice and Carol. */
	r = call_ok(a, "MSG.LIST", "with", i64s(carol_id), NULL);
	ck_assert_uint_eq(r->ndata, 0);
	ck_assert_int_eq(line_i64(r->line, "conversation"), 0);
	ck_assert_int_eq(line_i64(r->line, "count"), 0);
	ck_assert_int_eq(line_i64(r->line, "more"), 0);
	client_reply_free(r);
	/* The audit log says a message was sent, not what it said. */
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM audit_log WHERE"
	    " action = 'message.send' AND actor_id = $1", i64s(alice_id),
	    NULL), 1);
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM audit_log WHERE"
	    " coalesce(detail, '') LIKE '%contract%' OR"
	    " coalesce(target, '') LIKE '%contract%'", NULL), 0);
	client_close(a);
	client_close(b);
}
END_TEST

START_TEST(test_paging)
{
	struct client *a = login(alice), *b = login(bob);
	struct client_reply *r;
	int64_t ids[7], before, got[7];
	int n = 0, pages = 0;
	char body[32];

	for (int i = 0; i < 7; i++) {
		snprintf(body, sizeof body, "message %d", i);
		ids[i] = send_msg(a, "to", bob_id, body);
	}
	/* Pages of 3 from the newest back; each page oldest first. */
	before = 0;
	do {
		if (before == 0)
			r = call_ok(b, "MSG.LIST", "with", i64s(alice_id),
			    "limit", "3", NULL);
		else
			r = call_ok(b, "MSG.LIST", "with", i64s(alice_id),
			    "limit", "3", "before", i64s(before), NULL);
		pages++;
		ck_assert_int_eq(line_i64(r->line, "count"),
		    (int64_t)r->ndata);
		ck_assert_uint_le(r->ndata, 3);
		for (size_t i = 0; i < r->ndata; i++) {
			int64_t id = line_i64(r->data[i], "id");

			if (i > 0)
				ck_assert_int_gt(id, line_i64(r->data[i - 1],
				    "id"));
			/* Pages come newest first: fill from the end. */
			got[7 - n - (int)r->ndata + (int)i] = id;
			snprintf(body, sizeof body, "message %d",
			    7 - n - (int)r->ndata + (int)i);
			assert_body(r->data[i], body);
		}
		n += (int)r->ndata;
		ck_assert_int_eq(line_i64(r->line, "more"), n < 7);
		ck_assert_int_eq(line_i64(r->line, "unread"), 7);
		before = r->ndata > 0 ? line_i64(r->data[0], "id") : 0;
		client_reply_free(r);
	} while (n < 7);
	ck_assert_int_eq(pages, 3);
	for (int i = 0; i < 7; i++)
		ck_assert_int_eq(got[i], ids[i]);
	/* Before the oldest: nothing more. */
	r = call_ok(b, "MSG.LIST", "with", i64s(alice_id), "before",
	    i64s(ids[0]), NULL);
	ck_assert_uint_eq(r->ndata, 0);
	ck_assert_int_eq(line_i64(r->line, "more"), 0);
	client_reply_free(r);
	/* The default page holds them all. */
	r = call_ok(b, "MSG.LIST", "with", i64s(alice_id), NULL);
	ck_assert_uint_eq(r->ndata, 7);
	ck_assert_int_eq(line_i64(r->line, "more"), 0);
	client_reply_free(r);
	call_err(b, "invalid", "MSG.LIST", "with", i64s(alice_id), "limit",
	    "0", NULL);
	call_err(b, "invalid", "MSG.LIST", "with", i64s(alice_id), "limit",
	    "201", NULL);
	r = call_ok(b, "MSG.LIST", "with", i64s(alice_id), "limit", "200",
	    NULL);
	ck_assert_uint_eq(r->ndata, 7);
	client_reply_free(r);
	client_close(a);
	client_close(b);
}
END_TEST

START_TEST(test_unread_and_read)
{
	struct client *a = login(alice), *b1 = login(bob), *b2 = login(bob);
	struct client_reply *r;
	int64_t m[3], conv;
	char *line, *ev;

	for (int i = 0; i < 3; i++)
		m[i] = send_msg(a, "to", bob_id, "ping");
	line = conversation_line(b1, "with", alice_id);
	ck_assert_ptr_nonnull(line);
	conv = line_i64(line, "id");
	ck_assert(line_is(line, "kind", "direct"));
	ck_assert(line_is(line, "name", "Alice Martin"));
	ck_assert_int_eq(line_i64(line, "last"), m[2]);
	ck_assert_int_gt(line_i64(line, "at"), 0);
	ck_assert_int_eq(line_i64(line, "unread"), 3);
	free(line);
	line = contact_line(b1, alice_id);
	ck_assert_ptr_nonnull(line);
	ck_assert_int_eq(line_i64(line, "unread"), 3);
	free(line);
	/* Alice wrote them: none unread for her. */
	line = conversation_line(a, "with", bob_id);
	ck_assert_ptr_nonnull(line);
	ck_assert_int_eq(line_i64(line, "unread"), 0);
	free(line);

	/* Read up to the second: the other connection hears it. */
	r = call_ok(b1, "MSG.READ", "with", i64s(alice_id), "upto",
	    i64s(m[1]), NULL);
	ck_assert_int_eq(line_i64(r->line, "unread"), 1);
	client_reply_free(r);
	ev = event_wait(b2, "conversation.read", HARNESS_TIMEOUT);
	ck_assert_ptr_nonnull(ev);
	ck_assert_int_eq(line_i64(ev, "conversation"), conv);
	ck_assert_int_eq(line_i64(ev, "with"), alice_id);
	ck_assert_int_eq(line_i64(ev, "upto"), m[1]);
	ck_assert_int_eq(line_i64(ev, "unread"), 1);
	free(ev);
	/* Never backwards. */
	r = call_ok(b2, "MSG.READ", "with", i64s(alice_id), "upto",
	    i64s(m[0]), NULL);
	ck_assert_int_eq(line_i64(r->line, "unread"), 1);
	client_reply_free(r);
	r = call_ok(b2, "MSG.LIST", "with", i64s(alice_id), NULL);
	ck_assert_int_eq(line_i64(r->line, "last_read"), m[1]);
	ck_assert_int_eq(line_i64(r->line, "unread"), 1);
	client_reply_free(r);
	ck_assert_int_eq(pg_i64("SELECT last_read FROM conversation_reads"
	    " WHERE conversation_id = $1 AND user_id = $2", i64s(conv),
	    i64s(bob_id), NULL), m[1]);
	/* A message of no conversation of theirs, or none at all. */
	call_err(b1, "not_found", "MSG.READ", "with", i64s(alice_id), "upto",
	    "999999999", NULL);
	call_err(b1, "not_found", "MSG.READ", "with", i64s(carol_id), "upto",
	    i64s(m[2]), NULL);
	/* After a reconnect, the same. */
	client_close(b1);
	client_close(b2);
	b1 = login(bob);
	line = conversation_line(b1, "with", alice_id);
	ck_assert_int_eq(line_i64(line, "unread"), 1);
	free(line);
	line = contact_line(b1, alice_id);
	ck_assert_int_eq(line_i64(line, "unread"), 1);
	free(line);
	r = call_ok(b1, "MSG.READ", "with", i64s(alice_id), "upto",
	    i64s(m[2]), NULL);
	ck_assert_int_eq(line_i64(r->line, "unread"), 0);
	client_reply_free(r);
	line = conversation_line(b1, "with", alice_id);
	ck_assert_int_eq(line_i64(line, "unread"), 0);
	free(line);
	/* Bob answers: Alice has one unread, Bob none. */
	m[0] = send_msg(b1, "to", alice_id, "pong");
	line = conversation_line(a, "with", bob_id);
	ck_assert_int_eq(line_i64(line, "unread"), 1);
	ck_assert_int_eq(line_i64(line, "last"), m[0]);
	free(line);
	line = conversation_line(b1, "with", alice_id);
	ck_assert_int_eq(line_i64(line, "unread"), 0);
	free(line);
	client_close(a);
	client_close(b1);
}
END_TEST

START_TEST(test_who_may_write)
{
	struct client *a = login(alice), *b = login(bob), *c = login(carol),
	    *d = login(dave);
	struct client_reply *r;

	/* Sharing a space is enough, both ways. */
	send_msg(a, "to", carol_id, "Welcome to the deal room");
	send_msg(c, "to", alice_id, "Thank you");
	/* Strangers may not write to each other. */
	r = client_call(b, "MSG.SEND", "to", i64s(carol_id), "body", "hi",
	    NULL);
	ck_assert_ptr_nonnull(r);
	ck_assert(!r->ok);
	ck_assert_str_eq(r->code, "forbidden");
	ck_assert(line_is(r->line, "msg", "you can write only to your "
	    "professional contacts and to people you share a space with"));
	client_reply_free(r);
	call_err(d, "forbidden", "MSG.SEND", "to", i64s(alice_id), "body",
	    "hi", NULL);
	/* Nor do pending or revoked participants count. */
	call_err(a, "forbidden", "MSG.SEND", "to", i64s(eve_id), "body", "hi",
	    NULL);
	call_err(a, "forbidden", "MSG.SEND", "to", i64s(frank_id), "body",
	    "hi", NULL);
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM messages m JOIN users u"
	    " ON u.id = m.sender_id WHERE u.email IN ($1, $2)", bob, dave,
	    NULL), 0);
	/* A user id that names no one gets a stranger's answer: the
	   answer does not tell which ids exist. */
	r = client_call(a, "MSG.SEND", "to", "999999999", "body", "hi", NULL);
	ck_assert_ptr_nonnull(r);
	ck_assert(!r->ok);
	ck_assert_str_eq(r->code, "forbidden");
	ck_assert(line_is(r->line, "msg", "you can write only to your "
	    "professional contacts and to people you share a space with"));
	client_reply_free(r);
	call_err(a, "invalid", "MSG.SEND", "to", i64s(alice_id), "body", "hi",
	    NULL);
	call_err(a, "invalid", "MSG.SEND", "body", "hi", NULL);
	call_err(a, "invalid", "MSG.SEND", "to", i64s(bob_id), "space",
	    i64s(network), "body", "hi", NULL);
	call_err(a, "invalid", "MSG.SEND", "to", i64s(bob_id), NULL);
	call_err(a, "invalid", "MSG.LIST", "with", i64s(alice_id), NULL);
	r = call_ok(a, "MSG.LIST", "with", "999999999", NULL);
	ck_assert_uint_eq(r->ndata, 0);
	ck_assert(line_is(r->line, "conversation", "0"));
	client_reply_free(r);
	call_err(a, "not_found", "MSG.READ", "with", "999999999", "upto", "1",
	    NULL);
	call_err(a, "invalid", "MSG.READ", "with", i64s(bob_id), NULL);
	/* Someone with no conversation with Alice reads nothing of hers. */
	r = call_ok(d, "MSG.LIST", "with", i64s(alice_id), NULL);
	ck_assert_uint_eq(r->ndata, 0);
	ck_assert_int_eq(line_i64(r->line, "conversation"), 0);
	client_reply_free(r);
	r = call_ok(d, "CONV.LIST", NULL);
	ck_assert_uint_eq(r->ndata, 0);
	ck_assert_int_eq(line_i64(r->line, "count"), 0);
	client_reply_free(r);
	/* Without a session, nothing. */
	{
		struct client *anon = harness_connect(node);

		call_err(anon, "auth_required", "CONV.LIST", NULL);
		call_err(anon, "auth_required", "MSG.SEND", "to",
		    i64s(alice_id), "body", "hi", NULL);
		client_close(anon);
	}
	client_close(a);
	client_close(b);
	client_close(c);
	client_close(d);
}
END_TEST

START_TEST(test_body_limits)
{
	struct client *a = login(alice), *b = login(bob);
	struct client_reply *r;
	char *big = xmalloc(16386), *line;
	int64_t id;

	call_err(a, "invalid", "MSG.SEND", "to", i64s(bob_id), "body", "",
	    NULL);
	call_err(a, "invalid", "MSG.SEND", "to", i64s(bob_id), "body",
	    " \n\t \n", NULL);
	memset(big, 'x', 16385);
	big[16385] = '\0';
	call_err(a, "invalid", "MSG.SEND", "to", i64s(bob_id), "body", big,
	    NULL);
	/* 16384 bytes, the last one a line feed: accepted whole. */
	big[16383] = '\n';
	big[16384] = '\0';
	id = send_msg(a, "to", bob_id, big);
	r = call_ok(b, "MSG.LIST", "with", i64s(alice_id), "limit", "1",
	    NULL);
	ck_assert_int_eq(line_i64(r->data[0], "id"), id);
	assert_body(r->data[0], big);
	client_reply_free(r);
	/* Controls other than LF and tab: a CR (an escape the codec
	   decodes), a C1 control (valid UTF-8). */
	call_err(a, "invalid", "MSG.SEND", "to", i64s(bob_id), "body",
	    "carriage\rreturn", NULL);
	call_err(a, "invalid", "MSG.SEND", "to", i64s(bob_id), "body",
	    "next\xc2\x85line", NULL);
	/* Raw bytes the line codec itself refuses: invalid UTF-8, a C0
	   control inside a quoted value. */
	xasprintf(&line, "T1 MSG.SEND to=%lld body=\"bad \xff byte\"",
	    (long long)bob_id);
	expect_err(harness_raw(a, "T1", line), "bad_request");
	free(line);
	xasprintf(&line, "T2 MSG.SEND to=%lld body=\"bell \x07 here\"",
	    (long long)bob_id);
	expect_err(harness_raw(a, "T2", line), "bad_request");
	free(line);
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM messages WHERE"
	    " sender_id = $1", i64s(alice_id), NULL), 1);
	free(big);
	client_close(a);
	client_close(b);
}
END_TEST

/* Whether email's SYNC from before message id replays it (want 0 or 1). */
static void
sync_sees(const char *email, int64_t id, int want)
{
	struct client *c = login(email);
	struct client_reply *r = call_ok(c, "SYNC", "since", i64s(pg_i64(
	    "SELECT seq - 1 FROM events WHERE type = 'message.new' AND"
	    " data LIKE '%id=' || $1 || ' %'", i64s(id), NULL)), NULL);
	int n = 0;

	for (size_t i = 0; i < r->ndata; i++)
		n += strstr(r->data[i], "type=message.new") != NULL &&
		    line_i64(r->data[i], "id") == id;
	ck_assert_msg(n == want, "%s: SYNC replayed message %lld %d times",
	    email, (long long)id, n);
	client_reply_free(r);
	client_close(c);
}

START_TEST(test_space_discussion)
{
	struct client *a = login(alice), *b = login(bob), *e = login(eve),
	    *f = login(frank), *d = login(dave);
	struct client_reply *r;
	char *ev, *line;
	int64_t id, conv;

	id = send_msg(a, "space", network, "Kick-off at ten");
	for (int i = 0; i < 2; i++) {
		ev = wait_message(i == 0 ? a : b, id);
		ck_assert(line_is(ev, "kind", "space"));
		ck_assert_int_eq(line_i64(ev, "space"), network);
		ck_assert_int_eq(line_i64(ev, "from"), alice_id);
		ck_assert(line_is(ev, "name", "Alice Martin"));
		ck_assert_ptr_null(line_get(ev, "to"));
		assert_body(ev, "Kick-off at ten");
		free(ev);
	}
	/* One row for the space, not one per participant. */
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM events WHERE type ="
	    " 'message.new' AND space_id = $1", i64s(network), NULL), 1);
	/* Replayed to a reader who was away (SYNC), to no one else. */
	sync_sees(bob, id, 1);
	sync_sees(eve, id, 0);
	sync_sees(frank, id, 0);
	sync_sees(dave, id, 0);
	/* Not to the invitee who has not accepted, nor to the revoked. */
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM events WHERE type ="
	    " 'message.new' AND user_id IN ($1, $2, $3)", i64s(eve_id),
	    i64s(frank_id), i64s(dave_id), NULL), 0);
	ck_assert_int_eq(messages_before_login(e, marker_login(eve)), 0);
	ck_assert_int_eq(messages_before_login(f, marker_login(frank)), 0);
	/* Bob reads it; its conversation is listed with the space. */
	r = call_ok(b, "MSG.LIST", "space", i64s(network), NULL);
	ck_assert_uint_eq(r->ndata, 1);
	assert_body(r->data[0], "Kick-off at ten");
	ck_assert_int_eq(line_i64(r->line, "unread"), 1);
	conv = line_i64(r->line, "conversation");
	client_reply_free(r);
	line = conversation_line(b, "space", network);
	ck_assert_ptr_nonnull(line);
	ck_assert_int_eq(line_i64(line, "id"), conv);
	ck_assert(line_is(line, "kind", "space"));
	ck_assert(line_is(line, "title", "Partners"));
	ck_assert_int_eq(line_i64(line, "unread"), 1);
	free(line);
	r = call_ok(b, "MSG.READ", "space", i64s(network), "upto", i64s(id),
	    NULL);
	ck_assert_int_eq(line_i64(r->line, "unread"), 0);
	client_reply_free(r);
	/* Closed to everyone not active in the space, in the same words. */
	for (int i = 0; i < 3; i++) {
		struct client *x = i == 0 ? e : i == 1 ? f : d;

		r = client_call(x, "MSG.SEND", "space", i64s(network), "body",
		    "let me in", NULL);
		ck_assert(r != NULL && !r->ok);
		ck_assert_str_eq(r->code, "not_found");
		ck_assert(line_is(r->line, "msg",
		    "this space link is not valid"));
		client_reply_free(r);
		r = client_call(x, "MSG.LIST", "space", i64s(network), NULL);
		ck_assert(r != NULL && !r->ok);
		ck_assert_str_eq(r->code, "not_found");
		ck_assert(line_is(r->line, "msg",
		    "this space link is not valid"));
		client_reply_free(r);
		call_err(x, "not_found", "MSG.READ", "space", i64s(network),
		    "upto", i64s(id), NULL);
		ck_assert_ptr_null(conversation_line(x, "space", network));
	}
	/* Bob writes back; both active participants get it. */
	id = send_msg(b, "space", network, "I'll be there");
	free(wait_message(a, id));
	free(wait_message(b, id));
	/* An archived space keeps its discussion but takes no more. */
	client_reply_free(call_ok(a, "SPACE.ARCHIVE", "space", i64s(network),
	    NULL));
	call_err(a, "conflict", "MSG.SEND", "space", i64s(network), "body",
	    "too late", NULL);
	r = call_ok(a, "MSG.LIST", "space", i64s(network), NULL);
	ck_assert_uint_eq(r->ndata, 2);
	client_reply_free(r);
	client_close(a);
	client_close(b);
	client_close(e);
	client_close(f);
	client_close(d);
}
END_TEST

START_TEST(test_other_node)
{
	struct agorad *other = agorad_new(NULL);
	struct client *a, *b;
	int64_t id;
	char *ev;

	agorad_start(other);
	a = login(alice);
	b = harness_login(other, bob, HARNESS_PASSWORD, NULL);
	id = send_msg(a, "to", bob_id, "across the nodes");
	ev = wait_message(b, id);
	assert_body(ev, "across the nodes");
	free(ev);
	id = send_msg(b, "to", alice_id, "and back");
	ev = wait_message(a, id);
	ck_assert_int_eq(line_i64(ev, "from"), bob_id);
	free(ev);
	id = send_msg(a, "space", network, "to the whole network");
	free(wait_message(b, id));
	client_close(a);
	client_close(b);
	agorad_stop_clean(other);
	agorad_free(other);
}
END_TEST

/*
 * Pages are bounded in bytes as well as rows (agora-protocol(7), LIMITS):
 * a page's lines, all but its last, come to less than this.
 */
#define PAGE_BYTES (256 * 1024)
#define BIG 200

static void
assert_page_bounded(const struct client_reply *r)
{
	size_t bytes = 0;

	for (size_t i = 0; i + 1 < r->ndata; i++)
		bytes += strlen(r->data[i]) + 1;
	ck_assert_msg(bytes < PAGE_BYTES, "a page of %zu lines: %zu bytes "
	    "before its last", r->ndata, bytes);
}

/* A line's body is what harness_big_messages wrote. */
static void
assert_big_body(const char *line)
{
	char *body = line_get(line, "body");
	size_t n;

	ck_assert_ptr_nonnull(body);
	n = strspn(body, "\"");
	ck_assert_msg(n == HARNESS_BIG_BODY && body[n] == '\0',
	    "a body of %zu bytes, %zu of them quotes", strlen(body), n);
	free(body);
}

/* The ids of space's messages, in order, as the database has them. */
static char *
space_message_ids(int64_t space)
{
	char *ids = pg_text("SELECT string_agg(m.id::text, ',' ORDER BY m.id)"
	    " FROM messages m JOIN conversations c ON c.id = m.conversation_id"
	    " WHERE c.space_id = $1", i64s(space), NULL);

	ck_assert_ptr_nonnull(ids);
	return ids;
}

static void
ids_add(struct buf *b, const char *line)
{
	char *id = line_get(line, "id");

	ck_assert_ptr_nonnull(id);
	buf_printf(b, "%s%s", buf_len(b) > 0 ? "," : "", id);
	free(id);
}

/*
 * The end of each of the tests below: b read every message, in order (ids
 * against want), and is still connected; frees ids, want and b.
 */
static void
assert_read_all(struct client *b, struct buf *ids, char *want)
{
	char *got = buf_take(ids);

	ck_assert_str_eq(got, want);
	ping_ok(b);
	ck_assert_int_eq(agorad_log_count(node, "output queue full"), 0);
	free(got);
	free(want);
	buf_free(ids);
	client_close(b);
}

/*
 * MSG.LIST limit=200 over 200 messages of 16,384 quotes (6.5 MiB once
 * escaped) used to be one reply over max_output: the client that asked,
 * reading as fast as it could, was dropped. Now the page is cut by bytes
 * with more=1, and paging back with before= gets every message, in
 * order, on one connection.
 */
START_TEST(test_page_bytes)
{
	struct client *b;
	struct client_reply *r;
	struct buf *page, *all = buf_new(0);
	char *want;
	int64_t before = 0;
	int pages = 0, more, n = 0;

	harness_big_messages(network, alice_id, BIG, 0);
	want = space_message_ids(network);
	b = login(bob);
	do {
		if (before == 0)
			r = call_ok(b, "MSG.LIST", "space", i64s(network),
			    "limit", "200", NULL);
		else
			r = call_ok(b, "MSG.LIST", "space", i64s(network),
			    "limit", "200", "before", i64s(before), NULL);
		pages++;
		ck_assert_uint_gt(r->ndata, 0);
		ck_assert_int_eq(line_i64(r->line, "count"),
		    (int64_t)r->ndata);
		assert_page_bounded(r);
		/* Oldest first within a page; pages go back in time. */
		page = buf_new(0);
		for (size_t i = 0; i < r->ndata; i++) {
			assert_big_body(r->data[i]);
			ids_add(page, r->data[i]);
		}
		if (buf_len(all) > 0)
			buf_printf(page, ",%s", buf_cstr(all));
		buf_free(all);
		all = page;
		n += (int)r->ndata;
		more = (int)line_i64(r->line, "more");
		ck_assert_int_eq(more, n < BIG);
		before = line_i64(r->data[0], "id");
		client_reply_free(r);
	} while (more);
	ck_assert_int_eq(n, BIG);
	ck_assert_int_gt(pages, 1);
	/* The default page is cut the same way. */
	r = call_ok(b, "MSG.LIST", "space", i64s(network), NULL);
	ck_assert_uint_gt(r->ndata, 0);
	ck_assert_uint_lt(r->ndata, 50);
	ck_assert_int_eq(line_i64(r->line, "more"), 1);
	assert_page_bounded(r);
	client_reply_free(r);
	assert_read_all(b, all, want);
}
END_TEST

/*
 * The same 200 messages as they are sent: one burst of events, 6.5 MiB,
 * more than max_output, pushed to a client that reads them. It gets them
 * all and stays connected: the bound is for a client that does not read.
 */
START_TEST(test_burst)
{
	struct client *b = login(bob);
	struct buf *ids = buf_new(0);
	char *want, *ev;

	harness_big_messages(network, alice_id, BIG, 1);
	want = space_message_ids(network);
	for (int i = 0; i < BIG; i++) {
		ev = event_wait(b, "message.new", HARNESS_TIMEOUT);
		ck_assert_msg(ev != NULL, "message %d of %d missing", i + 1,
		    BIG);
		assert_big_body(ev);
		ids_add(ids, ev);
		free(ev);
	}
	assert_read_all(b, ids, want);
}
END_TEST

/*
 * A client away while those 200 were sent catches up with SYNC: pages
 * bounded in bytes, each ending at its last event with more=1, up to the
 * latest seq. It used to be dropped by every first page, and so could
 * never catch up.
 */
START_TEST(test_sync_catch_up)
{
	struct client *b = login(bob);
	struct client_reply *r;
	struct buf *ids = buf_new(0);
	char *want, *w;
	int64_t since, prev, seq, latest;
	int pages = 0, more;

	/* Where Bob was when he left. */
	do {
		r = call_ok(b, "SYNC", "since", "0", NULL);
		since = line_i64(r->line, "seq");
		more = (int)line_i64(r->line, "more");
		client_reply_free(r);
	} while (more);
	client_close(b);

	harness_big_messages(network, alice_id, BIG, 1);
	want = space_message_ids(network);
	latest = pg_i64("SELECT last FROM event_seq", NULL);
	b = login(bob);
	prev = since;
	do {
		r = call_ok(b, "SYNC", "since", i64s(since), NULL);
		pages++;
		ck_assert_uint_gt(r->ndata, 0);
		assert_page_bounded(r);
		for (size_t i = 0; i < r->ndata; i++) {
			w = line_word(r->data[i]);
			ck_assert_str_eq(w, "EVENT");
			free(w);
			seq = line_i64(r->data[i], "seq");
			ck_assert_int_gt(seq, prev);
			prev = seq;
			if (!line_is(r->data[i], "type", "message.new"))
				continue;
			assert_big_body(r->data[i]);
			ids_add(ids, r->data[i]);
		}
		since = line_i64(r->line, "seq");
		more = (int)line_i64(r->line, "more");
		/* A page cut short resumes after its last event. */
		if (more)
			ck_assert_int_eq(since, prev);
		client_reply_free(r);
	} while (more);
	ck_assert_int_gt(pages, 1);
	ck_assert_int_ge(since, latest);
	assert_read_all(b, ids, want);
}
END_TEST

static Suite *
message_suite(void)
{
	Suite *s = suite_create("message");
	TCase *tc = harness_tcase("message");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_direct_live_and_persisted);
	tcase_add_test(tc, test_paging);
	tcase_add_test(tc, test_unread_and_read);
	tcase_add_test(tc, test_who_may_write);
	tcase_add_test(tc, test_body_limits);
	tcase_add_test(tc, test_space_discussion);
	tcase_add_test(tc, test_other_node);
	tcase_add_test(tc, test_page_bytes);
	tcase_add_test(tc, test_burst);
	tcase_add_test(tc, test_sync_catch_up);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return harness_run(message_suite());
}
