#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "password.h"
#include "check-run.h"

START_TEST(hash_then_verify)
{
	char *h = password_hash("correct horse", 1024);

	ck_assert_ptr_nonnull(h);
	ck_assert_int_eq(strncmp(h, "scrypt$1024$8$1$", 16), 0);
	ck_assert_int_eq(password_verify("correct horse", h), 1);
	ck_assert_int_eq(password_verify("correct horsE", h), 0);
	ck_assert_int_eq(password_verify("", h), 0);
	free(h);
}
END_TEST

START_TEST(salted)
{
	char *a = password_hash("same", 1024), *b = password_hash("same", 1024);

	ck_assert_str_ne(a, b);
	ck_assert_int_eq(password_verify("same", a), 1);
	ck_assert_int_eq(password_verify("same", b), 1);
	free(a);
	free(b);
}
END_TEST

START_TEST(utf8_password)
{
	char *h = password_hash("Zoë Lefèvre ß 東京 🔑", 1024);

	ck_assert_int_eq(password_verify("Zoë Lefèvre ß 東京 🔑", h), 1);
	ck_assert_int_eq(password_verify("Zoe Lefevre ss 東京 🔑", h), 0);
	free(h);
}
END_TEST

/* The cost travels with the hash: verifying uses the stored N. */
START_TEST(stored_parameters_rule)
{
	char *h = password_hash("pw", 2048);

	ck_assert_int_eq(strncmp(h, "scrypt$2048$", 12), 0);
	ck_assert_int_eq(password_verify("pw", h), 1);
	free(h);
}
END_TEST

START_TEST(malformed_stored)
{
	static const char *bad[] = {
		"",
		"bcrypt$2b$10$abc",
		"scrypt$",
		"scrypt$1024$8$1$",
		"scrypt$1000$8$1$00112233445566778899aabbccddeeff$"
		    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
		/* N far above the bound: must be refused, not computed */
		"scrypt$1073741824$8$1$00112233445566778899aabbccddeeff$"
		    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
		"scrypt$1024$0$1$00112233445566778899aabbccddeeff$"
		    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
		"scrypt$1024$8$1$zz112233445566778899aabbccddeeff$"
		    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
		"scrypt$1024$8$1$00112233445566778899aabbccddeeff$00",
		"scrypt$1024$8$1$00112233445566778899aabbccddeeff",
		"scrypt$-1024$8$1$00112233445566778899aabbccddeeff$"
		    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
	};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(password_verify("pw", bad[i]) == 0, "accepted %s",
		    bad[i]);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("password");
	TCase *tc = tcase_create("scrypt");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, hash_then_verify);
	tcase_add_test(tc, salted);
	tcase_add_test(tc, utf8_password);
	tcase_add_test(tc, stored_parameters_rule);
	tcase_add_test(tc, malformed_stored);
	suite_add_tcase(s, tc);
	return check_run(s);
}
