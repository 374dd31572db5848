/*
 * TLS helpers: contexts, self-signed certificates and fingerprints. OpenSSL 3
 * only; nothing here knows about the protocol.
 */
#include <sys/stat.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "hex.h"
#include "tls.h"
#include "xmalloc.h"

#define TLS_MODES (SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE | \
    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER)

/* Longest commonName X.509 allows (ub-common-name). */
#define TLS_CN_MAX 64

static int	tls_is_ip(const char *, unsigned char *, size_t *);

const char *
tls_error_string(void)
{
	static _Thread_local char	 msg[1024];
	const char			*data;
	unsigned long			 e;
	size_t				 off = 0;
	int				 flags, n;
	char				 one[256];

	msg[0] = '\0';
	while ((e = ERR_get_error_all(NULL, NULL, NULL, &data, &flags)) != 0) {
		ERR_error_string_n(e, one, sizeof one);
		if (off >= sizeof msg - 1)
			continue;	/* keep draining */
		if ((flags & ERR_TXT_STRING) && data != NULL && *data != '\0')
			n = snprintf(msg + off, sizeof msg - off, "%s%s (%s)",
			    off == 0 ? "" : "; ", one, data);
		else
			n = snprintf(msg + off, sizeof msg - off, "%s%s",
			    off == 0 ? "" : "; ", one);
		if (n < 0)
			break;
		off += (size_t)n;
		if (off >= sizeof msg)
			off = sizeof msg - 1;
	}
	if (off == 0)
		return "unknown TLS error";
	return msg;
}

SSL_CTX *
tls_server_ctx(const char *cert_file, const char *key_file, char **cause)
{
	SSL_CTX	*ctx;

	ERR_clear_error();
	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL) {
		xasprintf(cause, "SSL_CTX_new: %s", tls_error_string());
		return NULL;
	}
	if (!SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION)) {
		xasprintf(cause, "TLS 1.2: %s", tls_error_string());
		goto fail;
	}
	if (!SSL_CTX_use_certificate_chain_file(ctx, cert_file)) {
		xasprintf(cause, "%s: %s", cert_file, tls_error_string());
		goto fail;
	}
	if (!SSL_CTX_use_PrivateKey_file(ctx, key_file, SSL_FILETYPE_PEM)) {
		xasprintf(cause, "%s: %s", key_file, tls_error_string());
		goto fail;
	}
	if (!SSL_CTX_check_private_key(ctx)) {
		xasprintf(cause, "%s does not match %s: %s", key_file,
		    cert_file, tls_error_string());
		goto fail;
	}
	SSL_CTX_set_mode(ctx, TLS_MODES);
	/* Read whole records at once: one read(2) per record, not two. */
	SSL_CTX_set_read_ahead(ctx, 1);
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_TICKET |
	    SSL_OP_CIPHER_SERVER_PREFERENCE);
	/*
	 * Clients do not resume sessions: no cache, and no TLS 1.3 tickets,
	 * which would otherwise cost a write per handshake.
	 */
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_num_tickets(ctx, 0);
	return ctx;

fail:
	SSL_CTX_free(ctx);
	return NULL;
}

SSL_CTX *
tls_client_ctx(const char *ca_file, char **cause)
{
	SSL_CTX	*ctx;

	ERR_clear_error();
	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL) {
		xasprintf(cause, "SSL_CTX_new: %s", tls_error_string());
		return NULL;
	}
	if (!SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION)) {
		xasprintf(cause, "TLS 1.2: %s", tls_error_string());
		SSL_CTX_free(ctx);
		return NULL;
	}
	if (ca_file != NULL) {
		if (!SSL_CTX_load_verify_locations(ctx, ca_file, NULL)) {
			xasprintf(cause, "%s: %s", ca_file, tls_error_string());
			SSL_CTX_free(ctx);
			return NULL;
		}
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	} else
		SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_mode(ctx, TLS_MODES);
	SSL_CTX_set_read_ahead(ctx, 1);
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_TICKET);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	return ctx;
}

/*
 * Makes the handshake check the certificate against host: as an IP address
 * when host is an address literal (SSL_set1_host only matches DNS names),
 * as a DNS name otherwise. Only meaningful with SSL_VERIFY_PEER.
 */
int
tls_client_verify_host(SSL *ssl, const char *host)
{
	unsigned char	 addr[16];
	size_t		 len;

	if (tls_is_ip(host, addr, &len)) {
		if (!X509_VERIFY_PARAM_set1_ip(SSL_get0_param(ssl), addr, len))
			return -1;
		return 0;
	}
	SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	if (!SSL_set1_host(ssl, host))
		return -1;
	return 0;
}

int
tls_cert_fingerprint(X509 *x, char out[TLS_FINGERPRINT_LEN])
{
	static const char	 hex[] = "0123456789ABCDEF";
	unsigned char		 md[EVP_MAX_MD_SIZE];
	unsigned int		 n, i;
	char			*p = out;

	out[0] = '\0';
	if (!X509_digest(x, EVP_sha256(), md, &n) || n != 32)
		return -1;
	for (i = 0; i < n; i++) {
		if (i != 0)
			*p++ = ':';
		*p++ = hex[md[i] >> 4];
		*p++ = hex[md[i] & 0xf];
	}
	*p = '\0';
	return 0;
}

/*
 * Advances past ':' separators to the next hex digit of a fingerprint.
 * Returns the digit's value, -1 at the end, -2 on any other character.
 */
static int
tls_fingerprint_next(const char **sp)
{
	const char	*s = *sp;
	int		 v;

	while (*s == ':')
		s++;
	if (*s == '\0') {
		*sp = s;
		return -1;
	}
	if ((v = hex_value((unsigned char)*s)) == -1)
		return -2;
	*sp = s + 1;
	return v;
}

int
tls_fingerprint_equal(const char *a, const char *b)
{
	int	 va, vb, digits = 0;

	if (a == NULL || b == NULL)
		return 0;
	for (;;) {
		va = tls_fingerprint_next(&a);
		vb = tls_fingerprint_next(&b);
		if (va == -2 || vb == -2 || va != vb)
			return 0;
		if (va == -1)
			break;
		digits++;
	}
	/* Nothing to compare is not a match: an empty pin pins nothing. */
	return digits != 0;
}

static int
tls_is_ip(const char *name, unsigned char *addr, size_t *len)
{
	if (inet_pton(AF_INET, name, addr) == 1) {
		*len = 4;
		return 1;
	}
	if (inet_pton(AF_INET6, name, addr) == 1) {
		*len = 16;
		return 1;
	}
	return 0;
}

/* A DNS name as it may appear in a subjectAltName: printable ASCII. */
static int
tls_valid_dns(const char *name)
{
	const unsigned char	*p;

	if (*name == '\0' || strlen(name) > 253)
		return 0;
	for (p = (const unsigned char *)name; *p != '\0'; p++) {
		if (*p <= ' ' || *p >= 0x7f)
			return 0;
	}
	return 1;
}

static int
tls_add_ext(X509 *x, X509V3_CTX *v3, int nid, const char *value)
{
	X509_EXTENSION	*ext;
	int		 ok;

	/* The cast: OpenSSL 3.0 takes a non-const value it does not modify. */
	ext = X509V3_EXT_conf_nid(NULL, v3, nid, (char *)value);
	if (ext == NULL)
		return -1;
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : -1;
}

static int
tls_add_san(X509 *x, const char *const *names, size_t nnames, char **cause)
{
	GENERAL_NAMES		*gens;
	GENERAL_NAME		*gen;
	ASN1_OCTET_STRING	*os;
	ASN1_IA5STRING		*ia5;
	unsigned char		 addr[16];
	size_t			 len, i;
	int			 ok;

	if ((gens = sk_GENERAL_NAME_new_null()) == NULL)
		goto nomem;
	for (i = 0; i < nnames; i++) {
		if ((gen = GENERAL_NAME_new()) == NULL)
			goto nomem;
		if (tls_is_ip(names[i], addr, &len)) {
			if ((os = ASN1_OCTET_STRING_new()) == NULL ||
			    !ASN1_OCTET_STRING_set(os, addr, (int)len)) {
				ASN1_OCTET_STRING_free(os);
				GENERAL_NAME_free(gen);
				goto nomem;
			}
			GENERAL_NAME_set0_value(gen, GEN_IPADD, os);
		} else {
			if (!tls_valid_dns(names[i])) {
				GENERAL_NAME_free(gen);
				GENERAL_NAMES_free(gens);
				xasprintf(cause, "not a host name or address: "
				    "\"%s\"", names[i]);
				return -1;
			}
			if ((ia5 = ASN1_IA5STRING_new()) == NULL ||
			    !ASN1_STRING_set(ia5, names[i], -1)) {
				ASN1_IA5STRING_free(ia5);
				GENERAL_NAME_free(gen);
				goto nomem;
			}
			GENERAL_NAME_set0_value(gen, GEN_DNS, ia5);
		}
		if (!sk_GENERAL_NAME_push(gens, gen)) {
			GENERAL_NAME_free(gen);
			goto nomem;
		}
	}
	ok = X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0,
	    X509V3_ADD_DEFAULT);
	GENERAL_NAMES_free(gens);
	if (!ok) {
		xasprintf(cause, "subjectAltName: %s", tls_error_string());
		return -1;
	}
	return 0;

nomem:
	GENERAL_NAMES_free(gens);
	xasprintf(cause, "subjectAltName: %s", tls_error_string());
	return -1;
}

/*
 * The extensions of a self-signed certificate besides its names. Clients
 * use the certificate itself as their CA file, so it is marked CA:TRUE, as
 * `openssl req -x509` does: OpenSSL then accepts it both as the trust
 * anchor and as the server's leaf. SKI and AKI let it chain cleanly.
 */
static const struct tls_ext {
	int		 nid;
	const char	*value;
} tls_cert_exts[] = {
	{ NID_basic_constraints, "critical,CA:TRUE" },
	{ NID_key_usage, "critical,digitalSignature,keyCertSign" },
	{ NID_ext_key_usage, "serverAuth" },
	{ NID_subject_key_identifier, "hash" },
	{ NID_authority_key_identifier, "keyid:always" },
};

/* Builds and signs the certificate for key. */
static X509 *
tls_build_cert(EVP_PKEY *key, const char *const *names, size_t nnames,
    int days, char **cause)
{
	X509		*x;
	X509_NAME	*subj;
	X509V3_CTX	 v3;
	BIGNUM		*bn = NULL;
	unsigned char	 serial[16];
	const char	*cn;
	size_t		 i;

	if ((x = X509_new()) == NULL)
		goto fail;
	if (!X509_set_version(x, X509_VERSION_3))
		goto fail;

	/* A random positive 128-bit serial (RFC 5280 allows 20 octets). */
	if (RAND_bytes(serial, sizeof serial) != 1)
		goto fail;
	serial[0] = (serial[0] & 0x7f) | 0x40;
	if ((bn = BN_bin2bn(serial, sizeof serial, NULL)) == NULL)
		goto fail;
	if (BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) == NULL)
		goto fail;
	BN_free(bn);
	bn = NULL;

	/* An hour back, for clocks a little behind ours. */
	if (X509_gmtime_adj(X509_getm_notBefore(x), -3600) == NULL)
		goto fail;
	if (X509_time_adj_ex(X509_getm_notAfter(x), days, 0, NULL) == NULL)
		goto fail;

	cn = strlen(names[0]) <= TLS_CN_MAX ? names[0] : "agorad";
	subj = X509_get_subject_name(x);
	if (!X509_NAME_add_entry_by_txt(subj, "CN", MBSTRING_UTF8,
	    (const unsigned char *)cn, -1, -1, 0))
		goto fail;
	if (!X509_set_issuer_name(x, subj))
		goto fail;
	if (!X509_set_pubkey(x, key))
		goto fail;

	if (tls_add_san(x, names, nnames, cause) != 0) {
		X509_free(x);
		return NULL;
	}
	X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
	for (i = 0; i < sizeof tls_cert_exts / sizeof tls_cert_exts[0]; i++) {
		if (tls_add_ext(x, &v3, tls_cert_exts[i].nid,
		    tls_cert_exts[i].value) != 0)
			goto fail;
	}
	if (X509_sign(x, key, EVP_sha256()) == 0)
		goto fail;
	return x;

fail:
	xasprintf(cause, "building the certificate: %s", tls_error_string());
	BN_free(bn);
	X509_free(x);
	return NULL;
}

/*
 * Writes a PEM file next to path under a temporary name with the given
 * mode; the caller renames it into place. Returns the temporary name.
 */
static char *
tls_write_temp(const char *path, mode_t mode, EVP_PKEY *key, X509 *x,
    char **cause)
{
	char	*tmp;
	FILE	*f;
	int	 fd, ok;

	xasprintf(&tmp, "%s.XXXXXX", path);
	/* mkstemp creates the file 0600: the key is never world-readable. */
	if ((fd = mkstemp(tmp)) == -1) {
		xasprintf(cause, "%s: %s", tmp, strerror(errno));
		free(tmp);
		return NULL;
	}
	if (fchmod(fd, mode) == -1 || (f = fdopen(fd, "w")) == NULL) {
		xasprintf(cause, "%s: %s", tmp, strerror(errno));
		close(fd);
		goto fail;
	}
	ERR_clear_error();
	if (key != NULL)
		ok = PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL);
	else
		ok = PEM_write_X509(f, x);
	if (!ok) {
		xasprintf(cause, "%s: %s", tmp, tls_error_string());
		fclose(f);
		goto fail;
	}
	if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
		xasprintf(cause, "%s: %s", tmp, strerror(errno));
		fclose(f);
		goto fail;
	}
	if (fclose(f) != 0) {
		xasprintf(cause, "%s: %s", tmp, strerror(errno));
		goto fail;
	}
	return tmp;

fail:
	unlink(tmp);
	free(tmp);
	return NULL;
}

int
tls_make_self_signed(const char *cert_file, const char *key_file,
    const char *const *names, size_t nnames, int days, char **cause)
{
	EVP_PKEY	*key = NULL;
	X509		*x = NULL;
	char		*key_tmp = NULL, *cert_tmp = NULL;
	int		 rc = -1;

	if (nnames == 0) {
		xasprintf(cause, "a certificate needs at least one name");
		return -1;
	}
	if (days <= 0) {
		xasprintf(cause, "invalid validity: %d days", days);
		return -1;
	}

	ERR_clear_error();
	if ((key = EVP_EC_gen("P-256")) == NULL) {
		xasprintf(cause, "generating a P-256 key: %s",
		    tls_error_string());
		return -1;
	}
	if ((x = tls_build_cert(key, names, nnames, days, cause)) == NULL)
		goto out;

	/*
	 * Both files are written in full before either is renamed into
	 * place, so a failure leaves the old pair (or nothing) behind rather
	 * than a key that does not match its certificate.
	 */
	if ((key_tmp = tls_write_temp(key_file, 0600, key, NULL, cause)) ==
	    NULL)
		goto out;
	if ((cert_tmp = tls_write_temp(cert_file, 0644, NULL, x, cause)) ==
	    NULL)
		goto out;
	if (rename(key_tmp, key_file) == -1) {
		xasprintf(cause, "%s: %s", key_file, strerror(errno));
		goto out;
	}
	free(key_tmp);
	key_tmp = NULL;
	if (rename(cert_tmp, cert_file) == -1) {
		xasprintf(cause, "%s: %s", cert_file, strerror(errno));
		goto out;
	}
	free(cert_tmp);
	cert_tmp = NULL;
	rc = 0;

out:
	if (key_tmp != NULL) {
		unlink(key_tmp);
		free(key_tmp);
	}
	if (cert_tmp != NULL) {
		unlink(cert_tmp);
		free(cert_tmp);
	}
	X509_free(x);
	EVP_PKEY_free(key);
	return rc;
}
