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
	char	*public_address;	/* for links; "": listen */
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
	long	 login_account_global_limit;
	long	 guest_rate;		/* requests/s per address, logged out */
	long	 guest_burst;
	long	 guest_global_rate;	/* requests/s from all addresses */
	long	 password_workers;	/* threads of the lane (lane.h) */
	long	 mail_recipient_limit;	/* mails to one address per window */
	long	 mail_recipient_window;	/* seconds */
	long	 scrypt_n;
	long	 sync_limit;
	long	 file_max_size;		/* bytes */
	long	 storage_quota;		/* bytes per workspace; 0: none */
	long	 upload_expiry;		/* seconds */
	char	*smtp_url;		/* "": no SMTP, write to mail_dir */
	char	*smtp_user;
	char	*smtp_password;		/* never logged */
	long	 smtp_starttls;		/* boolean */
	char	*mail_from;		/* "": agora@<hostname> */
	char	*mail_dir;		/* relative: to the config's directory */
	long	 mail_retry_min;	/* seconds */
	long	 mail_retry_max;
	char	*crm_ca_file;		/* "": the system's CAs */
};

/* Fills defaults, then reads path. Returns 0, or -1 with *cause. */
int config_load(const char *path, struct config *, char **cause);
/* Where clients reach this server, for links: public_address or listen. */
const char *config_public_address(const struct config *);
void config_free(struct config *);
/* Writes a config file with the given values and every other default. */
int config_write(const char *path, const struct config *, char **cause);
/* Names of options that differ and cannot change without a restart. */
int config_restart_needed(const struct config *old, const struct config *new,
    const char **which);
void config_defaults(struct config *);
/* Copies the options SIGHUP may change from new into cur. */
void config_apply_reloadable(struct config *cur, const struct config *new);
/*
 * A path option's value as a path: a relative one is taken relative to the
 * directory of the configuration file (which need not be the working
 * directory). Caller frees.
 */
char *config_path(const char *config_file, const char *value);

#endif
