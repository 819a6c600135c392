/*
 * Domains and vCPUs.
 *
 * Threads: each vCPU is a thread that runs KVM_RUN and handles its own
 * exits (hypercalls included); the main thread runs the control socket and
 * every lifecycle action (create, pause, shutdown actions, destroy).
 * Another thread reaches a vCPU through vcpu_kick(): a signal that makes
 * KVM_RUN (or a blocked vCPU's wait) return so the vCPU re-checks its state.
 *
 * Locks, outermost first: domains_lock (rwlock: lookups read, create and
 * the unlink in destroy write), then one domain's `lock`, then its event
 * channel lock. Interdomain operations hold domains_lock for reading while
 * they touch the peer, so a peer cannot be freed under them.
 */
#ifndef PVHV_DOMAIN_H
#define PVHV_DOMAIN_H

#include <pthread.h>
#include <signal.h>
#include <time.h>

#include <pvabi/hvm/hvm_vcpu.h>
#include <pvabi/hvm/params.h>
#include <pvabi/hvm/start_info.h>
#include <pvabi/xen.h>
#include <pvhv/console.h>
#include <pvhv/evtchn.h>
#include <pvhv/gnttab.h>
#include <pvhv/guestmem.h>
#include <pvhv/log.h>
#include <pvhv/pagewalk.h>
#include <pvhv/pvclock.h>

#define SIG_VCPU_KICK SIGUSR1

enum dom_state {
	DOM_RUNNING,  /* built; may be paused */
	DOM_SHUTDOWN, /* guest shut down (reason in shutdown_code) */
	DOM_DYING,    /* destroy in progress */
};

enum dom_action {
	DOM_ACTION_DESTROY,
	DOM_ACTION_RESTART,
	DOM_ACTION_PRESERVE,
};

/* What a domain is built from; kept for restarts. */
struct dom_config {
	char name[64];
	char uuid[37];
	uint64_t memory_mib;
	uint32_t vcpus; /* online at boot */
	uint32_t max_vcpus;
	char *cmdline;
	int kernel_fd;	/* re-read on restart, as xl does */
	int ramdisk_fd; /* -1 if none */
	enum dom_action on_poweroff, on_reboot, on_crash, on_watchdog;
	uint32_t max_event_channels;
	uint32_t max_grant_frames;
	bool strict_io; /* stray port I/O or MMIO crashes the domain */
};

struct vcpu {
	struct domain *d;
	uint32_t id;
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	pid_t tid;
	bool thread_started;

	/* Wake-up protocol: set state, then vcpu_kick(). */
	uint32_t kick_pending; /* atomic: a signal is on its way */
	bool quiescent;	       /* parked outside KVM_RUN (domain lock) */

	/*
	 * Life cycle. Secondary vCPUs start down and not initialised; their
	 * thread waits inside KVM_RUN (KVM's "wait for SIPI" state), so a
	 * native INIT/SIPI from another vCPU's LAPIC starts them (the thread
	 * then marks them initialised and up); the PV way is
	 * VCPUOP_initialise, whose caller waits while the vCPU's own thread
	 * loads the context, then VCPUOP_up. A down, initialised vCPU parks.
	 * All of these change under the domain lock; `down` is also read
	 * without it (atomic).
	 */
	bool initialised;
	bool down;
	bool init_pending; /* a VCPUOP_initialise waits for init_rc */
	int init_rc;
	bool exited; /* the thread has left its loop */
	struct vcpu_hvm_context init_ctx;

	/* Events: vcpu_info lives in shared_info (id < 32) until the guest
	 * registers its own; `vi` is never NULL (dummy until then). */
	struct vcpu_info *vi; /* atomic pointer */
	gpa_t vi_gpa;	      /* GPA_NONE when not registered */
	struct vcpu_info dummy_vi;
	uint8_t upcall_vector; /* HVMOP_set_evtchn_upcall_vector, 0 = none */
	bool blocked;	       /* in SCHEDOP_block */
	bool polling;	       /* in SCHEDOP_poll */
	uint32_t poll_nr;
	uint64_t poll_deadline; /* system time, 0 = none */
	evtchn_port_t poll_ports[128];

	/* Timers, in guest system time (ns); 0 = off. Only the vCPU's own
	 * thread touches them, except the period, which any vCPU may set
	 * (atomic), raising periodic_restart for the owner. */
	uint64_t sshot_deadline;
	uint64_t periodic_period;
	bool periodic_restart;
	uint64_t periodic_next;
	timer_t host_timer;
	bool host_timer_ok;
	uint64_t host_timer_deadline; /* system time it stands for */
	uint64_t host_timer_armed;    /* mono ns it is set for, 0 = off */

	/* Current translation context, refreshed at each exit. */
	struct pw_regs pw;

	/* Runstate (VCPUOP_get_runstate_info / register_runstate_area):
	 * changed by the vCPU's own thread, read by any vCPU's under
	 * runstate_lock. */
	pthread_mutex_t runstate_lock;
	gva_t runstate_gva;	 /* atomic */
	uint64_t runstate_entry; /* system time of the last change */
	uint64_t runstate_time[4];
	int runstate;

	uint64_t nr_exits, nr_hypercalls;
};

struct domain {
	uint32_t domid;
	struct dom_config cfg;
	pthread_mutex_t lock;
	pthread_cond_t cond; /* vCPU quiescence changes */
	enum dom_state state;
	uint32_t shutdown_code; /* SHUTDOWN_*; SHUTDOWN_CODE_NONE until set */
	uint32_t pause_count;	/* atomic; vCPUs run only at 0 */
	uint64_t created_ns;
	uint32_t restarts;
	bool built; /* fully built (else: a failed create) */

	int vmfd;
	struct guest_mem mem;
	struct vcpu *vcpus[PV_MAX_VCPUS];
	uint32_t nr_vcpus; /* = cfg.max_vcpus */

	/* shared_info: pvhv's own page until the guest maps it. */
	struct shared_info *si; /* atomic pointer */
	gpa_t si_gpa;		/* GPA_NONE when not mapped */
	void *si_own;
	bool si_in_pool; /* mapped over a hole with pool page 0 */

	/* Memory map (start info and XENMEM_memory_map). */
	struct hvm_memmap_table_entry memmap[8];
	uint32_t nr_memmap;

	uint64_t hvm_param[HVM_NR_PARAMS];
	uint8_t callback_vector;   /* HVM_PARAM_CALLBACK_IRQ vector, 0 = none */
	bool runstate_update_flag; /* VMASST_TYPE_runstate_update_flag */
	gpa_t hypercall_page;	   /* last page filled, 0 = none */

	struct pvclock clock;
	struct evtchn_domain ev;
	struct gnttab gt;
	struct console cons;

	/* For the main thread: set by vCPU threads, handled by
	 * domain_service() (atomic flags). */
	uint32_t service;

	struct ratelimit rl;
	struct domain *next; /* domains list */
};

#define SHUTDOWN_CODE_NONE 0xffffffffu

#define DOM_SERVICE_SHUTDOWN 1u
#define DOM_SERVICE_CONSOLE  2u

/* Domain table. */
extern pthread_rwlock_t domains_lock;
/* Finds a live domain; caller holds domains_lock (read or write). */
struct domain *domain_lookup(uint32_t domid);
/* Calls fn for each domain under domains_lock (read). */
void domain_foreach(void (*fn)(struct domain *d, void *arg), void *arg);

/* Builds a domain (paused); on success *out is in the table. On failure
 * *why says what went wrong (static or in `whybuf`). */
int domain_create(const struct dom_config *cfg, struct domain **out,
		  char *whybuf, size_t whylen);
int domain_unpause(struct domain *d);
int domain_pause(struct domain *d);
/* Stops and frees the domain; the caller must not hold domains_lock. */
void domain_destroy(struct domain *d);
/* Records a shutdown (first reason wins), stops the vCPUs and asks the
 * main thread to act on it. Callable from any thread. */
void domain_shutdown(struct domain *d, uint32_t reason);
/* A vCPU thread hit something fatal: log it and shut down with crash. */
void domain_crash(struct vcpu *v, const char *why);
/* Main thread: called when the event fd fires. */
void domain_service_all(void);
/* Wake-up fd the main thread polls (vCPU threads write to it). */
int domain_service_fd(void);
void domain_request_service(struct domain *d, uint32_t what);

/* vCPU threads. */
int vcpu_start_thread(struct vcpu *v);
/* Destroy: once d->state is DOM_DYING, stops and joins every vCPU thread. */
void vcpu_stop_threads(struct domain *d);
void vcpu_kick(struct vcpu *v);
/* The vCPU this thread runs, or NULL on other threads. */
struct vcpu *vcpu_current(void);
/* VCPUOP_initialise: hands ctx to v's own thread (v must be another
 * vCPU, not initialised) and waits for it to load it. 0, -XEN_EEXIST (v
 * was initialised meanwhile, or started by INIT/SIPI), -XEN_EINVAL (KVM
 * refuses the state) or -XEN_ESRCH (the domain is going away). */
int vcpu_initialise(struct vcpu *v, const struct vcpu_hvm_context *ctx);
/* Re-evaluates the vCPU's timers and arms its host timer. */
void vcpu_timer_update(struct vcpu *v);
/* Guest-visible events became pending for v (upcall_pending 0 -> 1). */
void vcpu_mark_events_pending(struct vcpu *v);

/* shared_info / vcpu_info placement (shared.c). */
extern const struct evtchn_hooks guest_evtchn_hooks;
/* Moves shared_info to guest frame gfn (RAM, or a hole: pool page 0). */
int domain_map_shared_info(struct domain *d, uint64_t gfn);
/* XENMEM_remove_from_physmap of the shared_info frame. */
void domain_unmap_shared_info(struct domain *d);
/* VCPUOP_register_vcpu_info: -XEN_EINVAL as Xen for bad requests. */
int vcpu_register_vcpu_info(struct vcpu *v, uint64_t gfn, uint32_t offset);
/* Maps pool page idx over the hole at gpa (new KVM slot) / removes it. */
int domain_place_pool_page(struct domain *d, gpa_t gpa, uint32_t idx);
void domain_remove_pool_page(struct domain *d, gpa_t gpa);
/* Pool page 0 backs shared_info in a hole; grant frame i uses 1 + i. */
#define POOL_SHARED_INFO 0
#define POOL_GRANT(i)	 (1 + (i))
/* Writes the pvclock into every place a vCPU's time info lives. */
void vcpu_publish_time(struct vcpu *v);

const char *shutdown_reason_name(uint32_t reason);
const char *dom_action_name(enum dom_action a);

#define dlog_ratelimited(d, level, sub, fmt, ...)                              \
	log_ratelimited(&(d)->rl, level, sub, "d%u: " fmt, (d)->domid,         \
			##__VA_ARGS__)
#define vlog_ratelimited(v, level, sub, fmt, ...)                              \
	log_ratelimited(&(v)->d->rl, level, sub, "d%uv%u: " fmt,               \
			(v)->d->domid, (v)->id, ##__VA_ARGS__)

#endif
