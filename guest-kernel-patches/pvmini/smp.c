/*
 * Secondary vCPUs: identity, per-vCPU data, and bring-up.
 *
 * The PV way (as Linux and Mini-OS on Xen PVH): VCPUOP_initialise with a
 * 64-bit context that enters ap_entry64 on the AP's own stack, then
 * VCPUOP_up. The native way (INIT/SIPI, tests/smp.c) enters through the
 * real-mode trampoline in entry.S and joins at ap_main() too.
 *
 * Every AP then registers its own vcpu_info, takes its events through its
 * LAPIC (x2APIC, upcall vector) and waits in `sti; hlt` for work posted
 * with smp_call() and a wake-up IPI.
 */
#include <pvabi/hvm/hvm_vcpu.h>
#include <pvabi/vcpu.h>

#include "pvmini.h"

#define STACK_SIZE 16384
#define MSR_EFER   0xc0000080
#define EFER_LMA   (1u << 10)

uint8_t ap_stacks[MAX_VCPUS][STACK_SIZE] __attribute__((aligned(16)));
static struct vcpu_info vcpu_infos[MAX_VCPUS] __attribute__((aligned(64)));
static struct vcpu_info *registered_vi[MAX_VCPUS];

volatile uint32_t ap_state[MAX_VCPUS];
volatile uint64_t ap_first_time[MAX_VCPUS];
volatile uint32_t ap_errors[MAX_VCPUS];
volatile uint64_t ap_native_stack;
volatile uint32_t ap_native_id;

static void (*volatile ap_fn[MAX_VCPUS])(unsigned int id);
static evtchn_port_t ap_wake_port[MAX_VCPUS];
static unsigned int nr_vcpus;

extern char ap_entry64[];

/* Which vCPU runs this code: found from the stack pointer (vCPU 0 runs on
 * the boot stack, vCPU n on ap_stacks[n]). */
unsigned int smp_id(void)
{
	uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
	uintptr_t base = (uintptr_t)ap_stacks;

	if (sp >= base && sp < base + sizeof(ap_stacks))
		return (unsigned int)((sp - base) / STACK_SIZE);
	return 0;
}

struct vcpu_info *this_vcpu_info(void)
{
	unsigned int id = smp_id();

	return registered_vi[id] ? registered_vi[id] : &shared->vcpu_info[id];
}

unsigned int smp_nr_vcpus(void)
{
	if (!nr_vcpus) {
		unsigned int n = 1;

		/* -ENOENT past the last vCPU id; 0 or 1 for the others. */
		while (n < 4096 && vcpu_op(VCPUOP_is_up, n, NULL) >= 0)
			n++;
		nr_vcpus = n;
	}
	return nr_vcpus;
}

int smp_register_vcpu_info(void)
{
	unsigned int id = smp_id();
	uintptr_t a = (uintptr_t)&vcpu_infos[id];
	struct vcpu_register_vcpu_info r = {.mfn = a >> 12,
					    .offset = (uint32_t)(a & 0xfff)};
	long rc;

	if (registered_vi[id])
		return 0;
	rc = vcpu_op(VCPUOP_register_vcpu_info, id, &r);
	if (rc == 0)
		registered_vi[id] = &vcpu_infos[id];
	return (int)rc;
}

static void on_wake(evtchn_port_t port, void *arg)
{
	(void)port;
	(void)arg; /* the interrupt itself ended the halt */
}

static void ap_fail(unsigned int id, const char *what, long rc)
{
	printf("pvmini: vCPU %u: %s failed (%ld)\n", id, what, rc);
	ap_errors[id]++;
}

/* Entry of every secondary vCPU, however it was started. */
void ap_main(unsigned int id)
{
	evtchn_port_t port;
	long rc;

	traps_init();
	ap_first_time[id] = xen_now();
	rc = smp_register_vcpu_info();
	if (rc)
		ap_fail(id, "VCPUOP_register_vcpu_info", rc);
	/* Time must still work through the new vcpu_info. */
	if (xen_now() < ap_first_time[id])
		ap_fail(id, "pvclock after registration", 0);
	rc = events_set_mode(UPCALL_LAPIC);
	if (rc)
		ap_fail(id, "HVMOP_set_evtchn_upcall_vector", rc);
	rc = bind_ipi(id, &port);
	if (rc)
		ap_fail(id, "EVTCHNOP_bind_ipi", rc);
	evtchn_bind(port, on_wake, NULL);
	evtchn_unmask(port);
	timer_port();
	ap_wake_port[id] = port;
	__atomic_store_n(&ap_state[id], AP_ONLINE, __ATOMIC_SEQ_CST);
	for (;;) {
		void (*fn)(unsigned int);

		irq_disable();
		fn = __atomic_load_n(&ap_fn[id], __ATOMIC_ACQUIRE);
		if (!fn) {
			safe_halt(); /* an interrupt: look again */
			continue;
		}
		fn(id);
		irq_disable();
		__atomic_store_n(&ap_fn[id], NULL, __ATOMIC_SEQ_CST);
	}
}

void smp_call(unsigned int id, void (*fn)(unsigned int id))
{
	__atomic_store_n(&ap_fn[id], fn, __ATOMIC_SEQ_CST);
	evtchn_send(ap_wake_port[id]);
}

bool smp_call_wait(unsigned int id, uint64_t timeout_ns)
{
	return WAIT_FOR(!__atomic_load_n(&ap_fn[id], __ATOMIC_ACQUIRE),
			timeout_ns);
}

static uint64_t read_cr(int n)
{
	uint64_t v = 0;

	if (n == 0)
		__asm__ __volatile__("mov %%cr0, %0" : "=r"(v));
	else if (n == 3)
		__asm__ __volatile__("mov %%cr3, %0" : "=r"(v));
	else
		__asm__ __volatile__("mov %%cr4, %0" : "=r"(v));
	return v;
}

void smp_fill_context(struct vcpu_hvm_context *ctx, uintptr_t rip,
		      uintptr_t rsp, unsigned long rdi)
{
	struct vcpu_hvm_x86_64 *x = &ctx->cpu_regs.x86_64;

	/* The BSP's paging and modes. EFER.LMA follows from LME and
	 * paging (Xen and pvhv set it). */
	*ctx = (struct vcpu_hvm_context){.mode = VCPU_HVM_MODE_64B};
	x->rip = rip;
	x->rsp = rsp;
	x->rdi = rdi;
	x->rflags = 0x2;
	x->cr0 = read_cr(0);
	x->cr3 = read_cr(3);
	x->cr4 = read_cr(4);
	x->efer = rdmsr(MSR_EFER) & ~EFER_LMA;
}

int smp_start_ap(unsigned int id)
{
	struct vcpu_hvm_context ctx;
	long rc;

	if (id == 0 || id >= MAX_VCPUS || id >= smp_nr_vcpus())
		return -XEN_EINVAL;
	if (ap_state[id] == AP_ONLINE) {
		/* Downed earlier: VCPUOP_up resumes it where it stopped. */
		rc = vcpu_op(VCPUOP_up, id, NULL);
		return rc < 0 ? (int)rc : 0;
	}
	/* ap_entry64 on the AP's own stack, rdi = its id. */
	smp_fill_context(&ctx, (uintptr_t)ap_entry64,
			 (uintptr_t)&ap_stacks[id][STACK_SIZE], id);
	ap_state[id] = AP_STARTING;
	rc = vcpu_op(VCPUOP_initialise, id, &ctx);
	if (rc == 0)
		rc = vcpu_op(VCPUOP_up, id, NULL);
	if (rc) {
		ap_state[id] = AP_NEVER;
		return (int)rc;
	}
	if (!WAIT_FOR(ap_state[id] == AP_ONLINE, 2000000000ull))
		return -XEN_ETIMEDOUT;
	return 0;
}
