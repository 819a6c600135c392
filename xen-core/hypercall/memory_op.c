/* __HYPERVISOR_memory_op(cmd, arg): reservations, the memory map, and
 * placing pvhv-provided frames (shared_info, grant table) in the guest's
 * physical address space. */
#include <string.h>

#include <pvabi/errno.h>
#include <pvabi/memory.h>
#include <pvhv/domain.h>
#include <pvhv/exits.h>
#include <pvhv/guestcopy.h>

/* Xen encodes a continuation start in the upper bits of cmd. */
#define MEMOP_CMD_MASK 0x3f

/* One e820 entry as XENMEM_memory_map writes it (packed, 20 bytes). */
struct e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
} __attribute__((packed));

static int64_t mem_reservation_query(struct vcpu *v, uint64_t arg, uint64_t cmd)
{
	struct domain *d = v->d;
	domid_t dom;
	int rc = copy_from_guest(v, &dom, arg, sizeof(dom));

	if (rc)
		return rc;
	rc = hcall_self_only(v, dom);
	if (rc)
		return rc;
	switch (cmd) {
	case XENMEM_current_reservation:
	case XENMEM_maximum_reservation:
		return (int64_t)(d->mem.ram_size >> PAGE_SHIFT);
	default: { /* XENMEM_maximum_gpfn */
		uint64_t max = 0;

		pthread_rwlock_rdlock(&d->mem.lock);
		for (uint32_t i = 0; i < d->mem.nr; i++) {
			uint64_t end = d->mem.r[i].gpa + d->mem.r[i].size;

			max = MAX(max, (end >> PAGE_SHIFT) - 1);
		}
		pthread_rwlock_unlock(&d->mem.lock);
		return (int64_t)max;
	}
	}
}

static int64_t mem_memory_map(struct vcpu *v, uint64_t arg)
{
	struct domain *d = v->d;
	struct xen_memory_map map;
	struct e820_entry e[ARRAY_SIZE(d->memmap)];
	int rc = copy_from_guest(v, &map, arg, sizeof(map));

	if (rc)
		return rc;
	map.nr_entries = MIN(map.nr_entries, d->nr_memmap);
	for (uint32_t i = 0; i < map.nr_entries; i++)
		e[i] = (struct e820_entry){d->memmap[i].addr, d->memmap[i].size,
					   d->memmap[i].type};
	rc = copy_to_guest(v, map.buffer.p, e, map.nr_entries * sizeof(e[0]));
	if (rc)
		return rc;
	return copy_to_guest(v, arg, &map, sizeof(map));
}

static int64_t mem_add_to_physmap(struct vcpu *v, uint64_t arg)
{
	struct xen_add_to_physmap x;
	int rc = copy_from_guest(v, &x, arg, sizeof(x));

	if (rc)
		return rc;
	rc = hcall_self_only(v, x.domid);
	if (rc)
		return rc;
	switch (x.space) {
	case XENMAPSPACE_shared_info:
		if (x.idx != 0)
			return -XEN_EINVAL;
		return domain_map_shared_info(v->d, x.gpfn);
	case XENMAPSPACE_grant_table:
		return gnttab_map_frame(v->d, x.idx, x.gpfn);
	case XENMAPSPACE_gmfn:
	case XENMAPSPACE_gmfn_range:
		vlog_ratelimited(v, LOG_WARN, "mem",
				 "add_to_physmap: moving RAM frames is not "
				 "supported: -EOPNOTSUPP");
		return -XEN_EOPNOTSUPP;
	case XENMAPSPACE_gmfn_foreign:
	case XENMAPSPACE_dev_mmio:
		return -XEN_EPERM;
	default:
		return -XEN_EINVAL;
	}
}

static int64_t mem_remove_from_physmap(struct vcpu *v, uint64_t arg)
{
	struct xen_remove_from_physmap x;
	int rc = copy_from_guest(v, &x, arg, sizeof(x));
	gpa_t gpa;

	if (rc)
		return rc;
	rc = hcall_self_only(v, x.domid);
	if (rc)
		return rc;
	gpa = x.gpfn << PAGE_SHIFT;
	if (gpa == v->d->si_gpa) {
		domain_unmap_shared_info(v->d);
		return 0;
	}
	if (gnttab_unmap_frame(v->d, x.gpfn) == 0)
		return 0;
	vlog_ratelimited(v, LOG_WARN, "mem",
			 "remove_from_physmap of RAM frame %#llx not "
			 "supported: -EOPNOTSUPP",
			 (unsigned long long)x.gpfn);
	return -XEN_EOPNOTSUPP;
}

int64_t do_memory_op(struct vcpu *v, const uint64_t *a)
{
	uint64_t cmd = a[0] & MEMOP_CMD_MASK, arg = a[1];

	switch (cmd) {
	case XENMEM_current_reservation:
	case XENMEM_maximum_reservation:
	case XENMEM_maximum_gpfn:
		return mem_reservation_query(v, arg, cmd);
	case XENMEM_maximum_ram_page:
		return (int64_t)((v->d->mem.ram_size >> PAGE_SHIFT) - 1);
	case XENMEM_memory_map:
		return mem_memory_map(v, arg);
	case XENMEM_add_to_physmap:
		return mem_add_to_physmap(v, arg);
	case XENMEM_remove_from_physmap:
		return mem_remove_from_physmap(v, arg);
	case XENMEM_machine_memory_map:
	case XENMEM_set_memory_map:
	case XENMEM_set_pod_target:
	case XENMEM_get_pod_target:
	case XENMEM_claim_pages:
	case XENMEM_acquire_resource:
		return -XEN_EPERM; /* toolstack / dom0 operations */
	default:
		return hypercall_unimplemented(v, "memory_op", cmd);
	}
}
