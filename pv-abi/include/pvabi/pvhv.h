/*
 * pvhv extensions to the Xen ABI (everything here carries a PV_ prefix).
 *
 * Hypercall transport. A guest finds pvhv the Xen way: CPUID leaf
 * 0x40000000 returns "XenVMMXenVMM", leaf 0x40000002 names the MSR
 * (0x40000000) and the page count (1). Writing the guest-physical address
 * of a page to that MSR makes pvhv fill the page with 128 stubs of 32
 * bytes, stub N at offset N * 32:
 *
 *     f3 0f 1e fa        endbr64                 (CET kernels)
 *     b8 NN NN NN NN     mov  $N, %eax
 *     e7 PP              out  %eax, $PV_HYPERCALL_IOPORT
 *     c3                 ret
 *     0f 0b ...          ud2 padding
 *
 * Arguments are passed in rdi, rsi, rdx, r10, r8 (Xen's 64-bit order);
 * the result comes back in rax and no other register changes. Port I/O is
 * used instead of vmcall because KVM only forwards vmcall to user space
 * with KVM_CAP_XEN_HVM. A guest may also execute the sequence inline.
 * Port I/O from CPL 3 faults in the guest (IOPL 0), so user space cannot
 * issue hypercalls; a hypercall from CPL > 0 gets -XEN_EPERM regardless.
 */
#ifndef PVABI_PVHV_H
#define PVABI_PVHV_H

#include <stdint.h>

#define PV_HYPERCALL_IOPORT    0xe4
#define PV_HYPERCALL_MSR       0x40000000u
#define PV_HYPERCALL_STUB_SIZE 32
#define PV_HYPERCALL_NR_STUBS  128

/*
 * Guest-physical layout pvhv gives every domain.
 *
 *   [0, lowmem_end)                  RAM (lowmem_end <= PV_LOWMEM_MAX)
 *   [PV_SPECIAL_BASE, +16 pages)     magic pages, reserved in the memmap
 *   0xfee00000                       local APIC (x2APIC recommended)
 *   [4 GiB, 4 GiB + rest)            RAM above the hole, if any
 *
 * The special pages, by index from PV_SPECIAL_BASE:
 */
#define PV_LOWMEM_MAX	      0xf0000000ull
#define PV_SPECIAL_BASE	      0xfeff0000ull
#define PV_SPECIAL_PAGES      16
#define PV_SPECIAL_START_INFO 0 /* hvm_start_info, memmap, modlist  */
#define PV_SPECIAL_CMDLINE    1 /* command lines (kernel, modules)  */
#define PV_SPECIAL_XENSTORE   4 /* HVM_PARAM_STORE_PFN              */
#define PV_SPECIAL_CONSOLE    5 /* HVM_PARAM_CONSOLE_PFN            */
#define PV_HIGHMEM_BASE	      0x100000000ull

/* Longest kernel command line pvhv accepts, including the NUL. */
#define PV_CMDLINE_MAX 4096

#endif
