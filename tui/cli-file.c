/*
 * Files and comments for scripts: agora file list|upload|get|delete and
 * agora comment / comments. Uploads go in the chunk size the server
 * names, each at the offset it expects; downloads are checked against the
 * server's SHA-256 before the file appears under its name.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "base64.h"
#include "cli.h"
#include "client.h"
#include "hex.h"
#include "proto.h"
#include "text.h"
#include "xmalloc.h"

/* SHA-256 of a whole file, in hex; -1 with errno on a read error. */
static int
file_sha256(FILE *f, char hex[65])
{
	unsigned char buf[65536], md[32];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int mdlen;
	size_t n;

	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		EVP_DigestUpdate(ctx, buf, n);
	EVP_DigestFinal_ex(ctx, md, &mdlen);
	EVP_MD_CTX_free(ctx);
	if (ferror(f))
		return -1;
	hex_encode(md, sizeof md, hex);
	rewind(f);
	return 0;
}

static const char *
base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

/* Sends the file's bytes in chunks; 0, or the exit status. */
static int
upload_chunks(struct client *c, FILE *f, const char *file, size_t chunk)
{
	unsigned char *buf = xmalloc(chunk);
	char *b64 = xmalloc(BASE64_LEN(chunk) + 1), offset[24];
	struct client_reply *r;
	long long done = 0;
	size_t n;
	int status = 0;

	while (status == 0 && (n = fread(buf, 1, chunk, f)) > 0) {
		base64_encode(buf, n, b64);
		snprintf(offset, sizeof offset, "%lld", done);
		if ((r = cli_call(NULL, c, "upload", &status, "FILE.CHUNK",
		    "file", file, "offset", offset, "data", b64, NULL)) != NULL) {
			client_reply_free(r);
			done += (long long)n;
		}
	}
	if (status == 0 && ferror(f))
		status = cli_fail(EX_IOERR, _("upload: %s"), strerror(errno));
	free(buf);
	free(b64);
	return status;
}

static int
file_upload(struct client *c, const char *space, const char *path,
    const char *name)
{
	struct client_reply *r;
	char hex[65], size[24], *file;
	struct stat st;
	size_t chunk;
	int status;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL || fstat(fileno(f), &st) != 0 ||
	    !S_ISREG(st.st_mode) || file_sha256(f, hex) != 0) {
		status = cli_fail(EX_NOINPUT, "%s: %s", path, f == NULL ||
		    errno != 0 ? strerror(errno) : _("not a regular file"));
		if (f != NULL)
			fclose(f);
		return status;
	}
	snprintf(size, sizeof size, "%lld", (long long)st.st_size);
	if ((r = cli_call(NULL, c, "upload", &status, "FILE.BEGIN", "space",
	    space, "name", name != NULL ? name : base_name(path), "size", size,
	    "sha256", hex, NULL)) == NULL) {
		fclose(f);
		return status;
	}
	file = xstrdup(client_reply_get(r, "file"));
	chunk = (size_t)strtoul(client_reply_get(r, "chunk"), NULL, 10);
	client_reply_free(r);
	if ((status = upload_chunks(c, f, file, chunk > 0 ? chunk : 32768)) ==
	    0 && (r = cli_call(NULL, c, "upload", &status, "FILE.END", "file",
	    file, NULL)) != NULL) {
		printf("%s\n", file);
		client_reply_free(r);
	}
	fclose(f);
	free(file);
	return status;
}

/* Reads file into f from the server; *sha the server's checksum. */
static int
download(struct client *c, const char *file, FILE *f, char **sha)
{
	struct client_reply *r;
	long long offset = 0, size = -1;
	char at[24], *data;
	unsigned char *bytes;
	size_t n;
	int status;

	for (;;) {
		snprintf(at, sizeof at, "%lld", offset);
		if ((r = cli_call(NULL, c, "get", &status, "FILE.GET", "file",
		    file, "offset", at, NULL)) == NULL)
			return status;
		size = strtoll(client_reply_get(r, "size"), NULL, 10);
		free(*sha);
		*sha = xstrdup(client_reply_get(r, "sha256"));
		n = 0;
		bytes = NULL;
		if (r->ndata > 0 && (data = client_line_get(r->data[0],
		    "data")) != NULL) {
			bytes = base64_decode(data, strlen(data), &n);
			free(data);
		}
		client_reply_free(r);
		if (n > 0 && (bytes == NULL || fwrite(bytes, 1, n, f) != n)) {
			free(bytes);
			return cli_fail(EX_IOERR, _("get: cannot write the "
			    "file"));
		}
		free(bytes);
		offset += (long long)n;
		if (offset >= size || n == 0)
			break;
	}
	return offset == size ? 0 : cli_fail(EX_PROTOCOL, P_("get: %lld of "
	    "%lld byte", "get: %lld of %lld bytes", size), offset, size);
}

/* Downloads into path, via a temporary file checked before renaming. */
static int
file_get(struct client *c, const char *file, const char *path)
{
	char *tmp, *sha = NULL, hex[65];
	int status;
	FILE *f;

	xasprintf(&tmp, "%s.part", path);
	if ((f = fopen(tmp, "w+b")) == NULL) {
		status = cli_fail(EX_CANTCREAT, "%s: %s", tmp, strerror(errno));
		free(tmp);
		return status;
	}
	status = download(c, file, f, &sha);
	if (status == 0 && (fflush(f) != 0 || (rewind(f), 0) ||
	    file_sha256(f, hex) != 0))
		status = cli_fail(EX_IOERR, "%s: %s", tmp, strerror(errno));
	else if (status == 0 && strcmp(hex, sha) != 0)
		status = cli_fail(EX_PROTOCOL, _("get: the checksum does not "
		    "match: nothing saved"));
	fclose(f);
	if (status == 0 && rename(tmp, path) != 0)
		status = cli_fail(EX_CANTCREAT, "%s: %s", path, strerror(errno));
	if (status != 0)
		unlink(tmp);
	else
		printf("%s\n", path);
	free(sha);
	free(tmp);
	return status;
}

static int
file_list(const struct cli_opts *o, const struct cli_args *a)
{
	static const char *const cols[] = { "id", "size", "comments",
		"uploader_name", "name", NULL };
	static const int widths[] = { 6, 10, 8, 24, 0 };
	int status;

	return cli_print_reply(cli_call(o, NULL, a->name, &status,
	    "FILE.LIST", "space", a->ops[0], NULL), &status, a->json, cols,
	    widths);
}

/* file upload, file get: on one connection. */
static int
file_transfer(const struct cli_opts *o, const struct cli_args *a)
{
	struct client *c;
	int status;

	if ((c = cli_session(o, &status)) == NULL)
		return status;
	status = strcmp(a->name, "file get") == 0 ? file_get(c, a->ops[0],
	    a->ops[1]) : file_upload(c, a->ops[0], a->ops[1], cli_opt(a,
	    "name"));
	client_close(c);
	return status;
}

/* file delete FILE, comment FILE TEXT: the entry's verb. */
static int
file_one(const struct cli_opts *o, const struct cli_args *a)
{
	int status;

	client_reply_free(cli_call(o, NULL, a->name, &status, a->cmd->verb,
	    "file", a->ops[0], "body", a->n > 1 ? a->ops[1] : NULL, NULL));
	return status;
}

/* COMMENT.LIST page after page, as one list. */
static int
cli_comments(const struct cli_opts *o, const struct cli_args *a)
{
	static const char *const cols[] = { "id", "name", "body", NULL };
	static const int widths[] = { 6, 24, 0 };
	struct client_reply *all = NULL, *r;
	struct client *c;
	const char *more;
	char *after = xstrdup("0");
	int again, status;

	if ((c = cli_session(o, &status)) == NULL) {
		free(after);
		return status;
	}
	do {
		if ((r = cli_call(NULL, c, "comments", &status, "COMMENT.LIST",
		    "file", a->ops[0], "after", after, NULL)) == NULL)
			break;
		if (r->ndata > 0) {
			free(after);
			if ((after = client_line_get(r->data[r->ndata - 1],
			    "id")) == NULL)
				after = xstrdup("0");
		}
		more = client_reply_get(r, "more");
		again = more != NULL && strcmp(more, "1") == 0 && r->ndata > 0;
		if (all == NULL)
			all = r;
		else {
			client_reply_take_data(all, r);
			client_reply_free(r);
		}
	} while (again);
	free(after);
	client_close(c);
	if (status != EX_OK) {
		client_reply_free(all);
		return status;
	}
	return cli_print_reply(all, &status, a->json, cols, widths);
}

const struct cli_cmd cli_file_cmds[] = {
	{ "file list SPACE", file_list, N_("a space's files"),
	    CLI_OPTIONS(CLI_JSON), NULL },
	{ "file upload SPACE PATH", file_transfer, N_("upload a file, print "
	    "its id"), CLI_OPTIONS({ "name", "N", N_("its name (by default "
	    "the path's last part)") }), NULL },
	{ "file get FILE PATH", file_transfer, N_("download a file, checked "
	    "by its SHA-256"), NULL, NULL },
	{ "file delete FILE", file_one, N_("delete a file"), NULL,
	    "FILE.DELETE" },
	{ "comment FILE TEXT", file_one, N_("comment on a file"), NULL,
	    "COMMENT.ADD" },
	{ "comments FILE", cli_comments, N_("a file's comments, oldest "
	    "first"), CLI_OPTIONS(CLI_JSON), NULL },
	{ 0 }
};
