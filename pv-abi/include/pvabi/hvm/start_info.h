/*
 * Start of day information for PVH (and HVM) guests: the loader puts a
 * struct hvm_start_info in guest memory and passes its physical address
 * in %ebx. Addresses of 0 mean "absent"; all fields are little endian.
 * Mirrors Xen's public/arch-x86/hvm/start_info.h (Linux keeps it as
 * xen/interface/hvm/start_info.h, hence this path).
 */
#ifndef PVABI_HVM_START_INFO_H
#define PVABI_HVM_START_INFO_H

#include <stdint.h>

/* "xEn3" with the high bit of the 'E' set. */
#define XEN_HVM_START_MAGIC_VALUE 0x336ec578

/* hvm_memmap_table_entry.type: the ACPI address range types. */
#define XEN_HVM_MEMMAP_TYPE_RAM	     1
#define XEN_HVM_MEMMAP_TYPE_RESERVED 2
#define XEN_HVM_MEMMAP_TYPE_ACPI     3
#define XEN_HVM_MEMMAP_TYPE_NVS	     4
#define XEN_HVM_MEMMAP_TYPE_UNUSABLE 5
#define XEN_HVM_MEMMAP_TYPE_DISABLED 6
#define XEN_HVM_MEMMAP_TYPE_PMEM     7

/*
 * Version 0 ends after rsdp_paddr (48 bytes); version 1 adds the memory
 * map. A version 1 reader checks memmap_entries != 0 before using it.
 */
struct hvm_start_info {
	uint32_t magic;		 /* XEN_HVM_START_MAGIC_VALUE */
	uint32_t version;	 /* 1 */
	uint32_t flags;		 /* SIF_* */
	uint32_t nr_modules;	 /* entries at modlist_paddr */
	uint64_t modlist_paddr;	 /* array of hvm_modlist_entry */
	uint64_t cmdline_paddr;	 /* NUL-terminated kernel command line */
	uint64_t rsdp_paddr;	 /* ACPI RSDP */
	uint64_t memmap_paddr;	 /* v1: array of hvm_memmap_table_entry */
	uint32_t memmap_entries; /* v1: entries in it, 0 if none */
	uint32_t reserved;	 /* v1: zero */
};
_Static_assert(sizeof(struct hvm_start_info) == 56, "hvm_start_info");

struct hvm_modlist_entry {
	uint64_t paddr;		/* start of the module */
	uint64_t size;		/* bytes */
	uint64_t cmdline_paddr; /* NUL-terminated, or 0 */
	uint64_t reserved;
};
_Static_assert(sizeof(struct hvm_modlist_entry) == 32, "hvm_modlist_entry");

struct hvm_memmap_table_entry {
	uint64_t addr;	   /* base */
	uint64_t size;	   /* bytes */
	uint32_t type;	   /* XEN_HVM_MEMMAP_TYPE_* */
	uint32_t reserved; /* zero */
};
_Static_assert(sizeof(struct hvm_memmap_table_entry) == 24,
	       "hvm_memmap_table_entry");

#endif
