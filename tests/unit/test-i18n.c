/*
 * common/i18n.c against the build tree's catalogs (AGORA_LOCALEDIR, set
 * by tests/meson.build) and the system's fr_FR.UTF-8 (scripts/deps).
 */
#include <check.h>
#include <locale.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "check-run.h"
#include "i18n.h"

/* A msgid of po/fr.po (server/admin.c's test mail). */
#define SUBJECT		"agora: test message \u2014 \u00e7a marche"
#define SUBJECT_FR	"agora\u00a0: message de test \u2014 \u00e7a marche"
#define ROUNDS		2000

START_TEST(french)
{
	locale_t fr = newlocale(LC_MESSAGES_MASK, "fr_FR.UTF-8", (locale_t)0);

	ck_assert_msg(fr != (locale_t)0,
	    "no fr_FR.UTF-8 locale on this system: run scripts/deps");
	freelocale(fr);
	ck_assert_str_eq(i18n_text("fr", SUBJECT), SUBJECT_FR);
}
END_TEST

START_TEST(english_and_unknown)
{
	static const char *const langs[] = { "en", "de", "", "FR", NULL };

	for (size_t i = 0; i < sizeof langs / sizeof langs[0]; i++) {
		ck_assert_ptr_eq(i18n_text(langs[i], SUBJECT), SUBJECT);
		ck_assert_str_eq(i18n_ntext(langs[i], "a", "b", 0), "b");
		ck_assert_str_eq(i18n_ntext(langs[i], "a", "b", 1), "a");
		ck_assert_str_eq(i18n_ntext(langs[i], "a", "b", 2), "b");
	}
	ck_assert_str_eq(i18n_lang("fr"), "fr");
	ck_assert_str_eq(i18n_lang("en"), "en");
	ck_assert_ptr_null(i18n_lang("de"));
	ck_assert_ptr_null(i18n_lang(NULL));
}
END_TEST

static void *
translate(void *arg)
{
	const char *lang = arg, *want;
	intptr_t bad = 0;

	want = strcmp(lang, "fr") == 0 ? SUBJECT_FR : SUBJECT;
	for (int i = 0; i < ROUNDS; i++) {
		if (strcmp(i18n_text(lang, SUBJECT), want) != 0)
			bad++;
		/* The thread's own locale is untouched: plain gettext is
		 * still in the process's "C". */
		if (strcmp(dgettext(I18N_DOMAIN, SUBJECT), SUBJECT) != 0)
			bad++;
	}
	return (void *)bad;
}

/* French plural rules: 0 and 1 are singular (English: only 1). */
START_TEST(plurals)
{
	static const char one[] = "The link works once, and for %d day.\n";
	static const char many[] = "The link works once, and for %d days.\n";
	static const char fr_one[] = "Le lien ne sert qu'une fois, pendant %d "
	    "jour.\n";
	static const char fr_many[] = "Le lien ne sert qu'une fois, pendant %d "
	    "jours.\n";

	ck_assert_str_eq(i18n_ntext("fr", one, many, 0), fr_one);
	ck_assert_str_eq(i18n_ntext("fr", one, many, 1), fr_one);
	ck_assert_str_eq(i18n_ntext("fr", one, many, 2), fr_many);
	ck_assert_str_eq(i18n_ntext("fr", one, many, 30), fr_many);
	ck_assert_str_eq(i18n_ntext("en", one, many, 0), many);
	ck_assert_str_eq(i18n_ntext("en", one, many, 1), one);
}
END_TEST

/* French on one thread, English on another, at once; the process and
 * this thread stay in C. */
START_TEST(threads_keep_their_locale)
{
	pthread_t t[4];
	static char *const langs[4] = { "fr", "en", "fr", "en" };
	void *bad;

	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, translate,
		    langs[i]), 0);
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(pthread_join(t[i], &bad), 0);
		ck_assert_msg(bad == NULL, "thread %d (%s): %ld wrong texts",
		    i, langs[i], (long)(intptr_t)bad);
	}
	ck_assert_str_eq(setlocale(LC_MESSAGES, NULL), "C");
	ck_assert_ptr_eq(uselocale((locale_t)0), LC_GLOBAL_LOCALE);
	ck_assert_str_eq(dgettext(I18N_DOMAIN, SUBJECT), SUBJECT);
}
END_TEST

/* Whoever started the server prefers English: the French recipient
 * still gets French. */
START_TEST(language_variable_ignored)
{
	setenv("LANGUAGE", "en", 1);
	i18n_bind();
	ck_assert_ptr_null(getenv("LANGUAGE"));
	ck_assert_str_eq(i18n_text("fr", SUBJECT), SUBJECT_FR);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("i18n");
	TCase *tc = tcase_create("i18n");

	i18n_bind();
	tcase_add_test(tc, french);
	tcase_add_test(tc, english_and_unknown);
	tcase_add_test(tc, plurals);
	tcase_add_test(tc, threads_keep_their_locale);
	tcase_add_test(tc, language_variable_ignored);
	suite_add_tcase(s, tc);
	return check_run(s);
}
