/*
 * vCPU threads: run the guest, handle its exits, park it when it is
 * paused, down, blocked or polling, and run its timers.
 *
 * Wake-ups: another thread changes state and calls vcpu_kick(), which
 * sends SIG_VCPU_KICK to the vCPU thread. The signal is blocked except
 * inside KVM_RUN (KVM_SET_SIGNAL_MASK), so a kick either interrupts the
 * guest (KVM_RUN returns -EINTR) or stays pending until the thread next
 * parks or runs: no wake-up is lost. The vCPU's host timer (a POSIX timer)
 * sends the same signal.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <pvabi/errno.h>
#include <pvabi/pvhv.h>
#include <pvabi/vcpu.h>
#include <pvabi/xen.h>
#include <pvhv/domain.h>
#include <pvhv/exits.h>
#include <pvhv/kvm.h>

static __thread struct vcpu *this_vcpu;

struct vcpu *vcpu_current(void)
{
	return this_vcpu;
}

void vcpu_kick(struct vcpu *v)
{
	if (v == this_vcpu)
		return; /* re-checks its state before entering the guest */
	if (__atomic_exchange_n(&v->kick_pending, 1, __ATOMIC_SEQ_CST))
		return;
	if (__atomic_load_n(&v->thread_started, __ATOMIC_ACQUIRE))
		pthread_kill(v->thread, SIG_VCPU_KICK);
}

void vcpu_mark_events_pending(struct vcpu *v)
{
	struct domain *d = v->d;
	uint8_t vec = __atomic_load_n(&v->upcall_vector, __ATOMIC_ACQUIRE);

	if (vec) {
		/* LAPIC delivery, in the kernel: works while the vCPU runs
		 * or halts; the guest EOIs. */
		kvm_vm_signal_msi(d->vmfd, v->id, vec);
		if (__atomic_load_n(&v->blocked, __ATOMIC_ACQUIRE) ||
		    __atomic_load_n(&v->polling, __ATOMIC_ACQUIRE))
			vcpu_kick(v);
		return;
	}
	/* Legacy callback vector (injected by the vCPU thread itself) or no
	 * callback at all (wake a blocked vCPU). */
	vcpu_kick(v);
}

/* ---------------------------------------------------------------- timers */

/*
 * Arms the host timer (CLOCK_MONOTONIC) for a deadline in guest system
 * time (pvclock, which runs on the TSC). The two clocks drift apart (the
 * TSC rate KVM reports is rounded: 2.4 ppm off on the machine this was
 * measured on), so the deadline is converted as "now + what is left"
 * rather than from the domain's start, and a timer that went off before
 * its deadline (by pvclock) is armed again for the rest.
 */
static void vcpu_host_timer_arm(struct vcpu *v, uint64_t deadline_sys,
				uint64_t now_sys)
{
	struct itimerspec its = {0};
	uint64_t mono_now, left, mono = 0;

	if (!v->host_timer_ok)
		return;
	if (!deadline_sys) {
		if (!v->host_timer_armed)
			return;
	} else {
		mono_now = now_ns();
		if (deadline_sys == v->host_timer_deadline &&
		    mono_now < v->host_timer_armed)
			return; /* armed for it and still ahead */
		/* Guests may name any time (~0 = never, in effect): clamp
		 * rather than wrap into the past, which would fire at once,
		 * over and over. */
		left = deadline_sys > now_sys ? deadline_sys - now_sys : 0;
		mono = left < (uint64_t)INT64_MAX - mono_now
			   ? mono_now + left
			   : (uint64_t)INT64_MAX;
		its.it_value.tv_sec = (time_t)(mono / 1000000000u);
		its.it_value.tv_nsec = (long)(mono % 1000000000u);
	}
	v->host_timer_deadline = deadline_sys;
	v->host_timer_armed = mono;
	timer_settime(v->host_timer, TIMER_ABSTIME, &its, NULL);
}

/* Fires due timers (raising VIRQ_TIMER) and re-arms the host timer.
 * Runs on the vCPU's own thread. */
static void vcpu_timers_run(struct vcpu *v)
{
	uint64_t sshot = v->sshot_deadline;
	uint64_t poll = v->polling ? v->poll_deadline : 0;
	uint64_t period, next = 0, now;
	bool fire = false;

	/* A period set (or stopped) by any vCPU counts from now. */
	if (__atomic_exchange_n(&v->periodic_restart, false, __ATOMIC_ACQ_REL))
		v->periodic_next = 0;
	period = __atomic_load_n(&v->periodic_period, __ATOMIC_ACQUIRE);
	if (!sshot && !period && !poll) {
		vcpu_host_timer_arm(v, 0, 0);
		return;
	}
	now = pvclock_now(&v->d->clock);
	if (sshot && now >= sshot) {
		v->sshot_deadline = sshot = 0;
		fire = true;
	}
	if (period) {
		if (!v->periodic_next)
			v->periodic_next = now + period;
		if (now >= v->periodic_next) {
			fire = true;
			v->periodic_next += period;
			if (v->periodic_next <= now)
				v->periodic_next = now + period; /* missed */
		}
		next = v->periodic_next;
	}
	if (fire)
		evtchn_send_virq(&v->d->ev, v->id, VIRQ_TIMER);
	if (sshot && (!next || sshot < next))
		next = sshot;
	if (poll && (!next || poll < next))
		next = poll;
	vcpu_host_timer_arm(v, next, now);
}

void vcpu_timer_update(struct vcpu *v)
{
	if (v == this_vcpu)
		vcpu_timers_run(v);
	else
		vcpu_kick(v);
}

/* ---------------------------------------------------------------- parking */

static void vcpu_eat_kicks(void)
{
	static const struct timespec zero = {0, 0};
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIG_VCPU_KICK);
	while (sigtimedwait(&set, NULL, &zero) > 0)
		;
}

static void vcpu_set_quiescent(struct vcpu *v, bool q)
{
	struct domain *d = v->d;

	pthread_mutex_lock(&d->lock);
	v->quiescent = q;
	if (q)
		pthread_cond_broadcast(&d->cond);
	pthread_mutex_unlock(&d->lock);
}

/* The thread leaves: nobody may wait for it any more. */
static void vcpu_set_exited(struct vcpu *v)
{
	struct domain *d = v->d;

	pthread_mutex_lock(&d->lock);
	v->quiescent = true;
	v->exited = true;
	pthread_cond_broadcast(&d->cond);
	pthread_mutex_unlock(&d->lock);
}

/* Waits for a kick (state change, event or host timer). */
static void vcpu_park(struct vcpu *v)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIG_VCPU_KICK);
	vcpu_set_quiescent(v, true);
	if (!__atomic_load_n(&v->kick_pending, __ATOMIC_ACQUIRE))
		sigwaitinfo(&set, NULL);
	vcpu_eat_kicks();
	vcpu_set_quiescent(v, false);
}

static bool vcpu_poll_done(struct vcpu *v, uint64_t now)
{
	struct vcpu_info *vi = __atomic_load_n(&v->vi, __ATOMIC_ACQUIRE);
	bool callback =
	    __atomic_load_n(&v->upcall_vector, __ATOMIC_ACQUIRE) ||
	    __atomic_load_n(&v->d->callback_vector, __ATOMIC_ACQUIRE);

	/* As Xen's local_events_need_delivery(): an event interrupt the
	 * guest would take now (a callback is set up and IF is on) ends the
	 * poll too. */
	if (callback && (v->run->s.regs.regs.rflags & (1u << 9)) &&
	    __atomic_load_n(&vi->evtchn_upcall_pending, __ATOMIC_ACQUIRE))
		return true;
	for (uint32_t i = 0; i < v->poll_nr; i++)
		if (evtchn_is_pending(&v->d->ev, v->poll_ports[i]))
			return true;
	return v->poll_deadline && now >= v->poll_deadline;
}

/*
 * VCPUOP_initialise. Only a vCPU's own thread may touch its registers,
 * and it may be waiting for a SIPI inside KVM_RUN, so the caller posts the
 * context, kicks, and waits for the answer (Xen's initialise is
 * synchronous too: the caller may call VCPUOP_up as soon as it returns,
 * and learns about a context KVM refuses).
 */
int vcpu_initialise(struct vcpu *v, const struct vcpu_hvm_context *ctx)
{
	struct domain *d = v->d;
	int rc;

	pthread_mutex_lock(&d->lock);
	if (v->initialised || v->init_pending) {
		pthread_mutex_unlock(&d->lock);
		return -XEN_EEXIST;
	}
	v->init_ctx = *ctx;
	__atomic_store_n(&v->init_pending, true, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&d->lock);
	vcpu_kick(v);
	pthread_mutex_lock(&d->lock);
	while (v->init_pending && !v->exited)
		pthread_cond_wait(&d->cond, &d->lock);
	rc = v->init_pending ? -XEN_ESRCH : v->init_rc;
	__atomic_store_n(&v->init_pending, false, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&d->lock);
	return rc;
}

/* Has KVM left the wait-for-SIPI state (a SIPI from another vCPU)? */
static bool vcpu_sipi_started(struct vcpu *v)
{
	uint32_t mp;

	if (kvm_vcpu_get_mp_state(v->fd, &mp) < 0)
		return false;
	return mp != KVM_MP_STATE_UNINITIALIZED &&
	       mp != KVM_MP_STATE_INIT_RECEIVED;
}

/* A never-initialised AP runs: another vCPU's INIT/SIPI started it. */
static void vcpu_mark_sipi_started(struct vcpu *v)
{
	struct domain *d = v->d;
	const struct kvm_sregs *s = &v->run->s.regs.sregs;

	pthread_mutex_lock(&d->lock);
	v->initialised = true;
	__atomic_store_n(&v->down, false, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&d->lock);
	log_info("vcpu",
		 "d%uv%u: started by INIT/SIPI (now at %04x:%#llx, "
		 "cr0 %#llx)",
		 d->domid, v->id, s->cs.selector,
		 (unsigned long long)v->run->s.regs.regs.rip,
		 (unsigned long long)s->cr0);
}

/* On the vCPU's thread: answers a waiting VCPUOP_initialise. */
static void vcpu_serve_initialise(struct vcpu *v)
{
	struct domain *d = v->d;
	struct vcpu_hvm_context ctx;
	bool sipi;
	int rc;

	pthread_mutex_lock(&d->lock);
	ctx = v->init_ctx;
	pthread_mutex_unlock(&d->lock);
	/* Started by INIT/SIPI meanwhile (maybe noticed already, after
	 * KVM_RUN): the context must not be loaded over the running AP. */
	sipi = !v->initialised && vcpu_sipi_started(v);
	if (v->initialised || sipi) {
		rc = -XEN_EEXIST;
	} else {
		rc = vcpu_apply_hvm_context(v, &ctx);
		if (rc == 0)
			rc =
			    kvm_vcpu_set_mp_state(v->fd, KVM_MP_STATE_RUNNABLE);
		if (rc < 0) {
			vlog_ratelimited(v, LOG_WARN, "vcpu",
					 "VCPUOP_initialise context refused "
					 "by KVM (%s): -EINVAL",
					 strerror(-rc));
			rc = -XEN_EINVAL;
		}
	}
	if (sipi)
		vcpu_mark_sipi_started(v);
	pthread_mutex_lock(&d->lock);
	if (rc == 0)
		v->initialised = true;
	v->init_rc = rc;
	__atomic_store_n(&v->init_pending, false, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&d->cond);
	pthread_mutex_unlock(&d->lock);
}

/*
 * Whether the vCPU can enter the guest now: RUNSTATE_running if it can,
 * else the runstate it waits in (as Xen: blocked while it waits for an
 * event, offline while it is down, paused or shut down).
 */
static int vcpu_wait_state(struct vcpu *v)
{
	struct domain *d = v->d;

	if (__atomic_load_n(&d->pause_count, __ATOMIC_ACQUIRE))
		return RUNSTATE_offline;
	if (__atomic_load_n(&d->state, __ATOMIC_ACQUIRE) != DOM_RUNNING)
		return RUNSTATE_offline;
	/* Down but never initialised: wait for INIT/SIPI inside KVM. */
	if (__atomic_load_n(&v->down, __ATOMIC_ACQUIRE) && v->initialised)
		return RUNSTATE_offline;
	if (v->blocked) {
		struct vcpu_info *vi =
		    __atomic_load_n(&v->vi, __ATOMIC_ACQUIRE);

		if (!__atomic_load_n(&vi->evtchn_upcall_pending,
				     __ATOMIC_ACQUIRE))
			return RUNSTATE_blocked;
		__atomic_store_n(&v->blocked, false, __ATOMIC_RELEASE);
	}
	if (v->polling) {
		if (!vcpu_poll_done(v, pvclock_now(&d->clock)))
			return RUNSTATE_blocked;
		__atomic_store_n(&v->polling, false, __ATOMIC_RELEASE);
		v->poll_deadline = 0;
	}
	return RUNSTATE_running;
}

/* ------------------------------------------------------- legacy callback */

/*
 * HVM_PARAM_CALLBACK_IRQ, vector type: delivered as an external
 * interrupt (KVM_INTERRUPT through LINT0/ExtINT), so it never enters the
 * LAPIC's ISR and the guest does not EOI it. Level semantics, as in Xen:
 * re-injected at each entry while evtchn_upcall_pending is set.
 */
static void vcpu_inject_callback(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	uint8_t vec = __atomic_load_n(&v->d->callback_vector, __ATOMIC_ACQUIRE);
	struct vcpu_info *vi;

	if (!vec || __atomic_load_n(&v->upcall_vector, __ATOMIC_ACQUIRE)) {
		run->request_interrupt_window = 0;
		return;
	}
	vi = __atomic_load_n(&v->vi, __ATOMIC_ACQUIRE);
	if (!__atomic_load_n(&vi->evtchn_upcall_pending, __ATOMIC_ACQUIRE)) {
		run->request_interrupt_window = 0;
		return;
	}
	if (run->ready_for_interrupt_injection) {
		kvm_vcpu_interrupt(v->fd, vec); /* -EEXIST: still queued */
		run->request_interrupt_window = 0;
	} else {
		run->request_interrupt_window = 1;
	}
}

/* ---------------------------------------------------------------- thread */

/* Changes the vCPU's runstate; on its own thread only. */
static void vcpu_runstate(struct vcpu *v, int state)
{
	uint64_t now;

	if (v->runstate == state)
		return;
	now = pvclock_now(&v->d->clock);
	pthread_mutex_lock(&v->runstate_lock);
	v->runstate_time[v->runstate] += now - v->runstate_entry;
	v->runstate_entry = now;
	v->runstate = state;
	pthread_mutex_unlock(&v->runstate_lock);
	vcpu_runstate_publish(v);
}

void vcpu_runstate_get(struct vcpu *v, struct vcpu_runstate_info *info)
{
	uint64_t now = pvclock_now(&v->d->clock);

	pthread_mutex_lock(&v->runstate_lock);
	info->state = v->runstate;
	info->_pad0 = 0;
	info->state_entry_time = v->runstate_entry;
	memcpy(info->time, v->runstate_time, sizeof(info->time));
	/* As Xen's vcpu_runstate_get(): the current state counts up to now. */
	if (now > v->runstate_entry)
		info->time[v->runstate] += now - v->runstate_entry;
	pthread_mutex_unlock(&v->runstate_lock);
}

static void vcpu_loop(struct vcpu *v)
{
	struct domain *d = v->d;
	int rc;

	for (;;) {
		int state;

		__atomic_store_n(&v->kick_pending, 0, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&d->state, __ATOMIC_ACQUIRE) == DOM_DYING)
			return;
		/* Even while paused: the caller waits for the answer. */
		if (__atomic_load_n(&v->init_pending, __ATOMIC_ACQUIRE))
			vcpu_serve_initialise(v);
		vcpu_timers_run(v);
		state = vcpu_wait_state(v);
		if (state != RUNSTATE_running) {
			vcpu_runstate(v, state);
			vcpu_park(v);
			continue;
		}
		/* An AP that waits for INIT/SIPI inside KVM is offline. */
		vcpu_runstate(v, v->initialised ? RUNSTATE_running
						: RUNSTATE_offline);
		vcpu_inject_callback(v);
		rc = kvm_vcpu_run(v->fd);
		if (!v->initialised && (rc == 0 || vcpu_sipi_started(v)))
			vcpu_mark_sipi_started(v);
		if (rc == -EINTR || rc == -EAGAIN) {
			vcpu_eat_kicks();
			continue;
		}
		if (rc < 0) {
			vlog_ratelimited(v, LOG_ERR, "vcpu", "KVM_RUN: %s",
					 strerror(-rc));
			domain_crash(v, "KVM_RUN failed");
			continue;
		}
		v->nr_exits++;
		vcpu_handle_exit(v);
	}
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	struct sigevent sev = {0};
	sigset_t run_mask;

	this_vcpu = v;
	v->tid = (pid_t)syscall(SYS_gettid);
	pthread_sigmask(SIG_BLOCK, NULL, &run_mask);
	sigdelset(&run_mask, SIG_VCPU_KICK);
	if (kvm_vcpu_set_signal_mask(v->fd, &run_mask) < 0) {
		domain_crash(v, "KVM_SET_SIGNAL_MASK failed");
		vcpu_set_exited(v);
		return NULL;
	}
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = SIG_VCPU_KICK;
	sev._sigev_un._tid = v->tid;
	v->host_timer_ok =
	    timer_create(CLOCK_MONOTONIC, &sev, &v->host_timer) == 0;
	if (!v->host_timer_ok)
		log_err("vcpu", "d%uv%u: timer_create: %s", v->d->domid, v->id,
			strerror(errno));
	v->run->kvm_valid_regs = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS;
	vcpu_loop(v);
	if (v->host_timer_ok)
		timer_delete(v->host_timer);
	vcpu_set_exited(v);
	return NULL;
}

int vcpu_start_thread(struct vcpu *v)
{
	pthread_attr_t attr;
	int rc;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	rc = pthread_create(&v->thread, &attr, vcpu_thread, v);
	pthread_attr_destroy(&attr);
	if (rc)
		return -rc;
	__atomic_store_n(&v->thread_started, true, __ATOMIC_RELEASE);
	return 0;
}

void vcpu_stop_threads(struct domain *d)
{
	/* First every thread leaves its loop, then the joins: a thread that
	 * still runs may kick any other (events, timers), and pthread_kill()
	 * on a thread already joined is undefined. */
	for (uint32_t i = 0; i < d->nr_vcpus; i++)
		if (d->vcpus[i])
			vcpu_kick(d->vcpus[i]);
	pthread_mutex_lock(&d->lock);
	for (uint32_t i = 0; i < d->nr_vcpus; i++) {
		struct vcpu *v = d->vcpus[i];

		while (v && v->thread_started && !v->exited)
			pthread_cond_wait(&d->cond, &d->lock);
	}
	pthread_mutex_unlock(&d->lock);
	for (uint32_t i = 0; i < d->nr_vcpus; i++)
		if (d->vcpus[i] && d->vcpus[i]->thread_started)
			pthread_join(d->vcpus[i]->thread, NULL);
}
