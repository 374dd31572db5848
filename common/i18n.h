/*
 * French and English through gettext (one text domain, "agora"; the
 * catalogs are po/LANG.po).
 *
 * The client runs in the user's locale: i18n_init sets it from the
 * environment, and _() and P_() translate into it. The server runs in no
 * locale of its own (its logs and the protocol stay in English): it writes
 * each e-mail in its recipient's language, on whatever thread, with
 * i18n_text() and i18n_ntext(), which translate into one language without
 * touching the process's or the thread's locale.
 *
 * Where the catalogs are: AGORA_LOCALEDIR from the environment if set
 * (the tests and the demo point it at the build tree's po/, where meson
 * compiles them), else the install's locale directory.
 *
 * xgettext knows the keywords from po/meson.build: _, N_, P_:1,2,
 * i18n_text:2 and i18n_ntext:2,3.
 */
#ifndef AGORA_I18N_H
#define AGORA_I18N_H

#include <libintl.h>
#include <stddef.h>

#define I18N_DOMAIN	"agora"

#define _(s)		gettext(s)
/* Marks a string for the catalog where it cannot be translated yet (a
 * table's initializer): translate it with _() where it is used. */
#define N_(s)		(s)
/* The plural form of n in the locale's rules (French: 0 and 1 singular). */
#define P_(one, many, n) ngettext((one), (many), (unsigned long)(n))

/* The client: the locale from the environment, and the catalog. */
void i18n_init(void);
/* The server: the catalog only, in UTF-8 whatever the locale. */
void i18n_bind(void);

/*
 * The languages there are catalogs for, by code ("en", "fr"; English is
 * the msgids themselves): the code as a string that lives as long as the
 * process, or NULL if no catalog has that code.
 */
const char *i18n_lang(const char *code);
/* "en, fr": for usage and error messages. */
const char *i18n_lang_list(void);

/*
 * msgid in lang: the translation, or msgid itself for English, an unknown
 * language, a missing catalog or a locale the system lacks. Thread-safe;
 * the result lives as long as the process.
 */
const char *i18n_text(const char *lang, const char *msgid)
    __attribute__((format_arg(2)));
const char *i18n_ntext(const char *lang, const char *one, const char *many,
    unsigned long n) __attribute__((format_arg(2), format_arg(3)));

#endif
