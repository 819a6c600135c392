/*
 * Test badptr: hypercalls with bad pointers and sizes get the right Xen
 * errors (and nothing is written where it must not be).
 *
 * A small 4 KiB-page window at 4 GiB gives the interesting cases:
 *   BAD_VA + 0      read-write page
 *   BAD_VA + 4096   not present
 *   BAD_VA + 8192   read-only (CR0.WP is on)
 */
#include <pvabi/event_channel.h>
#include <pvabi/hvm/hvm_op.h>
#include <pvabi/hvm/params.h>
#include <pvabi/memory.h>
#include <pvabi/sched.h>
#include <pvabi/vcpu.h>
#include <pvabi/version.h>

#include "../pvmini.h"
#include "tests.h"

#define T      "badptr"
#define BAD_VA 0x100000000ul

extern uint64_t pdpt[512];
static uint64_t pd_win[512] __attribute__((aligned(4096)));
static uint64_t pt_win[512] __attribute__((aligned(4096)));
static uint8_t rw_page[4096] __attribute__((aligned(4096)));
static uint8_t ro_page[4096] __attribute__((aligned(4096)));

static void map_window(void)
{
	pt_win[0] = (uintptr_t)rw_page | 0x3;
	pt_win[1] = 0;
	pt_win[2] = (uintptr_t)ro_page | 0x1; /* present, read-only */
	pd_win[0] = (uintptr_t)pt_win | 0x3;
	pdpt[4] = (uintptr_t)pd_win | 0x3;
	__asm__ __volatile__("mov %%cr3, %%rax; mov %%rax, %%cr3" ::
				 : "rax", "memory");
}

struct expect {
	const char *what;
	long got, want;
};

static int check(const struct expect *e, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (e[i].got != e[i].want)
			return test_fail(T, "%s: got %ld, want %ld", e[i].what,
					 e[i].got, e[i].want),
			       -1;
	return 0;
}

static long hv(unsigned int nr, unsigned long a, unsigned long b,
	       unsigned long c)
{
	return hypercall_raw(nr, a, b, c, 0, 0);
}

static int pointer_cases(void)
{
	void *rw = (void *)BAD_VA, *ro = (void *)(BAD_VA + 8192);
	void *straddle = (void *)(BAD_VA + 4096 - 8);
	struct xen_memory_map mm = {.nr_entries = 4};
	evtchn_port_t ports[1] = {1};
	struct sched_poll poll = {.nr_ports = 1};
	struct expect e[8];
	size_t n = 0;

	set_xen_guest_handle(mm.buffer, BAD_VA + 4096);
	set_xen_guest_handle(poll.ports, BAD_VA + 4096);
	e[n++] = (struct expect){"console_io non-canonical",
				 hv(__HYPERVISOR_console_io, CONSOLEIO_write, 8,
				    0xdead000000000000ul),
				 -XEN_EFAULT};
	e[n++] = (struct expect){
	    "console_io unmapped",
	    hv(__HYPERVISOR_console_io, CONSOLEIO_write, 8, 0x700000000000ul),
	    -XEN_EFAULT};
	e[n++] = (struct expect){
	    "extraversion to read-only page",
	    hv(__HYPERVISOR_xen_version, XENVER_extraversion, (uintptr_t)ro, 0),
	    -XEN_EFAULT};
	e[n++] =
	    (struct expect){"extraversion across into unmapped page",
			    hv(__HYPERVISOR_xen_version, XENVER_extraversion,
			       (uintptr_t)straddle, 0),
			    -XEN_EFAULT};
	e[n++] = (struct expect){
	    "extraversion to read-write page",
	    hv(__HYPERVISOR_xen_version, XENVER_extraversion, (uintptr_t)rw, 0),
	    0};
	e[n++] = (struct expect){
	    "memory_map into unmapped buffer",
	    hv(__HYPERVISOR_memory_op, XENMEM_memory_map, (uintptr_t)&mm, 0),
	    -XEN_EFAULT};
	e[n++] = (struct expect){
	    "poll with unmapped port list",
	    hv(__HYPERVISOR_sched_op, SCHEDOP_poll, (uintptr_t)&poll, 0),
	    -XEN_EFAULT};
	poll.nr_ports = 129;
	set_xen_guest_handle(poll.ports, ports);
	e[n++] = (struct expect){
	    "poll with 129 ports",
	    hv(__HYPERVISOR_sched_op, SCHEDOP_poll, (uintptr_t)&poll, 0),
	    -XEN_EINVAL};
	return check(e, n);
}

static int argument_cases(void)
{
	struct xen_hvm_param p = {.domid = DOMID_SELF, .index = 1000};
	struct xen_add_to_physmap x = {
	    .domid = DOMID_SELF, .space = XENMAPSPACE_shared_info, .idx = 1};
	struct vcpu_register_vcpu_info vi = {.mfn = 0x200, .offset = 4095};
	struct sched_shutdown sd = {.reason = 99};
	struct evtchn_send es = {.port = 5000};
	struct expect e[16];
	size_t n = 0;

	e[n++] =
	    (struct expect){"hypercall 1000", hv(1000, 0, 0, 0), -XEN_ENOSYS};
	e[n++] = (struct expect){"PV-only set_trap_table",
				 hv(__HYPERVISOR_set_trap_table, 0, 0, 0),
				 -XEN_ENOSYS};
	e[n++] = (struct expect){
	    "vcpu_op on vCPU 1000",
	    hv(__HYPERVISOR_vcpu_op, VCPUOP_is_up, 1000, 0), -XEN_ENOENT};
	e[n++] = (struct expect){
	    "get_param 1000",
	    hv(__HYPERVISOR_hvm_op, HVMOP_get_param, (uintptr_t)&p, 0),
	    -XEN_EINVAL};
	p.index = HVM_PARAM_STORE_PFN;
	e[n++] = (struct expect){
	    "guest sets STORE_PFN",
	    hv(__HYPERVISOR_hvm_op, HVMOP_set_param, (uintptr_t)&p, 0),
	    -XEN_EPERM};
	p.domid = 0;
	e[n++] = (struct expect){
	    "get_param of dom0",
	    hv(__HYPERVISOR_hvm_op, HVMOP_get_param, (uintptr_t)&p, 0),
	    -XEN_EPERM};
	p.domid = 0x7fe0;
	e[n++] = (struct expect){
	    "get_param of a missing domain",
	    hv(__HYPERVISOR_hvm_op, HVMOP_get_param, (uintptr_t)&p, 0),
	    -XEN_ESRCH};
	p = (struct xen_hvm_param){.domid = DOMID_SELF,
				   .index = HVM_PARAM_CALLBACK_IRQ,
				   .value = 5}; /* GSI 5: no IOAPIC here */
	e[n++] = (struct expect){
	    "GSI callback",
	    hv(__HYPERVISOR_hvm_op, HVMOP_set_param, (uintptr_t)&p, 0),
	    -XEN_EINVAL};
	e[n++] = (struct expect){
	    "shared_info idx 1",
	    hv(__HYPERVISOR_memory_op, XENMEM_add_to_physmap, (uintptr_t)&x, 0),
	    -XEN_EINVAL};
	x.domid = 0;
	e[n++] = (struct expect){
	    "add_to_physmap for dom0",
	    hv(__HYPERVISOR_memory_op, XENMEM_add_to_physmap, (uintptr_t)&x, 0),
	    -XEN_EPERM};
	e[n++] =
	    (struct expect){"vcpu_info at offset 4095",
			    hv(__HYPERVISOR_vcpu_op, VCPUOP_register_vcpu_info,
			       0, (uintptr_t)&vi),
			    -XEN_EINVAL};
	e[n++] = (struct expect){
	    "shutdown reason 99",
	    hv(__HYPERVISOR_sched_op, SCHEDOP_shutdown, (uintptr_t)&sd, 0),
	    -XEN_EINVAL};
	e[n++] = (struct expect){
	    "send on port 5000",
	    hv(__HYPERVISOR_event_channel_op, EVTCHNOP_send, (uintptr_t)&es, 0),
	    -XEN_EINVAL};
	e[n++] = (struct expect){
	    "multicall with unmapped list",
	    hv(__HYPERVISOR_multicall, BAD_VA + 4096, 4, 0), -XEN_EFAULT};
	e[n++] = (struct expect){
	    "console_io read (dom0 only)",
	    hv(__HYPERVISOR_console_io, CONSOLEIO_read, 8, BAD_VA), -XEN_EPERM};
	return check(e, n);
}

/* The hypercall MSR: write-only, and only a RAM page address. */
static int msr_cases(void)
{
	trap_seen = 0;
	trap_expected = 13 + 1;
	__asm__ __volatile__("lea 1f(%%rip), %%rax\n\t"
			     "mov %%rax, trap_resume(%%rip)\n\t"
			     "mov $0x40000000, %%ecx\n\t"
			     "rdmsr\n\t"
			     "1:" ::
				 : "rax", "rcx", "rdx", "memory");
	if (trap_seen != 13 + 1)
		return test_fail(T, "rdmsr of the hypercall MSR: no #GP"), -1;
	trap_seen = 0;
	trap_expected = 13 + 1;
	__asm__ __volatile__("lea 1f(%%rip), %%rax\n\t"
			     "mov %%rax, trap_resume(%%rip)\n\t"
			     "mov $0x40000000, %%ecx\n\t"
			     "mov $0xf0000000, %%eax\n\t"
			     "xor %%edx, %%edx\n\t"
			     "wrmsr\n\t"
			     "1:" ::
				 : "rax", "rcx", "rdx", "memory");
	if (trap_seen != 13 + 1)
		return test_fail(T, "hypercall page in a hole: no #GP"), -1;
	return 0;
}

void test_badptr(void)
{
	map_window();
	memset(ro_page, 0x5a, sizeof(ro_page));
	if (pointer_cases() < 0 || argument_cases() < 0 || msr_cases() < 0)
		return;
	for (size_t i = 0; i < sizeof(ro_page); i++)
		if (ro_page[i] != 0x5a)
			return test_fail(T, "read-only page was written");
	if (HYPERCALL2(__HYPERVISOR_xen_version, XENVER_version, 0) <= 0)
		return test_fail(T, "hypercalls broken afterwards");
	test_pass(T);
}
