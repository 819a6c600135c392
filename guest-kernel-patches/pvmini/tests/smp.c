/*
 * SMP tests.
 *
 * ipi:  IPIs (EVTCHNOP_bind_ipi ports) from vCPU 0 to itself and, with a
 *       second vCPU, to vCPU 1 and back.
 * smp:  2-4 vCPUs (smp_n=N to choose, smp_rounds=R for a long run) up the
 *       PV way; VCPUOP error cases; every vCPU sends IPIs to every other on
 *       its own port and takes its own periodic VIRQ_TIMER (set remotely by
 *       vCPU 0); pvclock seen by a receiver is never earlier than what the
 *       sender read before sending; VCPUOP_down/up of APs with runstates.
 * smp-native: an AP started with x2APIC INIT + SIPI into a real-mode
 *       trampoline below 1 MiB.
 */
#include <pvabi/event_channel.h>
#include <pvabi/hvm/hvm_vcpu.h>
#include <pvabi/vcpu.h>

#include "../pvmini.h"
#include "tests.h"

#define MS 1000000ull

static unsigned long opt_num(const char *key, unsigned long dflt)
{
	char buf[24];
	unsigned long n = 0;

	if (!cmdline_opt(key, buf, sizeof(buf))[0])
		return dflt;
	for (const char *p = buf; *p >= '0' && *p <= '9'; p++)
		n = n * 10 + (unsigned long)(*p - '0');
	return n;
}

static int ipi_status(evtchn_port_t port, unsigned int vcpu)
{
	struct evtchn_status st = {.dom = DOMID_SELF, .port = port};

	if (HYPERCALL2(__HYPERVISOR_event_channel_op, EVTCHNOP_status, &st))
		return -1;
	return st.status == EVTCHNSTAT_ipi && st.vcpu == vcpu ? 0 : -1;
}

/* ------------------------------------------------------------------ ipi */

#define I "ipi"

static volatile uint32_t ipi_seen[MAX_VCPUS], ipi_wrong;
static evtchn_port_t pong_port;

static void on_ipi(evtchn_port_t port, void *arg)
{
	unsigned int want = (unsigned int)(uintptr_t)arg;

	(void)port;
	if (smp_id() != want)
		ipi_wrong++;
	ipi_seen[want]++;
}

/* On vCPU 1: count, then answer on vCPU 0's port. */
static void on_ping(evtchn_port_t port, void *arg)
{
	on_ipi(port, arg);
	evtchn_send(pong_port);
}

static int ipi_roundtrips(evtchn_port_t ping, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		uint32_t want = ipi_seen[0] + 1;

		if (evtchn_send(ping))
			return test_fail(I, "EVTCHNOP_send failed"), -1;
		if (!WAIT_FOR(ipi_seen[0] == want, 500 * MS))
			return test_fail(I, "IPI round trip %u lost", i), -1;
	}
	return 0;
}

void test_ipi(void)
{
	evtchn_port_t self, ping = 0;
	int rc;

	timer_port();
	ipi_seen[0] = ipi_seen[1] = ipi_wrong = 0;
	rc = bind_ipi(0, &self);
	if (rc)
		return test_fail(I, "bind_ipi(0): %d", rc);
	if (ipi_status(self, 0))
		test_fail(I, "EVTCHNOP_status of an IPI port");
	if (bind_ipi(smp_nr_vcpus(), &ping) != -XEN_ENOENT)
		test_fail(I, "bind_ipi to a vCPU past the last: not -ENOENT");
	evtchn_bind(self, on_ipi, (void *)0);
	evtchn_unmask(self);
	for (uint32_t i = 1; i <= 3; i++) {
		evtchn_send(self);
		if (!WAIT_FOR(ipi_seen[0] == i, 500 * MS)) {
			test_fail(I, "self IPI %u not received", i);
			goto out;
		}
	}
	if (smp_nr_vcpus() > 1) {
		rc = smp_start_ap(1);
		if (rc) {
			test_fail(I, "starting vCPU 1: %d", rc);
			goto out;
		}
		pong_port = self;
		rc = bind_ipi(1, &ping);
		if (rc || ipi_status(ping, 1)) {
			test_fail(I, "bind_ipi(1): %d", rc);
			goto out;
		}
		evtchn_bind_on(ping, 1, on_ping, (void *)1);
		evtchn_unmask(ping);
		if (ipi_roundtrips(ping, 5))
			goto out;
		if (ipi_seen[1] != 5)
			test_fail(I, "vCPU 1 took %u IPIs, want 5",
				  ipi_seen[1]);
		printf("pvmini: 5 IPI round trips with vCPU 1\n");
	}
	if (ipi_wrong)
		test_fail(I, "%u IPIs handled on the wrong vCPU", ipi_wrong);
	else
		test_pass(I);
out:
	evtchn_close(self);
	if (ping)
		evtchn_close(ping);
}

#undef I

/* ------------------------------------------------------------------ smp */

#define S "smp"

static unsigned int smp_n;
static unsigned long smp_rounds;
static evtchn_port_t pair_port[MAX_VCPUS][MAX_VCPUS]; /* [from][to] */
static volatile uint64_t pair_stamp[MAX_VCPUS][MAX_VCPUS];
static volatile uint64_t pair_recv[MAX_VCPUS][MAX_VCPUS];
static volatile uint32_t smp_wrong_vcpu, smp_clock_back, smp_send_fail;
static volatile uint64_t smp_clock_worst;
static volatile uint32_t smp_finished;
static volatile uint64_t smp_ticks0[MAX_VCPUS];

/* Runs on the receiver `to`; arg = from * MAX_VCPUS + to. */
static void on_pair(evtchn_port_t port, void *arg)
{
	unsigned int k = (unsigned int)(uintptr_t)arg;
	unsigned int from = k / MAX_VCPUS, to = k % MAX_VCPUS;
	uint64_t now = xen_now(), sent = pair_stamp[from][to];

	(void)port;
	if (smp_id() != to)
		__atomic_fetch_add(&smp_wrong_vcpu, 1, __ATOMIC_SEQ_CST);
	if (now < sent) {
		__atomic_fetch_add(&smp_clock_back, 1, __ATOMIC_SEQ_CST);
		if (sent - now > smp_clock_worst)
			smp_clock_worst = sent - now;
	}
	pair_recv[from][to]++;
}

/* Every vCPU: `rounds` IPIs to every other vCPU, one at a time (each
 * waits for the receiver to count it, so none coalesce), then wait for
 * three ticks of its own periodic timer. */
static void smp_worker(unsigned int me)
{
	struct vcpu_set_periodic_timer p = {.period_ns = 4 * MS};

	for (unsigned long r = 1; r <= smp_rounds; r++) {
		/* vCPU 0 re-arms the others' timers while they run. */
		for (unsigned int j = 1; me == 0 && j < smp_n; j++)
			vcpu_op(VCPUOP_set_periodic_timer, j, &p);
		for (unsigned int j = 0; j < smp_n; j++) {
			if (j == me)
				continue;
			pair_stamp[me][j] = xen_now();
			mb();
			if (evtchn_send(pair_port[me][j]) ||
			    !WAIT_FOR(pair_recv[me][j] == r, 1000 * MS)) {
				__atomic_fetch_add(&smp_send_fail, 1,
						   __ATOMIC_SEQ_CST);
				return;
			}
		}
	}
	if (!WAIT_FOR(timer_ticks[me] >= smp_ticks0[me] + 3, 1000 * MS))
		__atomic_fetch_add(&smp_send_fail, 1, __ATOMIC_SEQ_CST);
	__atomic_fetch_add(&smp_finished, 1, __ATOMIC_SEQ_CST);
}

static int runstate(unsigned int id, struct vcpu_runstate_info *ri)
{
	return (int)vcpu_op(VCPUOP_get_runstate_info, id, ri);
}

static bool is_offline(unsigned int id)
{
	struct vcpu_runstate_info ri;

	return runstate(id, &ri) == 0 && ri.state == RUNSTATE_offline;
}

static int smp_errors(void)
{
	struct vcpu_hvm_context ctx = {.mode = VCPU_HVM_MODE_64B};
	unsigned int nr = smp_nr_vcpus();
	long rc;

	if ((rc = vcpu_op(VCPUOP_is_up, nr, NULL)) != -XEN_ENOENT)
		return test_fail(S, "is_up(%u) = %ld, want -ENOENT", nr, rc),
		       -1;
	if ((rc = vcpu_op(VCPUOP_initialise, nr, &ctx)) != -XEN_ENOENT)
		return test_fail(S, "initialise(%u) = %ld, want -ENOENT", nr,
				 rc),
		       -1;
	if ((rc = vcpu_op(VCPUOP_up, nr, NULL)) != -XEN_ENOENT)
		return test_fail(S, "up(%u) = %ld, want -ENOENT", nr, rc), -1;
	if ((rc = vcpu_op(VCPUOP_initialise, 0, &ctx)) != -XEN_EEXIST)
		return test_fail(S, "initialise(0) = %ld, want -EEXIST", rc),
		       -1;
	if ((rc = vcpu_op(VCPUOP_is_up, 0, NULL)) != 1)
		return test_fail(S, "is_up(0) = %ld", rc), -1;
	for (unsigned int id = 1; id < nr && id < MAX_VCPUS; id++) {
		if (ap_state[id] != AP_NEVER)
			continue;
		if ((rc = vcpu_op(VCPUOP_up, id, NULL)) != -XEN_EINVAL)
			return test_fail(S,
					 "up(%u) before initialise = %ld, "
					 "want -EINVAL",
					 id, rc),
			       -1;
		if ((rc = vcpu_op(VCPUOP_is_up, id, NULL)) != 0)
			return test_fail(S, "is_up(%u) = %ld before start", id,
					 rc),
			       -1;
		/* Waiting for INIT/SIPI (inside KVM) is not running. */
		if (!is_offline(id))
			return test_fail(S, "vCPU %u not offline before start",
					 id),
			       -1;
		/* Contexts Xen or KVM refuse: -EINVAL, the vCPU stays as it
		 * was (and the domain lives). */
		ctx.pad = 1;
		if ((rc = vcpu_op(VCPUOP_initialise, id, &ctx)) != -XEN_EINVAL)
			return test_fail(S, "initialise with pad = %ld", rc),
			       -1;
		ctx.pad = 0;
		ctx.cpu_regs.x86_64.cr0 = 0x11; /* 64-bit code, no paging */
		if ((rc = vcpu_op(VCPUOP_initialise, id, &ctx)) != -XEN_EINVAL)
			return test_fail(S,
					 "initialise with a 64-bit context "
					 "without paging = %ld, want -EINVAL",
					 rc),
			       -1;
		if ((rc = vcpu_op(VCPUOP_up, id, NULL)) != -XEN_EINVAL)
			return test_fail(S,
					 "up(%u) after a refused context = "
					 "%ld, want -EINVAL",
					 id, rc),
			       -1;
		break;
	}
	return 0;
}

static int smp_bring_up(void)
{
	struct vcpu_hvm_context ctx = {.mode = VCPU_HVM_MODE_64B};

	for (unsigned int id = 1; id < smp_n; id++) {
		uint64_t before = xen_now();
		bool fresh = ap_state[id] == AP_NEVER;
		long rc = smp_start_ap(id);

		if (rc)
			return test_fail(S, "starting vCPU %u: %ld", id, rc),
			       -1;
		if ((rc = vcpu_op(VCPUOP_is_up, id, NULL)) != 1)
			return test_fail(S, "is_up(%u) = %ld after start", id,
					 rc),
			       -1;
		if ((rc = vcpu_op(VCPUOP_initialise, id, &ctx)) != -XEN_EEXIST)
			return test_fail(S,
					 "second initialise(%u) = %ld, want "
					 "-EEXIST",
					 id, rc),
			       -1;
		/* Its pvclock, read through its own vcpu_info, is not
		 * behind what vCPU 0 read before starting it. */
		if (fresh && ap_first_time[id] < before)
			return test_fail(S,
					 "vCPU %u clock %lu behind vCPU 0's "
					 "%lu",
					 id, ap_first_time[id], before),
			       -1;
		if (ap_errors[id])
			return test_fail(S, "vCPU %u failed its set-up", id),
			       -1;
	}
	return 0;
}

static int smp_bind_pairs(void)
{
	for (unsigned int i = 0; i < smp_n; i++) {
		for (unsigned int j = 0; j < smp_n; j++) {
			int rc;

			if (i == j)
				continue;
			rc = bind_ipi(j, &pair_port[i][j]);
			if (rc)
				return test_fail(S, "bind_ipi(%u): %d", j, rc),
				       -1;
			pair_recv[i][j] = 0;
			evtchn_bind_on(pair_port[i][j], j, on_pair,
				       (void *)(uintptr_t)(i * MAX_VCPUS + j));
			evtchn_unmask(pair_port[i][j]);
		}
	}
	return 0;
}

static int smp_storm(void)
{
	struct vcpu_set_periodic_timer p = {.period_ns = 4 * MS};
	uint32_t wrong = timer_wrong_vcpu;

	smp_finished = smp_send_fail = smp_wrong_vcpu = smp_clock_back = 0;
	for (unsigned int id = 0; id < smp_n; id++) {
		smp_ticks0[id] = timer_ticks[id];
		/* vCPU 0 sets everyone's periodic timer, its own too. */
		if (vcpu_op(VCPUOP_set_periodic_timer, id, &p))
			return test_fail(S, "set_periodic_timer(%u)", id), -1;
	}
	for (unsigned int id = 1; id < smp_n; id++)
		smp_call(id, smp_worker);
	smp_worker(0);
	if (!WAIT_FOR(smp_finished == smp_n, 5000 * MS))
		return test_fail(S, "%u of %u vCPUs finished", smp_finished,
				 smp_n),
		       -1;
	for (unsigned int id = 0; id < smp_n; id++)
		vcpu_op(VCPUOP_stop_periodic_timer, id, NULL);
	if (smp_send_fail)
		return test_fail(S, "%u IPI/timer waits timed out",
				 smp_send_fail),
		       -1;
	for (unsigned int i = 0; i < smp_n; i++)
		for (unsigned int j = 0; j < smp_n; j++)
			if (i != j && pair_recv[i][j] != smp_rounds)
				return test_fail(S,
						 "vCPU %u took %lu IPIs from "
						 "%u, want %lu",
						 j, pair_recv[i][j], i,
						 smp_rounds),
				       -1;
	if (smp_wrong_vcpu || timer_wrong_vcpu != wrong)
		return test_fail(S,
				 "events on the wrong vCPU: %u IPIs, %u "
				 "timer ticks",
				 smp_wrong_vcpu, timer_wrong_vcpu - wrong),
		       -1;
	if (smp_clock_back)
		return test_fail(S,
				 "%u IPIs received before they were sent "
				 "(pvclock; worst %lu ns)",
				 smp_clock_back, smp_clock_worst),
		       -1;
	return 0;
}

/* VCPUOP_down of an AP: it stops (offline, takes no IPI) until up. */
static int smp_down_up(unsigned int id)
{
	struct vcpu_runstate_info ri;
	uint64_t recv;
	long rc;

	if ((rc = vcpu_op(VCPUOP_down, id, NULL)))
		return test_fail(S, "down(%u) = %ld", id, rc), -1;
	if ((rc = vcpu_op(VCPUOP_is_up, id, NULL)) != 0)
		return test_fail(S, "is_up(%u) = %ld after down", id, rc), -1;
	if (!WAIT_FOR(is_offline(id), 500 * MS))
		return test_fail(S, "vCPU %u not offline after down", id), -1;
	recv = pair_recv[0][id];
	pair_stamp[0][id] = xen_now();
	evtchn_send(pair_port[0][id]);
	WAIT_FOR(false, 5 * MS);
	if (pair_recv[0][id] != recv)
		return test_fail(S, "vCPU %u handled an IPI while down", id),
		       -1;
	if (runstate(id, &ri) || ri.time[RUNSTATE_offline] == 0 ||
	    ri.state_entry_time > xen_now())
		return test_fail(S,
				 "runstate of downed vCPU %u: state %d "
				 "offline %lu ns",
				 id, ri.state, ri.time[RUNSTATE_offline]),
		       -1;
	if ((rc = vcpu_op(VCPUOP_up, id, NULL)))
		return test_fail(S, "up(%u) = %ld after down", id, rc), -1;
	if (!WAIT_FOR(pair_recv[0][id] == recv + 1, 500 * MS))
		return test_fail(S, "vCPU %u did not take its IPI once up", id),
		       -1;
	if (runstate(id, &ri) || ri.state == RUNSTATE_offline)
		return test_fail(S, "vCPU %u still offline after up", id), -1;
	return 0;
}

static volatile uint32_t self_down_back;

/* On an AP: goes down itself; VCPUOP_down returns when it is up again. */
static void ap_down_self(unsigned int id)
{
	if (vcpu_op(VCPUOP_down, id, NULL) == 0)
		self_down_back++;
}

/* An AP's own VCPUOP_down: it stops in the hypercall until vCPU 0 brings
 * it up, then carries on after it. */
static int smp_self_down(unsigned int id)
{
	long rc;

	self_down_back = 0;
	smp_call(id, ap_down_self);
	if (!WAIT_FOR(vcpu_op(VCPUOP_is_up, id, NULL) == 0 && is_offline(id),
		      500 * MS))
		return test_fail(S, "vCPU %u did not go down itself", id), -1;
	WAIT_FOR(false, 3 * MS);
	if (self_down_back)
		return test_fail(S, "vCPU %u ran on after its own down", id),
		       -1;
	if ((rc = vcpu_op(VCPUOP_up, id, NULL)))
		return test_fail(S, "up(%u) = %ld after its own down", id, rc),
		       -1;
	if (!smp_call_wait(id, 500 * MS) || self_down_back != 1)
		return test_fail(S, "vCPU %u did not resume after up", id), -1;
	return 0;
}

/* vCPU 0's own runstate: running, and the time running counts up to now
 * (a 2 ms spin, without exits, adds 2 ms). */
static int smp_runstates(void)
{
	struct vcpu_runstate_info a, b;
	uint64_t now, sum = 0;

	if (runstate(0, &a))
		return test_fail(S, "get_runstate_info(0) failed"), -1;
	delay_ns(2 * MS);
	if (runstate(0, &b))
		return test_fail(S, "get_runstate_info(0) failed"), -1;
	now = xen_now();
	for (int s = 0; s < 4; s++)
		sum += b.time[s];
	if (b.state != RUNSTATE_running || b.state_entry_time > now ||
	    sum > now)
		return test_fail(S,
				 "own runstate: state %d entry %lu sum %lu "
				 "now %lu",
				 b.state, b.state_entry_time, sum, now),
		       -1;
	if (b.time[RUNSTATE_running] < a.time[RUNSTATE_running] + 2 * MS)
		return test_fail(S, "running time grew %lu ns over a 2 ms spin",
				 b.time[RUNSTATE_running] -
				     a.time[RUNSTATE_running]),
		       -1;
	return 0;
}

/* All APs down and up again (the last vCPU going down would power the
 * domain off: that is the lifecycle test `last-down`). */
static int smp_last_down(void)
{
	long rc;

	for (unsigned int id = 1; id < smp_n; id++)
		if ((rc = vcpu_op(VCPUOP_down, id, NULL)))
			return test_fail(S, "down(%u) = %ld", id, rc), -1;
	for (unsigned int id = 1; id < smp_n; id++)
		if ((rc = vcpu_op(VCPUOP_up, id, NULL)))
			return test_fail(S, "up(%u) = %ld", id, rc), -1;
	return 0;
}

void test_smp(void)
{
	unsigned int nr = smp_nr_vcpus();

	smp_n = (unsigned int)opt_num("smp_n", nr < 4 ? nr : 4);
	smp_rounds = opt_num("smp_rounds", 3);
	if (smp_n > nr || smp_n > MAX_VCPUS)
		smp_n = nr < MAX_VCPUS ? nr : MAX_VCPUS;
	if (smp_n < 2)
		return test_fail(S, "needs 2 or more vCPUs (domain has %u)",
				 nr);
	timer_port();
	if (smp_register_vcpu_info())
		return test_fail(S, "register_vcpu_info for vCPU 0");
	if (smp_errors() || smp_bring_up() || smp_bind_pairs() || smp_storm() ||
	    smp_down_up(1) || smp_self_down(smp_n - 1) || smp_runstates() ||
	    smp_last_down())
		return;
	/* The vCPUs pvmini never started are all still down. */
	for (unsigned int id = 1; id < nr; id++) {
		bool started = id < MAX_VCPUS && ap_state[id] != AP_NEVER;

		if (!started && vcpu_op(VCPUOP_is_up, id, NULL) != 0)
			return test_fail(S, "vCPU %u up but never started", id);
	}
	printf("pvmini: %u vCPUs, %lu rounds of IPIs between each pair\n",
	       smp_n, smp_rounds);
	test_pass(S);
}

#undef S

/* ----------------------------------------------------------- smp-native */

#define N "smp-native"

#define TRAMP_BASE	 0x8000ul
#define MSR_X2APIC_ICR	 0x830
#define ICR_INIT	 (5u << 8)
#define ICR_STARTUP	 (6u << 8)
#define ICR_LEVEL_ASSERT (1u << 14)

extern char ap_tramp_start[], ap_tramp_end[];
static volatile unsigned int native_ran, hijacked;
static uint8_t hijack_stack[1024] __attribute__((aligned(16)));

/* Where a VCPUOP_initialise loaded over a SIPI-started AP would go. */
static void ap_hijacked(void)
{
	hijacked = 1;
	for (;;)
		__asm__ __volatile__("cli; hlt");
}

static void native_call(unsigned int id)
{
	native_ran = id + 1;
}
extern uint8_t ap_stacks[MAX_VCPUS][16384];

void test_smp_native(void)
{
	unsigned int nr = smp_nr_vcpus(), id;
	struct vcpu_hvm_context ctx;
	uint64_t icr, t0;
	long rc;

	for (id = 1; id < nr && id < MAX_VCPUS; id++)
		if (ap_state[id] == AP_NEVER)
			break;
	if (id >= nr || id >= MAX_VCPUS)
		return test_fail(N,
				 "no vCPU left that was never started "
				 "(domain has %u)",
				 nr);
	timer_port();
	memcpy((void *)TRAMP_BASE, ap_tramp_start,
	       (size_t)(ap_tramp_end - ap_tramp_start));
	ap_native_stack = (uintptr_t)&ap_stacks[id][sizeof(ap_stacks[id])];
	ap_native_id = id;
	ap_state[id] = AP_STARTING;
	mb();
	lapic_enable();
	icr = ((uint64_t)id << 32) | ICR_LEVEL_ASSERT;
	printf("pvmini: INIT + SIPI to vCPU %u (trampoline at 0x%lx)\n", id,
	       TRAMP_BASE);
	wrmsr(MSR_X2APIC_ICR, icr | ICR_INIT);
	delay_ns(MS);
	t0 = xen_now();
	wrmsr(MSR_X2APIC_ICR, icr | ICR_STARTUP | (TRAMP_BASE >> 12));
	/* Started now, though still in its trampoline: a PV context must not
	 * be loaded over it. */
	smp_fill_context(&ctx, (uintptr_t)ap_hijacked,
			 (uintptr_t)&hijack_stack[sizeof(hijack_stack)], 0);
	if ((rc = vcpu_op(VCPUOP_initialise, id, &ctx)) != -XEN_EEXIST)
		return test_fail(N,
				 "VCPUOP_initialise right after the SIPI = "
				 "%ld, want -EEXIST",
				 rc);
	if (!WAIT_FOR(ap_state[id] == AP_ONLINE, 500 * MS)) {
		/* The second SIPI of the MP spec's sequence. */
		wrmsr(MSR_X2APIC_ICR, icr | ICR_STARTUP | (TRAMP_BASE >> 12));
		if (!WAIT_FOR(ap_state[id] == AP_ONLINE, 2000 * MS))
			return test_fail(N, "vCPU %u did not come up", id);
	}
	if (ap_errors[id] || hijacked)
		return test_fail(N, "vCPU %u failed its set-up%s", id,
				 hijacked ? " (hijacked)" : "");
	if (vcpu_op(VCPUOP_is_up, id, NULL) != 1)
		return test_fail(N, "vCPU %u runs but is_up says no", id);
	native_ran = 0;
	smp_call(id, native_call);
	if (!smp_call_wait(id, 500 * MS) || native_ran != id + 1)
		return test_fail(N, "vCPU %u does not take work", id);
	printf("pvmini: vCPU %u started natively (SIPI to ap_main: %lu us)\n",
	       id, (ap_first_time[id] - t0) / 1000);
	test_pass(N);
}
