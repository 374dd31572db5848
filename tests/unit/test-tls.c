/*
 * Tests for common/tls.c and common/client.c: certificate generation,
 * fingerprints, and the client library against a small TLS server running
 * in a thread on 127.0.0.1.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <netinet/in.h>

#include <arpa/inet.h>
#include <check.h>
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "client.h"
#include "tls.h"
#include "check-run.h"

#define TIMEOUT	5000

/*
 * The test server: accepts connections one after the other and answers
 * each line "TAG VERB ..." by verb (see tserver_line).
 */
struct tserver {
	int		 lfd;
	char		 port[16];
	SSL_CTX		*ctx;		/* NULL: accept, never speak TLS */
	const char	*greeting;
	pthread_t	 thread;
};

static char	 dir[64];
static char	 cert_file[128];
static char	 key_file[128];
static char	 fingerprint[TLS_FINGERPRINT_LEN];
static struct tserver	*server;

static const char *const names[] = { "localhost", "127.0.0.1" };

/* The context allows partial writes (SSL_MODE_ENABLE_PARTIAL_WRITE). */
static int
tserver_write_all(SSL *ssl, const char *s, size_t len)
{
	int	 n;

	while (len > 0) {
		if ((n = SSL_write(ssl, s, (int)len)) <= 0)
			return -1;
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
tserver_write(SSL *ssl, const char *s)
{
	return tserver_write_all(ssl, s, strlen(s));
}

/* Data lines for tag, far more than a client keeps unread. */
static int
tserver_flood(SSL *ssl, const char *tag)
{
	size_t	 n, len;
	char	*line;
	int	 i, rc = 0;

	/* 2000 lines of 60 KiB: 120 MiB, over CLIENT_BUFFERED_MAX. */
	len = 60 * 1024;
	line = malloc(len);
	ck_assert_ptr_nonnull(line);
	n = (size_t)snprintf(line, len, "%.32s DATA x=", tag);
	memset(line + n, 'x', len - n - 1);
	line[len - 1] = '\n';
	for (i = 0; i < 2000 && rc == 0; i++) {
		rc = tserver_write_all(ssl, line, len);
	}
	free(line);
	return rc;
}

/* Answers one request line; -1 to hang up. */
static int
tserver_line(SSL *ssl, char *line)
{
	char	 out[1024], *tag, *verb, *rest;

	if (strncmp(line, "BAD", 3) == 0)
		return tserver_write(ssl,
		    "* ERR code=bad_request msg=\"no tag\"\n");
	tag = line;
	if ((verb = strchr(tag, ' ')) == NULL)
		return 0;
	*verb++ = '\0';
	if ((rest = strchr(verb, ' ')) != NULL)
		*rest++ = '\0';
	else
		rest = "";

	if (strcmp(verb, "FLOOD") == 0)
		return tserver_flood(ssl, tag);
	if (strcmp(verb, "PUSH") == 0) {
		if (tserver_write(ssl, "* EVENT seq=1 type=x\n") != 0)
			return -1;
		snprintf(out, sizeof out, "%.32s OK\n", tag);
	} else if (strcmp(verb, "LIST") == 0)
		snprintf(out, sizeof out, "%.32s ITEM n=1\n%.32s ITEM n=2 "
		    "name=\"two words\"\n%.32s OK count=2\n", tag, tag, tag);
	else if (strcmp(verb, "FAIL") == 0)
		snprintf(out, sizeof out, "%.32s ERR code=not_found "
		    "msg=\"no such thing\"\n", tag);
	else if (strcmp(verb, "JUNK") == 0)
		snprintf(out, sizeof out, "%.32s OK no-equals\n", tag);
	else if (strcmp(verb, "WEIRD") == 0)
		snprintf(out, sizeof out, "* NOTICE no-equals\n%.32s OK\n",
		    tag);
	else if (strcmp(verb, "ECHO") == 0)
		snprintf(out, sizeof out, "%.32s OK %.900s\n", tag, rest);
	else if (strcmp(verb, "QUIT") == 0) {
		snprintf(out, sizeof out, "%.32s OK\n", tag);
		tserver_write(ssl, out);
		return -1;
	} else
		snprintf(out, sizeof out, "%.32s OK\n", tag);
	return tserver_write(ssl, out);
}

static void
tserver_serve(struct tserver *s, int fd)
{
	SSL	*ssl;
	char	 in[8192], *lf;
	size_t	 len = 0;
	int	 n;

	if (s->ctx == NULL) {
		/* Hold the connection without a word until the peer leaves. */
		while (read(fd, in, sizeof in) > 0)
			;
		return;
	}
	ssl = SSL_new(s->ctx);
	SSL_set_fd(ssl, fd);
	if (SSL_accept(ssl) != 1)
		goto out;
	if (tserver_write(ssl, s->greeting) != 0)
		goto out;
	for (;;) {
		if ((n = SSL_read(ssl, in + len, (int)(sizeof in - len))) <= 0)
			goto out;
		len += (size_t)n;
		while ((lf = memchr(in, '\n', len)) != NULL) {
			*lf = '\0';
			if (lf > in && lf[-1] == '\r')
				lf[-1] = '\0';
			if (tserver_line(ssl, in) != 0) {
				SSL_shutdown(ssl);
				goto out;
			}
			len -= (size_t)(lf + 1 - in);
			memmove(in, lf + 1, len);
		}
		if (len == sizeof in)
			goto out;
	}
out:
	ERR_clear_error();
	SSL_free(ssl);
	ERR_clear_error();
}

static void *
tserver_main(void *arg)
{
	struct tserver	*s = arg;
	struct timeval	 tv = { 5, 0 };
	int		 fd;

	for (;;) {
		if ((fd = accept(s->lfd, NULL, NULL)) == -1) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			break;
		}
		/* A test that forgets to close cannot hang the suite. */
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		tserver_serve(s, fd);
		close(fd);
	}
	ERR_clear_error();
	OPENSSL_thread_stop();
	return NULL;
}

static struct tserver *
tserver_start(const char *cert, const char *key, const char *greeting)
{
	struct tserver		*s;
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof sin;
	char			*cause = NULL;

	s = calloc(1, sizeof *s);
	ck_assert_ptr_nonnull(s);
	s->greeting = greeting != NULL ? greeting :
	    "* HELLO proto=1 server=test/0\n";
	if (cert != NULL) {
		s->ctx = tls_server_ctx(cert, key, &cause);
		ck_assert_msg(s->ctx != NULL, "tls_server_ctx: %s", cause);
	}
	s->lfd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ne(s->lfd, -1);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(s->lfd, (struct sockaddr *)&sin, sizeof sin), 0);
	ck_assert_int_eq(listen(s->lfd, 16), 0);
	ck_assert_int_eq(getsockname(s->lfd, (struct sockaddr *)&sin, &len), 0);
	snprintf(s->port, sizeof s->port, "%u", ntohs(sin.sin_port));
	ck_assert_int_eq(pthread_create(&s->thread, NULL, tserver_main, s), 0);
	return s;
}

static void
tserver_stop(struct tserver *s)
{
	shutdown(s->lfd, SHUT_RDWR);	/* wakes accept() */
	pthread_join(s->thread, NULL);
	close(s->lfd);
	SSL_CTX_free(s->ctx);
	free(s);
}

static void
make_pair(const char *cert, const char *key, const char *const *list,
    size_t n)
{
	char	*cause = NULL;
	int	 rc;

	rc = tls_make_self_signed(cert, key, list, n, 30, &cause);
	ck_assert_msg(rc == 0, "tls_make_self_signed: %s", cause);
}

static X509 *
read_cert(const char *path)
{
	FILE	*f;
	X509	*x;

	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	ck_assert_ptr_nonnull(x);
	return x;
}

static void
setup_dir(void)
{
	X509	*x;

	snprintf(dir, sizeof dir, "/tmp/agora-test-tls.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(cert_file, sizeof cert_file, "%s/cert.pem", dir);
	snprintf(key_file, sizeof key_file, "%s/key.pem", dir);
	make_pair(cert_file, key_file, names, 2);
	x = read_cert(cert_file);
	ck_assert_int_eq(tls_cert_fingerprint(x, fingerprint), 0);
	X509_free(x);
}

static void
teardown_dir(void)
{
	char	 cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void
setup_server(void)
{
	setup_dir();
	server = tserver_start(cert_file, key_file, NULL);
}

static void
teardown_server(void)
{
	tserver_stop(server);
	server = NULL;
	teardown_dir();
}

static struct client_opts
opts_for(const char *host, const char *port)
{
	struct client_opts	 o;

	memset(&o, 0, sizeof o);
	o.host = host;
	o.port = port;
	o.timeout_ms = TIMEOUT;
	return o;
}

static struct client *
connect_ok(const struct client_opts *o)
{
	struct client	*c;
	char		*cause = NULL;

	c = client_connect(o, &cause);
	ck_assert_msg(c != NULL, "client_connect: %s", cause);
	ck_assert_ptr_null(cause);
	return c;
}

/* Connecting fails, and the cause contains want. */
static void
connect_fails(const struct client_opts *o, const char *want)
{
	struct client	*c;
	char		*cause = NULL;

	c = client_connect(o, &cause);
	ck_assert_ptr_null(c);
	ck_assert_ptr_nonnull(cause);
	ck_assert_msg(strstr(cause, want) != NULL, "cause \"%s\" lacks \"%s\"",
	    cause, want);
	free(cause);
}

/* Certificates. */

START_TEST(test_make_self_signed)
{
	struct stat		 st;
	GENERAL_NAMES		*gens;
	X509			*x;
	BASIC_CONSTRAINTS	*bc;
	SSL_CTX			*ctx;
	char			*cause = NULL;

	ck_assert_int_eq(stat(key_file, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0600);
	ck_assert_int_eq(stat(cert_file, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0644);

	x = read_cert(cert_file);
	ck_assert_int_eq(X509_get_version(x), X509_VERSION_3);
	ck_assert_int_eq(X509_check_host(x, "localhost", 0, 0, NULL), 1);
	ck_assert_int_eq(X509_check_host(x, "example.com", 0, 0, NULL), 0);
	ck_assert_int_eq(X509_check_ip_asc(x, "127.0.0.1", 0), 1);
	ck_assert_int_eq(X509_check_ip_asc(x, "127.0.0.2", 0), 0);
	gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	ck_assert_ptr_nonnull(gens);
	ck_assert_int_eq(sk_GENERAL_NAME_num(gens), 2);
	ck_assert_int_eq(sk_GENERAL_NAME_value(gens, 0)->type, GEN_DNS);
	ck_assert_int_eq(sk_GENERAL_NAME_value(gens, 1)->type, GEN_IPADD);
	GENERAL_NAMES_free(gens);
	bc = X509_get_ext_d2i(x, NID_basic_constraints, NULL, NULL);
	ck_assert_ptr_nonnull(bc);
	ck_assert_int_ne(bc->ca, 0);
	BASIC_CONSTRAINTS_free(bc);
	ck_assert_int_eq(X509_check_purpose(x, X509_PURPOSE_SSL_SERVER, 0), 1);
	ck_assert_int_lt(X509_cmp_current_time(X509_get0_notBefore(x)), 0);
	ck_assert_int_gt(X509_cmp_current_time(X509_get0_notAfter(x)), 0);
	X509_free(x);

	ctx = tls_server_ctx(cert_file, key_file, &cause);
	ck_assert_msg(ctx != NULL, "tls_server_ctx: %s", cause);
	SSL_CTX_free(ctx);
	ctx = tls_client_ctx(cert_file, &cause);
	ck_assert_msg(ctx != NULL, "tls_client_ctx: %s", cause);
	SSL_CTX_free(ctx);
}
END_TEST

START_TEST(test_make_ipv6_and_overwrite)
{
	const char *const	 list[] = { "::1", "agora.example" };
	X509			*x;
	char			 fp[TLS_FINGERPRINT_LEN];

	/* Replaces the fixture's pair in place. */
	make_pair(cert_file, key_file, list, 2);
	x = read_cert(cert_file);
	ck_assert_int_eq(X509_check_ip_asc(x, "::1", 0), 1);
	ck_assert_int_eq(X509_check_host(x, "agora.example", 0, 0, NULL), 1);
	ck_assert_int_eq(tls_cert_fingerprint(x, fp), 0);
	ck_assert_int_eq(tls_fingerprint_equal(fp, fingerprint), 0);
	X509_free(x);
}
END_TEST

START_TEST(test_make_bad_input)
{
	const char *const	 bad[] = { "two words" };
	char			 cert[160], key[160], *cause = NULL;

	snprintf(cert, sizeof cert, "%s/bad.pem", dir);
	snprintf(key, sizeof key, "%s/bad.key", dir);
	ck_assert_int_eq(tls_make_self_signed(cert, key, bad, 1, 30, &cause),
	    -1);
	ck_assert_ptr_nonnull(strstr(cause, "two words"));
	free(cause);
	cause = NULL;
	ck_assert_int_eq(tls_make_self_signed(cert, key, names, 0, 30, &cause),
	    -1);
	free(cause);
	cause = NULL;
	ck_assert_int_eq(tls_make_self_signed(cert, key, names, 2, 0, &cause),
	    -1);
	free(cause);
	cause = NULL;
	snprintf(cert, sizeof cert, "%s/nodir/bad.pem", dir);
	ck_assert_int_eq(tls_make_self_signed(cert, key, names, 2, 30, &cause),
	    -1);
	ck_assert_ptr_nonnull(strstr(cause, "nodir"));
	free(cause);
	/* Nothing half-written is left behind. */
	snprintf(key, sizeof key, "%s/bad.key", dir);
	ck_assert_int_eq(access(key, F_OK), -1);
}
END_TEST

START_TEST(test_server_ctx_errors)
{
	char	 cert[160], key[160], *cause = NULL;

	snprintf(cert, sizeof cert, "%s/missing.pem", dir);
	ck_assert_ptr_null(tls_server_ctx(cert, key_file, &cause));
	ck_assert_ptr_nonnull(strstr(cause, "missing.pem"));
	free(cause);
	cause = NULL;

	/* A key that is not the certificate's. */
	snprintf(cert, sizeof cert, "%s/other.pem", dir);
	snprintf(key, sizeof key, "%s/other.key", dir);
	make_pair(cert, key, names, 2);
	ck_assert_ptr_null(tls_server_ctx(cert_file, key, &cause));
	ck_assert_ptr_nonnull(strstr(cause, "mismatch"));
	free(cause);
	cause = NULL;

	ck_assert_ptr_null(tls_client_ctx(dir, &cause));
	ck_assert_ptr_nonnull(cause);
	free(cause);
	ck_assert_ptr_nonnull(tls_error_string());
}
END_TEST

START_TEST(test_fingerprint_format)
{
	size_t	 i;

	ck_assert_uint_eq(strlen(fingerprint), TLS_FINGERPRINT_LEN - 1);
	ck_assert_uint_eq(strlen(fingerprint), 95);
	for (i = 0; i < 95; i++) {
		if (i % 3 == 2)
			ck_assert_int_eq(fingerprint[i], ':');
		else
			ck_assert_msg(isxdigit((unsigned char)fingerprint[i]) &&
			    !islower((unsigned char)fingerprint[i]),
			    "bad character at %zu in %s", i, fingerprint);
	}
}
END_TEST

START_TEST(test_fingerprint_equal)
{
	char	 lower[TLS_FINGERPRINT_LEN], bare[TLS_FINGERPRINT_LEN];
	char	 other[TLS_FINGERPRINT_LEN];
	size_t	 i, j = 0;

	for (i = 0; fingerprint[i] != '\0'; i++) {
		lower[i] = (char)tolower((unsigned char)fingerprint[i]);
		if (fingerprint[i] != ':')
			bare[j++] = fingerprint[i];
	}
	lower[i] = '\0';
	bare[j] = '\0';
	memcpy(other, fingerprint, sizeof other);
	other[94] = other[94] == '0' ? '1' : '0';

	ck_assert_int_eq(tls_fingerprint_equal(fingerprint, fingerprint), 1);
	ck_assert_int_eq(tls_fingerprint_equal(fingerprint, lower), 1);
	ck_assert_int_eq(tls_fingerprint_equal(bare, fingerprint), 1);
	ck_assert_int_eq(tls_fingerprint_equal(lower, bare), 1);
	ck_assert_int_eq(tls_fingerprint_equal("AB:cd:0:1", "abCD01"), 1);
	ck_assert_int_eq(tls_fingerprint_equal(fingerprint, other), 0);
	ck_assert_int_eq(tls_fingerprint_equal(fingerprint, bare + 2), 0);
	ck_assert_int_eq(tls_fingerprint_equal(bare, "AB"), 0);
	ck_assert_int_eq(tls_fingerprint_equal("", ""), 0);
	ck_assert_int_eq(tls_fingerprint_equal(":", ""), 0);
	ck_assert_int_eq(tls_fingerprint_equal("AB CD", "AB CD"), 0);
	ck_assert_int_eq(tls_fingerprint_equal("ABCDEFG", "ABCDEFG"), 0);
	ck_assert_int_eq(tls_fingerprint_equal(NULL, fingerprint), 0);
	ck_assert_int_eq(tls_fingerprint_equal(fingerprint, NULL), 0);
}
END_TEST

/* Connecting. */

START_TEST(test_connect_ca_file)
{
	struct client_opts	 o;
	struct client		*c;

	o = opts_for("localhost", server->port);
	o.ca_file = cert_file;
	c = connect_ok(&o);
	ck_assert_str_eq(client_greeting(c), "* HELLO proto=1 server=test/0");
	ck_assert_str_eq(client_fingerprint(c), fingerprint);
	ck_assert_int_ge(client_fd(c), 0);
	ck_assert_int_eq(client_closed(c), 0);
	client_close(c);

	o.host = "127.0.0.1";
	c = connect_ok(&o);
	client_close(c);
}
END_TEST

START_TEST(test_connect_fingerprint)
{
	struct client_opts	 o;
	struct client		*c;
	char			 lower[TLS_FINGERPRINT_LEN];
	size_t			 i;

	o = opts_for("127.0.0.1", server->port);
	o.fingerprint = fingerprint;
	c = connect_ok(&o);
	client_close(c);

	for (i = 0; i < sizeof lower; i++)
		lower[i] = (char)tolower((unsigned char)fingerprint[i]);
	o.fingerprint = lower;
	c = connect_ok(&o);
	client_close(c);

	o.accept_any = 1;
	o.fingerprint = NULL;
	c = connect_ok(&o);
	ck_assert_str_eq(client_fingerprint(c), fingerprint);
	client_close(c);
}
END_TEST

START_TEST(test_connect_wrong_fingerprint)
{
	struct client_opts	 o;
	char			 wrong[TLS_FINGERPRINT_LEN];

	memcpy(wrong, fingerprint, sizeof wrong);
	wrong[0] = wrong[0] == 'A' ? 'B' : 'A';
	o = opts_for("127.0.0.1", server->port);
	o.fingerprint = wrong;
	connect_fails(&o, "MISMATCH");
	connect_fails(&o, wrong);
	connect_fails(&o, fingerprint);
	/* accept_any does not override a pin. */
	o.accept_any = 1;
	connect_fails(&o, "MISMATCH");
}
END_TEST

START_TEST(test_connect_no_verification)
{
	struct client_opts	 o;

	o = opts_for("127.0.0.1", server->port);
	connect_fails(&o, "no way to verify the server");
}
END_TEST

START_TEST(test_connect_untrusted)
{
	struct client_opts	 o;
	struct tserver		*s;
	const char *const	 list[] = { "other.example" };
	char			 cert[160], key[160];

	/* A CA file that did not sign the server's certificate. */
	snprintf(cert, sizeof cert, "%s/other.pem", dir);
	snprintf(key, sizeof key, "%s/other.key", dir);
	make_pair(cert, key, names, 2);
	o = opts_for("localhost", server->port);
	o.ca_file = cert;
	connect_fails(&o, "certificate not trusted");

	/* The right certificate, the wrong names. */
	make_pair(cert, key, list, 1);
	s = tserver_start(cert, key, NULL);
	o = opts_for("localhost", s->port);
	o.ca_file = cert;
	connect_fails(&o, "hostname mismatch");
	o.host = "127.0.0.1";
	connect_fails(&o, "IP address mismatch");
	/* Pinned, the name does not matter. */
	o.ca_file = NULL;
	o.fingerprint = fingerprint;
	connect_fails(&o, "MISMATCH");
	tserver_stop(s);
}
END_TEST

START_TEST(test_connect_refused_and_timeout)
{
	struct client_opts	 o;
	struct tserver		*s;
	char			 port[16];

	/* A port nobody listens on: take one, then close it. */
	s = tserver_start(NULL, NULL, NULL);
	snprintf(port, sizeof port, "%s", s->port);
	tserver_stop(s);
	o = opts_for("127.0.0.1", port);
	o.accept_any = 1;
	connect_fails(&o, "connecting to 127.0.0.1");

	/* Accepts TCP, never answers the handshake. */
	s = tserver_start(NULL, NULL, NULL);
	o = opts_for("127.0.0.1", s->port);
	o.accept_any = 1;
	o.timeout_ms = 200;
	connect_fails(&o, "timed out");
	tserver_stop(s);

	o = opts_for("no-such-host.invalid", "1");
	o.accept_any = 1;
	connect_fails(&o, "no-such-host.invalid");
}
END_TEST

START_TEST(test_connect_not_agora)
{
	struct client_opts	 o;
	struct tserver		*s;

	s = tserver_start(cert_file, key_file, "220 smtp.example ESMTP\r\n");
	o = opts_for("127.0.0.1", s->port);
	o.fingerprint = fingerprint;
	connect_fails(&o, "not an agora server: \"220 smtp.example ESMTP\"");
	tserver_stop(s);

	s = tserver_start(cert_file, key_file,
	    "* ERR code=unavailable msg=\"full\"\n");
	o = opts_for("127.0.0.1", s->port);
	o.fingerprint = fingerprint;
	connect_fails(&o, "refused: \"* ERR code=unavailable");
	tserver_stop(s);
}
END_TEST

/* Requests and replies. */

static struct client *
connect_pinned(void)
{
	struct client_opts	 o;

	o = opts_for("127.0.0.1", server->port);
	o.fingerprint = fingerprint;
	return connect_ok(&o);
}

START_TEST(test_call)
{
	struct client		*c = connect_pinned();
	struct client_reply	*r;

	r = client_call(c, "NOOP", NULL);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->tag, "c1");
	ck_assert_int_eq(r->ok, 1);
	ck_assert_ptr_null(r->code);
	ck_assert_uint_eq(r->ndata, 0);
	ck_assert_str_eq(r->line, "c1 OK");
	ck_assert_str_eq(r->msg.word, "OK");
	client_reply_free(r);

	r = client_call(c, "ECHO", "text", "hello \"world\"\n", "n", "42",
	    NULL);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->ok, 1);
	ck_assert_str_eq(client_reply_get(r, "text"), "hello \"world\"\n");
	ck_assert_str_eq(client_reply_get(r, "n"), "42");
	ck_assert_ptr_null(client_reply_get(r, "absent"));
	client_reply_free(r);

	r = client_call(c, "FAIL", NULL);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->ok, 0);
	ck_assert_str_eq(r->code, "not_found");
	ck_assert_str_eq(client_reply_get(r, "msg"), "no such thing");
	client_reply_free(r);

	r = client_call(c, "LIST", NULL);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->ok, 1);
	ck_assert_uint_eq(r->ndata, 2);
	ck_assert_str_eq(r->data[0], "c4 ITEM n=1");
	ck_assert_str_eq(r->data[1], "c4 ITEM n=2 name=\"two words\"");
	ck_assert_str_eq(client_reply_get(r, "count"), "2");
	client_reply_free(r);
	client_reply_free(NULL);

	ck_assert_int_eq(client_flush(c, 0), 0);
	ck_assert_int_eq(client_want_write(c), 0);
	ck_assert_int_eq(client_pump(c), 0);
	client_close(c);
}
END_TEST

START_TEST(test_pipeline)
{
	struct client		*c = connect_pinned();
	struct client_reply	*r;
	const char		*tags[100];
	char			 n[16], want[16];
	int			 i;

	for (i = 0; i < 100; i++) {
		snprintf(n, sizeof n, "%d", i);
		tags[i] = client_send(c, i % 10 == 9 ? "LIST" : "NOOP", "n", n,
		    NULL);
		ck_assert_ptr_nonnull(tags[i]);
	}
	ck_assert_int_eq(client_want_write(c), 1);
	for (i = 0; i < 100; i++) {
		snprintf(want, sizeof want, "c%d", i + 1);
		ck_assert_str_eq(tags[i], want);
		r = client_wait(c, tags[i], TIMEOUT);
		ck_assert_msg(r != NULL, "no reply to %s", want);
		ck_assert_str_eq(r->tag, want);
		ck_assert_int_eq(r->ok, 1);
		ck_assert_uint_eq(r->ndata, i % 10 == 9 ? 2 : 0);
		client_reply_free(r);
	}

	/* Out of order: the last first, then the others without waiting. */
	for (i = 0; i < 10; i++)
		tags[i] = client_send(c, "NOOP", NULL);
	r = client_wait(c, tags[9], TIMEOUT);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->tag, "c110");
	client_reply_free(r);
	for (i = 8; i >= 0; i--) {
		snprintf(want, sizeof want, "c%d", 101 + i);
		r = client_take_reply(c, want);
		ck_assert_msg(r != NULL, "no reply to %s", want);
		ck_assert_str_eq(r->tag, want);
		client_reply_free(r);
	}
	ck_assert_ptr_null(client_take_reply(c, "c101"));
	client_close(c);
}
END_TEST

START_TEST(test_raw_and_untagged)
{
	struct client		*c = connect_pinned();
	struct client_reply	*r;

	ck_assert_int_eq(client_send_raw(c, "x1 NOOP\nx2 LI", 13), 0);
	ck_assert_int_eq(client_send_raw(c, "ST\r\n", 4), 0);
	r = client_wait(c, "x1", TIMEOUT);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->tag, "x1");
	client_reply_free(r);
	r = client_wait(c, "x2", TIMEOUT);
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->ndata, 2);
	client_reply_free(r);

	ck_assert_int_eq(client_send_raw(c, "BAD\n", 4), 0);
	r = client_wait(c, PROTO_UNTAGGED, TIMEOUT);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->tag, "*");
	ck_assert_int_eq(r->ok, 0);
	ck_assert_str_eq(r->code, "bad_request");
	client_reply_free(r);

	/* Nothing comes for a tag never sent: a timeout, not a hang. */
	ck_assert_ptr_null(client_wait(c, "nope", 50));
	ck_assert_ptr_null(client_take_reply(c, "nope"));
	client_close(c);
}
END_TEST

START_TEST(test_events)
{
	struct client		*c = connect_pinned();
	struct client_reply	*r;
	const char		*tag;
	char			*ev;

	ck_assert_ptr_null(client_next_event(c, 0));
	ck_assert_ptr_null(client_next_event(c, 50));

	r = client_call(c, "PUSH", NULL);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->ok, 1);
	client_reply_free(r);
	ev = client_next_event(c, 0);
	ck_assert_ptr_nonnull(ev);
	ck_assert_str_eq(ev, "* EVENT seq=1 type=x");
	free(ev);

	/* Waiting for an event sends what is queued. */
	tag = client_send(c, "PUSH", NULL);
	ck_assert_ptr_nonnull(tag);
	ev = client_next_event(c, TIMEOUT);
	ck_assert_ptr_nonnull(ev);
	ck_assert_str_eq(ev, "* EVENT seq=1 type=x");
	free(ev);
	r = client_wait(c, tag, TIMEOUT);
	ck_assert_ptr_nonnull(r);
	client_reply_free(r);

	/* Left unread, freed by client_close. */
	r = client_call(c, "PUSH", NULL);
	client_reply_free(r);
	client_send(c, "LIST", NULL);
	client_send(c, "NOOP", NULL);
	client_flush(c, TIMEOUT);
	client_close(c);
}
END_TEST

START_TEST(test_bad_lines_from_server)
{
	struct client_opts	 o;
	struct client		*c;
	struct client_reply	*r;
	char			 big[801], *ev;

	/* A push that does not parse is still handed over, raw. */
	c = connect_pinned();
	r = client_call(c, "WEIRD", NULL);
	ck_assert_ptr_nonnull(r);
	client_reply_free(r);
	ev = client_next_event(c, 0);
	ck_assert_ptr_nonnull(ev);
	ck_assert_str_eq(ev, "* NOTICE no-equals");
	free(ev);

	/* A reply that does not parse ends the connection. */
	ck_assert_ptr_null(client_call(c, "JUNK", NULL));
	ck_assert_int_eq(client_closed(c), 1);
	client_close(c);

	/* So does a line over our limit. */
	o = opts_for("127.0.0.1", server->port);
	o.fingerprint = fingerprint;
	o.max_line = PROTO_LINE_MAX_MIN;
	c = connect_ok(&o);
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	r = client_call(c, "ECHO", "text", big + 400, NULL);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(client_reply_get(r, "text"), big + 400);
	client_reply_free(r);
	ck_assert_ptr_null(client_call(c, "ECHO", "text", big, NULL));
	ck_assert_int_eq(client_closed(c), 1);
	client_close(c);
}
END_TEST

/* A server that sends without end cannot make the client grow without end. */
START_TEST(test_buffer_cap)
{
	struct client	*c = connect_pinned();

	ck_assert_ptr_null(client_call(c, "FLOOD", NULL));
	ck_assert_int_eq(client_closed(c), 1);
	client_close(c);
}
END_TEST

/*
 * Writing to a connection the server has dropped must not kill the
 * process, even when SIGPIPE has its default action (the library looks at
 * the disposition when it connects).
 */
START_TEST(test_sigpipe)
{
	struct client		*c;
	char			 junk[4096];
	int			 i, rc = 0;

	signal(SIGPIPE, SIG_DFL);
	c = connect_pinned();
	ck_assert_ptr_nonnull(client_send(c, "QUIT", NULL));
	ck_assert_int_eq(client_flush(c, TIMEOUT), 0);
	usleep(200000);			/* the server hangs up */
	memset(junk, 'x', sizeof junk);
	for (i = 0; i < 50 && rc != -1; i++) {
		/* No reading in between: the client has not seen the close. */
		client_send_raw(c, junk, sizeof junk);
		rc = client_flush(c, 0);
		usleep(10000);
	}
	signal(SIGPIPE, SIG_IGN);
	ck_assert_int_eq(rc, -1);
	ck_assert_int_eq(client_closed(c), 1);
	client_close(c);
}
END_TEST

START_TEST(test_server_closes)
{
	struct client		*c = connect_pinned();
	struct client_reply	*r;
	const char		*tag;
	int			 i;

	tag = client_send(c, "NOOP", NULL);
	client_send(c, "QUIT", NULL);
	r = client_wait(c, "c2", TIMEOUT);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->ok, 1);
	client_reply_free(r);
	for (i = 0; i < 100 && client_pump(c) == 0; i++)
		usleep(10000);
	ck_assert_int_eq(client_closed(c), 1);
	ck_assert_int_eq(client_pump(c), -1);
	ck_assert_int_eq(client_flush(c, 0), -1);
	/* Replies that came before the end can still be taken. */
	r = client_take_reply(c, tag);
	ck_assert_ptr_nonnull(r);
	client_reply_free(r);
	ck_assert_ptr_null(client_send(c, "NOOP", NULL));
	ck_assert_int_eq(client_send_raw(c, "x", 1), -1);
	ck_assert_ptr_null(client_call(c, "NOOP", NULL));
	ck_assert_ptr_null(client_wait(c, "c1", TIMEOUT));
	ck_assert_ptr_null(client_next_event(c, TIMEOUT));
	client_close(c);
	client_close(NULL);
}
END_TEST

static Suite *
tls_suite(void)
{
	Suite	*s = suite_create("tls");
	TCase	*tc;

	tc = tcase_create("cert");
	tcase_add_checked_fixture(tc, setup_dir, teardown_dir);
	tcase_add_test(tc, test_make_self_signed);
	tcase_add_test(tc, test_make_ipv6_and_overwrite);
	tcase_add_test(tc, test_make_bad_input);
	tcase_add_test(tc, test_server_ctx_errors);
	tcase_add_test(tc, test_fingerprint_format);
	tcase_add_test(tc, test_fingerprint_equal);
	suite_add_tcase(s, tc);

	tc = tcase_create("client");
	tcase_add_checked_fixture(tc, setup_server, teardown_server);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_connect_ca_file);
	tcase_add_test(tc, test_connect_fingerprint);
	tcase_add_test(tc, test_connect_wrong_fingerprint);
	tcase_add_test(tc, test_connect_no_verification);
	tcase_add_test(tc, test_connect_untrusted);
	tcase_add_test(tc, test_connect_refused_and_timeout);
	tcase_add_test(tc, test_connect_not_agora);
	tcase_add_test(tc, test_call);
	tcase_add_test(tc, test_pipeline);
	tcase_add_test(tc, test_raw_and_untagged);
	tcase_add_test(tc, test_events);
	tcase_add_test(tc, test_bad_lines_from_server);
	tcase_add_test(tc, test_buffer_cap);
	tcase_add_test(tc, test_sigpipe);
	tcase_add_test(tc, test_server_closes);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	/* The test server writes to clients that may have hung up. */
	signal(SIGPIPE, SIG_IGN);
	return check_run(tls_suite());
}
