/*
 * __HYPERVISOR_grant_table_op(cmd, uop, count): the guest side of grant
 * tables v1: setup/query/version, copy (domU <-> domU, within a domain)
 * and swap. Mapping grants into a guest's own physmap is not supported
 * (-ENOSYS, logged): guests use copy; dom0 maps through the control socket.
 */
#include <string.h>

#include <pvabi/errno.h>
#include <pvabi/grant_table.h>
#include <pvhv/domain.h>
#include <pvhv/exits.h>
#include <pvhv/guestcopy.h>

#define INVALID_GFN (~0ull)
#define COPY_BATCH  32

static int64_t gt_setup_table(struct vcpu *v, uint64_t uop)
{
	struct gnttab *gt = &v->d->gt;
	struct gnttab_setup_table op;
	int rc = copy_from_guest(v, &op, uop, sizeof(op));

	if (rc)
		return rc;
	op.status = GNTST_okay;
	if (hcall_self_only_locked(v, op.dom))
		op.status = hcall_self_only_locked(v, op.dom) == -XEN_ESRCH
				? GNTST_bad_domain
				: GNTST_permission_denied;
	else if (op.nr_frames > gt->max_frames)
		op.status = GNTST_general_error;
	if (op.status == GNTST_okay) {
		pthread_mutex_lock(&gt->lock);
		if (op.nr_frames > gt->nr_frames)
			gt->nr_frames = op.nr_frames;
		for (uint32_t i = 0; i < op.nr_frames && rc == 0; i++) {
			uint64_t gfn = gt->frame_gpa[i] != GPA_NONE
					   ? gt->frame_gpa[i] >> PAGE_SHIFT
					   : INVALID_GFN;

			rc = copy_to_guest(v, op.frame_list.p + i * sizeof(gfn),
					   &gfn, sizeof(gfn));
		}
		pthread_mutex_unlock(&gt->lock);
		if (rc)
			return rc;
	}
	return copy_to_guest(v, uop, &op, sizeof(op));
}

static int64_t gt_query_size(struct vcpu *v, uint64_t uop)
{
	struct gnttab_query_size op;
	int rc = copy_from_guest(v, &op, uop, sizeof(op));

	if (rc)
		return rc;
	rc = hcall_self_only_locked(v, op.dom);
	op.status = rc == 0	       ? GNTST_okay
		    : rc == -XEN_ESRCH ? GNTST_bad_domain
				       : GNTST_permission_denied;
	pthread_mutex_lock(&v->d->gt.lock);
	op.nr_frames = rc ? 0 : v->d->gt.nr_frames;
	op.max_nr_frames = rc ? 0 : v->d->gt.max_frames;
	pthread_mutex_unlock(&v->d->gt.lock);
	return copy_to_guest(v, uop, &op, sizeof(op));
}

static int64_t gt_set_version(struct vcpu *v, uint64_t uop)
{
	struct gnttab_set_version op;
	int64_t ret = 0;
	int rc = copy_from_guest(v, &op, uop, sizeof(op));

	if (rc)
		return rc;
	/* Only version 1 exists in pvhv; Xen with max version 1 answers a
	 * request for 2 with -ENOSYS (and anything else with -EINVAL). */
	if (op.version == 2)
		ret = -XEN_ENOSYS;
	else if (op.version != 1)
		ret = -XEN_EINVAL;
	op.version = 1;
	rc = copy_to_guest(v, uop, &op, sizeof(op));
	return rc ? rc : ret;
}

static int64_t gt_get_version(struct vcpu *v, uint64_t uop)
{
	struct gnttab_get_version op;
	int rc = copy_from_guest(v, &op, uop, sizeof(op));

	if (rc)
		return rc;
	rc = hcall_self_only_locked(v, op.dom);
	if (rc)
		return rc;
	op.version = 1;
	return copy_to_guest(v, uop, &op, sizeof(op));
}

/* One side of a copy: a pinned grant or one of the caller's frames. */
struct copy_side {
	struct domain *d;
	grant_ref_t ref;
	bool pinned;
	uint8_t *page;
};

/*
 * The grant table a run of pins or unpins holds locked: consecutive ops
 * on one granting domain (the usual batch: a backend copying from or to
 * one frontend) take its lock once. At most one table is locked at a
 * time.
 */
struct gt_run {
	struct domain *locked;
};

static void run_lock(struct gt_run *run, struct domain *d)
{
	if (run->locked == d)
		return;
	if (run->locked)
		gnttab_unlock(run->locked);
	gnttab_lock(d);
	run->locked = d;
}

static void run_end(struct gt_run *run)
{
	if (run->locked)
		gnttab_unlock(run->locked);
	run->locked = NULL;
}

static int16_t side_get(struct vcpu *v, struct gnttab_copy_ptr *p, bool gref,
			bool write, struct copy_side *s, struct gt_run *run)
{
	uint64_t gfn;
	int16_t st;

	if (!gref) {
		if (p->domid != DOMID_SELF && p->domid != v->d->domid)
			return GNTST_permission_denied;
		s->page = gnttab_frame_ptr(v->d, p->u.gmfn);
		return s->page ? GNTST_okay : GNTST_bad_page;
	}
	s->d = p->domid == DOMID_SELF ? v->d : domain_lookup(p->domid);
	if (!s->d)
		return p->domid == 0 ? GNTST_permission_denied
				     : GNTST_bad_domain;
	run_lock(run, s->d);
	st = (int16_t)gnttab_pin_locked(s->d, p->u.ref, (uint16_t)v->d->domid,
					write, &gfn);
	if (st != GNTST_okay)
		return st;
	s->ref = p->u.ref;
	s->pinned = true;
	s->page = gnttab_frame_ptr(s->d, gfn);
	return s->page ? GNTST_okay : GNTST_bad_page;
}

static void side_put(struct copy_side *s, bool write, struct gt_run *run)
{
	if (s->pinned) {
		run_lock(run, s->d);
		gnttab_unpin_locked(s->d, s->ref, write);
		s->pinned = false;
	}
}

/* Checks one op and pins its grants; on failure nothing stays pinned. */
static int16_t copy_prepare(struct vcpu *v, struct gnttab_copy *op,
			    struct copy_side *src, struct copy_side *dst,
			    struct gt_run *run)
{
	int16_t st;

	memset(src, 0, sizeof(*src));
	memset(dst, 0, sizeof(*dst));
	if (op->len > PAGE_SIZE || op->source.offset + op->len > PAGE_SIZE ||
	    op->dest.offset + op->len > PAGE_SIZE)
		return GNTST_bad_copy_arg;
	st = side_get(v, &op->source, op->flags & GNTCOPY_source_gref, false,
		      src, run);
	if (st == GNTST_okay)
		st = side_get(v, &op->dest, op->flags & GNTCOPY_dest_gref, true,
			      dst, run);
	if (st != GNTST_okay) {
		side_put(dst, true, run);
		side_put(src, false, run);
	}
	return st;
}

/*
 * Up to COPY_BATCH ops at a time: check and pin them all, copy, unpin
 * them all. The copies run in op order, each between pinned grants, as
 * one by one; the grants stay in use (GTF_reading/GTF_writing) for the
 * batch's copies rather than for their own only, which is what Xen's
 * grant copy does too when consecutive ops share a grant.
 */
static void copy_batch(struct vcpu *v, struct gnttab_copy *ops, uint32_t n)
{
	struct copy_side src[COPY_BATCH], dst[COPY_BATCH];
	struct gt_run run = {NULL};

	for (uint32_t i = 0; i < n; i++)
		ops[i].status =
		    copy_prepare(v, &ops[i], &src[i], &dst[i], &run);
	run_end(&run);
	for (uint32_t i = 0; i < n; i++)
		if (ops[i].status == GNTST_okay)
			memmove(dst[i].page + ops[i].dest.offset,
				src[i].page + ops[i].source.offset, ops[i].len);
	for (uint32_t i = 0; i < n; i++) {
		side_put(&dst[i], true, &run);
		side_put(&src[i], false, &run);
	}
	run_end(&run);
}

static int64_t gt_copy(struct vcpu *v, uint64_t uop, uint64_t count)
{
	struct gnttab_copy ops[COPY_BATCH];

	while (count) {
		uint32_t n = (uint32_t)MIN(count, COPY_BATCH);
		int rc = copy_from_guest(v, ops, uop, n * sizeof(ops[0]));

		if (rc)
			return rc;
		copy_batch(v, ops, n);
		rc = copy_to_guest(v, uop, ops, n * sizeof(ops[0]));
		if (rc)
			return rc;
		uop += n * sizeof(ops[0]);
		count -= n;
	}
	return 0;
}

static int16_t swap_one(struct gnttab *gt, grant_ref_t a, grant_ref_t b)
{
	uint32_t n = gt->nr_frames * GNTTAB_ENTRIES_PER_PAGE;
	struct grant_entry_v1 *fa, *fb, tmp;
	uint32_t busy = GTF_reading | GTF_writing;

	if (a >= n || b >= n)
		return GNTST_bad_gntref;
	fa = &gt->frame[a / GNTTAB_ENTRIES_PER_PAGE]
		       [a % GNTTAB_ENTRIES_PER_PAGE];
	fb = &gt->frame[b / GNTTAB_ENTRIES_PER_PAGE]
		       [b % GNTTAB_ENTRIES_PER_PAGE];
	if (gt->active[a].rd || gt->active[a].wr || gt->active[b].rd ||
	    gt->active[b].wr || (fa->flags & busy) || (fb->flags & busy))
		return GNTST_eagain;
	tmp = *fa;
	*fa = *fb;
	*fb = tmp;
	return GNTST_okay;
}

static int64_t gt_swap(struct vcpu *v, uint64_t uop, uint64_t count)
{
	for (; count; count--, uop += sizeof(struct gnttab_swap_grant_ref)) {
		struct gnttab_swap_grant_ref op;
		int rc = copy_from_guest(v, &op, uop, sizeof(op));

		if (rc)
			return rc;
		pthread_mutex_lock(&v->d->gt.lock);
		op.status = swap_one(&v->d->gt, op.ref_a, op.ref_b);
		pthread_mutex_unlock(&v->d->gt.lock);
		rc = copy_to_guest(v, uop, &op, sizeof(op));
		if (rc)
			return rc;
	}
	return 0;
}

static int64_t gt_dispatch(struct vcpu *v, uint64_t cmd, uint64_t uop,
			   uint64_t count)
{
	bool single =
	    cmd == GNTTABOP_setup_table || cmd == GNTTABOP_query_size ||
	    cmd == GNTTABOP_set_version || cmd == GNTTABOP_get_version ||
	    cmd == GNTTABOP_get_status_frames;

	if ((int32_t)count < 0 || (single && count != 1))
		return -XEN_EINVAL;
	switch (cmd) {
	case GNTTABOP_setup_table:
		return gt_setup_table(v, uop);
	case GNTTABOP_query_size:
		return gt_query_size(v, uop);
	case GNTTABOP_set_version:
		return gt_set_version(v, uop);
	case GNTTABOP_get_version:
		return gt_get_version(v, uop);
	case GNTTABOP_get_status_frames:
		return -XEN_EINVAL; /* version 2 only */
	case GNTTABOP_copy:
		return gt_copy(v, uop, count);
	case GNTTABOP_swap_grant_ref:
		return gt_swap(v, uop, count);
	default:
		/* map/unmap into a domU's physmap, transfer, unmap_and_replace,
		 * cache_flush, dump_table. */
		return hypercall_unimplemented(v, "grant_table_op", cmd);
	}
}

int64_t do_grant_table_op(struct vcpu *v, const uint64_t *a)
{
	int64_t rc;

	/* Peers are used under the domain table lock (see domain.h). */
	pthread_rwlock_rdlock(&domains_lock);
	rc = gt_dispatch(v, a[0], a[1], a[2]);
	pthread_rwlock_unlock(&domains_lock);
	return rc;
}
