#!/bin/sh
# Integration tests: boot real guests under KVM with real pvhv/pvctl.
# Each t-*.sh runs in its own runtime directory under a timeout.
# Usage: run.sh [TEST...]   (BUILD=build by default; TIMEOUT=seconds)
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
export BUILD="${BUILD:-build}"
case "$BUILD" in /*) ;; *) BUILD="$top/$BUILD" ;; esac
export TOP="$top"
timeout_s="${TIMEOUT:-180}"

if [ ! -e /dev/kvm ]; then
	echo "  SKIP     integration: /dev/kvm is absent on this machine" >&2
	echo "  SKIP     integration: NO GUEST WAS BOOTED" >&2
	exit 0
fi
if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
	echo "  FAIL     integration: /dev/kvm exists but is not usable by $(id -un)" >&2
	exit 1
fi

tests="$*"
[ -n "$tests" ] || tests=$(cd "$here" && ls t-*.sh)
fail=0
logs="$BUILD/integration"
mkdir -p "$logs"
for t in $tests; do
	name=${t%.sh}
	start=$(date +%s)
	if timeout -k 5 "$timeout_s" sh "$here/$t" >"$logs/$name.log" 2>&1; then
		printf '  %-8s %s (%ss)\n' PASS "$name" $(($(date +%s) - start))
	else
		rc=$?
		[ $rc = 124 ] && why="timed out after ${timeout_s}s" || why="exit $rc"
		printf '  %-8s %s (%s)\n' FAIL "$name" "$why"
		sed 's/^/    | /' "$logs/$name.log" | tail -60
		fail=1
	fi
done
exit $fail
