/*
 * Logging to stderr or syslog. Never log passwords, tokens or message
 * bodies: callers pass identifiers (user ids, addresses, verbs) only.
 */
#ifndef AGORA_LOG_H
#define AGORA_LOG_H

#include <stdarg.h>

enum log_level { LOG_LEVEL_WARN, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };

void log_init(const char *progname, int use_syslog, enum log_level);
void log_set_level(enum log_level);
int log_level_parse(const char *, enum log_level *);

#define LOG_PRINTF(a, b) __attribute__((format(printf, a, b)))
void log_debug(const char *, ...) LOG_PRINTF(1, 2);
void log_info(const char *, ...) LOG_PRINTF(1, 2);
/* log_warn appends strerror(errno); log_warnx does not. */
void log_warn(const char *, ...) LOG_PRINTF(1, 2);
void log_warnx(const char *, ...) LOG_PRINTF(1, 2);
/* Log and exit(1); fatal appends strerror(errno). */
void fatal(const char *, ...) LOG_PRINTF(1, 2) __attribute__((noreturn));
void fatalx(const char *, ...) LOG_PRINTF(1, 2) __attribute__((noreturn));

#endif
