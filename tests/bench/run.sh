#!/bin/sh
# make bench: pvhv's benchmarks, each against a raw-KVM floor measured in
# the same run (see tests/bench/README). Prints a table and writes
# $BUILD/bench/<benchmark>.json and $BUILD/bench/results.json.
#
# Benchmarks never fail on slowness (a value above its target is reported
# as "above target"); they fail when something is broken: a guest that
# does not print its result, a program that fails, missing output.
#
# Knobs (environment): BENCH_N (hypercalls per run, 2000), BENCH_REPS
# (null-hypercall runs, 7), BENCH_BOOT_REPS (10), BENCH_COLD_REPS (3);
# for xenstore BENCH_XS_N (operations per run, 3000), BENCH_XS_REPS (3),
# BENCH_XS_IDLE (512), BENCH_XS_CPU (0), XENSTORE_REF_DIR (where
# ref-xenstored.sh is).
set -eu

cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
N=${BENCH_N:-2000}
REPS=${BENCH_REPS:-7}
BOOT_REPS=${BENCH_BOOT_REPS:-10}
COLD_REPS=${BENCH_COLD_REPS:-3}
FLOOR_PASSES=3

BIN=$BUILD/tests/bench
PVCTL=$BUILD/bin/pvctl
CFG=docs/examples/hello.cfg
KERNEL=$BUILD/guests/pvmini.elf
OUT=$BUILD/bench
RAW=$OUT/raw.txt

die() {
	echo "bench: $*" >&2
	exit 1
}

for v in "$N" "$REPS" "$BOOT_REPS" "$COLD_REPS"; do
	case $v in
	'' | *[!0-9]* | 0*) die "BENCH_* knobs must be positive numbers" ;;
	esac
done

for f in "$BIN/rawkvm" "$BIN/boot" "$PVCTL" "$BUILD/bin/pvhv" "$KERNEL"; do
	[ -x "$f" ] || [ -f "$f" ] || die "$f missing (run make first)"
done
if ! [ -r /dev/kvm ] || ! [ -w /dev/kvm ]; then
	die "/dev/kvm is not accessible"
fi
command -v python3 >/dev/null || die "python3 missing (run setup.sh)"

mkdir -p "$OUT"
RUNDIR=$(mktemp -d "${TMPDIR:-/tmp}/pvhv-bench-XXXXXX")
export PVHV_RUNDIR="$RUNDIR"
stop_pvhv() {
	# pvctl create starts pvstored beside pvhv.
	if [ -f "$RUNDIR/xenstored/pvstored.pid" ]; then
		pid=$(cat "$RUNDIR/xenstored/pvstored.pid")
		kill "$pid" 2>/dev/null || true
		i=0
		while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do
			sleep 0.05
			i=$((i + 1))
		done
		kill -KILL "$pid" 2>/dev/null || true
		rm -f "$RUNDIR/xenstored/pvstored.pid"
	fi
	if [ -f "$RUNDIR/pvhv.pid" ]; then
		pid=$(cat "$RUNDIR/pvhv.pid")
		kill "$pid" 2>/dev/null || true
		i=0
		while kill -0 "$pid" 2>/dev/null && [ $i -lt 200 ]; do
			sleep 0.05
			i=$((i + 1))
		done
		rm -f "$RUNDIR/pvhv.pid"
	fi
}
cleanup() {
	stop_pvhv
	rm -rf "$RUNDIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# pvctl create -c with the test config: NAME CMDLINE. A guest that hangs
# fails the benchmark after 2 minutes.
create() {
	timeout 120 "$PVCTL" create -c "$CFG" "kernel=\"$KERNEL\"" "name=\"$1\"" \
		"cmdline=\"$2\"" 2>>"$OUT/pvctl.log"
}

# key=value lines from a program's output: KEY OUTPUT
kv() {
	printf '%s\n' "$2" | sed -n "s/^$1=//p" | head -n 1
}

: >"$RAW"
: >"$OUT/pvctl.log"
echo "bench: null hypercall: pvhv (pvmini bench-null) vs rawkvm, n=$N, $REPS runs each"
out=$(create bench-warmup test=idle) || die "warm-up domain failed: $out"
case $out in *"PASS idle"*) ;; *) die "warm-up domain: no PASS: $out" ;; esac

# Interleaved, so that a change of host load hits both sides alike; each
# floor sample is the median of $FLOOR_PASSES passes in one VM.
pvhv_runs=""
raw_runs=""
i=1
while [ $i -le "$REPS" ]; do
	out=$(create "bench-null-$i" "test=bench-null bench_n=$N") ||
		die "bench-null domain failed: $out"
	line=$(printf '%s\n' "$out" | grep '^BENCH null_hypercall ') ||
		die "bench-null printed no BENCH line: $out"
	case $out in *"PASS bench-null"*) ;; *) die "bench-null: no PASS: $out" ;; esac
	ns=$(printf '%s\n' "$line" |
		awk '{for (i = 1; i <= NF; i++) { split($i, a, "=");
		      v[a[1]] = a[2] } } END { if (v["n"] > 0)
		      printf "%d", v["total_ns"] / v["n"] }')
	[ -n "$ns" ] || die "cannot parse: $line"
	pvhv_runs="$pvhv_runs${pvhv_runs:+,}$ns"
	out=$("$BIN/rawkvm" null "$N" "$FLOOR_PASSES") || die "rawkvm null failed"
	ns=$(kv null_exit_ns "$out")
	[ -n "$ns" ] || die "rawkvm null printed no null_exit_ns: $out"
	raw_runs="$raw_runs${raw_runs:+,}$ns"
	i=$((i + 1))
done
{
	echo "null_n=$N"
	echo "null_pvhv_runs_ns=$pvhv_runs"
	echo "null_floor_runs_ns=$raw_runs"
	echo "null_floor_passes=$FLOOR_PASSES"
	echo "null_floor_config=$(kv null_config "$out")"
} >>"$RAW"

# The floor's variants: what each of pvhv's KVM settings costs.
for v in "n:no_irqchip" "k:rax_untouched" "s:sync_sregs" "m:signal_mask" \
	"sm:pvhv_kvm_settings"; do
	out=$("$BIN/rawkvm" "-${v%%:*}" null "$N" "$REPS") ||
		die "rawkvm -${v%%:*} null failed"
	echo "null_variant_${v#*:}_ns=$(kv null_exit_ns "$out")" >>"$RAW"
	echo "null_variant_${v#*:}_config=$(kv null_config "$out")" >>"$RAW"
done

echo "bench: pvctl create -> first console byte, pvhv running, $BOOT_REPS runs"
out=$("$BIN/boot" -k boot -e "PASS idle" "$BOOT_REPS" "$PVCTL" create -c \
	"$CFG" "kernel=\"$KERNEL\"" 'name="bench-boot-%d"' \
	'cmdline="test=idle"' 2>>"$OUT/pvctl.log") || die "boot benchmark failed"
printf '%s\n' "$out" >>"$RAW"
stop_pvhv

echo "bench: the same from cold (pvhv start included), $COLD_REPS runs"
out=$("$BIN/boot" -c -k cold -e "PASS idle" "$COLD_REPS" "$PVCTL" create \
	-c "$CFG" "kernel=\"$KERNEL\"" 'name="bench-cold-%d"' \
	'cmdline="test=idle"' 2>>"$OUT/pvctl.log") || die "cold boot failed"
printf '%s\n' "$out" >>"$RAW"

echo "bench: rawkvm boot (KVM_CREATE_VM -> first instruction), 20 runs"
out=$("$BIN/rawkvm" boot 20 32) || die "rawkvm boot failed"
printf '%s\n' "$out" >>"$RAW"
out=$("$BIN/rawkvm" -n boot 20 32) || die "rawkvm -n boot failed"
echo "boot_variant_no_irqchip_ns=$(kv create_to_first_insn_ns "$out")" >>"$RAW"

# xenstore: pvstored against Debian's C xenstored (tests/bench/xenstore.sh).
sh tests/bench/xenstore.sh "$RAW" || die "xenstore benchmark failed"

# Conditions of the run.
if [ -d /sys/module/kvm_pvm ]; then
	kmod=kvm_pvm
elif [ -d /sys/module/kvm_intel ]; then
	kmod=kvm_intel
elif [ -d /sys/module/kvm_amd ]; then
	kmod=kvm_amd
else
	kmod=unknown
fi
{
	echo "cond_host_kernel=$(uname -r)"
	echo "cond_kvm_module=$kmod"
	echo "cond_cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
	echo "cond_nproc=$(nproc)"
	echo "cond_date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "cond_git_describe=$(git describe --always --dirty 2>/dev/null || echo unknown)"
} >>"$RAW"

echo
python3 tests/bench/report.py "$RAW" "$OUT"
