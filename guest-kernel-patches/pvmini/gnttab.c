/* Grant tables v1, guest side: frames in the physmap, grant and end. */
#include <pvabi/grant_table.h>
#include <pvabi/memory.h>

#include "pvmini.h"

/* Frame i of the table lives at GNT_BASE + i pages (a hole pvhv backs). */
#define GNT_BASE 0xd0000000ul

struct grant_entry_v1 *gnt_table = (struct grant_entry_v1 *)GNT_BASE;

int gnttab_map_frame(unsigned int idx, unsigned long gfn)
{
	struct xen_add_to_physmap x = {.domid = DOMID_SELF,
				       .space = XENMAPSPACE_grant_table,
				       .idx = idx,
				       .gpfn = gfn};

	return (int)HYPERCALL2(__HYPERVISOR_memory_op, XENMEM_add_to_physmap,
			       &x);
}

int gnttab_init(unsigned int frames)
{
	for (unsigned int i = 0; i < frames; i++) {
		int rc = gnttab_map_frame(i, (GNT_BASE >> 12) + i);

		if (rc)
			return rc;
	}
	return 0;
}

void gnttab_grant(grant_ref_t ref, domid_t domid, unsigned long gfn, bool ro)
{
	struct grant_entry_v1 *e = &gnt_table[ref];

	e->frame = (uint32_t)gfn;
	e->domid = domid;
	mb(); /* frame and domid before the flags that publish them */
	__atomic_store_n(
	    &e->flags, (uint16_t)(GTF_permit_access | (ro ? GTF_readonly : 0)),
	    __ATOMIC_SEQ_CST);
}

/* Revokes a grant unless it is in use (Xen's end_foreign_access_ref). */
int gnttab_end(grant_ref_t ref)
{
	uint16_t flags =
	    __atomic_load_n(&gnt_table[ref].flags, __ATOMIC_SEQ_CST);

	do {
		if (flags & (GTF_reading | GTF_writing))
			return -1;
	} while (!__atomic_compare_exchange_n(&gnt_table[ref].flags, &flags, 0,
					      false, __ATOMIC_SEQ_CST,
					      __ATOMIC_SEQ_CST));
	return 0;
}

int gnttab_copy(struct gnttab_copy *ops, unsigned int n)
{
	return (int)HYPERCALL3(__HYPERVISOR_grant_table_op, GNTTABOP_copy, ops,
			       n);
}
