/*
 * Guest memory: one memfd per domain holding RAM, the special pages and any
 * pvhv-owned frames the guest places in holes (grant tables, shared info).
 * Every guest-physical access goes through a bounds- and overflow-checked
 * translation; nothing hands out a host pointer for an unchecked range.
 */
#ifndef PVHV_GUESTMEM_H
#define PVHV_GUESTMEM_H

#include <pthread.h>

#include <pvhv/types.h>

/* RAM (2) + special + shared_info + 64 grant frames, with room to spare;
 * KVM allows 509 user slots. */
#define GM_MAX_REGIONS 96
#define GM_MAX_SLOTS   128

/* Guest-physical addresses pvhv accepts: 41 bits (2 TiB), so 1 TiB of RAM
 * fits above the 4 GiB hole, well inside what every x86-64 host supports. */
#define GM_PHYS_LIMIT (1ull << 41)

enum gm_kind {
	GM_RAM,	    /* guest RAM */
	GM_SPECIAL, /* magic pages, reserved in the memmap */
	GM_EXTRA,   /* pvhv-owned frame placed by the guest in a hole */
};

struct gm_region {
	gpa_t gpa;
	uint64_t size;
	uint64_t offset; /* in the memfd */
	enum gm_kind kind;
	int slot; /* KVM memory slot, -1 when not mapped yet */
	bool readonly;
};

struct guest_mem {
	int memfd;
	uint8_t *base;	   /* host mapping of the whole memfd */
	uint64_t size;	   /* memfd size */
	uint64_t ram_size; /* bytes of RAM */
	gpa_t lowmem_end;  /* RAM below 4 GiB ends here */
	uint64_t special_off;
	uint64_t pool_off; /* first memfd byte of the frame pool */
	uint32_t pool_pages;
	pthread_rwlock_t lock; /* regions change on add_to_physmap */
	uint32_t nr;
	uint64_t slots_used[GM_MAX_SLOTS / 64]; /* KVM slot numbers in use */
	struct gm_region r[GM_MAX_REGIONS];
};

/* Creates the memfd (RAM + special pages + `pool_pages` frames that the
 * guest may place in holes), maps it and lays out RAM and special pages. */
int guestmem_init(struct guest_mem *gm, uint64_t ram_bytes, uint32_t pool_pages,
		  const char *name);
void guestmem_fini(struct guest_mem *gm);

#define GM_KIND(k) (1u << (k))
#define GM_ANY	   0u

/*
 * Host pointer for [gpa, gpa + len) if the whole range lies inside one
 * region whose kind is in `kinds` (GM_ANY for any); NULL otherwise. The
 * memfd mapping lives as long as the domain, so the pointer never dangles;
 * after a remap it may simply no longer be what the guest sees at gpa.
 */
void *gpa_to_hva(struct guest_mem *gm, gpa_t gpa, uint64_t len,
		 unsigned int kinds);

/* memfd offset of the page at gpa (for dom0 mappings); -ENOENT if none. */
int gpa_to_offset(struct guest_mem *gm, gpa_t gpa, uint64_t *offset,
		  enum gm_kind *kind);

/* Host pointer to pool page `idx` (always valid for idx < pool_pages). */
void *guestmem_pool_page(struct guest_mem *gm, uint32_t idx);

/*
 * Places pool page `idx` at gpa, which must be a page-aligned hole below
 * the physical-address limit. On success *slot is the KVM slot the caller
 * must map (gpa, 1 page, memfd offset from gpa_to_offset()).
 */
int guestmem_place_pool_page(struct guest_mem *gm, gpa_t gpa, uint32_t idx,
			     int *slot);

/* Removes the pool-page region at gpa; *slot is the KVM slot to delete. */
int guestmem_remove_pool_page(struct guest_mem *gm, gpa_t gpa, int *slot);

/* Copies between host buffers and guest-physical memory (any region kind);
 * -EFAULT if any byte is outside guest memory. */
int gpa_read(struct guest_mem *gm, gpa_t gpa, void *dst, uint64_t len);
int gpa_write(struct guest_mem *gm, gpa_t gpa, const void *src, uint64_t len);

#endif
