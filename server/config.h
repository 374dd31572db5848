/*
 * agorad's configuration: one file of `key = value` lines (agorad.conf(5)).
 * The options live in one table in config.c, which gives each its type,
 * default, bounds and whether SIGHUP may change it; the man page follows
 * that table.
 */
#ifndef AGORA_CONFIG_H
#define AGORA_CONFIG_H

#include <stddef.h>

struct config {
	char	*listen;		/* host:port */
	char	*database;		/* libpq conninfo */
	char	*cert;
	char	*key;
	char	*log;			/* stderr | syslog */
	char	*log_level;
	long	 db_workers;
	long	 max_clients;
	long	 max_line;
	long	 max_output;
	long	 handshake_timeout;
	long	 idle_timeout;
	long	 session_lifetime;
	long	 login_account_limit;
	long	 login_address_limit;
	long	 login_window;
	long	 scrypt_n;
	long	 sync_limit;
};

/* Fills defaults, then reads path. Returns 0, or -1 with *cause. */
int config_load(const char *path, struct config *, char **cause);
void config_free(struct config *);
/* Writes a config file with the given values and every other default. */
int config_write(const char *path, const struct config *, char **cause);
/* Names of options that differ and cannot change without a restart. */
int config_restart_needed(const struct config *old, const struct config *new,
    const char **which);
void config_defaults(struct config *);
/* Copies the options SIGHUP may change from new into cur. */
void config_apply_reloadable(struct config *cur, const struct config *new);

#endif
