/* __HYPERVISOR_vcpu_op(cmd, vcpuid, arg): vCPU bring-up, timers, and
 * where the guest wants its per-vCPU data. */
#include <string.h>

#include <pvabi/errno.h>
#include <pvabi/sched.h>
#include <pvabi/vcpu.h>
#include <pvhv/domain.h>
#include <pvhv/exits.h>
#include <pvhv/guestcopy.h>

/* Xen's bounds on a periodic timer: at least 1 ms, at most ~2^62 ns. */
#define PERIOD_MIN_NS 1000000ull
#define PERIOD_MAX_NS (1ull << 62)

static int64_t vcpu_initialise_op(struct vcpu *v, struct vcpu *t, uint64_t arg)
{
	struct vcpu_hvm_context ctx;
	int rc = copy_from_guest(v, &ctx, arg, sizeof(ctx));

	if (rc)
		return rc;
	if (ctx.mode != VCPU_HVM_MODE_32B && ctx.mode != VCPU_HVM_MODE_64B)
		return -XEN_EINVAL;
	if (ctx.pad)
		return -XEN_EINVAL; /* as Xen */
	if (t == v)
		return -XEN_EEXIST; /* running, so initialised */
	return vcpu_initialise(t, &ctx);
}

static int64_t vcpu_up(struct vcpu *t)
{
	struct domain *d = t->d;

	pthread_mutex_lock(&d->lock);
	if (!t->initialised) {
		pthread_mutex_unlock(&d->lock);
		return -XEN_EINVAL;
	}
	__atomic_store_n(&t->down, false, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&d->lock);
	vcpu_kick(t);
	return 0;
}

static int64_t vcpu_down(struct vcpu *t)
{
	struct domain *d = t->d;
	uint32_t up = 0;

	pthread_mutex_lock(&d->lock);
	for (uint32_t i = 0; i < d->nr_vcpus; i++)
		up += !d->vcpus[i]->down;
	/* The last running vCPU going down powers the domain off, as in
	 * Xen (nothing could ever bring a vCPU back up). */
	if (up <= 1 && !t->down) {
		pthread_mutex_unlock(&d->lock);
		log_info("vcpu", "d%u: last vCPU went down: powering off",
			 d->domid);
		domain_shutdown(d, SHUTDOWN_poweroff);
		return 0;
	}
	__atomic_store_n(&t->down, true, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&d->lock);
	vcpu_kick(t);
	return 0;
}

static int64_t vcpu_runstate_info(struct vcpu *v, struct vcpu *t, uint64_t arg)
{
	struct vcpu_runstate_info info;

	vcpu_runstate_get(t, &info);
	return copy_to_guest(v, arg, &info, sizeof(info));
}

static int64_t vcpu_periodic(struct vcpu *v, struct vcpu *t, uint64_t arg)
{
	struct vcpu_set_periodic_timer p;
	int rc = copy_from_guest(v, &p, arg, sizeof(p));

	if (rc)
		return rc;
	if (p.period_ns < PERIOD_MIN_NS || p.period_ns > PERIOD_MAX_NS)
		return -XEN_EINVAL;
	/* t may be another vCPU, running: its thread restarts the period. */
	__atomic_store_n(&t->periodic_period, p.period_ns, __ATOMIC_RELEASE);
	__atomic_store_n(&t->periodic_restart, true, __ATOMIC_RELEASE);
	vcpu_timer_update(t);
	return 0;
}

static int64_t vcpu_singleshot(struct vcpu *v, uint64_t arg)
{
	struct vcpu_set_singleshot_timer s;
	int rc = copy_from_guest(v, &s, arg, sizeof(s));

	if (rc)
		return rc;
	if ((s.flags & VCPU_SSHOTTMR_future) &&
	    s.timeout_abs_ns < pvclock_now(&v->d->clock))
		return -XEN_ETIME;
	v->sshot_deadline = s.timeout_abs_ns ? s.timeout_abs_ns : 1;
	vcpu_timer_update(v);
	return 0;
}

static int64_t vcpu_time_area(struct vcpu *v, uint64_t arg)
{
	struct vcpu_register_time_memory_area area;
	struct vcpu_time_info t = {0};
	int rc = copy_from_guest(v, &area, arg, sizeof(area));

	if (rc)
		return rc;
	/* pvhv's clock parameters never change, so one write is enough. */
	pvclock_publish(&v->d->clock, &t);
	return copy_to_guest(v, area.addr.v, &t, sizeof(t));
}

int64_t do_vcpu_op(struct vcpu *v, const uint64_t *a)
{
	uint64_t cmd = a[0], id = a[1], arg = a[2];
	struct vcpu *t;

	if (id >= v->d->nr_vcpus)
		return -XEN_ENOENT;
	t = v->d->vcpus[id];
	switch (cmd) {
	case VCPUOP_initialise:
		return vcpu_initialise_op(v, t, arg);
	case VCPUOP_up:
		return vcpu_up(t);
	case VCPUOP_down:
		return vcpu_down(t);
	case VCPUOP_is_up:
		return !__atomic_load_n(&t->down, __ATOMIC_ACQUIRE);
	case VCPUOP_get_runstate_info:
		return vcpu_runstate_info(v, t, arg);
	case VCPUOP_register_runstate_memory_area: {
		struct vcpu_register_runstate_memory_area r;
		int rc = copy_from_guest(v, &r, arg, sizeof(r));

		if (rc)
			return rc;
		__atomic_store_n(&t->runstate_gva, r.addr.v, __ATOMIC_RELEASE);
		if (t == v)
			vcpu_runstate_publish(v);
		return 0;
	}
	case VCPUOP_set_periodic_timer:
		return vcpu_periodic(v, t, arg);
	case VCPUOP_stop_periodic_timer:
		__atomic_store_n(&t->periodic_period, 0, __ATOMIC_RELEASE);
		__atomic_store_n(&t->periodic_restart, true, __ATOMIC_RELEASE);
		vcpu_timer_update(t);
		return 0;
	case VCPUOP_set_singleshot_timer:
		return t == v ? vcpu_singleshot(v, arg) : -XEN_EINVAL;
	case VCPUOP_stop_singleshot_timer:
		if (t != v)
			return -XEN_EINVAL;
		v->sshot_deadline = 0;
		vcpu_timer_update(v);
		return 0;
	case VCPUOP_register_vcpu_info: {
		struct vcpu_register_vcpu_info r;
		int rc = copy_from_guest(v, &r, arg, sizeof(r));

		if (rc)
			return rc;
		return vcpu_register_vcpu_info(t, r.mfn, r.offset);
	}
	case VCPUOP_register_vcpu_time_memory_area:
		return vcpu_time_area(v, arg);
	case VCPUOP_get_physid:
		return -XEN_EINVAL; /* dom0's pinned vCPUs only */
	default:
		return hypercall_unimplemented(v, "vcpu_op", cmd);
	}
}
