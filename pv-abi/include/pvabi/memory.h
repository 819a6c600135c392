/*
 * __HYPERVISOR_memory_op(cmd, arg): a domain's memory reservation and its
 * physical address map. Mirrors Xen's public/memory.h.
 *
 * Where an argument has a domid, an unprivileged guest may only name
 * itself (DOMID_SELF); privileged (dom0) callers may name any domain.
 */
#ifndef PVABI_MEMORY_H
#define PVABI_MEMORY_H

#include <stdint.h>

#include "xen.h"

/*
 * Grow (increase_reservation), shrink (decrease_reservation) or fill in
 * holes of (populate_physmap) a domain's memory, in extents of
 * 2^extent_order pages. Any guest for itself; dom0 for any domain.
 * Returns the number of extents done. arg is xen_memory_reservation.
 */
#define XENMEM_increase_reservation 0
#define XENMEM_decrease_reservation 1
#define XENMEM_populate_physmap	    6

/* xen_memory_reservation.mem_flags */
#define XENMEMF_address_bits(x)	    (x) /* highest usable address bit, 0: any */
#define XENMEMF_get_address_bits(x) ((x)&0xffu)
#define XENMEMF_node(x)		    (((x) + 1) << 8) /* preferred NUMA node */
#define XENMEMF_get_node(x)	    ((((x) >> 8) - 1) & 0xffu)
#define XENMEMF_populate_on_demand  (1 << 16)
#define XENMEMF_exact_node_request  (1 << 17) /* only from that node */
#define XENMEMF_vnode		    (1 << 18) /* node is a virtual node */

/* Allocate from node n only. */
#define XENMEMF_exact_node(n) (XENMEMF_node(n) | XENMEMF_exact_node_request)

struct xen_memory_reservation {
	/*
	 * IN: frames to free (decrease) or to fill (populate);
	 * OUT: frames allocated (increase, populate).
	 */
	XEN_GUEST_HANDLE(xen_pfn_t) extent_start;
	xen_ulong_t nr_extents; /* IN */
	uint32_t extent_order;	/* IN: log2 pages per extent */
	uint32_t mem_flags;	/* IN: XENMEMF_* */
	domid_t domid;		/* IN */
	uint16_t _pad0[3];
};
_Static_assert(sizeof(struct xen_memory_reservation) == 32,
	       "xen_memory_reservation");
typedef struct xen_memory_reservation xen_memory_reservation_t;
DEFINE_XEN_GUEST_HANDLE(xen_memory_reservation_t);

/*
 * PV guests only, for themselves: trade the frames of in for new ones
 * (e.g. below 4 GiB) in one step. arg is xen_memory_exchange.
 */
#define XENMEM_exchange 11

struct xen_memory_exchange {
	struct xen_memory_reservation in;  /* IN */
	struct xen_memory_reservation out; /* IN/OUT */
	xen_ulong_t nr_exchanged; /* IN: must be 0; OUT: extents done */
};
_Static_assert(sizeof(struct xen_memory_exchange) == 72, "xen_memory_exchange");
typedef struct xen_memory_exchange xen_memory_exchange_t;
DEFINE_XEN_GUEST_HANDLE(xen_memory_exchange_t);

/* Any guest: returns the highest machine frame of RAM. arg is NULL. */
#define XENMEM_maximum_ram_page 2

/* Argument of the queries below that take just a domain. */
struct xen_memory_domain {
	domid_t domid; /* IN */
};
_Static_assert(sizeof(struct xen_memory_domain) == 2, "xen_memory_domain");

/*
 * Return a domain's current or maximum number of pages. Any guest for
 * itself, dom0 for any. arg is xen_memory_domain.
 */
#define XENMEM_current_reservation 3
#define XENMEM_maximum_reservation 4

/* Return a domain's highest used frame. arg is xen_memory_domain. */
#define XENMEM_maximum_gpfn 14

/*
 * PV guests: write the frames holding the machine-to-physical table.
 * arg is xen_machphys_mfn_list.
 */
#define XENMEM_machphys_mfn_list 5

struct xen_machphys_mfn_list {
	uint32_t max_extents; /* IN: room in extent_start */
	uint32_t _pad0;
	XEN_GUEST_HANDLE(xen_pfn_t) extent_start; /* OUT: 2 MiB extents */
	uint32_t nr_extents;			  /* OUT */
	uint32_t _pad1;
};
_Static_assert(sizeof(struct xen_machphys_mfn_list) == 24,
	       "xen_machphys_mfn_list");
typedef struct xen_machphys_mfn_list xen_machphys_mfn_list_t;
DEFINE_XEN_GUEST_HANDLE(xen_machphys_mfn_list_t);

/* PV guests: as machphys_mfn_list, for the 32-bit compat table. */
#define XENMEM_machphys_compat_mfn_list 25

/*
 * PV guests: where the machine-to-physical table is mapped.
 * arg is xen_machphys_mapping.
 */
#define XENMEM_machphys_mapping 12

struct xen_machphys_mapping {
	xen_ulong_t v_start; /* OUT: first virtual address */
	xen_ulong_t v_end;   /* OUT: end virtual address */
	xen_ulong_t max_mfn; /* OUT: highest frame it covers */
};
_Static_assert(sizeof(struct xen_machphys_mapping) == 24,
	       "xen_machphys_mapping");
typedef struct xen_machphys_mapping xen_machphys_mapping_t;
DEFINE_XEN_GUEST_HANDLE(xen_machphys_mapping_t);

/* What XENMEM_add_to_physmap{,_batch} maps. */
#define XENMAPSPACE_shared_info	 0 /* the shared info page */
#define XENMAPSPACE_grant_table	 1 /* a grant-table frame */
#define XENMAPSPACE_gmfn	 2 /* another of the domain's frames */
#define XENMAPSPACE_gmfn_range	 3 /* a range of them (add_to_physmap only) */
#define XENMAPSPACE_gmfn_foreign 4 /* another domain's frame (batch only) */
#define XENMAPSPACE_dev_mmio	 5 /* device MMIO (Arm only) */

/* idx flag for XENMAPSPACE_grant_table: a v2 status frame. */
#define XENMAPIDX_grant_table_status 0x80000000U

/*
 * Place a hypervisor page (shared info, grant-table frame) or move one of
 * the domain's frames to gpfn. Any translated (HVM/PVH) guest for itself;
 * dom0 for any. arg is xen_add_to_physmap.
 */
#define XENMEM_add_to_physmap 7

struct xen_add_to_physmap {
	domid_t domid;	 /* IN */
	uint16_t size;	 /* IN: pages, XENMAPSPACE_gmfn_range only */
	uint32_t space;	 /* IN: XENMAPSPACE_* */
	xen_ulong_t idx; /* IN: index in that space */
	xen_pfn_t gpfn;	 /* IN: where it appears */
};
_Static_assert(sizeof(struct xen_add_to_physmap) == 24, "xen_add_to_physmap");
typedef struct xen_add_to_physmap xen_add_to_physmap_t;
DEFINE_XEN_GUEST_HANDLE(xen_add_to_physmap_t);

/*
 * Many add_to_physmap calls in one; per-entry errors land in errs. Used by
 * dom0 to map another domain's frames (XENMAPSPACE_gmfn_foreign).
 * arg is xen_add_to_physmap_batch.
 */
#define XENMEM_add_to_physmap_batch 23

struct xen_add_to_physmap_batch {
	domid_t domid;	/* IN */
	uint16_t space; /* IN: XENMAPSPACE_* */
	uint16_t size;	/* IN: entries */
	union xen_add_to_physmap_batch_extra {
		domid_t foreign_domid;	    /* XENMAPSPACE_gmfn_foreign */
		uint16_t res0;		    /* other spaces: 0 */
	} u;				    /* IN */
	XEN_GUEST_HANDLE(xen_ulong_t) idxs; /* IN */
	XEN_GUEST_HANDLE(xen_pfn_t) gpfns;  /* IN */
	XEN_GUEST_HANDLE(int) errs;	    /* OUT: one error per entry */
};
_Static_assert(sizeof(struct xen_add_to_physmap_batch) == 32,
	       "xen_add_to_physmap_batch");
typedef struct xen_add_to_physmap_batch xen_add_to_physmap_batch_t;
DEFINE_XEN_GUEST_HANDLE(xen_add_to_physmap_batch_t);

/*
 * Unmap whatever is at gpfn. Any translated guest for itself; dom0 for
 * any. arg is xen_remove_from_physmap.
 */
#define XENMEM_remove_from_physmap 15

struct xen_remove_from_physmap {
	domid_t domid; /* IN */
	uint16_t _pad0[3];
	xen_pfn_t gpfn; /* IN */
};
_Static_assert(sizeof(struct xen_remove_from_physmap) == 16,
	       "xen_remove_from_physmap");
typedef struct xen_remove_from_physmap xen_remove_from_physmap_t;
DEFINE_XEN_GUEST_HANDLE(xen_remove_from_physmap_t);

/*
 * Any guest, for itself: write the domain's e820-style memory map (as set
 * by the toolstack). arg is xen_memory_map.
 */
#define XENMEM_memory_map 9

/* Privileged (dom0) only: write the host's memory map. arg is
 * xen_memory_map. */
#define XENMEM_machine_memory_map 10

struct xen_memory_map {
	uint32_t nr_entries; /* IN: room in buffer; OUT: entries written */
	uint32_t _pad0;
	XEN_GUEST_HANDLE(void) buffer; /* OUT: e820 entries (20 bytes each) */
};
_Static_assert(sizeof(struct xen_memory_map) == 16, "xen_memory_map");
typedef struct xen_memory_map xen_memory_map_t;
DEFINE_XEN_GUEST_HANDLE(xen_memory_map_t);

/* Privileged (dom0) only: set a domain's memory map. arg is
 * xen_foreign_memory_map. */
#define XENMEM_set_memory_map 13

struct xen_foreign_memory_map {
	domid_t domid; /* IN */
	uint16_t _pad0[3];
	struct xen_memory_map map; /* IN */
};
_Static_assert(sizeof(struct xen_foreign_memory_map) == 24,
	       "xen_foreign_memory_map");
typedef struct xen_foreign_memory_map xen_foreign_memory_map_t;
DEFINE_XEN_GUEST_HANDLE(xen_foreign_memory_map_t);

/*
 * Privileged (dom0) only: set or read a domain's populate-on-demand
 * target. arg is xen_pod_target.
 */
#define XENMEM_set_pod_target 16
#define XENMEM_get_pod_target 17

struct xen_pod_target {
	uint64_t target_pages;	  /* IN */
	uint64_t tot_pages;	  /* OUT */
	uint64_t pod_cache_pages; /* OUT */
	uint64_t pod_entries;	  /* OUT */
	domid_t domid;		  /* IN */
	uint16_t _pad0[3];
};
_Static_assert(sizeof(struct xen_pod_target) == 40, "xen_pod_target");
typedef struct xen_pod_target xen_pod_target_t;

/*
 * Toolstack-only ops (page sharing, paging, access control, claims,
 * reserved device memory). pvhv does not implement them; the numbers are
 * here so they can be refused by name.
 */
#define XENMEM_get_sharing_freed_pages	  18
#define XENMEM_get_sharing_shared_pages	  19
#define XENMEM_paging_op		  20
#define XENMEM_access_op		  21
#define XENMEM_sharing_op		  22
#define XENMEM_claim_pages		  24
#define XENMEM_reserved_device_memory_map 27

/*
 * Privileged (dom0) only: map a resource of another domain (ioreq server
 * pages, grant-table frames, trace buffers) into the caller's physmap.
 * nr_frames 0 with a null frame_list asks for the resource's size.
 * arg is xen_mem_acquire_resource.
 */
#define XENMEM_acquire_resource 28

struct xen_mem_acquire_resource {
	domid_t domid;	    /* IN: owner of the resource */
	uint16_t type;	    /* IN: XENMEM_resource_* */
	uint32_t id;	    /* IN: type-specific id */
	uint32_t nr_frames; /* IN/OUT: frames to map, or the size */
	uint32_t pad;	    /* IN: must be zero */
	uint64_t frame;	    /* IN: first frame of the resource */
	XEN_GUEST_HANDLE(xen_pfn_t) frame_list; /* IN/OUT: where to map */
};
_Static_assert(sizeof(struct xen_mem_acquire_resource) == 32,
	       "xen_mem_acquire_resource");
typedef struct xen_mem_acquire_resource xen_mem_acquire_resource_t;
DEFINE_XEN_GUEST_HANDLE(xen_mem_acquire_resource_t);

#define XENMEM_resource_ioreq_server 0
#define XENMEM_resource_grant_table  1
#define XENMEM_resource_vmtrace_buf  2

/* ids for XENMEM_resource_grant_table */
#define XENMEM_resource_grant_table_id_shared 0
#define XENMEM_resource_grant_table_id_status 1

/* frames of XENMEM_resource_ioreq_server */
#define XENMEM_resource_ioreq_server_frame_bufioreq 0
#define XENMEM_resource_ioreq_server_frame_ioreq(n) (1 + (n))

/*
 * Any guest, for itself: write its virtual NUMA layout. Counts that are
 * too small come back corrected. arg is xen_vnuma_topology_info.
 */
#define XENMEM_get_vnumainfo 26

struct xen_vmemrange {
	uint64_t start; /* OUT */
	uint64_t end;	/* OUT */
	uint32_t flags; /* OUT */
	uint32_t nid;	/* OUT: virtual node */
};
_Static_assert(sizeof(struct xen_vmemrange) == 24, "xen_vmemrange");
typedef struct xen_vmemrange xen_vmemrange_t;
DEFINE_XEN_GUEST_HANDLE(xen_vmemrange_t);

struct xen_vnuma_topology_info {
	domid_t domid; /* IN */
	uint16_t pad;
	uint32_t nr_vnodes;	/* IN/OUT */
	uint32_t nr_vcpus;	/* IN/OUT */
	uint32_t nr_vmemranges; /* IN/OUT */
	union {
		XEN_GUEST_HANDLE(uint) h;
		uint64_t pad;
	} vdistance; /* OUT: nr_vnodes^2 distances */
	union {
		XEN_GUEST_HANDLE(uint) h;
		uint64_t pad;
	} vcpu_to_vnode; /* OUT: node of each vCPU */
	union {
		XEN_GUEST_HANDLE(xen_vmemrange_t) h;
		uint64_t pad;
	} vmemrange; /* OUT */
};
_Static_assert(sizeof(struct xen_vnuma_topology_info) == 40,
	       "xen_vnuma_topology_info");
typedef struct xen_vnuma_topology_info xen_vnuma_topology_info_t;
DEFINE_XEN_GUEST_HANDLE(xen_vnuma_topology_info_t);

#endif
