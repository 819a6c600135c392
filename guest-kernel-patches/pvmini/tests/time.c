/* Test time: pvclock monotonic and advancing, wall clock, timers firing
 * (singleshot, in the past, periodic, set_timer_op) through VIRQ_TIMER. */
#include <pvabi/hvm/hvm_op.h>
#include <pvabi/sched.h>
#include <pvabi/vcpu.h>

#include "../pvmini.h"
#include "tests.h"

#define T "time"

/* vCPU 0's VIRQ_TIMER ticks (events.c counts them). */
#define ticks (timer_ticks[0])

static int check_clock(void)
{
	struct xen_hvm_get_time gt;
	uint64_t a, b, last = 0;

	for (int i = 0; i < 200; i++) {
		uint64_t t = xen_now();

		if (t < last)
			return test_fail(T, "clock went back: %lu < %lu", t,
					 last),
			       -1;
		last = t;
	}
	a = xen_now();
	delay_ns(2000000);
	b = xen_now();
	if (b - a < 2000000 || b - a > 500000000)
		return test_fail(T, "2 ms delay measured %lu ns", b - a), -1;
	if (HYPERCALL2(__HYPERVISOR_hvm_op, HVMOP_get_time, &gt))
		return test_fail(T, "HVMOP_get_time failed"), -1;
	a = xen_now();
	if (gt.now > a || a - gt.now > 100000000)
		return test_fail(T, "pvclock %lu vs HVMOP_get_time %lu", a,
				 gt.now),
		       -1;
	/* Wall clock: after 2023-01-01, as the host sees it. */
	if (shared->wc_sec < 1672531200u || shared->wc_version & 1)
		return test_fail(T, "wall clock %u (version %u)",
				 shared->wc_sec, shared->wc_version),
		       -1;
	return 0;
}

/* Waits for one more tick, up to 1 s. */
static int wait_tick(uint64_t before)
{
	uint64_t limit = xen_now() + 1000000000ull;

	while (ticks == before && xen_now() < limit)
		block_until(0);
	return ticks == before ? -1 : 0;
}

static int check_timers(void)
{
	struct vcpu_set_singleshot_timer ss;
	struct vcpu_set_periodic_timer pt = {.period_ns = 2000000};
	uint64_t dl;
	uint64_t t0;

	/* Singleshot 3 ms ahead: fires, not early. */
	timer_settle();
	t0 = ticks;
	dl = xen_now() + 3000000;
	ss = (struct vcpu_set_singleshot_timer){.timeout_abs_ns = dl};
	if (HYPERCALL3(__HYPERVISOR_vcpu_op, VCPUOP_set_singleshot_timer, 0,
		       &ss))
		return test_fail(T, "set_singleshot_timer failed"), -1;
	if (wait_tick(t0) < 0)
		return test_fail(T, "singleshot timer did not fire"), -1;
	if (xen_now() < dl)
		return test_fail(T, "timer fired %lu ns early", dl - xen_now()),
		       -1;
	/* In the past: fires at once; with VCPU_SSHOTTMR_future: -ETIME. */
	ss.flags = VCPU_SSHOTTMR_future;
	if (HYPERCALL3(__HYPERVISOR_vcpu_op, VCPUOP_set_singleshot_timer, 0,
		       &ss) != -XEN_ETIME)
		return test_fail(T, "past timer with future flag not -ETIME"),
		       -1;
	t0 = ticks;
	HYPERCALL1(__HYPERVISOR_set_timer_op, 1);
	if (wait_tick(t0) < 0)
		return test_fail(T, "set_timer_op in the past did not fire"),
		       -1;
	/* Periodic, 2 ms: three ticks, then stop. */
	t0 = ticks;
	if (HYPERCALL3(__HYPERVISOR_vcpu_op, VCPUOP_set_periodic_timer, 0, &pt))
		return test_fail(T, "set_periodic_timer failed"), -1;
	for (int i = 0; i < 3; i++)
		if (wait_tick(ticks) < 0)
			return test_fail(T, "periodic tick %d missing", i), -1;
	HYPERCALL3(__HYPERVISOR_vcpu_op, VCPUOP_stop_periodic_timer, 0, 0);
	pt.period_ns = 1000;
	if (HYPERCALL3(__HYPERVISOR_vcpu_op, VCPUOP_set_periodic_timer, 0,
		       &pt) != -XEN_EINVAL)
		return test_fail(T, "1 us period accepted"), -1;
	return 0;
}

void test_time(void)
{
	if (check_clock() < 0)
		return;
	timer_port();
	if (check_timers() < 0)
		return;
	/* The same through the legacy callback vector, idling with hlt (or
	 * through the LAPIC, if an earlier test gave vCPU 0 a vector). */
	if (events_mode() != UPCALL_LAPIC && events_set_mode(UPCALL_CALLBACK)) {
		test_fail(T, "HVM_PARAM_CALLBACK_IRQ vector refused");
		return;
	}
	if (check_timers() == 0)
		test_pass(T);
	if (events_mode() != UPCALL_LAPIC)
		events_set_mode(UPCALL_POLL);
}
