/*
 * Control socket server and pvhv's main loop (epoll): client connections,
 * the domain service eventfd (shutdowns, console output) and signals.
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

#include <pvhv/control.h>
#include <pvhv/ctl.h>
#include <pvhv/log.h>
#include <pvhv/msg.h>

static int listen_fd = -1, epoll_fd = -1, signal_fd = -1;
static struct conn *conns;
bool control_quit;

/* epoll user data: the fd's role. */
#define EP_LISTEN  ((uint64_t)-1)
#define EP_SERVICE ((uint64_t)-2)
#define EP_SIGNAL  ((uint64_t)-3)

int control_init(const char *rundir, char *why, size_t whylen)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	if ((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", rundir,
			     PV_CTL_SOCKET) >= sizeof(sa.sun_path)) {
		snprintf(why, whylen, "runtime directory path too long");
		return -ENAMETOOLONG;
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		goto err;
	unlink(sa.sun_path); /* stale: the caller holds the rundir lock */
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    chmod(sa.sun_path, 0600) < 0 || listen(fd, SOMAXCONN) < 0)
		goto err;
	listen_fd = fd;
	return 0;
err:
	snprintf(why, whylen, "control socket %s: %s", sa.sun_path,
		 strerror(errno));
	if (fd >= 0)
		close(fd);
	return -errno;
}

static void ep_add(int fd, uint32_t events, uint64_t data)
{
	struct epoll_event ev = {.events = events, .data.u64 = data};

	epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev);
}

void conn_want_write(struct conn *c, bool on)
{
	struct epoll_event ev = {.events = EPOLLIN | (on ? EPOLLOUT : 0),
				 .data.ptr = c};

	if (c->want_write == on)
		return;
	c->want_write = on;
	epoll_ctl(epoll_fd, EPOLL_CTL_MOD, c->fd, &ev);
}

static void conn_accept_one(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct conn *c;

	/* Only root or the user pvhv runs as (the socket is 0600 too). */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 ||
	    (cred.uid != 0 && cred.uid != geteuid())) {
		log_warn("control", "refused connection from uid %d",
			 (int)cred.uid);
		close(fd);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return;
	}
	c->fd = fd;
	c->uid = cred.uid;
	c->pid = cred.pid;
	c->next = conns;
	conns = c;
	ep_add(fd, EPOLLIN, (uint64_t)(uintptr_t)c);
}

static void conn_accept(void)
{
	for (int i = 0; i < 256; i++) {
		int fd = accept4(listen_fd, NULL, NULL,
				 SOCK_CLOEXEC | SOCK_NONBLOCK);

		if (fd < 0)
			return;
		conn_accept_one(fd);
	}
}

void conn_close(struct conn *c)
{
	c->dead = true;
}

static void conn_reap(void)
{
	for (struct conn **p = &conns; *p;) {
		struct conn *c = *p;

		if (!c->dead) {
			p = &c->next;
			continue;
		}
		*p = c->next;
		ctl_conn_released(c);
		epoll_ctl(epoll_fd, EPOLL_CTL_DEL, c->fd, NULL);
		close(c->fd);
		free(c);
	}
}

static void conn_readable(struct conn *c)
{
	for (int i = 0; i < 16 && !c->dead; i++) {
		struct pv_msg m;
		int rc = msg_recv(c->fd, &m);

		if (rc == -EAGAIN)
			return;
		if (rc < 0) {
			if (rc != -EPIPE && rc != -ECONNRESET)
				log_warn("control", "pid %d: bad message: %s",
					 (int)c->pid, strerror(-rc));
			conn_close(c);
			return;
		}
		ctl_handle(c, &m);
		msg_free(&m);
	}
}

static void conn_event(struct conn *c, uint32_t events)
{
	if (c->dead)
		return;
	if (events & EPOLLOUT)
		ctl_conn_writable(c);
	if (events & EPOLLIN)
		conn_readable(c);
	else if (events & (EPOLLERR | EPOLLHUP))
		conn_close(c);
}

void conn_foreach(void (*fn)(struct conn *c, void *arg), void *arg)
{
	for (struct conn *c = conns; c; c = c->next)
		if (!c->dead)
			fn(c, arg);
}

static void on_signal(void)
{
	struct signalfd_siginfo si;

	while (read(signal_fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
			log_info("pvhv", "signal %u: shutting down",
				 si.ssi_signo);
			control_quit = true;
		}
	}
}

static void setup_loop(void)
{
	sigset_t set;

	epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	signal_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	ep_add(listen_fd, EPOLLIN, EP_LISTEN);
	ep_add(domain_service_fd(), EPOLLIN, EP_SERVICE);
	ep_add(signal_fd, EPOLLIN, EP_SIGNAL);
}

void control_run(void)
{
	struct epoll_event evs[32];

	/* Threads start here, after pvhv has detached (fork keeps none). */
	if (control_dom0_init() < 0) {
		log_err("control", "cannot set up dom0 event channels");
		return;
	}
	setup_loop();
	while (!control_quit) {
		int n = epoll_wait(epoll_fd, evs, 32, -1);

		for (int i = 0; i < n; i++) {
			uint64_t u = evs[i].data.u64;

			if (u == EP_LISTEN)
				conn_accept();
			else if (u == EP_SERVICE)
				domain_service_all();
			else if (u == EP_SIGNAL)
				on_signal();
			else
				conn_event(evs[i].data.ptr, evs[i].events);
		}
		conn_reap();
	}
	ctl_destroy_all();
	for (struct conn *c = conns; c; c = c->next)
		conn_close(c);
	conn_reap();
}
