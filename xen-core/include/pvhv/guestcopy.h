/*
 * Copies between pvhv and a vCPU's guest-virtual address space (hypercall
 * arguments). Each page is translated with the vCPU's current page tables;
 * any failure is -XEN_EFAULT and nothing past the failing page is touched.
 * Only the vCPU's own thread may call these (its registers are current).
 */
#ifndef PVHV_GUESTCOPY_H
#define PVHV_GUESTCOPY_H

#include <pvhv/types.h>

struct vcpu;

/* Largest single copy a hypercall may ask for (guards against huge
 * lengths from a hostile guest before any work is done). */
#define GUEST_COPY_MAX (16u << 20)

int copy_from_guest(struct vcpu *v, void *dst, gva_t src, size_t len);
int copy_to_guest(struct vcpu *v, gva_t dst, const void *src, size_t len);
/* Host pointer to a guest-virtual range that must not cross a page. */
void *guest_va_ptr(struct vcpu *v, gva_t va, size_t len, bool write);

#endif
