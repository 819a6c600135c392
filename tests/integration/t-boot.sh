# A pvmini domain boots, passes hello/version/time and powers off; pvctl
# create -c returns 0 and pvhv (started by pvctl) destroys the domain.
. "$(dirname "$0")/lib.sh"

mkcfg a.cfg hello hello,version,time "on_poweroff = \"destroy\""
[ ! -e "$PVHV_RUNDIR/pvhv.sock" ] || die "pvhv already running"
boot a.cfg
[ "$(cat a.cfg.rc)" = 0 ] || die "pvctl create -c exited $(cat a.cfg.rc)"
expect_pass a.cfg.out hello version time
grep -q "hello from pvmini" a.cfg.out || die "no greeting"
pvhv_alive || die "pvhv not running after create"
wait_until 5 no_domains || die "domain still listed after poweroff"
grep -q "d1 (hello) shut down (poweroff): destroy" "$PVHV_RUNDIR/pvhv.log" ||
	die "pvhv did not log the poweroff"
