/* Small hypercalls: physdev_op, vm_assist, multicall. */
#include <pvabi/errno.h>
#include <pvabi/xen.h>
#include <pvhv/domain.h>
#include <pvhv/exits.h>
#include <pvhv/guestcopy.h>

int64_t do_physdev_op(struct vcpu *v, const uint64_t *a)
{
	/* No physical devices or IRQs are passed through to pvhv domains. */
	return hypercall_unimplemented(v, "physdev_op", a[0]);
}

int64_t do_vm_assist(struct vcpu *v, const uint64_t *a)
{
	uint64_t cmd = a[0], type = a[1];

	/* The only assist that exists for PVH/HVM guests. */
	if (type != VMASST_TYPE_runstate_update_flag)
		return -XEN_EINVAL;
	switch (cmd) {
	case VMASST_CMD_enable:
		__atomic_store_n(&v->d->runstate_update_flag, true,
				 __ATOMIC_RELEASE);
		return 0;
	case VMASST_CMD_disable:
		__atomic_store_n(&v->d->runstate_update_flag, false,
				 __ATOMIC_RELEASE);
		return 0;
	default:
		return -XEN_EINVAL;
	}
}

int64_t do_multicall(struct vcpu *v, const uint64_t *a)
{
	uint64_t list = a[0], nr = (uint32_t)a[1];

	for (uint64_t i = 0; i < nr; i++) {
		struct multicall_entry e;
		uint64_t at = list + i * sizeof(e);
		int rc = copy_from_guest(v, &e, at, sizeof(e));

		if (rc)
			return rc;
		if (e.op < HYPERCALL_TABLE_SIZE && hypercall_table[e.op].fn &&
		    e.op != __HYPERVISOR_multicall)
			e.result =
			    (uint64_t)hypercall_table[e.op].fn(v, e.args);
		else
			e.result = (uint64_t)-XEN_ENOSYS;
		rc = copy_to_guest(
		    v, at + __builtin_offsetof(struct multicall_entry, result),
		    &e.result, sizeof(e.result));
		if (rc)
			return rc;
		/* A call that stops the vCPU (shutdown, block) ends the batch. */
		if (v->blocked || v->polling ||
		    __atomic_load_n(&v->d->state, __ATOMIC_ACQUIRE) !=
			DOM_RUNNING)
			break;
	}
	return 0;
}
