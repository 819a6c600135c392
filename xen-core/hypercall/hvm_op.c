/* __HYPERVISOR_hvm_op(op, arg): HVM parameters, the event upcall vector,
 * time and memory-type queries. Permission rules are Xen's
 * hvm_allow_{get,set}_param for a guest acting on itself. */
#include <pvabi/errno.h>
#include <pvabi/hvm/hvm_op.h>
#include <pvhv/domain.h>
#include <pvhv/exits.h>
#include <pvhv/guestcopy.h>

static bool param_guest_may_set(uint32_t index)
{
	switch (index) {
	case HVM_PARAM_CALLBACK_IRQ:
	case HVM_PARAM_VM86_TSS:
	case HVM_PARAM_VM86_TSS_SIZED:
	case HVM_PARAM_ACPI_IOPORTS_LOCATION:
	case HVM_PARAM_VM_GENERATION_ID_ADDR:
	case HVM_PARAM_STORE_EVTCHN:
	case HVM_PARAM_CONSOLE_EVTCHN:
	case HVM_PARAM_X87_FIP_WIDTH:
		return true;
	default:
		return false;
	}
}

static bool param_deprecated(uint32_t index)
{
	switch (index) {
	case HVM_PARAM_PAE_ENABLED:
	case HVM_PARAM_DM_DOMAIN:
	case HVM_PARAM_MEMORY_EVENT_CR0:
	case HVM_PARAM_MEMORY_EVENT_CR3:
	case HVM_PARAM_MEMORY_EVENT_CR4:
	case HVM_PARAM_MEMORY_EVENT_INT3:
	case HVM_PARAM_NESTEDHVM:
	case HVM_PARAM_MEMORY_EVENT_SINGLE_STEP:
	case HVM_PARAM_BUFIOREQ_EVTCHN:
	case HVM_PARAM_MEMORY_EVENT_MSR:
		return true;
	default:
		return false;
	}
}

static bool param_guest_may_get(uint32_t index)
{
	return param_guest_may_set(index) || index == HVM_PARAM_STORE_PFN ||
	       index == HVM_PARAM_CONSOLE_PFN || index == HVM_PARAM_ALTP2M;
}

/* HVM_PARAM_CALLBACK_IRQ: pvhv has no IOAPIC, so only the vector type
 * (or 0, off) can be delivered; anything else is refused, not ignored. */
static int set_callback_irq(struct vcpu *v, uint64_t value)
{
	struct domain *d = v->d;
	uint64_t type = value >> 56;
	uint8_t vec = (uint8_t)value;

	if (value == 0) {
		__atomic_store_n(&d->callback_vector, 0, __ATOMIC_RELEASE);
		return 0;
	}
	if (type != HVM_PARAM_CALLBACK_TYPE_VECTOR || vec < 0x10) {
		vlog_ratelimited(v, LOG_WARN, "hvm",
				 "callback via %#llx refused: only the vector "
				 "type (2) can be delivered",
				 (unsigned long long)value);
		return -XEN_EINVAL;
	}
	__atomic_store_n(&d->callback_vector, vec, __ATOMIC_RELEASE);
	/* Deliver anything already pending. */
	for (uint32_t i = 0; i < d->nr_vcpus; i++)
		vcpu_kick(d->vcpus[i]);
	return 0;
}

static int64_t hvm_param(struct vcpu *v, uint64_t arg, bool set)
{
	struct domain *d = v->d;
	struct xen_hvm_param p;
	int rc = copy_from_guest(v, &p, arg, sizeof(p));

	if (rc)
		return rc;
	rc = hcall_self_only(v, p.domid);
	if (rc)
		return rc;
	if (p.index >= HVM_NR_PARAMS)
		return -XEN_EINVAL;
	if (set) {
		if (param_deprecated(p.index) || !param_guest_may_set(p.index))
			return -XEN_EPERM;
		if (p.index == HVM_PARAM_CALLBACK_IRQ) {
			rc = set_callback_irq(v, p.value);
			if (rc)
				return rc;
		}
		pthread_mutex_lock(&d->lock);
		d->hvm_param[p.index] = p.value;
		pthread_mutex_unlock(&d->lock);
		return 0;
	}
	if (param_deprecated(p.index))
		return -XEN_ENODATA;
	if (!param_guest_may_get(p.index))
		return -XEN_EPERM;
	pthread_mutex_lock(&d->lock);
	p.value = d->hvm_param[p.index];
	pthread_mutex_unlock(&d->lock);
	return copy_to_guest(v, arg, &p, sizeof(p));
}

static int64_t hvm_upcall_vector(struct vcpu *v, uint64_t arg)
{
	struct xen_hvm_evtchn_upcall_vector u;
	struct vcpu *t;
	struct vcpu_info *vi;
	int rc = copy_from_guest(v, &u, arg, sizeof(u));

	if (rc)
		return rc;
	if (u.vector < 0x10)
		return -XEN_EINVAL;
	if (u.vcpu >= v->d->nr_vcpus)
		return -XEN_ENOENT;
	t = v->d->vcpus[u.vcpu];
	__atomic_store_n(&t->upcall_vector, u.vector, __ATOMIC_RELEASE);
	vi = __atomic_load_n(&t->vi, __ATOMIC_ACQUIRE);
	if (__atomic_load_n(&vi->evtchn_upcall_pending, __ATOMIC_ACQUIRE))
		vcpu_mark_events_pending(t);
	return 0;
}

static int64_t hvm_get_mem_type(struct vcpu *v, uint64_t arg)
{
	struct xen_hvm_get_mem_type m;
	enum gm_kind kind;
	uint64_t off;
	int rc = copy_from_guest(v, &m, arg, sizeof(m));

	if (rc)
		return rc;
	rc = hcall_self_only(v, m.domid);
	if (rc)
		return rc;
	if (m.pfn >> (64 - PAGE_SHIFT))
		return -XEN_EINVAL;
	rc = gpa_to_offset(&v->d->mem, m.pfn << PAGE_SHIFT, &off, &kind);
	m.mem_type = rc == 0 ? HVMMEM_ram_rw : HVMMEM_mmio_dm;
	return copy_to_guest(v, arg, &m, sizeof(m));
}

int64_t do_hvm_op(struct vcpu *v, const uint64_t *a)
{
	uint64_t op = a[0], arg = a[1];

	switch (op) {
	case HVMOP_set_param:
		return hvm_param(v, arg, true);
	case HVMOP_get_param:
		return hvm_param(v, arg, false);
	case HVMOP_set_evtchn_upcall_vector:
		return hvm_upcall_vector(v, arg);
	case HVMOP_get_time: {
		struct xen_hvm_get_time t = {.now = pvclock_now(&v->d->clock)};

		return copy_to_guest(v, arg, &t, sizeof(t));
	}
	case HVMOP_get_mem_type:
		return hvm_get_mem_type(v, arg);
	default:
		return hypercall_unimplemented(v, "hvm_op", op);
	}
}
