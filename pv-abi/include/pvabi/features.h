/*
 * Feature bits reported by XENVER_get_features (submap 0) and named, without
 * the XENFEAT_ prefix, in a kernel's XEN_ELFNOTE_FEATURES note ("!" marks a
 * feature the kernel cannot run without). Mirrors Xen's public/features.h.
 */
#ifndef PVABI_FEATURES_H
#define PVABI_FEATURES_H

#define XENFEAT_writable_page_tables	   0 /* PV: page tables writable */
#define XENFEAT_writable_descriptor_tables 1 /* PV: GDT/LDT writable */
#define XENFEAT_auto_translated_physmap	   2 /* hypervisor does p2m (PVH) */
#define XENFEAT_supervisor_mode_kernel	   3 /* kernel runs in ring 0 */
#define XENFEAT_pae_pgdir_above_4gb	   4 /* PAE pgdir may be above 4G */
#define XENFEAT_mmu_pt_update_preserve_ad  5 /* PV: MMU_PT_UPDATE_PRESERVE_AD */
#define XENFEAT_highmem_assist		   6 /* PV: MMUEXT_{CLEAR,COPY}_PAGE */
#define XENFEAT_gnttab_map_avail_bits	   7 /* GNTMAP_guest_avail bits work */
#define XENFEAT_hvm_callback_vector	   8 /* callback type VECTOR works */
#define XENFEAT_hvm_safe_pvclock	   9 /* pvclock usable in HVM/PVH */
#define XENFEAT_hvm_pirqs		   10 /* HVM: PIRQs as event channels */
#define XENFEAT_dom0			   11 /* can run as control domain */
/* 12 (grant_map_identity) is retired. */
#define XENFEAT_memory_op_vnode_supported 13 /* XENMEMF_vnode accepted */
#define XENFEAT_ARM_SMCCC_supported	  14 /* Arm only */
#define XENFEAT_linux_rsdp_unrestricted	  15 /* RSDP may be above 1 MiB */
#define XENFEAT_not_direct_mapped	  16 /* gfn != mfn */
#define XENFEAT_direct_mapped		  17 /* gfn == mfn */

/* Number of 32-bit feature submaps. */
#define XENFEAT_NR_SUBMAPS 1

#endif
