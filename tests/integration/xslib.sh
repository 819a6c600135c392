# Helpers for the xenstore integration tests (sourced after lib.sh).
# pvstored runs in $PVHV_RUNDIR/xenstored; Debian's xenstore-utils reach
# it through XENSTORED_PATH. Until pvctl starts pvstored itself, the
# tests start it; when one already serves (pvctl did), they use it.
PVSTORED="$BUILD/bin/pvstored"
XSDIR="$PVHV_RUNDIR/xenstored"
export XENSTORED_PATH="$XSDIR/socket"
XSPROTO="$TOP/tests/integration/xsd_proto.py"

pvstored_pid() { cat "$XSDIR/pvstored.pid" 2>/dev/null || true; }
xs_answers() { xenstore-exists /tool >/dev/null 2>&1; }

# Starts pvstored unless one answers; "already running" is fine.
start_pvstored() {
	xs_answers && return 0
	"$PVSTORED" --rundir "$XSDIR" --daemon "$@" 2>pvstored.err ||
		grep -q "already running" pvstored.err ||
		die "pvstored: $(cat pvstored.err)"
	wait_until 10 xs_answers || die "pvstored does not answer"
}

stop_pvstored() {
	p=$(pvstored_pid)
	[ -n "$p" ] || return 0
	kill -TERM "$p" 2>/dev/null || return 0
	for _ in $(seq 100); do
		kill -0 "$p" 2>/dev/null || return 0
		sleep 0.05
	done
	echo "pvstored (pid $p) did not exit on SIGTERM" >&2
	kill -KILL "$p" 2>/dev/null
	return 1
}

xs_cleanup() {
	rc=$?
	if [ $rc != 0 ] && [ -f "$XSDIR/pvstored.log" ]; then
		echo "--- pvstored.log (last 30 lines)"
		tail -30 "$XSDIR/pvstored.log"
	fi
	stop_pvstored || rc=1
	(exit $rc)
	cleanup
}
trap xs_cleanup EXIT INT TERM

domid_of() { "$PVCTL" list | awk -v n="$1" '$1 == n { print $2 }'; }
