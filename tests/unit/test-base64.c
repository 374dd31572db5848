/* Base64 as files travel: RFC 4648's vectors, binary, and refusals. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "check-run.h"

static const struct {
	const char *plain, *coded;
} vectors[] = {	/* RFC 4648, section 10 */
	{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
	{ "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" },
	{ "foobar", "Zm9vYmFy" },
};

START_TEST(rfc_vectors)
{
	char out[16];
	unsigned char *back;
	size_t n;

	for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
		base64_encode((const unsigned char *)vectors[i].plain,
		    strlen(vectors[i].plain), out);
		ck_assert_str_eq(out, vectors[i].coded);
		ck_assert_uint_eq(strlen(out),
		    BASE64_LEN(strlen(vectors[i].plain)));
		back = base64_decode(out, strlen(out), &n);
		ck_assert_ptr_nonnull(back);
		ck_assert_uint_eq(n, strlen(vectors[i].plain));
		ck_assert(memcmp(back, vectors[i].plain, n) == 0);
		free(back);
	}
}
END_TEST

START_TEST(binary_round_trip)
{
	unsigned char in[300], *back;
	char out[BASE64_LEN(300) + 1];
	size_t n;

	for (size_t len = 0; len <= sizeof in; len += 1) {
		for (size_t i = 0; i < len; i++)
			in[i] = (unsigned char)(i * 7 + len);
		if (len > 0)
			in[len - 1] = 0;	/* trailing zero bytes survive */
		base64_encode(in, len, out);
		back = base64_decode(out, strlen(out), &n);
		ck_assert_ptr_nonnull(back);
		ck_assert_uint_eq(n, len);
		ck_assert(memcmp(back, in, len) == 0);
		free(back);
	}
}
END_TEST

START_TEST(refusals)
{
	static const char *const bad[] = {
		"Zg=", "Zg", "Z", "Zm9v\n", "Zm 9", "Zg==Zg==", "=Zg=",
		"Zm9v-_==", "Zm9v*A==", "Z===",
	};
	size_t n;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(base64_decode(bad[i], strlen(bad[i]), &n) == NULL,
		    "accepted \"%s\"", bad[i]);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("base64");
	TCase *tc = tcase_create("base64");

	tcase_add_test(tc, rfc_vectors);
	tcase_add_test(tc, binary_round_trip);
	tcase_add_test(tc, refusals);
	suite_add_tcase(s, tc);
	return check_run(s);
}
