/*
 * An IRC connection over TLS for the benchmark: the transport side of
 * common/client.c (non-blocking socket, OpenSSL's WANT_READ / WANT_WRITE
 * mapped to the direction to wait for, a line buffer in, a byte buffer
 * out) without the agora protocol on top. SIGPIPE must be ignored by the
 * program: writes are plain SSL_write calls.
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "buf.h"
#include "clock.h"
#include "irc.h"
#include "linebuf.h"
#include "log.h"
#include "tls.h"
#include "xmalloc.h"

/* RFC 2812 allows 512 bytes; servers keep to it, this leaves room. */
#define IRC_LINE_MAX 8192

struct irc {
	int fd;
	SSL *ssl;
	struct linebuf *in;
	struct buf *out;
	int closed;
	int read_wants_write;
	int write_wants_read;
	char error[128];
};

static void
irc_set_closed(struct irc *c, const char *why)
{
	if (!c->closed)
		snprintf(c->error, sizeof c->error, "%s", why);
	c->closed = 1;
}

static int
irc_wait(int fd, short events, int64_t deadline)
{
	struct pollfd pfd;
	int64_t left;
	int n;

	for (;;) {
		if ((left = deadline - clock_ms()) <= 0)
			return 0;
		pfd.fd = fd;
		pfd.events = events;
		pfd.revents = 0;
		n = poll(&pfd, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (n == -1 && errno == EINTR)
			continue;
		return n > 0 ? 1 : n;
	}
}

static int
irc_tcp(const char *host, const char *port, int64_t deadline, char **cause)
{
	struct addrinfo hints, *res;
	socklen_t len;
	int fd, error, soerr = 0, one = 1;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((error = getaddrinfo(host, port, &hints, &res)) != 0) {
		xasprintf(cause, "%s port %s: %s", host, port,
		    gai_strerror(error));
		return -1;
	}
	fd = socket(res->ai_family,
	    res->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, res->ai_protocol);
	if (fd == -1) {
		xasprintf(cause, "socket: %s", strerror(errno));
		freeaddrinfo(res);
		return -1;
	}
	if (connect(fd, res->ai_addr, res->ai_addrlen) == -1) {
		if (errno != EINPROGRESS)
			soerr = errno;
		else if (irc_wait(fd, POLLOUT, deadline) != 1)
			soerr = ETIMEDOUT;
		else {
			len = sizeof soerr;
			if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) ==
			    -1)
				soerr = errno;
		}
	}
	freeaddrinfo(res);
	if (soerr != 0) {
		xasprintf(cause, "connecting to %s port %s: %s", host, port,
		    strerror(soerr));
		close(fd);
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return fd;
}

struct irc *
irc_connect(SSL_CTX *ctx, int verify, const char *host, const char *port,
    int timeout_ms, char **cause)
{
	struct irc *c;
	int64_t deadline = clock_ms() + timeout_ms;
	int rc, err, n;

	c = xcalloc(1, sizeof *c);
	c->fd = -1;
	c->in = linebuf_new(IRC_LINE_MAX);
	c->out = buf_new(0);
	if ((c->fd = irc_tcp(host, port, deadline, cause)) == -1)
		goto fail;
	ERR_clear_error();
	if ((c->ssl = SSL_new(ctx)) == NULL || !SSL_set_fd(c->ssl, c->fd)) {
		xasprintf(cause, "SSL_new: %s", tls_error_string());
		goto fail;
	}
	if (verify && tls_client_verify_host(c->ssl, host) != 0) {
		xasprintf(cause, "%s: host name check: %s", host,
		    tls_error_string());
		goto fail;
	}
	for (;;) {
		ERR_clear_error();
		if ((rc = SSL_connect(c->ssl)) == 1)
			break;
		err = SSL_get_error(c->ssl, rc);
		if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) {
			xasprintf(cause, "TLS handshake with %s port %s: %s",
			    host, port, tls_error_string());
			goto fail;
		}
		n = irc_wait(c->fd,
		    err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline);
		if (n != 1) {
			xasprintf(cause, "TLS handshake with %s port %s: %s",
			    host, port, n == 0 ? "timed out" : strerror(errno));
			goto fail;
		}
	}
	return c;

fail:
	irc_close(c);
	return NULL;
}

void
irc_close(struct irc *c)
{
	if (c == NULL)
		return;
	if (c->ssl != NULL) {
		if (!c->closed && SSL_is_init_finished(c->ssl)) {
			ERR_clear_error();
			SSL_shutdown(c->ssl);
		}
		ERR_clear_error();
		SSL_free(c->ssl);
	}
	if (c->fd != -1)
		close(c->fd);
	linebuf_free(c->in);
	buf_free(c->out);
	free(c);
}

int
irc_fd(const struct irc *c)
{
	return c->fd;
}

const char *
irc_error(const struct irc *c)
{
	return c->closed ? c->error : "";
}

void
irc_printf(struct irc *c, const char *fmt, ...)
{
	va_list ap;
	char line[IRC_LINE_MAX];
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof line - 2, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof line - 2)
		fatalx("irc_printf: line too long");
	buf_add(c->out, line, (size_t)n);
	buf_add(c->out, "\r\n", 2);
}

int
irc_want_write(const struct irc *c)
{
	if (c->closed)
		return 0;
	return (buf_len(c->out) != 0 && !c->write_wants_read) ||
	    c->read_wants_write;
}

/* Why an OpenSSL call failed. */
static const char *
irc_ssl_why(int err, int saved_errno)
{
	if (err == SSL_ERROR_ZERO_RETURN ||
	    (err == SSL_ERROR_SYSCALL && ERR_peek_error() == 0 &&
		saved_errno == 0))
		return "connection closed by the server";
	if (err == SSL_ERROR_SYSCALL && ERR_peek_error() == 0)
		return strerror(saved_errno);
	return tls_error_string();
}

int
irc_flush(struct irc *c)
{
	size_t len;
	int n, err;

	while (!c->closed) {
		if ((len = buf_len(c->out)) == 0) {
			c->write_wants_read = 0;
			buf_release(c->out);
			return 0;
		}
		ERR_clear_error();
		errno = 0;
		n = SSL_write(c->ssl, buf_data(c->out),
		    len > INT_MAX ? INT_MAX : (int)len);
		if (n > 0) {
			buf_drain(c->out, (size_t)n);
			c->write_wants_read = 0;
			continue;
		}
		switch ((err = SSL_get_error(c->ssl, n))) {
		case SSL_ERROR_WANT_WRITE:
			c->write_wants_read = 0;
			return 1;
		case SSL_ERROR_WANT_READ:
			c->write_wants_read = 1;
			return 1;
		default:
			irc_set_closed(c, irc_ssl_why(err, errno));
			return -1;
		}
	}
	return -1;
}

int
irc_pump(struct irc *c, irc_line_cb *cb, void *arg)
{
	char *space, *line;
	size_t avail, len;
	int n, err;

	if (c->closed)
		return -1;
	for (;;) {
		space = linebuf_space(c->in, &avail);
		ERR_clear_error();
		errno = 0;
		n = SSL_read(c->ssl, space, avail > INT_MAX ? INT_MAX : (int)avail);
		if (n > 0) {
			linebuf_commit(c->in, (size_t)n);
			for (;;) {
				enum linebuf_result r;

				r = linebuf_next(c->in, &line, &len);
				if (r == LINEBUF_NONE)
					break;
				if (r == LINEBUF_TOOLONG) {
					irc_set_closed(c, "line over the limit");
					return -1;
				}
				cb(arg, line, len);
			}
			continue;
		}
		c->read_wants_write = 0;
		switch ((err = SSL_get_error(c->ssl, n))) {
		case SSL_ERROR_WANT_READ:
			linebuf_release(c->in);
			return 0;
		case SSL_ERROR_WANT_WRITE:
			c->read_wants_write = 1;
			return 0;
		default:
			irc_set_closed(c, irc_ssl_why(err, errno));
			return -1;
		}
	}
}
