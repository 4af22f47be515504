/*
 * certbindd's log: one line per event, to stderr with a UTC timestamp, or
 * to syslog (-s, or when detached). Each line is formatted whole and
 * written with one write(2), so lines from worker threads never
 * interleave. Nothing untrusted is passed as a format: callers escape
 * names and file text with escape_str() or use log_warn_escaped().
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "util/escape.h"
#include "util/xmalloc.h"
#include "server/certbindd.h"

static int	log_syslog;

void
log_init(int use_syslog)
{
	log_syslog = use_syslog;
	if (use_syslog)
		openlog("certbindd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

static void
log_vwrite(int prio, const char *fmt, va_list ap)
{
	char		 stamp[32], *msg, *line;
	struct timespec	 ts;
	struct tm	 tm;
	size_t		 len, off;
	ssize_t		 n;
	int		 saved = errno;

	msg = xvasprintf(fmt, ap);
	if (log_syslog) {
		syslog(prio, "%s", msg);
		free(msg);
		errno = saved;
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
	line = xasprintf("%s.%03ldZ certbindd: %s\n", stamp,
	    ts.tv_nsec / 1000000, msg);
	free(msg);
	len = strlen(line);
	for (off = 0; off < len; off += n) {
		n = write(STDERR_FILENO, line + off, len - off);
		if (n == -1 && errno == EINTR) {
			n = 0;
			continue;
		}
		if (n <= 0)
			break;
	}
	free(line);
	errno = saved;
}

void
log_info(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_INFO, fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_WARNING, fmt, ap);
	va_end(ap);
}

void
log_warn_escaped(const char *prefix, const char *untrusted)
{
	char	*e;

	e = escape_str(untrusted, 0);
	log_warn("%s%s", prefix, e);
	free(e);
}

/* Writes all of buf[0..len) to stderr, across EINTR and short writes. */
static void
log_write_all(const char *buf, size_t len)
{
	size_t	off;
	ssize_t	n;

	for (off = 0; off < len; off += n) {
		n = write(STDERR_FILENO, buf + off, len - off);
		if (n == -1 && errno == EINTR) {
			n = 0;
			continue;
		}
		if (n <= 0)
			break;
	}
}

/*
 * The access log's path: one line per connection, so no allocation here.
 * The line is copied behind the timestamp into a buffer on the stack and
 * written with one write(2), like every other line of the log.
 */
void
log_line(const char *line, size_t len)
{
	char		 buf[4608];
	struct timespec	 ts;
	struct tm	 tm;
	size_t		 n;
	int		 saved = errno, m;

	if (log_syslog) {
		syslog(LOG_INFO, "%.*s", (int)(len > INT_MAX ? INT_MAX : len),
		    line);
		errno = saved;
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
	m = snprintf(buf + n, sizeof buf - n, ".%03ldZ certbindd: ",
	    ts.tv_nsec / 1000000);
	if (m > 0)
		n += m;
	if (n + len + 1 > sizeof buf) {
		/* Longer than any line access.c makes: two writes, then. */
		log_write_all(buf, n);
		log_write_all(line, len);
		log_write_all("\n", 1);
	} else {
		memcpy(buf + n, line, len);
		buf[n + len] = '\n';
		log_write_all(buf, n + len + 1);
	}
	errno = saved;
}
