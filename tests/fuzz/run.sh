#!/bin/sh
# Build and run the libFuzzer targets (`make fuzz`; not part of make check).
#
# Usage: tests/fuzz/run.sh [tests/fuzz/fuzz_NAME.c ...]   (default: all;
#        paths from the top of the tree, where it runs)
#
# Each target names what it is built from in its first lines:
#   // fuzz-sources: xen-core/util/msg.c xen-core/util/json.c  (globs work)
#   // fuzz-helpers: tests/unit/x.c   (test code: checked by ASan/UBSan
#                                      but not coverage-guided; optional)
#   // fuzz-libs: -lyajl                                        (optional)
#   // fuzz-seeds: docs/examples $BUILD/guests   (optional seed directories)
# Seeds in tests/fuzz/seeds/NAME/ are always used when present.
# and is compiled from those sources with clang, -fsanitize=fuzzer,address,
# undefined (the gcc-built libraries carry no fuzzer instrumentation).
#
# Environment:
#   BUILD         build directory (default: build); output in $BUILD/fuzz:
#                 bin/NAME, corpus NAME/ (kept between runs), NAME.log,
#                 crashes/NAME-* (reproduce: $BUILD/fuzz/bin/NAME FILE)
#   FUZZ_SECONDS  seconds per target (default 20); 0 only builds and
#                 replays the saved corpus (a quick regression check)
#   CLANG         compiler (default: clang)
# Exit status: 0 if every target built and ran without a finding.
set -u

BUILD=${BUILD:-build}
SECONDS_EACH=${FUZZ_SECONDS:-20}
CLANG=${CLANG:-clang}
OUT=$BUILD/fuzz
COMMON="-g -O1 -fno-sanitize-recover=all -fno-omit-frame-pointer
	-std=gnu11 -D_GNU_SOURCE -pthread -Wall -Wextra -Werror
	-Wno-unused-parameter -Ipv-abi/include -Ixen-core/include
	-Itoolstack/include -Ixenstore/include -Itests/unit"
CFLAGS="-fsanitize=fuzzer,address,undefined $COMMON"
HELPER_CFLAGS="-fsanitize=address,undefined $COMMON"

case $SECONDS_EACH in
'' | *[!0-9]*)
	echo "run.sh: FUZZ_SECONDS must be a number of seconds" >&2
	exit 2
	;;
esac
cd "$(dirname "$0")/../.." || exit 2
[ $# -gt 0 ] || set -- tests/fuzz/fuzz_*.c
mkdir -p "$OUT/bin" "$OUT/crashes" || exit 2

# The value of a "// fuzz-KEY:" line, with $BUILD expanded.
header() {
	sed -n "s|^// fuzz-$1:[[:space:]]*||p" "$2" | sed "s|\\\$BUILD|$BUILD|g"
}

say() {
	printf '  %-8s %s\n' "$1" "$2"
}

fail=0
for src in "$@"; do
	name=$(basename "$src" .c)
	bin=$OUT/bin/$name
	sources=$(header sources "$src")
	: >"$OUT/$name.build.log"
	if [ -z "$sources" ]; then
		say FAIL "$name: no '// fuzz-sources:' line in $src"
		fail=1
		continue
	fi
	say CLANG "$bin"
	objs=""
	ok=true
	for h in $(header helpers "$src"); do
		o=$OUT/obj/$name-$(basename "$h" .c).o
		mkdir -p "$OUT/obj"
		# shellcheck disable=SC2086
		$CLANG $HELPER_CFLAGS -c -o "$o" "$h" \
			>>"$OUT/$name.build.log" 2>&1 || ok=false
		objs="$objs $o"
	done
	# shellcheck disable=SC2086,SC2046 # word splitting and globs wanted
	if ! $ok || ! $CLANG $CFLAGS -o "$bin" "$src" $sources $objs \
		$(header libs "$src") >>"$OUT/$name.build.log" 2>&1; then
		say FAIL "$name: build failed"
		sed 's/^/    /' "$OUT/$name.build.log"
		fail=1
		continue
	fi

	corpus=$OUT/$name
	mkdir -p "$corpus"
	seeds=""
	for d in tests/fuzz/seeds/$name $(header seeds "$src"); do
		[ -d "$d" ] && seeds="$seeds $d"
	done
	if [ "$SECONDS_EACH" -eq 0 ]; then
		mode="-runs=0"
	else
		mode="-max_total_time=$SECONDS_EACH"
	fi
	say FUZZ "$name (${SECONDS_EACH}s)"
	# shellcheck disable=SC2086
	"$bin" $mode -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$OUT/crashes/$name-" "$corpus" $seeds \
		>"$OUT/$name.log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units:[[:space:]]*//p' \
		"$OUT/$name.log" | tail -n 1)
	if [ $rc -ne 0 ]; then
		say FAIL "$name: exit status $rc; $OUT/$name.log says:"
		grep -v '^\(#[0-9]\|INFO:\|stat::\)' "$OUT/$name.log" |
			tail -n 40 | sed 's/^/    /'
		for f in "$OUT"/crashes/"$name"-*; do
			[ -e "$f" ] && echo "    input: $f"
		done
		fail=1
	else
		n=$(find "$corpus" -type f | wc -l)
		say PASS "$name: ${execs:-?} runs, $n in corpus"
	fi
done
exit $fail
