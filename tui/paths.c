#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "paths.h"
#include "xmalloc.h"

static char *
paths_under(const char *xdg, const char *fallback, const char *name)
{
	const char *base = getenv(xdg), *home;
	char *path;

	/* The spec says a relative XDG path is to be ignored. */
	if (base != NULL && base[0] == '/') {
		xasprintf(&path, "%s/agora/%s", base, name);
		return path;
	}
	if ((home = getenv("HOME")) == NULL || *home == '\0')
		return NULL;
	xasprintf(&path, "%s/%s/agora/%s", home, fallback, name);
	return path;
}

char *
paths_config(const char *name)
{
	return paths_under("XDG_CONFIG_HOME", ".config", name);
}

char *
paths_state(const char *name)
{
	return paths_under("XDG_STATE_HOME", ".local/state", name);
}

int
paths_mkdir_for(const char *path, char **cause)
{
	char *dir = xstrdup(path), *slash;

	if ((slash = strrchr(dir, '/')) == NULL || slash == dir) {
		free(dir);
		return 0;
	}
	*slash = '\0';
	for (char *p = dir + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) == -1 && errno != EEXIST)
			goto fail;
		*p = '/';
	}
	if (mkdir(dir, 0700) == -1 && errno != EEXIST)
		goto fail;
	free(dir);
	return 0;
fail:
	xasprintf(cause, "%s: %s", dir, strerror(errno));
	free(dir);
	return -1;
}
