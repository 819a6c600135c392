// fuzz-sources: xen-core/boot/elf.c
// fuzz-seeds: $BUILD/guests
/*
 * libFuzzer target for the PVH kernel ELF parser/loader: any input must
 * either be rejected with a reason or parse into an elf_info that keeps
 * its promises and loads without touching anything outside guest RAM.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Ipv-abi/include \
 *       -Ixen-core/include tests/fuzz/fuzz_elf.c xen-core/boot/elf.c \
 *       -o /tmp/fuzz_elf && /tmp/fuzz_elf -max_total_time=30
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <pvhv/elf.h>

#define RAM_SIZE (16u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool cond)
{
	if (!cond)
		abort();
}

static void info_check(const struct elf_info *info, size_t size)
{
	const struct elf_load_seg *s;
	bool entry_in = false;
	uint32_t i;

	check(info->nseg >= 1 && info->nseg <= ELF_MAX_LOAD_SEGS);
	check(info->phys32_entry <= UINT32_MAX);
	for (i = 0; i < info->nseg; i++) {
		s = &info->seg[i];
		check(s->filesz <= s->memsz && s->memsz > 0);
		check(s->file_off <= size && s->filesz <= size - s->file_off);
		check(s->paddr <= UINT64_MAX - s->memsz);
		check(s->paddr >= info->paddr_lo &&
		      s->paddr + s->memsz <= info->paddr_hi);
		entry_in |= info->phys32_entry >= s->paddr &&
			    info->phys32_entry - s->paddr < s->filesz;
	}
	check(entry_in);
	check(memchr(info->guest_os, 0, sizeof(info->guest_os)) != NULL);
	check(memchr(info->loader, 0, sizeof(info->loader)) != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t *ram;
	struct elf_info info;
	const char *why = NULL;
	uint64_t bases[3];
	int rc, i;

	if (!ram) {
		ram = malloc(RAM_SIZE);
		if (!ram)
			abort();
	}
	rc = elf_parse(data, size, &info, &why);
	check(why != NULL || rc == 0);
	if (rc) {
		check(rc == -ENOEXEC || rc == -ENOENT);
		return 0;
	}
	info_check(&info, size);
	bases[0] = 0;
	bases[1] = 1u << 20;
	bases[2] = info.paddr_lo;
	for (i = 0; i < 3; i++) {
		rc = elf_load(data, size, &info, ram, bases[i], RAM_SIZE, &why);
		check(rc == 0 || rc == -ERANGE);
		check(rc != 0 || info.paddr_hi - bases[i] <= RAM_SIZE);
	}
	return 0;
}
