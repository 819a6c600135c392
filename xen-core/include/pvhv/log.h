/*
 * Logging for pvhv daemons: levelled, subsystem-prefixed, printf-checked.
 * Libraries return errors instead of printing; only daemons log.
 * Anything a guest can trigger goes through a struct ratelimit.
 */
#ifndef PVHV_LOG_H
#define PVHV_LOG_H

#include <stdbool.h>
#include <stdint.h>

enum { LOG_ERR, LOG_WARN, LOG_INFO, LOG_DEBUG };

void log_init(const char *prog, int fd, int max_level);
void log_set_level(int max_level);
void log_msg(int level, const char *subsys, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define log_err(sub, ...)   log_msg(LOG_ERR, sub, __VA_ARGS__)
#define log_warn(sub, ...)  log_msg(LOG_WARN, sub, __VA_ARGS__)
#define log_info(sub, ...)  log_msg(LOG_INFO, sub, __VA_ARGS__)
#define log_debug(sub, ...) log_msg(LOG_DEBUG, sub, __VA_ARGS__)

/*
 * At most `burst` messages per `interval_ns`; the first message after a
 * quiet period reports how many were suppressed. Thread-safe.
 */
struct ratelimit {
	uint64_t interval_ns;
	uint32_t burst;
	uint32_t printed;
	uint64_t window_start;
	uint64_t suppressed;
};

#define RATELIMIT_INIT(ms, n)                                                  \
	{                                                                      \
		(uint64_t)(ms) * 1000000u, (n), 0, 0, 0                        \
	}

/* Returns true if a message may be printed; *suppressed gets the count of
 * messages dropped since the last printed one. */
bool ratelimit_ok(struct ratelimit *rl, uint64_t *suppressed);
/* The same at a given time (ns, monotonic): for tests. */
bool ratelimit_ok_at(struct ratelimit *rl, uint64_t now, uint64_t *suppressed);

#define log_ratelimited(rl, level, sub, fmt, ...)                              \
	do {                                                                   \
		uint64_t _supp;                                                \
		if (ratelimit_ok((rl), &_supp)) {                              \
			if (_supp)                                             \
				log_msg(level, sub,                            \
					"(%llu similar messages "              \
					"suppressed)",                         \
					(unsigned long long)_supp);            \
			log_msg(level, sub, fmt, ##__VA_ARGS__);               \
		}                                                              \
	} while (0)

/* Monotonic clock in nanoseconds. */
uint64_t now_ns(void);

#endif
