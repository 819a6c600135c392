/*
 * Xen's CPUID leaves. They start at the first free multiple of 0x100 from
 * 0x40000000 (0x40000100 when Hyper-V leaves come first); leaf numbers
 * below are offsets from that base. Mirrors Xen's public/arch-x86/cpuid.h.
 *
 *   base+0  eax: last Xen leaf; ebx, ecx, edx: "XenVMMXenVMM"
 *   base+1  eax: version, major in 31:16, minor in 15:0
 *   base+2  eax: number of hypercall pages (1); ebx: MSR that takes the
 *           hypercall page address; ecx, edx: XEN_CPUID_FEAT1/2_*
 *   base+3  TSC: subleaf 0 eax mode bits, ebx tsc_mode, ecx guest kHz,
 *           edx incarnation; subleaf 1 offset and ns scaling; subleaf 2
 *           host kHz
 *   base+4  HVM: eax XEN_HVM_CPUID_*, ebx vCPU id, ecx domain id
 *   base+5  PV: eax last subleaf; ebx machine address width
 */
#ifndef PVABI_ARCH_X86_CPUID_H
#define PVABI_ARCH_X86_CPUID_H

#define XEN_CPUID_FIRST_LEAF 0x40000000
#define XEN_CPUID_LEAF(i)    (XEN_CPUID_FIRST_LEAF + (i))

/* base+0 signature, "XenV" "MMXe" "nVMM" */
#define XEN_CPUID_SIGNATURE_EBX 0x566e6558
#define XEN_CPUID_SIGNATURE_ECX 0x65584d4d
#define XEN_CPUID_SIGNATURE_EDX 0x4d4d566e

/* base+2 ecx */
#define _XEN_CPUID_FEAT1_MMU_PT_UPDATE_PRESERVE_AD 0
#define XEN_CPUID_FEAT1_MMU_PT_UPDATE_PRESERVE_AD  (1u << 0)

/* base+4 eax */
#define XEN_HVM_CPUID_APIC_ACCESS_VIRT                                         \
	(1u << 0)				/* APIC registers virtualised */
#define XEN_HVM_CPUID_X2APIC_VIRT     (1u << 1) /* x2APIC virtualised */
#define XEN_HVM_CPUID_IOMMU_MAPPINGS  (1u << 2) /* foreign maps in the IOMMU */
#define XEN_HVM_CPUID_VCPU_ID_PRESENT (1u << 3) /* ebx holds the vCPU id */
#define XEN_HVM_CPUID_DOMID_PRESENT   (1u << 4) /* ecx holds the domain id */
#define XEN_HVM_CPUID_EXT_DEST_ID     (1u << 5) /* 15-bit MSI/IO-APIC dest */
#define XEN_HVM_CPUID_UPCALL_VECTOR                                            \
	(1u << 6) /* per-vCPU upcall vector works with PIRQs */

/* base+5 ebx */
#define XEN_CPUID_MACHINE_ADDRESS_WIDTH_MASK (0xffu << 0)

/* Number of Xen leaves after base+0. */
#define XEN_CPUID_MAX_NUM_LEAVES 5

#endif
