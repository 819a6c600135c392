/*
 * Core of the Xen guest ABI as pvhv exports it (x86_64 only): hypercall
 * numbers, VIRQs, reserved domain ids, the shared info page and per-vCPU
 * info, multicalls and guest handles.
 *
 * Mirrors Xen's public/xen.h plus the x86_64 parts of public/arch-x86/xen.h
 * and public/arch-x86/xen-x86_64.h. Numbers and layouts are Xen's; a guest
 * built against Xen's headers and one built against these see the same
 * bytes. Differences from Xen's text: no enum, long or pointer inside a
 * structure (a guest handle is a plain 64-bit address) and every byte of
 * padding is a named field.
 */
#ifndef PVABI_XEN_H
#define PVABI_XEN_H

#include <stdint.h>

/*
 * Guest handles: a guest virtual address (or guest physical, where the op
 * says so) stored in a 64-bit field. Xen declares them as a structure
 * holding a typed pointer; here the pointer is a uint64_t, so the size and
 * alignment (8, 8) are Xen's and the host never treats it as its own
 * pointer. The type name only keeps handles of different types apart.
 */
#define ___DEFINE_XEN_GUEST_HANDLE(name, type)                                 \
	typedef struct {                                                       \
		uint64_t p;                                                    \
	} __guest_handle_##name;                                               \
	_Static_assert(sizeof(__guest_handle_##name) == 8,                     \
		       "__guest_handle_" #name)
#define __DEFINE_XEN_GUEST_HANDLE(name, type)                                  \
	___DEFINE_XEN_GUEST_HANDLE(name, type);                                \
	___DEFINE_XEN_GUEST_HANDLE(const_##name, const type)
#define DEFINE_XEN_GUEST_HANDLE(name) __DEFINE_XEN_GUEST_HANDLE(name, name)
#define __XEN_GUEST_HANDLE(name)      __guest_handle_##name
#define XEN_GUEST_HANDLE(name)	      __XEN_GUEST_HANDLE(name)
#define XEN_GUEST_HANDLE_PARAM(name)  XEN_GUEST_HANDLE(name)
#define set_xen_guest_handle_raw(hnd, val)                                     \
	do {                                                                   \
		(hnd).p = (uint64_t)(uintptr_t)(val);                          \
	} while (0)
#define set_xen_guest_handle(hnd, val) set_xen_guest_handle_raw(hnd, val)

/* Flexible array member: empty dimension (C99 and later). */
#define XEN_FLEX_ARRAY_DIM

/* Basic scalar types of the x86_64 ABI. */
typedef uint64_t xen_pfn_t;   /* guest frame number */
typedef uint64_t xen_ulong_t; /* register-sized value */
typedef uint16_t domid_t;
typedef uint64_t tsc_timestamp_t;

#define PRI_xen_pfn   "lx"
#define PRIu_xen_pfn  "lu"
#define PRI_xen_ulong "lx"

DEFINE_XEN_GUEST_HANDLE(char);
__DEFINE_XEN_GUEST_HANDLE(uchar, unsigned char);
DEFINE_XEN_GUEST_HANDLE(int);
__DEFINE_XEN_GUEST_HANDLE(uint, unsigned int);
DEFINE_XEN_GUEST_HANDLE(void);
DEFINE_XEN_GUEST_HANDLE(uint64_t);
DEFINE_XEN_GUEST_HANDLE(xen_pfn_t);
DEFINE_XEN_GUEST_HANDLE(xen_ulong_t);
__DEFINE_XEN_GUEST_HANDLE(uint8, uint8_t);
__DEFINE_XEN_GUEST_HANDLE(uint16, uint16_t);
__DEFINE_XEN_GUEST_HANDLE(uint32, uint32_t);
__DEFINE_XEN_GUEST_HANDLE(uint64, uint64_t);

/*
 * Hypercall numbers. A guest calls hypercall N at hypercall_page + N * 32
 * with arguments in rdi, rsi, rdx, r10, r8; the result comes back in rax
 * (0 or a positive count on success, -XEN_E* on failure).
 */
#define __HYPERVISOR_set_trap_table    0  /* PV: virtual IDT */
#define __HYPERVISOR_mmu_update	       1  /* PV: page-table updates */
#define __HYPERVISOR_set_gdt	       2  /* PV: GDT frames */
#define __HYPERVISOR_stack_switch      3  /* PV: kernel stack */
#define __HYPERVISOR_set_callbacks     4  /* PV: event callbacks */
#define __HYPERVISOR_fpu_taskswitch    5  /* PV: CR0.TS */
#define __HYPERVISOR_sched_op_compat   6  /* any guest: old sched_op */
#define __HYPERVISOR_platform_op       7  /* dom0: host platform control */
#define __HYPERVISOR_set_debugreg      8  /* PV: debug registers */
#define __HYPERVISOR_get_debugreg      9  /* PV: debug registers */
#define __HYPERVISOR_update_descriptor 10 /* PV: one GDT/LDT entry */
#define __HYPERVISOR_memory_op	       12 /* any guest: memory.h */
#define __HYPERVISOR_multicall	       13 /* any guest: several calls at once */
#define __HYPERVISOR_update_va_mapping 14 /* PV: one PTE */
#define __HYPERVISOR_set_timer_op      15 /* any guest: vCPU one-shot timer */

/* 16: any guest: the old event_channel_op */
#define __HYPERVISOR_event_channel_op_compat 16

#define __HYPERVISOR_xen_version       17 /* any guest: version.h */
#define __HYPERVISOR_console_io	       18 /* any guest: CONSOLEIO_* */
#define __HYPERVISOR_physdev_op_compat 19 /* old physdev_op */
#define __HYPERVISOR_grant_table_op    20 /* any guest: grant_table.h */
#define __HYPERVISOR_vm_assist	       21 /* any guest: VMASST_* */

/* 22: PV dom0: a PTE of another domain */
#define __HYPERVISOR_update_va_mapping_otherdomain 22

#define __HYPERVISOR_iret	      23 /* PV: return from exception */
#define __HYPERVISOR_vcpu_op	      24 /* any guest: vcpu.h */
#define __HYPERVISOR_set_segment_base 25 /* PV: FS/GS base */
#define __HYPERVISOR_mmuext_op	      26 /* PV: pin tables, flush TLBs */
#define __HYPERVISOR_xsm_op	      27 /* security policy (policy decides) */
#define __HYPERVISOR_nmi_op	      28 /* PV: NMI callback */
#define __HYPERVISOR_sched_op	      29 /* any guest: sched.h */
#define __HYPERVISOR_callback_op      30 /* PV: register callbacks */
#define __HYPERVISOR_xenoprof_op      31 /* profiling (dom0) */
#define __HYPERVISOR_event_channel_op 32 /* any guest: event_channel.h */
#define __HYPERVISOR_physdev_op	      33 /* physical IRQs and devices (dom0) */
#define __HYPERVISOR_hvm_op	      34 /* HVM/PVH guests: hvm/hvm_op.h */
#define __HYPERVISOR_sysctl	      35 /* dom0: host control */
#define __HYPERVISOR_domctl	      36 /* dom0: domain control */
#define __HYPERVISOR_kexec_op	      37 /* dom0: crash kernel */
#define __HYPERVISOR_tmem_op	      38 /* retired */
#define __HYPERVISOR_argo_op	      39 /* any guest: Argo messages */
#define __HYPERVISOR_xenpmu_op	      40 /* PMU access */
#define __HYPERVISOR_dm_op	      41 /* device model (dom0) */
#define __HYPERVISOR_hypfs_op	      42 /* dom0: hypervisor file system */
#define __HYPERVISOR_arch_0	      48
#define __HYPERVISOR_arch_1	      49
#define __HYPERVISOR_arch_2	      50
#define __HYPERVISOR_arch_3	      51
#define __HYPERVISOR_arch_4	      52
#define __HYPERVISOR_arch_5	      53
#define __HYPERVISOR_arch_6	      54
#define __HYPERVISOR_arch_7	      55

/*
 * Virtual IRQs, bound to event channels with EVTCHNOP_bind_virq.
 * Per-vCPU ones (V) can be bound once on each vCPU; global ones (G) once
 * per domain, on vCPU 0. "dom0" marks those only the control domain gets.
 */
#define VIRQ_TIMER	0  /* V: timer expired or time values updated */
#define VIRQ_DEBUG	1  /* V: please dump debug state */
#define VIRQ_CONSOLE	2  /* G, dom0: input on the emergency console */
#define VIRQ_DOM_EXC	3  /* G, dom0: a domain needs attention */
#define VIRQ_TBUF	4  /* G, dom0: trace buffer has records */
#define VIRQ_DEBUGGER	6  /* G, dom0: a domain paused for the debugger */
#define VIRQ_XENOPROF	7  /* V: profiling sample ready */
#define VIRQ_CON_RING	8  /* G, dom0: hypervisor console has output */
#define VIRQ_PCPU_STATE 9  /* G, dom0: a physical CPU changed state */
#define VIRQ_MEM_EVENT	10 /* G, dom0: a memory event happened */
#define VIRQ_ARGO	11 /* G: Argo message arrived */
#define VIRQ_ENOMEM	12 /* G, dom0: hypervisor heap is low */
#define VIRQ_XENPMU	13 /* V: performance counter interrupt */

/* Eight VIRQs reserved for the architecture. */
#define VIRQ_ARCH_0 16
#define VIRQ_ARCH_1 17
#define VIRQ_ARCH_2 18
#define VIRQ_ARCH_3 19
#define VIRQ_ARCH_4 20
#define VIRQ_ARCH_5 21
#define VIRQ_ARCH_6 22
#define VIRQ_ARCH_7 23

#define NR_VIRQS 24

/* __HYPERVISOR_console_io sub-ops (arg: count, guest buffer). */
#define CONSOLEIO_write 0 /* any guest: print to the hypervisor console */
#define CONSOLEIO_read	1 /* dom0 only: read the console input buffer */

/*
 * __HYPERVISOR_vm_assist(cmd, type): a guest switches optional behaviour
 * on or off for itself.
 */
#define VMASST_CMD_enable  0
#define VMASST_CMD_disable 1

#define VMASST_TYPE_4gb_segments	 0  /* 32-bit PV only */
#define VMASST_TYPE_4gb_segments_notify	 1  /* 32-bit PV only */
#define VMASST_TYPE_writable_pagetables	 2  /* PV only */
#define VMASST_TYPE_pae_extended_cr3	 3  /* 32-bit PV only */
#define VMASST_TYPE_architectural_iopl	 4  /* PV only */
#define VMASST_TYPE_runstate_update_flag 5  /* see XEN_RUNSTATE_UPDATE */
#define VMASST_TYPE_m2p_strict		 32 /* 64-bit PV only */

/* Domain ids from DOMID_FIRST_RESERVED up name special domains. */
#define DOMID_FIRST_RESERVED 0x7FF0U
#define DOMID_SELF	     0x7FF0U /* the calling domain */
#define DOMID_IO	     0x7FF1U /* owner of I/O memory */
#define DOMID_XEN	     0x7FF2U /* owner of hypervisor memory */
#define DOMID_COW	     0x7FF3U /* owner of shared copy-on-write pages */
#define DOMID_INVALID	     0x7FF4U /* no owner / unknown */
#define DOMID_IDLE	     0x7FFFU /* the idle domain */
#define DOMID_MASK	     0x7FFFU /* bits a valid domain id may use */

/* Number of vcpu_info slots in the shared info page. */
#define XEN_LEGACY_MAX_VCPUS 32

/*
 * One entry of __HYPERVISOR_multicall(entries, count): the guest issues
 * several hypercalls in one trap; each entry's result is written back.
 */
struct multicall_entry {
	xen_ulong_t op;	     /* IN: hypercall number */
	xen_ulong_t result;  /* OUT: its return value */
	xen_ulong_t args[6]; /* IN: its arguments */
};
_Static_assert(sizeof(struct multicall_entry) == 64, "multicall_entry");
typedef struct multicall_entry multicall_entry_t;
DEFINE_XEN_GUEST_HANDLE(multicall_entry_t);

/*
 * Per-vCPU time base, written by the hypervisor. Like a seqlock: version
 * is odd while an update is in progress; a reader retries when it sees an
 * odd version or a version that changed across the read.
 *
 *   now (ns) = system_time +
 *              (((tsc - tsc_timestamp) << tsc_shift) * tsc_to_system_mul
 *               >> 32)        (a negative tsc_shift shifts right)
 */
struct vcpu_time_info {
	uint32_t version;
	uint32_t pad0;
	uint64_t tsc_timestamp;	    /* TSC when the values were taken */
	uint64_t system_time;	    /* ns since the domain started */
	uint32_t tsc_to_system_mul; /* 32.32 fixed-point TSC -> ns */
	int8_t tsc_shift;
	uint8_t flags; /* XEN_PVCLOCK_* */
	uint8_t pad1[2];
};
_Static_assert(sizeof(struct vcpu_time_info) == 32, "vcpu_time_info");
typedef struct vcpu_time_info vcpu_time_info_t;

/* vcpu_time_info.flags */
#define XEN_PVCLOCK_TSC_STABLE_BIT                                             \
	(1 << 0)			   /* TSC is synchronised on all CPUs */
#define XEN_PVCLOCK_GUEST_STOPPED (1 << 1) /* vCPU was paused by the host */

/* vcpu_info has evtchn_upcall_mask (as on x86 Xen). */
#define XEN_HAVE_PV_UPCALL_MASK 1

/* x86_64 part of vcpu_info. */
struct arch_vcpu_info {
	uint64_t cr2; /* PV only: faulting address of the last #PF */
	uint64_t pad;
};
_Static_assert(sizeof(struct arch_vcpu_info) == 16, "arch_vcpu_info");
typedef struct arch_vcpu_info arch_vcpu_info_t;

/*
 * Per-vCPU event and time state, shared between the hypervisor and the
 * guest: in the shared info page (first XEN_LEGACY_MAX_VCPUS vCPUs) or
 * wherever the guest put it with VCPUOP_register_vcpu_info.
 *
 * The hypervisor sets evtchn_upcall_pending and a bit in
 * evtchn_pending_sel (2-level ABI: one bit per word of
 * shared_info.evtchn_pending) and raises an upcall unless
 * evtchn_upcall_mask is set. The guest clears evtchn_upcall_pending before
 * it scans for work.
 */
struct vcpu_info {
	uint8_t evtchn_upcall_pending;
	uint8_t evtchn_upcall_mask;
	uint8_t _pad0[6];
	xen_ulong_t evtchn_pending_sel;
	struct arch_vcpu_info arch;
	vcpu_time_info_t time;
};
_Static_assert(sizeof(struct vcpu_info) == 64, "vcpu_info");
typedef struct vcpu_info vcpu_info_t;

/* x86_64 part of shared_info: PV guests' physical-to-machine map. */
struct arch_shared_info {
	uint64_t max_pfn; /* valid entries in the p2m */
	xen_pfn_t pfn_to_mfn_frame_list_list;
	uint64_t nmi_reason;
	uint64_t p2m_cr3;	 /* address space p2m_vaddr lives in, or 0 */
	uint64_t p2m_vaddr;	 /* virtual address of the linear p2m */
	uint64_t p2m_generation; /* odd while the p2m is being changed */
};
_Static_assert(sizeof(struct arch_shared_info) == 48, "arch_shared_info");
typedef struct arch_shared_info arch_shared_info_t;

/*
 * The shared info page: one per domain, placed by the guest with
 * XENMEM_add_to_physmap(XENMAPSPACE_shared_info). Holds the 2-level
 * event-channel bitmaps (pending: set by the hypervisor, cleared by the
 * guest; mask: owned by the guest) and the wallclock, which changes under
 * wc_version like vcpu_time_info. Wallclock = wc_sec_hi:wc_sec seconds and
 * wc_nsec nanoseconds since the Unix epoch at system time 0.
 */
struct shared_info {
	struct vcpu_info vcpu_info[XEN_LEGACY_MAX_VCPUS];
	xen_ulong_t evtchn_pending[64];
	xen_ulong_t evtchn_mask[64];
	uint32_t wc_version;
	uint32_t wc_sec;
	uint32_t wc_nsec;
	uint32_t wc_sec_hi;
	struct arch_shared_info arch;
};
_Static_assert(sizeof(struct shared_info) == 3136, "shared_info");
typedef struct shared_info shared_info_t;

/* Portable name of the high wallclock seconds (a field on x86_64). */
#define xen_wc_sec_hi wc_sec_hi

/* Flags of hvm_start_info.flags (and of PV's start_info). */
#define SIF_PRIVILEGED	    (1 << 0)	/* domain is privileged */
#define SIF_INITDOMAIN	    (1 << 1)	/* domain is the control domain */
#define SIF_MULTIBOOT_MOD   (1 << 2)	/* PV: mod_start is multiboot */
#define SIF_MOD_START_PFN   (1 << 3)	/* PV: mod_start is a frame number */
#define SIF_VIRT_P2M_4TOOLS (1 << 4)	/* PV: tools handle a virtual p2m */
#define SIF_PM_MASK	    (0xFF << 8) /* power-management options */

/* A 16-byte domain handle (UUID), see XENVER_guest_handle. */
typedef uint8_t xen_domain_handle_t[16];

typedef struct {
	uint8_t a[16];
} xen_uuid_t;
_Static_assert(sizeof(xen_uuid_t) == 16, "xen_uuid_t");

/* Builds a xen_uuid_t initialiser from the usual 8-4-4-4-12 groups. */
#define XEN_DEFINE_UUID_(a, b, c, d, e1, e2, e3, e4, e5, e6)                   \
	{                                                                      \
		{                                                              \
			((a) >> 24) & 0xFF, ((a) >> 16) & 0xFF,                \
			    ((a) >> 8) & 0xFF, (a)&0xFF, ((b) >> 8) & 0xFF,    \
			    (b)&0xFF, ((c) >> 8) & 0xFF, (c)&0xFF,             \
			    ((d) >> 8) & 0xFF, (d)&0xFF, e1, e2, e3, e4, e5,   \
			    e6                                                 \
		}                                                              \
	}
#define XEN_DEFINE_UUID(a, b, c, d, e1, e2, e3, e4, e5, e6)                    \
	((xen_uuid_t)XEN_DEFINE_UUID_(a, b, c, d, e1, e2, e3, e4, e5, e6))

/* Port 0xE9: bytes written there go to the hypervisor console. */
#define XEN_HVM_DEBUGCONS_IOPORT 0xe9

#endif
