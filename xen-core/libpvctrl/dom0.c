/* libpvctrl: dom0 event channels, guest memory maps, grant copies. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <pvctrl/pvctrl.h>
#include <pvhv/json.h>

static void close_fds(int *fds, int n)
{
	for (int i = 0; i < n; i++)
		close(fds[i]);
}

/* A request that returns {"port": N} and the port's two fds. */
static int port_call(struct pvctrl *c, const char *json, struct pvctrl_port *p,
		     char *err, size_t errlen)
{
	yajl_val r;
	uint64_t port;
	int fds[4], n = 0;
	int rc = pvctrl_call_fds(c, json, NULL, 0, &r, fds, &n, err, errlen);

	if (rc < 0)
		return rc;
	if (n != 2 || json_u64(r, "port", &port)) {
		close_fds(fds, n);
		yajl_tree_free(r);
		snprintf(err, errlen, "pvhv: malformed reply");
		return -EPROTO;
	}
	yajl_tree_free(r);
	*p = (struct pvctrl_port){(uint32_t)port, fds[0], fds[1]};
	return 0;
}

int pvctrl_evtchn_bind_interdomain(struct pvctrl *c, uint32_t domid,
				   uint32_t remote_port, struct pvctrl_port *p,
				   char *err, size_t errlen)
{
	char req[128];

	snprintf(req, sizeof(req),
		 "{\"op\":\"evtchn_bind_interdomain\",\"domid\":%u,"
		 "\"port\":%u}",
		 domid, remote_port);
	return port_call(c, req, p, err, errlen);
}

int pvctrl_evtchn_alloc_unbound(struct pvctrl *c, uint32_t remote,
				struct pvctrl_port *p, char *err, size_t errlen)
{
	char req[128];

	snprintf(req, sizeof(req),
		 "{\"op\":\"evtchn_alloc_unbound\",\"domid\":0,\"remote\":%u}",
		 remote);
	return port_call(c, req, p, err, errlen);
}

int pvctrl_evtchn_alloc_unbound_in(struct pvctrl *c, uint32_t domid,
				   uint32_t remote, uint32_t *port, char *err,
				   size_t errlen)
{
	char req[128];
	yajl_val r;
	uint64_t v;
	int rc;

	snprintf(req, sizeof(req),
		 "{\"op\":\"evtchn_alloc_unbound\",\"domid\":%u,\"remote\":%u}",
		 domid, remote);
	rc = pvctrl_call(c, req, NULL, 0, &r, err, errlen);
	if (rc < 0)
		return rc;
	rc = json_u64(r, "port", &v) ? -EPROTO : 0;
	*port = (uint32_t)v;
	yajl_tree_free(r);
	return rc;
}

int pvctrl_evtchn_bind_virq(struct pvctrl *c, uint32_t virq,
			    struct pvctrl_port *p, char *err, size_t errlen)
{
	char req[96];

	snprintf(req, sizeof(req), "{\"op\":\"evtchn_bind_virq\",\"virq\":%u}",
		 virq);
	return port_call(c, req, p, err, errlen);
}

int pvctrl_evtchn_close(struct pvctrl *c, struct pvctrl_port *p, char *err,
			size_t errlen)
{
	char req[96];
	yajl_val r;
	int rc;

	snprintf(req, sizeof(req), "{\"op\":\"evtchn_close\",\"port\":%u}",
		 p->port);
	rc = pvctrl_call(c, req, NULL, 0, &r, err, errlen);
	if (rc == 0)
		yajl_tree_free(r);
	close(p->efd);
	close(p->bell);
	p->efd = p->bell = -1;
	return rc;
}

int pvctrl_evtchn_notify(const struct pvctrl_port *p)
{
	uint64_t one = 1;

	return write(p->bell, &one, sizeof(one)) == sizeof(one) ? 0 : -errno;
}

int pvctrl_evtchn_wait(const struct pvctrl_port *p, int timeout_ms)
{
	struct pollfd pfd = {.fd = p->efd, .events = POLLIN};
	uint64_t cnt;

	for (;;) {
		int rc = poll(&pfd, 1, timeout_ms);

		if (rc == 0)
			return -ETIMEDOUT;
		if (rc < 0 && errno != EINTR)
			return -errno;
		if (rc > 0 && read(p->efd, &cnt, sizeof(cnt)) == sizeof(cnt))
			return 0;
	}
}

/* Maps the page a reply describes ({"offset": O} + the memfd). */
static void *map_reply(struct pvctrl *c, const char *json, bool ro,
		       yajl_val *keep, char *err, size_t errlen)
{
	yajl_val r;
	uint64_t off;
	int fds[4], n = 0;
	void *p;
	int rc = pvctrl_call_fds(c, json, NULL, 0, &r, fds, &n, err, errlen);

	if (rc < 0)
		return NULL;
	if (n != 1 || json_u64(r, "offset", &off)) {
		close_fds(fds, n);
		yajl_tree_free(r);
		snprintf(err, errlen, "pvhv: malformed reply");
		return NULL;
	}
	p = mmap(NULL, 4096, PROT_READ | (ro ? 0 : PROT_WRITE), MAP_SHARED,
		 fds[0], (off_t)off);
	close(fds[0]);
	if (p == MAP_FAILED) {
		snprintf(err, errlen, "mmap: %s", strerror(errno));
		yajl_tree_free(r);
		return NULL;
	}
	if (keep)
		*keep = r;
	else
		yajl_tree_free(r);
	return p;
}

void *pvctrl_map_magic(struct pvctrl *c, uint32_t domid, const char *page,
		       char *err, size_t errlen)
{
	char req[128];

	snprintf(req, sizeof(req),
		 "{\"op\":\"map_magic\",\"domid\":%u,\"page\":\"%s\"}", domid,
		 strcmp(page, "store") ? "console" : "store");
	return map_reply(c, req, false, NULL, err, errlen);
}

void *pvctrl_map_foreign(struct pvctrl *c, uint32_t domid, uint64_t gfn,
			 char *err, size_t errlen)
{
	char req[128];

	snprintf(req, sizeof(req),
		 "{\"op\":\"map_foreign\",\"domid\":%u,\"gfn\":%llu}", domid,
		 (unsigned long long)gfn);
	return map_reply(c, req, false, NULL, err, errlen);
}

void *pvctrl_grant_map(struct pvctrl *c, uint32_t domid, uint32_t ref,
		       bool readonly, uint32_t *handle, char *err,
		       size_t errlen)
{
	char req[128];
	yajl_val r = NULL;
	uint64_t h;
	void *p;

	snprintf(req, sizeof(req),
		 "{\"op\":\"grant_map\",\"domid\":%u,\"ref\":%u,"
		 "\"readonly\":%s}",
		 domid, ref, readonly ? "true" : "false");
	p = map_reply(c, req, readonly, &r, err, errlen);
	if (!p)
		return NULL;
	json_u64(r, "handle", &h);
	*handle = (uint32_t)h;
	yajl_tree_free(r);
	return p;
}

int pvctrl_grant_unmap(struct pvctrl *c, void *addr, uint32_t handle, char *err,
		       size_t errlen)
{
	char req[96];
	yajl_val r;
	int rc;

	munmap(addr, 4096);
	snprintf(req, sizeof(req), "{\"op\":\"grant_unmap\",\"handle\":%u}",
		 handle);
	rc = pvctrl_call(c, req, NULL, 0, &r, err, errlen);
	if (rc == 0)
		yajl_tree_free(r);
	return rc;
}

void pvctrl_unmap(void *addr)
{
	munmap(addr, 4096);
}

int pvctrl_grant_copy(struct pvctrl *c, struct pvctrl_grant_copy *ops,
		      unsigned int n, char *err, size_t errlen)
{
	yajl_gen g = jg_new();
	const unsigned char *buf;
	yajl_val r, st;
	size_t len;
	int rc;

	jg_str(g, "op", "grant_copy");
	jg_key(g, "ops");
	yajl_gen_array_open(g);
	for (unsigned int i = 0; i < n; i++) {
		yajl_gen_map_open(g);
		jg_u64(g, "domid", ops[i].domid);
		jg_u64(g, "ref", ops[i].ref);
		jg_u64(g, "offset", ops[i].offset);
		jg_u64(g, "len", ops[i].len);
		jg_u64(g, "addr", (uint64_t)(uintptr_t)ops[i].buf);
		jg_bool(g, "to_guest", ops[i].to_guest);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	jg_text(g, &len);
	yajl_gen_get_buf(g, &buf, &len);
	rc = pvctrl_call(c, (const char *)buf, NULL, 0, &r, err, errlen);
	yajl_gen_free(g);
	if (rc < 0)
		return rc;
	st = json_get(r, "status");
	for (unsigned int i = 0; i < n; i++)
		ops[i].status =
		    st && YAJL_IS_ARRAY(st) && i < st->u.array.len
			? (int16_t)YAJL_GET_INTEGER(st->u.array.values[i])
			: -1;
	yajl_tree_free(r);
	return 0;
}
