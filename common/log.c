#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>

#include "log.h"

static const char *log_name = "agora";
static int log_syslog;
static enum log_level log_lvl = LOG_LEVEL_INFO;

void
log_init(const char *progname, int use_syslog, enum log_level level)
{
	log_name = progname;
	log_syslog = use_syslog;
	log_lvl = level;
	if (use_syslog)
		openlog(progname, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_set_level(enum log_level level)
{
	log_lvl = level;
}

int
log_level_parse(const char *s, enum log_level *out)
{
	static const char *names[] = { "warn", "info", "debug" };

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (strcasecmp(s, names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return -1;
}

static void
log_vwrite(int prio, const char *fmt, va_list ap, int err)
{
	char msg[1024];
	int n;

	n = vsnprintf(msg, sizeof msg, fmt, ap);
	if (err && n >= 0 && (size_t)n < sizeof msg)
		snprintf(msg + n, sizeof msg - n, ": %s", strerror(err));
	if (log_syslog) {
		syslog(prio, "%s", msg);
		return;
	}
	struct timespec ts;
	struct tm tm;
	char when[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(stderr, "%s.%03ldZ %s[%s] %s\n", when, ts.tv_nsec / 1000000,
	    log_name, prio == LOG_DEBUG ? "debug" : prio == LOG_INFO ? "info"
	    : prio == LOG_WARNING ? "warn" : "fatal", msg);
}

#define LOG_BODY(level, prio, err) do {					\
	va_list ap;							\
	int saved = errno;						\
	if (log_lvl < (level))						\
		return;							\
	va_start(ap, fmt);						\
	log_vwrite((prio), fmt, ap, (err) ? saved : 0);			\
	va_end(ap);							\
	errno = saved;							\
} while (0)

void log_debug(const char *fmt, ...) { LOG_BODY(LOG_LEVEL_DEBUG, LOG_DEBUG, 0); }
void log_info(const char *fmt, ...) { LOG_BODY(LOG_LEVEL_INFO, LOG_INFO, 0); }
void log_warn(const char *fmt, ...) { LOG_BODY(LOG_LEVEL_WARN, LOG_WARNING, 1); }
void log_warnx(const char *fmt, ...) { LOG_BODY(LOG_LEVEL_WARN, LOG_WARNING, 0); }

void
fatal(const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	log_vwrite(LOG_CRIT, fmt, ap, saved);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_CRIT, fmt, ap, 0);
	va_end(ap);
	exit(1);
}
