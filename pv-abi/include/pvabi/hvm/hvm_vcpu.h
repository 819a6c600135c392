/*
 * Initial register state of an HVM/PVH vCPU, the argument of
 * VCPUOP_initialise for such guests (any guest, for its own vCPUs).
 * Mirrors Xen's public/hvm/hvm_vcpu.h.
 */
#ifndef PVABI_HVM_HVM_VCPU_H
#define PVABI_HVM_HVM_VCPU_H

#include <stdint.h>

#include "../xen.h"

/*
 * 32-bit start (protected mode, or compatibility mode with EFER.LME/LMA).
 * All fields are IN.
 * Segment attributes (_ar): bits 3:0 type, 4 S, 6:5 DPL, 7 P, 8 AVL,
 * 9 L, 10 D/B, 11 G, 15:12 zero.
 */
struct vcpu_hvm_x86_32 {
	uint32_t eax;
	uint32_t ecx;
	uint32_t edx;
	uint32_t ebx;
	uint32_t esp;
	uint32_t ebp;
	uint32_t esi;
	uint32_t edi;
	uint32_t eip;
	uint32_t eflags;
	uint32_t cr0;
	uint32_t cr3;
	uint32_t cr4;
	uint32_t pad1;
	uint64_t efer; /* only NXE, or LME/LMA for compatibility mode */
	uint32_t cs_base;
	uint32_t ds_base;
	uint32_t ss_base;
	uint32_t es_base;
	uint32_t tr_base;
	uint32_t cs_limit;
	uint32_t ds_limit;
	uint32_t ss_limit;
	uint32_t es_limit;
	uint32_t tr_limit;
	uint16_t cs_ar;
	uint16_t ds_ar;
	uint16_t ss_ar;
	uint16_t es_ar;
	uint16_t tr_ar;
	uint16_t pad2[3];
};
_Static_assert(sizeof(struct vcpu_hvm_x86_32) == 120, "vcpu_hvm_x86_32");
typedef struct vcpu_hvm_x86_32 xen_vcpu_hvm_x86_32_t;

/*
 * 64-bit start: long mode, flat segments set up by the hypervisor.
 * All fields are IN.
 */
struct vcpu_hvm_x86_64 {
	uint64_t rax;
	uint64_t rcx;
	uint64_t rdx;
	uint64_t rbx;
	uint64_t rsp;
	uint64_t rbp;
	uint64_t rsi;
	uint64_t rdi;
	uint64_t rip;
	uint64_t rflags;
	uint64_t cr0;
	uint64_t cr3;
	uint64_t cr4;
	uint64_t efer;
};
_Static_assert(sizeof(struct vcpu_hvm_x86_64) == 112, "vcpu_hvm_x86_64");
typedef struct vcpu_hvm_x86_64 xen_vcpu_hvm_x86_64_t;

#define VCPU_HVM_MODE_32B 0 /* use cpu_regs.x86_32 */
#define VCPU_HVM_MODE_64B 1 /* use cpu_regs.x86_64 */

struct vcpu_hvm_context {
	uint32_t mode; /* IN: VCPU_HVM_MODE_* */
	uint32_t pad;
	union {
		xen_vcpu_hvm_x86_32_t x86_32;
		xen_vcpu_hvm_x86_64_t x86_64;
	} cpu_regs; /* IN */
};
_Static_assert(sizeof(struct vcpu_hvm_context) == 128, "vcpu_hvm_context");
typedef struct vcpu_hvm_context vcpu_hvm_context_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_hvm_context_t);

#endif
