/*
 * ELF test images (see elf_image.h): an in-memory builder that lays a spec
 * out into bytes, so that a test can get one field wrong at a time, and the
 * catalogue of malformed variants of the standard image with the error
 * each must get from elf_parse().
 */
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <pvabi/elfnote.h>
#include <pvhv/elf.h>

#include "elf_image.h"
#include "unit.h"

struct elfimg *elfimg_new(bool is64)
{
	struct elfimg *b = calloc(1, sizeof(*b));

	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	b->is64 = is64;
	b->type = ET_EXEC;
	b->machine = is64 ? EM_X86_64 : EM_386;
	b->phoff = b->shoff = b->phnum = b->shnum = AUTO;
	b->phentsize = is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
	b->shentsize = is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);
	b->len = DATA_OFF;
	return b;
}

/* Appends bytes (4-aligned) to the image and returns their offset. */
uint64_t elfimg_data(struct elfimg *b, const void *p, size_t n)
{
	uint64_t off = (b->len + 3) & ~(size_t)3;

	CU_ASSERT_FATAL(off + n <= IMG_MAX);
	memcpy(b->buf + off, p, n);
	b->len = off + n;
	return off;
}

void elfimg_ph(struct elfimg *b, uint32_t type, uint32_t flags, uint64_t off,
	       uint64_t paddr, uint64_t filesz, uint64_t memsz)
{
	CU_ASSERT_FATAL(b->nph < MAX_PH);
	b->ph[b->nph++] =
	    (struct elfimg_phdr){type, flags, off, paddr, filesz, memsz};
}

void elfimg_sh(struct elfimg *b, uint32_t type, uint64_t off, uint64_t size)
{
	CU_ASSERT_FATAL(b->nsh < MAX_SH);
	b->sh[b->nsh++] = (struct elfimg_shdr){type, off, size};
}

/* Appends a raw note: header sizes as given, then `n` bytes of payload. */
void elfimg_note_raw(struct elfimg *b, uint32_t namesz, uint32_t descsz,
		     uint32_t type, const void *payload, size_t n)
{
	Elf32_Nhdr nh = {namesz, descsz, type};

	CU_ASSERT_FATAL(b->notes_len + sizeof(nh) + n <= NOTES_MAX);
	memcpy(b->notes + b->notes_len, &nh, sizeof(nh));
	memcpy(b->notes + b->notes_len + sizeof(nh), payload, n);
	b->notes_len += sizeof(nh) + n;
}

/* Appends a well-formed note (name and descriptor padded to 4). */
void elfimg_note(struct elfimg *b, const char *name, uint32_t type,
		 const void *desc, uint32_t descsz)
{
	uint8_t payload[256] = {0};
	uint32_t namesz = strlen(name) + 1;
	size_t namelen = (namesz + 3) & ~3u;

	CU_ASSERT_FATAL(namelen + descsz + 3 <= sizeof(payload));
	memcpy(payload, name, namesz);
	memcpy(payload + namelen, desc, descsz);
	elfimg_note_raw(b, namesz, descsz, type, payload,
			namelen + ((descsz + 3) & ~3u));
}

void elfimg_note_entry(struct elfimg *b, uint64_t entry, uint32_t size)
{
	uint8_t le[8];
	int i;

	for (i = 0; i < 8; i++)
		le[i] = (uint8_t)(entry >> (8 * i));
	elfimg_note(b, "Xen", XEN_ELFNOTE_PHYS32_ENTRY, le, size);
}

void elfimg_note_str(struct elfimg *b, uint32_t type, const char *s)
{
	elfimg_note(b, "Xen", type, s, strlen(s) + 1);
}

/* The same fields in both classes (values the 32-bit ones truncate). */
#define EHDR_FILL(h, b)                                                        \
	do {                                                                   \
		memcpy((h).e_ident, ELFMAG, SELFMAG);                          \
		(h).e_ident[EI_CLASS] = (b)->is64 ? ELFCLASS64 : ELFCLASS32;   \
		(h).e_ident[EI_DATA] = ELFDATA2LSB;                            \
		(h).e_ident[EI_VERSION] = EV_CURRENT;                          \
		(h).e_type = (b)->type;                                        \
		(h).e_machine = (b)->machine;                                  \
		(h).e_version = EV_CURRENT;                                    \
		(h).e_entry = ENTRY_PA;                                        \
		(h).e_phoff = (b)->phoff;                                      \
		(h).e_shoff = (b)->shoff;                                      \
		(h).e_ehsize = sizeof(h);                                      \
		(h).e_phentsize = (b)->phentsize;                              \
		(h).e_phnum = (b)->phnum;                                      \
		(h).e_shentsize = (b)->shentsize;                              \
		(h).e_shnum = (b)->shnum;                                      \
		(h).e_shstrndx = (b)->shstrndx;                                \
	} while (0)

#define PHDR_FILL(p, s, vbase)                                                 \
	do {                                                                   \
		(p).p_type = (s)->type;                                        \
		(p).p_flags = (s)->flags;                                      \
		(p).p_offset = (s)->off;                                       \
		(p).p_vaddr = (s)->paddr + (vbase);                            \
		(p).p_paddr = (s)->paddr;                                      \
		(p).p_filesz = (s)->filesz;                                    \
		(p).p_memsz = (s)->memsz;                                      \
		(p).p_align = 0x1000;                                          \
	} while (0)

static void finish_ehdr(struct elfimg *b)
{
	Elf64_Ehdr h64 = {0};
	Elf32_Ehdr h32 = {0};

	if (b->is64) {
		EHDR_FILL(h64, b);
		memcpy(b->buf, &h64, sizeof(h64));
	} else {
		EHDR_FILL(h32, b);
		memcpy(b->buf, &h32, sizeof(h32));
	}
}

/* Virtual addresses differ from physical ones: the loader must use p_paddr. */
static void finish_phdrs(struct elfimg *b, uint64_t phoff)
{
	Elf64_Phdr p64 = {0};
	Elf32_Phdr p32 = {0};
	unsigned int i;

	for (i = 0; i < b->nph; i++) {
		if (b->is64) {
			PHDR_FILL(p64, &b->ph[i], 0xffffffff80000000ull);
			memcpy(b->buf + phoff + i * sizeof(p64), &p64,
			       sizeof(p64));
		} else {
			PHDR_FILL(p32, &b->ph[i], 0xc0000000u);
			memcpy(b->buf + phoff + i * sizeof(p32), &p32,
			       sizeof(p32));
		}
	}
}

static void finish_shdrs(struct elfimg *b, uint64_t shoff)
{
	const struct elfimg_shdr *s;
	unsigned int i;

	/* Section 0 is the null section: its header stays zero. */
	for (i = 0; i < b->nsh; i++) {
		s = &b->sh[i];
		if (b->is64) {
			Elf64_Shdr h = {.sh_type = s->type,
					.sh_offset = s->off,
					.sh_size = s->size,
					.sh_addralign = 4};
			memcpy(b->buf + shoff + (i + 1) * sizeof(h), &h,
			       sizeof(h));
		} else {
			Elf32_Shdr h = {.sh_type = s->type,
					.sh_offset = s->off,
					.sh_size = s->size,
					.sh_addralign = 4};
			memcpy(b->buf + shoff + (i + 1) * sizeof(h), &h,
			       sizeof(h));
		}
	}
}

/* Lays the spec out: notes blob, section table at the end, headers. */
void elfimg_finish(struct elfimg *b)
{
	size_t shsz = b->is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);
	uint64_t off, shoff = 0;

	if (b->notes_len && (b->note_seg || b->note_sec)) {
		off = elfimg_data(b, b->notes, b->notes_len);
		if (b->note_seg)
			elfimg_ph(b, PT_NOTE, PF_R, off, 0, b->notes_len, 0);
		if (b->note_sec)
			elfimg_sh(b, SHT_NOTE, off, b->notes_len);
	}
	if (b->nsh) {
		shoff = (b->len + 7) & ~(size_t)7;
		CU_ASSERT_FATAL(shoff + (b->nsh + 1) * shsz <= IMG_MAX);
		memset(b->buf + b->len, 0, shoff - b->len);
		b->len = shoff + (b->nsh + 1) * shsz;
		finish_shdrs(b, shoff);
	}
	if (b->phoff == AUTO)
		b->phoff = b->is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
	if (b->phnum == AUTO)
		b->phnum = b->nph;
	if (b->shoff == AUTO)
		b->shoff = shoff;
	if (b->shnum == AUTO)
		b->shnum = b->nsh ? b->nsh + 1 : 0;
	finish_phdrs(b, b->is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr));
	finish_ehdr(b);
}

uint8_t elfimg_text_byte(size_t i)
{
	return (uint8_t)(i * 7 + 1);
}

uint8_t elfimg_data_byte(size_t i)
{
	return (uint8_t)(i * 13 + 5);
}

/*
 * The standard kernel spec: text (R X) and data+BSS (R W) segments, a
 * non-Xen note, string notes and the PHYS32_ENTRY note (entsz bytes), in a
 * PT_NOTE segment and a note section both. Not finished yet.
 */
struct elfimg *elfimg_std(bool is64, uint32_t entsz)
{
	struct elfimg *b = elfimg_new(is64);
	uint8_t text[TEXT_SZ], data[DATA_SZ];
	static const uint8_t build_id[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	uint64_t off;
	size_t i;

	for (i = 0; i < sizeof(text); i++)
		text[i] = elfimg_text_byte(i);
	for (i = 0; i < sizeof(data); i++)
		data[i] = elfimg_data_byte(i);
	off = elfimg_data(b, text, sizeof(text));
	elfimg_ph(b, PT_LOAD, PF_R | PF_X, off, TEXT_PA, TEXT_SZ, TEXT_SZ);
	off = elfimg_data(b, data, sizeof(data));
	elfimg_ph(b, PT_LOAD, PF_R | PF_W, off, DATA_PA, DATA_SZ, DATA_MSZ);
	elfimg_note(b, "GNU", NT_GNU_BUILD_ID, build_id, sizeof(build_id));
	elfimg_note_str(b, XEN_ELFNOTE_GUEST_OS, "linux");
	elfimg_note_str(b, XEN_ELFNOTE_GUEST_VERSION, "2.6");
	elfimg_note_str(b, XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
	elfimg_note_str(b, XEN_ELFNOTE_LOADER, "generic");
	elfimg_note_entry(b, ENTRY_PA, entsz);
	b->note_seg = b->note_sec = true;
	return b;
}

/* ------------------------------------------------------------ malformed */

static void m_filesz_beyond(struct elfimg *b)
{
	b->ph[1].filesz = b->ph[1].memsz = 0x100000;
}

static void m_overlap_contains(struct elfimg *b)
{
	b->ph[1].paddr = TEXT_PA - 0x100;
	b->ph[1].memsz = 0x1000;
}

static void m_too_many_segs(struct elfimg *b)
{
	uint32_t i;

	for (i = 2; i <= ELF_MAX_LOAD_SEGS; i++)
		elfimg_ph(b, PT_LOAD, PF_R, 0, 0x200000 + i * 0x1000, 0,
			  0x1000);
}

static void m_no_load(struct elfimg *b)
{
	b->ph[0].type = b->ph[1].type = PT_NULL;
}

static void m_load_memsz_zero(struct elfimg *b)
{
	b->ph[0].memsz = b->ph[0].filesz = 0;
	b->ph[1].memsz = b->ph[1].filesz = 0;
}

static void m_load_no_flags(struct elfimg *b)
{
	b->ph[0].flags = b->ph[1].flags = 0;
}

static void m_no_notes(struct elfimg *b)
{
	b->notes_len = 0;
}

static void m_entry_not_xen(struct elfimg *b)
{
	static const uint8_t le[8] = {0x10, 0, 0x10};

	b->notes_len = 0;
	elfimg_note(b, "XEN", XEN_ELFNOTE_PHYS32_ENTRY, le, 8);
	elfimg_note(b, "Xe", XEN_ELFNOTE_PHYS32_ENTRY, le, 8);
	/* "Xen" without its NUL (n_namesz 3) is not Xen's spelling. */
	elfimg_note_raw(b, 3, 8, XEN_ELFNOTE_PHYS32_ENTRY,
			"Xen\0\x10\0\x10\0\0\0\0", 12);
}

static void entry_descsz(struct elfimg *b, uint32_t descsz)
{
	static const uint8_t le[16] = {0x10, 0, 0x10};

	b->notes_len = 0;
	elfimg_note(b, "Xen", XEN_ELFNOTE_PHYS32_ENTRY, le, descsz);
}

static void m_entry_descsz0(struct elfimg *b)
{
	entry_descsz(b, 0);
}

static void m_entry_descsz3(struct elfimg *b)
{
	entry_descsz(b, 3);
}

static void m_entry_descsz16(struct elfimg *b)
{
	entry_descsz(b, 16);
}

static void m_entry_4g(struct elfimg *b)
{
	b->ph[1].paddr = 0x100000000ull;
	elfimg_note_entry(b, 0x100000000ull, 8);
}

static void m_namesz_overrun(struct elfimg *b)
{
	elfimg_note_raw(b, 100, 0, XEN_ELFNOTE_GUEST_OS, "Xen\0\0\0\0", 8);
}

static void m_namesz_huge(struct elfimg *b)
{
	elfimg_note_raw(b, UINT32_MAX, 0, XEN_ELFNOTE_GUEST_OS, "Xen", 4);
}

static void m_descsz_overrun(struct elfimg *b)
{
	elfimg_note_raw(b, 4, 64, XEN_ELFNOTE_GUEST_OS, "Xen\0linux\0\0", 12);
}

static void m_descsz_huge(struct elfimg *b)
{
	elfimg_note_raw(b, 4, UINT32_MAX - 2, XEN_ELFNOTE_GUEST_OS, "Xen", 4);
}

static void m_descsz_overrun_sec(struct elfimg *b)
{
	m_descsz_overrun(b);
	b->note_seg = false;
}

static void m_ptnote_outside(struct elfimg *b)
{
	b->note_seg = false;
	elfimg_ph(b, PT_NOTE, PF_R, IMG_MAX, 0, 0x20, 0);
}

static void m_ptnote_overflow(struct elfimg *b)
{
	b->note_seg = false;
	elfimg_ph(b, PT_NOTE, PF_R, b->is64 ? UINT64_MAX - 4 : UINT32_MAX - 4,
		  0, 0x20, 0);
}

static void m_shnote_outside(struct elfimg *b)
{
	b->note_seg = b->note_sec = false;
	elfimg_sh(b, SHT_NOTE, b->is64 ? UINT64_MAX - 4 : UINT32_MAX - 4, 0x20);
}

static void m_too_many_notes(struct elfimg *b)
{
	unsigned int i;

	b->notes_len = 0;
	for (i = 0; i < 4100; i++)
		elfimg_note_raw(b, 0, 0, 0, "", 0);
	elfimg_note_entry(b, ENTRY_PA, 4);
}

#define EDIT(name, cl, e, i, v64, v32, rc, why)                                \
	{                                                                      \
		name, cl, e, i, v64, v32, NULL, rc, why                        \
	}
#define FUNC(name, cl, fn, rc, why)                                            \
	{                                                                      \
		name, cl, E_FUNC, 0, 0, 0, fn, rc, why                         \
	}
#define NOEXEC -ENOEXEC

const struct elfimg_bad elfimg_bad[] = {
    EDIT("truncated e_ident", CBOTH, E_LEN, 0, 15, 15, NOEXEC,
	 "16-byte ELF identification"),
    EDIT("truncated header", C64, E_LEN, 0, 63, 0, NOEXEC, "ELF64 file header"),
    EDIT("truncated header", C32, E_LEN, 0, 0, 51, NOEXEC, "ELF32 file header"),
    EDIT("bad magic", CBOTH, E_BYTE, EI_MAG1, 'e', 'e', NOEXEC,
	 "bad ELF magic"),
    EDIT("ELFCLASSNONE", CBOTH, E_BYTE, EI_CLASS, 0, 0, NOEXEC, "EI_CLASS"),
    EDIT("class 3", CBOTH, E_BYTE, EI_CLASS, 3, 3, NOEXEC, "EI_CLASS"),
    EDIT("big-endian", CBOTH, E_BYTE, EI_DATA, ELFDATA2MSB, ELFDATA2MSB, NOEXEC,
	 "little-endian"),
    EDIT("ELFDATANONE", CBOTH, E_BYTE, EI_DATA, 0, 0, NOEXEC, "little-endian"),
    EDIT("ELF64 for i386", C64, E_MACHINE, 0, EM_386, 0, NOEXEC,
	 "not for x86-64"),
    EDIT("ELF32 for x86-64", C32, E_MACHINE, 0, 0, EM_X86_64, NOEXEC,
	 "not for i386"),
    EDIT("AArch64", CBOTH, E_MACHINE, 0, EM_AARCH64, EM_AARCH64, NOEXEC,
	 "e_machine"),
    EDIT("ET_REL", CBOTH, E_TYPE, 0, ET_REL, ET_REL, NOEXEC, "e_type"),
    EDIT("ET_CORE", CBOTH, E_TYPE, 0, ET_CORE, ET_CORE, NOEXEC, "e_type"),
    EDIT("e_phoff beyond the file", CBOTH, E_PHOFF, 0, IMG_MAX, IMG_MAX, NOEXEC,
	 "program header table"),
    EDIT("e_phoff + table wraps", CBOTH, E_PHOFF, 0, UINT64_MAX - 8,
	 UINT32_MAX - 8, NOEXEC, "program header table"),
    EDIT("e_phnum beyond the file", CBOTH, E_PHNUM, 0, 0xfff0, 0xfff0, NOEXEC,
	 "program header table"),
    EDIT("PN_XNUM", CBOTH, E_PHNUM, 0, PN_XNUM, PN_XNUM, NOEXEC, "PN_XNUM"),
    EDIT("e_phnum 0", CBOTH, E_PHNUM, 0, 0, 0, NOEXEC, "e_phnum is 0"),
    EDIT("e_phentsize of ELF32", C64, E_PHENTSIZE, 0, sizeof(Elf32_Phdr), 0,
	 NOEXEC, "e_phentsize"),
    EDIT("e_phentsize of ELF64", C32, E_PHENTSIZE, 0, 0, sizeof(Elf64_Phdr),
	 NOEXEC, "e_phentsize"),
    EDIT("e_phentsize 0", CBOTH, E_PHENTSIZE, 0, 0, 0, NOEXEC, "e_phentsize"),
    EDIT("e_shentsize of the other class", CBOTH, E_SHENTSIZE, 0,
	 sizeof(Elf32_Shdr), sizeof(Elf64_Shdr), NOEXEC, "e_shentsize"),
    EDIT("e_shoff beyond the file", CBOTH, E_SHOFF, 0, IMG_MAX, IMG_MAX, NOEXEC,
	 "section header table"),
    EDIT("e_shoff + table wraps", CBOTH, E_SHOFF, 0, UINT64_MAX - 16,
	 UINT32_MAX - 16, NOEXEC, "section header table"),
    EDIT("e_shnum beyond the file", CBOTH, E_SHNUM, 0, 0xff00, 0xff00, NOEXEC,
	 "section header table"),
    EDIT("e_shnum 0, e_shoff set", CBOTH, E_SHNUM, 0, 0, 0, NOEXEC,
	 "extended section numbering"),
    EDIT("p_filesz > p_memsz", CBOTH, E_PH_FILESZ, 1, DATA_MSZ + 1,
	 DATA_MSZ + 1, NOEXEC, "p_filesz larger than p_memsz"),
    EDIT("p_offset beyond the file", CBOTH, E_PH_OFF, 0, IMG_MAX, IMG_MAX,
	 NOEXEC, "p_offset + p_filesz"),
    EDIT("p_offset + p_filesz wraps", CBOTH, E_PH_OFF, 0, UINT64_MAX - 0x10,
	 UINT32_MAX - 0x10, NOEXEC, "p_offset + p_filesz"),
    FUNC("p_filesz beyond the file", CBOTH, m_filesz_beyond, NOEXEC,
	 "p_offset + p_filesz"),
    EDIT("p_paddr + p_memsz wraps", C64, E_PH_PADDR, 1, UINT64_MAX - 0x100, 0,
	 NOEXEC, "p_paddr + p_memsz overflows"),
    EDIT("segments overlap by a byte", CBOTH, E_PH_PADDR, 1,
	 TEXT_PA + TEXT_SZ - 1, TEXT_PA + TEXT_SZ - 1, NOEXEC, "overlap"),
    EDIT("segments at one p_paddr", CBOTH, E_PH_PADDR, 1, TEXT_PA, TEXT_PA,
	 NOEXEC, "overlap"),
    FUNC("segment inside another", CBOTH, m_overlap_contains, NOEXEC,
	 "overlap"),
    FUNC("17 PT_LOAD segments", CBOTH, m_too_many_segs, NOEXEC,
	 "more than 16 PT_LOAD"),
    FUNC("no PT_LOAD", CBOTH, m_no_load, NOEXEC, "no loadable segment"),
    FUNC("PT_LOADs with p_memsz 0", CBOTH, m_load_memsz_zero, NOEXEC,
	 "no loadable segment"),
    FUNC("PT_LOADs without flags", CBOTH, m_load_no_flags, NOEXEC,
	 "no loadable segment"),
    FUNC("no notes", CBOTH, m_no_notes, -ENOENT, "no XEN_ELFNOTE_PHYS32_ENTRY"),
    FUNC("entry note not Xen's", CBOTH, m_entry_not_xen, -ENOENT,
	 "no XEN_ELFNOTE_PHYS32_ENTRY"),
    FUNC("entry descsz 0", CBOTH, m_entry_descsz0, NOEXEC,
	 "not 1, 2, 4 or 8 bytes"),
    FUNC("entry descsz 3", CBOTH, m_entry_descsz3, NOEXEC,
	 "not 1, 2, 4 or 8 bytes"),
    FUNC("entry descsz 16", CBOTH, m_entry_descsz16, NOEXEC,
	 "not 1, 2, 4 or 8 bytes"),
    EDIT("entry outside the segments", CBOTH, E_ENTRY, 4, 0x200000, 0x200000,
	 NOEXEC, "outside the file contents"),
    EDIT("entry in BSS", CBOTH, E_ENTRY, 4, DATA_PA + DATA_SZ,
	 DATA_PA + DATA_SZ, NOEXEC, "outside the file contents"),
    EDIT("entry just past text", CBOTH, E_ENTRY, 8, TEXT_PA + TEXT_SZ,
	 TEXT_PA + TEXT_SZ, NOEXEC, "outside the file contents"),
    FUNC("entry at 4 GiB", C64, m_entry_4g, NOEXEC, "above 4 GiB"),
    FUNC("note n_namesz overruns", CBOTH, m_namesz_overrun, NOEXEC,
	 "n_namesz) overruns"),
    FUNC("note n_namesz 4 GiB", CBOTH, m_namesz_huge, NOEXEC,
	 "n_namesz) overruns"),
    FUNC("note n_descsz overruns", CBOTH, m_descsz_overrun, NOEXEC,
	 "n_descsz) overruns"),
    FUNC("note n_descsz 4 GiB", CBOTH, m_descsz_huge, NOEXEC,
	 "n_descsz) overruns"),
    FUNC("section note overruns", CBOTH, m_descsz_overrun_sec, NOEXEC,
	 "n_descsz) overruns"),
    FUNC("PT_NOTE beyond the file", CBOTH, m_ptnote_outside, NOEXEC,
	 "PT_NOTE segment lies outside"),
    FUNC("PT_NOTE wraps", CBOTH, m_ptnote_overflow, NOEXEC,
	 "PT_NOTE segment lies outside"),
    FUNC("SHT_NOTE beyond the file", CBOTH, m_shnote_outside, NOEXEC,
	 "SHT_NOTE section lies outside"),
    FUNC("4101 notes", CBOTH, m_too_many_notes, NOEXEC,
	 "more than 4096 ELF notes"),
};

void elfimg_bad_spec(struct elfimg *b, const struct elfimg_bad *c)
{
	uint64_t v = b->is64 ? c->v64 : c->v32;

	switch (c->edit) {
	case E_TYPE:
		b->type = v;
		break;
	case E_MACHINE:
		b->machine = v;
		break;
	case E_PHOFF:
		b->phoff = v;
		break;
	case E_PHNUM:
		b->phnum = v;
		break;
	case E_PHENTSIZE:
		b->phentsize = v;
		break;
	case E_SHOFF:
		b->shoff = v;
		break;
	case E_SHNUM:
		b->shnum = v;
		break;
	case E_SHENTSIZE:
		b->shentsize = v;
		break;
	case E_PH_OFF:
		b->ph[c->idx].off = v;
		break;
	case E_PH_PADDR:
		b->ph[c->idx].paddr = v;
		break;
	case E_PH_FILESZ:
		b->ph[c->idx].filesz = v;
		break;
	case E_ENTRY:
		elfimg_note_entry(b, v, c->idx);
		break;
	case E_FUNC:
		c->fn(b);
		break;
	case E_LEN:
	case E_BYTE:
		break;
	}
}

void elfimg_bad_bytes(struct elfimg *b, const struct elfimg_bad *c)
{
	if (c->edit == E_LEN)
		b->len = b->is64 ? c->v64 : c->v32;
	if (c->edit == E_BYTE)
		b->buf[c->idx] = b->is64 ? c->v64 : c->v32;
}

const size_t elfimg_bad_n = sizeof(elfimg_bad) / sizeof(elfimg_bad[0]);
