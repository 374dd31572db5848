#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "hex.h"
#include "token.h"
#include "check-run.h"

START_TEST(new_tokens)
{
	char a[TOKEN_HEX_LEN + 1], b[TOKEN_HEX_LEN + 1];

	ck_assert_int_eq(token_new(a), 0);
	ck_assert_int_eq(token_new(b), 0);
	ck_assert_uint_eq(strlen(a), 64);
	ck_assert_uint_eq(strspn(a, "0123456789abcdef"), 64);
	ck_assert_str_ne(a, b);
}
END_TEST

/* The stored form is the SHA-256 of the token's 64 characters. */
START_TEST(digest_is_sha256)
{
	char t[TOKEN_HEX_LEN + 1], d[TOKEN_DIGEST_LEN + 1], want[65];
	unsigned char md[32];
	unsigned int len = sizeof md;

	ck_assert_int_eq(token_new(t), 0);
	ck_assert_int_eq(token_digest(t, d), 0);
	EVP_Digest(t, 64, md, &len, EVP_sha256(), NULL);
	hex_encode(md, sizeof md, want);
	ck_assert_int_eq(strncmp(d, "\\x", 2), 0);
	ck_assert_str_eq(d + 2, want);
	ck_assert_str_ne(d + 2, t);
}
END_TEST

START_TEST(malformed)
{
	char d[TOKEN_DIGEST_LEN + 1];
	char upper[65];

	memset(upper, 'A', 64);
	upper[64] = '\0';
	ck_assert_int_eq(token_digest("", d), -1);
	ck_assert_int_eq(token_digest("abc", d), -1);
	ck_assert_int_eq(token_digest(upper, d), -1);
	upper[0] = 'g';
	ck_assert_int_eq(token_digest(upper, d), -1);
	memset(upper, 'a', 64);
	ck_assert_int_eq(token_digest(upper, d), 0);
	ck_assert_int_eq(token_digest("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", d), -1);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("token");
	TCase *tc = tcase_create("token");

	tcase_add_test(tc, new_tokens);
	tcase_add_test(tc, digest_is_sha256);
	tcase_add_test(tc, malformed);
	suite_add_tcase(s, tc);
	return check_run(s);
}
