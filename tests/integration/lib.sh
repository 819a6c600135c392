# Helpers for integration tests (sourced). Every test gets its own
# runtime directory, so tests never share a pvhv.
set -eu
: "${BUILD:?}" "${TOP:?}"
PVCTL="$BUILD/bin/pvctl"
PVHV="$BUILD/bin/pvhv"
PVMINI="$BUILD/guests/pvmini.elf"
T=$(mktemp -d /tmp/pvhv-it.XXXXXX)
export PVHV_RUNDIR="$T/run"
cd "$T"

cleanup() {
	rc=$?
	stop_pvstored
	stop_pvhv || rc=1
	if [ $rc != 0 ] && [ -f "$PVHV_RUNDIR/pvhv.log" ]; then
		echo "--- pvhv.log (last 40 lines)"
		tail -40 "$PVHV_RUNDIR/pvhv.log"
	fi
	rm -rf "$T"
	exit $rc
}
trap cleanup EXIT INT TERM

say() { echo "== $*"; }
die() { echo "FAIL: $*" >&2; exit 1; }

pvhv_pid() { cat "$PVHV_RUNDIR/pvhv.pid" 2>/dev/null || true; }

pvhv_alive() {
	p=$(pvhv_pid)
	[ -n "$p" ] && kill -0 "$p" 2>/dev/null
}

# Stops pvhv (SIGTERM: destroys all domains, exits 0) and checks it did.
stop_pvhv() {
	p=$(pvhv_pid)
	[ -n "$p" ] || return 0
	kill -0 "$p" 2>/dev/null || { echo "pvhv (pid $p) had died" >&2; return 1; }
	kill -TERM "$p"
	for _ in $(seq 100); do
		kill -0 "$p" 2>/dev/null || return 0
		sleep 0.05
	done
	echo "pvhv (pid $p) did not exit on SIGTERM" >&2
	kill -KILL "$p" 2>/dev/null
	return 1
}

# Stops the pvstored pvctl started in this runtime directory, if any.
stop_pvstored() {
	p=$(cat "$PVHV_RUNDIR/xenstored/pvstored.pid" 2>/dev/null || true)
	[ -n "$p" ] || return 0
	kill -TERM "$p" 2>/dev/null || return 0
	for _ in $(seq 100); do
		kill -0 "$p" 2>/dev/null || return 0
		sleep 0.05
	done
	echo "pvstored (pid $p) did not exit on SIGTERM" >&2
	kill -KILL "$p" 2>/dev/null || true
}

# A domain config for pvmini: mkcfg FILE NAME TESTS [extra lines...]
mkcfg() {
	f=$1 name=$2 tests=$3
	shift 3
	{
		echo "name = \"$name\""
		echo "type = \"pvh\""
		echo "kernel = \"$PVMINI\""
		echo "cmdline = \"test=$tests\""
		echo "memory = 32"
		for l in "$@"; do echo "$l"; done
	} >"$f"
}

# Boots pvmini with -c; output in FILE.out, exit status in FILE.rc.
boot() {
	cfg=$1
	shift
	set +e
	"$PVCTL" create -c "$cfg" "$@" >"$cfg.out" 2>"$cfg.err"
	echo $? >"$cfg.rc"
	set -e
	cat "$cfg.out" "$cfg.err"
}

# expect_pass OUTFILE NAME...: each test passed, no FAIL, reached "done".
expect_pass() {
	out=$1
	shift
	for n in "$@"; do
		grep -q "^PASS $n\$" "$out" || die "no 'PASS $n' in $out"
	done
	if grep -q "^FAIL" "$out"; then die "$(grep '^FAIL' "$out")"; fi
	grep -q "^pvmini: done" "$out" || die "pvmini did not finish ($out)"
}

# wait_until TIMEOUT_S CMD...: polls CMD until it succeeds.
wait_until() {
	n=$(($1 * 20))
	shift
	while [ $n -gt 0 ]; do
		"$@" && return 0
		sleep 0.05
		n=$((n - 1))
	done
	return 1
}

domain_listed() { "$PVCTL" list | awk 'NR > 1 { print $1 }' | grep -qx "$1"; }
no_domains() { [ "$("$PVCTL" list | wc -l)" = 1 ]; }
