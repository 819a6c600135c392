/*
 * __HYPERVISOR_xen_version(cmd, arg): version, build and feature queries.
 * Any guest may call every sub-op for itself. All return 0 on success
 * except XENVER_version, XENVER_pagesize and XENVER_build_id, which return
 * their value. Mirrors Xen's public/version.h.
 */
#ifndef PVABI_VERSION_H
#define PVABI_VERSION_H

#include <stdint.h>

#include "xen.h"
#include "features.h"

/* Returns (major << 16) | minor; arg is NULL. */
#define XENVER_version 0

/* Writes the version suffix ("-pvhv", ...); arg is xen_extraversion_t. */
#define XENVER_extraversion 1
typedef char xen_extraversion_t[16];
#define XEN_EXTRAVERSION_LEN 16

/* Writes who built the hypervisor, and when; arg is xen_compile_info. */
#define XENVER_compile_info 2
struct xen_compile_info {
	char compiler[64];	 /* OUT */
	char compile_by[16];	 /* OUT */
	char compile_domain[32]; /* OUT */
	char compile_date[32];	 /* OUT */
};
_Static_assert(sizeof(struct xen_compile_info) == 144, "xen_compile_info");
typedef struct xen_compile_info xen_compile_info_t;

/* Writes the guest types the host runs ("xen-3.0-x86_64 hvm-3.0-x86_64"). */
#define XENVER_capabilities 3
typedef char xen_capabilities_info_t[1024];
#define XEN_CAPABILITIES_INFO_LEN 1024

/* Writes the source revision the hypervisor was built from. */
#define XENVER_changeset 4
typedef char xen_changeset_info_t[64];
#define XEN_CHANGESET_INFO_LEN 64

/* Writes where the hypervisor's virtual area starts (PV guests). */
#define XENVER_platform_parameters 5
struct xen_platform_parameters {
	xen_ulong_t virt_start; /* OUT */
};
_Static_assert(sizeof(struct xen_platform_parameters) == 8,
	       "xen_platform_parameters");
typedef struct xen_platform_parameters xen_platform_parameters_t;

/* Returns 32 XENFEAT_* bits; arg is xen_feature_info. */
#define XENVER_get_features 6
struct xen_feature_info {
	uint32_t submap_idx; /* IN: which group of 32 features */
	uint32_t submap;     /* OUT: their bits */
};
_Static_assert(sizeof(struct xen_feature_info) == 8, "xen_feature_info");
typedef struct xen_feature_info xen_feature_info_t;

/* Returns the page size (4096); arg is NULL. */
#define XENVER_pagesize 7

/* Writes the domain's handle (UUID) set by the toolstack. */
#define XENVER_guest_handle 8

/* Writes the hypervisor command line; arg is xen_commandline_t. */
#define XENVER_commandline 9
typedef char xen_commandline_t[1024];

/*
 * Writes the build id and returns its length; with len 0 only returns the
 * length. arg is xen_build_id.
 */
#define XENVER_build_id 10
struct xen_build_id {
	uint32_t len;			 /* IN: size of buf */
	uint8_t buf[XEN_FLEX_ARRAY_DIM]; /* OUT */
};
_Static_assert(sizeof(struct xen_build_id) == 4, "xen_build_id");
typedef struct xen_build_id xen_build_id_t;

#endif
