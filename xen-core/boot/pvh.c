/*
 * The PVH boot contract, as Xen implements it for a domU:
 *   - kernel PT_LOAD segments at their physical addresses, BSS zeroed;
 *   - modules (the ramdisk) page-aligned after the kernel;
 *   - hvm_start_info v1 (magic 0x336ec578) with the command line, module
 *     list and memory map, on a reserved special page;
 *   - vCPU 0 in 32-bit protected mode, paging off, flat segments,
 *     %ebx = start info, at XEN_ELFNOTE_PHYS32_ENTRY.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <pvabi/hvm/start_info.h>
#include <pvabi/pvhv.h>
#include <pvhv/domain.h>
#include <pvhv/elf.h>
#include <pvhv/pvh.h>

#define START_INFO_GPA (PV_SPECIAL_BASE + PV_SPECIAL_START_INFO * PAGE_SIZE)
#define CMDLINE_GPA    (PV_SPECIAL_BASE + PV_SPECIAL_CMDLINE * PAGE_SIZE)
#define MODLIST_OFF    0x100
#define MEMMAP_OFF     0x200
#define EMPTY_STR_OFF  0xff0

static void pvh_memmap(struct domain *d)
{
	struct guest_mem *gm = &d->mem;
	uint32_t n = 0;

	d->memmap[n++] = (struct hvm_memmap_table_entry){
	    0, gm->lowmem_end, XEN_HVM_MEMMAP_TYPE_RAM, 0};
	d->memmap[n++] = (struct hvm_memmap_table_entry){
	    PV_SPECIAL_BASE, PV_SPECIAL_PAGES * PAGE_SIZE,
	    XEN_HVM_MEMMAP_TYPE_RESERVED, 0};
	if (gm->ram_size > gm->lowmem_end)
		d->memmap[n++] = (struct hvm_memmap_table_entry){
		    PV_HIGHMEM_BASE, gm->ram_size - gm->lowmem_end,
		    XEN_HVM_MEMMAP_TYPE_RAM, 0};
	d->nr_memmap = n;
}

static void pvh_boot_regs(uint32_t entry, struct vcpu_start_regs *r)
{
	memset(r, 0, sizeof(*r));
	r->rip = entry;
	r->rbx = START_INFO_GPA;
	r->rflags = 0x2;
	r->cr0 = 0x11; /* PE | ET */
	r->cs_limit = r->ds_limit = r->ss_limit = r->es_limit = 0xffffffff;
	r->cs_ar = 0xc9b; /* P, S, code exec/read accessed, DB, G */
	r->ds_ar = r->ss_ar = r->es_ar = 0xc93; /* P, S, data r/w, DB, G */
	r->tr_limit = 0x67;
	r->tr_ar = 0x8b; /* P, busy 32-bit TSS */
}

int pvh_build(struct domain *d, const void *kernel, size_t klen,
	      const void *ramdisk, size_t rdlen, const char *cmdline,
	      struct vcpu_start_regs *regs, char *why, size_t whylen)
{
	struct guest_mem *gm = &d->mem;
	struct hvm_start_info si = {0};
	struct hvm_modlist_entry mod = {0};
	struct elf_info info;
	const char *err = NULL;
	uint8_t *page;
	uint64_t rd_at = 0;
	size_t cl;
	int rc;

	rc = elf_parse(kernel, klen, &info, &err);
	if (rc < 0) {
		snprintf(why, whylen, "kernel: %s", err);
		return rc;
	}
	rc = elf_load(kernel, klen, &info, gm->base, 0, gm->lowmem_end, &err);
	if (rc < 0) {
		snprintf(why, whylen,
			 "kernel does not fit in the domain's %llu MiB of "
			 "low memory: %s",
			 (unsigned long long)(gm->lowmem_end >> 20), err);
		return rc;
	}
	if (ramdisk && rdlen) {
		rd_at = (info.paddr_hi + PAGE_SIZE - 1) & PAGE_MASK;
		if (rd_at > gm->lowmem_end || rdlen > gm->lowmem_end - rd_at) {
			snprintf(why, whylen,
				 "ramdisk (%zu bytes) does not fit after the "
				 "kernel in %llu MiB",
				 rdlen,
				 (unsigned long long)(gm->lowmem_end >> 20));
			return -ENOMEM;
		}
		memcpy(gm->base + rd_at, ramdisk, rdlen);
	}
	cl = strlen(cmdline);
	if (cl >= PV_CMDLINE_MAX) {
		snprintf(why, whylen, "command line longer than %d bytes",
			 PV_CMDLINE_MAX - 1);
		return -E2BIG;
	}
	pvh_memmap(d);

	page = gpa_to_hva(gm, START_INFO_GPA, PAGE_SIZE, GM_KIND(GM_SPECIAL));
	memset(page, 0, PAGE_SIZE);
	gpa_write(gm, CMDLINE_GPA, cmdline, cl + 1);
	si.magic = XEN_HVM_START_MAGIC_VALUE;
	si.version = 1;
	si.cmdline_paddr = CMDLINE_GPA;
	si.memmap_paddr = START_INFO_GPA + MEMMAP_OFF;
	si.memmap_entries = d->nr_memmap;
	memcpy(page + MEMMAP_OFF, d->memmap,
	       d->nr_memmap * sizeof(d->memmap[0]));
	if (rd_at) {
		mod.paddr = rd_at;
		mod.size = rdlen;
		mod.cmdline_paddr = START_INFO_GPA + EMPTY_STR_OFF;
		memcpy(page + MODLIST_OFF, &mod, sizeof(mod));
		si.nr_modules = 1;
		si.modlist_paddr = START_INFO_GPA + MODLIST_OFF;
	}
	memcpy(page, &si, sizeof(si));
	pvh_boot_regs((uint32_t)info.phys32_entry, regs);
	return 0;
}
