/*
 * Guests: pvstored's link to pvhv and to each domain's xenstore ring.
 *
 * pvhv tells pvstored about domains ("created", "shutdown",
 * "destroyed" events on its control socket). pvstored is also the
 * xenstore half of the toolstack: on "created" it writes the nodes
 * xl/libxl writes for a domain, with the same permissions, then maps the
 * domain's ring page and binds its store port through pvhv (libpvctrl)
 * and introduces it; on "destroyed" it removes them as libxl does and
 * releases the domain. At start it syncs with the domains pvhv runs,
 * re-attaching the rings of domains it knew before a restart.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <pvhv/json.h>
#include <pvhv/log.h>

#include "pvstored.h"

struct guest {
	struct src src;
	uint32_t domid;
	bool dead;
	void *page;
	struct pvctrl_port port;
	struct guest *next_dead;
};

/* Freed guests wait until the loop iteration ends: epoll may still hold
 * an event for them in the batch being handled. */
static struct guest *dead_guests;

#define NDOMS	    XS_DOMID_FIRST_RESERVED
#define RING_BUDGET 32 /* requests per guest per round */

static char err[512];

static void known_set(struct daemon *d, uint32_t domid, bool on)
{
	if (domid >= NDOMS)
		return;
	if (on)
		d->known[domid / 8] |= (uint8_t)(1u << (domid % 8));
	else
		d->known[domid / 8] &= (uint8_t) ~(1u << (domid % 8));
}

bool guest_domain_exists(void *arg, uint32_t domid)
{
	struct daemon *d = arg;

	if (!d->pv)
		return true; /* standalone: nobody to ask */
	return domid < NDOMS && (d->known[domid / 8] & (1u << (domid % 8)));
}

/* ------------------------------------------------------------ rings */

static void guest_free(struct daemon *d, struct guest *g)
{
	if (!g)
		return;
	if (g->port.efd >= 0) {
		loop_del(d, g->port.efd);
		if (d->pv) {
			pvctrl_evtchn_close(d->pv, &g->port, err, sizeof(err));
			d->pv_called = true;
		} else {
			close(g->port.efd);
			close(g->port.bell);
		}
	}
	if (g->page)
		pvctrl_unmap(g->page);
	d->guests[g->domid] = NULL;
	g->dead = true;
	g->next_dead = dead_guests;
	dead_guests = g;
}

void guests_reap(void)
{
	while (dead_guests) {
		struct guest *g = dead_guests;

		dead_guests = g->next_dead;
		free(g);
	}
}

/* Maps the ring, binds the port, hands the page to the connection. */
static int attach(struct daemon *d, struct xs_domain *dom, uint64_t gfn,
		  uint32_t port)
{
	uint32_t domid = xs_domain_id(dom);
	struct guest *g;
	int rc;

	if (!xs_domain_conn(dom))
		return -EINVAL;
	guest_free(d, d->guests[domid]);
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->src.kind = SRC_GUEST;
	g->domid = domid;
	g->port.efd = g->port.bell = -1;
	d->pv_called = true;
	g->page = pvctrl_map_foreign(d->pv, domid, gfn, err, sizeof(err));
	if (!g->page) {
		log_warn("guest", "d%u: cannot map its ring (gfn %#llx): %s",
			 domid, (unsigned long long)gfn, err);
		free(g);
		return -EINVAL;
	}
	rc = pvctrl_evtchn_bind_interdomain(d->pv, domid, port, &g->port, err,
					    sizeof(err));
	if (rc == 0)
		rc = loop_add(d, g->port.efd, &g->src, EPOLLIN);
	if (rc) {
		log_warn("guest", "d%u: cannot bind its store port %u: %s",
			 domid, port, err);
		if (g->port.efd >= 0) {
			close(g->port.efd);
			close(g->port.bell);
		}
		pvctrl_unmap(g->page);
		free(g);
		return rc;
	}
	d->guests[domid] = g;
	xs_domain_set_data(dom, g);
	xs_ring_attach(xs_domain_conn(dom), g->page);
	log_debug("guest", "d%u: ring gfn %#llx, port %u (dom0 port %u)", domid,
		  (unsigned long long)gfn, port, g->port.port);
	return 0;
}

/*
 * --test-rings DIR: rings without guests, for tests of the ring
 * protocol (and of restarts) on machines without KVM. The ring of
 * domain N is the file DIR/ring-N; a test signals domain N by writing N
 * (a native u32) to the FIFO DIR/evtchn and polls the ring itself.
 */
static int attach_test(struct daemon *d, struct xs_domain *dom)
{
	uint32_t domid = xs_domain_id(dom);
	char path[4200];
	struct guest *g;
	void *page;
	int fd;

	if (!xs_domain_conn(dom))
		return -EINVAL;
	snprintf(path, sizeof(path), "%s/ring-%u", d->o.test_rings, domid);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || ftruncate(fd, 4096) < 0) {
		if (fd >= 0)
			close(fd);
		return -EINVAL;
	}
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (page == MAP_FAILED)
		return -ENOMEM;
	guest_free(d, d->guests[domid]);
	g = calloc(1, sizeof(*g));
	if (!g) {
		munmap(page, 4096);
		return -ENOMEM;
	}
	g->domid = domid;
	g->page = page;
	g->port.efd = g->port.bell = -1;
	d->guests[domid] = g;
	xs_ring_attach(xs_domain_conn(dom), page);
	return 0;
}

void test_fifo_event(struct daemon *d)
{
	uint32_t ids[64];
	ssize_t n = read(d->fifo, ids, sizeof(ids));

	for (ssize_t i = 0; i < n / 4; i++) {
		struct xs_domain *dom = xs_domain_find(d->st, ids[i]);

		if (dom && xs_domain_conn(dom))
			guest_service(d, xs_domain_conn(dom));
	}
}

static void test_rings_init(struct daemon *d)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/evtchn", d->o.test_rings);
	mkdir(d->o.test_rings, 0700);
	if (mkfifo(path, 0600) < 0 && errno != EEXIST)
		log_err("test", "%s: %s", path, strerror(errno));
	d->fifo = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	d->fifo_src.kind = SRC_TESTFIFO;
	if (d->fifo < 0 || loop_add(d, d->fifo, &d->fifo_src, EPOLLIN))
		log_err("test", "%s: %s", path, strerror(errno));
	for (uint32_t i = 1; d->restored && i < NDOMS; i++) {
		struct xs_domain *dom = xs_domain_find(d->st, i);

		if (dom && xs_domain_introduced(dom) && xs_domain_conn(dom))
			attach_test(d, dom);
	}
	if (d->restored)
		xs_fire_restored_watches(d->st);
	d->restored = false;
	log_info("test", "test rings in %s", d->o.test_rings);
}

int guest_introduce(void *arg, struct xs_domain *dom, uint64_t gfn,
		    uint32_t port)
{
	struct daemon *d = arg;

	if (d->o.test_rings)
		return attach_test(d, dom);
	if (!d->pv)
		return 0; /* standalone: introduced, without a ring */
	return attach(d, dom, gfn, port);
}

void guest_release(void *arg, struct xs_domain *dom)
{
	struct daemon *d = arg;

	guest_free(d, d->guests[xs_domain_id(dom)]);
}

void guest_service(struct daemon *d, struct xs_conn *c)
{
	uint32_t domid = xs_conn_domid(c);
	struct guest *g = domid < NDOMS ? d->guests[domid] : NULL;
	bool notify = false, more;

	if (!g)
		return; /* ring-less (standalone) or not attached yet */
	more = xs_ring_service(c, RING_BUDGET, &notify);
	if (notify && g->port.bell >= 0)
		pvctrl_evtchn_notify(&g->port);
	if (more)
		loop_again(d, domid);
}

void guest_event(struct daemon *d, struct src *s)
{
	struct guest *g = (struct guest *)s;
	struct xs_domain *dom;
	uint64_t cnt;

	if (g->dead)
		return;
	dom = xs_domain_find(d->st, g->domid);
	if (read(g->port.efd, &cnt, sizeof(cnt)) < 0 && errno != EAGAIN)

		return;
	if (dom && xs_domain_conn(dom))
		guest_service(d, xs_domain_conn(dom));
}

/* ------------------------------------------------ the toolstack role */

struct newdom {
	uint32_t domid;
	const char *name, *uuid;
	uint64_t memory_mib, vcpus, max_vcpus;
	uint64_t store_gfn, store_port, console_gfn, console_port;
};

/* Permissions as libxl names them: "ro" = n0 r<domid> (dom0 owns, the
 * guest reads), "rw" = n<domid> (the guest owns), "con" = n<domid> r0
 * (a frontend directory its backend, dom0, reads). */
enum perms { P_INHERIT, P_RO, P_RW, P_CON, P_DOM0 };

struct writer {
	struct daemon *d;
	const struct newdom *n;
	char dom[32], vm[96], lx[32];
};

/* Writes base/sub (a directory when val is NULL) with perms. */
static void put(struct writer *w, const char *base, const char *sub,
		const char *val, enum perms pk)
{
	char path[256], perms[32];
	size_t plen = 0;
	int rc;

	snprintf(path, sizeof(path), "%s%s%s", base, sub[0] ? "/" : "", sub);
	switch (pk) {
	case P_RO:
		plen = (size_t)snprintf(perms, sizeof(perms), "n0%cr%u", 0,
					w->n->domid) +
		       1;
		break;
	case P_RW:
		plen =
		    (size_t)snprintf(perms, sizeof(perms), "n%u", w->n->domid) +
		    1;
		break;
	case P_CON:
		plen = (size_t)snprintf(perms, sizeof(perms), "n%u%cr0",
					w->n->domid, 0) +
		       1;
		break;
	case P_DOM0:
		plen = 3;
		memcpy(perms, "n0", 3);
		break;
	case P_INHERIT:
		break;
	}
	rc = val ? xs_sys_write(w->d->st, path, val, strlen(val),
				plen ? perms : NULL, plen)
		 : xs_sys_mkdir(w->d->st, path, plen ? perms : NULL, plen);
	if (rc)
		log_warn("toolstack", "%s: %s", path, strerror(-rc));
}

/* libxl__domain_make */
static void make_domain(struct writer *w)
{
	static const char *const ro[] = {"cpu", "memory", "device", "control"};
	static const char *const rw[] = {"device/suspend/event-channel",
					 "control/shutdown",
					 "control/feature-poweroff",
					 "control/feature-reboot",
					 "control/feature-suspend",
					 "control/sysrq",
					 "data",
					 "drivers",
					 "feature",
					 "attr",
					 "error"};
	char t[32];

	xs_sys_rm(w->d->st, w->dom);
	xs_sys_rm(w->d->st, w->vm);
	xs_sys_rm(w->d->st, w->lx);
	put(w, w->dom, "", NULL, P_RO);
	put(w, w->vm, "", NULL, P_RO);
	put(w, w->lx, "", NULL, P_DOM0);
	put(w, w->lx, "device", NULL, P_DOM0);
	put(w, w->dom, "vm", w->vm, P_INHERIT);
	put(w, w->dom, "name", w->n->name, P_INHERIT);
	for (size_t i = 0; i < sizeof(ro) / sizeof(ro[0]); i++)
		put(w, w->dom, ro[i], NULL, P_RO);
	for (size_t i = 0; i < sizeof(rw) / sizeof(rw[0]); i++)
		put(w, w->dom, rw[i], NULL, P_RW);
	put(w, w->vm, "uuid", w->n->uuid, P_INHERIT);
	put(w, w->vm, "name", w->n->name, P_INHERIT);
	snprintf(t, sizeof(t), "%llu.00", (unsigned long long)time(NULL));
	put(w, w->vm, "start_time", t, P_INHERIT);
	put(w, w->dom, "control/platform-feature-multiprocessor-suspend", "1",
	    P_INHERIT);
	put(w, w->dom, "control/platform-feature-xs_reset_watches", "1",
	    P_INHERIT);
	put(w, w->lx, "type", "pvh", P_INHERIT);
}

static const char *num(char *buf, size_t len, uint64_t v)
{
	snprintf(buf, len, "%llu", (unsigned long long)v);
	return buf;
}

/* libxl__build_post, and the primary console's frontend */
static void build_post(struct writer *w)
{
	const struct newdom *n = w->n;
	char v[24], p[48];

	put(w, w->dom, "memory/static-max",
	    num(v, sizeof(v), n->memory_mib * 1024), P_INHERIT);
	put(w, w->dom, "memory/target", v, P_INHERIT);
	put(w, w->dom, "memory/videoram", "0", P_INHERIT);
	put(w, w->dom, "domid", num(v, sizeof(v), n->domid), P_INHERIT);
	put(w, w->dom, "store/port", num(v, sizeof(v), n->store_port),
	    P_INHERIT);
	put(w, w->dom, "store/ring-ref", num(v, sizeof(v), n->store_gfn),
	    P_INHERIT);
	for (uint64_t i = 0; i < n->max_vcpus && i < 512; i++) {
		snprintf(p, sizeof(p), "cpu/%llu/availability",
			 (unsigned long long)i);
		put(w, w->dom, p, i < n->vcpus ? "online" : "offline",
		    P_INHERIT);
	}
	put(w, w->dom, "console", NULL, P_CON);
	put(w, w->dom, "console/backend-id", "0", P_INHERIT);
	put(w, w->dom, "console/limit", "1048576", P_RO);
	put(w, w->dom, "console/type", "xenconsoled", P_RO);
	put(w, w->dom, "console/output", "pty", P_RO);
	put(w, w->dom, "console/tty", "", P_RO);
	put(w, w->dom, "console/port", num(v, sizeof(v), n->console_port),
	    P_RO);
	put(w, w->dom, "console/ring-ref", num(v, sizeof(v), n->console_gfn),
	    P_RO);
}

/* The nodes xl/libxl write for a new domain, with their permissions
 * (see docs/xenstore.md). */
static void write_domain_nodes(struct daemon *d, const struct newdom *n)
{
	struct writer w = {d, n, {0}, {0}, {0}};

	snprintf(w.dom, sizeof(w.dom), "/local/domain/%u", n->domid);
	snprintf(w.vm, sizeof(w.vm), "/vm/%s", n->uuid);
	snprintf(w.lx, sizeof(w.lx), "/libxl/%u", n->domid);
	make_domain(&w);
	build_post(&w);
}

static void domain_gone(struct daemon *d, uint32_t domid)
{
	struct xs_domain *dom = xs_domain_find(d->st, domid);
	char p[128];

	if (dom && xs_domain_uuid(dom)[0]) {
		snprintf(p, sizeof(p), "/vm/%s", xs_domain_uuid(dom));
		xs_sys_rm(d->st, p);
	}
	snprintf(p, sizeof(p), "/local/domain/%u", domid);
	xs_sys_rm(d->st, p);
	snprintf(p, sizeof(p), "/libxl/%u", domid);
	xs_sys_rm(d->st, p);
	xs_domain_destroyed(d->st, domid);
	known_set(d, domid, false);
	log_info("guest", "d%u released", domid);
}

static void domain_created(struct daemon *d, const struct newdom *n)
{
	struct xs_domain *dom = xs_domain_find(d->st, n->domid);
	int rc;

	if (dom && xs_domain_introduced(dom)) {
		if (!strcmp(xs_domain_uuid(dom), n->uuid))
			return; /* seen already (sync and event raced) */
		domain_gone(d, n->domid);
	}
	known_set(d, n->domid, true);
	write_domain_nodes(d, n);
	rc = xs_domain_introduce(d->st, n->domid, n->store_gfn,
				 (uint32_t)n->store_port, true, &dom);
	if (rc == 0) {
		xs_domain_set_uuid(dom, n->uuid);
		rc = attach(d, dom, n->store_gfn, (uint32_t)n->store_port);
	}
	if (rc) {
		log_err("guest", "d%u (%s): cannot connect its xenstore ring",
			n->domid, n->name);
		xs_domain_release(d->st, n->domid);
		return;
	}
	log_info("guest", "d%u (%s) introduced", n->domid, n->name);
}

static int parse_newdom(yajl_val v, struct newdom *n)
{
	uint64_t id;

	memset(n, 0, sizeof(*n));
	if (json_u64(v, "domid", &id) || id == 0 || id >= NDOMS)
		return -EINVAL;
	n->domid = (uint32_t)id;
	n->name = json_str(v, "name");
	n->uuid = json_str(v, "uuid");
	if (!n->name)
		n->name = "";
	if (!n->uuid)
		n->uuid = "00000000-0000-0000-0000-000000000000";
	json_u64(v, "memory_mib", &n->memory_mib);
	json_u64(v, "vcpus", &n->vcpus);
	if (json_u64(v, "max_vcpus", &n->max_vcpus))
		n->max_vcpus = n->vcpus;
	if (json_u64(v, "store_gfn", &n->store_gfn) &&
	    json_u64(v, "store_pfn", &n->store_gfn))
		return -EINVAL;
	if (json_u64(v, "store_port", &n->store_port) &&
	    json_u64(v, "store_evtchn", &n->store_port))
		return -EINVAL;
	if (json_u64(v, "console_gfn", &n->console_gfn))
		json_u64(v, "console_pfn", &n->console_gfn);
	if (json_u64(v, "console_port", &n->console_port))
		json_u64(v, "console_evtchn", &n->console_port);
	return 0;
}

/* ------------------------------------------------------------- pvhv */

static void pvhv_event(struct daemon *d, yajl_val ev)
{
	const char *what = json_str(ev, "event");
	struct newdom n;
	uint64_t id;

	if (!what || json_u64(ev, "domid", &id) || id >= NDOMS)
		return;
	if (!strcmp(what, "created") && parse_newdom(ev, &n) == 0)
		domain_created(d, &n);
	else if (!strcmp(what, "shutdown"))
		xs_domain_shutdown(d->st, (uint32_t)id);
	else if (!strcmp(what, "destroyed"))
		domain_gone(d, (uint32_t)id);
}

static void pvhv_lost(struct daemon *d)
{
	log_warn("pvhv", "connection to pvhv lost: its domains are gone");
	loop_del(d, pvctrl_fd(d->pv));
	pvctrl_close(d->pv);
	d->pv = NULL;
	for (uint32_t i = 1; i < NDOMS; i++) {
		struct xs_domain *dom = xs_domain_find(d->st, i);

		if (d->guests[i])
			guest_free(d, d->guests[i]);
		if (dom && xs_domain_introduced(dom))
			domain_gone(d, i);
	}
	memset(d->known, 0, NDOMS / 8);
	d->pv_retry_ns = now_ns() + 1000000000ull;
}

void pvhv_drain(struct daemon *d)
{
	d->pv_called = false;
	while (d->pv) {
		struct pvctrl_msg m;
		int rc = pvctrl_next(d->pv, &m, 0);

		if (rc == -ETIMEDOUT)
			return;
		if (rc < 0) {
			pvhv_lost(d);
			return;
		}
		if (m.kind == PV_CTL_EVENT && m.json)
			pvhv_event(d, m.json);
		pvctrl_msg_free(&m);
	}
}

void pvhv_readable(struct daemon *d)
{
	pvhv_drain(d);
}

static int info_of(struct daemon *d, uint32_t domid, struct newdom *n,
		   yajl_val *keep)
{
	char req[64];
	yajl_val r, dv;

	snprintf(req, sizeof(req), "{\"op\":\"info\",\"domid\":%u}", domid);
	if (pvctrl_call(d->pv, req, NULL, 0, &r, err, sizeof(err)))
		return -ESRCH;
	dv = json_get(r, "domain");
	if (!dv || parse_newdom(dv, n)) {
		yajl_tree_free(r);
		return -EINVAL;
	}
	*keep = r;
	return 0;
}

struct journaled {
	uint32_t *ids;
	size_t n;
};

static void collect(struct xs_domain *dom, void *arg)
{
	struct journaled *j = arg;
	uint32_t *p = realloc(j->ids, (j->n + 1) * sizeof(*p));

	if (p) {
		j->ids = p;
		j->ids[j->n++] = xs_domain_id(dom);
	}
}

/* Brings the store in line with the domains pvhv runs. */
static void sync_domains(struct daemon *d, yajl_val list, bool same_pvhv)
{
	struct journaled j = {NULL, 0};
	size_t n = list && YAJL_IS_ARRAY(list) ? list->u.array.len : 0;

	for (size_t i = 0; i < n; i++) {
		uint64_t id;

		if (!json_u64(list->u.array.values[i], "domid", &id))
			known_set(d, (uint32_t)id, true);
	}
	xs_domain_foreach(d->st, collect, &j);
	for (size_t i = 0; i < j.n; i++) {
		struct xs_domain *dom = xs_domain_find(d->st, j.ids[i]);
		struct newdom nd;
		yajl_val keep = NULL;
		bool same = same_pvhv &&
			    info_of(d, j.ids[i], &nd, &keep) == 0 &&
			    (!xs_domain_uuid(dom)[0] ||
			     !strcmp(xs_domain_uuid(dom), nd.uuid));

		if (keep)
			yajl_tree_free(keep);
		if (!same || attach(d, dom, xs_domain_ring_gfn(dom),
				    xs_domain_ring_port(dom))) {
			domain_gone(d, j.ids[i]);
			continue;
		}
		log_info("guest", "d%u: ring re-attached", j.ids[i]);
	}
	free(j.ids);
	for (size_t i = 0; i < n; i++) {
		struct xs_domain *dom;
		struct newdom nd;
		yajl_val keep;
		uint64_t id;

		if (json_u64(list->u.array.values[i], "domid", &id))
			continue;
		dom = xs_domain_find(d->st, (uint32_t)id);
		if (dom && xs_domain_introduced(dom))
			continue;
		if (info_of(d, (uint32_t)id, &nd, &keep) == 0) {
			domain_created(d, &nd);
			yajl_tree_free(keep);
		}
	}
	if (d->restored)
		xs_fire_restored_watches(d->st);
	d->restored = false;
}

/* dom0's own nodes, as xen-init-dom0 writes them. */
static void dom0_nodes(struct daemon *d)
{
	char *v = xs_sys_read(d->st, "/local/domain/0/domid", NULL);

	if (v) {
		free(v);
		return;
	}
	xs_sys_write(d->st, "/local/domain/0/domid", "0", 1, NULL, 0);
	xs_sys_write(d->st, "/local/domain/0/name", "Domain-0", 8, NULL, 0);
}

void pvhv_try_connect(struct daemon *d)
{
	yajl_val r = NULL, list;
	uint64_t pid = 0;
	const char *old;
	char pidbuf[24];

	d->pv_retry_ns = now_ns() + 1000000000ull;
	if (pvctrl_open(d->o.pvhv_rundir, false, &d->pv, err, sizeof(err)))
		return;
	if (pvctrl_call(d->pv, "{\"op\":\"hello\"}", NULL, 0, &r, err,
			sizeof(err)) ||
	    json_u64(r, "pid", &pid))
		goto fail;
	yajl_tree_free(r);
	r = NULL;
	if (pvctrl_call(d->pv, "{\"op\":\"watch\"}", NULL, 0, &r, err,
			sizeof(err)))
		goto fail;
	yajl_tree_free(r);
	r = NULL;
	if (pvctrl_call(d->pv, "{\"op\":\"list\"}", NULL, 0, &r, err,
			sizeof(err)) ||
	    loop_add(d, pvctrl_fd(d->pv), &d->pvhv_src, EPOLLIN))
		goto fail;
	log_info("pvhv", "connected to pvhv (pid %llu) in %s",
		 (unsigned long long)pid, d->o.pvhv_rundir);
	old = xs_store_meta(d->st, "pvhv-pid");
	list = json_get(r, "domains");
	dom0_nodes(d);
	sync_domains(d, list, old && strtoull(old, NULL, 10) == pid);
	snprintf(pidbuf, sizeof(pidbuf), "%llu", (unsigned long long)pid);
	xs_store_set_meta(d->st, "pvhv-pid", pidbuf);
	yajl_tree_free(r);
	d->pv_called = true;
	return;
fail:
	log_warn("pvhv", "pvhv in %s: %s", d->o.pvhv_rundir, err);
	if (r)
		yajl_tree_free(r);
	pvctrl_close(d->pv);
	d->pv = NULL;
}

void guests_init(struct daemon *d)
{
	d->known = calloc(NDOMS / 8 + 1, 1);
	d->guests = calloc(NDOMS, sizeof(*d->guests));
	if (!d->known || !d->guests) {
		log_err("pvstored", "out of memory");
		exit(1);
	}
	if (d->o.test_rings)
		test_rings_init(d);
	if (!d->o.no_pvhv)
		pvhv_try_connect(d);

	if (!d->pv && d->restored) {
		/* No pvhv: restored guests cannot be reached now; they are
		 * re-attached (or released) once pvhv answers. */
		d->pv_retry_ns = 0;
	}
}
