// fuzz-sources: toolstack/libpvtool/cfg*.c toolstack/libpvtool/domcfg.c
// fuzz-seeds: docs/examples
/*
 * libFuzzer target for the domain configuration reader.
 *
 * The input is split at the first "\n--\n": what comes before is the file,
 * each later line is one "KEY=VALUE" override, so overrides are fuzzed as
 * well.  Every input must either parse or fail with an error that starts
 * with the name of its source; anything else aborts.
 *
 * Build and run from the top of the tree (the library's cfg*.c and
 * domcfg.c are all it needs):
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Ipv-abi/include \
 *       -Ixen-core/include -Itoolstack/include tests/fuzz/fuzz_cfg.c \
 *       toolstack/libpvtool/cfg*.c toolstack/libpvtool/domcfg.c \
 *       -o /tmp/fuzz_cfg
 *   /tmp/fuzz_cfg -max_total_time=30
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <pvtool/cfg.h>

#define MAX_OVERRIDES 4

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int error_is_sane(const char *err)
{
	return !strncmp(err, "fuzz.cfg:", 9) ||
	       !strncmp(err, "command line argument ", 22);
}

static char *find_separator(char *s, size_t size)
{
	size_t i;

	for (i = 0; i + 4 <= size; i++)
		if (!memcmp(s + i, "\n--\n", 4))
			return s + i;
	return NULL;
}

/* Splits "file\n--\nov1\nov2..." into the file and NUL-terminated lines. */
static int split(char *copy, size_t size, size_t *filelen, char *ov[])
{
	char *sep = find_separator(copy, size), *p, *nl;
	int n = 0;

	*filelen = sep ? (size_t)(sep - copy) : size;
	if (!sep)
		return 0;
	copy[size] = '\0';
	for (p = sep + 4; n < MAX_OVERRIDES && p < copy + size; p = nl + 1) {
		nl = memchr(p, '\n', copy + size - p);
		if (!nl)
			nl = copy + size;
		*nl = '\0';
		ov[n++] = p;
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pvtool_domcfg cfg;
	char err[256], *ov[MAX_OVERRIDES];
	char *copy = malloc(size + 1);
	size_t filelen;
	int n, r;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	n = split(copy, size, &filelen, ov);
	err[0] = '\0';
	r = pvtool_domcfg_parse_buf("fuzz.cfg", copy, filelen, ov, n, &cfg, err,
				    sizeof(err));
	if (r > 0 || (r < 0 && !error_is_sane(err)))
		abort();
	if (r == 0 &&
	    (!cfg.name || !cfg.kernel || !cfg.cmdline ||
	     cfg.vcpus > cfg.maxvcpus || cfg.memory_mib > cfg.maxmem_mib))
		abort();
	pvtool_domcfg_free(&cfg);
	free(copy);
	return 0;
}
