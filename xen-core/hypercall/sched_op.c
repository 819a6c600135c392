/* __HYPERVISOR_sched_op(cmd, arg) and __HYPERVISOR_set_timer_op(timeout). */
#include <sched.h>

#include <pvabi/errno.h>
#include <pvabi/sched.h>
#include <pvhv/domain.h>
#include <pvhv/exits.h>
#include <pvhv/guestcopy.h>

/* Xen's limit on the ports one SCHEDOP_poll may name. */
#define POLL_MAX_PORTS 128

static int64_t sched_block(struct vcpu *v)
{
	struct vcpu_info *vi = __atomic_load_n(&v->vi, __ATOMIC_ACQUIRE);

	/* Blocking enables event delivery, as in Xen. */
	__atomic_store_n(&vi->evtchn_upcall_mask, 0, __ATOMIC_RELEASE);
	/* The run loop parks the vCPU until evtchn_upcall_pending is set
	 * (an event or its timer); it returns at once if already set. */
	__atomic_store_n(&v->blocked, true, __ATOMIC_RELEASE);
	return 0;
}

static int64_t sched_poll(struct vcpu *v, uint64_t arg)
{
	struct sched_poll p;
	int rc = copy_from_guest(v, &p, arg, sizeof(p));

	if (rc)
		return rc;
	if (p.nr_ports > POLL_MAX_PORTS)
		return -XEN_EINVAL;
	rc = copy_from_guest(v, v->poll_ports, p.ports.p,
			     p.nr_ports * sizeof(evtchn_port_t));
	if (rc)
		return rc;
	for (uint32_t i = 0; i < p.nr_ports; i++) {
		if (v->poll_ports[i] >= v->d->ev.max_ports)
			return -XEN_EINVAL;
		if (evtchn_is_pending(&v->d->ev, v->poll_ports[i]))
			return 0;
	}
	v->poll_nr = p.nr_ports;
	v->poll_deadline = p.timeout;
	/* The run loop parks the vCPU; its host timer covers the timeout. */
	__atomic_store_n(&v->polling, true, __ATOMIC_RELEASE);
	return 0;
}

static int64_t sched_shutdown_op(struct vcpu *v, uint64_t arg, bool code_only)
{
	struct sched_shutdown s;
	int rc = copy_from_guest(v, &s, arg, sizeof(s));

	if (rc)
		return rc;
	if (s.reason > SHUTDOWN_MAX)
		return -XEN_EINVAL;
	if (code_only) {
		pthread_mutex_lock(&v->d->lock);
		v->d->shutdown_code = s.reason;
		pthread_mutex_unlock(&v->d->lock);
		return 0;
	}
	switch (s.reason) {
	case SHUTDOWN_suspend:
	case SHUTDOWN_soft_reset:
		vlog_ratelimited(v, LOG_WARN, "sched",
				 "shutdown reason %s not supported: -ENOSYS",
				 shutdown_reason_name(s.reason));
		return -XEN_ENOSYS;
	}
	log_info("sched", "d%uv%u: guest requested %s", v->d->domid, v->id,
		 shutdown_reason_name(s.reason));
	domain_shutdown(v->d, s.reason);
	return 0;
}

int64_t do_sched_op(struct vcpu *v, const uint64_t *a)
{
	uint64_t cmd = a[0], arg = a[1];

	switch (cmd) {
	case SCHEDOP_yield:
		sched_yield();
		return 0;
	case SCHEDOP_block:
		return sched_block(v);
	case SCHEDOP_shutdown:
		return sched_shutdown_op(v, arg, false);
	case SCHEDOP_shutdown_code:
		return sched_shutdown_op(v, arg, true);
	case SCHEDOP_poll:
		return sched_poll(v, arg);
	case SCHEDOP_remote_shutdown:
	case SCHEDOP_pin_override:
		return -XEN_EPERM; /* device models and dom0 only */
	case SCHEDOP_watchdog:
	default:
		return hypercall_unimplemented(v, "sched_op", cmd);
	}
}

/* Timeouts this far ahead are taken as a guest's wrapped arithmetic and
 * fire at once, as Xen does (2^50 ns, about 13 days). */
#define TIMER_TOO_FAR (1ull << 50)

int64_t do_set_timer_op(struct vcpu *v, const uint64_t *a)
{
	uint64_t t = a[0], now;

	/* Absolute system time; 0 stops the timer; the past fires at once. */
	if (t) {
		now = pvclock_now(&v->d->clock);
		if ((int64_t)(t - now) > 0 && t - now >= TIMER_TOO_FAR)
			t = now;
	}
	v->sshot_deadline = t;
	vcpu_timer_update(v);
	return 0;
}
