/*
 * pagecopy: the floor of the grant-copy benchmark. Copies the pages
 * pvmini's bench-gntcopy copies, the way pvhv's GNTTABOP_copy does it at
 * best: one memcpy of 4 KiB per page, between the same page frames of a
 * buffer laid out like the guest's RAM (a memfd of the guest's size,
 * mapped shared, as pvhv maps guest memory). No hypercalls, no grant
 * checks, no guest: what copying those bytes costs on this host.
 *
 *   pagecopy MEM_MIB SRC_PFN DST_PFN PAGES PASSES [R]
 *	After one untimed pass (first touch), R runs (default 5) of PASSES
 *	passes over the PAGES pages, each timed with CLOCK_MONOTONIC.
 *
 * Output (key=value): pagecopy_ns=<median ns per run>,
 * pagecopy_runs_ns, pagecopy_mbps (MB/s = 10^6 bytes/s, from the median),
 * pagecopy_pages, pagecopy_passes, pagecopy_reps.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define PAGE	 4096ull
#define MAX_REPS 100

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* One pass; the compiler must not drop or merge the copies. */
static void copy_pass(uint8_t *mem, uint64_t src, uint64_t dst, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		memcpy(mem + (dst + i) * PAGE, mem + (src + i) * PAGE, PAGE);
	__asm__ __volatile__("" ::"r"(mem) : "memory");
}

static int usage(void)
{
	fprintf(stderr,
		"usage: pagecopy MEM_MIB SRC_PFN DST_PFN PAGES PASSES [R]\n");
	return 2;
}

static int num(const char *s, uint64_t max, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 10);
	return (errno || *end || *v > max) ? -1 : 0;
}

int main(int argc, char **argv)
{
	uint64_t mib, src, dst, pages, passes, reps = 5, runs[MAX_REPS],
					       sorted[MAX_REPS];
	uint8_t *mem;
	size_t size;
	int fd;

	if (argc < 6 || argc > 7 || num(argv[1], 1 << 16, &mib) ||
	    num(argv[2], 1ull << 40, &src) || num(argv[3], 1ull << 40, &dst) ||
	    num(argv[4], 1ull << 30, &pages) ||
	    num(argv[5], 1ull << 30, &passes) ||
	    (argc == 7 && num(argv[6], MAX_REPS, &reps)) || !mib || !pages ||
	    !passes || !reps)
		return usage();
	size = (size_t)(mib << 20);
	if ((src + pages) * PAGE > size || (dst + pages) * PAGE > size ||
	    (src < dst + pages && dst < src + pages)) {
		fprintf(stderr,
			"pagecopy: ranges overlap or leave the buffer\n");
		return 2;
	}
	fd = memfd_create("pagecopy", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, (off_t)size) < 0) {
		perror("pagecopy: memfd");
		return 1;
	}
	mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (mem == MAP_FAILED) {
		perror("pagecopy: mmap");
		return 1;
	}
	for (uint64_t i = 0; i < pages; i++)
		memset(mem + (src + i) * PAGE, (int)(i & 0xff), PAGE);
	copy_pass(mem, src, dst, pages); /* first touch of the destination */
	for (uint64_t r = 0; r < reps; r++) {
		uint64_t t0 = now_ns();

		for (uint64_t p = 0; p < passes; p++)
			copy_pass(mem, src, dst, pages);
		runs[r] = now_ns() - t0;
	}
	if (memcmp(mem + src * PAGE, mem + dst * PAGE,
		   (size_t)(pages * PAGE))) {
		fprintf(stderr, "pagecopy: copy mismatch\n");
		return 1;
	}
	memcpy(sorted, runs, (size_t)reps * sizeof(runs[0]));
	qsort(sorted, (size_t)reps, sizeof(sorted[0]), cmp_u64);
	{
		uint64_t med =
		    reps % 2 ? sorted[reps / 2]
			     : (sorted[reps / 2 - 1] + sorted[reps / 2]) / 2;

		printf("pagecopy_ns=%llu\n", (unsigned long long)med);
		printf("pagecopy_runs_ns=");
		for (uint64_t r = 0; r < reps; r++)
			printf("%s%llu", r ? "," : "",
			       (unsigned long long)runs[r]);
		printf("\npagecopy_mbps=%.1f\n",
		       (double)(pages * passes * PAGE) * 1e3 / (double)med);
	}
	printf(
	    "pagecopy_pages=%llu\npagecopy_passes=%llu\npagecopy_reps=%llu\n",
	    (unsigned long long)pages, (unsigned long long)passes,
	    (unsigned long long)reps);
	munmap(mem, size);
	close(fd);
	return 0;
}
