# Bad pointers and sizes get Xen errors; a burst of random hypercalls
# leaves the guest and pvhv running; pvhv's log about it is rate-limited.
. "$(dirname "$0")/lib.sh"

mkcfg h.cfg hostile badptr,hostile,version
boot h.cfg
[ "$(cat h.cfg.rc)" = 0 ] || die "guest did not power off cleanly"
expect_pass h.cfg.out badptr hostile version
pvhv_alive || die "pvhv died"
log="$PVHV_RUNDIR/pvhv.log"
grep -q "similar messages suppressed" "$log" || die "no rate limiting in $log"
n=$(grep -c "d1v0" "$log")
[ "$n" -lt 200 ] || die "$n log lines for one hostile guest: not rate-limited"
grep -q "hypercall page at 0xf0000000 refused" "$log" ||
	die "bad hypercall page not logged"
