/* __HYPERVISOR_event_channel_op(cmd, arg): the guest side of the event
 * channel ops. Argument copying, domid rules and peer lookup happen here;
 * the state machine is evtchn/evtchn.c. */
#include <pvabi/errno.h>
#include <pvhv/domain.h>
#include <pvhv/exits.h>
#include <pvhv/guestcopy.h>

/* Resolves a remote domid for bind_interdomain (any domain may be named:
 * the remote port's owner decides who may bind). Caller holds
 * domains_lock. */
static struct evtchn_domain *remote_table(struct vcpu *v, domid_t dom)
{
	if (dom == DOMID_SELF || dom == v->d->domid)
		return &v->d->ev;
	return evtchn_lookup(dom);
}

static int64_t ev_alloc_unbound(struct vcpu *v, uint64_t arg)
{
	struct evtchn_alloc_unbound x;
	int rc = copy_from_guest(v, &x, arg, sizeof(x));

	if (rc)
		return rc;
	rc = hcall_self_only_locked(v, x.dom);
	if (rc)
		return rc;
	if (x.remote_dom == DOMID_SELF)
		x.remote_dom = (domid_t)v->d->domid;
	rc = evtchn_alloc_unbound(&v->d->ev, x.remote_dom, &x.port);
	if (rc)
		return rc;
	return copy_to_guest(v, arg, &x, sizeof(x));
}

static int64_t ev_bind_interdomain(struct vcpu *v, uint64_t arg)
{
	struct evtchn_bind_interdomain x;
	struct evtchn_domain *rev;
	int rc = copy_from_guest(v, &x, arg, sizeof(x));

	if (rc)
		return rc;
	rev = remote_table(v, x.remote_dom);
	if (!rev)
		return -XEN_ESRCH;
	rc = evtchn_bind_interdomain(&v->d->ev, rev, x.remote_port,
				     &x.local_port);
	if (rc)
		return rc;
	return copy_to_guest(v, arg, &x, sizeof(x));
}

static int64_t ev_bind_virq(struct vcpu *v, uint64_t arg)
{
	struct evtchn_bind_virq x;
	int rc = copy_from_guest(v, &x, arg, sizeof(x));

	if (rc)
		return rc;
	rc = evtchn_bind_virq(&v->d->ev, x.virq, x.vcpu, &x.port);
	if (rc)
		return rc;
	if (x.virq == VIRQ_TIMER)
		vcpu_timer_update(v->d->vcpus[x.vcpu]);
	return copy_to_guest(v, arg, &x, sizeof(x));
}

static int64_t ev_bind_ipi(struct vcpu *v, uint64_t arg)
{
	struct evtchn_bind_ipi x;
	int rc = copy_from_guest(v, &x, arg, sizeof(x));

	if (rc)
		return rc;
	rc = evtchn_bind_ipi(&v->d->ev, x.vcpu, &x.port);
	if (rc)
		return rc;
	return copy_to_guest(v, arg, &x, sizeof(x));
}

static int64_t ev_status(struct vcpu *v, uint64_t arg)
{
	struct evtchn_status x;
	int rc = copy_from_guest(v, &x, arg, sizeof(x));

	if (rc)
		return rc;
	rc = hcall_self_only_locked(v, x.dom);
	if (rc)
		return rc;
	rc = evtchn_status(&v->d->ev, x.port, &x);
	if (rc)
		return rc;
	return copy_to_guest(v, arg, &x, sizeof(x));
}

/* Ops whose argument is one port (close, send, unmask). */
static int64_t ev_port_op(struct vcpu *v, uint64_t cmd, uint64_t arg)
{
	evtchn_port_t port;
	int rc = copy_from_guest(v, &port, arg, sizeof(port));

	if (rc)
		return rc;
	switch (cmd) {
	case EVTCHNOP_close:
		return evtchn_close(&v->d->ev, port);
	case EVTCHNOP_send:
		return evtchn_send(&v->d->ev, port);
	default:
		return evtchn_unmask(&v->d->ev, port);
	}
}

static int64_t ev_dispatch(struct vcpu *v, uint64_t cmd, uint64_t arg)
{
	switch (cmd) {
	case EVTCHNOP_alloc_unbound:
		return ev_alloc_unbound(v, arg);
	case EVTCHNOP_bind_interdomain:
		return ev_bind_interdomain(v, arg);
	case EVTCHNOP_bind_virq:
		return ev_bind_virq(v, arg);
	case EVTCHNOP_bind_ipi:
		return ev_bind_ipi(v, arg);
	case EVTCHNOP_close:
	case EVTCHNOP_send:
	case EVTCHNOP_unmask:
		return ev_port_op(v, cmd, arg);
	case EVTCHNOP_status:
		return ev_status(v, arg);
	case EVTCHNOP_bind_vcpu: {
		struct evtchn_bind_vcpu x;
		int rc = copy_from_guest(v, &x, arg, sizeof(x));

		return rc ? rc : evtchn_bind_vcpu(&v->d->ev, x.port, x.vcpu);
	}
	case EVTCHNOP_reset: {
		struct evtchn_reset x;
		int rc = copy_from_guest(v, &x, arg, sizeof(x));

		if (!rc)
			rc = hcall_self_only_locked(v, x.dom);
		return rc ? rc : evtchn_reset(&v->d->ev);
	}
	case EVTCHNOP_set_priority: {
		struct evtchn_set_priority x;
		int rc = copy_from_guest(v, &x, arg, sizeof(x));

		return rc ? rc
			  : evtchn_set_priority(&v->d->ev, x.port, x.priority);
	}
	case EVTCHNOP_bind_pirq:
		return -XEN_EINVAL; /* no physical IRQs in a pvhv domain */
	case EVTCHNOP_init_control:
	case EVTCHNOP_expand_array:
		/* FIFO ABI: not implemented; guests fall back to 2-level. */
		return -XEN_ENOSYS;
	default:
		return hypercall_unimplemented(v, "event_channel_op", cmd);
	}
}

int64_t do_event_channel_op(struct vcpu *v, const uint64_t *a)
{
	int64_t rc;

	/* Peers are looked up and used under the domain table lock, so a
	 * peer being destroyed waits for this call to finish. */
	pthread_rwlock_rdlock(&domains_lock);
	rc = ev_dispatch(v, a[0], a[1]);
	pthread_rwlock_unlock(&domains_lock);
	return rc;
}
