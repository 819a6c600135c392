/*
 * The PV console page (HVM_PARAM_CONSOLE_PFN): two byte rings with
 * free-running indexes, "in" from the backend to the guest and "out" from
 * the guest to the backend. Mirrors Xen's public/io/console.h.
 */
#ifndef PVABI_IO_CONSOLE_H
#define PVABI_IO_CONSOLE_H

#include <stdint.h>

typedef uint32_t XENCONS_RING_IDX;

/* Index into one of the rings: MASK_XENCONS_IDX(prod, intf->out). */
#define MASK_XENCONS_IDX(idx, ring) ((idx) & (sizeof(ring) - 1))

struct xencons_interface {
	char in[1024];	/* backend -> guest (keyboard) */
	char out[2048]; /* guest -> backend (screen) */
	XENCONS_RING_IDX in_cons;
	XENCONS_RING_IDX in_prod;
	XENCONS_RING_IDX out_cons;
	XENCONS_RING_IDX out_prod;
};
_Static_assert(sizeof(struct xencons_interface) == 3088, "xencons_interface");

/* The console as a flexible ring (xencons_*), for those who ask for it. */
#ifdef XEN_WANT_FLEX_CONSOLE_RING
#include "ring.h"
DEFINE_XEN_FLEX_RING(xencons);
#endif

#endif
