/* Tests that end the domain on purpose, for the toolstack's tests:
 * ud2 (a fault: pvmini reports it and crashes), triple (no IDT: the CPU
 * resets, pvhv crashes the domain), reboot, and spin (runs until
 * destroyed, printing a heartbeat). */
#include <pvabi/sched.h>
#include <pvabi/vcpu.h>

#include "../pvmini.h"
#include "tests.h"

void test_ud2(void)
{
	printf("pvmini: executing ud2\n");
	__asm__ __volatile__("ud2");
	test_fail("ud2", "survived ud2");
}

void test_triple(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) none = {0, 0};

	printf("pvmini: no IDT, then ud2\n");
	__asm__ __volatile__("lidt %0; ud2" ::"m"(none));
	test_fail("triple", "survived a triple fault");
}

void test_reboot(void)
{
	printf("pvmini: rebooting\n");
	xen_shutdown(SHUTDOWN_reboot);
}

/* The only running vCPU goes down: Xen powers the domain off. */
void test_last_down(void)
{
	printf("pvmini: taking the last vCPU down\n");
	HYPERCALL3(__HYPERVISOR_vcpu_op, VCPUOP_down, smp_id(), 0);
	test_fail("last-down", "still running after the last vCPU went down");
}

void test_spin(void)
{
	for (unsigned long i = 0;; i++) {
		printf("pvmini: alive %lu\n", i);
		delay_ns(20000000);
	}
}
