/*
 * __HYPERVISOR_event_channel_op(cmd, arg): event channels, the virtual
 * interrupts between domains, from VIRQs and between a domain's vCPUs.
 * A port is a small integer, local to its domain. Mirrors Xen's
 * public/event_channel.h, including the 2-level and FIFO delivery ABIs.
 *
 * Where an argument has a domid, an unprivileged guest may only name
 * itself (DOMID_SELF); privileged (dom0) callers may name any domain.
 */
#ifndef PVABI_EVENT_CHANNEL_H
#define PVABI_EVENT_CHANNEL_H

#include <stdint.h>

#include "xen.h"

#define EVTCHNOP_bind_interdomain 0
#define EVTCHNOP_bind_virq	  1
#define EVTCHNOP_bind_pirq	  2
#define EVTCHNOP_close		  3
#define EVTCHNOP_send		  4
#define EVTCHNOP_status		  5
#define EVTCHNOP_alloc_unbound	  6
#define EVTCHNOP_bind_ipi	  7
#define EVTCHNOP_bind_vcpu	  8
#define EVTCHNOP_unmask		  9
#define EVTCHNOP_reset		  10
#define EVTCHNOP_init_control	  11
#define EVTCHNOP_expand_array	  12
#define EVTCHNOP_set_priority	  13

typedef uint32_t evtchn_port_t;
DEFINE_XEN_GUEST_HANDLE(evtchn_port_t);

/*
 * EVTCHNOP_alloc_unbound: allocate a port in dom that remote_dom may bind
 * to later. Any guest for itself; dom0 for any dom.
 */
struct evtchn_alloc_unbound {
	domid_t dom;	    /* IN */
	domid_t remote_dom; /* IN: may be DOMID_SELF */
	evtchn_port_t port; /* OUT */
};
_Static_assert(sizeof(struct evtchn_alloc_unbound) == 8,
	       "evtchn_alloc_unbound");
typedef struct evtchn_alloc_unbound evtchn_alloc_unbound_t;

/*
 * EVTCHNOP_bind_interdomain: any guest, for itself: connect a new local
 * port to remote_dom's unbound port that accepts us. The local port
 * starts pending, in case the peer signalled before we bound.
 */
struct evtchn_bind_interdomain {
	domid_t remote_dom; /* IN: may be DOMID_SELF */
	uint16_t _pad0;
	evtchn_port_t remote_port; /* IN */
	evtchn_port_t local_port;  /* OUT */
};
_Static_assert(sizeof(struct evtchn_bind_interdomain) == 12,
	       "evtchn_bind_interdomain");
typedef struct evtchn_bind_interdomain evtchn_bind_interdomain_t;

/*
 * EVTCHNOP_bind_virq: any guest, for itself: bind a new port to a VIRQ on
 * a vCPU. Global VIRQs must be bound on vCPU 0 (then may be moved with
 * bind_vcpu); a per-vCPU VIRQ once per vCPU, for good.
 */
struct evtchn_bind_virq {
	uint32_t virq;	    /* IN: VIRQ_* */
	uint32_t vcpu;	    /* IN */
	evtchn_port_t port; /* OUT */
};
_Static_assert(sizeof(struct evtchn_bind_virq) == 12, "evtchn_bind_virq");
typedef struct evtchn_bind_virq evtchn_bind_virq_t;

/*
 * EVTCHNOP_bind_pirq: a guest with access to a physical IRQ binds a new
 * port to it (one port per IRQ per domain).
 */
struct evtchn_bind_pirq {
	uint32_t pirq;	    /* IN */
	uint32_t flags;	    /* IN: BIND_PIRQ__* */
	evtchn_port_t port; /* OUT */
};
_Static_assert(sizeof(struct evtchn_bind_pirq) == 12, "evtchn_bind_pirq");
typedef struct evtchn_bind_pirq evtchn_bind_pirq_t;

#define BIND_PIRQ__WILL_SHARE 1

/*
 * EVTCHNOP_bind_ipi: any guest, for itself: a new port that notifies the
 * given vCPU (an inter-processor interrupt).
 */
struct evtchn_bind_ipi {
	uint32_t vcpu;	    /* IN */
	evtchn_port_t port; /* OUT */
};
_Static_assert(sizeof(struct evtchn_bind_ipi) == 8, "evtchn_bind_ipi");
typedef struct evtchn_bind_ipi evtchn_bind_ipi_t;

/*
 * EVTCHNOP_close: any guest, for itself: free a port. An interdomain
 * peer's end goes back to unbound.
 */
struct evtchn_close {
	evtchn_port_t port; /* IN */
};
_Static_assert(sizeof(struct evtchn_close) == 4, "evtchn_close");
typedef struct evtchn_close evtchn_close_t;

/* EVTCHNOP_send: any guest, for itself: notify the other end of a port. */
struct evtchn_send {
	evtchn_port_t port; /* IN */
};
_Static_assert(sizeof(struct evtchn_send) == 4, "evtchn_send");
typedef struct evtchn_send evtchn_send_t;

/*
 * EVTCHNOP_status: describe port in dom. Any guest for itself; dom0 for
 * any dom.
 */
struct evtchn_status {
	domid_t dom; /* IN */
	uint16_t _pad0;
	evtchn_port_t port; /* IN */
	uint32_t status;    /* OUT: EVTCHNSTAT_* */
	uint32_t vcpu;	    /* OUT: vCPU notified */
	union {
		struct {
			domid_t dom;
		} unbound; /* EVTCHNSTAT_unbound: who may bind */
		struct {
			domid_t dom;
			uint16_t _pad0;
			evtchn_port_t port;
		} interdomain; /* EVTCHNSTAT_interdomain: the peer */
		uint32_t pirq; /* EVTCHNSTAT_pirq */
		uint32_t virq; /* EVTCHNSTAT_virq */
	} u;		       /* OUT */
};
_Static_assert(sizeof(struct evtchn_status) == 24, "evtchn_status");
typedef struct evtchn_status evtchn_status_t;

#define EVTCHNSTAT_closed      0 /* not in use */
#define EVTCHNSTAT_unbound     1 /* waiting for a peer to bind */
#define EVTCHNSTAT_interdomain 2 /* connected to a peer port */
#define EVTCHNSTAT_pirq	       3 /* bound to a physical IRQ */
#define EVTCHNSTAT_virq	       4 /* bound to a VIRQ */
#define EVTCHNSTAT_ipi	       5 /* bound to a vCPU (IPI) */

/*
 * EVTCHNOP_bind_vcpu: any guest, for itself: choose which vCPU a port
 * notifies. Not for IPI and per-vCPU VIRQ ports; others default to vCPU 0.
 */
struct evtchn_bind_vcpu {
	evtchn_port_t port; /* IN */
	uint32_t vcpu;	    /* IN */
};
_Static_assert(sizeof(struct evtchn_bind_vcpu) == 8, "evtchn_bind_vcpu");
typedef struct evtchn_bind_vcpu evtchn_bind_vcpu_t;

/*
 * EVTCHNOP_unmask: any guest, for itself: unmask a port and raise an
 * upcall if it is pending.
 */
struct evtchn_unmask {
	evtchn_port_t port; /* IN */
};
_Static_assert(sizeof(struct evtchn_unmask) == 4, "evtchn_unmask");
typedef struct evtchn_unmask evtchn_unmask_t;

/*
 * EVTCHNOP_reset: close all of dom's ports (and, for DOMID_SELF, go back
 * from FIFO to the 2-level ABI). Any guest for itself; dom0 for any dom.
 */
struct evtchn_reset {
	domid_t dom; /* IN */
};
_Static_assert(sizeof(struct evtchn_reset) == 2, "evtchn_reset");
typedef struct evtchn_reset evtchn_reset_t;

/*
 * EVTCHNOP_init_control: any guest, for itself: switch to the FIFO ABI by
 * registering a vCPU's control block. Call before binding ports: events
 * pending at the switch are lost.
 */
struct evtchn_init_control {
	uint64_t control_gfn; /* IN: frame holding the control block */
	uint32_t offset;      /* IN: its offset in the frame */
	uint32_t vcpu;	      /* IN */
	uint8_t link_bits;    /* OUT: EVTCHN_FIFO_LINK_BITS */
	uint8_t _pad[7];
};
_Static_assert(sizeof(struct evtchn_init_control) == 24, "evtchn_init_control");
typedef struct evtchn_init_control evtchn_init_control_t;

/*
 * EVTCHNOP_expand_array: any guest using FIFO, for itself: add one page of
 * event words.
 */
struct evtchn_expand_array {
	uint64_t array_gfn; /* IN */
};
_Static_assert(sizeof(struct evtchn_expand_array) == 8, "evtchn_expand_array");
typedef struct evtchn_expand_array evtchn_expand_array_t;

/*
 * EVTCHNOP_set_priority: any guest using FIFO, for itself: set a port's
 * queue (EVTCHN_FIFO_PRIORITY_*).
 */
struct evtchn_set_priority {
	evtchn_port_t port; /* IN */
	uint32_t priority;  /* IN */
};
_Static_assert(sizeof(struct evtchn_set_priority) == 8, "evtchn_set_priority");
typedef struct evtchn_set_priority evtchn_set_priority_t;

/* Argument of the old __HYPERVISOR_event_channel_op_compat(op). */
struct evtchn_op {
	uint32_t cmd; /* IN: EVTCHNOP_* */
	union {
		evtchn_alloc_unbound_t alloc_unbound;
		evtchn_bind_interdomain_t bind_interdomain;
		evtchn_bind_virq_t bind_virq;
		evtchn_bind_pirq_t bind_pirq;
		evtchn_bind_ipi_t bind_ipi;
		evtchn_close_t close;
		evtchn_send_t send;
		evtchn_status_t status;
		evtchn_bind_vcpu_t bind_vcpu;
		evtchn_unmask_t unmask;
	} u; /* IN/OUT */
};
_Static_assert(sizeof(struct evtchn_op) == 28, "evtchn_op");
typedef struct evtchn_op evtchn_op_t;
DEFINE_XEN_GUEST_HANDLE(evtchn_op_t);

/*
 * 2-level ABI: shared_info.evtchn_pending/evtchn_mask, 64 words of 64
 * bits, and a 64-bit selector per vCPU.
 */
#define EVTCHN_2L_NR_CHANNELS (64 * 64)

/*
 * FIFO ABI: one 32-bit event word per port in guest pages (added with
 * EVTCHNOP_expand_array), and per vCPU a control block with the head of
 * one queue per priority.
 */
#define EVTCHN_FIFO_PRIORITY_MAX     0 /* highest */
#define EVTCHN_FIFO_PRIORITY_DEFAULT 7
#define EVTCHN_FIFO_PRIORITY_MIN     15 /* lowest */
#define EVTCHN_FIFO_MAX_QUEUES	     (EVTCHN_FIFO_PRIORITY_MIN + 1)

typedef uint32_t event_word_t;

/* Bits of an event word; the low LINK_BITS hold the next port in queue. */
#define EVTCHN_FIFO_PENDING 31
#define EVTCHN_FIFO_MASKED  30
#define EVTCHN_FIFO_LINKED  29
#define EVTCHN_FIFO_BUSY    28

#define EVTCHN_FIFO_LINK_BITS	17
#define EVTCHN_FIFO_LINK_MASK	((1 << EVTCHN_FIFO_LINK_BITS) - 1)
#define EVTCHN_FIFO_NR_CHANNELS (1 << EVTCHN_FIFO_LINK_BITS)

struct evtchn_fifo_control_block {
	uint32_t ready; /* bit per queue with events */
	uint32_t _rsvd;
	uint32_t head[EVTCHN_FIFO_MAX_QUEUES]; /* first port per queue */
};
_Static_assert(sizeof(struct evtchn_fifo_control_block) == 72,
	       "evtchn_fifo_control_block");
typedef struct evtchn_fifo_control_block evtchn_fifo_control_block_t;

#endif
