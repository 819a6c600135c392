/* vCPU identity and per-vCPU data. */
#include "pvmini.h"

#define MAX_VCPUS  16
#define STACK_SIZE 16384

uint8_t ap_stacks[MAX_VCPUS][STACK_SIZE] __attribute__((aligned(16)));
struct vcpu_info *registered_vi[MAX_VCPUS];

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

/* Entry of secondary vCPUs started with VCPUOP_initialise/up. The SMP
 * tests install what they run here. */
void (*ap_work)(unsigned int id);
void ap_main(unsigned int id);

void ap_main(unsigned int id)
{
	traps_init();
	if (ap_work)
		ap_work(id);
	for (;;)
		__asm__ __volatile__("cli; hlt");
}
