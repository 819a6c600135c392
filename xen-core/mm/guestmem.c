/*
 * Guest memory regions and checked guest-physical translation.
 *
 * memfd layout: [0, ram) RAM (low part, then the part above 4 GiB),
 * [special_off, +16 pages) magic pages, [pool_off, +pool_pages) frames the
 * guest may place in holes (grant-table frames, shared info).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <pvabi/pvhv.h>
#include <pvhv/guestmem.h>

static int gm_add(struct guest_mem *gm, gpa_t gpa, uint64_t size, uint64_t off,
		  enum gm_kind kind)
{
	struct gm_region *r;
	int slot = -1;

	if (gm->nr >= GM_MAX_REGIONS)
		return -ENOSPC;
	for (int w = 0; w < GM_MAX_SLOTS / 64 && slot < 0; w++)
		if (~gm->slots_used[w])
			slot = w * 64 + __builtin_ctzll(~gm->slots_used[w]);
	if (slot < 0)
		return -ENOSPC;
	gm->slots_used[slot / 64] |= 1ull << (slot % 64);
	r = &gm->r[gm->nr++];
	*r = (struct gm_region){.gpa = gpa,
				.size = size,
				.offset = off,
				.kind = kind,
				.slot = slot};
	return slot;
}

int guestmem_init(struct guest_mem *gm, uint64_t ram_bytes, uint32_t pool_pages,
		  const char *name)
{
	uint64_t low, high;
	int err;

	memset(gm, 0, sizeof(*gm));
	gm->memfd = -1;
	if (ram_bytes == 0 || ram_bytes & (PAGE_SIZE - 1) ||
	    ram_bytes > GM_PHYS_LIMIT - PV_HIGHMEM_BASE)
		return -EINVAL;
	low = MIN(ram_bytes, PV_LOWMEM_MAX);
	high = ram_bytes - low;
	gm->ram_size = ram_bytes;
	gm->lowmem_end = low;
	gm->special_off = ram_bytes;
	gm->pool_off = ram_bytes + PV_SPECIAL_PAGES * PAGE_SIZE;
	gm->pool_pages = pool_pages;
	gm->size = gm->pool_off + (uint64_t)pool_pages * PAGE_SIZE;

	gm->memfd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (gm->memfd < 0)
		return -errno;
	if (ftruncate(gm->memfd, (off_t)gm->size) < 0)
		goto err_errno;
	/* The size never changes: dom0 mappings rely on it. */
	if (fcntl(gm->memfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) < 0)
		goto err_errno;
	gm->base = mmap(NULL, gm->size, PROT_READ | PROT_WRITE, MAP_SHARED,
			gm->memfd, 0);
	if (gm->base == MAP_FAILED) {
		gm->base = NULL;
		goto err_errno;
	}
	/* Guest RAM is not worth dumping with a pvhv core file. */
	madvise(gm->base, gm->size, MADV_DONTDUMP);
	pthread_rwlock_init(&gm->lock, NULL);

	gm_add(gm, 0, low, 0, GM_RAM);
	if (high)
		gm_add(gm, PV_HIGHMEM_BASE, high, low, GM_RAM);
	gm_add(gm, PV_SPECIAL_BASE, PV_SPECIAL_PAGES * PAGE_SIZE,
	       gm->special_off, GM_SPECIAL);
	return 0;

err_errno:
	err = -errno;
	guestmem_fini(gm);
	return err;
}

void guestmem_fini(struct guest_mem *gm)
{
	if (gm->base) {
		munmap(gm->base, gm->size);
		pthread_rwlock_destroy(&gm->lock);
	}
	if (gm->memfd >= 0)
		close(gm->memfd);
	gm->base = NULL;
	gm->memfd = -1;
}

/* Caller holds gm->lock. */
static struct gm_region *gm_find(struct guest_mem *gm, gpa_t gpa)
{
	for (uint32_t i = 0; i < gm->nr; i++) {
		struct gm_region *r = &gm->r[i];

		if (gpa >= r->gpa && gpa - r->gpa < r->size)
			return r;
	}
	return NULL;
}

/*
 * RAM is laid out once, by guestmem_init(), and its regions never change
 * (holes take the pool pages; a grant frame placed over RAM stays RAM):
 * RAM addresses need neither the lock nor the region scan. Sets *hva for
 * a RAM gpa (NULL if the range leaves the region); false if gpa is not RAM.
 */
static bool gm_ram_hva(const struct guest_mem *gm, gpa_t gpa, uint64_t len,
		       void **hva)
{
	uint64_t high = gm->ram_size - gm->lowmem_end, off;

	if (gpa < gm->lowmem_end) {
		off = gpa;
		*hva = len <= gm->lowmem_end - gpa ? gm->base + off : NULL;
		return true;
	}
	if (high && gpa >= PV_HIGHMEM_BASE && gpa - PV_HIGHMEM_BASE < high) {
		off = gpa - PV_HIGHMEM_BASE;
		*hva =
		    len <= high - off ? gm->base + gm->lowmem_end + off : NULL;
		return true;
	}
	return false;
}

void *gpa_to_hva(struct guest_mem *gm, gpa_t gpa, uint64_t len,
		 unsigned int kinds)
{
	struct gm_region *r;
	void *p = NULL;

	if (gm_ram_hva(gm, gpa, len, &p))
		return kinds == GM_ANY || (kinds & GM_KIND(GM_RAM)) ? p : NULL;
	pthread_rwlock_rdlock(&gm->lock);
	r = gm_find(gm, gpa);
	if (r && (kinds == GM_ANY || (kinds & GM_KIND(r->kind))) &&
	    len <= r->size - (gpa - r->gpa))
		p = gm->base + r->offset + (gpa - r->gpa);
	pthread_rwlock_unlock(&gm->lock);
	return p;
}

int gpa_to_offset(struct guest_mem *gm, gpa_t gpa, uint64_t *offset,
		  enum gm_kind *kind)
{
	struct gm_region *r;
	int err = -ENOENT;

	pthread_rwlock_rdlock(&gm->lock);
	r = gm_find(gm, gpa);
	if (r) {
		*offset = r->offset + ((gpa - r->gpa) & PAGE_MASK);
		if (kind)
			*kind = r->kind;
		err = 0;
	}
	pthread_rwlock_unlock(&gm->lock);
	return err;
}

void *guestmem_pool_page(struct guest_mem *gm, uint32_t idx)
{
	if (idx >= gm->pool_pages)
		return NULL;
	return gm->base + gm->pool_off + (uint64_t)idx * PAGE_SIZE;
}

/* A hole is a page-aligned address, below the limit, outside every region
 * and outside the local APIC page. */
static bool gm_is_hole(struct guest_mem *gm, gpa_t gpa)
{
	if (gpa & (PAGE_SIZE - 1) || gpa >= GM_PHYS_LIMIT)
		return false;
	if (gpa == 0xfee00000ull)
		return false;
	return gm_find(gm, gpa) == NULL;
}

int guestmem_place_pool_page(struct guest_mem *gm, gpa_t gpa, uint32_t idx,
			     int *slot)
{
	int rc;

	if (idx >= gm->pool_pages)
		return -EINVAL;
	pthread_rwlock_wrlock(&gm->lock);
	if (!gm_is_hole(gm, gpa)) {
		rc = -EBUSY;
	} else {
		rc = gm_add(gm, gpa, PAGE_SIZE,
			    gm->pool_off + (uint64_t)idx * PAGE_SIZE, GM_EXTRA);
		if (rc >= 0) {
			*slot = rc;
			rc = 0;
		}
	}
	pthread_rwlock_unlock(&gm->lock);
	return rc;
}

int guestmem_remove_pool_page(struct guest_mem *gm, gpa_t gpa, int *slot)
{
	int rc = -ENOENT;

	pthread_rwlock_wrlock(&gm->lock);
	for (uint32_t i = 0; i < gm->nr; i++) {
		struct gm_region *r = &gm->r[i];

		if (r->kind != GM_EXTRA || r->gpa != gpa)
			continue;
		*slot = r->slot;
		gm->slots_used[r->slot / 64] &= ~(1ull << (r->slot % 64));
		gm->r[i] = gm->r[--gm->nr];
		rc = 0;
		break;
	}
	pthread_rwlock_unlock(&gm->lock);
	return rc;
}

static int gpa_copy(struct guest_mem *gm, gpa_t gpa, void *buf, uint64_t len,
		    bool write)
{
	uint8_t *b = buf;

	while (len) {
		uint64_t chunk = MIN(len, PAGE_SIZE - (gpa & (PAGE_SIZE - 1)));
		uint8_t *p = gpa_to_hva(gm, gpa, chunk, GM_ANY);

		if (!p)
			return -EFAULT;
		if (write)
			memcpy(p, b, chunk);
		else
			memcpy(b, p, chunk);
		gpa += chunk;
		b += chunk;
		len -= chunk;
	}
	return 0;
}

int gpa_read(struct guest_mem *gm, gpa_t gpa, void *dst, uint64_t len)
{
	return gpa_copy(gm, gpa, dst, len, false);
}

int gpa_write(struct guest_mem *gm, gpa_t gpa, const void *src, uint64_t len)
{
	return gpa_copy(gm, gpa, (void *)src, len, true);
}
