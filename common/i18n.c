#include <locale.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "log.h"

#ifndef AGORA_LOCALEDIR
#define AGORA_LOCALEDIR "/usr/local/share/locale"
#endif

/*
 * The languages, and the locale whose name leads gettext to each catalog.
 * English has none: its texts are the msgids.
 *
 * Why a locale per language and uselocale() rather than reading the .mo
 * files ourselves: glibc's gettext already finds, maps and caches the
 * catalogs, evaluates their Plural-Forms and looks them up by the
 * calling thread's locale, so a mail worker can switch its own thread to
 * French for one lookup while every other thread, and the process, stays
 * in "C". The price is that the system must have the locale (fr_FR.UTF-8:
 * scripts/deps generates it); without it the mail goes in English and
 * the log says why, once.
 */
static struct i18n_lang {
	const char	*code;
	const char	*locale;
	locale_t	 loc;		/* (locale_t)0: English */
} i18n_langs[] = {
	{ "en", NULL, (locale_t)0 },
	{ "fr", "fr_FR.UTF-8", (locale_t)0 },
};
#define I18N_NLANGS	(sizeof i18n_langs / sizeof i18n_langs[0])

static pthread_once_t i18n_once = PTHREAD_ONCE_INIT;

static const char *
i18n_dir(void)
{
	const char *dir = getenv("AGORA_LOCALEDIR");

	return dir != NULL && *dir != '\0' ? dir : AGORA_LOCALEDIR;
}

void
i18n_init(void)
{
	setlocale(LC_ALL, "");
	bindtextdomain(I18N_DOMAIN, i18n_dir());
	textdomain(I18N_DOMAIN);
}

/*
 * The server writes in the recipient's language, not in a preference of
 * whoever started it: LANGUAGE, which gettext would put before the
 * thread's locale, goes (before any thread exists to read it).
 */
void
i18n_bind(void)
{
	unsetenv("LANGUAGE");
	bindtextdomain(I18N_DOMAIN, i18n_dir());
	bind_textdomain_codeset(I18N_DOMAIN, "UTF-8");
}

static void
i18n_locales(void)
{
	for (size_t i = 0; i < I18N_NLANGS; i++) {
		struct i18n_lang *l = &i18n_langs[i];

		if (l->locale == NULL)
			continue;
		l->loc = newlocale(LC_MESSAGES_MASK, l->locale, (locale_t)0);
		if (l->loc == (locale_t)0)
			log_warnx("no %s locale on this system: %s texts are "
			    "in English", l->locale, l->code);
	}
}

static const struct i18n_lang *
i18n_find(const char *lang)
{
	for (size_t i = 0; lang != NULL && i < I18N_NLANGS; i++)
		if (strcmp(i18n_langs[i].code, lang) == 0)
			return &i18n_langs[i];
	return NULL;
}

const char *
i18n_lang(const char *code)
{
	const struct i18n_lang *l = i18n_find(code);

	return l != NULL ? l->code : NULL;
}

const char *
i18n_lang_list(void)
{
	return "en, fr";
}

static locale_t
i18n_locale(const char *lang)
{
	const struct i18n_lang *l = i18n_find(lang);

	pthread_once(&i18n_once, i18n_locales);
	return l != NULL ? l->loc : (locale_t)0;
}

const char *
i18n_text(const char *lang, const char *msgid)
{
	locale_t loc = i18n_locale(lang), was;
	const char *s;

	if (loc == (locale_t)0)
		return msgid;
	was = uselocale(loc);
	s = dgettext(I18N_DOMAIN, msgid);
	uselocale(was);
	return s;
}

const char *
i18n_ntext(const char *lang, const char *one, const char *many,
    unsigned long n)
{
	locale_t loc = i18n_locale(lang), was;
	const char *s;

	if (loc == (locale_t)0)
		return n == 1 ? one : many;
	was = uselocale(loc);
	s = dngettext(I18N_DOMAIN, one, many, n);
	uselocale(was);
	return s;
}
