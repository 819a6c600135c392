/*
 * __HYPERVISOR_sched_op(cmd, arg): yield, block, poll, shut down.
 * Mirrors Xen's public/sched.h.
 */
#ifndef PVABI_SCHED_H
#define PVABI_SCHED_H

#include <stdint.h>

#include "xen.h"
#include "event_channel.h"

/* Any guest, for itself: give up the CPU. arg is NULL. */
#define SCHEDOP_yield 0

/*
 * Any guest, for itself: sleep until an event is pending. Unmasks event
 * delivery atomically, so no wakeup is lost. arg is NULL.
 */
#define SCHEDOP_block 1

/*
 * Any guest, for itself: stop all vCPUs and report the reason to the
 * toolstack. arg is sched_shutdown. With SHUTDOWN_suspend it returns 1 if
 * the suspend was cancelled and 0 when resumed in a new domain.
 */
#define SCHEDOP_shutdown 2

/*
 * Any guest, for itself: block until one of the ports is pending or the
 * timeout passes. arg is sched_poll.
 */
#define SCHEDOP_poll 3

/* Privileged (dom0) only: shut down another domain. arg is
 * sched_remote_shutdown. */
#define SCHEDOP_remote_shutdown 4

/*
 * Any guest, for itself: record the reason a later shutdown will report,
 * without shutting down. arg is sched_shutdown.
 */
#define SCHEDOP_shutdown_code 5

/*
 * Any guest, for itself: create (id 0; returns the new id), pet (timeout
 * != 0) or delete (timeout 0) a watchdog that shuts the domain down with
 * SHUTDOWN_watchdog when it expires. arg is sched_watchdog.
 */
#define SCHEDOP_watchdog 6

/*
 * Hardware domain only: pin the calling vCPU to one physical CPU, or undo
 * that (pcpu < 0). arg is sched_pin_override.
 */
#define SCHEDOP_pin_override 7

struct sched_shutdown {
	uint32_t reason; /* IN: SHUTDOWN_* */
};
_Static_assert(sizeof(struct sched_shutdown) == 4, "sched_shutdown");
typedef struct sched_shutdown sched_shutdown_t;
DEFINE_XEN_GUEST_HANDLE(sched_shutdown_t);

struct sched_poll {
	XEN_GUEST_HANDLE(evtchn_port_t) ports; /* IN: array of ports */
	uint32_t nr_ports;		       /* IN */
	uint32_t _pad0;
	uint64_t timeout; /* IN: absolute system time (ns), 0 for none */
};
_Static_assert(sizeof(struct sched_poll) == 24, "sched_poll");
typedef struct sched_poll sched_poll_t;
DEFINE_XEN_GUEST_HANDLE(sched_poll_t);

struct sched_remote_shutdown {
	domid_t domain_id; /* IN */
	uint16_t _pad0;
	uint32_t reason; /* IN: SHUTDOWN_* */
};
_Static_assert(sizeof(struct sched_remote_shutdown) == 8,
	       "sched_remote_shutdown");
typedef struct sched_remote_shutdown sched_remote_shutdown_t;
DEFINE_XEN_GUEST_HANDLE(sched_remote_shutdown_t);

struct sched_watchdog {
	uint32_t id;	  /* IN: 0 to create, else the id to pet/delete */
	uint32_t timeout; /* IN: seconds, 0 to delete */
};
_Static_assert(sizeof(struct sched_watchdog) == 8, "sched_watchdog");
typedef struct sched_watchdog sched_watchdog_t;
DEFINE_XEN_GUEST_HANDLE(sched_watchdog_t);

struct sched_pin_override {
	int32_t pcpu; /* IN: physical CPU, or < 0 to undo */
};
_Static_assert(sizeof(struct sched_pin_override) == 4, "sched_pin_override");
typedef struct sched_pin_override sched_pin_override_t;
DEFINE_XEN_GUEST_HANDLE(sched_pin_override_t);

/* Shutdown reasons, passed on to the toolstack. */
#define SHUTDOWN_poweroff   0 /* clean exit: destroy the domain */
#define SHUTDOWN_reboot	    1 /* destroy and start again */
#define SHUTDOWN_suspend    2 /* save state, then destroy */
#define SHUTDOWN_crash	    3 /* the guest crashed */
#define SHUTDOWN_watchdog   4 /* the watchdog expired */
#define SHUTDOWN_soft_reset 5 /* reset hypervisor state, keep memory */
#define SHUTDOWN_MAX	    5

#endif
