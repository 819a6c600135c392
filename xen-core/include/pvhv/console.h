/*
 * A domain's console log: everything the guest writes (console_io, later
 * the console ring) kept in a 64 KiB history that any number of followers
 * read at their own pace. Writers never block on readers; a reader that
 * falls more than the history behind is told how many bytes it lost.
 */
#ifndef PVHV_CONSOLE_H
#define PVHV_CONSOLE_H

#include <pthread.h>

#include <pvhv/types.h>

#define CONSOLE_HISTORY (64 * 1024)

struct console {
	pthread_mutex_t lock;
	uint8_t *buf;  /* CONSOLE_HISTORY bytes */
	uint64_t head; /* bytes ever written */
	uint64_t first_write_ns;
};

int console_init(struct console *c);
void console_fini(struct console *c);
void console_write(struct console *c, const void *data, size_t len);
/* Copies up to `max` bytes from stream offset *off; advances *off. Bytes
 * that fell out of the history are skipped and counted in *lost. */
size_t console_read(struct console *c, uint64_t *off, void *dst, size_t max,
		    uint64_t *lost);
uint64_t console_head(struct console *c);

#endif
