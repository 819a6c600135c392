/* Tests cpuid (Xen's leaves, as pvhv builds them) and legacy-io (ports and
 * MMIO nobody serves read as all-ones, writes vanish, pvhv logs them). */
#include <pvabi/arch-x86/cpuid.h>
#include <pvabi/pvhv.h>

#include "../pvmini.h"
#include "tests.h"

void test_cpuid(void)
{
	uint32_t a, b, c, d, base = xen_cpuid_base;

	if (base != XEN_CPUID_FIRST_LEAF)
		return test_fail("cpuid", "Xen leaves at 0x%x", base);
	cpuid(base, 0, &a, &b, &c, &d);
	if (a < base + 4)
		return test_fail("cpuid", "max leaf 0x%x", a);
	cpuid(base + 1, 0, &a, &b, &c, &d);
	if (a != ((4u << 16) | 17))
		return test_fail("cpuid", "version 0x%x", a);
	cpuid(base + 2, 0, &a, &b, &c, &d);
	if (a != 1 || b != PV_HYPERCALL_MSR)
		return test_fail("cpuid", "hypercall pages %u msr 0x%x", a, b);
	cpuid(base + 4, 0, &a, &b, &c, &d);
	if (!(a & XEN_HVM_CPUID_VCPU_ID_PRESENT) || b != 0 ||
	    !(a & XEN_HVM_CPUID_DOMID_PRESENT) || c == 0 ||
	    !(a & XEN_HVM_CPUID_UPCALL_VECTOR))
		return test_fail("cpuid", "leaf 4: 0x%x vcpu %u domid %u", a, b,
				 c);
	printf("pvmini: running as domain %u\n", c);
	cpuid(1, 0, &a, &b, &c, &d);
	if (!(c & (1u << 31)) || !(c & (1u << 21)))
		return test_fail("cpuid",
				 "leaf 1 ecx 0x%x: no hypervisor/x2apic", c);
	test_pass("cpuid");
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ __volatile__("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ __volatile__("outb %0, %1" ::"a"(v), "Nd"(port));
}

void test_legacy_io(void)
{
	volatile uint32_t *hole = (volatile uint32_t *)0xe0000000ul;
	uint8_t v;

	outb(0x3f8, 'x'); /* a serial port nobody emulates */
	v = inb(0x3fd);
	if (v != 0xff)
		return test_fail("legacy-io", "port 0x3fd read 0x%x", v);
	if (*hole != 0xffffffffu)
		return test_fail("legacy-io", "MMIO hole read 0x%x", *hole);
	*hole = 1;
	test_pass("legacy-io");
}
