#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "i18n.h"
#include "paths.h"
#include "tls.h"
#include "trust.h"
#include "xmalloc.h"

int
trust_check(const char *path, const char *server, const char *fingerprint,
    enum trust *out, char **cause)
{
	FILE *f;
	char *line = NULL, *p, *fp;
	size_t cap = 0;
	int lineno = 0, rc = 0;

	*out = TRUST_UNKNOWN;
	if ((f = fopen(path, "r")) == NULL) {
		if (errno == ENOENT)
			return 0;
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (getline(&line, &cap, f) != -1) {
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		p = line + strspn(line, " \t");
		if (*p == '\0' || *p == '#')
			continue;
		if ((fp = strchr(p, ' ')) == NULL) {
			xasprintf(cause, _("%s:%d: expected \"host:port "
			    "fingerprint\""), path, lineno);
			rc = -1;
			break;
		}
		*fp++ = '\0';
		fp += strspn(fp, " \t");
		if (strcmp(p, server) != 0)
			continue;
		/* The last pin for a server wins, as it was added last. */
		*out = tls_fingerprint_equal(fp, fingerprint) ? TRUST_MATCH :
		    TRUST_CHANGED;
	}
	free(line);
	fclose(f);
	return rc;
}

int
trust_pin(const char *path, const char *server, const char *fingerprint,
    char **cause)
{
	char *line;
	int fd, n, rc = 0;

	if (paths_mkdir_for(path, cause) != 0)
		return -1;
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd == -1) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return -1;
	}
	n = xasprintf(&line, "%s %s\n", server, fingerprint);
	if (write(fd, line, (size_t)n) != n || fsync(fd) != 0) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		rc = -1;
	}
	free(line);
	close(fd);
	return rc;
}
