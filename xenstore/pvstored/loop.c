/*
 * The event loop: one epoll set for the listening socket, the dom0
 * clients, the guests' event channels, pvhv's control connection and
 * the termination signals. Work is found through epoll and libpvxs's
 * kick list only, so idle connections cost nothing per request.
 *
 * Order within one iteration: read and handle requests, append their
 * journal batch to the journal file, then send replies and events. A
 * client never sees a reply for a change the journal does not hold.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <pvhv/log.h>

#include "pvstored.h"

/* A dom0 client on the unix socket. */
struct sock {
	struct src src;
	int fd;
	bool want_out;
	struct xs_conn *c;
};

#define READ_CHUNK   65536
#define MAX_OUT_SOCK (64u << 20) /* a client that never reads is dropped */

int loop_add(struct daemon *d, int fd, struct src *s, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = s};

	return epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

void loop_del(struct daemon *d, int fd)
{
	epoll_ctl(d->epfd, EPOLL_CTL_DEL, fd, NULL);
}

static int listen_socket(struct daemon *d, char *err, size_t errlen)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	mode_t old;
	int s;

	if ((size_t)snprintf(d->sockpath, sizeof(d->sockpath), "%s/%s",
			     d->o.rundir,
			     PVSTORED_SOCKET) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "socket path too long: %s/%s",
			 d->o.rundir, PVSTORED_SOCKET);
		return -ENAMETOOLONG;
	}
	memcpy(sa.sun_path, d->sockpath, strlen(d->sockpath) + 1);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s < 0)
		goto fail;
	unlink(d->sockpath); /* we hold the directory's lock */
	old = umask(0077);
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		umask(old);
		goto fail;
	}
	umask(old);
	if (listen(s, 512) < 0)
		goto fail;
	d->lsock = s;
	return 0;
fail:
	snprintf(err, errlen, "%s: %s", d->sockpath, strerror(errno));
	if (s >= 0)
		close(s);
	return -errno;
}

static int signals(struct daemon *d)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	d->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	return d->sigfd < 0 ? -errno : 0;
}

int loop_init(struct daemon *d, char *err, size_t errlen)
{
	int rc;

	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (d->epfd < 0) {
		snprintf(err, errlen, "epoll: %s", strerror(errno));
		return -errno;
	}
	rc = listen_socket(d, err, errlen);
	if (rc)
		return rc;
	d->listen_src.kind = SRC_LISTEN;
	d->pvhv_src.kind = SRC_PVHV;
	if (loop_add(d, d->lsock, &d->listen_src, EPOLLIN)) {
		snprintf(err, errlen, "epoll_ctl: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

/* After daemonizing: a signalfd only wakes epoll in the process that
 * registered it. */
int loop_signals(struct daemon *d)
{
	int rc = signals(d);

	d->signal_src.kind = SRC_SIGNAL;
	if (rc == 0)
		rc = loop_add(d, d->sigfd, &d->signal_src, EPOLLIN);
	return rc;
}

/* ------------------------------------------------------- dom0 clients */

static void sock_close(struct daemon *d, struct sock *s)
{
	loop_del(d, s->fd);
	close(s->fd);
	xs_conn_free(s->c);
	d->nsocks--;
	free(s);
}

static void sock_accept(struct daemon *d)
{
	for (;;) {
		int fd =
		    accept4(d->lsock, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct sock *s;

		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE)
				log_warn("socket", "accept: %s",
					 strerror(errno));
			return;
		}
		s = calloc(1, sizeof(*s));
		if (s)
			s->c = xs_conn_new_socket(d->st);
		if (!s || !s->c || loop_add(d, fd, &s->src, EPOLLIN)) {
			if (s)
				xs_conn_free(s->c);
			free(s);
			close(fd);
			continue;
		}
		s->src.kind = SRC_SOCK;
		s->fd = fd;
		xs_conn_set_data(s->c, s);
		d->nsocks++;
	}
}

static void sock_want_out(struct daemon *d, struct sock *s, bool on)
{
	struct epoll_event ev = {.events = EPOLLIN | (on ? EPOLLOUT : 0),
				 .data.ptr = s};

	if (s->want_out == on)
		return;
	s->want_out = on;
	epoll_ctl(d->epfd, EPOLL_CTL_MOD, s->fd, &ev);
}

/* Sends queued output; false if the client is gone. */
static bool sock_flush(struct daemon *d, struct sock *s)
{
	for (;;) {
		size_t len;
		const void *p = xs_conn_out_peek(s->c, &len);
		ssize_t n;

		if (!p) {
			sock_want_out(d, s, false);
			return !xs_conn_dead(s->c);
		}
		n = send(s->fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			if (xs_conn_out_bytes(s->c) > MAX_OUT_SOCK) {
				log_warn("socket",
					 "client does not read its replies "
					 "(%zu bytes queued): dropped",
					 xs_conn_out_bytes(s->c));
				return false;
			}
			sock_want_out(d, s, true);
			return true;
		}
		if (n <= 0)
			return false;
		xs_conn_out_advance(s->c, (size_t)n);
	}
}

static void sock_readable(struct daemon *d, struct sock *s)
{
	static uint8_t buf[READ_CHUNK];
	ssize_t n = recv(s->fd, buf, sizeof(buf), 0);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		/* EOF, possibly in the middle of a message: just close. */
		sock_close(d, s);
		return;
	}
	if (xs_conn_input(s->c, buf, (size_t)n) < 0) {
		static struct ratelimit rl = RATELIMIT_INIT(5000, 5);

		log_ratelimited(&rl, LOG_WARN, "socket",
				"client sent a malformed message (payload "
				"over %d bytes): dropped",
				XENSTORE_PAYLOAD_MAX);
	}
}

static void sock_event(struct daemon *d, struct sock *s, uint32_t ev)
{
	if (ev & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
		sock_readable(d, s);
		return; /* s may be gone; output goes via the kick list */
	}
	if ((ev & EPOLLOUT) && !sock_flush(d, s))
		sock_close(d, s);
}

/* ----------------------------------------------------------- the loop */

static void signal_event(struct daemon *d)
{
	struct signalfd_siginfo si;

	while (read(d->sigfd, &si, sizeof(si)) == sizeof(si)) {
		log_info("pvstored", "signal %u: shutting down", si.ssi_signo);
		d->quit = true;
	}
}

/* A guest with more requests than its budget: serviced again next
 * round, after the others had theirs (by domid: it may go meanwhile). */
void loop_again(struct daemon *d, uint32_t domid)
{
	if (d->nagain == d->again_cap) {
		size_t cap = d->again_cap ? d->again_cap * 2 : 16;
		uint32_t *p = realloc(d->again, cap * sizeof(*p));

		if (!p)
			return;
		d->again = p;
		d->again_cap = cap;
	}
	d->again[d->nagain++] = domid;
}

/* Services every kicked connection: sockets get their output, rings
 * are read and written (a bounded number of requests each). */
static void service_kicked(struct daemon *d)
{
	struct xs_conn *c;

	uint32_t *again = d->again;
	size_t nagain = d->nagain;

	if (xs_journal_flush(d->st) < 0)
		log_err("journal", "write failed: state may not survive a "
				   "restart");
	/* Last round's unfinished guests first; they may queue again. */
	d->again = NULL;
	d->nagain = d->again_cap = 0;
	for (size_t i = 0; i < nagain; i++) {
		struct xs_domain *dom = xs_domain_find(d->st, again[i]);

		if (dom && xs_domain_conn(dom))
			guest_service(d, xs_domain_conn(dom));
	}
	free(again);
	while ((c = xs_store_next_kicked(d->st)) != NULL) {
		if (xs_conn_domid(c) == 0 && xs_conn_data(c)) {
			struct sock *s = xs_conn_data(c);

			if (!sock_flush(d, s) || xs_conn_dead(s->c))
				sock_close(d, s);
		} else {
			guest_service(d, c);
		}
	}
}

static int next_timeout(struct daemon *d)
{
	uint64_t now = now_ns();

	if (d->nagain || xs_store_kicked(d->st))
		return 0; /* work queued outside epoll's view */

	if (d->o.no_pvhv || d->pv)
		return -1;
	return d->pv_retry_ns > now
		   ? (int)((d->pv_retry_ns - now) / 1000000) + 1
		   : 0;
}

void loop_run(struct daemon *d)
{
	struct epoll_event evs[128];

	while (!d->quit) {
		int n = epoll_wait(d->epfd, evs, 128, next_timeout(d));

		if (n < 0 && errno != EINTR) {
			log_err("pvstored", "epoll_wait: %s", strerror(errno));
			break;
		}
		for (int i = 0; i < n; i++) {
			struct src *s = evs[i].data.ptr;

			switch (s->kind) {
			case SRC_LISTEN:
				sock_accept(d);
				break;
			case SRC_SIGNAL:
				signal_event(d);
				break;
			case SRC_SOCK:
				sock_event(d, (struct sock *)s, evs[i].events);
				break;
			case SRC_GUEST:
				guest_event(d, s);
				break;
			case SRC_PVHV:
				pvhv_readable(d);
				break;
			case SRC_TESTFIFO:
				test_fifo_event(d);
				break;
			}
		}
		if (!d->pv && !d->o.no_pvhv && now_ns() >= d->pv_retry_ns)
			pvhv_try_connect(d);
		if (d->pv_called)
			pvhv_drain(d);
		service_kicked(d);
		guests_reap();
		if (d->compact_due)
			persist_compact(d);
	}
}
