/*
 * Reference half of test_abi: the same list as test_abi.c, expanded with
 * Debian's Xen 4.17 public headers (libxen-dev) and none of ours.
 *
 * __XEN_TOOLS__ makes the headers show the tools-only numbers as well and
 * selects the latest interface version, 0x00040e00 (checked below).
 */
#define __XEN_TOOLS__ 1

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Xen's io/ring.h leaves the barriers to its user. */
#define xen_mb()  __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define xen_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define xen_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)

#include <xen/xen.h>
#include <xen/errno.h>
#include <xen/elfnote.h>
#include <xen/version.h>
#include <xen/features.h>
#include <xen/sched.h>
#include <xen/vcpu.h>
#include <xen/memory.h>
#include <xen/event_channel.h>
#include <xen/grant_table.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>
#include <xen/hvm/hvm_vcpu.h>
#include <xen/arch-x86/hvm/start_info.h>
#include <xen/arch-x86/cpuid.h>
#include <xen/io/xs_wire.h>
#include <xen/io/console.h>
#include <xen/io/xenbus.h>
#include <xen/io/ring.h>

#if __XEN_INTERFACE_VERSION__ != 0x00040e00
#error "expected Xen interface version 0x00040e00 (Xen 4.17 headers)"
#endif

#include "abi_table.h"
#include "abi_ring_trace.h"

/* Xen's own list of errno names, through its XEN_ERRNO() hook. */
const struct abi_row abi_xen_errnos[] = {
#define XEN_ERRNO(name, value) {"XEN_" #name, value, NULL},
#include <xen/errno.h>
    {NULL, 0, NULL},
};

#ifndef ABI_LIST_SKIP
size_t abi_rows_xen(struct abi_row *rows, size_t max)
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

size_t abi_ring_trace_xen(uint64_t *out, size_t max)
{
	return abi_ring_trace(out, max);
}
