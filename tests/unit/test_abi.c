/*
 * ABI compatibility of pv-abi/include/pvabi with Xen's public interface.
 *
 * abi_list.h names every structure size and alignment, field offset,
 * size and signedness, typedef and constant that pvabi shares with Xen
 * (x86_64). This file expands it with pvabi's headers, test_abi-xen.c
 * with Debian's /usr/include/xen (Xen 4.17); the rows must be equal.
 * Regenerate the list with tests/unit/gen_abi_list.py after changing a
 * header.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pvabi/xen.h>
#include <pvabi/errno.h>
#include <pvabi/elfnote.h>
#include <pvabi/version.h>
#include <pvabi/features.h>
#include <pvabi/sched.h>
#include <pvabi/vcpu.h>
#include <pvabi/memory.h>
#include <pvabi/event_channel.h>
#include <pvabi/grant_table.h>
#include <pvabi/hvm/hvm_op.h>
#include <pvabi/hvm/params.h>
#include <pvabi/hvm/hvm_vcpu.h>
#include <pvabi/arch-x86/hvm/start_info.h>
#include <pvabi/arch-x86/cpuid.h>
#include <pvabi/io/xs_wire.h>
#include <pvabi/io/console.h>
#include <pvabi/io/xenbus.h>
#include <pvabi/io/ring.h>

#include "abi_table.h"
#include "abi_ring_trace.h"
#include "unit.h"

#ifndef ABI_LIST_SKIP
size_t abi_rows_pvabi(struct abi_row *rows, size_t max)
{
	size_t n = 0;

#define ROW(nm, v)                                                             \
	do {                                                                   \
		if (n < max)                                                   \
			rows[n] = (struct abi_row){nm, (uint64_t)(v), NULL};   \
		n++;                                                           \
	} while (0)
#define ROW_STR(nm, s)                                                         \
	do {                                                                   \
		if (n < max)                                                   \
			rows[n] = (struct abi_row){nm, 0, s};                  \
		n++;                                                           \
	} while (0)
#include "abi_list.h"
	return n;
}
#endif

size_t abi_ring_trace_pvabi(uint64_t *out, size_t max)
{
	return abi_ring_trace(out, max);
}

static struct abi_row *rows_get(size_t (*fill)(struct abi_row *, size_t),
				size_t *nrows)
{
	size_t n = fill(NULL, 0);
	struct abi_row *rows = calloc(n ? n : 1, sizeof(*rows));

	if (rows)
		fill(rows, n);
	*nrows = n;
	return rows;
}

static int row_equal(const struct abi_row *a, const struct abi_row *b)
{
	if (strcmp(a->name, b->name) != 0)
		return 0;
	if (a->str || b->str)
		return a->str && b->str && strcmp(a->str, b->str) == 0;
	return a->value == b->value;
}

static void row_print(const char *side, const struct abi_row *r)
{
	if (r->str)
		fprintf(stderr, "    %-6s \"%s\"\n", side, r->str);
	else
		fprintf(stderr, "    %-6s %llu (0x%llx)\n", side,
			(unsigned long long)r->value,
			(unsigned long long)r->value);
}

/* Every size, offset, type and constant in abi_list.h agrees with Xen. */
static void test_abi_list(void)
{
	size_t nours, nxen, i, bad = 0;
	struct abi_row *ours = rows_get(abi_rows_pvabi, &nours);
	struct abi_row *xen = rows_get(abi_rows_xen, &nxen);

	CU_ASSERT_FATAL(ours != NULL && xen != NULL);
	CU_ASSERT_EQUAL_FATAL(nours, nxen);
	for (i = 0; i < nours; i++) {
		if (row_equal(&ours[i], &xen[i]))
			continue;
		fprintf(stderr, "  mismatch: %s\n", ours[i].name);
		row_print("pvabi", &ours[i]);
		row_print("xen", &xen[i]);
		bad++;
	}
	printf("\n  abi: %zu rows compared, %zu mismatches\n", nours, bad);
	CU_ASSERT_EQUAL(bad, 0);
	free(ours);
	free(xen);
}

/* Every XEN_E* that Xen's errno.h lists is in the list (and so equal). */
static void test_errno_complete(void)
{
	size_t nrows, i, j, missing = 0;
	struct abi_row *rows = rows_get(abi_rows_pvabi, &nrows);

	CU_ASSERT_FATAL(rows != NULL);
	for (i = 0; abi_xen_errnos[i].name; i++) {
		for (j = 0; j < nrows; j++)
			if (strcmp(rows[j].name, abi_xen_errnos[i].name) == 0)
				break;
		if (j == nrows) {
			fprintf(stderr, "  not checked: %s\n",
				abi_xen_errnos[i].name);
			missing++;
		} else if (rows[j].value != abi_xen_errnos[i].value) {
			fprintf(stderr, "  wrong value: %s\n",
				abi_xen_errnos[i].name);
			missing++;
		}
	}
	CU_ASSERT(i > 40);
	CU_ASSERT_EQUAL(missing, 0);
	free(rows);
}

/* The ring macros behave like Xen's on the same scenario. */
static void test_ring_macros(void)
{
	static uint64_t ours[4096], xen[4096];
	size_t nours = abi_ring_trace_pvabi(ours, 4096);
	size_t nxen = abi_ring_trace_xen(xen, 4096);
	size_t i, bad = 0;

	CU_ASSERT_FATAL(nours <= 4096);
	CU_ASSERT_EQUAL_FATAL(nours, nxen);
	CU_ASSERT(nours > 100);
	for (i = 0; i < nours; i++) {
		if (ours[i] == xen[i])
			continue;
		fprintf(stderr, "  ring trace %zu: pvabi %llu, xen %llu\n", i,
			(unsigned long long)ours[i],
			(unsigned long long)xen[i]);
		bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/* Guest handles hold an address as a plain integer. */
static void test_guest_handle(void)
{
	struct gnttab_setup_table setup;
	xen_pfn_t frames[4];
	static const char msg[] = "hello";
	XEN_GUEST_HANDLE(const_char) h;

	memset(&setup, 0, sizeof(setup));
	set_xen_guest_handle(setup.frame_list, frames);
	CU_ASSERT_EQUAL(setup.frame_list.p, (uint64_t)(uintptr_t)frames);
	set_xen_guest_handle(h, msg);
	CU_ASSERT_EQUAL(h.p, (uint64_t)(uintptr_t)msg);
	set_xen_guest_handle(h, NULL);
	CU_ASSERT_EQUAL(h.p, 0);
	CU_ASSERT_EQUAL(sizeof(h), 8);
	CU_ASSERT_EQUAL(_Alignof(XEN_GUEST_HANDLE(xen_pfn_t)), 8);
}

static CU_TestInfo tests[] = {
    {"abi_list", test_abi_list},
    {"errno_complete", test_errno_complete},
    {"ring_macros", test_ring_macros},
    {"guest_handle", test_guest_handle},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return unit_run("abi", tests);
}
