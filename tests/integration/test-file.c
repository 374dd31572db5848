/*
 * Files and comments in a space: uploading in chunks and downloading
 * back, the checks (size, SHA-256, the limit, the workspace's storage
 * quota, the offset to resume at), who may see, delete and comment, one
 * answer for every file id one may not see, the events, comments holding
 * hostile text coming back exactly as written, the scheduled purge of
 * abandoned uploads, and a deleted space taking its content with it.
 *
 * Participants other than the creator are written straight into the
 * database, as in test-space.c: this suite is about the file verbs.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "harness.h"
#include "xmalloc.h"

/* The limit for this suite's node: small enough to test cheaply. */
#define LIMIT		1048576
#define CLOSED		"this space link is not valid"
/* The SHA-256 of nothing. */
#define EMPTY_SHA \
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static struct agorad *node;
static char *ws, *alice, *bob, *eve, *fay, *rex, *zed;
static int64_t alice_id, bob_id, eve_id, fay_id, rex_id, space;

static void
participant_put(int64_t user, const char *role, const char *status)
{
	char s[24], u[24];

	snprintf(s, sizeof s, "%lld", (long long)space);
	snprintf(u, sizeof u, "%lld", (long long)user);
	pg_exec("INSERT INTO participants (space_id, user_id, role, status)"
	    " VALUES ($1, $2, $3, $4)", s, u, role, status, NULL);
}

/*
 * Alice's space with Bob (internal), Eve and Fay (externals), Rex
 * (revoked); Zed is in no space.
 */
static void
setup(void)
{
	struct client *a;
	struct client_reply *r;

	node = agorad_new(NULL);
	agorad_set(node, "file_max_size = %d", LIMIT);
	ws = harness_workspace("Acme");
	alice = harness_email("alice");
	bob = harness_email("bob");
	eve = harness_email("eve");
	fay = harness_email("fay");
	rex = harness_email("rex");
	zed = harness_email("zed");
	alice_id = agorad_user_add(node, alice, "Alice Martin",
	    HARNESS_PASSWORD, ws, "member");
	bob_id = agorad_user_add(node, bob, "Bob Chen", HARNESS_PASSWORD, ws,
	    "member");
	eve_id = agorad_user_add(node, eve, "Eve Extern", HARNESS_PASSWORD,
	    NULL, NULL);
	fay_id = agorad_user_add(node, fay, "Fay Other", HARNESS_PASSWORD,
	    NULL, NULL);
	rex_id = agorad_user_add(node, rex, "Rex Revoked", HARNESS_PASSWORD,
	    NULL, NULL);
	agorad_user_add(node, zed, "Zed Outsider", HARNESS_PASSWORD, NULL,
	    NULL);
	agorad_start(node);
	a = harness_login(node, alice, HARNESS_PASSWORD, NULL);
	r = call_ok(a, "SPACE.CREATE", "title", "Deal room", NULL);
	space = strtoll(client_reply_get(r, "space"), NULL, 10);
	client_reply_free(r);
	client_close(a);
	participant_put(bob_id, "internal", "active");
	participant_put(eve_id, "external", "active");
	participant_put(fay_id, "external", "active");
	participant_put(rex_id, "external", "revoked");
}

static void
teardown(void)
{
	if (node != NULL && agorad_running(node))
		agorad_stop_clean(node);
	free(ws);
	free(alice);
	free(bob);
	free(eve);
	free(fay);
	free(rex);
	free(zed);
	node = NULL;
}

static struct client *
login(const char *email)
{
	return harness_login(node, email, HARNESS_PASSWORD, NULL);
}

/* Bytes that exercise the transfer: zeros, every byte value, no pattern
   with a period of a chunk. */
static unsigned char *
sample(size_t len)
{
	unsigned char *b = xmalloc(len);
	uint32_t x = 2463534242u;

	for (size_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		b[i] = i % 7 == 0 ? 0 : (unsigned char)x;
	}
	return b;
}

/* The SHA-256 of b, in lower-case hex, in a static buffer. */
static const char *
sha256_hex(const unsigned char *b, size_t len)
{
	static char hex[65];
	unsigned char sum[32];

	ck_assert_int_eq(EVP_Digest(b, len, sum, NULL, EVP_sha256(), NULL),
	    1);
	for (size_t i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", sum[i]);
	return hex;
}

static char *
b64(const unsigned char *b, size_t len)
{
	char *out = xmalloc(4 * ((len + 2) / 3) + 1);

	EVP_EncodeBlock((unsigned char *)out, b, (int)len);
	return out;
}

/* FILE.BEGIN as c: the file's id; *chunk gets the chunk size. */
static int64_t
begin(struct client *c, const char *name, size_t size, const char *sha,
    int64_t *chunk)
{
	char n[24];
	struct client_reply *r;
	int64_t file;

	snprintf(n, sizeof n, "%zu", size);
	r = call_ok(c, "FILE.BEGIN", "space", i64s(space), "name", name,
	    "size", n, "sha256", sha, NULL);
	file = line_i64(r->line, "file");
	if (chunk != NULL)
		*chunk = line_i64(r->line, "chunk");
	client_reply_free(r);
	return file;
}

/* FILE.CHUNK of b[off, off + len) as c, expecting OK. */
static void
chunk(struct client *c, int64_t file, const unsigned char *b, size_t off,
    size_t len)
{
	char o[24], *data = b64(b + off, len);
	struct client_reply *r;

	snprintf(o, sizeof o, "%zu", off);
	r = call_ok(c, "FILE.CHUNK", "file", i64s(file), "offset", o, "data",
	    data, NULL);
	ck_assert_int_eq(line_i64(r->line, "received"), (int64_t)(off + len));
	client_reply_free(r);
	free(data);
}

/* A whole upload as c, in chunks of at most step bytes: the file's id. */
static int64_t
upload(struct client *c, const char *name, const unsigned char *b,
    size_t len, size_t step)
{
	int64_t file, size;
	struct client_reply *r;

	file = begin(c, name, len, sha256_hex(b, len), &size);
	ck_assert_int_eq(size, 32768);
	for (size_t off = 0; off < len; off += step)
		chunk(c, file, b, off, len - off < step ? len - off : step);
	r = call_ok(c, "FILE.END", "file", i64s(file), NULL);
	ck_assert_int_eq(line_i64(r->line, "file"), file);
	client_reply_free(r);
	return file;
}

/* The whole file as c, in FILE.GET calls of step bytes. */
static unsigned char *
download(struct client *c, int64_t file, size_t step, size_t *len,
    char **sha)
{
	unsigned char *out = NULL, *part;
	size_t have = 0, size = 1;
	char o[24], l[24], *data;
	struct client_reply *r;
	int n;

	snprintf(l, sizeof l, "%zu", step);
	while (have < size) {
		snprintf(o, sizeof o, "%zu", have);
		r = call_ok(c, "FILE.GET", "file", i64s(file), "offset", o,
		    "length", l, NULL);
		size = (size_t)line_i64(r->line, "size");
		ck_assert_uint_eq(r->ndata, 1);
		ck_assert_int_eq(line_i64(r->data[0], "offset"), (int64_t)have);
		data = line_get(r->data[0], "data");
		part = xmalloc(strlen(data) / 4 * 3 + 1);
		n = EVP_DecodeBlock(part, (unsigned char *)data,
		    (int)strlen(data));
		ck_assert_int_ge(n, 0);
		/* DecodeBlock counts padding as bytes: the size says. */
		n = size - have < step ? (int)(size - have) : (int)step;
		out = xreallocarray(out, have + (size_t)n + 1, 1);
		memcpy(out + have, part, (size_t)n);
		have += (size_t)n;
		free(part);
		free(data);
		free(*sha);
		*sha = line_get(r->line, "sha256");
		client_reply_free(r);
	}
	*len = have;
	return out;
}

/* Whether FILE.LIST as c lists file; its line's copy in *line if so. */
static int
listed(struct client *c, int64_t file, char **line)
{
	struct client_reply *r = call_ok(c, "FILE.LIST", "space", i64s(space),
	    NULL);
	int found = 0;

	for (size_t i = 0; i < r->ndata; i++) {
		if (line_i64(r->data[i], "id") == file) {
			found = 1;
			if (line != NULL)
				*line = xstrdup(r->data[i]);
		}
	}
	client_reply_free(r);
	return found;
}

/* An ERR reply as c with code and message. */
static void
err_msg(struct client_reply *r, const char *code, const char *msg)
{
	ck_assert_ptr_nonnull(r);
	ck_assert_msg(!r->ok, "expected ERR, got %s", r->line);
	ck_assert_str_eq(r->code, code);
	ck_assert_msg(line_is(r->line, "msg", msg), "%s", r->line);
	client_reply_free(r);
}

START_TEST(test_round_trip)
{
	struct client *a = login(alice), *b = login(bob);
	size_t len = 100000, got;
	unsigned char *data = sample(len), *back;
	char *ev, *line, *sha = NULL, sum[65];
	struct client_reply *r;
	int64_t file;

	snprintf(sum, sizeof sum, "%s", sha256_hex(data, len));
	/* Half uploaded, a file is its uploader's alone. */
	file = begin(a, "Q3 price list.bin", len, sum, NULL);
	chunk(a, file, data, 0, 30000);
	ck_assert(!listed(b, file, NULL));
	ck_assert(!listed(a, file, NULL));
	call_err(b, "not_found", "FILE.GET", "file", i64s(file), "offset",
	    "0", NULL);
	call_err(b, "not_found", "FILE.END", "file", i64s(file), NULL);
	client_reply_free(call_ok(a, "FILE.DELETE", "file", i64s(file), NULL));

	/* Chunks of odd sizes, so that no boundary lines up with a read. */
	file = upload(a, "Q3 price list.bin", data, len, 30001);
	ev = event_wait(b, "file.added", HARNESS_TIMEOUT);
	ck_assert_ptr_nonnull(ev);
	ck_assert_int_eq(line_i64(ev, "space"), space);
	ck_assert_int_eq(line_i64(ev, "file"), file);
	ck_assert(line_is(ev, "name", "Q3 price list.bin"));
	ck_assert_int_eq(line_i64(ev, "size"), (int64_t)len);
	ck_assert(line_is(ev, "sha256", sum));
	ck_assert_int_eq(line_i64(ev, "uploader"), alice_id);
	free(ev);

	ck_assert(listed(b, file, &line));
	ck_assert(line_is(line, "name", "Q3 price list.bin"));
	ck_assert_int_eq(line_i64(line, "size"), (int64_t)len);
	ck_assert(line_is(line, "sha256", sum));
	ck_assert_int_eq(line_i64(line, "uploader"), alice_id);
	ck_assert(line_is(line, "uploader_name", "Alice Martin"));
	ck_assert_int_gt(line_i64(line, "created"), 0);
	ck_assert(line_is(line, "comments", "0"));
	free(line);

	back = download(b, file, 7000, &got, &sha);
	ck_assert_uint_eq(got, len);
	ck_assert(memcmp(back, data, len) == 0);
	ck_assert_str_eq(sha256_hex(back, got), sum);
	ck_assert_str_eq(sha, sum);
	free(back);
	/* In whole chunks; without a length, FILE.GET sends one. */
	back = download(b, file, 32768, &got, &sha);
	ck_assert(got == len && memcmp(back, data, len) == 0);
	free(back);
	free(sha);
	r = call_ok(b, "FILE.GET", "file", i64s(file), "offset", "65536",
	    NULL);
	line = line_get(r->data[0], "data");
	ck_assert_uint_eq(strlen(line), 4 * ((32768 + 2) / 3));
	free(line);
	client_reply_free(r);
	/* Past the end is refused. */
	call_err(b, "invalid", "FILE.GET", "file", i64s(file), "offset",
	    "100001", NULL);
	/* A finished upload takes no more. */
	call_err(a, "conflict", "FILE.CHUNK", "file", i64s(file), "offset",
	    i64s((int64_t)len), "data", "AAAA", NULL);

	/* An empty file is a file too. */
	file = upload(a, "empty.txt", data, 0, 1);
	ck_assert(listed(b, file, NULL));
	free(data);
	client_close(a);
	client_close(b);
}
END_TEST

START_TEST(test_checksum_mismatch)
{
	struct client *a = login(alice);
	unsigned char *data = sample(5000);
	char sum[65];
	int64_t file;

	snprintf(sum, sizeof sum, "%s", sha256_hex(data, 5000));
	/* One byte changed in transit. */
	file = begin(a, "contract.pdf", 5000, sum, NULL);
	data[4000] ^= 1;
	chunk(a, file, data, 0, 5000);
	err_msg(client_call(a, "FILE.END", "file", i64s(file), NULL),
	    "invalid", "the content does not match its SHA-256; the upload is "
	    "discarded");
	ck_assert(!listed(a, file, NULL));
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM files WHERE id = $1",
	    i64s(file), NULL), 0);
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM file_chunks WHERE"
	    " file_id = $1", i64s(file), NULL), 0);
	call_err(a, "not_found", "FILE.END", "file", i64s(file), NULL);

	/* Not base64, a malformed checksum, more than announced. */
	file = begin(a, "contract.pdf", 3, sum, NULL);
	call_err(a, "invalid", "FILE.CHUNK", "file", i64s(file), "offset", "0",
	    "data", "AA=A", NULL);
	call_err(a, "invalid", "FILE.CHUNK", "file", i64s(file), "offset", "0",
	    "data", "AAA", NULL);
	call_err(a, "invalid", "FILE.CHUNK", "file", i64s(file), "offset", "0",
	    "data", "AAAAAA==", NULL);
	call_err(a, "invalid", "FILE.BEGIN", "space", i64s(space), "name",
	    "x", "size", "1", "sha256", "abc", NULL);
	call_err(a, "invalid", "FILE.BEGIN", "space", i64s(space), "name",
	    "bad\xc2\x9bname", "size", "1", "sha256", sum, NULL);
	free(data);
	client_close(a);
}
END_TEST

START_TEST(test_size_limit)
{
	struct client *a = login(alice);
	struct client_reply *r;
	char over[24];

	snprintf(over, sizeof over, "%d", LIMIT + 1);
	r = client_call(a, "FILE.BEGIN", "space", i64s(space), "name",
	    "huge.iso", "size", over, "sha256", EMPTY_SHA, NULL);
	ck_assert_ptr_nonnull(r);
	ck_assert(!r->ok);
	ck_assert_str_eq(r->code, "invalid");
	ck_assert_ptr_nonnull(strstr(r->line, "1048576 bytes"));
	ck_assert_int_eq(line_i64(r->line, "max"), LIMIT);
	client_reply_free(r);
	/* At the limit is allowed. */
	snprintf(over, sizeof over, "%d", LIMIT);
	client_reply_free(call_ok(a, "FILE.BEGIN", "space", i64s(space),
	    "name", "big.iso", "size", over, "sha256", EMPTY_SHA, NULL));
	client_close(a);
}
END_TEST

START_TEST(test_resume)
{
	struct client *a = login(alice);
	unsigned char *data = sample(70000);
	struct client_reply *r;
	char *blob = b64(data + 10000, 10000);
	int64_t file;

	file = begin(a, "deck.pptx", 70000, sha256_hex(data, 70000), NULL);
	chunk(a, file, data, 0, 20000);
	/* The same chunk again (its reply was lost, say): refused, with
	   where to go on from. */
	r = client_call(a, "FILE.CHUNK", "file", i64s(file), "offset",
	    "10000", "data", blob, NULL);
	ck_assert_ptr_nonnull(r);
	ck_assert(!r->ok);
	ck_assert_str_eq(r->code, "conflict");
	ck_assert_int_eq(line_i64(r->line, "offset"), 20000);
	client_reply_free(r);
	/* Finishing early says the same. */
	r = client_call(a, "FILE.END", "file", i64s(file), NULL);
	ck_assert(r != NULL && !r->ok);
	ck_assert_str_eq(r->code, "conflict");
	ck_assert_int_eq(line_i64(r->line, "offset"), 20000);
	client_reply_free(r);
	/* Another connection (after a reconnect) carries on from there. */
	client_close(a);
	a = login(alice);
	chunk(a, file, data, 20000, 32768);
	chunk(a, file, data, 52768, 70000 - 52768);
	client_reply_free(call_ok(a, "FILE.END", "file", i64s(file), NULL));
	ck_assert(listed(a, file, NULL));
	free(blob);
	free(data);
	client_close(a);
}
END_TEST

START_TEST(test_closed_to_others)
{
	struct client *a = login(alice), *r = login(rex), *z = login(zed);
	struct client *clients[2] = { r, z };
	unsigned char *data = sample(100);
	int64_t file = upload(a, "notes.txt", data, 100, 100);
	int64_t draft = begin(a, "draft.txt", 100, sha256_hex(data, 100), NULL);

	for (size_t i = 0; i < 2; i++) {
		struct client *c = clients[i];

		err_msg(client_call(c, "FILE.LIST", "space", i64s(space),
		    NULL), "not_found", CLOSED);
		err_msg(client_call(c, "FILE.GET", "file", i64s(file),
		    "offset", "0", NULL), "not_found", CLOSED);
		err_msg(client_call(c, "FILE.DELETE", "file", i64s(file),
		    NULL), "not_found", CLOSED);
		err_msg(client_call(c, "COMMENT.ADD", "file", i64s(file),
		    "body", "hi", NULL), "not_found", CLOSED);
		err_msg(client_call(c, "COMMENT.LIST", "file", i64s(file),
		    NULL), "not_found", CLOSED);
		err_msg(client_call(c, "FILE.BEGIN", "space", i64s(space),
		    "name", "x", "size", "1", "sha256", sha256_hex(data, 1),
		    NULL), "not_found", CLOSED);
		err_msg(client_call(c, "FILE.CHUNK", "file", i64s(draft),
		    "offset", "0", "data", "AAAA", NULL), "not_found", CLOSED);
		err_msg(client_call(c, "FILE.END", "file", i64s(draft), NULL),
		    "not_found", CLOSED);
	}
	free(data);
	client_close(a);
	client_close(r);
	client_close(z);
}
END_TEST

/*
 * Every verb that takes a file id, as c about file: the same ERR,
 * not_found and CLOSED, whatever the reason the file is not c's to see.
 */
static void
unseen(struct client *c, int64_t file)
{
	const char *id = i64s(file);
	char f[24];

	snprintf(f, sizeof f, "%s", id);
	err_msg(client_call(c, "FILE.GET", "file", f, "offset", "0", NULL),
	    "not_found", CLOSED);
	err_msg(client_call(c, "FILE.CHUNK", "file", f, "offset", "0", "data",
	    "AAAA", NULL), "not_found", CLOSED);
	err_msg(client_call(c, "FILE.END", "file", f, NULL), "not_found",
	    CLOSED);
	err_msg(client_call(c, "FILE.DELETE", "file", f, NULL), "not_found",
	    CLOSED);
	err_msg(client_call(c, "COMMENT.ADD", "file", f, "body", "hi", NULL),
	    "not_found", CLOSED);
	err_msg(client_call(c, "COMMENT.LIST", "file", f, NULL), "not_found",
	    CLOSED);
}

/* The answer does not tell which file ids exist. */
START_TEST(test_one_answer_for_unseen_files)
{
	struct client *a = login(alice), *b = login(bob), *z = login(zed);
	unsigned char *data = sample(100);
	int64_t file = upload(a, "notes.txt", data, 100, 100);
	int64_t draft = begin(a, "draft.txt", 100, sha256_hex(data, 100), NULL);
	int64_t gone = upload(a, "gone.txt", data, 10, 10);
	int64_t other_space, other;
	struct client_reply *r;

	client_reply_free(call_ok(a, "FILE.DELETE", "file", i64s(gone), NULL));
	/* Bob's own space, which Alice is not in. */
	r = call_ok(b, "SPACE.CREATE", "title", "Bob's", NULL);
	other_space = line_i64(r->line, "space");
	client_reply_free(r);
	r = call_ok(b, "FILE.BEGIN", "space", i64s(other_space), "name",
	    "b.txt", "size", "10", "sha256", sha256_hex(data, 10), NULL);
	other = line_i64(r->line, "file");
	client_reply_free(r);

	/* No such file, never or no longer. */
	unseen(a, 999999999);
	unseen(a, gone);
	/* A file in a space one is not in, finished or not. */
	unseen(a, other);
	unseen(z, file);
	unseen(z, draft);
	/* Someone else's upload, in one's own space. */
	unseen(b, draft);
	/* Its uploader is told it is not finished. */
	err_msg(client_call(a, "FILE.GET", "file", i64s(draft), "offset", "0",
	    NULL), "conflict", "this file's upload is not finished");
	err_msg(client_call(a, "COMMENT.ADD", "file", i64s(draft), "body",
	    "x", NULL), "conflict", "this file's upload is not finished");
	/* None of that changed anything. */
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM files WHERE id IN ($1,"
	    " $2, $3)", i64s(file), i64s(draft), i64s(other), NULL), 3);
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM file_comments c JOIN"
	    " files f ON f.id = c.file_id WHERE f.id IN ($1, $2, $3)",
	    i64s(file), i64s(draft), i64s(other), NULL), 0);
	free(data);
	client_close(a);
	client_close(b);
	client_close(z);
}
END_TEST

START_TEST(test_externals_and_delete)
{
	struct client *a = login(alice), *b = login(bob), *e = login(eve);
	struct client *f = login(fay);
	unsigned char *data = sample(2000);
	struct client_reply *r;
	int64_t one, two, three;
	char *ev;

	/* An external uploads and comments like anyone. */
	one = upload(e, "requirements.docx", data, 2000, 1000);
	two = upload(e, "budget.xlsx", data, 1500, 1000);
	three = upload(f, "logo.png", data, 500, 500);
	r = call_ok(e, "COMMENT.ADD", "file", i64s(one), "body",
	    "Please read section 2", NULL);
	ck_assert_int_gt(line_i64(r->line, "comment"), 0);
	client_reply_free(r);

	/* Another external may not delete it; the uploader and the owner's
	   side may. */
	call_err(f, "forbidden", "FILE.DELETE", "file", i64s(one), NULL);
	call_err(e, "forbidden", "FILE.DELETE", "file", i64s(three), NULL);
	client_reply_free(call_ok(e, "FILE.DELETE", "file", i64s(one), NULL));
	ev = event_wait(b, "file.deleted", HARNESS_TIMEOUT);
	ck_assert_ptr_nonnull(ev);
	ck_assert_int_eq(line_i64(ev, "file"), one);
	ck_assert_int_eq(line_i64(ev, "space"), space);
	free(ev);
	client_reply_free(call_ok(a, "FILE.DELETE", "file", i64s(two), NULL));
	client_reply_free(call_ok(b, "FILE.DELETE", "file", i64s(three),
	    NULL));
	ck_assert(!listed(a, one, NULL) && !listed(a, two, NULL) &&
	    !listed(a, three, NULL));
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM file_comments WHERE"
	    " file_id = $1", i64s(one), NULL), 0);
	call_err(a, "not_found", "FILE.DELETE", "file", i64s(two), NULL);

	/* Archived: closed to externals; the owner's side reads, and
	   changes nothing until it is reactivated. */
	one = upload(e, "final.pdf", data, 2000, 2000);
	client_reply_free(call_ok(a, "SPACE.ARCHIVE", "space", i64s(space),
	    NULL));
	err_msg(client_call(e, "FILE.LIST", "space", i64s(space), NULL),
	    "not_found", CLOSED);
	ck_assert(listed(b, one, NULL));
	client_reply_free(call_ok(b, "COMMENT.LIST", "file", i64s(one), NULL));
	client_reply_free(call_ok(b, "FILE.GET", "file", i64s(one), "offset",
	    "0", NULL));
	call_err(b, "conflict", "COMMENT.ADD", "file", i64s(one), "body", "x",
	    NULL);
	call_err(a, "conflict", "FILE.DELETE", "file", i64s(one), NULL);
	call_err(a, "conflict", "FILE.BEGIN", "space", i64s(space), "name",
	    "x", "size", "1", "sha256", sha256_hex(data, 1), NULL);
	free(data);
	client_close(a);
	client_close(b);
	client_close(e);
	client_close(f);
}
END_TEST

START_TEST(test_comments)
{
	struct client *a = login(alice), *b = login(bob), *e = login(eve);
	unsigned char *data = sample(10);
	/* Right-to-left override, isolates, a zero-width joiner, a
	   combining mark, an emoji, a tab and line feeds: all allowed, all
	   kept as they are (the client makes them safe to show). */
	static const char *const bodies[] = {
		"First look: fine.",
		"price \u202e0001$\u202c is final\n\tsigned: \u2067Eve\u2069",
		"e\u0301\u200d\U0001F600 multi\nline\n",
	};
	struct client_reply *r;
	int64_t file, ids[3];
	char *ev, *line;

	file = upload(a, "terms.txt", data, 10, 10);
	for (size_t i = 0; i < 3; i++) {
		r = call_ok(i == 1 ? e : a, "COMMENT.ADD", "file", i64s(file),
		    "body", bodies[i], NULL);
		ids[i] = line_i64(r->line, "comment");
		client_reply_free(r);
		ev = event_wait(b, "comment.added", HARNESS_TIMEOUT);
		ck_assert_ptr_nonnull(ev);
		ck_assert_int_eq(line_i64(ev, "space"), space);
		ck_assert_int_eq(line_i64(ev, "file"), file);
		ck_assert_int_eq(line_i64(ev, "comment"), ids[i]);
		ck_assert_int_eq(line_i64(ev, "author"), i == 1 ? eve_id :
		    alice_id);
		ck_assert(line_is(ev, "body", bodies[i]));
		free(ev);
	}
	ck_assert(ids[0] < ids[1] && ids[1] < ids[2]);

	r = call_ok(b, "COMMENT.LIST", "file", i64s(file), NULL);
	ck_assert_uint_eq(r->ndata, 3);
	ck_assert(line_is(r->line, "count", "3"));
	for (size_t i = 0; i < 3; i++) {
		ck_assert_int_eq(line_i64(r->data[i], "id"), ids[i]);
		ck_assert_int_eq(line_i64(r->data[i], "file"), file);
		ck_assert(line_is(r->data[i], "body", bodies[i]));
		ck_assert(line_is(r->data[i], "name", i == 1 ? "Eve Extern" :
		    "Alice Martin"));
		ck_assert_int_gt(line_i64(r->data[i], "created"), 0);
	}
	client_reply_free(r);
	ck_assert(listed(b, file, &line));
	ck_assert(line_is(line, "comments", "3"));
	free(line);

	/* C1 controls (CSI, NEL) are refused at the door. (C0 ones such as
	   ESC cannot even be sent: the line would not parse.) */
	call_err(a, "invalid", "COMMENT.ADD", "file", i64s(file), "body",
	    "\xc2\x9b" "2J", NULL);
	call_err(a, "invalid", "COMMENT.ADD", "file", i64s(file), "body",
	    "a\xc2\x85" "b", NULL);
	call_err(a, "invalid", "COMMENT.ADD", "file", i64s(file), "body",
	    " \n ", NULL);
	free(data);
	client_close(a);
	client_close(b);
	client_close(e);
}
END_TEST

/*
 * Anyone in a space may comment without end: 600 comments of 4,000 '"'
 * (8 KB each once escaped, 4.8 MB in all) come in pages bounded in bytes
 * and rows, oldest first, each saying more=1 until the last, and paging
 * with after= gives every comment once, in order.
 */
START_TEST(test_comments_paged)
{
	struct client *b = login(bob);
	unsigned char *data = sample(10);
	struct client_reply *r;
	int64_t file, after = 0, got = 0, first;
	int pages = 0, more = 1;
	char a[24];

	file = upload(b, "long.txt", data, 10, 10);
	pg_exec("INSERT INTO file_comments (file_id, author_id, body)"
	    " SELECT $1, $2, repeat('\"', 4000) FROM generate_series(1, 600)",
	    i64s(file), i64s(bob_id), NULL);
	first = pg_i64("SELECT min(id) FROM file_comments WHERE file_id = $1",
	    i64s(file), NULL);
	while (more) {
		snprintf(a, sizeof a, "%lld", (long long)after);
		r = call_ok(b, "COMMENT.LIST", "file", i64s(file), "after", a,
		    NULL);
		ck_assert_uint_gt(r->ndata, 0);
		ck_assert_int_lt(strlen(r->line) + r->ndata * 8200, 300 * 1024);
		for (size_t i = 0; i < r->ndata; i++) {
			ck_assert_int_eq(line_i64(r->data[i], "id"),
			    first + got);
			got++;
		}
		after = line_i64(r->data[r->ndata - 1], "id");
		ck_assert_int_eq(line_i64(r->line, "count"), (int64_t)r->ndata);
		more = line_is(r->line, "more", "1");
		pages++;
		client_reply_free(r);
	}
	ck_assert_int_eq(got, 600);
	ck_assert_int_ge(pages, 600 * 8000 / (256 * 1024));
	/* Rows bound a page too. */
	r = call_ok(b, "COMMENT.LIST", "file", i64s(file), "limit", "5", NULL);
	ck_assert_uint_eq(r->ndata, 5);
	ck_assert(line_is(r->line, "more", "1"));
	client_reply_free(r);
	call_err(b, "invalid", "COMMENT.LIST", "file", i64s(file), "limit",
	    "501", NULL);
	free(data);
	client_close(b);
}
END_TEST

/* Appends node's configuration with line, reloads it and waits. */
static void
reload(const char *line)
{
	int n = agorad_log_count(node, "reloaded configuration");

	agorad_set(node, "%s", line);
	agorad_signal(node, SIGHUP);
	ck_assert_int_eq(agorad_log_wait(node, "reloaded configuration",
	    n + 1, HARNESS_TIMEOUT), 0);
}

/* r is the quota's refusal, saying what is used and allowed. */
static void
quota_refused(struct client_reply *r, int64_t used, int64_t quota)
{
	char want[128];

	ck_assert_ptr_nonnull(r);
	ck_assert_msg(!r->ok, "expected ERR, got %s", r->line);
	ck_assert_str_eq(r->code, "quota_exceeded");
	ck_assert_int_eq(line_i64(r->line, "used"), used);
	ck_assert_int_eq(line_i64(r->line, "quota"), quota);
	snprintf(want, sizeof want, "its files take %lld of the %lld bytes "
	    "allowed", (long long)used, (long long)quota);
	ck_assert_msg(strstr(r->line, want) != NULL, "%s", r->line);
	client_reply_free(r);
}

static struct client_reply *
begin_call(struct client *c, int64_t sp, const char *name, const char *size)
{
	return client_call(c, "FILE.BEGIN", "space", i64s(sp), "name", name,
	    "size", size, "sha256", EMPTY_SHA, NULL);
}

START_TEST(test_storage_quota)
{
	struct client *a = login(alice), *e = login(eve);
	unsigned char *data = sample(60000);
	struct client_reply *r;
	int64_t one, two, second;
	char *blob;

	reload("storage_quota = 100000");
	/* Earlier tests' files are other workspaces': they do not count. */
	one = upload(a, "a.bin", data, 60000, 32768);
	/* More than is left is refused at FILE.BEGIN, whoever asks, in
	   whichever space of the workspace. */
	quota_refused(begin_call(e, space, "b.bin", "40001"), 60000, 100000);
	r = call_ok(a, "SPACE.CREATE", "title", "Second room", NULL);
	second = line_i64(r->line, "space");
	client_reply_free(r);
	quota_refused(begin_call(a, second, "c.bin", "40001"), 60000, 100000);
	/* What is left fits exactly; an upload takes its size from its
	   FILE.BEGIN on, finished or not. */
	two = begin(e, "b.bin", 40000, sha256_hex(data, 40000), NULL);
	quota_refused(begin_call(a, second, "c.bin", "1"), 100000, 100000);
	chunk(e, two, data, 0, 20000);
	/* The quota lowered below what is taken: the next chunk is refused
	   too, and the upload waits. */
	reload("storage_quota = 90000");
	blob = b64(data + 20000, 20000);
	quota_refused(client_call(e, "FILE.CHUNK", "file", i64s(two), "offset",
	    "20000", "data", blob, NULL), 60000, 90000);
	free(blob);
	ck_assert_int_eq(pg_i64("SELECT received FROM files WHERE id = $1",
	    i64s(two), NULL), 20000);
	/* Room made, it goes on. */
	client_reply_free(call_ok(a, "FILE.DELETE", "file", i64s(one), NULL));
	chunk(e, two, data, 20000, 20000);
	client_reply_free(call_ok(e, "FILE.END", "file", i64s(two), NULL));
	quota_refused(begin_call(a, space, "d.bin", "50001"), 40000, 90000);
	/* 0: no quota. */
	reload("storage_quota = 0");
	client_reply_free(call_ok(a, "FILE.BEGIN", "space", i64s(space),
	    "name", "big.iso", "size", i64s(LIMIT), "sha256", EMPTY_SHA,
	    NULL));
	free(data);
	client_close(a);
	client_close(e);
}
END_TEST

/* An upload abandoned goes without anyone uploading again: agorad's
   scheduled purge deletes it. */
START_TEST(test_purge_abandoned)
{
	struct client *a = login(alice);
	unsigned char *data = sample(1000);
	const char *sum = sha256_hex(data, 1000);
	char s[65];
	int64_t old, fresh, done;
	int n;

	snprintf(s, sizeof s, "%s", sum);
	old = begin(a, "abandoned.bin", 1000, s, NULL);
	chunk(a, old, data, 0, 500);
	fresh = begin(a, "in-progress.bin", 1000, s, NULL);
	done = upload(a, "kept.bin", data, 1000, 1000);
	pg_exec("UPDATE files SET created_at = now() - interval '25 hours'"
	    " WHERE id IN ($1, $2)", i64s(old), i64s(done), NULL);
	/* Due now: a scheduler tick (every 5 s) claims and runs it. */
	n = agorad_log_count(node, "scheduler: uploads.purge: deleted");
	pg_exec("UPDATE schedule SET due_at = now()"
	    " WHERE job = 'uploads.purge'", NULL);
	ck_assert_int_eq(agorad_log_wait(node, "scheduler: uploads.purge: "
	    "deleted 1 unfinished upload", n + 1, 3 * HARNESS_TIMEOUT), 0);
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM files WHERE id = $1",
	    i64s(old), NULL), 0);
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM file_chunks WHERE"
	    " file_id = $1", i64s(old), NULL), 0);
	/* Not an upload still within its time, nor a finished file. */
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM files WHERE id IN ($1,"
	    " $2)", i64s(fresh), i64s(done), NULL), 2);
	ck_assert(listed(a, done, NULL));
	/* Done for the next hour, by this node. */
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM schedule"
	    " WHERE job = 'uploads.purge'"
	    " AND due_at > now() + interval '50 minutes'"
	    " AND last_node IS NOT NULL", NULL), 1);
	/* The uploader coming back finds nothing. */
	err_msg(client_call(a, "FILE.CHUNK", "file", i64s(old), "offset",
	    "500", "data", "AAAA", NULL), "not_found", CLOSED);
	free(data);
	client_close(a);
}
END_TEST

/* Every event line SYNC since=0 gives c, all pages (caller frees). */
static char *
sync_all(struct client *c)
{
	char *text = xstrdup("");
	int64_t since = 0, more;

	do {
		struct client_reply *r = call_ok(c, "SYNC", "since",
		    i64s(since), NULL);
		char *next;

		for (size_t i = 0; i < r->ndata; i++) {
			xasprintf(&next, "%s%s\n", text, r->data[i]);
			free(text);
			text = next;
		}
		more = line_i64(r->line, "more");
		since = line_i64(r->line, "seq");
		client_reply_free(r);
	} while (more);
	return text;
}

/*
 * SYNC of text's lines about the space: each is space.deleted, and there
 * is one.
 */
static void
only_tombstone(const char *who, const char *text)
{
	char *copy = xstrdup(text), *line, *save = NULL;
	int tombs = 0;

	for (line = strtok_r(copy, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		char *sp = line_get(line, "space");

		if (sp != NULL && strtoll(sp, NULL, 10) == space) {
			ck_assert_msg(strstr(line, " type=space.deleted") !=
			    NULL, "%s: after the delete, SYNC still has %s",
			    who, line);
			tombs++;
		}
		free(sp);
	}
	ck_assert_msg(tombs == 1, "%s: %d space.deleted", who, tombs);
	free(copy);
}

/*
 * The report's case: after SPACE.DELETE confirm=yes a former
 * participant's SYNC since=0 still gave file.added name=... and
 * comment.added body=..., and the events table held them. Deleted for
 * good: none of the space's content is left anywhere a client reads.
 */
START_TEST(test_delete_space_for_good)
{
	struct client *a = login(alice), *b = login(bob), *e = login(eve);
	struct client *clients[3];
	static const char *const who[3] = { "alice", "bob", "eve" };
	unsigned char *data = sample(3000);
	char *text, *ev;
	int64_t file;

	/* Everything a space can hold, each with a marker. */
	client_reply_free(call_ok(a, "SPACE.EDIT", "space", i64s(space),
	    "title", "Deal room k7731", "description", "Plans k7731", NULL));
	file = upload(a, "k7731-plan.pdf", data, 3000, 3000);
	client_reply_free(call_ok(e, "COMMENT.ADD", "file", i64s(file), "body",
	    "k7731 comment: see page 2", NULL));
	client_reply_free(call_ok(a, "MSG.SEND", "space", i64s(space), "body",
	    "k7731 message", NULL));
	client_reply_free(call_ok(a, "INVITE", "space", i64s(space), "emails",
	    "k7731@example.com", "message", "k7731 welcome", NULL));
	/* A mail about the space not sent yet. */
	pg_exec("INSERT INTO outbox (kind, recipient, subject, body, space_id,"
	    " next_attempt_at) VALUES ('mail', 'later@example.com', 'k7731',"
	    " 'k7731 body', $1, now() + interval '1 day')", i64s(space), NULL);

	/* What the report saw, before the delete. */
	text = sync_all(e);
	ck_assert(strstr(text, "type=file.added") != NULL &&
	    strstr(text, "k7731-plan.pdf") != NULL);
	ck_assert(strstr(text, "type=comment.added") != NULL &&
	    strstr(text, "k7731 comment") != NULL);
	free(text);

	client_reply_free(call_ok(a, "SPACE.DELETE", "space", i64s(space),
	    "confirm", "yes", NULL));
	ev = event_wait(e, "space.deleted", HARNESS_TIMEOUT);
	ck_assert_ptr_nonnull(ev);
	ck_assert_int_eq(line_i64(ev, "space"), space);
	free(ev);

	/* A former participant, back later, and the others: SYNC since=0
	   says only that the space is gone. */
	client_close(e);
	clients[0] = a;
	clients[1] = b;
	clients[2] = e = login(eve);
	for (size_t i = 0; i < 3; i++) {
		text = sync_all(clients[i]);
		ck_assert_msg(strstr(text, "k7731") == NULL, "%s: SYNC after "
		    "the delete: %s", who[i], text);
		only_tombstone(who[i], text);
		free(text);
	}

	/* The events table: the tombstones, nothing else of the space. */
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM events WHERE space_id ="
	    " $1 AND type <> 'space.deleted'", i64s(space), NULL), 0);
	ck_assert_int_ge(pg_i64("SELECT count(*) FROM events WHERE space_id ="
	    " $1 AND type = 'space.deleted'", i64s(space), NULL), 4);
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM events WHERE data LIKE"
	    " '%k7731%'", NULL), 0);
	/* The audit log says who did what, without the content. */
	ck_assert_int_gt(pg_i64("SELECT count(*) FROM audit_log WHERE target"
	    " LIKE 'space ' || $1 || '%'", i64s(space), NULL), 0);
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM audit_log WHERE detail"
	    " LIKE '%k7731%'", NULL), 0);
	/* Mail not sent is not sent (what went is the mail log). */
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM outbox WHERE space_id ="
	    " $1 AND sent_at IS NULL", i64s(space), NULL), 0);
	ck_assert_int_eq(pg_i64("SELECT count(*) FROM outbox WHERE body LIKE"
	    " '%k7731%' AND sent_at IS NULL", NULL), 0);
	/* And the content itself. */
	ck_assert_int_eq(pg_i64("SELECT (SELECT count(*) FROM files WHERE"
	    " space_id = $1) + (SELECT count(*) FROM file_comments WHERE"
	    " body LIKE '%k7731%') + (SELECT count(*) FROM messages WHERE"
	    " body LIKE '%k7731%') + (SELECT count(*) FROM participants"
	    " WHERE space_id = $1)", i64s(space), NULL), 0);
	err_msg(client_call(e, "FILE.GET", "file", i64s(file), "offset", "0",
	    NULL), "not_found", CLOSED);
	err_msg(client_call(a, "COMMENT.LIST", "file", i64s(file), NULL),
	    "not_found", CLOSED);
	free(data);
	client_close(a);
	client_close(b);
	client_close(e);
}
END_TEST

static Suite *
file_suite(void)
{
	Suite *s = suite_create("file");
	TCase *tc = harness_tcase("file");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_checksum_mismatch);
	tcase_add_test(tc, test_size_limit);
	tcase_add_test(tc, test_resume);
	tcase_add_test(tc, test_closed_to_others);
	tcase_add_test(tc, test_externals_and_delete);
	tcase_add_test(tc, test_comments);
	tcase_add_test(tc, test_comments_paged);
	tcase_add_test(tc, test_one_answer_for_unseen_files);
	tcase_add_test(tc, test_storage_quota);
	tcase_add_test(tc, test_purge_abandoned);
	tcase_add_test(tc, test_delete_space_for_good);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return harness_run(file_suite());
}
