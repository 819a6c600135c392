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
# (null-hypercall runs, 7), BENCH_BOOT_REPS (10), BENCH_COLD_REPS (3),
# BENCH_EV_ROUNDS (ping-pong round trips per run, 1000), BENCH_EV_REPS
# (ping-pong runs, 5), BENCH_GC_PAGES (pages per grant-copy pass, 1024),
# BENCH_GC_MS (timed ms per batch size, 50), BENCH_GC_BATCHES (1,16,64,256),
# BENCH_GC_BATCH (the batch size the target applies to, 64),
# BENCH_GC_REPS (grant-copy runs, 5); for xenstore BENCH_XS_N (operations
# per run, 3000), BENCH_XS_REPS (3), BENCH_XS_IDLE (512), BENCH_XS_CPU (0),
# XENSTORE_REF_DIR (where ref-xenstored.sh is).
set -eu

cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
N=${BENCH_N:-2000}
REPS=${BENCH_REPS:-7}
BOOT_REPS=${BENCH_BOOT_REPS:-10}
COLD_REPS=${BENCH_COLD_REPS:-3}
EV_ROUNDS=${BENCH_EV_ROUNDS:-1000}
EV_REPS=${BENCH_EV_REPS:-5}
GC_PAGES=${BENCH_GC_PAGES:-1024}
GC_MS=${BENCH_GC_MS:-50}
GC_BATCHES=${BENCH_GC_BATCHES:-1,16,64,256}
GC_BATCH=${BENCH_GC_BATCH:-64}
GC_REPS=${BENCH_GC_REPS:-5}
GUEST_MIB=32 # the benchmark domains' memory (pagecopy's buffer)
GC_FLOOR_PASSES=256 # pagecopy passes per floor sample (~30 ms)
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

for v in "$N" "$REPS" "$BOOT_REPS" "$COLD_REPS" "$EV_ROUNDS" "$EV_REPS" \
	"$GC_PAGES" "$GC_MS" "$GC_BATCH" "$GC_REPS"; do
	case $v in
	'' | *[!0-9]* | 0*) die "BENCH_* knobs must be positive numbers" ;;
	esac
done
case ,$GC_BATCHES, in
*[!0-9,]* | *,,* | *,0*) die "BENCH_GC_BATCHES: positive numbers, commas" ;;
*,"$GC_BATCH",*) ;;
*) die "BENCH_GC_BATCH ($GC_BATCH) must be one of BENCH_GC_BATCHES" ;;
esac

PVTEST=$BUILD/tests/tools/pvtest
for f in "$BIN/rawkvm" "$BIN/boot" "$BIN/pagecopy" "$PVCTL" "$PVTEST" \
	"$BUILD/bin/pvhv" "$KERNEL"; do
	[ -x "$f" ] || [ -f "$f" ] || die "$f missing (run make first)"
done
if ! [ -r /dev/kvm ] || ! [ -w /dev/kvm ]; then
	die "/dev/kvm is not accessible"
fi
command -v python3 >/dev/null || die "python3 missing (run setup.sh)"
command -v objdump >/dev/null || die "objdump missing (binutils)"

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
		"cmdline=\"$2\"" "memory=$GUEST_MIB" 2>>"$OUT/pvctl.log"
}

# Starts a domain with `create -c` in the background (its console on
# FILE, attached before it runs; its pid in $bg) and checks that it got
# domain id ID: NAME CMDLINE ID FILE. Ids are handed out in order (1, 2,
# ... in a fresh pvhv): that is how two domains name each other.
start_domain() {
	timeout 120 "$PVCTL" create -c "$CFG" "kernel=\"$KERNEL\"" \
		"name=\"$1\"" "cmdline=\"$2\"" "memory=$GUEST_MIB" \
		>"$4" 2>"$4.err" &
	bg=$!
	k=0
	until grep -q "created domain" "$4.err"; do
		kill -0 $bg 2>/dev/null || die "create $1 failed: $(cat "$4.err")"
		k=$((k + 1))
		[ $k -lt 1000 ] || die "create $1: no answer"
		sleep 0.01
	done
	grep -q "(id $3)" "$4.err" ||
		die "$1 did not get domain id $3: $(cat "$4.err")"
}

# The value of KEY=... on a BENCH line: KEY LINE
field() {
	printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"
}

# key=value lines from a program's output: KEY OUTPUT
kv() {
	printf '%s\n' "$2" | sed -n "s/^$1=//p" | head -n 1
}

# The floors run pvmini's benchmark loops byte for byte: check that the
# kernel being measured still holds them (FUNCTION KEY).
fn_bytes() {
	r=$(nm -n "$KERNEL" | awk -v s="$1" 'a { print a, $1; exit }
		$3 == s && /^[0-9a-f]+ [tT] / { a = $1 }')
	[ -n "$r" ] || die "no function $1 in $KERNEL"
	objdump -d --start-address="0x${r% *}" --stop-address="0x${r#* }" \
		"$KERNEL" | awk -F'\t' '/^ +[0-9a-f]+:\t/ { print $2 }' |
		tr -d ' \n'
}
loops=$("$BIN/rawkvm" loops) || die "rawkvm loops failed"
for f in test_bench_null:null_loop pp_client:pp_client_loop \
	pp_server:pp_server_loop; do
	want=$(kv "${f#*:}" "$loops")
	case $(fn_bytes "${f%%:*}") in
	*"$want"*) ;;
	*) die "${f%%:*} in $KERNEL is not rawkvm's ${f#*:} ($want)" ;;
	esac
done

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

# ---------------------------------------------------------------------
# Event channels and grant copy: a fresh pvhv, so that domain ids start
# at 1 (the ping-pong domains name each other by id).
stop_pvhv
out=$(create bench-warmup2 test=idle) || die "warm-up domain failed: $out"
next_id=2
EV=$OUT/evtchn
rm -rf "$EV"
mkdir -p "$EV"

# One domU<->domU ping-pong under pvhv (run I): ns per round trip in $ns.
pingpong_domu() {
	s=$next_id
	c=$((s + 1))
	next_id=$((c + 1))
	# The server allocates a port for the client (the next id) and waits
	# in its first poll; the client binds the port and starts.
	start_domain "bench-evs-$1" \
		"test=bench-evtchn peer=$c role=server rounds=$EV_ROUNDS" \
		"$s" "$EV/s$1.out"
	spid=$bg
	start_domain "bench-evc-$1" \
		"test=bench-evtchn peer=$s role=client rounds=$EV_ROUNDS" \
		"$c" "$EV/c$1.out"
	wait $bg || true
	wait $spid || true
	cat "$EV/s$1.out.err" "$EV/c$1.out.err" >>"$OUT/pvctl.log"
	grep -q "^PASS bench-evtchn" "$EV/s$1.out" ||
		die "ping-pong server: no PASS: $(cat "$EV/s$1.out")"
	line=$(grep '^BENCH evtchn_rtt ' "$EV/c$1.out") ||
		die "ping-pong client: no BENCH line: $(cat "$EV/c$1.out")"
	grep -q "^PASS bench-evtchn" "$EV/c$1.out" ||
		die "ping-pong client: no PASS: $(cat "$EV/c$1.out")"
	ns=$(($(field total_ns "$line") / $(field rounds "$line")))
}

# One domU<->dom0 ping-pong under pvhv (run I): ns per round trip in $ns.
pingpong_dom0() {
	g=$next_id
	next_id=$((g + 1))
	start_domain "bench-ev0-$1" "test=bench-evtchn-dom0 rounds=$EV_ROUNDS" \
		"$g" "$EV/d$1.out"
	gpid=$bg
	k=0
	until grep -q "^EVTCHN-DOM0 port=" "$EV/d$1.out"; do
		k=$((k + 1))
		[ $k -lt 400 ] ||
			die "bench-evtchn-dom0 gave no port: $(cat "$EV/d$1.out")"
		sleep 0.05
	done
	port=$(sed -n 's/^EVTCHN-DOM0 port=\([0-9]*\).*/\1/p' "$EV/d$1.out")
	line=$(timeout 120 "$PVTEST" evtchn-pingpong "$g" "$port" "$EV_ROUNDS" |
		grep '^BENCH evtchn_dom0 ') || die "pvtest evtchn-pingpong failed"
	wait $gpid || true
	cat "$EV/d$1.out.err" >>"$OUT/pvctl.log"
	grep -q "^PASS bench-evtchn-dom0" "$EV/d$1.out" ||
		die "bench-evtchn-dom0: no PASS: $(cat "$EV/d$1.out")"
	ns=$(($(field total_ns "$line") / $(field rounds "$line")))
}

# KEY FUNCTION FLOOR-MODE FLOOR-KEY: REPS runs of the pvhv ping-pong, each
# followed by a floor run; then one more, untimed pvhv run with pvhv's
# kicks (tgkill) counted by perf, if perf can count syscalls here (how
# often pvhv parked a vCPU, to compare with the floor's count).
pingpong_bench() {
	pv_runs=""
	raw_runs=""
	i=1
	while [ $i -le "$EV_REPS" ]; do
		$2 $i
		pv_runs="$pv_runs${pv_runs:+,}$ns"
		out=$("$BIN/rawkvm" -w "$3" "$EV_ROUNDS" "$FLOOR_PASSES") ||
			die "rawkvm -w $3 failed"
		ns=$(kv "$4_rtt_ns" "$out")
		[ -n "$ns" ] || die "rawkvm $3 printed no $4_rtt_ns: $out"
		raw_runs="$raw_runs${raw_runs:+,}$ns"
		i=$((i + 1))
	done
	{
		echo "$1_rounds=$EV_ROUNDS"
		echo "$1_pvhv_runs_ns=$pv_runs"
		echo "$1_floor_runs_ns=$raw_runs"
		echo "$1_floor_passes=$FLOOR_PASSES"
		echo "$1_floor_config=$(kv "$4_config" "$out")"
		echo "$1_floor_per_rtt=$(kv "$4_per_rtt" "$out")"
	} >>"$RAW"
	if perf stat -e syscalls:sys_enter_tgkill true >/dev/null 2>&1; then
		perf stat -x, -e syscalls:sys_enter_tgkill -o "$EV/$1.perf" \
			-p "$(cat "$RUNDIR/pvhv.pid")" >/dev/null 2>&1 &
		perf=$!
		sleep 0.5 # perf attaches
		$2 perf
		kill -INT $perf
		wait $perf || true
		kicks=$(awk -F, '/sys_enter_tgkill/ { print $1 }' "$EV/$1.perf")
		[ -z "$kicks" ] || echo "$1_pvhv_kicks=$kicks" >>"$RAW"
	fi
}

echo "bench: event-channel ping-pong domU<->domU: pvhv (bench-evtchn)" \
	"vs rawkvm pingpong, $EV_ROUNDS round trips, $EV_REPS runs each"
pingpong_bench evdomu pingpong_domu pingpong pingpong

echo "bench: event-channel ping-pong domU<->dom0: pvhv (bench-evtchn-dom0 +" \
	"pvtest) vs rawkvm dom0, $EV_ROUNDS round trips, $EV_REPS runs each"
pingpong_bench evdom0 pingpong_dom0 dom0 dom0pp

# The floors' variants (informational): the race left to chance (a poll
# that finds its port pending does not wait: fewer wake-ups, when the
# floor is faster than pvhv); with pvhv's SREGS sync too.
for v in "race:" "sync_sregs:-ws"; do
	name=${v%%:*}
	flags=${v#*:} # unquoted below: empty means none
	out=$("$BIN/rawkvm" $flags pingpong "$EV_ROUNDS" "$FLOOR_PASSES") ||
		die "rawkvm $flags pingpong failed"
	echo "evdomu_variant_${name}_ns=$(kv pingpong_rtt_ns "$out")" >>"$RAW"
	echo "evdomu_variant_${name}_per_rtt=$(kv pingpong_per_rtt "$out")" >>"$RAW"
	out=$("$BIN/rawkvm" $flags dom0 "$EV_ROUNDS" "$FLOOR_PASSES") ||
		die "rawkvm $flags dom0 failed"
	echo "evdom0_variant_${name}_ns=$(kv dom0pp_rtt_ns "$out")" >>"$RAW"
	echo "evdom0_variant_${name}_per_rtt=$(kv dom0pp_per_rtt "$out")" >>"$RAW"
done

echo "bench: grant copy, $GC_PAGES pages of 4 KiB, batches $GC_BATCHES:" \
	"pvhv (bench-gntcopy) vs pagecopy (memcpy), $GC_REPS runs each"
: >"$EV/gntcopy.txt"
floor_runs=""
i=1
while [ $i -le "$GC_REPS" ]; do
	out=$(create "bench-gc-$i" "test=bench-gntcopy pages=$GC_PAGES \
bench_ms=$GC_MS batches=$GC_BATCHES") || die "bench-gntcopy failed: $out"
	case $out in *"PASS bench-gntcopy"*) ;; *) die "bench-gntcopy: no PASS: $out" ;; esac
	lines=$(printf '%s\n' "$out" | grep '^BENCH gntcopy ') ||
		die "bench-gntcopy printed no BENCH line: $out"
	printf '%s\n' "$lines" >>"$EV/gntcopy.txt"
	line=$(printf '%s\n' "$lines" | head -n 1)
	src=$(field src_pfn "$line")
	dst=$(field dst_pfn "$line")
	out=$("$BIN/pagecopy" "$GUEST_MIB" "$src" "$dst" "$GC_PAGES" \
		"$GC_FLOOR_PASSES" "$FLOOR_PASSES") || die "pagecopy failed"
	ns=$(kv pagecopy_ns "$out")
	[ -n "$ns" ] || die "pagecopy printed no pagecopy_ns: $out"
	floor_runs="$floor_runs${floor_runs:+,}$((ns / GC_FLOOR_PASSES))"
	i=$((i + 1))
done
for b in $(echo "$GC_BATCHES" | tr , ' '); do
	runs=$(grep "^BENCH gntcopy batch=$b " "$EV/gntcopy.txt" |
		awk '{ for (i = 1; i <= NF; i++) { split($i, a, "=");
		       v[a[1]] = a[2] }
		       printf "%s%d", n++ ? "," : "", v["total_ns"] / v["passes"] }')
	[ -n "$runs" ] || die "no bench-gntcopy result for batch $b"
	echo "gc_batch_${b}_pass_runs_ns=$runs" >>"$RAW"
done
{
	echo "gc_pages=$GC_PAGES"
	echo "gc_batches=$GC_BATCHES"
	echo "gc_batch=$GC_BATCH"
	echo "gc_bench_ms=$GC_MS"
	echo "gc_src_pfn=$src"
	echo "gc_dst_pfn=$dst"
	echo "gc_guest_mib=$GUEST_MIB"
	echo "gc_floor_pass_runs_ns=$floor_runs"
	echo "gc_floor_passes=$GC_FLOOR_PASSES"
	echo "gc_floor_reps=$FLOOR_PASSES"
} >>"$RAW"
stop_pvhv

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
