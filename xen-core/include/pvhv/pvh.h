/* PVH boot: load the kernel and ramdisk, write the start info, set vCPU 0
 * up at the 32-bit entry point (pure placement logic + guest memory). */
#ifndef PVHV_PVH_H
#define PVHV_PVH_H

#include <pvhv/kvm.h>
#include <pvhv/types.h>

struct domain;

/* Images larger than this are refused before reading. */
#define PVH_KERNEL_MAX	(256ull << 20)
#define PVH_RAMDISK_MAX (1024ull << 20)

/*
 * Loads kernel (+ optional ramdisk) into d's memory, builds the memory map
 * and hvm_start_info, and fills *regs for vCPU 0. On failure returns
 * -errno with a message in why.
 */
int pvh_build(struct domain *d, const void *kernel, size_t klen,
	      const void *ramdisk, size_t rdlen, const char *cmdline,
	      struct vcpu_start_regs *regs, char *why, size_t whylen);

#endif
