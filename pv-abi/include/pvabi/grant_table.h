/*
 * Grant tables: a domain lists, in frames it shares with the hypervisor,
 * which of its pages another domain may map or copy; the grantee names a
 * page by (granting domain, grant reference). __HYPERVISOR_grant_table_op
 * (cmd, args, count) works on an array of count arguments.
 * Mirrors Xen's public/grant_table.h.
 *
 * Where an argument has a domid for the table's owner, an unprivileged
 * guest may only name itself (DOMID_SELF); dom0 may name any domain.
 */
#ifndef PVABI_GRANT_TABLE_H
#define PVABI_GRANT_TABLE_H

#include <stdint.h>

#include "xen.h"

/* Index of an entry in a domain's grant table. */
typedef uint32_t grant_ref_t;

/*
 * Version 1 entry. The granting guest writes domid and frame, then (after
 * a write barrier) flags. To revoke an unused grant it compares-and-swaps
 * flags to 0 while GTF_reading/GTF_writing are clear.
 */
struct grant_entry_v1 {
	uint16_t flags; /* GTF_*: type set by the guest, status by Xen */
	domid_t domid;	/* domain the grant is for */
	uint32_t frame; /* frame to access, or (transfer) to fill */
};
_Static_assert(sizeof(struct grant_entry_v1) == 8, "grant_entry_v1");
typedef struct grant_entry_v1 grant_entry_v1_t;

/* The first entries survive a version switch; tools may fill them. */
#define GNTTAB_NR_RESERVED_ENTRIES 8
#define GNTTAB_RESERVED_CONSOLE	   0
#define GNTTAB_RESERVED_XENSTORE   1

/* Entry type (flags & GTF_type_mask). */
#define GTF_invalid	    (0U << 0) /* grants nothing */
#define GTF_permit_access   (1U << 0) /* domid may map/copy frame */
#define GTF_accept_transfer (2U << 0) /* domid may give us a page */
#define GTF_transitive	    (3U << 0) /* v2: re-grant another grant */
#define GTF_type_mask	    (3U << 0)

/* Flags of GTF_permit_access and GTF_transitive entries. */
#define _GTF_readonly 2
#define GTF_readonly  (1U << _GTF_readonly) /* guest: read-only access */
#define _GTF_reading  3
#define GTF_reading   (1U << _GTF_reading) /* Xen: mapped for reading */
#define _GTF_writing  4
#define GTF_writing   (1U << _GTF_writing) /* Xen: mapped for writing */
#define _GTF_PWT      5
#define GTF_PWT	      (1U << _GTF_PWT) /* x86 cache attributes of mappings */
#define _GTF_PCD      6
#define GTF_PCD	      (1U << _GTF_PCD)
#define _GTF_PAT      7
#define GTF_PAT	      (1U << _GTF_PAT)
#define _GTF_sub_page 8
#define GTF_sub_page  (1U << _GTF_sub_page) /* v2: part of a page, copy only */

/* Flags of GTF_accept_transfer entries, set by Xen. */
#define _GTF_transfer_committed 2
#define GTF_transfer_committed	(1U << _GTF_transfer_committed)
#define _GTF_transfer_completed 3
#define GTF_transfer_completed	(1U << _GTF_transfer_completed)

/* Version 2 entries: same header as v1, 16 bytes, status kept apart. */
struct grant_entry_header {
	uint16_t flags;
	domid_t domid;
};
_Static_assert(sizeof(struct grant_entry_header) == 4, "grant_entry_header");
typedef struct grant_entry_header grant_entry_header_t;

union grant_entry_v2 {
	grant_entry_header_t hdr;
	struct {
		grant_entry_header_t hdr;
		uint32_t pad0;
		uint64_t frame;
	} full_page; /* whole-page access or transfer */
	struct {
		grant_entry_header_t hdr;
		uint16_t page_off;
		uint16_t length;
		uint64_t frame;
	} sub_page; /* GTF_sub_page: bytes [page_off, page_off + length) */
	struct {
		grant_entry_header_t hdr;
		domid_t trans_domid;
		uint16_t pad0;
		grant_ref_t gref;
	} transitive; /* GTF_transitive: gref of trans_domid */
	uint32_t __spacer[4];
};
_Static_assert(sizeof(union grant_entry_v2) == 16, "grant_entry_v2");
typedef union grant_entry_v2 grant_entry_v2_t;

/* Version 2 status word (GTF_reading/GTF_writing), one per entry. */
typedef uint16_t grant_status_t;

#define GNTTABOP_map_grant_ref	   0
#define GNTTABOP_unmap_grant_ref   1
#define GNTTABOP_setup_table	   2
#define GNTTABOP_dump_table	   3
#define GNTTABOP_transfer	   4
#define GNTTABOP_copy		   5
#define GNTTABOP_query_size	   6
#define GNTTABOP_unmap_and_replace 7
#define GNTTABOP_set_version	   8
#define GNTTABOP_get_status_frames 9
#define GNTTABOP_get_version	   10
#define GNTTABOP_swap_grant_ref	   11
#define GNTTABOP_cache_flush	   12

/* Tracks one mapping made by GNTTABOP_map_grant_ref. */
typedef uint32_t grant_handle_t;

/*
 * GNTTABOP_map_grant_ref: any guest: map (dom, ref) at host_addr (and/or
 * for device DMA). status is a GNTST_* code; unmap later with handle.
 */
struct gnttab_map_grant_ref {
	uint64_t host_addr;    /* IN: guest address (or PTE) to map at */
	uint32_t flags;	       /* IN: GNTMAP_* */
	grant_ref_t ref;       /* IN */
	domid_t dom;	       /* IN: granting domain */
	int16_t status;	       /* OUT: GNTST_* */
	grant_handle_t handle; /* OUT */
	uint64_t dev_bus_addr; /* OUT: bus address, GNTMAP_device_map */
};
_Static_assert(sizeof(struct gnttab_map_grant_ref) == 32,
	       "gnttab_map_grant_ref");
typedef struct gnttab_map_grant_ref gnttab_map_grant_ref_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_map_grant_ref_t);

/*
 * GNTTABOP_unmap_grant_ref: any guest: undo a mapping made with handle
 * (host_addr or dev_bus_addr 0 means "not that part").
 */
struct gnttab_unmap_grant_ref {
	uint64_t host_addr;    /* IN */
	uint64_t dev_bus_addr; /* IN */
	grant_handle_t handle; /* IN */
	int16_t status;	       /* OUT: GNTST_* */
	uint16_t _pad0;
};
_Static_assert(sizeof(struct gnttab_unmap_grant_ref) == 24,
	       "gnttab_unmap_grant_ref");
typedef struct gnttab_unmap_grant_ref gnttab_unmap_grant_ref_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_unmap_grant_ref_t);

/*
 * GNTTABOP_setup_table: grow dom's table to at least nr_frames frames and
 * write their frame numbers. Any guest for itself; dom0 for any dom.
 */
struct gnttab_setup_table {
	domid_t dom; /* IN */
	uint16_t _pad0;
	uint32_t nr_frames; /* IN */
	int16_t status;	    /* OUT: GNTST_* */
	uint16_t _pad1[3];
	XEN_GUEST_HANDLE(xen_pfn_t) frame_list; /* OUT */
};
_Static_assert(sizeof(struct gnttab_setup_table) == 24, "gnttab_setup_table");
typedef struct gnttab_setup_table gnttab_setup_table_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_setup_table_t);

/*
 * GNTTABOP_dump_table: print dom's table on the hypervisor console
 * (debugging). Any guest for itself; dom0 for any dom.
 */
struct gnttab_dump_table {
	domid_t dom;	/* IN */
	int16_t status; /* OUT: GNTST_* */
};
_Static_assert(sizeof(struct gnttab_dump_table) == 4, "gnttab_dump_table");
typedef struct gnttab_dump_table gnttab_dump_table_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_dump_table_t);

/*
 * GNTTABOP_transfer: PV guests only: give page mfn to domid, which offered
 * an accept_transfer grant ref. The page is gone even on failure, except
 * with GNTST_bad_page.
 */
struct gnttab_transfer {
	xen_pfn_t mfn; /* IN */
	domid_t domid; /* IN */
	uint16_t _pad0;
	grant_ref_t ref; /* IN */
	int16_t status;	 /* OUT: GNTST_* */
	uint16_t _pad1[3];
};
_Static_assert(sizeof(struct gnttab_transfer) == 24, "gnttab_transfer");
typedef struct gnttab_transfer gnttab_transfer_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_transfer_t);

/*
 * GNTTABOP_copy: any guest: the hypervisor copies len bytes between two
 * frames, each named by a local frame or a (domid, grant ref); neither
 * side may cross a page boundary.
 */
#define _GNTCOPY_source_gref 0
#define GNTCOPY_source_gref  (1 << _GNTCOPY_source_gref)
#define _GNTCOPY_dest_gref   1
#define GNTCOPY_dest_gref    (1 << _GNTCOPY_dest_gref)

struct gnttab_copy {
	struct gnttab_copy_ptr {
		union {
			grant_ref_t ref; /* GNTCOPY_*_gref set */
			xen_pfn_t gmfn;	 /* else: caller's own frame */
		} u;
		domid_t domid;
		uint16_t offset;
		uint32_t _pad0;
	} source, dest; /* IN */
	uint16_t len;	/* IN */
	uint16_t flags; /* IN: GNTCOPY_* */
	int16_t status; /* OUT: GNTST_* */
	uint16_t _pad0;
};
_Static_assert(sizeof(struct gnttab_copy_ptr) == 16, "gnttab_copy_ptr");
_Static_assert(sizeof(struct gnttab_copy) == 40, "gnttab_copy");
typedef struct gnttab_copy gnttab_copy_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_copy_t);

/*
 * GNTTABOP_query_size: current and maximum frames of dom's table. Any
 * guest for itself; dom0 for any dom.
 */
struct gnttab_query_size {
	domid_t dom; /* IN */
	uint16_t _pad0;
	uint32_t nr_frames;	/* OUT */
	uint32_t max_nr_frames; /* OUT */
	int16_t status;		/* OUT: GNTST_* */
	uint16_t _pad1;
};
_Static_assert(sizeof(struct gnttab_query_size) == 16, "gnttab_query_size");
typedef struct gnttab_query_size gnttab_query_size_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_query_size_t);

/*
 * GNTTABOP_unmap_and_replace: PV guests: unmap handle at host_addr and put
 * the mapping found at new_addr there instead (new_addr is cleared).
 */
struct gnttab_unmap_and_replace {
	uint64_t host_addr;    /* IN */
	uint64_t new_addr;     /* IN */
	grant_handle_t handle; /* IN */
	int16_t status;	       /* OUT: GNTST_* */
	uint16_t _pad0;
};
_Static_assert(sizeof(struct gnttab_unmap_and_replace) == 24,
	       "gnttab_unmap_and_replace");
typedef struct gnttab_unmap_and_replace gnttab_unmap_and_replace_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_unmap_and_replace_t);

/*
 * GNTTABOP_set_version: any guest, for itself, while it has no active
 * grants: use table version 1 or 2. Returns the version in use.
 */
struct gnttab_set_version {
	uint32_t version; /* IN/OUT */
};
_Static_assert(sizeof(struct gnttab_set_version) == 4, "gnttab_set_version");
typedef struct gnttab_set_version gnttab_set_version_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_set_version_t);

/*
 * GNTTABOP_get_status_frames: write the frames of dom's v2 status array.
 * Any guest for itself; dom0 for any dom.
 */
struct gnttab_get_status_frames {
	uint32_t nr_frames;		       /* IN: room in frame_list */
	domid_t dom;			       /* IN */
	int16_t status;			       /* OUT: GNTST_* */
	XEN_GUEST_HANDLE(uint64_t) frame_list; /* OUT */
};
_Static_assert(sizeof(struct gnttab_get_status_frames) == 16,
	       "gnttab_get_status_frames");
typedef struct gnttab_get_status_frames gnttab_get_status_frames_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_get_status_frames_t);

/*
 * GNTTABOP_get_version: dom's table version. Any guest for itself; dom0
 * for any dom.
 */
struct gnttab_get_version {
	domid_t dom; /* IN */
	uint16_t pad;
	uint32_t version; /* OUT */
};
_Static_assert(sizeof(struct gnttab_get_version) == 8, "gnttab_get_version");
typedef struct gnttab_get_version gnttab_get_version_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_get_version_t);

/* GNTTABOP_swap_grant_ref: any guest, own v2 table: swap two entries. */
struct gnttab_swap_grant_ref {
	grant_ref_t ref_a; /* IN */
	grant_ref_t ref_b; /* IN */
	int16_t status;	   /* OUT: GNTST_* */
	uint16_t _pad0;
};
_Static_assert(sizeof(struct gnttab_swap_grant_ref) == 12,
	       "gnttab_swap_grant_ref");
typedef struct gnttab_swap_grant_ref gnttab_swap_grant_ref_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_swap_grant_ref_t);

/*
 * GNTTABOP_cache_flush: any guest: clean and/or invalidate the data cache
 * for part of a page granted to it (mainly Arm).
 */
struct gnttab_cache_flush {
	union {
		uint64_t dev_bus_addr;
		grant_ref_t ref; /* with GNTTAB_CACHE_SOURCE_GREF */
	} a;			 /* IN */
	uint16_t offset;	 /* IN: from the start of the grant */
	uint16_t length;	 /* IN */
	uint32_t op;		 /* IN: GNTTAB_CACHE_* */
};
_Static_assert(sizeof(struct gnttab_cache_flush) == 16, "gnttab_cache_flush");
typedef struct gnttab_cache_flush gnttab_cache_flush_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_cache_flush_t);

#define GNTTAB_CACHE_CLEAN	 (1u << 0)
#define GNTTAB_CACHE_INVAL	 (1u << 1)
#define GNTTAB_CACHE_SOURCE_GREF (1u << 31)

/* gnttab_map_grant_ref.flags */
#define _GNTMAP_device_map	0
#define GNTMAP_device_map	(1 << _GNTMAP_device_map) /* for DMA */
#define _GNTMAP_host_map	1
#define GNTMAP_host_map		(1 << _GNTMAP_host_map) /* for the CPU */
#define _GNTMAP_readonly	2
#define GNTMAP_readonly		(1 << _GNTMAP_readonly)
#define _GNTMAP_application_map 3
#define GNTMAP_application_map	(1 << _GNTMAP_application_map) /* user too */
#define _GNTMAP_contains_pte	4
#define GNTMAP_contains_pte                                                    \
	(1 << _GNTMAP_contains_pte) /* PV: host_addr is a PTE */
/* Bits copied into the PTE's software bits (XENFEAT_gnttab_map_avail_bits). */
#define _GNTMAP_guest_avail0	16
#define GNTMAP_guest_avail_mask ((uint32_t)~0 << _GNTMAP_guest_avail0)

/* Status codes of grant-table ops; all errors are negative. */
#define GNTST_okay		(0)
#define GNTST_general_error	(-1)
#define GNTST_bad_domain	(-2)
#define GNTST_bad_gntref	(-3)
#define GNTST_bad_handle	(-4)
#define GNTST_bad_virt_addr	(-5)
#define GNTST_bad_dev_addr	(-6)
#define GNTST_no_device_space	(-7)
#define GNTST_permission_denied (-8)
#define GNTST_bad_page		(-9)
#define GNTST_bad_copy_arg	(-10)
#define GNTST_address_too_big	(-11)
#define GNTST_eagain		(-12)
#define GNTST_no_space		(-13)

/* Initialiser of a string table indexed by -GNTST_*; Xen's wording. */
#define GNTTABOP_error_msgs                                                    \
	{                                                                      \
		"okay", "undefined error", "unrecognised domain id",           \
		    "invalid grant reference", "invalid mapping handle",       \
		    "invalid virtual address", "invalid device address",       \
		    "no spare translation slot in the I/O MMU",                \
		    "permission denied", "bad page",                           \
		    "copy arguments cross page boundary",                      \
		    "page address size too large",                             \
		    "operation not done; try again", "out of space",           \
	}

#endif
