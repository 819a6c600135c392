# Crashes: a failed test, a fault and a triple fault all shut the domain
# down with reason crash; pvctl create -c exits non-zero; on_crash decides
# what happens next (destroy, preserve).
. "$(dirname "$0")/lib.sh"

mkcfg f.cfg failing nosuchtest
boot f.cfg
[ "$(cat f.cfg.rc)" != 0 ] || die "a failing guest made pvctl exit 0"
grep -q "^FAIL nosuchtest: no such test" f.cfg.out || die "no FAIL line"
grep -q "shut down: crash" f.cfg.err || die "pvctl did not report the crash"

mkcfg u.cfg faulting ud2
boot u.cfg
[ "$(cat u.cfg.rc)" != 0 ] || die "ud2 made pvctl exit 0"
grep -q "exception 6" u.cfg.out || die "pvmini did not report #UD"

mkcfg t.cfg triple triple "on_crash = \"preserve\""
boot t.cfg
[ "$(cat t.cfg.rc)" != 0 ] || die "triple fault made pvctl exit 0"
grep -q "domain crashed: triple fault" t.cfg.out || die "no crash note on the console"
"$PVCTL" list | grep -q "^triple .* crashed" || die "preserved domain not listed as crashed"
"$PVCTL" destroy triple
wait_until 5 no_domains || die "destroy did not remove the preserved domain"
grep -q "crashed: triple fault" "$PVHV_RUNDIR/pvhv.log" || die "pvhv did not log it"
# The last vCPU going down powers the domain off (Xen's rule).
mkcfg l.cfg lastdown last-down
boot l.cfg
[ "$(cat l.cfg.rc)" = 0 ] || die "last vCPU down: pvctl exited $(cat l.cfg.rc)"
grep -q "(lastdown) shut down (poweroff)" "$PVHV_RUNDIR/pvhv.log" ||
	die "last vCPU down did not power off"
pvhv_alive || die "pvhv died"

# strict_io: the first stray port access crashes the domain, with the
# port and RIP named; without it the same guest passes (t-boot).
mkcfg s.cfg strict legacy-io "strict_io = 1"
boot s.cfg
[ "$(cat s.cfg.rc)" != 0 ] || die "strict_io guest exited 0"
grep -q "domain crashed: strict_io: write to port 0x3f8 at rip 0x" s.cfg.out ||
	die "no strict_io crash note: $(cat s.cfg.out)"
pvhv_alive || die "pvhv died"
