/* Grant tables v1: frames, pins and the in-use protocol (see gnttab.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <pvabi/errno.h>
#include <pvabi/memory.h>
#include <pvhv/domain.h>
#include <pvhv/gnttab.h>

/* An entry a guest keeps changing under us is "unstable" after this many
 * compare-and-swap attempts, as in Xen. */
#define PIN_RETRIES 4

int gnttab_init(struct gnttab *gt, uint32_t max_frames)
{
	memset(gt, 0, sizeof(*gt));
	if (max_frames < 1 || max_frames > GNTTAB_MAX_FRAMES)
		return -EINVAL;
	gt->active = calloc((size_t)max_frames * GNTTAB_ENTRIES_PER_PAGE,
			    sizeof(*gt->active));
	if (!gt->active)
		return -ENOMEM;
	pthread_mutex_init(&gt->lock, NULL);
	gt->max_frames = max_frames;
	gt->nr_frames = 1; /* Xen starts every table with one frame */
	for (uint32_t i = 0; i < GNTTAB_MAX_FRAMES; i++)
		gt->frame_gpa[i] = GPA_NONE;
	return 0;
}

void gnttab_fini(struct gnttab *gt)
{
	if (!gt->active)
		return;
	pthread_mutex_destroy(&gt->lock);
	free(gt->active);
	gt->active = NULL;
}

void gnttab_attach(struct domain *d)
{
	for (uint32_t i = 0; i < d->gt.max_frames; i++)
		d->gt.frame[i] = guestmem_pool_page(&d->mem, POOL_GRANT(i));
}

/* Moves frame i's storage to `to` (copying the entries). Caller holds the
 * table lock. */
static void frame_move(struct domain *d, uint32_t i, void *to, gpa_t gpa,
		       bool hole)
{
	struct gnttab *gt = &d->gt;

	if (to != (void *)gt->frame[i])
		memcpy(to, gt->frame[i], PAGE_SIZE);
	if (gt->frame_in_hole[i] && gt->frame_gpa[i] != gpa)
		domain_remove_pool_page(d, gt->frame_gpa[i]);
	__atomic_store_n(&gt->frame[i], (struct grant_entry_v1 *)to,
			 __ATOMIC_RELEASE);
	gt->frame_gpa[i] = gpa;
	gt->frame_in_hole[i] = hole;
}

int gnttab_map_frame(struct domain *d, uint64_t idx, uint64_t gfn)
{
	struct gnttab *gt = &d->gt;
	gpa_t gpa = gfn << PAGE_SHIFT;
	uint32_t i = (uint32_t)idx;
	void *ram;
	int rc = 0;

	if (idx & XENMAPIDX_grant_table_status)
		return -XEN_EINVAL; /* status frames are version 2 */
	if (idx >= gt->max_frames || gfn >> (64 - PAGE_SHIFT))
		return -XEN_EINVAL;
	pthread_mutex_lock(&gt->lock);
	if (gt->frame_gpa[i] == gpa) {
		pthread_mutex_unlock(&gt->lock);
		return 0;
	}
	ram = gpa_to_hva(&d->mem, gpa, PAGE_SIZE, GM_KIND(GM_RAM));
	if (ram) {
		/* Over a RAM page the guest gave up: the page is the frame. */
		frame_move(d, i, ram, gpa, false);
	} else {
		void *pool = guestmem_pool_page(&d->mem, POOL_GRANT(i));

		rc = domain_place_pool_page(d, gpa, POOL_GRANT(i));
		if (rc == 0)
			frame_move(d, i, pool, gpa, true);
		else
			rc = -XEN_EINVAL;
	}
	if (rc == 0 && i >= gt->nr_frames)
		gt->nr_frames = i + 1;
	pthread_mutex_unlock(&gt->lock);
	return rc;
}

int gnttab_unmap_frame(struct domain *d, uint64_t gfn)
{
	struct gnttab *gt = &d->gt;
	gpa_t gpa = gfn << PAGE_SHIFT;
	int rc = -ENOENT;

	pthread_mutex_lock(&gt->lock);
	for (uint32_t i = 0; i < gt->max_frames; i++) {
		if (gt->frame_gpa[i] != gpa)
			continue;
		/* Back to pvhv's own page (dropping a hole mapping). */
		frame_move(d, i, guestmem_pool_page(&d->mem, POOL_GRANT(i)),
			   GPA_NONE, false);
		rc = 0;
		break;
	}
	pthread_mutex_unlock(&gt->lock);
	return rc;
}

/* flags (low 16 bits) and domid (high 16) of an entry, read at once. */
static uint32_t *entry_word(struct gnttab *gt, grant_ref_t ref)
{
	struct grant_entry_v1 *f = __atomic_load_n(
	    &gt->frame[ref / GNTTAB_ENTRIES_PER_PAGE], __ATOMIC_ACQUIRE);

	return (uint32_t *)&f[ref % GNTTAB_ENTRIES_PER_PAGE];
}

static uint32_t *entry_frame(struct gnttab *gt, grant_ref_t ref)
{
	struct grant_entry_v1 *f = __atomic_load_n(
	    &gt->frame[ref / GNTTAB_ENTRIES_PER_PAGE], __ATOMIC_ACQUIRE);

	return &f[ref % GNTTAB_ENTRIES_PER_PAGE].frame;
}

/* Sets the in-use bits if the entry grants `user` what it asks. */
static int pin_entry(struct gnttab *gt, grant_ref_t ref, uint16_t user,
		     bool write)
{
	uint32_t *w = entry_word(gt, ref);
	uint32_t set = GTF_reading | (write ? GTF_writing : 0);

	for (int i = 0; i < PIN_RETRIES; i++) {
		uint32_t old = __atomic_load_n(w, __ATOMIC_ACQUIRE);
		uint16_t flags = (uint16_t)old, domid = (uint16_t)(old >> 16);

		if ((flags & GTF_type_mask) != GTF_permit_access ||
		    domid != user || (write && (flags & GTF_readonly)))
			return GNTST_permission_denied;
		if ((old & set) == set ||
		    __atomic_compare_exchange_n(w, &old, old | set, false,
						__ATOMIC_SEQ_CST,
						__ATOMIC_SEQ_CST))
			return GNTST_okay;
	}
	return GNTST_general_error; /* entry changing under us */
}

void gnttab_lock(struct domain *d)
{
	pthread_mutex_lock(&d->gt.lock);
}

void gnttab_unlock(struct domain *d)
{
	pthread_mutex_unlock(&d->gt.lock);
}

int gnttab_pin_locked(struct domain *d, grant_ref_t ref, uint16_t user,
		      bool write, uint64_t *gfn)
{
	struct gnttab *gt = &d->gt;
	struct gnt_active *act;
	int rc;

	if (ref >= gt->nr_frames * GNTTAB_ENTRIES_PER_PAGE)
		return GNTST_bad_gntref;
	act = &gt->active[ref];
	if ((write && act->wr == UINT16_MAX) || act->rd == UINT16_MAX)
		return GNTST_no_space;
	rc = pin_entry(gt, ref, user, write);
	if (rc == GNTST_okay) {
		/* The frame is read once, at the first pin; later changes
		 * by the guest do not move an active grant. */
		if (act->rd == 0 && act->wr == 0)
			act->frame = __atomic_load_n(entry_frame(gt, ref),
						     __ATOMIC_ACQUIRE);
		act->rd += !write;
		act->wr += write;
		*gfn = act->frame;
	}
	return rc;
}

void gnttab_unpin_locked(struct domain *d, grant_ref_t ref, bool write)
{
	struct gnttab *gt = &d->gt;
	struct gnt_active *act = &gt->active[ref];
	uint32_t clear = 0;

	if (write && act->wr)
		act->wr--;
	else if (!write && act->rd)
		act->rd--;
	if (!act->wr)
		clear |= GTF_writing;
	if (!act->wr && !act->rd)
		clear |= GTF_reading;
	__atomic_fetch_and(entry_word(gt, ref), ~clear, __ATOMIC_SEQ_CST);
}

int gnttab_pin(struct domain *d, grant_ref_t ref, uint16_t user, bool write,
	       uint64_t *gfn)
{
	int rc;

	gnttab_lock(d);
	rc = gnttab_pin_locked(d, ref, user, write, gfn);
	gnttab_unlock(d);
	return rc;
}

void gnttab_unpin(struct domain *d, grant_ref_t ref, bool write)
{
	gnttab_lock(d);
	gnttab_unpin_locked(d, ref, write);
	gnttab_unlock(d);
}

void *gnttab_frame_ptr(struct domain *d, uint64_t gfn)
{
	if (gfn >> (64 - PAGE_SHIFT))
		return NULL;
	return gpa_to_hva(&d->mem, gfn << PAGE_SHIFT, PAGE_SIZE,
			  GM_KIND(GM_RAM));
}

uint32_t gnttab_pins(struct domain *d)
{
	struct gnttab *gt = &d->gt;
	uint32_t n = 0;

	pthread_mutex_lock(&gt->lock);
	for (uint32_t i = 0; i < gt->nr_frames * GNTTAB_ENTRIES_PER_PAGE; i++)
		n += gt->active[i].rd + gt->active[i].wr;
	pthread_mutex_unlock(&gt->lock);
	return n;
}
