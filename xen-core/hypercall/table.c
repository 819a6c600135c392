/* The hypercall table: one entry per Xen hypercall number pvhv serves.
 * Numbers without an entry return -ENOSYS with a rate-limited log line
 * (PV-only calls such as mmu_update, set_trap_table or iret, and the
 * privileged domctl/sysctl family that dom0 reaches through the control
 * socket instead). */
#include <pvabi/xen.h>
#include <pvhv/exits.h>

const struct hypercall_desc hypercall_table[HYPERCALL_TABLE_SIZE] = {
    [__HYPERVISOR_set_timer_op] = {"set_timer_op", do_set_timer_op},
    [__HYPERVISOR_memory_op] = {"memory_op", do_memory_op},
    [__HYPERVISOR_multicall] = {"multicall", do_multicall},
    [__HYPERVISOR_xen_version] = {"xen_version", do_xen_version},
    [__HYPERVISOR_console_io] = {"console_io", do_console_io},
    [__HYPERVISOR_grant_table_op] = {"grant_table_op", do_grant_table_op},
    [__HYPERVISOR_vm_assist] = {"vm_assist", do_vm_assist},
    [__HYPERVISOR_vcpu_op] = {"vcpu_op", do_vcpu_op},
    [__HYPERVISOR_sched_op] = {"sched_op", do_sched_op},
    [__HYPERVISOR_event_channel_op] = {"event_channel_op", do_event_channel_op},
    [__HYPERVISOR_physdev_op] = {"physdev_op", do_physdev_op},
    [__HYPERVISOR_hvm_op] = {"hvm_op", do_hvm_op},
};
