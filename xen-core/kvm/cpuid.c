/*
 * CPUID policy. The host's supported leaves, minus KVM's own hypervisor
 * leaves, minus features pvhv does not offer, plus Xen's leaves at
 * 0x40000000. The masked set is what an emulating KVM cannot run (XSAVE,
 * AVX*, CMPXCHG16B, POPCNT, SSE4.x, MOVBE, SMAP...): one baseline for every
 * host, honoured by hardware KVM. kvm_pvm forces leaves 1/7/0xD back on,
 * which pvhv reports at start-up; its own guests avoid those instructions.
 */
#include <stdlib.h>
#include <string.h>

#include <pvabi/arch-x86/cpuid.h>
#include <pvhv/cpuid.h>

/* Leaf 1 ECX bits removed. */
#define L1C_MONITOR (1u << 3)
#define L1C_VMX	    (1u << 5)
#define L1C_SMX	    (1u << 6)
#define L1C_FMA	    (1u << 12)
#define L1C_CX16    (1u << 13)
#define L1C_SSE41   (1u << 19)
#define L1C_SSE42   (1u << 20)
#define L1C_X2APIC  (1u << 21)
#define L1C_MOVBE   (1u << 22)
#define L1C_POPCNT  (1u << 23)
#define L1C_XSAVE   (1u << 26)
#define L1C_OSXSAVE (1u << 27)
#define L1C_AVX	    (1u << 28)
#define L1C_F16C    (1u << 29)
#define L1C_HV	    (1u << 31)
#define L1C_MASK                                                               \
	(L1C_MONITOR | L1C_VMX | L1C_SMX | L1C_FMA | L1C_CX16 | L1C_SSE41 |    \
	 L1C_SSE42 | L1C_MOVBE | L1C_POPCNT | L1C_XSAVE | L1C_OSXSAVE |        \
	 L1C_AVX | L1C_F16C)

/* Leaf 7 EBX bits kept: FSGSBASE, SMEP, ERMS, INVPCID, CLFLUSHOPT, CLWB. */
#define L7B_KEEP                                                               \
	((1u << 0) | (1u << 7) | (1u << 9) | (1u << 10) | (1u << 23) |         \
	 (1u << 24))

/* Leaf 0x80000001 ECX bits removed: SVM, SSE4A, MISALIGNSSE, XOP, FMA4,
 * TBM, MONITORX. */
#define LX1C_MASK                                                              \
	((1u << 2) | (1u << 6) | (1u << 7) | (1u << 11) | (1u << 16) |         \
	 (1u << 21) | (1u << 29))

static void cpuid_mask(struct kvm_cpuid_entry2 *e, uint32_t vcpu_id,
		       uint32_t nr_vcpus)
{
	switch (e->function) {
	case 1:
		e->ecx = (e->ecx & ~L1C_MASK) | L1C_X2APIC | L1C_HV;
		/* Initial APIC id and logical processor count. */
		e->ebx = (e->ebx & 0x0000ffffu) | (vcpu_id << 24) |
			 ((nr_vcpus > 255 ? 255 : nr_vcpus) << 16);
		break;
	case 7:
		if (e->index == 0) {
			e->ebx &= L7B_KEEP;
			e->eax = 0;
		} else {
			e->ebx = 0;
		}
		e->ecx = 0;
		e->edx = 0;
		break;
	case 0xb:
	case 0x1f:
		e->edx = vcpu_id; /* x2APIC id */
		break;
	case 0x80000001:
		e->ecx &= ~LX1C_MASK;
		break;
	}
}

static void cpuid_set(struct kvm_cpuid_entry2 *e, uint32_t fn, uint32_t a,
		      uint32_t b, uint32_t c, uint32_t d)
{
	*e = (struct kvm_cpuid_entry2){
	    .function = fn, .eax = a, .ebx = b, .ecx = c, .edx = d};
}

static uint32_t cpuid_xen_leaves(struct kvm_cpuid_entry2 *e, uint32_t domid,
				 uint32_t vcpu_id, uint32_t tsc_khz)
{
	const uint32_t base = XEN_CPUID_FIRST_LEAF;

	cpuid_set(&e[0], base, base + XEN_CPUID_MAX_NUM_LEAVES,
		  XEN_CPUID_SIGNATURE_EBX, XEN_CPUID_SIGNATURE_ECX,
		  XEN_CPUID_SIGNATURE_EDX);
	cpuid_set(&e[1], base + 1, (PVHV_XEN_MAJOR << 16) | PVHV_XEN_MINOR, 0,
		  0, 0);
	/* One hypercall page, installed by writing its address to this MSR. */
	cpuid_set(&e[2], base + 2, 1, 0x40000000u, 0, 0);
	/* Time: TSC never emulated (mode 2), guest TSC frequency in kHz. */
	cpuid_set(&e[3], base + 3, 0, 2, tsc_khz, 0);
	e[3].flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX;
	cpuid_set(&e[4], base + 4,
		  XEN_HVM_CPUID_VCPU_ID_PRESENT | XEN_HVM_CPUID_DOMID_PRESENT |
		      XEN_HVM_CPUID_UPCALL_VECTOR,
		  vcpu_id, domid, 0);
	cpuid_set(&e[5], base + 5, 0, 0, 0, 0);
	return 6;
}

struct kvm_cpuid2 *cpuid_build(const struct kvm_cpuid2 *host, uint32_t domid,
			       uint32_t vcpu_id, uint32_t nr_vcpus,
			       uint32_t tsc_khz)
{
	struct kvm_cpuid2 *c;
	uint32_t n = 0;

	c = calloc(1, sizeof(*c) + (host->nent + 8) * sizeof(c->entries[0]));
	if (!c)
		return NULL;
	for (uint32_t i = 0; i < host->nent; i++) {
		const struct kvm_cpuid_entry2 *h = &host->entries[i];

		/* KVM's own hypervisor leaves would shadow Xen's (first match
		 * wins); XSAVE state leaves go with XSAVE. */
		if ((h->function & 0xffff0000u) == 0x40000000u ||
		    h->function == 0xd)
			continue;
		c->entries[n] = *h;
		cpuid_mask(&c->entries[n], vcpu_id, nr_vcpus);
		n++;
	}
	n += cpuid_xen_leaves(&c->entries[n], domid, vcpu_id, tsc_khz);
	c->nent = n;
	return c;
}
