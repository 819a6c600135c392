/*
 * Unit tests for the PVH kernel ELF parser/loader (xen-core/boot/elf.c).
 *
 * Images are built in memory (elf_image.c, ELF64 and ELF32). Valid ones
 * check what elf_parse() reports and what elf_load() writes; each
 * catalogued malformed image must fail with an exact error code and a *why
 * naming the problem. Robustness loops flip random bytes and truncate at
 * every length, copying each image into an exactly sized heap buffer so
 * that ASan catches any read past its end.
 */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pvabi/elfnote.h>
#include <pvhv/elf.h>

#include "unit.h"
#include "elf_image.h"

static int parse_img(const struct elfimg *b, struct elf_info *info,
		     const char **why)
{
	*why = NULL;
	return elf_parse(b->buf, b->len, info, why);
}

static void check_std_info(const struct elf_info *info, bool is64)
{
	CU_ASSERT_EQUAL(info->elf64, is64);
	CU_ASSERT_EQUAL(info->phys32_entry, ENTRY_PA);
	CU_ASSERT_EQUAL(info->nseg, 2);
	CU_ASSERT_EQUAL(info->paddr_lo, TEXT_PA);
	CU_ASSERT_EQUAL(info->paddr_hi, DATA_PA + DATA_MSZ);
	CU_ASSERT_EQUAL(info->seg[0].paddr, TEXT_PA);
	CU_ASSERT_EQUAL(info->seg[0].file_off, DATA_OFF);
	CU_ASSERT_EQUAL(info->seg[0].filesz, TEXT_SZ);
	CU_ASSERT_EQUAL(info->seg[0].memsz, TEXT_SZ);
	CU_ASSERT_EQUAL(info->seg[1].paddr, DATA_PA);
	CU_ASSERT_EQUAL(info->seg[1].file_off, DATA_OFF + TEXT_SZ);
	CU_ASSERT_EQUAL(info->seg[1].filesz, DATA_SZ);
	CU_ASSERT_EQUAL(info->seg[1].memsz, DATA_MSZ);
	CU_ASSERT_STRING_EQUAL(info->guest_os, "linux");
	CU_ASSERT_STRING_EQUAL(info->guest_version, "2.6");
	CU_ASSERT_STRING_EQUAL(info->xen_version, "xen-3.0");
	CU_ASSERT_STRING_EQUAL(info->loader, "generic");
}

static void expect_std(bool is64, uint32_t entsz, bool seg, bool sec)
{
	struct elfimg *b = elfimg_std(is64, entsz);
	struct elf_info info;
	const char *why;
	int rc;

	b->note_seg = seg;
	b->note_sec = sec;
	elfimg_finish(b);
	rc = parse_img(b, &info, &why);
	CU_ASSERT_EQUAL(rc, 0);
	if (rc)
		fprintf(stderr, "\n  elf_parse: %d %s\n", rc, why);
	else
		check_std_info(&info, is64);
	free(b);
}

static void test_valid64_entry8(void)
{
	expect_std(true, 8, true, true);
	expect_std(true, 8, true, false);
}

static void test_valid64_entry4(void)
{
	expect_std(true, 4, true, true);
}

static void test_valid32(void)
{
	expect_std(false, 4, true, true);
	expect_std(false, 8, true, false);
}

static void test_note_only_in_section(void)
{
	expect_std(true, 8, false, true);
	expect_std(false, 4, false, true);
}

static void test_entry_small_numerics(void)
{
	static const uint8_t text[0x2000];
	struct elf_info info;
	const char *why;
	struct elfimg *b;
	uint64_t off;

	/* 1- and 2-byte descriptors are numerics too (elf_note_numeric). */
	b = elfimg_new(true);
	off = elfimg_data(b, text, 0x100);
	elfimg_ph(b, PT_LOAD, PF_R | PF_X, off, 0, 0x100, 0x100);
	elfimg_note_entry(b, 0x80, 1);
	b->note_seg = true;
	elfimg_finish(b);
	CU_ASSERT_EQUAL(parse_img(b, &info, &why), 0);
	CU_ASSERT_EQUAL(info.phys32_entry, 0x80);
	free(b);

	b = elfimg_new(false);
	off = elfimg_data(b, text, 0x2000);
	elfimg_ph(b, PT_LOAD, PF_R | PF_X, off, 0x1000, 0x2000, 0x2000);
	elfimg_note_entry(b, 0x1234, 2);
	b->note_sec = true;
	elfimg_finish(b);
	CU_ASSERT_EQUAL(parse_img(b, &info, &why), 0);
	CU_ASSERT_EQUAL(info.phys32_entry, 0x1234);
	CU_ASSERT_STRING_EQUAL(info.guest_os, "");
	free(b);
}

static void test_et_dyn(void)
{
	struct elfimg *b = elfimg_std(true, 8);
	struct elf_info info;
	const char *why;

	b->type = ET_DYN;
	elfimg_finish(b);
	CU_ASSERT_EQUAL(parse_img(b, &info, &why), 0);
	check_std_info(&info, true);
	free(b);
}

/* Unordered, adjacent, ignored (memsz 0, no flags, not PT_LOAD) segments. */
static void test_multiple_segments(void)
{
	static const uint8_t bytes[0x400];
	struct elf_info info;
	const char *why;
	struct elfimg *b;
	uint64_t off;
	uint32_t i;

	b = elfimg_new(true);
	off = elfimg_data(b, bytes, sizeof(bytes));
	elfimg_ph(b, PT_LOAD, PF_R | PF_W, off, 0x300000, 0x100, 0x800);
	elfimg_ph(b, PT_LOAD, PF_R | PF_X, off, 0x200000, 0x400, 0x100000);
	elfimg_ph(b, PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0);
	elfimg_ph(b, PT_LOAD, PF_R, off, 0x100000, 0, 0);    /* memsz 0 */
	elfimg_ph(b, PT_LOAD, 0, off, 0x200000, 0x10, 0x10); /* no flags */
	elfimg_ph(b, PT_LOAD, PF_R, 0x7fffffff, 0x400000, 0, 0x1000); /* BSS */
	elfimg_ph(b, PT_DYNAMIC, PF_R, off, 0x200000, 0x10, 0x10);
	elfimg_ph(b, PT_LOAD, PF_R, off, 0x1000, 0x10, 0x10);
	elfimg_note_entry(b, 0x200200, 8);
	b->note_seg = true;
	elfimg_finish(b);
	CU_ASSERT_EQUAL_FATAL(parse_img(b, &info, &why), 0);
	CU_ASSERT_EQUAL(info.nseg, 4);
	CU_ASSERT_EQUAL(info.paddr_lo, 0x1000);
	CU_ASSERT_EQUAL(info.paddr_hi, 0x401000);
	CU_ASSERT_EQUAL(info.seg[0].paddr, 0x300000);
	CU_ASSERT_EQUAL(info.seg[1].memsz, 0x100000);
	CU_ASSERT_EQUAL(info.seg[2].file_off, 0); /* no file contents */
	CU_ASSERT_EQUAL(info.seg[2].memsz, 0x1000);
	free(b);

	/* Exactly ELF_MAX_LOAD_SEGS is fine. */
	b = elfimg_std(false, 4);
	for (i = 2; i < ELF_MAX_LOAD_SEGS; i++)
		elfimg_ph(b, PT_LOAD, PF_R, 0, 0x200000 + i * 0x1000, 0,
			  0x1000);
	elfimg_finish(b);
	CU_ASSERT_EQUAL(parse_img(b, &info, &why), 0);
	CU_ASSERT_EQUAL(info.nseg, ELF_MAX_LOAD_SEGS);
	free(b);
}

static void test_string_notes(void)
{
	char longs[100];
	struct elf_info info;
	const char *why;
	struct elfimg *b = elfimg_std(true, 8);

	memset(longs, 'x', sizeof(longs));
	/* No NUL, longer than the field: truncated. */
	elfimg_note(b, "Xen", XEN_ELFNOTE_GUEST_OS, longs, sizeof(longs));
	/* Control characters and high bytes are masked. */
	elfimg_note_str(b, XEN_ELFNOTE_LOADER, "a\nb\x1b[31m\xff");
	/* Empty descriptor. */
	elfimg_note(b, "Xen", XEN_ELFNOTE_XEN_VERSION, "", 0);
	/* Other owners are not Xen's: the standard "2.6" stays. */
	elfimg_note(b, "XEN", XEN_ELFNOTE_GUEST_VERSION, "evil", 5);
	elfimg_note(b, "Xenon", XEN_ELFNOTE_GUEST_VERSION, "evil", 5);
	elfimg_finish(b);
	CU_ASSERT_EQUAL_FATAL(parse_img(b, &info, &why), 0);
	CU_ASSERT_EQUAL(strlen(info.guest_os), sizeof(info.guest_os) - 1);
	CU_ASSERT_EQUAL(info.guest_os[0], 'x');
	CU_ASSERT_STRING_EQUAL(info.loader, "a?b?[31m?");
	CU_ASSERT_STRING_EQUAL(info.xen_version, "");
	CU_ASSERT_STRING_EQUAL(info.guest_version, "2.6");
	free(b);
}

/* Bytes too few for a note header are padding; the last note's padding may
 * be cut off; e_shstrndx is never used. */
static void test_note_padding_and_shstrndx(void)
{
	static const uint8_t zero[8];
	struct elf_info info;
	const char *why;
	struct elfimg *b;

	b = elfimg_std(true, 8);
	memcpy(b->notes + b->notes_len, zero, 8);
	b->notes_len += 8;
	b->shstrndx = 0xfff0;
	elfimg_finish(b);
	CU_ASSERT_EQUAL(parse_img(b, &info, &why), 0);
	free(b);

	b = elfimg_std(false, 4);
	elfimg_note(b, "Xen", XEN_ELFNOTE_GUEST_VERSION, "ab", 3);
	b->notes_len -= 1;
	b->shstrndx = SHN_XINDEX;
	elfimg_finish(b);
	CU_ASSERT_EQUAL(parse_img(b, &info, &why), 0);
	CU_ASSERT_STRING_EQUAL(info.guest_version, "ab");
	free(b);
}

/* A PT_NOTE without the entry sends the search on to the sections; the
 * last note of a type wins. */
static void test_entry_in_section_after_segment(void)
{
	struct elf_info info;
	const char *why;
	struct elfimg *b = elfimg_std(true, 8);
	uint64_t off;

	b->notes_len = 0;
	elfimg_note_str(b, XEN_ELFNOTE_GUEST_OS, "first");
	/* Outside the PT_NOTE below, so never read (it would be invalid). */
	elfimg_note_entry(b, 0x200000, 8);
	off = elfimg_data(b, b->notes, b->notes_len);
	elfimg_ph(b, PT_NOTE, PF_R, 0xdead0000, 0, 0, 0); /* empty: ignored */
	elfimg_sh(b, SHT_NOTE, 0xdead0000, 0);		  /* likewise */
	elfimg_ph(b, PT_NOTE, PF_R, off, 0, 16 + 8, 0);	  /* GUEST_OS only */
	b->notes_len = 0;
	elfimg_note_entry(b, 0x200000, 8); /* overridden by the next one */
	elfimg_note_entry(b, ENTRY_PA + 1, 4);
	b->note_sec = true;
	b->note_seg = false;
	elfimg_finish(b);
	CU_ASSERT_EQUAL_FATAL(parse_img(b, &info, &why), 0);
	CU_ASSERT_EQUAL(info.phys32_entry, ENTRY_PA + 1);
	CU_ASSERT_STRING_EQUAL(info.guest_os, "first");
	free(b);
}

/* With the entry in a PT_NOTE, note sections are not even looked at. */
static void test_segment_notes_first(void)
{
	struct elf_info info;
	const char *why;
	struct elfimg *b = elfimg_std(false, 4);
	uint64_t off;

	off = elfimg_data(b, b->notes, b->notes_len);
	elfimg_ph(b, PT_NOTE, PF_R, off, 0, b->notes_len, 0);
	b->notes_len = 0;
	elfimg_note_entry(b, ENTRY_PA + 2, 4);
	elfimg_note_raw(b, 4, 1000, 0, "Xen", 4);  /* overruns: never walked */
	elfimg_sh(b, SHT_NOTE, 0xdead0000, 0x100); /* outside: never walked */
	b->note_sec = true;
	b->note_seg = false;
	elfimg_finish(b);
	CU_ASSERT_EQUAL_FATAL(parse_img(b, &info, &why), 0);
	CU_ASSERT_EQUAL(info.phys32_entry, ENTRY_PA);
	free(b);
}

static void fill_ram(uint8_t *ram, size_t size)
{
	memset(ram, 0xAA, size);
}

static bool all_aa(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != 0xAA)
			return false;
	return true;
}

static void check_loaded(const uint8_t *ram, uint64_t base, size_t size)
{
	const uint8_t *t = ram + (TEXT_PA - base), *d = ram + (DATA_PA - base);
	size_t i;
	bool ok = true;

	for (i = 0; i < TEXT_SZ; i++)
		ok = ok && t[i] == elfimg_text_byte(i);
	for (i = 0; i < DATA_SZ; i++)
		ok = ok && d[i] == elfimg_data_byte(i);
	for (i = DATA_SZ; i < DATA_MSZ; i++)
		ok = ok && d[i] == 0;
	CU_ASSERT(ok);
	CU_ASSERT(all_aa(ram, TEXT_PA - base));
	CU_ASSERT(all_aa(t + TEXT_SZ, DATA_PA - TEXT_PA - TEXT_SZ));
	CU_ASSERT(all_aa(d + DATA_MSZ, base + size - DATA_PA - DATA_MSZ));
}

static void test_load_bss_zeroed(void)
{
	const uint64_t base = TEXT_PA - 0x1000, size = 0x10000;
	struct elfimg *b = elfimg_std(true, 8);
	uint8_t *ram = malloc(size);
	struct elf_info info;
	const char *why;

	CU_ASSERT_PTR_NOT_NULL_FATAL(ram);
	elfimg_finish(b);
	CU_ASSERT_EQUAL_FATAL(parse_img(b, &info, &why), 0);
	fill_ram(ram, size);
	CU_ASSERT_EQUAL(elf_load(b->buf, b->len, &info, ram, base, size, &why),
			0);
	check_loaded(ram, base, size);
	free(ram);
	free(b);
}

static void test_load_outside_ram(void)
{
	const uint64_t exact = DATA_PA + DATA_MSZ - TEXT_PA;
	struct elfimg *b = elfimg_std(false, 4);
	uint8_t *ram = malloc(0x10000);
	struct elf_info info;
	const char *why;

	CU_ASSERT_PTR_NOT_NULL_FATAL(ram);
	elfimg_finish(b);
	CU_ASSERT_EQUAL_FATAL(parse_img(b, &info, &why), 0);
	fill_ram(ram, 0x10000);
	why = NULL;
	CU_ASSERT_EQUAL(
	    elf_load(b->buf, b->len, &info, ram, TEXT_PA + 1, 0x10000, &why),
	    -ERANGE);
	CU_ASSERT(why && strstr(why, "below guest RAM"));
	CU_ASSERT_EQUAL(
	    elf_load(b->buf, b->len, &info, ram, TEXT_PA, exact - 1, &why),
	    -ERANGE);
	CU_ASSERT(why && strstr(why, "beyond the end of guest RAM"));
	/* Guest RAM near the top of the address space: no wrap-around. */
	info.seg[1].paddr = UINT64_MAX - 0x10;
	CU_ASSERT_EQUAL(elf_load(b->buf, b->len, &info, ram,
				 UINT64_MAX - 0xffff, 0x10000, &why),
			-ERANGE);
	CU_ASSERT(all_aa(ram, 0x10000)); /* nothing written on error */
	info.seg[1].paddr = DATA_PA;
	CU_ASSERT_EQUAL(
	    elf_load(b->buf, b->len, &info, ram, TEXT_PA, exact, &why), 0);
	check_loaded(ram, TEXT_PA, exact);
	free(ram);
	free(b);
}

/* elf_load() must not trust the elf_info it is given. */
static void test_load_untrusted_info(void)
{
	struct elfimg *b = elfimg_std(true, 8);
	struct elf_info good, info;
	uint8_t ram[0x100];
	const char *why;

	elfimg_finish(b);
	CU_ASSERT_EQUAL_FATAL(parse_img(b, &good, &why), 0);
	fill_ram(ram, sizeof(ram));
	good.seg[0].paddr = 0;
	good.seg[0].memsz = good.seg[0].filesz = 0x10;
	good.nseg = 1;
	CU_ASSERT_EQUAL(elf_load(b->buf, b->len, &good, ram, 0, 0x100, &why),
			0);

	info = good;
	info.nseg = ELF_MAX_LOAD_SEGS + 1;
	CU_ASSERT_EQUAL(elf_load(b->buf, b->len, &info, ram, 0, 0x100, &why),
			-EINVAL);
	info.nseg = 0;
	CU_ASSERT_EQUAL(elf_load(b->buf, b->len, &info, ram, 0, 0x100, &why),
			-EINVAL);
	info = good;
	info.seg[0].file_off = b->len - 0xf;
	CU_ASSERT_EQUAL(elf_load(b->buf, b->len, &info, ram, 0, 0x100, &why),
			-EINVAL);
	CU_ASSERT(why && strstr(why, "outside the image"));
	info.seg[0].file_off = UINT64_MAX - 1;
	CU_ASSERT_EQUAL(elf_load(b->buf, b->len, &info, ram, 0, 0x100, &why),
			-EINVAL);
	info = good;
	info.seg[0].memsz = 0xf;
	CU_ASSERT_EQUAL(elf_load(b->buf, b->len, &info, ram, 0, 0x100, &why),
			-EINVAL);
	info = good;
	info.seg[0].memsz = UINT64_MAX;
	CU_ASSERT_EQUAL(elf_load(b->buf, b->len, &info, ram, 0, 0x100, &why),
			-ERANGE);
	info.seg[0].paddr = UINT64_MAX;
	CU_ASSERT_EQUAL(elf_load(b->buf, b->len, &info, ram, 0, 0x100, &why),
			-ERANGE);
	free(b);
}

static void test_bad_arguments(void)
{
	struct elf_info info;
	const char *why = NULL;
	uint8_t ram[16];

	CU_ASSERT_EQUAL(elf_parse(NULL, 100, &info, &why), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(why);
	CU_ASSERT_EQUAL(elf_parse(ram, sizeof(ram), NULL, &why), -EINVAL);
	/* why may be NULL. */
	CU_ASSERT_EQUAL(elf_parse(ram, 0, &info, NULL), -ENOEXEC);
	CU_ASSERT_EQUAL(elf_load(ram, sizeof(ram), &info, NULL, 0, 16, &why),
			-EINVAL);
	CU_ASSERT_EQUAL(elf_load(NULL, 0, &info, ram, 0, 16, NULL), -EINVAL);
}

/* A real ELF executable: x86-64 ET_DYN with notes and sections, but no Xen
 * note. Skipped when the host has no readable /bin/true. */
static void test_real_executable(void)
{
	static const char *const paths[] = {"/bin/true", "/usr/bin/true"};
	struct elf_info info;
	const char *why = NULL;
	uint8_t *img = NULL;
	long len = -1;
	FILE *f = NULL;
	size_t i;

	for (i = 0; i < 2 && !f; i++)
		f = fopen(paths[i], "rb");
	if (!f)
		return;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) > 0 &&
	    fseek(f, 0, SEEK_SET) == 0) {
		img = malloc(len);
		if (img && fread(img, 1, len, f) != (size_t)len)
			len = -1;
	}
	fclose(f);
	if (img && len > 0) {
		CU_ASSERT_EQUAL(elf_parse(img, len, &info, &why), -ENOENT);
		CU_ASSERT(why && strstr(why, "PHYS32_ENTRY"));
	}
	free(img);
}

static bool run_bad_case(const struct elfimg_bad *c, bool is64)
{
	struct elfimg *b = elfimg_std(is64, is64 ? 8 : 4);
	struct elf_info info;
	const char *why;
	uint8_t *copy;
	bool ok;
	int rc;

	elfimg_bad_spec(b, c);
	elfimg_finish(b);
	elfimg_bad_bytes(b, c);
	/* Exactly sized copy: ASan catches any read past the end. */
	copy = malloc(b->len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
	memcpy(copy, b->buf, b->len);
	memset(&info, 0x5a, sizeof(info));
	why = NULL;
	rc = elf_parse(copy, b->len, &info, &why);
	ok = rc == c->rc && why && strstr(why, c->why) && info.nseg == 0;
	if (!ok)
		fprintf(stderr, "\n  %s (ELF%d): rc %d (want %d), why \"%s\"\n",
			c->name, is64 ? 64 : 32, rc, c->rc,
			why ? why : "(null)");
	free(copy);
	free(b);
	return ok;
}

/* Every catalogued malformed image: exact error, meaningful *why. */
static void test_malformed(void)
{
	size_t i;

	for (i = 0; i < elfimg_bad_n; i++) {
		if (elfimg_bad[i].classes & C64)
			CU_ASSERT(run_bad_case(&elfimg_bad[i], true));
		if (elfimg_bad[i].classes & C32)
			CU_ASSERT(run_bad_case(&elfimg_bad[i], false));
	}
}

/* ----------------------------------------------------------- robustness */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* What a successful parse promises about the image. */
static bool info_sane(const struct elf_info *info, size_t len)
{
	const struct elf_load_seg *s;
	bool entry_in = false;
	uint32_t i;

	if (info->nseg == 0 || info->nseg > ELF_MAX_LOAD_SEGS ||
	    info->phys32_entry > UINT32_MAX || info->paddr_lo >= info->paddr_hi)
		return false;
	for (i = 0; i < info->nseg; i++) {
		s = &info->seg[i];
		if (s->filesz > s->memsz || s->memsz == 0 ||
		    s->file_off > len || s->filesz > len - s->file_off ||
		    s->paddr > UINT64_MAX - s->memsz ||
		    s->paddr < info->paddr_lo ||
		    s->paddr + s->memsz > info->paddr_hi)
			return false;
		if (info->phys32_entry >= s->paddr &&
		    info->phys32_entry - s->paddr < s->filesz)
			entry_in = true;
	}
	return entry_in && memchr(info->guest_os, 0, ELF_NOTE_STR_MAX) &&
	       memchr(info->guest_version, 0, ELF_NOTE_STR_MAX) &&
	       memchr(info->xen_version, 0, ELF_NOTE_STR_MAX) &&
	       memchr(info->loader, 0, ELF_NOTE_STR_MAX);
}

/* Parses, and on success loads into small RAM and into RAM that fits. */
static int parse_and_load(const uint8_t *img, size_t len)
{
	static uint8_t small[0x4000];
	struct elf_info info;
	const char *why = NULL;
	uint64_t span;
	uint8_t *ram;
	int rc;

	rc = elf_parse(img, len, &info, &why);
	CU_ASSERT(why || rc == 0);
	if (rc)
		return rc;
	CU_ASSERT(info_sane(&info, len));
	rc = elf_load(img, len, &info, small, TEXT_PA, sizeof(small), &why);
	CU_ASSERT(rc == 0 || rc == -ERANGE);
	span = info.paddr_hi - info.paddr_lo;
	if (span <= (1u << 20)) {
		ram = malloc(span);
		CU_ASSERT_PTR_NOT_NULL_FATAL(ram);
		CU_ASSERT_EQUAL(
		    elf_load(img, len, &info, ram, info.paddr_lo, span, &why),
		    0);
		free(ram);
	}
	return 0;
}

static void robustness(bool is64)
{
	struct elfimg *b = elfimg_std(is64, is64 ? 8 : 4);
	uint8_t *copy;
	size_t len, i, n, pos;
	unsigned int iter, nok = 0;

	elfimg_finish(b);
	/* Every truncation fails (the section table is last), none crash. */
	for (len = 0; len <= b->len; len++) {
		copy = malloc(len ? len : 1);
		CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
		memcpy(copy, b->buf, len);
		CU_ASSERT_EQUAL(parse_and_load(copy, len) == 0, len == b->len);
		free(copy);
	}
	for (iter = 0; iter < 20000; iter++) {
		len = rng() % 8 ? b->len : rng() % (b->len + 1);
		copy = malloc(len ? len : 1);
		CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
		memcpy(copy, b->buf, len);
		for (n = 1 + rng() % 4, i = 0; len && i < n; i++) {
			/* Mostly in the headers, where the structure is. */
			pos = rng() % 2 ? rng() % (len < 0x180 ? len : 0x180)
					: rng() % len;
			copy[pos] =
			    rng() % 3 ? (uint8_t)rng() : copy[pos] ^ 0x80;
		}
		nok += parse_and_load(copy, len) == 0;
		free(copy);
	}
	CU_ASSERT(nok > 0); /* some mutants still parse and get loaded */
	free(b);
}

static void test_robustness64(void)
{
	robustness(true);
}

static void test_robustness32(void)
{
	robustness(false);
}

/* elf_load() with random segment descriptors: never out of bounds. */
static void test_load_random_info(void)
{
	static const uint64_t vals[] = {
	    0,	    1,	    0xfff,	0x1000,
	    0x1001, 0x2000, UINT64_MAX, UINT64_MAX - 0xfff};
	const size_t len = 0x1800, ramsz = 0x1000;
	uint8_t *img = calloc(1, len), *ram = malloc(ramsz);
	struct elf_info info;
	uint64_t base;
	unsigned int iter, i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(img);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ram);
	for (iter = 0; iter < 20000; iter++) {
		info.nseg = rng() % (ELF_MAX_LOAD_SEGS + 3);
		for (i = 0; i < ELF_MAX_LOAD_SEGS; i++) {
			info.seg[i].paddr = vals[rng() % 8] + rng() % 0x20;
			info.seg[i].file_off = vals[rng() % 8] + rng() % 0x20;
			info.seg[i].filesz = vals[rng() % 8] + rng() % 0x20;
			info.seg[i].memsz = vals[rng() % 8] + rng() % 0x20;
		}
		base = vals[rng() % 8];
		elf_load(img, len, &info, ram, base, ramsz, NULL);
	}
	free(img);
	free(ram);
}

static CU_TestInfo tests[] = {
    {"valid ELF64, 8-byte entry note", test_valid64_entry8},
    {"valid ELF64, 4-byte entry note", test_valid64_entry4},
    {"valid ELF32", test_valid32},
    {"entry note only in a section", test_note_only_in_section},
    {"1- and 2-byte entry numerics", test_entry_small_numerics},
    {"ET_DYN accepted", test_et_dyn},
    {"multiple and ignored segments", test_multiple_segments},
    {"string notes", test_string_notes},
    {"note padding, shstrndx unused", test_note_padding_and_shstrndx},
    {"entry in section after PT_NOTE", test_entry_in_section_after_segment},
    {"PT_NOTE preferred to sections", test_segment_notes_first},
    {"load zeroes BSS", test_load_bss_zeroed},
    {"load outside RAM", test_load_outside_ram},
    {"load with untrusted info", test_load_untrusted_info},
    {"bad arguments", test_bad_arguments},
    {"real executable without Xen notes", test_real_executable},
    {"malformed images", test_malformed},
    {"robustness ELF64", test_robustness64},
    {"robustness ELF32", test_robustness32},
    {"load with random info", test_load_random_info},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return unit_run("elf", tests);
}
