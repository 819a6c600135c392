/*
 * Domain life cycle: build, pause/unpause, shutdown, destroy, and the
 * table of live domains. Every lifecycle action except the guest's own
 * shutdown request runs on the main thread.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pvabi/errno.h>
#include <pvabi/pvhv.h>
#include <pvabi/sched.h>
#include <pvabi/vcpu.h>
#include <pvhv/control.h>
#include <pvhv/cpuid.h>
#include <pvhv/domain.h>
#include <pvhv/exits.h>
#include <pvhv/kvm.h>
#include <pvhv/pvh.h>

pthread_rwlock_t domains_lock;
static struct domain *domains;
static uint32_t next_domid = 1;
static int service_fd = -1;

const char *shutdown_reason_name(uint32_t reason)
{
	static const char *const names[] = {
	    "poweroff", "reboot", "suspend", "crash", "watchdog", "soft_reset"};

	return reason < ARRAY_SIZE(names) ? names[reason] : "unknown";
}

const char *dom_action_name(enum dom_action a)
{
	switch (a) {
	case DOM_ACTION_DESTROY:
		return "destroy";
	case DOM_ACTION_RESTART:
		return "restart";
	default:
		return "preserve";
	}
}

/* Any domain holding the id, built or still being built. */
static struct domain *domain_find(uint32_t domid)
{
	for (struct domain *d = domains; d; d = d->next)
		if (d->domid == domid)
			return d;
	return NULL;
}

/* Only fully built domains: one being built has its id reserved but its
 * event-channel and grant tables are not ready for other domains. */
struct domain *domain_lookup(uint32_t domid)
{
	struct domain *d = domain_find(domid);

	return d && d->built ? d : NULL;
}

static struct evtchn_domain *lookup_evtchn(uint16_t domid)
{
	struct domain *d = domain_lookup(domid);

	return d ? &d->ev : control_dom0_evtchn(domid);
}

void domain_foreach(void (*fn)(struct domain *d, void *arg), void *arg)
{
	pthread_rwlock_rdlock(&domains_lock);
	for (struct domain *d = domains; d; d = d->next)
		fn(d, arg);
	pthread_rwlock_unlock(&domains_lock);
}

int hcall_self_only_locked(struct vcpu *v, uint16_t domid)
{
	if (domid == DOMID_SELF || domid == v->d->domid)
		return 0;
	return domain_lookup(domid) || domid == 0 ? -XEN_EPERM : -XEN_ESRCH;
}

int hcall_self_only(struct vcpu *v, uint16_t domid)
{
	int rc;

	if (domid == DOMID_SELF || domid == v->d->domid)
		return 0;
	pthread_rwlock_rdlock(&domains_lock);
	rc = hcall_self_only_locked(v, domid);
	pthread_rwlock_unlock(&domains_lock);
	return rc;
}

/* ---------------------------------------------------------- service */

int domain_service_fd(void)
{
	if (service_fd < 0) {
		pthread_rwlockattr_t a;

		pthread_rwlockattr_init(&a);
		pthread_rwlockattr_setkind_np(
		    &a, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
		pthread_rwlock_init(&domains_lock, &a);
		pthread_rwlockattr_destroy(&a);
		service_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		evtchn_lookup = lookup_evtchn;
	}
	return service_fd;
}

void domain_request_service(struct domain *d, uint32_t what)
{
	uint64_t one = 1;

	if (__atomic_fetch_or(&d->service, what, __ATOMIC_SEQ_CST) & what)
		return; /* already asked */
	if (write(service_fd, &one, sizeof(one)) < 0)
		return; /* counter saturated: a wake-up is pending anyway */
}

/* ---------------------------------------------------------- pausing */

static void domain_kick_all(struct domain *d)
{
	for (uint32_t i = 0; i < d->nr_vcpus; i++)
		vcpu_kick(d->vcpus[i]);
}

int domain_pause(struct domain *d)
{
	__atomic_add_fetch(&d->pause_count, 1, __ATOMIC_SEQ_CST);
	domain_kick_all(d);
	/* Synchronous, as Xen's domain_pause(): no vCPU runs on return. */
	pthread_mutex_lock(&d->lock);
	for (;;) {
		uint32_t i;

		for (i = 0; i < d->nr_vcpus; i++)
			if (!d->vcpus[i]->quiescent)
				break;
		if (i == d->nr_vcpus)
			break;
		pthread_cond_wait(&d->cond, &d->lock);
	}
	pthread_mutex_unlock(&d->lock);
	return 0;
}

int domain_unpause(struct domain *d)
{
	uint32_t n = __atomic_load_n(&d->pause_count, __ATOMIC_SEQ_CST);

	do {
		if (n == 0)
			return -EINVAL;
	} while (!__atomic_compare_exchange_n(&d->pause_count, &n, n - 1, false,
					      __ATOMIC_SEQ_CST,
					      __ATOMIC_SEQ_CST));
	if (n == 1)
		domain_kick_all(d);
	return 0;
}

/* ---------------------------------------------------------- shutdown */

void domain_shutdown(struct domain *d, uint32_t reason)
{
	bool first = false;

	pthread_mutex_lock(&d->lock);
	if (d->state == DOM_RUNNING) {
		/* A code set earlier with SCHEDOP_shutdown_code wins. */
		if (d->shutdown_code == SHUTDOWN_CODE_NONE)
			d->shutdown_code = reason;
		__atomic_store_n(&d->state, DOM_SHUTDOWN, __ATOMIC_RELEASE);
		first = true;
	}
	pthread_mutex_unlock(&d->lock);
	if (!first)
		return;
	domain_kick_all(d);
	control_domain_exception();
	domain_request_service(d, DOM_SERVICE_SHUTDOWN);
}

void domain_crash(struct vcpu *v, const char *why)
{
	log_err("domain", "d%uv%u: crashed: %s", v->d->domid, v->id, why);
	console_write(&v->d->cons, "\r\n[pvhv: domain crashed: ", 25);
	console_write(&v->d->cons, why, strlen(why));
	console_write(&v->d->cons, "]\r\n", 3);
	domain_request_service(v->d, DOM_SERVICE_CONSOLE);
	domain_shutdown(v->d, SHUTDOWN_crash);
}

/* ---------------------------------------------------------- building */

static int read_image(int fd, uint64_t max, void **buf, size_t *len,
		      const char *what, char *why, size_t whylen)
{
	struct stat st;
	uint8_t *p;
	size_t done = 0;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(why, whylen, "%s is not a regular file", what);
		return -EINVAL;
	}
	if ((uint64_t)st.st_size > max) {
		snprintf(why, whylen, "%s is larger than %llu MiB", what,
			 (unsigned long long)(max >> 20));
		return -EFBIG;
	}
	p = malloc((size_t)st.st_size + 1);
	if (!p)
		return -ENOMEM;
	while (done < (size_t)st.st_size) {
		ssize_t n =
		    pread(fd, p + done, (size_t)st.st_size - done, (off_t)done);

		if (n <= 0) {
			snprintf(why, whylen, "cannot read %s: %s", what,
				 n < 0 ? strerror(errno) : "short file");
			free(p);
			return n < 0 ? -errno : -EIO;
		}
		done += (size_t)n;
	}
	*buf = p;
	*len = done;
	return 0;
}

static int domain_map_memory(struct domain *d)
{
	for (uint32_t i = 0; i < d->mem.nr; i++) {
		struct gm_region *r = &d->mem.r[i];
		int rc = kvm_vm_set_slot(d->vmfd, r->slot, r->gpa, r->size,
					 d->mem.base + r->offset);

		if (rc < 0)
			return rc;
	}
	return 0;
}

/* All vCPUs share vCPU 0's TSC offset so that one pvclock fits all. */
static int domain_sync_tsc(struct domain *d)
{
	int64_t off = 0;
	uint64_t guest, host;

	if (kvm_vcpu_get_tsc_offset(d->vcpus[0]->fd, &off) == 0) {
		for (uint32_t i = 1; i < d->nr_vcpus; i++)
			kvm_vcpu_set_tsc_offset(d->vcpus[i]->fd, off);
	} else if (kvm_vcpu_read_tsc(d->vcpus[0]->fd, &guest, &host) == 0) {
		off = (int64_t)(guest - host); /* KVM syncs new vCPUs */
	} else {
		return -EIO;
	}
	pvclock_init(&d->clock, off, kvm_host.tsc_khz);
	return 0;
}

static int vcpu_create(struct domain *d, uint32_t id)
{
	struct vcpu *v = calloc(1, sizeof(*v));
	struct kvm_cpuid2 *cpuid;
	int rc;

	if (!v)
		return -ENOMEM;
	d->vcpus[id] = v;
	v->d = d;
	v->id = id;
	v->fd = -1;
	pthread_mutex_init(&v->runstate_lock, NULL);
	v->runstate = RUNSTATE_offline;
	v->down = id != 0;
	v->initialised = id == 0;
	v->vi = id < XEN_LEGACY_MAX_VCPUS
		    ? &((struct shared_info *)d->si_own)->vcpu_info[id]
		    : &v->dummy_vi;
	v->vi_gpa = GPA_NONE;
	rc = kvm_vcpu_create(d->vmfd, id, &v->fd, &v->run);
	if (rc < 0)
		return rc;
	if (!kvm_host.tsc_khz)
		kvm_host.tsc_khz = kvm_vcpu_get_tsc_khz(v->fd);
	cpuid = cpuid_build(kvm_host.cpuid, d->domid, id, d->nr_vcpus,
			    kvm_host.tsc_khz);
	if (!cpuid)
		return -ENOMEM;
	rc = kvm_vcpu_set_cpuid(v->fd, cpuid);
	free(cpuid);
	if (rc < 0)
		return rc;
	/* Legacy callback vectors arrive as ExtINT through LINT0. */
	return kvm_vcpu_lint0_extint(v->fd);
}

static int domain_alloc(const struct dom_config *cfg, struct domain **out)
{
	struct domain *d = calloc(1, sizeof(*d));

	if (!d)
		return -ENOMEM;
	d->cfg = *cfg;
	d->cfg.cmdline = strdup(cfg->cmdline ? cfg->cmdline : "");
	d->cfg.kernel_fd = dup(cfg->kernel_fd);
	d->cfg.ramdisk_fd = cfg->ramdisk_fd >= 0 ? dup(cfg->ramdisk_fd) : -1;
	d->vmfd = -1;
	d->mem.memfd = -1;
	d->nr_vcpus = cfg->max_vcpus;
	d->shutdown_code = SHUTDOWN_CODE_NONE;
	d->pause_count = 1; /* built paused */
	d->created_ns = now_ns();
	d->rl = (struct ratelimit)RATELIMIT_INIT(5000, 20);
	pthread_mutex_init(&d->lock, NULL);
	pthread_cond_init(&d->cond, NULL);
	d->si_own = aligned_alloc(PAGE_SIZE, PAGE_SIZE);
	*out = d;
	if (!d->cfg.cmdline || d->cfg.kernel_fd < 0 || !d->si_own)
		return -ENOMEM;
	memset(d->si_own, 0, PAGE_SIZE);
	d->si = d->si_own;
	d->si_gpa = GPA_NONE;
	return console_init(&d->cons);
}

static void domain_free(struct domain *d)
{
	for (uint32_t i = 0; i < d->nr_vcpus; i++) {
		struct vcpu *v = d->vcpus[i];

		if (!v)
			continue;
		kvm_vcpu_close(v->fd, v->run);
		pthread_mutex_destroy(&v->runstate_lock);
		free(v);
	}
	if (d->ev.port)
		evtchn_fini(&d->ev);
	gnttab_fini(&d->gt);
	if (d->vmfd >= 0)
		close(d->vmfd);
	guestmem_fini(&d->mem);
	console_fini(&d->cons);
	if (d->cfg.kernel_fd >= 0)
		close(d->cfg.kernel_fd);
	if (d->cfg.ramdisk_fd >= 0)
		close(d->cfg.ramdisk_fd);
	free(d->cfg.cmdline);
	free(d->si_own);
	pthread_mutex_destroy(&d->lock);
	pthread_cond_destroy(&d->cond);
	free(d);
}

static uint32_t domid_alloc(void)
{
	for (uint32_t tries = 0; tries < DOMID_FIRST_RESERVED; tries++) {
		uint32_t id = next_domid++;

		if (next_domid >= DOMID_FIRST_RESERVED)
			next_domid = 1;
		if (!domain_find(id))
			return id;
	}
	return 0;
}

/* Store and console event channels: unbound ports dom0 will bind, as the
 * Xen toolstack creates them. */
static int domain_magic_pages(struct domain *d)
{
	evtchn_port_t store, cons;
	int rc;

	rc = evtchn_alloc_unbound(&d->ev, 0, &store);
	if (!rc)
		rc = evtchn_alloc_unbound(&d->ev, 0, &cons);
	if (rc)
		return -ENOSPC;
	d->hvm_param[HVM_PARAM_STORE_PFN] =
	    (PV_SPECIAL_BASE >> PAGE_SHIFT) + PV_SPECIAL_XENSTORE;
	d->hvm_param[HVM_PARAM_STORE_EVTCHN] = store;
	d->hvm_param[HVM_PARAM_CONSOLE_PFN] =
	    (PV_SPECIAL_BASE >> PAGE_SHIFT) + PV_SPECIAL_CONSOLE;
	d->hvm_param[HVM_PARAM_CONSOLE_EVTCHN] = cons;
	return 0;
}

static int domain_build(struct domain *d, char *why, size_t whylen)
{
	void *kernel = NULL, *ramdisk = NULL;
	size_t klen = 0, rdlen = 0;
	struct vcpu_start_regs regs;
	uint32_t ports = MIN(d->cfg.max_event_channels + 1, EVTCHN_2L_NR_PORTS);
	char name[80];
	int rc;

	snprintf(name, sizeof(name), "pvhv-d%u-%s", d->domid, d->cfg.name);
	rc = guestmem_init(&d->mem, d->cfg.memory_mib << 20,
			   1 + d->cfg.max_grant_frames, name);
	if (rc < 0) {
		snprintf(why, whylen,
			 "cannot allocate %llu MiB of guest memory: %s",
			 (unsigned long long)d->cfg.memory_mib, strerror(-rc));
		return rc;
	}
	rc = kvm_vm_create(&d->vmfd);
	if (rc == 0)
		rc = domain_map_memory(d);
	if (rc < 0) {
		snprintf(why, whylen, "KVM: cannot create the VM: %s",
			 strerror(-rc));
		return rc;
	}
	for (uint32_t i = 0; i < d->nr_vcpus; i++) {
		rc = vcpu_create(d, i);
		if (rc < 0) {
			snprintf(why, whylen, "KVM: cannot create vCPU %u: %s",
				 i, strerror(-rc));
			return rc;
		}
	}
	rc = domain_sync_tsc(d);
	if (rc == 0)
		rc = evtchn_init(&d->ev, (uint16_t)d->domid, ports, d->nr_vcpus,
				 &guest_evtchn_hooks, d);
	if (rc == 0)
		rc = gnttab_init(&d->gt, d->cfg.max_grant_frames);
	if (rc == 0)
		gnttab_attach(d);
	if (rc == 0)
		rc = domain_magic_pages(d);
	if (rc != 0) {
		snprintf(why, whylen,
			 "cannot set up the domain's clock and "
			 "event channels");
		return rc < 0 ? rc : -ENOMEM;
	}
	rc = read_image(d->cfg.kernel_fd, PVH_KERNEL_MAX, &kernel, &klen,
			"kernel", why, whylen);
	if (rc == 0 && d->cfg.ramdisk_fd >= 0)
		rc = read_image(d->cfg.ramdisk_fd, PVH_RAMDISK_MAX, &ramdisk,
				&rdlen, "ramdisk", why, whylen);
	if (rc == 0)
		rc = pvh_build(d, kernel, klen, ramdisk, rdlen, d->cfg.cmdline,
			       &regs, why, whylen);
	free(kernel);
	free(ramdisk);
	if (rc == 0) {
		rc = kvm_vcpu_set_start_regs(d->vcpus[0]->fd, &regs);
		if (rc < 0)
			snprintf(why, whylen, "KVM: cannot set vCPU 0 up: %s",
				 strerror(-rc));
	}
	return rc;
}

int domain_create(const struct dom_config *cfg, struct domain **out, char *why,
		  size_t whylen)
{
	struct domain *d = NULL;
	int rc;

	snprintf(why, whylen, "out of memory");
	if (cfg->max_vcpus < 1 || cfg->max_vcpus > PV_MAX_VCPUS ||
	    cfg->max_vcpus > (uint32_t)kvm_host.max_vcpus) {
		snprintf(why, whylen, "%u vCPUs: pvhv supports 1 to %d here",
			 cfg->max_vcpus, MIN(PV_MAX_VCPUS, kvm_host.max_vcpus));
		return -EINVAL;
	}
	rc = domain_alloc(cfg, &d);
	if (rc < 0)
		goto err;
	pthread_rwlock_wrlock(&domains_lock);
	d->domid = domid_alloc();
	if (d->domid == 0) {
		pthread_rwlock_unlock(&domains_lock);
		snprintf(why, whylen, "no free domain id");
		rc = -ENOSPC;
		goto err;
	}
	d->next = domains; /* reserve the id; vCPUs start paused */
	domains = d;
	pthread_rwlock_unlock(&domains_lock);

	rc = domain_build(d, why, whylen);
	for (uint32_t i = 0; rc == 0 && i < d->nr_vcpus; i++) {
		rc = vcpu_start_thread(d->vcpus[i]);
		if (rc < 0)
			snprintf(why, whylen, "cannot start vCPU thread: %s",
				 strerror(-rc));
	}
	if (rc < 0) {
		domain_destroy(d);
		return rc;
	}
	pthread_rwlock_wrlock(&domains_lock);
	d->built = true; /* now visible to lookups */
	pthread_rwlock_unlock(&domains_lock);
	control_domain_created(d);
	log_info("domain", "d%u (%s) built: %llu MiB, %u vCPUs", d->domid,
		 d->cfg.name, (unsigned long long)d->cfg.memory_mib,
		 d->nr_vcpus);
	*out = d;
	return 0;
err:
	if (d)
		domain_free(d);
	return rc;
}

static void domain_unlink(struct domain *d)
{
	pthread_rwlock_wrlock(&domains_lock);
	for (struct domain **p = &domains; *p; p = &(*p)->next) {
		if (*p == d) {
			*p = d->next;
			break;
		}
	}
	pthread_rwlock_unlock(&domains_lock);
}

void domain_destroy(struct domain *d)
{
	domain_unlink(d);
	__atomic_store_n(&d->state, DOM_DYING, __ATOMIC_RELEASE);
	vcpu_stop_threads(d);
	control_domain_gone(d);
	/* Peers' ports turn unbound; they may be looking us up right now. */
	pthread_rwlock_rdlock(&domains_lock);
	if (d->ev.port)
		evtchn_fini(&d->ev);
	pthread_rwlock_unlock(&domains_lock);
	control_domain_exception();
	if (d->built)
		log_info("domain", "d%u (%s) destroyed", d->domid, d->cfg.name);
	domain_free(d);
}

static enum dom_action domain_action_for(struct domain *d, uint32_t code)
{
	switch (code) {
	case SHUTDOWN_poweroff:
		return d->cfg.on_poweroff;
	case SHUTDOWN_reboot:
		return d->cfg.on_reboot;
	case SHUTDOWN_watchdog:
		return d->cfg.on_watchdog;
	default:
		return d->cfg.on_crash;
	}
}

/* A restart that keeps failing within a second stops being restarted. */
#define RESTART_STORM 10

static bool restart_storm(struct domain *d)
{
	return now_ns() - d->created_ns < 1000000000ull &&
	       d->restarts + 1 >= RESTART_STORM;
}

static void domain_restart(struct domain *d)
{
	struct dom_config cfg = d->cfg;
	uint32_t old = d->domid, restarts = d->restarts + 1;
	bool fast = now_ns() - d->created_ns < 1000000000ull;
	struct domain *nd;
	char why[256];
	int rc;

	cfg.cmdline = strdup(d->cfg.cmdline);
	cfg.kernel_fd = dup(d->cfg.kernel_fd);
	cfg.ramdisk_fd = d->cfg.ramdisk_fd >= 0 ? dup(d->cfg.ramdisk_fd) : -1;
	domain_destroy(d);
	rc = domain_create(&cfg, &nd, why, sizeof(why));
	if (rc == 0) {
		nd->restarts = fast ? restarts : 0;
		control_domain_restarted(old, nd);
		domain_unpause(nd);
	} else {
		log_err("domain", "restart of d%u (%s) failed: %s", old,
			cfg.name, why);
	}
	free(cfg.cmdline);
	close(cfg.kernel_fd);
	if (cfg.ramdisk_fd >= 0)
		close(cfg.ramdisk_fd);
}

static void domain_act(struct domain *d)
{
	uint32_t code = d->shutdown_code;
	enum dom_action act = domain_action_for(d, code);

	if (act == DOM_ACTION_RESTART && restart_storm(d)) {
		log_err("domain",
			"d%u (%s) restarted %u times in quick "
			"succession: destroying it instead",
			d->domid, d->cfg.name, d->restarts + 1);
		act = DOM_ACTION_DESTROY;
	}

	log_info("domain", "d%u (%s) shut down (%s): %s", d->domid, d->cfg.name,
		 shutdown_reason_name(code), dom_action_name(act));
	control_domain_shutdown(d, code, act);
	switch (act) {
	case DOM_ACTION_DESTROY:
		domain_destroy(d);
		break;
	case DOM_ACTION_RESTART:
		domain_restart(d);
		break;
	case DOM_ACTION_PRESERVE:
		break;
	}
}

void domain_service_all(void)
{
	uint64_t cnt;

	if (read(service_fd, &cnt, sizeof(cnt)) < 0 && errno != EAGAIN)
		return;
	for (;;) {
		struct domain *act = NULL;

		/* Only this (main) thread destroys domains, so `act` stays
		 * valid after the lock is dropped. */
		pthread_rwlock_rdlock(&domains_lock);
		for (struct domain *d = domains; d; d = d->next) {
			uint32_t w = __atomic_exchange_n(&d->service, 0,
							 __ATOMIC_SEQ_CST);

			if (w & DOM_SERVICE_CONSOLE)
				control_console_ready(d);
			if ((w & DOM_SERVICE_SHUTDOWN) && !act)
				act = d;
			else if (w & DOM_SERVICE_SHUTDOWN)
				__atomic_fetch_or(&d->service,
						  DOM_SERVICE_SHUTDOWN,
						  __ATOMIC_SEQ_CST);
		}
		pthread_rwlock_unlock(&domains_lock);
		if (!act)
			return;
		domain_act(act);
	}
}
