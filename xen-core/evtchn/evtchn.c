/*
 * Event channels: the port state machine and 2-level delivery
 * (see evtchn.h). Semantics follow Xen's common/event_channel.c and
 * event_2l.c: port 0 is reserved, the lowest free port is allocated,
 * closing one end of an interdomain channel leaves the peer unbound, send
 * on an unbound port is silently dropped.
 */
#include <stdlib.h>
#include <string.h>

#include <pvabi/errno.h>
#include <pvhv/evtchn.h>

struct evtchn_domain *(*evtchn_lookup)(uint16_t domid);

#define BITS_PER_WORD 64u

bool virq_is_global(uint32_t virq)
{
	switch (virq) {
	case VIRQ_TIMER:
	case VIRQ_DEBUG:
	case VIRQ_XENOPROF:
	case VIRQ_XENPMU:
		return false;
	default:
		return true;
	}
}

int evtchn_init(struct evtchn_domain *ev, uint16_t domid, uint32_t max_ports,
		uint32_t nr_vcpus, const struct evtchn_hooks *hooks,
		void *owner)
{
	memset(ev, 0, sizeof(*ev));
	if (max_ports < 1 || max_ports > EVTCHN_2L_NR_PORTS ||
	    nr_vcpus > PV_MAX_VCPUS)
		return -XEN_EINVAL;
	ev->port = calloc(max_ports, sizeof(*ev->port));
	if (!ev->port)
		return -XEN_ENOMEM;
	pthread_mutex_init(&ev->lock, NULL);
	ev->domid = domid;
	ev->max_ports = max_ports;
	ev->nr_vcpus = nr_vcpus;
	ev->hooks = hooks;
	ev->owner = owner;
	ev->port[0].state = ECS_RESERVED;
	return 0;
}

static bool port_valid(struct evtchn_domain *ev, evtchn_port_t port)
{
	return port < ev->max_ports;
}

/* Lowest free port, or -ENOSPC. Caller holds ev->lock. */
static int port_alloc(struct evtchn_domain *ev)
{
	for (uint32_t p = 1; p < ev->max_ports; p++) {
		if (ev->port[p].state == ECS_FREE) {
			ev->port[p] = (struct evtchn){0};
			return (int)p;
		}
	}
	return -XEN_ENOSPC;
}

static uint64_t *word_of(uint64_t *array, evtchn_port_t port)
{
	return &array[port / BITS_PER_WORD];
}

static uint64_t bit_of(evtchn_port_t port)
{
	return 1ull << (port % BITS_PER_WORD);
}

/* Xen's evtchn_2l_set_pending + vcpu_mark_events_pending. */
static void port_set_pending(struct evtchn_domain *ev, evtchn_port_t port)
{
	struct shared_info *si;
	struct vcpu_info *vi;
	uint64_t bit = bit_of(port), old;
	uint32_t vcpu = ev->port[port].notify_vcpu;

	if (!ev->hooks->shared_info) {
		ev->hooks->port_signal(ev, port);
		return;
	}
	si = ev->hooks->shared_info(ev);
	old = __atomic_fetch_or(word_of(si->evtchn_pending, port), bit,
				__ATOMIC_SEQ_CST);
	if (old & bit)
		return;
	if (!(__atomic_load_n(word_of(si->evtchn_mask, port),
			      __ATOMIC_SEQ_CST) &
	      bit)) {
		uint64_t sel = 1ull << (port / BITS_PER_WORD);

		vi = ev->hooks->vcpu_info(ev, vcpu);
		old = __atomic_fetch_or(&vi->evtchn_pending_sel, sel,
					__ATOMIC_SEQ_CST);
		if (!(old & sel) &&
		    !__atomic_exchange_n(&vi->evtchn_upcall_pending, 1,
					 __ATOMIC_SEQ_CST))
			ev->hooks->upcall(ev, vcpu);
	}
	if (ev->hooks->poll_wake)
		ev->hooks->poll_wake(ev, port);
}

static void port_clear_pending(struct evtchn_domain *ev, evtchn_port_t port)
{
	struct shared_info *si;

	if (!ev->hooks->shared_info)
		return;
	si = ev->hooks->shared_info(ev);
	__atomic_fetch_and(word_of(si->evtchn_pending, port), ~bit_of(port),
			   __ATOMIC_SEQ_CST);
}

bool evtchn_is_pending(struct evtchn_domain *ev, evtchn_port_t port)
{
	struct shared_info *si;

	if (!port_valid(ev, port) || !ev->hooks->shared_info)
		return false;
	si = ev->hooks->shared_info(ev);
	return __atomic_load_n(word_of(si->evtchn_pending, port),
			       __ATOMIC_SEQ_CST) &
	       bit_of(port);
}

/* Locks two tables in domid order (same table: once). */
static void lock_pair(struct evtchn_domain *a, struct evtchn_domain *b)
{
	if (a == b) {
		pthread_mutex_lock(&a->lock);
	} else if (a->domid < b->domid) {
		pthread_mutex_lock(&a->lock);
		pthread_mutex_lock(&b->lock);
	} else {
		pthread_mutex_lock(&b->lock);
		pthread_mutex_lock(&a->lock);
	}
}

static void unlock_pair(struct evtchn_domain *a, struct evtchn_domain *b)
{
	pthread_mutex_unlock(&a->lock);
	if (a != b)
		pthread_mutex_unlock(&b->lock);
}

int evtchn_alloc_unbound(struct evtchn_domain *ev, uint16_t remote_dom,
			 evtchn_port_t *port)
{
	int p;

	pthread_mutex_lock(&ev->lock);
	p = port_alloc(ev);
	if (p >= 0) {
		ev->port[p].state = ECS_UNBOUND;
		ev->port[p].remote_dom = remote_dom;
		*port = (evtchn_port_t)p;
	}
	pthread_mutex_unlock(&ev->lock);
	return p < 0 ? p : 0;
}

int evtchn_bind_interdomain(struct evtchn_domain *ev, struct evtchn_domain *rev,
			    evtchn_port_t rport, evtchn_port_t *lport)
{
	struct evtchn *r;
	int p, rc = 0;

	lock_pair(ev, rev);
	p = port_alloc(ev);
	if (p < 0) {
		rc = p;
		goto out;
	}
	if (!port_valid(rev, rport)) {
		rc = -XEN_EINVAL;
		goto out;
	}
	r = &rev->port[rport];
	/* Binding a port to itself (same domain, same port) is refused by
	 * the state check: the new local port is not yet UNBOUND. */
	if (r->state != ECS_UNBOUND || r->remote_dom != ev->domid ||
	    (rev == ev && rport == (evtchn_port_t)p)) {
		rc = -XEN_EINVAL;
		goto out;
	}
	ev->port[p] = (struct evtchn){.state = ECS_INTERDOMAIN,
				      .remote_dom = rev->domid,
				      .remote_port = rport};
	r->state = ECS_INTERDOMAIN;
	r->remote_dom = ev->domid;
	r->remote_port = (evtchn_port_t)p;
	*lport = (evtchn_port_t)p;
	/* The peer may have signalled before we bound: start pending. */
	port_set_pending(ev, (evtchn_port_t)p);
out:
	unlock_pair(ev, rev);
	return rc;
}

int evtchn_bind_virq(struct evtchn_domain *ev, uint32_t virq, uint32_t vcpu,
		     evtchn_port_t *port)
{
	int p;

	if (virq >= NR_VIRQS)
		return -XEN_EINVAL;
	if (virq_is_global(virq) && vcpu != 0)
		return -XEN_EINVAL;
	if (vcpu >= ev->nr_vcpus)
		return -XEN_ENOENT;
	pthread_mutex_lock(&ev->lock);
	if (ev->virq_port[vcpu][virq]) {
		p = -XEN_EEXIST;
	} else {
		p = port_alloc(ev);
		if (p >= 0) {
			ev->port[p] =
			    (struct evtchn){.state = ECS_VIRQ,
					    .notify_vcpu = (uint16_t)vcpu,
					    .virq = (uint16_t)virq};
			ev->virq_port[vcpu][virq] = (uint16_t)p;
			*port = (evtchn_port_t)p;
		}
	}
	pthread_mutex_unlock(&ev->lock);
	return p < 0 ? p : 0;
}

int evtchn_bind_ipi(struct evtchn_domain *ev, uint32_t vcpu,
		    evtchn_port_t *port)
{
	int p;

	if (vcpu >= ev->nr_vcpus)
		return -XEN_ENOENT;
	pthread_mutex_lock(&ev->lock);
	p = port_alloc(ev);
	if (p >= 0) {
		ev->port[p] = (struct evtchn){.state = ECS_IPI,
					      .notify_vcpu = (uint16_t)vcpu};
		*port = (evtchn_port_t)p;
	}
	pthread_mutex_unlock(&ev->lock);
	return p < 0 ? p : 0;
}

/* Frees a local port. Caller holds ev->lock (and the peer's lock for an
 * interdomain port). */
static void port_free(struct evtchn_domain *ev, evtchn_port_t port)
{
	struct evtchn *c = &ev->port[port];

	if (c->state == ECS_VIRQ) {
		/* Global VIRQs live in vCPU 0's slot whatever bind_vcpu did. */
		uint32_t slot = virq_is_global(c->virq) ? 0 : c->notify_vcpu;

		if (ev->virq_port[slot][c->virq] == port)
			ev->virq_port[slot][c->virq] = 0;
	}
	port_clear_pending(ev, port);
	*c = (struct evtchn){.state = ECS_FREE};
}

/*
 * Interdomain close needs the peer's lock, taken in domid order, so the
 * local lock is dropped and the state re-checked until it is stable.
 */
static int close_interdomain(struct evtchn_domain *ev, evtchn_port_t port)
{
	for (int tries = 0; tries < 100; tries++) {
		struct evtchn c = ev->port[port];
		struct evtchn_domain *rev;

		pthread_mutex_unlock(&ev->lock);
		rev = c.remote_dom == ev->domid ? ev
						: evtchn_lookup(c.remote_dom);
		if (!rev) {
			/* Peer already gone: its end died with it. */
			pthread_mutex_lock(&ev->lock);
			if (ev->port[port].state == ECS_INTERDOMAIN &&
			    ev->port[port].remote_dom == c.remote_dom)
				port_free(ev, port);
			return 0;
		}
		lock_pair(ev, rev);
		if (ev->port[port].state != ECS_INTERDOMAIN) {
			unlock_pair(ev, rev);
			pthread_mutex_lock(&ev->lock);
			return 0; /* closed meanwhile */
		}
		c = ev->port[port];
		if (c.remote_dom != rev->domid) {
			unlock_pair(ev, rev);
			pthread_mutex_lock(&ev->lock);
			continue;
		}
		if (port_valid(rev, c.remote_port)) {
			struct evtchn *r = &rev->port[c.remote_port];

			if (r->state == ECS_INTERDOMAIN &&
			    r->remote_dom == ev->domid &&
			    r->remote_port == port) {
				r->state = ECS_UNBOUND;
				r->remote_dom = ev->domid;
				r->remote_port = 0;
			}
		}
		port_free(ev, port);
		if (rev != ev)
			pthread_mutex_unlock(&rev->lock);
		return 0;
	}
	return -XEN_EAGAIN;
}

int evtchn_close(struct evtchn_domain *ev, evtchn_port_t port)
{
	int rc = 0;

	if (!port_valid(ev, port))
		return -XEN_EINVAL;
	pthread_mutex_lock(&ev->lock);
	switch (ev->port[port].state) {
	case ECS_FREE:
	case ECS_RESERVED:
		rc = -XEN_EINVAL;
		break;
	case ECS_INTERDOMAIN:
		rc = close_interdomain(ev, port);
		break;
	default:
		port_free(ev, port);
		break;
	}
	pthread_mutex_unlock(&ev->lock);
	return rc;
}

int evtchn_send(struct evtchn_domain *ev, evtchn_port_t port)
{
	struct evtchn_domain *rev;
	struct evtchn c;

	if (!port_valid(ev, port))
		return -XEN_EINVAL;
	pthread_mutex_lock(&ev->lock);
	c = ev->port[port];
	switch (c.state) {
	case ECS_IPI:
		port_set_pending(ev, port);
		/* fall through */
	case ECS_UNBOUND: /* silently dropped, as in Xen */
		pthread_mutex_unlock(&ev->lock);
		return 0;
	case ECS_INTERDOMAIN:
		break;
	default:
		pthread_mutex_unlock(&ev->lock);
		return -XEN_EINVAL;
	}
	if (c.remote_dom == ev->domid) {
		if (port_valid(ev, c.remote_port))
			port_set_pending(ev, c.remote_port);
		pthread_mutex_unlock(&ev->lock);
		return 0;
	}
	pthread_mutex_unlock(&ev->lock);
	/* The caller holds domains_lock, so the peer cannot go away; its end
	 * is re-checked under its own lock. */
	rev = evtchn_lookup(c.remote_dom);
	if (!rev)
		return 0;
	pthread_mutex_lock(&rev->lock);
	if (port_valid(rev, c.remote_port) &&
	    rev->port[c.remote_port].state == ECS_INTERDOMAIN &&
	    rev->port[c.remote_port].remote_dom == ev->domid &&
	    rev->port[c.remote_port].remote_port == port)
		port_set_pending(rev, c.remote_port);
	pthread_mutex_unlock(&rev->lock);
	return 0;
}

int evtchn_status(struct evtchn_domain *ev, evtchn_port_t port,
		  struct evtchn_status *st)
{
	struct evtchn c;

	if (!port_valid(ev, port))
		return -XEN_EINVAL;
	pthread_mutex_lock(&ev->lock);
	c = ev->port[port];
	pthread_mutex_unlock(&ev->lock);
	memset(&st->u, 0, sizeof(st->u));
	st->vcpu = c.notify_vcpu;
	switch (c.state) {
	case ECS_FREE:
	case ECS_RESERVED:
		st->status = EVTCHNSTAT_closed;
		break;
	case ECS_UNBOUND:
		st->status = EVTCHNSTAT_unbound;
		st->u.unbound.dom = c.remote_dom;
		break;
	case ECS_INTERDOMAIN:
		st->status = EVTCHNSTAT_interdomain;
		st->u.interdomain.dom = c.remote_dom;
		st->u.interdomain.port = c.remote_port;
		break;
	case ECS_VIRQ:
		st->status = EVTCHNSTAT_virq;
		st->u.virq = c.virq;
		break;
	case ECS_IPI:
		st->status = EVTCHNSTAT_ipi;
		break;
	}
	return 0;
}

int evtchn_bind_vcpu(struct evtchn_domain *ev, evtchn_port_t port,
		     uint32_t vcpu)
{
	int rc = 0;

	if (vcpu >= ev->nr_vcpus)
		return -XEN_ENOENT;
	if (!port_valid(ev, port))
		return -XEN_EINVAL;
	pthread_mutex_lock(&ev->lock);
	switch (ev->port[port].state) {
	case ECS_VIRQ:
		if (!virq_is_global(ev->port[port].virq)) {
			rc = -XEN_EINVAL;
			break;
		}
		/* Global VIRQs are raised through vCPU 0's table entry,
		 * which keeps pointing at this port. */
		ev->port[port].notify_vcpu = (uint16_t)vcpu;
		break;
	case ECS_UNBOUND:
	case ECS_INTERDOMAIN:
		ev->port[port].notify_vcpu = (uint16_t)vcpu;
		break;
	default:
		rc = -XEN_EINVAL;
		break;
	}
	pthread_mutex_unlock(&ev->lock);
	return rc;
}

/* Xen's evtchn_2l_unmask. */
int evtchn_unmask(struct evtchn_domain *ev, evtchn_port_t port)
{
	struct shared_info *si;
	struct vcpu_info *vi;
	uint64_t bit, sel, old;

	if (!port_valid(ev, port))
		return -XEN_EINVAL;
	if (!ev->hooks->shared_info)
		return 0;
	/* Only now: a guest's port may be any 32-bit value. */
	bit = bit_of(port);
	sel = 1ull << (port / BITS_PER_WORD);
	pthread_mutex_lock(&ev->lock);
	si = ev->hooks->shared_info(ev);
	old = __atomic_fetch_and(word_of(si->evtchn_mask, port), ~bit,
				 __ATOMIC_SEQ_CST);
	if ((old & bit) && (__atomic_load_n(word_of(si->evtchn_pending, port),
					    __ATOMIC_SEQ_CST) &
			    bit)) {
		uint32_t vcpu = ev->port[port].notify_vcpu;

		vi = ev->hooks->vcpu_info(ev, vcpu);
		old = __atomic_fetch_or(&vi->evtchn_pending_sel, sel,
					__ATOMIC_SEQ_CST);
		if (!(old & sel) &&
		    !__atomic_exchange_n(&vi->evtchn_upcall_pending, 1,
					 __ATOMIC_SEQ_CST))
			ev->hooks->upcall(ev, vcpu);
	}
	pthread_mutex_unlock(&ev->lock);
	return 0;
}

int evtchn_reset(struct evtchn_domain *ev)
{
	for (evtchn_port_t p = 1; p < ev->max_ports; p++) {
		int rc = evtchn_close(ev, p);

		if (rc < 0 && rc != -XEN_EINVAL)
			return rc;
	}
	return 0;
}

int evtchn_set_priority(struct evtchn_domain *ev, evtchn_port_t port,
			uint32_t priority)
{
	(void)priority;
	if (!port_valid(ev, port))
		return -XEN_EINVAL;
	/* Priorities exist only in the FIFO ABI; on 2-level Xen says
	 * -ENOSYS too. */
	return -XEN_ENOSYS;
}

bool evtchn_send_virq(struct evtchn_domain *ev, uint32_t vcpu, uint32_t virq)
{
	evtchn_port_t port;

	if (virq >= NR_VIRQS || vcpu >= ev->nr_vcpus)
		return false;
	if (virq_is_global(virq))
		vcpu = 0;
	pthread_mutex_lock(&ev->lock);
	port = ev->virq_port[vcpu][virq];
	if (port)
		port_set_pending(ev, port);
	pthread_mutex_unlock(&ev->lock);
	return port != 0;
}

void evtchn_vcpu_info_moved(struct evtchn_domain *ev, uint32_t vcpu)
{
	struct vcpu_info *vi;

	if (!ev->hooks->shared_info || vcpu >= ev->nr_vcpus)
		return;
	pthread_mutex_lock(&ev->lock);
	vi = ev->hooks->vcpu_info(ev, vcpu);
	/* Every selector bit set: the guest rescans all pending words. */
	__atomic_store_n(&vi->evtchn_pending_sel, ~0ull, __ATOMIC_SEQ_CST);
	if (!__atomic_exchange_n(&vi->evtchn_upcall_pending, 1,
				 __ATOMIC_SEQ_CST))
		ev->hooks->upcall(ev, vcpu);
	pthread_mutex_unlock(&ev->lock);
}

uint32_t evtchn_ports_in_use(struct evtchn_domain *ev)
{
	uint32_t n = 0;

	pthread_mutex_lock(&ev->lock);
	for (uint32_t p = 1; p < ev->max_ports; p++)
		n += ev->port[p].state != ECS_FREE;
	pthread_mutex_unlock(&ev->lock);
	return n;
}

void evtchn_fini(struct evtchn_domain *ev)
{
	if (!ev->port)
		return;
	for (evtchn_port_t p = 1; p < ev->max_ports; p++)
		evtchn_close(ev, p);
	pthread_mutex_destroy(&ev->lock);
	free(ev->port);
	ev->port = NULL;
}
