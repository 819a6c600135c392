/*
 * Event channels, 2-level ABI: port state machine and delivery into the
 * guest's shared_info / vcpu_info, with Xen's semantics and error codes.
 *
 * This is pure logic: it touches guest memory only through the pointers
 * the owner's hooks return, and asks the owner to wake vCPUs. The domain
 * code plugs in real guests; dom0 (the host) plugs in per-port eventfds;
 * unit tests plug in plain buffers.
 *
 * Locking: each table has a mutex. Operations on two tables lock them in
 * domid order. Pending/mask/selector bits are guest memory and are always
 * changed with atomic operations (the guest changes them too).
 */
#ifndef PVHV_EVTCHN_H
#define PVHV_EVTCHN_H

#include <pthread.h>

#include <pvabi/event_channel.h>
#include <pvabi/xen.h>
#include <pvhv/types.h>

/* 2-level ABI: 64 words of 64 bits. */
#define EVTCHN_2L_NR_PORTS 4096u

enum evtchn_state {
	ECS_FREE,
	ECS_RESERVED, /* port 0 */
	ECS_UNBOUND,
	ECS_INTERDOMAIN,
	ECS_VIRQ,
	ECS_IPI,
};

struct evtchn {
	uint8_t state;
	uint8_t _pad;
	uint16_t notify_vcpu;
	uint16_t remote_dom; /* UNBOUND: who may bind; INTERDOMAIN: peer */
	uint16_t virq;
	evtchn_port_t remote_port;
};

struct evtchn_domain;

struct evtchn_hooks {
	/* Current shared_info / vcpu_info of a guest (never NULL). NULL
	 * shared_info hook: the table belongs to dom0 and port_signal is
	 * used instead of the 2-level bits. */
	struct shared_info *(*shared_info)(struct evtchn_domain *ev);
	struct vcpu_info *(*vcpu_info)(struct evtchn_domain *ev, uint32_t vcpu);
	/* evtchn_upcall_pending went 0 -> 1 on this vCPU. */
	void (*upcall)(struct evtchn_domain *ev, uint32_t vcpu);
	/* A port became pending: wake vCPUs in SCHEDOP_poll. */
	void (*poll_wake)(struct evtchn_domain *ev, evtchn_port_t port);
	/* dom0 tables: a port was signalled. */
	void (*port_signal)(struct evtchn_domain *ev, evtchn_port_t port);
};

struct evtchn_domain {
	pthread_mutex_t lock;
	uint16_t domid;
	uint32_t max_ports; /* ports [0, max_ports) may be allocated */
	uint32_t nr_vcpus;
	struct evtchn *port; /* [max_ports] */
	uint16_t virq_port[PV_MAX_VCPUS][NR_VIRQS];
	const struct evtchn_hooks *hooks;
	void *owner;
};

/* Finds another domain's table for interdomain operations (set by the
 * domain module; the result stays valid while domains_lock is held). */
extern struct evtchn_domain *(*evtchn_lookup)(uint16_t domid);

int evtchn_init(struct evtchn_domain *ev, uint16_t domid, uint32_t max_ports,
		uint32_t nr_vcpus, const struct evtchn_hooks *hooks,
		void *owner);
/* Closes every port (peers see their ends become unbound) and frees. */
void evtchn_fini(struct evtchn_domain *ev);

/* The ops, as Xen defines them; return 0 or -XEN_E*. `rev` is the remote
 * table (already looked up by the caller, who checked permissions). */
int evtchn_alloc_unbound(struct evtchn_domain *ev, uint16_t remote_dom,
			 evtchn_port_t *port);
int evtchn_bind_interdomain(struct evtchn_domain *ev, struct evtchn_domain *rev,
			    evtchn_port_t rport, evtchn_port_t *lport);
int evtchn_bind_virq(struct evtchn_domain *ev, uint32_t virq, uint32_t vcpu,
		     evtchn_port_t *port);
int evtchn_bind_ipi(struct evtchn_domain *ev, uint32_t vcpu,
		    evtchn_port_t *port);
int evtchn_close(struct evtchn_domain *ev, evtchn_port_t port);
int evtchn_send(struct evtchn_domain *ev, evtchn_port_t port);
int evtchn_status(struct evtchn_domain *ev, evtchn_port_t port,
		  struct evtchn_status *st);
int evtchn_bind_vcpu(struct evtchn_domain *ev, evtchn_port_t port,
		     uint32_t vcpu);
int evtchn_unmask(struct evtchn_domain *ev, evtchn_port_t port);
int evtchn_reset(struct evtchn_domain *ev);
int evtchn_set_priority(struct evtchn_domain *ev, evtchn_port_t port,
			uint32_t priority);

/* Raises a VIRQ on a vCPU (global VIRQs: vCPU 0); no-op when unbound.
 * Returns true if a port was bound. */
bool evtchn_send_virq(struct evtchn_domain *ev, uint32_t vcpu, uint32_t virq);
/* Is the port's pending bit set (SCHEDOP_poll)? */
bool evtchn_is_pending(struct evtchn_domain *ev, evtchn_port_t port);
/* After a vcpu_info moved: make the guest rescan (Xen does the same). */
void evtchn_vcpu_info_moved(struct evtchn_domain *ev, uint32_t vcpu);
/* Number of ports in use (not FREE/RESERVED). */
uint32_t evtchn_ports_in_use(struct evtchn_domain *ev);

bool virq_is_global(uint32_t virq);

#endif
