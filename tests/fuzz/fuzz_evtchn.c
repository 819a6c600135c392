// fuzz-sources: xen-core/evtchn/evtchn.c
// fuzz-helpers: tests/unit/test_evtchn-extra.c
/*
 * libFuzzer target for the event-channel state machine: the input is a
 * sequence of operations on two tables (two guests, or a guest and a dom0
 * table), each checked against Xen's semantics by the model in
 * tests/unit/test_evtchn-extra.c, with the invariants (interdomain peers
 * point back at each other, the VIRQ table matches the VIRQ ports, 2-level
 * delivery bits are consistent) checked after every step.
 *
 * Input: 3 bytes of configuration (ports of each table, vCPUs, dom0),
 * then TD_OP_BYTES per operation. tests/fuzz/run.sh builds and runs it.
 */
#include <stdio.h>
#include <stdlib.h>

#include "evtchn_harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t ports(uint8_t x)
{
	return x == 0xff ? EVTCHN_2L_NR_PORTS : 1 + x % 200u;
}

static void check(const char *why)
{
	if (why) {
		fprintf(stderr, "evtchn: %s\n", why);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tdom a, b;
	struct tdom *bp = &b;
	bool dom0;

	if (size < 3)
		return 0;
	dom0 = data[2] & 0x10;
	if (td_init(&a, 1, ports(data[0]), 1 + (data[2] & 3), false) ||
	    td_init(&b, dom0 ? 0 : 2, ports(data[1]), 1 + (data[2] >> 2 & 3),
		    dom0))
		abort();
	for (size_t i = 3; i + TD_OP_BYTES <= size; i += TD_OP_BYTES)
		check(td_step(&a, &b, data + i));
	/* A table going away leaves the other one consistent on its own. */
	td_fini(&a);
	check(td_check(&bp, 1));
	td_fini(&b);
	return 0;
}
