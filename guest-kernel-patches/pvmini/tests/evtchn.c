/*
 * Event-channel tests.
 *   evtchn         loopback interdomain channel, mask/unmask, status,
 *                  close, IPI, SCHEDOP_poll; with peer=D role=server|
 *                  client also a ping-pong with domain D (rounds=N)
 *   evtchn-dom0    a port for dom0; answers dom0's pings (rounds=N)
 *   hostile-evtchn out-of-range ports, wrong domids, double close,
 *                  port exhaustion: the right errors, nothing else
 */
#include <pvabi/sched.h>
#include <pvabi/vcpu.h>

#include "../pvmini.h"
#include "tests.h"

#define T "evtchn"

static volatile unsigned int hits[8];

static void on_event(evtchn_port_t port, void *arg)
{
	(void)port;
	hits[(uintptr_t)arg]++;
}

static long ev_op(unsigned int cmd, void *arg)
{
	return HYPERCALL2(__HYPERVISOR_event_channel_op, cmd, arg);
}

static int alloc_unbound(domid_t remote, evtchn_port_t *port)
{
	struct evtchn_alloc_unbound a = {.dom = DOMID_SELF,
					 .remote_dom = remote};
	int rc = (int)ev_op(EVTCHNOP_alloc_unbound, &a);

	*port = a.port;
	return rc;
}

static int bind_interdomain(domid_t dom, evtchn_port_t rport,
			    evtchn_port_t *port)
{
	struct evtchn_bind_interdomain b = {.remote_dom = dom,
					    .remote_port = rport};
	int rc = (int)ev_op(EVTCHNOP_bind_interdomain, &b);

	*port = b.local_port;
	return rc;
}

static int status(evtchn_port_t port, struct evtchn_status *st)
{
	st->dom = DOMID_SELF;
	st->port = port;
	return (int)ev_op(EVTCHNOP_status, st);
}

/* Delivers pending events (poll mode) until hits[i] reaches want. */
static bool wait_hits(unsigned int i, unsigned int want, uint64_t ns)
{
	uint64_t limit = xen_now() + ns;

	while (hits[i] < want && xen_now() < limit)
		block_until(xen_now() + 1000000);
	return hits[i] >= want;
}

static int local_pair(void)
{
	struct evtchn_status st;
	evtchn_port_t a, b;
	domid_t self = xen_domid();

	if (alloc_unbound(DOMID_SELF, &a) ||
	    bind_interdomain(DOMID_SELF, a, &b))
		return test_fail(T, "loopback channel"), -1;
	if (status(a, &st) || st.status != EVTCHNSTAT_interdomain ||
	    st.u.interdomain.dom != self || st.u.interdomain.port != b)
		return test_fail(T, "status of port %u: %u", a, st.status), -1;
	evtchn_bind(b, on_event, (void *)0);
	evtchn_clear(b); /* bind_interdomain leaves the new port pending */
	evtchn_unmask(b);
	hits[0] = 0;
	evtchn_send(a);
	if (!wait_hits(0, 1, 1000000000))
		return test_fail(T, "event over the loopback channel lost"), -1;
	/* Masked: pending, but no upcall until unmasked. Nothing else may
	 * raise one meanwhile: stop the timer block_until() armed, drain. */
	HYPERCALL3(__HYPERVISOR_vcpu_op, VCPUOP_stop_singleshot_timer, smp_id(),
		   0);
	evtchn_do_upcall();
	evtchn_mask(b);
	evtchn_send(a);
	if (!evtchn_pending(b) || this_vcpu_info()->evtchn_upcall_pending)
		return test_fail(T, "masked port raised an upcall"), -1;
	evtchn_unmask(b);
	if (!wait_hits(0, 2, 1000000000))
		return test_fail(T, "unmask did not deliver the pending event"),
		       -1;
	/* Closing one end leaves the other unbound, naming the closer. */
	evtchn_close(a);
	if (status(b, &st) || st.status != EVTCHNSTAT_unbound ||
	    st.u.unbound.dom != self)
		return test_fail(T, "peer of a closed port: status %u",
				 st.status),
		       -1;
	if (evtchn_send(b) != 0)
		return test_fail(T, "send on unbound port not silently 0"), -1;
	if (evtchn_close(b) || evtchn_close(b) != -XEN_EINVAL)
		return test_fail(T, "double close not -EINVAL"), -1;
	return 0;
}

static int ipi_and_poll(void)
{
	struct evtchn_bind_ipi ipi = {.vcpu = 0};
	struct sched_poll poll = {.nr_ports = 1};
	evtchn_port_t p;
	uint64_t t0;

	if (ev_op(EVTCHNOP_bind_ipi, &ipi))
		return test_fail(T, "bind_ipi"), -1;
	p = ipi.port;
	evtchn_bind(p, on_event, (void *)1);
	evtchn_unmask(p);
	evtchn_send(p);
	if (!wait_hits(1, 1, 1000000000))
		return test_fail(T, "IPI to self lost"), -1;
	/* SCHEDOP_poll: times out on a quiet port, returns at once when
	 * the port is pending. */
	set_xen_guest_handle(poll.ports, &p);
	t0 = xen_now();
	poll.timeout = t0 + 3000000;
	if (HYPERCALL2(__HYPERVISOR_sched_op, SCHEDOP_poll, &poll) ||
	    xen_now() < poll.timeout)
		return test_fail(T, "poll returned before its timeout"), -1;
	evtchn_mask(p);
	evtchn_send(p);
	poll.timeout = xen_now() + 1000000000;
	t0 = xen_now();
	if (HYPERCALL2(__HYPERVISOR_sched_op, SCHEDOP_poll, &poll) ||
	    xen_now() - t0 > 500000000)
		return test_fail(T, "poll on a pending port waited"), -1;
	evtchn_close(p);
	return 0;
}

/*
 * Without xenstore, the client finds the port the peer allocated for it
 * by trying the peer's low ports: only a port unbound for us binds.
 */
int bind_peer(domid_t peer, evtchn_port_t *port)
{
	uint64_t limit = xen_now() + 10000000000ull;
	int rc = -XEN_EINVAL;

	while (xen_now() < limit) {
		for (evtchn_port_t rp = 1; rp < 32; rp++) {
			rc = bind_interdomain(peer, rp, port);
			if (rc != -XEN_EINVAL) {
				if (rc == 0)
					evtchn_clear(
					    *port); /* starts pending */
				return rc;
			}
		}
		delay_ns(2000000);
	}
	return rc;
}

/* Ping-pong with another domain: the server allocates the port for the
 * client, the client binds it (retrying until the server has). */
static int pingpong(domid_t peer, bool server, unsigned long rounds)
{
	evtchn_port_t p;
	uint64_t t0;
	int rc;

	if (server) {
		if (alloc_unbound(peer, &p))
			return test_fail(T, "alloc_unbound for d%u", peer), -1;
		printf("pvmini: evtchn server port %u for d%u\n", p, peer);
	} else {
		rc = bind_peer(peer, &p);
		if (rc)
			return test_fail(T, "bind to d%u: %d", peer, rc), -1;
	}
	hits[2] = 0;
	evtchn_bind(p, on_event, (void *)2);
	evtchn_unmask(p);
	t0 = xen_now();
	for (unsigned long i = 0; i < rounds; i++) {
		if (!server)
			evtchn_send(p);
		if (!wait_hits(2, (unsigned int)i + 1, 10000000000ull))
			return test_fail(T, "round %lu: no event from d%u", i,
					 peer),
			       -1;
		if (server)
			evtchn_send(p);
	}
	if (!server)
		printf("BENCH evtchn_pingpong rounds=%lu total_ns=%lu\n",
		       rounds, xen_now() - t0);
	evtchn_close(p);
	return 0;
}

void test_evtchn(void)
{
	char role[16];
	unsigned long peer = cmdline_num("peer", 0);

	if (local_pair() < 0 || ipi_and_poll() < 0)
		return;
	cmdline_opt("role", role, sizeof(role));
	if (peer && pingpong((domid_t)peer, !strcmp(role, "server"),
			     cmdline_num("rounds", 20)) < 0)
		return;
	test_pass(T);
}

#undef T

/* dom0 binds our port and pings; we answer each ping. */
void test_evtchn_dom0(void)
{
	unsigned long rounds = cmdline_num("rounds", 20);
	evtchn_port_t p;

	if (alloc_unbound(0, &p))
		return test_fail("evtchn-dom0", "alloc_unbound for dom0");
	hits[3] = 0;
	evtchn_bind(p, on_event, (void *)3);
	evtchn_unmask(p);
	printf("EVTCHN-DOM0 port=%u\n", p);
	for (unsigned long i = 0; i < rounds; i++) {
		if (!wait_hits(3, (unsigned int)i + 1, 20000000000ull))
			return test_fail("evtchn-dom0", "no ping %lu from dom0",
					 i);
		evtchn_send(p);
	}
	evtchn_close(p);
	test_pass("evtchn-dom0");
}

#define H "hostile-evtchn"

void test_hostile_evtchn(void)
{
	static const evtchn_port_t bad[] = {4096, 5000, 0xffffffffu, 1u << 31};
	struct evtchn_bind_virq bv = {.virq = NR_VIRQS, .vcpu = 0};
	struct evtchn_bind_ipi bi = {.vcpu = 99};
	struct evtchn_alloc_unbound au = {.dom = 0, .remote_dom = 0};
	struct evtchn_bind_vcpu bvc = {.port = 4096, .vcpu = 0};
	struct evtchn_status st;
	evtchn_port_t p, first = 0;
	unsigned int n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		if (evtchn_send(bad[i]) != -XEN_EINVAL ||
		    evtchn_close(bad[i]) != -XEN_EINVAL ||
		    evtchn_unmask(bad[i]) != -XEN_EINVAL ||
		    status(bad[i], &st) != -XEN_EINVAL)
			return test_fail(H, "port 0x%x accepted", bad[i]);
	}
	if (evtchn_close(0) != -XEN_EINVAL)
		return test_fail(H, "closed reserved port 0");
	if (ev_op(EVTCHNOP_bind_virq, &bv) != -XEN_EINVAL)
		return test_fail(H, "virq %u accepted", bv.virq);
	bv = (struct evtchn_bind_virq){.virq = VIRQ_TIMER, .vcpu = 77};
	if (ev_op(EVTCHNOP_bind_virq, &bv) != -XEN_ENOENT)
		return test_fail(H, "VIRQ_TIMER on vCPU 77 not -ENOENT");
	if (ev_op(EVTCHNOP_bind_ipi, &bi) != -XEN_ENOENT)
		return test_fail(H, "IPI to vCPU 99 not -ENOENT");
	if (ev_op(EVTCHNOP_alloc_unbound, &au) != -XEN_EPERM)
		return test_fail(H, "alloc_unbound in dom0 not -EPERM");
	au.dom = 0x7fe0;
	if (ev_op(EVTCHNOP_alloc_unbound, &au) != -XEN_ESRCH)
		return test_fail(H, "alloc_unbound in d0x7fe0 not -ESRCH");
	if (bind_interdomain(0x7fe0, 1, &p) != -XEN_ESRCH)
		return test_fail(H, "bind to a missing domain not -ESRCH");
	/* Port 1 is the store channel, unbound for dom0, not for us. */
	if (bind_interdomain(DOMID_SELF, 1, &p) != -XEN_EINVAL)
		return test_fail(H, "bound a port meant for dom0");
	if (ev_op(EVTCHNOP_bind_vcpu, &bvc) != -XEN_EINVAL)
		return test_fail(H, "bind_vcpu on port 4096 accepted");
	/* Exhaust the domain's ports, then give them all back. */
	while (alloc_unbound(DOMID_SELF, &p) == 0) {
		if (!first)
			first = p;
		n++;
	}
	if (alloc_unbound(DOMID_SELF, &p) != -XEN_ENOSPC || n < 16)
		return test_fail(H, "exhaustion: %u ports, then not -ENOSPC",
				 n);
	for (evtchn_port_t q = first; q < first + n; q++)
		if (evtchn_close(q))
			return test_fail(H, "closing port %u", q);
	if (alloc_unbound(DOMID_SELF, &p) || evtchn_close(p))
		return test_fail(H, "ports not reusable after exhaustion");
	printf("pvmini: %u event channels before -ENOSPC\n", n);
	test_pass(H);
}
