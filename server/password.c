#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "hex.h"
#include "log.h"
#include "password.h"
#include "xmalloc.h"

#define SALT_LEN	16
#define HASH_LEN	32
#define SCRYPT_R	8
#define SCRYPT_P	1
/* Refuse stored parameters that would make verification a DoS. */
#define SCRYPT_N_MAX	(1 << 20)

static int
scrypt(const char *pw, const unsigned char *salt, size_t saltlen,
    uint64_t n, uint32_t r, uint32_t p, unsigned char *out, size_t outlen)
{
	EVP_KDF *kdf;
	EVP_KDF_CTX *ctx;
	OSSL_PARAM params[7], *q = params;
	uint64_t maxmem = 128 * (uint64_t)r * n * 2 + (1 << 20);
	int rc = -1;

	if ((kdf = EVP_KDF_fetch(NULL, "SCRYPT", NULL)) == NULL)
		return -1;
	ctx = EVP_KDF_CTX_new(kdf);
	EVP_KDF_free(kdf);
	if (ctx == NULL)
		return -1;
	*q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD,
	    (void *)pw, strlen(pw));
	*q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
	    (void *)salt, saltlen);
	*q++ = OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n);
	*q++ = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r);
	*q++ = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p);
	*q++ = OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM,
	    &maxmem);
	*q = OSSL_PARAM_construct_end();
	if (EVP_KDF_derive(ctx, out, outlen, params) == 1)
		rc = 0;
	EVP_KDF_CTX_free(ctx);
	return rc;
}

char *
password_hash(const char *password, long n)
{
	unsigned char salt[SALT_LEN], hash[HASH_LEN];
	char salthex[2 * SALT_LEN + 1], hashhex[2 * HASH_LEN + 1], *out;

	if (RAND_bytes(salt, sizeof salt) != 1)
		return NULL;
	if (scrypt(password, salt, sizeof salt, (uint64_t)n, SCRYPT_R,
	    SCRYPT_P, hash, sizeof hash) != 0)
		return NULL;
	hex_encode(salt, sizeof salt, salthex);
	hex_encode(hash, sizeof hash, hashhex);
	OPENSSL_cleanse(hash, sizeof hash);
	xasprintf(&out, "scrypt$%ld$%d$%d$%s$%s", n, SCRYPT_R, SCRYPT_P,
	    salthex, hashhex);
	return out;
}

static int
parse_u32(const char **s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	const char *p = *s;

	if (*p < '0' || *p > '9')
		return -1;
	while (*p >= '0' && *p <= '9') {
		v = v * 10 + (uint64_t)(*p++ - '0');
		if (v > max)
			return -1;
	}
	if (*p != '$')
		return -1;
	*s = p + 1;
	*out = v;
	return 0;
}

int
password_verify(const char *password, const char *stored)
{
	unsigned char salt[SALT_LEN], want[HASH_LEN], got[HASH_LEN];
	const char *p = stored, *dollar;
	uint64_t n, r, par;
	int ok;

	if (strncmp(p, "scrypt$", 7) != 0)
		return 0;
	p += 7;
	if (parse_u32(&p, SCRYPT_N_MAX, &n) != 0 || n < 2 || (n & (n - 1)) ||
	    parse_u32(&p, 32, &r) != 0 || r == 0 ||
	    parse_u32(&p, 16, &par) != 0 || par == 0)
		return 0;
	if ((dollar = strchr(p, '$')) == NULL ||
	    hex_decode(p, (size_t)(dollar - p), salt, sizeof salt) != 0 ||
	    hex_decode(dollar + 1, strlen(dollar + 1), want, sizeof want) != 0)
		return 0;
	if (scrypt(password, salt, sizeof salt, n, (uint32_t)r, (uint32_t)par,
	    got, sizeof got) != 0) {
		log_warnx("scrypt failed");
		return 0;
	}
	ok = CRYPTO_memcmp(got, want, sizeof got) == 0;
	OPENSSL_cleanse(got, sizeof got);
	return ok;
}
