/*
 * PVH kernel ELF parser and loader (pure logic, see <pvhv/elf.h>).
 *
 * Semantics follow Xen's libelf where a PVH guest can tell the difference,
 * and are stricter where libelf trusts the image:
 *
 * - Accepted: little-endian ELF64 for EM_X86_64 and ELF32 for EM_386. For
 *   e_type, Xen checks nothing; we accept ET_EXEC and also ET_DYN, loaded
 *   as is at p_paddr with no relocation (what Xen does with it, and what a
 *   self-relocating PIE kernel expects), and reject ET_REL/ET_CORE/other,
 *   which have no load layout at all.
 * - PT_LOAD segments are placed at p_paddr. Like libelf's
 *   elf_phdr_is_loadable(), a PT_LOAD without any of PF_R/PF_W/PF_X is not
 *   loaded; neither is one with p_memsz 0. The rest must be consistent
 *   (filesz <= memsz, inside the file, no address overflow, no overlap),
 *   at most ELF_MAX_LOAD_SEGS of them and at least one.
 * - Xen notes (owner "Xen") are read from PT_NOTE segments and, only when
 *   those carry no XEN_ELFNOTE_PHYS32_ENTRY, from SHT_NOTE sections. Notes
 *   are 4-byte aligned as in Xen; a later note of a type overrides an
 *   earlier one, as in Xen. Fewer trailing bytes than a note header are
 *   padding. At most ELF_MAX_NOTES notes are walked in all.
 * - PHYS32_ENTRY is numeric (1, 2, 4 or 8 little-endian bytes, like
 *   elf_note_numeric(); anything else is an error here, where Xen would
 *   read 0), below 4 GiB, and inside some PT_LOAD's file contents.
 * - Extended numbering (PN_XNUM, e_shnum 0 with a section table) is
 *   rejected. e_shstrndx is not used: notes are found by section type.
 *
 * Every read of the image goes through a bounds check and memcpy() into a
 * local structure, so neither a short image nor an odd alignment is UB.
 * The structures are read in host byte order: x86 hosts only.
 */
#include <elf.h>
#include <errno.h>
#include <string.h>

#include <pvabi/elfnote.h>
#include <pvhv/elf.h>

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "ELF headers are read in host order: little-endian hosts only");
_Static_assert(sizeof(Elf32_Nhdr) == sizeof(Elf64_Nhdr),
	       "note headers have the same layout in both classes");

#define ELF_MAX_NOTES 4096

#define STR_(x) #x
#define STR(x)	STR_(x)

/* The image and its class, once the identification is known. */
struct elf_img {
	const uint8_t *p;
	size_t len;
	bool is64;
};

/* Class-independent copies of the header fields we use. */
struct ehdr {
	uint16_t type, machine;
	uint16_t phentsize, phnum, shentsize, shnum;
	uint64_t phoff, shoff;
};

struct phdr {
	uint32_t type, flags;
	uint64_t offset, paddr, filesz, memsz;
};

struct shdr {
	uint32_t type;
	uint64_t offset, size;
};

/* State carried across every note container of one image. */
struct note_scan {
	struct elf_info *info;
	bool have_entry;
	uint32_t nnotes; /* notes walked so far, all containers together */
};

static int fail(const char **why, int err, const char *msg)
{
	if (why)
		*why = msg;
	return err;
}

/* True if [off, off + size) lies within [0, len), without overflow. */
static bool range_ok(uint64_t off, uint64_t size, uint64_t len)
{
	return off <= len && size <= len - off;
}

static bool img_read(const struct elf_img *im, uint64_t off, void *dst,
		     size_t size)
{
	if (!range_ok(off, size, im->len))
		return false;
	memcpy(dst, im->p + off, size);
	return true;
}

static uint64_t pad4(uint32_t n)
{
	return ((uint64_t)n + 3) & ~(uint64_t)3;
}

static int ident_read(struct elf_img *im, const char **why)
{
	const uint8_t *id = im->p;

	if (im->len < EI_NIDENT)
		return fail(
		    why, -ENOEXEC,
		    "image is shorter than the 16-byte ELF identification");
	if (memcmp(id, ELFMAG, SELFMAG) != 0)
		return fail(why, -ENOEXEC, "bad ELF magic: not an ELF image");
	if (id[EI_CLASS] == ELFCLASS64)
		im->is64 = true;
	else if (id[EI_CLASS] == ELFCLASS32)
		im->is64 = false;
	else
		return fail(
		    why, -ENOEXEC,
		    "unsupported ELF class (EI_CLASS is neither ELFCLASS32 nor ELFCLASS64)");
	if (id[EI_DATA] != ELFDATA2LSB)
		return fail(
		    why, -ENOEXEC,
		    "not a little-endian ELF image (EI_DATA is not ELFDATA2LSB)");
	return 0;
}

#define EHDR_OF(h)                                                             \
	((struct ehdr){.type = (h).e_type,                                     \
		       .machine = (h).e_machine,                               \
		       .phentsize = (h).e_phentsize,                           \
		       .phnum = (h).e_phnum,                                   \
		       .shentsize = (h).e_shentsize,                           \
		       .shnum = (h).e_shnum,                                   \
		       .phoff = (h).e_phoff,                                   \
		       .shoff = (h).e_shoff})
#define PHDR_OF(p)                                                             \
	((struct phdr){.type = (p).p_type,                                     \
		       .flags = (p).p_flags,                                   \
		       .offset = (p).p_offset,                                 \
		       .paddr = (p).p_paddr,                                   \
		       .filesz = (p).p_filesz,                                 \
		       .memsz = (p).p_memsz})
#define SHDR_OF(s)                                                             \
	((struct shdr){.type = (s).sh_type,                                    \
		       .offset = (s).sh_offset,                                \
		       .size = (s).sh_size})

static int ehdr_read(const struct elf_img *im, struct ehdr *eh,
		     const char **why)
{
	Elf64_Ehdr h64;
	Elf32_Ehdr h32;

	if (im->is64) {
		if (!img_read(im, 0, &h64, sizeof(h64)))
			return fail(
			    why, -ENOEXEC,
			    "image is shorter than the ELF64 file header");
		*eh = EHDR_OF(h64);
	} else {
		if (!img_read(im, 0, &h32, sizeof(h32)))
			return fail(
			    why, -ENOEXEC,
			    "image is shorter than the ELF32 file header");
		*eh = EHDR_OF(h32);
	}
	return 0;
}

static int ehdr_check(const struct elf_img *im, const struct ehdr *eh,
		      const char **why)
{
	size_t phsz = im->is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
	size_t shsz = im->is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);

	if (eh->type != ET_EXEC && eh->type != ET_DYN)
		return fail(
		    why, -ENOEXEC,
		    "not an executable (e_type is neither ET_EXEC nor ET_DYN)");
	if (im->is64 && eh->machine != EM_X86_64)
		return fail(
		    why, -ENOEXEC,
		    "ELF64 image is not for x86-64 (e_machine is not EM_X86_64)");
	if (!im->is64 && eh->machine != EM_386)
		return fail(
		    why, -ENOEXEC,
		    "ELF32 image is not for i386 (e_machine is not EM_386)");
	if (eh->phnum == PN_XNUM)
		return fail(
		    why, -ENOEXEC,
		    "extended program header numbering (e_phnum == PN_XNUM) is not supported");
	if (eh->phnum == 0)
		return fail(why, -ENOEXEC, "no program headers (e_phnum is 0)");
	if (eh->phentsize != phsz)
		return fail(why, -ENOEXEC,
			    "e_phentsize does not match the ELF class");
	if (!range_ok(eh->phoff, (uint64_t)eh->phnum * phsz, im->len))
		return fail(
		    why, -ENOEXEC,
		    "program header table (e_phoff, e_phnum) lies outside the image");
	if (eh->shnum == 0) {
		if (eh->shoff != 0)
			return fail(
			    why, -ENOEXEC,
			    "extended section numbering (e_shnum 0, e_shoff set) is not supported");
		return 0;
	}
	if (eh->shentsize != shsz)
		return fail(why, -ENOEXEC,
			    "e_shentsize does not match the ELF class");
	if (!range_ok(eh->shoff, (uint64_t)eh->shnum * shsz, im->len))
		return fail(
		    why, -ENOEXEC,
		    "section header table (e_shoff, e_shnum) lies outside the image");
	return 0;
}

/* Reads program header i; the table was bounds-checked by ehdr_check(). */
static void phdr_read(const struct elf_img *im, const struct ehdr *eh,
		      unsigned int i, struct phdr *ph)
{
	uint64_t off = eh->phoff + (uint64_t)i * eh->phentsize;
	Elf64_Phdr p64 = {0};
	Elf32_Phdr p32 = {0};

	if (im->is64) {
		img_read(im, off, &p64, sizeof(p64));
		*ph = PHDR_OF(p64);
	} else {
		img_read(im, off, &p32, sizeof(p32));
		*ph = PHDR_OF(p32);
	}
}

static void shdr_read(const struct elf_img *im, const struct ehdr *eh,
		      unsigned int i, struct shdr *sh)
{
	uint64_t off = eh->shoff + (uint64_t)i * eh->shentsize;
	Elf64_Shdr s64 = {0};
	Elf32_Shdr s32 = {0};

	if (im->is64) {
		img_read(im, off, &s64, sizeof(s64));
		*sh = SHDR_OF(s64);
	} else {
		img_read(im, off, &s32, sizeof(s32));
		*sh = SHDR_OF(s32);
	}
}

static int seg_add(struct elf_info *info, const struct phdr *ph, uint64_t len,
		   const char **why)
{
	struct elf_load_seg *s;
	uint32_t i;

	if (ph->memsz == 0 || !(ph->flags & (PF_R | PF_W | PF_X)))
		return 0;
	if (ph->filesz > ph->memsz)
		return fail(why, -ENOEXEC,
			    "PT_LOAD segment has p_filesz larger than p_memsz");
	if (ph->filesz && !range_ok(ph->offset, ph->filesz, len))
		return fail(
		    why, -ENOEXEC,
		    "PT_LOAD file contents (p_offset + p_filesz) lie outside the image");
	if (ph->paddr > UINT64_MAX - ph->memsz)
		return fail(why, -ENOEXEC,
			    "PT_LOAD p_paddr + p_memsz overflows 64 bits");
	if (info->nseg == ELF_MAX_LOAD_SEGS)
		return fail(
		    why, -ENOEXEC,
		    "more than " STR(ELF_MAX_LOAD_SEGS) " PT_LOAD segments");
	for (i = 0; i < info->nseg; i++) {
		s = &info->seg[i];
		if (ph->paddr < s->paddr + s->memsz &&
		    s->paddr < ph->paddr + ph->memsz)
			return fail(
			    why, -ENOEXEC,
			    "PT_LOAD segments overlap in physical memory");
	}
	s = &info->seg[info->nseg++];
	s->paddr = ph->paddr;
	s->file_off = ph->filesz ? ph->offset : 0;
	s->filesz = ph->filesz;
	s->memsz = ph->memsz;
	if (info->nseg == 1 || s->paddr < info->paddr_lo)
		info->paddr_lo = s->paddr;
	if (info->nseg == 1 || s->paddr + s->memsz > info->paddr_hi)
		info->paddr_hi = s->paddr + s->memsz;
	return 0;
}

static int segs_scan(const struct elf_img *im, const struct ehdr *eh,
		     struct elf_info *info, const char **why)
{
	struct phdr ph;
	unsigned int i;
	int rc;

	for (i = 0; i < eh->phnum; i++) {
		phdr_read(im, eh, i, &ph);
		if (ph.type != PT_LOAD)
			continue;
		rc = seg_add(info, &ph, im->len, why);
		if (rc)
			return rc;
	}
	if (info->nseg == 0)
		return fail(
		    why, -ENOEXEC,
		    "no loadable segment (no PT_LOAD with p_memsz > 0 and any of PF_R, PF_W, PF_X)");
	return 0;
}

/* Copies a string note: stops at NUL, truncates, masks non-printables. */
static void note_str(char *dst, size_t dstsz, const uint8_t *desc,
		     uint32_t descsz)
{
	size_t i;

	for (i = 0; i + 1 < dstsz && i < descsz && desc[i] != '\0'; i++)
		dst[i] =
		    (desc[i] >= 0x20 && desc[i] < 0x7f) ? (char)desc[i] : '?';
	dst[i] = '\0';
}

static int note_entry(struct note_scan *ns, const uint8_t *desc,
		      uint32_t descsz, const char **why)
{
	uint64_t val = 0;
	uint32_t i;

	if (descsz != 1 && descsz != 2 && descsz != 4 && descsz != 8)
		return fail(
		    why, -ENOEXEC,
		    "XEN_ELFNOTE_PHYS32_ENTRY descriptor is not 1, 2, 4 or 8 bytes");
	for (i = 0; i < descsz; i++)
		val |= (uint64_t)desc[i] << (8 * i);
	ns->info->phys32_entry = val;
	ns->have_entry = true;
	return 0;
}

/* Handles one note whose name and descriptor lie inside the image. */
static int note_one(struct note_scan *ns, const Elf32_Nhdr *nh,
		    const uint8_t *name, const uint8_t *desc, const char **why)
{
	struct elf_info *info = ns->info;

	if (nh->n_namesz != 4 || memcmp(name, "Xen", 4) != 0)
		return 0;
	switch (nh->n_type) {
	case XEN_ELFNOTE_PHYS32_ENTRY:
		return note_entry(ns, desc, nh->n_descsz, why);
	case XEN_ELFNOTE_GUEST_OS:
		note_str(info->guest_os, sizeof(info->guest_os), desc,
			 nh->n_descsz);
		break;
	case XEN_ELFNOTE_GUEST_VERSION:
		note_str(info->guest_version, sizeof(info->guest_version), desc,
			 nh->n_descsz);
		break;
	case XEN_ELFNOTE_XEN_VERSION:
		note_str(info->xen_version, sizeof(info->xen_version), desc,
			 nh->n_descsz);
		break;
	case XEN_ELFNOTE_LOADER:
		note_str(info->loader, sizeof(info->loader), desc,
			 nh->n_descsz);
		break;
	}
	return 0;
}

/* Walks the notes in image bytes [off, off + size), already range-checked. */
static int notes_walk(const struct elf_img *im, uint64_t off, uint64_t size,
		      struct note_scan *ns, const char **why)
{
	const uint8_t *base = im->p + off;
	uint64_t pos = 0, namelen, desclen;
	Elf32_Nhdr nh;
	int rc;

	while (size - pos >= sizeof(nh)) {
		if (++ns->nnotes > ELF_MAX_NOTES)
			return fail(
			    why, -ENOEXEC,
			    "more than " STR(ELF_MAX_NOTES) " ELF notes");
		memcpy(&nh, base + pos, sizeof(nh));
		pos += sizeof(nh);
		namelen = pad4(nh.n_namesz);
		if (namelen > size - pos)
			return fail(
			    why, -ENOEXEC,
			    "ELF note name (n_namesz) overruns its PT_NOTE segment or note section");
		if (nh.n_descsz > size - pos - namelen)
			return fail(
			    why, -ENOEXEC,
			    "ELF note descriptor (n_descsz) overruns its PT_NOTE segment or note section");
		rc = note_one(ns, &nh, base + pos, base + pos + namelen, why);
		if (rc)
			return rc;
		pos += namelen;
		desclen = pad4(nh.n_descsz);
		/* The last descriptor's padding may be cut off. */
		pos += desclen < size - pos ? desclen : size - pos;
	}
	return 0;
}

static int notes_from_segs(const struct elf_img *im, const struct ehdr *eh,
			   struct note_scan *ns, const char **why)
{
	struct phdr ph;
	unsigned int i;
	int rc;

	for (i = 0; i < eh->phnum; i++) {
		phdr_read(im, eh, i, &ph);
		if (ph.type != PT_NOTE || ph.filesz == 0)
			continue;
		if (!range_ok(ph.offset, ph.filesz, im->len))
			return fail(why, -ENOEXEC,
				    "PT_NOTE segment lies outside the image");
		rc = notes_walk(im, ph.offset, ph.filesz, ns, why);
		if (rc)
			return rc;
	}
	return 0;
}

static int notes_from_sections(const struct elf_img *im, const struct ehdr *eh,
			       struct note_scan *ns, const char **why)
{
	struct shdr sh;
	unsigned int i;
	int rc;

	for (i = 0; i < eh->shnum; i++) {
		shdr_read(im, eh, i, &sh);
		if (sh.type != SHT_NOTE || sh.size == 0)
			continue;
		if (!range_ok(sh.offset, sh.size, im->len))
			return fail(why, -ENOEXEC,
				    "SHT_NOTE section lies outside the image");
		rc = notes_walk(im, sh.offset, sh.size, ns, why);
		if (rc)
			return rc;
	}
	return 0;
}

static int entry_check(const struct elf_info *info, const char **why)
{
	const struct elf_load_seg *s;
	uint32_t i;

	if (info->phys32_entry > UINT32_MAX)
		return fail(
		    why, -ENOEXEC,
		    "XEN_ELFNOTE_PHYS32_ENTRY is at or above 4 GiB (it is a 32-bit entry point)");
	for (i = 0; i < info->nseg; i++) {
		s = &info->seg[i];
		if (info->phys32_entry >= s->paddr &&
		    info->phys32_entry - s->paddr < s->filesz)
			return 0;
	}
	return fail(
	    why, -ENOEXEC,
	    "XEN_ELFNOTE_PHYS32_ENTRY lies outside the file contents of every PT_LOAD segment");
}

static int parse(const struct elf_img *im, struct elf_info *info,
		 const char **why)
{
	struct note_scan ns = {.info = info};
	struct ehdr eh;
	int rc;

	rc = ehdr_read(im, &eh, why);
	if (!rc)
		rc = ehdr_check(im, &eh, why);
	if (!rc)
		rc = segs_scan(im, &eh, info, why);
	if (!rc)
		rc = notes_from_segs(im, &eh, &ns, why);
	if (!rc && !ns.have_entry)
		rc = notes_from_sections(im, &eh, &ns, why);
	if (rc)
		return rc;
	if (!ns.have_entry)
		return fail(
		    why, -ENOENT,
		    "no XEN_ELFNOTE_PHYS32_ENTRY note: not a PVH kernel");
	return entry_check(info, why);
}

int elf_parse(const void *img, size_t len, struct elf_info *info,
	      const char **why)
{
	struct elf_img im = {.p = img, .len = len};
	int rc;

	if (!img || !info)
		return fail(why, -EINVAL, "elf_parse: NULL image or info");
	memset(info, 0, sizeof(*info));
	rc = ident_read(&im, why);
	if (!rc) {
		info->elf64 = im.is64;
		rc = parse(&im, info, why);
	}
	if (rc)
		memset(info, 0, sizeof(*info));
	return rc;
}

static int seg_check(const struct elf_load_seg *s, size_t len,
		     uint64_t ram_base, uint64_t ram_size, const char **why)
{
	uint64_t off;

	if (s->filesz > s->memsz)
		return fail(why, -EINVAL,
			    "elf_load: segment has filesz larger than memsz");
	if (s->filesz && !range_ok(s->file_off, s->filesz, len))
		return fail(
		    why, -EINVAL,
		    "elf_load: segment file contents lie outside the image");
	if (s->paddr < ram_base)
		return fail(why, -ERANGE,
			    "a PT_LOAD segment starts below guest RAM");
	off = s->paddr - ram_base;
	if (!range_ok(off, s->memsz, ram_size))
		return fail(
		    why, -ERANGE,
		    "a PT_LOAD segment extends beyond the end of guest RAM");
	return 0;
}

int elf_load(const void *img, size_t len, const struct elf_info *info,
	     void *ram, uint64_t ram_base, uint64_t ram_size, const char **why)
{
	struct elf_load_seg seg[ELF_MAX_LOAD_SEGS];
	uint8_t *dst;
	uint32_t i, nseg;
	int rc;

	if (!img || !info || !ram)
		return fail(why, -EINVAL, "elf_load: NULL image, info or RAM");
	nseg = info->nseg;
	if (nseg == 0 || nseg > ELF_MAX_LOAD_SEGS)
		return fail(why, -EINVAL,
			    "elf_load: info holds no segment or more than " STR(
				ELF_MAX_LOAD_SEGS));
	/* Copy once, check, then act on the checked copy only. */
	memcpy(seg, info->seg, nseg * sizeof(seg[0]));
	for (i = 0; i < nseg; i++) {
		rc = seg_check(&seg[i], len, ram_base, ram_size, why);
		if (rc)
			return rc;
	}
	for (i = 0; i < nseg; i++) {
		dst = (uint8_t *)ram + (seg[i].paddr - ram_base);
		if (seg[i].filesz)
			memcpy(dst, (const uint8_t *)img + seg[i].file_off,
			       seg[i].filesz);
		memset(dst + seg[i].filesz, 0, seg[i].memsz - seg[i].filesz);
	}
	return 0;
}
