/*
 * Unit tests for guest-physical translation (xen-core/mm/guestmem.c):
 * gpa_to_hva() over low and high RAM (the lock-free path), the special
 * pages and pool pages placed in holes (the region table), with the
 * region kinds and range ends it must respect.
 */
#include <errno.h>
#include <stdint.h>

#include <pvabi/pvhv.h>
#include <pvhv/guestmem.h>

#include "unit.h"

#define RAM_SMALL (16 * PAGE_SIZE)
#define HOLE	  0xd0000000ull

static void test_low_ram(void)
{
	struct guest_mem gm;

	CU_ASSERT_EQUAL_FATAL(guestmem_init(&gm, RAM_SMALL, 2, "t"), 0);
	CU_ASSERT_PTR_EQUAL(gpa_to_hva(&gm, 0, 8, GM_ANY), gm.base);
	CU_ASSERT_PTR_EQUAL(gpa_to_hva(&gm, 0x1234, 8, GM_KIND(GM_RAM)),
			    gm.base + 0x1234);
	/* The whole of RAM, and not a byte more. */
	CU_ASSERT_PTR_EQUAL(gpa_to_hva(&gm, 0, RAM_SMALL, GM_ANY), gm.base);
	CU_ASSERT_PTR_NULL(gpa_to_hva(&gm, 0, RAM_SMALL + 1, GM_ANY));
	CU_ASSERT_PTR_EQUAL(gpa_to_hva(&gm, RAM_SMALL - 8, 8, GM_ANY),
			    gm.base + RAM_SMALL - 8);
	CU_ASSERT_PTR_NULL(gpa_to_hva(&gm, RAM_SMALL - 8, 9, GM_ANY));
	CU_ASSERT_PTR_NULL(gpa_to_hva(&gm, RAM_SMALL, 1, GM_ANY));
	CU_ASSERT_PTR_NULL(gpa_to_hva(&gm, 8, UINT64_MAX, GM_ANY));
	/* RAM is not what a caller asking for other kinds gets. */
	CU_ASSERT_PTR_NULL(gpa_to_hva(&gm, 0, 8, GM_KIND(GM_SPECIAL)));
	CU_ASSERT_PTR_NULL(gpa_to_hva(&gm, 0, 8, GM_KIND(GM_EXTRA)));
	CU_ASSERT_PTR_NOT_NULL(
	    gpa_to_hva(&gm, 0, 8, GM_KIND(GM_EXTRA) | GM_KIND(GM_RAM)));
	guestmem_fini(&gm);
}

static void test_high_ram(void)
{
	uint64_t ram = PV_LOWMEM_MAX + 4 * PAGE_SIZE, low = PV_LOWMEM_MAX;
	struct guest_mem gm;

	/* A sparse memfd: nothing is touched but the probed bytes. */
	CU_ASSERT_EQUAL_FATAL(guestmem_init(&gm, ram, 1, "t"), 0);
	CU_ASSERT_PTR_EQUAL(gpa_to_hva(&gm, low - 8, 8, GM_ANY),
			    gm.base + low - 8);
	CU_ASSERT_PTR_NULL(gpa_to_hva(&gm, low - 8, 16, GM_ANY));
	CU_ASSERT_PTR_NULL(gpa_to_hva(&gm, low, 8, GM_ANY)); /* the gap */
	CU_ASSERT_PTR_EQUAL(gpa_to_hva(&gm, PV_HIGHMEM_BASE, 8, GM_ANY),
			    gm.base + low);
	CU_ASSERT_PTR_EQUAL(
	    gpa_to_hva(&gm, PV_HIGHMEM_BASE + 0x3ff8, 8, GM_KIND(GM_RAM)),
	    gm.base + low + 0x3ff8);
	CU_ASSERT_PTR_NULL(
	    gpa_to_hva(&gm, PV_HIGHMEM_BASE + 0x3ff8, 9, GM_ANY));
	CU_ASSERT_PTR_NULL(
	    gpa_to_hva(&gm, PV_HIGHMEM_BASE + 0x4000, 1, GM_ANY));
	CU_ASSERT_PTR_NULL(
	    gpa_to_hva(&gm, PV_HIGHMEM_BASE, 8, GM_KIND(GM_SPECIAL)));
	guestmem_fini(&gm);
}

static void test_special_and_pool(void)
{
	struct guest_mem gm;
	uint8_t *pool;
	int slot;

	CU_ASSERT_EQUAL_FATAL(guestmem_init(&gm, RAM_SMALL, 2, "t"), 0);
	CU_ASSERT_PTR_EQUAL(gpa_to_hva(&gm, PV_SPECIAL_BASE, 8, GM_ANY),
			    gm.base + gm.special_off);
	CU_ASSERT_PTR_NOT_NULL(
	    gpa_to_hva(&gm, PV_SPECIAL_BASE, 8, GM_KIND(GM_SPECIAL)));
	CU_ASSERT_PTR_NULL(
	    gpa_to_hva(&gm, PV_SPECIAL_BASE, 8, GM_KIND(GM_RAM)));
	/* A pool page placed in a hole, found there until removed. */
	pool = guestmem_pool_page(&gm, 1);
	CU_ASSERT_PTR_NULL(gpa_to_hva(&gm, HOLE, 8, GM_ANY));
	CU_ASSERT_EQUAL(guestmem_place_pool_page(&gm, HOLE, 1, &slot), 0);
	CU_ASSERT_EQUAL(guestmem_place_pool_page(&gm, HOLE, 0, &slot), -EBUSY);
	CU_ASSERT_EQUAL(guestmem_place_pool_page(&gm, 0, 0, &slot), -EBUSY);
	CU_ASSERT_PTR_EQUAL(gpa_to_hva(&gm, HOLE + 16, 8, GM_KIND(GM_EXTRA)),
			    pool + 16);
	CU_ASSERT_PTR_NULL(gpa_to_hva(&gm, HOLE, 8, GM_KIND(GM_RAM)));
	CU_ASSERT_PTR_NULL(gpa_to_hva(&gm, HOLE, PAGE_SIZE + 1, GM_ANY));
	CU_ASSERT_EQUAL(guestmem_remove_pool_page(&gm, HOLE, &slot), 0);
	CU_ASSERT_PTR_NULL(gpa_to_hva(&gm, HOLE, 8, GM_ANY));
	/* RAM is untouched by all that. */
	CU_ASSERT_PTR_EQUAL(gpa_to_hva(&gm, 0x2000, 8, GM_KIND(GM_RAM)),
			    gm.base + 0x2000);
	guestmem_fini(&gm);
}

static CU_TestInfo tests[] = {
    {"low RAM: ends and kinds", test_low_ram},
    {"high RAM above 4 GiB", test_high_ram},
    {"special pages and pool pages in holes", test_special_and_pool},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return unit_run("guestmem", tests);
}
