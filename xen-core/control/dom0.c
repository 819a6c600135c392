/*
 * The dom0 access interface (Xen's evtchn, gntdev and privcmd devices in
 * spirit), served over the control socket:
 *
 *  - dom0's event channels: a table with domid 0 whose ports belong to
 *    the control connection that made them. Each port has an eventfd pvhv
 *    signals when the port is sent to, and a doorbell eventfd the client
 *    writes to send: a doorbell thread polls those, so a notify costs one
 *    eventfd write, not a socket round trip.
 *  - memory: a domain's magic pages, any of its frames (dom0 controls
 *    every domain), and pages granted to dom0, each passed as the
 *    domain's memfd plus an offset; grant maps pin the grant (GTF_reading
 *    / GTF_writing) until unmapped or the connection closes.
 *  - grant copy between a guest's grant and the client's own memory.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/uio.h>
#include <unistd.h>

#include <pvabi/pvhv.h>
#include <pvhv/control.h>
#include <pvhv/ctl.h>
#include <pvhv/log.h>

#define DOM0_PORTS 4096

struct dom0_port {
	struct conn *owner;
	int efd;      /* pvhv -> client: the port was signalled */
	int bell;     /* client -> pvhv: send on the port */
	uint32_t gen; /* doorbell events carry it: stale ones are dropped */
	bool early;   /* signalled before the fds existed */
};

struct dom0_map {
	uint32_t handle;
	uint16_t domid;
	grant_ref_t ref;
	bool write;
	struct conn *owner;
	struct dom0_map *next;
};

static struct evtchn_domain dom0_ev;
static struct dom0_port ports[DOM0_PORTS];
static pthread_mutex_t ports_lock = PTHREAD_MUTEX_INITIALIZER;
static int bell_epoll = -1;
static struct dom0_map *maps;
static uint32_t next_handle = 1;

/* ---------------------------------------------------------- event side */

static void dom0_port_signal(struct evtchn_domain *ev, evtchn_port_t port)
{
	uint64_t one = 1;

	(void)ev;
	pthread_mutex_lock(&ports_lock);
	if (ports[port].efd >= 0) {
		if (write(ports[port].efd, &one, sizeof(one)) < 0)
			ports[port].early = true; /* counter full: still set */
	} else {
		ports[port].early = true;
	}
	pthread_mutex_unlock(&ports_lock);
}

static const struct evtchn_hooks dom0_hooks = {
    .port_signal = dom0_port_signal,
};

struct evtchn_domain *control_dom0_evtchn(uint16_t domid)
{
	return domid == 0 && dom0_ev.port ? &dom0_ev : NULL;
}

void control_domain_exception(void)
{
	if (dom0_ev.port)
		evtchn_send_virq(&dom0_ev, 0, VIRQ_DOM_EXC);
}

void control_console_virq(void)
{
	if (dom0_ev.port)
		evtchn_send_virq(&dom0_ev, 0, VIRQ_CON_RING);
}

static void *doorbell_thread(void *arg)
{
	struct epoll_event evs[64];

	(void)arg;
	for (;;) {
		int n = epoll_wait(bell_epoll, evs, 64, -1);

		for (int i = 0; i < n; i++) {
			evtchn_port_t p = (evtchn_port_t)evs[i].data.u64;
			uint32_t gen = (uint32_t)(evs[i].data.u64 >> 32);
			uint64_t cnt;
			int bell = -1;

			pthread_mutex_lock(&ports_lock);
			if (p < DOM0_PORTS && ports[p].gen == gen)
				bell = ports[p].bell;
			if (bell >= 0 && read(bell, &cnt, sizeof(cnt)) < 0)
				bell = -1;
			pthread_mutex_unlock(&ports_lock);
			if (bell < 0)
				continue;
			pthread_rwlock_rdlock(&domains_lock);
			evtchn_send(&dom0_ev, p);
			pthread_rwlock_unlock(&domains_lock);
		}
	}
	return NULL;
}

int control_dom0_init(void)
{
	pthread_t t;
	int rc;

	for (int i = 0; i < DOM0_PORTS; i++)
		ports[i] = (struct dom0_port){.efd = -1, .bell = -1};
	rc = evtchn_init(&dom0_ev, 0, DOM0_PORTS, 1, &dom0_hooks, NULL);
	if (rc)
		return -ENOMEM;
	bell_epoll = epoll_create1(EPOLL_CLOEXEC);
	if (bell_epoll < 0)
		return -errno;
	rc = pthread_create(&t, NULL, doorbell_thread, NULL);
	if (rc)
		return -rc;
	pthread_detach(t);
	return 0;
}

/* Gives a new dom0 port its fds and owner; returns the two fds to send. */
static int port_attach(struct conn *c, evtchn_port_t p, int fds[2])
{
	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	int bell = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	struct epoll_event ev = {.events = EPOLLIN};
	uint64_t one = 1;

	if (efd < 0 || bell < 0) {
		if (efd >= 0)
			close(efd);
		if (bell >= 0)
			close(bell);
		return -EMFILE;
	}
	pthread_mutex_lock(&ports_lock);
	ports[p].owner = c;
	ports[p].efd = efd;
	ports[p].bell = bell;
	ports[p].gen++;
	if (ports[p].early && write(efd, &one, sizeof(one)) < 0)
		log_warn("dom0", "port %u: eventfd: %s", p, strerror(errno));
	ports[p].early = false;
	ev.data.u64 = ((uint64_t)ports[p].gen << 32) | p;
	pthread_mutex_unlock(&ports_lock);
	epoll_ctl(bell_epoll, EPOLL_CTL_ADD, bell, &ev);
	fds[0] = efd;
	fds[1] = bell;
	return 0;
}

static void port_release(evtchn_port_t p)
{
	pthread_rwlock_rdlock(&domains_lock);
	evtchn_close(&dom0_ev, p);
	pthread_rwlock_unlock(&domains_lock);
	pthread_mutex_lock(&ports_lock);
	if (ports[p].bell >= 0) {
		epoll_ctl(bell_epoll, EPOLL_CTL_DEL, ports[p].bell, NULL);
		close(ports[p].bell);
	}
	if (ports[p].efd >= 0)
		close(ports[p].efd);
	ports[p] =
	    (struct dom0_port){.efd = -1, .bell = -1, .gen = ports[p].gen + 1};
	pthread_mutex_unlock(&ports_lock);
}

static bool port_owned(struct conn *c, uint64_t p)
{
	bool ok;

	pthread_mutex_lock(&ports_lock);
	ok = p < DOM0_PORTS && ports[p].owner == c;
	pthread_mutex_unlock(&ports_lock);
	return ok;
}

/* Replies {"port": p} with the port's fds, or releases it on failure. */
static int reply_port(struct ctl_req *r, evtchn_port_t p)
{
	int fds[2];

	if (port_attach(r->c, p, fds) < 0) {
		port_release(p);
		snprintf(r->err, sizeof(r->err), "out of file descriptors");
		return -EMFILE;
	}
	jg_u64(r->out, "port", p);
	r->reply_fds[0] = fds[0];
	r->reply_fds[1] = fds[1];
	r->reply_nfds = 2;
	return 0;
}

static int xen_err(struct ctl_req *r, int xrc, const char *what)
{
	snprintf(r->err, sizeof(r->err), "%s: %s", what, strerror(-xrc));
	return xrc; /* Xen errno values are Linux's */
}

int ctl_op_evtchn_alloc_unbound(struct ctl_req *r)
{
	uint64_t dom = 0, remote;
	evtchn_port_t p;
	int rc;

	if (json_u64(r->req, "domid", &dom) == -EINVAL ||
	    dom >= DOMID_FIRST_RESERVED)
		return xen_err(r, -EINVAL, "domid");
	if (json_u64(r->req, "remote", &remote) ||
	    remote >= DOMID_FIRST_RESERVED)
		return xen_err(r, -EINVAL, "remote");
	pthread_rwlock_rdlock(&domains_lock);
	if (dom == 0) {
		rc = evtchn_alloc_unbound(&dom0_ev, (uint16_t)remote, &p);
	} else {
		/* The toolstack's way: a port in a guest for `remote`. */
		struct domain *d = domain_lookup((uint32_t)dom);

		rc = d ? evtchn_alloc_unbound(&d->ev, (uint16_t)remote, &p)
		       : -ESRCH;
	}
	pthread_rwlock_unlock(&domains_lock);
	if (rc)
		return xen_err(r, rc, "alloc_unbound");
	if (dom != 0) {
		jg_u64(r->out, "port", p);
		return 0;
	}
	return reply_port(r, p);
}

int ctl_op_evtchn_bind_interdomain(struct ctl_req *r)
{
	uint64_t dom, rport;
	evtchn_port_t p = 0;
	int rc;

	if (json_u64(r->req, "domid", &dom) || json_u64(r->req, "port", &rport))
		return xen_err(r, -EINVAL, "bind_interdomain: domid, port");
	pthread_rwlock_rdlock(&domains_lock);
	{
		struct domain *d = dom < DOMID_FIRST_RESERVED
				       ? domain_lookup((uint32_t)dom)
				       : NULL;

		rc = d ? evtchn_bind_interdomain(&dom0_ev, &d->ev,
						 (evtchn_port_t)rport, &p)
		       : -ESRCH;
	}
	pthread_rwlock_unlock(&domains_lock);
	if (rc)
		return xen_err(r, rc, "bind_interdomain");
	return reply_port(r, p);
}

int ctl_op_evtchn_bind_virq(struct ctl_req *r)
{
	uint64_t virq;
	evtchn_port_t p;
	int rc;

	if (json_u64(r->req, "virq", &virq) || virq >= NR_VIRQS)
		return xen_err(r, -EINVAL, "virq");
	rc = evtchn_bind_virq(&dom0_ev, (uint32_t)virq, 0, &p);
	if (rc)
		return xen_err(r, rc, "bind_virq");
	return reply_port(r, p);
}

int ctl_op_evtchn_close(struct ctl_req *r)
{
	uint64_t p;

	if (json_u64(r->req, "port", &p) || !port_owned(r->c, p))
		return xen_err(r, -EINVAL,
			       "not one of this connection's ports");
	port_release((evtchn_port_t)p);
	return 0;
}

int ctl_op_evtchn_notify(struct ctl_req *r)
{
	uint64_t p;
	int rc;

	if (json_u64(r->req, "port", &p) || !port_owned(r->c, p))
		return xen_err(r, -EINVAL,
			       "not one of this connection's ports");
	pthread_rwlock_rdlock(&domains_lock);
	rc = evtchn_send(&dom0_ev, (evtchn_port_t)p);
	pthread_rwlock_unlock(&domains_lock);
	return rc ? xen_err(r, rc, "send") : 0;
}

int ctl_op_evtchn_status(struct ctl_req *r)
{
	static const char *const names[] = {"closed", "unbound", "interdomain",
					    "pirq",   "virq",	 "ipi"};
	struct evtchn_status st;
	uint64_t dom = 0, p;
	int rc;

	if (json_u64(r->req, "domid", &dom) == -EINVAL ||
	    dom >= DOMID_FIRST_RESERVED)
		return xen_err(r, -EINVAL, "domid");
	if (json_u64(r->req, "port", &p) || p > UINT32_MAX)
		return xen_err(r, -EINVAL, "port");
	pthread_rwlock_rdlock(&domains_lock);
	{
		struct evtchn_domain *ev =
		    dom == 0 ? &dom0_ev
			     : (domain_lookup((uint32_t)dom)
				    ? &domain_lookup((uint32_t)dom)->ev
				    : NULL);

		rc = ev ? evtchn_status(ev, (evtchn_port_t)p, &st) : -ESRCH;
	}
	pthread_rwlock_unlock(&domains_lock);
	if (rc)
		return xen_err(r, rc, "status");
	jg_str(r->out, "status", names[st.status < 6 ? st.status : 0]);
	jg_u64(r->out, "vcpu", st.vcpu);
	if (st.status == EVTCHNSTAT_unbound)
		jg_u64(r->out, "remote_domid", st.u.unbound.dom);
	if (st.status == EVTCHNSTAT_interdomain) {
		jg_u64(r->out, "remote_domid", st.u.interdomain.dom);
		jg_u64(r->out, "remote_port", st.u.interdomain.port);
	}
	if (st.status == EVTCHNSTAT_virq)
		jg_u64(r->out, "virq", st.u.virq);
	return 0;
}

/* ---------------------------------------------------------- memory side */

/* Domain named by "domid"; main thread only (see ops.c). */
static struct domain *req_dom(struct ctl_req *r)
{
	uint64_t dom;
	struct domain *d = NULL;

	if (json_u64(r->req, "domid", &dom) == 0 &&
	    dom < DOMID_FIRST_RESERVED) {
		pthread_rwlock_rdlock(&domains_lock);
		d = domain_lookup((uint32_t)dom);
		pthread_rwlock_unlock(&domains_lock);
	}
	if (!d)
		snprintf(r->err, sizeof(r->err), "no such domain");
	return d;
}

static int reply_frame(struct ctl_req *r, struct domain *d, gpa_t gpa)
{
	uint64_t off;

	if (gpa_to_offset(&d->mem, gpa, &off, NULL) < 0) {
		snprintf(r->err, sizeof(r->err),
			 "frame %#llx is not memory of domain %u",
			 (unsigned long long)(gpa >> PAGE_SHIFT), d->domid);
		return -EINVAL;
	}
	jg_u64(r->out, "offset", off);
	jg_u64(r->out, "size", PAGE_SIZE);
	r->reply_fds[0] = d->mem.memfd;
	r->reply_nfds = 1;
	return 0;
}

int ctl_op_map_magic(struct ctl_req *r)
{
	struct domain *d = req_dom(r);
	const char *page = json_str(r->req, "page");
	uint32_t idx;

	if (!d)
		return -ESRCH;
	if (page && !strcmp(page, "store"))
		idx = PV_SPECIAL_XENSTORE;
	else if (page && !strcmp(page, "console"))
		idx = PV_SPECIAL_CONSOLE;
	else
		return xen_err(r, -EINVAL, "page: \"store\" or \"console\"");
	jg_u64(r->out, "gfn", (PV_SPECIAL_BASE >> PAGE_SHIFT) + idx);
	return reply_frame(r, d, PV_SPECIAL_BASE + idx * PAGE_SIZE);
}

int ctl_op_map_foreign(struct ctl_req *r)
{
	struct domain *d = req_dom(r);
	uint64_t gfn;

	if (!d)
		return -ESRCH;
	if (json_u64(r->req, "gfn", &gfn) || gfn >> (64 - PAGE_SHIFT))
		return xen_err(r, -EINVAL, "gfn");
	return reply_frame(r, d, gfn << PAGE_SHIFT);
}

int ctl_op_grant_map(struct ctl_req *r)
{
	struct domain *d = req_dom(r);
	struct dom0_map *m;
	uint64_t ref, gfn;
	bool ro = false;
	int st;

	if (!d)
		return -ESRCH;
	json_bool(r->req, "readonly", &ro);
	if (json_u64(r->req, "ref", &ref) || ref > UINT32_MAX)
		return xen_err(r, -EINVAL, "ref");
	st = gnttab_pin(d, (grant_ref_t)ref, 0, !ro, &gfn);
	if (st != GNTST_okay) {
		snprintf(r->err, sizeof(r->err),
			 "grant %llu of domain %u: %s (GNTST %d)",
			 (unsigned long long)ref, d->domid,
			 st == GNTST_permission_denied ? "not granted to dom0"
			 : st == GNTST_bad_gntref ? "no such grant reference"
						  : "cannot be used",
			 st);
		return -EACCES;
	}
	if (!gnttab_frame_ptr(d, gfn) || reply_frame(r, d, gfn << PAGE_SHIFT)) {
		gnttab_unpin(d, (grant_ref_t)ref, !ro);
		snprintf(r->err, sizeof(r->err), "granted frame is not RAM");
		return -EFAULT;
	}
	m = calloc(1, sizeof(*m));
	if (!m) {
		gnttab_unpin(d, (grant_ref_t)ref, !ro);
		return -ENOMEM;
	}
	*m = (struct dom0_map){
	    next_handle++, (uint16_t)d->domid, (grant_ref_t)ref, !ro, r->c,
	    maps};
	maps = m;
	jg_u64(r->out, "handle", m->handle);
	return 0;
}

static void map_drop(struct dom0_map **pp, bool unpin)
{
	struct dom0_map *m = *pp;

	*pp = m->next;
	if (unpin) {
		struct domain *d;

		pthread_rwlock_rdlock(&domains_lock);
		d = domain_lookup(m->domid);
		if (d)
			gnttab_unpin(d, m->ref, m->write);
		pthread_rwlock_unlock(&domains_lock);
	}
	free(m);
}

int ctl_op_grant_unmap(struct ctl_req *r)
{
	uint64_t h;

	if (json_u64(r->req, "handle", &h))
		return xen_err(r, -EINVAL, "handle");
	for (struct dom0_map **pp = &maps; *pp; pp = &(*pp)->next) {
		if ((*pp)->handle == h && (*pp)->owner == r->c) {
			map_drop(pp, true);
			return 0;
		}
	}
	return xen_err(r, -EINVAL, "not one of this connection's grant maps");
}

/* One dom0 grant copy: between grant (domid, ref) and the client's own
 * memory at addr (read or written with process_vm_*). */
static int16_t dom0_copy_one(struct ctl_req *r, yajl_val op)
{
	uint64_t dom, ref, off, len, addr, gfn;
	bool to_guest = false;
	struct domain *d;
	struct iovec local, remote;
	uint8_t *page;
	ssize_t n;

	if (json_u64(op, "domid", &dom) || json_u64(op, "ref", &ref) ||
	    json_u64(op, "offset", &off) || json_u64(op, "len", &len) ||
	    json_u64(op, "addr", &addr) || off > PAGE_SIZE ||
	    len > PAGE_SIZE - off || ref > UINT32_MAX)
		return GNTST_bad_copy_arg;
	json_bool(op, "to_guest", &to_guest);
	d = dom < DOMID_FIRST_RESERVED ? domain_lookup((uint32_t)dom) : NULL;
	if (!d)
		return GNTST_bad_domain;
	if (gnttab_pin(d, (grant_ref_t)ref, 0, to_guest, &gfn) != GNTST_okay)
		return GNTST_permission_denied;
	page = gnttab_frame_ptr(d, gfn);
	local = (struct iovec){page + off, len};
	remote = (struct iovec){(void *)(uintptr_t)addr, len};
	n = !page      ? -1
	    : to_guest ? process_vm_readv(r->c->pid, &local, 1, &remote, 1, 0)
		       : process_vm_writev(r->c->pid, &local, 1, &remote, 1, 0);
	gnttab_unpin(d, (grant_ref_t)ref, to_guest);
	return n == (ssize_t)len ? GNTST_okay : GNTST_bad_virt_addr;
}

int ctl_op_grant_copy(struct ctl_req *r)
{
	yajl_val ops = json_get(r->req, "ops");

	if (!ops || !YAJL_IS_ARRAY(ops) || ops->u.array.len > 1024)
		return xen_err(r, -EINVAL,
			       "ops: an array of up to 1024 copies");
	jg_key(r->out, "status");
	yajl_gen_array_open(r->out);
	pthread_rwlock_rdlock(&domains_lock);
	for (size_t i = 0; i < ops->u.array.len; i++)
		yajl_gen_integer(r->out,
				 dom0_copy_one(r, ops->u.array.values[i]));
	pthread_rwlock_unlock(&domains_lock);
	yajl_gen_array_close(r->out);
	return 0;
}

/* ---------------------------------------------------------- cleanup */

void dom0_conn_released(struct conn *c)
{
	for (evtchn_port_t p = 1; p < DOM0_PORTS; p++)
		if (port_owned(c, p))
			port_release(p);
	for (struct dom0_map **pp = &maps; *pp;) {
		if ((*pp)->owner == c)
			map_drop(pp, true);
		else
			pp = &(*pp)->next;
	}
}

void dom0_domain_gone(uint32_t domid)
{
	for (struct dom0_map **pp = &maps; *pp;) {
		if ((*pp)->domid == domid)
			map_drop(pp, false);
		else
			pp = &(*pp)->next;
	}
}
