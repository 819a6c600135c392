/*
 * Test hostile: a burst of random hypercall numbers and arguments
 * (random, small, pointers to random bytes, special values). The guest
 * must survive and pvhv must answer every one with an error or a result.
 * Calls that would legitimately stop or overwrite this guest are steered
 * away: shutdown/block/poll, console writes (garbage in the test log),
 * setting the shutdown code, and multicall and grant-table op lists
 * outside scratch (a result is written back into every entry).
 */
#include <pvabi/sched.h>
#include <pvabi/vcpu.h>

#include "../pvmini.h"
#include "tests.h"

#define T "hostile"

/* Pointers go into the first 4 KiB; the rest absorbs the largest write a
 * hypercall makes through one pointer (XENVER_capabilities, 1 KiB). */
#define SCRATCH_PTR_SPAN 4096
static uint8_t scratch[SCRATCH_PTR_SPAN + 2048] __attribute__((aligned(4096)));

static unsigned long random_arg(void)
{
	static const unsigned long special[] = {
	    0,	       ~0ul,   0xffff800000000000ul, 0x7ff0, 0x7fff,
	    1ul << 63, 0x1000, 0xfffffffful,
	};
	uint64_t r = rand64();

	switch (r & 3) {
	case 0:
		return rand64();
	case 1:
		return (r >> 8) % 64;
	case 2:
		return (uintptr_t)scratch + (r >> 8) % SCRATCH_PTR_SPAN;
	default:
		return special[(r >> 8) % ARRAY_SIZE(special)];
	}
}

static bool too_dangerous(unsigned int nr, unsigned long cmd)
{
	switch (nr) {
	case __HYPERVISOR_sched_op:
		return cmd == SCHEDOP_block || cmd == SCHEDOP_shutdown ||
		       cmd == SCHEDOP_poll || cmd == SCHEDOP_shutdown_code;
	case __HYPERVISOR_console_io:
		return cmd == CONSOLEIO_write;
	default:
		return false;
	}
}

void test_hostile(void)
{
	char buf[24];
	unsigned long n = 3000, done = 0, errors = 0;
	uint64_t seed;
	bool trace;

	if (cmdline_opt("hostile_n", buf, sizeof(buf))[0]) {
		n = 0;
		for (const char *p = buf; *p >= '0' && *p <= '9'; p++)
			n = n * 10 + (unsigned long)(*p - '0');
	}
	trace = cmdline_opt("hostile_trace", buf, sizeof(buf))[0] == '1';
	seed = xen_now() | 1;
	if (cmdline_opt("hostile_seed", buf, sizeof(buf))[0]) {
		seed = 0;
		for (const char *p = buf; *p >= '0' && *p <= '9'; p++)
			seed = seed * 10 + (uint64_t)(*p - '0');
	}
	printf("pvmini: hostile seed %lu\n", seed);
	srand64(seed);
	while (done < n) {
		unsigned int nr = (rand64() & 1) ? (unsigned int)(rand64() % 48)
						 : (unsigned int)rand64();
		unsigned long a[5];
		long rc;

		for (int i = 0; i < 5; i++)
			a[i] = random_arg();
		for (int i = 0; i < 64; i++)
			scratch[rand64() % SCRATCH_PTR_SPAN] =
			    (uint8_t)rand64();
		if (nr >= 64 || too_dangerous(nr, a[0]))
			nr = (unsigned int)rand64() | 64;
		if (nr == __HYPERVISOR_multicall) {
			/* pvhv writes each entry's result back into the list,
			 * as Xen does: keep the list inside scratch. */
			a[0] = (uintptr_t)scratch + (a[0] & 0x3f8);
			a[1] %= 8;
		}
		if (nr == __HYPERVISOR_grant_table_op) {
			/* Same for the status of each batched op. */
			a[1] = (uintptr_t)scratch + (a[1] & 0x3f8);
			a[2] %= 8;
		}
		if (trace)
			printf("hc %lu: %u(%lx, %lx, %lx, %lx, %lx)\n", done,
			       nr, a[0], a[1], a[2], a[3], a[4]);
		rc = hypercall_raw(nr, a[0], a[1], a[2], a[3], a[4]);
		errors += rc < 0;
		done++;
	}
	/* Undo what random calls may have set up. */
	HYPERCALL3(__HYPERVISOR_vcpu_op, VCPUOP_stop_periodic_timer, 0, 0);
	HYPERCALL3(__HYPERVISOR_vcpu_op, VCPUOP_stop_singleshot_timer, 0, 0);
	if (HYPERCALL2(__HYPERVISOR_xen_version, 0, 0) != ((4 << 16) | 17))
		return test_fail(T, "hypercalls broken after the burst");
	printf("pvmini: %lu random hypercalls, %lu errors\n", done, errors);
	test_pass(T);
}
