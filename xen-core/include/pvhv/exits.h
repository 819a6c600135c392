/* Handling of vCPU exits and hypercall dispatch. */
#ifndef PVHV_EXITS_H
#define PVHV_EXITS_H

#include <pvabi/hvm/hvm_vcpu.h>

struct vcpu;
struct vcpu_runstate_info;

/* Handles the exit described by v->run (vCPU thread). */
void vcpu_handle_exit(struct vcpu *v);
/* Loads a VCPUOP_initialise context into the vCPU (vCPU thread). */
int vcpu_apply_hvm_context(struct vcpu *v, const struct vcpu_hvm_context *c);
/* Writes the runstate area the guest registered, if any. */
void vcpu_runstate_publish(struct vcpu *v);
/* A consistent copy of a vCPU's runstate with the current state counted
 * up to now, as Xen's vcpu_runstate_get() (any thread). */
void vcpu_runstate_get(struct vcpu *v, struct vcpu_runstate_info *info);

/* One hypercall: args are rdi, rsi, rdx, r10, r8; returns rax. */
typedef int64_t hypercall_fn(struct vcpu *v, const uint64_t *args);

struct hypercall_desc {
	const char *name;
	hypercall_fn *fn;
};

#define HYPERCALL_TABLE_SIZE 64
extern const struct hypercall_desc hypercall_table[HYPERCALL_TABLE_SIZE];

void hypercall_dispatch(struct vcpu *v);

/* Handlers (hypercall/<name>.c). */
hypercall_fn do_xen_version, do_console_io, do_sched_op, do_set_timer_op,
    do_vcpu_op, do_memory_op, do_hvm_op, do_event_channel_op, do_grant_table_op,
    do_physdev_op, do_vm_assist, do_multicall;

/* Logs an unimplemented sub-op (rate-limited with the domain's other
 * guest-triggered messages) and returns -XEN_ENOSYS. */
int64_t hypercall_unimplemented(struct vcpu *v, const char *call,
				uint64_t subop);

/* A guest names itself (DOMID_SELF or its id): 0. Another domain:
 * -XEN_EPERM if it exists, -XEN_ESRCH if not (what Xen's XSM says). */
int hcall_self_only(struct vcpu *v, uint16_t domid);
/* The same for callers that already hold domains_lock: taking it again
 * would deadlock against a waiting writer (the lock prefers writers). */
int hcall_self_only_locked(struct vcpu *v, uint16_t domid);

#endif
