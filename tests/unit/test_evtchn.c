/*
 * Unit tests for the event-channel state machine (xen-core/evtchn) against
 * Xen's semantics (common/event_channel.c, event_2l.c), on plain-buffer
 * tables (evtchn_harness.h), and for the EVTCHNOP hypercall layer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <pvabi/errno.h>
#include <pvhv/domain.h>
#include <pvhv/exits.h>

#include "evtchn_harness.h"
#include "unit.h"

static struct tdom A, B, C;

/* Three guests: d1 (64 ports, 3 vCPUs), d2 (64 ports, 2 vCPUs). */
static void setup2(void)
{
	CU_ASSERT_FATAL(td_init(&A, 1, 64, 3, false) == 0);
	CU_ASSERT_FATAL(td_init(&B, 2, 64, 2, false) == 0);
}

static void teardown2(void)
{
	td_fini(&A);
	td_fini(&B);
}

static struct evtchn_status status_of_ev(struct evtchn_domain *ev,
					 evtchn_port_t p)
{
	struct evtchn_status st;

	memset(&st, 0xff, sizeof(st));
	CU_ASSERT_EQUAL(evtchn_status(ev, p, &st), 0);
	return st;
}

static struct evtchn_status status_of(struct tdom *t, evtchn_port_t p)
{
	return status_of_ev(&t->ev, p);
}

static uint64_t sel(struct tdom *t, uint32_t v)
{
	return t->vi[v].evtchn_pending_sel;
}

static uint8_t upcall_pending(struct tdom *t, uint32_t v)
{
	return t->vi[v].evtchn_upcall_pending;
}

/* A fresh interdomain channel: *pa in A (allocated unbound for B), *pb in
 * B; every event bit cleared afterwards. */
static void connect(struct tdom *a, struct tdom *b, evtchn_port_t *pa,
		    evtchn_port_t *pb)
{
	CU_ASSERT_FATAL(evtchn_alloc_unbound(&a->ev, b->ev.domid, pa) == 0);
	CU_ASSERT_FATAL(evtchn_bind_interdomain(&b->ev, &a->ev, *pa, pb) == 0);
	td_clear_events(a);
	td_clear_events(b);
}

static void check_invariants(void)
{
	struct tdom *t[2] = {&A, &B};
	const char *w = td_check(t, 2);

	if (w)
		fprintf(stderr, "\ninvariant: %s\n", w);
	CU_ASSERT_PTR_NULL(w);
}

/* ------------------------------------------------------------ basics */

static void test_init_args(void)
{
	struct evtchn_domain ev;

	CU_ASSERT_EQUAL(td_init(&A, 1, 0, 1, false), -XEN_EINVAL);
	CU_ASSERT_EQUAL(td_init(&A, 1, EVTCHN_2L_NR_PORTS + 1, 1, false),
			-XEN_EINVAL);
	CU_ASSERT_EQUAL(evtchn_init(&ev, 1, 8, PV_MAX_VCPUS + 1, NULL, NULL),
			-XEN_EINVAL);
	evtchn_fini(&ev); /* safe after a failed init */
	CU_ASSERT_EQUAL(td_init(&A, 1, EVTCHN_2L_NR_PORTS, 4, false), 0);
	CU_ASSERT_EQUAL(evtchn_ports_in_use(&A.ev), 0);
	td_fini(&A);
	td_fini(&A); /* twice is safe */
}

static void test_port0_reserved(void)
{
	struct evtchn_status st;
	evtchn_port_t p;

	setup2();
	st = status_of(&A, 0);
	CU_ASSERT_EQUAL(st.status, EVTCHNSTAT_closed);
	CU_ASSERT_EQUAL(st.vcpu, 0);
	CU_ASSERT_EQUAL(evtchn_close(&A.ev, 0), -XEN_EINVAL);
	CU_ASSERT_EQUAL(evtchn_send(&A.ev, 0), -XEN_EINVAL);
	CU_ASSERT_EQUAL(evtchn_bind_vcpu(&A.ev, 0, 0), -XEN_EINVAL);
	/* Nobody can bind to port 0 either. */
	CU_ASSERT_EQUAL(evtchn_bind_interdomain(&B.ev, &A.ev, 0, &p),
			-XEN_EINVAL);
	CU_ASSERT_EQUAL(evtchn_alloc_unbound(&A.ev, 2, &p), 0);
	CU_ASSERT_EQUAL(p, 1);
	CU_ASSERT_EQUAL(evtchn_ports_in_use(&A.ev), 1);
	check_invariants();
	teardown2();
}

static void test_lowest_free(void)
{
	evtchn_port_t p;

	setup2();
	for (evtchn_port_t want = 1; want <= 5; want++) {
		CU_ASSERT_EQUAL(evtchn_alloc_unbound(&A.ev, 2, &p), 0);
		CU_ASSERT_EQUAL(p, want);
	}
	CU_ASSERT_EQUAL(evtchn_close(&A.ev, 4), 0);
	CU_ASSERT_EQUAL(evtchn_close(&A.ev, 2), 0);
	CU_ASSERT_EQUAL(evtchn_bind_ipi(&A.ev, 1, &p), 0);
	CU_ASSERT_EQUAL(p, 2);
	CU_ASSERT_EQUAL(evtchn_bind_virq(&A.ev, VIRQ_TIMER, 0, &p), 0);
	CU_ASSERT_EQUAL(p, 4);
	CU_ASSERT_EQUAL(evtchn_alloc_unbound(&A.ev, 2, &p), 0);
	CU_ASSERT_EQUAL(p, 6);
	CU_ASSERT_EQUAL(evtchn_ports_in_use(&A.ev), 6);
	check_invariants();
	teardown2();
}

static void test_enospc(void)
{
	evtchn_port_t p, rp;

	CU_ASSERT_FATAL(td_init(&A, 1, 8, 2, false) == 0);
	CU_ASSERT_FATAL(td_init(&B, 2, 64, 2, false) == 0);
	CU_ASSERT_EQUAL(evtchn_alloc_unbound(&B.ev, 1, &rp), 0);
	for (evtchn_port_t want = 1; want < 8; want++) {
		CU_ASSERT_EQUAL(evtchn_alloc_unbound(&A.ev, 2, &p), 0);
		CU_ASSERT_EQUAL(p, want);
	}
	CU_ASSERT_EQUAL(evtchn_alloc_unbound(&A.ev, 2, &p), -XEN_ENOSPC);
	CU_ASSERT_EQUAL(evtchn_bind_ipi(&A.ev, 0, &p), -XEN_ENOSPC);
	CU_ASSERT_EQUAL(evtchn_bind_virq(&A.ev, VIRQ_TIMER, 0, &p),
			-XEN_ENOSPC);
	CU_ASSERT_EQUAL(evtchn_bind_interdomain(&A.ev, &B.ev, rp, &p),
			-XEN_ENOSPC);
	/* Xen looks for a free port before it looks at the remote port. */
	CU_ASSERT_EQUAL(evtchn_bind_interdomain(&A.ev, &B.ev, 999, &p),
			-XEN_ENOSPC);
	CU_ASSERT_EQUAL(evtchn_ports_in_use(&A.ev), 7);
	CU_ASSERT_EQUAL(evtchn_status(&A.ev, 8, &(struct evtchn_status){0}),
			-XEN_EINVAL);
	CU_ASSERT_EQUAL(evtchn_close(&A.ev, 5), 0);
	CU_ASSERT_EQUAL(evtchn_bind_interdomain(&A.ev, &B.ev, rp, &p), 0);
	CU_ASSERT_EQUAL(p, 5);
	check_invariants();
	teardown2();

	/* One port: only the reserved one. */
	CU_ASSERT_FATAL(td_init(&A, 1, 1, 1, false) == 0);
	CU_ASSERT_EQUAL(evtchn_alloc_unbound(&A.ev, 1, &p), -XEN_ENOSPC);
	td_fini(&A);
}

/* ------------------------------------------------------- interdomain */

static void test_interdomain_bind(void)
{
	struct evtchn_status st;
	evtchn_port_t pa, pb;

	setup2();
	CU_ASSERT_EQUAL(evtchn_alloc_unbound(&A.ev, 2, &pa), 0);
	st = status_of(&A, pa);
	CU_ASSERT_EQUAL(st.status, EVTCHNSTAT_unbound);
	CU_ASSERT_EQUAL(st.u.unbound.dom, 2);
	CU_ASSERT_EQUAL(evtchn_bind_interdomain(&B.ev, &A.ev, pa, &pb), 0);
	CU_ASSERT_EQUAL(pb, 1);
	st = status_of(&B, pb);
	CU_ASSERT_EQUAL(st.status, EVTCHNSTAT_interdomain);
	CU_ASSERT_EQUAL(st.u.interdomain.dom, 1);
	CU_ASSERT_EQUAL(st.u.interdomain.port, pa);
	st = status_of(&A, pa);
	CU_ASSERT_EQUAL(st.status, EVTCHNSTAT_interdomain);
	CU_ASSERT_EQUAL(st.u.interdomain.dom, 2);
	CU_ASSERT_EQUAL(st.u.interdomain.port, pb);
	/* The binder's port starts pending (events sent to the unbound
	 * end were dropped); the other end does not. */
	CU_ASSERT_TRUE(td_pending(&B, pb));
	CU_ASSERT_EQUAL(sel(&B, 0), 1);
	CU_ASSERT_EQUAL(upcall_pending(&B, 0), 1);
	CU_ASSERT_EQUAL(B.upcalls[0], 1);
	CU_ASSERT_EQUAL(B.polls, 1);
	CU_ASSERT_FALSE(td_pending(&A, pa));
	CU_ASSERT_EQUAL(A.upcalls[0], 0);

	CU_ASSERT_EQUAL(evtchn_send(&B.ev, pb), 0);
	CU_ASSERT_TRUE(td_pending(&A, pa));
	CU_ASSERT_EQUAL(A.upcalls[0], 1);
	CU_ASSERT_EQUAL(evtchn_send(&A.ev, pa), 0);
	CU_ASSERT_EQUAL(B.upcalls[0], 1); /* already pending: nothing new */
	CU_ASSERT_EQUAL(B.polls, 1);
	check_invariants();
	teardown2();
}

static void test_interdomain_errors(void)
{
	evtchn_port_t pa, pb, other, ipi, p;

	setup2();
	/* The unbound port must name the binder. */
	CU_ASSERT_EQUAL(evtchn_alloc_unbound(&A.ev, 3, &other), 0);
	CU_ASSERT_EQUAL(evtchn_bind_interdomain(&B.ev, &A.ev, other, &p),
			-XEN_EINVAL);
	CU_ASSERT_EQUAL(evtchn_alloc_unbound(&A.ev, 1, &p), 0); /* for d1 */
	CU_ASSERT_EQUAL(evtchn_bind_interdomain(&B.ev, &A.ev, p, &p),
			-XEN_EINVAL);
	/* A failed bind does not use up a port. */
	CU_ASSERT_EQUAL(evtchn_ports_in_use(&B.ev), 0);
	/* Remote port out of range, reserved, free, or not unbound. */
	CU_ASSERT_EQUAL(evtchn_bind_interdomain(&B.ev, &A.ev, 64, &p),
			-XEN_EINVAL);
	CU_ASSERT_EQUAL(evtchn_bind_interdomain(&B.ev, &A.ev, UINT32_MAX, &p),
			-XEN_EINVAL);
	CU_ASSERT_EQUAL(evtchn_bind_interdomain(&B.ev, &A.ev, 0, &p),
			-XEN_EINVAL);
	CU_ASSERT_EQUAL(evtchn_bind_interdomain(&B.ev, &A.ev, 40, &p),
			-XEN_EINVAL);
	CU_ASSERT_EQUAL(evtchn_bind_ipi(&A.ev, 0, &ipi), 0);
	CU_ASSERT_EQUAL(evtchn_bind_interdomain(&B.ev, &A.ev, ipi, &p),
			-XEN_EINVAL);
	CU_ASSERT_EQUAL(evtchn_alloc_unbound(&A.ev, 2, &pa), 0);
	CU_ASSERT_EQUAL(evtchn_bind_interdomain(&B.ev, &A.ev, pa, &pb), 0);
	/* Already connected: a second bind fails on either side. */
	CU_ASSERT_EQUAL(evtchn_bind_interdomain(&B.ev, &A.ev, pa, &p),
			-XEN_EINVAL);
	CU_ASSERT_EQUAL(evtchn_bind_interdomain(&A.ev, &B.ev, pb, &p),
			-XEN_EINVAL);
	CU_ASSERT_EQUAL(evtchn_ports_in_use(&B.ev), 1);
	check_invariants();
	teardown2();
}

static void test_loopback(void)
{
	struct evtchn_status st;
	evtchn_port_t p, q;

	setup2();
	CU_ASSERT_EQUAL(evtchn_alloc_unbound(&A.ev, 1, &p), 0);
	CU_ASSERT_EQUAL(evtchn_bind_interdomain(&A.ev, &A.ev, p, &q), 0);
	CU_ASSERT_NOT_EQUAL(p, q);
	st = status_of(&A, p);
	CU_ASSERT_EQUAL(st.status, EVTCHNSTAT_interdomain);
	CU_ASSERT_EQUAL(st.u.interdomain.dom, 1);
	CU_ASSERT_EQUAL(st.u.interdomain.port, q);
	st = status_of(&A, q);
	CU_ASSERT_EQUAL(st.u.interdomain.port, p);
	CU_ASSERT_TRUE(td_pending(&A, q));
	td_clear_events(&A);
	CU_ASSERT_EQUAL(evtchn_send(&A.ev, p), 0);
	CU_ASSERT_TRUE(td_pending(&A, q));
	CU_ASSERT_FALSE(td_pending(&A, p));
	CU_ASSERT_EQUAL(evtchn_send(&A.ev, q), 0);
	CU_ASSERT_TRUE(td_pending(&A, p));
	check_invariants();
	CU_ASSERT_EQUAL(evtchn_close(&A.ev, p), 0);
	st = status_of(&A, q);
	CU_ASSERT_EQUAL(st.status, EVTCHNSTAT_unbound);
	CU_ASSERT_EQUAL(st.u.unbound.dom, 1);
	CU_ASSERT_FALSE(td_pending(&A, p));
	CU_ASSERT_EQUAL(evtchn_close(&A.ev, q), 0);
	CU_ASSERT_EQUAL(evtchn_ports_in_use(&A.ev), 0);
	check_invariants();
	teardown2();
}

/* ---------------------------------------------------------- delivery */

static void test_send(void)
{
	evtchn_port_t ipi, unb, virq;

	setup2();
	CU_ASSERT_EQUAL(evtchn_bind_ipi(&A.ev, 2, &ipi), 0);
	CU_ASSERT_EQUAL(evtchn_send(&A.ev, ipi), 0);
	CU_ASSERT_TRUE(td_pending(&A, ipi));
	CU_ASSERT_EQUAL(sel(&A, 2), 1);
	CU_ASSERT_EQUAL(A.upcalls[2], 1);
	CU_ASSERT_EQUAL(A.upcalls[0], 0);
	/* Unbound: silently dropped. */
	CU_ASSERT_EQUAL(evtchn_alloc_unbound(&A.ev, 2, &unb), 0);
	CU_ASSERT_EQUAL(evtchn_send(&A.ev, unb), 0);
	CU_ASSERT_FALSE(td_pending(&A, unb));
	CU_ASSERT_EQUAL(A.polls, 1);
	/* A VIRQ port cannot be sent on; neither can a free port. */
	CU_ASSERT_EQUAL(evtchn_bind_virq(&A.ev, VIRQ_TIMER, 0, &virq), 0);
	CU_ASSERT_EQUAL(evtchn_send(&A.ev, virq), -XEN_EINVAL);
	CU_ASSERT_FALSE(td_pending(&A, virq));
	CU_ASSERT_EQUAL(evtchn_send(&A.ev, 20), -XEN_EINVAL);
	CU_ASSERT_EQUAL(evtchn_send(&A.ev, 64), -XEN_EINVAL);
	CU_ASSERT_EQUAL(evtchn_send(&A.ev, UINT32_MAX), -XEN_EINVAL);
	check_invariants();
	teardown2();
}

/* Xen's evtchn_2l_set_pending bit by bit. */
static void test_delivery_bits(void)
{
	struct tdom *t = &A;
	evtchn_port_t p;

	CU_ASSERT_FATAL(td_init(t, 1, 256, 2, false) == 0);
	for (evtchn_port_t want = 1; want <= 140; want++) {
		CU_ASSERT_FATAL(evtchn_bind_ipi(&t->ev, 1, &p) == 0);
		CU_ASSERT_EQUAL(p, want);
	}
	CU_ASSERT_EQUAL(evtchn_send(&t->ev, 70), 0);
	CU_ASSERT_EQUAL(t->si->evtchn_pending[1], 1ull << 6);
	CU_ASSERT_EQUAL(t->si->evtchn_pending[0], 0);
	CU_ASSERT_EQUAL(sel(t, 1), 1ull << 1);
	CU_ASSERT_EQUAL(sel(t, 0), 0);
	CU_ASSERT_EQUAL(upcall_pending(t, 1), 1);
	CU_ASSERT_EQUAL(t->upcalls[1], 1);
	CU_ASSERT_EQUAL(t->polls, 1);
	/* Same word: the selector bit is already set, no second upcall. */
	CU_ASSERT_EQUAL(evtchn_send(&t->ev, 71), 0);
	CU_ASSERT_EQUAL(t->si->evtchn_pending[1], 3ull << 6);
	CU_ASSERT_EQUAL(t->upcalls[1], 1);
	CU_ASSERT_EQUAL(t->polls, 2);
	/* Already pending: nothing at all, not even a poll wake-up. */
	CU_ASSERT_EQUAL(evtchn_send(&t->ev, 70), 0);
	CU_ASSERT_EQUAL(t->polls, 2);
	/* Guest cleared upcall_pending but not the selector: Xen does not
	 * raise the upcall again (the selector bit was already set). */
	t->vi[1].evtchn_upcall_pending = 0;
	CU_ASSERT_EQUAL(evtchn_send(&t->ev, 72), 0);
	CU_ASSERT_EQUAL(upcall_pending(t, 1), 0);
	CU_ASSERT_EQUAL(t->upcalls[1], 1);
	/* Upcall only on the 0 -> 1 transition of upcall_pending. */
	td_clear_events(t);
	t->vi[1].evtchn_upcall_pending = 1;
	CU_ASSERT_EQUAL(evtchn_send(&t->ev, 130), 0);
	CU_ASSERT_EQUAL(sel(t, 1), 1ull << 2);
	CU_ASSERT_EQUAL(t->upcalls[1], 0);
	/* Masked: pending bit only (pollers still woken, as in Xen). */
	td_clear_events(t);
	td_set_mask(t, 5, true);
	CU_ASSERT_EQUAL(evtchn_send(&t->ev, 5), 0);
	CU_ASSERT_TRUE(td_pending(t, 5));
	CU_ASSERT_TRUE(evtchn_is_pending(&t->ev, 5));
	CU_ASSERT_EQUAL(sel(t, 1), 0);
	CU_ASSERT_EQUAL(upcall_pending(t, 1), 0);
	CU_ASSERT_EQUAL(t->upcalls[1], 0);
	CU_ASSERT_EQUAL(t->polls, 1);
	/* Unmask re-delivers to the port's vCPU. */
	CU_ASSERT_EQUAL(evtchn_unmask(&t->ev, 5), 0);
	CU_ASSERT_FALSE(td_masked(t, 5));
	CU_ASSERT_EQUAL(sel(t, 1), 1);
	CU_ASSERT_EQUAL(upcall_pending(t, 1), 1);
	CU_ASSERT_EQUAL(t->upcalls[1], 1);
	/* Unmasking an unmasked port does nothing. */
	t->vi[1].evtchn_pending_sel = 0;
	t->vi[1].evtchn_upcall_pending = 0;
	CU_ASSERT_EQUAL(evtchn_unmask(&t->ev, 5), 0);
	CU_ASSERT_EQUAL(sel(t, 1), 0);
	CU_ASSERT_EQUAL(t->upcalls[1], 1);
	/* Unmasking a masked idle port only clears the mask. */
	td_set_mask(t, 6, true);
	CU_ASSERT_EQUAL(evtchn_unmask(&t->ev, 6), 0);
	CU_ASSERT_FALSE(td_masked(t, 6));
	CU_ASSERT_EQUAL(sel(t, 1), 0);
	CU_ASSERT_EQUAL(evtchn_unmask(&t->ev, 256), -XEN_EINVAL);
	CU_ASSERT_FALSE(evtchn_is_pending(&t->ev, 7));
	CU_ASSERT_FALSE(evtchn_is_pending(&t->ev, 256));
	td_fini(t);
}

static void test_unmask_redeliver_interdomain(void)
{
	evtchn_port_t pa, pb;

	setup2();
	connect(&A, &B, &pa, &pb);
	CU_ASSERT_EQUAL(evtchn_bind_vcpu(&A.ev, pa, 2), 0);
	td_set_mask(&A, pa, true);
	CU_ASSERT_EQUAL(evtchn_send(&B.ev, pb), 0);
	CU_ASSERT_TRUE(td_pending(&A, pa));
	CU_ASSERT_EQUAL(sel(&A, 2), 0);
	CU_ASSERT_EQUAL(evtchn_unmask(&A.ev, pa), 0);
	CU_ASSERT_EQUAL(sel(&A, 2), 1);
	CU_ASSERT_EQUAL(A.upcalls[2], 1);
	CU_ASSERT_EQUAL(A.upcalls[0], 0);
	check_invariants();
	teardown2();
}

/* -------------------------------------------------------------- close */

static void test_close(void)
{
	struct evtchn_status st;
	evtchn_port_t pa, pb, p;

	setup2();
	connect(&A, &B, &pa, &pb);
	CU_ASSERT_EQUAL(evtchn_bind_vcpu(&B.ev, pb, 1), 0);
	CU_ASSERT_EQUAL(evtchn_send(&B.ev, pb), 0);
	CU_ASSERT_TRUE(td_pending(&A, pa));
	CU_ASSERT_EQUAL(evtchn_close(&A.ev, pa), 0);
	/* Closing clears the pending bit (Xen's evtchn_free). */
	CU_ASSERT_FALSE(td_pending(&A, pa));
	CU_ASSERT_EQUAL(status_of(&A, pa).status, EVTCHNSTAT_closed);
	/* The peer becomes unbound, naming the closer, on the same vCPU. */
	st = status_of(&B, pb);
	CU_ASSERT_EQUAL(st.status, EVTCHNSTAT_unbound);
	CU_ASSERT_EQUAL(st.u.unbound.dom, 1);
	CU_ASSERT_EQUAL(st.vcpu, 1);
	CU_ASSERT_EQUAL(evtchn_send(&B.ev, pb), 0);
	CU_ASSERT_FALSE(td_pending(&A, pa));
	check_invariants();
	/* So the closer may bind to it again. */
	CU_ASSERT_EQUAL(evtchn_bind_interdomain(&A.ev, &B.ev, pb, &p), 0);
	CU_ASSERT_EQUAL(p, pa);
	CU_ASSERT_EQUAL(status_of(&B, pb).u.interdomain.port, pa);
	check_invariants();
	/* Errors. */
	CU_ASSERT_EQUAL(evtchn_close(&A.ev, 0), -XEN_EINVAL);
	CU_ASSERT_EQUAL(evtchn_close(&A.ev, 30), -XEN_EINVAL);
	CU_ASSERT_EQUAL(evtchn_close(&A.ev, 64), -XEN_EINVAL);
	CU_ASSERT_EQUAL(evtchn_close(&A.ev, UINT32_MAX), -XEN_EINVAL);
	CU_ASSERT_EQUAL(evtchn_close(&A.ev, p), 0);
	CU_ASSERT_EQUAL(evtchn_close(&A.ev, p), -XEN_EINVAL);
	CU_ASSERT_EQUAL(evtchn_close(&B.ev, pb), 0);
	CU_ASSERT_EQUAL(evtchn_close(&B.ev, pb), -XEN_EINVAL);
	check_invariants();
	teardown2();
}

/* --------------------------------------------------------------- VIRQs */

static void test_bind_virq(void)
{
	struct evtchn_status st;
	evtchn_port_t t1, t0, con, p;

	setup2();
	CU_ASSERT_EQUAL(evtchn_bind_virq(&A.ev, VIRQ_TIMER, 1, &t1), 0);
	st = status_of(&A, t1);
	CU_ASSERT_EQUAL(st.status, EVTCHNSTAT_virq);
	CU_ASSERT_EQUAL(st.u.virq, VIRQ_TIMER);
	CU_ASSERT_EQUAL(st.vcpu, 1);
	CU_ASSERT_EQUAL(evtchn_bind_virq(&A.ev, VIRQ_TIMER, 0, &t0), 0);
	CU_ASSERT_NOT_EQUAL(t0, t1);
	CU_ASSERT_EQUAL(evtchn_bind_virq(&A.ev, VIRQ_TIMER, 1, &p),
			-XEN_EEXIST);
	/* Global VIRQs bind on vCPU 0 only. */
	CU_ASSERT_EQUAL(evtchn_bind_virq(&A.ev, VIRQ_CONSOLE, 1, &p),
			-XEN_EINVAL);
	CU_ASSERT_EQUAL(evtchn_bind_virq(&A.ev, VIRQ_CONSOLE, 0, &con), 0);
	CU_ASSERT_EQUAL(evtchn_bind_virq(&A.ev, VIRQ_CONSOLE, 0, &p),
			-XEN_EEXIST);
	/* vCPU range (ENOENT) is checked after the global rule (EINVAL). */
	CU_ASSERT_EQUAL(evtchn_bind_virq(&A.ev, VIRQ_TIMER, 3, &p),
			-XEN_ENOENT);
	CU_ASSERT_EQUAL(evtchn_bind_virq(&A.ev, VIRQ_DEBUG, UINT32_MAX, &p),
			-XEN_ENOENT);
	CU_ASSERT_EQUAL(evtchn_bind_virq(&A.ev, VIRQ_CONSOLE, 3, &p),
			-XEN_EINVAL);
	CU_ASSERT_EQUAL(evtchn_bind_virq(&A.ev, NR_VIRQS, 0, &p), -XEN_EINVAL);
	CU_ASSERT_EQUAL(evtchn_bind_virq(&A.ev, UINT32_MAX, 0, &p),
			-XEN_EINVAL);
	CU_ASSERT_EQUAL(evtchn_ports_in_use(&A.ev), 3);
	/* Closing frees the VIRQ for another bind. */
	CU_ASSERT_EQUAL(evtchn_close(&A.ev, t1), 0);
	CU_ASSERT_EQUAL(evtchn_bind_virq(&A.ev, VIRQ_TIMER, 1, &p), 0);
	CU_ASSERT_EQUAL(p, t1);
	check_invariants();
	teardown2();
}

static void test_virq_classes(void)
{
	/* Xen's virq_is_global: per-vCPU VIRQs, everything else global
	 * (x86's arch_virq_is_global says true for VIRQ_ARCH_*). */
	CU_ASSERT_FALSE(virq_is_global(VIRQ_TIMER));
	CU_ASSERT_FALSE(virq_is_global(VIRQ_DEBUG));
	CU_ASSERT_FALSE(virq_is_global(VIRQ_XENOPROF));
	CU_ASSERT_FALSE(virq_is_global(VIRQ_XENPMU));
	CU_ASSERT_TRUE(virq_is_global(VIRQ_CONSOLE));
	CU_ASSERT_TRUE(virq_is_global(VIRQ_DOM_EXC));
	CU_ASSERT_TRUE(virq_is_global(VIRQ_ARGO));
	CU_ASSERT_TRUE(virq_is_global(VIRQ_ARCH_0));
	CU_ASSERT_TRUE(virq_is_global(VIRQ_ARCH_7));
}

static void test_send_virq(void)
{
	evtchn_port_t t1, con;

	setup2();
	CU_ASSERT_FALSE(evtchn_send_virq(&A.ev, 1, VIRQ_TIMER));
	CU_ASSERT_EQUAL(evtchn_bind_virq(&A.ev, VIRQ_TIMER, 1, &t1), 0);
	CU_ASSERT_FALSE(evtchn_send_virq(&A.ev, 0, VIRQ_TIMER));
	CU_ASSERT_TRUE(evtchn_send_virq(&A.ev, 1, VIRQ_TIMER));
	CU_ASSERT_TRUE(td_pending(&A, t1));
	CU_ASSERT_EQUAL(A.upcalls[1], 1);
	CU_ASSERT_EQUAL(A.upcalls[0], 0);
	/* A global VIRQ goes to the vCPU the port is bound to. */
	CU_ASSERT_EQUAL(evtchn_bind_virq(&A.ev, VIRQ_CONSOLE, 0, &con), 0);
	CU_ASSERT_EQUAL(evtchn_bind_vcpu(&A.ev, con, 2), 0);
	CU_ASSERT_TRUE(evtchn_send_virq(&A.ev, 1, VIRQ_CONSOLE));
	CU_ASSERT_TRUE(td_pending(&A, con));
	CU_ASSERT_EQUAL(A.upcalls[2], 1);
	CU_ASSERT_EQUAL(A.upcalls[0], 0);
	CU_ASSERT_FALSE(evtchn_send_virq(&A.ev, 0, NR_VIRQS));
	CU_ASSERT_FALSE(evtchn_send_virq(&A.ev, 3, VIRQ_TIMER));
	CU_ASSERT_FALSE(evtchn_send_virq(&A.ev, UINT32_MAX, UINT32_MAX));
	CU_ASSERT_EQUAL(evtchn_close(&A.ev, con), 0);
	CU_ASSERT_FALSE(evtchn_send_virq(&A.ev, 0, VIRQ_CONSOLE));
	check_invariants();
	teardown2();
}

/* ------------------------------------------------------ IPI and status */

static void test_bind_ipi(void)
{
	struct evtchn_status st;
	evtchn_port_t p;

	setup2();
	CU_ASSERT_EQUAL(evtchn_bind_ipi(&A.ev, 3, &p), -XEN_ENOENT);
	CU_ASSERT_EQUAL(evtchn_bind_ipi(&A.ev, UINT32_MAX, &p), -XEN_ENOENT);
	CU_ASSERT_EQUAL(evtchn_bind_ipi(&A.ev, 2, &p), 0);
	st = status_of(&A, p);
	CU_ASSERT_EQUAL(st.status, EVTCHNSTAT_ipi);
	CU_ASSERT_EQUAL(st.vcpu, 2);
	CU_ASSERT_EQUAL(evtchn_send(&A.ev, p), 0);
	CU_ASSERT_EQUAL(A.upcalls[2], 1);
	/* An IPI cannot be moved to another vCPU (Xen: -EINVAL). */
	CU_ASSERT_EQUAL(evtchn_bind_vcpu(&A.ev, p, 0), -XEN_EINVAL);
	check_invariants();
	teardown2();
}

static void test_status_all(void)
{
	struct evtchn_status st;
	evtchn_port_t unb, pa, pb, virq, ipi;

	setup2();
	CU_ASSERT_EQUAL(evtchn_alloc_unbound(&A.ev, 7, &unb), 0);
	connect(&A, &B, &pa, &pb);
	CU_ASSERT_EQUAL(evtchn_bind_virq(&A.ev, VIRQ_DEBUG, 2, &virq), 0);
	CU_ASSERT_EQUAL(evtchn_bind_ipi(&A.ev, 1, &ipi), 0);

	st = status_of(&A, 0);
	CU_ASSERT_EQUAL(st.status, EVTCHNSTAT_closed);
	CU_ASSERT_EQUAL(st.u.virq, 0); /* union cleared */
	st = status_of(&A, 30);
	CU_ASSERT_EQUAL(st.status, EVTCHNSTAT_closed);
	CU_ASSERT_EQUAL(st.vcpu, 0);
	CU_ASSERT_EQUAL(st.u.interdomain.port, 0);
	st = status_of(&A, unb);
	CU_ASSERT_EQUAL(st.status, EVTCHNSTAT_unbound);
	CU_ASSERT_EQUAL(st.u.unbound.dom, 7);
	CU_ASSERT_EQUAL(st.vcpu, 0);
	st = status_of(&A, pa);
	CU_ASSERT_EQUAL(st.status, EVTCHNSTAT_interdomain);
	CU_ASSERT_EQUAL(st.u.interdomain.dom, 2);
	CU_ASSERT_EQUAL(st.u.interdomain.port, pb);
	st = status_of(&A, virq);
	CU_ASSERT_EQUAL(st.status, EVTCHNSTAT_virq);
	CU_ASSERT_EQUAL(st.u.virq, VIRQ_DEBUG);
	CU_ASSERT_EQUAL(st.vcpu, 2);
	st = status_of(&A, ipi);
	CU_ASSERT_EQUAL(st.status, EVTCHNSTAT_ipi);
	CU_ASSERT_EQUAL(st.vcpu, 1);
	CU_ASSERT_EQUAL(st.u.virq, 0);
	CU_ASSERT_EQUAL(evtchn_status(&A.ev, 64, &st), -XEN_EINVAL);
	CU_ASSERT_EQUAL(evtchn_status(&A.ev, UINT32_MAX, &st), -XEN_EINVAL);
	teardown2();
}

static void test_bind_vcpu(void)
{
	evtchn_port_t con, timer, unb, pa, pb, ipi;

	setup2();
	CU_ASSERT_EQUAL(evtchn_bind_virq(&A.ev, VIRQ_CONSOLE, 0, &con), 0);
	CU_ASSERT_EQUAL(evtchn_bind_vcpu(&A.ev, con, 2), 0);
	CU_ASSERT_EQUAL(status_of(&A, con).vcpu, 2);
	CU_ASSERT_EQUAL(evtchn_bind_virq(&A.ev, VIRQ_TIMER, 1, &timer), 0);
	CU_ASSERT_EQUAL(evtchn_bind_vcpu(&A.ev, timer, 0), -XEN_EINVAL);
	CU_ASSERT_EQUAL(status_of(&A, timer).vcpu, 1);
	CU_ASSERT_EQUAL(evtchn_bind_ipi(&A.ev, 0, &ipi), 0);
	CU_ASSERT_EQUAL(evtchn_bind_vcpu(&A.ev, ipi, 1), -XEN_EINVAL);
	/* An unbound port keeps its vCPU when the peer binds. */
	CU_ASSERT_EQUAL(evtchn_alloc_unbound(&A.ev, 2, &unb), 0);
	CU_ASSERT_EQUAL(evtchn_bind_vcpu(&A.ev, unb, 2), 0);
	CU_ASSERT_EQUAL(evtchn_bind_interdomain(&B.ev, &A.ev, unb, &pb), 0);
	CU_ASSERT_EQUAL(status_of(&A, unb).vcpu, 2);
	CU_ASSERT_EQUAL(evtchn_send(&B.ev, pb), 0);
	CU_ASSERT_EQUAL(A.upcalls[2], 1);
	/* Interdomain: later events go to the new vCPU. */
	connect(&A, &B, &pa, &pb);
	CU_ASSERT_EQUAL(evtchn_bind_vcpu(&A.ev, pa, 1), 0);
	CU_ASSERT_EQUAL(evtchn_send(&B.ev, pb), 0);
	CU_ASSERT_EQUAL(A.upcalls[1], 1);
	CU_ASSERT_EQUAL(sel(&A, 1), 1);
	CU_ASSERT_EQUAL(A.upcalls[0], 0);
	/* Errors: free, reserved, out of range; a bad vCPU first. */
	CU_ASSERT_EQUAL(evtchn_bind_vcpu(&A.ev, 40, 0), -XEN_EINVAL);
	CU_ASSERT_EQUAL(evtchn_bind_vcpu(&A.ev, 0, 0), -XEN_EINVAL);
	CU_ASSERT_EQUAL(evtchn_bind_vcpu(&A.ev, 64, 0), -XEN_EINVAL);
	CU_ASSERT_EQUAL(evtchn_bind_vcpu(&A.ev, pa, 3), -XEN_ENOENT);
	CU_ASSERT_EQUAL(evtchn_bind_vcpu(&A.ev, 64, 3), -XEN_ENOENT);
	check_invariants();
	teardown2();
}

/* ------------------------------------------------- reset, priority, ... */

static void test_reset(void)
{
	evtchn_port_t unb, pa, pb, p, q, virq, ipi;

	setup2();
	CU_ASSERT_EQUAL(evtchn_alloc_unbound(&A.ev, 2, &unb), 0);
	connect(&A, &B, &pa, &pb);
	CU_ASSERT_EQUAL(evtchn_alloc_unbound(&A.ev, 1, &p), 0);
	CU_ASSERT_EQUAL(evtchn_bind_interdomain(&A.ev, &A.ev, p, &q), 0);
	CU_ASSERT_EQUAL(evtchn_bind_virq(&A.ev, VIRQ_TIMER, 1, &virq), 0);
	CU_ASSERT_EQUAL(evtchn_bind_ipi(&A.ev, 0, &ipi), 0);
	CU_ASSERT_EQUAL(evtchn_send(&A.ev, ipi), 0);
	CU_ASSERT_EQUAL(evtchn_ports_in_use(&A.ev), 6);
	CU_ASSERT_EQUAL(evtchn_reset(&A.ev), 0);
	CU_ASSERT_EQUAL(evtchn_ports_in_use(&A.ev), 0);
	CU_ASSERT_FALSE(td_pending(&A, ipi));
	CU_ASSERT_FALSE(td_pending(&A, q));
	CU_ASSERT_EQUAL(status_of(&A, 0).status, EVTCHNSTAT_closed);
	CU_ASSERT_EQUAL(status_of(&B, pb).status, EVTCHNSTAT_unbound);
	CU_ASSERT_EQUAL(status_of(&B, pb).u.unbound.dom, 1);
	CU_ASSERT_EQUAL(evtchn_bind_virq(&A.ev, VIRQ_TIMER, 1, &p), 0);
	CU_ASSERT_EQUAL(p, 1);
	check_invariants();
	CU_ASSERT_EQUAL(evtchn_reset(&A.ev), 0);
	teardown2();
}

static void test_set_priority(void)
{
	evtchn_port_t p;

	setup2();
	CU_ASSERT_EQUAL(evtchn_bind_ipi(&A.ev, 0, &p), 0);
	/* 2-level ABI: no priorities (Xen: -ENOSYS), after the port check. */
	CU_ASSERT_EQUAL(evtchn_set_priority(&A.ev, p, 0), -XEN_ENOSYS);
	CU_ASSERT_EQUAL(evtchn_set_priority(&A.ev, 9, 5), -XEN_ENOSYS);
	CU_ASSERT_EQUAL(evtchn_set_priority(&A.ev, 64, 0), -XEN_EINVAL);
	CU_ASSERT_EQUAL(evtchn_set_priority(&A.ev, UINT32_MAX, 0), -XEN_EINVAL);
	teardown2();
}

static void test_vcpu_info_moved(void)
{
	setup2();
	evtchn_vcpu_info_moved(&A.ev, 1);
	CU_ASSERT_EQUAL(sel(&A, 1), ~0ull);
	CU_ASSERT_EQUAL(upcall_pending(&A, 1), 1);
	CU_ASSERT_EQUAL(A.upcalls[1], 1);
	evtchn_vcpu_info_moved(&A.ev, 1);
	CU_ASSERT_EQUAL(A.upcalls[1], 1); /* already pending */
	evtchn_vcpu_info_moved(&A.ev, 3); /* no such vCPU: ignored */
	evtchn_vcpu_info_moved(&A.ev, UINT32_MAX);
	CU_ASSERT_EQUAL(A.upcalls[0] + A.upcalls[2] + A.upcalls[3], 0);
	teardown2();
}

static void test_fini(void)
{
	evtchn_port_t pa, pb, unb, pa2, pb2;

	setup2();
	connect(&A, &B, &pa, &pb);
	CU_ASSERT_EQUAL(evtchn_alloc_unbound(&A.ev, 2, &unb), 0);
	CU_ASSERT_EQUAL(evtchn_bind_ipi(&A.ev, 0, &pa2), 0);
	td_fini(&A); /* unregisters first, as domain_destroy unlinks */
	CU_ASSERT_PTR_NULL(A.ev.port);
	CU_ASSERT_EQUAL(status_of(&B, pb).status, EVTCHNSTAT_unbound);
	CU_ASSERT_EQUAL(status_of(&B, pb).u.unbound.dom, 1);
	CU_ASSERT_EQUAL(evtchn_send(&B.ev, pb), 0);
	td_fini(&A);
	td_fini(&B);

	/* A peer that vanished without closing: closing our end works. */
	setup2();
	connect(&A, &B, &pa, &pb);
	connect(&A, &B, &pa2, &pb2);
	td_unregister(&B);
	CU_ASSERT_EQUAL(evtchn_send(&A.ev, pa), 0);
	CU_ASSERT_EQUAL(evtchn_close(&A.ev, pa), 0);
	CU_ASSERT_EQUAL(status_of(&A, pa).status, EVTCHNSTAT_closed);
	td_fini(&A); /* closes pa2, whose peer is gone too */
	td_register(&B);
	td_fini(&B);
}

/* --------------------------------------------------------------- dom0 */

static void test_dom0(void)
{
	struct tdom *d0 = &C;
	evtchn_port_t pa, p0, virq;

	CU_ASSERT_FATAL(td_init(&A, 1, 64, 3, false) == 0);
	CU_ASSERT_FATAL(td_init(d0, 0, 64, 1, true) == 0);
	CU_ASSERT_EQUAL(evtchn_alloc_unbound(&A.ev, 0, &pa), 0);
	CU_ASSERT_EQUAL(evtchn_bind_interdomain(&d0->ev, &A.ev, pa, &p0), 0);
	CU_ASSERT_EQUAL(d0->signals, 1); /* starts pending */
	CU_ASSERT_EQUAL(d0->last_signal, p0);
	CU_ASSERT_EQUAL(evtchn_send(&A.ev, pa), 0);
	CU_ASSERT_EQUAL(d0->signals, 2);
	CU_ASSERT_EQUAL(evtchn_send(&A.ev, pa), 0);
	CU_ASSERT_EQUAL(d0->signals, 3); /* no pending bit to coalesce on */
	CU_ASSERT_EQUAL(evtchn_send(&d0->ev, p0), 0);
	CU_ASSERT_TRUE(td_pending(&A, pa));
	CU_ASSERT_EQUAL(A.upcalls[0], 1);
	/* No shared_info: these are no-ops. */
	CU_ASSERT_EQUAL(evtchn_unmask(&d0->ev, p0), 0);
	CU_ASSERT_FALSE(evtchn_is_pending(&d0->ev, p0));
	evtchn_vcpu_info_moved(&d0->ev, 0);
	CU_ASSERT_EQUAL(evtchn_bind_virq(&d0->ev, VIRQ_DOM_EXC, 0, &virq), 0);
	CU_ASSERT_TRUE(evtchn_send_virq(&d0->ev, 0, VIRQ_DOM_EXC));
	CU_ASSERT_EQUAL(d0->last_signal, virq);
	CU_ASSERT_EQUAL(d0->signals, 4);
	CU_ASSERT_EQUAL(evtchn_close(&d0->ev, p0), 0);
	CU_ASSERT_EQUAL(status_of(&A, pa).status, EVTCHNSTAT_unbound);
	CU_ASSERT_EQUAL(status_of(&A, pa).u.unbound.dom, 0);
	td_fini(d0);
	td_fini(&A);
}

/* ------------------------------------------------- randomized sequence */

static uint64_t rng_next(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

static uint64_t test_seed(void)
{
	const char *env = getenv("PVHV_TEST_SEED");

	return env ? strtoull(env, NULL, 0) : 0x9e3779b97f4a7c15ull;
}

static void random_run(bool with_dom0, uint32_t ports_a, uint32_t ports_b,
		       int steps)
{
	uint64_t seed = test_seed(), s = seed;
	struct tdom *b = with_dom0 ? &C : &B;
	const char *w = NULL;
	int i;

	CU_ASSERT_FATAL(td_init(&A, 1, ports_a, 3, false) == 0);
	CU_ASSERT_FATAL(td_init(b, with_dom0 ? 0 : 2, ports_b, 2, with_dom0) ==
			0);
	for (i = 0; i < steps && !w; i++) {
		uint64_t r = rng_next(&s);
		uint8_t op[TD_OP_BYTES];

		memcpy(op, &r, sizeof(op));
		w = td_step(&A, b, op);
	}
	if (w)
		fprintf(stderr, "\nstep %d (PVHV_TEST_SEED=%#llx): %s\n", i,
			(unsigned long long)seed, w);
	CU_ASSERT_PTR_NULL(w);
	td_fini(&A);
	td_fini(b);
}

static void test_random_guests(void)
{
	random_run(false, 64, 40, 60000);
	random_run(false, 8, 4096, 20000); /* often full; many words */
}

static void test_random_dom0(void)
{
	random_run(true, 48, 48, 30000);
}

/* -------------------------------------------------------------- stress */

struct stress {
	uint64_t seed;
	int steps;
	int bad_rc;
};

static void *stress_thread(void *arg)
{
	struct stress *st = arg;
	uint64_t s = st->seed;

	for (int i = 0; i < st->steps; i++) {
		uint64_t r = rng_next(&s);
		uint8_t op[TD_OP_BYTES];
		int rc;

		memcpy(op, &r, sizeof(op));
		rc = td_op(&A, &B, op);
		if (rc > 1 ||
		    (rc < 0 && rc != -XEN_EINVAL && rc != -XEN_ENOSPC &&
		     rc != -XEN_ENOENT && rc != -XEN_EEXIST &&
		     rc != -XEN_ENOSYS && rc != -XEN_EAGAIN))
			st->bad_rc = rc;
	}
	return NULL;
}

/* Two threads sending, closing and binding on two tables: must finish
 * (lock order) and leave consistent tables. */
static void test_stress_threads(void)
{
	struct stress st[2] = {{test_seed(), 150000, 0},
			       {test_seed() ^ 0x5555, 150000, 0}};
	pthread_t th[2];
	struct timespec deadline;
	struct tdom *t[2] = {&A, &B};
	bool hung = false;

	CU_ASSERT_FATAL(td_init(&A, 1, 32, 3, false) == 0);
	CU_ASSERT_FATAL(td_init(&B, 2, 32, 2, false) == 0);
	for (int i = 0; i < 2; i++)
		CU_ASSERT_FATAL(
		    pthread_create(&th[i], NULL, stress_thread, &st[i]) == 0);
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 120;
	for (int i = 0; i < 2; i++)
		hung |= pthread_timedjoin_np(th[i], NULL, &deadline) != 0;
	if (hung) {
		fprintf(stderr, "\nstress threads did not finish: deadlock\n");
		CU_FAIL_FATAL("deadlock");
	}
	CU_ASSERT_EQUAL(st[0].bad_rc, 0);
	CU_ASSERT_EQUAL(st[1].bad_rc, 0);
	{
		const char *w = td_check(t, 2);

		if (w)
			fprintf(stderr, "\nafter stress: %s\n", w);
		CU_ASSERT_PTR_NULL(w);
	}
	teardown2();
}

/* ------------------------------------------------- EVTCHNOP hypercalls */

/* A domain with guest memory (paging off: guest-virtual = physical) and
 * no KVM, enough for the event-channel hypercall layer. */
static struct domain hd;
static struct vcpu hv;
static const struct evtchn_hooks no_hooks;

#define HC_ARG 0x1000ull

static int hcall_setup(void)
{
	memset(&hd, 0, sizeof(hd));
	memset(&hv, 0, sizeof(hv));
	domain_service_fd(); /* initialises domains_lock as pvhv does */
	hd.domid = 1;
	hv.d = &hd;
	if (guestmem_init(&hd.mem, 1 << 20, 0, "test_evtchn") < 0)
		return -1;
	return evtchn_init(&hd.ev, 1, 64, 1, &no_hooks, &hd);
}

static void hcall_teardown(void)
{
	evtchn_fini(&hd.ev);
	guestmem_fini(&hd.mem);
}

static int64_t hcall(uint64_t cmd, const void *arg, size_t len)
{
	uint64_t a[5] = {cmd, HC_ARG};

	gpa_write(&hd.mem, HC_ARG, arg, len);
	return do_event_channel_op(&hv, a);
}

static void test_hcall_domids(void)
{
	struct evtchn_alloc_unbound au = {.dom = DOMID_SELF,
					  .remote_dom = DOMID_SELF};
	struct evtchn_status st = {.dom = 5, .port = 1};

	CU_ASSERT_FATAL(hcall_setup() == 0);
	CU_ASSERT_EQUAL(hcall(EVTCHNOP_alloc_unbound, &au, sizeof(au)), 0);
	gpa_read(&hd.mem, HC_ARG, &au, sizeof(au));
	CU_ASSERT_EQUAL(au.port, 1);
	/* DOMID_SELF as the remote means the caller itself. */
	CU_ASSERT_EQUAL(status_of_ev(&hd.ev, 1).u.unbound.dom, 1);
	/* Another domain: -ESRCH if it does not exist, -EPERM for dom0
	 * (Xen's XSM answer for an unprivileged caller). */
	au.dom = 5;
	CU_ASSERT_EQUAL(hcall(EVTCHNOP_alloc_unbound, &au, sizeof(au)),
			-XEN_ESRCH);
	au.dom = 0;
	CU_ASSERT_EQUAL(hcall(EVTCHNOP_alloc_unbound, &au, sizeof(au)),
			-XEN_EPERM);
	CU_ASSERT_EQUAL(hcall(EVTCHNOP_status, &st, sizeof(st)), -XEN_ESRCH);
	st.dom = 1;
	CU_ASSERT_EQUAL(hcall(EVTCHNOP_status, &st, sizeof(st)), 0);
	gpa_read(&hd.mem, HC_ARG, &st, sizeof(st));
	CU_ASSERT_EQUAL(st.status, EVTCHNSTAT_unbound);
	CU_ASSERT_EQUAL(hcall(EVTCHNOP_set_priority,
			      &(struct evtchn_set_priority){.port = 1}, 8),
			-XEN_ENOSYS);
	hcall_teardown();
}

struct hcall_run {
	struct evtchn_alloc_unbound au;
	int64_t rc;
};

static void *hcall_thread(void *arg)
{
	struct hcall_run *r = arg;
	uint64_t a[5] = {EVTCHNOP_alloc_unbound, HC_ARG};

	r->rc = do_event_channel_op(&hv, a); /* argument already in place */
	return NULL;
}

static void *writer_thread(void *arg)
{
	(void)arg;
	/* What domain_create / domain_destroy do on the main thread. */
	pthread_rwlock_wrlock(&domains_lock);
	pthread_rwlock_unlock(&domains_lock);
	return NULL;
}

/*
 * An EVTCHNOP naming another domain while the main thread waits to create
 * or destroy a domain: the vCPU holds domains_lock for reading and must
 * not take it again (the lock prefers writers, so a second read lock
 * waits for the writer, which waits for the first read lock).
 */
static void test_hcall_vs_domain_writer(void)
{
	struct hcall_run r = {.au = {.dom = 5}, .rc = 1};
	const struct timespec pause = {0, 100 * 1000 * 1000};
	struct timespec deadline;
	pthread_t vcpu, writer;
	bool hung;

	CU_ASSERT_FATAL(hcall_setup() == 0);
	gpa_write(&hd.mem, HC_ARG, &r.au, sizeof(r.au));
	/* Hold the vCPU inside the hypercall (at its argument copy, under
	 * domains_lock) until the writer queues up. */
	pthread_rwlock_wrlock(&hd.mem.lock);
	CU_ASSERT_FATAL(pthread_create(&vcpu, NULL, hcall_thread, &r) == 0);
	nanosleep(&pause, NULL);
	CU_ASSERT_FATAL(pthread_create(&writer, NULL, writer_thread, NULL) ==
			0);
	nanosleep(&pause, NULL);
	pthread_rwlock_unlock(&hd.mem.lock);
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 5;
	hung = pthread_timedjoin_np(vcpu, NULL, &deadline) != 0;
	hung |= pthread_timedjoin_np(writer, NULL, &deadline) != 0;
	if (hung) {
		fprintf(stderr, "\nEVTCHNOP_alloc_unbound(dom 5) deadlocked "
				"with a domains_lock writer\n");
		CU_FAIL_FATAL("deadlock"); /* threads stay stuck: no cleanup */
	}
	CU_ASSERT_EQUAL(r.rc, -XEN_ESRCH);
	hcall_teardown();
}

static CU_TestInfo tests[] = {
    {"init arguments", test_init_args},
    {"port 0 reserved", test_port0_reserved},
    {"lowest free port", test_lowest_free},
    {"ENOSPC at max_ports", test_enospc},
    {"alloc_unbound + bind_interdomain", test_interdomain_bind},
    {"bind_interdomain errors", test_interdomain_errors},
    {"loopback channel", test_loopback},
    {"send by port state", test_send},
    {"2-level delivery bits", test_delivery_bits},
    {"unmask re-delivers interdomain", test_unmask_redeliver_interdomain},
    {"close", test_close},
    {"bind_virq", test_bind_virq},
    {"global and per-vCPU VIRQs", test_virq_classes},
    {"send_virq", test_send_virq},
    {"bind_ipi", test_bind_ipi},
    {"status of every state", test_status_all},
    {"bind_vcpu", test_bind_vcpu},
    {"reset", test_reset},
    {"set_priority", test_set_priority},
    {"vcpu_info moved", test_vcpu_info_moved},
    {"fini unbinds peers", test_fini},
    {"dom0 table (port_signal)", test_dom0},
    {"random ops, two guests", test_random_guests},
    {"random ops, guest and dom0", test_random_dom0},
    {"threads: lock order", test_stress_threads},
    {"EVTCHNOP: domain ids", test_hcall_domids},
    {"EVTCHNOP: no deadlock with a domain writer", test_hcall_vs_domain_writer},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return unit_run("evtchn", tests);
}
