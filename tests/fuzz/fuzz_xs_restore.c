// fuzz-sources: xenstore/core/*.c
/*
 * libFuzzer target for pvstored's restore path: a snapshot and journal
 * read back from the runtime directory after a crash must be checked,
 * never trusted. The input is split at its first byte: that many 64-byte
 * blocks are the snapshot, the rest the journal; both get a valid header
 * half of the time so the fuzzer reaches the records.
 * tests/fuzz/run.sh (make fuzz) builds and runs it.
 */
#include <stdlib.h>
#include <string.h>

#include <pvxs/xs.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char sm[8] = "PVXSSNAP";
	struct xs_store *st;
	uint8_t *snap, *jr;
	size_t slen, jlen, good;
	uint64_t gen;
	char err[128];

	if (size < 2 || xs_store_new(NULL, &st))
		return 0;
	slen = (size_t)data[1] * 64;
	if (slen > size - 2)
		slen = size - 2;
	jlen = size - 2 - slen;
	snap = malloc(slen + 24);
	jr = malloc(jlen + 24);
	if (!snap || !jr)
		abort();
	memcpy(snap + 24, data + 2, slen);
	memcpy(jr + 24, data + 2 + slen, jlen);
	/* headers: magic, version 1, generation 1 (or the raw input) */
	memcpy(snap, sm, 8);
	xs_journal_header(1, jr);
	memcpy(snap + 8, jr + 8, 16);
	if (data[0] & 1) {
		xs_restore(st, snap, slen + 24, jr, jlen + 24, &good, &gen, err,
			   sizeof(err));
	} else {
		xs_restore(st, data + 2, slen, data + 2 + slen, jlen, &good,
			   &gen, err, sizeof(err));
	}
	if (good > jlen + 24)
		abort();
	free(snap);
	free(jr);
	xs_store_free(st);
	return 0;
}
