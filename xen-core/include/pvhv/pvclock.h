/*
 * Guest time. System time is nanoseconds since the domain was built,
 * derived from the guest TSC with one (tsc0, mul, shift) triple that never
 * changes: on an invariant TSC that keeps every vCPU's clock identical
 * and monotonic, which is what XEN_PVCLOCK_TSC_STABLE_BIT promises.
 */
#ifndef PVHV_PVCLOCK_H
#define PVHV_PVCLOCK_H

#include <pvhv/types.h>

struct vcpu_time_info;

struct pvclock {
	int64_t tsc_offset; /* guest TSC = host TSC + tsc_offset */
	uint64_t tsc0;	    /* guest TSC at system time 0 */
	uint32_t tsc_khz;
	uint32_t mul;	 /* tsc_to_system_mul */
	int8_t shift;	 /* tsc_shift */
	uint64_t mono0;	 /* host CLOCK_MONOTONIC (ns) at system time 0 */
	uint64_t wc_sec; /* wall clock at system time 0 */
	uint32_t wc_nsec;
};

/* Xen's (mul, shift) for a clock of `khz`: ns = ((tsc << shift) * mul) >> 32
 * (a negative shift shifts right). */
void pvclock_scale_for(uint32_t khz, uint32_t *mul, int8_t *shift);
uint64_t pvclock_scale(uint64_t delta, uint32_t mul, int8_t shift);

/* Starts the clock: system time 0 is now. */
void pvclock_init(struct pvclock *c, int64_t tsc_offset, uint32_t tsc_khz);

/* Guest system time now (ns), as a guest reading its pvclock would see. */
uint64_t pvclock_now(const struct pvclock *c);

/* Host CLOCK_MONOTONIC instant (ns) at which the guest clock reaches
 * `sys_ns` (clock rates match to ppm; callers re-check on expiry). */
uint64_t pvclock_to_mono(const struct pvclock *c, uint64_t sys_ns);

/* Fills a vcpu_time_info (version odd while writing, as the ABI says). */
void pvclock_publish(const struct pvclock *c, struct vcpu_time_info *t);

#endif
