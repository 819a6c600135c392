#!/bin/sh
# Run CUnit test programs; each prints its own summary and exits non-zero
# on failure. Usage: run-unit.sh PROGRAM...
fail=0
for t in "$@"; do
	name=$(basename "$t")
	if out=$("$t" 2>&1); then
		printf '  %-8s %s\n' PASS "$name"
	else
		printf '  %-8s %s\n' FAIL "$name"
		printf '%s\n' "$out" | sed 's/^/    /'
		fail=1
	fi
done
exit $fail
