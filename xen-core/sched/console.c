/* Console history ring (see console.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <pvhv/console.h>
#include <pvhv/log.h>

int console_init(struct console *c)
{
	memset(c, 0, sizeof(*c));
	c->buf = malloc(CONSOLE_HISTORY);
	if (!c->buf)
		return -ENOMEM;
	pthread_mutex_init(&c->lock, NULL);
	return 0;
}

void console_fini(struct console *c)
{
	if (c->buf)
		pthread_mutex_destroy(&c->lock);
	free(c->buf);
	c->buf = NULL;
}

void console_write(struct console *c, const void *data, size_t len)
{
	const uint8_t *p = data;

	pthread_mutex_lock(&c->lock);
	if (!c->first_write_ns && len)
		c->first_write_ns = now_ns();
	if (len > CONSOLE_HISTORY) {
		/* Only the tail can survive anyway. Skipped under the same
		 * lock as the copy, or a reader would see the head move over
		 * bytes not written yet. */
		p += len - CONSOLE_HISTORY;
		c->head += len - CONSOLE_HISTORY;
		len = CONSOLE_HISTORY;
	}
	while (len) {
		size_t at = c->head % CONSOLE_HISTORY;
		size_t n = MIN(len, CONSOLE_HISTORY - at);

		memcpy(c->buf + at, p, n);
		c->head += n;
		p += n;
		len -= n;
	}
	pthread_mutex_unlock(&c->lock);
}

size_t console_read(struct console *c, uint64_t *off, void *dst, size_t max,
		    uint64_t *lost)
{
	uint8_t *out = dst;
	size_t done = 0;

	*lost = 0;
	pthread_mutex_lock(&c->lock);
	if (*off > c->head)
		*off = c->head;
	if (c->head - *off > CONSOLE_HISTORY) {
		*lost = c->head - CONSOLE_HISTORY - *off;
		*off = c->head - CONSOLE_HISTORY;
	}
	while (done < max && *off < c->head) {
		size_t at = *off % CONSOLE_HISTORY;
		size_t n =
		    MIN(max - done, MIN(c->head - *off, CONSOLE_HISTORY - at));

		memcpy(out + done, c->buf + at, n);
		done += n;
		*off += n;
	}
	pthread_mutex_unlock(&c->lock);
	return done;
}

uint64_t console_head(struct console *c)
{
	uint64_t h;

	pthread_mutex_lock(&c->lock);
	h = c->head;
	pthread_mutex_unlock(&c->lock);
	return h;
}
