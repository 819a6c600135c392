/*
 * PVH kernel ELF parser and loader: pure logic over a byte buffer (no KVM,
 * no files), so unit tests and the fuzzer link it directly.
 *
 * The image comes from the user and may be hostile: every read of it is
 * bounds-checked and every malformed image gets -errno and a static string
 * saying what is wrong, never a crash.
 */
#ifndef PVHV_ELF_H
#define PVHV_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ELF_MAX_LOAD_SEGS 16
#define ELF_NOTE_STR_MAX  32

/* One PT_LOAD segment, as placed in guest-physical memory. */
struct elf_load_seg {
	uint64_t paddr;	   /* guest-physical load address (p_paddr) */
	uint64_t file_off; /* offset in the image (0 when filesz is 0) */
	uint64_t filesz;
	uint64_t memsz; /* >= filesz; the rest is zeroed */
};

/* What elf_parse() found; seg[] is sorted as in the program header table. */
struct elf_info {
	uint64_t phys32_entry;	     /* XEN_ELFNOTE_PHYS32_ENTRY value */
	uint64_t paddr_lo, paddr_hi; /* [lo, hi) covered by all PT_LOAD memsz */
	uint32_t nseg;
	struct elf_load_seg seg[ELF_MAX_LOAD_SEGS];
	/* String notes, NUL-terminated, truncated to fit, non-printable bytes
	 * replaced by '?'; "" if absent. */
	char guest_os[ELF_NOTE_STR_MAX]; /* XEN_ELFNOTE_GUEST_OS */
	char guest_version[ELF_NOTE_STR_MAX];
	char xen_version[ELF_NOTE_STR_MAX];
	char loader[ELF_NOTE_STR_MAX];
	bool elf64;
};

/*
 * Validates the image and fills *info (zeroed on error). Returns 0, or
 * -ENOEXEC for a malformed or unsupported image, -ENOENT when there is no
 * XEN_ELFNOTE_PHYS32_ENTRY note, -EINVAL for bad arguments; *why (if `why`
 * is not NULL) then gets a static string saying exactly what is wrong.
 */
int elf_parse(const void *img, size_t len, struct elf_info *info,
	      const char **why);

/*
 * Copies every segment of *info from the image into `ram`, which holds
 * guest-physical [ram_base, ram_base + ram_size), and zeroes each segment's
 * BSS part. `info` is treated as untrusted too: nothing is read outside
 * [img, img + len) nor written outside [ram, ram + ram_size), whatever it
 * holds. Everything is checked before the first byte is written, so on
 * error `ram` is untouched. Returns 0, -ERANGE (a segment falls outside
 * guest RAM) or -EINVAL (`info` does not describe this image), with *why.
 * `img` and `ram` must not overlap.
 */
int elf_load(const void *img, size_t len, const struct elf_info *info,
	     void *ram, uint64_t ram_base, uint64_t ram_size, const char **why);

#endif
