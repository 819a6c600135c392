/*
 * Unit tests for the small pure pieces of pvhv: pvclock scaling
 * (time/pvclock.c), the console history (sched/console.c), the CPUID
 * policy (kvm/cpuid.c), control-message framing (util/msg.c), the JSON
 * helpers (util/json.c) and logging with rate limits (util/log.c).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <pvabi/arch-x86/cpuid.h>
#include <pvabi/xen.h>
#include <pvhv/console.h>
#include <pvhv/cpuid.h>
#include <pvhv/json.h>
#include <pvhv/log.h>
#include <pvhv/msg.h>
#include <pvhv/pvclock.h>

#include "unit.h"

/* ------------------------------------------------------------ pvclock */

/* |got - want| <= 1 ppm of want */
static bool within_ppm(uint64_t got, uint64_t want)
{
	uint64_t diff = got > want ? got - want : want - got;

	return diff <= want / 1000000;
}

static void test_pvclock_scale_for(void)
{
	static const uint32_t khz[] = {
	    1000,    1001,    1843,    10000,	 32768,	  100000,  999999,
	    1000000, 1000001, 1193182, 1500000,	 1999999, 2000000, 2000001,
	    2400000, 2893312, 3000000, 3600000,	 3999999, 4000000, 4000001,
	    5000000, 7777777, 9999999, 10000000,
	};

	for (size_t i = 0; i < ARRAY_SIZE(khz); i++) {
		uint64_t hz = (uint64_t)khz[i] * 1000, ns;
		uint32_t mul;
		int8_t shift;

		pvclock_scale_for(khz[i], &mul, &shift);
		/* The fraction is in [1/2, 1): the shift did the rest. */
		CU_ASSERT(mul >= 0x80000000u);
		ns = pvclock_scale(hz, mul, shift);
		if (!within_ppm(ns, 1000000000ull))
			fprintf(stderr, "\n%u kHz: 1 s of ticks = %llu ns\n",
				khz[i], (unsigned long long)ns);
		CU_ASSERT(within_ppm(ns, 1000000000ull));
		/* An hour too (no overflow, same precision). */
		ns = pvclock_scale(hz * 3600, mul, shift);
		CU_ASSERT(within_ppm(ns, 3600000000000ull));
		/* Shift direction: up below 1 GHz, down above 2 GHz. */
		if (hz <= 1000000000ull)
			CU_ASSERT(shift > 0);
		if (hz > 2000000000ull)
			CU_ASSERT(shift < 0);
		if (hz > 1000000000ull && hz <= 2000000000ull)
			CU_ASSERT_EQUAL(shift, 0);
	}
}

static void test_pvclock_scale_exact(void)
{
	uint32_t mul;
	int8_t shift;

	/* 1 GHz: one tick is one nanosecond, exactly. */
	pvclock_scale_for(1000000, &mul, &shift);
	CU_ASSERT_EQUAL(mul, 0x80000000u);
	CU_ASSERT_EQUAL(shift, 1);
	CU_ASSERT_EQUAL(pvclock_scale(123456789, mul, shift), 123456789);
	/* 2 GHz: two ticks per nanosecond. */
	pvclock_scale_for(2000000, &mul, &shift);
	CU_ASSERT_EQUAL(pvclock_scale(2000000000ull, mul, shift), 1000000000);
	/* Negative shifts drop low bits before multiplying (Xen's
	 * scale_delta), positive ones add them. */
	CU_ASSERT_EQUAL(pvclock_scale(7, 0x80000000u, -1), 1);
	CU_ASSERT_EQUAL(pvclock_scale(7, 0x80000000u, 2), 14);
	CU_ASSERT_EQUAL(pvclock_scale(1ull << 40, 0xffffffffu, -8),
			((1ull << 32) - 1));
	CU_ASSERT_EQUAL(pvclock_scale(0, 0xffffffffu, 5), 0);
	/* No frequency: treated as 1 GHz rather than dividing by zero. */
	pvclock_scale_for(0, &mul, &shift);
	CU_ASSERT_EQUAL(pvclock_scale(1000, mul, shift), 1000);
	/* Ten years at 10 GHz does not overflow. */
	pvclock_scale_for(10000000, &mul, &shift);
	CU_ASSERT(within_ppm(pvclock_scale(3153600000000000000ull, mul, shift),
			     315360000000000000ull));
}

static void test_pvclock_monotonic(void)
{
	static const uint32_t khz[] = {1000, 999999, 1000001, 2893312,
				       10000000};
	uint64_t s = 0x12345678abcdefull;

	for (size_t i = 0; i < ARRAY_SIZE(khz); i++) {
		uint64_t d = 0, prev = 0;
		uint32_t mul;
		int8_t shift;

		pvclock_scale_for(khz[i], &mul, &shift);
		for (int n = 0; n < 100000; n++) {
			uint64_t ns;

			s ^= s << 13;
			s ^= s >> 7;
			s ^= s << 17;
			d += s % 5000; /* steps of 0 .. 5000 ticks */
			ns = pvclock_scale(d, mul, shift);
			if (ns < prev) {
				fprintf(stderr,
					"\n%u kHz: %llu ticks -> %llu ns "
					"< %llu\n",
					khz[i], (unsigned long long)d,
					(unsigned long long)ns,
					(unsigned long long)prev);
				CU_FAIL("not monotonic");
				break;
			}
			prev = ns;
		}
	}
}

static void test_pvclock_publish(void)
{
	struct vcpu_time_info t;
	struct pvclock c;
	uint64_t a, b;

	memset(&t, 0xff, sizeof(t));
	t.version = 5; /* odd: the guest saw an update in progress */
	pvclock_init(&c, 1000, 2000000);
	pvclock_publish(&c, &t);
	CU_ASSERT_EQUAL(t.version % 2, 0);
	CU_ASSERT(t.version > 5);
	CU_ASSERT_EQUAL(t.tsc_timestamp, c.tsc0);
	CU_ASSERT_EQUAL(t.system_time, 0);
	CU_ASSERT_EQUAL(t.tsc_to_system_mul, c.mul);
	CU_ASSERT_EQUAL(t.tsc_shift, c.shift);
	CU_ASSERT_EQUAL(t.flags, XEN_PVCLOCK_TSC_STABLE_BIT);
	a = t.version;
	pvclock_publish(&c, &t);
	CU_ASSERT_EQUAL(t.version, a + 2);
	a = pvclock_now(&c);
	b = pvclock_now(&c);
	CU_ASSERT(b >= a);
	CU_ASSERT_EQUAL(pvclock_to_mono(&c, 5), c.mono0 + 5);
}

/* ------------------------------------------------------------ console */

/* Stream byte at offset o: differs from the byte 64 KiB earlier. */
static uint8_t pat(uint64_t o)
{
	return (uint8_t)(o ^ (o >> 16));
}

static void fill(uint8_t *buf, uint64_t off, size_t len)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = pat(off + i);
}

/* Bytes read from stream offsets [end - n, end) are the right ones. */
static bool check_stream(const uint8_t *buf, uint64_t end, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (buf[i] != pat(end - n + i))
			return false;
	return true;
}

static void test_console_basic(void)
{
	struct console c;
	uint8_t out[16];
	uint64_t off = 0, lost = 99;

	CU_ASSERT_FATAL(console_init(&c) == 0);
	CU_ASSERT_EQUAL(console_read(&c, &off, out, sizeof(out), &lost), 0);
	CU_ASSERT_EQUAL(lost, 0);
	console_write(&c, "", 0);
	CU_ASSERT_EQUAL(c.first_write_ns, 0);
	console_write(&c, "hello", 5);
	CU_ASSERT(c.first_write_ns != 0);
	CU_ASSERT_EQUAL(console_head(&c), 5);
	CU_ASSERT_EQUAL(console_read(&c, &off, out, 2, &lost), 2);
	CU_ASSERT_EQUAL(memcmp(out, "he", 2), 0);
	CU_ASSERT_EQUAL(off, 2);
	CU_ASSERT_EQUAL(console_read(&c, &off, out, sizeof(out), &lost), 3);
	CU_ASSERT_EQUAL(memcmp(out, "llo", 3), 0);
	CU_ASSERT_EQUAL(off, 5);
	CU_ASSERT_EQUAL(console_read(&c, &off, out, sizeof(out), &lost), 0);
	/* An offset from the future is pulled back to the head. */
	off = 1000;
	CU_ASSERT_EQUAL(console_read(&c, &off, out, sizeof(out), &lost), 0);
	CU_ASSERT_EQUAL(off, 5);
	/* Several followers each at their own offset. */
	off = 1;
	CU_ASSERT_EQUAL(console_read(&c, &off, out, sizeof(out), &lost), 4);
	CU_ASSERT_EQUAL(memcmp(out, "ello", 4), 0);
	console_fini(&c);
	console_fini(&c);
}

static void test_console_wrap(void)
{
	const size_t total = 3 * CONSOLE_HISTORY + 12345;
	uint8_t *in = malloc(total), *out = malloc(CONSOLE_HISTORY + 10);
	uint64_t off = 0, off2 = 100, off3, lost, first;
	struct console c;
	size_t n;

	CU_ASSERT_FATAL(in && out && console_init(&c) == 0);
	fill(in, 0, total);
	/* Odd-sized pieces, so writes straddle the ring's end. */
	for (size_t at = 0; at < total;) {
		size_t k = MIN(total - at, 999);

		console_write(&c, in + at, k);
		at += k;
		if (at >= 30000 && off == 0) { /* a reader keeping up */
			n = console_read(&c, &off, out, CONSOLE_HISTORY, &lost);
			CU_ASSERT_EQUAL(n, at);
			CU_ASSERT_EQUAL(lost, 0);
			CU_ASSERT(check_stream(out, off, n));
		}
	}
	CU_ASSERT_EQUAL(console_head(&c), total);
	/* Fallen behind: told how much was lost, then the whole history. */
	first = off;
	n = console_read(&c, &off, out, CONSOLE_HISTORY + 10, &lost);
	CU_ASSERT_EQUAL(n, CONSOLE_HISTORY);
	CU_ASSERT_EQUAL(lost, total - CONSOLE_HISTORY - first);
	CU_ASSERT_EQUAL(off, total);
	CU_ASSERT(check_stream(out, off, n));
	n = console_read(&c, &off2, out, 10, &lost);
	CU_ASSERT_EQUAL(lost, total - CONSOLE_HISTORY - 100);
	CU_ASSERT_EQUAL(n, 10);
	CU_ASSERT(check_stream(out, off2, n));
	/* An old offset still inside the history reads from there. */
	off3 = total - 1000;
	n = console_read(&c, &off3, out, 2000, &lost);
	CU_ASSERT_EQUAL(lost, 0);
	CU_ASSERT_EQUAL(n, 1000);
	CU_ASSERT(check_stream(out, off3, n));
	console_fini(&c);
	free(in);
	free(out);
}

static void test_console_huge_write(void)
{
	const size_t big = 5 * CONSOLE_HISTORY + 777;
	uint8_t *in = malloc(big + 100), *out = malloc(CONSOLE_HISTORY);
	uint64_t off = 0, lost;
	struct console c;
	size_t n;

	CU_ASSERT_FATAL(in && out && console_init(&c) == 0);
	fill(in, 0, big + 100);
	console_write(&c, in, 100);
	console_write(&c, in + 100, big); /* more than the history */
	CU_ASSERT_EQUAL(console_head(&c), big + 100);
	n = console_read(&c, &off, out, CONSOLE_HISTORY, &lost);
	CU_ASSERT_EQUAL(n, CONSOLE_HISTORY);
	CU_ASSERT_EQUAL(lost, big + 100 - CONSOLE_HISTORY);
	CU_ASSERT(check_stream(out, off, n));
	/* Exactly the history's size. */
	fill(in, big + 100, CONSOLE_HISTORY);
	console_write(&c, in, CONSOLE_HISTORY);
	n = console_read(&c, &off, out, CONSOLE_HISTORY, &lost);
	CU_ASSERT_EQUAL(n, CONSOLE_HISTORY);
	CU_ASSERT_EQUAL(lost, 0);
	CU_ASSERT(check_stream(out, off, n));
	console_fini(&c);
	free(in);
	free(out);
}

struct cons_race {
	struct console c;
	int writes;
	bool done;
	uint64_t bad, reads;
};

static void *cons_writer(void *arg)
{
	struct cons_race *r = arg;
	const size_t len = CONSOLE_HISTORY + 4464;
	uint8_t *buf = malloc(len);
	uint64_t w = 0;

	for (int i = 0; buf && i < r->writes; i++) {
		fill(buf, w, len);
		console_write(&r->c, buf, len);
		w += len;
		if (i % 16 == 0)
			sched_yield();
	}
	free(buf);
	__atomic_store_n(&r->done, true, __ATOMIC_RELEASE);
	return NULL;
}

/* A follower reading while huge writes go on must only ever see the bytes
 * that were written at each offset (or be told they were lost). */
static void test_console_concurrent(void)
{
	struct cons_race r = {.writes = 3000};
	uint8_t *out = malloc(CONSOLE_HISTORY);
	uint64_t off = 0, lost;
	pthread_t th;

	CU_ASSERT_FATAL(out && console_init(&r.c) == 0);
	CU_ASSERT_FATAL(pthread_create(&th, NULL, cons_writer, &r) == 0);
	while (!__atomic_load_n(&r.done, __ATOMIC_ACQUIRE) ||
	       off < console_head(&r.c)) {
		size_t n = console_read(&r.c, &off, out, 4096, &lost);

		r.reads++;
		if (!check_stream(out, off, n))
			r.bad++;
	}
	pthread_join(th, NULL);
	if (r.bad)
		fprintf(stderr, "\n%llu of %llu reads returned stale bytes\n",
			(unsigned long long)r.bad, (unsigned long long)r.reads);
	CU_ASSERT_EQUAL(r.bad, 0);
	console_fini(&r.c);
	free(out);
}

/* -------------------------------------------------------------- CPUID */

#define L1C_X2APIC (1u << 21)
#define L1C_HV	   (1u << 31)

static struct kvm_cpuid2 *host_cpuid(void)
{
	static const struct kvm_cpuid_entry2 e[] = {
	    {.function = 0, .eax = 0x1f, .ebx = 0x756e6547},
	    {.function = 1,
	     .eax = 0x000906ea,
	     .ebx = 0xab100800, /* APIC id 0xab, 16 logical CPUs */
	     .ecx = ~(L1C_X2APIC | L1C_HV),
	     .edx = 0xbfebfbff},
	    {.function = 7,
	     .index = 0,
	     .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
	     .eax = 1,
	     .ebx = ~0u,
	     .ecx = ~0u,
	     .edx = ~0u},
	    {.function = 7,
	     .index = 1,
	     .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
	     .ebx = ~0u,
	     .ecx = ~0u,
	     .edx = ~0u},
	    {.function = 0xb,
	     .index = 0,
	     .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
	     .eax = 1,
	     .ebx = 2,
	     .ecx = 0x100,
	     .edx = 0x77},
	    {.function = 0xb,
	     .index = 1,
	     .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
	     .eax = 4,
	     .ebx = 8,
	     .ecx = 0x201,
	     .edx = 0x77},
	    {.function = 0xd,
	     .index = 0,
	     .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
	     .eax = 0x2e7},
	    {.function = 0xd,
	     .index = 1,
	     .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
	     .eax = 0xf},
	    {.function = 0x1f,
	     .index = 0,
	     .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
	     .edx = 0x77},
	    {.function = 0x40000000, .eax = 0x40000001, .ebx = 0x4b4d564b},
	    {.function = 0x40000001, .eax = 0x01007afb},
	    {.function = 0x40000100, .eax = 0x40000105},
	    {.function = 0x80000000, .eax = 0x80000008},
	    {.function = 0x80000001, .ecx = ~0u, .edx = 0x2c100800},
	    {.function = 0x80000008, .eax = 0x3027},
	};
	struct kvm_cpuid2 *c =
	    calloc(1, sizeof(*c) + sizeof(e[0]) * ARRAY_SIZE(e));

	if (c) {
		c->nent = ARRAY_SIZE(e);
		memcpy(c->entries, e, sizeof(e));
	}
	return c;
}

/* What KVM does: first entry with the function (and index if it
 * matters). */
static const struct kvm_cpuid_entry2 *leaf(const struct kvm_cpuid2 *c,
					   uint32_t fn, uint32_t idx)
{
	for (uint32_t i = 0; i < c->nent; i++) {
		const struct kvm_cpuid_entry2 *e = &c->entries[i];

		if (e->function == fn &&
		    (!(e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) ||
		     e->index == idx))
			return e;
	}
	return NULL;
}

static void test_cpuid_xen_leaves(void)
{
	struct kvm_cpuid2 *host = host_cpuid(), *c;
	const struct kvm_cpuid_entry2 *e;
	unsigned int hv = 0;
	char sig[13];

	CU_ASSERT_FATAL(host != NULL);
	c = cpuid_build(host, 7, 5, 8, 2893312);
	CU_ASSERT_FATAL(c != NULL);
	/* KVM's (and any other) hypervisor leaves are gone; Xen's six are
	 * there once each. */
	for (uint32_t i = 0; i < c->nent; i++)
		if ((c->entries[i].function & 0xffff0000u) == 0x40000000u)
			hv++;
	CU_ASSERT_EQUAL(hv, XEN_CPUID_MAX_NUM_LEAVES + 1);
	CU_ASSERT_PTR_NULL(leaf(c, 0x40000100, 0));
	e = leaf(c, XEN_CPUID_FIRST_LEAF, 0);
	CU_ASSERT_FATAL(e != NULL);
	CU_ASSERT_EQUAL(e->eax,
			XEN_CPUID_FIRST_LEAF + XEN_CPUID_MAX_NUM_LEAVES);
	memcpy(sig, &e->ebx, 4);
	memcpy(sig + 4, &e->ecx, 4);
	memcpy(sig + 8, &e->edx, 4);
	sig[12] = 0;
	CU_ASSERT_STRING_EQUAL(sig, "XenVMMXenVMM");
	e = leaf(c, 0x40000001, 0);
	CU_ASSERT_EQUAL(e->eax, (4u << 16) | 17u);
	/* One hypercall page, installed through MSR 0x40000000. */
	e = leaf(c, 0x40000002, 0);
	CU_ASSERT_EQUAL(e->eax, 1);
	CU_ASSERT_EQUAL(e->ebx, 0x40000000u);
	/* Time: TSC mode and frequency in kHz (subleaf 0). */
	e = leaf(c, 0x40000003, 0);
	CU_ASSERT_EQUAL(e->ecx, 2893312);
	CU_ASSERT_EQUAL(e->ebx, 2); /* never emulated */
	CU_ASSERT(e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX);
	CU_ASSERT_EQUAL(e->index, 0);
	/* HVM leaf: vCPU id and domain id, flagged as present. */
	e = leaf(c, 0x40000004, 0);
	CU_ASSERT(e->eax & XEN_HVM_CPUID_VCPU_ID_PRESENT);
	CU_ASSERT(e->eax & XEN_HVM_CPUID_DOMID_PRESENT);
	CU_ASSERT(e->eax & XEN_HVM_CPUID_UPCALL_VECTOR);
	CU_ASSERT_EQUAL(e->ebx, 5);
	CU_ASSERT_EQUAL(e->ecx, 7);
	CU_ASSERT_PTR_NOT_NULL(leaf(c, 0x40000005, 0));
	CU_ASSERT_PTR_NULL(leaf(c, 0x40000006, 0));
	/* XSAVE state leaves go with XSAVE. */
	CU_ASSERT_PTR_NULL(leaf(c, 0xd, 0));
	CU_ASSERT_PTR_NULL(leaf(c, 0xd, 1));
	CU_ASSERT_EQUAL(c->nent, host->nent - 3 - 2 + 6);
	free(c);
	free(host);
}

static void test_cpuid_features(void)
{
	static const uint32_t l1c_off[] = {3,  5,  6,  12, 13, 19, 20,
					   22, 23, 26, 27, 28, 29};
	struct kvm_cpuid2 *host = host_cpuid(), *c;
	const struct kvm_cpuid_entry2 *e;

	CU_ASSERT_FATAL(host != NULL);
	c = cpuid_build(host, 0, 3, 300, 1000000);
	CU_ASSERT_FATAL(c != NULL);
	e = leaf(c, 1, 0);
	CU_ASSERT_FATAL(e != NULL);
	for (size_t i = 0; i < ARRAY_SIZE(l1c_off); i++)
		CU_ASSERT_FALSE(e->ecx & (1u << l1c_off[i]));
	CU_ASSERT(e->ecx & L1C_HV);
	CU_ASSERT(e->ecx & L1C_X2APIC);
	CU_ASSERT(e->ecx & 1u);	       /* SSE3 stays */
	CU_ASSERT(e->ecx & (1u << 9)); /* SSSE3 stays */
	CU_ASSERT_EQUAL(e->edx, 0xbfebfbff);
	CU_ASSERT_EQUAL(e->eax, 0x000906ea);
	/* APIC id = vCPU id; logical count capped at 255; low half kept. */
	CU_ASSERT_EQUAL(e->ebx >> 24, 3);
	CU_ASSERT_EQUAL((e->ebx >> 16) & 0xff, 255);
	CU_ASSERT_EQUAL(e->ebx & 0xffff, 0x0800);
	for (uint32_t idx = 0; idx < 2; idx++)
		CU_ASSERT_EQUAL(leaf(c, 0xb, idx)->edx, 3);
	CU_ASSERT_EQUAL(leaf(c, 0xb, 1)->ecx, 0x201);
	CU_ASSERT_EQUAL(leaf(c, 0x1f, 0)->edx, 3);
	/* Leaf 7: only the kept EBX bits, no subleaves, nothing else. */
	e = leaf(c, 7, 0);
	CU_ASSERT_EQUAL(e->eax, 0);
	CU_ASSERT_EQUAL(e->ebx, (1u << 0) | (1u << 7) | (1u << 9) | (1u << 10) |
				    (1u << 23) | (1u << 24));
	CU_ASSERT_EQUAL(e->ecx, 0);
	CU_ASSERT_EQUAL(e->edx, 0);
	e = leaf(c, 7, 1);
	CU_ASSERT_EQUAL(e->ebx | e->ecx | e->edx, 0);
	/* AMD extended features: SVM, SSE4A, XOP, FMA4, TBM... off. */
	e = leaf(c, 0x80000001, 0);
	CU_ASSERT_EQUAL(e->ecx &
			    ((1u << 2) | (1u << 6) | (1u << 7) | (1u << 11) |
			     (1u << 16) | (1u << 21) | (1u << 29)),
			0);
	CU_ASSERT(e->ecx & 1u); /* LAHF/SAHF stays */
	CU_ASSERT_EQUAL(e->edx, 0x2c100800);
	CU_ASSERT_EQUAL(leaf(c, 0x80000008, 0)->eax, 0x3027);
	CU_ASSERT_EQUAL(leaf(c, 0, 0)->eax, 0x1f);
	free(c);
	/* Another vCPU of the same domain differs only in its ids. */
	c = cpuid_build(host, 0, 63, 64, 1000000);
	CU_ASSERT_EQUAL(leaf(c, 1, 0)->ebx >> 24, 63);
	CU_ASSERT_EQUAL((leaf(c, 1, 0)->ebx >> 16) & 0xff, 64);
	CU_ASSERT_EQUAL(leaf(c, 0xb, 0)->edx, 63);
	CU_ASSERT_EQUAL(leaf(c, 0x40000004, 0)->ebx, 63);
	CU_ASSERT_EQUAL(leaf(c, 0x40000004, 0)->ecx, 0);
	free(c);
	free(host);
}

/* -------------------------------------------------------- msg framing */

static int sp[2];

static void pair(void)
{
	CU_ASSERT_FATAL(
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) == 0);
}

static void unpair(void)
{
	close(sp[0]);
	close(sp[1]);
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1; /* the directory's own fd */
}

static int raw_send(int s, const void *buf, size_t len, const int *fds,
		    int nfds)
{
	struct iovec iov = {(void *)buf, len};
	union {
		char b[CMSG_SPACE(sizeof(int) * 16)];
		struct cmsghdr align;
	} c;
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};

	if (nfds) {
		struct cmsghdr *cm;

		memset(&c, 0, sizeof(c));
		mh.msg_control = c.b;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
		memcpy(CMSG_DATA(cm), fds, sizeof(int) * (size_t)nfds);
	}
	return sendmsg(s, &mh, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -errno;
}

/* A packet: header claiming `claim` payload bytes, then `real` bytes. */
static int send_packet(int s, uint32_t claim, size_t real, const int *fds,
		       int nfds)
{
	struct pv_ctl_hdr h = {PV_CTL_MAGIC, PV_CTL_VERSION, PV_CTL_REQUEST, 9,
			       claim};
	uint8_t *buf = calloc(1, sizeof(h) + real);
	int rc;

	if (!buf)
		return -ENOMEM;
	memcpy(buf, &h, sizeof(h));
	rc = raw_send(s, buf, sizeof(h) + real, fds, nfds);
	free(buf);
	return rc;
}

static void test_msg_roundtrip(void)
{
	static const char nuls[] = "a\0b\0\0c";
	struct pv_msg m;

	pair();
	CU_ASSERT_EQUAL(
	    msg_send(sp[0], PV_CTL_REQUEST, 42, "{\"op\":1}", 8, NULL, 0), 0);
	CU_ASSERT_EQUAL_FATAL(msg_recv(sp[1], &m), 0);
	CU_ASSERT_EQUAL(m.hdr.magic, PV_CTL_MAGIC);
	CU_ASSERT_EQUAL(m.hdr.version, PV_CTL_VERSION);
	CU_ASSERT_EQUAL(m.hdr.kind, PV_CTL_REQUEST);
	CU_ASSERT_EQUAL(m.hdr.id, 42);
	CU_ASSERT_EQUAL(m.hdr.len, 8);
	CU_ASSERT_STRING_EQUAL(m.payload, "{\"op\":1}");
	CU_ASSERT_EQUAL(m.nfds, 0);
	msg_free(&m);
	CU_ASSERT_PTR_NULL(m.payload);
	msg_free(&m); /* twice is safe */
	/* Console data may hold NULs; the payload is NUL-terminated too. */
	CU_ASSERT_EQUAL(msg_send(sp[0], PV_CTL_CONSOLE, 3, nuls, 6, NULL, 0),
			0);
	CU_ASSERT_EQUAL_FATAL(msg_recv(sp[1], &m), 0);
	CU_ASSERT_EQUAL(m.hdr.len, 6);
	CU_ASSERT_EQUAL(memcmp(m.payload, nuls, 7), 0);
	msg_free(&m);
	/* Empty payload. */
	CU_ASSERT_EQUAL(msg_send(sp[1], PV_CTL_EVENT, 0, NULL, 0, NULL, 0), 0);
	CU_ASSERT_EQUAL_FATAL(msg_recv(sp[0], &m), 0);
	CU_ASSERT_EQUAL(m.hdr.len, 0);
	CU_ASSERT_PTR_NOT_NULL(m.payload);
	CU_ASSERT_STRING_EQUAL(m.payload, "");
	msg_free(&m);
	/* Magic and version are the server's to check, not the framing's. */
	{
		struct pv_ctl_hdr h = {0x12345678, 99, 1, 2, 0};

		CU_ASSERT_EQUAL(raw_send(sp[0], &h, sizeof(h), NULL, 0), 0);
		CU_ASSERT_EQUAL_FATAL(msg_recv(sp[1], &m), 0);
		CU_ASSERT_EQUAL(m.hdr.magic, 0x12345678);
		CU_ASSERT_EQUAL(m.hdr.version, 99);
		msg_free(&m);
	}
	unpair();
}

static void test_msg_fds(void)
{
	int p[2], base, fds[PV_CTL_MAX_FDS];
	struct pv_msg m;
	char ch = 0;

	CU_ASSERT_FATAL(pipe(p) == 0);
	pair();
	base = count_fds();
	CU_ASSERT_EQUAL(msg_send(sp[0], PV_CTL_REQUEST, 1, "x", 1, p, 2), 0);
	CU_ASSERT_EQUAL_FATAL(msg_recv(sp[1], &m), 0);
	CU_ASSERT_EQUAL(m.nfds, 2);
	CU_ASSERT_EQUAL(count_fds(), base + 2);
	CU_ASSERT(m.fds[0] != p[0] && m.fds[1] != p[1]);
	CU_ASSERT(fcntl(m.fds[0], F_GETFD) & FD_CLOEXEC);
	CU_ASSERT_EQUAL(write(m.fds[1], "z", 1), 1);
	CU_ASSERT_EQUAL(read(p[0], &ch, 1), 1);
	CU_ASSERT_EQUAL(ch, 'z');
	msg_free(&m);
	CU_ASSERT_EQUAL(count_fds(), base);
	/* The most a message may carry. */
	for (int i = 0; i < PV_CTL_MAX_FDS; i++)
		fds[i] = p[i % 2];
	CU_ASSERT_EQUAL(
	    msg_send(sp[0], PV_CTL_REQUEST, 1, "", 0, fds, PV_CTL_MAX_FDS), 0);
	CU_ASSERT_EQUAL_FATAL(msg_recv(sp[1], &m), 0);
	CU_ASSERT_EQUAL(m.nfds, PV_CTL_MAX_FDS);
	/* A handler that keeps an fd sets its slot to -1. */
	close(m.fds[0]);
	m.fds[0] = -1;
	msg_free(&m);
	CU_ASSERT_EQUAL(count_fds(), base);
	unpair();
	close(p[0]);
	close(p[1]);
}

static void test_msg_limits(void)
{
	char *big = malloc(PV_CTL_MAX_PAYLOAD + 1);
	int fds[PV_CTL_MAX_FDS + 1] = {0, 0, 0, 0, 0};
	struct pv_msg m;

	CU_ASSERT_FATAL(big != NULL);
	pair();
	for (size_t i = 0; i <= PV_CTL_MAX_PAYLOAD; i++)
		big[i] = (char)(i * 31 + 1);
	CU_ASSERT_EQUAL(msg_send(sp[0], PV_CTL_CONSOLE, 1, big,
				 PV_CTL_MAX_PAYLOAD, NULL, 0),
			0);
	CU_ASSERT_EQUAL_FATAL(msg_recv(sp[1], &m), 0);
	CU_ASSERT_EQUAL(m.hdr.len, PV_CTL_MAX_PAYLOAD);
	CU_ASSERT_EQUAL(memcmp(m.payload, big, PV_CTL_MAX_PAYLOAD), 0);
	CU_ASSERT_EQUAL(m.payload[PV_CTL_MAX_PAYLOAD], 0);
	msg_free(&m);
	/* Refused before anything is sent. */
	CU_ASSERT_EQUAL(msg_send(sp[0], PV_CTL_CONSOLE, 1, big,
				 PV_CTL_MAX_PAYLOAD + 1, NULL, 0),
			-EMSGSIZE);
	CU_ASSERT_EQUAL(
	    msg_send(sp[0], PV_CTL_REQUEST, 1, "", 0, fds, PV_CTL_MAX_FDS + 1),
	    -EMSGSIZE);
	CU_ASSERT_EQUAL(msg_send(sp[0], PV_CTL_REQUEST, 1, "", 0, fds, -1),
			-EMSGSIZE);
	CU_ASSERT_EQUAL(fcntl(sp[1], F_SETFL, O_NONBLOCK), 0);
	CU_ASSERT_EQUAL(msg_recv(sp[1], &m), -EAGAIN);
	CU_ASSERT_PTR_NULL(m.payload);
	unpair();
	free(big);
}

static void test_msg_malformed(void)
{
	struct pv_msg m;

	pair();
	/* Shorter than a header. */
	CU_ASSERT_EQUAL(raw_send(sp[0], "0123456789", 10, NULL, 0), 0);
	CU_ASSERT_EQUAL(msg_recv(sp[1], &m), -EPROTO);
	CU_ASSERT_PTR_NULL(m.payload);
	/* The header's length must be the packet's. */
	CU_ASSERT_EQUAL(send_packet(sp[0], 100, 50, NULL, 0), 0);
	CU_ASSERT_EQUAL(msg_recv(sp[1], &m), -EPROTO);
	CU_ASSERT_EQUAL(send_packet(sp[0], 10, 50, NULL, 0), 0);
	CU_ASSERT_EQUAL(msg_recv(sp[1], &m), -EPROTO);
	CU_ASSERT_EQUAL(send_packet(sp[0], UINT32_MAX, 0, NULL, 0), 0);
	CU_ASSERT_EQUAL(msg_recv(sp[1], &m), -EPROTO);
	/* Larger than a packet may be (truncated by recvmsg). */
	CU_ASSERT_EQUAL(send_packet(sp[0], PV_CTL_MAX_PAYLOAD + 1,
				    PV_CTL_MAX_PAYLOAD + 1, NULL, 0),
			0);
	CU_ASSERT_EQUAL(msg_recv(sp[1], &m), -EPROTO);
	/* Framing is per packet: the next good message is fine. */
	CU_ASSERT_EQUAL(send_packet(sp[0], 3, 3, NULL, 0), 0);
	CU_ASSERT_EQUAL_FATAL(msg_recv(sp[1], &m), 0);
	CU_ASSERT_EQUAL(m.hdr.len, 3);
	msg_free(&m);
	unpair();
}

static void test_msg_fd_leaks(void)
{
	int p[2], fds[8], base;
	struct pv_msg m;

	CU_ASSERT_FATAL(pipe(p) == 0);
	pair();
	base = count_fds();
	/* Too many fds: -EPROTO, and none of them stays open here. */
	for (int i = 0; i < 8; i++)
		fds[i] = p[i % 2];
	CU_ASSERT_EQUAL(send_packet(sp[0], 0, 0, fds, 8), 0);
	CU_ASSERT_EQUAL(msg_recv(sp[1], &m), -EPROTO);
	CU_ASSERT_EQUAL(m.nfds, 0);
	CU_ASSERT_EQUAL(count_fds(), base);
	CU_ASSERT_EQUAL(send_packet(sp[0], 0, 0, fds, PV_CTL_MAX_FDS + 1), 0);
	CU_ASSERT_EQUAL(msg_recv(sp[1], &m), -EPROTO);
	CU_ASSERT_EQUAL(count_fds(), base);
	/* Good fds on a bad packet are closed too. */
	CU_ASSERT_EQUAL(send_packet(sp[0], 7, 3, fds, PV_CTL_MAX_FDS), 0);
	CU_ASSERT_EQUAL(msg_recv(sp[1], &m), -EPROTO);
	CU_ASSERT_EQUAL(count_fds(), base);
	CU_ASSERT_EQUAL(raw_send(sp[0], "tiny", 4, fds, 2), 0);
	CU_ASSERT_EQUAL(msg_recv(sp[1], &m), -EPROTO);
	CU_ASSERT_EQUAL(count_fds(), base);
	/* An empty packet reads like an orderly close (recvmsg returns 0),
	 * but one that carries fds is a packet, and its fds must go. */
	CU_ASSERT_EQUAL(raw_send(sp[0], "", 0, fds, 2), 0);
	CU_ASSERT_EQUAL(msg_recv(sp[1], &m), -EPROTO);
	CU_ASSERT_EQUAL(count_fds(), base);
	CU_ASSERT_EQUAL(raw_send(sp[0], "", 0, fds, 8), 0);
	CU_ASSERT_EQUAL(msg_recv(sp[1], &m), -EPROTO);
	CU_ASSERT_EQUAL(count_fds(), base);
	unpair();
	close(p[0]);
	close(p[1]);
}

static void test_msg_close(void)
{
	struct pv_msg m;

	pair();
	CU_ASSERT_EQUAL(msg_send(sp[0], PV_CTL_REQUEST, 1, "{}", 2, NULL, 0),
			0);
	close(sp[0]);
	/* Queued messages first, then the orderly close. */
	CU_ASSERT_EQUAL_FATAL(msg_recv(sp[1], &m), 0);
	msg_free(&m);
	CU_ASSERT_EQUAL(msg_recv(sp[1], &m), -EPIPE);
	CU_ASSERT_EQUAL(msg_recv(sp[1], &m), -EPIPE);
	/* Sending to a closed peer: -EPIPE, no SIGPIPE. */
	CU_ASSERT_EQUAL(msg_send(sp[1], PV_CTL_REPLY, 1, "{}", 2, NULL, 0),
			-EPIPE);
	close(sp[1]);
	CU_ASSERT_EQUAL(msg_recv(-1, &m), -EBADF);
}

/* --------------------------------------------------------------- JSON */

static void test_json_parse(void)
{
	char err[128];
	yajl_val v;
	uint64_t u = 7;
	bool b = false;

	v = json_parse_object("{\"op\":\"create\",\"domid\":12,\"neg\":-1,"
			      "\"f\":1.5,\"s\":\"5\",\"t\":true,\"n\":null,"
			      "\"big\":9223372036854775807,"
			      "\"huge\":18446744073709551615,\"o\":{}}",
			      err, sizeof(err));
	CU_ASSERT_FATAL(v != NULL);
	CU_ASSERT_STRING_EQUAL(json_str(v, "op"), "create");
	CU_ASSERT_PTR_NULL(json_str(v, "domid"));
	CU_ASSERT_PTR_NULL(json_str(v, "missing"));
	CU_ASSERT_EQUAL(json_u64(v, "domid", &u), 0);
	CU_ASSERT_EQUAL(u, 12);
	CU_ASSERT_EQUAL(json_u64(v, "big", &u), 0);
	CU_ASSERT_EQUAL(u, 9223372036854775807ull);
	u = 7;
	CU_ASSERT_EQUAL(json_u64(v, "neg", &u), -EINVAL);
	CU_ASSERT_EQUAL(json_u64(v, "f", &u), -EINVAL);
	CU_ASSERT_EQUAL(json_u64(v, "s", &u), -EINVAL);
	CU_ASSERT_EQUAL(json_u64(v, "huge", &u), -EINVAL);
	CU_ASSERT_EQUAL(json_u64(v, "n", &u), -EINVAL);
	CU_ASSERT_EQUAL(json_u64(v, "missing", &u), -ENOENT);
	CU_ASSERT_EQUAL(u, 7); /* untouched on error */
	CU_ASSERT_EQUAL(json_bool(v, "t", &b), 0);
	CU_ASSERT_TRUE(b);
	CU_ASSERT_EQUAL(json_bool(v, "domid", &b), -EINVAL);
	CU_ASSERT_EQUAL(json_bool(v, "missing", &b), -ENOENT);
	CU_ASSERT_PTR_NOT_NULL(json_get(v, "o"));
	CU_ASSERT_PTR_NULL(
	    json_get(json_get(v, "op"), "x")); /* not an object */
	CU_ASSERT_PTR_NULL(json_get(NULL, "x"));
	CU_ASSERT_PTR_NULL(json_str(NULL, "x"));
	CU_ASSERT_EQUAL(json_u64(NULL, "x", &u), -ENOENT);
	yajl_tree_free(v);
}

static void test_json_errors(void)
{
	static const char *const bad[] = {
	    "", "{", "[1,2]", "\"str\"", "12", "{\"a\":}", "{\"a\":1}}", "nul"};
	char err[128], small[5];

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		memset(err, 'x', sizeof(err));
		CU_ASSERT_PTR_NULL(json_parse_object(bad[i], err, sizeof(err)));
		CU_ASSERT(err[0] != 0 && memchr(err, 0, sizeof(err)) != NULL);
	}
	memset(err, 'x', sizeof(err));
	CU_ASSERT_PTR_NULL(json_parse_object("[]", err, sizeof(err)));
	CU_ASSERT_STRING_EQUAL(err, "not a JSON object");
	/* Small error buffers are still NUL-terminated; none at all works. */
	memset(small, 'x', sizeof(small));
	CU_ASSERT_PTR_NULL(json_parse_object("[]", small, sizeof(small)));
	CU_ASSERT_PTR_NOT_NULL(memchr(small, 0, sizeof(small)));
	memset(small, 'x', sizeof(small));
	CU_ASSERT_PTR_NULL(json_parse_object("{", small, sizeof(small)));
	CU_ASSERT_PTR_NOT_NULL(memchr(small, 0, sizeof(small)));
	CU_ASSERT_PTR_NULL(json_parse_object("{", NULL, 0));
	CU_ASSERT_PTR_NULL(json_parse_object("[]", NULL, 0));
}

static void test_json_generate(void)
{
	yajl_gen g = jg_new();
	const char *text;
	char err[128];
	yajl_val v;
	uint64_t u;
	size_t len;
	bool b;

	CU_ASSERT_FATAL(g != NULL);
	jg_str(g, "name", "a \"quoted\"\nname\\");
	jg_u64(g, "memory", 1ull << 40);
	jg_i64(g, "delta", -5);
	jg_bool(g, "ok", true);
	jg_key(g, "list");
	yajl_gen_array_open(g);
	yajl_gen_integer(g, 1);
	yajl_gen_array_close(g);
	text = jg_text(g, &len);
	CU_ASSERT_FATAL(text != NULL);
	CU_ASSERT_EQUAL(strlen(text), len);
	v = json_parse_object(text, err, sizeof(err));
	CU_ASSERT_FATAL(v != NULL);
	CU_ASSERT_STRING_EQUAL(json_str(v, "name"), "a \"quoted\"\nname\\");
	CU_ASSERT_EQUAL(json_u64(v, "memory", &u), 0);
	CU_ASSERT_EQUAL(u, 1ull << 40);
	CU_ASSERT_EQUAL(YAJL_GET_INTEGER(json_get(v, "delta")), -5);
	CU_ASSERT_EQUAL(json_bool(v, "ok", &b), 0);
	CU_ASSERT_TRUE(b);
	yajl_tree_free(v);
	yajl_gen_free(g);
}

/* ---------------------------------------------------------------- log */

static int log_pipe[2];

static size_t log_take(char *buf, size_t max)
{
	ssize_t n = read(log_pipe[0], buf, max - 1);

	buf[n > 0 ? n : 0] = 0;
	return n > 0 ? (size_t)n : 0;
}

static void test_log_format(void)
{
	char buf[4096], *longer = malloc(3000);
	size_t n;

	CU_ASSERT_FATAL(longer != NULL);
	CU_ASSERT_FATAL(pipe2(log_pipe, O_NONBLOCK) == 0);
	log_init("tprog", log_pipe[1], LOG_INFO);
	log_debug("sub", "hidden %d", 1);
	CU_ASSERT_EQUAL(log_take(buf, sizeof(buf)), 0);
	log_err("sub", "x=%d", 5);
	n = log_take(buf, sizeof(buf));
	CU_ASSERT(n > 0 && buf[n - 1] == '\n');
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, " tprog: error: sub: x=5\n"));
	log_warn("s2", "w");
	log_take(buf, sizeof(buf));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, " tprog: warning: s2: w\n"));
	log_set_level(LOG_DEBUG);
	log_debug("sub", "shown");
	log_take(buf, sizeof(buf));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, ": debug: sub: shown\n"));
	/* Long lines are cut, one line per message. */
	memset(longer, 'm', 2999);
	longer[2999] = 0;
	log_info("sub", "%s", longer);
	n = log_take(buf, sizeof(buf));
	CU_ASSERT(n > 900 && n < 1024);
	CU_ASSERT_EQUAL(buf[n - 1], '\n');
	CU_ASSERT_PTR_NULL(memchr(buf, '\n', n - 1));
	/* So are long subsystem and program names (just over a line, so
	 * that an overrun lands in ASan's redzone, and far over). */
	for (size_t len = 1030; len < 3000; len += 1969) {
		longer[len] = 0;
		log_info(longer, "after a long subsystem");
		n = log_take(buf, sizeof(buf));
		CU_ASSERT(n > 900 && n < 1024);
		CU_ASSERT_EQUAL(buf[n - 1], '\n');
		log_init(longer, log_pipe[1], LOG_INFO);
		log_info("sub", "after a long program name");
		n = log_take(buf, sizeof(buf));
		CU_ASSERT(n > 900 && n < 1024);
		CU_ASSERT_EQUAL(buf[n - 1], '\n');
		log_init("tprog", log_pipe[1], LOG_INFO);
		longer[len] = 'm';
	}
	log_init("pvhv", 2, LOG_INFO);
	close(log_pipe[0]);
	close(log_pipe[1]);
	free(longer);
}

/* Windows are measured with an explicit clock: no test depends on how long
 * the machine takes between two calls. */
static void test_ratelimit(void)
{
	const uint64_t ms = 1000000, t0 = 1000 * ms;
	struct ratelimit rl = RATELIMIT_INIT(200, 3);
	uint64_t supp = 99;

	for (int i = 0; i < 3; i++) {
		CU_ASSERT_TRUE(
		    ratelimit_ok_at(&rl, t0 + (uint64_t)i * ms, &supp));
		CU_ASSERT_EQUAL(supp, 0);
	}
	CU_ASSERT_FALSE(ratelimit_ok_at(&rl, t0 + 10 * ms, &supp));
	CU_ASSERT_FALSE(ratelimit_ok_at(&rl, t0 + 199 * ms, &supp));
	/* The first message after the window says what was dropped. */
	CU_ASSERT_TRUE(ratelimit_ok_at(&rl, t0 + 200 * ms, &supp));
	CU_ASSERT_EQUAL(supp, 2);
	CU_ASSERT_TRUE(ratelimit_ok_at(&rl, t0 + 201 * ms, &supp));
	CU_ASSERT_EQUAL(supp, 0);
	CU_ASSERT_TRUE(ratelimit_ok_at(&rl, t0 + 202 * ms, &supp));
	CU_ASSERT_FALSE(ratelimit_ok_at(&rl, t0 + 203 * ms, &supp));
	CU_ASSERT_TRUE(ratelimit_ok_at(&rl, t0 + 500 * ms, &supp));
	CU_ASSERT_EQUAL(supp, 1);
}

static void test_ratelimited_log(void)
{
	/* A window far longer than any test run: nothing expires by itself. */
	struct ratelimit rl = RATELIMIT_INIT(3600 * 1000, 1);
	char buf[4096];

	CU_ASSERT_FATAL(pipe2(log_pipe, O_NONBLOCK) == 0);
	log_init("t", log_pipe[1], LOG_INFO);
	for (int i = 0; i < 4; i++)
		log_ratelimited(&rl, LOG_WARN, "guest", "bad thing %d", i);
	log_take(buf, sizeof(buf));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "bad thing 0\n"));
	CU_ASSERT_PTR_NULL(strstr(buf, "bad thing 1"));
	/* Expire the window by moving its start back. */
	rl.window_start -= rl.interval_ns;
	log_ratelimited(&rl, LOG_WARN, "guest", "bad thing %d", 9);
	log_take(buf, sizeof(buf));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "(3 similar messages suppressed)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "bad thing 9\n"));
	log_init("pvhv", 2, LOG_INFO);
	close(log_pipe[0]);
	close(log_pipe[1]);
}

static struct ratelimit shared_rl = RATELIMIT_INIT(3600 * 1000, 10);
static uint32_t shared_ok;

static void *rl_thread(void *arg)
{
	uint64_t supp;

	(void)arg;
	for (int i = 0; i < 2000; i++)
		if (ratelimit_ok(&shared_rl, &supp))
			__atomic_fetch_add(&shared_ok, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static void test_ratelimit_threads(void)
{
	pthread_t th[4];

	for (int i = 0; i < 4; i++)
		CU_ASSERT_FATAL(pthread_create(&th[i], NULL, rl_thread, NULL) ==
				0);
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	CU_ASSERT_EQUAL(shared_ok, 10);
	CU_ASSERT_EQUAL(shared_rl.suppressed, 4 * 2000 - 10);
}

static CU_TestInfo tests[] = {
    {"pvclock: 1 MHz .. 10 GHz within 1 ppm", test_pvclock_scale_for},
    {"pvclock: exact values and shifts", test_pvclock_scale_exact},
    {"pvclock: monotonic", test_pvclock_monotonic},
    {"pvclock: publish", test_pvclock_publish},
    {"console: basics", test_console_basic},
    {"console: wrap and lost bytes", test_console_wrap},
    {"console: huge writes", test_console_huge_write},
    {"console: reader during huge writes", test_console_concurrent},
    {"cpuid: Xen leaves", test_cpuid_xen_leaves},
    {"cpuid: masked features and ids", test_cpuid_features},
    {"msg: round trip", test_msg_roundtrip},
    {"msg: fd passing", test_msg_fds},
    {"msg: size limits", test_msg_limits},
    {"msg: malformed packets", test_msg_malformed},
    {"msg: no fd leaks", test_msg_fd_leaks},
    {"msg: orderly close", test_msg_close},
    {"json: parse and typed access", test_json_parse},
    {"json: errors", test_json_errors},
    {"json: generate", test_json_generate},
    {"log: format and levels", test_log_format},
    {"log: rate limit", test_ratelimit},
    {"log: rate-limited messages", test_ratelimited_log},
    {"log: rate limit across threads", test_ratelimit_threads},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return unit_run("misc", tests);
}
