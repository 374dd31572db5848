/*
 * A space's content: files and the comments on them. FILE.BEGIN,
 * FILE.CHUNK and FILE.END upload a file in base64 chunks, checked against
 * the size and SHA-256 announced at the start; FILE.LIST, FILE.GET (a
 * chunk at a time) and FILE.DELETE; COMMENT.ADD and COMMENT.LIST.
 *
 * Every active participant may upload, download and comment (externals
 * too, while the space is not archived: space_open closes it to them);
 * a file is deleted by its uploader or by the owner's side. An upload in
 * progress is its uploader's alone: nobody else sees it, and it appears
 * (file.added) only once FILE.END has checked it. An upload left
 * unfinished for upload_expiry seconds is deleted by agorad's scheduled
 * purge (scheduler.c).
 *
 * A file id names nothing to whoever may not see the file: one that does
 * not exist, one in a space closed to the caller, and someone else's
 * upload in progress all get space.c's answer (SPACE_CLOSED), so the
 * answer does not tell which ids exist.
 *
 * A workspace's files, finished or in progress (at the size announced),
 * take at most storage_quota bytes: FILE.BEGIN reserves the announced size
 * (under the workspace's row lock, so two uploads cannot both take the
 * last bytes), and every FILE.CHUNK checks again that the upload still
 * fits (the quota may have been lowered since).
 *
 * A chunk is at most FILE_CHUNK_MAX bytes, so that its request line stays
 * under the default line limit of 64 KiB once in base64 (48 KiB would be
 * exactly 64 KiB of base64, with no room left for the rest of the line);
 * FILE.BEGIN tells the client the chunk size, smaller if max_line is.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "base64.h"
#include "buf.h"
#include "cmd.h"
#include "config.h"
#include "db.h"
#include "event.h"
#include "file.h"
#include "hex.h"
#include "log.h"
#include "proto.h"
#include "server.h"
#include "request.h"
#include "space.h"
#include "xmalloc.h"

#define FILE_CHUNK_MAX		32768	/* bytes; sql/003_files.sql agrees */
#define FILE_CHUNK_B64		(4 * ((FILE_CHUNK_MAX + 2) / 3))
/* Room on a FILE.CHUNK line for all but the data: tag, verb, file,
   offset, the key and the quotes, with some to spare. */
#define FILE_LINE_SLACK		160
#define FILE_NAME_MAX		255
#define COMMENT_MAX		4000
#define COMMENT_PAGE_DEFAULT	200	/* COMMENT.LIST rows */
#define COMMENT_PAGE_MAX	500
/* Chunks read at a time while FILE.END computes the checksum. */
#define FILE_HASH_BATCH		32

const struct db_stmt file_stmts[] = {
	{ "file_space",
	  "SELECT space_id FROM files WHERE id = $1::bigint" },
	/* Locked, so that the scheduled purge (which skips locked rows)
	   does not take an upload from under a chunk. */
	{ "file_get",
	  "SELECT f.uploader_id, f.name, f.size, f.sha256, f.received,"
	  " f.completed_at IS NOT NULL AS complete FROM files f"
	  " WHERE f.id = $1::bigint FOR NO KEY UPDATE" },
	/* The workspace's row, locked: reservations are made one at a time. */
	{ "file_quota_lock",
	  "SELECT id FROM workspaces WHERE id = $1::bigint FOR NO KEY UPDATE" },
	/* What the workspace's files take, but for file $2. */
	{ "file_usage",
	  "SELECT coalesce(sum(f.size), 0) AS used FROM files f"
	  " JOIN spaces s ON s.id = f.space_id"
	  " WHERE s.workspace_id = $1::bigint AND f.id <> $2::bigint" },
	{ "file_begin",
	  "INSERT INTO files (space_id, uploader_id, name, size, sha256)"
	  " VALUES ($1::bigint, $2::bigint, $3, $4::bigint, $5) RETURNING id" },
	{ "file_chunk_add",
	  "INSERT INTO file_chunks (file_id, pos, data)"
	  " VALUES ($1::bigint, $2::bigint, decode($3, 'hex'))" },
	{ "file_received",
	  "UPDATE files SET received = received + $2::bigint"
	  " WHERE id = $1::bigint RETURNING received" },
	{ "file_chunks_from",
	  "SELECT pos, encode(data, 'hex') AS data FROM file_chunks"
	  " WHERE file_id = $1::bigint AND pos >= $2::bigint ORDER BY pos"
	  " LIMIT $3::int" },
	{ "file_complete",
	  "UPDATE files SET completed_at = now() WHERE id = $1::bigint"
	  " RETURNING extract(epoch FROM completed_at)::bigint AS created,"
	  " (SELECT name FROM users WHERE id = uploader_id) AS uploader_name" },
	{ "file_delete",
	  "DELETE FROM files WHERE id = $1::bigint" },
	/* Skips the uploads a request holds (file_get locks them). */
	{ "file_purge",
	  "WITH gone AS (DELETE FROM files WHERE id IN (SELECT id FROM files"
	  "  WHERE completed_at IS NULL"
	  "  AND created_at < now() - $1::bigint * interval '1 second'"
	  "  FOR UPDATE SKIP LOCKED) RETURNING id)"
	  " SELECT count(*) AS purged FROM gone" },
	/* The chunks that overlap [$2, $2 + $3): none starts a chunk's
	   length (FILE_CHUNK_MAX) or more before $2. */
	{ "file_read",
	  "SELECT pos, encode(data, 'hex') AS data FROM file_chunks"
	  " WHERE file_id = $1::bigint AND pos > $2::bigint - 32768"
	  " AND pos < $2::bigint + $3::bigint ORDER BY pos" },
	{ "file_list",
	  "SELECT f.id, f.name, f.size, f.sha256, f.uploader_id,"
	  " u.name AS uploader_name,"
	  " extract(epoch FROM f.completed_at)::bigint AS created,"
	  " (SELECT count(*) FROM file_comments c WHERE c.file_id = f.id)"
	  "  AS comments"
	  " FROM files f JOIN users u ON u.id = f.uploader_id"
	  " WHERE f.space_id = $1::bigint AND f.completed_at IS NOT NULL"
	  " ORDER BY f.completed_at, f.id" },
	{ "comment_add",
	  "INSERT INTO file_comments (file_id, author_id, body)"
	  " VALUES ($1::bigint, $2::bigint, $3)"
	  " RETURNING id, extract(epoch FROM created_at)::bigint AS created,"
	  " (SELECT name FROM users WHERE id = $2::bigint) AS name" },
	/* Oldest first, after $2; at most $3 rows, and none once the bodies
	   before the one before it pass $4 bytes (see cmd_page_full): the
	   row past the page says there is more. */
	{ "comment_list",
	  "SELECT id, file_id, author_id, name, body, created FROM ("
	  " SELECT c.id, c.file_id, c.author_id, u.name, c.body,"
	  " extract(epoch FROM c.created_at)::bigint AS created,"
	  " coalesce(sum(octet_length(c.body)) OVER (ORDER BY c.id"
	  " ROWS BETWEEN UNBOUNDED PRECEDING AND 2 PRECEDING), 0) AS past"
	  " FROM file_comments c JOIN users u ON u.id = c.author_id"
	  " WHERE c.file_id = $1::bigint AND c.id > $2::bigint"
	  " ORDER BY c.id LIMIT $3::int) p"
	  " WHERE past < $4::bigint ORDER BY id" },
	{ NULL, NULL }
};

/* What a verb needs of the file, besides the space. */
enum file_need {
	FILE_DONE,	/* a complete file */
	FILE_UPLOAD,	/* the caller's upload in progress */
	FILE_EITHER	/* either (FILE.DELETE: an upload can be given up) */
};

/* A request of this file: what the loop gives it, and the file's row. */
struct file_req {
	struct req	 req;
	int64_t		 quota;		/* storage_quota; 0: none */
	int64_t		 chunk;		/* FILE.BEGIN: the chunk size */
	char		 sha256[65];	/* FILE.BEGIN, lower case */
	char		*hex;		/* FILE.CHUNK: the bytes, in hex */
	size_t		 len;		/* FILE.CHUNK: how many */
	int64_t		 file;		/* the open hook's: the file, */
	PGresult	*row;		/* and its row (file_get) */
};

static void
file_destroy(struct req *r)
{
	struct file_req *f = (struct file_req *)r;

	free(f->hex);
	PQclear(f->row);
}

/* Loop thread: what only the loop may read (the configuration). */
static enum cmd_result
file_prepare(struct req *r, struct cmd_ctx *ctx)
{
	struct file_req *f = (struct file_req *)r;

	(void)ctx;
	f->quota = server_config()->storage_quota;
	return CMD_PENDING;
}

/*
 * Whether a file of size bytes fits in the space's workspace beside its
 * other files (all but file exclude): 0, or -1 with the reply written
 * (quota_exceeded, saying what is used and allowed) or the job failed.
 */
static int
file_quota(struct file_req *f, struct db_conn *dc, int64_t exclude,
    int64_t size)
{
	struct db_job *j = &f->req.job;
	int64_t used;

	if (f->quota == 0)
		return 0;
	if (db_valuef(j, dc, "file_usage", "used", &used, "ii",
	    f->req.workspace, exclude) != 0)
		return -1;
	if (size <= f->quota && used <= f->quota - size)
		return 0;
	req_err_begin(j->out, j->tag, PERR_QUOTA_EXCEEDED, "over the "
	    "workspace's storage quota: its files take %lld of the %lld bytes "
	    "allowed, and this one is %lld bytes", (long long)used,
	    (long long)f->quota, (long long)size);
	proto_add_i64(j->out, "used", used);
	proto_add_i64(j->out, "quota", f->quota);
	proto_end(j->out);
	return -1;
}

/*
 * The open hook of the verbs on file=: opens the file's space for the
 * caller (the space's row locked, so the file cannot change under us)
 * and reads the file into f->row. A file that does not exist, one in a
 * space closed to the caller and someone else's upload in progress get
 * one answer, space.c's; the uploader is told their own upload is not
 * finished. The verb's need is an enum file_need.
 */
static int
file_open(struct req *r, struct db_conn *dc)
{
	struct file_req *f = (struct file_req *)r;
	struct db_job *j = &r->job;
	int64_t space;
	int complete, mine;

	f->file = req_int(r, "file");
	PQclear(f->row);
	f->row = NULL;
	if (db_valuef(j, dc, "file_space", "space_id", &space, "i",
	    f->file) != 0)
		return -1;
	if (space == 0)
		return req_err(r, PERR_NOT_FOUND, SPACE_CLOSED);
	if (req_open_space(r, dc, space, SPACE_SEE) != 0 ||
	    (f->row = db_queryf(j, dc, "file_get", "i", f->file)) == NULL)
		return -1;
	req_target(r, "space %lld file %lld", (long long)space,
	    (long long)f->file);
	/* Deleted while we waited for the space's lock. */
	if (PQntuples(f->row) == 0)
		return req_err(r, PERR_NOT_FOUND, SPACE_CLOSED);
	complete = db_get_bool(f->row, 0, "complete");
	mine = db_get_i64(f->row, 0, "uploader_id") == r->user;
	if (r->cmd->need == FILE_UPLOAD && complete)
		return req_err(r, PERR_CONFLICT, "this file's upload is "
		    "finished");
	if (!complete && !mine)
		return req_err(r, PERR_NOT_FOUND, SPACE_CLOSED);
	if (r->cmd->need == FILE_DONE && !complete)
		return req_err(r, PERR_CONFLICT, "this file's upload is not "
		    "finished");
	return 0;
}

/* The bytes of one row of file_read or file_chunks_from (caller frees). */
static unsigned char *
chunk_bytes(const PGresult *r, int i, size_t *len)
{
	const char *hex = db_get(r, i, "data");
	size_t n = strlen(hex) / 2;
	unsigned char *b = xmalloc(n + 1);

	if (hex_decode(hex, strlen(hex), b, n) != 0)
		fatalx("file: chunk %d is not hex", i);
	*len = n;
	return b;
}

/* The scheduled purge (scheduler.c) -------------------------------------- */

int
file_purge(struct db_job *j, struct db_conn *dc, long expiry, long *purged)
{
	int64_t n;

	if (db_valuef(j, dc, "file_purge", "purged", &n, "i",
	    (int64_t)expiry) != 0)
		return -1;
	*purged = (long)n;
	return 0;
}

/* FILE.BEGIN -------------------------------------------------------------- */

/* The name, the checksum and the size limit, and the chunk size a client
   should send: what fits in max_line. */
static enum cmd_result
begin_prepare(struct req *r, struct cmd_ctx *ctx)
{
	struct file_req *f = (struct file_req *)r;
	const char *name = req_str(r, "name"), *sha = req_str(r, "sha256");
	long max = server_config()->file_max_size;
	long line = server_config()->max_line;

	if (name[strspn(name, " ")] == '\0')
		return cmd_err(ctx, PERR_INVALID, "a file needs a name");
	if (strlen(sha) != 64 || strspn(sha, "0123456789abcdefABCDEF") != 64)
		return cmd_err(ctx, PERR_INVALID, "sha256 is the content's "
		    "SHA-256 in 64 hex digits");
	if (req_int(r, "size") > max) {
		req_err_begin(cmd_out(ctx), ctx->tag, PERR_INVALID, "the file "
		    "is larger than the limit of %ld bytes", max);
		proto_add_i64(cmd_out(ctx), "max", max);
		proto_end(cmd_out(ctx));
		return CMD_DONE;
	}
	for (size_t i = 0; i < 64; i++)
		f->sha256[i] = (char)(sha[i] >= 'A' && sha[i] <= 'F' ?
		    sha[i] - 'A' + 'a' : sha[i]);
	f->chunk = (line - FILE_LINE_SLACK) / 4 * 3;
	if (f->chunk > FILE_CHUNK_MAX)
		f->chunk = FILE_CHUNK_MAX;
	return file_prepare(r, ctx);
}

static int
begin_tx(struct req *r, struct db_conn *dc)
{
	struct file_req *f = (struct file_req *)r;
	struct db_job *j = &r->job;
	int64_t size = req_int(r, "size");
	PGresult *res;

	if (space_active(j, &r->space) != 0 || (f->quota != 0 &&
	    db_commandf(j, dc, "file_quota_lock", "i", r->workspace) != 0) ||
	    file_quota(f, dc, 0, size) != 0 ||
	    (res = db_queryf(j, dc, "file_begin", "iisis", r->space.space,
	    r->user, req_str(r, "name"), size, f->sha256)) == NULL)
		return -1;
	proto_begin(j->out, j->tag, "OK");
	proto_add(j->out, "file", db_get(res, 0, "id"));
	proto_add_i64(j->out, "chunk", f->chunk);
	proto_end(j->out);
	PQclear(res);
	return 0;
}

/* FILE.CHUNK -------------------------------------------------------------- */

static enum cmd_result
chunk_prepare(struct req *r, struct cmd_ctx *ctx)
{
	struct file_req *f = (struct file_req *)r;
	const char *data = req_str(r, "data");
	unsigned char *bytes;

	if ((bytes = base64_decode(data, strlen(data), &f->len)) == NULL)
		return cmd_err(ctx, PERR_INVALID, "data is not base64");
	if (f->len > FILE_CHUNK_MAX) {
		free(bytes);
		return cmd_err(ctx, PERR_INVALID, "a chunk is at most 32768 "
		    "bytes");
	}
	f->hex = xmalloc(2 * f->len + 1);
	hex_encode(bytes, f->len, f->hex);
	free(bytes);
	return file_prepare(r, ctx);
}

static int
chunk_tx(struct req *r, struct db_conn *dc)
{
	struct file_req *f = (struct file_req *)r;
	struct db_job *j = &r->job;
	int64_t offset = req_int(r, "offset");
	int64_t received = db_get_i64(f->row, 0, "received");
	int64_t size = db_get_i64(f->row, 0, "size");

	if (space_active(j, &r->space) != 0 ||
	    file_quota(f, dc, f->file, size) != 0)
		return -1;
	/* Exactly the next bytes: a client that lost track (a reply lost
	   with the connection, say) learns where to resume. */
	if (offset != received) {
		req_err_begin(j->out, j->tag, PERR_CONFLICT, "the upload "
		    "continues at offset %lld", (long long)received);
		proto_add_i64(j->out, "offset", received);
		proto_end(j->out);
		return -1;
	}
	if ((int64_t)f->len > size - received)
		return req_errf(r, PERR_INVALID, "more bytes than the %lld "
		    "announced", (long long)size);
	if (f->len > 0) {
		if (db_commandf(j, dc, "file_chunk_add", "iis", f->file, offset,
		    f->hex) != 0 || db_valuef(j, dc, "file_received",
		    "received", &received, "ii", f->file,
		    (int64_t)f->len) != 0)
			return -1;
	}
	req_ok_i64(j->out, j->tag, "received", received);
	return 0;
}

/* FILE.END ---------------------------------------------------------------- */

/*
 * The SHA-256 of the stored file, in hex: read back a batch of chunks at a
 * time, so that memory stays small whatever the file's size. 0, or -1 with
 * the job failed.
 */
static int
file_digest(struct file_req *f, struct db_conn *dc, char hex[65])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char sum[EVP_MAX_MD_SIZE], *b;
	unsigned int sumlen;
	int64_t at = 0;
	PGresult *r;
	size_t len;
	int rows, rc = -1;

	if (md == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
		fatalx("file: EVP_DigestInit_ex failed");
	do {
		if ((r = db_queryf(&f->req.job, dc, "file_chunks_from", "iii",
		    f->file, at, (int64_t)FILE_HASH_BATCH)) == NULL)
			goto out;
		rows = PQntuples(r);
		for (int i = 0; i < rows; i++) {
			/* FILE.CHUNK keeps them contiguous. */
			if (db_get_i64(r, i, "pos") != at)
				fatalx("file %lld: a gap at %lld",
				    (long long)f->file, (long long)at);
			b = chunk_bytes(r, i, &len);
			if (EVP_DigestUpdate(md, b, len) != 1)
				fatalx("file: EVP_DigestUpdate failed");
			free(b);
			at += (int64_t)len;
		}
		PQclear(r);
	} while (rows == FILE_HASH_BATCH);
	if (EVP_DigestFinal_ex(md, sum, &sumlen) != 1)
		fatalx("file: EVP_DigestFinal_ex failed");
	hex_encode(sum, sumlen, hex);
	rc = 0;
out:
	EVP_MD_CTX_free(md);
	return rc;
}

/*
 * Recorded (r->action) only when the file is added: a content that does
 * not match its checksum is deleted, and that commits with the refusal.
 */
static int
end_tx(struct req *r, struct db_conn *dc)
{
	struct file_req *f = (struct file_req *)r;
	struct db_job *j = &r->job;
	int64_t received = db_get_i64(f->row, 0, "received");
	int64_t size = db_get_i64(f->row, 0, "size");
	struct buf *data;
	PGresult *c;
	char sum[65];
	int rc;

	if (space_active(j, &r->space) != 0)
		return -1;
	if (received < size) {
		req_err_begin(j->out, j->tag, PERR_CONFLICT, "only %lld of "
		    "%lld bytes have arrived", (long long)received,
		    (long long)size);
		proto_add_i64(j->out, "offset", received);
		proto_end(j->out);
		return -1;
	}
	if (file_digest(f, dc, sum) != 0)
		return -1;
	/* Not what was announced: nothing of it is kept. */
	if (strcmp(sum, db_get(f->row, 0, "sha256")) != 0) {
		if (db_commandf(j, dc, "file_delete", "i", f->file) != 0)
			return -1;
		req_err(r, PERR_INVALID, "the content does not match its "
		    "SHA-256; the upload is discarded");
		return 0;
	}
	if ((c = db_queryf(j, dc, "file_complete", "i", f->file)) == NULL)
		return -1;
	data = buf_new(0);
	proto_add_i64(data, "space", r->space.space);
	proto_add_i64(data, "file", f->file);
	proto_add(data, "name", db_get(f->row, 0, "name"));
	proto_add_i64(data, "size", size);
	proto_add(data, "sha256", sum);
	proto_add_i64(data, "uploader", r->user);
	proto_add(data, "uploader_name", db_get(c, 0, "uploader_name"));
	proto_add(data, "created", db_get(c, 0, "created"));
	rc = space_emit(j, dc, r->space.space, "file.added", data);
	buf_free(data);
	PQclear(c);
	if (rc != 0)
		return -1;
	r->action = "file.add";
	r->detail = xstrdup(db_get(f->row, 0, "name"));
	req_ok_i64(j->out, j->tag, "file", f->file);
	return 0;
}

/* FILE.LIST --------------------------------------------------------------- */

static int
list_tx(struct req *r, struct db_conn *dc)
{
	static const char *const cols[] = {
		"id", "name", "size", "sha256", "uploader=uploader_id",
		"uploader_name", "created", "comments", NULL
	};
	struct db_job *j = &r->job;
	PGresult *res;
	int rows;

	if ((res = db_queryf(j, dc, "file_list", "i", r->space.space)) == NULL)
		return -1;
	rows = PQntuples(res);
	for (int i = 0; i < rows; i++)
		req_row(j->out, j->tag, "FILE", res, i, cols);
	req_ok_i64(j->out, j->tag, "count", rows);
	PQclear(res);
	return 0;
}

/* FILE.GET ---------------------------------------------------------------- */

/*
 * Copies the part of the chunks in r that falls in [offset, + want) into
 * out; returns how many bytes that was.
 */
static size_t
file_slice(const PGresult *r, int64_t offset, int64_t want,
    unsigned char *out)
{
	size_t got = 0, len;
	unsigned char *b;
	int64_t pos, from, to;

	for (int i = 0; i < PQntuples(r); i++) {
		pos = db_get_i64(r, i, "pos");
		b = chunk_bytes(r, i, &len);
		from = offset > pos ? offset - pos : 0;
		to = offset + want - pos;
		if (to > (int64_t)len)
			to = (int64_t)len;
		if (from < to && pos + from == offset + (int64_t)got) {
			memcpy(out + got, b + from, (size_t)(to - from));
			got += (size_t)(to - from);
		}
		free(b);
	}
	return got;
}

static int
get_tx(struct req *r, struct db_conn *dc)
{
	struct file_req *f = (struct file_req *)r;
	struct db_job *j = &r->job;
	int64_t offset = req_int(r, "offset");
	int64_t size = db_get_i64(f->row, 0, "size");
	/* Longer asks are cut to a chunk, as documented. */
	int64_t want = req_has(r, "length") && req_int(r, "length") <
	    FILE_CHUNK_MAX ? req_int(r, "length") : FILE_CHUNK_MAX;
	PGresult *c;
	unsigned char *bytes;
	char *b64;
	size_t got;

	if (offset > size)
		return req_errf(r, PERR_INVALID, "offset is past the end of "
		    "the file (%lld bytes)", (long long)size);
	if (size - offset < want)
		want = size - offset;
	if ((c = db_queryf(j, dc, "file_read", "iii", f->file, offset,
	    want)) == NULL)
		return -1;
	bytes = xmalloc((size_t)want + 1);
	if ((got = file_slice(c, offset, want, bytes)) != (size_t)want) {
		log_warnx("file %lld: %zu of %lld bytes at %lld",
		    (long long)f->file, got, (long long)want,
		    (long long)offset);
		j->status = DB_FAILED;
	} else {
		b64 = xmalloc(BASE64_LEN(got) + 1);
		base64_encode(bytes, got, b64);
		proto_begin(j->out, j->tag, "DATA");
		proto_add_i64(j->out, "offset", offset);
		proto_add(j->out, "data", b64);
		proto_end(j->out);
		proto_begin(j->out, j->tag, "OK");
		proto_add(j->out, "name", db_get(f->row, 0, "name"));
		proto_add_i64(j->out, "size", size);
		proto_add(j->out, "sha256", db_get(f->row, 0, "sha256"));
		proto_end(j->out);
		free(b64);
	}
	free(bytes);
	PQclear(c);
	return j->status == DB_OK ? 0 : -1;
}

/* FILE.DELETE ------------------------------------------------------------- */

static int
delete_tx(struct req *r, struct db_conn *dc)
{
	struct file_req *f = (struct file_req *)r;
	struct db_job *j = &r->job;
	int complete = db_get_bool(f->row, 0, "complete");
	struct buf *data;
	int rc;

	if (db_get_i64(f->row, 0, "uploader_id") != r->user &&
	    !r->space.manager)
		return req_err(r, PERR_FORBIDDEN, "only the file's uploader "
		    "and the space's owner, internals and collaborators can "
		    "delete it");
	if (space_active(j, &r->space) != 0)
		return -1;
	/* An upload given up was never seen by anyone else. */
	data = buf_new(0);
	proto_add_i64(data, "space", r->space.space);
	proto_add_i64(data, "file", f->file);
	rc = db_commandf(j, dc, "file_delete", "i", f->file) != 0 ||
	    (complete && space_emit(j, dc, r->space.space, "file.deleted",
	    data) != 0) ? -1 : 0;
	buf_free(data);
	r->detail = xstrdup(db_get(f->row, 0, "name"));
	return rc;
}

/* COMMENT.ADD, COMMENT.LIST ------------------------------------------------ */

static enum cmd_result
comment_prepare(struct req *r, struct cmd_ctx *ctx)
{
	const char *body = req_str(r, "body");

	if (body[strspn(body, " \t\n")] == '\0')
		return cmd_err(ctx, PERR_INVALID, "a comment cannot be empty");
	return CMD_PENDING;
}

/* The audit log says a comment was made, never what it says. */
static int
comment_add_tx(struct req *r, struct db_conn *dc)
{
	struct file_req *f = (struct file_req *)r;
	struct db_job *j = &r->job;
	struct buf *data;
	PGresult *res;
	int rc;

	if (space_active(j, &r->space) != 0 || (res = db_queryf(j, dc,
	    "comment_add", "iis", f->file, r->user,
	    req_str(r, "body"))) == NULL)
		return -1;
	data = buf_new(0);
	proto_add_i64(data, "space", r->space.space);
	proto_add_i64(data, "file", f->file);
	proto_add(data, "comment", db_get(res, 0, "id"));
	proto_add_i64(data, "author", r->user);
	proto_add(data, "name", db_get(res, 0, "name"));
	proto_add(data, "body", req_str(r, "body"));
	proto_add(data, "created", db_get(res, 0, "created"));
	if ((rc = space_emit(j, dc, r->space.space, "comment.added",
	    data)) == 0) {
		proto_begin(j->out, j->tag, "OK");
		proto_add(j->out, "comment", db_get(res, 0, "id"));
		proto_end(j->out);
	}
	buf_free(data);
	PQclear(res);
	return rc;
}

/*
 * COMMENT.LIST pages, oldest first: a file's comments are read from the
 * start, and anyone in the space may add them without end, so a page is
 * bounded in rows and in bytes, and more=1 says to ask again after= the
 * last id.
 */
static int
comment_list_tx(struct req *r, struct db_conn *dc)
{
	static const char *const cols[] = {
		"id", "file=file_id", "author=author_id", "name", "body",
		"created", NULL
	};
	struct file_req *f = (struct file_req *)r;
	struct db_job *j = &r->job;
	int64_t limit = req_has(r, "limit") ? req_int(r, "limit") :
	    COMMENT_PAGE_DEFAULT;
	PGresult *res;
	int rows, n = 0;

	if ((res = db_queryf(j, dc, "comment_list", "iiii", f->file,
	    req_int(r, "after"), limit + 1, (int64_t)r->page)) == NULL)
		return -1;
	rows = PQntuples(res);
	for (; n < rows && n < limit && !cmd_page_full(j->out, r->page, n);
	    n++)
		req_row(j->out, j->tag, "COMMENT", res, n, cols);
	proto_begin(j->out, j->tag, "OK");
	proto_add_i64(j->out, "count", n);
	if (n < rows)
		proto_add(j->out, "more", "1");
	proto_end(j->out);
	PQclear(res);
	return 0;
}

/* The table --------------------------------------------------------------- */

static const struct cmd_arg begin_args[] = {
	ARG("space", ARG_ID, 1, 20),
	ARG("name", ARG_LINE, 1, FILE_NAME_MAX),
	ARG("size", ARG_ID, 1, 20),
	ARG("sha256", ARG_ATOM, 1, 64),
	{ NULL }
};

/* Base64 has '=' at its end, which is not an atom character: text. */
static const struct cmd_arg chunk_args[] = {
	ARG("file", ARG_ID, 1, 20),
	ARG("offset", ARG_ID, 1, 20),
	ARG("data", ARG_TEXT, 1, FILE_CHUNK_B64),
	{ NULL }
};

static const struct cmd_arg file_args[] = {
	ARG("file", ARG_ID, 1, 20),
	{ NULL }
};

static const struct cmd_arg comments_args[] = {
	ARG("file", ARG_ID, 1, 20),
	ARG("after", ARG_ID, 0, 20),
	ARG("limit", ARG_INT, 0, 20, .lo = 1, .hi = COMMENT_PAGE_MAX),
	{ NULL }
};

static const struct cmd_arg space_args[] = {
	ARG("space", ARG_ID, 1, 20),
	{ NULL }
};

static const struct cmd_arg get_args[] = {
	ARG("file", ARG_ID, 1, 20),
	ARG("offset", ARG_ID, 1, 20),
	ARG("length", ARG_ID, 0, 20),
	{ NULL }
};

static const struct cmd_arg comment_args[] = {
	ARG("file", ARG_ID, 1, 20),
	ARG("body", ARG_PROSE, 1, COMMENT_MAX),
	{ NULL }
};

/* The verbs on file= name what they need of the file in need. */
#define FILE_VERB(v, need, args, summary, ...) \
	{ v, CMD_SESSION, AREA_SPACES, TARGET_OBJECT, need, args, summary, \
	  .size = sizeof(struct file_req), .open = file_open, \
	  .destroy = file_destroy, __VA_ARGS__ }

const struct cmd cmd_file_table[] = {
	{ "FILE.BEGIN", CMD_SESSION, AREA_SPACES, TARGET_SPACE, SPACE_SEE,
	  begin_args, "start uploading a file to a space",
	  .size = sizeof(struct file_req), .prepare = begin_prepare,
	  .tx = begin_tx, .destroy = file_destroy,
	  .flags = CMD_RID },
	FILE_VERB("FILE.CHUNK", FILE_UPLOAD, chunk_args,
	    "the next bytes of an upload, in base64",
	    .prepare = chunk_prepare, .tx = chunk_tx, .flags = CMD_RID),
	FILE_VERB("FILE.END", FILE_UPLOAD, file_args,
	    "finish an upload: its size and SHA-256 are checked",
	    .tx = end_tx, .flags = CMD_RID),
	{ "FILE.LIST", CMD_SESSION, AREA_SPACES, TARGET_SPACE, SPACE_SEE,
	  space_args, "the files of a space", .tx = list_tx },
	FILE_VERB("FILE.GET", FILE_DONE, get_args,
	    "a chunk of a file, in base64", .tx = get_tx),
	FILE_VERB("FILE.DELETE", FILE_EITHER, file_args,
	    "delete a file, or give an upload up",
	    .tx = delete_tx, .audit = "file.delete", .flags = CMD_RID),
	FILE_VERB("COMMENT.ADD", FILE_DONE, comment_args, "comment on a file",
	    .prepare = comment_prepare, .tx = comment_add_tx,
	    .audit = "comment.add", .flags = CMD_RID),
	FILE_VERB("COMMENT.LIST", FILE_DONE, comments_args,
	    "the comments on a file, oldest first",
	    .tx = comment_list_tx),
	{ NULL }
};
