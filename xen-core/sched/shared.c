/*
 * shared_info and vcpu_info: where they live and how events reach them.
 *
 * Until the guest maps shared_info (XENMEM_add_to_physmap), pvhv keeps
 * the page itself; mapping copies it into the guest frame, which pvhv then
 * reads and writes in place. vcpu_info of vCPUs 0-31 sits in shared_info
 * until the guest registers its own (VCPUOP_register_vcpu_info), which
 * copies it and makes the guest rescan, as Xen does.
 */
#include <string.h>

#include <pvabi/errno.h>
#include <pvhv/domain.h>
#include <pvhv/kvm.h>

static struct domain *ev_domain(struct evtchn_domain *ev)
{
	return ev->owner;
}

static struct shared_info *hook_shared_info(struct evtchn_domain *ev)
{
	return __atomic_load_n(&ev_domain(ev)->si, __ATOMIC_ACQUIRE);
}

static struct vcpu_info *hook_vcpu_info(struct evtchn_domain *ev, uint32_t vcpu)
{
	return __atomic_load_n(&ev_domain(ev)->vcpus[vcpu]->vi,
			       __ATOMIC_ACQUIRE);
}

static void hook_upcall(struct evtchn_domain *ev, uint32_t vcpu)
{
	vcpu_mark_events_pending(ev_domain(ev)->vcpus[vcpu]);
}

static void hook_poll_wake(struct evtchn_domain *ev, evtchn_port_t port)
{
	struct domain *d = ev_domain(ev);

	(void)port; /* pollers re-check their own port lists */
	for (uint32_t i = 0; i < d->nr_vcpus; i++)
		if (__atomic_load_n(&d->vcpus[i]->polling, __ATOMIC_ACQUIRE))
			vcpu_kick(d->vcpus[i]);
}

const struct evtchn_hooks guest_evtchn_hooks = {
    .shared_info = hook_shared_info,
    .vcpu_info = hook_vcpu_info,
    .upcall = hook_upcall,
    .poll_wake = hook_poll_wake,
};

void vcpu_publish_time(struct vcpu *v)
{
	pvclock_publish(&v->d->clock,
			&__atomic_load_n(&v->vi, __ATOMIC_ACQUIRE)->time);
}

/* Repoints vCPUs whose vcpu_info lives in shared_info. Caller holds the
 * event-channel lock. */
static void repoint_legacy_vcpu_info(struct domain *d, struct shared_info *si)
{
	for (uint32_t i = 0; i < d->nr_vcpus && i < XEN_LEGACY_MAX_VCPUS; i++) {
		struct vcpu *v = d->vcpus[i];

		if (v->vi_gpa != GPA_NONE)
			continue;
		__atomic_store_n(&v->vi, &si->vcpu_info[i], __ATOMIC_RELEASE);
	}
}

static void publish_wallclock(struct domain *d, struct shared_info *si)
{
	uint32_t ver = __atomic_load_n(&si->wc_version, __ATOMIC_RELAXED);

	__atomic_store_n(&si->wc_version, (ver + 1) | 1, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	si->wc_sec = (uint32_t)d->clock.wc_sec;
	si->wc_sec_hi = (uint32_t)(d->clock.wc_sec >> 32);
	si->wc_nsec = d->clock.wc_nsec;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	__atomic_store_n(&si->wc_version, ((ver + 1) | 1) + 1,
			 __ATOMIC_RELEASE);
}

int domain_place_pool_page(struct domain *d, gpa_t gpa, uint32_t idx)
{
	uint64_t off;
	int slot, rc;

	rc = guestmem_place_pool_page(&d->mem, gpa, idx, &slot);
	if (rc < 0)
		return rc;
	gpa_to_offset(&d->mem, gpa, &off, NULL);
	rc = kvm_vm_set_slot(d->vmfd, slot, gpa, PAGE_SIZE, d->mem.base + off);
	if (rc < 0)
		guestmem_remove_pool_page(&d->mem, gpa, &slot);
	return rc;
}

void domain_remove_pool_page(struct domain *d, gpa_t gpa)
{
	int slot;

	if (guestmem_remove_pool_page(&d->mem, gpa, &slot) == 0)
		kvm_vm_set_slot(d->vmfd, slot, gpa, 0, NULL);
}

int domain_map_shared_info(struct domain *d, uint64_t gfn)
{
	gpa_t gpa = gfn << PAGE_SHIFT;
	struct shared_info *old, *si;
	bool in_pool = false;

	if (gfn >> (64 - PAGE_SHIFT))
		return -XEN_EINVAL;
	pthread_mutex_lock(&d->lock);
	if (gpa == d->si_gpa) {
		pthread_mutex_unlock(&d->lock);
		return 0;
	}
	si = gpa_to_hva(&d->mem, gpa, PAGE_SIZE, GM_KIND(GM_RAM));
	if (!si) {
		/* A hole (Xen's usual case): back it with pool page 0. */
		if (domain_place_pool_page(d, gpa, 0) < 0) {
			pthread_mutex_unlock(&d->lock);
			return -XEN_EINVAL;
		}
		si = guestmem_pool_page(&d->mem, 0);
		in_pool = true;
	}
	pthread_mutex_lock(&d->ev.lock);
	old = d->si;
	if (si != old)
		memcpy(si, old, PAGE_SIZE);
	if (d->si_in_pool)
		domain_remove_pool_page(d, d->si_gpa); /* the old placement */
	__atomic_store_n(&d->si, si, __ATOMIC_RELEASE);
	d->si_gpa = gpa;
	d->si_in_pool = in_pool;
	repoint_legacy_vcpu_info(d, si);
	publish_wallclock(d, si);
	pthread_mutex_unlock(&d->ev.lock);
	for (uint32_t i = 0; i < d->nr_vcpus && i < XEN_LEGACY_MAX_VCPUS; i++)
		if (d->vcpus[i]->vi_gpa == GPA_NONE)
			vcpu_publish_time(d->vcpus[i]);
	pthread_mutex_unlock(&d->lock);
	return 0;
}

void domain_unmap_shared_info(struct domain *d)
{
	pthread_mutex_lock(&d->lock);
	if (d->si_gpa == GPA_NONE) {
		pthread_mutex_unlock(&d->lock);
		return;
	}
	pthread_mutex_lock(&d->ev.lock);
	memcpy(d->si_own, d->si, PAGE_SIZE);
	if (d->si_in_pool)
		domain_remove_pool_page(d, d->si_gpa);
	__atomic_store_n(&d->si, (struct shared_info *)d->si_own,
			 __ATOMIC_RELEASE);
	d->si_gpa = GPA_NONE;
	d->si_in_pool = false;
	repoint_legacy_vcpu_info(d, d->si);
	pthread_mutex_unlock(&d->ev.lock);
	pthread_mutex_unlock(&d->lock);
}

int vcpu_register_vcpu_info(struct vcpu *v, uint64_t gfn, uint32_t offset)
{
	struct domain *d = v->d;
	struct vcpu_info *nvi, *ovi;

	/* pvhv also wants natural alignment: it updates the fields with
	 * atomic operations, which must not split a cache line. */
	if (offset > PAGE_SIZE - sizeof(struct vcpu_info) || (offset & 7) ||
	    gfn >> (64 - PAGE_SHIFT))
		return -XEN_EINVAL;
	nvi = gpa_to_hva(&d->mem, (gfn << PAGE_SHIFT) + offset, sizeof(*nvi),
			 GM_KIND(GM_RAM));
	if (!nvi)
		return -XEN_EINVAL;
	pthread_mutex_lock(&d->lock);
	if (v->vi_gpa != GPA_NONE || (v != vcpu_current() && !v->down)) {
		/* Once only; on yourself or on a vCPU that is down. */
		pthread_mutex_unlock(&d->lock);
		return -XEN_EINVAL;
	}
	pthread_mutex_lock(&d->ev.lock);
	ovi = v->vi;
	memcpy(nvi, ovi, sizeof(*nvi));
	__atomic_store_n(&v->vi, nvi, __ATOMIC_RELEASE);
	v->vi_gpa = (gfn << PAGE_SHIFT) + offset;
	pthread_mutex_unlock(&d->ev.lock);
	pthread_mutex_unlock(&d->lock);
	vcpu_publish_time(v);
	evtchn_vcpu_info_moved(&d->ev, v->id);
	return 0;
}
