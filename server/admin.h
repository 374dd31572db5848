/* The administrator's subcommands: agorad init, migrate, user add,
 * mail-test, workspace crm. */
#ifndef AGORA_ADMIN_H
#define AGORA_ADMIN_H

int admin_init(const char *config_path, int argc, char **argv);
int admin_migrate(const char *config_path, int argc, char **argv);
int admin_user(const char *config_path, int argc, char **argv);
int admin_mail_test(const char *config_path, int argc, char **argv);
int admin_workspace(const char *config_path, int argc, char **argv);

#endif
