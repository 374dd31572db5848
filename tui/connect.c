#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "connect.h"
#include "i18n.h"
#include "paths.h"
#include "xmalloc.h"

int
server_open(const char *server, const char *ca_file, int timeout_ms,
    struct server_link *l, char **cause)
{
	struct client_opts co = { 0 };
	const char *colon;
	char *host;

	memset(l, 0, sizeof *l);
	if (server == NULL || (colon = strrchr(server, ':')) == NULL ||
	    colon == server || colon[1] == '\0') {
		*cause = xstrdup(_("no server: use --server HOST:PORT or "
		    "server = in the config file"));
		return -1;
	}
	host = xstrndup(server, (size_t)(colon - server));
	co.host = host;
	co.port = colon + 1;
	co.ca_file = ca_file;
	co.accept_any = ca_file == NULL;
	co.timeout_ms = timeout_ms;
	l->client = client_connect(&co, cause);
	free(host);
	if (l->client == NULL)
		return -1;
	l->trust = TRUST_MATCH;
	if (ca_file != NULL)
		return 0;
	if ((l->known_hosts = paths_config("known_hosts")) == NULL) {
		*cause = xstrdup(_("no home directory for known_hosts: set HOME "
		    "or XDG_CONFIG_HOME"));
		server_link_free(l);
		return -1;
	}
	if (trust_check(l->known_hosts, server,
	    client_fingerprint(l->client), &l->trust, cause) != 0) {
		server_link_free(l);
		return -1;
	}
	return 0;
}

int
server_pin(struct server_link *l, const char *server, char **cause)
{
	if (trust_pin(l->known_hosts, server, client_fingerprint(l->client),
	    cause) != 0)
		return -1;
	l->trust = TRUST_MATCH;
	return 0;
}

void
server_link_free(struct server_link *l)
{
	if (l->client != NULL)
		client_close(l->client);
	free(l->known_hosts);
	memset(l, 0, sizeof *l);
}

char *
server_unknown_text(const struct server_link *l, const char *server)
{
	char *s;

	xasprintf(&s, _("The certificate of %s is not known.\nSHA-256 "
	    "fingerprint: %s\nTrust it from now on?"), server,
	    client_fingerprint(l->client));
	return s;
}

char *
server_changed_text(const struct server_link *l, const char *server)
{
	char *s;

	xasprintf(&s, _("THE CERTIFICATE OF %s HAS CHANGED (now %s). Someone "
	    "may be intercepting the connection. If the change is expected, "
	    "remove the line for %s from %s."), server,
	    client_fingerprint(l->client), server, l->known_hosts);
	return s;
}

char *
server_from_link(const char *text)
{
	const char *host, *slash;

	if (strncmp(text, "agora://", 8) != 0)
		return NULL;
	host = text + 8;
	if ((slash = strchr(host, '/')) == NULL || slash == host ||
	    memchr(host, ':', (size_t)(slash - host)) == NULL ||
	    strchr(slash + 1, '/') == NULL)
		return NULL;
	return xstrndup(host, (size_t)(slash - host));
}
