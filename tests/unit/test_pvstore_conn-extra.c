/* The fake xenstore daemon for test_pvstore_conn (see pvstore_fake.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "pvstore_fake.h"
#include "unit.h"

struct fake F;

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

struct node *fake_create(const char *path)
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
		fake_create(parent);
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
		n = fake_create(p);
		n->len = a2len < sizeof(n->val) ? a2len : sizeof(n->val);
		memcpy(n->val, arg2, n->len);
		return OK();
	case XS_MKDIR:
		fake_create(p);
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
		/* Going away: stop listening before the client sees its
		 * connection drop, or it could reconnect into the backlog of
		 * a socket about to close (and count two reconnections). */
		if (F.down_ms) {
			close(F.lsock);
			unlink(F.sock);
		}
		close(fd);
		F.conn = -1;
		if (F.down_ms) { /* the daemon is away for a while */
			usleep((useconds_t)F.down_ms * 1000);
			F.down_ms = 0;
			F.lsock = listen_on(F.sock);
		}
	}
	return NULL;
}

void fake_start(void)
{
	memset(&F, 0, sizeof(F));
	snprintf(F.dir, sizeof(F.dir), "/tmp/pvstore-test.XXXXXX");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(F.dir));
	snprintf(F.sock, sizeof(F.sock), "%s/socket", F.dir);
	F.lsock = listen_on(F.sock);
	CU_ASSERT_FATAL(F.lsock >= 0);
	fake_create("/");
	pthread_create(&F.thr, NULL, fake_thread, NULL);
}

void fake_stop(void)
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

/* As pvstored --rundir DIR --daemon --ready-fd N: serves one client, then
 * exits. */
int fake_pvstored(const char *rundir, int ready)
{
	int fd;

	memset(&F, 0, sizeof(F));
	snprintf(F.sock, sizeof(F.sock), "%s/socket", rundir);
	F.lsock = listen_on(F.sock);
	if (F.lsock < 0 || write(ready, "R", 1) != 1)
		return 1;
	close(ready);
	fake_create("/");
	fd = accept(F.lsock, NULL, NULL);
	while (fd >= 0 && serve_one(fd))
		;
	unlink(F.sock);
	return 0;
}
