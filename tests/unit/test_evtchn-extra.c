/*
 * Event-channel test domains and the model checker (see
 * evtchn_harness.h). The model is Xen's common/event_channel.c and
 * event_2l.c: what each op returns in each port state, and what it
 * changes (nothing, when it fails).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pvabi/errno.h>

#include "evtchn_harness.h"

#define WORD_BITS 64u

static struct tdom *registry[TD_MAX_DOMS];
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static char why[512];

static const char *fail(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static const char *fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return why;
}

/* ------------------------------------------------------------- tables */

static struct evtchn_domain *td_lookup(uint16_t domid)
{
	struct evtchn_domain *ev = NULL;

	pthread_mutex_lock(&registry_lock);
	for (int i = 0; i < TD_MAX_DOMS && !ev; i++)
		if (registry[i] && registry[i]->ev.domid == domid)
			ev = &registry[i]->ev;
	pthread_mutex_unlock(&registry_lock);
	return ev;
}

static struct tdom *td_of(struct evtchn_domain *ev)
{
	return ev->owner;
}

static struct shared_info *hk_shared_info(struct evtchn_domain *ev)
{
	return td_of(ev)->si;
}

static struct vcpu_info *hk_vcpu_info(struct evtchn_domain *ev, uint32_t vcpu)
{
	if (vcpu >= ev->nr_vcpus)
		abort(); /* the state machine asked for a vCPU it has not */
	return &td_of(ev)->vi[vcpu];
}

static void hk_upcall(struct evtchn_domain *ev, uint32_t vcpu)
{
	if (vcpu >= ev->nr_vcpus)
		abort();
	__atomic_fetch_add(&td_of(ev)->upcalls[vcpu], 1, __ATOMIC_SEQ_CST);
}

static void hk_poll_wake(struct evtchn_domain *ev, evtchn_port_t port)
{
	(void)port;
	__atomic_fetch_add(&td_of(ev)->polls, 1, __ATOMIC_SEQ_CST);
}

static void hk_port_signal(struct evtchn_domain *ev, evtchn_port_t port)
{
	struct tdom *t = td_of(ev);

	__atomic_store_n(&t->last_signal, port, __ATOMIC_SEQ_CST);
	__atomic_fetch_add(&t->signals, 1, __ATOMIC_SEQ_CST);
}

static const struct evtchn_hooks guest_hooks = {
    .shared_info = hk_shared_info,
    .vcpu_info = hk_vcpu_info,
    .upcall = hk_upcall,
    .poll_wake = hk_poll_wake,
};

static const struct evtchn_hooks dom0_hooks = {
    .port_signal = hk_port_signal,
};

void td_register(struct tdom *t)
{
	pthread_mutex_lock(&registry_lock);
	for (int i = 0; i < TD_MAX_DOMS; i++)
		if (registry[i] == t)
			goto out;
	for (int i = 0; i < TD_MAX_DOMS; i++) {
		if (!registry[i]) {
			registry[i] = t;
			goto out;
		}
	}
	abort(); /* more tables than the harness holds */
out:
	pthread_mutex_unlock(&registry_lock);
}

void td_unregister(struct tdom *t)
{
	pthread_mutex_lock(&registry_lock);
	for (int i = 0; i < TD_MAX_DOMS; i++)
		if (registry[i] == t)
			registry[i] = NULL;
	pthread_mutex_unlock(&registry_lock);
}

int td_init(struct tdom *t, uint16_t domid, uint32_t max_ports,
	    uint32_t nr_vcpus, bool dom0)
{
	int rc;

	memset(t, 0, sizeof(*t));
	if (nr_vcpus > TD_MAX_VCPUS)
		return -XEN_EINVAL;
	if (!dom0) {
		t->si = aligned_alloc(PAGE_SIZE, PAGE_SIZE);
		if (!t->si)
			return -XEN_ENOMEM;
		memset(t->si, 0, PAGE_SIZE);
	}
	rc = evtchn_init(&t->ev, domid, max_ports, nr_vcpus,
			 dom0 ? &dom0_hooks : &guest_hooks, t);
	if (rc) {
		free(t->si);
		t->si = NULL;
		return rc;
	}
	evtchn_lookup = td_lookup;
	td_register(t);
	return 0;
}

void td_fini(struct tdom *t)
{
	td_unregister(t);
	evtchn_fini(&t->ev);
	free(t->si);
	t->si = NULL;
}

/* ------------------------------------------------------ guest memory */

bool td_pending(const struct tdom *t, evtchn_port_t port)
{
	return t->si && port < EVTCHN_2L_NR_PORTS &&
	       (__atomic_load_n(&t->si->evtchn_pending[port / WORD_BITS],
				__ATOMIC_SEQ_CST) >>
		(port % WORD_BITS)) &
		   1;
}

bool td_masked(const struct tdom *t, evtchn_port_t port)
{
	return t->si && port < EVTCHN_2L_NR_PORTS &&
	       (__atomic_load_n(&t->si->evtchn_mask[port / WORD_BITS],
				__ATOMIC_SEQ_CST) >>
		(port % WORD_BITS)) &
		   1;
}

void td_set_mask(struct tdom *t, evtchn_port_t port, bool on)
{
	uint64_t bit = 1ull << (port % WORD_BITS);

	if (!t->si || port >= EVTCHN_2L_NR_PORTS)
		return;
	if (on)
		__atomic_fetch_or(&t->si->evtchn_mask[port / WORD_BITS], bit,
				  __ATOMIC_SEQ_CST);
	else
		__atomic_fetch_and(&t->si->evtchn_mask[port / WORD_BITS], ~bit,
				   __ATOMIC_SEQ_CST);
}

void td_guest_ack(struct tdom *t, uint32_t vcpu)
{
	struct vcpu_info *vi;
	uint64_t sel;

	if (!t->si || vcpu >= t->ev.nr_vcpus)
		return;
	vi = &t->vi[vcpu];
	if (__atomic_exchange_n(&vi->evtchn_upcall_pending, 0,
				__ATOMIC_SEQ_CST))
		__atomic_fetch_add(&t->acked[vcpu], 1, __ATOMIC_SEQ_CST);
	sel = __atomic_exchange_n(&vi->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
	for (unsigned int w = 0; w < WORD_BITS; w++) {
		uint64_t pend, mask;

		if (!(sel >> w & 1))
			continue;
		mask =
		    __atomic_load_n(&t->si->evtchn_mask[w], __ATOMIC_SEQ_CST);
		pend = __atomic_load_n(&t->si->evtchn_pending[w],
				       __ATOMIC_SEQ_CST) &
		       ~mask;
		__atomic_fetch_and(&t->si->evtchn_pending[w], ~pend,
				   __ATOMIC_SEQ_CST);
	}
}

void td_clear_events(struct tdom *t)
{
	if (t->si) {
		memset(t->si->evtchn_pending, 0, sizeof(t->si->evtchn_pending));
		memset(t->si->evtchn_mask, 0, sizeof(t->si->evtchn_mask));
	}
	memset(t->vi, 0, sizeof(t->vi));
	memset(t->upcalls, 0, sizeof(t->upcalls));
	memset(t->acked, 0, sizeof(t->acked));
	t->polls = 0;
	t->signals = 0;
	t->last_signal = 0;
}

/* -------------------------------------------------------- invariants */

static const char *check_port(struct tdom *t, evtchn_port_t p)
{
	struct evtchn_domain *ev = &t->ev;
	const struct evtchn *c = &ev->port[p];
	struct evtchn_domain *rev;
	unsigned int d = ev->domid;

	if (c->state > ECS_IPI || c->state == ECS_RESERVED)
		return fail("d%u port %u: bad state %u", d, p, c->state);
	if (c->notify_vcpu >= ev->nr_vcpus)
		return fail("d%u port %u: notify vCPU %u of %u", d, p,
			    c->notify_vcpu, ev->nr_vcpus);
	switch (c->state) {
	case ECS_FREE:
		if (c->remote_dom || c->remote_port || c->virq)
			return fail("d%u port %u: free port keeps a binding", d,
				    p);
		if (td_pending(t, p))
			return fail("d%u port %u: free port is pending", d, p);
		break;
	case ECS_INTERDOMAIN:
		rev = td_lookup(c->remote_dom);
		if (!rev)
			return fail("d%u port %u: peer d%u does not exist", d,
				    p, c->remote_dom);
		if (c->remote_port >= rev->max_ports ||
		    rev->port[c->remote_port].state != ECS_INTERDOMAIN ||
		    rev->port[c->remote_port].remote_dom != d ||
		    rev->port[c->remote_port].remote_port != p)
			return fail("d%u port %u: peer d%u port %u does not "
				    "point back",
				    d, p, c->remote_dom, c->remote_port);
		break;
	case ECS_VIRQ: {
		uint32_t slot;

		if (c->virq >= NR_VIRQS)
			return fail("d%u port %u: virq %u", d, p, c->virq);
		slot = virq_is_global(c->virq) ? 0 : c->notify_vcpu;
		if (ev->virq_port[slot][c->virq] != p)
			return fail("d%u port %u: virq %u not in vCPU %u's "
				    "table",
				    d, p, c->virq, slot);
		break;
	}
	default:
		break;
	}
	return NULL;
}

static const char *check_virq_table(struct tdom *t)
{
	struct evtchn_domain *ev = &t->ev;

	for (uint32_t v = 0; v < PV_MAX_VCPUS; v++) {
		for (uint32_t virq = 0; virq < NR_VIRQS; virq++) {
			uint32_t p = ev->virq_port[v][virq];
			const struct evtchn *c;

			if (!p)
				continue;
			if (v >= ev->nr_vcpus || p >= ev->max_ports)
				return fail("d%u vCPU %u virq %u -> port %u",
					    ev->domid, v, virq, p);
			c = &ev->port[p];
			if (c->state != ECS_VIRQ || c->virq != virq ||
			    (virq_is_global(virq) ? v != 0
						  : c->notify_vcpu != v))
				return fail("d%u vCPU %u virq %u -> port %u "
					    "(state %u virq %u vCPU %u)",
					    ev->domid, v, virq, p, c->state,
					    c->virq, c->notify_vcpu);
		}
	}
	return NULL;
}

/* Pending bits of ports that exist in word w. */
static uint64_t valid_bits(const struct evtchn_domain *ev, uint32_t w)
{
	uint32_t first = w * WORD_BITS;

	if (first >= ev->max_ports)
		return 0;
	if (ev->max_ports - first >= WORD_BITS)
		return ~0ull;
	return (1ull << (ev->max_ports - first)) - 1;
}

/* 2-level delivery: what the guest can rely on. */
static const char *check_delivery(struct tdom *t)
{
	struct evtchn_domain *ev = &t->ev;
	unsigned int d = ev->domid;
	uint64_t sels = 0;

	if (!t->si)
		return NULL;
	for (uint32_t v = 0; v < TD_MAX_VCPUS; v++) {
		const struct vcpu_info *vi = &t->vi[v];

		if (v >= ev->nr_vcpus) {
			if (vi->evtchn_pending_sel ||
			    vi->evtchn_upcall_pending || t->upcalls[v])
				return fail("d%u vCPU %u does not exist but "
					    "got events",
					    d, v);
			continue;
		}
		sels |= vi->evtchn_pending_sel;
		if (vi->evtchn_pending_sel && !vi->evtchn_upcall_pending)
			return fail("d%u vCPU %u: selector %#llx without "
				    "upcall_pending",
				    d, v,
				    (unsigned long long)vi->evtchn_pending_sel);
		if (t->upcalls[v] != t->acked[v] + vi->evtchn_upcall_pending)
			return fail("d%u vCPU %u: %u upcalls, %u acked, "
				    "upcall_pending %u",
				    d, v, t->upcalls[v], t->acked[v],
				    vi->evtchn_upcall_pending);
	}
	for (uint32_t w = 0; w < WORD_BITS; w++) {
		uint64_t pend = t->si->evtchn_pending[w];

		if (pend & ~valid_bits(ev, w))
			return fail(
			    "d%u port %u beyond max_ports is pending", d,
			    w * WORD_BITS + (uint32_t)__builtin_ctzll(
						pend & ~valid_bits(ev, w)));
		pend &= ~t->si->evtchn_mask[w];
		if (pend && !(sels >> w & 1))
			return fail(
			    "d%u port %u pending and unmasked, but no "
			    "vCPU has selector bit %u",
			    d, w * WORD_BITS + (uint32_t)__builtin_ctzll(pend),
			    w);
	}
	return NULL;
}

const char *td_check(struct tdom *const *t, int n)
{
	const char *w;

	for (int i = 0; i < n; i++) {
		struct evtchn_domain *ev = &t[i]->ev;

		if (ev->port[0].state != ECS_RESERVED)
			return fail("d%u port 0 is not reserved", ev->domid);
		for (uint32_t p = 1; p < ev->max_ports; p++)
			if ((w = check_port(t[i], p)))
				return w;
		if ((w = check_virq_table(t[i])) || (w = check_delivery(t[i])))
			return w;
	}
	return NULL;
}

/* ---------------------------------------------------------- operations */

enum td_kind {
	K_ALLOC,
	K_BIND_ID,
	K_BIND_VIRQ,
	K_BIND_IPI,
	K_CLOSE,
	K_SEND,
	K_UNMASK,
	K_MASK,
	K_ACK,
	K_BIND_VCPU,
	K_SEND_VIRQ,
	K_STATUS,
	K_MOVED,
	K_PRIO,
	K_RESET,
};

/* Relative frequencies: one slot each of 32. */
static const uint8_t kinds[32] = {
    K_ALLOC,	 K_ALLOC,     K_ALLOC,	   K_BIND_ID,  K_BIND_ID, K_BIND_ID,
    K_BIND_VIRQ, K_BIND_VIRQ, K_BIND_IPI,  K_BIND_IPI, K_CLOSE,	  K_CLOSE,
    K_CLOSE,	 K_SEND,      K_SEND,	   K_SEND,     K_SEND,	  K_UNMASK,
    K_UNMASK,	 K_MASK,      K_MASK,	   K_ACK,      K_ACK,	  K_BIND_VCPU,
    K_BIND_VCPU, K_SEND_VIRQ, K_SEND_VIRQ, K_STATUS,   K_STATUS,  K_MOVED,
    K_PRIO,	 K_RESET,
};

struct td_args {
	struct tdom *t, *o; /* acting table, the other one */
	enum td_kind kind;
	evtchn_port_t port;
	uint32_t vcpu, virq;
	uint16_t remote; /* alloc_unbound: who may bind */
	bool to_self;	 /* bind_interdomain: remote table is t */
};

struct td_out {
	evtchn_port_t port;
	struct evtchn_status st;
	bool raised;
};

static void decode(struct tdom *a, struct tdom *b,
		   const uint8_t op[TD_OP_BYTES], struct td_args *x)
{
	unsigned int raw = op[1] | (unsigned int)op[2] << 8;
	uint16_t remotes[3];

	x->t = op[0] & 0x80 ? b : a;
	x->o = op[0] & 0x80 ? a : b;
	x->kind = kinds[op[0] & 31];
	/* Reset is rare: it would keep the tables nearly empty. */
	if (x->kind == K_RESET && op[5] != 0)
		x->kind = K_STATUS;
	x->port = raw == 0xffff ? UINT32_MAX : raw % (x->t->ev.max_ports + 4);
	x->vcpu = op[3] == 0xff ? UINT32_MAX : op[3] % (x->t->ev.nr_vcpus + 2);
	x->virq = op[4] == 0xff ? UINT32_MAX : op[4] % (NR_VIRQS + 2);
	remotes[0] = x->t->ev.domid;
	remotes[1] = x->o->ev.domid;
	remotes[2] = 9; /* nobody */
	x->remote = remotes[op[5] % 3];
	x->to_self = op[5] & 0x80;
}

static int run(const struct td_args *x, struct td_out *out)
{
	struct evtchn_domain *ev = &x->t->ev;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	switch (x->kind) {
	case K_ALLOC:
		return evtchn_alloc_unbound(ev, x->remote, &out->port);
	case K_BIND_ID:
		return evtchn_bind_interdomain(ev, x->to_self ? ev : &x->o->ev,
					       x->port, &out->port);
	case K_BIND_VIRQ:
		return evtchn_bind_virq(ev, x->virq, x->vcpu, &out->port);
	case K_BIND_IPI:
		return evtchn_bind_ipi(ev, x->vcpu, &out->port);
	case K_CLOSE:
		return evtchn_close(ev, x->port);
	case K_SEND:
		return evtchn_send(ev, x->port);
	case K_UNMASK:
		return evtchn_unmask(ev, x->port);
	case K_MASK:
		td_set_mask(x->t, x->port, true);
		break;
	case K_ACK:
		td_guest_ack(x->t, x->vcpu);
		break;
	case K_BIND_VCPU:
		return evtchn_bind_vcpu(ev, x->port, x->vcpu);
	case K_SEND_VIRQ:
		out->raised = evtchn_send_virq(ev, x->vcpu, x->virq);
		break;
	case K_STATUS:
		memset(&out->st, 0xa5, sizeof(out->st));
		return evtchn_status(ev, x->port, &out->st);
	case K_MOVED:
		evtchn_vcpu_info_moved(ev, x->vcpu);
		break;
	case K_PRIO:
		return evtchn_set_priority(ev, x->port, x->virq);
	case K_RESET:
		return evtchn_reset(ev);
	}
	return rc;
}

int td_op(struct tdom *a, struct tdom *b, const uint8_t op[TD_OP_BYTES])
{
	struct td_args x;
	struct td_out out;

	decode(a, b, op, &x);
	return run(&x, &out);
}

/* A copy of everything an op may change, to check "no side effects". */
struct td_snap {
	struct evtchn port[EVTCHN_2L_NR_PORTS];
	uint16_t virq_port[PV_MAX_VCPUS][NR_VIRQS];
	uint64_t pending[64], mask[64];
	struct vcpu_info vi[TD_MAX_VCPUS];
	uint32_t upcalls[TD_MAX_VCPUS], polls, signals;
};

static struct td_snap snaps[2];

static void snap_take(struct td_snap *s, const struct tdom *t)
{
	memcpy(s->port, t->ev.port, t->ev.max_ports * sizeof(s->port[0]));
	memcpy(s->virq_port, t->ev.virq_port, sizeof(s->virq_port));
	if (t->si) {
		memcpy(s->pending, t->si->evtchn_pending, sizeof(s->pending));
		memcpy(s->mask, t->si->evtchn_mask, sizeof(s->mask));
	}
	memcpy(s->vi, t->vi, sizeof(s->vi));
	memcpy(s->upcalls, t->upcalls, sizeof(s->upcalls));
	s->polls = t->polls;
	s->signals = t->signals;
}

static bool snap_same(const struct td_snap *s, const struct tdom *t)
{
	return !memcmp(s->port, t->ev.port,
		       t->ev.max_ports * sizeof(s->port[0])) &&
	       !memcmp(s->virq_port, t->ev.virq_port, sizeof(s->virq_port)) &&
	       (!t->si ||
		(!memcmp(s->pending, t->si->evtchn_pending,
			 sizeof(s->pending)) &&
		 !memcmp(s->mask, t->si->evtchn_mask, sizeof(s->mask)))) &&
	       !memcmp(s->vi, t->vi, sizeof(s->vi)) &&
	       !memcmp(s->upcalls, t->upcalls, sizeof(s->upcalls)) &&
	       s->polls == t->polls && s->signals == t->signals;
}

static int lowest_free(const struct evtchn_domain *ev)
{
	for (uint32_t p = 1; p < ev->max_ports; p++)
		if (ev->port[p].state == ECS_FREE)
			return (int)p;
	return -1;
}

/* Was the port signalled by the op: pending bit (guest) or one more
 * port_signal call naming it (dom0)? */
static bool signalled(const struct tdom *t, const struct td_snap *s,
		      evtchn_port_t p)
{
	if (t->si)
		return td_pending(t, p);
	return t->signals == s->signals + 1 && t->last_signal == p;
}

/* "d1 send(port 3, ...)" for messages. */
static const char *describe(const struct td_args *x)
{
	static const char *const names[] = {
	    "alloc_unbound", "bind_interdomain",
	    "bind_virq",     "bind_ipi",
	    "close",	     "send",
	    "unmask",	     "mask",
	    "ack",	     "bind_vcpu",
	    "send_virq",     "status",
	    "vcpu_moved",    "set_priority",
	    "reset",
	};
	static char buf[160];

	snprintf(buf, sizeof(buf),
		 "d%u %s(port %u, vcpu %u, virq %u, remote %u%s)",
		 x->t->ev.domid, names[x->kind], x->port, x->vcpu, x->virq,
		 x->remote, x->to_self ? ", self" : "");
	return buf;
}

static const char *expect_rc(const struct td_args *x, int rc, int want)
{
	if (rc == want)
		return NULL;
	return fail("%s: returned %d, Xen returns %d", describe(x), rc, want);
}

static bool port_ok(const struct evtchn_domain *ev, evtchn_port_t p)
{
	return p < ev->max_ports;
}

static const struct evtchn *pre_port(const struct td_snap *s, evtchn_port_t p)
{
	return &s->port[p];
}

/* What Xen returns for the op in the current (pre) state. */
static int expect(const struct td_args *x, int *lf, bool *raised)
{
	const struct evtchn_domain *ev = &x->t->ev;
	const struct evtchn_domain *rev = x->to_self ? ev : &x->o->ev;
	const struct evtchn *c =
	    port_ok(ev, x->port) ? &ev->port[x->port] : NULL;

	*lf = lowest_free(ev);
	*raised = false;
	switch (x->kind) {
	case K_ALLOC:
	case K_BIND_IPI:
		if (x->kind == K_BIND_IPI && x->vcpu >= ev->nr_vcpus)
			return -XEN_ENOENT;
		return *lf < 0 ? -XEN_ENOSPC : 0;
	case K_BIND_ID:
		if (*lf < 0)
			return -XEN_ENOSPC;
		if (!port_ok(rev, x->port) ||
		    rev->port[x->port].state != ECS_UNBOUND ||
		    rev->port[x->port].remote_dom != ev->domid)
			return -XEN_EINVAL;
		return 0;
	case K_BIND_VIRQ:
		if (x->virq >= NR_VIRQS ||
		    (virq_is_global(x->virq) && x->vcpu != 0))
			return -XEN_EINVAL;
		if (x->vcpu >= ev->nr_vcpus)
			return -XEN_ENOENT;
		if (ev->virq_port[x->vcpu][x->virq])
			return -XEN_EEXIST;
		return *lf < 0 ? -XEN_ENOSPC : 0;
	case K_CLOSE:
		return !c || c->state == ECS_FREE || c->state == ECS_RESERVED
			   ? -XEN_EINVAL
			   : 0;
	case K_SEND:
		return c && (c->state == ECS_IPI || c->state == ECS_UNBOUND ||
			     c->state == ECS_INTERDOMAIN)
			   ? 0
			   : -XEN_EINVAL;
	case K_UNMASK:
	case K_STATUS:
		return c ? 0 : -XEN_EINVAL;
	case K_PRIO:
		return c ? -XEN_ENOSYS : -XEN_EINVAL;
	case K_BIND_VCPU:
		if (x->vcpu >= ev->nr_vcpus)
			return -XEN_ENOENT;
		if (c &&
		    ((c->state == ECS_VIRQ && virq_is_global(c->virq)) ||
		     c->state == ECS_UNBOUND || c->state == ECS_INTERDOMAIN))
			return 0;
		return -XEN_EINVAL;
	case K_SEND_VIRQ:
		*raised = x->virq < NR_VIRQS && x->vcpu < ev->nr_vcpus &&
			  ev->virq_port[virq_is_global(x->virq) ? 0 : x->vcpu]
				       [x->virq];
		return 0;
	default:
		return 0;
	}
}

/* Ops that succeed without changing anything. */
static bool no_effect(const struct td_args *x, bool raised)
{
	const struct td_snap *s = &snaps[0];

	switch (x->kind) {
	case K_SEND:
		return pre_port(s, x->port)->state == ECS_UNBOUND;
	case K_SEND_VIRQ:
		return !raised;
	case K_STATUS:
		return true;
	case K_UNMASK:
		return !x->t->si;
	case K_MOVED:
	case K_ACK:
		return !x->t->si || x->vcpu >= x->t->ev.nr_vcpus;
	case K_MASK:
		return !x->t->si || x->port >= EVTCHN_2L_NR_PORTS;
	default:
		return false;
	}
}

static bool same_port(const struct evtchn *c, uint8_t state, uint16_t dom,
		      evtchn_port_t rport, uint16_t vcpu, uint16_t virq)
{
	return c->state == state && c->remote_dom == dom &&
	       c->remote_port == rport && c->notify_vcpu == vcpu &&
	       c->virq == virq;
}

/* The table owning domid among the two, with its snapshot. */
static struct tdom *table_of(const struct td_args *x, uint16_t domid,
			     const struct td_snap **s)
{
	if (domid == x->t->ev.domid) {
		*s = &snaps[0];
		return x->t;
	}
	if (domid == x->o->ev.domid) {
		*s = &snaps[1];
		return x->o;
	}
	return NULL;
}

static const char *effect_close(const struct td_args *x)
{
	const struct evtchn *pre = pre_port(&snaps[0], x->port);
	const struct evtchn_domain *ev = &x->t->ev;
	const struct td_snap *rs;
	struct tdom *r;

	if (!same_port(&ev->port[x->port], ECS_FREE, 0, 0, 0, 0) ||
	    td_pending(x->t, x->port))
		return fail("d%u close %u: port not free or still pending",
			    ev->domid, x->port);
	if (pre->state == ECS_VIRQ &&
	    ev->virq_port[virq_is_global(pre->virq) ? 0 : pre->notify_vcpu]
			 [pre->virq])
		return fail("d%u close %u: virq %u still bound", ev->domid,
			    x->port, pre->virq);
	if (pre->state != ECS_INTERDOMAIN)
		return NULL;
	r = table_of(x, pre->remote_dom, &rs);
	if (r && (r->ev.port[pre->remote_port].state != ECS_UNBOUND ||
		  r->ev.port[pre->remote_port].remote_dom != ev->domid))
		return fail("d%u close %u: peer d%u port %u is not unbound "
			    "naming d%u",
			    ev->domid, x->port, pre->remote_dom,
			    pre->remote_port, ev->domid);
	return NULL;
}

static const char *effect_send(const struct td_args *x)
{
	const struct evtchn *pre = pre_port(&snaps[0], x->port);
	const struct td_snap *rs = &snaps[0];
	struct tdom *r = x->t;
	evtchn_port_t p = x->port;

	if (pre->state == ECS_INTERDOMAIN) {
		r = table_of(x, pre->remote_dom, &rs);
		p = pre->remote_port;
	}
	if (r && !signalled(r, rs, p))
		return fail("d%u send %u: d%u port %u not signalled",
			    x->t->ev.domid, x->port, r->ev.domid, p);
	return NULL;
}

static const char *effect_unmask(const struct td_args *x)
{
	const struct evtchn_domain *ev = &x->t->ev;
	uint32_t v = ev->port[x->port].notify_vcpu;
	uint64_t bit = 1ull << (x->port % WORD_BITS);
	uint64_t word = x->port / WORD_BITS;

	if (td_masked(x->t, x->port))
		return fail("d%u unmask %u: still masked", ev->domid, x->port);
	if (!(snaps[0].mask[word] & bit) || !(snaps[0].pending[word] & bit)) {
		/* Nothing to deliver: only the mask bit may change. */
		if (memcmp(snaps[0].vi, x->t->vi, sizeof(snaps[0].vi)) ||
		    memcmp(snaps[0].upcalls, x->t->upcalls,
			   sizeof(snaps[0].upcalls)))
			return fail("d%u unmask %u: delivered an idle port",
				    ev->domid, x->port);
		return NULL;
	}
	if (!(x->t->vi[v].evtchn_pending_sel & (1ull << word)) ||
	    !x->t->vi[v].evtchn_upcall_pending)
		return fail("d%u unmask %u: pending port not re-delivered to "
			    "vCPU %u",
			    ev->domid, x->port, v);
	return NULL;
}

static const char *effect_status(const struct td_args *x,
				 const struct evtchn_status *st)
{
	const struct evtchn *c = &x->t->ev.port[x->port];
	static const uint32_t code[] = {
	    [ECS_FREE] = EVTCHNSTAT_closed,
	    [ECS_RESERVED] = EVTCHNSTAT_closed,
	    [ECS_UNBOUND] = EVTCHNSTAT_unbound,
	    [ECS_INTERDOMAIN] = EVTCHNSTAT_interdomain,
	    [ECS_VIRQ] = EVTCHNSTAT_virq,
	    [ECS_IPI] = EVTCHNSTAT_ipi,
	};
	bool ok = st->status == code[c->state] && st->vcpu == c->notify_vcpu;

	if (c->state == ECS_UNBOUND)
		ok &= st->u.unbound.dom == c->remote_dom;
	if (c->state == ECS_INTERDOMAIN)
		ok &= st->u.interdomain.dom == c->remote_dom &&
		      st->u.interdomain.port == c->remote_port;
	if (c->state == ECS_VIRQ)
		ok &= st->u.virq == c->virq;
	return ok ? NULL
		  : fail("d%u status %u: status %u vcpu %u for state %u",
			 x->t->ev.domid, x->port, st->status, st->vcpu,
			 c->state);
}

static const char *effect_reset(const struct td_args *x)
{
	const struct evtchn_domain *ev = &x->t->ev;

	for (uint32_t p = 1; p < ev->max_ports; p++) {
		const struct evtchn *pre = pre_port(&snaps[0], p);

		if (ev->port[p].state != ECS_FREE)
			return fail("d%u reset: port %u still open", ev->domid,
				    p);
		if (pre->state == ECS_INTERDOMAIN &&
		    pre->remote_dom == x->o->ev.domid &&
		    x->o->ev.port[pre->remote_port].state != ECS_UNBOUND)
			return fail("d%u reset: peer port %u not unbound",
				    ev->domid, pre->remote_port);
	}
	for (uint32_t v = 0; v < PV_MAX_VCPUS; v++)
		for (uint32_t i = 0; i < NR_VIRQS; i++)
			if (ev->virq_port[v][i])
				return fail("d%u reset: virq %u still bound",
					    ev->domid, i);
	return NULL;
}

static const char *effect(const struct td_args *x, int lf,
			  const struct td_out *out)
{
	struct evtchn_domain *ev = &x->t->ev;
	struct evtchn_domain *rev = x->to_self ? ev : &x->o->ev;
	const struct evtchn *c = lf > 0 ? &ev->port[lf] : NULL;
	unsigned int d = ev->domid;

	switch (x->kind) {
	case K_ALLOC:
		if (out->port != (evtchn_port_t)lf ||
		    !same_port(c, ECS_UNBOUND, x->remote, 0, 0, 0))
			return fail("d%u alloc_unbound: port %u, want %d "
				    "unbound for d%u",
				    d, out->port, lf, x->remote);
		return NULL;
	case K_BIND_ID: {
		const struct evtchn *r = &rev->port[x->port];
		const struct evtchn *rpre =
		    pre_port(&snaps[x->to_self ? 0 : 1], x->port);

		if (out->port != (evtchn_port_t)lf ||
		    !same_port(c, ECS_INTERDOMAIN, rev->domid, x->port, 0, 0) ||
		    !same_port(r, ECS_INTERDOMAIN, ev->domid, (uint32_t)lf,
			       rpre->notify_vcpu, 0))
			return fail("d%u bind_interdomain d%u:%u: ends do not "
				    "match (local %u, want %d)",
				    d, rev->domid, x->port, out->port, lf);
		/* Xen: "conservatively always set a notification". */
		if (!signalled(x->t, &snaps[0], (evtchn_port_t)lf))
			return fail("d%u bind_interdomain: new port %d not "
				    "pending",
				    d, lf);
		return NULL;
	}
	case K_BIND_VIRQ:
		if (out->port != (evtchn_port_t)lf ||
		    !same_port(c, ECS_VIRQ, 0, 0, (uint16_t)x->vcpu,
			       (uint16_t)x->virq) ||
		    ev->virq_port[x->vcpu][x->virq] != lf)
			return fail("d%u bind_virq %u vcpu %u: port %u want %d",
				    d, x->virq, x->vcpu, out->port, lf);
		return NULL;
	case K_BIND_IPI:
		if (out->port != (evtchn_port_t)lf ||
		    !same_port(c, ECS_IPI, 0, 0, (uint16_t)x->vcpu, 0))
			return fail("d%u bind_ipi vcpu %u: port %u want %d", d,
				    x->vcpu, out->port, lf);
		return NULL;
	case K_CLOSE:
		return effect_close(x);
	case K_SEND:
		return effect_send(x);
	case K_UNMASK:
		return effect_unmask(x);
	case K_BIND_VCPU:
		if (ev->port[x->port].notify_vcpu != x->vcpu)
			return fail("d%u bind_vcpu %u: vcpu %u not set", d,
				    x->port, x->vcpu);
		return NULL;
	case K_SEND_VIRQ: {
		uint32_t slot = virq_is_global(x->virq) ? 0 : x->vcpu;

		if (!out->raised ||
		    !signalled(x->t, &snaps[0], ev->virq_port[slot][x->virq]))
			return fail("d%u send_virq %u vcpu %u: not delivered",
				    d, x->virq, x->vcpu);
		return NULL;
	}
	case K_MOVED:
		if (x->t->vi[x->vcpu].evtchn_pending_sel != ~0ull ||
		    !x->t->vi[x->vcpu].evtchn_upcall_pending)
			return fail("d%u vcpu_info_moved %u: no rescan", d,
				    x->vcpu);
		return NULL;
	case K_RESET:
		return effect_reset(x);
	default:
		return NULL;
	}
}

const char *td_step(struct tdom *a, struct tdom *b,
		    const uint8_t op[TD_OP_BYTES])
{
	struct tdom *both[2] = {a, b};
	struct td_args x;
	struct td_out out;
	const char *w;
	bool raised;
	int rc, want, lf;

	decode(a, b, op, &x);
	snap_take(&snaps[0], x.t);
	snap_take(&snaps[1], x.o);
	want = expect(&x, &lf, &raised);
	rc = run(&x, &out);
	if ((w = expect_rc(&x, rc, want)))
		return w;
	if (x.kind == K_SEND_VIRQ && out.raised != raised)
		return fail("d%u send_virq %u vcpu %u: returned %d, want %d",
			    x.t->ev.domid, x.virq, x.vcpu, out.raised, raised);
	if (x.kind == K_STATUS && rc == 0 && (w = effect_status(&x, &out.st)))
		return w;
	if (x.kind == K_STATUS &&
	    evtchn_is_pending(&x.t->ev, x.port) !=
		(port_ok(&x.t->ev, x.port) && td_pending(x.t, x.port)))
		return fail("%s: evtchn_is_pending disagrees with the bit",
			    describe(&x));
	if (rc < 0 || no_effect(&x, raised)) {
		if (!snap_same(&snaps[0], x.t) || !snap_same(&snaps[1], x.o))
			return fail("%s: returned %d and changed state",
				    describe(&x), rc);
	} else if ((w = effect(&x, lf, &out))) {
		return w;
	}
	return td_check(both, 2);
}
