/*
 * Grant tables, version 1. (The operations arrive with the event-channel
 * and dom0-access work; until then only the frame bookkeeping exists and
 * the ops answer -ENOSYS.)
 */
#ifndef PVHV_GNTTAB_H
#define PVHV_GNTTAB_H

#include <pthread.h>

#include <pvhv/types.h>

struct domain;

struct gnttab {
	pthread_mutex_t lock;
	uint32_t max_frames;
	uint32_t nr_frames;
};

int gnttab_init(struct gnttab *gt, uint32_t max_frames);
void gnttab_fini(struct gnttab *gt);
/* XENMAPSPACE_grant_table: place frame idx at gfn. */
int gnttab_map_frame(struct domain *d, uint64_t idx, uint64_t gfn);
/* XENMEM_remove_from_physmap of a grant frame; -ENOENT if gfn is not one. */
int gnttab_unmap_frame(struct domain *d, uint64_t gfn);

#endif
