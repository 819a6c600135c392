/* Logging and rate limiting for the pvhv daemons. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <pvhv/log.h>

static const char *log_prog = "pvhv";
static int log_fd = 2;
static int log_max = LOG_INFO;
static pthread_mutex_t rl_lock = PTHREAD_MUTEX_INITIALIZER;

void log_init(const char *prog, int fd, int max_level)
{
	log_prog = prog;
	log_fd = fd;
	log_max = max_level;
}

void log_set_level(int max_level)
{
	log_max = max_level;
}

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void log_msg(int level, const char *subsys, const char *fmt, ...)
{
	static const char *const names[] = {"error", "warning", "info",
					    "debug"};
	char buf[1024];
	struct timespec ts;
	struct tm tm;
	va_list ap;
	int n, m;

	if (level > log_max)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = snprintf(buf, sizeof(buf),
		     "%02d:%02d:%02d.%03ld %s: %s: %s: ", tm.tm_hour, tm.tm_min,
		     tm.tm_sec, ts.tv_nsec / 1000000, log_prog,
		     names[level < 0 || level > LOG_DEBUG ? 0 : level], subsys);
	if (n < 0)
		return;
	/* The prefix alone may not fit (long program or subsystem name). */
	if ((size_t)n > sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	va_start(ap, fmt);
	m = vsnprintf(buf + n, sizeof(buf) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		return;
	n += m;
	if ((size_t)n > sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	/* One write per line keeps lines whole across threads. */
	if (write(log_fd, buf, (size_t)n) < 0)
		return;
}

bool ratelimit_ok(struct ratelimit *rl, uint64_t *suppressed)
{
	return ratelimit_ok_at(rl, now_ns(), suppressed);
}

bool ratelimit_ok_at(struct ratelimit *rl, uint64_t now, uint64_t *suppressed)
{
	bool ok;

	pthread_mutex_lock(&rl_lock);
	*suppressed = 0;
	if (rl->window_start == 0 ||
	    now - rl->window_start >= rl->interval_ns) {
		*suppressed = rl->suppressed;
		rl->suppressed = 0;
		rl->window_start = now;
		rl->printed = 0;
	}
	ok = rl->printed < rl->burst;
	if (ok)
		rl->printed++;
	else
		rl->suppressed++;
	pthread_mutex_unlock(&rl_lock);
	return ok;
}
