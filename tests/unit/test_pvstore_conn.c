/*
 * Unit tests for libpvstore's connection logic against a fake daemon (a
 * thread with a tiny in-memory store on a unix socket): requests and
 * replies, events interleaved with replies, DIRECTORY_PART, reconnection
 * with watches and transactions, timeouts, threads, autostart. The same
 * program is the fake pvstored for the autostart test (--rundir DIR
 * --ready-fd N).
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <pvstore/wire.h>

#include "unit.h"

#define MAXN 1024

struct node {
	char path[96];
	char val[128];
	size_t len;
	char perms[64];
	size_t plen;
};

static struct fake {
	char dir[64], sock[128];
	int lsock, conn;
	pthread_t thr;
	volatile int stop;
	/* Knobs, each used once unless said otherwise. */
	volatile int drop_at;	  /* close instead of answering request N */
	volatile int down_ms;	  /* ... and stop listening for that long */
	volatile int event_first; /* an event before the next reply */
	volatile int stray;	  /* a reply to another request first */
	volatile int oversize;	  /* a header with len > 4096 */
	volatile int delay_ms;	  /* every reply (sticky) */
	volatile int bump_gen;	  /* DIRECTORY_PART: the node changes */
	volatile int tx_conflict; /* TRANSACTION_END answers EAGAIN */
	/* What happened. */
	volatile int requests, conns, watch_reqs;
	struct xsd_sockmsg last;
	char last_payload[XENSTORE_PAYLOAD_MAX];
	/* The store. */
	struct node n[MAXN];
	int nn, gen;
	uint32_t next_tx;
} F;

/* ------------------------------------------------------------ the fake */

static void send_msg(int fd, uint32_t type, uint32_t req, const void *p,
		     size_t len)
{
	struct xsd_sockmsg h = {type, req, 0, (uint32_t)len};
	char buf[sizeof(h) + XENSTORE_PAYLOAD_MAX + 64];

	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), p, len);
	if (send(fd, buf, sizeof(h) + len, MSG_NOSIGNAL) < 0) {
		/* the client went away: the read loop notices */
	}
}

static struct node *find(const char *path)
{
	for (int i = 0; i < F.nn; i++)
		if (!strcmp(F.n[i].path, path))
			return &F.n[i];
	return NULL;
}

static struct node *create(const char *path)
{
	char parent[96];
	char *slash;
	struct node *n = find(path);

	if (n || F.nn == MAXN || strlen(path) >= sizeof(n->path))
		return n;
	snprintf(parent, sizeof(parent), "%s", path);
	slash = strrchr(parent, '/');
	if (slash && slash != parent) {
		*slash = 0;
		create(parent);
	}
	n = &F.n[F.nn++];
	memset(n, 0, sizeof(*n));
	snprintf(n->path, sizeof(n->path), "%s", path);
	memcpy(n->perms, "n0", 3);
	n->plen = 3;
	return n;
}

static bool is_child(const char *parent, const char *p)
{
	size_t l = strlen(parent);

	if (!strcmp(parent, "/"))
		return p[0] == '/' && p[1] && !strchr(p + 1, '/');
	return !strncmp(p, parent, l) && p[l] == '/' && !strchr(p + l + 1, '/');
}

/* "a\0b\0" of path's children. */
static size_t children(const char *path, char *out, size_t cap)
{
	size_t len = 0;

	for (int i = 0; i < F.nn; i++) {
		const char *name;
		size_t nl;

		if (!is_child(path, F.n[i].path))
			continue;
		name = strrchr(F.n[i].path, '/') + 1;
		nl = strlen(name) + 1;
		if (len + nl <= cap)
			memcpy(out + len, name, nl);
		len += nl;
	}
	return len;
}

static void dir_part(int fd, uint32_t req, const char *path, const char *off)
{
	static char all[MAXN * 100];
	char out[XENSTORE_PAYLOAD_MAX];
	size_t total = children(path, all, sizeof(all)),
	       o = strtoul(off, 0, 10);
	size_t len = (size_t)sprintf(out, "%d", F.gen) + 1;

	if (F.bump_gen && o > 0) {
		F.bump_gen--;
		F.gen++; /* "the node changed": the client starts again */
		len = (size_t)sprintf(out, "%d", F.gen) + 1;
	}
	while (o < total) {
		size_t nl = strlen(all + o) + 1;

		if (len + nl + 1 > 1000) /* small chunks: several round trips */
			break;
		memcpy(out + len, all + o, nl);
		len += nl;
		o += nl;
	}
	if (o >= total)
		out[len++] = 0;
	send_msg(fd, XS_DIRECTORY_PART, req, out, len);
}

static void rm(const char *path)
{
	size_t l = strlen(path);

	for (int i = 0; i < F.nn;) {
		if (!strcmp(F.n[i].path, path) ||
		    (!strncmp(F.n[i].path, path, l) && F.n[i].path[l] == '/'))
			F.n[i] = F.n[--F.nn];
		else
			i++;
	}
}

#define OK()   send_msg(fd, h->type, h->req_id, "OK", 3)
#define ERR(e) send_msg(fd, XS_ERROR, h->req_id, e, sizeof(e))

static void handle(int fd, const struct xsd_sockmsg *h, char *p)
{
	char *arg2 = p + strnlen(p, h->len) + 1, buf[XENSTORE_PAYLOAD_MAX];
	size_t a2len = h->len - (size_t)(arg2 - p);
	struct node *n = find(p);
	int len;

	switch (h->type) {
	case XS_READ:
		if (!n)
			return ERR("ENOENT");
		return send_msg(fd, h->type, h->req_id, n->val, n->len);
	case XS_WRITE:
		n = create(p);
		n->len = a2len < sizeof(n->val) ? a2len : sizeof(n->val);
		memcpy(n->val, arg2, n->len);
		return OK();
	case XS_MKDIR:
		create(p);
		return OK();
	case XS_RM:
		rm(p);
		return OK();
	case XS_DIRECTORY:
		len = (int)children(p, buf, sizeof(buf));
		if (len > XENSTORE_PAYLOAD_MAX)
			return ERR("E2BIG");
		return send_msg(fd, h->type, h->req_id, buf, (size_t)len);
	case XS_DIRECTORY_PART:
		return dir_part(fd, h->req_id, p, arg2);
	case XS_GET_PERMS:
		if (!n)
			return ERR("ENOENT");
		return send_msg(fd, h->type, h->req_id, n->perms, n->plen);
	case XS_SET_PERMS:
		if (!n)
			return ERR("ENOENT");
		n->plen = a2len < sizeof(n->perms) ? a2len : sizeof(n->perms);
		memcpy(n->perms, arg2, n->plen);
		return OK();
	case XS_WATCH:
		F.watch_reqs++;
		OK();
		return send_msg(fd, XS_WATCH_EVENT, 0, p, h->len);
	case XS_UNWATCH:
	case XS_RESET_WATCHES:
	case XS_INTRODUCE:
	case XS_RELEASE:
	case XS_RESUME:
	case XS_SET_TARGET:
	case XS_SET_FEATURE:
	case XS_SET_QUOTA:
		return OK();
	case XS_TRANSACTION_START:
		len = sprintf(buf, "%u", ++F.next_tx) + 1;
		return send_msg(fd, h->type, h->req_id, buf, (size_t)len);
	case XS_TRANSACTION_END:
		if (F.tx_conflict && p[0] == 'T') {
			F.tx_conflict = 0;
			return ERR("EAGAIN");
		}
		return OK();
	case XS_IS_DOMAIN_INTRODUCED:
		return send_msg(fd, h->type, h->req_id,
				!strcmp(p, "1") ? "T" : "F", 2);
	case XS_GET_DOMAIN_PATH:
		len = snprintf(buf, sizeof(buf), "/local/domain/%s", p) + 1;
		return send_msg(fd, h->type, h->req_id, buf, (size_t)len);
	case XS_GET_QUOTA:
		if (h->len == 0)
			return send_msg(fd, h->type, h->req_id, "nodes watches",
					14);
		return send_msg(fd, h->type, h->req_id, "42", 3);
	case XS_GET_FEATURE:
		return send_msg(fd, h->type, h->req_id, "1", 2);
	case XS_CONTROL:
		return send_msg(fd, h->type, h->req_id, "done\n", 6);
	default:
		return ERR("EINVAL");
	}
}

static int read_full(int fd, void *p, size_t n)
{
	while (n) {
		ssize_t r = read(fd, p, n);

		if (r <= 0)
			return -1;
		p = (char *)p + r;
		n -= (size_t)r;
	}
	return 0;
}

static int listen_on(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (strlen(path) >= sizeof(sa.sun_path))
		return -1;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	unlink(path);
	if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(s, 16) < 0)
		return -1;
	return s;
}

/* One request; false when the connection should close. */
static bool serve_one(int fd)
{
	struct xsd_sockmsg h;
	char p[XENSTORE_PAYLOAD_MAX + 1];

	if (read_full(fd, &h, sizeof(h)) < 0 || h.len > XENSTORE_PAYLOAD_MAX ||
	    read_full(fd, p, h.len) < 0)
		return false;
	p[h.len] = 0;
	F.last = h;
	memcpy(F.last_payload, p, h.len);
	if (++F.requests == F.drop_at)
		return false;
	if (F.delay_ms)
		usleep((useconds_t)F.delay_ms * 1000);
	if (F.event_first) {
		F.event_first = 0;
		send_msg(fd, XS_WATCH_EVENT, 0, "/ev\0tok", 8);
	}
	if (F.stray) {
		F.stray = 0;
		send_msg(fd, h.type, h.req_id + 1000, "stray", 6);
	}
	if (F.oversize) {
		struct xsd_sockmsg big = {h.type, h.req_id, 0, 5000};

		F.oversize = 0;
		if (write(fd, &big, sizeof(big)) < 0)
			return false;
		return false;
	}
	handle(fd, &h, p);
	return true;
}

static void *fake_thread(void *arg)
{
	(void)arg;
	while (!F.stop) {
		int fd = accept4(F.lsock, NULL, NULL, SOCK_CLOEXEC);

		if (fd < 0)
			break;
		F.conns++;
		F.conn = fd;
		while (!F.stop && serve_one(fd))
			;
		close(fd);
		F.conn = -1;
		if (F.down_ms) { /* the daemon is away for a while */
			close(F.lsock);
			unlink(F.sock);
			usleep((useconds_t)F.down_ms * 1000);
			F.down_ms = 0;
			F.lsock = listen_on(F.sock);
		}
	}
	return NULL;
}

static void fake_start(void)
{
	memset(&F, 0, sizeof(F));
	snprintf(F.dir, sizeof(F.dir), "/tmp/pvstore-test.XXXXXX");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(F.dir));
	snprintf(F.sock, sizeof(F.sock), "%s/socket", F.dir);
	F.lsock = listen_on(F.sock);
	CU_ASSERT_FATAL(F.lsock >= 0);
	create("/");
	pthread_create(&F.thr, NULL, fake_thread, NULL);
}

static void fake_stop(void)
{
	F.stop = 1;
	shutdown(F.lsock, SHUT_RDWR);
	if (F.conn >= 0)
		shutdown(F.conn, SHUT_RDWR);
	pthread_join(F.thr, NULL);
	close(F.lsock);
	unlink(F.sock);
	rmdir(F.dir);
}

static struct pvstore *open_fake(unsigned flags)
{
	struct pvstore *h = NULL;
	char err[256];

	CU_ASSERT_EQUAL_FATAL(pvstore_open(F.sock, flags, &h, err, sizeof(err)),
			      0);
	return h;
}

/* ---------------------------------------------------------------- tests */

static void test_basic_ops(void)
{
	struct pvstore_perm set[2] = {{0, PVSTORE_PERM_NONE},
				      {3, PVSTORE_PERM_READ}},
			    *perms;
	struct pvstore *h;
	char *v, **names;
	size_t len;
	unsigned n;

	fake_start();
	h = open_fake(0);
	CU_ASSERT_EQUAL(pvstore_write(h, 0, "/a/b", "hello", 5), 0);
	CU_ASSERT(memcmp(F.last_payload, "/a/b\0hello", 10) == 0);
	CU_ASSERT_EQUAL(F.last.len, 10); /* no NUL after the value */
	CU_ASSERT_EQUAL(pvstore_read(h, 0, "/a/b", &v, &len), 0);
	CU_ASSERT_EQUAL(len, 5);
	CU_ASSERT_STRING_EQUAL(v, "hello"); /* NUL-terminated for us */
	free(v);
	CU_ASSERT_EQUAL(pvstore_read(h, 0, "/nope", &v, &len), -ENOENT);
	CU_ASSERT_EQUAL(pvstore_exists(h, 0, "/a"), 0);
	CU_ASSERT_EQUAL(pvstore_exists(h, 0, "/nope"), -ENOENT);
	CU_ASSERT_EQUAL(pvstore_mkdir(h, 0, "/a/c"), 0);
	CU_ASSERT_EQUAL(pvstore_directory(h, 0, "/a", &names, &n), 0);
	CU_ASSERT_EQUAL(n, 2);
	CU_ASSERT_STRING_EQUAL(names[0], "b");
	CU_ASSERT_STRING_EQUAL(names[1], "c");
	CU_ASSERT_PTR_NULL(names[2]);
	free(names);
	CU_ASSERT_EQUAL(pvstore_set_perms(h, 0, "/a/b", set, 2), 0);
	CU_ASSERT(memcmp(F.last_payload, "/a/b\0n0\0r3\0", 11) == 0);
	CU_ASSERT_EQUAL(pvstore_get_perms(h, 0, "/a/b", &perms, &n), 0);
	CU_ASSERT_EQUAL(n, 2);
	CU_ASSERT_EQUAL(perms[1].domid, 3);
	CU_ASSERT_EQUAL(perms[1].access, PVSTORE_PERM_READ);
	free(perms);
	CU_ASSERT_EQUAL(pvstore_set_perms(h, 0, "/a/b", set, 0), -EINVAL);
	CU_ASSERT_EQUAL(pvstore_rm(h, 0, "/a"), 0);
	CU_ASSERT_EQUAL(pvstore_exists(h, 0, "/a/b"), -ENOENT);
	pvstore_close(h);
	fake_stop();
}

/* Bad arguments never reach the daemon. */
static void test_checked_locally(void)
{
	static char big[XENSTORE_PAYLOAD_MAX];
	struct pvstore *h;
	char *v;
	int before;

	fake_start();
	h = open_fake(0);
	before = F.requests;
	CU_ASSERT_EQUAL(pvstore_read(h, 0, "/a//b", &v, NULL), -EINVAL);
	CU_ASSERT_EQUAL(pvstore_write(h, 0, "/a/", "x", 1), -EINVAL);
	CU_ASSERT_EQUAL(pvstore_write(h, 0, "/a", big, sizeof(big)), -E2BIG);
	CU_ASSERT_EQUAL(pvstore_watch(h, "/a b", "t"), -EINVAL);
	CU_ASSERT_EQUAL(pvstore_rm(h, 0, "@introduceDomain"), -EINVAL);
	CU_ASSERT_EQUAL(pvstore_read(h, 99, "/a", &v, NULL), -EINVAL); /* tx */
	CU_ASSERT_EQUAL(pvstore_get_quota(h, 70000, "nodes", NULL), -EINVAL);
	CU_ASSERT_EQUAL(F.requests, before);
	/* The biggest write that fits does go. */
	CU_ASSERT_EQUAL(pvstore_write(h, 0, "/a", big, sizeof(big) - 3), 0);
	pvstore_close(h);
	fake_stop();
}

static void test_events_and_replies(void)
{
	struct pvstore_event *ev;
	struct pollfd p;
	struct pvstore *h;
	char *v;

	fake_start();
	h = open_fake(0);
	p = (struct pollfd){.fd = pvstore_fd(h), .events = POLLIN};
	CU_ASSERT_EQUAL(poll(&p, 1, 0), 0);
	CU_ASSERT_EQUAL(pvstore_next_watch_event(h, &ev, 0), -EAGAIN);
	CU_ASSERT_EQUAL(pvstore_watch(h, "/w", "tok1"), 0);
	CU_ASSERT(memcmp(F.last_payload, "/w\0tok1\0", 8) == 0);
	/* The initial event: the fd says so, and it is delivered. */
	CU_ASSERT_EQUAL(poll(&p, 1, 1000), 1);
	CU_ASSERT_EQUAL(pvstore_next_watch_event(h, &ev, 1000), 0);
	CU_ASSERT_STRING_EQUAL(ev->path, "/w");
	CU_ASSERT_STRING_EQUAL(ev->token, "tok1");
	free(ev);
	/* An event that arrives before a reply is kept for later, and a
	 * reply to someone else's request is skipped. */
	F.event_first = 1;
	F.stray = 1;
	CU_ASSERT_EQUAL(pvstore_write(h, 0, "/x", "1", 1), 0);
	CU_ASSERT_EQUAL(pvstore_read(h, 0, "/x", &v, NULL), 0);
	CU_ASSERT_STRING_EQUAL(v, "1");
	free(v);
	CU_ASSERT_EQUAL(poll(&p, 1, 0), 1); /* queued: the fd is readable */
	CU_ASSERT_EQUAL(pvstore_next_watch_event(h, &ev, 0), 0);
	CU_ASSERT_STRING_EQUAL(ev->path, "/ev");
	free(ev);
	CU_ASSERT_EQUAL(pvstore_next_watch_event(h, &ev, 0), -EAGAIN);
	CU_ASSERT_EQUAL(pvstore_next_watch_event(h, &ev, 50), -ETIMEDOUT);
	CU_ASSERT_EQUAL(poll(&p, 1, 0), 0);
	CU_ASSERT_EQUAL(pvstore_unwatch(h, "/w", "tok1"), 0);
	CU_ASSERT_EQUAL(pvstore_reset_watches(h), 0);
	pvstore_close(h);
	fake_stop();
}

static void test_directory_part(void)
{
	struct pvstore *h;
	char path[96], **names;
	unsigned n;

	fake_start();
	for (int i = 0; i < 400; i++) {
		snprintf(path, sizeof(path), "/big/a-long-child-name-%04d", i);
		create(path);
	}
	h = open_fake(0);
	CU_ASSERT_EQUAL(pvstore_directory(h, 0, "/big", &names, &n), 0);
	CU_ASSERT_EQUAL(F.last.type, XS_DIRECTORY_PART);
	CU_ASSERT_EQUAL(n, 400);
	CU_ASSERT_STRING_EQUAL(names[0], "a-long-child-name-0000");
	CU_ASSERT_STRING_EQUAL(names[399], "a-long-child-name-0399");
	CU_ASSERT_PTR_NULL(names[400]);
	free(names);
	/* The node changes during the listing: it is listed again. */
	F.bump_gen = 2;
	CU_ASSERT_EQUAL(pvstore_directory(h, 0, "/big", &names, &n), 0);
	CU_ASSERT_EQUAL(n, 400);
	CU_ASSERT_STRING_EQUAL(names[399], "a-long-child-name-0399");
	free(names);
	/* ... and gives up when it keeps changing. */
	F.bump_gen = 1000;
	CU_ASSERT_EQUAL(pvstore_directory(h, 0, "/big", &names, &n), -EAGAIN);
	F.bump_gen = 0;
	pvstore_close(h);
	fake_stop();
}

static void test_reconnect(void)
{
	struct pvstore_event *ev;
	struct pvstore *h;
	char *v;

	fake_start();
	h = open_fake(0);
	CU_ASSERT_EQUAL(pvstore_write(h, 0, "/k", "v", 1), 0);
	CU_ASSERT_EQUAL(pvstore_watch(h, "/k", "t"), 0);
	CU_ASSERT_EQUAL(pvstore_next_watch_event(h, &ev, 1000), 0);
	free(ev);
	/* The daemon drops the connection instead of answering: the read
	 * reconnects, the watch is registered again, the read is retried. */
	F.drop_at = F.requests + 1;
	CU_ASSERT_EQUAL(pvstore_read(h, 0, "/k", &v, NULL), 0);
	CU_ASSERT_STRING_EQUAL(v, "v");
	free(v);
	CU_ASSERT_EQUAL(pvstore_reconnects(h), 1);
	CU_ASSERT_EQUAL(F.conns, 2);
	CU_ASSERT_EQUAL(F.watch_reqs, 2);
	CU_ASSERT_EQUAL(pvstore_next_watch_event(h, &ev, 1000), 0);
	CU_ASSERT_STRING_EQUAL(ev->path, "/k"); /* fired again: re-check */
	free(ev);
	/* Away for 300 ms: the retries wait for it. */
	F.drop_at = F.requests + 1;
	F.down_ms = 300;
	CU_ASSERT_EQUAL(pvstore_read(h, 0, "/k", &v, NULL), 0);
	free(v);
	CU_ASSERT_EQUAL(pvstore_reconnects(h), 2);
	/* Away for longer than the reconnect timeout: a clear error, and
	 * the handle recovers once the daemon is back. */
	pvstore_set_timeouts(h, -1, 100);
	F.drop_at = F.requests + 1;
	F.down_ms = 500;
	CU_ASSERT_EQUAL(pvstore_read(h, 0, "/k", &v, NULL), -ENOTCONN);
	usleep(600000);
	CU_ASSERT_EQUAL(pvstore_read(h, 0, "/k", &v, NULL), 0);
	free(v);
	pvstore_close(h);
	/* Without reconnection, the error is the connection's. */
	h = open_fake(PVSTORE_NO_RECONNECT);
	F.drop_at = F.requests + 1;
	CU_ASSERT_EQUAL(pvstore_read(h, 0, "/k", &v, NULL), -EPIPE);
	CU_ASSERT_EQUAL(pvstore_read(h, 0, "/k", &v, NULL), -ENOTCONN);
	pvstore_close(h);
	fake_stop();
}

static void test_transactions(void)
{
	struct pvstore *h;
	pvstore_tx_t tx, tx2;
	char *v;

	fake_start();
	h = open_fake(0);
	CU_ASSERT_EQUAL(pvstore_transaction_start(h, &tx), 0);
	CU_ASSERT_NOT_EQUAL(tx, PVSTORE_NO_TX);
	CU_ASSERT_EQUAL(pvstore_write(h, tx, "/t", "1", 1), 0);
	CU_ASSERT_EQUAL(F.last.tx_id, 1); /* the daemon's id on the wire */
	F.tx_conflict = 1;
	CU_ASSERT_EQUAL(pvstore_transaction_end(h, tx, true), -EAGAIN);
	CU_ASSERT_EQUAL(pvstore_transaction_end(h, tx, true), -EINVAL);

	/* The daemon goes away inside a transaction: every request in it
	 * fails with EAGAIN, so does its commit; a new one works. */
	CU_ASSERT_EQUAL(pvstore_transaction_start(h, &tx), 0);
	F.drop_at = F.requests + 1;
	CU_ASSERT_EQUAL(pvstore_write(h, tx, "/t", "2", 1), -EAGAIN);
	CU_ASSERT_EQUAL(pvstore_read(h, tx, "/t", &v, NULL), -EAGAIN);
	CU_ASSERT_EQUAL(pvstore_transaction_end(h, tx, true), -EAGAIN);
	CU_ASSERT_EQUAL(pvstore_transaction_start(h, &tx), 0);
	CU_ASSERT_EQUAL(pvstore_write(h, tx, "/t", "3", 1), 0);
	CU_ASSERT_EQUAL(pvstore_transaction_end(h, tx, true), 0);
	/* An abort of a transaction lost that way is fine. */
	CU_ASSERT_EQUAL(pvstore_transaction_start(h, &tx), 0);
	CU_ASSERT_EQUAL(pvstore_transaction_start(h, &tx2), 0);
	CU_ASSERT_NOT_EQUAL(tx, tx2);
	F.drop_at = F.requests + 1;
	CU_ASSERT_EQUAL(pvstore_read(h, 0, "/t", &v, NULL), 0); /* retried */
	free(v);
	CU_ASSERT_EQUAL(pvstore_transaction_end(h, tx, false), 0);
	CU_ASSERT_EQUAL(pvstore_transaction_end(h, tx2, true), -EAGAIN);
	pvstore_close(h);
	fake_stop();
}

static void test_protocol_errors(void)
{
	struct pvstore *h;
	char *v;

	fake_start();
	/* An oversized reply header ends the connection: an error without
	 * reconnection, a retried request with it. */
	h = open_fake(PVSTORE_NO_RECONNECT);
	F.oversize = 1;
	CU_ASSERT_EQUAL(pvstore_read(h, 0, "/", &v, NULL), -EPROTO);
	pvstore_close(h);
	h = open_fake(0);
	F.oversize = 1;
	CU_ASSERT_EQUAL(pvstore_read(h, 0, "/", &v, NULL), 0);
	free(v);
	CU_ASSERT_EQUAL(pvstore_reconnects(h), 1);
	/* A reply that does not come: ETIMEDOUT, then the next call works. */
	pvstore_set_timeouts(h, 100, 1000);
	F.delay_ms = 400;
	CU_ASSERT_EQUAL(pvstore_read(h, 0, "/", &v, NULL), -ETIMEDOUT);
	F.delay_ms = 0;
	pvstore_set_timeouts(h, 2000, 1000); /* the fake serves one at a time */
	v = NULL;
	CU_ASSERT_EQUAL(pvstore_read(h, 0, "/", &v, NULL), 0);
	CU_ASSERT_EQUAL(pvstore_reconnects(h), 2);
	free(v);
	pvstore_close(h);
	fake_stop();
}

static void test_dom0_ops(void)
{
	struct pvstore *h;
	const char *args[] = {"print", "hello"};
	char *s;
	size_t len;
	uint32_t val;
	bool yes;

	fake_start();
	h = open_fake(0);
	CU_ASSERT_EQUAL(pvstore_introduce(h, 3, 0xfeffc, 1), 0);
	CU_ASSERT_EQUAL(F.last.type, XS_INTRODUCE);
	CU_ASSERT(memcmp(F.last_payload, "3\0001044476\0001\0", 12) == 0);
	CU_ASSERT_EQUAL(pvstore_is_domain_introduced(h, 1, &yes), 0);
	CU_ASSERT(yes);
	CU_ASSERT_EQUAL(pvstore_is_domain_introduced(h, 2, &yes), 0);
	CU_ASSERT(!yes);
	CU_ASSERT_EQUAL(pvstore_get_domain_path(h, 7, &s), 0);
	CU_ASSERT_STRING_EQUAL(s, "/local/domain/7");
	free(s);
	CU_ASSERT_EQUAL(pvstore_release(h, 3), 0);
	CU_ASSERT_EQUAL(pvstore_resume(h, 3), 0);
	CU_ASSERT_EQUAL(pvstore_set_target(h, 4, 3), 0);
	CU_ASSERT(memcmp(F.last_payload, "4\0003\0", 4) == 0);
	CU_ASSERT_EQUAL(pvstore_control(h, args, 2, &s, &len), 0);
	CU_ASSERT(memcmp(F.last_payload, "print\0hello\0", 12) == 0);
	CU_ASSERT_STRING_EQUAL(s, "done\n");
	free(s);
	CU_ASSERT_EQUAL(pvstore_get_quota(h, PVSTORE_GLOBAL, "nodes", &val), 0);
	CU_ASSERT_EQUAL(val, 42);
	CU_ASSERT(memcmp(F.last_payload, "nodes\0", 6) == 0);
	CU_ASSERT_EQUAL(pvstore_get_quota(h, 5, "nodes", &val), 0);
	CU_ASSERT(memcmp(F.last_payload, "5\0nodes\0", 8) == 0);
	CU_ASSERT_EQUAL(pvstore_set_quota(h, 5, "nodes", 9), 0);
	CU_ASSERT(memcmp(F.last_payload, "5\0nodes\0009\0", 10) == 0);
	CU_ASSERT_EQUAL(pvstore_quota_names(h, &s), 0);
	CU_ASSERT_STRING_EQUAL(s, "nodes watches");
	free(s);
	CU_ASSERT_EQUAL(pvstore_get_features(h, PVSTORE_GLOBAL, &val), 0);
	CU_ASSERT_EQUAL(F.last.len, 0);
	CU_ASSERT_EQUAL(val, 1);
	CU_ASSERT_EQUAL(pvstore_set_features(h, 3, 1), 0);
	pvstore_close(h);
	fake_stop();
}

static struct pvstore *shared;

static void *writer(void *arg)
{
	char path[32], *v;
	long id = (long)arg, bad = 0;

	for (int i = 0; i < 200; i++) {
		snprintf(path, sizeof(path), "/th/%ld", id);
		if (pvstore_write(shared, 0, path, path, strlen(path)) < 0 ||
		    pvstore_read(shared, 0, path, &v, NULL) < 0) {
			bad++;
			continue;
		}
		bad += strcmp(v, path) != 0;
		free(v);
	}
	return (void *)bad;
}

static void *waiter(void *arg)
{
	struct pvstore_event *ev;
	long got = 0;

	(void)arg;
	while (pvstore_next_watch_event(shared, &ev, 2000) == 0) {
		got += !strcmp(ev->token, "threads");
		free(ev);
		if (got)
			break;
	}
	return (void *)got;
}

/* One handle, several threads: replies reach the right caller and an
 * event reaches the thread waiting for it. */
static void test_threads(void)
{
	pthread_t t[5];
	void *r;

	fake_start();
	shared = open_fake(0);
	pthread_create(&t[4], NULL, waiter, NULL);
	for (long i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, writer, (void *)i);
	usleep(20000);
	CU_ASSERT_EQUAL(pvstore_watch(shared, "/th", "threads"), 0);
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], &r);
		CU_ASSERT_PTR_NULL(r);
	}
	pthread_join(t[4], &r);
	CU_ASSERT_PTR_EQUAL(r, (void *)1);
	pvstore_close(shared);
	fake_stop();
}

static void test_autostart(void)
{
	char dir[64] = "/tmp/pvstore-auto.XXXXXX", rundir[128], self[PATH_MAX];
	char err[512], *v;
	struct pvstore *h = NULL;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	int rc;

	CU_ASSERT_FATAL(n > 0 && mkdtemp(dir));
	self[n] = 0;
	snprintf(rundir, sizeof(rundir), "%s/run/xenstored", dir);
	setenv("XENSTORED_RUNDIR", rundir, 1);
	/* Nothing answers and nothing can be started: a clear error. */
	setenv("PVSTORED_BIN", "/nonexistent/pvstored", 1);
	rc = pvstore_open(NULL, PVSTORE_AUTOSTART, &h, err, sizeof(err));
	CU_ASSERT_EQUAL(rc, -ENOENT);
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(err, "/nonexistent/pvstored: No such file"));
	/* Without autostart: no attempt. */
	rc = pvstore_open(NULL, 0, &h, err, sizeof(err));
	CU_ASSERT(rc == -ENOENT);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "cannot connect to xenstore at"));
	/* This program plays pvstored (see main). */
	setenv("PVSTORED_BIN", self, 1);
	rc = pvstore_open(NULL, PVSTORE_AUTOSTART, &h, err, sizeof(err));
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_EQUAL(pvstore_write(h, 0, "/auto", "yes", 3), 0);
	CU_ASSERT_EQUAL(pvstore_read(h, 0, "/auto", &v, NULL), 0);
	CU_ASSERT_STRING_EQUAL(v, "yes");
	free(v);
	pvstore_close(h); /* the fake pvstored exits with its client */
	unsetenv("XENSTORED_RUNDIR");
	unsetenv("PVSTORED_BIN");
	for (int i = 0; i < 100 && access(rundir, F_OK) == 0; i++) {
		char sock[160];

		snprintf(sock, sizeof(sock), "%s/socket", rundir);
		if (access(sock, F_OK) < 0 && rmdir(rundir) == 0)
			break;
		usleep(10000);
	}
	snprintf(rundir, sizeof(rundir), "%s/run", dir);
	rmdir(rundir);
	CU_ASSERT_EQUAL(rmdir(dir), 0);
}

/* As pvstored --rundir DIR --ready-fd N: serves one client, then exits. */
static int fake_pvstored(const char *rundir, int ready)
{
	int fd;

	memset(&F, 0, sizeof(F));
	snprintf(F.sock, sizeof(F.sock), "%s/socket", rundir);
	F.lsock = listen_on(F.sock);
	if (F.lsock < 0 || write(ready, "R", 1) != 1)
		return 1;
	close(ready);
	create("/");
	fd = accept(F.lsock, NULL, NULL);
	while (fd >= 0 && serve_one(fd))
		;
	unlink(F.sock);
	return 0;
}

static CU_TestInfo tests[] = {
    {"read, write, mkdir, rm, directory, perms", test_basic_ops},
    {"bad arguments checked locally", test_checked_locally},
    {"watch events between replies", test_events_and_replies},
    {"DIRECTORY_PART", test_directory_part},
    {"reconnection and watches", test_reconnect},
    {"transactions across a reconnection", test_transactions},
    {"oversized replies, timeouts", test_protocol_errors},
    {"dom0 operations", test_dom0_ops},
    {"threads sharing a handle", test_threads},
    {"autostart", test_autostart},
    CU_TEST_INFO_NULL,
};

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "--rundir") &&
	    !strcmp(argv[3], "--ready-fd"))
		return fake_pvstored(argv[2], atoi(argv[4]));
	return unit_run("pvstore_conn", tests);
}
