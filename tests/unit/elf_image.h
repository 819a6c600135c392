/*
 * ELF test images for unit tests (ELF64 and ELF32).
 *
 * A builder: a spec (header fields, program headers, sections, a notes
 * blob) that elfimg_finish() lays out into bytes. Header fields left at
 * AUTO are computed; anything else is written as given, however wrong.
 *
 * A catalogue of malformed images (elfimg_bad[]): the standard image with
 * one thing wrong, and what elf_parse() must say about it.
 */
#ifndef PVHV_TESTS_UNIT_ELF_IMAGE_H
#define PVHV_TESTS_UNIT_ELF_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IMG_MAX	  (128 * 1024)
#define DATA_OFF  0x800 /* segment data starts here; headers before */
#define MAX_PH	  24
#define MAX_SH	  8
#define NOTES_MAX (72 * 1024)

#define TEXT_PA	 0x100000u
#define TEXT_SZ	 0x200u
#define DATA_PA	 0x102000u
#define DATA_SZ	 0x100u
#define DATA_MSZ 0x300u
#define ENTRY_PA (TEXT_PA + 0x10)

#define AUTO UINT64_MAX /* header field computed by elfimg_finish() */

struct elfimg_phdr {
	uint32_t type, flags;
	uint64_t off, paddr, filesz, memsz;
};

struct elfimg_shdr {
	uint32_t type;
	uint64_t off, size;
};

/* An image under construction: spec first, bytes after elfimg_finish(). */
struct elfimg {
	bool is64;
	uint16_t type, machine, shstrndx;
	uint64_t phoff, shoff, phentsize, phnum, shentsize, shnum;
	unsigned int nph, nsh;
	struct elfimg_phdr ph[MAX_PH];
	struct elfimg_shdr sh[MAX_SH];
	bool note_seg, note_sec; /* where elfimg_finish() puts the notes blob */
	size_t notes_len;
	uint8_t notes[NOTES_MAX];
	size_t len;
	uint8_t buf[IMG_MAX];
};

/* A fresh spec: ELF header defaults, no segment, no note. */
struct elfimg *elfimg_new(bool is64);
/* Appends bytes (4-aligned) to the image and returns their offset. */
uint64_t elfimg_data(struct elfimg *b, const void *p, size_t n);
void elfimg_ph(struct elfimg *b, uint32_t type, uint32_t flags, uint64_t off,
	       uint64_t paddr, uint64_t filesz, uint64_t memsz);
/* Adds a section header (after the null section 0). */
void elfimg_sh(struct elfimg *b, uint32_t type, uint64_t off, uint64_t size);
/* Appends a raw note to the notes blob: sizes as given, then the payload. */
void elfimg_note_raw(struct elfimg *b, uint32_t namesz, uint32_t descsz,
		     uint32_t type, const void *payload, size_t n);
/* Appends a well-formed note (name and descriptor padded to 4). */
void elfimg_note(struct elfimg *b, const char *name, uint32_t type,
		 const void *desc, uint32_t descsz);
/* XEN_ELFNOTE_PHYS32_ENTRY with a `size`-byte little-endian descriptor. */
void elfimg_note_entry(struct elfimg *b, uint64_t entry, uint32_t size);
void elfimg_note_str(struct elfimg *b, uint32_t type, const char *s);
/* Lays the spec out into b->buf / b->len. */
void elfimg_finish(struct elfimg *b);

/* Contents of the standard image's text and data segments. */
uint8_t elfimg_text_byte(size_t i);
uint8_t elfimg_data_byte(size_t i);
/*
 * The standard kernel spec: text (R X) and data+BSS (R W) segments, a
 * non-Xen note, string notes and the PHYS32_ENTRY note (entsz bytes), in a
 * PT_NOTE segment and a note section both. Not finished yet.
 */
struct elfimg *elfimg_std(bool is64, uint32_t entsz);

/* What a malformed case changes in the standard image. */
enum elfimg_edit {
	E_LEN,	/* bytes: truncate to v */
	E_BYTE, /* bytes: buf[idx] = v */
	E_TYPE, /* spec: e_type = v; and so on */
	E_MACHINE,
	E_PHOFF,
	E_PHNUM,
	E_PHENTSIZE,
	E_SHOFF,
	E_SHNUM,
	E_SHENTSIZE,
	E_PH_OFF, /* program header idx: p_offset = v */
	E_PH_PADDR,
	E_PH_FILESZ,
	E_ENTRY, /* add an entry note: value v, idx bytes */
	E_FUNC,	 /* anything else: fn(spec) */
};

struct elfimg_bad {
	const char *name;
	int classes; /* C64, C32 or both */
	enum elfimg_edit edit;
	unsigned int idx;
	uint64_t v64, v32; /* value for ELF64, for ELF32 */
	void (*fn)(struct elfimg *b);
	int rc;
	const char *why; /* must occur in *why */
};

enum { C64 = 1, C32 = 2, CBOTH = 3 };

/*
 * The catalogue of malformed images: the standard image (elfimg_std(), 8- or
 * 4-byte entry for ELF64 or ELF32) with one thing wrong, and the error
 * code and *why that elf_parse() must give. Apply elfimg_bad_spec() before
 * elfimg_finish() and elfimg_bad_bytes() after.
 */
extern const struct elfimg_bad elfimg_bad[];
extern const size_t elfimg_bad_n;
void elfimg_bad_spec(struct elfimg *b, const struct elfimg_bad *c);
void elfimg_bad_bytes(struct elfimg *b, const struct elfimg_bad *c);

#endif
