/*
 * Guest page-table walk: hypercall pointer arguments are guest-virtual
 * (linear) addresses, translated here with the vCPU's current control
 * registers. Sets accessed/dirty bits like the MMU would.
 */
#ifndef PVHV_PAGEWALK_H
#define PVHV_PAGEWALK_H

#include <pvhv/guestmem.h>

struct pw_regs {
	uint64_t cr0, cr3, cr4, efer;
};

/* Translates va; -EFAULT if unmapped, non-canonical, or (write) read-only
 * under CR0.WP. */
int gva_to_gpa(struct guest_mem *gm, const struct pw_regs *pw, gva_t va,
	       bool write, gpa_t *gpa);

#endif
