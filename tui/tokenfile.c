#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "i18n.h"
#include "paths.h"
#include "tokenfile.h"
#include "xmalloc.h"

/* A token is 64 hex digits; anything much longer is not ours. */
#define TOKENFILE_MAX 128

static int
tokenfile_safe(int fd, const char *path, char **cause)
{
	struct stat st;

	if (fstat(fd, &st) != 0) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		xasprintf(cause, _("%s is not a regular file"), path);
		return -1;
	}
	if (st.st_uid != geteuid()) {
		xasprintf(cause, _("refusing %s: it belongs to another "
		    "user"), path);
		return -1;
	}
	if ((st.st_mode & 077) != 0) {
		xasprintf(cause, _("refusing %s: other users can read it; the "
		    "session may be compromised (log in again; the new file "
		    "will be mode 600)"), path);
		return -1;
	}
	return 0;
}

int
tokenfile_load(const char *path, char **token, char **cause)
{
	char buf[TOKENFILE_MAX + 2];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1) {
		if (errno == ENOENT)
			return 1;
		if (errno == ELOOP)
			xasprintf(cause, _("refusing %s: it is a symbolic "
			    "link"), path);
		else
			xasprintf(cause, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (tokenfile_safe(fd, path, cause) != 0) {
		close(fd);
		return -1;
	}
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n < 0 || n > TOKENFILE_MAX) {
		xasprintf(cause, _("%s: not a session token"), path);
		return -1;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	if (buf[0] == '\0' || strspn(buf, "0123456789abcdef") != strlen(buf)) {
		xasprintf(cause, _("%s: not a session token"), path);
		return -1;
	}
	*token = xstrdup(buf);
	return 0;
}

int
tokenfile_save(const char *path, const char *token, char **cause)
{
	char *tmp;
	size_t len = strlen(token);
	int fd, rc = -1;

	if (paths_mkdir_for(path, cause) != 0)
		return -1;
	xasprintf(&tmp, "%s.XXXXXX", path);
	if ((fd = mkstemp(tmp)) == -1) {	/* mode 0600 */
		xasprintf(cause, "%s: %s", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	if (write(fd, token, len) != (ssize_t)len || write(fd, "\n", 1) != 1 ||
	    fsync(fd) != 0)
		xasprintf(cause, "%s: %s", tmp, strerror(errno));
	else if (rename(tmp, path) != 0)
		xasprintf(cause, "%s: %s", path, strerror(errno));
	else
		rc = 0;
	close(fd);
	if (rc != 0)
		unlink(tmp);
	free(tmp);
	return rc;
}

int
tokenfile_remove(const char *path)
{
	return unlink(path) == 0 || errno == ENOENT ? 0 : -1;
}
