// fuzz-sources: xenstore/lib/wire.c xenstore/lib/util.c
/*
 * libFuzzer target for libpvstore's parsers of what a daemon sends (reply
 * payloads: strings, DIRECTORY_PART chunks, watch events, permissions,
 * numbers) and of what users type (paths, permissions, escapes). The
 * input is used as a payload by each parser; round trips must hold:
 * escape then unescape gives the bytes back, a parsed permission formats
 * to the text it came from.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE \
 *       -Ipv-abi/include -Ixenstore/include tests/fuzz/fuzz_pvstore.c \
 *       xenstore/lib/wire.c xenstore/lib/util.c -o /tmp/fuzz_pvstore
 *   /tmp/fuzz_pvstore -max_total_time=30
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <pvstore/wire.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void replies(const char *p, size_t n)
{
	struct pvstore_event *ev;
	struct pvstore_perm *perms;
	const char *gen, *names;
	size_t nlen;
	unsigned count;
	uint64_t v;
	char **vec;
	int end;

	if (pvstore_split(p, n, &vec, &count) == 0) {
		for (unsigned i = 0; i < count; i++)
			if (strlen(vec[i]) > n)
				abort();
		if (vec[count])
			abort();
		free(vec);
	}
	if (pvstore_dirpart_parse(p, n, &gen, &names, &nlen, &end) == 0) {
		if (names < p || names + nlen > p + n)
			abort();
		if (nlen && names[nlen - 1] != 0)
			abort();
	}
	if (pvstore_event_parse(p, n, &ev) == 0) {
		if (strlen(ev->path) + strlen(ev->token) > n)
			abort();
		free(ev);
	}
	if (pvstore_perms_parse_list(p, n, &perms, &count) == 0) {
		if (count == 0)
			abort();
		free(perms);
	}
	if (pvstore_parse_num(p, n, UINT32_MAX, &v) == 0 && v > UINT32_MAX)
		abort();
}

static void user_text(const char *s, const char *raw, size_t n)
{
	struct pvstore_perm perm;
	char buf[16], *e, *out = malloc(strlen(s) + 1);
	int len;

	pvstore_path_check(s, true);
	pvstore_path_check(s, false);
	if (pvstore_perm_parse(s, &perm) == 0) {
		if (pvstore_perm_format(&perm, buf, sizeof(buf)) < 0 ||
		    strcmp(buf, s) != 0)
			abort();
	}
	if (out) {
		len = pvstore_unescape(s, out);
		if (len > (int)strlen(s))
			abort();
		free(out);
	}
	/* Any bytes survive escape + unescape. */
	e = pvstore_escape(raw, n);
	out = malloc(n + 1);
	if (e && out) {
		if (pvstore_unescape(e, out) != (int)n || memcmp(out, raw, n))
			abort();
	}
	free(e);
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *p = malloc(size + 1);

	if (!p)
		return 0;
	memcpy(p, data, size);
	p[size] = 0;
	replies(p, size);
	user_text(p, (const char *)data, size);
	free(p);
	return 0;
}
