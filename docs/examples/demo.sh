#!/bin/sh
# make demo: boot the example domain and show its console.
# Uses $PVHV_RUNDIR if set (an existing pvhv there is reused); otherwise a
# private runtime directory whose pvhv is stopped afterwards.
set -u
BUILD=${BUILD:-build}
cd "$(dirname "$0")/../.."
own=
if [ -z "${PVHV_RUNDIR:-}" ]; then
	PVHV_RUNDIR=$(mktemp -d /tmp/pvhv-demo.XXXXXX)
	own=1
fi
export PVHV_RUNDIR
echo "pvhv demo: pvctl create -c docs/examples/hello.cfg  (runtime directory $PVHV_RUNDIR)"
echo "------------------------------------------------------------------------"
"$BUILD/bin/pvctl" create -c docs/examples/hello.cfg "kernel=\"$BUILD/guests/pvmini.elf\""
rc=$?
echo "------------------------------------------------------------------------"
if [ $rc = 0 ]; then
	echo "pvhv demo: the domain powered off cleanly (pvctl exit status 0)"
else
	echo "pvhv demo: the domain did not power off cleanly (pvctl exit status $rc)"
fi
if [ -n "$own" ]; then
	echo "pvhv demo: hypervisor log:"
	sed 's/^/  /' "$PVHV_RUNDIR/pvhv.log" 2>/dev/null | tail -6
	for pid in "$PVHV_RUNDIR/xenstored/pvstored.pid" "$PVHV_RUNDIR/pvhv.pid"; do
		[ -f "$pid" ] && kill "$(cat "$pid")" 2>/dev/null
	done
	sleep 0.3
	rm -rf "$PVHV_RUNDIR"
fi
exit $rc
