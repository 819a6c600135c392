/*
 * Test timer: VIRQ_TIMER on vCPU 0 while it idles in `sti; hlt`, first
 * through the legacy callback vector (pvhv injects it as ExtINT), then
 * through the LAPIC upcall vector (an MSI wakes the halt inside KVM):
 * singleshot timers fire, not early, at once when set in the past;
 * periodic timers tick at their period; stopping either one works.
 */
#include <pvabi/sched.h>
#include <pvabi/vcpu.h>

#include "../pvmini.h"
#include "tests.h"

#define T  "timer"
#define MS 1000000ull

/* Waits for the tick count to pass `before`, up to 1 s, idling with
 * `sti; hlt` (events_mode() decides). Returns the time it saw the tick. */
static uint64_t wait_tick(uint64_t before)
{
	uint64_t limit = xen_now() + 1000 * MS;

	while (timer_ticks[0] == before && xen_now() < limit)
		block_until(0);
	return timer_ticks[0] == before ? 0 : xen_now();
}

static int singleshot(uint64_t deadline, uint32_t flags)
{
	struct vcpu_set_singleshot_timer s = {.timeout_abs_ns = deadline,
					      .flags = flags};

	return (int)vcpu_op(VCPUOP_set_singleshot_timer, 0, &s);
}

static int check_singleshot(const char *mode)
{
	uint64_t t0, dl, seen;

	timer_settle();
	t0 = timer_ticks[0];
	dl = xen_now() + 3 * MS;
	if (singleshot(dl, 0))
		return test_fail(T, "%s: set_singleshot_timer failed", mode),
		       -1;
	seen = wait_tick(t0);
	if (!seen)
		return test_fail(T, "%s: singleshot did not fire", mode), -1;
	if (seen < dl)
		return test_fail(T, "%s: singleshot fired %lu ns early", mode,
				 dl - seen),
		       -1;
	/* In the past: at once (well within 50 ms), or -ETIME if asked. */
	if (singleshot(xen_now() - MS, VCPU_SSHOTTMR_future) != -XEN_ETIME)
		return test_fail(T,
				 "%s: past deadline + future flag not -ETIME",
				 mode),
		       -1;
	t0 = timer_ticks[0];
	dl = xen_now();
	if (singleshot(dl - MS, 0))
		return test_fail(T, "%s: past singleshot refused", mode), -1;
	seen = wait_tick(t0);
	if (!seen || seen - dl > 50 * MS)
		return test_fail(T, "%s: past singleshot took %lu ns", mode,
				 seen ? seen - dl : 0),
		       -1;
	return 0;
}

static int check_periodic(const char *mode)
{
	struct vcpu_set_periodic_timer p = {.period_ns = 2 * MS};
	uint64_t t0, start, seen = 0;

	start = xen_now();
	if (vcpu_op(VCPUOP_set_periodic_timer, 0, &p))
		return test_fail(T, "%s: set_periodic_timer failed", mode), -1;
	for (int i = 0; i < 4; i++) {
		seen = wait_tick(timer_ticks[0]);
		if (!seen)
			return test_fail(T, "%s: periodic tick %d missing",
					 mode, i),
			       -1;
	}
	vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL);
	/* Four ticks of a 2 ms period take at least ~8 ms. */
	if (seen - start < 7 * MS)
		return test_fail(T, "%s: 4 periodic ticks in %lu ns", mode,
				 seen - start),
		       -1;
	/* Stopped: over the next 10 ms, the singleshot set for then is the
	 * only tick, give or take one that was in flight at the stop (a
	 * running 2 ms period would give five). */
	t0 = timer_ticks[0];
	start = xen_now();
	if (singleshot(start + 10 * MS, 0))
		return test_fail(T, "%s: singleshot refused", mode), -1;
	while (xen_now() < start + 10 * MS)
		if (!wait_tick(timer_ticks[0]))
			return test_fail(T, "%s: 10 ms singleshot missing",
					 mode),
			       -1;
	if (timer_ticks[0] - t0 > 2)
		return test_fail(T,
				 "%s: periodic timer still ticking after stop "
				 "(%lu ticks in 10 ms)",
				 mode, timer_ticks[0] - t0),
		       -1;
	return 0;
}

/* A stopped singleshot does not fire: the next tick is the periodic
 * timer's first, 6 ms on, not the singleshot 2 ms on. */
static int check_stop_singleshot(const char *mode)
{
	struct vcpu_set_periodic_timer p = {.period_ns = 6 * MS};
	uint64_t t0, start, seen;

	timer_settle();
	t0 = timer_ticks[0];
	start = xen_now();
	if (singleshot(start + 2 * MS, 0))
		return test_fail(T, "%s: singleshot refused", mode), -1;
	if (vcpu_op(VCPUOP_stop_singleshot_timer, 0, NULL))
		return test_fail(T, "%s: stop_singleshot_timer failed", mode),
		       -1;
	if (vcpu_op(VCPUOP_set_periodic_timer, 0, &p))
		return test_fail(T, "%s: set_periodic_timer failed", mode), -1;
	seen = wait_tick(t0);
	vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL);
	if (!seen || seen < start + 5 * MS)
		return test_fail(T,
				 "%s: stopped singleshot fired (tick after %lu "
				 "ns)",
				 mode, seen ? seen - start : 0),
		       -1;
	return 0;
}

static int check_mode(enum upcall_mode mode, const char *name)
{
	int rc = events_set_mode(mode);

	if (rc)
		return test_fail(T, "%s mode refused (%d)", name, rc), -1;
	if (check_singleshot(name) || check_periodic(name) ||
	    check_stop_singleshot(name))
		return -1;
	return 0;
}

void test_timer(void)
{
	uint32_t wrong = timer_wrong_vcpu;

	timer_port();
	/* The legacy callback first: once vCPU 0 has an upcall vector,
	 * pvhv delivers its events through the LAPIC for good (as Xen). */
	if (events_mode() != UPCALL_LAPIC &&
	    check_mode(UPCALL_CALLBACK, "callback"))
		goto out;
	if (check_mode(UPCALL_LAPIC, "lapic"))
		goto out;
	if (timer_wrong_vcpu != wrong)
		test_fail(T, "VIRQ_TIMER handled on the wrong vCPU");
	else
		test_pass(T);
out:
	vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL);
	vcpu_op(VCPUOP_stop_singleshot_timer, 0, NULL);
}
