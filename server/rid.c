/*
 * Idempotent requests: see rid.h for the flow.
 *
 * What is stored. A row is keyed by the user and the SHA-256 of the rid,
 * never the rid itself, and the reply is sealed with AES-256-GCM under a
 * key derived from the user and the rid. So reading the table gives no
 * reply without the rid that only its client held: replies that hand
 * something over (INVITE.REMIND how=link) keep DESIGN §4's rule that no
 * usable token is stored in clear. The verb is stored in clear, so that
 * a rid reused for another verb is refused rather than answered with
 * another request's reply.
 *
 * A reply is stored without its tag and replayed under the retry's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "buf.h"
#include "cmd.h"
#include "conn.h"
#include "db.h"
#include "hex.h"
#include "log.h"
#include "proto.h"
#include "rid.h"
#include "session.h"
#include "str.h"
#include "xmalloc.h"

#define RID_NONCE	12
#define RID_TAG		16
#define RID_DIGEST_LEN	(2 + 64)	/* "\x" and hex, a bytea parameter */

const struct db_stmt rid_stmts[] = {
	/* Waits for a transaction holding the same key to end: then
	   nothing (it committed: answer from its row) or the row. */
	{ "rid_claim",
	  "INSERT INTO request_replies (user_id, rid_hash, verb)"
	  " VALUES ($1::bigint, $2::bytea, $3) ON CONFLICT DO NOTHING"
	  " RETURNING verb" },
	{ "rid_get",
	  "SELECT verb, encode(reply, 'hex') AS reply FROM request_replies"
	  " WHERE user_id = $1::bigint AND rid_hash = $2::bytea" },
	{ "rid_set",
	  "UPDATE request_replies SET reply = $3::bytea"
	  " WHERE user_id = $1::bigint AND rid_hash = $2::bytea" },
	{ "rid_purge",
	  "WITH gone AS (DELETE FROM request_replies"
	  "  WHERE created_at < now() - $1::bigint * interval '1 second'"
	  "  RETURNING 1) SELECT count(*) AS purged FROM gone" },
	{ NULL, NULL }
};

struct rid {
	int64_t		 user;
	const char	*verb;			/* the command table's */
	char		 user_text[STR_I64_LEN];
	char		 hash[RID_DIGEST_LEN + 1];
	unsigned char	 key[32];
	int		 replayed;
};

/* A request waiting for its stored reply to be looked up. */
struct rid_lookup {
	struct db_job		 job;
	const struct cmd	*cmd;
	struct proto_msg	 msg;		/* the request, a copy */
	int64_t			 workspace;	/* as the dispatcher found it */
	char			*text;		/* what msg points into */
	int			 found;
};

int
rid_valid(const char *s)
{
	return strlen(s) == RID_HEX_LEN &&
	    strspn(s, "0123456789abcdef") == RID_HEX_LEN;
}

/* SHA-256 of what, rid (one of two purposes) and user. */
static void
rid_derive(const char *what, const char *rid, const char *user,
    unsigned char out[32])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned int len = 32;

	if (md == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(md, what, strlen(what) + 1) != 1 ||
	    EVP_DigestUpdate(md, user, strlen(user) + 1) != 1 ||
	    EVP_DigestUpdate(md, rid, RID_HEX_LEN) != 1 ||
	    EVP_DigestFinal_ex(md, out, &len) != 1)
		fatalx("rid: SHA-256 failed");
	EVP_MD_CTX_free(md);
}

struct rid *
rid_new(const struct cmd_ctx *ctx)
{
	struct rid *rid = xcalloc(1, sizeof *rid);
	unsigned char id[32];

	rid->user = conn_session(ctx->conn)->user_id;
	rid->verb = ctx->cmd->verb;
	str_i64(rid->user_text, rid->user);
	rid_derive("agora rid id", ctx->rid, rid->user_text, id);
	rid->hash[0] = '\\';
	rid->hash[1] = 'x';
	hex_encode(id, sizeof id, rid->hash + 2);
	rid_derive("agora rid key", ctx->rid, rid->user_text, rid->key);
	return rid;
}

void
rid_free(struct rid *rid)
{
	if (rid != NULL)
		OPENSSL_cleanse(rid->key, sizeof rid->key);
	free(rid);
}

int
rid_replayed(const struct rid *rid)
{
	return rid != NULL && rid->replayed;
}

/* AES-256-GCM over in, bound to the row's user and verb; *out (a bytea
   parameter, caller frees). 0, or -1. */
static int
rid_seal(const struct rid *rid, const char *in, size_t len, char **out)
{
	EVP_CIPHER_CTX *cx;
	unsigned char *sealed;
	size_t n = RID_NONCE + len + RID_TAG;
	int got, fin, ok;

	if (len > INT32_MAX - RID_NONCE - RID_TAG ||
	    (cx = EVP_CIPHER_CTX_new()) == NULL)
		return -1;
	sealed = xmalloc(n);
	ok = RAND_bytes(sealed, RID_NONCE) == 1 &&
	    EVP_EncryptInit_ex(cx, EVP_aes_256_gcm(), NULL, rid->key,
	    sealed) == 1 &&
	    EVP_EncryptUpdate(cx, NULL, &got, (const unsigned char *)
	    rid->user_text, (int)strlen(rid->user_text)) == 1 &&
	    EVP_EncryptUpdate(cx, NULL, &got, (const unsigned char *)rid->verb,
	    (int)strlen(rid->verb)) == 1 &&
	    EVP_EncryptUpdate(cx, sealed + RID_NONCE, &got,
	    (const unsigned char *)in, (int)len) == 1 &&
	    EVP_EncryptFinal_ex(cx, sealed + RID_NONCE + got, &fin) == 1 &&
	    EVP_CIPHER_CTX_ctrl(cx, EVP_CTRL_GCM_GET_TAG, RID_TAG,
	    sealed + RID_NONCE + len) == 1;
	EVP_CIPHER_CTX_free(cx);
	if (ok) {
		*out = xmalloc(2 + 2 * n + 1);
		(*out)[0] = '\\';
		(*out)[1] = 'x';
		hex_encode(sealed, n, *out + 2);
	}
	free(sealed);
	return ok ? 0 : -1;
}

/* The plain reply from hex (as rid_get reads it), NUL-terminated, or
   NULL if it does not open with this rid's key. */
static char *
rid_open(const struct rid *rid, const char *hex)
{
	size_t n = strlen(hex) / 2, len;
	unsigned char *sealed = xmalloc(n + 1);
	EVP_CIPHER_CTX *cx;
	char *plain = NULL;
	int got, ok = 0;

	if (n < RID_NONCE + RID_TAG || hex_decode(hex, 2 * n, sealed, n) != 0 ||
	    (cx = EVP_CIPHER_CTX_new()) == NULL) {
		free(sealed);
		return NULL;
	}
	len = n - RID_NONCE - RID_TAG;
	plain = xmalloc(len + 1);
	ok = EVP_DecryptInit_ex(cx, EVP_aes_256_gcm(), NULL, rid->key,
	    sealed) == 1 &&
	    EVP_DecryptUpdate(cx, NULL, &got, (const unsigned char *)
	    rid->user_text, (int)strlen(rid->user_text)) == 1 &&
	    EVP_DecryptUpdate(cx, NULL, &got, (const unsigned char *)rid->verb,
	    (int)strlen(rid->verb)) == 1 &&
	    EVP_DecryptUpdate(cx, (unsigned char *)plain, &got,
	    sealed + RID_NONCE, (int)len) == 1 &&
	    EVP_CIPHER_CTX_ctrl(cx, EVP_CTRL_GCM_SET_TAG, RID_TAG,
	    sealed + RID_NONCE + len) == 1 &&
	    EVP_DecryptFinal_ex(cx, (unsigned char *)plain + got, &got) == 1;
	EVP_CIPHER_CTX_free(cx);
	free(sealed);
	if (!ok) {
		freezero(plain, len + 1);	/* not a string yet */
		return NULL;
	}
	plain[len] = '\0';
	return plain;
}

/*
 * The answer to a rid found in row 0 of r (rid_get), under tag: the
 * stored reply, each line given the tag; or a conflict, for another
 * verb's rid.
 */
static void
rid_answer(const struct rid *rid, const char *tag, const PGresult *r,
    struct buf *out)
{
	char *plain, *line, *next;

	buf_reset(out);
	if (strcmp(db_get(r, 0, "verb"), rid->verb) != 0) {
		proto_err(out, tag, PERR_CONFLICT, "this rid was used for "
		    "another request");
		return;
	}
	/* Only the transaction that claimed the row sees it unset. */
	if (db_isnull(r, 0, "reply") ||
	    (plain = rid_open(rid, db_get(r, 0, "reply"))) == NULL) {
		log_warnx("rid: a stored reply of user %lld does not open",
		    (long long)rid->user);
		proto_err(out, tag, PERR_INTERNAL, "internal error; it has "
		    "been logged");
		return;
	}
	for (line = plain; *line != '\0'; line = next) {
		next = line + strcspn(line, "\n");
		if (*next == '\n')
			next++;
		buf_add_str(out, tag);
		buf_add_char(out, ' ');
		buf_add(out, line, (size_t)(next - line));
	}
	freezero_str(plain);
}

/* Loop side: the lookup before the handler ------------------------------ */

/* A copy of msg, its strings in one block (rl->text). */
static void
rid_copy_msg(struct rid_lookup *rl, const struct proto_msg *msg)
{
	size_t need = strlen(msg->tag) + strlen(msg->word) + 2;
	char *p;

	for (size_t i = 0; i < msg->nparams; i++)
		need += strlen(msg->params[i].key) + msg->params[i].len + 2;
	p = rl->text = xmalloc(need);
	rl->msg.tag = memcpy(p, msg->tag, strlen(msg->tag) + 1);
	p += strlen(msg->tag) + 1;
	rl->msg.word = memcpy(p, msg->word, strlen(msg->word) + 1);
	p += strlen(msg->word) + 1;
	rl->msg.nparams = msg->nparams;
	for (size_t i = 0; i < msg->nparams; i++) {
		const struct proto_param *from = &msg->params[i];
		struct proto_param *to = &rl->msg.params[i];

		to->key = memcpy(p, from->key, strlen(from->key) + 1);
		p += strlen(from->key) + 1;
		memcpy(p, from->value, from->len);
		p[from->len] = '\0';
		to->value = p;
		to->len = from->len;
		p += from->len + 1;
	}
}

static void
rid_lookup_destroy(struct db_job *j)
{
	struct rid_lookup *rl = (struct rid_lookup *)j;

	freezero_str(rl->text);
}

/* Worker: what rid_get found (batched with other reads). */
static void
rid_lookup_result(struct db_job *j, const PGresult *r)
{
	struct rid_lookup *rl = (struct rid_lookup *)j;

	if ((rl->found = PQntuples(r) > 0))
		rid_answer(j->rid, j->tag, r, j->out);
}

/*
 * Loop thread. A reply found, or an error, ends the request as any job
 * does; otherwise the handler runs now, with the rid, on the copy of the
 * request (which it copies from, as from any request).
 */
static void
rid_lookup_done(struct db_job *j)
{
	struct rid_lookup *rl = (struct rid_lookup *)j;
	struct conn *conn = conn_find(j->conn_id);
	char rid[RID_HEX_LEN + 1];
	struct cmd_ctx ctx = { conn, rl->msg.tag, &rl->msg, rl->cmd,
	    rl->workspace, rid };

	if (conn == NULL || j->status != DB_OK || rl->found) {
		cmd_job_done(j);
		return;
	}
	snprintf(rid, sizeof rid, "%s", proto_get(&rl->msg, "rid"));
	/* The session may have ended meanwhile (bus.c). */
	if (conn_session(conn) == NULL)
		cmd_err(&ctx, PERR_AUTH_REQUIRED, "log in first");
	else if (cmd_run(&ctx) == CMD_PENDING)
		conn = NULL;	/* its job resumes the connection */
	if (conn != NULL)
		conn_resume(conn);
	rid_free(j->rid);
	rid_lookup_destroy(j);
	buf_free(j->out);
	free(j);
}

enum cmd_result
rid_dispatch(struct cmd_ctx *ctx)
{
	struct rid_lookup *rl = xcalloc(1, sizeof *rl);
	struct db_job *j = &rl->job;

	rl->cmd = ctx->cmd;
	rl->workspace = ctx->workspace;
	rid_copy_msg(rl, ctx->msg);
	j->rid = rid_new(ctx);
	j->conn_id = conn_id(ctx->conn);
	snprintf(j->tag, sizeof j->tag, "%s", ctx->tag);
	j->out = buf_new(0);
	j->stmt = "rid_get";
	db_job_params(j, "ss", j->rid->user_text, j->rid->hash);
	j->result = rid_lookup_result;
	j->done = rid_lookup_done;
	j->destroy = rid_lookup_destroy;
	db_submit(j);
	return CMD_PENDING;
}

/* Worker side ------------------------------------------------------------ */

int
rid_claim(struct db_job *j, struct db_conn *dc)
{
	struct rid *rid = j->rid;
	const char *p[3] = { rid->user_text, rid->hash, rid->verb };
	PGresult *r;
	int mine;

	rid->replayed = 0;
	if ((r = db_query(j, dc, "rid_claim", 3, p)) == NULL)
		return -1;
	mine = PQntuples(r) == 1;
	PQclear(r);
	if (mine)
		return 0;
	/* Another request with this rid committed first: its reply. */
	if ((r = db_query(j, dc, "rid_get", 2, p)) == NULL)
		return -1;
	if (PQntuples(r) == 1) {
		rid_answer(rid, j->tag, r, j->out);
		rid->replayed = 1;
	} else
		j->status = DB_FAILED;	/* purged between the two: a bug */
	PQclear(r);
	return -1;
}

int
rid_store(struct db_job *j, struct db_conn *dc)
{
	struct rid *rid = j->rid;
	const char *line, *end, *data = buf_data(j->out);
	size_t taglen = strlen(j->tag), len = buf_len(j->out);
	struct buf *plain = buf_new(0);
	char *sealed;
	int rc;

	/* Every line of j->out is this request's, under its tag. */
	for (line = data; line < data + len; line = end) {
		if ((end = memchr(line, '\n', (size_t)(data + len - line))) ==
		    NULL)
			end = data + len;
		else
			end++;
		if ((size_t)(end - line) > taglen &&
		    memcmp(line, j->tag, taglen) == 0 && line[taglen] == ' ')
			buf_add(plain, line + taglen + 1,
			    (size_t)(end - line) - taglen - 1);
	}
	rc = rid_seal(rid, buf_data(plain), buf_len(plain), &sealed);
	buf_free(plain);
	if (rc != 0) {
		j->status = DB_FAILED;
		log_warnx("rid: cannot seal a reply");
		return -1;
	}
	rc = db_commandf(j, dc, "rid_set", "sss", rid->user_text, rid->hash,
	    sealed);
	free(sealed);
	return rc;
}

int
rid_purge(struct db_job *j, struct db_conn *dc, long *purged)
{
	int64_t n;

	if (db_valuef(j, dc, "rid_purge", "purged", &n, "i",
	    (int64_t)RID_KEEP) != 0)
		return -1;
	*purged = (long)n;
	return 0;
}
