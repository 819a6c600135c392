/*
 * Grant tables, version 1.
 *
 * A domain's grant table is up to max_grant_frames pages of
 * grant_entry_v1 (512 per page). The guest places frame i in its
 * physical address space with XENMAPSPACE_grant_table: over a RAM page
 * (the page itself becomes the frame) or in a hole (pvhv maps pool page
 * 1 + i there with a new KVM slot). Until placed, pvhv keeps the frame in
 * the pool page.
 *
 * Users of a grant (pvhv's grant copy, dom0 maps) pin it: the first pin
 * checks the entry (permit_access, the user's domid, readonly) with an
 * atomic compare-and-swap on flags+domid that also sets GTF_reading /
 * GTF_writing, and remembers the frame; the last unpin clears the bits.
 * A granter that revokes while the bits are set is told "in use", the
 * Xen protocol; one that ignores them still only ever exposes its own RAM.
 */
#ifndef PVHV_GNTTAB_H
#define PVHV_GNTTAB_H

#include <pthread.h>

#include <pvabi/grant_table.h>
#include <pvhv/types.h>

#define GNTTAB_MAX_FRAMES	64
#define GNTTAB_ENTRIES_PER_PAGE (PAGE_SIZE / sizeof(struct grant_entry_v1))

struct domain;

struct gnt_active {
	uint16_t rd, wr; /* pins for reading / writing */
	uint32_t _pad;
	uint64_t frame; /* guest frame recorded at the first pin */
};

struct gnttab {
	pthread_mutex_t lock;
	uint32_t max_frames;
	uint32_t nr_frames;
	struct grant_entry_v1 *frame[GNTTAB_MAX_FRAMES]; /* current storage */
	gpa_t frame_gpa[GNTTAB_MAX_FRAMES]; /* GPA_NONE: not placed */
	bool frame_in_hole[GNTTAB_MAX_FRAMES];
	struct gnt_active *active; /* [max_frames * 512] */
};

int gnttab_init(struct gnttab *gt, uint32_t max_frames);
void gnttab_fini(struct gnttab *gt);
/* Points the frames at their pool pages (after guest memory exists). */
void gnttab_attach(struct domain *d);

/* XENMAPSPACE_grant_table: place frame idx at gfn (grows the table). */
int gnttab_map_frame(struct domain *d, uint64_t idx, uint64_t gfn);
/* XENMEM_remove_from_physmap of a grant frame; -ENOENT if gfn is not one. */
int gnttab_unmap_frame(struct domain *d, uint64_t gfn);

/*
 * Pins grant `ref` of domain d for use by domain `user` (reading, or
 * writing when `write`). Returns GNTST_okay and the granted frame, or a
 * GNTST_* error. Every successful pin needs one gnttab_unpin().
 */
int gnttab_pin(struct domain *d, grant_ref_t ref, uint16_t user, bool write,
	       uint64_t *gfn);
void gnttab_unpin(struct domain *d, grant_ref_t ref, bool write);

/*
 * The same under the table lock the caller holds (gnttab_lock), so that a
 * run of pins or unpins on one table takes the lock once (grant copy's
 * batches). Hold no other domain's table lock meanwhile.
 */
void gnttab_lock(struct domain *d);
void gnttab_unlock(struct domain *d);
int gnttab_pin_locked(struct domain *d, grant_ref_t ref, uint16_t user,
		      bool write, uint64_t *gfn);
void gnttab_unpin_locked(struct domain *d, grant_ref_t ref, bool write);

/* Host pointer to the granted page (RAM only), NULL if the frame is not
 * one of d's RAM pages. */
void *gnttab_frame_ptr(struct domain *d, uint64_t gfn);

/* Pins currently held on d's grants (for tests and info). */
uint32_t gnttab_pins(struct domain *d);

#endif
