/* libpvstore: the connection - socket path, I/O, reconnection. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "priv.h"

#define DEFAULT_RECONNECT_MS 5000

static const char *env(const char *name)
{
	const char *v = getenv(name);

	return v && v[0] ? v : NULL;
}

int pvstore_socket_path(char *buf, size_t len, char *rundir, size_t rlen)
{
	const char *p = env("XENSTORED_PATH"), *d = env("XENSTORED_RUNDIR");
	char dir[PATH_MAX];
	int n;

	if (p) {
		dir[0] = 0;
		n = snprintf(buf, len, "%s", p);
	} else {
		if (d)
			n = snprintf(dir, sizeof(dir), "%s", d);
		else
			n = snprintf(dir, sizeof(dir), "%s/xenstored",
				     env("PVHV_RUNDIR") ? env("PVHV_RUNDIR")
							: "/run/pvhv");
		if (n < 0 || (size_t)n >= sizeof(dir))
			return -ENAMETOOLONG;
		n = snprintf(buf, len, "%s/socket", dir);
	}
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	if (rundir && (size_t)snprintf(rundir, rlen, "%s", dir) >= rlen)
		return -ENAMETOOLONG;
	return n;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Milliseconds left before deadline (-1: none), at least 0. */
static int left_ms(int64_t deadline)
{
	int64_t l;

	if (deadline < 0)
		return -1;
	l = deadline - now_ms();
	return l < 0 ? 0 : l > INT32_MAX ? INT32_MAX : (int)l;
}

static int connect_path(const char *path, int *out)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int s;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int err = -errno;

		close(s);
		return err;
	}
	*out = s;
	return 0;
}

static void attach(struct pvstore *h, int s)
{
	struct epoll_event e = {.events = EPOLLIN};

	h->sock = s;
	h->roff = h->rlen = 0;
	epoll_ctl(h->epfd, EPOLL_CTL_ADD, s, &e);
}

static void set_evfd(struct pvstore *h, bool on)
{
	uint64_t v = 1;

	if (on) {
		if (write(h->evfd, &v, sizeof(v)) < 0) {
			/* EAGAIN: already signalled */
		}
	} else if (read(h->evfd, &v, sizeof(v)) < 0) {
		/* EAGAIN: was not signalled */
	}
}

/* Forgets a broken connection; the next call reconnects. */
static void drop(struct pvstore *h)
{
	if (h->sock < 0)
		return;
	epoll_ctl(h->epfd, EPOLL_CTL_DEL, h->sock, NULL);
	close(h->sock);
	h->sock = -1;
	h->roff = h->rlen = 0;
	set_evfd(h, true); /* wake pollers: they will see the error */
}

static int send_all(struct pvstore *h, const void *p, size_t n)
{
	while (n) {
		ssize_t w = send(h->sock, p, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return errno == ECONNRESET ? -EPIPE : -errno;
		p = (const char *)p + w;
		n -= (size_t)w;
	}
	return 0;
}

/* Has at least `need` buffered bytes, receiving until deadline. */
static int fill(struct pvstore *h, size_t need, int64_t deadline)
{
	while (h->rlen - h->roff < need) {
		ssize_t n;

		if (h->roff && h->rlen + need > sizeof(h->rbuf)) {
			memmove(h->rbuf, h->rbuf + h->roff, h->rlen - h->roff);
			h->rlen -= h->roff;
			h->roff = 0;
		}
		if (deadline >= 0) {
			struct pollfd p = {.fd = h->sock, .events = POLLIN};
			int rc = poll(&p, 1, left_ms(deadline));

			if (rc < 0 && errno == EINTR)
				continue;
			if (rc == 0)
				return -ETIMEDOUT;
		}
		n = recv(h->sock, h->rbuf + h->rlen, sizeof(h->rbuf) - h->rlen,
			 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0)
			return -EPIPE;
		if (n < 0)
			return errno == ECONNRESET ? -EPIPE : -errno;
		h->rlen += (size_t)n;
	}
	return 0;
}

/* The next message into h->rhdr / h->rmsg. */
static int recv_msg(struct pvstore *h, int64_t deadline)
{
	int rc = fill(h, sizeof(h->rhdr), deadline);

	if (rc < 0)
		return rc;
	memcpy(&h->rhdr, h->rbuf + h->roff, sizeof(h->rhdr));
	if (pvstore_hdr_check(&h->rhdr) < 0)
		return -EPROTO;
	rc = fill(h, sizeof(h->rhdr) + h->rhdr.len, deadline);
	if (rc < 0)
		return rc;
	memcpy(h->rmsg, h->rbuf + h->roff + sizeof(h->rhdr), h->rhdr.len);
	h->rmsg[h->rhdr.len] = 0;
	h->roff += sizeof(h->rhdr) + h->rhdr.len;
	if (h->roff == h->rlen)
		h->roff = h->rlen = 0;
	return 0;
}

/* Queues a watch event (its payload). */
static void queue_event(struct pvstore *h, const char *p, size_t len)
{
	struct pvstore_queued *q;
	struct pvstore_event *ev;

	if (pvstore_event_parse(p, len, &ev) < 0)
		return; /* malformed: nothing to deliver */
	q = malloc(sizeof(*q));
	if (!q) {
		free(ev);
		return;
	}
	q->ev = ev;
	q->next = NULL;
	if (h->qtail)
		h->qtail->next = q;
	else
		h->qhead = q;
	h->qtail = q;
	set_evfd(h, true);
}

/*
 * Takes the complete messages already buffered behind a reply: events
 * are queued (they are in no socket any more, so nothing else would wake
 * a poller for them), stray replies dropped. h->rmsg stays untouched.
 */
static void take_buffered(struct pvstore *h)
{
	struct xsd_sockmsg m;

	while (h->rlen - h->roff >= sizeof(m)) {
		memcpy(&m, h->rbuf + h->roff, sizeof(m));
		if (pvstore_hdr_check(&m) < 0 ||
		    h->rlen - h->roff < sizeof(m) + m.len)
			return; /* recv_msg will deal with it */
		if (m.type == XS_WATCH_EVENT)
			queue_event(h, h->rbuf + h->roff + sizeof(m), m.len);
		h->roff += sizeof(m) + m.len;
	}
	if (h->roff == h->rlen)
		h->roff = h->rlen = 0;
}

/* Sends r and waits for the reply with its req_id (events are queued). */
static int round_trip(struct pvstore *h, struct pvstore_req *r)
{
	int64_t deadline = h->reply_ms < 0 ? -1 : now_ms() + h->reply_ms;
	int rc;

	r->hdr.req_id = h->next_req++;
	rc = send_all(h, &r->hdr, pvstore_req_size(r));
	while (rc == 0) {
		rc = recv_msg(h, deadline);
		if (rc < 0)
			break;
		if (h->rhdr.type == XS_WATCH_EVENT) {
			queue_event(h, h->rmsg, h->rhdr.len);
		} else if (h->rhdr.req_id == r->hdr.req_id) {
			take_buffered(h);
			return pvstore_reply_status(&h->rhdr, h->rmsg,
						    r->hdr.type);
		}
		/* else: a reply to a request given up on; skip it */
	}
	return rc;
}

/* Registers the handle's watches on a fresh connection. */
static int rewatch(struct pvstore *h)
{
	struct pvstore_req r;
	int rc = 0;

	for (struct pvstore_watch *w = h->watches; w && rc >= 0; w = w->next) {
		pvstore_req_init(&r, XS_WATCH, 0);
		pvstore_req_str(&r, w->path);
		pvstore_req_str(&r, w->token);
		rc = round_trip(h, &r);
		if (rc == -EEXIST)
			rc = 0;
	}
	return rc;
}

static int is_conn_error(int rc)
{
	return rc == -EPIPE || rc == -EPROTO || rc == -ECONNRESET ||
	       rc == -ENOTCONN || rc == -EBADF;
}

/* Connected, or reconnected within the reconnect timeout. */
static int ensure_connected(struct pvstore *h)
{
	int64_t deadline;
	int delay = 10, rc = -ENOTCONN, s, left;

	if (h->sock >= 0)
		return 0;
	if ((h->flags & PVSTORE_NO_RECONNECT) || h->reconnect_ms == 0)
		return -ENOTCONN;
	deadline = now_ms() + h->reconnect_ms;
	for (;;) {
		rc = connect_path(h->path, &s);
		if (rc == 0) {
			attach(h, s);
			h->gen++;
			h->reconnects++;
			rc = rewatch(h);
			if (rc == 0)
				return 0;
			drop(h);
			if (!is_conn_error(rc))
				return rc;
		}
		left = left_ms(deadline);
		if (left == 0)
			break;
		usleep((useconds_t)(delay < left ? delay : left) * 1000);
		delay = delay * 2 > 250 ? 250 : delay * 2;
	}
	return rc == -ENOENT || rc == -ECONNREFUSED ? -ENOTCONN : rc;
}

int pvstore_call_locked(struct pvstore *h, struct pvstore_req *r,
			pvstore_tx_t tx)
{
	struct pvstore_txent *t = NULL;
	int rc;

	if (r->err)
		return r->err;
	if (tx != PVSTORE_NO_TX) {
		t = pvstore_tx_find(h, tx);
		if (!t)
			return -EINVAL;
	}
	for (int attempt = 0;; attempt++) {
		rc = ensure_connected(h);
		if (rc < 0)
			return rc;
		if (t && t->gen != h->gen)
			return -EAGAIN; /* opened on a connection now gone */
		r->hdr.tx_id = t ? t->wire : 0;
		rc = round_trip(h, r);
		if (rc == -ETIMEDOUT) {
			drop(h); /* a late reply would be out of step */
			return rc;
		}
		if (!is_conn_error(rc))
			return rc;
		drop(h);
		if (t)
			return -EAGAIN;
		if (attempt > 0 || (h->flags & PVSTORE_NO_RECONNECT))
			return rc;
	}
}

int pvstore_call(struct pvstore *h, struct pvstore_req *r, pvstore_tx_t tx,
		 char **reply, size_t *len)
{
	int rc;

	pthread_mutex_lock(&h->lock);
	rc = pvstore_call_locked(h, r, tx);
	if (rc == 0 && reply) {
		*reply = malloc(h->rhdr.len + 1);
		if (*reply) {
			memcpy(*reply, h->rmsg, h->rhdr.len + 1);
			if (len)
				*len = h->rhdr.len;
		} else {
			rc = -ENOMEM;
		}
	}
	pthread_mutex_unlock(&h->lock);
	return rc;
}

/* Takes complete messages that are already there, without waiting (a
 * bounded number: a chatty daemon must not keep us here). */
static int take_ready(struct pvstore *h)
{
	for (int i = 0; i < 256; i++) {
		struct pollfd p = {.fd = h->sock, .events = POLLIN};
		int rc;

		if (h->rlen - h->roff < sizeof(h->rhdr) && poll(&p, 1, 0) <= 0)
			return 0;
		rc = recv_msg(h, now_ms() + 1000); /* rest of a started one */
		if (rc < 0)
			return rc;
		if (h->rhdr.type == XS_WATCH_EVENT)
			queue_event(h, h->rmsg, h->rhdr.len);
	}
	return 0;
}

int pvstore_next_watch_event(struct pvstore *h, struct pvstore_event **ev,
			     int timeout_ms)
{
	int64_t deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	int rc;

	pthread_mutex_lock(&h->lock);
	for (;;) {
		struct epoll_event e;

		if (h->qhead) {
			struct pvstore_queued *q = h->qhead;

			h->qhead = q->next;
			if (!h->qhead) {
				h->qtail = NULL;
				set_evfd(h, false);
			}
			*ev = q->ev;
			free(q);
			rc = 0;
			break;
		}
		rc = ensure_connected(h);
		if (rc < 0)
			break;
		rc = take_ready(h);
		if (rc < 0) {
			drop(h);
			continue;
		}
		if (h->qhead)
			continue;
		set_evfd(h, false);
		if (timeout_ms == 0 || left_ms(deadline) == 0) {
			rc = timeout_ms == 0 ? -EAGAIN : -ETIMEDOUT;
			break;
		}
		pthread_mutex_unlock(&h->lock);
		rc = epoll_wait(h->epfd, &e, 1, left_ms(deadline));
		pthread_mutex_lock(&h->lock);
		if (rc < 0 && errno != EINTR) {
			rc = -errno;
			break;
		}
	}
	pthread_mutex_unlock(&h->lock);
	return rc;
}

static int open_socket(struct pvstore *h, const char *rundir, char *err,
		       size_t errlen)
{
	int rc = connect_path(h->path, &h->sock), rc2 = -ENOENT;

	if (rc < 0 && (h->flags & PVSTORE_AUTOSTART) && rundir[0] &&
	    (rc == -ENOENT || rc == -ECONNREFUSED)) {
		rc2 = pvstore_autostart(rundir, err, errlen);
		/* Another client may be starting one at the same time. */
		for (int i = 0; i < 100; i++) {
			rc = connect_path(h->path, &h->sock);
			if (rc == 0 || rc2 == 0)
				break;
			usleep(20000);
		}
		if (rc < 0 && rc2 < 0)
			return rc2;
	}
	if (rc < 0 && err)
		snprintf(err, errlen, "cannot connect to xenstore at %s: %s%s",
			 h->path, strerror(-rc),
			 rc == -EACCES ? " (run as root?)" : "");
	return rc;
}

int pvstore_open(const char *path, unsigned flags, struct pvstore **out,
		 char *err, size_t errlen)
{
	char rundir[PATH_MAX] = "";
	struct pvstore *h = calloc(1, sizeof(*h));
	int rc;

	if (err && errlen)
		err[0] = 0;
	if (!h)
		return -ENOMEM;
	h->sock = h->epfd = h->evfd = -1;
	h->flags = flags;
	h->reply_ms = -1;
	h->reconnect_ms = DEFAULT_RECONNECT_MS;
	h->next_req = 1;
	h->next_tx = 1;
	pthread_mutex_init(&h->lock, NULL);
	if (path) {
		rc = strlen(path) < sizeof(h->path) ? 0 : -ENAMETOOLONG;
		if (rc == 0)
			strcpy(h->path, path);
	} else {
		rc = pvstore_socket_path(h->path, sizeof(h->path), rundir,
					 sizeof(rundir));
	}
	if (rc < 0) {
		if (err)
			snprintf(err, errlen, "xenstore socket path too long");
		goto err_free;
	}
	h->epfd = epoll_create1(EPOLL_CLOEXEC);
	h->evfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (h->epfd < 0 || h->evfd < 0) {
		rc = -errno;
		goto err_free;
	}
	epoll_ctl(h->epfd, EPOLL_CTL_ADD, h->evfd,
		  &(struct epoll_event){.events = EPOLLIN});
	rc = open_socket(h, rundir, err, errlen);
	if (rc < 0)
		goto err_free;
	attach(h, h->sock);
	*out = h;
	return 0;
err_free:
	h->sock = -1;
	pvstore_close(h);
	return rc;
}

void pvstore_close(struct pvstore *h)
{
	if (!h)
		return;
	if (h->sock >= 0)
		close(h->sock);
	if (h->epfd >= 0)
		close(h->epfd);
	if (h->evfd >= 0)
		close(h->evfd);
	while (h->qhead) {
		struct pvstore_queued *q = h->qhead;

		h->qhead = q->next;
		free(q->ev);
		free(q);
	}
	pvstore_watch_clear(h);
	free(h->tx);
	pthread_mutex_destroy(&h->lock);
	free(h);
}

void pvstore_set_timeouts(struct pvstore *h, int reply_ms, int reconnect_ms)
{
	pthread_mutex_lock(&h->lock);
	h->reply_ms = reply_ms < 0 ? -1 : reply_ms;
	h->reconnect_ms = reconnect_ms < 0 ? 0 : reconnect_ms;
	pthread_mutex_unlock(&h->lock);
}

int pvstore_fd(struct pvstore *h)
{
	return h->epfd;
}

unsigned pvstore_reconnects(struct pvstore *h)
{
	unsigned n;

	pthread_mutex_lock(&h->lock);
	n = h->reconnects;
	pthread_mutex_unlock(&h->lock);
	return n;
}
