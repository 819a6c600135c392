/*
 * Unit tests for guest memory (xen-core/mm/guestmem.c: layout, checked
 * translation, pool pages, copies) and the guest page-table walk
 * (pagewalk.c) over real page tables built inside a guestmem.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pvabi/pvhv.h>
#include <pvhv/guestmem.h>
#include <pvhv/pagewalk.h>

#include "unit.h"

#define MiB (1ull << 20)
#define GiB (1ull << 30)

#define CR0_PE	 (1ull << 0)
#define CR0_WP	 (1ull << 16)
#define CR0_PG	 (1ull << 31)
#define CR4_PSE	 (1ull << 4)
#define CR4_PAE	 (1ull << 5)
#define CR4_LA57 (1ull << 12)
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)

#define PTE_P	 (1ull << 0)
#define PTE_W	 (1ull << 1)
#define PTE_U	 (1ull << 2)
#define PTE_A	 (1ull << 5)
#define PTE_D	 (1ull << 6)
#define PTE_PS	 (1ull << 7)
#define PTE_NX	 (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull

static struct guest_mem gm;

static void gm_setup(uint64_t ram, uint32_t pool)
{
	CU_ASSERT_FATAL(guestmem_init(&gm, ram, pool, "test_mm") == 0);
}

/* ------------------------------------------------------------- layout */

static void test_layout_small(void)
{
	gm_setup(16 * MiB, 4);
	CU_ASSERT_EQUAL(gm.ram_size, 16 * MiB);
	CU_ASSERT_EQUAL(gm.lowmem_end, 16 * MiB);
	CU_ASSERT_EQUAL(gm.nr, 2);
	CU_ASSERT_EQUAL(gm.r[0].gpa, 0);
	CU_ASSERT_EQUAL(gm.r[0].size, 16 * MiB);
	CU_ASSERT_EQUAL(gm.r[0].offset, 0);
	CU_ASSERT_EQUAL(gm.r[0].kind, GM_RAM);
	CU_ASSERT_EQUAL(gm.r[1].gpa, PV_SPECIAL_BASE);
	CU_ASSERT_EQUAL(gm.r[1].size, PV_SPECIAL_PAGES * PAGE_SIZE);
	CU_ASSERT_EQUAL(gm.r[1].offset, 16 * MiB);
	CU_ASSERT_EQUAL(gm.r[1].kind, GM_SPECIAL);
	CU_ASSERT_NOT_EQUAL(gm.r[0].slot, gm.r[1].slot);
	CU_ASSERT_EQUAL(gm.pool_off, 16 * MiB + PV_SPECIAL_PAGES * PAGE_SIZE);
	CU_ASSERT_EQUAL(gm.size, gm.pool_off + 4 * PAGE_SIZE);
	CU_ASSERT(gm.memfd >= 0);
	/* The special pages and the pool come after RAM in the memfd. */
	CU_ASSERT_PTR_EQUAL(gpa_to_hva(&gm, PV_SPECIAL_BASE, 1, GM_ANY),
			    gm.base + gm.special_off);
	CU_ASSERT_PTR_EQUAL(guestmem_pool_page(&gm, 3),
			    gm.base + gm.pool_off + 3 * PAGE_SIZE);
	CU_ASSERT_PTR_NULL(guestmem_pool_page(&gm, 4));
	CU_ASSERT_PTR_NULL(guestmem_pool_page(&gm, UINT32_MAX));
	guestmem_fini(&gm);
	guestmem_fini(&gm); /* twice is safe */
}

static void test_layout_high(void)
{
	uint64_t *p;

	/* RAM up to the hole exactly: no region above 4 GiB. */
	gm_setup(PV_LOWMEM_MAX, 0);
	CU_ASSERT_EQUAL(gm.nr, 2);
	CU_ASSERT_EQUAL(gm.lowmem_end, PV_LOWMEM_MAX);
	CU_ASSERT_PTR_NULL(gpa_to_hva(&gm, PV_HIGHMEM_BASE, 1, GM_ANY));
	guestmem_fini(&gm);

	/* 64 MiB more: it goes above 4 GiB, right after low RAM in the
	 * memfd. */
	gm_setup(PV_LOWMEM_MAX + 64 * MiB, 1);
	CU_ASSERT_EQUAL(gm.nr, 3);
	CU_ASSERT_EQUAL(gm.lowmem_end, PV_LOWMEM_MAX);
	CU_ASSERT_EQUAL(gm.r[1].gpa, PV_HIGHMEM_BASE);
	CU_ASSERT_EQUAL(gm.r[1].size, 64 * MiB);
	CU_ASSERT_EQUAL(gm.r[1].offset, PV_LOWMEM_MAX);
	CU_ASSERT_EQUAL(gm.r[1].kind, GM_RAM);
	CU_ASSERT_EQUAL(gm.special_off, PV_LOWMEM_MAX + 64 * MiB);
	CU_ASSERT_PTR_EQUAL(gpa_to_hva(&gm, PV_HIGHMEM_BASE, 8, GM_ANY),
			    gm.base + PV_LOWMEM_MAX);
	CU_ASSERT_PTR_NOT_NULL(gpa_to_hva(&gm, PV_LOWMEM_MAX - 8, 8, GM_ANY));
	CU_ASSERT_PTR_NULL(gpa_to_hva(&gm, PV_LOWMEM_MAX, 1, GM_ANY));
	CU_ASSERT_PTR_NULL(gpa_to_hva(&gm, PV_LOWMEM_MAX - 8, 9, GM_ANY));
	CU_ASSERT_PTR_NULL(gpa_to_hva(&gm, PV_HIGHMEM_BASE - 1, 2, GM_ANY));
	CU_ASSERT_PTR_NULL(
	    gpa_to_hva(&gm, PV_HIGHMEM_BASE + 64 * MiB, 1, GM_ANY));
	p = gpa_to_hva(&gm, PV_HIGHMEM_BASE + 64 * MiB - 8, 8, GM_ANY);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	*p = 0x1122334455667788ull;
	CU_ASSERT_EQUAL(*(uint64_t *)(gm.base + PV_LOWMEM_MAX + 64 * MiB - 8),
			0x1122334455667788ull);
	guestmem_fini(&gm);
}

static void test_layout_errors(void)
{
	const uint64_t limit = GM_PHYS_LIMIT - PV_HIGHMEM_BASE;

	CU_ASSERT_EQUAL(guestmem_init(&gm, 0, 0, "t"), -EINVAL);
	CU_ASSERT_EQUAL(gm.memfd, -1);
	guestmem_fini(&gm);
	CU_ASSERT_EQUAL(guestmem_init(&gm, 4095, 0, "t"), -EINVAL);
	CU_ASSERT_EQUAL(guestmem_init(&gm, 16 * MiB + 1, 0, "t"), -EINVAL);
	CU_ASSERT_EQUAL(guestmem_init(&gm, limit + PAGE_SIZE, 0, "t"), -EINVAL);
	CU_ASSERT_EQUAL(guestmem_init(&gm, ~0ull & PAGE_MASK, 0, "t"), -EINVAL);
	guestmem_fini(&gm);
}

/* -------------------------------------------------------- translation */

static void test_gpa_to_hva_bounds(void)
{
	const uint64_t ram = 16 * MiB;

	gm_setup(ram, 2);
	CU_ASSERT_PTR_EQUAL(gpa_to_hva(&gm, 0, ram, GM_ANY), gm.base);
	CU_ASSERT_PTR_NULL(gpa_to_hva(&gm, 0, ram + 1, GM_ANY));
	CU_ASSERT_PTR_EQUAL(gpa_to_hva(&gm, ram - 8, 8, GM_ANY),
			    gm.base + ram - 8);
	CU_ASSERT_PTR_NULL(gpa_to_hva(&gm, ram - 8, 9, GM_ANY));
	CU_ASSERT_PTR_NULL(gpa_to_hva(&gm, ram, 1, GM_ANY));
	CU_ASSERT_PTR_NULL(gpa_to_hva(&gm, ram, 0, GM_ANY));
	/* Lengths and addresses that wrap around 2^64. */
	CU_ASSERT_PTR_NULL(gpa_to_hva(&gm, 0x10, ~0ull, GM_ANY));
	CU_ASSERT_PTR_NULL(gpa_to_hva(&gm, 0x1000, 0 - 0x1000ull, GM_ANY));
	CU_ASSERT_PTR_NULL(gpa_to_hva(&gm, 0x1000, 0 - 0xfffull, GM_ANY));
	CU_ASSERT_PTR_NULL(gpa_to_hva(&gm, ~0ull, 1, GM_ANY));
	CU_ASSERT_PTR_NULL(gpa_to_hva(&gm, ~0ull - 7, 8, GM_ANY));
	CU_ASSERT_PTR_NULL(gpa_to_hva(&gm, 1ull << 63, 1, GM_ANY));
	CU_ASSERT_PTR_NULL(
	    gpa_to_hva(&gm, PV_SPECIAL_BASE + 4096, ~0ull - 100, GM_ANY));
	/* Special pages: exactly 16, and only with a matching kind. */
	CU_ASSERT_PTR_NOT_NULL(gpa_to_hva(&gm, PV_SPECIAL_BASE,
					  PV_SPECIAL_PAGES * PAGE_SIZE,
					  GM_KIND(GM_SPECIAL)));
	CU_ASSERT_PTR_NULL(gpa_to_hva(
	    &gm, PV_SPECIAL_BASE, PV_SPECIAL_PAGES * PAGE_SIZE + 1, GM_ANY));
	CU_ASSERT_PTR_NULL(gpa_to_hva(&gm, PV_SPECIAL_BASE - 1, 1, GM_ANY));
	CU_ASSERT_PTR_NULL(
	    gpa_to_hva(&gm, PV_SPECIAL_BASE, 8, GM_KIND(GM_RAM)));
	CU_ASSERT_PTR_NULL(gpa_to_hva(&gm, 0x1000, 8, GM_KIND(GM_SPECIAL)));
	CU_ASSERT_PTR_NULL(gpa_to_hva(&gm, 0x1000, 8, GM_KIND(GM_EXTRA)));
	CU_ASSERT_PTR_NOT_NULL(gpa_to_hva(&gm, 0x1000, 8, GM_KIND(GM_RAM)));
	CU_ASSERT_PTR_NOT_NULL(
	    gpa_to_hva(&gm, 0x1000, 8, GM_KIND(GM_RAM) | GM_KIND(GM_SPECIAL)));
	guestmem_fini(&gm);
}

static void test_gpa_to_offset(void)
{
	enum gm_kind kind;
	uint64_t off;

	gm_setup(16 * MiB, 1);
	CU_ASSERT_EQUAL(gpa_to_offset(&gm, 0x5123, &off, &kind), 0);
	CU_ASSERT_EQUAL(off, 0x5000); /* the page's offset */
	CU_ASSERT_EQUAL(kind, GM_RAM);
	CU_ASSERT_EQUAL(
	    gpa_to_offset(&gm, PV_SPECIAL_BASE + 0x5ff0, &off, &kind), 0);
	CU_ASSERT_EQUAL(off, gm.special_off + 0x5000);
	CU_ASSERT_EQUAL(kind, GM_SPECIAL);
	CU_ASSERT_EQUAL(gpa_to_offset(&gm, 16 * MiB, &off, NULL), -ENOENT);
	CU_ASSERT_EQUAL(gpa_to_offset(&gm, ~0ull, &off, NULL), -ENOENT);
	CU_ASSERT_EQUAL(gpa_to_offset(&gm, 0, &off, NULL), 0);
	guestmem_fini(&gm);
}

/* --------------------------------------------------------- pool pages */

static void test_pool_placement(void)
{
	const gpa_t hole = 0xf0001000ull;
	enum gm_kind kind;
	uint64_t off;
	uint8_t *page;
	int slot, slot2;

	gm_setup(16 * MiB, 4);
	page = guestmem_pool_page(&gm, 2);
	CU_ASSERT_EQUAL(guestmem_place_pool_page(&gm, hole, 2, &slot), 0);
	CU_ASSERT(slot != gm.r[0].slot && slot != gm.r[1].slot);
	CU_ASSERT_PTR_EQUAL(gpa_to_hva(&gm, hole, PAGE_SIZE, GM_KIND(GM_EXTRA)),
			    page);
	CU_ASSERT_PTR_NULL(gpa_to_hva(&gm, hole, PAGE_SIZE + 1, GM_ANY));
	CU_ASSERT_PTR_NULL(gpa_to_hva(&gm, hole, 8, GM_KIND(GM_RAM)));
	CU_ASSERT_EQUAL(gpa_to_offset(&gm, hole + 8, &off, &kind), 0);
	CU_ASSERT_EQUAL(off, gm.pool_off + 2 * PAGE_SIZE);
	CU_ASSERT_EQUAL(kind, GM_EXTRA);
	page[100] = 0x5a;
	CU_ASSERT_EQUAL(((uint8_t *)gpa_to_hva(&gm, hole + 100, 1, GM_ANY))[0],
			0x5a);

	/* Holes only. */
	CU_ASSERT_EQUAL(guestmem_place_pool_page(&gm, hole, 1, &slot2),
			-EBUSY); /* not twice */
	CU_ASSERT_EQUAL(guestmem_place_pool_page(&gm, 0x1000, 1, &slot2),
			-EBUSY); /* RAM */
	CU_ASSERT_EQUAL(
	    guestmem_place_pool_page(&gm, 16 * MiB - PAGE_SIZE, 1, &slot2),
	    -EBUSY);
	CU_ASSERT_EQUAL(
	    guestmem_place_pool_page(&gm, PV_SPECIAL_BASE + 0x3000, 1, &slot2),
	    -EBUSY);
	CU_ASSERT_EQUAL(guestmem_place_pool_page(&gm, 0xfee00000ull, 1, &slot2),
			-EBUSY); /* local APIC */
	CU_ASSERT_EQUAL(guestmem_place_pool_page(&gm, hole + 8, 1, &slot2),
			-EBUSY); /* unaligned */
	CU_ASSERT_EQUAL(guestmem_place_pool_page(&gm, GM_PHYS_LIMIT, 1, &slot2),
			-EBUSY); /* beyond the physical limit */
	CU_ASSERT_EQUAL(
	    guestmem_place_pool_page(&gm, ~0ull & PAGE_MASK, 1, &slot2),
	    -EBUSY);
	CU_ASSERT_EQUAL(guestmem_place_pool_page(&gm, 0xf0002000ull, 4, &slot2),
			-EINVAL); /* no such pool page */
	/* Right after RAM is a hole too; the page next to the LAPIC too. */
	CU_ASSERT_EQUAL(guestmem_place_pool_page(&gm, 16 * MiB, 0, &slot2), 0);
	CU_ASSERT_EQUAL(guestmem_place_pool_page(&gm, 0xfee01000ull, 1, &slot2),
			0);
	CU_ASSERT_EQUAL(gm.nr, 5);

	/* Removal. */
	CU_ASSERT_EQUAL(guestmem_remove_pool_page(&gm, hole + 0x1000, &slot2),
			-ENOENT);
	CU_ASSERT_EQUAL(guestmem_remove_pool_page(&gm, 0, &slot2), -ENOENT);
	CU_ASSERT_EQUAL(guestmem_remove_pool_page(&gm, PV_SPECIAL_BASE, &slot2),
			-ENOENT);
	CU_ASSERT_EQUAL(guestmem_remove_pool_page(&gm, hole, &slot2), 0);
	CU_ASSERT_EQUAL(slot2, slot);
	CU_ASSERT_EQUAL(guestmem_remove_pool_page(&gm, hole, &slot2), -ENOENT);
	CU_ASSERT_PTR_NULL(gpa_to_hva(&gm, hole, 1, GM_ANY));
	CU_ASSERT_PTR_NOT_NULL(gpa_to_hva(&gm, 16 * MiB, 1, GM_ANY));
	CU_ASSERT_PTR_NOT_NULL(gpa_to_hva(&gm, 0xfee01000ull, 1, GM_ANY));
	CU_ASSERT_EQUAL(gm.nr, 4);
	/* The slot is free again. */
	CU_ASSERT_EQUAL(guestmem_place_pool_page(&gm, hole, 2, &slot2), 0);
	CU_ASSERT_EQUAL(slot2, slot);
	guestmem_fini(&gm);
}

/* Regions (and KVM slots, numbered below GM_MAX_SLOTS) run out: placement
 * stops there. */
static void test_pool_slots_exhausted(void)
{
	int slot, placed = 0, rc = 0;

	gm_setup(16 * MiB, 8);
	for (uint32_t i = 0; i < 2 * GM_MAX_REGIONS && rc == 0; i++) {
		rc = guestmem_place_pool_page(
		    &gm, 0xe0000000ull + i * PAGE_SIZE, i % 8, &slot);
		if (rc == 0) {
			CU_ASSERT(slot >= 0 && slot < GM_MAX_SLOTS);
			placed++;
		}
	}
	CU_ASSERT_EQUAL(rc, -ENOSPC);
	CU_ASSERT_EQUAL(placed, GM_MAX_REGIONS - 2);
	CU_ASSERT_EQUAL(guestmem_remove_pool_page(&gm, 0xe0000000ull, &slot),
			0);
	CU_ASSERT_EQUAL(guestmem_place_pool_page(&gm, 0xe8000000ull, 0, &slot),
			0);
	guestmem_fini(&gm);
}

/* ------------------------------------------------------------ copying */

static void test_gpa_copy(void)
{
	const uint64_t ram = 16 * MiB;
	uint8_t out[300], in[300];
	int slot;

	gm_setup(ram, 2);
	CU_ASSERT_EQUAL(guestmem_place_pool_page(&gm, ram, 1, &slot), 0);
	for (unsigned int i = 0; i < sizeof(out); i++)
		out[i] = (uint8_t)(i * 7 + 1);
	/* Across the end of RAM into the pool page placed right after it:
	 * two regions that are not contiguous in the memfd. */
	CU_ASSERT_EQUAL(gpa_write(&gm, ram - 100, out, 200), 0);
	CU_ASSERT_EQUAL(memcmp(gm.base + ram - 100, out, 100), 0);
	CU_ASSERT_EQUAL(memcmp(guestmem_pool_page(&gm, 1), out + 100, 100), 0);
	CU_ASSERT_PTR_NULL(gpa_to_hva(&gm, ram - 4, 8, GM_ANY));
	memset(in, 0, sizeof(in));
	CU_ASSERT_EQUAL(gpa_read(&gm, ram - 100, in, 200), 0);
	CU_ASSERT_EQUAL(memcmp(in, out, 200), 0);
	/* A page-crossing copy inside RAM. */
	CU_ASSERT_EQUAL(gpa_write(&gm, 0x1f80, out, 300), 0);
	CU_ASSERT_EQUAL(gpa_read(&gm, 0x1f80, in, 300), 0);
	CU_ASSERT_EQUAL(memcmp(in, out, 300), 0);
	/* Into the hole after the pool page, and beyond 2^64. */
	CU_ASSERT_EQUAL(gpa_write(&gm, ram + PAGE_SIZE - 10, out, 20), -EFAULT);
	CU_ASSERT_EQUAL(gpa_read(&gm, ram + PAGE_SIZE, in, 1), -EFAULT);
	CU_ASSERT_EQUAL(gpa_read(&gm, ~0ull - 9, in, 20), -EFAULT);
	CU_ASSERT_EQUAL(gpa_read(&gm, 0, in, 0), 0);
	CU_ASSERT_EQUAL(gpa_read(&gm, ~0ull, in, 0), 0);
	/* Special pages are guest memory too. */
	CU_ASSERT_EQUAL(gpa_write(&gm, PV_SPECIAL_BASE + 5, out, 10), 0);
	CU_ASSERT_EQUAL(memcmp(gm.base + gm.special_off + 5, out, 10), 0);
	guestmem_fini(&gm);
}

/* ------------------------------------------------------ page walking */

static gpa_t pt_next;

static void *hva(gpa_t gpa, uint64_t len)
{
	void *p = gpa_to_hva(&gm, gpa, len, GM_ANY);

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	return p;
}

static gpa_t pt_new(void)
{
	gpa_t t = pt_next;

	pt_next += PAGE_SIZE;
	memset(hva(t, PAGE_SIZE), 0, PAGE_SIZE);
	return t;
}

static uint64_t *ent64(gpa_t table, uint64_t idx)
{
	return hva((table & PTE_ADDR) + idx * 8, 8);
}

/* Maps va -> pa with a leaf at `leaf` (1: 4K, 2: 2M, 3: 1G), creating
 * tables (P|W, accessed clear). e[l] points at the level-l entry. */
static void map64(gpa_t root, int levels, gva_t va, gpa_t pa, int leaf,
		  uint64_t flags, uint64_t *e[6])
{
	gpa_t table = root;

	for (int l = levels; l >= leaf; l--) {
		unsigned int shift = 12 + 9 * (unsigned int)(l - 1);

		e[l] = ent64(table, (va >> shift) & 511);
		if (l == leaf) {
			*e[l] = pa | flags | (leaf > 1 ? PTE_PS : 0);
			break;
		}
		if (!(*e[l] & PTE_P))
			*e[l] = pt_new() | PTE_P | PTE_W;
		table = *e[l] & PTE_ADDR;
	}
}

static int walk(const struct pw_regs *pw, gva_t va, bool write, gpa_t *gpa)
{
	*gpa = 0xdeadbeef;
	return gva_to_gpa(&gm, pw, va, write, gpa);
}

static const struct pw_regs long4_base = {
    .cr0 = CR0_PE | CR0_PG | CR0_WP,
    .cr4 = CR4_PAE,
    .efer = EFER_LME | EFER_LMA,
};

static void pt_setup(void)
{
	gm_setup(16 * MiB, 1);
	pt_next = 1 * MiB;
}

static void test_walk_long4(void)
{
	struct pw_regs pw = long4_base;
	uint64_t *e[6], *e2[6], *e3[6];
	gpa_t gpa;

	pt_setup();
	pw.cr3 = pt_new();
	map64(pw.cr3, 4, 0x400000, 0x123000, 1, PTE_P | PTE_W, e);
	CU_ASSERT_EQUAL(walk(&pw, 0x400456, false, &gpa), 0);
	CU_ASSERT_EQUAL(gpa, 0x123456);
	/* Accessed set at every level; dirty only on a write, on the leaf. */
	for (int l = 1; l <= 4; l++)
		CU_ASSERT(*e[l] & PTE_A);
	CU_ASSERT_FALSE(*e[1] & PTE_D);
	CU_ASSERT_EQUAL(walk(&pw, 0x400fff, true, &gpa), 0);
	CU_ASSERT_EQUAL(gpa, 0x123fff);
	CU_ASSERT(*e[1] & PTE_D);
	for (int l = 2; l <= 4; l++)
		CU_ASSERT_FALSE(*e[l] & PTE_D);
	CU_ASSERT_EQUAL(walk(&pw, 0x401000, false, &gpa), -EFAULT);

	/* 2 MiB page. */
	map64(pw.cr3, 4, 0x40000000, 0x600000, 2, PTE_P | PTE_W, e2);
	CU_ASSERT_EQUAL(walk(&pw, 0x40012345, true, &gpa), 0);
	CU_ASSERT_EQUAL(gpa, 0x612345);
	CU_ASSERT(*e2[2] & PTE_A && *e2[2] & PTE_D);
	CU_ASSERT_EQUAL(walk(&pw, 0x401fffff, false, &gpa), 0);
	CU_ASSERT_EQUAL(gpa, 0x7fffff);
	CU_ASSERT_EQUAL(walk(&pw, 0x40200000, false, &gpa), -EFAULT);

	/* 1 GiB page (the PAT bit 12 is not an address bit there). */
	map64(pw.cr3, 4, 0x8000000000ull, 0xc0000000ull | (1ull << 12), 3,
	      PTE_P | PTE_W, e3);
	CU_ASSERT_EQUAL(walk(&pw, 0x8012345678ull, false, &gpa), 0);
	CU_ASSERT_EQUAL(gpa, 0xd2345678ull);
	CU_ASSERT(*e3[3] & PTE_A);
	CU_ASSERT_FALSE(*e3[3] & PTE_D);
	CU_ASSERT_EQUAL(walk(&pw, 0x803fffffffull, true, &gpa), 0);
	CU_ASSERT_EQUAL(gpa, 0xffffffffull);
	CU_ASSERT(*e3[3] & PTE_D);
	CU_ASSERT_FALSE(*e3[4] & PTE_D);

	/* The high half (kernel addresses), and CR3's low bits (PCID) and
	 * bit 63 (no-flush) are not part of the table address. */
	map64(pw.cr3, 4, 0xffffffff80000000ull, 0x200000, 1, PTE_P | PTE_NX, e);
	pw.cr3 |= 0x123 | (1ull << 63);
	CU_ASSERT_EQUAL(walk(&pw, 0xffffffff80000010ull, false, &gpa), 0);
	CU_ASSERT_EQUAL(gpa, 0x200010);
	guestmem_fini(&gm);
}

static void test_walk_canonical(void)
{
	struct pw_regs pw = long4_base;
	uint64_t *e[6];
	gpa_t gpa;

	pt_setup();
	pw.cr3 = pt_new();
	/* Bits 63..48 must copy bit 47 (4-level) or 63..57 bit 56. */
	map64(pw.cr3, 4, 0x00007ffffffff000ull, 0x3000, 1, PTE_P, e);
	CU_ASSERT_EQUAL(walk(&pw, 0x00007fffffffffffull, false, &gpa), 0);
	CU_ASSERT_EQUAL(gpa, 0x3fff);
	CU_ASSERT_EQUAL(walk(&pw, 0x0000fffffffff000ull, false, &gpa), -EFAULT);
	/* Same index bits as the mapping above, but not canonical: it must
	 * not translate. */
	CU_ASSERT_EQUAL(walk(&pw, 0x00ff7ffffffff000ull, false, &gpa), -EFAULT);
	CU_ASSERT_EQUAL(walk(&pw, 0x8000000000000000ull, false, &gpa), -EFAULT);
	CU_ASSERT_EQUAL(walk(&pw, 0x0000800000000000ull, false, &gpa), -EFAULT);
	map64(pw.cr3, 4, 0xffff800000000000ull, 0x5000, 1, PTE_P, e);
	CU_ASSERT_EQUAL(walk(&pw, 0xffff800000000000ull, false, &gpa), 0);
	CU_ASSERT_EQUAL(gpa, 0x5000);
	CU_ASSERT_EQUAL(walk(&pw, 0xfeff800000000000ull, false, &gpa), -EFAULT);
	guestmem_fini(&gm);
}

static void test_walk_la57(void)
{
	struct pw_regs pw = long4_base;
	uint64_t *e[6];
	gpa_t gpa;

	pt_setup();
	pw.cr4 |= CR4_LA57;
	pw.cr3 = pt_new();
	/* Canonical only with 57 bits; PML5 index 1. */
	map64(pw.cr3, 5, 0x0001000000400000ull, 0x7000, 1, PTE_P | PTE_W, e);
	CU_ASSERT_EQUAL(walk(&pw, 0x0001000000400abcull, true, &gpa), 0);
	CU_ASSERT_EQUAL(gpa, 0x7abc);
	for (int l = 1; l <= 5; l++)
		CU_ASSERT(*e[l] & PTE_A);
	CU_ASSERT(*e[1] & PTE_D);
	map64(pw.cr3, 5, 0x00ff800000000000ull, 0x9000, 1, PTE_P, e);
	CU_ASSERT_EQUAL(walk(&pw, 0x00ff800000000000ull, false, &gpa), 0);
	CU_ASSERT_EQUAL(gpa, 0x9000);
	CU_ASSERT_EQUAL(walk(&pw, 0x0100000000000000ull, false, &gpa), -EFAULT);
	CU_ASSERT_EQUAL(walk(&pw, 0xfe00000000000000ull, false, &gpa), -EFAULT);
	map64(pw.cr3, 5, 0xff00000000000000ull, 0xa000, 1, PTE_P, e);
	CU_ASSERT_EQUAL(walk(&pw, 0xff00000000000123ull, false, &gpa), 0);
	CU_ASSERT_EQUAL(gpa, 0xa123);
	/* PS is reserved in a PML5E and in a PML4E. */
	*e[5] |= PTE_PS;
	CU_ASSERT_EQUAL(walk(&pw, 0xff00000000000123ull, false, &gpa), -EFAULT);
	*e[5] &= ~PTE_PS;
	*e[4] |= PTE_PS;
	CU_ASSERT_EQUAL(walk(&pw, 0xff00000000000123ull, false, &gpa), -EFAULT);
	*e[4] &= ~PTE_PS;
	CU_ASSERT_EQUAL(walk(&pw, 0xff00000000000123ull, false, &gpa), 0);
	/* Without LA57, the same tables are walked with 4 levels. */
	pw.cr4 &= ~CR4_LA57;
	CU_ASSERT_EQUAL(walk(&pw, 0x0001000000400abcull, false, &gpa), -EFAULT);
	guestmem_fini(&gm);
}

static void test_walk_not_present(void)
{
	struct pw_regs pw = long4_base;
	uint64_t *e[6];
	gpa_t gpa;

	pt_setup();
	pw.cr3 = pt_new();
	map64(pw.cr3, 4, 0x7f0000201000ull, 0x4000, 1, PTE_P | PTE_W, e);
	CU_ASSERT_EQUAL(walk(&pw, 0x7f0000201000ull, false, &gpa), 0);
	for (int l = 1; l <= 4; l++) {
		*e[l] &= ~PTE_P;
		CU_ASSERT_EQUAL(walk(&pw, 0x7f0000201000ull, false, &gpa),
				-EFAULT);
		CU_ASSERT_EQUAL(walk(&pw, 0x7f0000201000ull, true, &gpa),
				-EFAULT);
		*e[l] |= PTE_P;
	}
	/* PS is reserved in a PML4E. */
	*e[4] |= PTE_PS;
	CU_ASSERT_EQUAL(walk(&pw, 0x7f0000201000ull, false, &gpa), -EFAULT);
	*e[4] &= ~PTE_PS;
	CU_ASSERT_EQUAL(walk(&pw, 0x7f0000201000ull, false, &gpa), 0);
	CU_ASSERT_EQUAL(gpa, 0x4000);
	guestmem_fini(&gm);
}

static void test_walk_write_protect(void)
{
	struct pw_regs pw = long4_base;
	uint64_t *e[6];
	gpa_t gpa;

	pt_setup();
	pw.cr3 = pt_new();
	map64(pw.cr3, 4, 0x600000, 0x8000, 1, PTE_P, e); /* read-only */
	CU_ASSERT_EQUAL(walk(&pw, 0x600000, false, &gpa), 0);
	CU_ASSERT_EQUAL(walk(&pw, 0x600000, true, &gpa), -EFAULT);
	CU_ASSERT_FALSE(*e[1] & PTE_D);
	/* Supervisor writes ignore R/W when CR0.WP is clear. */
	pw.cr0 &= ~CR0_WP;
	CU_ASSERT_EQUAL(walk(&pw, 0x600000, true, &gpa), 0);
	CU_ASSERT_EQUAL(gpa, 0x8000);
	CU_ASSERT(*e[1] & PTE_D);
	pw.cr0 |= CR0_WP;
	/* R/W is the AND over all levels. */
	*e[1] |= PTE_W;
	for (int l = 2; l <= 4; l++) {
		*e[l] &= ~PTE_W;
		CU_ASSERT_EQUAL(walk(&pw, 0x600000, true, &gpa), -EFAULT);
		CU_ASSERT_EQUAL(walk(&pw, 0x600000, false, &gpa), 0);
		*e[l] |= PTE_W;
	}
	CU_ASSERT_EQUAL(walk(&pw, 0x600000, true, &gpa), 0);
	/* Read-only 2 MiB page. */
	map64(pw.cr3, 4, 0x40000000, 0x800000, 2, PTE_P, e);
	CU_ASSERT_EQUAL(walk(&pw, 0x40000000, true, &gpa), -EFAULT);
	CU_ASSERT_FALSE(*e[2] & PTE_D);
	guestmem_fini(&gm);
}

static void test_walk_outside_memory(void)
{
	struct pw_regs pw = long4_base;
	uint64_t *e[6];
	gpa_t gpa;

	pt_setup();
	/* CR3 outside guest memory. */
	pw.cr3 = 0x7f00000000ull;
	CU_ASSERT_EQUAL(walk(&pw, 0x1000, false, &gpa), -EFAULT);
	pw.cr3 = 16 * MiB; /* just past RAM */
	CU_ASSERT_EQUAL(walk(&pw, 0x1000, false, &gpa), -EFAULT);
	pw.cr3 = PTE_ADDR;
	CU_ASSERT_EQUAL(walk(&pw, 0x1000, false, &gpa), -EFAULT);
	/* A table pointer outside guest memory, at each level. */
	pw.cr3 = pt_new();
	map64(pw.cr3, 4, 0x1000, 0x9000, 1, PTE_P | PTE_W, e);
	for (int l = 4; l >= 2; l--) {
		uint64_t save = *e[l];

		*e[l] = 0x000ffffffffff000ull | PTE_P | PTE_W;
		CU_ASSERT_EQUAL(walk(&pw, 0x1000, false, &gpa), -EFAULT);
		*e[l] = (16 * MiB) | PTE_P | PTE_W;
		CU_ASSERT_EQUAL(walk(&pw, 0x1000, false, &gpa), -EFAULT);
		*e[l] = save;
	}
	/* A leaf may name any frame: the caller's gpa_to_hva decides. */
	*e[1] = 0x000ffffffffff000ull | PTE_P;
	CU_ASSERT_EQUAL(walk(&pw, 0x1234, false, &gpa), 0);
	CU_ASSERT_EQUAL(gpa, 0x000ffffffffff234ull);
	CU_ASSERT_PTR_NULL(gpa_to_hva(&gm, gpa, 1, GM_ANY));
	/* Tables in the last page of RAM, last entry. */
	pw.cr3 = 16 * MiB - PAGE_SIZE;
	memset(hva(pw.cr3, PAGE_SIZE), 0, PAGE_SIZE);
	pt_next = 2 * MiB;
	map64(pw.cr3, 4, 0xfffffffffffff000ull, 0xb000, 1, PTE_P, e);
	CU_ASSERT_PTR_EQUAL(e[4], gm.base + 16 * MiB - 8);
	CU_ASSERT_EQUAL(walk(&pw, 0xfffffffffffff008ull, false, &gpa), 0);
	CU_ASSERT_EQUAL(gpa, 0xb008);
	guestmem_fini(&gm);
}

static void test_walk_pae(void)
{
	struct pw_regs pw = {.cr0 = CR0_PE | CR0_PG | CR0_WP, .cr4 = CR4_PAE};
	gpa_t pdpt, pd, pt, gpa;
	uint64_t *pde, *pte;

	pt_setup();
	/* The PDPT is 32-byte aligned, not page aligned. */
	pdpt = pt_new() + 0x20;
	pw.cr3 = pdpt;
	pd = pt_new();
	pt = pt_new();
	/* PDPTEs have no R/W bit (reserved in PAE mode). */
	*(uint64_t *)hva(pdpt + 2 * 8, 8) = pd | PTE_P;
	pde = ent64(pd, 3);
	*pde = pt | PTE_P | PTE_W;
	pte = ent64(pt, 4);
	*pte = 0x00000012345000ull | PTE_P | PTE_W;
	/* va: PDPT 2, PD 3, PT 4. */
	CU_ASSERT_EQUAL(walk(&pw, 0x80604abcull, true, &gpa), 0);
	CU_ASSERT_EQUAL(gpa, 0x12345abcull);
	CU_ASSERT(*pde & PTE_A);
	CU_ASSERT(*pte & PTE_A && *pte & PTE_D);
	CU_ASSERT_FALSE(*pde & PTE_D);
	/* Entries are 64-bit: physical addresses above 4 GiB. */
	*pte = 0x0000000f00000000ull | PTE_P;
	CU_ASSERT_EQUAL(walk(&pw, 0x80604001ull, false, &gpa), 0);
	CU_ASSERT_EQUAL(gpa, 0xf00000001ull);
	CU_ASSERT_EQUAL(walk(&pw, 0x80604001ull, true, &gpa), -EFAULT);
	/* 2 MiB page in the PD (PS works without CR4.PSE in PAE mode). */
	*ent64(pd, 5) = 0x00a00000ull | PTE_P | PTE_PS;
	CU_ASSERT_EQUAL(walk(&pw, 0x80a12345ull, false, &gpa), 0);
	CU_ASSERT_EQUAL(gpa, 0xa12345ull);
	/* Not present at each level; no address above 4 GiB. */
	CU_ASSERT_EQUAL(walk(&pw, 0x00604abcull, false, &gpa), -EFAULT);
	*pde &= ~PTE_P;
	CU_ASSERT_EQUAL(walk(&pw, 0x80604abcull, false, &gpa), -EFAULT);
	*pde |= PTE_P;
	*pte &= ~PTE_P;
	CU_ASSERT_EQUAL(walk(&pw, 0x80604abcull, false, &gpa), -EFAULT);
	*pte |= PTE_P;
	CU_ASSERT_EQUAL(walk(&pw, 0x180604abcull, false, &gpa), -EFAULT);
	pw.cr3 = 0xffffffe0ull; /* PDPT outside guest memory */
	CU_ASSERT_EQUAL(walk(&pw, 0x80604abcull, false, &gpa), -EFAULT);
	guestmem_fini(&gm);
}

static uint32_t *ent32(gpa_t table, uint32_t idx)
{
	return hva(table + idx * 4, 4);
}

static void test_walk_32bit(void)
{
	struct pw_regs pw = {.cr0 = CR0_PE | CR0_PG | CR0_WP};
	uint32_t *pde, *pte, *big;
	gpa_t pd, pt, gpa;

	pt_setup();
	pd = pt_new();
	pt = pt_new();
	pw.cr3 = pd;
	pde = ent32(pd, 0x301);
	*pde = (uint32_t)pt | (uint32_t)(PTE_P | PTE_W);
	pte = ent32(pt, 0x2a);
	*pte = 0x00345000u | (uint32_t)PTE_P;
	/* va 0xc042a123: PD 0x301, PT 0x2a. */
	CU_ASSERT_EQUAL(walk(&pw, 0xc042a123ull, false, &gpa), 0);
	CU_ASSERT_EQUAL(gpa, 0x345123);
	CU_ASSERT(*pde & PTE_A && *pte & PTE_A);
	CU_ASSERT_FALSE(*pte & PTE_D);
	CU_ASSERT_EQUAL(walk(&pw, 0xc042a123ull, true, &gpa), -EFAULT);
	pw.cr0 &= ~CR0_WP;
	CU_ASSERT_EQUAL(walk(&pw, 0xc042a123ull, true, &gpa), 0);
	CU_ASSERT(*pte & PTE_D);
	CU_ASSERT_FALSE(*pde & PTE_D);
	pw.cr0 |= CR0_WP;
	CU_ASSERT_EQUAL(walk(&pw, 0x10042a123ull, false, &gpa), -EFAULT);
	*pde &= ~(uint32_t)PTE_P;
	CU_ASSERT_EQUAL(walk(&pw, 0xc042a123ull, false, &gpa), -EFAULT);

	/* A 4 MiB page only with CR4.PSE; PSE-36 bits 13..20 give address
	 * bits 32..39. PAT (bit 12) is not an address bit. */
	big = ent32(pd, 0x100);
	*big = 0x00400000u | (0x3u << 13) | (1u << 12) |
	       (uint32_t)(PTE_P | PTE_W | PTE_PS);
	CU_ASSERT_EQUAL(walk(&pw, 0x40012345ull, false, &gpa), -EFAULT);
	pw.cr4 = CR4_PSE;
	CU_ASSERT_EQUAL(walk(&pw, 0x40012345ull, true, &gpa), 0);
	CU_ASSERT_EQUAL(gpa, 0x300412345ull);
	CU_ASSERT(*big & PTE_A && *big & PTE_D);
	*big &= ~(uint32_t)PTE_W;
	CU_ASSERT_EQUAL(walk(&pw, 0x40012345ull, true, &gpa), -EFAULT);
	pw.cr3 = 0xfffff000ull; /* outside guest memory */
	CU_ASSERT_EQUAL(walk(&pw, 0x40012345ull, false, &gpa), -EFAULT);
	guestmem_fini(&gm);
}

static void test_walk_paging_off(void)
{
	struct pw_regs pw = {.cr0 = CR0_PE, .cr3 = 0xfffff000ull};
	gpa_t gpa;

	pt_setup();
	CU_ASSERT_EQUAL(walk(&pw, 0x12345678, true, &gpa), 0);
	CU_ASSERT_EQUAL(gpa, 0x12345678);
	CU_ASSERT_EQUAL(walk(&pw, 0xffffffffull, false, &gpa), 0);
	CU_ASSERT_EQUAL(gpa, 0xffffffffull);
	CU_ASSERT_EQUAL(walk(&pw, 0x100000000ull, false, &gpa), -EFAULT);
	CU_ASSERT_EQUAL(walk(&pw, ~0ull, false, &gpa), -EFAULT);
	guestmem_fini(&gm);
}

static CU_TestInfo tests[] = {
    {"layout below 4 GiB", test_layout_small},
    {"layout above 4 GiB", test_layout_high},
    {"layout errors", test_layout_errors},
    {"gpa_to_hva bounds and kinds", test_gpa_to_hva_bounds},
    {"gpa_to_offset", test_gpa_to_offset},
    {"pool page placement", test_pool_placement},
    {"pool pages: KVM slots run out", test_pool_slots_exhausted},
    {"gpa_read/gpa_write across regions", test_gpa_copy},
    {"walk: 4-level, 4K/2M/1G", test_walk_long4},
    {"walk: canonical addresses", test_walk_canonical},
    {"walk: 5-level (LA57)", test_walk_la57},
    {"walk: not present at each level", test_walk_not_present},
    {"walk: write protection", test_walk_write_protect},
    {"walk: outside guest memory", test_walk_outside_memory},
    {"walk: PAE", test_walk_pae},
    {"walk: 32-bit and PSE", test_walk_32bit},
    {"walk: paging off", test_walk_paging_off},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return unit_run("mm", tests);
}
