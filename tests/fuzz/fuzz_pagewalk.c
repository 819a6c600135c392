// fuzz-sources: xen-core/mm/guestmem.c xen-core/mm/pagewalk.c
/*
 * libFuzzer target for the guest page-table walk: random page-table
 * contents in a small guest memory, random control registers, a random
 * linear address. gva_to_gpa must never touch memory outside the guest
 * mapping (it is surrounded by PROT_NONE guard areas, so a stray access
 * faults), must change nothing but accessed/dirty bits, must give the
 * same answer twice, and must respect what each paging mode allows.
 *
 * Input: cr3 (8 bytes), mode (1), va (8), flags (1), then bytes that
 * fill guest memory cyclically: RAM (16 pages at 0), one pool page
 * placed right after it and the special pages. tests/fuzz/run.sh builds
 * and runs it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <pvabi/pvhv.h>
#include <pvhv/pagewalk.h>

#define RAM   (16 * PAGE_SIZE)
#define GUARD (1ull << 24)

#define CR0_PE	 (1ull << 0)
#define CR0_WP	 (1ull << 16)
#define CR0_PG	 (1ull << 31)
#define CR4_PSE	 (1ull << 4)
#define CR4_PAE	 (1ull << 5)
#define CR4_LA57 (1ull << 12)
#define EFER_LMA (1ull << 10)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct guest_mem gm;
static uint8_t *before, *after;

/* Aborts (a finding) naming the line of the failed check. */
#define check(cond) check_at((cond), __LINE__)

static void check_at(bool cond, int line)
{
	if (!cond) {
		fprintf(stderr, "%s:%d: check failed\n", __FILE__, line);
		abort();
	}
}

/* Guest memory mapped between two inaccessible areas. */
static void setup(void)
{
	uint8_t *area;
	int slot;

	check(guestmem_init(&gm, RAM, 1, "fuzz_pagewalk") == 0);
	check(guestmem_place_pool_page(&gm, RAM, 0, &slot) == 0);
	area = mmap(NULL, gm.size + 2 * GUARD, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	check(area != MAP_FAILED);
	check(mmap(area + GUARD, gm.size, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_FIXED, gm.memfd, 0) == area + GUARD);
	munmap(gm.base, gm.size);
	gm.base = area + GUARD;
	before = malloc(gm.size);
	after = malloc(gm.size);
	check(before && after);
}

/* The target's own loops over all of guest memory are no coverage
 * signal, only cost: keep the fuzzer's instrumentation out of them. */
#define NO_COVERAGE __attribute__((no_sanitize("coverage")))

/* Keeps entries' address bits below 0x20000 (RAM, the pool page, a
 * hole), so most walks get somewhere instead of leaving guest memory at
 * once. */
NO_COVERAGE static void compact(bool narrow)
{
	if (narrow) {
		uint32_t *e = (uint32_t *)gm.base;

		for (size_t i = 0; i < gm.size / 4; i++)
			e[i] &= 0x1ffff;
	} else {
		uint64_t *e = (uint64_t *)gm.base;

		for (size_t i = 0; i < gm.size / 8; i++)
			e[i] &= 0xfff000000001ffffull;
	}
}

/* Guest memory = the input, repeated (doubling the copied part). */
NO_COVERAGE static void fill(const uint8_t *data, size_t size)
{
	size_t done = MIN(size, gm.size);

	memset(gm.base, 0, gm.size);
	memcpy(gm.base, data, done);
	while (done && done < gm.size) {
		size_t n = MIN(done, gm.size - done);

		memcpy(gm.base + done, gm.base, n);
		done += n;
	}
}

/* Only accessed/dirty bits of entries may change, and only 0 -> 1. */
NO_COVERAGE static void check_changes(void)
{
	for (size_t pg = 0; pg < gm.size; pg += PAGE_SIZE) {
		const uint64_t *b = (const uint64_t *)(before + pg);
		const uint64_t *a = (const uint64_t *)(after + pg);

		if (!memcmp(a, b, PAGE_SIZE))
			continue;
		for (size_t w = 0; w < PAGE_SIZE / 8; w++) {
			uint64_t diff = a[w] ^ b[w];

			/* Bits 5 and 6 of 4- or 8-byte entries, set only. */
			check((diff & ~0x0000006000000060ull) == 0);
			check((a[w] & diff) == diff);
		}
	}
}

static bool canonical(uint64_t va, unsigned int bits)
{
	int64_t s = (int64_t)(va << (64 - bits)) >> (64 - bits);

	return (uint64_t)s == va;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pw_regs pw = {0};
	uint64_t cr3, va;
	uint8_t mode, flags;
	gpa_t gpa, gpa2;
	bool write;
	int rc, rc2;

	if (!gm.base)
		setup();
	if (size < 18)
		return 0;
	memcpy(&cr3, data, 8);
	mode = data[8];
	memcpy(&va, data + 9, 8);
	flags = data[17];
	data += 18;
	size -= 18;
	fill(data, size);

	pw.cr0 = CR0_PE | (mode & 1 ? CR0_PG : 0) | (mode & 2 ? CR0_WP : 0);
	pw.cr4 = (mode & 4 ? CR4_PAE : 0) | (mode & 8 ? CR4_PSE : 0) |
		 (mode & 16 ? CR4_LA57 : 0);
	pw.efer = mode & 32 ? EFER_LMA : 0;
	/* Mostly inside RAM and the pool page (PCID and PAE bits too). */
	pw.cr3 = mode & 64 ? cr3 : cr3 & 0x1ffff;
	if (mode & 128)
		compact(!(pw.cr4 & CR4_PAE) && !(pw.efer & EFER_LMA));
	if (flags & 1)
		va &= 0xffffffffull;
	write = flags & 2;

	memcpy(before, gm.base, gm.size);
	rc = gva_to_gpa(&gm, &pw, va, write, &gpa);
	memcpy(after, gm.base, gm.size);
	check(rc == 0 || rc == -EFAULT);
	check_changes();

	if (!(pw.cr0 & CR0_PG)) {
		check((rc == 0) == (va >> 32 == 0));
		check(rc != 0 || gpa == va);
	} else if (rc == 0) {
		check((gpa & 0xfff) == (va & 0xfff));
		if (pw.efer & EFER_LMA)
			check(canonical(va, pw.cr4 & CR4_LA57 ? 57 : 48));
		else
			check(va >> 32 == 0);
		if (!(pw.efer & EFER_LMA) && !(pw.cr4 & CR4_PAE))
			check(gpa >> 40 == 0); /* PSE-36/40 at most */
		else
			check(gpa >> 52 == 0);
	}

	/* A second walk: same answer, nothing left to set. */
	rc2 = gva_to_gpa(&gm, &pw, va, write, &gpa2);
	check(rc2 == rc && (rc || gpa2 == gpa));
	check(memcmp(after, gm.base, gm.size) == 0);
	return 0;
}
