/*
 * ELF notes a Xen guest kernel carries in a "Xen" note (PT_NOTE segment or
 * SHT_NOTE section). Numbers are Xen's; pvhv reads PHYS32_ENTRY (PVH entry
 * point, 4- or 8-byte descriptor) and reports the informational ones.
 */
#ifndef PVABI_ELFNOTE_H
#define PVABI_ELFNOTE_H

#define XEN_ELFNOTE_INFO	       0
#define XEN_ELFNOTE_ENTRY	       1
#define XEN_ELFNOTE_HYPERCALL_PAGE     2
#define XEN_ELFNOTE_VIRT_BASE	       3
#define XEN_ELFNOTE_PADDR_OFFSET       4
#define XEN_ELFNOTE_XEN_VERSION	       5 /* string: "xen-3.0" */
#define XEN_ELFNOTE_GUEST_OS	       6 /* string: "linux", "pvmini" */
#define XEN_ELFNOTE_GUEST_VERSION      7 /* string */
#define XEN_ELFNOTE_LOADER	       8 /* string: "generic" */
#define XEN_ELFNOTE_PAE_MODE	       9
#define XEN_ELFNOTE_FEATURES	       10 /* string: "feat1|!feat2" */
#define XEN_ELFNOTE_BSD_SYMTAB	       11
#define XEN_ELFNOTE_HV_START_LOW       12
#define XEN_ELFNOTE_L1_MFN_VALID       13
#define XEN_ELFNOTE_SUSPEND_CANCEL     14
#define XEN_ELFNOTE_INIT_P2M	       15
#define XEN_ELFNOTE_MOD_START_PFN      16
#define XEN_ELFNOTE_SUPPORTED_FEATURES 17
#define XEN_ELFNOTE_PHYS32_ENTRY       18 /* numeric: 32-bit PVH entry */
#define XEN_ELFNOTE_MAX		       XEN_ELFNOTE_PHYS32_ENTRY

#define XEN_ELFNOTE_CRASH_INFO 0x1000001
#define XEN_ELFNOTE_CRASH_REGS 0x1000002

#define XEN_ELFNOTE_DUMPCORE_NONE	    0x2000000
#define XEN_ELFNOTE_DUMPCORE_HEADER	    0x2000001
#define XEN_ELFNOTE_DUMPCORE_XEN_VERSION    0x2000002
#define XEN_ELFNOTE_DUMPCORE_FORMAT_VERSION 0x2000003

#endif
