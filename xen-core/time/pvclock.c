/* pvclock parameters and the guest system-time clock. */
#include <time.h>
#include <x86intrin.h>

#include <pvabi/xen.h>
#include <pvhv/log.h>
#include <pvhv/pvclock.h>

void pvclock_scale_for(uint32_t khz, uint32_t *mul, int8_t *shift)
{
	uint64_t hz = (uint64_t)khz * 1000;
	int s = 0;

	/* Bring the rate into (1 GHz, 2 GHz] so that mul = 2^32 * 1e9 / rate
	 * is a 32-bit fraction below 1 (the shift does the rest). */
	if (hz == 0)
		hz = 1000000000u;
	while (hz > 2000000000ull) {
		hz >>= 1;
		s--;
	}
	while (hz <= 1000000000ull) {
		hz <<= 1;
		s++;
	}
	*mul = (uint32_t)((1000000000ull << 32) / hz);
	*shift = (int8_t)s;
}

uint64_t pvclock_scale(uint64_t delta, uint32_t mul, int8_t shift)
{
	if (shift < 0)
		delta >>= -shift;
	else
		delta <<= shift;
	return (uint64_t)(((unsigned __int128)delta * mul) >> 32);
}

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void pvclock_init(struct pvclock *c, int64_t tsc_offset, uint32_t tsc_khz)
{
	uint64_t real;

	c->tsc_offset = tsc_offset;
	c->tsc_khz = tsc_khz;
	pvclock_scale_for(tsc_khz, &c->mul, &c->shift);
	c->tsc0 = __rdtsc() + (uint64_t)tsc_offset;
	c->mono0 = now_ns();
	real = clock_ns(CLOCK_REALTIME);
	c->wc_sec = real / 1000000000u;
	c->wc_nsec = (uint32_t)(real % 1000000000u);
}

uint64_t pvclock_now(const struct pvclock *c)
{
	uint64_t tsc = __rdtsc() + (uint64_t)c->tsc_offset;

	if (tsc < c->tsc0)
		return 0;
	return pvclock_scale(tsc - c->tsc0, c->mul, c->shift);
}

uint64_t pvclock_to_mono(const struct pvclock *c, uint64_t sys_ns)
{
	return c->mono0 + sys_ns;
}

void pvclock_publish(const struct pvclock *c, struct vcpu_time_info *t)
{
	uint32_t v = __atomic_load_n(&t->version, __ATOMIC_RELAXED);

	/* Odd version: update in progress; the guest retries. */
	__atomic_store_n(&t->version, (v + 1) | 1, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	t->tsc_timestamp = c->tsc0;
	t->system_time = 0;
	t->tsc_to_system_mul = c->mul;
	t->tsc_shift = c->shift;
	t->flags = XEN_PVCLOCK_TSC_STABLE_BIT;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	__atomic_store_n(&t->version, ((v + 1) | 1) + 1, __ATOMIC_RELEASE);
}
