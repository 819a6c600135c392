#!/bin/sh
# The xenstore benchmark (part of make bench; see tests/bench/README):
# xsbench against pvstored and against Debian's C xenstored 4.17 (the
# reference), each with 1 and with IDLE idle connections, REPS rounds
# interleaved, and the floor (xsbench -F: the same client against a daemon
# that does nothing). Appends key=value lines to RAW:
#   xs_<daemon>_i<idle>_r<round>_<op>_{ops_per_s,p50_ns,p99_ns}=...
# (daemon: pvstored, ref, floor - the floor with 1 connection only)
#   xs_<daemon>_status=ok | absent | failed: why
# Usage: xenstore.sh [RAW]   (BUILD, BENCH_XS_N, BENCH_XS_REPS,
# BENCH_XS_IDLE, BENCH_XS_CPU, XENSTORE_REF_DIR from the environment).
# Without RAW it runs alone: raw lines in $BUILD/bench/xs-raw.txt, then
# the report.
#
# Every daemon and client runs pinned to CPU $BENCH_XS_CPU (default 0;
# empty: not pinned): on this VM a wake-up on another CPU costs 10-40 us
# (an IPI through the outer hypervisor), more than the work measured, and
# where the scheduler puts the two ends changes from run to run.
set -eu

cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
ALONE=0
if [ $# = 0 ]; then
	ALONE=1
	mkdir -p "$BUILD/bench"
	set -- "$BUILD/bench/xs-raw.txt"
	: >"$1"
fi
RAW=$1
N=${BENCH_XS_N:-3000}
REPS=${BENCH_XS_REPS:-3}
IDLE=${BENCH_XS_IDLE:-512}
CPU=${BENCH_XS_CPU-0}
PIN=""
if [ -n "$CPU" ]; then
	command -v taskset >/dev/null || die "taskset missing (util-linux)"
	PIN="taskset -c $CPU"
fi
XSBENCH=$BUILD/tests/bench/xsbench
PVSTORED=$BUILD/bin/pvstored

die() {
	echo "bench: xenstore: $*" >&2
	exit 1
}

for v in "$N" "$REPS" "$IDLE"; do
	case $v in
	'' | *[!0-9]* | 0*) die "BENCH_XS_* knobs must be positive numbers" ;;
	esac
done
[ -x "$XSBENCH" ] || die "$XSBENCH missing (run make first)"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/pvhv-xsbench-XXXXXX")
REF_PID=""
PVS_PID=""
cleanup() {
	for p in $REF_PID $PVS_PID; do
		kill "$p" 2>/dev/null || continue
		i=0
		while kill -0 "$p" 2>/dev/null && [ $i -lt 40 ]; do
			sleep 0.05
			i=$((i + 1))
		done
		kill -KILL "$p" 2>/dev/null || true
	done
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The reference: ref-xenstored.sh from $XENSTORE_REF_DIR, else the
# project's shared tools beside the checkout (or beside the main checkout
# of a git worktree). Its downloads are kept in $BUILD/bench/xenstore-ref.
find_ref() {
	common=$(git rev-parse --path-format=absolute --git-common-dir 2>/dev/null || true)
	for d in ${XENSTORE_REF_DIR:-} "$PWD/../shared/tools/xenstore-ref" \
		${common:+"$(dirname "$common")/../shared/tools/xenstore-ref"}; do
		[ -x "$d/ref-xenstored.sh" ] && { echo "$d"; return 0; }
	done
	return 1
}

start_ref() {
	ref=$(find_ref) || {
		echo "xs_ref_status=absent: ref-xenstored.sh not found (set XENSTORE_REF_DIR)" >>"$RAW"
		return 1
	}
	dir=$BUILD/bench/xenstore-ref
	mkdir -p "$dir"
	rm -f "$dir/socket" "$dir/pid"
	if ! $PIN sh "$ref/ref-xenstored.sh" "$dir" >"$WORK/ref.log" 2>&1; then
		echo "xs_ref_status=failed: $(tr '\n' ' ' <"$WORK/ref.log")" >>"$RAW"
		return 1
	fi
	REF_PID=$(cat "$dir/pid")
	REF_SOCK=$(cd "$dir" && pwd)/socket
	echo "xs_ref_status=ok" >>"$RAW"
	echo "xs_ref_version=$(ls "$dir"/debs/xen-utils-4.17_*.deb 2>/dev/null |
		sed 's/.*xen-utils-4.17_//; s/_amd64.deb//' | head -n 1)" >>"$RAW"
}

# pvstored, started as libpvstore's autostart does, in its own runtime
# directory; its pid from its pid file, or the process we started.
start_pvstored() {
	[ -x "$PVSTORED" ] || {
		echo "xs_pvstored_status=absent: $PVSTORED not built" >>"$RAW"
		return 1
	}
	dir=$WORK/run/xenstored
	mkdir -p "$dir"
	mkfifo "$WORK/ready"
	PVHV_RUNDIR=$WORK/run $PIN "$PVSTORED" --rundir "$dir" --ready-fd 3 \
		3>"$WORK/ready" >"$WORK/pvstored.out" 2>&1 &
	started=$!
	ready=$(timeout 15 head -c 1 "$WORK/ready" || true)
	if [ -z "$ready" ]; then
		echo "xs_pvstored_status=failed: not ready in 15 s: $(tr '\n' ' ' <"$WORK/pvstored.out")" >>"$RAW"
		return 1
	fi
	PVS_PID=$(cat "$dir/pvstored.pid" 2>/dev/null || echo "$started")
	PVS_SOCK=$dir/socket
	echo "xs_pvstored_status=ok" >>"$RAW"
}

have_ref=0
have_pvs=0
start_ref && have_ref=1
start_pvstored && have_pvs=1
[ $have_ref = 1 ] || [ $have_pvs = 1 ] || {
	echo "bench: xenstore: neither daemon available; see $RAW" >&2
	exit 0
}
{
	echo "xs_n=$N"
	echo "xs_reps=$REPS"
	echo "xs_idle=$IDLE"
	echo "xs_cpu=${CPU:-none}"
} >>"$RAW"

echo "bench: xenstore: read/write/directory/transaction, n=$N, $REPS rounds," \
	"1 and $IDLE idle connections:$([ $have_pvs = 1 ] && echo " pvstored")$([ $have_ref = 1 ] && echo " C-xenstored")"
r=1
while [ $r -le "$REPS" ]; do
	out=$($PIN "$XSBENCH" -F -n "$N" -i 1 -k "xs_floor_i1_r$r") ||
		die "xsbench -F failed: $out"
	printf '%s\n' "$out" >>"$RAW"
	for idle in 1 "$IDLE"; do
		for d in pvstored ref; do
			if [ $d = pvstored ]; then
				[ $have_pvs = 1 ] || continue
				sock=$PVS_SOCK
			else
				[ $have_ref = 1 ] || continue
				sock=$REF_SOCK
			fi
			out=$($PIN "$XSBENCH" -n "$N" -i "$idle" -k "xs_${d}_i${idle}_r$r" \
				"$sock") || die "xsbench against $d failed: $out"
			printf '%s\n' "$out" >>"$RAW"
			# Let the daemon see the idle connections go first.
			[ "$idle" = 1 ] || sleep 0.5
		done
	done
	r=$((r + 1))
done

if [ $ALONE = 1 ]; then
	echo "cond_host_kernel=$(uname -r)" >>"$RAW"
	echo "cond_date=$(date -u +%Y-%m-%dT%H:%M:%SZ)" >>"$RAW"
	echo "cond_nproc=$(nproc)" >>"$RAW"
	echo "cond_git_describe=$(git describe --always --dirty 2>/dev/null || echo unknown)" >>"$RAW"
	echo
	python3 tests/bench/report.py "$RAW" "$BUILD/bench"
fi
