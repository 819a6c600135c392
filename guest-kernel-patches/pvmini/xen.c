/* The PV platform: hypercalls, shared info, time, console, shutdown. */
#include <pvabi/arch-x86/cpuid.h>
#include <pvabi/memory.h>
#include <pvabi/sched.h>
#include <pvabi/vcpu.h>

#include "pvmini.h"

uint32_t xen_cpuid_base;
/* shared_info lives in pvmini's own memory, mapped here by the hypervisor. */
static uint8_t shared_page[4096] __attribute__((aligned(4096)));
struct shared_info *shared = (struct shared_info *)shared_page;

long hypercall(unsigned int nr, unsigned long a1, unsigned long a2,
	       unsigned long a3, unsigned long a4, unsigned long a5)
{
	register unsigned long r10 __asm__("r10") = a4;
	register unsigned long r8 __asm__("r8") = a5;
	long ret;

	/* Xen may clobber the argument registers: say so. */
	__asm__ __volatile__("call *%[stub]"
			     : "=a"(ret), "+D"(a1), "+S"(a2), "+d"(a3),
			       "+r"(r10), "+r"(r8)
			     : [stub] "r"(hypercall_page + nr * 32)
			     : "memory", "cc", "rcx", "r9", "r11");
	return ret;
}

long hypercall_raw(unsigned long nr, unsigned long a1, unsigned long a2,
		   unsigned long a3, unsigned long a4, unsigned long a5)
{
	register unsigned long r10 __asm__("r10") = a4;
	register unsigned long r8 __asm__("r8") = a5;
	long ret = (long)nr;

	/* The stub's instruction, inline: reaches numbers past the page. */
	__asm__ __volatile__("out %%eax, $0xe4"
			     : "+a"(ret), "+D"(a1), "+S"(a2), "+d"(a3),
			       "+r"(r10), "+r"(r8)
			     :
			     : "memory", "cc", "rcx", "r9", "r11");
	return ret;
}

long vcpu_op(unsigned int cmd, unsigned int vcpu, void *arg)
{
	return HYPERCALL3(__HYPERVISOR_vcpu_op, cmd, vcpu, arg);
}

void console_write(const char *s, size_t n)
{
	HYPERCALL3(__HYPERVISOR_console_io, CONSOLEIO_write, n, s);
}

void xen_shutdown(unsigned int reason)
{
	struct sched_shutdown s = {.reason = reason};

	for (;;)
		HYPERCALL2(__HYPERVISOR_sched_op, SCHEDOP_shutdown, &s);
}

static uint32_t find_xen_cpuid(void)
{
	for (uint32_t base = 0x40000000; base < 0x40010000; base += 0x100) {
		uint32_t a, b, c, d;

		cpuid(base, 0, &a, &b, &c, &d);
		if (b == XEN_CPUID_SIGNATURE_EBX &&
		    c == XEN_CPUID_SIGNATURE_ECX &&
		    d == XEN_CPUID_SIGNATURE_EDX && a - base >= 2)
			return base;
	}
	return 0;
}

int xen_init(void)
{
	struct xen_add_to_physmap xatp = {
	    .domid = DOMID_SELF,
	    .space = XENMAPSPACE_shared_info,
	    .idx = 0,
	    .gpfn = (uintptr_t)shared_page >> 12,
	};
	uint32_t a, b, c, d;

	xen_cpuid_base = find_xen_cpuid();
	if (!xen_cpuid_base)
		return -1; /* no way to even print */
	cpuid(xen_cpuid_base + 2, 0, &a, &b, &c, &d);
	/* a: number of hypercall pages; b: the MSR to write. */
	wrmsr(b, (uintptr_t)hypercall_page);
	if (HYPERCALL2(__HYPERVISOR_memory_op, XENMEM_add_to_physmap, &xatp))
		return -2;
	return 0;
}

/* pvclock: system time = system_time + scale(rdtsc - tsc_timestamp). */
static uint64_t pvclock_read(volatile struct vcpu_time_info *t)
{
	uint32_t version;
	uint64_t ns;

	do {
		uint64_t delta;
		int8_t shift;

		version = t->version;
		mb();
		delta = rdtsc() - t->tsc_timestamp;
		shift = t->tsc_shift;
		if (shift < 0)
			delta >>= -shift;
		else
			delta <<= shift;
		ns = t->system_time + (uint64_t)(((unsigned __int128)delta *
						  t->tsc_to_system_mul) >>
						 32);
		mb();
	} while ((version & 1) || version != t->version);
	return ns;
}

uint64_t xen_now(void)
{
	return pvclock_read(&this_vcpu_info()->time);
}

domid_t xen_domid(void)
{
	uint32_t a, b, c, d;

	cpuid(xen_cpuid_base + 4, 0, &a, &b, &c, &d);
	return (domid_t)c;
}

void delay_ns(uint64_t ns)
{
	uint64_t end = xen_now() + ns;

	while (xen_now() < end)
		__asm__ __volatile__("pause");
}
