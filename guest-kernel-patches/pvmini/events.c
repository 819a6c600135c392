/* Event channels, 2-level ABI, and the three ways to be told about them. */
#include <pvabi/event_channel.h>
#include <pvabi/hvm/hvm_op.h>
#include <pvabi/hvm/params.h>
#include <pvabi/sched.h>
#include <pvabi/vcpu.h>

#include "pvmini.h"

#define NR_PORTS       4096
#define CALLBACK_VEC   0xf3
#define UPCALL_VEC     0xf4
#define SPURIOUS_VEC   0xf5
#define MSR_APIC_BASE  0x1b
#define MSR_X2APIC_EOI 0x80b
#define MSR_X2APIC_SVR 0x80f

static struct {
	evtchn_handler_t fn;
	void *arg;
} handlers[NR_PORTS];

/* Which vCPU handles a port: its upcall loop only takes its own ports, as
 * Linux's per-CPU event masks do, so that a port pending for another vCPU
 * in the same word is left to that vCPU. Unbound ports belong to vCPU 0. */
static uint8_t port_vcpu[NR_PORTS];

static enum upcall_mode upcall_mode[MAX_VCPUS];
static evtchn_port_t timer_ports[MAX_VCPUS];
volatile uint64_t timer_ticks[MAX_VCPUS];
volatile uint32_t timer_wrong_vcpu;

void evtchn_bind_on(evtchn_port_t port, unsigned int vcpu, evtchn_handler_t h,
		    void *arg)
{
	handlers[port].arg = arg;
	handlers[port].fn = h;
	__atomic_store_n(&port_vcpu[port], (uint8_t)vcpu, __ATOMIC_RELEASE);
}

void evtchn_bind(evtchn_port_t port, evtchn_handler_t h, void *arg)
{
	evtchn_bind_on(port, smp_id(), h, arg);
}

void evtchn_unbind(evtchn_port_t port)
{
	if (port >= NR_PORTS)
		return;
	handlers[port].fn = NULL;
	__atomic_store_n(&port_vcpu[port], 0, __ATOMIC_RELEASE);
}

void evtchn_mask(evtchn_port_t port)
{
	__atomic_fetch_or(&shared->evtchn_mask[port / 64], 1ull << (port % 64),
			  __ATOMIC_SEQ_CST);
}

void evtchn_clear(evtchn_port_t port)
{
	__atomic_fetch_and(&shared->evtchn_pending[port / 64],
			   ~(1ull << (port % 64)), __ATOMIC_SEQ_CST);
}

bool evtchn_pending(evtchn_port_t port)
{
	return __atomic_load_n(&shared->evtchn_pending[port / 64],
			       __ATOMIC_SEQ_CST) &
	       (1ull << (port % 64));
}

int evtchn_unmask(evtchn_port_t port)
{
	struct evtchn_unmask u = {.port = port};

	return (int)HYPERCALL2(__HYPERVISOR_event_channel_op, EVTCHNOP_unmask,
			       &u);
}

int bind_virq(unsigned int virq, unsigned int vcpu, evtchn_port_t *port)
{
	struct evtchn_bind_virq b = {.virq = virq, .vcpu = vcpu};
	int rc = (int)HYPERCALL2(__HYPERVISOR_event_channel_op,
				 EVTCHNOP_bind_virq, &b);

	if (rc == 0)
		*port = b.port;
	return rc;
}

int bind_ipi(unsigned int vcpu, evtchn_port_t *port)
{
	struct evtchn_bind_ipi b = {.vcpu = vcpu};
	int rc = (int)HYPERCALL2(__HYPERVISOR_event_channel_op,
				 EVTCHNOP_bind_ipi, &b);

	if (rc == 0)
		*port = b.port;
	return rc;
}

static void on_timer(evtchn_port_t port, void *arg)
{
	unsigned int vcpu = (unsigned int)(uintptr_t)arg;

	(void)port;
	if (smp_id() != vcpu)
		__atomic_fetch_add(&timer_wrong_vcpu, 1, __ATOMIC_SEQ_CST);
	timer_ticks[vcpu]++;
}

evtchn_port_t timer_port(void)
{
	unsigned int id = smp_id();
	evtchn_port_t port;

	if (timer_ports[id])
		return timer_ports[id];
	if (bind_virq(VIRQ_TIMER, id, &port)) {
		printf("pvmini: vCPU %u cannot bind VIRQ_TIMER\n", id);
		xen_shutdown(SHUTDOWN_crash);
	}
	evtchn_bind(port, on_timer, (void *)(uintptr_t)id);
	timer_ports[id] = port;
	evtchn_unmask(port);
	return port;
}

void timer_settle(void)
{
	unsigned int id = smp_id();
	uint64_t dl = xen_now() + 1000000, limit = dl + 1000000000ull;
	struct vcpu_set_singleshot_timer s = {.timeout_abs_ns = dl};
	uint64_t t;

	timer_port();
	t = timer_ticks[id];
	vcpu_op(VCPUOP_set_singleshot_timer, id, &s);
	while ((xen_now() < dl || timer_ticks[id] == t) && xen_now() < limit)
		block_until(0);
}

int evtchn_send(evtchn_port_t port)
{
	struct evtchn_send s = {.port = port};

	return (int)HYPERCALL2(__HYPERVISOR_event_channel_op, EVTCHNOP_send,
			       &s);
}

int evtchn_close(evtchn_port_t port)
{
	struct evtchn_close c = {.port = port};

	evtchn_unbind(port);
	return (int)HYPERCALL2(__HYPERVISOR_event_channel_op, EVTCHNOP_close,
			       &c);
}

void evtchn_do_upcall(void)
{
	struct vcpu_info *vi = this_vcpu_info();
	unsigned int me = smp_id();

	while (__atomic_exchange_n(&vi->evtchn_upcall_pending, 0,
				   __ATOMIC_SEQ_CST)) {
		uint64_t sel = __atomic_exchange_n(&vi->evtchn_pending_sel, 0,
						   __ATOMIC_SEQ_CST);

		while (sel) {
			unsigned int w = (unsigned int)__builtin_ctzll(sel);
			uint64_t pend;

			sel &= sel - 1;
			pend = __atomic_load_n(&shared->evtchn_pending[w],
					       __ATOMIC_SEQ_CST) &
			       ~__atomic_load_n(&shared->evtchn_mask[w],
						__ATOMIC_SEQ_CST);
			while (pend) {
				unsigned int b =
				    (unsigned int)__builtin_ctzll(pend);
				evtchn_port_t port = w * 64 + b;

				pend &= pend - 1;
				if (__atomic_load_n(&port_vcpu[port],
						    __ATOMIC_ACQUIRE) != me)
					continue;
				evtchn_clear(port);
				if (handlers[port].fn)
					handlers[port].fn(port,
							  handlers[port].arg);
			}
		}
	}
}

static int set_upcall_vector(unsigned int vcpu, uint8_t vec)
{
	struct xen_hvm_evtchn_upcall_vector u = {.vcpu = vcpu, .vector = vec};

	return (int)HYPERCALL2(__HYPERVISOR_hvm_op,
			       HVMOP_set_evtchn_upcall_vector, &u);
}

/* x2APIC on, software-enabled, spurious vector routed to our stub. */
void lapic_enable(void)
{
	wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | (1 << 11) | (1 << 10));
	wrmsr(MSR_X2APIC_SVR, 0x100 | SPURIOUS_VEC);
}

void lapic_eoi(void)
{
	wrmsr(MSR_X2APIC_EOI, 0);
}

int events_set_mode(enum upcall_mode mode)
{
	struct xen_hvm_param p = {.domid = DOMID_SELF,
				  .index = HVM_PARAM_CALLBACK_IRQ};
	int rc = 0;

	switch (mode) {
	case UPCALL_POLL:
		rc = (int)HYPERCALL2(__HYPERVISOR_hvm_op, HVMOP_set_param, &p);
		break;
	case UPCALL_CALLBACK:
		p.value = ((uint64_t)HVM_PARAM_CALLBACK_TYPE_VECTOR << 56) |
			  CALLBACK_VEC;
		rc = (int)HYPERCALL2(__HYPERVISOR_hvm_op, HVMOP_set_param, &p);
		break;
	case UPCALL_LAPIC:
		lapic_enable();
		rc = set_upcall_vector(smp_id(), UPCALL_VEC);
		break;
	}
	if (rc == 0)
		upcall_mode[smp_id()] = mode;
	return rc;
}

enum upcall_mode events_mode(void)
{
	return upcall_mode[smp_id()];
}

void events_init(void)
{
	/* Everything starts masked; ports are unmasked as they are bound. */
	for (unsigned int i = 0; i < ARRAY_SIZE(shared->evtchn_mask); i++)
		shared->evtchn_mask[i] = ~0ull;
	/* vCPU 0's timer port from the start: block_until() deadlines need
	 * VIRQ_TIMER bound. */
	timer_port();
}

void block_until(uint64_t deadline_ns)
{
	struct vcpu_set_singleshot_timer t = {.timeout_abs_ns = deadline_ns};

	if (deadline_ns)
		HYPERCALL3(__HYPERVISOR_vcpu_op, VCPUOP_set_singleshot_timer,
			   smp_id(), &t);
	if (events_mode() == UPCALL_POLL) {
		HYPERCALL2(__HYPERVISOR_sched_op, SCHEDOP_block, 0);
		evtchn_do_upcall();
	} else {
		/* The interrupt wakes the halt; its handler ran on return. */
		safe_halt();
		irq_disable();
	}
}
