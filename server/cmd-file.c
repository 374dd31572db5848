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
#include "conn.h"
#include "db.h"
#include "event.h"
#include "file.h"
#include "hex.h"
#include "log.h"
#include "proto.h"
#include "server.h"
#include "session.h"
#include "space.h"
#include "str.h"
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
	  "SELECT id, author_id, name, body, created FROM ("
	  " SELECT c.id, c.author_id, u.name, c.body,"
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

struct file_job {
	struct db_job	 job;
	int64_t		 user;
	int64_t		 session;
	char		 address[64];
	int64_t		 space;
	int64_t		 file;
	int64_t		 offset;	/* FILE.CHUNK, FILE.GET */
	int64_t		 length;	/* FILE.GET */
	int64_t		 size;		/* FILE.BEGIN */
	int64_t		 chunk;		/* FILE.BEGIN: the chunk size */
	int64_t		 quota;		/* storage_quota; 0: none */
	char		*name;		/* FILE.BEGIN */
	char		 sha256[65];	/* FILE.BEGIN, lower case */
	char		*body;		/* COMMENT.ADD */
	char		*hex;		/* FILE.CHUNK: the bytes, in hex */
	size_t		 len;		/* FILE.CHUNK: how many */
	int64_t		 after;		/* COMMENT.LIST: the page's start */
	int64_t		 limit;		/* COMMENT.LIST: its rows */
	size_t		 page;		/* COMMENT.LIST: its bytes */
	char		 ids[3][STR_I64_LEN];
};

static void
file_job_destroy(struct db_job *j)
{
	struct file_job *fj = (struct file_job *)j;

	free(fj->name);
	free(fj->body);
	free(fj->hex);
}

static struct file_job *
file_job_new(struct cmd_ctx *ctx)
{
	struct file_job *fj = xcalloc(1, sizeof *fj);
	const struct session *s = conn_session(ctx->conn);
	const char *v;

	fj->user = s->user_id;
	fj->session = s->session_id;
	snprintf(fj->address, sizeof fj->address, "%s",
	    conn_address(ctx->conn));
	proto_get_i64(ctx->msg, "space", 0, INT64_MAX, &fj->space);
	proto_get_i64(ctx->msg, "file", 0, INT64_MAX, &fj->file);
	proto_get_i64(ctx->msg, "offset", 0, INT64_MAX, &fj->offset);
	fj->quota = server_config()->storage_quota;
	if ((v = proto_get(ctx->msg, "body")) != NULL)
		fj->body = xstrdup(v);
	fj->job.destroy = file_job_destroy;
	return fj;
}

/* ERR with one more parameter a client acts on (offset=, max=). */
static void
err_with(struct buf *out, const char *tag, enum proto_err code,
    const char *msg, const char *key, int64_t value)
{
	proto_begin(out, tag, "ERR");
	proto_add(out, "code", proto_err_name(code));
	proto_add(out, "msg", msg);
	proto_add_i64(out, key, value);
	proto_end(out);
}

static int
file_audit(struct file_job *fj, struct db_conn *dc, const char *action,
    const char *detail)
{
	char target[64];

	snprintf(target, sizeof target, "space %lld file %lld",
	    (long long)fj->space, (long long)fj->file);
	return audit_record(&fj->job, dc, fj->user, fj->session, fj->address,
	    action, target, detail);
}

/* A file the caller may not see: the same answer as a closed space. */
static int
file_missing(struct db_job *j)
{
	proto_err(j->out, j->tag, PERR_NOT_FOUND, SPACE_CLOSED);
	return -1;
}

/*
 * Whether a file of size bytes fits in workspace ws beside its other
 * files (all but file exclude): 0, or -1 with the reply written
 * (quota_exceeded, saying what is used and allowed) or the job failed.
 */
static int
file_quota(struct file_job *fj, struct db_conn *dc, int64_t ws,
    int64_t exclude, int64_t size)
{
	struct db_job *j = &fj->job;
	char w[STR_I64_LEN], x[STR_I64_LEN], *msg;
	const char *p[2] = { str_i64(w, ws), str_i64(x, exclude) };
	PGresult *r;
	int64_t used;

	if (fj->quota == 0)
		return 0;
	if ((r = db_query(j, dc, "file_usage", 2, p)) == NULL)
		return -1;
	used = db_get_i64(r, 0, "used");
	PQclear(r);
	if (size <= fj->quota && used <= fj->quota - size)
		return 0;
	xasprintf(&msg, "over the workspace's storage quota: its files take "
	    "%lld of the %lld bytes allowed, and this one is %lld bytes",
	    (long long)used, (long long)fj->quota, (long long)size);
	proto_begin(j->out, j->tag, "ERR");
	proto_add(j->out, "code", proto_err_name(PERR_QUOTA_EXCEEDED));
	proto_add(j->out, "msg", msg);
	proto_add_i64(j->out, "used", used);
	proto_add_i64(j->out, "quota", fj->quota);
	proto_end(j->out);
	free(msg);
	return -1;
}

/* Changes wait for the space to be reactivated (only the owner's side
   gets this far into an archived space). */
static int
file_archived(struct db_job *j, const struct space_access *a)
{
	if (!a->archived)
		return 0;
	proto_err(j->out, j->tag, PERR_CONFLICT, "the space is archived; "
	    "reactivate it first");
	return -1;
}

/*
 * Begins the transaction, opens the file's space for the caller (the
 * space's row locked, so the file cannot change under us) and reads the
 * file: 0 with *row (caller clears), or -1 with the reply written. A file
 * that does not exist, one in a space closed to the caller and someone
 * else's upload in progress get one answer, space.c's; the uploader is
 * told their own upload is not finished.
 */
static int
file_open(struct file_job *fj, struct db_conn *dc, enum file_need need,
    struct space_access *a, PGresult **row)
{
	struct db_job *j = &fj->job;
	const char *id[1] = { str_i64(fj->ids[0], fj->file) };
	PGresult *r;
	int complete, mine;

	if (db_begin(j, dc) != 0 ||
	    (r = db_query(j, dc, "file_space", 1, id)) == NULL)
		return -1;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return file_missing(j);
	}
	fj->space = db_get_i64(r, 0, "space_id");
	PQclear(r);
	if (space_open(j, dc, fj->space, fj->user, SPACE_SEE, a) != 0 ||
	    (r = db_query(j, dc, "file_get", 1, id)) == NULL)
		return -1;
	/* Deleted while we waited for the space's lock. */
	if (PQntuples(r) == 0) {
		PQclear(r);
		return file_missing(j);
	}
	complete = strcmp(db_get(r, 0, "complete"), "t") == 0;
	mine = db_get_i64(r, 0, "uploader_id") == fj->user;
	if (need == FILE_UPLOAD && complete) {
		PQclear(r);
		proto_err(j->out, j->tag, PERR_CONFLICT, "this file's upload "
		    "is finished");
		return -1;
	}
	if (!complete && !mine) {
		PQclear(r);
		return file_missing(j);
	}
	if (need == FILE_DONE && !complete) {
		PQclear(r);
		proto_err(j->out, j->tag, PERR_CONFLICT, "this file's upload "
		    "is not finished");
		return -1;
	}
	*row = r;
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

/* The chunk size a client should send: what fits in max_line. */
static int64_t
file_chunk_size(void)
{
	long line = server_config()->max_line;
	int64_t n = (line - FILE_LINE_SLACK) / 4 * 3;

	return n < FILE_CHUNK_MAX ? n : FILE_CHUNK_MAX;
}

/* The scheduled purge (scheduler.c) -------------------------------------- */

int
file_purge(struct db_job *j, struct db_conn *dc, long expiry, long *purged)
{
	char e[STR_I64_LEN];
	const char *p[1] = { str_i64(e, expiry) };
	PGresult *r;

	if ((r = db_query(j, dc, "file_purge", 1, p)) == NULL)
		return -1;
	*purged = (long)db_get_i64(r, 0, "purged");
	PQclear(r);
	return 0;
}

/* FILE.BEGIN -------------------------------------------------------------- */

static void
begin_run(struct db_job *j, struct db_conn *dc)
{
	struct file_job *fj = (struct file_job *)j;
	const char *ins[5] = { str_i64(fj->ids[0], fj->space),
	    str_i64(fj->ids[1], fj->user), fj->name,
	    str_i64(fj->ids[2], fj->size), fj->sha256 };
	char wsid[STR_I64_LEN];
	const char *ws[1];
	struct space_access a;
	PGresult *r;

	if (db_begin(j, dc) != 0 ||
	    space_open(j, dc, fj->space, fj->user, SPACE_SEE, &a) != 0 ||
	    file_archived(j, &a) != 0)
		return;
	ws[0] = str_i64(wsid, a.workspace);
	if ((fj->quota != 0 &&
	    db_command(j, dc, "file_quota_lock", 1, ws) != 0) ||
	    file_quota(fj, dc, a.workspace, 0, fj->size) != 0 ||
	    (r = db_query(j, dc, "file_begin", 5, ins)) == NULL)
		return;
	fj->file = db_get_i64(r, 0, "id");
	PQclear(r);
	if (db_commit(j, dc) != 0)
		return;
	proto_begin(j->out, j->tag, "OK");
	proto_add_i64(j->out, "file", fj->file);
	proto_add_i64(j->out, "chunk", fj->chunk);
	proto_end(j->out);
}

static enum cmd_result
cmd_file_begin(struct cmd_ctx *ctx)
{
	const char *name = proto_get(ctx->msg, "name");
	const char *sha = proto_get(ctx->msg, "sha256");
	long max = server_config()->file_max_size;
	struct file_job *fj;
	int64_t size = 0;
	char *msg;

	if (name[strspn(name, " ")] == '\0')
		return cmd_err(ctx, PERR_INVALID, "a file needs a name");
	if (strlen(sha) != 64 || strspn(sha, "0123456789abcdefABCDEF") != 64)
		return cmd_err(ctx, PERR_INVALID, "sha256 is the content's "
		    "SHA-256 in 64 hex digits");
	proto_get_i64(ctx->msg, "size", 0, INT64_MAX, &size);
	if (size > max) {
		xasprintf(&msg, "the file is larger than the limit of %ld "
		    "bytes", max);
		err_with(cmd_out(ctx), ctx->tag, PERR_INVALID, msg, "max", max);
		free(msg);
		return CMD_DONE;
	}
	fj = file_job_new(ctx);
	fj->name = xstrdup(name);
	fj->size = size;
	fj->chunk = file_chunk_size();
	for (size_t i = 0; i < 64; i++)
		fj->sha256[i] = (char)(sha[i] >= 'A' && sha[i] <= 'F' ?
		    sha[i] - 'A' + 'a' : sha[i]);
	return cmd_submit(ctx, &fj->job, begin_run, NULL);
}

/* FILE.CHUNK -------------------------------------------------------------- */

static void
chunk_run(struct db_job *j, struct db_conn *dc)
{
	struct file_job *fj = (struct file_job *)j;
	struct space_access a;
	const char *add[3], *upd[2];
	PGresult *r;
	int64_t received, size;
	char *msg;

	if (file_open(fj, dc, FILE_UPLOAD, &a, &r) != 0)
		return;
	received = db_get_i64(r, 0, "received");
	size = db_get_i64(r, 0, "size");
	PQclear(r);
	if (file_archived(j, &a) != 0 ||
	    file_quota(fj, dc, a.workspace, fj->file, size) != 0)
		return;
	/* Exactly the next bytes: a client that lost track (a reply lost
	   with the connection, say) learns where to resume. */
	if (fj->offset != received) {
		xasprintf(&msg, "the upload continues at offset %lld",
		    (long long)received);
		err_with(j->out, j->tag, PERR_CONFLICT, msg, "offset",
		    received);
		free(msg);
		return;
	}
	if ((int64_t)fj->len > size - received) {
		xasprintf(&msg, "more bytes than the %lld announced",
		    (long long)size);
		proto_err(j->out, j->tag, PERR_INVALID, msg);
		free(msg);
		return;
	}
	if (fj->len > 0) {
		add[0] = fj->ids[0];
		add[1] = str_i64(fj->ids[1], fj->offset);
		add[2] = fj->hex;
		upd[0] = fj->ids[0];
		upd[1] = str_i64(fj->ids[2], (int64_t)fj->len);
		if (db_command(j, dc, "file_chunk_add", 3, add) != 0 ||
		    (r = db_query(j, dc, "file_received", 2, upd)) == NULL)
			return;
		received = db_get_i64(r, 0, "received");
		PQclear(r);
	}
	if (db_commit(j, dc) != 0)
		return;
	proto_begin(j->out, j->tag, "OK");
	proto_add_i64(j->out, "received", received);
	proto_end(j->out);
}

static enum cmd_result
cmd_file_chunk(struct cmd_ctx *ctx)
{
	const char *data = proto_get(ctx->msg, "data");
	struct file_job *fj;
	unsigned char *bytes;
	size_t len;

	if ((bytes = base64_decode(data, strlen(data), &len)) == NULL)
		return cmd_err(ctx, PERR_INVALID, "data is not base64");
	if (len > FILE_CHUNK_MAX) {
		free(bytes);
		return cmd_err(ctx, PERR_INVALID, "a chunk is at most 32768 "
		    "bytes");
	}
	fj = file_job_new(ctx);
	fj->len = len;
	fj->hex = xmalloc(2 * len + 1);
	hex_encode(bytes, len, fj->hex);
	free(bytes);
	return cmd_submit(ctx, &fj->job, chunk_run, NULL);
}

/* FILE.END ---------------------------------------------------------------- */

/*
 * The SHA-256 of the stored file, in hex: read back a batch of chunks at a
 * time, so that memory stays small whatever the file's size. 0, or -1 with
 * the job failed.
 */
static int
file_digest(struct file_job *fj, struct db_conn *dc, char hex[65])
{
	struct db_job *j = &fj->job;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char sum[EVP_MAX_MD_SIZE], *b;
	unsigned int sumlen;
	char pos[STR_I64_LEN], batch[STR_I64_LEN];
	const char *p[3] = { fj->ids[0], pos, str_i64(batch, FILE_HASH_BATCH) };
	int64_t at = 0;
	PGresult *r;
	size_t len;
	int rows, rc = -1;

	if (md == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
		fatalx("file: EVP_DigestInit_ex failed");
	do {
		str_i64(pos, at);
		if ((r = db_query(j, dc, "file_chunks_from", 3, p)) == NULL)
			goto out;
		rows = PQntuples(r);
		for (int i = 0; i < rows; i++) {
			/* FILE.CHUNK keeps them contiguous. */
			if (db_get_i64(r, i, "pos") != at)
				fatalx("file %lld: a gap at %lld",
				    (long long)fj->file, (long long)at);
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

static void
end_run(struct db_job *j, struct db_conn *dc)
{
	struct file_job *fj = (struct file_job *)j;
	const char *id[1] = { fj->ids[0] };
	struct space_access a;
	struct buf *data;
	PGresult *r, *c;
	int64_t received, size;
	char sum[65], *msg;
	int rc;

	if (file_open(fj, dc, FILE_UPLOAD, &a, &r) != 0)
		return;
	if (file_archived(j, &a) != 0) {
		PQclear(r);
		return;
	}
	received = db_get_i64(r, 0, "received");
	size = db_get_i64(r, 0, "size");
	if (received < size) {
		xasprintf(&msg, "only %lld of %lld bytes have arrived",
		    (long long)received, (long long)size);
		err_with(j->out, j->tag, PERR_CONFLICT, msg, "offset",
		    received);
		free(msg);
		PQclear(r);
		return;
	}
	if (file_digest(fj, dc, sum) != 0) {
		PQclear(r);
		return;
	}
	/* Not what was announced: nothing of it is kept. */
	if (strcmp(sum, db_get(r, 0, "sha256")) != 0) {
		PQclear(r);
		if (db_command(j, dc, "file_delete", 1, id) != 0 ||
		    db_commit(j, dc) != 0)
			return;
		proto_err(j->out, j->tag, PERR_INVALID, "the content does not "
		    "match its SHA-256; the upload is discarded");
		return;
	}
	if ((c = db_query(j, dc, "file_complete", 1, id)) == NULL) {
		PQclear(r);
		return;
	}
	data = buf_new(0);
	proto_add_i64(data, "space", fj->space);
	proto_add_i64(data, "file", fj->file);
	proto_add(data, "name", db_get(r, 0, "name"));
	proto_add_i64(data, "size", size);
	proto_add(data, "sha256", sum);
	proto_add_i64(data, "uploader", fj->user);
	proto_add(data, "uploader_name", db_get(c, 0, "uploader_name"));
	proto_add(data, "created", db_get(c, 0, "created"));
	rc = space_emit(j, dc, fj->space, "file.added", data) != 0 ||
	    file_audit(fj, dc, "file.add", db_get(r, 0, "name")) != 0 ||
	    db_commit(j, dc) != 0;
	buf_free(data);
	PQclear(r);
	PQclear(c);
	if (rc == 0) {
		proto_begin(j->out, j->tag, "OK");
		proto_add_i64(j->out, "file", fj->file);
		proto_end(j->out);
	}
}

static enum cmd_result
cmd_file_end(struct cmd_ctx *ctx)
{
	return cmd_submit(ctx, &file_job_new(ctx)->job, end_run, NULL);
}

/* FILE.LIST --------------------------------------------------------------- */

static void
list_run(struct db_job *j, struct db_conn *dc)
{
	struct file_job *fj = (struct file_job *)j;
	static const char *const cols[] = { "name", "size", "sha256" };
	const size_t ncols = sizeof cols / sizeof cols[0];
	const char *sp[1] = { str_i64(fj->ids[0], fj->space) };
	struct space_access a;
	PGresult *r;
	int rows;

	if (db_begin(j, dc) != 0 ||
	    space_open(j, dc, fj->space, fj->user, SPACE_SEE, &a) != 0 ||
	    (r = db_query(j, dc, "file_list", 1, sp)) == NULL)
		return;
	if (db_commit(j, dc) == 0) {
		rows = PQntuples(r);
		for (int i = 0; i < rows; i++) {
			proto_begin(j->out, j->tag, "FILE");
			proto_add(j->out, "id", db_get(r, i, "id"));
			for (size_t c = 0; c < ncols; c++)
				proto_add(j->out, cols[c], db_get(r, i,
				    cols[c]));
			proto_add(j->out, "uploader", db_get(r, i,
			    "uploader_id"));
			proto_add(j->out, "uploader_name", db_get(r, i,
			    "uploader_name"));
			proto_add(j->out, "created", db_get(r, i, "created"));
			proto_add(j->out, "comments", db_get(r, i, "comments"));
			proto_end(j->out);
		}
		proto_begin(j->out, j->tag, "OK");
		proto_add_i64(j->out, "count", rows);
		proto_end(j->out);
	}
	PQclear(r);
}

static enum cmd_result
cmd_file_list(struct cmd_ctx *ctx)
{
	return cmd_submit(ctx, &file_job_new(ctx)->job, list_run, NULL);
}

/* FILE.GET ---------------------------------------------------------------- */

/*
 * Copies the part of the chunks in r that falls in [fj->offset, + want)
 * into out; returns how many bytes that was.
 */
static size_t
file_slice(const struct file_job *fj, const PGresult *r, int64_t want,
    unsigned char *out)
{
	size_t got = 0, len;
	unsigned char *b;
	int64_t pos, from, to;

	for (int i = 0; i < PQntuples(r); i++) {
		pos = db_get_i64(r, i, "pos");
		b = chunk_bytes(r, i, &len);
		from = fj->offset > pos ? fj->offset - pos : 0;
		to = fj->offset + want - pos;
		if (to > (int64_t)len)
			to = (int64_t)len;
		if (from < to && pos + from == fj->offset + (int64_t)got) {
			memcpy(out + got, b + from, (size_t)(to - from));
			got += (size_t)(to - from);
		}
		free(b);
	}
	return got;
}

static void
get_run(struct db_job *j, struct db_conn *dc)
{
	struct file_job *fj = (struct file_job *)j;
	char len[STR_I64_LEN];
	const char *rd[3] = { fj->ids[0], str_i64(fj->ids[1], fj->offset),
	    len };
	struct space_access a;
	PGresult *r, *c;
	int64_t size, want;
	unsigned char *bytes;
	char *b64, *msg;
	size_t got;

	if (file_open(fj, dc, FILE_DONE, &a, &r) != 0)
		return;
	size = db_get_i64(r, 0, "size");
	if (fj->offset > size) {
		xasprintf(&msg, "offset is past the end of the file (%lld "
		    "bytes)", (long long)size);
		proto_err(j->out, j->tag, PERR_INVALID, msg);
		free(msg);
		PQclear(r);
		return;
	}
	want = size - fj->offset < fj->length ? size - fj->offset : fj->length;
	str_i64(len, want);
	if ((c = db_query(j, dc, "file_read", 3, rd)) == NULL) {
		PQclear(r);
		return;
	}
	bytes = xmalloc((size_t)want + 1);
	if ((got = file_slice(fj, c, want, bytes)) != (size_t)want) {
		log_warnx("file %lld: %zu of %lld bytes at %lld",
		    (long long)fj->file, got, (long long)want,
		    (long long)fj->offset);
		j->status = DB_FAILED;
	} else if (db_commit(j, dc) == 0) {
		b64 = xmalloc(BASE64_LEN(got) + 1);
		base64_encode(bytes, got, b64);
		proto_begin(j->out, j->tag, "DATA");
		proto_add_i64(j->out, "offset", fj->offset);
		proto_add(j->out, "data", b64);
		proto_end(j->out);
		proto_begin(j->out, j->tag, "OK");
		proto_add(j->out, "name", db_get(r, 0, "name"));
		proto_add_i64(j->out, "size", size);
		proto_add(j->out, "sha256", db_get(r, 0, "sha256"));
		proto_end(j->out);
		free(b64);
	}
	free(bytes);
	PQclear(r);
	PQclear(c);
}

static enum cmd_result
cmd_file_get(struct cmd_ctx *ctx)
{
	struct file_job *fj = file_job_new(ctx);

	/* Longer asks are cut to a chunk, as documented. */
	fj->length = FILE_CHUNK_MAX;
	if (proto_get(ctx->msg, "length") != NULL)
		proto_get_i64(ctx->msg, "length", 0, FILE_CHUNK_MAX,
		    &fj->length);
	return cmd_submit(ctx, &fj->job, get_run, NULL);
}

/* FILE.DELETE ------------------------------------------------------------- */

static void
delete_run(struct db_job *j, struct db_conn *dc)
{
	struct file_job *fj = (struct file_job *)j;
	const char *id[1] = { fj->ids[0] };
	struct space_access a;
	struct buf *data;
	PGresult *r;
	int rc, complete;

	if (file_open(fj, dc, FILE_EITHER, &a, &r) != 0)
		return;
	complete = strcmp(db_get(r, 0, "complete"), "t") == 0;
	if (db_get_i64(r, 0, "uploader_id") != fj->user && !a.manager) {
		PQclear(r);
		proto_err(j->out, j->tag, PERR_FORBIDDEN, "only the file's "
		    "uploader and the space's owner, internals and "
		    "collaborators can delete it");
		return;
	}
	if (file_archived(j, &a) != 0) {
		PQclear(r);
		return;
	}
	/* An upload given up was never seen by anyone else. */
	data = buf_new(0);
	proto_add_i64(data, "space", fj->space);
	proto_add_i64(data, "file", fj->file);
	rc = db_command(j, dc, "file_delete", 1, id) != 0 ||
	    (complete && space_emit(j, dc, fj->space, "file.deleted",
	    data) != 0) ||
	    file_audit(fj, dc, "file.delete", db_get(r, 0, "name")) != 0 ||
	    db_commit(j, dc) != 0;
	buf_free(data);
	PQclear(r);
	if (rc == 0)
		proto_ok(j->out, j->tag);
}

static enum cmd_result
cmd_file_delete(struct cmd_ctx *ctx)
{
	return cmd_submit(ctx, &file_job_new(ctx)->job, delete_run, NULL);
}

/* COMMENT.ADD, COMMENT.LIST ------------------------------------------------ */

static void
comment_add_run(struct db_job *j, struct db_conn *dc)
{
	struct file_job *fj = (struct file_job *)j;
	const char *ins[3] = { fj->ids[0], str_i64(fj->ids[1], fj->user),
	    fj->body };
	struct space_access a;
	struct buf *data;
	PGresult *r;
	int64_t comment;
	int rc;

	if (file_open(fj, dc, FILE_DONE, &a, &r) != 0)
		return;
	PQclear(r);
	if (file_archived(j, &a) != 0 ||
	    (r = db_query(j, dc, "comment_add", 3, ins)) == NULL)
		return;
	comment = db_get_i64(r, 0, "id");
	data = buf_new(0);
	proto_add_i64(data, "space", fj->space);
	proto_add_i64(data, "file", fj->file);
	proto_add_i64(data, "comment", comment);
	proto_add_i64(data, "author", fj->user);
	proto_add(data, "name", db_get(r, 0, "name"));
	proto_add(data, "body", fj->body);
	proto_add(data, "created", db_get(r, 0, "created"));
	PQclear(r);
	/* The audit log says a comment was made, never what it says. */
	rc = space_emit(j, dc, fj->space, "comment.added", data) != 0 ||
	    file_audit(fj, dc, "comment.add", NULL) != 0 ||
	    db_commit(j, dc) != 0;
	buf_free(data);
	if (rc == 0) {
		proto_begin(j->out, j->tag, "OK");
		proto_add_i64(j->out, "comment", comment);
		proto_end(j->out);
	}
}

static enum cmd_result
cmd_comment_add(struct cmd_ctx *ctx)
{
	const char *body = proto_get(ctx->msg, "body");

	if (body[strspn(body, " \t\n")] == '\0')
		return cmd_err(ctx, PERR_INVALID, "a comment cannot be empty");
	return cmd_submit(ctx, &file_job_new(ctx)->job, comment_add_run, NULL);
}

/*
 * COMMENT.LIST pages, oldest first: a file's comments are read from the
 * start, and anyone in the space may add them without end, so a page is
 * bounded in rows and in bytes, and more=1 says to ask again after= the
 * last id.
 */
static void
comment_list_run(struct db_job *j, struct db_conn *dc)
{
	struct file_job *fj = (struct file_job *)j;
	char after[STR_I64_LEN], limit[STR_I64_LEN], page[STR_I64_LEN];
	const char *p[4] = { fj->ids[0], str_i64(after, fj->after),
	    str_i64(limit, fj->limit + 1), str_i64(page, (int64_t)fj->page) };
	struct space_access a;
	PGresult *r;
	int rows, n = 0;

	if (file_open(fj, dc, FILE_DONE, &a, &r) != 0)
		return;
	PQclear(r);
	if ((r = db_query(j, dc, "comment_list", 4, p)) == NULL)
		return;
	if (db_commit(j, dc) == 0) {
		rows = PQntuples(r);
		for (; n < rows && n < fj->limit &&
		    !cmd_page_full(j->out, fj->page, n); n++) {
			proto_begin(j->out, j->tag, "COMMENT");
			proto_add(j->out, "id", db_get(r, n, "id"));
			proto_add_i64(j->out, "file", fj->file);
			proto_add(j->out, "author", db_get(r, n, "author_id"));
			proto_add(j->out, "name", db_get(r, n, "name"));
			proto_add(j->out, "body", db_get(r, n, "body"));
			proto_add(j->out, "created", db_get(r, n, "created"));
			proto_end(j->out);
		}
		proto_begin(j->out, j->tag, "OK");
		proto_add_i64(j->out, "count", n);
		if (n < rows)
			proto_add(j->out, "more", "1");
		proto_end(j->out);
	}
	PQclear(r);
}

static enum cmd_result
cmd_comment_list(struct cmd_ctx *ctx)
{
	struct file_job *fj;
	int64_t limit = COMMENT_PAGE_DEFAULT;

	if (proto_get(ctx->msg, "limit") != NULL &&
	    proto_get_i64(ctx->msg, "limit", 1, COMMENT_PAGE_MAX, &limit) != 0)
		return cmd_err(ctx, PERR_INVALID, "limit is from 1 to 500");
	fj = file_job_new(ctx);
	fj->limit = limit;
	fj->page = cmd_page_bytes();
	proto_get_i64(ctx->msg, "after", 0, INT64_MAX, &fj->after);
	return cmd_submit(ctx, &fj->job, comment_list_run, NULL);
}

/* The table --------------------------------------------------------------- */

static const struct cmd_arg begin_args[] = {
	{ "space", ARG_INT, 1, 20 },
	{ "name", ARG_LINE, 1, FILE_NAME_MAX },
	{ "size", ARG_INT, 1, 20 },
	{ "sha256", ARG_ATOM, 1, 64 },
	{ NULL, 0, 0, 0 }
};

/* Base64 has '=' at its end, which is not an atom character: text. */
static const struct cmd_arg chunk_args[] = {
	{ "file", ARG_INT, 1, 20 },
	{ "offset", ARG_INT, 1, 20 },
	{ "data", ARG_TEXT, 1, FILE_CHUNK_B64 },
	{ NULL, 0, 0, 0 }
};

static const struct cmd_arg file_args[] = {
	{ "file", ARG_INT, 1, 20 },
	{ NULL, 0, 0, 0 }
};

static const struct cmd_arg comments_args[] = {
	{ "file", ARG_INT, 1, 20 },
	{ "after", ARG_INT, 0, 20 },
	{ "limit", ARG_INT, 0, 20 },
	{ NULL, 0, 0, 0 }
};

static const struct cmd_arg space_args[] = {
	{ "space", ARG_INT, 1, 20 },
	{ NULL, 0, 0, 0 }
};

static const struct cmd_arg get_args[] = {
	{ "file", ARG_INT, 1, 20 },
	{ "offset", ARG_INT, 1, 20 },
	{ "length", ARG_INT, 0, 20 },
	{ NULL, 0, 0, 0 }
};

static const struct cmd_arg comment_args[] = {
	{ "file", ARG_INT, 1, 20 },
	{ "body", ARG_PROSE, 1, COMMENT_MAX },
	{ NULL, 0, 0, 0 }
};

const struct cmd cmd_file_table[] = {
	{ "FILE.BEGIN", cmd_file_begin, CMD_SESSION, PERM_NONE, begin_args,
	  "start uploading a file to a space", CMD_RID },
	{ "FILE.CHUNK", cmd_file_chunk, CMD_SESSION, PERM_NONE, chunk_args,
	  "the next bytes of an upload, in base64", CMD_RID },
	{ "FILE.END", cmd_file_end, CMD_SESSION, PERM_NONE, file_args,
	  "finish an upload: its size and SHA-256 are checked", CMD_RID },
	{ "FILE.LIST", cmd_file_list, CMD_SESSION, PERM_NONE, space_args,
	  "the files of a space", 0 },
	{ "FILE.GET", cmd_file_get, CMD_SESSION, PERM_NONE, get_args,
	  "a chunk of a file, in base64", 0 },
	{ "FILE.DELETE", cmd_file_delete, CMD_SESSION, PERM_NONE, file_args,
	  "delete a file, or give an upload up", CMD_RID },
	{ "COMMENT.ADD", cmd_comment_add, CMD_SESSION, PERM_NONE, comment_args,
	  "comment on a file", CMD_RID },
	{ "COMMENT.LIST", cmd_comment_list, CMD_SESSION, PERM_NONE, comments_args,
	  "the comments on a file, oldest first", 0 },
	{ NULL, NULL, CMD_PUBLIC, 0, NULL, NULL, 0 }
};
