/* Grant tables (see gnttab.h). */
#include <errno.h>
#include <string.h>

#include <pvabi/errno.h>
#include <pvhv/domain.h>
#include <pvhv/exits.h>

int gnttab_init(struct gnttab *gt, uint32_t max_frames)
{
	memset(gt, 0, sizeof(*gt));
	pthread_mutex_init(&gt->lock, NULL);
	gt->max_frames = max_frames;
	return 0;
}

void gnttab_fini(struct gnttab *gt)
{
	pthread_mutex_destroy(&gt->lock);
}

int gnttab_map_frame(struct domain *d, uint64_t idx, uint64_t gfn)
{
	(void)gfn;
	dlog_ratelimited(d, LOG_WARN, "gnttab",
			 "grant-table frame %llu: grant tables not implemented "
			 "yet: -ENOSYS",
			 (unsigned long long)idx);
	return -XEN_ENOSYS;
}

int gnttab_unmap_frame(struct domain *d, uint64_t gfn)
{
	(void)d;
	(void)gfn;
	return -ENOENT;
}

int64_t do_grant_table_op(struct vcpu *v, const uint64_t *a)
{
	return hypercall_unimplemented(v, "grant_table_op", a[0]);
}
