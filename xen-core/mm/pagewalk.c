/*
 * Software walk of the guest's page tables: 32-bit, PAE, 4- and 5-level.
 * Entries are read with single atomic loads (the guest may change them
 * concurrently) and the accessed/dirty bits are set with atomic ORs.
 */
#include <errno.h>

#include <pvhv/pagewalk.h>

#define CR0_PG	 (1ull << 31)
#define CR0_WP	 (1ull << 16)
#define CR4_PSE	 (1ull << 4)
#define CR4_PAE	 (1ull << 5)
#define CR4_LA57 (1ull << 12)
#define EFER_LMA (1ull << 10)

#define PTE_P  (1ull << 0)
#define PTE_W  (1ull << 1)
#define PTE_A  (1ull << 5)
#define PTE_D  (1ull << 6)
#define PTE_PS (1ull << 7)

#define ADDR_MASK_64 0x000ffffffffff000ull

static int pw_walk64(struct guest_mem *gm, const struct pw_regs *pw, gva_t va,
		     bool write, gpa_t *gpa, int levels, gpa_t table)
{
	bool wp = pw->cr0 & CR0_WP;
	uint64_t *ent = NULL, e = 0;

	for (int l = levels; l >= 1; l--) {
		unsigned int shift = 12 + 9 * (unsigned int)(l - 1);
		uint64_t idx = (va >> shift) & 511;

		ent =
		    gpa_to_hva(gm, (table & ADDR_MASK_64) + idx * 8, 8, GM_ANY);
		if (!ent)
			return -EFAULT;
		e = __atomic_load_n(ent, __ATOMIC_ACQUIRE);
		if (!(e & PTE_P) || (write && wp && !(e & PTE_W)))
			return -EFAULT;
		if (!(e & PTE_A))
			__atomic_or_fetch(ent, PTE_A, __ATOMIC_RELAXED);
		if (l > 1 && (e & PTE_PS)) {
			/* 1 GiB (l == 3) and 2 MiB (l == 2) pages; a PS bit
			 * at levels 4/5 is reserved. */
			uint64_t mask = (1ull << shift) - 1;

			if (l > 3)
				return -EFAULT;
			if (write && !(e & PTE_D))
				__atomic_or_fetch(ent, PTE_D, __ATOMIC_RELAXED);
			*gpa = (e & ADDR_MASK_64 & ~mask) | (va & mask);
			return 0;
		}
		table = e;
	}
	if (write && !(e & PTE_D))
		__atomic_or_fetch(ent, PTE_D, __ATOMIC_RELAXED);
	*gpa = (e & ADDR_MASK_64) | (va & 0xfff);
	return 0;
}

static int pw_walk_pae(struct guest_mem *gm, const struct pw_regs *pw, gva_t va,
		       bool write, gpa_t *gpa)
{
	uint64_t *pdpte;
	uint64_t e;

	if (va >> 32)
		return -EFAULT;
	pdpte = gpa_to_hva(gm, (pw->cr3 & 0xffffffe0ull) + ((va >> 30) & 3) * 8,
			   8, GM_ANY);
	if (!pdpte)
		return -EFAULT;
	e = __atomic_load_n(pdpte, __ATOMIC_ACQUIRE);
	if (!(e & PTE_P))
		return -EFAULT;
	/* PDPTEs carry no W/A bits in PAE mode: walk the last two levels. */
	return pw_walk64(gm, pw, va, write, gpa, 2, e);
}

static int pw_walk32(struct guest_mem *gm, const struct pw_regs *pw, gva_t va,
		     bool write, gpa_t *gpa)
{
	bool wp = pw->cr0 & CR0_WP;
	uint64_t table = pw->cr3 & 0xfffff000ull;
	uint32_t *ent = NULL, e = 0;

	if (va >> 32)
		return -EFAULT;
	for (int l = 2; l >= 1; l--) {
		unsigned int shift = l == 2 ? 22 : 12;

		ent = gpa_to_hva(gm, table + ((va >> shift) & 1023) * 4, 4,
				 GM_ANY);
		if (!ent)
			return -EFAULT;
		e = __atomic_load_n(ent, __ATOMIC_ACQUIRE);
		if (!(e & PTE_P) || (write && wp && !(e & PTE_W)))
			return -EFAULT;
		if (!(e & PTE_A))
			__atomic_or_fetch(ent, (uint32_t)PTE_A,
					  __ATOMIC_RELAXED);
		if (l == 2 && (e & PTE_PS) && (pw->cr4 & CR4_PSE)) {
			/* 4 MiB page; bits 13..20 hold address bits 32..39. */
			uint64_t hi = ((uint64_t)(e >> 13) & 0xff) << 32;

			if (write && !(e & PTE_D))
				__atomic_or_fetch(ent, (uint32_t)PTE_D,
						  __ATOMIC_RELAXED);
			*gpa = hi | (e & 0xffc00000u) | (va & 0x3fffff);
			return 0;
		}
		table = e & 0xfffff000u;
	}
	if (write && !(e & PTE_D))
		__atomic_or_fetch(ent, (uint32_t)PTE_D, __ATOMIC_RELAXED);
	*gpa = (e & 0xfffff000u) | (va & 0xfff);
	return 0;
}

int gva_to_gpa(struct guest_mem *gm, const struct pw_regs *pw, gva_t va,
	       bool write, gpa_t *gpa)
{
	if (!(pw->cr0 & CR0_PG)) {
		if (va >> 32)
			return -EFAULT;
		*gpa = va;
		return 0;
	}
	if (pw->efer & EFER_LMA) {
		int levels = (pw->cr4 & CR4_LA57) ? 5 : 4;
		unsigned int vbits = levels == 5 ? 57 : 48;
		int64_t sva = (int64_t)(va << (64 - vbits)) >> (64 - vbits);

		if ((uint64_t)sva != va)
			return -EFAULT; /* non-canonical */
		return pw_walk64(gm, pw, va, write, gpa, levels, pw->cr3);
	}
	if (pw->cr4 & CR4_PAE)
		return pw_walk_pae(gm, pw, va, write, gpa);
	return pw_walk32(gm, pw, va, write, gpa);
}
