/*
 * __HYPERVISOR_vcpu_op(cmd, vcpuid, arg): start, stop and query vCPUs,
 * their timers and the shared areas the hypervisor writes for them.
 * Unless noted, any guest may call each op on its own vCPUs.
 * Mirrors Xen's public/vcpu.h.
 */
#ifndef PVABI_VCPU_H
#define PVABI_VCPU_H

#include <stdint.h>

#include "xen.h"

/*
 * Give a vCPU its initial register state, once; it stays down until
 * VCPUOP_up. arg is vcpu_hvm_context (hvm/hvm_vcpu.h) for HVM/PVH guests.
 */
#define VCPUOP_initialise 0

/* Make an initialised vCPU runnable. arg is NULL. */
#define VCPUOP_up 1

/*
 * Make a vCPU non-runnable. Asynchronous unless a vCPU downs itself.
 * arg is NULL.
 */
#define VCPUOP_down 2

/* Returns 1 if the vCPU is up, 0 if not. arg is NULL. */
#define VCPUOP_is_up 3

/* Write the vCPU's runstate. arg is vcpu_runstate_info. */
#define VCPUOP_get_runstate_info 4

struct vcpu_runstate_info {
	int32_t state; /* OUT: RUNSTATE_* */
	uint32_t _pad0;
	uint64_t state_entry_time; /* OUT: system time (ns) state began */
	uint64_t time[4];	   /* OUT: ns spent in each RUNSTATE_* */
};
_Static_assert(sizeof(struct vcpu_runstate_info) == 48, "vcpu_runstate_info");
typedef struct vcpu_runstate_info vcpu_runstate_info_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_runstate_info_t);

/*
 * Set in state_entry_time while the hypervisor updates a registered
 * runstate area (only if VMASST_TYPE_runstate_update_flag is on).
 */
#define XEN_RUNSTATE_UPDATE (1ULL << 63)

#define RUNSTATE_running  0 /* running on a physical CPU */
#define RUNSTATE_runnable 1 /* ready, waiting for a physical CPU */
#define RUNSTATE_blocked  2 /* waiting for an event */
#define RUNSTATE_offline  3 /* neither: down, paused, ... */

/*
 * Ask the hypervisor to keep a copy of the vCPU's runstate at a guest
 * address, refreshed whenever the vCPU is scheduled. One per vCPU.
 * arg is vcpu_register_runstate_memory_area.
 */
#define VCPUOP_register_runstate_memory_area 5

struct vcpu_register_runstate_memory_area {
	union {
		XEN_GUEST_HANDLE(vcpu_runstate_info_t) h;
		uint64_t v; /* guest virtual address */
		uint64_t p;
	} addr; /* IN */
};
_Static_assert(sizeof(struct vcpu_register_runstate_memory_area) == 8,
	       "vcpu_register_runstate_memory_area");
typedef struct vcpu_register_runstate_memory_area
    vcpu_register_runstate_memory_area_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_register_runstate_memory_area_t);

/*
 * Start (arg vcpu_set_periodic_timer) or stop (arg NULL) the vCPU's
 * periodic timer, which raises VIRQ_TIMER.
 */
#define VCPUOP_set_periodic_timer  6
#define VCPUOP_stop_periodic_timer 7

struct vcpu_set_periodic_timer {
	uint64_t period_ns; /* IN */
};
_Static_assert(sizeof(struct vcpu_set_periodic_timer) == 8,
	       "vcpu_set_periodic_timer");
typedef struct vcpu_set_periodic_timer vcpu_set_periodic_timer_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_set_periodic_timer_t);

/*
 * Arm (arg vcpu_set_singleshot_timer) or disarm (arg NULL) the vCPU's
 * one-shot timer, which raises VIRQ_TIMER.
 */
#define VCPUOP_set_singleshot_timer  8
#define VCPUOP_stop_singleshot_timer 9

struct vcpu_set_singleshot_timer {
	uint64_t timeout_abs_ns; /* IN: absolute system time */
	uint32_t flags;		 /* IN: VCPU_SSHOTTMR_* */
	uint32_t _pad0;
};
_Static_assert(sizeof(struct vcpu_set_singleshot_timer) == 16,
	       "vcpu_set_singleshot_timer");
typedef struct vcpu_set_singleshot_timer vcpu_set_singleshot_timer_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_set_singleshot_timer_t);

/* Fail with -XEN_ETIME if the timeout is already past (may be ignored). */
#define _VCPU_SSHOTTMR_future 0
#define VCPU_SSHOTTMR_future  (1U << _VCPU_SSHOTTMR_future)

/*
 * Move the vCPU's vcpu_info to a guest frame + offset (it must not cross
 * a page). Once per vCPU. arg is vcpu_register_vcpu_info.
 */
#define VCPUOP_register_vcpu_info 10

struct vcpu_register_vcpu_info {
	uint64_t mfn;	 /* IN: guest frame */
	uint32_t offset; /* IN: byte offset in that frame */
	uint32_t rsvd;	 /* IN: must be zero */
};
_Static_assert(sizeof(struct vcpu_register_vcpu_info) == 16,
	       "vcpu_register_vcpu_info");
typedef struct vcpu_register_vcpu_info vcpu_register_vcpu_info_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_register_vcpu_info_t);

/* Inject an NMI into the vCPU. arg is NULL. */
#define VCPUOP_send_nmi 11

/*
 * Privileged (dom0) only, for pinned vCPUs: write the physical CPU's ids
 * (x86: APIC id in bits 31:0, ACPI id in 63:32). arg is vcpu_get_physid.
 */
#define VCPUOP_get_physid 12

struct vcpu_get_physid {
	uint64_t phys_id; /* OUT */
};
_Static_assert(sizeof(struct vcpu_get_physid) == 8, "vcpu_get_physid");
typedef struct vcpu_get_physid vcpu_get_physid_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_get_physid_t);

#define xen_vcpu_physid_to_x86_apicid(physid) ((uint32_t)(physid))
#define xen_vcpu_physid_to_x86_acpiid(physid) ((uint32_t)((physid) >> 32))

/*
 * Ask the hypervisor to keep a second copy of the vCPU's vcpu_time_info
 * at a guest address (e.g. for a user-space clock), updated with the
 * first. arg is vcpu_register_time_memory_area.
 */
#define VCPUOP_register_vcpu_time_memory_area 13

DEFINE_XEN_GUEST_HANDLE(vcpu_time_info_t);

struct vcpu_register_time_memory_area {
	union {
		XEN_GUEST_HANDLE(vcpu_time_info_t) h;
		uint64_t v; /* guest virtual address */
		uint64_t p;
	} addr; /* IN */
};
_Static_assert(sizeof(struct vcpu_register_time_memory_area) == 8,
	       "vcpu_register_time_memory_area");
typedef struct vcpu_register_time_memory_area vcpu_register_time_memory_area_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_register_time_memory_area_t);

#endif
