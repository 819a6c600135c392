/*
 * __HYPERVISOR_hvm_op(cmd, arg): operations of HVM and PVH guests.
 * Mirrors Xen's public/hvm/hvm_op.h, except the ops Xen 4.17 itself hides
 * from current guests (set_pci_intx_level, set_isa_irq_level,
 * set_pci_link_route: device-model ops, now in dm_op) and the tools-only
 * ioreq-server constants.
 *
 * Where an argument has a domid, an unprivileged guest may only name
 * itself (DOMID_SELF); privileged (dom0) callers may name any domain.
 */
#ifndef PVABI_HVM_HVM_OP_H
#define PVABI_HVM_HVM_OP_H

#include <stdint.h>

#include "../xen.h"

/* Payload limit of HVMOP_xentrace, in 32-bit words (Xen's trace.h). */
#define TRACE_EXTRA_MAX 7

/*
 * Set or read an HVM_PARAM_* of a domain. Guests may read and set the
 * parameters meant for them (callback IRQ, store/console page, ...) for
 * themselves; the rest is for dom0. arg is xen_hvm_param.
 */
#define HVMOP_set_param 0
#define HVMOP_get_param 1

struct xen_hvm_param {
	domid_t domid; /* IN */
	uint16_t pad;
	uint32_t index; /* IN: HVM_PARAM_* */
	uint64_t value; /* IN (set) / OUT (get) */
};
_Static_assert(sizeof(struct xen_hvm_param) == 16, "xen_hvm_param");
typedef struct xen_hvm_param xen_hvm_param_t;
DEFINE_XEN_GUEST_HANDLE(xen_hvm_param_t);

/* Any guest, for itself: flush the TLBs of all its vCPUs. arg is NULL. */
#define HVMOP_flush_tlbs 5

/* Memory types returned by HVMOP_get_mem_type (Xen: enum hvmmem_type_t). */
#define HVMMEM_ram_rw	    0 /* ordinary RAM */
#define HVMMEM_ram_ro	    1 /* RAM, writes dropped */
#define HVMMEM_mmio_dm	    2 /* emulated by the device model */
#define HVMMEM_unused	    3 /* placeholder, cannot be set */
#define HVMMEM_ioreq_server 4 /* claimed by an ioreq server */

/*
 * PV drivers in an HVM guest, for itself: the page table at gpa is about
 * to be freed (a shadow-paging hint). arg is xen_hvm_pagetable_dying.
 */
#define HVMOP_pagetable_dying 9

struct xen_hvm_pagetable_dying {
	domid_t domid; /* IN */
	uint16_t pad[3];
	uint64_t gpa; /* IN: top-level page table */
};
_Static_assert(sizeof(struct xen_hvm_pagetable_dying) == 16,
	       "xen_hvm_pagetable_dying");
typedef struct xen_hvm_pagetable_dying xen_hvm_pagetable_dying_t;
DEFINE_XEN_GUEST_HANDLE(xen_hvm_pagetable_dying_t);

/* Any guest: read system time (ns since boot). arg is xen_hvm_get_time. */
#define HVMOP_get_time 10

struct xen_hvm_get_time {
	uint64_t now; /* OUT */
};
_Static_assert(sizeof(struct xen_hvm_get_time) == 8, "xen_hvm_get_time");
typedef struct xen_hvm_get_time xen_hvm_get_time_t;
DEFINE_XEN_GUEST_HANDLE(xen_hvm_get_time_t);

/* Any guest: add a record to the hypervisor trace. arg is xen_hvm_xentrace. */
#define HVMOP_xentrace 11

struct xen_hvm_xentrace {
	uint16_t event;			    /* IN */
	uint16_t extra_bytes;		    /* IN: used bytes of extra */
	uint8_t extra[TRACE_EXTRA_MAX * 4]; /* IN */
};
_Static_assert(sizeof(struct xen_hvm_xentrace) == 32, "xen_hvm_xentrace");
typedef struct xen_hvm_xentrace xen_hvm_xentrace_t;
DEFINE_XEN_GUEST_HANDLE(xen_hvm_xentrace_t);

/* Toolstack only, retired (use XENMEM_access_op): page access rights. */
#define HVMOP_set_mem_access 12
#define HVMOP_get_mem_access 13

/*
 * Read the HVMMEM_* type of one frame of a domain. Any guest for itself;
 * dom0 for any. arg is xen_hvm_get_mem_type.
 */
#define HVMOP_get_mem_type 15

struct xen_hvm_get_mem_type {
	domid_t domid;	   /* IN */
	uint16_t mem_type; /* OUT: HVMMEM_* */
	uint16_t pad[2];
	uint64_t pfn; /* IN */
};
_Static_assert(sizeof(struct xen_hvm_get_mem_type) == 16,
	       "xen_hvm_get_mem_type");
typedef struct xen_hvm_get_mem_type xen_hvm_get_mem_type_t;
DEFINE_XEN_GUEST_HANDLE(xen_hvm_get_mem_type_t);

/*
 * Any guest, for itself: deliver event-channel upcalls for one vCPU as
 * this LAPIC vector (the guest EOIs it), in place of the domain-wide
 * HVM_PARAM_CALLBACK_IRQ. arg is xen_hvm_evtchn_upcall_vector.
 */
#define HVMOP_set_evtchn_upcall_vector 23

struct xen_hvm_evtchn_upcall_vector {
	uint32_t vcpu;	/* IN */
	uint8_t vector; /* IN: 0x10..0xff */
	uint8_t _pad0[3];
};
_Static_assert(sizeof(struct xen_hvm_evtchn_upcall_vector) == 8,
	       "xen_hvm_evtchn_upcall_vector");
typedef struct xen_hvm_evtchn_upcall_vector xen_hvm_evtchn_upcall_vector_t;
DEFINE_XEN_GUEST_HANDLE(xen_hvm_evtchn_upcall_vector_t);

/* Any guest, for itself: raise a vm_event to its monitor. arg is NULL. */
#define HVMOP_guest_request_vm_event 24

/*
 * Alternate p2m views (altp2m): a guest (if HVM_PARAM_ALTP2M allows) or
 * dom0 manages several physical-to-machine views of a domain.
 * arg is xen_hvm_altp2m_op.
 */
#define HVMOP_altp2m		       25
#define HVMOP_ALTP2M_INTERFACE_VERSION 0x00000001

struct xen_hvm_altp2m_domain_state {
	uint8_t state; /* IN/OUT: on or off */
};
_Static_assert(sizeof(struct xen_hvm_altp2m_domain_state) == 1,
	       "xen_hvm_altp2m_domain_state");
typedef struct xen_hvm_altp2m_domain_state xen_hvm_altp2m_domain_state_t;
DEFINE_XEN_GUEST_HANDLE(xen_hvm_altp2m_domain_state_t);

struct xen_hvm_altp2m_vcpu_enable_notify {
	uint32_t vcpu_id; /* IN */
	uint32_t pad;
	uint64_t gfn; /* IN: #VE information page */
};
_Static_assert(sizeof(struct xen_hvm_altp2m_vcpu_enable_notify) == 16,
	       "xen_hvm_altp2m_vcpu_enable_notify");
typedef struct xen_hvm_altp2m_vcpu_enable_notify
    xen_hvm_altp2m_vcpu_enable_notify_t;
DEFINE_XEN_GUEST_HANDLE(xen_hvm_altp2m_vcpu_enable_notify_t);

struct xen_hvm_altp2m_vcpu_disable_notify {
	uint32_t vcpu_id; /* IN */
};
_Static_assert(sizeof(struct xen_hvm_altp2m_vcpu_disable_notify) == 4,
	       "xen_hvm_altp2m_vcpu_disable_notify");
typedef struct xen_hvm_altp2m_vcpu_disable_notify
    xen_hvm_altp2m_vcpu_disable_notify_t;
DEFINE_XEN_GUEST_HANDLE(xen_hvm_altp2m_vcpu_disable_notify_t);

struct xen_hvm_altp2m_view {
	uint16_t view;			/* IN/OUT */
	uint16_t hvmmem_default_access; /* IN: xenmem access type */
};
_Static_assert(sizeof(struct xen_hvm_altp2m_view) == 4, "xen_hvm_altp2m_view");
typedef struct xen_hvm_altp2m_view xen_hvm_altp2m_view_t;
DEFINE_XEN_GUEST_HANDLE(xen_hvm_altp2m_view_t);

struct xen_hvm_altp2m_mem_access {
	uint16_t view;	 /* IN */
	uint16_t access; /* IN/OUT: xenmem access type */
	uint32_t pad;
	uint64_t gfn; /* IN */
};
_Static_assert(sizeof(struct xen_hvm_altp2m_mem_access) == 16,
	       "xen_hvm_altp2m_mem_access");
typedef struct xen_hvm_altp2m_mem_access xen_hvm_altp2m_mem_access_t;
DEFINE_XEN_GUEST_HANDLE(xen_hvm_altp2m_mem_access_t);

struct xen_hvm_altp2m_set_mem_access_multi {
	uint16_t view; /* IN */
	uint16_t pad;
	uint32_t nr;	 /* IN: entries */
	uint64_t opaque; /* IN/OUT: continuation, 0 on the first call */
	XEN_GUEST_HANDLE(const_uint64) pfn_list;   /* IN */
	XEN_GUEST_HANDLE(const_uint8) access_list; /* IN */
};
_Static_assert(sizeof(struct xen_hvm_altp2m_set_mem_access_multi) == 32,
	       "xen_hvm_altp2m_set_mem_access_multi");

struct xen_hvm_altp2m_change_gfn {
	uint16_t view; /* IN */
	uint16_t pad1;
	uint32_t pad2;
	uint64_t old_gfn; /* IN */
	uint64_t new_gfn; /* IN: ~0 to undo */
};
_Static_assert(sizeof(struct xen_hvm_altp2m_change_gfn) == 24,
	       "xen_hvm_altp2m_change_gfn");
typedef struct xen_hvm_altp2m_change_gfn xen_hvm_altp2m_change_gfn_t;
DEFINE_XEN_GUEST_HANDLE(xen_hvm_altp2m_change_gfn_t);

struct xen_hvm_altp2m_suppress_ve {
	uint16_t view;	     /* IN */
	uint8_t suppress_ve; /* IN/OUT: boolean */
	uint8_t pad1;
	uint32_t pad2;
	uint64_t gfn; /* IN */
};
_Static_assert(sizeof(struct xen_hvm_altp2m_suppress_ve) == 16,
	       "xen_hvm_altp2m_suppress_ve");

struct xen_hvm_altp2m_suppress_ve_multi {
	uint16_t view;	     /* IN */
	uint8_t suppress_ve; /* IN: boolean */
	uint8_t pad1;
	int32_t first_error;	  /* OUT: must be 0 on input */
	uint64_t first_gfn;	  /* IN/OUT */
	uint64_t last_gfn;	  /* IN */
	uint64_t first_error_gfn; /* OUT */
};
_Static_assert(sizeof(struct xen_hvm_altp2m_suppress_ve_multi) == 32,
	       "xen_hvm_altp2m_suppress_ve_multi");

struct xen_hvm_altp2m_get_vcpu_p2m_idx {
	uint32_t vcpu_id;    /* IN */
	uint16_t altp2m_idx; /* OUT */
	uint16_t _pad0;
};
_Static_assert(sizeof(struct xen_hvm_altp2m_get_vcpu_p2m_idx) == 8,
	       "xen_hvm_altp2m_get_vcpu_p2m_idx");

struct xen_hvm_altp2m_set_visibility {
	uint16_t altp2m_idx; /* IN */
	uint8_t visible;     /* IN: boolean */
	uint8_t pad;
};
_Static_assert(sizeof(struct xen_hvm_altp2m_set_visibility) == 4,
	       "xen_hvm_altp2m_set_visibility");

struct xen_hvm_altp2m_op {
	uint32_t version; /* IN: HVMOP_ALTP2M_INTERFACE_VERSION */
	uint32_t cmd;	  /* IN: HVMOP_altp2m_* */
	domid_t domain;	  /* IN */
	uint16_t pad1;
	uint32_t pad2;
	union {
		struct xen_hvm_altp2m_domain_state domain_state;
		struct xen_hvm_altp2m_vcpu_enable_notify enable_notify;
		struct xen_hvm_altp2m_view view;
		struct xen_hvm_altp2m_mem_access mem_access;
		struct xen_hvm_altp2m_change_gfn change_gfn;
		struct xen_hvm_altp2m_set_mem_access_multi set_mem_access_multi;
		struct xen_hvm_altp2m_suppress_ve suppress_ve;
		struct xen_hvm_altp2m_suppress_ve_multi suppress_ve_multi;
		struct xen_hvm_altp2m_vcpu_disable_notify disable_notify;
		struct xen_hvm_altp2m_get_vcpu_p2m_idx get_vcpu_p2m_idx;
		struct xen_hvm_altp2m_set_visibility set_visibility;
		uint8_t pad[64];
	} u; /* IN/OUT: by cmd */
};
_Static_assert(sizeof(struct xen_hvm_altp2m_op) == 80, "xen_hvm_altp2m_op");
typedef struct xen_hvm_altp2m_op xen_hvm_altp2m_op_t;
DEFINE_XEN_GUEST_HANDLE(xen_hvm_altp2m_op_t);

/* xen_hvm_altp2m_op.cmd */
#define HVMOP_altp2m_get_domain_state	   1  /* altp2m on? */
#define HVMOP_altp2m_set_domain_state	   2  /* turn altp2m on or off */
#define HVMOP_altp2m_vcpu_enable_notify	   3  /* #VE for a vCPU */
#define HVMOP_altp2m_create_p2m		   4  /* new view */
#define HVMOP_altp2m_destroy_p2m	   5  /* drop a view */
#define HVMOP_altp2m_switch_p2m		   6  /* whole domain to a view */
#define HVMOP_altp2m_set_mem_access	   7  /* access of one page */
#define HVMOP_altp2m_change_gfn		   8  /* remap a gfn in a view */
#define HVMOP_altp2m_set_mem_access_multi  9  /* access of many pages */
#define HVMOP_altp2m_set_suppress_ve	   10 /* "suppress #VE" of a page */
#define HVMOP_altp2m_get_suppress_ve	   11
#define HVMOP_altp2m_get_mem_access	   12 /* access of one page */
#define HVMOP_altp2m_vcpu_disable_notify   13 /* no #VE for a vCPU */
#define HVMOP_altp2m_get_p2m_idx	   14 /* a vCPU's active view */
#define HVMOP_altp2m_set_suppress_ve_multi 15 /* "suppress #VE" of a range */
#define HVMOP_altp2m_set_visibility	   16 /* view usable by the guest */

#endif
