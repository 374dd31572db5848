/*
 * Writes the keys of agora(1) from the key table, in the help's sections
 * (views.c's view_sections): the subsections from ".SS On the screen" up
 * to ".SS Commands" are replaced, the rest of the page is left as it is. test-keymap checks that the page and the table
 * agree; after changing the table, run
 *
 *	ninja -C build tests/man-keys && build/tests/man-keys man/agora.1
 *
 * and read the diff.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "keymap.h"

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text;
	long len;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		perror(path);
		exit(1);
	}
	text = malloc((size_t)len + 1);
	if (text == NULL || fread(text, 1, (size_t)len, f) != (size_t)len) {
		perror(path);
		exit(1);
	}
	text[len] = '\0';
	fclose(f);
	return text;
}

int
main(int argc, char **argv)
{
	struct keyhelp kh[A_COUNT];
	struct keysection sec[32];
	size_t n, nsec = view_sections(sec, 32);
	char *page, *from, *to;
	FILE *f;

	if (argc != 2) {
		fprintf(stderr, "usage: man-keys agora.1\n");
		return 2;
	}
	page = slurp(argv[1]);
	if ((from = strstr(page, ".SS On the screen\n")) == NULL ||
	    (to = strstr(from, ".SS Commands\n")) == NULL) {
		fprintf(stderr, "%s: no \".SS On the screen\" .. \".SS "
		    "Commands\"\n", argv[1]);
		return 1;
	}
	if ((f = fopen(argv[1], "w")) == NULL) {
		perror(argv[1]);
		return 1;
	}
	fwrite(page, 1, (size_t)(from - page), f);
	for (size_t s = 0; s < nsec; s++) {
		fprintf(f, ".SS %s\n", sec[s].title);
		n = keymap_help(sec[s].where, kh, A_COUNT);
		for (size_t i = 0; i < n; i++)
			fprintf(f, ".TP\n.B \"%s\"\n%s\n", kh[i].keys,
			    kh[i].text);
	}
	/* Then the same actions by name, for the ":" line (command.c). */
	fputs(".SS The keys' actions as commands\n"
	    "Each action above that has a name is also a command, run as its "
	    "key would be where that key works.\n"
	    "An argument fills the prompt the key opens and answers it\n"
	    ".RB ( \":invite dana@globex.example\" "
	    "\" asks only for the message).\"\n", f);
	for (int a = A_NONE + 1; a < A_COUNT; a++)
		if (keymap_name((enum action)a) != NULL)
			fprintf(f, ".TP\n.B :%s\n%s\n",
			    keymap_name((enum action)a),
			    keymap_describe((enum action)a));
	fputs(to, f);
	free(page);
	return fclose(f) == 0 ? 0 : 1;
}
