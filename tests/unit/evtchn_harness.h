/*
 * Test domains for the event-channel state machine (xen-core/evtchn):
 * plain buffers for shared_info and vcpu_info, hooks that count what
 * they are asked to do, a lookup table for evtchn_lookup, a checker of the
 * invariants Xen's state machine keeps, and a decoder that turns bytes
 * into checked operations. Shared by tests/unit/test_evtchn.c and
 * tests/fuzz/fuzz_evtchn.c (the code is tests/unit/test_evtchn-extra.c).
 */
#ifndef PVHV_TESTS_EVTCHN_HARNESS_H
#define PVHV_TESTS_EVTCHN_HARNESS_H

#include <pvhv/evtchn.h>

#define TD_MAX_VCPUS 4
#define TD_MAX_DOMS  4

struct tdom {
	struct evtchn_domain ev;
	struct shared_info *si; /* NULL: a dom0 table (port_signal) */
	struct vcpu_info vi[TD_MAX_VCPUS];
	/* What the hooks saw; updated atomically (stress test). */
	uint32_t upcalls[TD_MAX_VCPUS];
	uint32_t acked[TD_MAX_VCPUS]; /* upcalls td_guest_ack() consumed */
	uint32_t upcall_bad;	      /* upcall with upcall_pending clear */
	uint32_t polls;
	uint32_t signals;
	evtchn_port_t last_signal;
};

/* Builds a table (registered for evtchn_lookup); 0 or -XEN_E*. */
int td_init(struct tdom *t, uint16_t domid, uint32_t max_ports,
	    uint32_t nr_vcpus, bool dom0);
/* Unregisters, runs evtchn_fini and frees the buffers. */
void td_fini(struct tdom *t);
void td_register(struct tdom *t);
void td_unregister(struct tdom *t);

bool td_pending(const struct tdom *t, evtchn_port_t port);
bool td_masked(const struct tdom *t, evtchn_port_t port);
void td_set_mask(struct tdom *t, evtchn_port_t port, bool on);
/* What a guest's upcall handler does on `vcpu`: clear upcall_pending,
 * take the selector, clear the unmasked pending bits of those words. */
void td_guest_ack(struct tdom *t, uint32_t vcpu);
/* Clears every pending/selector bit and hook counter. */
void td_clear_events(struct tdom *t);

/* Checks the invariants over the given tables; NULL if they hold, or a
 * description of the first violation (static buffer). */
const char *td_check(struct tdom *const *t, int n);

/* One operation from TD_OP_BYTES bytes on table a or b (b may be a's
 * peer or a dom0 table), checked against a model of Xen's semantics:
 * result code, effect, and no side effect on error. NULL if all held. */
#define TD_OP_BYTES 6
const char *td_step(struct tdom *a, struct tdom *b,
		    const uint8_t op[TD_OP_BYTES]);
/* The same operations without checks (for concurrent use); returns the
 * op's result, which must be 0 or a -XEN_E* the op may return. */
int td_op(struct tdom *a, struct tdom *b, const uint8_t op[TD_OP_BYTES]);

#endif
